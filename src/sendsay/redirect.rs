//! `REDIRECT` handling: a reply `{"REDIRECT": "/clu180"}` means "send the same body again to
//! `origin + /clu180 + /general/api/v100/json/<account>`". The value is checked (a plain path
//! on the base URL's origin, never another host: credentials would go there), and the prefix
//! is remembered by the client and its clones so later calls go straight to the cluster.

use std::sync::RwLock;

use serde_json::Value;
use url::Url;

use crate::error::{Error, Result};
use crate::http;

/// The most `REDIRECT`s followed for one call.
pub const MAX_REDIRECTS: usize = 10;

/// The learned prefix, shared by a client and its clones.
#[derive(Debug, Default)]
pub(crate) struct StickyPrefix(RwLock<Option<String>>);

impl StickyPrefix {
    /// The prefix learned so far (`/clu180`; empty for the root), if any.
    pub(crate) fn get(&self) -> Option<String> {
        self.0
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Checks a `REDIRECT` value and remembers it.
    pub(crate) fn follow(&self, base: &Url, target: &Value, hop: usize) -> Result<()> {
        let Some(target) = target.as_str() else {
            return Err(Error::Protocol("REDIRECT value is not a string".into()));
        };
        let prefix = validate(base, target)?;
        tracing::warn!(hop, prefix = %prefix, "following a Sendsay REDIRECT");
        *self
            .0
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(prefix);
        Ok(())
    }

    /// `base + general/api/v100/json/<account>`, or `origin + prefix + …` once a prefix was
    /// learned; never another origin.
    pub(crate) fn endpoint(&self, base: &Url, account: &str) -> Result<Url> {
        let segments = ["general", "api", "v100", "json", account];
        match self.get() {
            None => http::endpoint(base, &segments),
            Some(prefix) => {
                let mut origin = base.clone();
                origin.set_path(if prefix.is_empty() { "/" } else { &prefix });
                let url = http::endpoint(&origin, &segments)?;
                if url.origin() != base.origin() {
                    return Err(Error::Protocol("REDIRECT leaves the base origin".into()));
                }
                Ok(url)
            }
        }
    }
}

/// Validates a `REDIRECT` value: a path on the base URL's origin. Returns the prefix without
/// a trailing `/` (empty for the root).
fn validate(base: &Url, value: &str) -> Result<String> {
    let refuse = |why: &str| {
        Err(Error::Protocol(
            format!("refused REDIRECT to `{value}`: {why}; credentials are not sent there").into(),
        ))
    };
    let v = value.trim();
    if v.starts_with("//") || v.contains('\\') {
        return refuse("not a path on the same origin");
    }
    let path = if let Ok(abs) = Url::parse(v) {
        if abs.origin() != base.origin() {
            return refuse("another origin");
        }
        if abs.query().is_some() || abs.fragment().is_some() {
            return refuse("it has a query or a fragment");
        }
        abs.path().to_owned()
    } else {
        if let Some(colon) = v.find(':')
            && v.find('/').is_none_or(|slash| colon < slash)
        {
            return refuse("it has a scheme");
        }
        if v.chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '?' || c == '#')
        {
            return refuse("not a plain path");
        }
        if v.starts_with('/') {
            v.to_owned()
        } else {
            format!("/{v}")
        }
    };
    if path.split('/').any(|s| s == "." || s == "..") {
        return refuse("dot segments");
    }
    Ok(path.trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_values() {
        let base = Url::parse("https://api.sendsay.ru/").unwrap();
        assert_eq!(validate(&base, "/clu180").unwrap(), "/clu180");
        assert_eq!(validate(&base, "/clu180/").unwrap(), "/clu180");
        assert_eq!(validate(&base, "clu180").unwrap(), "/clu180");
        assert_eq!(validate(&base, "/").unwrap(), "");
        assert_eq!(
            validate(&base, "https://api.sendsay.ru/clu9").unwrap(),
            "/clu9"
        );
        for bad in [
            "https://evil.example/clu1",
            "//evil.example/clu1",
            "http://api.sendsay.ru/clu1",
            "javascript:alert(1)",
            "evil.example:443/x",
            "/a/../b",
            "/a?x=1",
            "\\\\evil",
        ] {
            assert!(
                matches!(validate(&base, bad), Err(Error::Protocol(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_prefix_sticks_and_stays_on_the_origin() {
        let base = Url::parse("https://api.sendsay.ru/").unwrap();
        let sticky = StickyPrefix::default();
        assert_eq!(
            sticky.endpoint(&base, "acc").unwrap().as_str(),
            "https://api.sendsay.ru/general/api/v100/json/acc"
        );
        sticky.follow(&base, &Value::from("/clu180"), 0).unwrap();
        assert_eq!(sticky.get().as_deref(), Some("/clu180"));
        assert_eq!(
            sticky.endpoint(&base, "acc").unwrap().as_str(),
            "https://api.sendsay.ru/clu180/general/api/v100/json/acc"
        );
        assert!(sticky.follow(&base, &Value::from(7), 1).is_err());
        assert!(
            sticky
                .follow(&base, &Value::from("//evil.example"), 1)
                .is_err()
        );
        assert_eq!(sticky.get().as_deref(), Some("/clu180"));
    }
}
