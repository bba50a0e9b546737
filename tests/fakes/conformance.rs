//! What the fakes demand as the real services do: their documented endpoints, and the
//! configuration a user must supply.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Utc};
use relance::Error;
use relance::http::RetryPolicy;
use relance::sendsay::{IssueSend, Letter, NewDraft};
use relance::testing::{FakeSendethic, FakeSendsay, SENDETHIC_API_ROOT};

#[tokio::test]
async fn sendethic_answers_only_under_its_base_path() {
    let fake = FakeSendethic::start().await;
    let base = fake.base_url();
    let origin = base
        .strip_suffix(&format!("{}/", SENDETHIC_API_ROOT.trim_start_matches('/')))
        .expect("the base URL ends with the API root");
    for wrong in [origin.to_owned(), format!("{origin}api/rest/v4x/")] {
        let client = fake
            .client_builder()
            .base_url(wrong.clone())
            .retry(RetryPolicy::none())
            .build()
            .unwrap();
        let err = client.fields().list().await.unwrap_err();
        assert_eq!(err.status(), Some(404), "{wrong}: {err}");
        assert!(
            err.api().is_some_and(relance::ApiError::is_not_found),
            "{wrong}: {err:?}"
        );
    }
    // Refused requests are neither recorded nor counted as hits.
    assert!(fake.requests().is_empty());
    assert_eq!(fake.hits("GET", "/account/contactattribute"), 0);

    // Under the base path, the same call goes through.
    assert!(fake.client().fields().list().await.unwrap().is_empty());
    assert_eq!(fake.hits("GET", "/account/contactattribute"), 1);
}

#[tokio::test]
async fn sendsay_clients_get_no_account_timezone_from_the_fake() {
    let fake = FakeSendsay::start().await;
    let at: DateTime<Utc> = "2024-05-01T10:00:00Z".parse().unwrap();
    let built = [
        fake.client(),
        fake.client_builder().build().unwrap(),
        fake.password_client_builder().build().unwrap(),
    ];
    for client in built {
        assert_eq!(client.timezone(), None);
        let err = client.wire_datetime(at).unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{err:?}");
        let err = client
            .issues()
            .send(IssueSend::to_group("list1", Letter::draft("1")).later_at(at))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{err:?}");
    }
    // Refused before anything was sent.
    assert_eq!(fake.hits("issue.send"), 0);
    assert!(fake.issues().is_empty());

    // Given the account timezone, the same instant is written in it.
    let client = fake
        .client_builder()
        .timezone(chrono_tz::Europe::Moscow)
        .build()
        .unwrap();
    assert_eq!(client.wire_datetime(at).unwrap(), "2024-05-01 13:00:00");
    let draft = client
        .drafts()
        .set(NewDraft::sms("Soon", "See you soon"))
        .await
        .unwrap();
    let draft_id = draft.id.unwrap();
    client
        .issues()
        .send(IssueSend::sms_personal("79990000001", &draft_id).later_at(at))
        .await
        .unwrap();
    assert_eq!(fake.hits("issue.send"), 1);
    assert_eq!(
        fake.issues()[0]["later.time"].as_str(),
        Some("2024-05-01 13:00:00")
    );
}
