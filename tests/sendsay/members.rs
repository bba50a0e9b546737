//! `member.*`: both data models, reads, lists, counts, deletes, imports, confirmations.

use relance::sendsay::{
    AddrType, IfExists, MemberDelete, MemberId, MemberImport, MemberListQuery, MemberSet,
};
use serde_json::json;

use crate::common::sendsay::{expect, expect_all, fixture, setup};

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
async fn every_other_member_action_has_the_documented_shape() {
    let (server, client) = setup().await;
    let track = json!({"track.id": "77"});
    expect_all(
        &server,
        [
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
                json!({}),
            ),
            (
                json!({"action":"member.import","addr_type":"msisdn","if_exists":"ignore","charset":"utf-8","users.list":"79990000000","auto_group":{"id":"phones"},"clean_group":0}),
                track.clone(),
            ),
            (
                json!({"action":"member.sendconfirm","confirm":1,"group":"unconf","letter":"12"}),
                track,
            ),
        ],
    )
    .await;
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
}
