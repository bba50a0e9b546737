//! One-off sends of an operation's content: a test ([`TestEmail`]) and a transactional mail
//! ([`TransactionalEmail`]).

use std::collections::BTreeMap;

use serde::Serialize;

use super::check_address;
use crate::error::Result;

/// A test send (`TestEmail`).
///
/// ```
/// let test = relance::sendethic::TestEmail::new("qa@example.com")
///     .test_contact("jane@example.com")
///     .title_prefix("[TEST] ");
/// # let _ = test;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TestEmail {
    recipient_user: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    test_contact: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title_prefix: Option<String>,
}

impl TestEmail {
    /// The test, once its recipient is a valid address.
    pub(super) fn checked(self) -> Result<Self> {
        check_address("recipientUser", &self.recipient_user).map(|()| self)
    }

    /// A test sent to `recipient`.
    ///
    /// ```
    /// let t = relance::sendethic::TestEmail::new("qa@example.com");
    /// # let _ = t;
    /// ```
    #[must_use]
    pub fn new(recipient: impl Into<String>) -> Self {
        Self {
            recipient_user: recipient.into(),
            test_contact: None,
            title_prefix: None,
        }
    }

    /// The contact whose data personalises the test.
    ///
    /// ```
    /// let t = relance::sendethic::TestEmail::new("qa@example.com").test_contact("jane@example.com");
    /// # let _ = t;
    /// ```
    #[must_use]
    pub fn test_contact(mut self, contact_key: impl Into<String>) -> Self {
        self.test_contact = Some(contact_key.into());
        self
    }

    /// A prefix for the subject.
    ///
    /// ```
    /// let t = relance::sendethic::TestEmail::new("qa@example.com").title_prefix("[TEST] ");
    /// # let _ = t;
    /// ```
    #[must_use]
    pub fn title_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.title_prefix = Some(prefix.into());
        self
    }
}

/// A transactional send (`SmtpEmail`) reusing an operation's HTML and text.
///
/// `recipientDatas` is documented as a list of `"id": "value"` pairs; `relance` sends it as a
/// JSON object of field id → value (inference; the generated model only shows placeholders).
///
/// ```
/// let mail = relance::sendethic::TransactionalEmail::new("jane@example.com")
///     .recipient_name("Jane Doe")
///     .data("firstname", "Jane")
///     .data("26", "ORDER-1042");
/// # let _ = mail;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(clippy::struct_field_names)] // the wire names
pub struct TransactionalEmail {
    recipient_email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    recipient_name: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    recipient_datas: BTreeMap<String, String>,
}

impl TransactionalEmail {
    /// The mail, once its recipient is a valid address.
    pub(super) fn checked(self) -> Result<Self> {
        check_address("recipientEmail", &self.recipient_email).map(|()| self)
    }

    /// A transactional mail to `email`.
    ///
    /// ```
    /// let m = relance::sendethic::TransactionalEmail::new("jane@example.com");
    /// # let _ = m;
    /// ```
    #[must_use]
    pub fn new(email: impl Into<String>) -> Self {
        Self {
            recipient_email: email.into(),
            recipient_name: None,
            recipient_datas: BTreeMap::new(),
        }
    }

    /// The recipient's display name.
    ///
    /// ```
    /// let m = relance::sendethic::TransactionalEmail::new("j@example.com").recipient_name("Jane");
    /// # let _ = m;
    /// ```
    #[must_use]
    pub fn recipient_name(mut self, name: impl Into<String>) -> Self {
        self.recipient_name = Some(name.into());
        self
    }

    /// A personalisation value by field id.
    ///
    /// ```
    /// let m = relance::sendethic::TransactionalEmail::new("j@example.com").data("firstname", "Jane");
    /// # let _ = m;
    /// ```
    #[must_use]
    pub fn data(mut self, field_id: impl Into<String>, value: impl Into<String>) -> Self {
        self.recipient_datas.insert(field_id.into(), value.into());
        self
    }
}
