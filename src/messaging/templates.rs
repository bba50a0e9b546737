//! Which template each (event, audience) uses, on which channel, with which variables; and
//! the checks a message passes at enqueue, before anything is sent.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::message::{Audience, Channel, Message};
use crate::error::{Error, Result};
use crate::sendethic::OperationId;
use crate::sendsay::DraftId;

/// A provider template and the channel it sends on.
///
/// Sendsay sends every channel through a stored draft of that channel (`issue.send` to one
/// member, `group: "personal"`, the member's address for the channel in `email`): the
/// reference documents no inline letter shape for SMS, Viber, Telegram, VK or push, so a
/// stored draft is the supported path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Template {
    /// A Sendethic transactional mail reusing an operation's HTML and text
    /// (`POST /emailing/sendsmtp/{operation}`).
    SendethicEmail {
        /// The operation id.
        operation: i64,
        /// The variables a message must carry.
        requires: Vec<String>,
    },
    /// A Sendethic single SMS (`POST /sms/send`) whose text is rendered here: every
    /// `{{name}}` is replaced by the message's variable.
    SendethicSms {
        /// The text with `{{name}}` placeholders.
        text: String,
        /// The custom sender name (`oadc`), if any.
        sender: Option<String>,
        /// The variables a message must carry.
        requires: Vec<String>,
    },
    /// A Sendsay stored draft of a channel.
    SendsayDraft {
        /// The draft id.
        draft: String,
        /// The draft's channel.
        channel: Channel,
        /// The variables a message must carry (sent as `extra`, `[% name %]` in the draft).
        requires: Vec<String>,
    },
}

impl Template {
    /// A Sendethic transactional mail of operation `id`.
    ///
    /// ```
    /// use relance::messaging::{Channel, Template};
    /// let t = Template::sendethic_email(relance::sendethic::OperationId(7));
    /// assert_eq!(t.channel(), Channel::Email);
    /// ```
    #[must_use]
    pub fn sendethic_email(operation: OperationId) -> Self {
        Self::SendethicEmail {
            operation: operation.0,
            requires: Vec::new(),
        }
    }

    /// A Sendethic single SMS with this text (`{{name}}` placeholders).
    ///
    /// ```
    /// use relance::messaging::{Channel, Template};
    /// let t = Template::sendethic_sms("Order {{order_id}} shipped", Some("MYSHOP"));
    /// assert_eq!(t.channel(), Channel::Sms);
    /// ```
    #[must_use]
    pub fn sendethic_sms(text: impl Into<String>, sender: Option<&str>) -> Self {
        Self::SendethicSms {
            text: text.into(),
            sender: sender.map(str::to_owned),
            requires: Vec::new(),
        }
    }

    /// A Sendsay stored draft of `channel`.
    ///
    /// ```
    /// use relance::messaging::{Channel, Template};
    /// let t = Template::sendsay(42, Channel::Telegram);
    /// assert_eq!(t.channel(), Channel::Telegram);
    /// ```
    #[must_use]
    pub fn sendsay(draft: impl Into<DraftId>, channel: Channel) -> Self {
        Self::SendsayDraft {
            draft: draft.into().as_str().to_owned(),
            channel,
            requires: Vec::new(),
        }
    }

    /// The same template, refusing messages without these variables.
    ///
    /// ```
    /// use relance::messaging::Template;
    /// let t = Template::sendsay(42, relance::messaging::Channel::Email).requires(["order_id"]);
    /// assert_eq!(t.required(), ["order_id"]);
    /// ```
    #[must_use]
    pub fn requires<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let names: Vec<String> = names.into_iter().map(Into::into).collect();
        match &mut self {
            Self::SendethicEmail { requires, .. }
            | Self::SendethicSms { requires, .. }
            | Self::SendsayDraft { requires, .. } => requires.extend(names),
        }
        self
    }

    /// The variables a message must carry.
    ///
    /// ```
    /// let t = relance::messaging::Template::sendethic_email(relance::sendethic::OperationId(7));
    /// assert!(t.required().is_empty());
    /// ```
    #[must_use]
    pub fn required(&self) -> &[String] {
        match self {
            Self::SendethicEmail { requires, .. }
            | Self::SendethicSms { requires, .. }
            | Self::SendsayDraft { requires, .. } => requires,
        }
    }

    /// The channel it sends on.
    ///
    /// ```
    /// use relance::messaging::{Channel, Template};
    /// assert_eq!(Template::sendsay(1, Channel::Sms).channel(), Channel::Sms);
    /// ```
    #[must_use]
    pub fn channel(&self) -> Channel {
        match self {
            Self::SendethicEmail { .. } => Channel::Email,
            Self::SendethicSms { .. } => Channel::Sms,
            Self::SendsayDraft { channel, .. } => *channel,
        }
    }
}

/// The configuration mapping (event, audience) to a template.
///
/// ```
/// use relance::messaging::{Audience, Channel, Templates, Template};
/// let templates = Templates::new()
///     .set("order_shipped", Audience::Buyer, Template::sendsay(11, Channel::Email))
///     .set("order_shipped", Audience::Seller, Template::sendsay(12, Channel::Email));
/// assert!(templates.get("order_shipped", Audience::Seller).is_some());
/// assert!(templates.get("order_shipped", Audience::Administrator).is_none());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Templates {
    map: BTreeMap<(String, Audience), Template>,
}

impl Templates {
    /// No templates.
    ///
    /// ```
    /// assert!(relance::messaging::Templates::new().get("x", relance::messaging::Audience::Buyer).is_none());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The same configuration with `template` for `event` and `audience`.
    ///
    /// ```
    /// use relance::messaging::{Audience, Channel, Templates, Template};
    /// let t = Templates::new().set("order_placed", Audience::Buyer, Template::sendsay(1, Channel::Sms));
    /// assert_eq!(t.get("order_placed", Audience::Buyer).unwrap().channel(), Channel::Sms);
    /// ```
    #[must_use]
    pub fn set(mut self, event: impl Into<String>, audience: Audience, template: Template) -> Self {
        self.map.insert((event.into(), audience), template);
        self
    }

    /// The template of `event` for `audience`.
    ///
    /// ```
    /// assert!(relance::messaging::Templates::new().get("e", relance::messaging::Audience::Seller).is_none());
    /// ```
    #[must_use]
    pub fn get(&self, event: &str, audience: Audience) -> Option<&Template> {
        self.map.get(&(event.to_owned(), audience))
    }

    /// Every template, with its event and audience.
    ///
    /// ```
    /// assert_eq!(relance::messaging::Templates::new().iter().count(), 0);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, Audience, &Template)> {
        self.map.iter().map(|((e, a), t)| (e.as_str(), *a, t))
    }

    /// The template of a message, after the checks a message passes before it is stored:
    /// a template exists for its event and audience, it carries the template's variables,
    /// and its recipient has a well-formed address on the template's channel.
    ///
    /// ```
    /// use relance::messaging::{Audience, Channel, Message, Recipient, Template, Templates};
    /// let t = Templates::new().set("order_shipped", Audience::Buyer, Template::sendsay(1, Channel::Sms));
    /// let m = Message::new("k", "order_shipped", Audience::Buyer, Recipient::email("a@b.fr"));
    /// let err = t.resolve(&m).unwrap_err();
    /// assert!(err.to_string().contains("no sms address"), "{err}");
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the message's key and what is wrong.
    pub fn resolve(&self, message: &Message) -> Result<Template> {
        let bad = |why: String| Error::invalid(message.key.clone(), why);
        if message.key.trim().is_empty() {
            return Err(Error::invalid("key", "the idempotency key is empty"));
        }
        let template = self.get(&message.event, message.audience).ok_or_else(|| {
            bad(format!(
                "no template for event `{}` and audience {}",
                message.event, message.audience
            ))
        })?;
        if let Some(missing) = template
            .required()
            .iter()
            .find(|v| !message.vars.contains_key(v.as_str()))
        {
            return Err(bad(format!("the template needs the variable `{missing}`")));
        }
        let channel = template.channel();
        if message.recipient.group_id().is_some() {
            return match template {
                Template::SendsayDraft { .. } => Ok(template.clone()),
                _ => Err(bad("only a Sendsay draft goes to a whole group".into())),
            };
        }
        let address = message
            .recipient
            .address(channel)
            .ok_or_else(|| bad(format!("the recipient has no {channel} address")))?;
        check_address(channel, address)
            .map_err(|why| bad(format!("{channel} address {address:?}: {why}")))?;
        Ok(template.clone())
    }
}

/// Whether an address is well formed for its channel.
fn check_address(channel: Channel, address: &str) -> std::result::Result<(), &'static str> {
    match channel {
        Channel::Email => {
            let (local, domain) = address.split_once('@').ok_or("not an email address")?;
            if local.is_empty() || !domain.contains('.') || address.contains(char::is_whitespace) {
                return Err("not an email address");
            }
        }
        Channel::Sms | Channel::Viber => {
            let digits = address
                .strip_prefix('+')
                .ok_or("not in E.164 (+ and digits)")?;
            if !(8..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err("not in E.164 (+ and 8 to 15 digits)");
            }
        }
        Channel::Push => {
            if address.chars().count() < 64 {
                return Err("a mobile push token has at least 64 characters");
            }
        }
        Channel::Telegram | Channel::Vk => {}
    }
    Ok(())
}

/// `{{name}}` placeholders replaced by the variables (an unknown name is left as written).
pub(super) fn render(text: &str, vars: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let name = after[..end].trim();
        match vars.get(name) {
            Some(v) => out.push_str(v),
            None => out.push_str(&rest[start..start + 4 + end]),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_replaced_and_unknown_ones_kept() {
        let vars = BTreeMap::from([("id".to_owned(), "12".to_owned())]);
        assert_eq!(
            render("Order {{id}} / {{ id }} {{x}} {{", &vars),
            "Order 12 / 12 {{x}} {{"
        );
    }

    #[test]
    fn addresses_are_checked_by_channel() {
        assert!(check_address(Channel::Email, "a@b.fr").is_ok());
        assert!(check_address(Channel::Email, "a b@c.fr").is_err());
        assert!(check_address(Channel::Sms, "+33612345678").is_ok());
        assert!(check_address(Channel::Sms, "0612345678").is_err());
        assert!(check_address(Channel::Push, "short").is_err());
        assert!(check_address(Channel::Push, &"t".repeat(64)).is_ok());
    }
}
