//! Contacts by normalised email, without a second copy of the emails: the table holds each
//! contact's index and its email's hash, and compares against the dataset's own list of
//! emails. Loading a shop interns a million emails; a map of owned keys hashed each new
//! email twice and copied it once more.

use hashbrown::HashTable;

use super::strhash::StrHash;

/// Contacts by the hash of their normalised email.
#[derive(Default)]
pub(crate) struct EmailIndex {
    table: HashTable<(u64, u32)>,
    hasher: StrHash,
}

impl std::fmt::Debug for EmailIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailIndex")
            .field("len", &self.table.len())
            .finish_non_exhaustive()
    }
}

impl EmailIndex {
    pub(crate) fn with_capacity(n: usize) -> Self {
        Self {
            table: HashTable::with_capacity(n),
            hasher: StrHash::default(),
        }
    }

    /// Room for `n` more contacts, as far as the memory can be had.
    pub(crate) fn try_reserve(&mut self, n: usize) {
        let _ = self.table.try_reserve(n, |&(h, _)| h);
    }

    /// The contact whose email (in `emails`, by contact) is `key`; else `Err` with the
    /// hash to [`insert`](Self::insert) it under.
    pub(crate) fn find(&self, key: &str, emails: &Emails) -> Result<u32, u64> {
        self.find_hashed(self.hash(key), key, emails)
    }

    /// The hash [`find`](Self::find) looks `key` up under.
    pub(crate) fn hash(&self, key: &str) -> u64 {
        use std::hash::BuildHasher;
        self.hasher.hash_one(key)
    }

    /// [`find`](Self::find), `key`'s [`hash`](Self::hash) given.
    pub(crate) fn find_hashed(&self, hash: u64, key: &str, emails: &Emails) -> Result<u32, u64> {
        let same =
            |&(h, c): &(u64, u32)| h == hash && emails.get(c as usize).is_some_and(|e| e == key);
        self.table.find(hash, same).map(|&(_, c)| c).ok_or(hash)
    }

    /// Adds `contact` under `hash` (from [`find`](Self::find), which found no contact).
    pub(crate) fn insert(&mut self, hash: u64, contact: u32) {
        self.table.insert_unique(hash, (hash, contact), |&(h, _)| h);
    }

    /// Bytes held per contact (table slot and control byte), for memory estimates.
    pub(crate) const BYTES_PER_CONTACT: usize = std::mem::size_of::<(u64, u32)>() + 1;
}

/// The contacts' normalised emails, by contact, in one text: no allocation per contact (a
/// million small strings were a tenth of folding a shop's customers), and the emails of
/// contacts created together side by side in memory.
#[derive(Debug, Default)]
pub(crate) struct Emails {
    text: String,
    /// where each contact's email ends in `text`
    ends: Vec<usize>,
}

impl Emails {
    /// Room for `n` emails of a usual length.
    pub(crate) fn with_capacity(n: usize) -> Self {
        Self {
            text: String::with_capacity(n.saturating_mul(24)),
            ends: Vec::with_capacity(n),
        }
    }

    /// Room for `n` more emails of a usual length, as far as the memory can be had (an
    /// estimate asked too much of: nothing more is reserved).
    pub(crate) fn try_reserve(&mut self, n: usize) {
        let _ = self.ends.try_reserve(n);
        let _ = self.text.try_reserve(n.saturating_mul(24));
    }

    /// Number of emails.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Adds the email of the next contact.
    pub(crate) fn push(&mut self, email: &str) {
        self.text.push_str(email);
        self.ends.push(self.text.len());
    }

    /// The email of contact `i`.
    pub(crate) fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        self.text.get(self.start(i)..end)
    }

    /// Where contact `i`'s email starts: where the one before it ends.
    fn start(&self, i: usize) -> usize {
        i.checked_sub(1).map_or(0, |p| self.ends[p])
    }

    /// Bytes held, for memory estimates.
    pub(crate) fn bytes(&self) -> usize {
        self.text.capacity() + self.ends.capacity() * std::mem::size_of::<usize>()
    }
}

impl std::ops::Index<usize> for Emails {
    type Output = str;

    /// # Panics
    /// Past the last contact.
    fn index(&self, i: usize) -> &str {
        &self.text[self.start(i)..self.ends[i]]
    }
}

#[cfg(test)]
mod tests {
    use super::{EmailIndex, Emails};

    #[test]
    fn finds_each_email_it_was_given_and_no_other() {
        let mut idx = EmailIndex::with_capacity(0);
        let mut emails = Emails::default();
        let mut given: Vec<String> = Vec::new();
        for i in 0..5_000 {
            // an empty email among them, as a blank-email customer's contact has
            let e = if i == 7 {
                String::new()
            } else {
                format!("c{}@x.io", i % 3_000)
            };
            match idx.find(&e, &emails) {
                Ok(c) => assert_eq!(&emails[c as usize], e),
                Err(h) => {
                    let c = u32::try_from(emails.len()).unwrap();
                    emails.push(&e);
                    given.push(e);
                    idx.insert(h, c);
                }
            }
        }
        assert_eq!(emails.len(), 3_001);
        for (c, e) in given.iter().enumerate() {
            assert_eq!(emails.get(c), Some(e.as_str()));
            assert_eq!(&emails[c], e);
            assert_eq!(idx.find(e, &emails), Ok(u32::try_from(c).unwrap()));
        }
        assert_eq!(emails.get(3_001), None);
        assert!(idx.find("c3000@x.io", &emails).is_err());
        assert!(idx.find("C1@x.io", &emails).is_err());
    }
}
