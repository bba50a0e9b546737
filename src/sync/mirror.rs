//! What a run does with contacts that left the shop's data: kept (the default), unsubscribed
//! or deleted at the provider.

use std::fmt;

use super::store::{Fingerprints, StateStore};
use super::target::{Erased, SyncTarget};
use crate::error::{Error, Result};

/// What a whole-shop run ([`Syncer::run_profiles`](super::Syncer::run_profiles),
/// [`Syncer::run_predicted`](super::Syncer::run_predicted)) does with a contact the state
/// store knows (it was pushed before) but the shop's data no longer has: a deleted customer,
/// or the old address of a customer whose email changed (the new address is a new contact:
/// an email change is a delete-and-create, neither provider documenting a merge by key).
///
/// Runs over arbitrary records ([`Syncer::run`](super::Syncer::run)) never remove anything:
/// they cannot know the records are the whole shop.
///
/// ```
/// use relance::sync::Mirror;
/// assert_eq!(Mirror::default(), Mirror::Keep);
/// assert_eq!(Mirror::Delete.to_string(), "deleted");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Mirror {
    /// Left as it is at the provider and in the store.
    #[default]
    Keep,
    /// Unsubscribed at the provider ([`SyncTarget::unsubscribe`]), then forgotten by the
    /// store (pushed again, as new, if it comes back).
    Unsubscribe,
    /// Deleted at the provider ([`SyncTarget::erase`]), then forgotten by the store.
    Delete,
}

impl fmt::Display for Mirror {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Keep => "kept",
            Self::Unsubscribe => "unsubscribed",
            Self::Delete => "deleted",
        })
    }
}

/// The default largest share of the known contacts one run may remove (a guard against a
/// truncated export or an empty table taken for "every customer left").
pub const DEFAULT_MIRROR_LIMIT: f64 = 0.1;

/// The contacts of `known` a run did not see, in store order.
pub(super) fn absent<'a>(known: &'a Fingerprints, seen: &[bool]) -> Vec<&'a str> {
    (0..known.len())
        .filter(|&i| !seen.get(i).copied().unwrap_or(false))
        .filter_map(|i| known.email_at(i))
        .collect()
}

/// The share of the known contacts `absent` of them are (what the limit bounds).
pub(super) fn share(absent: usize, known: usize) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let share = absent as f64 / known.max(1) as f64;
    share
}

/// Applies `mode` to each absent contact, at most `limit` of the known ones: each is removed
/// at the provider, then forgotten by the store, and reported by email.
pub(super) async fn remove<T: SyncTarget, S: StateStore>(
    target: &T,
    store: &S,
    mode: Mirror,
    absent: &[&str],
    known: usize,
    limit: f64,
) -> Result<Vec<(String, Result<Mirror>)>> {
    if mode == Mirror::Keep || absent.is_empty() {
        return Ok(Vec::new());
    }
    let share = share(absent.len(), known);
    if share > limit {
        return Err(Error::invalid(
            "mirror",
            format!(
                "{} of {known} known contacts ({:.1} %) are absent from this run, above the limit of {:.1} %: nothing was removed (raise Syncer::mirror_limit if this is right)",
                absent.len(),
                share * 100.0,
                limit * 100.0
            ),
        ));
    }
    let mut out = Vec::with_capacity(absent.len());
    for &email in absent {
        let done = match mode {
            Mirror::Delete => target.erase(email).await.map(|_: Erased| ()),
            _ => target.unsubscribe(email).await,
        };
        let result = match done {
            Ok(()) => store.forget(&[email]).await.map(|()| mode),
            Err(e) => Err(e),
        };
        out.push((email.to_owned(), result));
    }
    Ok(out)
}
