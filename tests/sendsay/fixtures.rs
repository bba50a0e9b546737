//! Round trip over every Sendsay fixture: requests re-serialise identically; each response
//! goes through the client's envelope layer (served by wiremock) and decodes to the
//! expected outcome.

use relance::http::RetryPolicy;
use relance::sendsay::{
    Accepted, Auth, Client, Member, Pong, SendsayErrorExt, StatRows, TrackInfo,
};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn fixtures() -> Vec<(String, Value)> {
    let dir = format!("{}/tests/fixtures/sendsay", env!("CARGO_MANIFEST_DIR"));
    let mut out: Vec<(String, Value)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (
                name,
                serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn every_fixture_is_labelled_and_requests_round_trip() {
    let all = fixtures();
    assert!(all.len() >= 30, "{}", all.len());
    for (name, value) in &all {
        assert!(
            ["real_", "doc_", "comm_", "synthetic_"]
                .iter()
                .any(|p| name.starts_with(p)),
            "{name} has no provenance label"
        );
        assert!(value.is_object(), "{name}");
        let text = serde_json::to_string(value).unwrap();
        assert_eq!(
            &serde_json::from_str::<Value>(&text).unwrap(),
            value,
            "{name}"
        );
    }
}

#[tokio::test]
async fn every_response_fixture_goes_through_the_envelope() {
    let server = MockServer::start().await;
    let mut seen = 0;
    for (name, value) in fixtures() {
        if value.get("action").is_some() {
            continue;
        }
        seen += 1;
        // A fresh client each time: a REDIRECT fixture leaves a sticky prefix.
        let client = Client::builder("acc", Auth::api_key("k"))
            .base_url(server.uri())
            .retry(RetryPolicy::none())
            .build()
            .unwrap();
        server.reset().await;
        Mock::given(method("POST"))
            .and(path("/general/api/v100/json/acc"))
            .respond_with(ResponseTemplate::new(200).set_body_json(value.clone()))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        if let Some(target) = value.get("REDIRECT") {
            Mock::given(method("POST"))
                .and(path(format!(
                    "{}/general/api/v100/json/acc",
                    target.as_str().unwrap()
                )))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": 1})))
                .mount(&server)
                .await;
        }
        let outcome = client.call("fixture.get", Value::Null).await;
        match (value.get("errors"), value.get("REDIRECT")) {
            (Some(errors), _) => {
                let e = outcome.unwrap_err();
                assert_eq!(
                    e.api().unwrap().code.as_deref(),
                    errors[0]["id"].as_str(),
                    "{name}"
                );
                assert_eq!(
                    e.api().unwrap().details.as_ref(),
                    Some(&errors[0]["explain"]),
                    "{name}"
                );
                assert!(e.sendsay_error_id().is_some(), "{name}");
            }
            (None, Some(_)) => assert_eq!(outcome.unwrap(), json!({"ok": 1}), "{name}"),
            (None, None) => {
                let v = outcome.unwrap();
                assert_eq!(v, value, "{name}");
                typed(&name, v);
            }
        }
    }
    assert!(seen >= 14, "{seen}");
}

/// Typed decoding of the fixtures that have a typed model.
fn typed(name: &str, v: Value) {
    let de = |v: &Value| v.clone();
    match name {
        "synthetic_track_id.json" => {
            let a: Accepted = serde_json::from_value(v).unwrap();
            assert_eq!(a.track_id.unwrap().as_str(), "1234");
        }
        "synthetic_track_get_done.json" | "synthetic_track_get_running.json" => {
            let t: TrackInfo = serde_json::from_value(de(&v["obj"])).unwrap();
            assert_eq!(t.id.as_ref().unwrap().as_str(), "1234");
            assert!(t.status.0 == -1 || t.status.0 == 2);
            assert_eq!(
                serde_json::from_value::<TrackInfo>(serde_json::to_value(&t).unwrap())
                    .unwrap()
                    .status,
                t.status
            );
        }
        "synthetic_member_get.json" => {
            let m: Member = serde_json::from_value(de(&v["obj"])).unwrap();
            assert!(m.in_group("list0004"));
            assert_eq!(m.value("base.firstName"), Some(&json!("Ivan")));
        }
        "synthetic_stat_uni_rows.json" => {
            let rows: StatRows = serde_json::from_value(v).unwrap();
            assert_eq!(rows.int(0, 2), Some(1));
        }
        "real_derived_pong.json" => {
            let p: Pong = serde_json::from_value(v).unwrap();
            assert_eq!(p.account.as_deref(), Some("codeception"));
            assert!(p.extra.contains_key("_ehid"));
        }
        "real_login_success.json" => assert!(v["session"].as_str().unwrap().contains("REDACTED")),
        _ => {}
    }
}
