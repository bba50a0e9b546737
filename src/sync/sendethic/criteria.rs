//! How the Sendethic target writes a domain segment: one translation table from a
//! condition (operator and field kind) to a Sendethic criterion.

use super::{SendethicTarget, Slot};
use crate::customer::segment::{self as domain, Match, Op, Value};
use crate::customer::{FieldKind, OptIn, ProfileField};
use crate::error::{Error, Result};
use crate::sendethic::{Criteria, Criterion, FieldRef, Mode, SegmentDefinition};

impl SendethicTarget {
    /// The Sendethic criteria `reference` a domain condition translates to (reference §6 of
    /// the Sendethic document), `None` when Sendethic has no known operator for it. A leading
    /// `!` means the operator without the `!` and `is="false"`.
    ///
    /// ```
    /// use relance::customer::ProfileField;
    /// use relance::customer::segment::{Condition, Op};
    /// use relance::sync::SendethicTarget;
    /// let c = Condition::new(ProfileField::CustomerId, Op::IsEmpty);
    /// assert_eq!(SendethicTarget::criterion_reference(&c), Some("!str-containssomething"));
    /// let c = Condition::new(ProfileField::LastLoginAt, Op::WithinLastDays(30));
    /// assert_eq!(SendethicTarget::criterion_reference(&c), Some("date-before-less-absnow"));
    /// ```
    #[must_use]
    pub fn criterion_reference(condition: &domain::Condition) -> Option<&'static str> {
        Operator::of(condition).map(Operator::reference)
    }

    /// The Sendethic criterion of a domain condition.
    fn criterion(&self, c: &domain::Condition) -> Result<Criterion> {
        let unsupported = || {
            Error::invalid(
                format!("{:?} {:?}", c.field, c.op),
                "Sendethic has no known criterion for this condition",
            )
        };
        // the key, a standard field, needs no preparation
        let slot = match &c.field {
            ProfileField::Email => Self::standard(&c.field).map(Slot::Standard),
            f => self.slots.get(f).copied(),
        };
        let field = match slot {
            Some(Slot::Standard(id)) => FieldRef::from(id),
            Some(Slot::Custom(id)) => FieldRef::from(id),
            None => {
                return Err(Error::invalid(
                    self.naming.tag(&c.field),
                    "the field was not prepared: add it to the syncer's fields",
                ));
            }
        };
        Ok(match Operator::of(c).ok_or_else(unsupported)? {
            Operator::TextNotEmpty => Criterion::text_not_empty(field),
            Operator::TextEmpty => Criterion::text_empty(field),
            Operator::DateSet => Criterion::date_set(field),
            Operator::NumberEquals(n) => Criterion::number_equals(field, n),
            Operator::NumberAtLeast(n) => Criterion::number_at_least(field, n),
            Operator::NumberGreaterThan(n) => Criterion::number_greater_than(field, n),
            Operator::NumberLessThan(n) => Criterion::number_below(field, n),
            Operator::DateWithinLastDays(n) => Criterion::date_within_last_days(field, n),
            Operator::DateOlderThanDays(n) => Criterion::date_older_than_days(field, n),
            Operator::SelectionEquals(o @ (OptIn::Yes | OptIn::No)) => {
                let (yes, no) = slot
                    .and_then(|s| self.optin_values(&s))
                    .ok_or_else(unsupported)?;
                Criterion::selection_equals(field, if o == OptIn::Yes { yes } else { no })
            }
            Operator::SelectionEquals(OptIn::Unknown) => return Err(unsupported()),
        })
    }

    pub(super) fn segment(&self, spec: &domain::SegmentSpec) -> Result<SegmentDefinition> {
        let mut criteria = Criteria::new();
        for c in &spec.conditions {
            criteria.push(self.criterion(c).map_err(|e| match e {
                Error::InvalidInput { item, reason } => {
                    Error::invalid(format!("segment {}: {item}", spec.tag), reason)
                }
                other => other,
            })?);
        }
        let mode = match spec.mode {
            Match::All => Mode::Intersect,
            Match::Any => Mode::Union,
        };
        Ok(SegmentDefinition::new(
            spec.tag.clone(),
            self.naming.segment_name(&spec.name),
            mode,
            criteria,
        ))
    }
}

/// The Sendethic operator of a domain condition, by the operator and the field's kind: the
/// one translation table behind [`SendethicTarget::criterion_reference`] and the criteria of
/// provisioned segments.
#[derive(Debug, Clone, Copy)]
enum Operator {
    SelectionEquals(OptIn),
    TextNotEmpty,
    TextEmpty,
    NumberEquals(f64),
    NumberAtLeast(f64),
    NumberGreaterThan(f64),
    NumberLessThan(f64),
    DateSet,
    DateWithinLastDays(u32),
    DateOlderThanDays(u32),
}

impl Operator {
    fn of(c: &domain::Condition) -> Option<Self> {
        Some(match (&c.op, c.field.kind()) {
            (Op::Equals(Value::OptIn(o)), FieldKind::OptIn) => Self::SelectionEquals(*o),
            (Op::Equals(Value::Number(n)), FieldKind::Number) => Self::NumberEquals(*n),
            (Op::AtLeast(n), FieldKind::Number) => Self::NumberAtLeast(*n),
            (Op::GreaterThan(n), FieldKind::Number) => Self::NumberGreaterThan(*n),
            (Op::LessThan(n), FieldKind::Number) => Self::NumberLessThan(*n),
            (Op::IsSet, FieldKind::Text) => Self::TextNotEmpty,
            (Op::IsEmpty, FieldKind::Text) => Self::TextEmpty,
            (Op::IsSet, FieldKind::DateTime | FieldKind::Date) => Self::DateSet,
            (Op::WithinLastDays(n), FieldKind::DateTime | FieldKind::Date) => {
                Self::DateWithinLastDays(*n)
            }
            (Op::MoreThanDaysAgo(n), FieldKind::DateTime | FieldKind::Date) => {
                Self::DateOlderThanDays(*n)
            }
            _ => return None,
        })
    }

    fn reference(self) -> &'static str {
        match self {
            Self::SelectionEquals(_) => "selection-equals-list",
            Self::TextNotEmpty => "str-containssomething",
            Self::TextEmpty => "!str-containssomething",
            Self::NumberEquals(_) => "num-equals",
            Self::NumberAtLeast(_) => "num-higher",
            Self::NumberGreaterThan(_) => "num-higher-strict",
            Self::NumberLessThan(_) => "!num-higher",
            Self::DateSet => "date-containssomething",
            Self::DateWithinLastDays(_) => "date-before-less-absnow",
            Self::DateOlderThanDays(_) => "date-before-more-absnow",
        }
    }
}
