//! The business rules of a consolidation, each written once and resolved against the policy
//! before the stages run: what counts as an order, which contact a record belongs to, when a
//! cart is abandoned and which customer row represents a contact.

use chrono::{DateTime, Utc};

use super::ConsolidationError;
use super::aggregate::Agg;
use super::records::CartRec;
use crate::customer::dataset::NONE;
use crate::customer::{
    Buyer, CartClock, CartScope, ConsolidationPolicy, ConvertedBy, Currency, Customer, Dataset,
    MissingFx, Order, OrderStatus, RefundPolicy,
};

/// An instant in microseconds since the epoch (the unit of every rule).
#[inline]
pub(crate) fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

/// Slot of a standard status in the counted-status table (`Refunded` and `Other` share the
/// last slot; custom statuses are looked up in their own table first).
fn std_pos(s: OrderStatus) -> usize {
    match s {
        OrderStatus::Pending => 0,
        OrderStatus::Paid => 1,
        OrderStatus::Processing => 2,
        OrderStatus::Shipped => 3,
        OrderStatus::Completed => 4,
        OrderStatus::Cancelled => 5,
        OrderStatus::Refunded | OrderStatus::Other(_) => 6,
    }
}

/// The policy resolved against one dataset.
pub(crate) struct Rules {
    /// µs since the epoch: nothing after it exists
    pub(crate) as_of: i64,
    /// counted standard statuses, by [`std_pos`]
    counted_std: [bool; 7],
    /// counted custom statuses, by [`CustomStatus`](crate::customer::CustomStatus) index
    counted_custom: Vec<bool>,
    refunds: RefundPolicy,
    pub(crate) currency: Currency,
    /// (currency, factor to reporting minor units)
    rates: Vec<(Currency, f64)>,
    skip_missing_fx: bool,
    attach_guests: bool,
    /// when a cart is abandoned
    pub(super) carts: Abandonment,
}

impl Rules {
    /// Resolves `policy` for `ds`: the counted-status tables, the rates scaled to reporting
    /// minor units (an invalid rate is an error), the cart deadlines.
    pub(crate) fn new(
        ds: &Dataset,
        policy: &ConsolidationPolicy,
    ) -> Result<Self, ConsolidationError> {
        let rep = policy.reporting_currency;
        let mut rates = Vec::with_capacity(policy.rates.len());
        for r in &policy.rates {
            if !(r.rate.is_finite() && r.rate > 0.0) {
                return Err(ConsolidationError::InvalidRate { currency: r.from });
            }
            let scale = 10f64.powi(i32::from(rep.exponent()) - i32::from(r.from.exponent()));
            rates.push((r.from, r.rate * scale));
        }
        let mut counted_std = [false; 7];
        for s in OrderStatus::STANDARD {
            counted_std[std_pos(s)] = policy.counted_statuses.contains_standard(s);
        }
        let counted_custom = ds
            .custom_statuses()
            .iter()
            .map(|name| policy.counted_statuses.custom().iter().any(|c| c == name))
            .collect();
        let as_of = micros(policy.as_of);
        Ok(Self {
            as_of,
            counted_std,
            counted_custom,
            refunds: policy.refund_policy,
            currency: rep,
            rates,
            skip_missing_fx: policy.on_missing_fx == MissingFx::Skip,
            attach_guests: policy.attach_guest_orders,
            carts: Abandonment::new(policy, as_of),
        })
    }

    /// Whether an instant is at or before `as_of` (later records do not exist yet).
    #[inline]
    pub(crate) fn by_as_of(&self, ts: i64) -> bool {
        ts <= self.as_of
    }

    /// Whether orders of this status are counted.
    #[inline]
    pub(crate) fn counted(&self, s: OrderStatus) -> bool {
        match s {
            OrderStatus::Other(c) => self.counted_custom.get(c.0 as usize).copied() == Some(true),
            s => self.counted_std[std_pos(s)],
        }
    }

    /// The value of a counted order in reporting minor units: net or gross of refunds (never
    /// below 0), converted at its currency's rate.
    #[inline]
    pub(super) fn value(&self, o: &Order) -> Result<i64, ConsolidationError> {
        self.value_of(o.id, o.amount, o.refunded_minor)
    }

    /// The counted value of an amount (net of its refunds per the policy) in the reporting
    /// currency's minor units; `id` names the order in errors.
    #[inline]
    pub(crate) fn value_of(
        &self,
        id: crate::customer::OrderId,
        amount: crate::customer::Money,
        refunded_minor: i64,
    ) -> Result<i64, ConsolidationError> {
        let raw = match self.refunds {
            RefundPolicy::Net => amount.minor.saturating_sub(refunded_minor),
            RefundPolicy::Gross => amount.minor,
        }
        .max(0);
        if amount.currency == self.currency {
            return Ok(raw);
        }
        for &(c, factor) in &self.rates {
            if c == amount.currency {
                #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
                let v = (raw as f64 * factor).round();
                #[allow(clippy::cast_precision_loss)]
                if v.is_nan() || v >= i64::MAX as f64 {
                    return Err(ConsolidationError::Overflow { order: id });
                }
                #[allow(clippy::cast_possible_truncation)]
                return Ok(v as i64);
            }
        }
        Err(ConsolidationError::MissingRate {
            order: id,
            currency: amount.currency,
        })
    }

    /// Whether a counted order whose [`value`](Self::value) failed with `e` is left out
    /// (a missing rate under [`MissingFx::Skip`]) rather than failing the consolidation.
    #[inline]
    pub(super) fn skipped(&self, e: &ConsolidationError) -> bool {
        self.skip_missing_fx && matches!(e, ConsolidationError::MissingRate { .. })
    }

    /// The contact a record counts for, given its pre-resolved contact: `None` when it has
    /// none, or for a guest record of a contact with customer rows when guest records are
    /// not attached (`has_rows` is only asked then).
    #[inline]
    pub(super) fn contact(
        &self,
        resolved: u32,
        buyer: Buyer,
        has_rows: impl FnOnce(u32) -> bool,
    ) -> Option<u32> {
        if resolved == NONE {
            return None;
        }
        if !self.attach_guests && matches!(buyer, Buyer::Guest(_)) && has_rows(resolved) {
            return None;
        }
        Some(resolved)
    }
}

/// When a cart is abandoned (reference §3.8), with its deadlines computed once.
pub(super) struct Abandonment {
    clock: CartClock,
    pub(super) scope: CartScope,
    converted_by: ConvertedBy,
    /// latest clock of an abandoned cart: `as_of − delay`
    deadline: i64,
    /// earliest clock of an abandoned cart: `as_of − max age`
    oldest: Option<i64>,
}

impl Abandonment {
    fn new(policy: &ConsolidationPolicy, as_of: i64) -> Self {
        let ago = |d: std::time::Duration| {
            as_of.saturating_sub(i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
        };
        Self {
            clock: policy.abandoned_cart_clock,
            scope: policy.abandoned_cart_scope,
            converted_by: policy.abandoned_cart_converted_by,
            deadline: ago(policy.abandoned_cart_delay),
            oldest: policy.abandoned_cart_max_age.map(ago),
        }
    }

    /// The instant the abandonment delay runs from.
    #[inline]
    pub(super) fn clock(&self, created: i64, updated: i64) -> i64 {
        match self.clock {
            CartClock::UpdatedAt => updated,
            CartClock::CreatedAt => created,
        }
    }

    /// The rules on the cart alone: it has items, no converted order, and its clock is past
    /// the delay and within the maximum age.
    #[inline]
    pub(super) fn candidate(&self, items: bool, linked: bool, clock: i64) -> bool {
        items && !linked && clock <= self.deadline && self.oldest.is_none_or(|o| clock >= o)
    }

    /// Whether a cart of a contact is abandoned: a [candidate](Self::candidate) that no order
    /// references (`referenced`, sorted) and that no order of the contact followed.
    #[inline]
    pub(super) fn abandoned(&self, c: &CartRec, orders: &Agg, referenced: &[u64]) -> bool {
        let later = match self.converted_by {
            ConvertedBy::AnyOrder => orders.max_any,
            ConvertedBy::CountedOrders => orders.last,
        };
        self.candidate(c.items, c.linked, c.clock)
            && later < c.updated
            && referenced.binary_search(&c.id).is_err()
    }
}

/// The customer row that represents a contact (see
/// [`CustomerProfile`](crate::customer::CustomerProfile)): registered before shop-guest
/// rows, then the latest `updated_at`, then the latest `signed_up_at`, then the row added
/// first. `head` is the contact's first row.
pub(super) fn representative_row(ds: &Dataset, head: u32) -> u32 {
    let key = |x: &Customer| (!x.is_guest, x.updated_at, x.signed_up_at);
    let mut best = head;
    let mut cur = ds.customer_next[head as usize];
    while cur != NONE {
        if key(&ds.customers[cur as usize]) > key(&ds.customers[best as usize]) {
            best = cur;
        }
        cur = ds.customer_next[cur as usize];
    }
    best
}
