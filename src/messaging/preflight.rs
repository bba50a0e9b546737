//! Checks of the templates themselves, before anything is sent: the unsubscribe link of a
//! marketing letter and the sender of a Sendsay letter. Each failure is an
//! [`Error::InvalidInput`] naming the template.

use crate::error::{Error, Result};
use crate::sendsay::DraftId;

/// The link a Sendsay letter unsubscribes with.
pub const SENDSAY_UNSUBSCRIBE: &str = "[% param.url_unsub %]";

/// Free-mail domains Sendsay refuses as a sender (the reference names `gmail.com`,
/// `mail.ru` and `yandex.ru` "and similar"; the rest are their siblings).
pub const FREE_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "mail.ru",
    "bk.ru",
    "inbox.ru",
    "list.ru",
    "internet.ru",
    "yandex.ru",
    "yandex.com",
    "ya.ru",
    "rambler.ru",
    "yahoo.com",
    "hotmail.com",
    "outlook.com",
    "icloud.com",
];

/// Refuses a marketing letter without the unsubscribe link (a transactional letter needs
/// none).
///
/// ```
/// use relance::messaging::preflight::{SENDSAY_UNSUBSCRIBE, check_unsubscribe};
/// assert!(check_unsubscribe("promo", "<a href=\"[% param.url_unsub %]\">stop</a>", true, SENDSAY_UNSUBSCRIBE).is_ok());
/// assert!(check_unsubscribe("promo", "<p>Buy!</p>", true, SENDSAY_UNSUBSCRIBE).is_err());
/// assert!(check_unsubscribe("receipt", "<p>Thanks</p>", false, SENDSAY_UNSUBSCRIBE).is_ok());
/// ```
///
/// # Errors
/// [`Error::InvalidInput`] naming the template.
pub fn check_unsubscribe(template: &str, body: &str, marketing: bool, link: &str) -> Result<()> {
    if marketing && !body.contains(link) {
        return Err(Error::invalid(
            template.to_owned(),
            format!("a marketing letter must carry the unsubscribe link {link}"),
        ));
    }
    Ok(())
}

/// Refuses a Sendsay sender on a free-mail domain.
///
/// ```
/// use relance::messaging::preflight::check_sender;
/// assert!(check_sender("shop@myshop.example").is_ok());
/// assert!(check_sender("Shop <orders@Gmail.com>").is_err());
/// ```
///
/// # Errors
/// [`Error::InvalidInput`] naming the address.
pub fn check_sender(from: &str) -> Result<()> {
    let address = from
        .rsplit_once('<')
        .map_or(from, |(_, a)| a.trim_end_matches('>'))
        .trim();
    let domain = address
        .rsplit_once('@')
        .map(|(_, d)| d.to_ascii_lowercase())
        .ok_or_else(|| Error::invalid(from.to_owned(), "a sender must be an email address"))?;
    if FREE_MAIL_DOMAINS.contains(&domain.as_str()) {
        return Err(Error::invalid(
            from.to_owned(),
            format!("Sendsay refuses free-mail senders ({domain}): use the shop's own domain"),
        ));
    }
    Ok(())
}

/// Checks a stored Sendsay draft: its sender (`from` or `sender`, when the draft has one)
/// is not a free-mail address, and, for a marketing letter, its text carries
/// [`SENDSAY_UNSUBSCRIBE`]. Reads the draft (`issue.draft.get`, safe).
///
/// ```no_run
/// # async fn f(client: relance::sendsay::Client) -> relance::Result<()> {
/// relance::messaging::preflight::check_sendsay_draft(&client, "42", false).await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`Error::InvalidInput`] naming the draft, or the service's error.
pub async fn check_sendsay_draft(
    client: &crate::sendsay::Client,
    draft: impl Into<DraftId>,
    marketing: bool,
) -> Result<()> {
    let id = draft.into();
    let d = client.drafts().get(id.clone()).await?;
    let text = |k: &str| d.extra.get(k).and_then(serde_json::Value::as_str);
    for from in [text("from"), text("sender")].into_iter().flatten() {
        if from.contains('@') {
            check_sender(from).map_err(|e| Error::invalid(format!("draft {id}"), e.to_string()))?;
        }
    }
    check_unsubscribe(
        &format!("draft {id}"),
        text("text").unwrap_or(""),
        marketing,
        SENDSAY_UNSUBSCRIBE,
    )
}
