//! Currencies and integer money amounts.

use std::fmt;

/// An ISO 4217 currency: its 3-letter code and its minor-unit exponent.
///
/// `Copy` and 4 bytes, so every order can carry one for free.
///
/// ```
/// use relance::customer::Currency;
/// let eur = Currency::from_code("EUR").unwrap();
/// assert_eq!(eur.code(), "EUR");
/// assert_eq!(eur.exponent(), 2);
/// assert_eq!(Currency::from_code("jpy").unwrap().exponent(), 0);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    code: [u8; 3],
    exponent: u8,
}

/// Currencies whose minor unit is not 1/100 (ISO 4217 table, common subset).
const ZERO_DECIMALS: [&str; 16] = [
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
    "VUV", "XAF", "XOF",
];
const THREE_DECIMALS: [&str; 7] = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];

impl Currency {
    /// Euro.
    pub const EUR: Currency = Currency::new(*b"EUR", 2);
    /// US dollar.
    pub const USD: Currency = Currency::new(*b"USD", 2);
    /// Pound sterling.
    pub const GBP: Currency = Currency::new(*b"GBP", 2);

    /// A currency from an upper-case code and an explicit exponent (number of minor-unit digits).
    ///
    /// ```
    /// use relance::customer::Currency;
    /// const CHF: Currency = Currency::new(*b"CHF", 2);
    /// assert_eq!(CHF.code(), "CHF");
    /// ```
    #[must_use]
    pub const fn new(code: [u8; 3], exponent: u8) -> Self {
        Self { code, exponent }
    }

    /// Parses a 3-letter code (case-insensitive, surrounding spaces ignored). The exponent comes
    /// from a built-in ISO 4217 table: 0 for e.g. JPY, KRW, CLP, VND; 3 for BHD, KWD, JOD, OMR,
    /// TND, IQD, LYD; 2 otherwise. Returns `None` if the text is not 3 ASCII letters.
    ///
    /// ```
    /// use relance::customer::Currency;
    /// assert_eq!(Currency::from_code(" usd "), Some(Currency::USD));
    /// assert_eq!(Currency::from_code("KWD").unwrap().exponent(), 3);
    /// assert_eq!(Currency::from_code("EURO"), None);
    /// ```
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        let b = code.trim().as_bytes();
        if b.len() != 3 || !b.iter().all(u8::is_ascii_alphabetic) {
            return None;
        }
        let up = [
            b[0].to_ascii_uppercase(),
            b[1].to_ascii_uppercase(),
            b[2].to_ascii_uppercase(),
        ];
        let s = std::str::from_utf8(&up).ok()?;
        let exponent = if ZERO_DECIMALS.contains(&s) {
            0
        } else if THREE_DECIMALS.contains(&s) {
            3
        } else {
            2
        };
        Some(Self::new(up, exponent))
    }

    /// The 3-letter code.
    ///
    /// ```
    /// use relance::customer::Currency;
    /// assert_eq!(Currency::GBP.code(), "GBP");
    /// ```
    #[must_use]
    pub fn code(&self) -> &str {
        std::str::from_utf8(&self.code).unwrap_or("???")
    }

    /// Number of minor-unit digits (2 for EUR: 1 EUR = 100 cents).
    ///
    /// ```
    /// use relance::customer::Currency;
    /// assert_eq!(Currency::EUR.exponent(), 2);
    /// ```
    #[must_use]
    pub const fn exponent(&self) -> u8 {
        self.exponent
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.code(), self.exponent)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An amount in integer minor units (cents for EUR) with its currency.
///
/// ```
/// use relance::customer::{Currency, Money};
/// let m = Money::new(6500, Currency::EUR);
/// assert_eq!(m.to_decimal_string(), "65.00");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Money {
    /// Amount in minor units.
    pub minor: i64,
    /// Currency of the amount.
    pub currency: Currency,
}

impl Money {
    /// Builds an amount from minor units.
    ///
    /// ```
    /// use relance::customer::{Currency, Money};
    /// assert_eq!(Money::new(-5, Currency::EUR).to_decimal_string(), "-0.05");
    /// ```
    #[must_use]
    pub const fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// Zero in `currency`.
    ///
    /// ```
    /// use relance::customer::{Currency, Money};
    /// assert_eq!(Money::zero(Currency::USD).minor, 0);
    /// ```
    #[must_use]
    pub const fn zero(currency: Currency) -> Self {
        Self { minor: 0, currency }
    }

    /// Plain decimal text with `.` as separator, no thousands separator and exactly
    /// `currency.exponent()` decimals (the Sendethic `Number` wire form).
    ///
    /// ```
    /// use relance::customer::{Currency, Money};
    /// assert_eq!(Money::new(123_456, Currency::EUR).to_decimal_string(), "1234.56");
    /// let jpy = Currency::from_code("JPY").unwrap();
    /// assert_eq!(Money::new(1500, jpy).to_decimal_string(), "1500");
    /// ```
    #[must_use]
    pub fn to_decimal_string(&self) -> String {
        let mut s = Vec::with_capacity(24);
        write_decimal(&mut s, self.minor, self.currency.exponent);
        String::from_utf8(s).unwrap_or_default()
    }

    /// Amount in major units as `f64` (e.g. 65.0 for 6500 cents).
    ///
    /// ```
    /// use relance::customer::{Currency, Money};
    /// assert!((Money::new(2550, Currency::EUR).to_major_f64() - 25.5).abs() < 1e-12);
    /// ```
    #[must_use]
    #[allow(clippy::cast_precision_loss)]
    pub fn to_major_f64(&self) -> f64 {
        self.minor as f64 / 10f64.powi(i32::from(self.currency.exponent))
    }

    /// Parses a plain decimal (`"65"`, `"65.5"`, `"-0.05"`; `.` separator, no thousands
    /// separator, at most `currency.exponent()` decimals) into minor units.
    ///
    /// ```
    /// use relance::customer::{Currency, Money};
    /// assert_eq!(Money::parse_decimal("65.5", Currency::EUR), Some(Money::new(6550, Currency::EUR)));
    /// assert_eq!(Money::parse_decimal("1,5", Currency::EUR), None);
    /// assert_eq!(Money::parse_decimal("1.234", Currency::EUR), None);
    /// ```
    #[must_use]
    pub fn parse_decimal(text: &str, currency: Currency) -> Option<Self> {
        parse_decimal_minor(text, currency.exponent).map(|minor| Self::new(minor, currency))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.to_decimal_string(), self.currency)
    }
}

/// Appends `minor` formatted with `exponent` decimals to `out`.
pub(crate) fn write_decimal(out: &mut Vec<u8>, minor: i64, exponent: u8) {
    let mut int = itoa::Buffer::new();
    if exponent == 0 {
        out.extend_from_slice(int.format(minor).as_bytes());
        return;
    }
    let scale = 10u64.pow(u32::from(exponent));
    let abs = minor.unsigned_abs();
    if minor < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(int.format(abs / scale).as_bytes());
    out.push(b'.');
    let mut frac = itoa::Buffer::new();
    let frac = frac.format(abs % scale);
    out.resize(
        out.len() + usize::from(exponent).saturating_sub(frac.len()),
        b'0',
    );
    out.extend_from_slice(frac.as_bytes());
}

/// Parses a plain decimal into minor units with `exponent` digits: an optional sign, digits,
/// and at most `exponent` digits after a point (surrounding whitespace ignored).
pub(crate) fn parse_decimal_minor(text: &str, exponent: u8) -> Option<i64> {
    // byte by byte, the common case (no whitespace around) without `str::trim`
    let t = match text.as_bytes() {
        [first, .., last] if first.is_ascii_graphic() && last.is_ascii_graphic() => text,
        [only] if only.is_ascii_graphic() => text,
        _ => text.trim(),
    };
    let (neg, b) = match t.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        b => (false, b),
    };
    let (int, frac) = match b.iter().position(|&c| c == b'.') {
        Some(dot) => (&b[..dot], &b[dot + 1..]),
        None => (b, &b[b.len()..]),
    };
    if (int.is_empty() && frac.is_empty())
        || frac.len() > usize::from(exponent)
        || !int.iter().all(u8::is_ascii_digit)
        || !frac.iter().all(u8::is_ascii_digit)
    {
        return None;
    }
    let mut v: i64 = 0;
    for &d in int {
        v = v.checked_mul(10)?.checked_add(i64::from(d - b'0'))?;
    }
    for i in 0..usize::from(exponent) {
        let d = frac.get(i).map_or(0, |d| i64::from(d - b'0'));
        v = v.checked_mul(10)?.checked_add(d)?;
    }
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::parse_decimal_minor;

    /// What `parse_decimal_minor` answered when written with `str` methods (trim, sign
    /// prefixes, split at the point): the byte-level one must answer the same.
    fn by_str_methods(text: &str, exponent: u8) -> Option<i64> {
        let t = text.trim();
        let (neg, t) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        let (int, frac) = t.split_once('.').unwrap_or((t, ""));
        if (int.is_empty() && frac.is_empty())
            || frac.len() > exponent as usize
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let mut v: i64 = 0;
        for b in int.bytes() {
            v = v.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
        }
        for i in 0..exponent as usize {
            let d = frac.as_bytes().get(i).map_or(0, |b| i64::from(b - b'0'));
            v = v.checked_mul(10)?.checked_add(d)?;
        }
        Some(if neg { -v } else { v })
    }

    #[test]
    fn decimals_are_read_as_before_byte_by_byte() {
        let mut cases: Vec<String> = [
            "",
            " ",
            ".",
            "-",
            "+",
            "-.",
            "+.5",
            "-.5",
            "5.",
            "0",
            "00.10",
            "1.2.3",
            "1..2",
            "--1",
            "-+1",
            "+-1",
            " 12.34 ",
            "\t7\n",
            "\u{a0}3.5\u{2003}",
            "\u{a0}",
            "1 2",
            "12,5",
            "1e3",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775807",
            "922337203685477.5807",
            "92233720368547758.08",
            "é1",
            "1é",
            "٣",
            "0.001",
            "0.0001",
            "-0",
            "+0.00",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let alphabet = b"0123456789.-+ \tx";
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let s: String = (0..x % 12)
                .map(|i| char::from(alphabet[usize::try_from(x >> (i * 4) & 15).unwrap_or(0)]))
                .collect();
            cases.push(s);
        }
        for text in &cases {
            for exponent in [0u8, 1, 2, 3, 4] {
                assert_eq!(
                    parse_decimal_minor(text, exponent),
                    by_str_methods(text, exponent),
                    "{text:?} at {exponent}"
                );
            }
        }
        assert_eq!(parse_decimal_minor(" -12.3 ", 2), Some(-1230));
        assert_eq!(parse_decimal_minor("\u{a0}3.5", 2), Some(350));
    }
}
