//! What both fakes share, written once: the loopback server and its request pipeline
//! (recording, fault injection, delays), replies, archives, `multipart/form-data` bodies and
//! state locking.

mod archive;
mod fault;
mod multipart;
mod reply;
mod server;

use std::sync::{Mutex, MutexGuard, PoisonError};

pub(crate) use archive::zip_one;
pub use fault::Fault;
pub use multipart::{MultipartPart, parse_multipart};
pub(crate) use reply::Reply;
pub use server::RecordedRequest;
pub(crate) use server::{FakeServer, Incoming, Service};

/// Locks a mutex, recovering from poisoning (a panicking test must not cascade).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The strings of a JSON array (other items skipped; not an array: none).
pub(crate) fn strings(v: Option<&serde_json::Value>) -> Vec<String> {
    v.and_then(serde_json::Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(serde_json::Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The current time as both services write it (`YYYY-MM-DD hh:mm:ss`, UTC).
pub(crate) fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%d %H:%M:%S").to_string()
}
