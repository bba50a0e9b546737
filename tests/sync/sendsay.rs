//! The Sendsay target: a questionnaire, member data keys in the account timezone, and
//! segments as filtered groups.

use relance::sync::{SendsayTarget, Syncer};
use relance::testing::FakeSendsay;

use super::record;

/// A client of the fake with the account timezone Europe/Moscow, which Sendsay needs the user
/// to configure for date fields.
pub(super) fn client_in_moscow(fake: &FakeSendsay) -> relance::sendsay::Client {
    fake.client_builder()
        .timezone(chrono_tz::Europe::Moscow)
        .build()
        .unwrap()
}

#[tokio::test]
async fn sendsay_provisions_a_questionnaire_and_sets_members() {
    let fake = FakeSendsay::start().await;
    let client = client_in_moscow(&fake);
    let mut syncer = Syncer::in_memory(SendsayTarget::new(client)).unwrap();
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
    // Question ids and labels on the wire: the field's name, `[relance] ` and its label.
    let quests = fake
        .requests()
        .into_iter()
        .find(|r| r.body.contains("anketa.quest.add"))
        .unwrap();
    for part in [
        r#""id":"orders_count","name":"[relance] Orders""#,
        r#""id":"last_abandoned_cart_at","name":"[relance] Last abandoned cart""#,
    ] {
        assert!(quests.body.contains(part), "{part} in {}", quests.body);
    }
    let again = syncer.run((0..5).map(|i| record(i, 1))).await.unwrap();
    assert_eq!((again.pushed, again.unchanged), (0, 5));
    // The five members went as one `batch` of `member.set`, none one by one, and the
    // unchanged rerun sent nothing.
    assert_eq!(fake.hits("batch"), 1);
    assert_eq!(fake.hits("member.set"), 0);

    // Without an account timezone, date fields are refused up front.
    let no_tz = relance::sendsay::Client::builder(
        relance::testing::sendsay_fake::ACCOUNT,
        relance::sendsay::Auth::api_key(relance::testing::sendsay_fake::API_KEY),
    )
    .base_url(fake.base_url())
    .build()
    .unwrap();
    let mut syncer = Syncer::in_memory(SendsayTarget::new(no_tz)).unwrap();
    let err = syncer.run([record(1, 1)]).await.unwrap_err();
    assert!(matches!(err, relance::Error::Config(_)), "{err:?}");
}

#[tokio::test]
async fn sendsay_segments_from_domain_specs() {
    use relance::customer::ProfileField;
    use relance::customer::segment::{self, Condition, Match, Op, SegmentSpec};
    let fake = FakeSendsay::start().await;
    let mut syncer = Syncer::in_memory(SendsayTarget::new(client_in_moscow(&fake))).unwrap();
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
        .map(|o| o.result.as_ref().map(|(id, _)| id.to_string()))
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

#[tokio::test]
async fn phones_become_msisdn_members_and_unreadable_ones_are_reported_not_blocking() {
    use relance::sync::PhoneRegion;
    let fake = FakeSendsay::start().await;
    let target =
        SendsayTarget::new(client_in_moscow(&fake)).msisdn_region(PhoneRegion::new("RU").unwrap());
    let mut syncer = Syncer::in_memory(target).unwrap();
    let report = syncer.run(phones_records(&phones_input())).await.unwrap();
    assert_eq!((report.pushed, report.rejected_count()), (4, 0), "{report}");
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    let (email, reason) = &report.warnings[0];
    assert_eq!(email, "customer002@example.com");
    assert!(reason.to_string().contains("`12`"), "{reason}");
    // Every contact by email; the two readable numbers also as msisdn members, with the
    // same data.
    let members = fake.members();
    let by_type = |t: &str| {
        members
            .iter()
            .filter(|m| m["member"]["addr_type"] == t)
            .map(|m| m["member"]["email"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(by_type("email").len(), 4);
    let mut phones = by_type("msisdn");
    phones.sort();
    assert_eq!(phones, ["442079460958", "79123456789"]);
    let by_phone = members
        .iter()
        .find(|m| m["member"]["email"] == "79123456789")
        .unwrap();
    assert_eq!(by_phone["relance"]["orders_count"], "1");
    assert_eq!(by_phone["base"]["firstName"], "Ann");
    // Unchanged: nothing goes out again.
    let batches = fake.hits("batch");
    let records = phones_records(&phones_input());
    let again = syncer.run(records).await.unwrap();
    assert_eq!((again.pushed, again.unchanged), (0, 4), "{again}");
    assert_eq!(fake.hits("batch"), batches);
}

fn phones_input() -> [&'static str; 4] {
    ["8 (912) 345-67-89", "+44 20 7946 0958", "12", ""]
}

fn phones_records(phones: &[&'static str]) -> Vec<relance::sync::SyncRecord> {
    use relance::customer::ProfileField;
    use relance::sync::SyncValue;
    phones
        .iter()
        .enumerate()
        .map(|(i, phone)| {
            record(u32::try_from(i).unwrap(), 1).with(
                ProfileField::Phone,
                SyncValue::text(Some(*phone).filter(|p| !p.is_empty())),
            )
        })
        .collect()
}
