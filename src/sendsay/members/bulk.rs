//! Bulk operations on contacts: `member.delete` (one, several or a whole group) and
//! `member.import` (an asynchronous upload).

use serde_json::{Map, Value};

use super::model::MemberId;
use super::set::IfExists;
use crate::error::{Error, Result};
use crate::sendsay::ids::GroupId;
use crate::sendsay::params::{Params, flag, group_id};
use crate::sendsay::types::AddrType;

/// `member.delete`: by identifier, by list of identifiers, or a whole group.
///
/// ```
/// use relance::sendsay::MemberDelete;
/// let one = MemberDelete::one("a@b.ru");
/// let some = MemberDelete::many(["a@b.ru", "c@d.ru"]).sync(true);
/// let all = MemberDelete::group("list0004");
/// # let _ = (one, some, all);
/// ```
#[derive(Debug, Clone)]
pub struct MemberDelete {
    params: Result<Params, String>,
}

impl MemberDelete {
    /// One contact.
    ///
    /// ```
    /// let d = relance::sendsay::MemberDelete::one("a@b.ru");
    /// # let _ = d;
    /// ```
    pub fn one(id: impl Into<MemberId>) -> Self {
        let id = id.into();
        Self {
            params: id.params().map_err(|_| id.value),
        }
    }

    /// Several contacts.
    ///
    /// ```
    /// let d = relance::sendsay::MemberDelete::many(["a@b.ru"]);
    /// # let _ = d;
    /// ```
    pub fn many<I, S>(ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let list: Vec<String> = ids.into_iter().map(Into::into).collect();
        let params = match list.iter().find(|s| s.trim().is_empty()) {
            Some(bad) => Err(bad.clone()),
            None if list.is_empty() => Err(String::new()),
            None => Ok(Params::new().set("list", list)),
        };
        Self { params }
    }

    /// Every contact of a group.
    ///
    /// ```
    /// let d = relance::sendsay::MemberDelete::group("list0004");
    /// # let _ = d;
    /// ```
    #[must_use]
    pub fn group(id: impl Into<GroupId>) -> Self {
        let id = id.into();
        Self {
            params: match group_id(id.as_str()) {
                Ok(()) => Ok(Params::new().set("group", id.0)),
                Err(_) => Err(id.0),
            },
        }
    }

    /// Wait for completion instead of starting a job (`sync`).
    ///
    /// ```
    /// let d = relance::sendsay::MemberDelete::one("a@b.ru").sync(true);
    /// # let _ = d;
    /// ```
    #[must_use]
    pub fn sync(mut self, sync: bool) -> Self {
        self.params = self.params.map(|p| p.set("sync", flag(sync)));
        self
    }

    /// The parameters, or an input error naming what is wrong.
    pub(crate) fn into_params(self) -> Result<Map<String, Value>> {
        self.params.map(|p| p.0).map_err(|bad| {
            Error::invalid(bad, "an empty identifier list, identifier or bad group id")
        })
    }
}

/// `member.import`: a bulk upload, always asynchronous.
///
/// ```
/// use relance::sendsay::{IfExists, MemberImport};
/// let import = MemberImport::csv("member.email;base.firstName\nivan@example.com;Ivan")
///     .if_exists(IfExists::Overwrite)
///     .auto_group("list0004");
/// # let _ = import;
/// ```
#[derive(Debug, Clone)]
pub struct MemberImport {
    users_list: Value,
    addr_type: Option<AddrType>,
    if_exists: Option<IfExists>,
    auto_group: Option<GroupId>,
    clean_group: Option<bool>,
}

impl MemberImport {
    /// Inline CSV with a header row, `;`-separated (or a plain list of addresses, one per
    /// line, or a URL to a file).
    ///
    /// ```
    /// let i = relance::sendsay::MemberImport::csv("a@b.ru\nc@d.ru");
    /// # let _ = i;
    /// ```
    pub fn csv(data: impl Into<String>) -> Self {
        Self::data(Value::String(data.into()))
    }

    /// Any documented `users.list` form (a string, or a JSON array such as
    /// `[{"member":{"email":"…"}}]`).
    ///
    /// ```
    /// let i = relance::sendsay::MemberImport::data(serde_json::json!([{"member": {"email": "a@b.ru"}}]));
    /// # let _ = i;
    /// ```
    #[must_use]
    pub fn data(users_list: Value) -> Self {
        Self {
            users_list,
            addr_type: None,
            if_exists: None,
            auto_group: None,
            clean_group: None,
        }
    }

    /// The identifier type of the rows.
    ///
    /// ```
    /// let i = relance::sendsay::MemberImport::csv("79991234567").addr_type(relance::sendsay::AddrType::Msisdn);
    /// # let _ = i;
    /// ```
    #[must_use]
    pub fn addr_type(mut self, t: AddrType) -> Self {
        self.addr_type = Some(t);
        self
    }

    /// What to do with existing contacts.
    ///
    /// ```
    /// let i = relance::sendsay::MemberImport::csv("a@b.ru").if_exists(relance::sendsay::IfExists::Ignore);
    /// # let _ = i;
    /// ```
    #[must_use]
    pub fn if_exists(mut self, mode: IfExists) -> Self {
        self.if_exists = Some(mode);
        self
    }

    /// Adds every imported contact to a list (`auto_group: {"id": …}`).
    ///
    /// ```
    /// let i = relance::sendsay::MemberImport::csv("a@b.ru").auto_group("list0004");
    /// # let _ = i;
    /// ```
    #[must_use]
    pub fn auto_group(mut self, id: impl Into<GroupId>) -> Self {
        self.auto_group = Some(id.into());
        self
    }

    /// Whether to empty that list first (`clean_group`).
    ///
    /// ```
    /// let i = relance::sendsay::MemberImport::csv("a@b.ru").auto_group("l1").clean_group(true);
    /// # let _ = i;
    /// ```
    #[must_use]
    pub fn clean_group(mut self, clean: bool) -> Self {
        self.clean_group = Some(clean);
        self
    }

    pub(crate) fn params(self) -> Result<Map<String, Value>> {
        match &self.users_list {
            Value::String(s) if s.trim().is_empty() => {
                return Err(Error::invalid("users.list", "must not be empty"));
            }
            Value::Array(a) if a.is_empty() => {
                return Err(Error::invalid("users.list", "must not be empty"));
            }
            Value::String(_) | Value::Array(_) => {}
            _ => return Err(Error::invalid("users.list", "must be a string or an array")),
        }
        if let Some(g) = &self.auto_group {
            group_id(g.as_str())?;
        }
        let mut auto = Map::new();
        if let Some(g) = self.auto_group {
            auto.insert("id".into(), Value::String(g.0));
        }
        Params::new()
            .opt("addr_type", self.addr_type.as_ref().map(AddrType::as_str))
            .opt("if_exists", self.if_exists.as_ref().map(IfExists::as_str))
            .set("charset", "utf-8")
            .set("users.list", self.users_list)
            .opt(
                "auto_group",
                (!auto.is_empty()).then_some(Value::Object(auto)),
            )
            .opt("clean_group", self.clean_group.map(flag))
            .ok()
    }
}
