//! What the fakes demand as the real services do: their documented endpoints, and the
//! configuration a user must supply.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use relance::http::RetryPolicy;
use relance::testing::{FakeSendethic, SENDETHIC_API_ROOT};

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
            err.api().is_some_and(|api| api.is_not_found()),
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
