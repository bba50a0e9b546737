//! A marketplace through its CSV files: generate → write → read gives the same profiles,
//! child orders are sales and not second buyer orders, CS-Cart's conventions are read, an
//! unknown seller is named with its line, and the outputs have their documented columns.

use std::fs;
use std::path::Path;

use relance::customer::events::{EventKind, LifecycleEvent, Role};
use relance::customer::seller::{SellerPolicy, SellerProfile};
use relance::customer::{ConsolidationPolicy, Currency, Dataset, FxRate};
use relance::io::{csv, synth};

use super::at;

fn policy(rates: &[FxRate]) -> ConsolidationPolicy {
    let mut p = ConsolidationPolicy::new(Currency::EUR, at("2025-01-01T00:00:00Z"), chrono_tz::UTC);
    for r in rates {
        p = p.rate(r.from, r.rate);
    }
    p
}

fn sellers_csv(profiles: &[SellerProfile]) -> String {
    let mut out = Vec::new();
    csv::write_seller_profiles(profiles, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn buyers_csv(ds: &Dataset, rates: &[FxRate]) -> String {
    let mut out = Vec::new();
    csv::write_profiles(&ds.consolidate(&policy(rates)).unwrap(), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn generated_marketplace_reads_back_to_the_same_profiles() {
    let cfg = synth::MarketplaceConfig::new(40, 300, 3_000, 5);
    let m = synth::generate_marketplace(&cfg);
    let split = m.market.sub_orders().len() - m.shop.dataset.orders().len();
    assert!(split > 300, "orders are split across sellers: {split}");
    let dir = tempfile::tempdir().unwrap();
    csv::write_marketplace_dir(&m.shop.dataset, &m.shop.rates, &m.market, dir.path()).unwrap();
    let again = tempfile::tempdir().unwrap();
    let m2 = synth::generate_marketplace(&cfg);
    csv::write_marketplace_dir(&m2.shop.dataset, &m2.shop.rates, &m2.market, again.path()).unwrap();
    for f in ["sellers.csv", "products.csv", "orders.csv"] {
        assert_eq!(
            fs::read(dir.path().join(f)).unwrap(),
            fs::read(again.path().join(f)).unwrap(),
            "{f} is not deterministic"
        );
    }
    let orders = fs::read_to_string(dir.path().join("orders.csv")).unwrap();
    assert!(orders.starts_with("order_id,customer_id,email,placed_at,status,amount,currency,refunded_amount,parent_order_id,seller_id\n"));
    let mut parts = std::collections::HashMap::<u64, usize>::new();
    for s in m.market.sub_orders() {
        *parts.entry(s.parent.0).or_default() += 1;
    }
    let children: usize = parts.values().filter(|&&n| n > 1).sum();
    let child_rows = orders
        .lines()
        .skip(1)
        .filter(|l| !l.split(',').nth(8).unwrap().is_empty())
        .count();
    assert_eq!(
        child_rows, children,
        "one child row per seller of a split order"
    );
    assert_eq!(orders.lines().count(), 1 + 3_000 + children);

    let read = csv::read_marketplace_dir(dir.path()).unwrap();
    assert_eq!(
        read.dataset.orders().len(),
        3_000,
        "child rows are not buyer orders"
    );
    assert_eq!(read.market.sub_orders().len(), m.market.sub_orders().len());
    assert_eq!(read.market.products().len(), m.market.products().len());
    // The buyers' side is the plain shop's, read back the same way.
    let plain = tempfile::tempdir().unwrap();
    csv::write_dir(&m.shop.dataset, &m.shop.rates, plain.path()).unwrap();
    let (shop, rates) = csv::read_dir(plain.path()).unwrap();
    assert!(buyers_csv(&shop, &rates) == buyers_csv(&read.dataset, &read.rates));
    let p = policy(&m.shop.rates);
    let want = m
        .market
        .consolidate(&m.shop.dataset, &p, &SellerPolicy::default())
        .unwrap();
    let got = read
        .market
        .consolidate(
            &read.dataset,
            &policy(&read.rates),
            &SellerPolicy::default(),
        )
        .unwrap();
    assert_eq!(sellers_csv(&got), sellers_csv(&want));
    assert!(
        want.iter().any(|s| s.milestone == Some(100)),
        "milestones are reached"
    );
    assert!(
        want.iter().any(|s| s.products_count == 0),
        "some sellers have no product"
    );
}

fn write(dir: &Path, name: &str, text: &str) {
    fs::write(dir.join(name), text).unwrap();
}

/// Ann's order 10 is split between sellers 7 and 8 (8's part refunded); order 11 is seller
/// 7's alone (CS-Cart's `parent_order_id` 0); order 12 is the marketplace's own.
fn cs_cart_dir(dir: &Path, orders_tail: &str) {
    write(
        dir,
        "sellers.csv",
        "seller_id,email,registered_at,status\n7,Shop@Seven.example,2024-01-01T00:00:00Z,A\n8,eight@e.example,2024-01-01T00:00:00Z,D\n",
    );
    write(
        dir,
        "products.csv",
        "product_id,seller_id,created_at,active\np1,7,2024-01-02T00:00:00Z,A\np2,7,2024-01-03T00:00:00Z,H\np3,8,2024-01-02T00:00:00Z,\np4,0,2024-01-02T00:00:00Z,yes\n",
    );
    write(
        dir,
        "orders.csv",
        &format!(
            "order_id,customer_id,email,placed_at,status,amount,currency,refunded_amount,parent_order_id,seller_id\n\
10,1,ann@a.example,2024-06-01T10:00:00Z,paid,30.00,EUR,,0,\n\
101,1,ann@a.example,2024-06-01T10:00:00Z,paid,20.00,EUR,,10,7\n\
102,1,ann@a.example,2024-06-01T10:00:00Z,refunded,10.00,EUR,10.00,10,8\n\
11,1,ann@a.example,2024-06-02T10:00:00Z,completed,5.50,EUR,,0,7\n\
12,1,ann@a.example,2024-06-03T10:00:00Z,paid,1.00,EUR,,,0\n{orders_tail}"
        ),
    );
}

#[test]
fn child_orders_are_sales_and_cs_cart_conventions_are_read() {
    let dir = tempfile::tempdir().unwrap();
    cs_cart_dir(dir.path(), "");
    let read = csv::read_marketplace_dir(dir.path()).unwrap();
    let ids: Vec<u64> = read.dataset.orders().iter().map(|o| o.id.0).collect();
    assert_eq!(
        ids,
        [10, 11, 12],
        "the buyer sees parents and unsplit orders"
    );
    let subs: Vec<(u64, &str)> = read
        .market
        .sub_orders()
        .iter()
        .map(|s| {
            (
                s.parent.0,
                read.market.sellers()[s.seller.0 as usize].id.as_str(),
            )
        })
        .collect();
    assert_eq!(subs, [(10, "7"), (10, "8"), (11, "7")]);
    let active: Vec<bool> = read.market.products().iter().map(|p| p.active).collect();
    assert_eq!(
        active,
        [true, false, true],
        "A, H, empty; seller 0's product skipped"
    );
    let profiles = read
        .market
        .consolidate(
            &read.dataset,
            &policy(&read.rates),
            &SellerPolicy::default(),
        )
        .unwrap();
    let seven = &profiles[0];
    assert_eq!(
        (seven.email.as_str(), seven.sales_count),
        ("shop@seven.example", 2)
    );
    assert_eq!(seven.revenue.to_decimal_string(), "25.50");
    assert_eq!((seven.products_count, seven.milestone), (1, Some(1)));
    let eight = &profiles[1];
    assert_eq!(
        (eight.sales_count, eight.revenue.minor),
        (0, 0),
        "refunded part"
    );
    let buyer = read.dataset.consolidate(&policy(&read.rates)).unwrap();
    let ann = buyer.iter().next().unwrap();
    assert_eq!(
        (
            ann.orders_count(),
            ann.revenue().to_decimal_string().as_str()
        ),
        (3, "36.50")
    );
}

#[test]
fn an_unknown_seller_is_named_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    cs_cart_dir(
        dir.path(),
        "13,1,ann@a.example,2024-06-04T10:00:00Z,paid,1.00,EUR,,0,99\n",
    );
    let err = csv::read_marketplace_dir(dir.path())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("orders.csv:7") && err.contains("unknown seller_id \"99\""),
        "{err}"
    );
    fs::remove_file(dir.path().join("sellers.csv")).unwrap();
    let err = csv::read_marketplace_dir(dir.path())
        .unwrap_err()
        .to_string();
    assert!(err.contains("sellers.csv"), "{err}");
}

#[test]
fn events_are_written_with_who_they_are_about() {
    let dir = tempfile::tempdir().unwrap();
    cs_cart_dir(dir.path(), "");
    let read = csv::read_marketplace_dir(dir.path()).unwrap();
    let p = policy(&read.rates);
    let buyers = read.dataset.consolidate(&p).unwrap();
    let sellers = read
        .market
        .consolidate(&read.dataset, &p, &SellerPolicy::default())
        .unwrap();
    let t = at("2024-06-01T10:00:00Z");
    let events = [
        LifecycleEvent::new(EventKind::FirstSale, "shop@seven.example", Role::Seller, t),
        LifecycleEvent::new(EventKind::FirstOrder, "ann@a.example", Role::Buyer, t),
        LifecycleEvent::new(EventKind::Milestone(100), "x@guest.example", Role::Buyer, t),
    ];
    let mut out = Vec::new();
    csv::write_events(&events, &buyers, &sellers, &mut out).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "kind,email,role,at,detail\n\
first_sale,shop@seven.example,seller,2024-06-01T10:00:00Z,7\n\
first_order,ann@a.example,buyer,2024-06-01T10:00:00Z,1\n\
milestone_100,x@guest.example,buyer,2024-06-01T10:00:00Z,\n"
    );
    let text = sellers_csv(&sellers);
    assert_eq!(
        text.lines().nth(1).unwrap(),
        "7,shop@seven.example,1,2024-06-01T10:00:00Z,2024-06-02T10:00:00Z,2,25.50,1,2024-06-01T10:00:00Z,no,no"
    );
}
