//! How the sync names the profile fields it provisions on a provider.

use crate::customer::ProfileField;

/// The provisioning tag of a field, `relance_<name>` (how a Sendethic custom field is found
/// again on every run).
///
/// ```
/// use relance::customer::ProfileField;
/// assert_eq!(relance::sync::tag(&ProfileField::Revenue), "relance_revenue");
/// ```
#[must_use]
pub fn tag(field: &ProfileField) -> String {
    format!("relance_{}", field.name())
}

/// The display label of a field created on a provider, `[relance] <label>`.
///
/// ```
/// use relance::customer::ProfileField;
/// assert_eq!(relance::sync::label(&ProfileField::LastOrderAt), "[relance] Last order date");
/// ```
#[must_use]
pub fn label(field: &ProfileField) -> String {
    format!("[relance] {}", field.label())
}

/// Whether a field is pushed as a value: every field but the contact key, the email.
pub(super) fn is_value(field: &ProfileField) -> bool {
    *field != ProfileField::Email
}
