//! A marketplace's people: one per normalised email, with the roles it holds, its buyer
//! profile and its seller profile. A person who buys and sells is one person.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use super::profile::SellerProfile;
use crate::customer::{Consolidation, CustomerProfile, normalize_email};

/// One person of a marketplace: a buyer, a seller, an administrator, or several at once.
#[derive(Clone, Debug)]
pub struct Person<'a, 'd> {
    email: Cow<'a, str>,
    buyer: Option<&'a CustomerProfile<'d>>,
    seller: Option<&'a SellerProfile>,
    administrator: bool,
}

impl<'a, 'd> Person<'a, 'd> {
    /// The normalised email, the contact key.
    ///
    /// ```
    /// # use relance::customer::{Dataset, ConsolidationPolicy, Currency};
    /// # let shop = Dataset::new();
    /// # let c = shop.consolidate(&ConsolidationPolicy::new(Currency::EUR, chrono::Utc::now(), chrono_tz::UTC))?;
    /// let people = relance::customer::seller::people(&c, &[], &[" Ops@Example.com"]);
    /// assert_eq!(people[0].email(), "ops@example.com");
    /// # Ok::<(), relance::customer::ConsolidationError>(())
    /// ```
    #[must_use]
    pub fn email(&self) -> &str {
        &self.email
    }

    /// The buyer profile (a customer account or orders under this email).
    ///
    /// ```
    /// # use relance::customer::{Dataset, ConsolidationPolicy, Currency};
    /// # let shop = Dataset::new();
    /// # let c = shop.consolidate(&ConsolidationPolicy::new(Currency::EUR, chrono::Utc::now(), chrono_tz::UTC))?;
    /// let people = relance::customer::seller::people(&c, &[], &["ops@example.com"]);
    /// assert!(people[0].buyer().is_none());
    /// # Ok::<(), relance::customer::ConsolidationError>(())
    /// ```
    #[must_use]
    pub fn buyer(&self) -> Option<&'a CustomerProfile<'d>> {
        self.buyer
    }

    /// The seller profile.
    ///
    /// ```
    /// # use relance::customer::{Dataset, ConsolidationPolicy, Currency};
    /// # let shop = Dataset::new();
    /// # let c = shop.consolidate(&ConsolidationPolicy::new(Currency::EUR, chrono::Utc::now(), chrono_tz::UTC))?;
    /// let people = relance::customer::seller::people(&c, &[], &["ops@example.com"]);
    /// assert!(people[0].seller().is_none());
    /// # Ok::<(), relance::customer::ConsolidationError>(())
    /// ```
    #[must_use]
    pub fn seller(&self) -> Option<&'a SellerProfile> {
        self.seller
    }

    /// Buys: a customer account, or at least one order, under this email.
    ///
    /// ```
    /// # use relance::customer::{Dataset, ConsolidationPolicy, Currency};
    /// let mut shop = Dataset::new();
    /// shop.guest("ann@example.com");
    /// let c = shop.consolidate(&ConsolidationPolicy::new(Currency::EUR, chrono::Utc::now(), chrono_tz::UTC))?;
    /// let people = relance::customer::seller::people(&c, &[], &[]);
    /// assert!(!people[0].is_buyer(), "a guest row without an order buys nothing");
    /// # Ok::<(), relance::customer::ConsolidationError>(())
    /// ```
    #[must_use]
    pub fn is_buyer(&self) -> bool {
        self.buyer
            .is_some_and(|p| p.orders_count() > 0 || p.customer_id().is_some())
    }

    /// Sells on the marketplace.
    ///
    /// ```
    /// # use relance::customer::{Dataset, ConsolidationPolicy, Currency};
    /// # let shop = Dataset::new();
    /// # let c = shop.consolidate(&ConsolidationPolicy::new(Currency::EUR, chrono::Utc::now(), chrono_tz::UTC))?;
    /// let people = relance::customer::seller::people(&c, &[], &["ops@example.com"]);
    /// assert!(!people[0].is_seller());
    /// # Ok::<(), relance::customer::ConsolidationError>(())
    /// ```
    #[must_use]
    pub fn is_seller(&self) -> bool {
        self.seller.is_some()
    }

    /// Administers the marketplace.
    ///
    /// ```
    /// # use relance::customer::{Dataset, ConsolidationPolicy, Currency};
    /// # let shop = Dataset::new();
    /// # let c = shop.consolidate(&ConsolidationPolicy::new(Currency::EUR, chrono::Utc::now(), chrono_tz::UTC))?;
    /// let people = relance::customer::seller::people(&c, &[], &["ops@example.com"]);
    /// assert!(people[0].is_administrator());
    /// # Ok::<(), relance::customer::ConsolidationError>(())
    /// ```
    #[must_use]
    pub fn is_administrator(&self) -> bool {
        self.administrator
    }
}

/// The people of a marketplace, one per normalised email: every buyer profile (with the
/// seller profile of the same email when there is one), then the sellers who do not buy,
/// then the administrators who are neither (`administrators` are emails, normalised here).
/// Pure and in input order, so two runs on the same data list the same people.
///
/// ```
/// # use chrono::{TimeZone, Utc};
/// use relance::customer::seller::{Marketplace, Seller, SellerPolicy, people};
/// use relance::customer::{ConsolidationPolicy, Currency, Dataset};
/// let mut shop = Dataset::new();
/// shop.guest("ann@example.com");
/// let mut market = Marketplace::new();
/// market.add_seller(Seller::new("v1", "Ann@Example.com", None));
/// let policy = ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(), chrono_tz::UTC);
/// let sellers = market.consolidate(&shop, &policy, &SellerPolicy::default())?;
/// let buyers = shop.consolidate(&policy)?;
/// let all = people(&buyers, &sellers, &["ops@example.com"]);
/// assert_eq!(all.len(), 2);
/// assert!(all[0].is_seller() && all[0].buyer().is_some());
/// assert!(all[1].is_administrator());
/// # Ok::<(), relance::customer::ConsolidationError>(())
/// ```
#[must_use]
pub fn people<'a, 'd>(
    buyers: &'a Consolidation<'d>,
    sellers: &'a [SellerProfile],
    administrators: &[&str],
) -> Vec<Person<'a, 'd>> {
    let admins: HashSet<String> = administrators.iter().map(|a| normalize_email(a)).collect();
    let mut by_email: HashMap<&str, &SellerProfile> =
        sellers.iter().map(|s| (s.email.as_str(), s)).collect();
    let mut out = Vec::with_capacity(buyers.len() + sellers.len() + admins.len());
    let mut seen: HashSet<Cow<'a, str>> = HashSet::with_capacity(out.capacity());
    for p in buyers.iter() {
        let email = Cow::Borrowed(p.email());
        let seller = by_email.remove(p.email());
        seen.insert(email.clone());
        out.push(Person {
            administrator: admins.contains(p.email()),
            email,
            buyer: Some(p),
            seller,
        });
    }
    for s in sellers {
        let email = Cow::Borrowed(s.email.as_str());
        if seen.insert(email.clone()) {
            out.push(Person {
                administrator: admins.contains(s.email.as_str()),
                email,
                buyer: None,
                seller: Some(s),
            });
        }
    }
    for a in administrators {
        let email: Cow<'a, str> = Cow::Owned(normalize_email(a));
        if seen.insert(email.clone()) {
            out.push(Person {
                email,
                buyer: None,
                seller: None,
                administrator: true,
            });
        }
    }
    out
}
