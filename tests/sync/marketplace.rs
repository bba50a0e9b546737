//! A marketplace synced as one contact per person with its roles and seller values, and the
//! default marketplace segments provisioned on both providers, each selecting exactly the
//! people it describes.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use relance::customer::seller::{
    Marketplace, Product, Seller, SellerPolicy, SubOrder, marketplace_defaults, people,
};
use relance::customer::{
    Buyer, ConsolidationPolicy, Currency, Customer, Dataset, Money, Order, OrderId, OrderStatus,
    ProfileField,
};
use relance::sync::{
    SegmentRef, SendethicTarget, SendsayTarget, SyncTarget, SyncValue, Syncer, marketplace_records,
};
use relance::testing::{FakeSendethic, FakeSendsay};

use super::sendsay::client_in_moscow;

fn as_of() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, 1, 12, 0, 0).unwrap()
}

fn ago(d: i64) -> DateTime<Utc> {
    as_of() - TimeDelta::days(d)
}

/// Ann buys and sells (products, no sale for 40 days), Bob has an account and no order,
/// Carl buys as a guest; Dora sells nothing yet (registered 30 days ago), Eve made 120
/// sales, Frank one; ops@ administers.
fn marketplace() -> (Dataset, Marketplace, ConsolidationPolicy) {
    let eur = |m| Money::new(m, Currency::EUR);
    let mut shop = Dataset::new();
    let ann = shop.add_customer(Customer {
        id: "1".into(),
        email: "ann@m.example".into(),
        ..Customer::default()
    });
    shop.add_customer(Customer {
        id: "2".into(),
        email: "bob@m.example".into(),
        ..Customer::default()
    });
    let carl = shop.guest("carl@m.example").unwrap();
    shop.add_order(Order::new(
        OrderId(1),
        Buyer::Customer(ann),
        ago(5),
        OrderStatus::Paid,
        eur(2_000),
    ));
    shop.add_order(Order::new(
        OrderId(2),
        Buyer::Guest(carl),
        ago(4),
        OrderStatus::Paid,
        eur(900),
    ));
    let mut m = Marketplace::new();
    let ann_s = m.add_seller(Seller::new("s-ann", "Ann@M.example", Some(ago(90))));
    m.add_product(Product::new("p1", ann_s, ago(40), true));
    m.add_seller(Seller::new("s-dora", "dora@m.example", Some(ago(30))));
    let eve = m.add_seller(Seller::new("s-eve", "eve@m.example", Some(ago(300))));
    m.add_product(Product::new("p2", eve, ago(299), true));
    for i in 0..120_i64 {
        m.add_sub_order(SubOrder::new(
            OrderId(1_000 + i.unsigned_abs()),
            eve,
            ago(200) + TimeDelta::hours(i),
            OrderStatus::Completed,
            eur(1_000),
        ));
    }
    let frank = m.add_seller(Seller::new("s-frank", "frank@m.example", Some(ago(20))));
    m.add_product(Product::new("p3", frank, ago(19), true));
    m.add_sub_order(SubOrder::new(
        OrderId(2),
        frank,
        ago(4),
        OrderStatus::Paid,
        eur(900),
    ));
    (
        shop,
        m,
        ConsolidationPolicy::new(Currency::EUR, as_of(), chrono_tz::UTC),
    )
}

/// What each default segment must hold, by tag.
const EXPECTED: [(&str, &[&str]); 6] = [
    ("relance_sellers_no_products", &["dora@m.example"]),
    ("relance_sellers_no_sales", &["ann@m.example"]),
    ("relance_sellers_milestone_1", &["frank@m.example"]),
    ("relance_sellers_milestone_100", &["eve@m.example"]),
    ("relance_buyers_sellers", &["ann@m.example"]),
    ("relance_buyers_no_orders", &["bob@m.example"]),
];

async fn check<T: SyncTarget>(target: T, members: impl Fn(&SegmentRef) -> Vec<String>) {
    let (shop, market, policy) = marketplace();
    let buyers = shop.consolidate(&policy).unwrap();
    let sellers = market
        .consolidate(&shop, &policy, &SellerPolicy::default())
        .unwrap();
    let records = marketplace_records(&buyers, &sellers, &["ops@m.example"]);
    // One contact per person: Ann once, with both roles.
    assert_eq!(records.len(), 7);
    let ann = records
        .iter()
        .find(|r| r.email() == "ann@m.example")
        .unwrap();
    assert_eq!(
        ann.get(&ProfileField::IsBuyer),
        Some(&SyncValue::OptIn(true))
    );
    assert_eq!(
        ann.get(&ProfileField::IsSeller),
        Some(&SyncValue::OptIn(true))
    );
    let fields = ProfileField::ALL
        .into_iter()
        .filter(|f| *f != ProfileField::Email)
        .chain(ProfileField::MARKETPLACE);
    let mut syncer = Syncer::in_memory(target).unwrap().fields(fields);
    let report = syncer.run(records).await.unwrap();
    assert!(report.is_complete() && report.pushed == 7, "{report}");
    let specs = marketplace_defaults(&[1, 100]);
    // Evaluated locally, each segment selects the same people the provider will.
    let everyone = people(&buyers, &sellers, &["ops@m.example"]);
    assert_eq!(everyone.len(), 7);
    for (spec, (tag, want)) in specs.iter().zip(EXPECTED) {
        let mut got: Vec<&str> = everyone
            .iter()
            .filter(|p| spec.matches_person(p, as_of()))
            .map(relance::customer::seller::Person::email)
            .collect();
        got.sort_unstable();
        assert_eq!(got, want, "{tag} locally");
    }
    let outcomes = syncer.ensure_segments(&specs).await.unwrap();
    for (outcome, (tag, want)) in outcomes.iter().zip(EXPECTED) {
        assert_eq!(outcome.tag, tag);
        let (id, _) = outcome
            .result
            .as_ref()
            .unwrap_or_else(|e| panic!("{tag}: {e}"));
        let mut got = members(id);
        got.sort();
        assert_eq!(got, want, "{tag}");
    }
}

#[tokio::test]
async fn marketplace_segments_select_their_people_on_sendethic() {
    let fake = FakeSendethic::start().await;
    fake.set_now(as_of());
    let members = |id: &SegmentRef| fake.segment_members(id.sendethic().unwrap());
    check(SendethicTarget::new(fake.client()), members).await;
}

#[tokio::test]
async fn marketplace_segments_select_their_people_on_sendsay() {
    let fake = FakeSendsay::start().await;
    fake.set_now(as_of(), chrono_tz::Europe::Moscow);
    let members = |id: &SegmentRef| fake.group_members(id.sendsay().unwrap().as_str());
    check(SendsayTarget::new(client_in_moscow(&fake)), members).await;
}
