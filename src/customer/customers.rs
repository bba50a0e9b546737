//! The customer rows of a dataset, held compactly: every row's text in one buffer, its
//! fields as offsets into it, so that a million rows cost two allocations rather than
//! seven or eight each; and the [`CustomerView`] through which callers read a row.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::customer::{Civility, Customer, OptIn};

mod view;
pub use view::CustomerView;

/// The text fields of a row, in the order their ends are kept.
const ID: usize = 0;
const EMAIL: usize = 1;
const FIRST_NAME: usize = 2;
const LAST_NAME: usize = 3;
const PHONE: usize = 4;
const POSTCODE: usize = 5;
const SHOP_ID: usize = 6;
const FIELDS: usize = 7;

/// Civility codes: 0 none, then the standard ones, then `OTHER + i` for the `i`-th other
/// spelling.
const MR: u32 = 1;
const MRS: u32 = 2;
const MISS: u32 = 3;
const OTHER: u32 = 4;

static STANDARD: [Civility; 3] = [Civility::Mr, Civility::Mrs, Civility::Miss];

/// A salutation as a row is given it: a standard one or another spelling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CivilityText<'a> {
    /// Mr.
    Mr,
    /// Mrs.
    Mrs,
    /// Miss.
    Miss,
    /// Anything else, verbatim.
    Other(&'a str),
}

impl<'a> CivilityText<'a> {
    /// The common spellings (`mr`, `m`, `mrs`, `mme`, `ms`, `miss`, `mlle`, case-insensitive,
    /// trailing dots ignored); anything else non-blank is another salutation, verbatim
    /// (trimmed); blank gives `None`. [`Civility::parse`] is this, owned.
    pub(crate) fn parse(text: &'a str) -> Option<Self> {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        let bare = t.trim_end_matches('.');
        let is = |words: &[&str]| words.iter().any(|w| bare.eq_ignore_ascii_case(w));
        Some(if is(&["mr", "m"]) {
            Self::Mr
        } else if is(&["mrs", "mme", "ms"]) {
            Self::Mrs
        } else if is(&["miss", "mlle"]) {
            Self::Miss
        } else {
            Self::Other(t)
        })
    }

    /// The salutation, owned.
    pub(crate) fn to_civility(self) -> Civility {
        match self {
            Self::Mr => Civility::Mr,
            Self::Mrs => Civility::Mrs,
            Self::Miss => Civility::Miss,
            Self::Other(s) => Civility::Other(s.to_owned()),
        }
    }

    fn of(civility: &'a Civility) -> Self {
        match civility {
            Civility::Mr => Self::Mr,
            Civility::Mrs => Self::Mrs,
            Civility::Miss => Self::Miss,
            Civility::Other(s) => Self::Other(s),
        }
    }
}

/// A customer row's fields, borrowed: what [`CustomerStore::push`] keeps.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct CustomerFields<'a> {
    pub(crate) id: &'a str,
    pub(crate) email: &'a str,
    pub(crate) first_name: Option<&'a str>,
    pub(crate) last_name: Option<&'a str>,
    pub(crate) civility: Option<CivilityText<'a>>,
    pub(crate) birth_date: Option<NaiveDate>,
    pub(crate) phone: Option<&'a str>,
    pub(crate) postcode: Option<&'a str>,
    pub(crate) signed_up_at: Option<DateTime<Utc>>,
    pub(crate) updated_at: Option<DateTime<Utc>>,
    pub(crate) last_login_at: Option<DateTime<Utc>>,
    pub(crate) newsletter_optin: OptIn,
    pub(crate) newsletter_optin_at: Option<DateTime<Utc>>,
    pub(crate) shop_id: Option<&'a str>,
    pub(crate) is_guest: bool,
}

impl<'a> CustomerFields<'a> {
    /// The fields of `c` (its group ids apart).
    pub(crate) fn of(c: &'a Customer) -> Self {
        Self {
            id: &c.id,
            email: &c.email,
            first_name: c.first_name.as_deref(),
            last_name: c.last_name.as_deref(),
            civility: c.civility.as_ref().map(CivilityText::of),
            birth_date: c.birth_date,
            phone: c.phone.as_deref(),
            postcode: c.postcode.as_deref(),
            signed_up_at: c.signed_up_at,
            updated_at: c.updated_at,
            last_login_at: c.last_login_at,
            newsletter_optin: c.newsletter_optin,
            newsletter_optin_at: c.newsletter_optin_at,
            shop_id: c.shop_id.as_deref(),
            is_guest: c.is_guest,
        }
    }
}

/// One row: where its text starts, where each text field ends, and its other fields.
#[derive(Clone, Copy, Debug)]
struct Row {
    start: u64,
    /// end of each text field, from `start`; a field starts where the one before ends
    ends: [u32; FIELDS],
    /// first of the row's group ids in [`CustomerStore::groups`]
    groups: u32,
    group_count: u16,
    /// which of the optional text fields are set (bit `i` for field `i`)
    present: u8,
    optin: OptIn,
    is_guest: bool,
    civility: u32,
    birth_date: Option<NaiveDate>,
    signed_up_at: Option<DateTime<Utc>>,
    updated_at: Option<DateTime<Utc>>,
    last_login_at: Option<DateTime<Utc>>,
    optin_at: Option<DateTime<Utc>>,
}

/// Customer rows: their text in one buffer, each row's fields offsets into it.
#[derive(Debug, Default)]
pub(crate) struct CustomerStore {
    text: String,
    rows: Vec<Row>,
    /// each group id's span, from its row's start (a row's ids sorted and deduplicated)
    groups: Vec<[u32; 2]>,
    /// the civilities other than the standard ones, by code − `OTHER`
    others: Vec<Civility>,
    other_codes: HashMap<String, u32>,
    /// spans of the row being pushed's group ids (kept for its room)
    scratch: Vec<[u32; 2]>,
}

/// Bytes of text reserved per row (ids, an email, names: a usual row's).
const TEXT_PER_ROW: usize = 48;

fn u32_of(n: usize) -> u32 {
    u32::try_from(n).unwrap_or_else(|_| {
        panic!("customer rows past 2^32 (a row's text in bytes, group ids or civilities)")
    })
}

impl CustomerStore {
    /// Room for `n` rows.
    pub(crate) fn with_capacity(n: usize) -> Self {
        Self {
            text: String::with_capacity(n.saturating_mul(TEXT_PER_ROW)),
            rows: Vec::with_capacity(n),
            ..Self::default()
        }
    }

    /// Room for `n` more rows, as far as the memory can be had (an estimate asked too much
    /// of: nothing more is reserved).
    pub(crate) fn try_reserve(&mut self, n: usize) {
        let _ = self.rows.try_reserve(n);
        let _ = self.text.try_reserve(n.saturating_mul(TEXT_PER_ROW));
    }

    /// Rows held.
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    /// Forgets every row, keeping the room they took.
    pub(crate) fn clear(&mut self) {
        self.text.clear();
        self.rows.clear();
        self.groups.clear();
    }

    /// Bytes held (text, rows, group spans), for memory estimates.
    pub(crate) fn bytes(&self) -> usize {
        self.text.len()
            + self.rows.len() * std::mem::size_of::<Row>()
            + self.groups.len() * std::mem::size_of::<[u32; 2]>()
    }

    /// Bytes a row takes besides its text.
    pub(crate) const ROW_BYTES: usize = std::mem::size_of::<Row>();

    fn civility_code(&mut self, c: Option<CivilityText<'_>>) -> u32 {
        match c {
            None => 0,
            Some(CivilityText::Mr) => MR,
            Some(CivilityText::Mrs) => MRS,
            Some(CivilityText::Miss) => MISS,
            Some(CivilityText::Other(s)) => {
                if let Some(&code) = self.other_codes.get(s) {
                    return code;
                }
                let code = OTHER + u32_of(self.others.len());
                self.others.push(Civility::Other(s.to_owned()));
                self.other_codes.insert(s.to_owned(), code);
                code
            }
        }
    }

    /// Adds a row with `groups` as its group ids (sorted and deduplicated here).
    pub(crate) fn push<'g>(
        &mut self,
        f: &CustomerFields<'_>,
        groups: impl Iterator<Item = &'g str>,
    ) {
        let start = self.text.len();
        let mut ends = [0; FIELDS];
        let mut present = 0u8;
        let texts = [
            Some(f.id),
            Some(f.email),
            f.first_name,
            f.last_name,
            f.phone,
            f.postcode,
            f.shop_id,
        ];
        for (i, t) in texts.into_iter().enumerate() {
            if let Some(t) = t {
                self.text.push_str(t);
                present |= 1 << i;
            }
            ends[i] = u32_of(self.text.len() - start);
        }
        self.scratch.clear();
        for g in groups {
            let from = u32_of(self.text.len() - start);
            self.text.push_str(g);
            self.scratch.push([from, u32_of(self.text.len() - start)]);
        }
        let text = &self.text[start..];
        let span = |s: &[u32; 2]| &text[s[0] as usize..s[1] as usize];
        if self.scratch.len() > 1 {
            self.scratch.sort_unstable_by(|a, b| span(a).cmp(span(b)));
            self.scratch.dedup_by(|a, b| span(a) == span(b));
        }
        let first_group = u32_of(self.groups.len());
        let group_count = u16::try_from(self.scratch.len())
            .unwrap_or_else(|_| panic!("a customer row has more than 65 535 group ids"));
        self.groups.extend_from_slice(&self.scratch);
        let civility = self.civility_code(f.civility);
        self.rows.push(Row {
            start: start as u64,
            ends,
            groups: first_group,
            group_count,
            present,
            optin: f.newsletter_optin,
            is_guest: f.is_guest,
            civility,
            birth_date: f.birth_date,
            signed_up_at: f.signed_up_at,
            updated_at: f.updated_at,
            last_login_at: f.last_login_at,
            optin_at: f.newsletter_optin_at,
        });
    }

    /// Adds `c`.
    pub(crate) fn push_customer(&mut self, c: &Customer) {
        self.push(
            &CustomerFields::of(c),
            c.group_ids.iter().map(String::as_str),
        );
    }

    /// Moves the rows of `other` to the end of these, in order (`other` emptied, its room
    /// kept).
    pub(crate) fn append(&mut self, other: &mut Self) {
        let text0 = self.text.len() as u64;
        let groups0 = u32_of(self.groups.len());
        let codes: Vec<u32> = other
            .others
            .iter()
            .map(|c| self.civility_code(Some(CivilityText::of(c))))
            .collect();
        self.text.push_str(&other.text);
        self.groups.extend_from_slice(&other.groups);
        self.rows.extend(other.rows.iter().map(|r| Row {
            start: r.start + text0,
            groups: r.groups + groups0,
            civility: if r.civility >= OTHER {
                codes[(r.civility - OTHER) as usize]
            } else {
                r.civility
            },
            ..*r
        }));
        other.clear();
    }

    /// Row `i`.
    pub(crate) fn get(&self, i: usize) -> Option<CustomerView<'_>> {
        self.rows
            .get(i)
            .map(|row| CustomerView { store: self, row })
    }

    /// Row `i`'s email as stored (not normalised).
    pub(crate) fn email(&self, i: usize) -> &str {
        self.get(i).map_or("", |v| v.email())
    }

    /// Sets row `i`'s newsletter consent and its instant.
    pub(crate) fn set_optin(&mut self, i: usize, optin: OptIn, at: Option<DateTime<Utc>>) {
        if let Some(r) = self.rows.get_mut(i) {
            r.optin = optin;
            r.optin_at = at;
        }
    }

    /// The rows as [`Customer`]s.
    pub(crate) fn to_customers(&self) -> Vec<Customer> {
        (0..self.len())
            .filter_map(|i| self.get(i))
            .map(|v| v.to_customer())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civility_parse_matches_the_owned_parse() {
        for t in [
            "Mr", "m.", "Mr..", " MME ", "ms", "Miss", "mlle.", "Dr", "Dr.", "", "  ",
        ] {
            let mut s = CustomerStore::default();
            s.push(
                &CustomerFields {
                    civility: CivilityText::parse(t),
                    ..CustomerFields::default()
                },
                std::iter::empty(),
            );
            assert_eq!(
                s.get(0).unwrap().civility().cloned(),
                Civility::parse(t),
                "{t:?}"
            );
        }
    }

    #[test]
    fn append_rebases_text_groups_and_other_civilities() {
        let row = |id: &str, civ: &str, groups: &[&str]| Customer {
            id: id.into(),
            email: format!("{id}@x.io"),
            civility: Civility::parse(civ),
            group_ids: groups.iter().map(|g| (*g).to_owned()).collect(),
            postcode: Some(format!("P{id}")),
            ..Customer::default()
        };
        let rows = [
            row("1", "Dr", &["b", "a"]),
            row("2", "Prof", &[]),
            row("3", "Mr", &["x", "x"]),
            row("4", "Prof", &["z"]),
        ];
        let (mut all, mut batch) = (CustomerStore::default(), CustomerStore::default());
        all.push_customer(&rows[0]);
        for r in &rows[1..] {
            batch.push_customer(r);
        }
        all.append(&mut batch);
        assert_eq!(batch.len(), 0);
        let mut want = rows.to_vec();
        for c in &mut want {
            c.group_ids.sort();
            c.group_ids.dedup();
        }
        assert_eq!(all.to_customers(), want);
        assert_eq!(all.others.len(), 2, "Dr and Prof interned once each");
    }
}
