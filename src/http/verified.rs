//! Creations that are never blindly retried but survive faults: after a failed or ambiguous
//! creation, read again (a safe request) and create again only if the item is still absent.

use std::future::Future;

use crate::error::{Error, Result};

/// How many times a creation is tried (each failed try followed by a re-read).
const CREATE_ATTEMPTS: u32 = 4;

/// Creates what `find` does not find in a listing: `create` at most [`CREATE_ATTEMPTS`] times, reading
/// again with `reread` after each failure, so that a creation the service performed but whose
/// answer was lost is found instead of created twice. A failure that cannot be transient (an
/// answer about the content) ends it at once.
pub(crate) async fn create_verified<T, L, C, CF, R, RF>(
    find: impl Fn(&[L]) -> Option<T>,
    create: C,
    reread: R,
) -> Result<(T, bool)>
where
    C: Fn() -> CF,
    CF: Future<Output = Result<T>>,
    R: Fn() -> RF,
    RF: Future<Output = Result<Vec<L>>>,
{
    let mut attempt = 1;
    loop {
        let error = match create().await {
            Ok(created) => return Ok((created, true)),
            Err(error) => error,
        };
        tracing::warn!(attempt, error = %error, "a creation failed; reading again before deciding");
        // The creation may have been performed: look before trying again.
        if let Some(found) = find(&reread().await?) {
            return Ok((found, false));
        }
        let transient = error.is_retryable() || matches!(error, Error::Decode { .. });
        if !transient || attempt >= CREATE_ATTEMPTS {
            return Err(error);
        }
        attempt += 1;
    }
}
