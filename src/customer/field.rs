//! The fields of a consolidated profile: one description shared by the domain (segment
//! conditions), and the sync (what is pushed, under which name and type).

use std::fmt;

/// A field of a [`CustomerProfile`](crate::customer::CustomerProfile).
///
/// Each field has a stable snake-case [`name`](Self::name) (the column of
/// [`write_profiles`](crate::io::csv::write_profiles) and the key a provider stores it
/// under), a human [`label`](Self::label) and a value [`kind`](Self::kind). Segment
/// [`Condition`](crate::customer::segment::Condition)s test fields; the sync pushes them
/// ([`SyncRecord`](crate::sync::SyncRecord)).
///
/// The enum is open: later versions add fields, so match with a wildcard arm.
///
/// ```
/// use relance::customer::{FieldKind, ProfileField};
/// let f = ProfileField::LastOrderAt;
/// assert_eq!((f.name(), f.label(), f.kind()), ("last_order_at", "Last order date", FieldKind::DateTime));
/// assert!(ProfileField::ALL.contains(&ProfileField::Email));
/// ```
// The declaration order is the order of a sync record's values (and of its fingerprint):
// add new fields at the end.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ProfileField {
    /// `email`: the normalised email, the contact's identity key (text).
    Email,
    /// `first_name` (text).
    FirstName,
    /// `last_name` (text).
    LastName,
    /// `civility`: salutation / gender (text).
    Civility,
    /// `phone`, E.164 when the shop has it so (text).
    Phone,
    /// `postcode` of the default or billing address (text).
    Postcode,
    /// `birth_date` (a calendar date; compared as 00:00 UTC).
    BirthDate,
    /// `customer_id`: the shop's customer id, empty for guest-only contacts (text).
    CustomerId,
    /// `signed_up_at`: account creation (instant).
    SignedUpAt,
    /// `last_login_at`: latest login (instant).
    LastLoginAt,
    /// `revenue` in the reporting currency (number, major units).
    Revenue,
    /// `last_abandoned_cart_at`: latest abandoned cart (instant).
    LastAbandonedCartAt,
    /// `first_order_at`: first counted order (instant).
    FirstOrderAt,
    /// `last_order_at`: last counted order (instant).
    LastOrderAt,
    /// `last_order_amount`: amount of the last counted order (number, major units).
    LastOrderAmount,
    /// `last_delivery_at`: latest delivery (instant).
    LastDeliveryAt,
    /// `orders_count`: number of counted orders (number).
    OrdersCount,
    /// `avg_days_between_orders`: average days between orders (number).
    AvgDaysBetweenOrders,
    /// `newsletter_optin`: the shop's newsletter consent (opt-in).
    NewsletterOptIn,
    /// `newsletter_optin_at`: when that consent was given or withdrawn, the proof of consent
    /// (instant).
    NewsletterOptInAt,
    /// `customer_group_ids`: customer group ids, comma-separated (text; empty = unset).
    CustomerGroupIds,
    /// `shop_id`: shop / store id (text).
    ShopId,
    /// `p_alive`: the probability that the customer is still active at `as_of` (BG/NBD,
    /// [`clv`](crate::customer::clv); number 0–1). Predicted: not in [`ALL`](Self::ALL).
    PAlive,
    /// `expected_purchases`: purchases expected over the prediction horizon (number).
    /// Predicted.
    ExpectedPurchases,
    /// `expected_avg_value`: conditional expected average order value (Gamma-Gamma; number,
    /// major units). Predicted.
    ExpectedAvgValue,
    /// `expected_value`: expected purchases × expected average value over the horizon
    /// (number, major units). Predicted.
    ExpectedValue,
    /// `is_buyer`: the contact buys (a customer account or an order; marketplace role). Marketplace: not in [`ALL`](Self::ALL).
    IsBuyer,
    /// `is_seller`: the contact sells on the marketplace (role). Marketplace: not in [`ALL`](Self::ALL).
    IsSeller,
    /// `is_administrator`: the contact operates the marketplace (role). Marketplace: not in [`ALL`](Self::ALL).
    IsAdministrator,
    /// `seller_registered_at`: when the seller registered (instant). Marketplace: not in [`ALL`](Self::ALL).
    SellerRegisteredAt,
    /// `seller_products_count`: the seller's active products (number). Marketplace: not in [`ALL`](Self::ALL).
    SellerProductsCount,
    /// `seller_sales_count`: the seller's counted sales (number). Marketplace: not in [`ALL`](Self::ALL).
    SellerSalesCount,
    /// `seller_revenue`: the seller's sales net of refunds (number, major units). Marketplace: not in [`ALL`](Self::ALL).
    SellerRevenue,
    /// `seller_first_sale_at`: the seller's first sale (instant). Marketplace: not in [`ALL`](Self::ALL).
    SellerFirstSaleAt,
    /// `seller_last_sale_at`: the seller's last sale (instant). Marketplace: not in [`ALL`](Self::ALL).
    SellerLastSaleAt,
    /// `seller_milestone`: the highest sales milestone reached (number). Marketplace: not in [`ALL`](Self::ALL).
    SellerMilestone,
    /// `seller_milestone_at`: when it was crossed (instant). Marketplace: not in [`ALL`](Self::ALL).
    SellerMilestoneAt,
    /// `seller_stuck_without_products`: registered long enough ago with no active product. Marketplace: not in [`ALL`](Self::ALL).
    SellerStuckWithoutProducts,
    /// `seller_stuck_without_sales`: products for long enough with no sale. Marketplace: not in [`ALL`](Self::ALL).
    SellerStuckWithoutSales,
    /// A field the shop defines itself ("loyalty tier", "preferred store"): its values come
    /// from the shop, set on each [`SyncRecord`](crate::sync::SyncRecord), and are pushed
    /// like the consolidated ones (created on the provider under the same naming).
    Custom(CustomField),
}

/// A field the shop defines: a snake-case name (the provider key, never changed once
/// synced), a label shown on the provider and a [`FieldKind`].
///
/// ```
/// use relance::customer::{CustomField, FieldKind, ProfileField};
/// let tier = CustomField::new("loyalty_tier", "Loyalty tier", FieldKind::Text)?;
/// let field = ProfileField::Custom(tier);
/// assert_eq!((field.name(), field.label(), field.kind()), ("loyalty_tier", "Loyalty tier", FieldKind::Text));
/// // A name of the consolidated fields, or one that is not snake case, is refused.
/// assert!(CustomField::new("revenue", "Revenue", FieldKind::Number).is_err());
/// assert!(CustomField::new("Loyalty Tier", "Tier", FieldKind::Text).is_err());
/// # Ok::<(), relance::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CustomField {
    name: String,
    label: String,
    kind: FieldKind,
}

impl CustomField {
    /// A custom field. The name is 1 to 40 characters of `a-z`, `0-9` and `_`, starting
    /// with a letter, and is not the name of a consolidated or predicted field; the label is
    /// not blank.
    ///
    /// ```
    /// use relance::customer::{CustomField, FieldKind};
    /// let store = CustomField::new("preferred_store", "Preferred store", FieldKind::Text)?;
    /// assert_eq!(store.name(), "preferred_store");
    /// # Ok::<(), relance::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) naming the field.
    pub fn new(
        name: impl Into<String>,
        label: impl Into<String>,
        kind: FieldKind,
    ) -> crate::error::Result<Self> {
        let (name, label) = (name.into(), label.into());
        let refuse = |reason: &'static str| Err(crate::Error::invalid(name.clone(), reason));
        let snake = name.len() <= 40
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !snake {
            return refuse(
                "a custom field name is 1 to 40 characters of a-z, 0-9 and _, starting with a letter",
            );
        }
        if ProfileField::ALL
            .iter()
            .chain(&ProfileField::PREDICTED)
            .chain(&ProfileField::MARKETPLACE)
            .any(|f| f.name() == name)
        {
            return refuse("a consolidated field already has this name");
        }
        if label.trim().is_empty() {
            return refuse("a custom field needs a label");
        }
        Ok(Self { name, label, kind })
    }

    /// The name.
    ///
    /// ```
    /// # use relance::customer::{CustomField, FieldKind};
    /// assert_eq!(CustomField::new("tier", "Tier", FieldKind::Text)?.name(), "tier");
    /// # Ok::<(), relance::Error>(())
    /// ```
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The label.
    ///
    /// ```
    /// # use relance::customer::{CustomField, FieldKind};
    /// assert_eq!(CustomField::new("tier", "Tier", FieldKind::Text)?.label(), "Tier");
    /// # Ok::<(), relance::Error>(())
    /// ```
    #[must_use]
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The kind.
    ///
    /// ```
    /// # use relance::customer::{CustomField, FieldKind};
    /// assert_eq!(CustomField::new("visits", "Visits", FieldKind::Number)?.kind(), FieldKind::Number);
    /// # Ok::<(), relance::Error>(())
    /// ```
    #[must_use]
    pub fn kind(&self) -> FieldKind {
        self.kind
    }
}

/// How a field's values are typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum FieldKind {
    /// Free text.
    Text,
    /// A decimal number.
    Number,
    /// An instant.
    DateTime,
    /// A calendar date.
    Date,
    /// Yes / no consent.
    OptIn,
}

impl std::str::FromStr for FieldKind {
    type Err = crate::Error;

    /// Reads a kind as configuration writes it: `text`, `number`, `datetime`, `date` or
    /// `optin` (any case); anything else is refused with
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) naming it.
    ///
    /// ```
    /// use relance::customer::FieldKind;
    /// assert_eq!("Number".parse::<FieldKind>()?, FieldKind::Number);
    /// assert!("colour".parse::<FieldKind>().is_err());
    /// # Ok::<(), relance::Error>(())
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "text" => Self::Text,
            "number" => Self::Number,
            "datetime" => Self::DateTime,
            "date" => Self::Date,
            "optin" | "opt-in" => Self::OptIn,
            _ => {
                return Err(crate::Error::invalid(
                    s.to_owned(),
                    "unknown field kind: text, number, datetime, date or optin",
                ));
            }
        })
    }
}

impl ProfileField {
    /// Every field, in declaration order.
    pub const ALL: [Self; 22] = [
        Self::Email,
        Self::FirstName,
        Self::LastName,
        Self::Civility,
        Self::Phone,
        Self::Postcode,
        Self::BirthDate,
        Self::CustomerId,
        Self::SignedUpAt,
        Self::LastLoginAt,
        Self::Revenue,
        Self::LastAbandonedCartAt,
        Self::FirstOrderAt,
        Self::LastOrderAt,
        Self::LastOrderAmount,
        Self::LastDeliveryAt,
        Self::OrdersCount,
        Self::AvgDaysBetweenOrders,
        Self::NewsletterOptIn,
        Self::NewsletterOptInAt,
        Self::CustomerGroupIds,
        Self::ShopId,
    ];

    /// The predicted fields (from the [`clv`](crate::customer::clv) models, through
    /// [`PredictedValues`](crate::customer::clv::PredictedValues)): opt-in for the sync, never
    /// in [`ALL`](Self::ALL).
    ///
    /// ```
    /// use relance::customer::ProfileField;
    /// assert!(ProfileField::PREDICTED.iter().all(|f| !ProfileField::ALL.contains(f)));
    /// ```
    pub const PREDICTED: [Self; 4] = [
        Self::PAlive,
        Self::ExpectedPurchases,
        Self::ExpectedAvgValue,
        Self::ExpectedValue,
    ];

    /// The marketplace fields: the roles and the seller profile's values (from
    /// [`seller`](crate::customer::seller) profiles), opt-in for the sync, never in
    /// [`ALL`](Self::ALL).
    ///
    /// ```
    /// use relance::customer::ProfileField;
    /// assert!(ProfileField::MARKETPLACE.iter().all(|f| !ProfileField::ALL.contains(f)));
    /// assert_eq!(ProfileField::IsSeller.name(), "is_seller");
    /// ```
    pub const MARKETPLACE: [Self; 13] = [
        Self::IsBuyer,
        Self::IsSeller,
        Self::IsAdministrator,
        Self::SellerRegisteredAt,
        Self::SellerProductsCount,
        Self::SellerSalesCount,
        Self::SellerRevenue,
        Self::SellerFirstSaleAt,
        Self::SellerLastSaleAt,
        Self::SellerMilestone,
        Self::SellerMilestoneAt,
        Self::SellerStuckWithoutProducts,
        Self::SellerStuckWithoutSales,
    ];

    /// Whether the field is predicted (one of [`PREDICTED`](Self::PREDICTED)).
    ///
    /// ```
    /// assert!(relance::customer::ProfileField::PAlive.is_predicted());
    /// ```
    #[must_use]
    pub fn is_predicted(&self) -> bool {
        Self::PREDICTED.contains(self)
    }

    /// The stable snake-case name (providers key the field by it: never changes).
    ///
    /// ```
    /// assert_eq!(relance::customer::ProfileField::OrdersCount.name(), "orders_count");
    /// ```
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Self::Email => "email",
            Self::FirstName => "first_name",
            Self::LastName => "last_name",
            Self::Civility => "civility",
            Self::Phone => "phone",
            Self::Postcode => "postcode",
            Self::BirthDate => "birth_date",
            Self::CustomerId => "customer_id",
            Self::SignedUpAt => "signed_up_at",
            Self::LastLoginAt => "last_login_at",
            Self::Revenue => "revenue",
            Self::LastAbandonedCartAt => "last_abandoned_cart_at",
            Self::FirstOrderAt => "first_order_at",
            Self::LastOrderAt => "last_order_at",
            Self::LastOrderAmount => "last_order_amount",
            Self::LastDeliveryAt => "last_delivery_at",
            Self::OrdersCount => "orders_count",
            Self::AvgDaysBetweenOrders => "avg_days_between_orders",
            Self::NewsletterOptIn => "newsletter_optin",
            Self::NewsletterOptInAt => "newsletter_optin_at",
            Self::CustomerGroupIds => "customer_group_ids",
            Self::ShopId => "shop_id",
            Self::PAlive => "p_alive",
            Self::ExpectedPurchases => "expected_purchases",
            Self::ExpectedAvgValue => "expected_avg_value",
            Self::ExpectedValue => "expected_value",
            Self::IsBuyer => "is_buyer",
            Self::IsSeller => "is_seller",
            Self::IsAdministrator => "is_administrator",
            Self::SellerRegisteredAt => "seller_registered_at",
            Self::SellerProductsCount => "seller_products_count",
            Self::SellerSalesCount => "seller_sales_count",
            Self::SellerRevenue => "seller_revenue",
            Self::SellerFirstSaleAt => "seller_first_sale_at",
            Self::SellerLastSaleAt => "seller_last_sale_at",
            Self::SellerMilestone => "seller_milestone",
            Self::SellerMilestoneAt => "seller_milestone_at",
            Self::SellerStuckWithoutProducts => "seller_stuck_without_products",
            Self::SellerStuckWithoutSales => "seller_stuck_without_sales",
            Self::Custom(c) => c.name(),
        }
    }

    /// A human label.
    ///
    /// ```
    /// assert_eq!(relance::customer::ProfileField::SignedUpAt.label(), "Sign-up date");
    /// ```
    #[must_use]
    pub fn label(&self) -> &str {
        match self {
            Self::Email => "Email",
            Self::FirstName => "First name",
            Self::LastName => "Last name",
            Self::Civility => "Civility",
            Self::Phone => "Phone",
            Self::Postcode => "Postcode",
            Self::BirthDate => "Birth date",
            Self::CustomerId => "Customer id",
            Self::SignedUpAt => "Sign-up date",
            Self::LastLoginAt => "Last login",
            Self::Revenue => "Revenue",
            Self::LastAbandonedCartAt => "Last abandoned cart",
            Self::FirstOrderAt => "First order date",
            Self::LastOrderAt => "Last order date",
            Self::LastOrderAmount => "Last order amount",
            Self::LastDeliveryAt => "Last delivery",
            Self::OrdersCount => "Orders",
            Self::AvgDaysBetweenOrders => "Days between orders",
            Self::NewsletterOptIn => "Newsletter opt-in",
            Self::NewsletterOptInAt => "Newsletter consent date",
            Self::CustomerGroupIds => "Customer groups",
            Self::ShopId => "Shop",
            Self::PAlive => "P(alive)",
            Self::ExpectedPurchases => "Expected purchases",
            Self::ExpectedAvgValue => "Expected order value",
            Self::ExpectedValue => "Expected value",
            Self::IsBuyer => "Buyer",
            Self::IsSeller => "Seller",
            Self::IsAdministrator => "Administrator",
            Self::SellerRegisteredAt => "Seller registration",
            Self::SellerProductsCount => "Seller products",
            Self::SellerSalesCount => "Seller sales",
            Self::SellerRevenue => "Seller revenue",
            Self::SellerFirstSaleAt => "Seller first sale",
            Self::SellerLastSaleAt => "Seller last sale",
            Self::SellerMilestone => "Seller milestone",
            Self::SellerMilestoneAt => "Seller milestone date",
            Self::SellerStuckWithoutProducts => "Seller without products",
            Self::SellerStuckWithoutSales => "Seller without sales",
            Self::Custom(c) => c.label(),
        }
    }

    /// How the values are typed.
    ///
    /// ```
    /// use relance::customer::{FieldKind, ProfileField};
    /// assert_eq!(ProfileField::Revenue.kind(), FieldKind::Number);
    /// ```
    #[must_use]
    pub fn kind(&self) -> FieldKind {
        match self {
            Self::Email
            | Self::FirstName
            | Self::LastName
            | Self::Civility
            | Self::Phone
            | Self::Postcode
            | Self::CustomerId
            | Self::CustomerGroupIds
            | Self::ShopId => FieldKind::Text,
            Self::BirthDate => FieldKind::Date,
            Self::SignedUpAt
            | Self::LastLoginAt
            | Self::LastAbandonedCartAt
            | Self::FirstOrderAt
            | Self::LastOrderAt
            | Self::LastDeliveryAt
            | Self::NewsletterOptInAt
            | Self::SellerRegisteredAt
            | Self::SellerFirstSaleAt
            | Self::SellerLastSaleAt
            | Self::SellerMilestoneAt => FieldKind::DateTime,
            Self::Revenue
            | Self::LastOrderAmount
            | Self::OrdersCount
            | Self::AvgDaysBetweenOrders
            | Self::PAlive
            | Self::ExpectedPurchases
            | Self::ExpectedAvgValue
            | Self::ExpectedValue
            | Self::SellerProductsCount
            | Self::SellerSalesCount
            | Self::SellerRevenue
            | Self::SellerMilestone => FieldKind::Number,
            Self::NewsletterOptIn
            | Self::IsBuyer
            | Self::IsSeller
            | Self::IsAdministrator
            | Self::SellerStuckWithoutProducts
            | Self::SellerStuckWithoutSales => FieldKind::OptIn,
            Self::Custom(c) => c.kind(),
        }
    }
}

impl fmt::Display for ProfileField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_snake_case_and_all_is_in_declaration_order() {
        let names: Vec<&str> = ProfileField::ALL
            .iter()
            .chain(&ProfileField::PREDICTED)
            .chain(&ProfileField::MARKETPLACE)
            .map(ProfileField::name)
            .collect();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len());
        assert!(
            names
                .iter()
                .all(|n| n.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        );
        assert!(ProfileField::ALL.windows(2).all(|w| w[0] < w[1]));
        assert!(ProfileField::PREDICTED.windows(2).all(|w| w[0] < w[1]));
        assert!(ProfileField::ALL.last() < ProfileField::PREDICTED.first());
        assert!(ProfileField::ALL.iter().all(|f| !f.label().is_empty()));
    }
}
