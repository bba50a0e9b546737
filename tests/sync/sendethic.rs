//! The Sendethic target: tagged fields provisioned once, exact change detection, failures
//! that stay dirty, clears, and segment criteria.

use chrono::{TimeZone, Utc};
use relance::customer::ProfileField;
use relance::customer::segment;
use relance::sendethic::{FieldFormat, FieldId, Patch};
use relance::sync::{SendethicTarget, SyncRecord, SyncValue, Syncer};
use relance::testing::{FakeSendethic, Fault};

use super::record;

fn attr(contact: &relance::sendethic::Contact, field: FieldId) -> Option<&str> {
    contact.custom_value(field)
}

/// One tagged field per custom (non-standard) field, with the right formats and labels.
fn assert_provisioned_fields(fake: &FakeSendethic) {
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
    // Labels on the wire: `[relance] ` and the field's label.
    assert_eq!(
        by_tag("relance_last_order_at").name,
        "[relance] Last order date"
    );
    assert_eq!(
        by_tag("relance_customer_group_ids").name,
        "[relance] Customer groups"
    );
    assert!(
        fields
            .iter()
            .all(|f| f.tag().is_some_and(|t| t.starts_with("relance_")))
    );
    assert_eq!(
        fields.len(),
        ProfileField::ALL.len() - 6,
        "5 fields are standard ones, the email is the key"
    );
}

#[tokio::test]
async fn sendethic_provisions_once_and_pushes_only_changes() {
    let fake = FakeSendethic::start().await;
    let target = SendethicTarget::new(fake.client());
    let mut syncer = Syncer::in_memory(target).unwrap();

    let first = syncer.run((0..120).map(|i| record(i, 1))).await.unwrap();
    assert_eq!(
        (first.considered, first.pushed, first.unchanged),
        (120, 120, 0)
    );
    assert!(first.is_complete());
    assert_eq!(fake.contact_count(), 120);

    assert_provisioned_fields(&fake);

    // Wire formats.
    let target = syncer.target();
    let revenue = target.field_id(&ProfileField::Revenue).unwrap();
    let last_order = target.field_id(&ProfileField::LastOrderAt).unwrap();
    let birth = target.field_id(&ProfileField::BirthDate).unwrap();
    let optin = target.field_id(&ProfileField::NewsletterOptIn).unwrap();
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
        ProfileField::ALL.len() - 6,
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
    let orders = syncer
        .target()
        .field_id(&ProfileField::OrdersCount)
        .unwrap();
    assert_eq!(
        attr(&fake.contact("customer008@example.com").unwrap(), orders),
        Some("0")
    );

    // A value that becomes undefined is cleared on the service.
    let mut with_cart = record(5, 1);
    with_cart.set(
        ProfileField::LastAbandonedCartAt,
        SyncValue::instant(Some(Utc.with_ymd_and_hms(2024, 5, 2, 8, 0, 0).unwrap())),
    );
    syncer.run([with_cart]).await.unwrap();
    let cart = syncer
        .target()
        .field_id(&ProfileField::LastAbandonedCartAt)
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
    let mut syncer = Syncer::in_memory(
        SendethicTarget::new(client).bulk_options(
            relance::sendethic::BulkOptions::default()
                .chunk_size(50)
                .concurrency(1),
        ),
    )
    .unwrap()
    .fields([ProfileField::OrdersCount, ProfileField::Revenue]);
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
    let remembered = syncer.store().clone();
    let mut next = Syncer::new(SendethicTarget::new(fake.client()), remembered)
        .fields([ProfileField::OrdersCount, ProfileField::Revenue]);
    let retry = next.run((0..100).map(|i| record(i, 2))).await.unwrap();
    assert_eq!(retry.pushed, 50, "exactly the failed ones are pushed again");
    assert_eq!(retry.unchanged, 50);
    assert!(retry.is_complete());
    let orders = next.target().field_id(&ProfileField::OrdersCount).unwrap();
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
    let mut syncer = Syncer::in_memory(SendethicTarget::new(fake.client()))
        .unwrap()
        .fields([ProfileField::OrdersCount]);
    let records = vec![
        record(1, 1),
        SyncRecord::new("not-an-email").with(ProfileField::OrdersCount, SyncValue::int(1)),
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

/// The `[MG]` default segments translate to the extension's own criteria references.
#[test]
fn magento_segments_translate_to_the_extension_criteria() {
    let segs = segment::magento_defaults();
    let refs = |i: usize| -> Vec<Option<&str>> {
        segs[i]
            .conditions
            .iter()
            .map(SendethicTarget::criterion_reference)
            .collect()
    };
    // segment 3: opt-in equals Yes, customer id empty
    assert_eq!(
        refs(2),
        [
            Some("selection-equals-list"),
            Some("!str-containssomething")
        ]
    );
    assert_eq!(
        refs(10),
        [
            Some("date-before-less-absnow"),
            Some("date-before-more-absnow")
        ]
    );
    assert_eq!(refs(7), [Some("num-higher"), Some("num-higher-strict")]);
}

#[tokio::test]
async fn a_segment_follows_its_definition_in_place() {
    let fake = FakeSendethic::start().await;
    let mut syncer = Syncer::in_memory(SendethicTarget::new(fake.client())).unwrap();
    syncer.run((0..3).map(|i| record(i, 1))).await.unwrap();
    let first = syncer
        .ensure_segments(&[segment::inactive_customers(90)])
        .await
        .unwrap();
    let (id, created) = first[0].result.as_ref().unwrap().clone();
    assert!(created);
    let puts = || fake.hits("PUT", "/segment");

    // The same definition again: nothing written.
    syncer
        .ensure_segments(&[segment::inactive_customers(90)])
        .await
        .unwrap();
    assert_eq!(puts(), 0);

    // The window moves from 90 to 180 days: the same segment (same id) now says 180.
    let again = syncer
        .ensure_segments(&[segment::inactive_customers(180)])
        .await
        .unwrap();
    let (same_id, created) = again[0].result.as_ref().unwrap().clone();
    assert_eq!((&same_id, created), (&id, false));
    assert_eq!(puts(), 1);
    let segments = fake.segments();
    assert_eq!(segments.len(), 1);
    assert_eq!(segments[0].name, "[relance] Inactive customers (180 days)");
    assert!(
        segments[0].details.contains(r#"value1="180""#),
        "{}",
        segments[0].details
    );
    assert!(!segments[0].details.contains(r#"value1="90""#));
}

#[tokio::test]
async fn phones_go_to_mobile_in_e164_and_unreadable_ones_are_reported_not_blocking() {
    use relance::sync::PhoneRegion;
    let fake = FakeSendethic::start().await;
    let target = SendethicTarget::new(fake.client()).mobile_region(PhoneRegion::new("FR").unwrap());
    let mut syncer = Syncer::in_memory(target).unwrap();
    let phones = ["06 12 34 56 78", "+44 20 7946 0958", "12", ""];
    let records = phones.iter().enumerate().map(|(i, phone)| {
        record(u32::try_from(i).unwrap(), 1).with(
            ProfileField::Phone,
            SyncValue::text(Some(phone).filter(|p| !p.is_empty()).copied()),
        )
    });
    let report = syncer.run(records).await.unwrap();
    // Every contact is written, the unreadable number reported against its contact.
    assert_eq!((report.pushed, report.rejected_count()), (4, 0), "{report}");
    assert_eq!(report.warnings.len(), 1);
    let (email, reason) = &report.warnings[0];
    assert_eq!(email, "customer002@example.com");
    assert!(reason.to_string().contains("`12`"), "{reason}");
    let mobile = |i: usize| {
        fake.contact(&format!("customer{i:03}@example.com"))
            .unwrap()
            .mobile
    };
    assert_eq!(mobile(0), Patch::Set("+33612345678".into()));
    assert_eq!(mobile(1), Patch::Set("+442079460958".into()));
    assert_eq!(mobile(2), Patch::Unset);
    // An empty phone clears the mobile, as every empty value clears its field.
    assert_eq!(mobile(3), Patch::Clear);
    // The free-text phone is not written when the mobile is.
    assert_eq!(
        fake.contact("customer000@example.com").unwrap().phone,
        Patch::Unset
    );
}

#[tokio::test]
async fn a_shop_names_what_is_provisioned_for_it() {
    use relance::sync::Naming;
    let fake = FakeSendethic::start().await;
    let target = SendethicTarget::new(fake.client()).naming(Naming::new("[Shop] ", "shop_"));
    let mut syncer = Syncer::in_memory(target).unwrap();
    syncer.run((0..3).map(|i| record(i, 1))).await.unwrap();
    syncer
        .ensure_segments(&[segment::repeat_customers()])
        .await
        .unwrap();
    let fields = fake.fields();
    let revenue = fields
        .iter()
        .find(|f| f.tag() == Some("shop_revenue"))
        .unwrap();
    assert_eq!(revenue.name, "[Shop] Revenue");
    assert!(
        fields
            .iter()
            .all(|f| f.tag().is_some_and(|t| t.starts_with("shop_")))
    );
    let segments = fake.segments();
    assert_eq!(segments.len(), 1);
    assert!(
        segments[0].name.starts_with("[Shop] "),
        "{}",
        segments[0].name
    );
}
