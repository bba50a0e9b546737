//! Workflow members (`sequence.member.start|stop|pause|resume`): puts members into an
//! automation set up in the account, takes them out, pauses or resumes them. A start sends
//! mail, so none of these calls is retried automatically.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::core::Core;
use super::envelope;
use crate::error::{Error, Result};
use crate::http::Request;
use crate::sendsay::{Accepted, AddrType, GroupId, WorkflowId};

/// Who a `sequence.member.*` call is about: one member, a list of members, or a group.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WorkflowMembers {
    /// One member by its address (`email`; the key of an email, phone or other channel).
    One(String),
    /// Several members (`list`).
    List(Vec<String>),
    /// Every member of a group (`group`).
    Group(GroupId),
}

/// A `sequence.member.*` request: the workflow, the members and, for addresses that are not
/// emails, their type (`addr_type`).
///
/// ```
/// use relance::sendsay::{AddrType, WorkflowCall};
/// let call = WorkflowCall::one(12, "+79990001122").addr_type(AddrType::Msisdn);
/// assert_eq!(call.to_params().unwrap()["addr_type"], "msisdn");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WorkflowCall {
    /// The workflow.
    pub workflow: WorkflowId,
    /// The members.
    pub members: WorkflowMembers,
    /// Their address type (omitted: the service's default, email).
    pub addr_type: Option<AddrType>,
}

impl WorkflowCall {
    /// One member of a workflow.
    ///
    /// ```
    /// let call = relance::sendsay::WorkflowCall::one(12, "a@b.ru");
    /// assert_eq!(call.to_params().unwrap()["email"], "a@b.ru");
    /// ```
    #[must_use]
    pub fn one(workflow: impl Into<WorkflowId>, address: impl Into<String>) -> Self {
        Self {
            workflow: workflow.into(),
            members: WorkflowMembers::One(address.into()),
            addr_type: None,
        }
    }

    /// Several members of a workflow.
    ///
    /// ```
    /// let call = relance::sendsay::WorkflowCall::list(12, ["a@b.ru", "c@d.ru"]);
    /// assert_eq!(call.to_params().unwrap()["list"][1], "c@d.ru");
    /// ```
    #[must_use]
    pub fn list<I, S>(workflow: impl Into<WorkflowId>, addresses: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            workflow: workflow.into(),
            members: WorkflowMembers::List(addresses.into_iter().map(Into::into).collect()),
            addr_type: None,
        }
    }

    /// Every member of a group.
    ///
    /// ```
    /// let call = relance::sendsay::WorkflowCall::group(12, "p42");
    /// assert_eq!(call.to_params().unwrap()["group"], "p42");
    /// ```
    #[must_use]
    pub fn group(workflow: impl Into<WorkflowId>, group: impl Into<GroupId>) -> Self {
        Self {
            workflow: workflow.into(),
            members: WorkflowMembers::Group(group.into()),
            addr_type: None,
        }
    }

    /// The same call for addresses of another type.
    ///
    /// ```
    /// use relance::sendsay::{AddrType, WorkflowCall};
    /// let call = WorkflowCall::one(12, "12345").addr_type(AddrType::Tg);
    /// assert_eq!(call.addr_type, Some(AddrType::Tg));
    /// ```
    #[must_use]
    pub fn addr_type(mut self, addr_type: AddrType) -> Self {
        self.addr_type = Some(addr_type);
        self
    }

    /// The call's parameters, checked: a workflow id, and no empty address or group.
    ///
    /// ```
    /// let err = relance::sendsay::WorkflowCall::one(12, " ").to_params().unwrap_err();
    /// assert!(err.to_string().contains("email"));
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the empty parameter.
    pub fn to_params(&self) -> Result<Map<String, Value>> {
        if self.workflow.as_str().trim().is_empty() {
            return Err(Error::invalid("id", "a workflow id is required"));
        }
        let mut p = Map::new();
        p.insert("id".into(), self.workflow.to_value());
        match &self.members {
            WorkflowMembers::One(a) => {
                if a.trim().is_empty() {
                    return Err(Error::invalid("email", "the member's address is empty"));
                }
                p.insert("email".into(), Value::from(a.trim()));
            }
            WorkflowMembers::List(list) => {
                if list.is_empty() || list.iter().any(|a| a.trim().is_empty()) {
                    return Err(Error::invalid(
                        "list",
                        "the list of members is empty or holds an empty address",
                    ));
                }
                p.insert(
                    "list".into(),
                    list.iter().map(|a| Value::from(a.trim())).collect(),
                );
            }
            WorkflowMembers::Group(g) => {
                if g.as_str().trim().is_empty() {
                    return Err(Error::invalid("group", "the group id is empty"));
                }
                p.insert("group".into(), Value::from(g.as_str()));
            }
        }
        if let Some(t) = &self.addr_type {
            p.insert("addr_type".into(), Value::from(t.as_str()));
        }
        Ok(p)
    }
}

/// Handler for workflow members. Created by [`Client::workflows`](super::Client::workflows).
#[derive(Debug, Clone)]
pub struct WorkflowsHandler {
    core: Arc<Core>,
}

impl WorkflowsHandler {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core }
    }

    fn member(&self, action: &'static str, call: &WorkflowCall) -> Request<Accepted> {
        self.core
            .action(action, call.to_params(), envelope::accepted)
    }

    /// Starts the workflow for the members (`sequence.member.start`). It sends mail: never
    /// retried automatically; an answer lost in transit leaves the start ambiguous (the API
    /// has no read-back of a start).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// use relance::sendsay::WorkflowCall;
    /// client.workflows().start(&WorkflowCall::one(12, "a@b.ru")).await?;
    /// # Ok(()) }
    /// ```
    pub fn start(&self, call: &WorkflowCall) -> Request<Accepted> {
        self.member("sequence.member.start", call)
    }

    /// Takes the members out of the workflow (`sequence.member.stop`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// use relance::sendsay::WorkflowCall;
    /// client.workflows().stop(&WorkflowCall::one(12, "a@b.ru")).await?;
    /// # Ok(()) }
    /// ```
    pub fn stop(&self, call: &WorkflowCall) -> Request<Accepted> {
        self.member("sequence.member.stop", call)
    }

    /// Pauses the workflow for the members (`sequence.member.pause`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// use relance::sendsay::WorkflowCall;
    /// client.workflows().pause(&WorkflowCall::group(12, "p42")).await?;
    /// # Ok(()) }
    /// ```
    pub fn pause(&self, call: &WorkflowCall) -> Request<Accepted> {
        self.member("sequence.member.pause", call)
    }

    /// Resumes the workflow for the members (`sequence.member.resume`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendsay::Client) -> relance::Result<()> {
    /// use relance::sendsay::WorkflowCall;
    /// client.workflows().resume(&WorkflowCall::group(12, "p42")).await?;
    /// # Ok(()) }
    /// ```
    pub fn resume(&self, call: &WorkflowCall) -> Request<Accepted> {
        self.member("sequence.member.resume", call)
    }
}
