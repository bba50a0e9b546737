//! The transactional outbox (`relance::messaging`): exactly once under faults and across a
//! crash on both providers, dedup on the key, dead letters, pre-flight checks, and the
//! outbox in each store.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

mod outbox;
mod preflight;
mod sendethic;
mod shapes;
mod store;

use relance::messaging::{Audience, Message, Recipient};

/// The statuses of a marketplace order, each notified to the buyer and to its sellers.
pub const STATUSES: [&str; 6] = [
    "order_placed",
    "order_confirmed",
    "order_shipped",
    "order_in_city",
    "order_at_pickup_point",
    "order_handed_over",
];

/// Order 1234, split across two sellers: one message per status to the buyer and to each
/// seller, keyed `order-1234/<status>/<who>`.
#[must_use]
pub fn order_messages() -> Vec<Message> {
    let mut out = Vec::new();
    for status in STATUSES {
        out.push(
            Message::new(
                format!("order-1234/{status}/buyer"),
                status,
                Audience::Buyer,
                Recipient::email("ann@buyer.example").phone("+79991234567"),
            )
            .var("order_id", "1234"),
        );
        for seller in ["s1", "s2"] {
            out.push(
                Message::new(
                    format!("order-1234/{status}/{seller}"),
                    status,
                    Audience::Seller,
                    Recipient::email(format!("{seller}@vendors.example")),
                )
                .var("order_id", "1234"),
            );
        }
    }
    out
}
