//! Transactional messages for order events, each sent once: an outbox.
//!
//! A shop enqueues a [`Message`] under an idempotency key (`order-1234/shipped/buyer`) when
//! something happens; [`Templates`] map the event and the audience (buyer, seller,
//! administrator) to a provider template and its channel; an [`Outbox`] records the message
//! in the same store as the sync ([`MemoryStore`](crate::sync::store::MemoryStore),
//! [`SqliteStore`](crate::sync::store::SqliteStore) or
//! [`PostgresStore`](crate::sync::store::PostgresStore)) and dispatches it through a
//! [`Transport`] ([`SendethicTransport`], [`SendsayTransport`]).
//!
//! Each message ends in one of these states ([`MessageStatus`]):
//! - **sent**: the service confirmed it (its id or track id recorded);
//! - **failed**: refused for good (a 4xx, a named service error, a bad address);
//! - **dead**: throttled or unreachable for every attempt of the budget (only errors that
//!   prove the request was not acted on are retried: 429, `rate_limit`, no connection);
//! - **ambiguous**: the request may have reached the service (a timeout, a reset, a 5xx,
//!   a cut answer). It is never resent blindly. Sendsay sends are named after their key and
//!   read back from the issue statistics (`stat.uni` on `issue.name`) after a delay: found,
//!   the message is sent; verifiably absent, it is sent again. Sendethic offers no
//!   read-back of a transactional mail or an SMS: the message stays ambiguous until the
//!   caller settles it with [`Outbox::resolve`].
//!
//! A message is claimed durably before it is handed to the service, so a crash at any
//! point loses nothing and sends nothing twice: a claim left by a dispatcher that died is
//! resolved like an ambiguous send. Claims are compare-and-set on the store, so two
//! dispatchers on one outbox never send the same message.
//!
//! Pre-flight checks run at enqueue, before anything is stored or sent
//! ([`Templates::resolve`]): a template for the event and audience, the template's
//! variables, a well-formed address for the channel (email, E.164 phone, a push token of
//! at least 64 characters). [`preflight`] checks the templates themselves:
//! a marketing letter carries the unsubscribe link (`[% param.url_unsub %]` on Sendsay),
//! and a Sendsay sender is not a free-mail address (`gmail.com`, `mail.ru`, `yandex.ru`...).
//! The reference documents no length limit for an SMS text or sender name, so none is
//! enforced here.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> relance::Result<()> {
//! use relance::messaging::{Audience, Channel, Message, Outbox, Recipient, SendsayTransport, Template, Templates};
//! use relance::sync::store::{MemoryStore, Scope};
//! use relance::testing::FakeSendsay;
//!
//! let fake = FakeSendsay::start().await;
//! let draft = fake.client().drafts().set(relance::sendsay::NewDraft::email("Shipped", "Shipped", "<p>On its way</p>")).await?;
//! let templates = Templates::new().set("order_shipped", Audience::Buyer, Template::sendsay(draft.id.unwrap(), Channel::Email));
//! let store = MemoryStore::new(Scope::new("sendsay", "shop")?);
//! let outbox = Outbox::new(SendsayTransport::new(fake.client()), store, templates);
//! let m = Message::new("order-1234/shipped/buyer", "order_shipped", Audience::Buyer, Recipient::email("ann@example.com"));
//! outbox.enqueue(m.clone()).await?;
//! outbox.enqueue(m).await?; // the same key: nothing more
//! assert_eq!(outbox.dispatch().await?.sent, ["order-1234/shipped/buyer"]);
//! assert_eq!(fake.issues().len(), 1);
//! # Ok(()) }
//! ```

mod dispatch;
mod message;
pub mod preflight;
mod store;
mod templates;
mod transport;

pub use dispatch::{DispatchReport, Enqueued, Outbox};
pub use message::{Audience, Channel, Message, MessageStatus, OutboxEntry, Recipient};
pub use store::OutboxStore;
pub use templates::{Template, Templates};
pub use transport::{Lookup, SendethicTransport, SendsayTransport, Transport};
