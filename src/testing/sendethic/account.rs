//! Account routes of `FakeSendethic`: remaining credits and account settings.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::FakeSendethic;
use super::call::{Call, bad_request, message, no_route, not_found};
use super::state::State;
use crate::sendethic::{CreditType, Credits};
use crate::testing::core::Reply;

/// Credits (used, total) by kind, and settings by name.
#[derive(Debug)]
pub(super) struct Account {
    credits: BTreeMap<&'static str, (i64, i64)>,
    settings: BTreeMap<String, String>,
}

impl Default for Account {
    fn default() -> Self {
        let credits = [
            (CreditType::Transactional.as_str(), (0, 10_000)),
            (CreditType::Sms.as_str(), (0, 1_000)),
            (CreditType::Marketing.as_str(), (0, 100_000)),
        ]
        .into_iter()
        .collect();
        Self {
            credits,
            settings: BTreeMap::new(),
        }
    }
}

impl Account {
    /// Spends `n` credits of `kind`; 400 when fewer remain.
    pub(super) fn spend(&mut self, kind: &'static str, n: usize) -> Result<(), Reply> {
        let n = i64::try_from(n).unwrap_or(i64::MAX);
        let (used, total) = self.credits.get(kind).copied().unwrap_or((0, 0));
        if total - used < n {
            return Err(bad_request(format!("Not enough {kind} credits.")));
        }
        self.credits.insert(kind, (used + n, total));
        Ok(())
    }
}

/// `/account/...` (except the contact fields).
pub(super) fn route(state: &mut State, call: &Call<'_>) -> Reply {
    let account = &mut state.account;
    match (call.method, call.rest) {
        ("GET", ["remainingcredits", kind]) => match account.credits.get(kind) {
            Some((used, total)) => Reply::Json(
                200,
                json!({ "used": used, "remaining": total - used, "total": total }),
            ),
            None => bad_request(format!("Unknown credit type {kind}.")),
        },
        ("GET", ["settingsattribute", name]) => match account.settings.get(*name) {
            Some(v) => Reply::Json(200, Value::String(v.clone())),
            None => not_found("Setting"),
        },
        ("PUT", ["settingsattribute"]) => {
            let Some(map) = call
                .body
                .and_then(|b| b.get("attributeType"))
                .and_then(Value::as_object)
            else {
                return bad_request("attributeType is required.");
            };
            for (k, v) in map {
                let v = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                account.settings.insert(k.clone(), v);
            }
            message(format!("{} setting(s) updated.", map.len()))
        }
        _ => no_route(call.method, call.path),
    }
}

impl FakeSendethic {
    /// Sets the credits of one kind.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// fake.set_credits(relance::sendethic::CreditType::Sms, 10, 50);
    /// assert_eq!(fake.credits(relance::sendethic::CreditType::Sms).remaining, 40);
    /// # }
    /// ```
    pub fn set_credits(&self, kind: CreditType, used: i64, total: i64) {
        self.state()
            .account
            .credits
            .insert(kind.as_str(), (used, total));
    }

    /// The credits of one kind.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// assert_eq!(fake.credits(relance::sendethic::CreditType::Marketing).used, 0);
    /// # }
    /// ```
    #[must_use]
    pub fn credits(&self, kind: CreditType) -> Credits {
        let (used, total) = self
            .state()
            .account
            .credits
            .get(kind.as_str())
            .copied()
            .unwrap_or((0, 0));
        Credits {
            used,
            remaining: total - used,
            total,
        }
    }

    /// An account setting's current value.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = relance::testing::FakeSendethic::start().await;
    /// assert_eq!(fake.setting("shop_url"), None);
    /// # }
    /// ```
    #[must_use]
    pub fn setting(&self, name: &str) -> Option<String> {
        self.state().account.settings.get(name).cloned()
    }
}
