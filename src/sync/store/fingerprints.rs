//! The loaded sync state: email → fingerprint of the values last confirmed pushed, compact.

use std::borrow::Cow;
use std::fmt;
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};

use crate::error::{Error, Result};
use crate::sync::SyncRecord;

/// Every contact's fingerprint as recorded in a store, loaded for one run.
///
/// Built for a million contacts: the emails sit in one buffer and the entries in one sorted
/// array with a bucket index, about 50 bytes per contact (a `HashMap<String, u64>` takes
/// about twice that). Lookups hash the email once and compare it exactly.
///
/// ```
/// use relance::sync::store::Fingerprints;
/// use relance::sync::SyncRecord;
/// let state: Fingerprints = [("ann@example.com", 7_u64)].into_iter().collect();
/// assert_eq!(state.get("Ann@Example.com "), Some(7));
/// assert!(state.is_dirty(&SyncRecord::new("bob@example.com")));
/// ```
#[derive(Clone, Default)]
pub struct Fingerprints {
    /// Every email, one after the other.
    emails: String,
    /// Sorted by hash, then by email.
    entries: Vec<Entry>,
    /// `entries[buckets[b]..buckets[b + 1]]` are the entries whose hash's top bits are `b`.
    buckets: Vec<u32>,
    /// How far a hash is shifted right to give its bucket.
    shift: u32,
}

#[derive(Clone, Copy)]
struct Entry {
    hash: u64,
    fingerprint: u64,
    start: u32,
    len: u32,
}

fn hash(email: &str) -> u64 {
    BuildHasherDefault::<DefaultHasher>::default().hash_one(email)
}

/// An email as stores keep it: trimmed and lower-cased, like [`SyncRecord::new`].
pub(crate) fn normalise(email: &str) -> Cow<'_, str> {
    let email = email.trim();
    if email.is_ascii() && !email.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Borrowed(email)
    } else {
        Cow::Owned(email.to_lowercase())
    }
}

impl Fingerprints {
    /// The fingerprint last recorded for `email` (normalised: trimmed and lower-cased).
    ///
    /// ```
    /// let state: relance::sync::store::Fingerprints = [("a@b.fr", 1_u64)].into_iter().collect();
    /// assert_eq!(state.get("a@b.fr"), Some(1));
    /// assert_eq!(state.get("c@b.fr"), None);
    /// ```
    #[must_use]
    pub fn get(&self, email: &str) -> Option<u64> {
        self.locate(email).map(|(_, fingerprint)| fingerprint)
    }

    /// The position of an email's entry (`0..len()`, stable for this load) and its
    /// fingerprint.
    pub(crate) fn locate(&self, email: &str) -> Option<(usize, u64)> {
        let email = normalise(email);
        let h = hash(&email);
        let b = usize::try_from(h.checked_shr(self.shift).unwrap_or(0)).ok()?;
        let (&from, &to) = (self.buckets.get(b)?, self.buckets.get(b + 1)?);
        let (from, to) = (from as usize, to as usize);
        self.entries
            .get(from..to)?
            .iter()
            .position(|e| e.hash == h && self.email(e) == email)
            .map(|i| (from + i, self.entries[from + i].fingerprint))
    }

    /// The email of the entry at `position`.
    pub(crate) fn email_at(&self, position: usize) -> Option<&str> {
        self.entries.get(position).map(|e| self.email(e))
    }

    /// Whether `record`'s values differ from the ones last recorded as pushed (or it was
    /// never pushed).
    ///
    /// ```
    /// use relance::sync::{store::Fingerprints, SyncRecord};
    /// let r = SyncRecord::new("a@b.fr");
    /// let state: Fingerprints = [("a@b.fr", r.fingerprint())].into_iter().collect();
    /// assert!(!state.is_dirty(&r));
    /// ```
    #[must_use]
    pub fn is_dirty(&self, record: &SyncRecord) -> bool {
        self.get(record.email()) != Some(record.fingerprint())
    }

    /// How many contacts have a recorded push.
    ///
    /// ```
    /// assert_eq!(relance::sync::store::Fingerprints::default().len(), 0);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no push is recorded.
    ///
    /// ```
    /// assert!(relance::sync::store::Fingerprints::default().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every `(email, fingerprint)`, in no particular order.
    ///
    /// ```
    /// let state: relance::sync::store::Fingerprints = [("a@b.fr", 1_u64)].into_iter().collect();
    /// assert_eq!(state.iter().collect::<Vec<_>>(), [("a@b.fr", 1)]);
    /// ```
    #[must_use]
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, u64)> + '_ {
        self.entries.iter().map(|e| (self.email(e), e.fingerprint))
    }

    fn email(&self, e: &Entry) -> &str {
        let start = e.start as usize;
        self.emails
            .get(start..start + e.len as usize)
            .unwrap_or_default()
    }
}

impl fmt::Debug for Fingerprints {
    // Emails are personal data: a debug print shows the size only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fingerprints")
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

impl<S: AsRef<str>> FromIterator<(S, u64)> for Fingerprints {
    /// Later pairs win over earlier ones for the same (normalised) email.
    ///
    /// # Panics
    /// When the emails add up to more than 4 GiB.
    fn from_iter<I: IntoIterator<Item = (S, u64)>>(iter: I) -> Self {
        let mut builder = Builder::default();
        for (email, fingerprint) in iter {
            #[allow(clippy::expect_used)]
            builder
                .push(email.as_ref(), fingerprint)
                .expect("fingerprints: fewer than 4 GiB of emails");
        }
        builder.build()
    }
}

/// Collects the rows a store reads, then indexes them.
#[derive(Default)]
pub(crate) struct Builder {
    emails: String,
    entries: Vec<Entry>,
}

impl Builder {
    /// Room for `contacts` emails adding up to `bytes` bytes (both hints from the store).
    pub(crate) fn with_capacity(contacts: usize, bytes: usize) -> Self {
        Self {
            emails: String::with_capacity(bytes),
            entries: Vec::with_capacity(contacts),
        }
    }

    /// Adds one recorded push (the email is normalised here).
    pub(crate) fn push(&mut self, email: &str, fingerprint: u64) -> Result<()> {
        let email = normalise(email);
        let too_big = || Error::invalid("sync state", "more than 4 GiB of emails");
        let start = u32::try_from(self.emails.len()).map_err(|_| too_big())?;
        let len = u32::try_from(email.len()).map_err(|_| too_big())?;
        start.checked_add(len).ok_or_else(too_big)?;
        self.emails.push_str(&email);
        self.entries.push(Entry {
            hash: hash(&email),
            fingerprint,
            start,
            len,
        });
        Ok(())
    }

    /// Sorts and indexes the entries; for an email given twice, the later push wins.
    pub(crate) fn build(self) -> Fingerprints {
        let Self {
            mut emails,
            mut entries,
        } = self;
        let text = |e: &Entry| &emails[e.start as usize..(e.start + e.len) as usize];
        // Stable: among equal emails, the order of pushes is kept, so the last one is known.
        entries.sort_by(|a, b| a.hash.cmp(&b.hash).then_with(|| text(a).cmp(text(b))));
        entries.dedup_by(|later, kept| {
            let same = later.hash == kept.hash && text(later) == text(kept);
            if same {
                kept.fingerprint = later.fingerprint;
            }
            same
        });
        entries.shrink_to_fit();
        emails.shrink_to_fit();
        // About one entry per bucket: the top `bits` bits of a hash name its bucket.
        let bits = entries.len().max(1).next_power_of_two().trailing_zeros();
        let shift = 64 - bits;
        let mut buckets = vec![0_u32; (1 << bits) + 1];
        for e in &entries {
            let b = usize::try_from(e.hash.checked_shr(shift).unwrap_or(0)).unwrap_or(0);
            buckets[b + 1] += 1;
        }
        for b in 1..buckets.len() {
            buckets[b] += buckets[b - 1];
        }
        Fingerprints {
            emails,
            entries,
            buckets,
            shift,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_are_exact_and_later_pushes_win() {
        let mut b = Builder::default();
        for i in 0..10_000_u64 {
            b.push(&format!("c{i}@x.fr"), i).unwrap();
        }
        b.push(" C7@X.fr", 70).unwrap();
        let f = b.build();
        assert_eq!(f.len(), 10_000);
        assert_eq!(f.get("c7@x.fr"), Some(70));
        assert_eq!(f.get("c9999@x.fr"), Some(9999));
        assert_eq!(f.get("c10000@x.fr"), None);
        assert_eq!(f.get("c1@x.f"), None);
        let mut all: Vec<_> = f.iter().map(|(e, h)| (e.to_owned(), h)).collect();
        all.sort_unstable_by_key(|p| p.1);
        assert_eq!(all.len(), 10_000);
        assert_eq!(all[0], ("c0@x.fr".to_owned(), 0));
    }

    #[test]
    fn empty_and_single() {
        let f = Fingerprints::default();
        assert_eq!(f.get("a@b.fr"), None);
        assert!(f.is_empty());
        let f: Fingerprints = [("a@b.fr", 3_u64)].into_iter().collect();
        assert_eq!(f.get("a@b.fr"), Some(3));
        assert_eq!(format!("{f:?}"), "Fingerprints { len: 1, .. }");
    }

    #[test]
    fn non_ascii_emails_are_lower_cased() {
        let f: Fingerprints = [("ÉLODIE@exemple.fr", 1_u64)].into_iter().collect();
        assert_eq!(f.get("élodie@exemple.fr"), Some(1));
        assert_eq!(f.iter().next(), Some(("élodie@exemple.fr", 1)));
    }
}
