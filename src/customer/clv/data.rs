//! Checking BTYD summaries, and interning values so that a likelihood pass computes each
//! logarithm once per distinct value instead of once per customer.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

use super::ClvError;
use crate::customer::Btyd;

/// The rules `lifetimes`' `_check_inputs` enforces, plus finiteness: `0 ≤ recency ≤ T`,
/// `recency = 0` without repeat purchase, `monetary_value ≥ 0` (`lifetimes` rejects 0 in the
/// Gamma-Gamma fit; here such customers are left out of that fit instead).
pub(super) fn check(summaries: &[Btyd]) -> Result<(), ClvError> {
    for (index, s) in summaries.iter().enumerate() {
        for (field, v) in [
            ("recency", s.recency),
            ("t", s.t),
            ("monetary_value", s.monetary_value),
        ] {
            if !v.is_finite() {
                return Err(ClvError::NonFinite { index, field });
            }
        }
        let reason = if s.recency < 0.0 {
            "recency < 0"
        } else if s.recency > s.t {
            "recency > T"
        } else if s.frequency == 0 && s.recency != 0.0 {
            "recency ≠ 0 without repeat purchase"
        } else if s.monetary_value < 0.0 {
            "monetary_value < 0"
        } else {
            continue;
        };
        return Err(ClvError::InvalidSummary { index, reason });
    }
    Ok(())
}

/// A fast, good-enough hash of integer keys (the splitmix64 finaliser over the words
/// written): interned keys are float bits or small integers, whose low bits are often zero.
#[derive(Default)]
struct MixHasher(u64);

impl Hasher for MixHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u32(&mut self, v: u32) {
        self.write_u64(u64::from(v));
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = self.0.rotate_left(29) ^ v;
    }

    fn finish(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// Distinct keys in first-seen order, each with a dense `u32` id.
pub(super) struct Distinct<K = u64> {
    ids: HashMap<K, u32, BuildHasherDefault<MixHasher>>,
    /// The keys, by id.
    pub keys: Vec<K>,
}

impl<K> Default for Distinct<K> {
    fn default() -> Self {
        Self {
            ids: HashMap::default(),
            keys: Vec::new(),
        }
    }
}

impl<K: Copy + Eq + Hash> Distinct<K> {
    /// The id of `key`, new if unseen.
    pub fn id(&mut self, key: K) -> u32 {
        let next = u32::try_from(self.keys.len()).unwrap_or(u32::MAX);
        let id = *self.ids.entry(key).or_insert(next);
        if id == next {
            self.keys.push(key);
        }
        id
    }
}

impl Distinct<u64> {
    /// The id of a float value (`-0.0` and `0.0` are one value).
    pub fn value_id(&mut self, v: f64) -> u32 {
        self.id((v + 0.0).to_bits())
    }

    /// The keys read back as floats (for [`Distinct::value_id`]).
    pub fn values(&self) -> Vec<f64> {
        self.keys.iter().map(|&k| f64::from_bits(k)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::{Distinct, check};
    use crate::customer::Btyd;
    use crate::customer::clv::ClvError;

    fn btyd(frequency: u32, recency: f64, t: f64, monetary_value: f64) -> Btyd {
        Btyd {
            frequency,
            recency,
            t,
            monetary_value,
        }
    }

    #[test]
    fn check_rejects_what_lifetimes_rejects() {
        assert!(check(&[btyd(0, 0.0, 5.0, 0.0), btyd(2, 5.0, 5.0, 3.0)]).is_ok());
        let cases = [
            (btyd(1, -1.0, 5.0, 1.0), "recency < 0"),
            (btyd(1, 6.0, 5.0, 1.0), "recency > T"),
            (
                btyd(0, 1.0, 5.0, 0.0),
                "recency ≠ 0 without repeat purchase",
            ),
            (btyd(1, 1.0, 5.0, -1.0), "monetary_value < 0"),
        ];
        for (s, reason) in cases {
            assert_eq!(
                check(&[btyd(0, 0.0, 1.0, 0.0), s]),
                Err(ClvError::InvalidSummary { index: 1, reason })
            );
        }
        assert_eq!(
            check(&[btyd(1, 1.0, f64::NAN, 1.0)]),
            Err(ClvError::NonFinite {
                index: 0,
                field: "t"
            })
        );
    }

    #[test]
    fn distinct_ids_are_dense_and_first_seen() {
        let mut d = Distinct::default();
        let ids: Vec<u32> = [3.0, 0.0, 3.0, -0.0, 7.5]
            .iter()
            .map(|&v| d.value_id(v))
            .collect();
        assert_eq!(ids, vec![0, 1, 0, 1, 2]);
        assert_eq!(d.values(), vec![3.0, 0.0, 7.5]);
        let mut pairs = Distinct::default();
        let ids: Vec<u32> = [(1_u32, 5_u64), (5, 1), (1, 5), (0, 0)]
            .iter()
            .map(|&k| pairs.id(k))
            .collect();
        assert_eq!(ids, vec![0, 1, 0, 2]);
    }
}
