//! Consent both ways: changes made at the provider, read back for the shop, and the rule
//! that keeps the sync from overwriting a newer consent made there with an older one.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::record::{SyncRecord, SyncValue, record_email};
use crate::customer::ProfileField;
use crate::error::Error;

/// A newsletter consent given or withdrawn at the provider (an unsubscribe link, a
/// complaint, a form), for the shop to apply to its own data.
///
/// ```
/// use relance::sync::ConsentChange;
/// let c = ConsentChange::new("Ann@Example.com", false, None);
/// assert_eq!((c.email.as_str(), c.subscribed), ("ann@example.com", false));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConsentChange {
    /// The contact (normalised email).
    pub email: String,
    /// Whether the contact is subscribed after the change.
    pub subscribed: bool,
    /// When the change was made, when the provider says (Sendethic records the instant of
    /// an unsubscription; Sendsay's stop-list has none).
    pub at: Option<DateTime<Utc>>,
}

impl ConsentChange {
    /// A change (the email normalised as records are).
    ///
    /// ```
    /// let c = relance::sync::ConsentChange::new("a@b.fr", true, None);
    /// assert!(c.subscribed);
    /// ```
    #[must_use]
    pub fn new(email: &str, subscribed: bool, at: Option<DateTime<Utc>>) -> Self {
        Self {
            email: record_email(email).into_owned(),
            subscribed,
            at,
        }
    }
}

/// The provider's consent changes a syncer knows, by email: the newest one of each.
#[derive(Debug, Default)]
pub(super) struct ConsentGuard {
    changes: HashMap<String, ConsentChange>,
}

impl ConsentGuard {
    /// Remembers `changes` (a later one of the same contact replaces an earlier one).
    pub(super) fn learn(&mut self, changes: &[ConsentChange]) {
        for c in changes {
            let newer = self
                .changes
                .get(&c.email)
                .is_none_or(|known| c.at >= known.at);
            if newer {
                self.changes.insert(c.email.clone(), c.clone());
            }
        }
    }

    /// Applies the rule to a record about to be pushed: when the provider's consent differs
    /// from the shop's and is newer (or the shop's consent has no instant, or the provider's
    /// has none to compare), the consent values are not pushed; the warning says why.
    pub(super) fn guard(&self, record: &mut SyncRecord) -> Option<Error> {
        let change = self.changes.get(record.email())?;
        let shop = match record.get(&ProfileField::NewsletterOptIn) {
            Some(SyncValue::OptIn(yes)) => *yes,
            _ => return None,
        };
        if shop == change.subscribed {
            return None;
        }
        let shop_at = match record.get(&ProfileField::NewsletterOptInAt) {
            Some(SyncValue::DateTime(at)) => Some(*at),
            _ => None,
        };
        if let (Some(shop_at), Some(provider_at)) = (shop_at, change.at)
            && shop_at > provider_at
        {
            return None;
        }
        record.retain(|f| {
            *f != ProfileField::NewsletterOptIn && *f != ProfileField::NewsletterOptInAt
        });
        let when = change
            .at
            .map_or_else(|| "at an unknown time".to_owned(), |at| format!("at {at}"));
        Some(Error::invalid(
            format!("{}: newsletter consent", record.email()),
            format!(
                "the provider's consent ({}, {when}) is newer than the shop's ({}); it is kept, the other values are pushed",
                if change.subscribed {
                    "subscribed"
                } else {
                    "unsubscribed"
                },
                shop_at.map_or_else(|| "no date".to_owned(), |at| at.to_string())
            ),
        ))
    }
}
