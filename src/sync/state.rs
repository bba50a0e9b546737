//! What was last pushed, to push only what changed.

use std::collections::HashMap;

use super::record::{Fnv, SyncRecord};
use crate::error::{Error, Result};

/// The fingerprint of what was last pushed for each contact.
///
/// Change detection compares the **complete values** a contact should have now with the
/// values last pushed successfully, so it is exact: a refund that lowers revenue, a
/// cancelled order, a cart that just crossed the abandonment delay, a metric that became
/// undefined — anything that changes a pushed value makes the contact dirty, and nothing
/// else does. Recomputing every profile is cheap (see the domain layer); what this saves is
/// API payload.
///
/// Persist it between runs with [`to_text`](Self::to_text) / [`from_text`](Self::from_text)
/// (one `email<TAB>hex` line per contact, about 40 bytes each).
///
/// ```
/// use relance::customer::ProfileField;
/// use relance::sync::{SyncRecord, SyncState, SyncValue};
/// let mut state = SyncState::default();
/// let r = SyncRecord::new("a@b.fr").with(ProfileField::OrdersCount, SyncValue::int(1));
/// assert!(state.is_dirty(&r));
/// state.mark_pushed(&r);
/// assert!(!state.is_dirty(&r));
/// let restored = SyncState::from_text(&state.to_text())?;
/// assert!(!restored.is_dirty(&r));
/// # Ok::<(), relance::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncState {
    pushed: HashMap<String, u64>,
}

impl SyncState {
    /// Whether `record` differs from what was last pushed (or was never pushed).
    ///
    /// ```
    /// let state = relance::sync::SyncState::default();
    /// assert!(state.is_dirty(&relance::sync::SyncRecord::new("a@b.fr")));
    /// ```
    #[must_use]
    pub fn is_dirty(&self, record: &SyncRecord) -> bool {
        self.pushed.get(record.email()) != Some(&record.fingerprint())
    }

    /// Records that `record` was pushed successfully.
    ///
    /// ```
    /// let mut state = relance::sync::SyncState::default();
    /// state.mark_pushed(&relance::sync::SyncRecord::new("a@b.fr"));
    /// assert_eq!(state.len(), 1);
    /// ```
    pub fn mark_pushed(&mut self, record: &SyncRecord) {
        self.pushed
            .insert(record.email().to_owned(), record.fingerprint());
    }

    /// Forgets a contact (it will be pushed again next time).
    ///
    /// ```
    /// let mut state = relance::sync::SyncState::default();
    /// state.forget("a@b.fr");
    /// ```
    pub fn forget(&mut self, email: &str) {
        self.pushed.remove(&email.trim().to_lowercase());
    }

    /// How many contacts have a recorded push.
    ///
    /// ```
    /// assert_eq!(relance::sync::SyncState::default().len(), 0);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.pushed.len()
    }

    /// Whether nothing was pushed yet.
    ///
    /// ```
    /// assert!(relance::sync::SyncState::default().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.pushed.is_empty()
    }

    /// The records among `records` that changed since their last push.
    ///
    /// ```
    /// use relance::sync::{SyncRecord, SyncState};
    /// let state = SyncState::default();
    /// let dirty = state.dirty(vec![SyncRecord::new("a@b.fr"), SyncRecord::new("c@d.fr")]);
    /// assert_eq!(dirty.len(), 2);
    /// ```
    pub fn dirty(&self, records: impl IntoIterator<Item = SyncRecord>) -> Vec<SyncRecord> {
        records.into_iter().filter(|r| self.is_dirty(r)).collect()
    }

    /// Serialises the state as text: one `email<TAB>fingerprint-in-hex` line per contact,
    /// sorted, with a checksum header line.
    ///
    /// ```
    /// let text = relance::sync::SyncState::default().to_text();
    /// assert!(text.starts_with("relance-sync-state 1"));
    /// ```
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut lines: Vec<String> = self
            .pushed
            .iter()
            .map(|(email, h)| format!("{email}\t{h:016x}"))
            .collect();
        lines.sort_unstable();
        let mut sum = Fnv::new();
        for l in &lines {
            sum.write(l.as_bytes());
            sum.write(b"\n");
        }
        let mut out = format!(
            "relance-sync-state 1 {} {:016x}\n",
            lines.len(),
            sum.finish()
        );
        for l in lines {
            out.push_str(&l);
            out.push('\n');
        }
        out
    }

    /// Reads a state written by [`to_text`](Self::to_text); a truncated or altered text is
    /// refused rather than half-loaded (which would silently skip pushes).
    ///
    /// ```
    /// assert!(relance::sync::SyncState::from_text("garbage").is_err());
    /// ```
    pub fn from_text(text: &str) -> Result<Self> {
        let bad = |why: &str| Error::invalid("sync state", why.to_owned());
        let mut lines = text.lines();
        let header = lines.next().ok_or_else(|| bad("empty"))?;
        let parts: Vec<&str> = header.split(' ').collect();
        let ["relance-sync-state", "1", count, checksum] = parts.as_slice() else {
            return Err(bad("not a relance sync state (version 1)"));
        };
        let count: usize = count.parse().map_err(|_| bad("bad header"))?;
        let checksum = u64::from_str_radix(checksum, 16).map_err(|_| bad("bad header"))?;
        let mut sum = Fnv::new();
        let mut pushed = HashMap::with_capacity(count);
        for line in lines {
            sum.write(line.as_bytes());
            sum.write(b"\n");
            let (email, hex) = line.split_once('\t').ok_or_else(|| bad("bad line"))?;
            let h = u64::from_str_radix(hex, 16).map_err(|_| bad("bad fingerprint"))?;
            pushed.insert(email.to_owned(), h);
        }
        if pushed.len() != count || sum.finish() != checksum {
            return Err(bad("truncated or altered"));
        }
        Ok(Self { pushed })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customer::ProfileField;
    use crate::sync::SyncValue;

    #[test]
    fn round_trip_and_tamper_detection() {
        let mut state = SyncState::default();
        for i in 0..50 {
            state.mark_pushed(
                &SyncRecord::new(format!("c{i}@x.fr"))
                    .with(ProfileField::OrdersCount, SyncValue::int(i)),
            );
        }
        let text = state.to_text();
        assert_eq!(SyncState::from_text(&text).unwrap(), state);
        let truncated = text.lines().take(20).collect::<Vec<_>>().join("\n");
        assert!(SyncState::from_text(&truncated).is_err());
        let altered = text.replacen("c1@x.fr", "c1@y.fr", 1);
        assert!(SyncState::from_text(&altered).is_err());
    }

    #[test]
    fn only_changed_records_are_dirty() {
        let mut state = SyncState::default();
        let a =
            SyncRecord::new("a@x.fr").with(ProfileField::Revenue, SyncValue::Number("1.00".into()));
        let b =
            SyncRecord::new("b@x.fr").with(ProfileField::Revenue, SyncValue::Number("2.00".into()));
        state.mark_pushed(&a);
        state.mark_pushed(&b);
        let b2 = b
            .clone()
            .with(ProfileField::Revenue, SyncValue::Number("1.50".into()));
        let dirty = state.dirty([a, b2.clone()]);
        assert_eq!(dirty, [b2]);
        state.forget("B@X.fr");
        assert!(state.is_dirty(&b));
    }
}
