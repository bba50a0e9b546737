//! The sync engine against the stateful fakes: provisioning, exact change detection,
//! failures that stay dirty, clears.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)]

use chrono::{NaiveDate, TimeZone, Utc};
use relance::sendethic::{FieldFormat, FieldId};
use relance::sync::{
    SendethicTarget, SendsayTarget, SyncField, SyncRecord, SyncState, SyncValue, Syncer,
};
use relance::testing::{FakeSendethic, FakeSendsay, Fault};

fn record(i: u32, orders: i64) -> SyncRecord {
    SyncRecord::new(format!("Customer{i:03}@Example.com"))
        .with(SyncField::FirstName, SyncValue::text(Some("Ann")))
        .with(SyncField::OrdersCount, SyncValue::int(orders))
        .with(
            SyncField::Revenue,
            SyncValue::decimal(12.5 * f64::from(i), 2),
        )
        .with(
            SyncField::LastOrderAt,
            SyncValue::instant(Some(Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap())),
        )
        .with(
            SyncField::NewsletterOptIn,
            SyncValue::OptIn(i.is_multiple_of(2)),
        )
        .with(
            SyncField::BirthDate,
            SyncValue::Date(NaiveDate::from_ymd_opt(1990, 12, 10).unwrap()),
        )
        .with(SyncField::LastAbandonedCartAt, SyncValue::Empty)
}

/// A client of the fake with the account timezone Europe/Moscow, which Sendsay needs the user
/// to configure for date fields.
fn client_in_moscow(fake: &FakeSendsay) -> relance::sendsay::Client {
    fake.client_builder()
        .timezone(chrono_tz::Europe::Moscow)
        .build()
        .unwrap()
}

fn attr(contact: &relance::sendethic::Contact, field: FieldId) -> Option<&str> {
    contact.custom_value(field)
}

#[tokio::test]
async fn sendethic_provisions_once_and_pushes_only_changes() {
    let fake = FakeSendethic::start().await;
    let target = SendethicTarget::new(fake.client());
    let mut syncer = Syncer::new(target, SyncState::default());

    let first = syncer.run((0..120).map(|i| record(i, 1))).await.unwrap();
    assert_eq!(
        (first.considered, first.pushed, first.unchanged),
        (120, 120, 0)
    );
    assert!(first.is_complete());
    assert_eq!(fake.contact_count(), 120);

    // One tagged field per custom SyncField, with the right formats.
    let fields = fake.fields();
    let by_tag = |tag: &str| fields.iter().find(|f| f.tag() == Some(tag)).unwrap();
    assert_eq!(by_tag("relance_revenue").format, FieldFormat::Number);
    assert_eq!(
        by_tag("relance_last_order_at").format,
        FieldFormat::DateTime
    );
    assert_eq!(
        by_tag("relance_newsletter_optin").format,
        FieldFormat::SingleSelection
    );
    assert_eq!(by_tag("relance_customer_id").format, FieldFormat::ShortText);
    assert!(
        fields
            .iter()
            .all(|f| f.tag().is_some_and(|t| t.starts_with("relance_")))
    );
    assert_eq!(
        fields.len(),
        SyncField::ALL.len() - 5,
        "5 fields are standard ones"
    );

    // Wire formats.
    let target = syncer.target();
    let revenue = target.field_id(SyncField::Revenue).unwrap();
    let last_order = target.field_id(SyncField::LastOrderAt).unwrap();
    let birth = target.field_id(SyncField::BirthDate).unwrap();
    let optin = target.field_id(SyncField::NewsletterOptIn).unwrap();
    let c = fake.contact("customer002@example.com").unwrap();
    assert_eq!(c.first_name.value().map(String::as_str), Some("Ann"));
    assert_eq!(attr(&c, revenue), Some("25.00"));
    assert_eq!(attr(&c, last_order), Some("2024-05-01 10:00:00"));
    assert_eq!(attr(&c, birth), Some("1990-12-10 00:00:00"));
    let yes = fake
        .field_values(optin)
        .into_iter()
        .find(|v| v.text == "Yes")
        .unwrap();
    // Selection values are read back as labels.
    assert_eq!(attr(&c, optin), Some("Yes"), "value id {}", yes.id);

    // Second run, nothing changed: nothing is sent.
    let posts_before = fake.hits("POST", "/contacts/attribute");
    let second = syncer.run((0..120).map(|i| record(i, 1))).await.unwrap();
    assert_eq!((second.pushed, second.unchanged), (0, 120));
    assert_eq!(fake.hits("POST", "/contacts/attribute"), posts_before);
    assert_eq!(
        fake.hits("POST", "/account/contactattribute"),
        SyncField::ALL.len() - 5,
        "provisioned once"
    );

    // Two contacts change (one is a retraction: fewer orders).
    let third = syncer
        .run((0..120).map(|i| {
            record(
                i,
                match i {
                    7 => 3,
                    8 => 0,
                    _ => 1,
                },
            )
        }))
        .await
        .unwrap();
    assert_eq!((third.pushed, third.unchanged), (2, 118));
    let orders = syncer.target().field_id(SyncField::OrdersCount).unwrap();
    assert_eq!(
        attr(&fake.contact("customer008@example.com").unwrap(), orders),
        Some("0")
    );

    // A value that becomes undefined is cleared on the service.
    let mut with_cart = record(5, 1);
    with_cart.set(
        SyncField::LastAbandonedCartAt,
        SyncValue::instant(Some(Utc.with_ymd_and_hms(2024, 5, 2, 8, 0, 0).unwrap())),
    );
    syncer.run([with_cart]).await.unwrap();
    let cart = syncer
        .target()
        .field_id(SyncField::LastAbandonedCartAt)
        .unwrap();
    assert_eq!(
        attr(&fake.contact("customer005@example.com").unwrap(), cart),
        Some("2024-05-02 08:00:00")
    );
    syncer.run([record(5, 1)]).await.unwrap();
    let c = fake.contact("customer005@example.com").unwrap();
    assert!(
        c.custom.get(&cart).is_some_and(|p| p.value().is_none()),
        "cleared: {:?}",
        c.custom.get(&cart)
    );
}

#[tokio::test]
async fn failed_chunks_stay_dirty_and_go_next_run() {
    let fake = FakeSendethic::start().await;
    let client = fake
        .client_builder()
        .retry(relance::http::RetryPolicy::none())
        .build()
        .unwrap();
    let mut syncer = Syncer::new(
        SendethicTarget::new(client).bulk_options(
            relance::sendethic::BulkOptions::default()
                .chunk_size(50)
                .concurrency(1),
        ),
        SyncState::default(),
    )
    .fields([SyncField::OrdersCount, SyncField::Revenue]);
    let first = syncer.run((0..10).map(|i| record(i, 1))).await.unwrap(); // provisions too
    assert_eq!(first.pushed, 10);
    // Of the next run's two chunks of 50, the first to reach the server fails.
    fake.inject(
        Fault::status(503)
            .on("POST", "/contacts/attribute")
            .times(1),
    );
    let report = syncer.run((0..100).map(|i| record(i, 2))).await.unwrap();
    assert_eq!(report.failed.len(), 1, "{report:?}");
    assert_eq!(report.failed[0].0.len(), 50);
    assert_eq!(report.failed[0].1.status(), Some(503));
    assert_eq!(report.pushed, 50);
    let state_text = syncer.state().to_text();
    let restored = SyncState::from_text(&state_text).unwrap();
    let mut next = Syncer::new(SendethicTarget::new(fake.client()), restored)
        .fields([SyncField::OrdersCount, SyncField::Revenue]);
    let retry = next.run((0..100).map(|i| record(i, 2))).await.unwrap();
    assert_eq!(retry.pushed, 50, "exactly the failed ones are pushed again");
    assert_eq!(retry.unchanged, 50);
    assert!(retry.is_complete());
    let orders = next.target().field_id(SyncField::OrdersCount).unwrap();
    for i in 0..100 {
        let c = fake
            .contact(&format!("customer{i:03}@example.com"))
            .unwrap();
        assert_eq!(attr(&c, orders), Some("2"), "contact {i}");
    }
}

#[tokio::test]
async fn invalid_records_are_reported_and_not_marked_pushed() {
    let fake = FakeSendethic::start().await;
    let mut syncer = Syncer::new(SendethicTarget::new(fake.client()), SyncState::default())
        .fields([SyncField::OrdersCount]);
    let records = vec![
        record(1, 1),
        SyncRecord::new("not-an-email").with(SyncField::OrdersCount, SyncValue::int(1)),
    ];
    let report = syncer.run(records.clone()).await.unwrap();
    assert_eq!(report.pushed, 1);
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].0, "not-an-email");
    let again = syncer.run(records).await.unwrap();
    assert_eq!(
        (again.pushed, again.unchanged, again.rejected.len()),
        (0, 1, 1)
    );
}

#[tokio::test]
async fn sendsay_provisions_a_questionnaire_and_sets_members() {
    let fake = FakeSendsay::start().await;
    let client = client_in_moscow(&fake);
    let mut syncer = Syncer::new(SendsayTarget::new(client), SyncState::default());
    let report = syncer.run((0..5).map(|i| record(i, 1))).await.unwrap();
    assert_eq!(report.pushed, 5, "{report:?}");
    let member = fake.member("customer003@example.com").unwrap();
    assert_eq!(member["base"]["firstName"], "Ann");
    assert_eq!(member["base"]["birthDate"], "1990-12-10");
    assert_eq!(member["relance"]["orders_count"], "1");
    assert_eq!(member["relance"]["revenue"], "37.50");
    // 10:00 UTC is 13:00 in Moscow, the account timezone.
    assert_eq!(member["relance"]["last_order_at"], "2024-05-01 13:00:00");
    assert_eq!(member["relance"]["newsletter_optin"], "0");
    assert_eq!(fake.hits("anketa.create"), 1);
    let again = syncer.run((0..5).map(|i| record(i, 1))).await.unwrap();
    assert_eq!((again.pushed, again.unchanged), (0, 5));
    assert_eq!(fake.hits("member.set"), 5);

    // Without an account timezone, date fields are refused up front.
    let no_tz = relance::sendsay::Client::builder(
        relance::testing::sendsay_fake::ACCOUNT,
        relance::sendsay::Auth::api_key(relance::testing::sendsay_fake::API_KEY),
    )
    .base_url(fake.base_url())
    .build()
    .unwrap();
    let mut syncer = Syncer::new(SendsayTarget::new(no_tz), SyncState::default());
    let err = syncer.run([record(1, 1)]).await.unwrap_err();
    assert!(matches!(err, relance::Error::Config(_)), "{err:?}");
}

#[tokio::test]
async fn sendsay_segments_from_domain_specs() {
    use relance::customer::segment::{self, Condition, Match, Op, ProfileField, SegmentSpec};
    let fake = FakeSendsay::start().await;
    let client = client_in_moscow(&fake);
    let mut syncer = Syncer::new(SendsayTarget::new(client), SyncState::default());
    let repeat = segment::repeat_customers();
    let lapsed = segment::inactive_customers(90);
    let either = SegmentSpec {
        tag: "relance_either".into(),
        name: "Either".into(),
        mode: Match::Any,
        conditions: vec![
            Condition::new(ProfileField::OrdersCount, Op::AtLeast(2.0)),
            Condition::new(ProfileField::Revenue, Op::GreaterThan(100.0)),
        ],
        note: None,
    };
    let outcomes = syncer
        .ensure_segments(&[repeat.clone(), lapsed.clone(), either])
        .await
        .unwrap();
    let ids: Vec<_> = outcomes
        .iter()
        .map(|o| o.result.as_ref().map(|(id, _)| id.clone()))
        .collect();
    assert_eq!(
        ids[0].as_deref().unwrap(),
        SendsayTarget::group_id(&repeat.tag)
    );
    assert_eq!(
        ids[1].as_deref().unwrap(),
        SendsayTarget::group_id(&lapsed.tag)
    );
    // OR segments cannot be expressed (undocumented syntax): reported, not fatal.
    assert!(
        matches!(&ids[2], Err(relance::Error::InvalidInput { item, .. }) if item.contains("relance_either"))
    );
    assert!(
        fake.groups()
            .contains(&SendsayTarget::group_id(&repeat.tag))
    );
    let sets: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.body.contains("\"relance.orders_count\"") && r.body.contains("group."))
        .collect();
    assert!(!sets.is_empty());
    assert!(sets.iter().any(|r| r.body.contains("\">=\"")), "{sets:?}");
    // Idempotent.
    let again = syncer.ensure_segments(&[repeat]).await.unwrap();
    assert!(matches!(again[0].result, Ok((_, false))));
}
