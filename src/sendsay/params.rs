//! Building action parameters: the object builder, the `0`/`1` flags and the input checks
//! made before anything is sent.

use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// Helpers to build parameter objects.
#[derive(Debug, Clone)]
pub(crate) struct Params(pub(crate) Map<String, Value>);

impl Params {
    pub(crate) fn new() -> Self {
        Self(Map::new())
    }
    pub(crate) fn set(mut self, k: &str, v: impl Into<Value>) -> Self {
        self.0.insert(k.to_owned(), v.into());
        self
    }
    pub(crate) fn opt(self, k: &str, v: Option<impl Into<Value>>) -> Self {
        match v {
            Some(v) => self.set(k, v),
            None => self,
        }
    }
    #[allow(clippy::unnecessary_wraps)]
    pub(crate) fn ok(self) -> Result<Map<String, Value>> {
        Ok(self.0)
    }
}

/// Checks that `value` is not blank.
pub(crate) fn non_empty(item: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        Err(Error::invalid(item, "must not be empty"))
    } else {
        Ok(())
    }
}

/// `{"id": <id>}`, the id checked not to be blank.
pub(crate) fn id_param(id: &str) -> Result<Map<String, Value>> {
    non_empty("id", id)?;
    Params::new().set("id", id).ok()
}

/// Checks a group id: `[a-zA-Z0-9]+`.
pub(crate) fn group_id(id: &str) -> Result<()> {
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Err(Error::invalid(
            id,
            "a group id must be non-empty and made of [a-zA-Z0-9]",
        ))
    } else {
        Ok(())
    }
}

/// Serialises a flag as the service's `0`/`1`.
pub(crate) fn flag(b: bool) -> Value {
    Value::from(i32::from(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_ids_are_checked() {
        assert!(group_id("list0004").is_ok());
        assert!(group_id("p-1").is_err());
        assert!(group_id("").is_err());
    }
}
