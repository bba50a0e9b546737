//! Default segments evaluated on a hand-built population (expected members computed by hand).

use relance::customer::segment::{self, Condition, Op, SegmentSpec};
use relance::customer::*;

use super::at;

fn reg(ds: &mut Dataset, id: &str, email: &str, optin: OptIn) -> Buyer {
    Buyer::Customer(ds.add_customer(Customer {
        id: id.into(),
        email: email.into(),
        newsletter_optin: optin,
        ..Customer::default()
    }))
}

fn order(ds: &mut Dataset, id: u64, b: Buyer, t: &str, cents: i64, delivered: Option<&str>) {
    let mut o = Order::new(
        OrderId(id),
        b,
        at(t),
        OrderStatus::Completed,
        Money::new(cents, Currency::EUR),
    );
    o.delivered_at = delivered.map(at);
    ds.add_order(o);
}

fn cart(ds: &mut Dataset, id: u64, b: Buyer, t: &str) {
    ds.add_cart(Cart {
        id: CartId(id),
        owner: b,
        created_at: at(t),
        updated_at: at(t),
        item_count: 2,
        total: None,
        converted_order: None,
    });
}

fn population() -> Dataset {
    let mut ds = Dataset::new();
    reg(&mut ds, "1", "a@x.io", OptIn::Yes);
    let b = Buyer::Guest(ds.guest("b@x.io").unwrap());
    order(&mut ds, 1, b, "2024-05-20T10:00:00Z", 1_000, None);
    let c = reg(&mut ds, "3", "c@x.io", OptIn::Yes);
    order(&mut ds, 2, c, "2023-12-01T10:00:00Z", 2_000, None);
    order(
        &mut ds,
        3,
        c,
        "2024-01-01T10:00:00Z",
        3_000,
        Some("2024-01-05T10:00:00Z"),
    );
    let d = reg(&mut ds, "4", "d@x.io", OptIn::No);
    order(&mut ds, 4, d, "2024-05-01T00:00:00Z", 0, None);
    if let Buyer::Customer(dc) = d {
        ds.add_login(Login {
            customer: dc,
            at: at("2024-05-25T00:00:00Z"),
        });
    }
    let e = reg(&mut ds, "5", "e@x.io", OptIn::No);
    cart(&mut ds, 1, e, "2024-05-30T00:00:00Z");
    let f = reg(&mut ds, "6", "f@x.io", OptIn::No);
    order(
        &mut ds,
        5,
        f,
        "2024-05-25T10:00:00Z",
        1_500,
        Some("2024-05-28T10:00:00Z"),
    );
    let g = reg(&mut ds, "7", "g@x.io", OptIn::No);
    order(&mut ds, 6, g, "2024-03-01T00:00:00Z", 1_200, None);
    cart(&mut ds, 2, g, "2024-04-01T00:00:00Z");
    ds
}

fn emails(spec: &SegmentSpec, c: &Consolidation<'_>) -> Vec<String> {
    spec.members(c)
        .into_iter()
        .map(|i| {
            c.get(i)
                .unwrap()
                .email()
                .chars()
                .next()
                .unwrap()
                .to_string()
        })
        .collect()
}

fn policy() -> ConsolidationPolicy {
    ConsolidationPolicy::new(Currency::EUR, at("2024-06-01T00:00:00Z"), chrono_tz::UTC)
}

#[test]
fn magento_defaults_with_sic() {
    let ds = population();
    let c = ds.consolidate(&policy()).unwrap();
    let segs = segment::magento_defaults();
    let got: Vec<(String, Vec<String>)> = segs
        .iter()
        .map(|s| (s.tag.clone(), emails(s, &c)))
        .collect();
    let want: Vec<(&str, Vec<&str>)> = vec![
        ("magento_subscribers", vec!["a", "c"]),
        ("magento_subscriberscustomers", vec!["a", "c"]),
        ("magento_subscribersnotcustomers", vec![]),
        ("magento_customers", vec!["a", "c", "d", "e", "f", "g"]),
        ("magento_customerswithoutpurchases", vec!["a", "d", "e"]),
        ("magento_customerswithpurchases", vec!["b", "c", "f", "g"]),
        ("magento_customersnew", vec!["b", "f", "g"]),
        ("magento_customersnotnew", vec!["c"]),
        ("magento_customerscancelled", vec!["g"]),
        ("magento_contactscancelled", vec!["e", "g"]),
        ("magento_contactsmotivated", vec!["d"]),
        // sic: "delivered (last 7 days)" = delivered MORE than 7 days ago
        ("magento_customersdelivered", vec!["c"]),
        // sic: keyed on the last delivery
        ("magento_customersnorecentorder", vec!["c"]),
    ];
    assert_eq!(got.len(), 13);
    for ((tag, members), (wtag, wmembers)) in got.iter().zip(&want) {
        assert_eq!(tag, wtag);
        assert_eq!(members, wmembers, "{tag}");
    }
    assert!(segs[11].note.as_deref().unwrap().contains("sic"));
    assert!(segs[12].note.as_deref().unwrap().contains("DELIVERY"));
}

#[test]
fn relance_defaults() {
    let ds = population();
    let p = policy();
    let c = ds.consolidate(&p).unwrap();
    let got: Vec<(String, Vec<String>)> = segment::relance_defaults(&p)
        .iter()
        .map(|s| (s.tag.clone(), emails(s, &c)))
        .collect();
    let want: Vec<(&str, Vec<&str>)> = vec![
        ("relance_subscribers", vec!["a", "c"]),
        ("relance_prospects", vec!["a", "e"]),
        ("relance_customers", vec!["b", "c", "d", "f", "g"]),
        ("relance_first_purchase", vec!["b", "f", "g"]),
        ("relance_repeat", vec!["c"]),
        ("relance_recent", vec!["b", "f"]),
        ("relance_inactive", vec!["c", "g"]),
        ("relance_abandoners", vec!["e", "g"]),
        ("relance_motivated", vec!["d"]),
        ("relance_delivered", vec!["f"]),
    ];
    assert_eq!(got.len(), want.len());
    for ((tag, members), (wtag, wmembers)) in got.iter().zip(&want) {
        assert_eq!(tag, wtag);
        assert_eq!(members, wmembers, "{tag}");
    }
    // parameters: first purchase without the revenue condition includes the zero-value buyer
    assert_eq!(
        emails(&segment::first_purchase(false), &c),
        ["b", "d", "f", "g"]
    );
    // abandoned within 7 days
    assert_eq!(emails(&segment::abandoners(Some(7)), &c), ["e"]);
    // inactive over 180 days
    assert_eq!(emails(&segment::inactive_customers(150), &c), ["c"]);
}

#[test]
fn days_ago_boundaries_and_any_mode() {
    let ds = population();
    let c = ds.consolidate(&policy()).unwrap();
    let as_of = c.as_of();
    let d = c.by_email("d@x.io").unwrap(); // last order exactly 31 days before as_of
    assert!(Condition::new(ProfileField::LastOrderAt, Op::MoreThanDaysAgo(31)).matches(d, as_of));
    assert!(!Condition::new(ProfileField::LastOrderAt, Op::WithinLastDays(31)).matches(d, as_of));
    assert!(Condition::new(ProfileField::LastOrderAt, Op::WithinLastDays(32)).matches(d, as_of));
    assert!(!Condition::new(ProfileField::LastOrderAt, Op::MoreThanDaysAgo(32)).matches(d, as_of));
    // unset dates fail both
    let a = c.by_email("a@x.io").unwrap();
    assert!(!Condition::new(ProfileField::LastOrderAt, Op::MoreThanDaysAgo(1)).matches(a, as_of));
    assert!(Condition::new(ProfileField::LastOrderAt, Op::IsEmpty).matches(a, as_of));
    let any = SegmentSpec {
        tag: "x".into(),
        name: "prospect or repeat".into(),
        mode: segment::Match::Any,
        conditions: vec![
            Condition::new(
                ProfileField::OrdersCount,
                Op::Equals(segment::Value::Number(0.0)),
            ),
            Condition::new(ProfileField::OrdersCount, Op::AtLeast(2.0)),
        ],
        note: None,
    };
    assert_eq!(emails(&any, &c), ["a", "c", "e"]);
}

/// Every profile field can be tested: all are set for a customer with every value, and only
/// the email and the two counters for a guest without orders.
#[test]
fn every_field_is_set_for_a_full_customer_and_only_the_counters_for_a_bare_guest() {
    let mut ds = Dataset::new();
    let full = ds.add_customer(Customer {
        id: "9".into(),
        email: "full@x.io".into(),
        first_name: Some("Ada".into()),
        last_name: Some("Lovelace".into()),
        civility: Some(Civility::Mrs),
        birth_date: chrono::NaiveDate::from_ymd_opt(1990, 12, 10),
        phone: Some("+33600000000".into()),
        postcode: Some("75001".into()),
        signed_up_at: Some(at("2023-01-01T00:00:00Z")),
        newsletter_optin: OptIn::Yes,
        newsletter_optin_at: Some(at("2023-01-02T00:00:00Z")),
        group_ids: vec!["1".into()],
        shop_id: Some("1".into()),
        ..Customer::default()
    });
    let buyer = Buyer::Customer(full);
    order(&mut ds, 1, buyer, "2024-03-01T10:00:00Z", 1_000, None);
    order(
        &mut ds,
        2,
        buyer,
        "2024-04-01T10:00:00Z",
        2_000,
        Some("2024-04-03T10:00:00Z"),
    );
    cart(&mut ds, 1, buyer, "2024-05-01T00:00:00Z");
    ds.add_login(Login {
        customer: full,
        at: at("2024-05-20T00:00:00Z"),
    });
    ds.guest("bare@x.io").unwrap();
    let p = policy();
    let c = ds.consolidate(&p).unwrap();
    let (full, bare) = (
        c.by_email("full@x.io").unwrap(),
        c.by_email("bare@x.io").unwrap(),
    );
    // the key and the two counters (revenue 0, orders 0) are always defined
    let always = [
        ProfileField::Email,
        ProfileField::Revenue,
        ProfileField::OrdersCount,
    ];
    for field in ProfileField::ALL {
        let set = Condition::new(field.clone(), Op::IsSet);
        assert!(
            set.matches(full, p.as_of),
            "{field} set on the full customer"
        );
        assert_eq!(
            set.matches(bare, p.as_of),
            always.contains(&field),
            "{field} on the bare guest"
        );
    }
}
