//! Email and SMS operations through the stateful fake: the state machine, recorded sends,
//! credits, and the activity-statistics pipeline.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::cast_precision_loss)]

use std::time::Duration;

use chrono::Utc;
use relance::Error;
use relance::sendethic::{
    ActivityRange, Client, Contact, CreditType, Criteria, Criterion, FieldFormat, FieldSpec,
    JobWait, Mode, NewEmail, NewSegment, NewSms, OperationStatus, Receivers, Schedule, SmsMessage,
    TestEmail, TransactionalEmail,
};
use relance::testing::{FakeSendethic, SentMessage};

/// 30 contacts, 10 of them with 2+ orders, each with a mobile; and a segment of the 10.
async fn seed(fake: &FakeSendethic) -> (Client, relance::sendethic::SegmentId) {
    let client = fake.client();
    let orders = client
        .fields()
        .ensure(FieldSpec::new(
            "relance_orders_count",
            "Orders",
            FieldFormat::Number,
        ))
        .await
        .unwrap()
        .field
        .id;
    let contacts = (0..30).map(move |i| {
        Contact::new(format!("c{i:02}@example.com"))
            .mobile(format!("+336123400{i:02}"))
            .custom(orders, if i < 10 { "3" } else { "1" })
    });
    let report = client.contacts().upsert_many(contacts).await.unwrap();
    assert!(report.is_complete());
    let segment = client
        .segments()
        .create(NewSegment::new(
            "Repeat buyers",
            Mode::Intersect,
            Criteria::new().with(Criterion::number_at_least(orders, 2)),
        ))
        .await
        .unwrap();
    (client, segment.id)
}

#[tokio::test]
async fn email_state_machine_sends_and_credits() {
    let fake = FakeSendethic::start().await;
    fake.set_credits(CreditType::Marketing, 0, 100);
    let (client, segment) = seed(&fake).await;
    let emailing = client.emailing();
    let op = emailing
        .create(
            NewEmail::new("June", "Summer", "shop@example.com")
                .html("<p>Hi</p>")
                .receivers(Receivers::new().segment(segment))
                .schedule(Schedule::Asap),
        )
        .await
        .unwrap();
    assert_eq!(op.status, Some(OperationStatus::Edited));

    emailing
        .test(op.id, TestEmail::new("qa@example.com"))
        .await
        .unwrap();
    // Suspending an edited operation is refused.
    assert_eq!(
        emailing.suspend(op.id).await.unwrap_err().status(),
        Some(400)
    );

    emailing.approve(op.id).await.unwrap();
    // Approving twice is refused: the server keeps its state.
    assert_eq!(
        emailing.approve(op.id).await.unwrap_err().status(),
        Some(400)
    );
    assert_eq!(
        fake.credits(CreditType::Marketing).used,
        10,
        "one credit per recipient"
    );

    let sent = fake.sent();
    assert_eq!(
        sent[0],
        SentMessage::Test {
            operation: op.id.get(),
            recipient: "qa@example.com".into()
        }
    );
    let SentMessage::Campaign {
        recipients,
        channel,
        ..
    } = &sent[1]
    else {
        panic!("{sent:?}")
    };
    assert_eq!(*channel, "emailing");
    assert_eq!(recipients.len(), 10);
    assert!(recipients.iter().all(|r| r.as_str() < "c10"));

    // running → completed after one read (the fake's default).
    let got = emailing.get(op.id).await.unwrap();
    assert_eq!(got.status, Some(OperationStatus::Completed));
    let done = emailing
        .list_by_status(&OperationStatus::Completed, 10)
        .await
        .unwrap();
    assert_eq!(done.len(), 1);
    assert!(done[0].receivers.is_none(), "lists carry no receivers");
    emailing.delete(op.id).await.unwrap();
    assert_eq!(emailing.get(op.id).await.unwrap_err().status(), Some(404));
}

#[tokio::test]
async fn suspend_and_resume_a_running_operation() {
    let fake = FakeSendethic::start().await;
    fake.set_operations_complete_after(100);
    let (client, segment) = seed(&fake).await;
    let emailing = client.emailing();
    let op = emailing
        .create(
            NewEmail::new("Long", "S", "shop@example.com")
                .receivers(Receivers::new().segment(segment)),
        )
        .await
        .unwrap();
    emailing.approve(op.id).await.unwrap();
    emailing.suspend(op.id).await.unwrap();
    assert_eq!(
        emailing.get(op.id).await.unwrap().status,
        Some(OperationStatus::Suspended)
    );
    assert_eq!(
        emailing.suspend(op.id).await.unwrap_err().status(),
        Some(400)
    );
    emailing.resume(op.id).await.unwrap();
    assert_eq!(
        emailing.get(op.id).await.unwrap().status,
        Some(OperationStatus::Running)
    );
    // The approval happened once, whatever the suspensions.
    let campaigns = fake
        .sent()
        .iter()
        .filter(|s| matches!(s, SentMessage::Campaign { .. }))
        .count();
    assert_eq!(campaigns, 1);
}

#[tokio::test]
async fn not_enough_credits_refuses_the_approval() {
    let fake = FakeSendethic::start().await;
    fake.set_credits(CreditType::Marketing, 95, 100);
    let (client, segment) = seed(&fake).await;
    let op = client
        .emailing()
        .create(
            NewEmail::new("Big", "S", "shop@example.com")
                .receivers(Receivers::new().segment(segment)),
        )
        .await
        .unwrap();
    let err = client.emailing().approve(op.id).await.unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert!(err.api().unwrap().message.contains("credits"));
    assert_eq!(
        client.emailing().get(op.id).await.unwrap().status,
        Some(OperationStatus::Edited)
    );
}

#[tokio::test]
async fn transactional_and_sms_sends_are_recorded_once() {
    let fake = FakeSendethic::start().await;
    fake.set_credits(CreditType::Sms, 0, 12);
    let (client, segment) = seed(&fake).await;
    let template = client
        .emailing()
        .create(NewEmail::new(
            "Order confirmation",
            "Your order",
            "shop@example.com",
        ))
        .await
        .unwrap();
    client
        .emailing()
        .send_transactional(
            template.id,
            TransactionalEmail::new("jane@example.com").data("firstname", "Jane"),
        )
        .await
        .unwrap();
    assert_eq!(fake.credits(CreditType::Transactional).used, 1);

    // A 503 on an SMS is not retried: one request, no SMS recorded, no credit spent.
    fake.inject(
        relance::testing::Fault::status(503)
            .on("POST", "/sms/send")
            .times(1),
    );
    let err = client
        .sms()
        .send(SmsMessage::new("+33612340001", "Shipped"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(fake.hits("POST", "/sms/send"), 1);
    client
        .sms()
        .send(SmsMessage::new("+33612340001", "Shipped"))
        .await
        .unwrap();
    assert_eq!(fake.credits(CreditType::Sms).used, 1);

    // An SMS campaign to the segment needs 10 credits; 11 are left.
    let op = client
        .sms()
        .create(NewSms::new("Flash", "-20%").receivers(Receivers::new().segment(segment)))
        .await
        .unwrap();
    client.sms().approve(op.id).await.unwrap();
    assert_eq!(fake.credits(CreditType::Sms).used, 11);
    let sent = fake.sent();
    assert!(
        matches!(&sent[0], SentMessage::Transactional { recipient, data, .. }
        if recipient == "jane@example.com" && data["firstname"] == "Jane")
    );
    assert!(matches!(&sent[1], SentMessage::Sms { mobile, .. } if mobile == "+33612340001"));
    let SentMessage::Campaign {
        channel,
        recipients,
        ..
    } = &sent[2]
    else {
        panic!("{sent:?}")
    };
    assert_eq!((*channel, recipients.len()), ("sms", 10));
    assert!(recipients.iter().all(|m| m.starts_with("+336")));
    assert_eq!(
        client.sms().get(op.id).await.unwrap().status,
        Some(OperationStatus::Completed)
    );
}

#[tokio::test]
async fn campaign_statistics_from_the_activity_export() {
    let fake = FakeSendethic::start().await;
    fake.set_jobs_ready_after(3);
    let (client, segment) = seed(&fake).await;
    let op = client
        .emailing()
        .create(
            NewEmail::new("June", "S", "shop@example.com")
                .receivers(Receivers::new().segment(segment)),
        )
        .await
        .unwrap();
    client.emailing().approve(op.id).await.unwrap();
    let now = Utc::now();
    let range = ActivityRange::new(now - chrono::Duration::days(1), now);
    let wait = JobWait::new(Duration::from_secs(10)).interval(Duration::from_millis(10));
    let activity = client
        .stats()
        .activity(op.id, range.clone(), wait)
        .await
        .unwrap();
    assert_eq!(activity.records.len(), 10);
    assert_eq!(activity.headers[0], "email");
    assert_eq!(
        fake.hits("GET", &format!("/emailing/export/{}", activity.export.id)),
        3
    );
    let stats = activity.stats();
    assert_eq!(stats.recipients, 10);
    let opens = stats.column("emailopenings").unwrap();
    let opened = activity
        .records
        .iter()
        .filter(|r| r.openings().unwrap_or(0) > 0)
        .count();
    assert_eq!(opens.recipients_with_event, opened as u64);
    assert!((opens.rate - opened as f64 / 10.0).abs() < 1e-9);
    let clicks_total: i64 = activity
        .records
        .iter()
        .filter_map(relance::sendethic::Record::clicks)
        .sum();
    let expected_total = clicks_total as f64;
    assert_eq!(
        stats.column("emailclicks").unwrap().total,
        Some(expected_total)
    );
    assert!(activity.records.iter().all(|r| r.email().is_some()));

    // A deadline shorter than the export gives JobTimeout.
    fake.set_jobs_ready_after(50);
    let short = JobWait::new(Duration::from_millis(30)).interval(Duration::from_millis(10));
    let err = client
        .stats()
        .activity(op.id, range, short)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::JobTimeout { .. }), "{err:?}");
}
