//! One criterion: what it tests ([`CriterionTest`]), its guid, and its wire attributes.

use std::fmt;

use crate::sendethic::types::{FieldRef, FieldValueId};

/// What a known criterion tests. Each variant documents its wire form.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CriterionTest {
    /// `selection-equals-list`: the selection field has the value (`value1="0,<id>,0"`).
    SelectionEquals {
        /// The selection field.
        field: FieldRef,
        /// The value id.
        value: FieldValueId,
    },
    /// `str-containssomething`: the text field is not empty.
    TextNotEmpty {
        /// The field.
        field: FieldRef,
    },
    /// `!str-containssomething` (`op="str-containssomething" is="false"`): the text field is
    /// empty.
    TextEmpty {
        /// The field.
        field: FieldRef,
    },
    /// `num-equals`: number = value.
    NumberEquals {
        /// The field.
        field: FieldRef,
        /// The operand, as written on the wire (a decimal with `.`).
        value: String,
    },
    /// `num-higher`: number ≥ value (inference from the reference's segment names).
    NumberAtLeast {
        /// The field.
        field: FieldRef,
        /// The operand.
        value: String,
    },
    /// `num-higher-strict`: number > value.
    NumberGreaterThan {
        /// The field.
        field: FieldRef,
        /// The operand.
        value: String,
    },
    /// `!num-higher` (`op="num-higher" is="false"`): number < value, as the negation of
    /// `num-higher` (the reference documents `is="false"` as negation; whether the service
    /// counts contacts without a value is unknown).
    NumberBelow {
        /// The field.
        field: FieldRef,
        /// The operand.
        value: String,
    },
    /// `date-containssomething`: the date is set.
    DateSet {
        /// The field.
        field: FieldRef,
    },
    /// `date-before-less-absnow`: the date is less than `days` days ago.
    DateWithinLastDays {
        /// The field.
        field: FieldRef,
        /// Number of days.
        days: u32,
    },
    /// `date-before-more-absnow`: the date is more than `days` days ago.
    DateOlderThanDays {
        /// The field.
        field: FieldRef,
        /// Number of days.
        days: u32,
    },
    /// `op-unsubscribing-emailing` (`type="Operation" id="0,5,0" op="unsubscribingemailing"`):
    /// the contact unsubscribed from email.
    UnsubscribedFromEmail,
}

/// One known criterion: what it tests ([`CriterionTest`]) and its `guid`.
///
/// The constructors generate a random v4-format guid; [`with_guid`](Self::with_guid) fixes
/// it (for deterministic output).
///
/// ```
/// use relance::sendethic::{Criterion, FieldId};
/// let c = Criterion::number_greater_than(FieldId(31), 0).with_guid("28c30297-4706-48af-8afb-b1216c9a394a");
/// assert_eq!(c.guid(), "28c30297-4706-48af-8afb-b1216c9a394a");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criterion {
    guid: String,
    test: CriterionTest,
}

/// The attributes of a known criterion, as written.
pub(super) struct WireCriterion {
    pub(super) reference: &'static str,
    pub(super) kind: &'static str,
    pub(super) id: String,
    pub(super) op: &'static str,
    pub(super) is: bool,
    pub(super) value1: String,
}

impl Criterion {
    /// A criterion testing `test`, with a fresh guid.
    ///
    /// ```
    /// use relance::sendethic::{Criterion, CriterionTest};
    /// let c = Criterion::new(CriterionTest::UnsubscribedFromEmail);
    /// assert_eq!(c.guid().len(), 36);
    /// ```
    #[must_use]
    pub fn new(test: CriterionTest) -> Self {
        Self {
            guid: new_guid(),
            test,
        }
    }

    /// Replaces the guid.
    ///
    /// ```
    /// let c = relance::sendethic::Criterion::unsubscribed_from_email().with_guid("g-1");
    /// assert_eq!(c.guid(), "g-1");
    /// ```
    #[must_use]
    pub fn with_guid(mut self, guid: impl Into<String>) -> Self {
        self.guid = guid.into();
        self
    }

    /// The guid.
    ///
    /// ```
    /// # let c = relance::sendethic::Criterion::unsubscribed_from_email();
    /// println!("{}", c.guid());
    /// ```
    #[must_use]
    pub fn guid(&self) -> &str {
        &self.guid
    }

    /// What the criterion tests.
    ///
    /// ```
    /// use relance::sendethic::{Criterion, CriterionTest};
    /// assert_eq!(Criterion::unsubscribed_from_email().test(), &CriterionTest::UnsubscribedFromEmail);
    /// ```
    #[doc(alias = "condition")]
    #[must_use]
    pub fn test(&self) -> &CriterionTest {
        &self.test
    }

    /// `selection-equals-list`: the selection `field` has `value`.
    ///
    /// ```
    /// use relance::sendethic::{Criterion, FieldId, FieldValueId};
    /// let c = Criterion::selection_equals(FieldId(30), FieldValueId(54));
    /// # let _ = c;
    /// ```
    #[must_use]
    pub fn selection_equals(field: impl Into<FieldRef>, value: FieldValueId) -> Self {
        Self::new(CriterionTest::SelectionEquals {
            field: field.into(),
            value,
        })
    }

    /// `str-containssomething`: the text `field` is not empty.
    ///
    /// ```
    /// let c = relance::sendethic::Criterion::text_not_empty(relance::sendethic::FieldId(27));
    /// # let _ = c;
    /// ```
    #[must_use]
    pub fn text_not_empty(field: impl Into<FieldRef>) -> Self {
        Self::new(CriterionTest::TextNotEmpty {
            field: field.into(),
        })
    }

    /// `!str-containssomething`: the text `field` is empty.
    ///
    /// ```
    /// let c = relance::sendethic::Criterion::text_empty("firstname");
    /// # let _ = c;
    /// ```
    #[must_use]
    pub fn text_empty(field: impl Into<FieldRef>) -> Self {
        Self::new(CriterionTest::TextEmpty {
            field: field.into(),
        })
    }

    /// `num-equals`: the number `field` equals `value`.
    ///
    /// ```
    /// let c = relance::sendethic::Criterion::number_equals(relance::sendethic::FieldId(31), 0);
    /// # let _ = c;
    /// ```
    #[must_use]
    pub fn number_equals(field: impl Into<FieldRef>, value: impl fmt::Display) -> Self {
        Self::new(CriterionTest::NumberEquals {
            field: field.into(),
            value: value.to_string(),
        })
    }

    /// `num-higher`: the number `field` is at least `value`.
    ///
    /// ```
    /// let c = relance::sendethic::Criterion::number_at_least(relance::sendethic::FieldId(32), 2);
    /// # let _ = c;
    /// ```
    #[must_use]
    pub fn number_at_least(field: impl Into<FieldRef>, value: impl fmt::Display) -> Self {
        Self::new(CriterionTest::NumberAtLeast {
            field: field.into(),
            value: value.to_string(),
        })
    }

    /// `num-higher-strict`: the number `field` is greater than `value`.
    ///
    /// ```
    /// let c = relance::sendethic::Criterion::number_greater_than(relance::sendethic::FieldId(31), 0);
    /// # let _ = c;
    /// ```
    #[must_use]
    pub fn number_greater_than(field: impl Into<FieldRef>, value: impl fmt::Display) -> Self {
        Self::new(CriterionTest::NumberGreaterThan {
            field: field.into(),
            value: value.to_string(),
        })
    }

    /// `!num-higher`: the number `field` is less than `value` (the negation of
    /// [`number_at_least`](Self::number_at_least)).
    ///
    /// ```
    /// let c = relance::sendethic::Criterion::number_below(relance::sendethic::FieldId(31), 0.5);
    /// # let _ = c;
    /// ```
    #[must_use]
    pub fn number_below(field: impl Into<FieldRef>, value: impl fmt::Display) -> Self {
        Self::new(CriterionTest::NumberBelow {
            field: field.into(),
            value: value.to_string(),
        })
    }

    /// `date-containssomething`: the date `field` is set.
    ///
    /// ```
    /// let c = relance::sendethic::Criterion::date_set(relance::sendethic::FieldId(33));
    /// # let _ = c;
    /// ```
    #[must_use]
    pub fn date_set(field: impl Into<FieldRef>) -> Self {
        Self::new(CriterionTest::DateSet {
            field: field.into(),
        })
    }

    /// `date-before-less-absnow`: the date `field` is less than `days` days ago.
    ///
    /// ```
    /// let c = relance::sendethic::Criterion::date_within_last_days(relance::sendethic::FieldId(34), 30);
    /// # let _ = c;
    /// ```
    #[must_use]
    pub fn date_within_last_days(field: impl Into<FieldRef>, days: u32) -> Self {
        Self::new(CriterionTest::DateWithinLastDays {
            field: field.into(),
            days,
        })
    }

    /// `date-before-more-absnow`: the date `field` is more than `days` days ago.
    ///
    /// ```
    /// let c = relance::sendethic::Criterion::date_older_than_days(relance::sendethic::FieldId(35), 90);
    /// # let _ = c;
    /// ```
    #[must_use]
    pub fn date_older_than_days(field: impl Into<FieldRef>, days: u32) -> Self {
        Self::new(CriterionTest::DateOlderThanDays {
            field: field.into(),
            days,
        })
    }

    /// `op-unsubscribing-emailing`: the contact unsubscribed from email.
    ///
    /// ```
    /// let c = relance::sendethic::Criterion::unsubscribed_from_email();
    /// # let _ = c;
    /// ```
    #[must_use]
    pub fn unsubscribed_from_email() -> Self {
        Self::new(CriterionTest::UnsubscribedFromEmail)
    }

    /// The attributes this crate writes.
    pub(super) fn wire(&self) -> WireCriterion {
        let attr = |reference, field: &FieldRef, is, value1: String| WireCriterion {
            reference,
            kind: "ContactAttribute",
            id: field.as_wire(),
            op: reference.trim_start_matches('!'),
            is,
            value1,
        };
        match &self.test {
            CriterionTest::SelectionEquals { field, value } => {
                attr("selection-equals-list", field, true, format!("0,{value},0"))
            }
            CriterionTest::TextNotEmpty { field } => {
                attr("str-containssomething", field, true, String::new())
            }
            CriterionTest::TextEmpty { field } => {
                attr("!str-containssomething", field, false, String::new())
            }
            CriterionTest::NumberEquals { field, value } => {
                attr("num-equals", field, true, value.clone())
            }
            CriterionTest::NumberAtLeast { field, value } => {
                attr("num-higher", field, true, value.clone())
            }
            CriterionTest::NumberGreaterThan { field, value } => {
                attr("num-higher-strict", field, true, value.clone())
            }
            CriterionTest::NumberBelow { field, value } => {
                attr("!num-higher", field, false, value.clone())
            }
            CriterionTest::DateSet { field } => {
                attr("date-containssomething", field, true, String::new())
            }
            CriterionTest::DateWithinLastDays { field, days } => {
                attr("date-before-less-absnow", field, true, days.to_string())
            }
            CriterionTest::DateOlderThanDays { field, days } => {
                attr("date-before-more-absnow", field, true, days.to_string())
            }
            CriterionTest::UnsubscribedFromEmail => WireCriterion {
                reference: "op-unsubscribing-emailing",
                kind: "Operation",
                id: "0,5,0".to_owned(),
                op: "unsubscribingemailing",
                is: true,
                value1: String::new(),
            },
        }
    }

    /// Reads a criterion from its attributes; `None` when it is not a known form.
    pub(super) fn from_attrs(attrs: &[(String, String)]) -> Option<Self> {
        const KNOWN: [&str; 8] = [
            "guid",
            "reference",
            "type",
            "id",
            "op",
            "is",
            "value1",
            "value2",
        ];
        if attrs.len() != KNOWN.len() || !KNOWN.iter().all(|k| attrs.iter().any(|(n, _)| n == k)) {
            return None;
        }
        let get = |k: &str| {
            attrs
                .iter()
                .find(|(n, _)| n == k)
                .map_or("", |(_, v)| v.as_str())
        };
        if !get("value2").is_empty() {
            return None;
        }
        let field = FieldRef::parse(get("id"));
        let value1 = get("value1");
        let days = || value1.parse::<u32>().ok();
        let test = match get("reference") {
            "selection-equals-list" => {
                let parts: Vec<&str> = value1.split(',').collect();
                match parts.as_slice() {
                    ["0", id, "0"] => CriterionTest::SelectionEquals {
                        field,
                        value: FieldValueId(id.parse().ok()?),
                    },
                    _ => return None,
                }
            }
            "str-containssomething" if value1.is_empty() => CriterionTest::TextNotEmpty { field },
            "!str-containssomething" if value1.is_empty() => CriterionTest::TextEmpty { field },
            "num-equals" if is_decimal(value1) => CriterionTest::NumberEquals {
                field,
                value: value1.to_owned(),
            },
            "num-higher" if is_decimal(value1) => CriterionTest::NumberAtLeast {
                field,
                value: value1.to_owned(),
            },
            "num-higher-strict" if is_decimal(value1) => CriterionTest::NumberGreaterThan {
                field,
                value: value1.to_owned(),
            },
            "!num-higher" if is_decimal(value1) => CriterionTest::NumberBelow {
                field,
                value: value1.to_owned(),
            },
            "date-containssomething" if value1.is_empty() => CriterionTest::DateSet { field },
            "date-before-less-absnow" => CriterionTest::DateWithinLastDays {
                field,
                days: days()?,
            },
            "date-before-more-absnow" => CriterionTest::DateOlderThanDays {
                field,
                days: days()?,
            },
            "op-unsubscribing-emailing" if value1.is_empty() => {
                CriterionTest::UnsubscribedFromEmail
            }
            _ => return None,
        };
        let candidate = Self {
            guid: get("guid").to_owned(),
            test,
        };
        // Every other attribute must be exactly what this crate writes, or it is not "known".
        let w = candidate.wire();
        let consistent = get("type") == w.kind
            && get("id") == w.id
            && get("op") == w.op
            && get("is") == if w.is { "true" } else { "false" }
            && get("value1") == w.value1;
        consistent.then_some(candidate)
    }
}

/// Whether `s` is a plain decimal number with `.` as separator (`-12`, `3.50`).
pub(crate) fn is_decimal(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// A random UUID in v4 format (from `fastrand`; not cryptographic, only unique enough).
fn new_guid() -> String {
    let mut b = [0u8; 16];
    for x in &mut b {
        *x = fastrand::u8(..);
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = b.iter().fold(String::with_capacity(32), |mut h, x| {
        let _ = fmt::Write::write_fmt(&mut h, format_args!("{x:02x}"));
        h
    });
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_is_v4_format() {
        let g = new_guid();
        assert_eq!(g.len(), 36);
        assert_eq!(&g[14..15], "4");
        assert!(matches!(&g[19..20], "8" | "9" | "a" | "b"));
        assert_ne!(new_guid(), g);
    }

    #[test]
    fn decimals() {
        for ok in ["0", "12", "-3", "3.50"] {
            assert!(is_decimal(ok), "{ok}");
        }
        for bad in ["", "1,5", "1.", ".5", "1e3", "abc", "-"] {
            assert!(!is_decimal(bad), "{bad}");
        }
    }
}
