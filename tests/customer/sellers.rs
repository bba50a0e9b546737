//! Seller profiles, by hand: split orders, refunds and cancellations, currencies, events
//! after `as_of`, milestones with their instants, the stuck states at their boundaries, and
//! a seller who is also a buyer.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use relance::customer::seller::{
    Marketplace, Product, Seller, SellerPolicy, SellerProfile, SellerStatus, SubOrder,
};
use relance::customer::{
    Buyer, ConsolidationPolicy, Currency, Customer, Dataset, Money, Order, OrderId, OrderStatus,
};

fn as_of() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, 1, 12, 0, 0).unwrap()
}

fn days_ago(d: i64) -> DateTime<Utc> {
    as_of() - TimeDelta::days(d)
}

fn eur(minor: i64) -> Money {
    Money::new(minor, Currency::EUR)
}

fn policy() -> ConsolidationPolicy {
    ConsolidationPolicy::new(Currency::EUR, as_of(), chrono_tz::UTC).rate(Currency::USD, 0.5)
}

fn run(m: &Marketplace, shop: &Dataset, p: &SellerPolicy) -> Vec<SellerProfile> {
    m.consolidate(shop, &policy(), p).unwrap()
}

#[test]
fn a_split_order_is_one_sale_for_each_seller_net_of_refunds_and_cancellations() {
    let mut m = Marketplace::new();
    let a = m.add_seller(Seller::new("a", "a@sellers.example", Some(days_ago(100))));
    let b = m.add_seller(Seller::new("b", "b@sellers.example", Some(days_ago(100))));
    // Parent order 1 split across both sellers.
    m.add_sub_order(SubOrder::new(
        OrderId(1),
        a,
        days_ago(10),
        OrderStatus::Paid,
        eur(3_000),
    ));
    m.add_sub_order(SubOrder::new(
        OrderId(1),
        b,
        days_ago(10),
        OrderStatus::Paid,
        eur(1_000),
    ));
    // a: a partly refunded sale, a cancelled one, a refunded one, one in USD.
    m.add_sub_order(
        SubOrder::new(
            OrderId(2),
            a,
            days_ago(5),
            OrderStatus::Completed,
            eur(2_000),
        )
        .refunded(500),
    );
    m.add_sub_order(SubOrder::new(
        OrderId(3),
        a,
        days_ago(4),
        OrderStatus::Cancelled,
        eur(9_999),
    ));
    m.add_sub_order(SubOrder::new(
        OrderId(4),
        a,
        days_ago(3),
        OrderStatus::Refunded,
        eur(7_777),
    ));
    m.add_sub_order(SubOrder::new(
        OrderId(5),
        a,
        days_ago(2),
        OrderStatus::Shipped,
        Money::new(1_000, Currency::USD),
    ));
    let p = run(&m, &Dataset::new(), &SellerPolicy::default());
    assert_eq!(
        (p[0].sales_count, p[0].revenue),
        (3, eur(3_000 + 1_500 + 500))
    );
    assert_eq!((p[1].sales_count, p[1].revenue), (1, eur(1_000)));
    assert_eq!(p[0].first_sale_at, Some(days_ago(10)));
    assert_eq!(p[0].last_sale_at, Some(days_ago(2)));
    assert_eq!(
        (p[0].milestone, p[0].milestone_at),
        (Some(1), Some(days_ago(10)))
    );
}

#[test]
fn events_after_as_of_are_not_counted() {
    let mut m = Marketplace::new();
    let a = m.add_seller(Seller::new("a", "a@sellers.example", Some(days_ago(100))));
    m.add_product(Product::new("p1", a, days_ago(50), true));
    m.add_product(Product::new("p2", a, as_of() + TimeDelta::seconds(1), true));
    m.add_product(Product::new("p3", a, days_ago(50), false));
    m.add_sub_order(SubOrder::new(
        OrderId(1),
        a,
        as_of(),
        OrderStatus::Paid,
        eur(100),
    ));
    m.add_sub_order(SubOrder::new(
        OrderId(2),
        a,
        as_of() + TimeDelta::seconds(1),
        OrderStatus::Paid,
        eur(100),
    ));
    let p = &run(&m, &Dataset::new(), &SellerPolicy::default())[0];
    assert_eq!(
        (p.products_count, p.sales_count, p.revenue),
        (1, 1, eur(100))
    );
    assert_eq!(p.last_sale_at, Some(as_of()));
}

#[test]
fn milestones_are_crossed_by_the_nth_sale_in_time_order() {
    let mut m = Marketplace::new();
    let a = m.add_seller(Seller::new("a", "a@sellers.example", Some(days_ago(100))));
    // Five sales, given out of order; the third in time is 7 days ago.
    for (id, d) in [(1, 3), (2, 9), (3, 7), (4, 1), (5, 8)] {
        m.add_sub_order(SubOrder::new(
            OrderId(id),
            a,
            days_ago(d),
            OrderStatus::Paid,
            eur(10),
        ));
    }
    let p = &run(
        &m,
        &Dataset::new(),
        &SellerPolicy::default().milestones([3, 1, 6]),
    )[0];
    assert_eq!(p.milestones, [(1, days_ago(9)), (3, days_ago(7))]);
    assert_eq!((p.milestone, p.milestone_at), (Some(3), Some(days_ago(7))));
}

#[test]
fn stuck_states_start_exactly_at_their_windows_and_never_for_disabled_sellers() {
    let mut m = Marketplace::new();
    let due = m.add_seller(Seller::new("due", "due@s.example", Some(days_ago(14))));
    let early = m.add_seller(Seller::new(
        "early",
        "early@s.example",
        Some(days_ago(14) + TimeDelta::seconds(1)),
    ));
    let off = m.add_seller(
        Seller::new("off", "off@s.example", Some(days_ago(400))).status(SellerStatus::Disabled),
    );
    let quiet = m.add_seller(Seller::new("quiet", "quiet@s.example", Some(days_ago(90))));
    m.add_product(Product::new("q1", quiet, days_ago(30), true));
    m.add_product(Product::new("q2", quiet, days_ago(2), true));
    let fresh = m.add_seller(Seller::new("fresh", "fresh@s.example", Some(days_ago(90))));
    m.add_product(Product::new("f1", fresh, days_ago(29), true));
    let selling = m.add_seller(Seller::new(
        "selling",
        "selling@s.example",
        Some(days_ago(90)),
    ));
    m.add_product(Product::new("s1", selling, days_ago(60), true));
    m.add_sub_order(SubOrder::new(
        OrderId(1),
        selling,
        days_ago(1),
        OrderStatus::Paid,
        eur(5),
    ));
    let p = run(&m, &Dataset::new(), &SellerPolicy::default());
    let stuck = |i: relance::customer::seller::SellerIdx| {
        let s = &p[i.0 as usize];
        (s.stuck_without_products, s.stuck_without_sales)
    };
    assert_eq!(stuck(due), (true, false));
    assert_eq!(stuck(early), (false, false));
    assert_eq!(stuck(off), (false, false));
    assert_eq!(stuck(quiet), (false, true), "the first product counts");
    assert_eq!(stuck(fresh), (false, false));
    assert_eq!(stuck(selling), (false, false));
    // Other windows.
    let p = run(
        &m,
        &Dataset::new(),
        &SellerPolicy::default().stuck_after(15, 29),
    );
    assert!(!p[due.0 as usize].stuck_without_products);
    assert!(p[fresh.0 as usize].stuck_without_sales);
}

#[test]
fn a_seller_who_also_buys_is_the_same_contact_on_both_sides() {
    let mut shop = Dataset::new();
    let c = shop.add_customer(Customer {
        id: "42".into(),
        email: "Ann@Both.example ".into(),
        ..Customer::default()
    });
    shop.add_order(Order::new(
        OrderId(9),
        Buyer::Customer(c),
        days_ago(3),
        OrderStatus::Paid,
        eur(1_200),
    ));
    let mut m = Marketplace::new();
    let s = m.add_seller(Seller::new("v7", "ann@both.EXAMPLE", Some(days_ago(60))));
    // Her own purchase from another seller is not her sale.
    let other = m.add_seller(Seller::new("v8", "other@s.example", Some(days_ago(60))));
    m.add_sub_order(SubOrder::new(
        OrderId(9),
        other,
        days_ago(3),
        OrderStatus::Paid,
        eur(1_200),
    ));
    let sellers = run(&m, &shop, &SellerPolicy::default());
    let buyers = shop.consolidate(&policy()).unwrap();
    let buyer = buyers.by_email("ann@both.example").unwrap();
    assert_eq!(sellers[s.0 as usize].email, buyer.email());
    assert_eq!(
        (sellers[s.0 as usize].sales_count, buyer.orders_count()),
        (0, 1)
    );
    assert_eq!(sellers[other.0 as usize].sales_count, 1);
}

#[test]
fn a_custom_counted_status_follows_the_policy() {
    let mut shop = Dataset::new();
    let ready = shop.status("ready_for_pickup");
    let mut m = Marketplace::new();
    let a = m.add_seller(Seller::new("a", "a@s.example", None));
    m.add_sub_order(SubOrder::new(OrderId(1), a, days_ago(1), ready, eur(100)));
    let not_counted = m
        .consolidate(&shop, &policy(), &SellerPolicy::default())
        .unwrap();
    assert_eq!(not_counted[0].sales_count, 0);
    let statuses = relance::customer::StatusSet::default().with_custom("ready_for_pickup");
    let counted = m
        .consolidate(
            &shop,
            &policy().counted_statuses(statuses),
            &SellerPolicy::default(),
        )
        .unwrap();
    assert_eq!(counted[0].sales_count, 1);
}
