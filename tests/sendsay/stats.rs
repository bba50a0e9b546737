//! `stat.uni`: inline rows and saved reports.

use relance::sendsay::{FilterRule, StatQuery};
use serde_json::json;

use crate::common::sendsay::{expect, fixture, setup};

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
            .filter_all(FilterRule::between(
                "issue.dt:Ys",
                "2022-12-01 00:00:00",
                "2022-12-31 23:59:59",
            ))
            .filter(FilterRule::eq("issue.format", "e"))
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
            .filter(FilterRule::eq("deliv.member.email", "my@secret.email"))
            .filter(FilterRule::eq("deliv.issue.dt:YD", "CURRENT")),
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
                .filter(FilterRule::eq("deliv.issue.id", "777")),
                StatQuery::new(["read.member.id", "read.issue.id", "count(*)"])
                    .filter(FilterRule::eq("read.issue.id", "777")),
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
                .filter(FilterRule::eq("delivstream.status", "bounced"))
                .filter(FilterRule::eq("delivstream.source", "1"))
                .order_desc("delivstream.dt"),
        )
        .await
        .unwrap();
}
