//! Order notifications through the outbox: a marketplace order split across two sellers
//! goes through its statuses, the buyer and both sellers get their messages (each audience
//! its own template, the buyer's "in your city" by SMS), while the service fails a third of
//! the sends with timeouts, resets, 5xx and 429. Every message ends sent exactly once, or,
//! where the service cannot be asked, ambiguous and settled by whoever can check.
//!
//! ```text
//! cargo run --example order_notifications [-- --provider sendsay|sendethic] [--state PATH]
//!     [--buyer EMAIL --phone E164 --seller EMAIL --seller EMAIL] [--template EVENT/AUDIENCE=ID]...
//! ```
//!
//! Offline (the default) it runs against the embedded fake, which creates the templates and
//! counts deliveries per idempotency key. With `SENDSAY_ACCOUNT`/`SENDSAY_API_KEY` (or
//! `SENDETHIC_ACCOUNT`/`SENDETHIC_API_KEY` with `--provider sendethic`) it sends for real:
//! give the recipients and one `--template` per status and audience (a Sendsay draft id, a
//! Sendethic transactional operation id); a message without one is refused at enqueue.
//! `--state PATH` keeps the outbox in a SQLite file (run it twice: nothing is sent twice).
//! The last line is `outbox: enqueued N, sent S, ambiguous A, failed F, dead D,
//! duplicates delivered X` (N counts the messages new to the outbox); the exit code is 0 only
//! when every message was sent once.

use std::collections::{BTreeMap, HashMap};
use std::error::Error;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use relance::messaging::{
    Audience, Channel, Message, MessageStatus, Outbox, OutboxEntry, OutboxStore, Recipient,
    SendethicTransport, SendsayTransport, Template, Templates, Transport,
};
use relance::sync::store::{MemoryStore, Scope, SqliteStore};
use relance::testing::{FakeSendethic, FakeSendsay, Fault, SentMessage};

const STATUSES: [&str; 6] = [
    "order_placed",
    "order_confirmed",
    "order_shipped",
    "order_in_city",
    "order_at_pickup_point",
    "order_handed_over",
];

const USAGE: &str = "usage: order_notifications [--provider sendsay|sendethic] [--state PATH] \
[--buyer EMAIL --phone E164 --seller EMAIL --seller EMAIL] [--template EVENT/AUDIENCE=ID]...";

struct Args {
    sendethic: bool,
    state: Option<PathBuf>,
    buyer: String,
    phone: String,
    sellers: Vec<String>,
    templates: BTreeMap<(String, String), String>,
}

fn args() -> Result<Option<Args>, Box<dyn Error>> {
    let mut out = Args {
        sendethic: false,
        state: None,
        buyer: "ann@buyer.example".into(),
        phone: "+79991234567".into(),
        sellers: Vec::new(),
        templates: BTreeMap::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--help" | "-h" => return Ok(None),
            "--provider" => out.sendethic = val()? == "sendethic",
            "--state" => out.state = Some(val()?.into()),
            "--buyer" => out.buyer = val()?,
            "--phone" => out.phone = val()?,
            "--seller" => out.sellers.push(val()?),
            "--template" => {
                let v = val()?;
                let (what, id) = v
                    .split_once('=')
                    .ok_or("--template needs EVENT/AUDIENCE=ID")?;
                let (event, audience) = what
                    .split_once('/')
                    .ok_or("--template needs EVENT/AUDIENCE=ID")?;
                out.templates
                    .insert((event.into(), audience.into()), id.into());
            }
            other => return Err(format!("unknown argument {other}\n{USAGE}").into()),
        }
    }
    if out.sellers.is_empty() {
        out.sellers = vec!["s1@vendors.example".into(), "s2@vendors.example".into()];
    }
    Ok(Some(out))
}

fn audience(name: &str) -> Option<Audience> {
    match name {
        "buyer" => Some(Audience::Buyer),
        "seller" => Some(Audience::Seller),
        "administrator" => Some(Audience::Administrator),
        _ => None,
    }
}

/// The buyer's "in your city" goes by SMS, everything else by email.
fn channel(status: &str, audience: Audience) -> Channel {
    if status == "order_in_city" && audience == Audience::Buyer {
        Channel::Sms
    } else {
        Channel::Email
    }
}

/// Order 1234: each status to the buyer and to both sellers.
fn messages(args: &Args) -> Vec<Message> {
    let mut out = Vec::new();
    for status in STATUSES {
        out.push(
            Message::new(
                format!("order-1234/{status}/buyer"),
                status,
                Audience::Buyer,
                Recipient::email(&args.buyer).phone(&args.phone),
            )
            .var("order_id", "1234"),
        );
        for (i, seller) in args.sellers.iter().enumerate() {
            out.push(
                Message::new(
                    format!("order-1234/{status}/seller-{}", i + 1),
                    status,
                    Audience::Seller,
                    Recipient::email(seller),
                )
                .var("order_id", "1234"),
            );
        }
    }
    out
}

/// A third of the sends fail: timeouts after the service sent, resets before and after,
/// 5xx after, 429.
fn faults(path: &str) -> Vec<Fault> {
    [
        Fault::delay(Duration::from_millis(700)).named("timeout after processing"),
        Fault::reset().named("reset before processing"),
        Fault::reset()
            .after_processing()
            .named("reset after processing"),
        Fault::html(503)
            .after_processing()
            .named("503 after processing"),
        Fault::status(429).header("Retry-After", "0").named("429"),
    ]
    .into_iter()
    .map(|f| f.on("POST", path).probability(0.07))
    .collect()
}

fn print_table(entries: &[OutboxEntry]) {
    println!(
        "{:<40} {:<6} {:<10} {:>8}  provider id / last error",
        "key", "channel", "status", "attempts"
    );
    for e in entries {
        let detail = match e.status {
            MessageStatus::Sent => e.provider_id.clone().unwrap_or_default(),
            _ => e.error.clone().unwrap_or_default(),
        };
        println!(
            "{:<40} {:<6} {:<10} {:>8}  {detail}",
            e.key(),
            e.template.channel(),
            e.status,
            e.attempts
        );
    }
}

struct Summary {
    enqueued: usize,
    entries: Vec<OutboxEntry>,
    duplicates: usize,
}

/// Enqueues each status's messages in turn, dispatching as the order moves on, then
/// drains the outbox.
async fn run<T: Transport, S: OutboxStore>(
    outbox: &Outbox<T, S>,
    messages: Vec<Message>,
) -> Result<usize, Box<dyn Error>> {
    let mut enqueued = 0;
    for status in STATUSES {
        for m in messages.iter().filter(|m| m.event == status) {
            match outbox.enqueue(m.clone()).await {
                Ok(relance::messaging::Enqueued::New(_)) => enqueued += 1,
                Ok(_) => println!("  {}: already in the outbox", m.key),
                Err(e) => println!("  not enqueued: {e}"),
            }
        }
        outbox.dispatch().await?;
    }
    outbox.drain(Duration::from_secs(20)).await?;
    Ok(enqueued)
}

fn client_timeout() -> Duration {
    Duration::from_millis(500)
}

async fn sendsay<S: OutboxStore>(args: &Args, store: S) -> Result<Summary, Box<dyn Error>> {
    let messages = messages(args);
    if std::env::var("SENDSAY_ACCOUNT").is_ok() && std::env::var("SENDSAY_API_KEY").is_ok() {
        println!("Using the real Sendsay service.");
        let mut templates = Templates::new();
        for ((event, who), id) in &args.templates {
            let a = audience(who).ok_or_else(|| format!("unknown audience {who}"))?;
            templates = templates.set(
                event.clone(),
                a,
                Template::sendsay(id.as_str(), channel(event, a)),
            );
        }
        let outbox = Outbox::new(
            SendsayTransport::new(relance::sendsay::Client::from_env()?),
            store,
            templates,
        );
        let enqueued = run(&outbox, messages).await?;
        return Ok(Summary {
            enqueued,
            entries: outbox.entries().await?,
            duplicates: 0,
        });
    }
    let fake = FakeSendsay::start().await;
    println!("Offline: the embedded Sendsay fake at {}", fake.base_url());
    let client = fake.client();
    let mut templates = Templates::new();
    for status in STATUSES {
        for a in [Audience::Buyer, Audience::Seller] {
            let draft = match channel(status, a) {
                Channel::Sms => relance::sendsay::NewDraft::sms(
                    format!("{status} {a}"),
                    "Order [% order_id %] is in your city",
                ),
                _ => relance::sendsay::NewDraft::email(
                    format!("{status} {a}"),
                    status,
                    "<p>Order [% order_id %]</p>",
                ),
            };
            let id = client
                .drafts()
                .set(draft)
                .await?
                .id
                .ok_or("the fake gave no draft id")?;
            templates = templates.set(
                status,
                a,
                Template::sendsay(id, channel(status, a)).requires(["order_id"]),
            );
        }
    }
    fake.reseed(7);
    for f in faults("/issue.send") {
        fake.inject(f);
    }
    let client = fake.client_builder().timeout(client_timeout()).build()?;
    let outbox = Outbox::new(SendsayTransport::new(client), store, templates)
        .retries(8, Duration::from_millis(50))
        .resolution(Duration::ZERO, Duration::from_secs(1));
    let enqueued = run(&outbox, messages).await?;
    let mut per_key: HashMap<String, usize> = HashMap::new();
    for issue in fake.issues() {
        *per_key
            .entry(issue["name"].as_str().unwrap_or("").to_owned())
            .or_default() += 1;
    }
    let faults = fake.requests().iter().filter(|r| r.fault.is_some()).count();
    println!(
        "the fake failed {faults} of {} sends",
        fake.hits("issue.send")
    );
    Ok(Summary {
        enqueued,
        entries: outbox.entries().await?,
        duplicates: per_key.values().map(|n| n.saturating_sub(1)).sum(),
    })
}

/// One transactional operation per status and audience on the fake (the buyer's "in your
/// city" an SMS text).
async fn sendethic_templates(fake: &FakeSendethic) -> Result<Templates, Box<dyn Error>> {
    let mut templates = Templates::new();
    for status in STATUSES {
        for a in [Audience::Buyer, Audience::Seller] {
            let t = if channel(status, a) == Channel::Sms {
                Template::sendethic_sms("Order {{order_id}} is in your city", Some("SHOP"))
            } else {
                let op = fake
                    .client()
                    .emailing()
                    .create(
                        relance::sendethic::NewEmail::new(
                            format!("{status} {a}"),
                            status,
                            "orders@shop.example",
                        )
                        .html("<p>Order</p>"),
                    )
                    .await?;
                Template::sendethic_email(op.id)
            };
            templates = templates.set(status, a, t.requires(["order_id"]));
        }
    }
    Ok(templates)
}

async fn sendethic<S: OutboxStore>(args: &Args, store: S) -> Result<Summary, Box<dyn Error>> {
    let messages = messages(args);
    if std::env::var("SENDETHIC_ACCOUNT").is_ok() && std::env::var("SENDETHIC_API_KEY").is_ok() {
        println!("Using the real Sendethic service.");
        let mut templates = Templates::new();
        for ((event, who), id) in &args.templates {
            let a = audience(who).ok_or_else(|| format!("unknown audience {who}"))?;
            templates = templates.set(
                event.clone(),
                a,
                Template::sendethic_email(relance::sendethic::OperationId(id.parse()?)),
            );
        }
        let outbox = Outbox::new(
            SendethicTransport::new(relance::sendethic::Client::from_env()?),
            store,
            templates,
        );
        let enqueued = run(&outbox, messages).await?;
        return Ok(Summary {
            enqueued,
            entries: outbox.entries().await?,
            duplicates: 0,
        });
    }
    let fake = FakeSendethic::start().await;
    println!(
        "Offline: the embedded Sendethic fake at {}",
        fake.base_url()
    );
    let templates = sendethic_templates(&fake).await?;
    fake.reseed(7);
    for path in ["/emailing/sendsmtp", "/sms/send"] {
        for f in faults(path) {
            fake.inject(f);
        }
    }
    let client = fake.client_builder().timeout(client_timeout()).build()?;
    let outbox = Outbox::new(SendethicTransport::new(client), store, templates)
        .retries(8, Duration::from_millis(50))
        .resolution(Duration::ZERO, Duration::from_secs(1));
    let enqueued = run(&outbox, messages).await?;
    // Sendethic cannot be asked whether an ambiguous send went out: an operator checks the
    // service's log (here, the fake's) and settles each one.
    let sent = fake.sent();
    let delivered = |e: &OutboxEntry| -> usize {
        let to = e
            .message
            .recipient
            .address(e.template.channel())
            .unwrap_or("");
        sent.iter()
            .filter(|s| match (s, &e.template) {
                (
                    SentMessage::Transactional {
                        operation,
                        recipient,
                        ..
                    },
                    Template::SendethicEmail { operation: op, .. },
                ) => operation == op && recipient == to,
                (SentMessage::Sms { mobile, .. }, Template::SendethicSms { .. }) => mobile == to,
                _ => false,
            })
            .count()
    };
    for e in outbox
        .entries()
        .await?
        .iter()
        .filter(|e| e.status == MessageStatus::Ambiguous)
    {
        let found = delivered(e) > 0;
        println!(
            "  ambiguous {}: the service's log says {}",
            e.key(),
            if found { "sent" } else { "not sent" }
        );
        outbox.resolve(e.key(), found).await?;
    }
    outbox.drain(Duration::from_secs(20)).await?;
    let entries = outbox.entries().await?;
    let duplicates = entries.iter().map(|e| delivered(e).saturating_sub(1)).sum();
    Ok(Summary {
        enqueued,
        entries,
        duplicates,
    })
}

async fn job(args: &Args) -> Result<Summary, Box<dyn Error>> {
    let scope = Scope::new(
        if args.sendethic {
            "sendethic"
        } else {
            "sendsay"
        },
        "order-notifications",
    )?;
    if let Some(path) = &args.state {
        println!("outbox: {}", path.display());
        let store = Arc::new(SqliteStore::open(path, scope)?);
        if args.sendethic {
            sendethic(args, store).await
        } else {
            sendsay(args, store).await
        }
    } else {
        let store = MemoryStore::new(scope);
        if args.sendethic {
            sendethic(args, store).await
        } else {
            sendsay(args, store).await
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match args() {
        Ok(Some(a)) => a,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("order_notifications: {e}");
            return ExitCode::from(2);
        }
    };
    match job(&args).await {
        Ok(s) => {
            print_table(&s.entries);
            let count = |st: MessageStatus| s.entries.iter().filter(|e| e.status == st).count();
            let sent = count(MessageStatus::Sent);
            println!(
                "outbox: enqueued {}, sent {sent}, ambiguous {}, failed {}, dead {}, duplicates delivered {}",
                s.enqueued,
                count(MessageStatus::Ambiguous),
                count(MessageStatus::Failed),
                count(MessageStatus::Dead),
                s.duplicates
            );
            if sent == s.entries.len() && s.duplicates == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("order_notifications: {e}");
            ExitCode::FAILURE
        }
    }
}
