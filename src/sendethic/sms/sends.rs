//! A single SMS ([`SmsMessage`]).

use serde::Serialize;

use crate::error::{Error, Result};
use crate::sendethic::contacts::check_mobile;

/// A single SMS (`SmsMessage`).
///
/// ```
/// let sms = relance::sendethic::SmsMessage::new("+33612340001", "Your order has shipped")
///     .sender("MYSHOP");
/// # let _ = sms;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SmsMessage {
    mobile: String,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    oadc: Option<String>,
}

impl SmsMessage {
    /// An SMS to `mobile` (international E.164 format, e.g. `+33612340001`).
    ///
    /// ```
    /// let sms = relance::sendethic::SmsMessage::new("+33612340001", "Hello");
    /// # let _ = sms;
    /// ```
    #[must_use]
    pub fn new(mobile: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            mobile: mobile.into(),
            message: message.into(),
            oadc: None,
        }
    }

    /// A custom sender name (`oadc`).
    ///
    /// ```
    /// let sms = relance::sendethic::SmsMessage::new("+33612340001", "Hi").sender("SHOP");
    /// # let _ = sms;
    /// ```
    #[must_use]
    pub fn sender(mut self, oadc: impl Into<String>) -> Self {
        self.oadc = Some(oadc.into());
        self
    }

    /// The SMS, once its mobile is E.164 and its text non-empty.
    pub(super) fn checked(self) -> Result<Self> {
        check_mobile(&self.mobile).map_err(|reason| Error::invalid(self.mobile.clone(), reason))?;
        if self.message.trim().is_empty() {
            return Err(Error::invalid("message", "the SMS text is empty"));
        }
        Ok(self)
    }
}
