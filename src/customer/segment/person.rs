//! The local evaluator over a marketplace person: the roles and seller values from the
//! person, every other field from its buyer profile (absent without one).

use chrono::{DateTime, Utc};

use super::{Condition, FieldValue, Match, SegmentSpec, absent, read, test};
use crate::customer::seller::Person;
use crate::customer::{OptIn, ProfileField};

fn flag(b: bool) -> FieldValue<'static> {
    FieldValue::OptIn(if b { OptIn::Yes } else { OptIn::No })
}

fn read_person<'a>(x: &'a Person<'_, '_>, f: &ProfileField) -> FieldValue<'a> {
    use FieldValue as V;
    use ProfileField as F;
    let s = x.seller();
    let count = |n: fn(&crate::customer::seller::SellerProfile) -> u32| {
        V::Number(s.map(|s| f64::from(n(s))))
    };
    match f {
        F::Email => V::Text(Some(x.email())),
        F::IsBuyer => flag(x.is_buyer()),
        F::IsSeller => flag(x.is_seller()),
        F::IsAdministrator => flag(x.is_administrator()),
        F::SellerRegisteredAt => V::Date(s.and_then(|s| s.registered_at)),
        F::SellerProductsCount => count(|s| s.products_count),
        F::SellerSalesCount => count(|s| s.sales_count),
        F::SellerRevenue => V::Number(s.map(|s| s.revenue.to_major_f64())),
        F::SellerFirstSaleAt => V::Date(s.and_then(|s| s.first_sale_at)),
        F::SellerLastSaleAt => V::Date(s.and_then(|s| s.last_sale_at)),
        F::SellerMilestone => V::Number(s.and_then(|s| s.milestone).map(f64::from)),
        F::SellerMilestoneAt => V::Date(s.and_then(|s| s.milestone_at)),
        F::SellerStuckWithoutProducts => {
            s.map_or(absent(f.kind()), |s| flag(s.stuck_without_products))
        }
        F::SellerStuckWithoutSales => s.map_or(absent(f.kind()), |s| flag(s.stuck_without_sales)),
        _ => x.buyer().map_or(absent(f.kind()), |p| read(p, f, None)),
    }
}

impl Condition {
    /// Evaluates the condition on a marketplace person at `as_of`: roles and seller values
    /// from the person, the other fields from its buyer profile (unset without one).
    ///
    /// ```
    /// # use relance::customer::{Dataset, ConsolidationPolicy, Currency, OptIn, ProfileField};
    /// use relance::customer::segment::{Condition, Op, Value};
    /// # let shop = Dataset::new();
    /// let as_of = chrono::Utc::now();
    /// # let c = shop.consolidate(&ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC))?;
    /// let people = relance::customer::seller::people(&c, &[], &["ops@example.com"]);
    /// let admin = Condition::new(ProfileField::IsAdministrator, Op::Equals(Value::OptIn(OptIn::Yes)));
    /// assert!(admin.matches_person(&people[0], as_of));
    /// assert!(!Condition::new(ProfileField::OrdersCount, Op::IsSet).matches_person(&people[0], as_of));
    /// # Ok::<(), relance::customer::ConsolidationError>(())
    /// ```
    #[must_use]
    pub fn matches_person(&self, person: &Person<'_, '_>, as_of: DateTime<Utc>) -> bool {
        test(&self.op, read_person(person, &self.field), as_of)
    }
}

impl SegmentSpec {
    /// Whether a marketplace person belongs to the segment at `as_of`: how the marketplace
    /// segments ([`marketplace_defaults`](crate::customer::seller::marketplace_defaults)) are
    /// evaluated locally, on the same values the sync pushes.
    ///
    /// ```
    /// # use relance::customer::{Dataset, ConsolidationPolicy, Currency};
    /// # let shop = Dataset::new();
    /// let as_of = chrono::Utc::now();
    /// # let c = shop.consolidate(&ConsolidationPolicy::new(Currency::EUR, as_of, chrono_tz::UTC))?;
    /// let people = relance::customer::seller::people(&c, &[], &["ops@example.com"]);
    /// let segments = relance::customer::seller::marketplace_defaults(&[1]);
    /// assert!(segments.iter().all(|s| !s.matches_person(&people[0], as_of)));
    /// # Ok::<(), relance::customer::ConsolidationError>(())
    /// ```
    #[must_use]
    pub fn matches_person(&self, person: &Person<'_, '_>, as_of: DateTime<Utc>) -> bool {
        let one = |c: &Condition| c.matches_person(person, as_of);
        match self.mode {
            Match::All => self.conditions.iter().all(one),
            Match::Any => self.conditions.iter().any(one),
        }
    }
}
