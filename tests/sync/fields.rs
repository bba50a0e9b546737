//! Field mapping a shop owns: its own fields beside the consolidated ones, values checked
//! against their kind, fields of earlier connectors adopted, same-name fields resolved.

use relance::customer::{CustomField, FieldKind, ProfileField};
use relance::sendethic::{FieldFormat, NewField};
use relance::sync::{SendethicTarget, SendsayTarget, SyncRecord, SyncValue, Syncer};
use relance::testing::{FakeSendethic, FakeSendsay};

use super::record;
use super::sendsay::client_in_moscow;

fn tier() -> ProfileField {
    ProfileField::Custom(CustomField::new("loyalty_tier", "Loyalty tier", FieldKind::Text).unwrap())
}

fn visits() -> ProfileField {
    ProfileField::Custom(
        CustomField::new("store_visits", "Store visits", FieldKind::Number).unwrap(),
    )
}

fn sms_consent() -> ProfileField {
    ProfileField::Custom(CustomField::new("sms_consent", "SMS consent", FieldKind::OptIn).unwrap())
}

/// The shop's fields: the consolidated ones but the birth date, and its own three.
fn shop_fields() -> Vec<ProfileField> {
    ProfileField::ALL
        .into_iter()
        .filter(|f| *f != ProfileField::BirthDate)
        .chain([tier(), visits(), sms_consent()])
        .collect()
}

/// Contact `i` with the shop's own values.
fn shop_record(i: u32, tier_name: &str) -> SyncRecord {
    record(i, 1)
        .with(tier(), SyncValue::text(Some(tier_name)))
        .with(visits(), SyncValue::int(i64::from(i) * 2))
        .with(sms_consent(), SyncValue::OptIn(i.is_multiple_of(3)))
}

#[tokio::test]
async fn a_shop_pushes_its_own_fields_beside_the_consolidated_ones() {
    let fake = FakeSendethic::start().await;
    let mut syncer = Syncer::in_memory(SendethicTarget::new(fake.client()))
        .unwrap()
        .fields(shop_fields());
    let report = syncer
        .run((0..6).map(|i| shop_record(i, "Gold")))
        .await
        .unwrap();
    assert_eq!((report.pushed, report.rejected_count()), (6, 0), "{report}");

    let fields = fake.fields();
    let by_tag = |tag: &str| fields.iter().find(|f| f.tag() == Some(tag)).cloned();
    let tier_field = by_tag("relance_loyalty_tier").unwrap();
    assert_eq!(
        (tier_field.name.as_str(), &tier_field.format),
        ("[relance] Loyalty tier", &FieldFormat::ShortText)
    );
    assert_eq!(
        by_tag("relance_store_visits").unwrap().format,
        FieldFormat::Number
    );
    assert_eq!(
        by_tag("relance_sms_consent").unwrap().format,
        FieldFormat::SingleSelection
    );
    // The value left out is not provisioned.
    assert!(by_tag("relance_birth_date").is_none());

    let target = syncer.target();
    let c = fake.contact("customer003@example.com").unwrap();
    assert_eq!(
        c.custom_value(target.field_id(&tier()).unwrap()),
        Some("Gold")
    );
    assert_eq!(
        c.custom_value(target.field_id(&visits()).unwrap()),
        Some("6")
    );
    // Each opt-in field has its own Yes/No values (read back as labels).
    assert_eq!(
        c.custom_value(target.field_id(&sms_consent()).unwrap()),
        Some("Yes")
    );
    let newsletter = target.field_id(&ProfileField::NewsletterOptIn).unwrap();
    assert_eq!(c.custom_value(newsletter), Some("No"));

    // Only the contact whose own value changed goes out.
    let next = syncer
        .run((0..6).map(|i| shop_record(i, if i == 4 { "Silver" } else { "Gold" })))
        .await
        .unwrap();
    assert_eq!((next.pushed, next.unchanged), (1, 5));
    let c = fake.contact("customer004@example.com").unwrap();
    assert_eq!(
        c.custom_value(target_field(&syncer, &tier())),
        Some("Silver")
    );
}

fn target_field(
    syncer: &Syncer<SendethicTarget, relance::sync::store::MemoryStore>,
    field: &ProfileField,
) -> relance::sendethic::FieldId {
    syncer.target().field_id(field).unwrap()
}

#[tokio::test]
async fn a_value_that_does_not_fit_its_field_is_refused_naming_the_contact() {
    let fake = FakeSendethic::start().await;
    let mut syncer = Syncer::in_memory(SendethicTarget::new(fake.client()))
        .unwrap()
        .fields(shop_fields());
    let records = (0..5).map(|i| match i {
        1 => shop_record(i, "Gold").with(visits(), SyncValue::Text("many".into())),
        2 => shop_record(i, "Gold").with(visits(), SyncValue::Number("12,50".into())),
        _ => shop_record(i, "Gold"),
    });
    let plan = syncer.plan(records.clone()).await.unwrap();
    assert_eq!((plan.to_push.len(), plan.rejected.len()), (3, 2), "{plan}");
    let report = syncer.run(records).await.unwrap();
    assert_eq!((report.pushed, report.rejected_count()), (3, 2), "{report}");
    let named: Vec<String> = report.rejected.iter().map(|(e, _)| e.clone()).collect();
    assert_eq!(
        named,
        ["customer001@example.com", "customer002@example.com"]
    );
    for (email, error) in &report.rejected {
        let text = error.to_string();
        assert!(
            text.contains(email) && text.contains("store_visits"),
            "{text}"
        );
    }
    assert!(fake.contact("customer001@example.com").is_none());
    assert_eq!(fake.contact_count(), 3);
}

#[test]
fn bad_custom_fields_and_kinds_are_typed_errors_naming_them() {
    for (name, label) in [
        ("Tier", "Tier"),
        ("revenue", "Revenue"),
        ("tier", " "),
        ("", "x"),
    ] {
        let err = CustomField::new(name, label, FieldKind::Text).unwrap_err();
        assert!(
            matches!(&err, relance::Error::InvalidInput { item, .. } if item == name),
            "{name}: {err}"
        );
    }
    let err = "colour".parse::<FieldKind>().unwrap_err();
    assert!(err.to_string().contains("colour"), "{err}");
    assert_eq!(
        "DateTime".parse::<FieldKind>().unwrap(),
        FieldKind::DateTime
    );
}

#[tokio::test]
async fn fields_of_an_earlier_connector_are_adopted_not_duplicated() {
    let fake = FakeSendethic::start().await;
    let fields = fake.client().fields();
    let total = fields
        .create(
            NewField::new("[MG] Total commandes", FieldFormat::Number).tag("magento_orderstotal"),
        )
        .await
        .unwrap();
    let count = fields
        .create(
            NewField::new("[Woo] Nombre Total des Commandes", FieldFormat::Number)
                .tag("woo_orderscount"),
        )
        .await
        .unwrap();
    let target = SendethicTarget::new(fake.client()).adopt_connectors();
    let mut syncer = Syncer::in_memory(target).unwrap();
    let report = syncer.run((0..3).map(|i| record(i, 4))).await.unwrap();
    assert_eq!(report.pushed, 3, "{report}");
    assert_eq!(
        syncer.target().field_id(&ProfileField::Revenue),
        Some(total.id)
    );
    assert_eq!(
        syncer.target().field_id(&ProfileField::OrdersCount),
        Some(count.id)
    );
    let tags: Vec<String> = fake
        .fields()
        .iter()
        .filter_map(|f| f.tag().map(str::to_owned))
        .collect();
    assert!(
        !tags
            .iter()
            .any(|t| t == "relance_revenue" || t == "relance_orders_count"),
        "{tags:?}"
    );
    let c = fake.contact("customer002@example.com").unwrap();
    assert_eq!(c.custom_value(total.id), Some("25.00"));
    assert_eq!(c.custom_value(count.id), Some("4"));
}

#[tokio::test]
async fn a_same_name_field_is_adopted_when_its_format_matches_else_both_are_named() {
    // What `quickstart` then `sync` on one account used to hit: the same name under
    // another tag.
    let fake = FakeSendethic::start().await;
    let fields = fake.client().fields();
    let optin = fields
        .create(
            NewField::new("[relance] Newsletter opt-in", FieldFormat::SingleSelection)
                .tag("quickstart_optin"),
        )
        .await
        .unwrap();
    let mut syncer = Syncer::in_memory(SendethicTarget::new(fake.client())).unwrap();
    let report = syncer.run((0..2).map(|i| record(i, 1))).await.unwrap();
    assert_eq!(report.pushed, 2, "{report}");
    assert_eq!(
        syncer.target().field_id(&ProfileField::NewsletterOptIn),
        Some(optin.id)
    );
    // Its Yes/No values were added to the adopted field.
    let labels: Vec<String> = fake
        .field_values(optin.id)
        .into_iter()
        .map(|v| v.text)
        .collect();
    assert!(labels.contains(&"Yes".to_owned()) && labels.contains(&"No".to_owned()));

    // Another format under the same name: a typed error naming both, nothing pushed.
    let fake = FakeSendethic::start().await;
    fake.client()
        .fields()
        .create(NewField::new("[relance] Revenue", FieldFormat::ShortText).tag("legacy_revenue"))
        .await
        .unwrap();
    let mut syncer = Syncer::in_memory(SendethicTarget::new(fake.client())).unwrap();
    let err = syncer.run((0..2).map(|i| record(i, 1))).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, relance::Error::InvalidInput { .. }), "{text}");
    for part in ["relance_revenue", "legacy_revenue", "ShortText", "Number"] {
        assert!(text.contains(part), "{part} in {text}");
    }
    assert_eq!(fake.contact_count(), 0);
}

#[tokio::test]
async fn sendsay_gets_the_shops_own_fields_as_questions() {
    let fake = FakeSendsay::start().await;
    let mut syncer = Syncer::in_memory(SendsayTarget::new(client_in_moscow(&fake)))
        .unwrap()
        .fields(shop_fields());
    let report = syncer
        .run((0..3).map(|i| shop_record(i, "Bronze")))
        .await
        .unwrap();
    assert_eq!(report.pushed, 3, "{report}");
    let member = fake.member("customer002@example.com").unwrap();
    assert_eq!(member["relance"]["loyalty_tier"], "Bronze");
    assert_eq!(member["relance"]["store_visits"], "4");
    assert_eq!(member["relance"]["sms_consent"], "0");
    assert!(member["base"].get("birthDate").is_none(), "{member}");
}
