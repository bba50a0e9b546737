//! Round trips against the stateful `FakeSendsay`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use relance::Error;
use relance::JobWait;
use relance::http::RetryPolicy;
use relance::sendsay::{
    AddrType, Filter, FilterRule, IfExists, IssueSend, Letter, MemberDelete, MemberId,
    MemberImport, MemberListQuery, MemberSet, NewDraft, NewGroup, NewQuestion, SendsayErrorExt,
    SendsayErrorId, Snapshot, StatQuery, TrackListQuery,
};
use relance::testing::{FakeSendsay, Fault};
use serde_json::json;

const POLL: Duration = Duration::from_millis(1);
const DEADLINE: Duration = Duration::from_secs(5);

#[tokio::test]
async fn first_call_is_redirected_then_the_prefix_sticks() {
    let fake = FakeSendsay::start().await;
    let client = fake.client();
    client.pong().await.unwrap();
    client.pong().await.unwrap();
    assert_eq!(client.redirect_prefix().as_deref(), Some("/clu1"));
    assert_eq!(fake.hits("pong"), 3); // redirected once, then straight to the cluster
    client.ping().await.unwrap();
    assert_eq!(fake.hits("ping"), 1);
}

#[tokio::test]
async fn members_round_trip_with_data_keys_groups_and_imports() {
    let fake = FakeSendsay::start().await;
    let client = fake.client();
    let m = client.members();
    client
        .groups()
        .create(NewGroup::list("Buyers").id("buyers"))
        .await
        .unwrap();
    let fresh = m
        .set(
            MemberSet::new("ivan@example.com")
                .set("base.firstName", "Ivan")
                .set("base.city", "Kazan")
                .add_to_group("buyers")
                .return_fresh_obj(true),
        )
        .await
        .unwrap()
        .unwrap();
    assert!(fresh.in_group("buyers"));
    let got = m.get("ivan@example.com").await.unwrap();
    assert_eq!(got.value("base.firstName"), Some(&json!("Ivan")));
    assert!(got.member.id.is_some());
    assert!(m.exists("ivan@example.com").await.unwrap());
    assert!(!m.exists("nobody@example.com").await.unwrap());

    // if_exists: error refuses an existing contact.
    let e = m
        .set(MemberSet::new("ivan@example.com").if_exists(IfExists::Error))
        .await
        .unwrap_err();
    assert_eq!(e.sendsay_error_id(), Some(SendsayErrorId::MemberExists));
    // Removing from a list.
    m.set(MemberSet::new("ivan@example.com").remove_from_group("buyers"))
        .await
        .unwrap();
    assert!(fake.group_members("buyers").is_empty());

    // Import: CSV with a header, auto group, then the job completes.
    let job = m
        .import(
            MemberImport::csv(
                "member.email;base.firstName\nanna@example.com;Anna\nboris@example.com;Boris",
            )
            .auto_group("buyers"),
        )
        .await
        .unwrap();
    let done = client
        .track(job)
        .wait(JobWait::new(DEADLINE).interval(POLL).max_interval(POLL))
        .await
        .unwrap();
    assert!(done.status.is_success());
    assert_eq!(done.param["imported"], 2);
    assert_eq!(
        fake.group_members("buyers"),
        ["anna@example.com", "boris@example.com"]
    );
    let page = m
        .list(MemberListQuery::new().group("buyers").pagesize(1).page(2))
        .await
        .unwrap();
    assert_eq!(page.list, [json!(["boris@example.com"])]);
    let counts = m.count(None).await.unwrap();
    assert_eq!(counts["email"], 3);

    // SMS contacts.
    m.set(MemberSet::new(MemberId::new(
        "79990000000",
        AddrType::Msisdn,
    )))
    .await
    .unwrap();
    assert_eq!(m.count(None).await.unwrap()["msisdn"], 1);

    m.delete(MemberDelete::one("anna@example.com").sync(true))
        .await
        .unwrap();
    assert!(fake.member("anna@example.com").is_none());
    let job = m.delete(MemberDelete::group("buyers")).await.unwrap();
    assert!(job.track_id.is_some());
    assert!(fake.member("boris@example.com").is_none());
    let e = m.get("anna@example.com").await.unwrap_err();
    assert!(e.api().is_some_and(|a| a.status == 200));
}

#[tokio::test]
async fn segments_filter_members_and_snapshot_into_a_list() {
    let fake = FakeSendsay::start().await;
    let client = fake.client();
    for (email, city, spent) in [
        ("a@x.ru", "Kazan", 1500),
        ("b@x.ru", "Kazan", 10),
        ("c@x.ru", "Omsk", 5000),
    ] {
        client
            .members()
            .set(
                MemberSet::new(email)
                    .set("base.city", city)
                    .set("custom.spent", spent),
            )
            .await
            .unwrap();
    }
    let vip = client
        .segments()
        .create_with_filter(
            Some("vip"),
            "VIP in Kazan",
            Filter::new()
                .and(FilterRule::eq("base.city", "Kazan"))
                .and(FilterRule::ge("custom.spent", "1000")),
        )
        .await
        .unwrap();
    assert_eq!(vip.as_str(), "vip");
    assert_eq!(fake.group_members("vip"), ["a@x.ru"]);
    let generated = client.segments().create(None, "Named").await.unwrap();
    assert!(generated.as_str().starts_with('p'));
    let filter = client.segments().filter("vip").await.unwrap();
    assert_eq!(filter["filter"][0]["a"], "base.city");
    let group = client.groups().get("vip").await.unwrap();
    assert_eq!(group.group_type, Some(relance::sendsay::GroupType::Filter));
    assert!(group.filter.is_some());

    client
        .groups()
        .create(NewGroup::list("VIP copy").id("vipcopy"))
        .await
        .unwrap();
    client
        .groups()
        .snapshot(Snapshot::group("vip", "vipcopy"))
        .await
        .unwrap();
    assert_eq!(fake.group_members("vipcopy"), ["a@x.ru"]);
    let names: Vec<_> = client
        .groups()
        .list()
        .await
        .unwrap()
        .into_iter()
        .filter_map(|g| g.id.map(|id| id.0))
        .collect();
    assert!(names.contains(&"vip".to_owned()) && names.contains(&"vipcopy".to_owned()));
    client.groups().rename("vipcopy", "Copy").await.unwrap();
    client.groups().delete("vipcopy").await.unwrap();
    let e = client.groups().delete("vipcopy").await.unwrap_err();
    assert_eq!(e.sendsay_error_id(), Some(SendsayErrorId::GroupIdNotExists));
}

#[tokio::test]
async fn anketa_fields_and_questions() {
    let fake = FakeSendsay::start().await;
    let fields = fake.client().fields();
    let before = fields.list().await.unwrap();
    assert!(
        before
            .iter()
            .any(|a| a.id == Some("base".into()) && a.system)
    );
    let id = fields.create("Shop", Some("shop")).await.unwrap();
    fields
        .add_questions(
            &id,
            &[
                NewQuestion::int("Orders").id("orders"),
                NewQuestion::single_choice("Role", [("b", "buyer"), ("s", "seller")]).id("role"),
                NewQuestion::date("First order").id("first"),
            ],
        )
        .await
        .unwrap();
    let shop = fields.get("shop").await.unwrap();
    assert_eq!(shop.order, ["orders".into(), "role".into(), "first".into()]);
    assert_eq!(shop.quests["role"].answers["s"], "seller");
    assert_eq!(shop.quests["first"].dtsubtype.as_deref(), Some("yd"));
    fields.delete("shop").await.unwrap();
    assert!(fields.get("shop").await.is_err());
}

#[tokio::test]
async fn email_and_sms_issues_deliver_and_feed_statistics() {
    let fake = FakeSendsay::start().await;
    let client = fake
        .client_builder()
        .timezone(chrono_tz::Europe::Moscow)
        .build()
        .unwrap();
    // Inline From addresses must be registered senders.
    let letter = Letter::inline("Your order", "shop@example.com").html("<p>Thanks</p>");
    senders_must_be_registered(&client, &letter).await;

    let job = client
        .issues()
        .send(IssueSend::personal("ivan@example.com", letter).var("order", "A-1"))
        .await
        .unwrap();
    // Jobs advance one status per track.get: 0, 1, 2, -1.
    assert_eq!(client.track(job.clone()).get().await.unwrap().status.0, 0);
    assert_eq!(client.track(job.clone()).get().await.unwrap().status.0, 1);
    let done = client
        .track(job)
        .wait(JobWait::new(DEADLINE).interval(POLL).max_interval(POLL))
        .await
        .unwrap();
    assert!(done.status.is_success());

    // A mass SMS from an SMS draft to a list of phones.
    client
        .groups()
        .create(
            NewGroup::list("Phones")
                .id("phones")
                .addr_type(AddrType::Msisdn),
        )
        .await
        .unwrap();
    for phone in ["79990000001", "79990000002"] {
        client
            .members()
            .set(MemberSet::new(MemberId::new(phone, AddrType::Msisdn)).add_to_group("phones"))
            .await
            .unwrap();
    }
    let draft = client
        .drafts()
        .set(NewDraft::sms("Shipped", "Your order has shipped"))
        .await
        .unwrap();
    let draft_id = draft.id.clone().unwrap();
    assert_eq!(
        client.drafts().get(&draft_id).await.unwrap().format,
        Some(relance::sendsay::DraftFormat::Sms)
    );
    assert_eq!(client.drafts().list().await.unwrap().len(), 1);
    let sms_job = client
        .issues()
        .send(IssueSend::sms_to_group("phones", &draft_id).name("Shipping"))
        .await
        .unwrap();
    client
        .track(sms_job)
        .wait(JobWait::new(DEADLINE).interval(POLL).max_interval(POLL))
        .await
        .unwrap();
    client
        .issues()
        .send(IssueSend::sms_personal("79990000009", &draft_id))
        .await
        .unwrap();

    // A scheduled issue parks at -4.
    let later = client
        .issues()
        .send(IssueSend::to_group("phones", Letter::draft(&draft_id)).later_at(chrono::Utc::now()))
        .await
        .unwrap();
    let parked = client
        .track(later)
        .wait(JobWait::new(DEADLINE).interval(POLL).max_interval(POLL))
        .await
        .unwrap();
    assert!(parked.status.is_parked());
    assert_eq!(
        fake.issues().last().unwrap()["later.time"]
            .as_str()
            .unwrap()
            .len(),
        19
    );

    // Test copies are recorded but produce no deliveries.
    client
        .issues()
        .send_test(
            IssueSend::to_group("phones", Letter::draft(&draft_id)),
            ["me@example.com"],
        )
        .await
        .unwrap();

    statistics_follow_the_deliveries(&fake, &client).await;
}

/// A letter from an unregistered sender is refused, a free-mail sender cannot be added, and
/// the shop's own address can.
async fn senders_must_be_registered(client: &relance::sendsay::Client, letter: &Letter) {
    let e = client
        .issues()
        .send(IssueSend::personal("ivan@example.com", letter.clone()))
        .await
        .unwrap_err();
    assert_eq!(e.sendsay_error_id(), Some(SendsayErrorId::SenderUnknown));
    assert!(e.to_string().contains("confirmed"), "{e}");
    let e = client
        .senders()
        .add_email("me@gmail.com", "Me")
        .await
        .unwrap_err();
    assert_eq!(e.sendsay_error_id(), Some(SendsayErrorId::SenderProhibited));
    client
        .senders()
        .add_email("shop@example.com", "Shop")
        .await
        .unwrap();
    assert_eq!(client.senders().list_email().await.unwrap().len(), 1);
}

/// `stat.uni` on what the issues above delivered: per issue, per member, per format, saved
/// as a report, and the failed tracks.
async fn statistics_follow_the_deliveries(fake: &FakeSendsay, client: &relance::sendsay::Client) {
    assert_eq!(fake.deliveries().len(), 4);
    let per_issue = client
        .stats()
        .uni(StatQuery::new(["deliv.issue.id", "count(*)"]).order_asc("deliv.issue.id"))
        .await
        .unwrap();
    assert_eq!(per_issue.rows.len(), 3);
    assert_eq!(per_issue.int(1, 1), Some(2)); // the SMS issue to two phones
    let ivan = client
        .stats()
        .uni(
            StatQuery::new(["deliv.member.email", "deliv.status"])
                .filter(FilterRule::eq("deliv.member.email", "ivan@example.com")),
        )
        .await
        .unwrap();
    assert_eq!(ivan.text(0, 0).as_deref(), Some("ivan@example.com"));
    let issues = client
        .stats()
        .uni(
            StatQuery::new(["issue.id", "issue.format", "issue.deliv_ok"])
                .filter(FilterRule::eq("issue.format", "s"))
                .first(10),
        )
        .await
        .unwrap();
    // The SMS group issue, the personal SMS, the scheduled one and the test send.
    assert_eq!(issues.rows.len(), 4);
    let report = client
        .stats()
        .uni_save(StatQuery::new(["deliv.member.email"]))
        .await
        .unwrap();
    let report = client
        .track(report)
        .wait(JobWait::new(DEADLINE).interval(POLL).max_interval(POLL))
        .await
        .unwrap();
    assert!(report.report_file().unwrap().starts_with("report_"));

    let failed = client
        .tracks()
        .list(TrackListQuery::new().actions(["issue.send"]).statuses([-1]))
        .await
        .unwrap();
    assert_eq!(failed.len(), 2);
}

#[tokio::test]
async fn sessions_expire_and_are_renewed_once() {
    let fake = FakeSendsay::start().await;
    let client = fake.password_client_builder().build().unwrap();
    client.pong().await.unwrap();
    assert_eq!(fake.login_count(), 1);
    fake.expire_sessions();
    client
        .members()
        .set(MemberSet::new("a@b.ru"))
        .await
        .unwrap();
    assert_eq!(fake.login_count(), 2);
    assert_eq!(client.login_count(), 2);
    assert!(fake.member("a@b.ru").is_some());
    // Logging out forgets the session; the next call logs in again.
    client.logout().await.unwrap();
    assert_eq!(fake.hits("logout"), 1);
    client.pong().await.unwrap();
    assert_eq!(fake.login_count(), 3);
    // Wrong credentials are final.
    let bad = relance::sendsay::Client::builder(
        relance::testing::sendsay_fake::ACCOUNT,
        relance::sendsay::Auth::password("relance-test", "api", "nope"),
    )
    .base_url(fake.base_url())
    .build()
    .unwrap();
    let e = bad.pong().await.unwrap_err();
    assert!(e.is_wrong_credentials(), "{e:?}");
}

#[tokio::test]
async fn faults_are_retried_for_reads_only() {
    let fake = FakeSendsay::start_with_redirect(None).await;
    let client = fake
        .client_builder()
        .retry(RetryPolicy::default().initial_backoff(Duration::from_millis(1)))
        .build()
        .unwrap();
    fake.inject(Fault::status(503).on("POST", "/group.list").times(1));
    assert!(client.groups().list().await.unwrap().is_empty());
    assert_eq!(fake.hits("group.list"), 2);
    fake.inject(Fault::html(502).on("POST", "/issue.send").times(1));
    let e = client
        .issues()
        .send(IssueSend::personal("a@b.ru", Letter::draft("1")))
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(502));
    assert_eq!(fake.hits("issue.send"), 1);
    fake.inject(Fault::malformed_json().on("POST", "/pong").times(1));
    assert!(matches!(
        client.pong().retry(RetryPolicy::none()).await,
        Err(Error::Decode { .. })
    ));
}

#[tokio::test]
async fn batch_runs_each_action_and_reports_each_error() {
    let fake = FakeSendsay::start().await;
    let client = fake.client();
    let results = client
        .batch()
        .push_request(client.members().set(MemberSet::new("a@b.ru")))
        .push("group.delete", json!({"id": "p99"}))
        .push_request(client.members().exists("a@b.ru"))
        .await
        .unwrap();
    assert_eq!(results.len(), 3);
    assert!(results[0].is_ok());
    assert_eq!(
        results[1].as_ref().unwrap_err().code.as_deref(),
        Some("group_id_not_exists")
    );
    assert_eq!(results[2].as_ref().unwrap()["list"]["a@b.ru"], 1);
    let stopped = client
        .batch()
        .stop_on_error(true)
        .push("group.delete", json!({"id": "p99"}))
        .push("pong", serde_json::Value::Null)
        .await
        .unwrap();
    assert_eq!(stopped.len(), 1);
    let settings = client
        .settings(["member.hard.limit", "nope"])
        .await
        .unwrap();
    assert_eq!(settings["member.hard.limit"], "200");
    assert!(!settings.contains_key("nope"));
}
