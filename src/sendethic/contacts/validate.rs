//! Contact validation: everything is checked before anything is sent (the rules are on
//! [`validate`]). Email and mobile checks are shared with the sends.

use super::model::Contact;
use crate::error::{Error, Result};
use crate::sendethic::fields::FieldCatalog;

/// Checks an email address (the pragmatic syntax of [`validate`]).
pub(crate) fn check_email(v: &str) -> std::result::Result<(), &'static str> {
    if v.len() > 254 {
        return Err("email is longer than 254 characters");
    }
    if v.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("email contains whitespace or control characters");
    }
    let mut parts = v.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err("email must contain exactly one `@`");
    };
    if local.is_empty() {
        return Err("email has an empty local part");
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err("email local part starts or ends with a dot, or has two dots in a row");
    }
    if !domain.contains('.') || domain.split('.').any(str::is_empty) {
        return Err("email domain must contain a dot and no empty label");
    }
    Ok(())
}

/// Checks an E.164 number: `+`, then 8 to 15 digits, the first one 1–9.
pub(crate) fn check_mobile(v: &str) -> std::result::Result<(), &'static str> {
    let digits = v
        .strip_prefix('+')
        .ok_or("mobile must start with `+` (E.164)")?;
    if !(8..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("mobile must be `+` then 8 to 15 digits (E.164)");
    }
    if digits.starts_with('0') {
        return Err("mobile country code cannot start with 0 (E.164)");
    }
    Ok(())
}

pub(crate) fn check_key(key: &str) -> std::result::Result<(), &'static str> {
    let k = key.trim();
    if k.is_empty() {
        return Err("the contact key is empty");
    }
    if k == "." || k == ".." {
        return Err("the contact key cannot be `.` or `..`");
    }
    if k.chars().any(char::is_control) {
        return Err("the contact key contains control characters");
    }
    Ok(())
}

/// Validates a contact before sending; the error names the contact (its key) and says why.
///
/// The key is non-empty and not `.`/`..`; `email` has a pragmatic syntax (at most 254
/// characters, exactly one `@`, a non-empty local part that neither starts nor ends with a
/// dot nor has two in a row, a domain with a dot and no empty label, no whitespace or control
/// character); `mobile` is E.164 (`+` then 8 to 15 digits,
/// the first one 1–9, no spaces); opt-ins are values whose meaning is known; status dates
/// parse. `catalog`, when given, also checks custom values against their field's format:
/// `Number` is a plain decimal with `.` (no exponent, `NaN` or `inf`), `DateTime` parses with
/// a year from 1753 to 9999 (the range a SQL Server `datetime` stores: an assumption, the
/// service documents none), selections are existing value ids
/// (comma-separated for `MultipleSelection`), and unknown field ids are refused.
///
/// ```
/// use relance::sendethic::{Contact, validate};
/// assert!(validate(&Contact::new("a@b.fr").email("a@b.fr"), None).is_ok());
/// let err = validate(&Contact::new("a@b.fr").mobile("0612"), None).unwrap_err();
/// assert!(err.to_string().contains("a@b.fr"));
/// ```
pub fn validate(contact: &Contact, catalog: Option<&FieldCatalog>) -> Result<()> {
    let item = if contact.key.trim().is_empty() {
        contact
            .id
            .map_or_else(|| "<no key>".to_owned(), |id| format!("contact id {id}"))
    } else {
        contact.key.trim().to_owned()
    };
    let fail = |reason: String| Err(Error::invalid(item.clone(), reason));
    if let Err(e) = check_key(&contact.key) {
        return fail(e.to_owned());
    }
    if let Some(email) = contact.email.value()
        && let Err(e) = check_email(email)
    {
        return fail(format!("{e} (`{email}`)"));
    }
    if let Some(mobile) = contact.mobile.value()
        && let Err(e) = check_mobile(mobile)
    {
        return fail(format!("{e} (`{mobile}`)"));
    }
    for (name, optin) in [
        ("emailoptin", &contact.email_optin),
        ("mobileoptin", &contact.mobile_optin),
        ("emailoptinpartners", &contact.email_optin_partners),
        ("mobileoptinpartners", &contact.mobile_optin_partners),
    ] {
        if let Some(v) = optin.value()
            && v.is_opted_in().is_none()
        {
            return fail(format!("{name}: `{v}` is not a known consent value"));
        }
    }
    for (name, date) in [
        (
            "emailunsubscriptiondate",
            &contact.email_unsubscription_date,
        ),
        ("emailstatusdate", &contact.email_status_date),
        (
            "mobileunsubscriptiondate",
            &contact.mobile_unsubscription_date,
        ),
        ("mobilestatusdate", &contact.mobile_status_date),
    ] {
        if let Some(v) = date.value()
            && v.datetime().is_none()
        {
            return fail(format!("{name}: `{v}` is not a date"));
        }
    }
    if let Some(catalog) = catalog {
        for (field, p) in &contact.custom {
            if let Some(v) = p.value()
                && let Err(e) = catalog.check(*field, v)
            {
                return fail(e);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for ok in ["a@b.fr", "a.b+c@x.example.com", "a.b.c@x.fr", "é@x.fr"] {
            assert!(check_email(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "a",
            "a@b",
            "@b.fr",
            "a@@b.fr",
            "a@b@c.fr",
            "a b@c.fr",
            "a@b..fr",
            "a@.b.fr",
            "a@b.fr.",
            "a..b@x.fr",
            "john..doe@x.fr",
            ".a@x.fr",
            "a.@x.fr",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
        assert!(check_email(&format!("{}@x.fr", "a".repeat(250))).is_err());
    }

    #[test]
    fn mobiles() {
        for ok in ["+33612340001", "+14155550100", "+12345678"] {
            assert!(check_mobile(ok).is_ok(), "{ok}");
        }
        for bad in [
            "0612340001",
            "+0612340001",
            "+33 6 12 34 00 01",
            "+1234567",
            "+1234567890123456",
            "+33a12340001",
        ] {
            assert!(check_mobile(bad).is_err(), "{bad}");
        }
    }
}
