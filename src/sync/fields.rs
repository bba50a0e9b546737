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
    Naming::default().tag(field)
}

/// The display label of a field created on a provider, `[relance] <label>`.
///
/// ```
/// use relance::customer::ProfileField;
/// assert_eq!(relance::sync::label(&ProfileField::LastOrderAt), "[relance] Last order date");
/// ```
#[must_use]
pub fn label(field: &ProfileField) -> String {
    Naming::default().label(field)
}

/// How a target names what it provisions: the display prefix of field labels and segment
/// names, and the namespace of Sendethic field tags. The default is `[relance] ` and
/// `relance_`, as [`label`] and [`tag`] give.
///
/// ```
/// use relance::customer::ProfileField;
/// use relance::sync::Naming;
/// let shop = Naming::new("[Shop] ", "shop_");
/// assert_eq!(shop.tag(&ProfileField::Revenue), "shop_revenue");
/// assert_eq!(shop.label(&ProfileField::Revenue), "[Shop] Revenue");
/// assert_eq!(shop.segment_name("Repeat customers"), "[Shop] Repeat customers");
/// assert_eq!(Naming::default().tag(&ProfileField::Revenue), relance::sync::tag(&ProfileField::Revenue));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Naming {
    label_prefix: String,
    tag_namespace: String,
}

impl Default for Naming {
    fn default() -> Self {
        Self::new("[relance] ", "relance_")
    }
}

impl Naming {
    /// A display prefix (`[Shop] `, kept as given: include the space) and a tag namespace
    /// (`shop_`).
    ///
    /// ```
    /// let n = relance::sync::Naming::new("", "acme_");
    /// assert_eq!(n.label(&relance::customer::ProfileField::OrdersCount), "Orders");
    /// ```
    #[must_use]
    pub fn new(label_prefix: impl Into<String>, tag_namespace: impl Into<String>) -> Self {
        Self {
            label_prefix: label_prefix.into(),
            tag_namespace: tag_namespace.into(),
        }
    }

    /// The tag of a field: the namespace and the field's name.
    ///
    /// ```
    /// # use relance::customer::ProfileField;
    /// assert_eq!(relance::sync::Naming::default().tag(&ProfileField::ShopId), "relance_shop_id");
    /// ```
    #[must_use]
    pub fn tag(&self, field: &ProfileField) -> String {
        format!("{}{}", self.tag_namespace, field.name())
    }

    /// The display label of a field: the prefix and the field's label.
    ///
    /// ```
    /// # use relance::customer::ProfileField;
    /// assert_eq!(relance::sync::Naming::default().label(&ProfileField::ShopId), "[relance] Shop");
    /// ```
    #[must_use]
    pub fn label(&self, field: &ProfileField) -> String {
        format!("{}{}", self.label_prefix, field.label())
    }

    /// The name of a provisioned segment: the prefix and the segment's name.
    ///
    /// ```
    /// assert_eq!(relance::sync::Naming::default().segment_name("Prospects"), "[relance] Prospects");
    /// ```
    #[must_use]
    pub fn segment_name(&self, name: &str) -> String {
        format!("{}{name}", self.label_prefix)
    }
}

/// The Sendethic tags the earlier connectors (the Magento extension, `magento_*`, and the
/// Woo plugin, `woo_*`) gave a consolidated field, in that order: what
/// [`SendethicTarget::adopt_connectors`](super::SendethicTarget::adopt_connectors) adopts.
/// Empty for fields they did not write (or wrote to standard fields).
///
/// ```
/// use relance::customer::ProfileField;
/// assert_eq!(relance::sync::connector_tags(&ProfileField::Revenue), ["magento_orderstotal", "woo_orderstotal"]);
/// assert!(relance::sync::connector_tags(&ProfileField::ShopId).is_empty());
/// ```
#[must_use]
pub fn connector_tags(field: &ProfileField) -> &'static [&'static str] {
    match field {
        ProfileField::BirthDate => &["magento_birthday"],
        ProfileField::SignedUpAt => &["magento_dateadd", "woo_dateadd"],
        ProfileField::LastLoginAt => &["magento_lastconnection", "woo_lastconnection"],
        ProfileField::Revenue => &["magento_orderstotal", "woo_orderstotal"],
        ProfileField::LastAbandonedCartAt => {
            &["magento_lastcancelledcartdate", "woo_lastcancelledcartdate"]
        }
        ProfileField::CustomerId => &["magento_customerid"],
        ProfileField::FirstOrderAt => &["magento_firstorderdate", "woo_firstorderdate"],
        ProfileField::LastOrderAt => &["magento_lastorderdate", "woo_lastorderdate"],
        ProfileField::LastOrderAmount => &["magento_lastordertotal", "woo_lastordertotal"],
        ProfileField::LastDeliveryAt => &["magento_lastdeliverydate"],
        ProfileField::OrdersCount => &["magento_orderscount", "woo_orderscount"],
        ProfileField::AvgDaysBetweenOrders => &["magento_ordersfrequency"],
        ProfileField::NewsletterOptIn => &["magento_optin"],
        _ => &[],
    }
}

/// Whether a field is pushed as a value: every field but the contact key, the email.
pub(super) fn is_value(field: &ProfileField) -> bool {
    *field != ProfileField::Email
}
