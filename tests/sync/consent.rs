//! Consent both ways: the shop's consent and its instant written (Sendethic `emailoptin`
//! too), the provider's opt-outs read back, and a newer consent made at the provider never
//! overwritten by an older one from the shop.

use chrono::{DateTime, TimeZone, Utc};
use relance::customer::ProfileField;
use relance::sendethic::{Contact, OptIn, Patch, Timestamp};
use relance::sync::{SendethicTarget, SendsayTarget, SyncRecord, SyncValue, Syncer};
use relance::testing::{FakeSendethic, FakeSendsay};

use super::sendsay::client_in_moscow;

fn day(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, d, 9, 0, 0).unwrap()
}

/// Contact `i` of a shop: `orders` orders, consent `yes` given or withdrawn on `at`.
fn shop(i: u32, orders: i64, yes: bool, at: DateTime<Utc>) -> SyncRecord {
    SyncRecord::new(format!("c{i}@example.com"))
        .with(ProfileField::OrdersCount, SyncValue::int(orders))
        .with(ProfileField::NewsletterOptIn, SyncValue::OptIn(yes))
        .with(
            ProfileField::NewsletterOptInAt,
            SyncValue::instant(Some(at)),
        )
}

#[tokio::test]
async fn sendethic_consent_goes_out_comes_back_and_a_newer_unsubscribe_wins() {
    let fake = FakeSendethic::start().await;
    fake.set_now(day(1));
    let mut syncer = Syncer::in_memory(SendethicTarget::new(fake.client())).unwrap();
    let report = syncer
        .run((0..4).map(|i| shop(i, 1, i != 3, day(1))))
        .await
        .unwrap();
    assert_eq!(report.pushed, 4, "{report}");
    // The consent in Sendethic's own `emailoptin` and its instant in a dated field.
    let c0 = fake.contact("c0@example.com").unwrap();
    assert_eq!(c0.email_optin, Patch::Set(OptIn::True));
    assert_eq!(
        fake.contact("c3@example.com").unwrap().email_optin,
        Patch::Set(OptIn::No)
    );
    let at = syncer
        .target()
        .field_id(&ProfileField::NewsletterOptInAt)
        .unwrap();
    assert_eq!(c0.custom_value(at), Some("2024-05-01 09:00:00"));

    // c1 unsubscribes at Sendethic on May 3rd.
    fake.client()
        .contacts()
        .update(
            Contact::new("c1@example.com")
                .email_optin(OptIn::No)
                .email_unsubscription_date(Timestamp::parse("2024-05-03 09:00:00+0000")),
        )
        .await
        .unwrap();
    let changes = syncer.consent_changes(None).await.unwrap();
    let mut got: Vec<(&str, bool, Option<DateTime<Utc>>)> = changes
        .iter()
        .map(|c| (c.email.as_str(), c.subscribed, c.at))
        .collect();
    got.sort_unstable();
    // c1's unsubscribe, dated; the opted-in contacts, dated by their last change (our
    // push); c3's opt-out was written by the sync (no unsubscription date): not a change
    // made at the service.
    assert_eq!(
        got,
        [
            ("c0@example.com", true, Some(day(1))),
            ("c1@example.com", false, Some(day(3))),
            ("c2@example.com", true, Some(day(1))),
        ]
    );
    // `since` narrows to the changes made after it.
    let later = syncer.consent_changes(Some(day(2))).await.unwrap();
    assert_eq!(later.len(), 1);
    assert_eq!(
        (later[0].email.as_str(), later[0].subscribed),
        ("c1@example.com", false)
    );
    assert!(
        syncer
            .consent_changes(Some(day(4)))
            .await
            .unwrap()
            .is_empty()
    );

    // The shop did not apply it: its opt-in of May 1st is older. The next night pushes c1's
    // new order count but not its stale consent.
    let report = syncer
        .run((0..4).map(|i| shop(i, if i == 1 { 2 } else { 1 }, i != 3, day(1))))
        .await
        .unwrap();
    assert_eq!(report.pushed, 1, "{report}");
    assert_eq!(report.warnings.len(), 1);
    assert_eq!(report.warnings[0].0, "c1@example.com");
    assert!(
        report.warnings[0].1.to_string().contains("newer"),
        "{}",
        report.warnings[0].1
    );
    let c1 = fake.contact("c1@example.com").unwrap();
    assert_eq!(
        c1.email_optin,
        Patch::Set(OptIn::No),
        "the unsubscribe stands"
    );
    let orders = syncer
        .target()
        .field_id(&ProfileField::OrdersCount)
        .unwrap();
    assert_eq!(c1.custom_value(orders), Some("2"));

    // The customer subscribes again in the shop on May 5th: newer, so it goes out.
    let report = syncer
        .run((0..4).map(|i| {
            shop(
                i,
                if i == 1 { 2 } else { 1 },
                i != 3,
                if i == 1 { day(5) } else { day(1) },
            )
        }))
        .await
        .unwrap();
    assert_eq!((report.pushed, report.warnings.len()), (1, 0), "{report}");
    let c1 = fake.contact("c1@example.com").unwrap();
    assert_eq!(c1.email_optin, Patch::Set(OptIn::True));
}

#[tokio::test]
async fn sendsay_stop_list_is_read_back_and_never_undone_by_the_shop() {
    let fake = FakeSendsay::start().await;
    let mut syncer = Syncer::in_memory(SendsayTarget::new(client_in_moscow(&fake)))
        .unwrap()
        .guard_consent(true);
    let report = syncer
        .run((0..3).map(|i| shop(i, 1, true, day(1))))
        .await
        .unwrap();
    assert_eq!(report.pushed, 3, "{report}");
    fake.unsubscribe("c2@example.com");
    let changes = syncer.consent_changes(None).await.unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(
        (
            changes[0].email.as_str(),
            changes[0].subscribed,
            changes[0].at
        ),
        ("c2@example.com", false, None)
    );

    // Even a later opt-in in the shop does not undo a stop-list entry (it has no date to
    // compare): the consent is held back, the rest goes out. The run read the stop-list
    // itself (guard_consent).
    let report = syncer
        .run((0..3).map(|i| shop(i, 2, true, if i == 2 { day(9) } else { day(1) })))
        .await
        .unwrap();
    assert_eq!((report.pushed, report.warnings.len()), (3, 1), "{report}");
    let member = fake.member("c2@example.com").unwrap();
    assert_eq!(member["relance"]["orders_count"], "2");
    assert_eq!(
        member["relance"]["newsletter_optin_at"],
        "2024-05-01 12:00:00"
    );
    assert_eq!(fake.stoplist(), ["c2@example.com"]);
}
