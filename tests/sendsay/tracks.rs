//! Jobs: `track.list`, `track.get`, and waiting with a deadline.

use std::time::Duration;

use relance::{Error, JobWait, sendsay::TrackListQuery};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::common::sendsay::{EP, count, expect, first_then, fixture, setup};

#[tokio::test]
async fn track_list_and_get_match_the_fixtures() {
    let (server, client) = setup().await;
    expect(
        &server,
        fixture("comm_track_list.json"),
        json!({"list": [{"id": 5, "action": "issue.send", "status": "-2", "error": "bad sender",
                          "error.info": {"x": 1}, "param": {}}], "last_page": 1}),
    )
    .await;
    expect(
        &server,
        json!({"action":"track.get","id":1234}),
        fixture("synthetic_track_get_running.json"),
    )
    .await;
    let jobs = client
        .tracks()
        .list(
            TrackListQuery::new()
                .actions(["issue.send", "member.import"])
                .statuses([-6, -2])
                .first(50)
                .skip(0),
        )
        .await
        .unwrap();
    assert!(jobs[0].status.is_failure());
    assert_eq!(jobs[0].error, Some(json!("bad sender")));
    assert!(jobs[0].extra.contains_key("error.info"));

    let info = client.track(1234).get().await.unwrap();
    assert_eq!(info.status.0, 2); // "2" sent as a string
}

#[tokio::test]
async fn track_wait_runs_to_completion() {
    let (server, client) = setup().await;
    first_then(
        &server,
        Some(json!({"action":"track.get","id":1234})),
        (
            ResponseTemplate::new(200).set_body_json(fixture("synthetic_track_get_running.json")),
            2,
        ),
        ResponseTemplate::new(200).set_body_json(fixture("synthetic_track_get_done.json")),
    )
    .await;
    let done = client
        .track(1234)
        .wait(
            JobWait::new(Duration::from_secs(10))
                .interval(Duration::from_millis(5))
                .max_interval(Duration::from_millis(5)),
        )
        .await
        .unwrap();
    assert!(done.status.is_success());
    assert_eq!(done.report_file(), Some("report_1234.csv"));
    assert_eq!(count(&server, "track.get").await, 3);
}

#[tokio::test]
async fn track_wait_stops_at_the_deadline() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(EP))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("synthetic_track_get_running.json")),
        )
        .mount(&server)
        .await;
    let start = std::time::Instant::now();
    let e = client
        .track("1234")
        .wait(
            JobWait::new(Duration::from_millis(150))
                .interval(Duration::from_millis(20))
                .max_interval(Duration::from_millis(20)),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::JobTimeout { job, status, .. }
            if job.kind == relance::JobKind::Track && job.id == "1234" && status == "in process"),
        "{e:?}"
    );
    assert!(start.elapsed() < Duration::from_secs(2));
    let polls = count(&server, "track.get").await;
    assert!((2..=9).contains(&polls), "{polls}");
}
