//! The last abandoned cart: the worked example and the rules.

use std::time::Duration;

use relance::customer::*;

use super::{at, customer, eur, only, order, policy};

fn cart(id: u64, owner: Buyer, updated: &str, items: u32) -> Cart {
    Cart {
        id: CartId(id),
        owner,
        created_at: at(updated) - chrono::TimeDelta::hours(1),
        updated_at: at(updated),
        item_count: items,
        total: None,
        converted_order: None,
    }
}

/// §3.8 worked example.
#[test]
fn abandoned_cart_worked_example() {
    let mut ds = Dataset::new();
    let c = Buyer::Customer(ds.add_customer(customer("1", "a@x.io")));
    ds.add_cart(cart(1, c, "2024-05-01T08:00:00Z", 2)); // A
    ds.add_cart(cart(2, c, "2024-05-01T10:30:00Z", 1)); // B: too recent
    ds.add_cart(cart(3, c, "2024-04-30T10:00:00Z", 3)); // C: converted by a later order
    ds.add_order(order(
        1,
        c,
        "2024-04-30T10:20:00Z",
        OrderStatus::Paid,
        eur(1_000),
    ));
    let out = ds.consolidate(&policy("2024-05-01T12:00:00Z")).unwrap();
    assert_eq!(
        only(&out, "a@x.io").last_abandoned_cart_at(),
        Some(at("2024-05-01T08:00:00Z"))
    );
    // B crosses the 3 h threshold at 13:30
    let out = ds.consolidate(&policy("2024-05-01T13:30:00Z")).unwrap();
    assert_eq!(
        only(&out, "a@x.io").last_abandoned_cart_at(),
        Some(at("2024-05-01T10:30:00Z"))
    );
    // a later order by the same email (as a guest, other case) converts A and B
    let g = Buyer::Guest(ds.guest(" A@X.IO ").unwrap());
    ds.add_order(order(
        2,
        g,
        "2024-05-01T14:00:00Z",
        OrderStatus::Pending,
        eur(1_000),
    ));
    let out = ds.consolidate(&policy("2024-05-01T15:00:00Z")).unwrap();
    assert_eq!(only(&out, "a@x.io").last_abandoned_cart_at(), None);
    // ... but not for counted-orders conversion (the order is pending)
    let counted =
        policy("2024-05-01T15:00:00Z").abandoned_cart_converted_by(ConvertedBy::CountedOrders);
    let out = ds.consolidate(&counted).unwrap();
    assert_eq!(
        only(&out, "a@x.io").last_abandoned_cart_at(),
        Some(at("2024-05-01T10:30:00Z"))
    );
}

/// Carts converted by an order referencing them, by the shop's link, emptied carts,
/// orders after `as_of`, max age, clock and scope knobs.
#[test]
fn abandoned_cart_rules() {
    let as_of = "2024-05-10T12:00:00Z";
    let mut ds = Dataset::new();
    let a = Buyer::Customer(ds.add_customer(customer("1", "a@x.io")));
    let b = Buyer::Customer(ds.add_customer(customer("2", "b@x.io")));
    // a: cart 10 referenced by an order of another contact placed BEFORE the cart update
    ds.add_cart(cart(10, a, "2024-05-05T10:00:00Z", 1));
    let mut o = order(1, b, "2024-05-05T09:00:00Z", OrderStatus::Paid, eur(1_000));
    o.cart = Some(CartId(10));
    ds.add_order(o);
    // a: cart 11 linked by the shop to an order
    let mut linked = cart(11, a, "2024-05-06T10:00:00Z", 1);
    linked.converted_order = Some(OrderId(99));
    ds.add_cart(linked);
    // a: cart 12 empty
    ds.add_cart(cart(12, a, "2024-05-07T10:00:00Z", 0));
    // a: cart 13 qualifies
    ds.add_cart(cart(13, a, "2024-05-02T10:00:00Z", 4));
    // b: cart 20 converted only by an order after as_of -> still abandoned at as_of
    ds.add_cart(cart(20, b, "2024-05-08T10:00:00Z", 1));
    ds.add_order(order(
        2,
        b,
        "2024-05-11T10:00:00Z",
        OrderStatus::Paid,
        eur(1_000),
    ));
    // b: cart updated after as_of is ignored
    ds.add_cart(cart(21, b, "2024-05-10T13:00:00Z", 1));
    let out = ds.consolidate(&policy(as_of)).unwrap();
    assert_eq!(
        only(&out, "a@x.io").last_abandoned_cart_at(),
        Some(at("2024-05-02T10:00:00Z"))
    );
    assert_eq!(
        only(&out, "b@x.io").last_abandoned_cart_at(),
        Some(at("2024-05-08T10:00:00Z"))
    );
    // max age 5 days: a's cart 13 (8 days old) drops out
    let aged = policy(as_of).abandoned_cart_max_age(Some(Duration::from_secs(5 * 86_400)));
    let out = ds.consolidate(&aged).unwrap();
    assert_eq!(only(&out, "a@x.io").last_abandoned_cart_at(), None);
    assert_eq!(
        only(&out, "b@x.io").last_abandoned_cart_at(),
        Some(at("2024-05-08T10:00:00Z"))
    );
    // most recent cart only: a's most recent cart (12, empty) does not qualify
    let recent = policy(as_of).abandoned_cart_scope(CartScope::MostRecent);
    let out = ds.consolidate(&recent).unwrap();
    assert_eq!(only(&out, "a@x.io").last_abandoned_cart_at(), None);
    assert_eq!(
        only(&out, "b@x.io").last_abandoned_cart_at(),
        Some(at("2024-05-08T10:00:00Z"))
    );
    // delay of 24 h on created_at: b's cart 20 was created 2024-05-08T09:00
    let created = policy("2024-05-09T09:30:00Z")
        .abandoned_cart_delay(Duration::from_secs(24 * 3600))
        .abandoned_cart_clock(CartClock::CreatedAt);
    let out = ds.consolidate(&created).unwrap();
    assert_eq!(
        only(&out, "b@x.io").last_abandoned_cart_at(),
        Some(at("2024-05-08T10:00:00Z"))
    );
    let updated =
        policy("2024-05-09T09:30:00Z").abandoned_cart_delay(Duration::from_secs(24 * 3600));
    let out = ds.consolidate(&updated).unwrap();
    assert_eq!(only(&out, "b@x.io").last_abandoned_cart_at(), None);
}

/// An order placed exactly at the cart's `updated_at` converts it (`placed_at ≥ updated_at`).
#[test]
fn cart_conversion_boundary_is_inclusive() {
    let mut ds = Dataset::new();
    let c = Buyer::Customer(ds.add_customer(customer("1", "a@x.io")));
    ds.add_cart(cart(1, c, "2024-05-01T08:00:00Z", 1));
    ds.add_order(order(
        1,
        c,
        "2024-05-01T07:59:59.999999Z",
        OrderStatus::Paid,
        eur(1),
    ));
    let out = ds.consolidate(&policy("2024-05-02T00:00:00Z")).unwrap();
    assert_eq!(
        only(&out, "a@x.io").last_abandoned_cart_at(),
        Some(at("2024-05-01T08:00:00Z"))
    );
    ds.add_order(order(
        2,
        c,
        "2024-05-01T08:00:00Z",
        OrderStatus::Paid,
        eur(1),
    ));
    let out = ds.consolidate(&policy("2024-05-02T00:00:00Z")).unwrap();
    assert_eq!(only(&out, "a@x.io").last_abandoned_cart_at(), None);
}
