//! Which provider account a sync state describes.

use std::fmt;

use crate::error::{Error, Result};

/// The provider account a sync state describes: what was pushed to one Sendethic account is
/// no evidence of what another account (or Sendsay) holds.
///
/// A store is opened for one scope; a store file created for another scope is refused
/// ([`StateError::OtherScope`](crate::error::StateError::OtherScope)) and the run lock is
/// per scope.
///
/// ```
/// use relance::sync::store::Scope;
/// let scope = Scope::new("sendethic", "12345")?;
/// assert_eq!(scope.provider(), "sendethic");
/// assert_eq!(scope.account(), "12345");
/// assert_eq!(scope.to_string(), "sendethic account 12345");
/// # Ok::<(), relance::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Scope {
    provider: Box<str>,
    account: Box<str>,
}

impl Scope {
    /// A scope for `account` at `provider` (`"sendethic"`, `"sendsay"`, or the name of your
    /// own target: lower-case ASCII letters, digits, `-` and `_`). The account is the
    /// provider's account id or login; it must not be empty nor contain control characters.
    ///
    /// ```
    /// use relance::sync::store::Scope;
    /// assert!(Scope::new("sendsay", "shop-login").is_ok());
    /// assert!(Scope::new("Sendsay", "x").is_err());
    /// assert!(Scope::new("sendsay", " ").is_err());
    /// ```
    pub fn new(provider: impl Into<String>, account: impl Into<String>) -> Result<Self> {
        let provider = provider.into();
        let account = account.into();
        let name_ok = !provider.is_empty()
            && provider
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !name_ok {
            return Err(Error::invalid(
                provider,
                "a provider name is lower-case ASCII letters, digits, `-` and `_`",
            ));
        }
        if account.trim().is_empty() || account.chars().any(char::is_control) {
            return Err(Error::invalid(
                account,
                "an account is not empty and has no control characters",
            ));
        }
        Ok(Self {
            provider: provider.into_boxed_str(),
            account: account.into_boxed_str(),
        })
    }

    /// The provider's name.
    ///
    /// ```
    /// # let scope = relance::sync::store::Scope::new("sendsay", "x")?;
    /// assert_eq!(scope.provider(), "sendsay");
    /// # Ok::<(), relance::Error>(())
    /// ```
    #[must_use]
    pub fn provider(&self) -> &str {
        &self.provider
    }

    /// The account at the provider.
    ///
    /// ```
    /// # let scope = relance::sync::store::Scope::new("sendsay", "x")?;
    /// assert_eq!(scope.account(), "x");
    /// # Ok::<(), relance::Error>(())
    /// ```
    #[must_use]
    pub fn account(&self) -> &str {
        &self.account
    }

    /// A text naming the scope unambiguously (the provider name cannot hold `/`), used as
    /// the key of the `PostgreSQL` run lock.
    #[cfg(feature = "postgres")]
    pub(crate) fn key(&self) -> String {
        format!("relance-sync/{}/{}", self.provider, self.account)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} account {}", self.provider, self.account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert!(Scope::new("", "a").is_err());
        assert!(Scope::new("send ethic", "a").is_err());
        assert!(Scope::new("sendethic", "").is_err());
        assert!(Scope::new("sendethic", "a\nb").is_err());
        let s = Scope::new("my_target-2", "Shop 1").unwrap();
        assert_eq!(s.account(), "Shop 1");
        assert_ne!(s, Scope::new("my_target-2", "Shop 2").unwrap());
    }
}
