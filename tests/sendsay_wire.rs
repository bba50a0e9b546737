//! Sendsay request shapes against the reference's fixtures (wiremock, exact JSON bodies),
//! and the envelope layer: REDIRECT, sessions, `errors[]`, retries, `track.get` waiting.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    clippy::many_single_char_names
)]

use std::time::Duration;

use relance::Error;
use relance::JobWait;
use relance::http::RetryPolicy;
use relance::sendsay::{
    AddrType, Auth, Client, Condition, Filter, IfExists, IssueSend, Letter, MemberDelete, MemberId,
    MemberImport, MemberListQuery, MemberSet, NewDraft, NewGroup, NewQuestion, SendsayErrorExt,
    SendsayErrorId, Snapshot, StatQuery, TrackListQuery,
};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const EP: &str = "/general/api/v100/json/myacc";
const AUTH: &str = "sendsay apikey=s3cr3t";

fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(5))
}

async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(500).set_body_string("unexpected request"))
        .with_priority(u8::MAX)
        .mount(&server)
        .await;
    server
}

async fn setup() -> (MockServer, Client) {
    let server = server().await;
    let client = Client::builder("myacc", Auth::api_key("s3cr3t"))
        .base_url(server.uri())
        .retry(fast_retry())
        .timezone(chrono_tz::Europe::Moscow)
        .build()
        .unwrap();
    (server, client)
}

fn fixture(name: &str) -> Value {
    let p = format!(
        "{}/tests/fixtures/sendsay/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// Expects exactly one POST with this body (API key in the header) and answers `reply`.
async fn expect(server: &MockServer, body: Value, reply: Value) {
    Mock::given(method("POST"))
        .and(path(EP))
        .and(header("authorization", AUTH))
        .and(header("content-type", "application/json"))
        .and(body_json(body))
        .respond_with(ResponseTemplate::new(200).set_body_json(reply))
        .expect(1)
        .mount(server)
        .await;
}

fn without(mut v: Value, key: &str) -> Value {
    v.as_object_mut().unwrap().remove(key);
    v
}

#[tokio::test]
async fn issue_send_matches_the_doc_fixtures() {
    let (server, client) = setup().await;
    let track = fixture("synthetic_track_id.json");
    // The doc request carries the key in the body; relance sends it in the header.
    expect(
        &server,
        without(fixture("doc_issue_send_personal.json"), "apikey"),
        track.clone(),
    )
    .await;
    expect(
        &server,
        fixture("doc_issue_send_group_draft.json"),
        track.clone(),
    )
    .await;
    expect(
        &server,
        fixture("doc_issue_send_masssending.json"),
        track.clone(),
    )
    .await;
    expect(
        &server,
        fixture("doc_issue_send_attachment.json"),
        track.clone(),
    )
    .await;

    let issues = client.issues();
    let letter = Letter::inline("<subject>", "sender@example.com").html("<html version>");
    let id = issues
        .send(IssueSend::personal("recipient@example.com", letter))
        .await
        .unwrap();
    assert_eq!(id.as_str(), "1234");
    issues
        .send(IssueSend::to_group("GROUPID", Letter::draft("DRAFTID")))
        .await
        .unwrap();
    issues
        .send(IssueSend::express(
            "member.email;data.name\nask@sendsay.ru;Андрей",
            Letter::draft("DRAFTID"),
        ))
        .await
        .unwrap();
    let letter = Letter::inline("Subject", "test@test.ru")
        .from_name("Tester")
        .html("Sendsay API client test message<hr>Hello!")
        .attach_raw(
            json!({"name":"img.png","content":"<base64>","encoding":"base64","charset":"utf-8"}),
        );
    issues
        .send(IssueSend::express("test1@test.ru\ntest2@test.ru", letter).relink(true))
        .await
        .unwrap();
}

#[tokio::test]
async fn member_set_matches_the_fixtures_in_both_data_models() {
    let (server, client) = setup().await;
    expect(
        &server,
        fixture("doc_member_set_avo_flags.json"),
        fixture("synthetic_member_get.json"),
    )
    .await;
    // The community fixture sends the flag as "0"; relance sends 0 (both are accepted).
    let mut datakey = fixture("comm_member_set_datakey.json");
    datakey["newbie.confirm"] = json!(0);
    expect(&server, datakey, json!({})).await;

    let fresh = client
        .members()
        .set(
            MemberSet::new(MemberId::new("test1k@test.ru", AddrType::Email))
                .if_exists(IfExists::Overwrite)
                .newbie_confirm(false)
                .return_fresh_obj(true),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(fresh.member.email.as_deref(), Some("a@b.ru"));
    assert!(fresh.in_group("list0004"));
    assert!(!fresh.member.lockremove);
    assert_eq!(fresh.value("base.firstName"), Some(&json!("Ivan")));

    let none = client
        .members()
        .set(
            MemberSet::new(MemberId::new("user@example.com", AddrType::Email))
                .if_exists(IfExists::Error)
                .newbie_confirm(false)
                .add_to_group("list0004")
                .set("base.firstName", "Иван")
                .set("custom.q123", "value"),
        )
        .await
        .unwrap();
    assert!(none.is_none());
}

#[tokio::test]
async fn stat_uni_matches_the_doc_fixtures() {
    let (server, client) = setup().await;
    let rows = fixture("synthetic_stat_uni_rows.json");
    expect(
        &server,
        fixture("doc_stat_uni_issue_summary.json"),
        rows.clone(),
    )
    .await;
    expect(
        &server,
        fixture("doc_stat_uni_deliveries_today.json"),
        rows.clone(),
    )
    .await;
    expect(
        &server,
        fixture("doc_stat_uni_join.json"),
        fixture("synthetic_track_id.json"),
    )
    .await;
    // relance always says `result: "response"` for inline results.
    let mut bounces = fixture("doc_stat_uni_smtp_bounces.json");
    bounces["result"] = json!("response");
    expect(&server, bounces, rows).await;

    let stats = client.stats();
    let summary = stats
        .uni(
            StatQuery::new([
                "issue.id",
                "issue.name",
                "issue.subject",
                "issue.dt:Ys",
                "issue.group.gid",
                "issue.group.name",
                "issue.members",
                "issue.deliv_ok",
                "issue.deliv_bad",
                "issue.readed",
                "issue.u_readed",
                "issue.clicked",
                "issue.u_clicked",
                "issue.unsubed",
            ])
            .filter_all(Condition::between(
                "issue.dt:Ys",
                "2022-12-01 00:00:00",
                "2022-12-31 23:59:59",
            ))
            .filter(Condition::eq("issue.format", "e"))
            .order_desc("issue.dt:Ys"),
        )
        .await
        .unwrap();
    assert_eq!(summary.rows.len(), 1);
    assert_eq!(summary.text(0, 1).as_deref(), Some("x@y.ru"));
    assert_eq!(summary.int(0, 2), Some(1)); // "1" sent as a string
    stats
        .uni(
            StatQuery::new([
                "deliv.member.email",
                "deliv.issue.id",
                "deliv.issue.name",
                "deliv.issue.dt",
                "deliv.status",
            ])
            .filter(Condition::eq("deliv.member.email", "my@secret.email"))
            .filter(Condition::eq("deliv.issue.dt:YD", "CURRENT")),
        )
        .await
        .unwrap();
    let job = stats
        .uni_save(StatQuery::join(
            [
                StatQuery::new([
                    "deliv.member.id",
                    "deliv.issue.id",
                    "deliv.member.email",
                    "deliv.status",
                ])
                .filter(Condition::eq("deliv.issue.id", "777")),
                StatQuery::new(["read.member.id", "read.issue.id", "count(*)"])
                    .filter(Condition::eq("read.issue.id", "777")),
            ],
            2,
        ))
        .await
        .unwrap();
    assert_eq!(job.as_str(), "1234");
    stats
        .uni(
            StatQuery::new(["delivstream.to", "delivstream.dt", "delivstream.msg"])
                .first(100)
                .filter(Condition::eq("delivstream.status", "bounced"))
                .filter(Condition::eq("delivstream.source", "1"))
                .order_desc("delivstream.dt"),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn segment_workflow_settings_tracks_and_batch_match_the_fixtures() {
    let (server, client) = setup().await;
    expect(&server, fixture("doc_group_filter_set.json"), json!({})).await;
    expect(
        &server,
        fixture("doc_sequence_member_start.json"),
        json!({"track.id": 9}),
    )
    .await;
    expect(
        &server,
        fixture("doc_sys_settings_get.json"),
        json!({"list": {"about.id": "myacc"}}),
    )
    .await;
    expect(
        &server,
        fixture("comm_track_list.json"),
        json!({"list": [{"id": 5, "action": "issue.send", "status": "-2", "error": "bad sender",
                          "error.info": {"x": 1}, "param": {}}], "last_page": 1}),
    )
    .await;
    expect(
        &server,
        fixture("comm_batch.json"),
        fixture("synthetic_batch_result.json"),
    )
    .await;

    client
        .segments()
        .set_filter(
            "segment1",
            &Filter::new().and(Condition::gt("size(sendsay_basket.items)", "0")),
        )
        .await
        .unwrap();
    let reply = client
        .call(
            "sequence.member.start",
            json!({"id": "12", "email": "subscriber@example.com"}),
        )
        .await
        .unwrap();
    assert_eq!(reply["track.id"], 9);
    let settings = client.settings(["about.id"]).await.unwrap();
    assert_eq!(settings["about.id"], "myacc");
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

    let mut avo = serde_json::Map::new();
    avo.insert("-group".into(), json!({"main": 1}));
    let results = client
        .batch()
        .push_request(
            client
                .members()
                .set(MemberSet::new(MemberId::new("a@b.ru", AddrType::Email)).obj(avo)),
        )
        .push("stoplist.add", json!({"list": ["c@d.ru"]}))
        .await
        .unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(
        results[0].as_ref().unwrap()["obj"]["member"]["email"],
        "a@b.ru"
    );
    let e = results[1].as_ref().unwrap_err();
    assert_eq!(e.sendsay_error_id(), Some(SendsayErrorId::GroupIdNotExists));
    assert_eq!(e.message, "p99");
}

#[tokio::test]
async fn every_other_action_has_the_documented_shape() {
    let (server, client) = setup().await;
    let ok = json!({});
    let track = json!({"track.id": "77"});
    let shapes = [
        (
            json!({"action":"member.get","email":"a@b.ru"}),
            fixture("synthetic_member_get.json"),
        ),
        (
            json!({"action":"member.exists","email":"a@b.ru"}),
            fixture("synthetic_member_exists.json"),
        ),
        (
            json!({"action":"member.list","group":"list0004","sort":"member.email","sort.order":"asc","page":1,"pagesize":100,"result":"response"}),
            json!({"list":[["a@b.ru"]],"order":[{"quest":"member.email"}]}),
        ),
        (
            json!({"action":"member.list.count","group":"list0004"}),
            json!({"obj":{"email":"3"}}),
        ),
        (
            json!({"action":"member.delete","list":["a@b.ru","c@d.ru"],"sync":1}),
            ok.clone(),
        ),
        (
            json!({"action":"member.import","addr_type":"msisdn","if_exists":"ignore","charset":"utf-8","users.list":"79990000000","auto_group":{"id":"phones"},"clean_group":0}),
            track.clone(),
        ),
        (
            json!({"action":"member.sendconfirm","confirm":1,"group":"unconf","letter":"12"}),
            track.clone(),
        ),
        (
            json!({"action":"group.create","id":"buyers","name":"Buyers","type":"list","addr_type":"email"}),
            fixture("synthetic_group_create.json"),
        ),
        (
            json!({"action":"group.list"}),
            json!({"list":[{"id":"p42","name":"VIP","type":"filter","addr_type":"email","create.time":"2024-01-01 00:00:00"}]}),
        ),
        (
            json!({"action":"group.get","id":"p42","with_filter":1}),
            json!({"obj":{"id":"p42","type":"wormhole"}}),
        ),
        (
            json!({"action":"group.set","id":"p42","name":"VIP 2"}),
            ok.clone(),
        ),
        (json!({"action":"group.delete","id":"p42"}), ok.clone()),
        (
            json!({"action":"group.snapshot","from":{"group":"p42","sync":true},"to":{"id":"list1","clean":1}}),
            track.clone(),
        ),
        (
            json!({"action":"group.clean","id":"list1","all":1}),
            track.clone(),
        ),
        (
            json!({"action":"anketa.list"}),
            json!({"list":[{"id":"base","name":"Base","system":"1"}]}),
        ),
        (
            json!({"action":"anketa.get","id":"custom"}),
            json!({"obj":{"id":"custom","param":{"name":"Custom"},"order":["q1"],"quests":{"q1":{"name":"Role","type":"1m","answers":{"b":"buyer"}}}}}),
        ),
        (
            json!({"action":"anketa.create","id":"shop","name":"Shop"}),
            json!({"id":"shop"}),
        ),
        (
            json!({"action":"anketa.quest.add","anketa.id":"shop","obj":[{"id":"orders","name":"Orders","type":"int"},{"name":"Born","type":"dt","dtsubtype":"yd"},{"name":"Seller","type":"1m","answers":{"0":"0","1":"1"}}]}),
            ok.clone(),
        ),
        (json!({"action":"anketa.delete","id":"shop"}), ok.clone()),
        (
            json!({"action":"issue.draft.list"}),
            json!({"list":[{"id":42,"name":"Welcome","format":"email"}]}),
        ),
        (
            json!({"action":"issue.draft.get","id":"42"}),
            json!({"obj":{"id":"42","name":"Welcome","format":"fax"}}),
        ),
        (
            json!({"action":"issue.draft.set","obj":{"name":"Shipped","format":"sms","text":"Your order has shipped"},"return_fresh_obj":true}),
            json!({"id":"43"}),
        ),
        (json!({"action":"issue.draft.delete","id":"43"}), ok.clone()),
        (
            json!({"action":"issue.emailsender.list"}),
            json!({"list":[{"id":"3","name":"shop@example.com","label":"Shop"}]}),
        ),
        (
            json!({"action":"issue.emailsender.set","obj":{"name":"shop@example.com","label":"Shop"}}),
            ok.clone(),
        ),
        (
            json!({"action":"issue.emailsender.delete","id":"3"}),
            ok.clone(),
        ),
        (
            json!({"action":"issue.smssender.list"}),
            json!({"list":["SHOP"]}),
        ),
        (
            json!({"action":"issue.send.test","group":"list0004","sendwhen":"test","letter":{"draft.id":"42"},"mca":["me@example.com"]}),
            ok.clone(),
        ),
        (
            json!({"action":"issue.send","group":"phones","sendwhen":"later","later.time":"2026-12-01 13:00:00","letter":{"draft.id":"43"},"name":"SMS sale"}),
            track.clone(),
        ),
        (
            json!({"action":"issue.send","group":"personal","email":"79990000000","sendwhen":"now","letter":{"draft.id":"43"},"extra":{"order":"A-1"}}),
            track.clone(),
        ),
        (
            json!({"action":"track.get","id":1234}),
            fixture("synthetic_track_get_running.json"),
        ),
        (json!({"action":"pong"}), fixture("real_derived_pong.json")),
    ];
    for (body, reply) in shapes {
        expect(&server, body, reply).await;
    }
    let m = client.members();
    assert_eq!(
        m.get("a@b.ru").await.unwrap().member.create_time.as_deref(),
        Some("2024-01-01 12:00:00")
    );
    assert!(m.exists("a@b.ru").await.unwrap());
    let page = m
        .list(
            MemberListQuery::new()
                .group("list0004")
                .sort("member.email", true)
                .page(1)
                .pagesize(100),
        )
        .await
        .unwrap();
    assert_eq!(page.columns(), ["member.email"]);
    assert_eq!(m.count(Some("list0004")).await.unwrap()["email"], "3");
    m.delete(MemberDelete::many(["a@b.ru", "c@d.ru"]).sync(true))
        .await
        .unwrap();
    let job = m
        .import(
            MemberImport::csv("79990000000")
                .addr_type(AddrType::Msisdn)
                .if_exists(IfExists::Ignore)
                .auto_group("phones")
                .clean_group(false),
        )
        .await
        .unwrap();
    assert_eq!(job.as_str(), "77");
    m.send_confirmation("unconf", "12").await.unwrap();

    let g = client.groups();
    assert_eq!(
        g.create(NewGroup::list("Buyers").id("buyers"))
            .await
            .unwrap(),
        "p42"
    );
    let groups = g.list().await.unwrap();
    assert_eq!(
        groups[0].group_type,
        Some(relance::sendsay::GroupType::Filter)
    );
    let got = g.get("p42").await.unwrap();
    assert_eq!(
        got.group_type,
        Some(relance::sendsay::GroupType::Unknown("wormhole".into()))
    );
    g.rename("p42", "VIP 2").await.unwrap();
    g.delete("p42").await.unwrap();
    g.snapshot(Snapshot::group("p42", "list1").clean(true).sync(true))
        .await
        .unwrap();
    g.clean("list1").await.unwrap();

    let f = client.fields();
    assert!(f.list().await.unwrap()[0].system);
    let custom = f.get("custom").await.unwrap();
    assert_eq!(
        custom.quests["q1"].quest_type,
        Some(relance::sendsay::QuestType::SingleChoice)
    );
    assert_eq!(f.create("Shop", Some("shop")).await.unwrap(), "shop");
    f.add_questions(
        "shop",
        &[
            NewQuestion::int("Orders").id("orders"),
            NewQuestion::date("Born"),
            NewQuestion::boolean("Seller"),
        ],
    )
    .await
    .unwrap();
    f.delete("shop").await.unwrap();

    let d = client.drafts();
    assert_eq!(d.list().await.unwrap()[0].id.as_deref(), Some("42"));
    assert_eq!(
        d.get("42").await.unwrap().format,
        Some(relance::sendsay::DraftFormat::Unknown("fax".into()))
    );
    assert_eq!(
        d.set(NewDraft::sms("Shipped", "Your order has shipped"))
            .await
            .unwrap()
            .id
            .as_deref(),
        Some("43")
    );
    d.delete("43").await.unwrap();

    let s = client.senders();
    assert_eq!(
        s.list_email().await.unwrap()[0].label.as_deref(),
        Some("Shop")
    );
    s.add_email("shop@example.com", "Shop").await.unwrap();
    s.delete_email("3").await.unwrap();
    assert_eq!(s.list_sms().await.unwrap(), [json!("SHOP")]);

    let i = client.issues();
    i.send_test(
        IssueSend::to_group("list0004", Letter::draft("42")),
        ["me@example.com"],
    )
    .await
    .unwrap();
    // 10:00 UTC is 13:00 in Moscow: the wire time is account-local, without an offset.
    let at = chrono::DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z")
        .unwrap()
        .into();
    i.send(
        IssueSend::sms_to_group("phones", "43")
            .later_at(at)
            .name("SMS sale"),
    )
    .await
    .unwrap();
    i.send(IssueSend::sms_personal("79990000000", "43").var("order", "A-1"))
        .await
        .unwrap();

    let info = client.track(1234).get().await.unwrap();
    assert_eq!(info.status.0, 2); // "2" sent as a string
    let pong = client.pong().await.unwrap();
    assert_eq!(pong.ping, Some(1_590_062_030));
    assert_eq!(pong.account.as_deref(), Some("codeception"));
}

#[tokio::test]
async fn invalid_input_is_refused_before_sending() {
    let (server, client) = setup().await;
    let cases: Vec<(Error, &str)> = vec![
        (client.members().get("").await.unwrap_err(), "email"),
        (
            client
                .members()
                .get(MemberId::new("nobody", AddrType::Email))
                .await
                .unwrap_err(),
            "nobody",
        ),
        (client.groups().delete("p-1").await.unwrap_err(), "p-1"),
        (
            client
                .members()
                .set(MemberSet::new("a@b.ru").add_to_group("bad id"))
                .await
                .unwrap_err(),
            "bad id",
        ),
        (client.call(" ", Value::Null).await.unwrap_err(), "action"),
        (client.call("pong", json!([1])).await.unwrap_err(), "params"),
        (
            client
                .issues()
                .send(IssueSend::personal("a@b.ru", Letter::inline("Hi", "no-at")))
                .await
                .unwrap_err(),
            "no-at",
        ),
        (
            client
                .issues()
                .send(IssueSend::personal(
                    "a@b.ru",
                    Letter::inline("Hi", "a@b.ru"),
                ))
                .await
                .unwrap_err(),
            "message",
        ),
        (
            client
                .stats()
                .uni(StatQuery::new(Vec::<String>::new()))
                .await
                .unwrap_err(),
            "select",
        ),
        (
            client
                .segments()
                .set_filter("p1", &Filter::new())
                .await
                .unwrap_err(),
            "filter",
        ),
        (client.batch().await.unwrap_err(), "do"),
    ];
    for (e, item) in cases {
        assert!(
            matches!(&e, Error::InvalidInput { item: i, .. } if i == item),
            "{e:?} for {item}"
        );
    }
    // Without a configured account timezone an instant cannot be written on the wire.
    let no_tz = Client::builder("myacc", Auth::api_key("k"))
        .base_url(server.uri())
        .build()
        .unwrap();
    let e = no_tz
        .issues()
        .send(IssueSend::to_group("list1", Letter::draft("1")).later_at(chrono::Utc::now()))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Config(_)));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn redirect_is_followed_then_remembered_with_the_same_body_and_auth() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(EP))
        .and(body_json(json!({"action":"pong"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("synthetic_redirect.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/clu180{EP}")))
        .and(header("authorization", AUTH))
        .and(body_json(json!({"action":"pong"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("real_derived_pong.json")))
        .expect(2)
        .mount(&server)
        .await;
    let clone = client.clone();
    client.pong().await.unwrap();
    assert_eq!(client.redirect_prefix().as_deref(), Some("/clu180"));
    clone.pong().await.unwrap(); // clones share the prefix: straight to the cluster
}

#[tokio::test]
async fn more_than_ten_redirects_is_an_error() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(EP))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"REDIRECT": "/"})))
        .expect(11) // the first request and 10 followed REDIRECTs
        .mount(&server)
        .await;
    let e = client.pong().await.unwrap_err();
    assert!(
        matches!(&e, Error::Protocol(m) if m.contains("10 REDIRECT")),
        "{e:?}"
    );
}

#[tokio::test]
async fn cross_origin_redirects_are_refused_and_nothing_is_sent_there() {
    let (server, client) = setup().await;
    let evil = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ping": 1})))
        .expect(0)
        .mount(&evil)
        .await;
    let evil_host = evil.uri().trim_start_matches("http://").to_owned();
    for target in [
        format!("{}/clu1", evil.uri()),
        format!("//{evil_host}/clu1"),
        "https://api.sendsay.ru/clu1".to_owned(),
        "javascript:alert(1)".to_owned(),
    ] {
        Mock::given(method("POST"))
            .and(path(EP))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"REDIRECT": target})))
            .up_to_n_times(1)
            .expect(1)
            .mount(&server)
            .await;
        let e = client.pong().await.unwrap_err();
        assert!(
            matches!(&e, Error::Protocol(m) if m.contains("refused")),
            "{target}: {e:?}"
        );
        assert_eq!(client.redirect_prefix(), None);
    }
}

#[tokio::test]
async fn errors_are_checked_before_redirect() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(EP))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"errors":[{"id":"error/auth/failed","explain":"wrong_credentials"}],"REDIRECT":"/clu9"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let e = client.pong().await.unwrap_err();
    assert!(e.is_wrong_credentials(), "{e:?}");
    assert_eq!(client.redirect_prefix(), None);
}

#[tokio::test]
async fn errors_with_string_and_non_string_explanations() {
    let (server, client) = setup().await;
    let cases = [
        (
            fixture("real_login_failure.json"),
            "error/auth/failed",
            json!("wrong_credentials"),
        ),
        (
            fixture("synthetic_error_array_explain.json"),
            "wrong_group_id",
            json!(["p99"]),
        ),
        (
            json!({"errors":[{"id":"x/y","explain":{"field":"email","n":2}}]}),
            "x/y",
            json!({"field":"email","n":2}),
        ),
        (
            json!({"error":{"id":"group_id_not_exists","explain":"p1"}}),
            "group_id_not_exists",
            json!("p1"),
        ),
    ];
    for (reply, id, explain) in cases {
        Mock::given(method("POST"))
            .and(path(EP))
            .respond_with(ResponseTemplate::new(200).set_body_json(reply))
            .up_to_n_times(1)
            .expect(1)
            .mount(&server)
            .await;
        let e = client
            .call("group.get", json!({"id": "p1"}))
            .await
            .unwrap_err();
        let api = e.api().unwrap();
        assert_eq!(api.status, 200);
        assert_eq!(api.code.as_deref(), Some(id));
        assert_eq!(api.details.as_ref(), Some(&explain));
        assert!(!api.message.is_empty());
    }
}

#[tokio::test]
async fn password_login_then_session_in_the_body() {
    let server = server().await;
    let mut login = fixture("doc_login.json");
    login["action"] = json!("login");
    Mock::given(method("POST"))
        .and(path(EP))
        .and(body_json(login))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("real_login_success.json")))
        .expect(1)
        .mount(&server)
        .await;
    let session = fixture("real_login_success.json")["session"].clone();
    Mock::given(method("POST"))
        .and(path(EP))
        .and(body_json(json!({"action":"pong","session":session})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("real_derived_pong.json")))
        .expect(2)
        .mount(&server)
        .await;
    let client = Client::builder(
        "myacc",
        Auth::password("<sendsay login>", "", "<sendsay password>"),
    )
    .base_url(server.uri())
    .build()
    .unwrap();
    client.pong().await.unwrap();
    client.pong().await.unwrap();
    assert_eq!(client.login_count(), 1);
    let dbg = format!("{client:?}");
    assert!(
        !dbg.contains("REDACTED:") && !dbg.contains("<sendsay password>"),
        "{dbg}"
    );
    // No Authorization header in session mode.
    let reqs = server.received_requests().await.unwrap();
    assert!(
        reqs.iter()
            .all(|r| !r.headers.contains_key("authorization"))
    );
}

async fn session_server(expired_pongs: u64) -> (MockServer, Client) {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path(EP))
        .and(body_json(
            json!({"action":"login","login":"myacc","sublogin":"api","passwd":"pw"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"session":"S1"})))
        .mount(&server)
        .await;
    if expired_pongs > 0 {
        Mock::given(method("POST"))
            .and(path(EP))
            .and(body_json(json!({"action":"pong","session":"S1"})))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(fixture("synthetic_error_expired.json")),
            )
            .up_to_n_times(expired_pongs)
            .with_priority(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("POST"))
        .and(path(EP))
        .and(body_json(json!({"action":"pong","session":"S1"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("real_derived_pong.json")))
        .with_priority(2)
        .mount(&server)
        .await;
    let client = Client::builder("myacc", Auth::password("myacc", "api", "pw"))
        .base_url(server.uri())
        .build()
        .unwrap();
    (server, client)
}

async fn count(server: &MockServer, action: &str) -> usize {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| serde_json::from_slice::<Value>(&r.body).unwrap()["action"] == action)
        .count()
}

#[tokio::test]
async fn an_expired_session_is_renewed_once_then_the_call_succeeds() {
    let (server, client) = session_server(1).await;
    let pong = client.pong().await.unwrap();
    assert_eq!(pong.sublogin.as_deref(), Some("codeception"));
    assert_eq!(client.login_count(), 2);
    assert_eq!(count(&server, "login").await, 2);
    assert_eq!(count(&server, "pong").await, 2);
}

#[tokio::test]
async fn a_session_expiring_again_is_not_renewed_twice() {
    let (server, client) = session_server(10).await;
    let e = client.pong().await.unwrap_err();
    assert!(e.is_session_expired(), "{e:?}");
    assert!(e.to_string().contains("not executed"), "{e}");
    assert_eq!(count(&server, "login").await, 2);
    assert_eq!(count(&server, "pong").await, 2);
}

#[tokio::test]
async fn concurrent_calls_share_one_login() {
    let (server, client) = session_server(0).await;
    let calls: Vec<_> = (0..5)
        .map(|_| tokio::spawn(client.pong().into_future_boxed()))
        .collect();
    for c in calls {
        c.await.unwrap().unwrap();
    }
    assert_eq!(count(&server, "login").await, 1);
}

trait Boxed<T> {
    fn into_future_boxed(
        self,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = relance::Result<T>> + Send>>;
}

impl<T: Send + 'static> Boxed<T> for relance::sendsay::Request<T> {
    fn into_future_boxed(
        self,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = relance::Result<T>> + Send>> {
        std::future::IntoFuture::into_future(self)
    }
}

#[tokio::test]
async fn track_wait_runs_to_completion() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(EP))
        .and(body_json(json!({"action":"track.get","id":1234})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("synthetic_track_get_running.json")),
        )
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(EP))
        .and(body_json(json!({"action":"track.get","id":1234})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("synthetic_track_get_done.json")),
        )
        .with_priority(2)
        .mount(&server)
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

#[tokio::test]
async fn sends_are_never_retried_and_reads_are() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(EP))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(EP))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("synthetic_member_get.json")),
        )
        .with_priority(2)
        .mount(&server)
        .await;
    let e = client
        .issues()
        .send(IssueSend::to_group("list1", Letter::draft("1")))
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(503));
    assert_eq!(count(&server, "issue.send").await, 1);
    // The second 503 is absorbed by a retry of the read.
    client.members().get("a@b.ru").await.unwrap();
    assert_eq!(count(&server, "member.get").await, 2);
    assert!(
        !client
            .batch()
            .push("pong", Value::Null)
            .stop_on_error(true)
            .send()
            .await
            .is_err_and(|e| e.status() == Some(503))
    );
}

#[tokio::test]
async fn http_errors_keep_their_status_and_sendsay_ids() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(EP))
        .respond_with(
            ResponseTemplate::new(503)
                .set_body_json(json!({"errors":[{"id":"rate_limit","explain":"slow down"}]})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(EP))
        .respond_with(
            ResponseTemplate::new(502).set_body_raw("<html><h1>502</h1></html>", "text/html"),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let e = client.pong().retry(RetryPolicy::none()).await.unwrap_err();
    assert_eq!(e.status(), Some(503));
    assert_eq!(e.sendsay_error_id(), Some(SendsayErrorId::RateLimit));
    let e = client.pong().retry(RetryPolicy::none()).await.unwrap_err();
    assert_eq!(e.status(), Some(502));
    assert_eq!(e.api().unwrap().message, "Bad Gateway");
}

#[tokio::test]
async fn debug_output_never_contains_secrets() {
    let builder = Client::builder("acc", Auth::password("acc", "user", "pa55-w0rd"));
    let client = Client::builder("acc", Auth::api_key("k3y-s3cr3t"))
        .build()
        .unwrap();
    let text = format!(
        "{builder:?} {:?} {client:?} {:?} {:?} {:?}",
        Auth::api_key("k3y-s3cr3t"),
        client.pong(),
        client.batch().push("login", json!({"passwd": "pa55-w0rd"})),
        client.call(
            "login",
            json!({"passwd": "pa55-w0rd", "session": "s3ss10n"})
        ),
    );
    for secret in ["pa55-w0rd", "k3y-s3cr3t", "s3ss10n"] {
        assert!(!text.contains(secret), "{text}");
    }
}
