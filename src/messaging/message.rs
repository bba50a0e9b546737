//! What the outbox holds: messages by idempotency key, their audience, recipient and
//! variables, and the state of each one's delivery.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::templates::Template;

/// Who a message is for on a marketplace: each audience has its own designs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Audience {
    /// The buyer of an order.
    Buyer,
    /// A seller of (part of) an order.
    Seller,
    /// The marketplace's administrators.
    Administrator,
}

impl fmt::Display for Audience {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Self::Buyer => "buyer",
            Self::Seller => "seller",
            Self::Administrator => "administrator",
        })
    }
}

/// A channel a message goes out on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Channel {
    /// Email.
    Email,
    /// SMS, to a phone number in E.164.
    Sms,
    /// Viber, to a phone number in E.164.
    Viber,
    /// Telegram, to the member's Telegram identifier.
    Telegram,
    /// VK, to the member's VK identifier.
    Vk,
    /// Mobile push, to a registration token (`<token>@<service>.<os>.<authext_id>`).
    Push,
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Self::Email => "email",
            Self::Sms => "sms",
            Self::Viber => "viber",
            Self::Telegram => "telegram",
            Self::Vk => "vk",
            Self::Push => "push",
        })
    }
}

/// The identities of a recipient, one per channel it can be reached on.
///
/// ```
/// use relance::messaging::{Channel, Recipient};
/// let r = Recipient::email("ann@example.com").phone("+33612345678");
/// assert_eq!(r.address(Channel::Sms), Some("+33612345678"));
/// assert_eq!(r.address(Channel::Viber), Some("+33612345678"));
/// assert_eq!(r.address(Channel::Telegram), None);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    email: Option<String>,
    phone: Option<String>,
    ids: BTreeMap<Channel, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    group: Option<String>,
}

impl Recipient {
    /// A recipient with an email address.
    ///
    /// ```
    /// let r = relance::messaging::Recipient::email("ann@example.com");
    /// assert_eq!(r.address(relance::messaging::Channel::Email), Some("ann@example.com"));
    /// ```
    #[must_use]
    pub fn email(email: impl Into<String>) -> Self {
        Self::default().with_email(email)
    }

    /// A recipient with only a phone number (E.164).
    ///
    /// ```
    /// let r = relance::messaging::Recipient::phone_only("+33612345678");
    /// assert_eq!(r.address(relance::messaging::Channel::Email), None);
    /// ```
    #[must_use]
    pub fn phone_only(phone: impl Into<String>) -> Self {
        Self::default().phone(phone)
    }

    /// The same recipient with this email address.
    ///
    /// ```
    /// let r = relance::messaging::Recipient::phone_only("+33612345678").with_email("a@b.fr");
    /// assert_eq!(r.address(relance::messaging::Channel::Email), Some("a@b.fr"));
    /// ```
    #[must_use]
    pub fn with_email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into().trim().to_owned()).filter(|e| !e.is_empty());
        self
    }

    /// The same recipient with a phone number (E.164), for SMS and Viber.
    ///
    /// ```
    /// let r = relance::messaging::Recipient::email("a@b.fr").phone("+33612345678");
    /// assert!(r.address(relance::messaging::Channel::Sms).is_some());
    /// ```
    #[must_use]
    pub fn phone(mut self, phone: impl Into<String>) -> Self {
        self.phone = Some(phone.into().trim().to_owned()).filter(|p| !p.is_empty());
        self
    }

    /// The same recipient with its identifier on another channel (Telegram, VK, push).
    ///
    /// ```
    /// use relance::messaging::{Channel, Recipient};
    /// let r = Recipient::email("a@b.fr").id(Channel::Telegram, "123456789");
    /// assert_eq!(r.address(Channel::Telegram), Some("123456789"));
    /// ```
    #[must_use]
    pub fn id(mut self, channel: Channel, id: impl Into<String>) -> Self {
        let id = id.into().trim().to_owned();
        if !id.is_empty() {
            self.ids.insert(channel, id);
        }
        self
    }

    /// Every member of a Sendsay group (a list or a segment) at once: the draft goes to the
    /// group (`issue.send` with `group`), each member on its address for the draft's
    /// channel.
    ///
    /// ```
    /// let r = relance::messaging::Recipient::group("p42");
    /// assert_eq!(r.group_id(), Some("p42"));
    /// ```
    #[must_use]
    pub fn group(group: impl Into<String>) -> Self {
        Self {
            group: Some(group.into().trim().to_owned()).filter(|g| !g.is_empty()),
            ..Self::default()
        }
    }

    /// The Sendsay group, for a message to a whole group.
    ///
    /// ```
    /// assert_eq!(relance::messaging::Recipient::email("a@b.fr").group_id(), None);
    /// ```
    #[must_use]
    pub fn group_id(&self) -> Option<&str> {
        self.group.as_deref()
    }

    /// The address to use on `channel`, if the recipient has one.
    ///
    /// ```
    /// use relance::messaging::{Channel, Recipient};
    /// assert_eq!(Recipient::email("a@b.fr").address(Channel::Push), None);
    /// ```
    #[must_use]
    pub fn address(&self, channel: Channel) -> Option<&str> {
        match channel {
            Channel::Email => self.email.as_deref(),
            Channel::Sms | Channel::Viber => self
                .ids
                .get(&channel)
                .map(String::as_str)
                .or(self.phone.as_deref()),
            other => self.ids.get(&other).map(String::as_str),
        }
    }
}

/// A message to enqueue: an event of an audience, to a recipient, with the personalisation
/// variables of its template, under a caller-given idempotency key.
///
/// ```
/// use relance::messaging::{Audience, Message, Recipient};
/// let m = Message::new("order-1234/shipped/buyer", "order_shipped", Audience::Buyer, Recipient::email("ann@example.com"))
///     .var("order_id", "1234");
/// assert_eq!(m.vars["order_id"], "1234");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Message {
    /// The idempotency key (`order-1234/shipped/buyer`): one message per key, ever.
    pub key: String,
    /// The event (`order_shipped`), which with the audience selects the template.
    pub event: String,
    /// Who it is for.
    pub audience: Audience,
    /// Where it goes.
    pub recipient: Recipient,
    /// The template's variables.
    pub vars: BTreeMap<String, String>,
}

impl Message {
    /// A message without variables.
    ///
    /// ```
    /// use relance::messaging::{Audience, Message, Recipient};
    /// let m = Message::new("k", "order_placed", Audience::Seller, Recipient::email("s@shop.example"));
    /// assert_eq!(m.audience, Audience::Seller);
    /// ```
    #[must_use]
    pub fn new(
        key: impl Into<String>,
        event: impl Into<String>,
        audience: Audience,
        recipient: Recipient,
    ) -> Self {
        Self {
            key: key.into(),
            event: event.into(),
            audience,
            recipient,
            vars: BTreeMap::new(),
        }
    }

    /// The same message with a variable.
    ///
    /// ```
    /// use relance::messaging::{Audience, Message, Recipient};
    /// let m = Message::new("k", "e", Audience::Buyer, Recipient::email("a@b.fr")).var("city", "Lyon");
    /// assert_eq!(m.vars.len(), 1);
    /// ```
    #[must_use]
    pub fn var(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.vars.insert(name.into(), value.into());
        self
    }
}

/// Where a message's delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MessageStatus {
    /// Waiting to be sent (first time, or again after a failure that proves it was not).
    Pending,
    /// Handed to the service by a dispatcher that has not recorded the outcome yet (or
    /// crashed before it could): resolved like an ambiguous send once stale.
    Sending,
    /// The service confirmed it (with its id or track id when it gives one).
    Sent,
    /// The request may have reached the service: never resent automatically; resolved by
    /// reading back where the service allows, otherwise left to the caller
    /// ([`Outbox::resolve`](super::Outbox::resolve)).
    Ambiguous,
    /// Refused for good (a bad address, a missing template at the service...).
    Failed,
    /// Failed in a way worth retrying, for every attempt of the budget.
    Dead,
}

impl MessageStatus {
    /// The status's name (`pending`, `sending`, `sent`, `ambiguous`, `failed`, `dead`).
    ///
    /// ```
    /// assert_eq!(relance::messaging::MessageStatus::Dead.as_str(), "dead");
    /// ```
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Ambiguous => "ambiguous",
            Self::Failed => "failed",
            Self::Dead => "dead",
        }
    }

    /// Whether nothing more will happen to it without the caller.
    ///
    /// ```
    /// use relance::messaging::MessageStatus;
    /// assert!(MessageStatus::Sent.is_final() && !MessageStatus::Pending.is_final());
    /// ```
    #[must_use]
    pub fn is_final(self) -> bool {
        matches!(self, Self::Sent | Self::Failed | Self::Dead)
    }
}

impl fmt::Display for MessageStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A message in the outbox, with its template and its delivery's state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OutboxEntry {
    /// The message.
    pub message: Message,
    /// The template it was enqueued with.
    pub template: Template,
    /// Where its delivery stands.
    pub status: MessageStatus,
    /// Send attempts so far.
    pub attempts: u32,
    /// When the dispatcher looks at it next (a retry, a read-back, a stale claim).
    pub next_at: DateTime<Utc>,
    /// When it was last handed to the service.
    pub attempted_at: Option<DateTime<Utc>>,
    /// The service's id for it (a Sendsay track id, a Sendethic answer).
    pub provider_id: Option<String>,
    /// The last error, as text.
    pub error: Option<String>,
    /// When it was enqueued.
    pub enqueued_at: DateTime<Utc>,
}

impl OutboxEntry {
    /// Its idempotency key.
    ///
    /// ```
    /// # use relance::messaging::*;
    /// # let e: OutboxEntry = serde_json::from_str(r#"{"message":{"key":"k","event":"e","audience":"buyer","recipient":{"email":"a@b.fr","phone":null,"ids":{}},"vars":{}},"template":{"kind":"sendethic_email","operation":7,"requires":[]},"status":"pending","attempts":0,"next_at":"2024-01-01T00:00:00Z","attempted_at":null,"provider_id":null,"error":null,"enqueued_at":"2024-01-01T00:00:00Z"}"#).unwrap();
    /// assert_eq!(e.key(), "k");
    /// ```
    #[must_use]
    pub fn key(&self) -> &str {
        &self.message.key
    }
}
