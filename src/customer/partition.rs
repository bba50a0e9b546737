//! The partition of a contact: a stable hash of its key (the normalised email), so that any
//! engine can split a shop's rows the way this crate does and consolidate each part alone.
//!
//! **Definition** (stable; changing it is a breaking change):
//!
//! ```text
//! key       = lowercase(trim(email))            -- normalize_email; "" for a blank email
//! h         = XXH64(utf8(key), seed = 42) as a signed 64-bit integer
//! partition = h mod n, taken non-negative        -- 0 <= partition < n
//! ```
//!
//! This is Spark's `pmod(xxhash64(lower(trim(email))), n)` (Spark's `xxhash64` is XXH64 with
//! seed 42 over the UTF-8 bytes), and in Python
//! `xxhash.xxh64_intdigest(key.encode(), seed=42)` read as signed, then `% n`. Spark's `trim`
//! removes spaces only and this crate's any Unicode white space; they agree on emails
//! without tabs or other white space at their ends.
//!
//! Every row of a contact (customer rows, orders, carts, logins, deliveries) belongs to its
//! contact's partition: rows that name a customer by id go where that customer's row goes.
//! Consolidating each partition alone then gives each contact the profile of the whole
//! shop, except for what compares contacts with each other (RFM quantiles), which is
//! computed per partition.

use xxhash_rust::xxh64::xxh64;

use super::dataset::normalize_email;

/// The seed of the hash: Spark's.
const SEED: u64 = 42;

/// The partition (`0..partitions`) of a contact key already normalised (see
/// [`normalize_email`]); `0` when `partitions` is 0 or 1.
///
/// ```
/// use relance::customer::partition::partition_of_key;
/// assert_eq!(partition_of_key("ann@example.com", 16), 5);
/// assert_eq!(partition_of_key("", 7), 3);
/// ```
#[must_use]
pub fn partition_of_key(key: &str, partitions: u32) -> u32 {
    if partitions <= 1 {
        return 0;
    }
    // The hash read as signed, as Spark's `xxhash64` returns it.
    let h = i64::from_ne_bytes(xxh64(key.as_bytes(), SEED).to_ne_bytes());
    let r = h.rem_euclid(i64::from(partitions));
    u32::try_from(r).unwrap_or(0)
}

/// The partition of an email as written (normalised first).
///
/// ```
/// use relance::customer::partition::partition_of_email;
/// assert_eq!(partition_of_email("  Ann@Example.COM ", 16), 5);
/// ```
#[must_use]
pub fn partition_of_email(email: &str, partitions: u32) -> u32 {
    partition_of_key(&normalize_email(email), partitions)
}

#[cfg(test)]
mod tests {
    use super::partition_of_key;

    /// Vectors computed independently with Python's `xxhash` package
    /// (`xxh64_intdigest(key.encode(), seed=42)`, read as signed, `% n`).
    #[test]
    fn matches_the_documented_definition() {
        let cases = [
            ("ann@example.com", 16, 5),
            ("ann@example.com", 7, 5),
            ("c2169@example.com", 16, 10),
            ("c2169@example.com", 7, 6),
            ("", 16, 4),
            ("", 7, 3),
            ("élise@exemple.fr", 16, 10),
            ("élise@exemple.fr", 7, 4),
        ];
        for (key, n, expected) in cases {
            assert_eq!(partition_of_key(key, n), expected, "{key:?} over {n}");
        }
        assert_eq!(partition_of_key("ann@example.com", 1), 0);
        assert_eq!(partition_of_key("ann@example.com", 0), 0);
    }
}
