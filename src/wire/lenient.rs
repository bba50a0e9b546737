//! Lenient deserializers shared by both providers: numbers sent as strings, booleans sent as
//! `"true"`/`"yes1"`/`"no"`/`0`/`1`, and `null` where a value was expected.

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use std::fmt;

struct IntVisitor;

impl<'de> Visitor<'de> for IntVisitor {
    type Value = Option<i64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer, a numeric string or null")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        i64::try_from(v)
            .map(Some)
            .map_err(|_| E::custom("integer out of range"))
    }
    #[allow(clippy::cast_possible_truncation)]
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        if v.fract() == 0.0 && v.abs() < 9.0e15 {
            Ok(Some(v as i64))
        } else {
            Err(E::custom("expected an integer"))
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let v = v.trim();
        if v.is_empty() {
            return Ok(None);
        }
        v.parse::<i64>()
            .map(Some)
            .map_err(|_| E::custom(format!("expected a numeric string, got `{v}`")))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// An `i64` from a number or a numeric string; `null`/missing/empty become `0`.
pub(crate) fn int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Ok(d.deserialize_any(IntVisitor)?.unwrap_or(0))
}

/// An optional string that may arrive as a string, a number or a boolean.
pub(crate) fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match v {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    })
}

/// An optional `i64` from a number or a numeric string; `null`/missing/empty become `None`.
pub(crate) fn opt_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    d.deserialize_any(IntVisitor)
}

/// A flag sent as `0`/`1`, `"0"`/`"1"`, `true`/`false`, `"true"`/`"false"`, `"yes"`/`"no"`;
/// `null`, missing and empty become `false`.
pub(crate) fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match v {
        None | Some(serde_json::Value::Null) => false,
        Some(serde_json::Value::Bool(b)) => b,
        Some(serde_json::Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(serde_json::Value::String(s)) => {
            let s = s.trim().to_ascii_lowercase();
            !(s.is_empty() || s == "0" || s == "false" || s == "no" || s == "off")
        }
        Some(_) => true,
    })
}

/// The integer in a JSON value that may be a number or a numeric string.
pub(crate) fn value_int(v: &serde_json::Value) -> Option<i64> {
    match v {
        serde_json::Value::Number(n) => n.as_i64().or_else(|| {
            #[allow(clippy::cast_possible_truncation)]
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        }),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        serde_json::Value::Bool(b) => Some(i64::from(*b)),
        _ => None,
    }
}

/// A string that may arrive as a string, a number or a boolean; `null`/missing become `""`.
pub(crate) fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(opt_string(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    struct T {
        #[serde(deserialize_with = "super::int", default)]
        a: i64,
        #[serde(deserialize_with = "super::opt_string", default)]
        c: Option<String>,
    }

    #[test]
    fn numbers_strings_and_nulls() {
        let t: T = serde_json::from_str(r#"{"a":"42","c":12}"#).unwrap();
        assert_eq!((t.a, t.c.as_deref()), (42, Some("12")));
        let t: T = serde_json::from_str(r#"{"a":null,"c":null}"#).unwrap();
        assert_eq!((t.a, t.c), (0, None));
        let t: T = serde_json::from_str(r#"{"a":""}"#).unwrap();
        assert_eq!(t.a, 0);
        let t: T = serde_json::from_str(r"{}").unwrap();
        assert_eq!(t.a, 0);
        assert!(serde_json::from_str::<T>(r#"{"a":"x"}"#).is_err());
        let t: T = serde_json::from_str(r#"{"a":3.0}"#).unwrap();
        assert_eq!(t.a, 3);
    }

    #[derive(Deserialize, Debug)]
    struct F {
        #[serde(deserialize_with = "super::flag", default)]
        f: bool,
        #[serde(deserialize_with = "super::opt_int", default)]
        n: Option<i64>,
    }

    #[test]
    fn flags_and_optional_ints() {
        for (raw, want) in [
            (r#"{"f":"1"}"#, true),
            (r#"{"f":1}"#, true),
            (r#"{"f":true}"#, true),
            (r#"{"f":"0"}"#, false),
            (r#"{"f":0}"#, false),
            (r#"{"f":"false"}"#, false),
            (r#"{"f":null}"#, false),
            (r"{}", false),
        ] {
            assert_eq!(serde_json::from_str::<F>(raw).unwrap().f, want, "{raw}");
        }
        assert_eq!(
            serde_json::from_str::<F>(r#"{"n":"-2"}"#).unwrap().n,
            Some(-2)
        );
        assert_eq!(serde_json::from_str::<F>(r"{}").unwrap().n, None);
        assert_eq!(super::value_int(&serde_json::json!("7")), Some(7));
        assert_eq!(super::value_int(&serde_json::json!(7.0)), Some(7));
        assert_eq!(super::value_int(&serde_json::json!("x")), None);
    }
}
