//! The vocabulary both provider wings share: open enums for server-sent values, typed ids,
//! and lenient deserializers for what the services send loosely (numbers as strings,
//! `null` for empty, several date formats).

pub(crate) mod lenient;

/// Declares a server-sent string enum with an `Unknown(String)` fallback.
///
/// Parsing trims and ignores ASCII case; an unknown value decodes to `Unknown` (kept
/// verbatim) instead of failing, and is written back as received. `$path` is the public
/// module path of the type, for its doc examples.
macro_rules! open_enum {
    (
        $(#[$doc:meta])*
        $name:ident in $path:literal {
            $($(#[$vdoc:meta])* $variant:ident => $wire:literal),+ $(,)?
        }
    ) => {
        $(#[$doc])*
        ///
        /// Server-sent: match on [`as_str`](Self::as_str) or keep a wildcard arm; a value this
        /// version does not know decodes to `Unknown` instead of failing.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
            /// A value this version of `relance` does not know, kept verbatim.
            Unknown(String),
        }

        impl $name {
            /// The wire value.
            ///
            /// ```
            #[doc = concat!("let v = ", $path, "::", stringify!($name), "::parse(\"x-unknown\");")]
            /// assert_eq!(v.as_str(), "x-unknown");
            /// ```
            #[must_use]
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)+
                    Self::Unknown(s) => s,
                }
            }

            /// Parses a wire value (trimmed, ASCII case ignored; unknown values become
            /// `Unknown`).
            ///
            /// ```
            #[doc = concat!("use ", $path, "::", stringify!($name), ";")]
            #[doc = concat!("assert!(matches!(", stringify!($name), "::parse(\"x-unknown\"), ", stringify!($name), "::Unknown(_)));")]
            /// ```
            #[must_use]
            pub fn parse(raw: &str) -> Self {
                let t = raw.trim();
                $(if t.eq_ignore_ascii_case($wire) { return Self::$variant; })+
                Self::Unknown(raw.to_owned())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<&str> for $name {
            fn from(raw: &str) -> Self {
                Self::parse(raw)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                Ok(Self::parse(
                    &crate::wire::lenient::opt_string(d)?.unwrap_or_default(),
                ))
            }
        }
    };
}
pub(crate) use open_enum;

/// Declares a numeric id (`i64`), decoded from a number or a numeric string.
macro_rules! numeric_id {
    ($(#[$doc:meta])* $name:ident in $path:literal) => {
        $(#[$doc])*
        ///
        /// Declared as an integer by the service but sometimes sent as a string; both decode.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name(pub i64);

        impl $name {
            /// The numeric value.
            ///
            /// ```
            #[doc = concat!("assert_eq!(", $path, "::", stringify!($name), "(26).get(), 26);")]
            /// ```
            #[must_use]
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.0, f)
            }
        }

        impl From<i64> for $name {
            fn from(v: i64) -> Self {
                Self(v)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_i64(self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                crate::wire::lenient::int(d).map(Self)
            }
        }
    };
}
pub(crate) use numeric_id;

/// Declares a textual id, decoded from a string or a number and sent back as a number when
/// it is numeric (the services accept both, and some only a number).
macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident in $path:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub struct $name(pub String);

        impl $name {
            /// The id as text.
            ///
            /// ```
            #[doc = concat!("assert_eq!(", $path, "::", stringify!($name), "::from(\"12\").as_str(), \"12\");")]
            /// ```
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The JSON value to send: a number when the id is numeric.
            #[allow(dead_code)]
            pub(crate) fn to_value(&self) -> serde_json::Value {
                self.0.parse::<i64>().map_or_else(
                    |_| serde_json::Value::String(self.0.clone()),
                    serde_json::Value::from,
                )
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }

        impl From<&String> for $name {
            fn from(s: &String) -> Self {
                Self(s.clone())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s)
            }
        }

        impl From<&$name> for $name {
            fn from(id: &$name) -> Self {
                id.clone()
            }
        }

        impl From<i64> for $name {
            fn from(n: i64) -> Self {
                Self(n.to_string())
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                Ok(Self(crate::wire::lenient::opt_string(d)?.unwrap_or_default()))
            }
        }
    };
}
pub(crate) use text_id;
