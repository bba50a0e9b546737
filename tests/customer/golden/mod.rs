//! Hand-computed golden tests for every consolidated field and every edge case of the
//! customer-metrics reference (§3, §6): orders (`orders.rs`), abandoned carts (`carts.rs`),
//! contacts, threads and limits (`contacts.rs`).

use relance::customer::*;

pub(super) use super::at;

mod carts;
mod contacts;
mod orders;

pub(super) fn eur(cents: i64) -> Money {
    Money::new(cents, Currency::EUR)
}

pub(super) fn customer(id: &str, email: &str) -> Customer {
    Customer {
        id: id.into(),
        email: email.into(),
        ..Customer::default()
    }
}

pub(super) fn order(
    id: u64,
    buyer: Buyer,
    placed: &str,
    status: OrderStatus,
    amount: Money,
) -> Order {
    Order::new(OrderId(id), buyer, at(placed), status, amount)
}

pub(super) fn policy(as_of: &str) -> ConsolidationPolicy {
    ConsolidationPolicy::new(Currency::EUR, at(as_of), chrono_tz::UTC)
}

pub(super) fn approx(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-6, "{a} != {b}");
}

pub(super) fn only<'a, 'd>(c: &'a Consolidation<'d>, email: &str) -> &'a CustomerProfile<'d> {
    c.by_email(email)
        .unwrap_or_else(|| panic!("no profile for {email}"))
}
