//! `sequence.member.*`: the documented shapes, checked input, no automatic retry, and a
//! start recorded by the fake.

use relance::sendsay::{AddrType, WorkflowCall};
use serde_json::json;

use crate::common::sendsay::{expect_all, setup};

#[tokio::test]
async fn every_workflow_action_has_the_documented_shape() {
    let (server, client) = setup().await;
    expect_all(
        &server,
        [
            (
                json!({"action":"sequence.member.start","id":12,"email":"a@b.ru"}),
                json!({}),
            ),
            (
                json!({"action":"sequence.member.stop","id":12,"list":["a@b.ru","c@d.ru"]}),
                json!({}),
            ),
            (
                json!({"action":"sequence.member.pause","id":12,"group":"p42"}),
                json!({}),
            ),
            (
                json!({"action":"sequence.member.resume","id":12,"email":"79990001122","addr_type":"msisdn"}),
                json!({}),
            ),
        ],
    )
    .await;
    let w = client.workflows();
    w.start(&WorkflowCall::one(12, " a@b.ru ")).await.unwrap();
    w.stop(&WorkflowCall::list(12, ["a@b.ru", "c@d.ru"]))
        .await
        .unwrap();
    w.pause(&WorkflowCall::group(12, "p42")).await.unwrap();
    w.resume(&WorkflowCall::one(12, "79990001122").addr_type(AddrType::Msisdn))
        .await
        .unwrap();
    for bad in [
        WorkflowCall::one(12, ""),
        WorkflowCall::list(12, Vec::<String>::new()),
        WorkflowCall::group(12, " "),
        WorkflowCall::one("", "a@b.ru"),
    ] {
        assert!(matches!(
            w.start(&bad).await,
            Err(relance::Error::InvalidInput { .. })
        ));
    }
    let call = WorkflowCall::one(12, "a@b.ru");
    assert!(!w.start(&call).is_retry_safe());
    assert!(!w.stop(&call).is_retry_safe());
    assert!(!w.pause(&call).is_retry_safe());
    assert!(!w.resume(&call).is_retry_safe());
}

#[tokio::test]
async fn the_fake_records_each_start() {
    let fake = relance::testing::FakeSendsay::start().await;
    let client = fake.client();
    client
        .workflows()
        .start(&WorkflowCall::one(7, "Ann@Example.com"))
        .await
        .unwrap();
    assert_eq!(fake.workflow_starts(), [(7, "ann@example.com".to_owned())]);
}
