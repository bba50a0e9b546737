//! The sign-up fast path: one contact written at once, attached to the sign-up source or
//! list, Sendsay's double opt-in typed and never sent twice, and the nightly run not sending
//! the contact again.

use relance::customer::ProfileField;
use relance::sendethic::{OptIn, Patch};
use relance::sync::{SendethicTarget, SendsayTarget, Subscribed, SyncRecord, SyncValue, Syncer};
use relance::testing::{FakeSendethic, FakeSendsay, Fault};

use super::sendsay::client_in_moscow;

/// The record the nightly run builds for a newsletter-only contact.
fn signed_up(email: &str) -> SyncRecord {
    SyncRecord::new(email)
        .with(ProfileField::OrdersCount, SyncValue::int(0))
        .with(ProfileField::NewsletterOptIn, SyncValue::OptIn(true))
}

#[tokio::test]
async fn a_sendethic_sign_up_is_written_at_once_and_not_again_at_night() {
    let fake = FakeSendethic::start().await;
    let target = SendethicTarget::new(fake.client()).sign_up_source("newsletter-footer");
    let mut syncer = Syncer::in_memory(target).unwrap();
    let state = syncer
        .subscribe(signed_up("new@example.com"))
        .await
        .unwrap();
    assert_eq!(state, Subscribed::Subscribed);
    let c = fake.contact("new@example.com").unwrap();
    assert_eq!(c.email_optin, Patch::Set(OptIn::True));
    assert_eq!(c.source, Patch::Set("newsletter-footer".into()));

    let night = syncer
        .run([signed_up("new@example.com"), signed_up("other@example.com")])
        .await
        .unwrap();
    assert_eq!((night.pushed, night.unchanged), (1, 1), "{night}");

    // A bad value is refused before anything is sent, naming the contact.
    let bad = SyncRecord::new("bad@example.com")
        .with(ProfileField::OrdersCount, SyncValue::Text("two".into()));
    let err = syncer.subscribe(bad).await.unwrap_err();
    assert!(err.to_string().contains("bad@example.com"), "{err}");
    assert!(fake.contact("bad@example.com").is_none());
}

#[tokio::test]
async fn a_sendsay_sign_up_joins_the_list_and_waits_for_its_confirmation() {
    let fake = FakeSendsay::start().await;
    let target = SendsayTarget::new(client_in_moscow(&fake))
        .sign_up_list("news")
        .double_opt_in(None);
    let mut syncer = Syncer::in_memory(target).unwrap();
    let state = syncer
        .subscribe(signed_up("new@example.com"))
        .await
        .unwrap();
    assert_eq!(state, Subscribed::AwaitingConfirmation);
    assert_eq!(fake.confirmation_letters(), ["new@example.com"]);
    assert_eq!(fake.group_members("news"), ["new@example.com"]);
    let member = fake.member("new@example.com").unwrap();
    assert_eq!(member["relance"]["newsletter_optin"], "1");

    // The nightly run does not send it again, so no second letter either.
    let night = syncer.run([signed_up("new@example.com")]).await.unwrap();
    assert_eq!((night.pushed, night.unchanged), (0, 1), "{night}");
    assert_eq!(fake.confirmation_letters().len(), 1);

    // Once confirmed, a new sign-up of the same address is simply subscribed.
    fake.confirm("new@example.com");
    let again = syncer
        .subscribe(signed_up("new@example.com"))
        .await
        .unwrap();
    assert_eq!(again, Subscribed::Subscribed);
    assert_eq!(fake.confirmation_letters().len(), 1);
}

#[tokio::test]
async fn a_double_opt_in_sign_up_is_never_retried_automatically() {
    let fake = FakeSendsay::start().await;
    let target = SendsayTarget::new(client_in_moscow(&fake)).double_opt_in(None);
    let mut syncer = Syncer::in_memory(target).unwrap();
    syncer
        .subscribe(signed_up("warm@example.com"))
        .await
        .unwrap();
    // The answer is lost after the service processed it: the letter went out once, and
    // the call is not sent again (it would send a second letter).
    fake.inject(Fault::status(503).after_processing().times(1));
    let sets_before = fake.hits("member.set");
    let err = syncer.subscribe(signed_up("late@example.com")).await;
    assert!(err.is_err());
    assert_eq!(fake.hits("member.set"), sets_before + 1);
    assert_eq!(
        fake.confirmation_letters(),
        ["warm@example.com", "late@example.com"]
    );
}
