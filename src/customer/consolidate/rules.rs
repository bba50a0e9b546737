//! The business rules of a consolidation, each written once and resolved against the policy
//! before the stages run: what counts as an order, which contact a record belongs to, when a
//! cart is abandoned and which customer row represents a contact.

use chrono::{DateTime, Utc};

use super::ConsolidationError;
use super::aggregate::Agg;
use super::records::CartRec;
use crate::customer::dataset::NONE;
use crate::customer::order_columns::{STANDARD_CODES, Tag, status_code};
use crate::customer::{
    CartClock, CartScope, ConsolidationPolicy, ConvertedBy, Currency, Dataset, MissingFx, Order,
    OrderStatus, RefundPolicy,
};

/// An instant in microseconds since the epoch (the unit of every rule).
#[inline]
pub(crate) fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

/// How a currency slot converts to the reporting currency.
#[derive(Clone, Copy, Debug)]
enum SlotRate {
    /// the reporting currency itself
    Same,
    /// factor to reporting minor units
    Factor(f64),
}

/// A non-negative amount at a factor to reporting minor units, rounded; `None` when it does
/// not fit.
#[inline]
fn convert(raw: i64, factor: f64) -> Option<i64> {
    #[allow(clippy::cast_precision_loss)]
    let v = (raw as f64 * factor).round();
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
    (!(v.is_nan() || v >= i64::MAX as f64)).then_some(v as i64)
}

/// The policy resolved against one dataset.
pub(crate) struct Rules {
    /// µs since the epoch: nothing after it exists
    pub(crate) as_of: i64,
    /// whether each status is counted, by [`status_code`]
    counted: Vec<bool>,
    refunds: RefundPolicy,
    pub(crate) currency: Currency,
    /// (currency, factor to reporting minor units)
    rates: Vec<(Currency, f64)>,
    /// the conversion of each currency slot of the dataset's order columns, `None` without
    /// a rate
    slot_rates: Vec<Option<SlotRate>>,
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
        let mut counted = vec![false; STANDARD_CODES];
        for s in OrderStatus::STANDARD {
            counted[status_code(s)] = policy.counted_statuses.contains_standard(s);
        }
        counted.extend(
            ds.custom_statuses()
                .iter()
                .map(|name| policy.counted_statuses.custom().iter().any(|c| c == name)),
        );
        let slot_rates = ds
            .order_cols
            .currencies
            .iter()
            .map(|&c| {
                if c == rep {
                    Some(SlotRate::Same)
                } else {
                    rates
                        .iter()
                        .find(|r| r.0 == c)
                        .map(|r| SlotRate::Factor(r.1))
                }
            })
            .collect();
        let as_of = micros(policy.as_of);
        Ok(Self {
            as_of,
            counted,
            refunds: policy.refund_policy,
            currency: rep,
            rates,
            slot_rates,
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
        self.counted_code(status_code(s))
    }

    /// Whether orders of this [`status_code`] are counted.
    #[inline]
    pub(super) fn counted_code(&self, code: usize) -> bool {
        self.counted.get(code).copied() == Some(true)
    }

    /// The [`value`](Self::value) of order `i` (refunded `refunded`) from the order columns
    /// when they suffice (a currency slot with a rate, no overflow), else from its row (which
    /// also names the order in an error).
    #[inline]
    pub(super) fn value_at(
        &self,
        ds: &Dataset,
        i: usize,
        tag: Tag,
        refunded: i64,
    ) -> Result<i64, ConsolidationError> {
        if let Some(rate) = tag
            .slot()
            .and_then(|s| self.slot_rates.get(s).copied().flatten())
        {
            let raw = self.counted_minor(ds.order_cols.minor[i], refunded);
            match rate {
                SlotRate::Same => return Ok(raw),
                SlotRate::Factor(f) => {
                    if let Some(v) = convert(raw, f) {
                        return Ok(v);
                    }
                }
            }
        }
        ds.order_cols.get(i).map_or(Ok(0), |o| self.value(&o))
    }

    /// The value of a counted order in reporting minor units: net or gross of refunds (never
    /// below 0), converted at its currency's rate.
    #[inline]
    pub(super) fn value(&self, o: &Order) -> Result<i64, ConsolidationError> {
        self.value_of(o.id, o.amount, o.refunded_minor)
    }

    /// An amount net or gross of its refunds, as the policy says, never below 0 (in the
    /// amount's own minor units).
    #[inline]
    fn counted_minor(&self, minor: i64, refunded: i64) -> i64 {
        match self.refunds {
            RefundPolicy::Net => minor.saturating_sub(refunded),
            RefundPolicy::Gross => minor,
        }
        .max(0)
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
        let raw = self.counted_minor(amount.minor, refunded_minor);
        if amount.currency == self.currency {
            return Ok(raw);
        }
        for &(c, factor) in &self.rates {
            if c == amount.currency {
                return convert(raw, factor).ok_or(ConsolidationError::Overflow { order: id });
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
    /// none, or for a guest record (`guest`) of a contact with customer rows when guest records are
    /// not attached (`has_rows` is only asked then).
    #[inline]
    pub(super) fn contact(
        &self,
        resolved: u32,
        guest: bool,
        has_rows: impl FnOnce(u32) -> bool,
    ) -> Option<u32> {
        if resolved == NONE {
            return None;
        }
        if !self.attach_guests && guest && has_rows(resolved) {
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
    let key = |i: u32| {
        ds.customers
            .get(i as usize)
            .map(|x| (!x.is_guest(), x.updated_at(), x.signed_up_at()))
    };
    let mut best = head;
    let mut cur = ds.customer_next[head as usize];
    while cur != NONE {
        if key(cur) > key(best) {
            best = cur;
        }
        cur = ds.customer_next[cur as usize];
    }
    best
}
