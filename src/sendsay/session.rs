//! Authentication: an API key in the `Authorization` header, or a login exchanged for a
//! session sent in every body. A session that expires (`error/auth/failed` + `expired`: the
//! action was *not* executed) is renewed once — one login shared by concurrent calls — and
//! the call replayed once; that replay is not a retry.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};

use super::core::Core;
use super::envelope;
use super::{Auth, AuthKind};
use crate::error::{Error, Result};
use crate::http::RequestOptions;

/// How a client proves who it is, and the session it holds.
pub(crate) struct Session {
    kind: Kind,
    logins: AtomicU64,
}

enum Kind {
    ApiKey(HeaderValue),
    Password {
        login: String,
        sublogin: Option<String>,
        passwd: SecretString,
        current: tokio::sync::Mutex<Option<SecretString>>,
    },
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            Kind::ApiKey(_) => "api key <redacted>",
            Kind::Password { .. } => "password/session <redacted>",
        };
        fmt::Debug::fmt(kind, f)
    }
}

impl Session {
    /// Checks the credentials (none may be empty) and prepares the header or the login.
    pub(crate) fn new(auth: Auth) -> Result<Self> {
        let kind = match auth.0 {
            AuthKind::ApiKey(key) => {
                if key.expose_secret().trim().is_empty() {
                    return Err(Error::config("the Sendsay API key is empty"));
                }
                let mut h =
                    HeaderValue::from_str(&format!("sendsay apikey={}", key.expose_secret()))
                        .map_err(|_| Error::config("the API key contains invalid characters"))?;
                h.set_sensitive(true);
                Kind::ApiKey(h)
            }
            AuthKind::Password {
                login,
                sublogin,
                passwd,
            } => {
                if login.trim().is_empty() || passwd.expose_secret().is_empty() {
                    return Err(Error::config("the Sendsay login or password is empty"));
                }
                Kind::Password {
                    login,
                    sublogin,
                    passwd,
                    current: tokio::sync::Mutex::new(None),
                }
            }
        };
        Ok(Self {
            kind,
            logins: AtomicU64::new(0),
        })
    }

    /// The `Authorization` header of an API-key client.
    pub(crate) fn header(&self) -> Option<&HeaderValue> {
        match &self.kind {
            Kind::ApiKey(h) => Some(h),
            Kind::Password { .. } => None,
        }
    }

    /// How many `login` calls were made.
    pub(crate) fn logins(&self) -> u64 {
        self.logins.load(Ordering::Relaxed)
    }

    /// Sends `body` through `core` with the session (logging in first when there is none),
    /// and replays it once after logging in again when the session expired.
    pub(crate) async fn send(
        &self,
        core: &Core,
        body: Map<String, Value>,
        retry_safe: bool,
        options: &RequestOptions,
    ) -> Result<Value> {
        let needs_session = !matches!(
            body.get("action").and_then(Value::as_str),
            Some("ping" | "login")
        );
        let mut relogged = false;
        loop {
            let session = if needs_session {
                self.current(core, None).await?
            } else {
                None
            };
            let mut sent = body.clone();
            if let Some(s) = &session {
                sent.insert(
                    "session".into(),
                    Value::String(s.expose_secret().to_owned()),
                );
            }
            match core.post(&sent, retry_safe, options).await {
                Err(Error::Api(api))
                    if session.is_some() && !relogged && envelope::is_expired(&api) =>
                {
                    tracing::warn!("session expired; logging in again and replaying once");
                    relogged = true;
                    self.current(core, session.as_ref()).await?;
                }
                other => return other,
            }
        }
    }

    /// The current session (logging in when there is none, or when `stale` is still the
    /// current one). `None` for API-key clients.
    async fn current(
        &self,
        core: &Core,
        stale: Option<&SecretString>,
    ) -> Result<Option<SecretString>> {
        let Kind::Password {
            login,
            sublogin,
            passwd,
            current,
        } = &self.kind
        else {
            return Ok(None);
        };
        let mut current = current.lock().await;
        let renew = match (&*current, stale) {
            (None, _) => true,
            (Some(cur), Some(stale)) => cur.expose_secret() == stale.expose_secret(),
            (Some(_), None) => false,
        };
        if renew {
            *current = None;
            let mut body = Map::new();
            body.insert("action".into(), "login".into());
            body.insert("login".into(), login.clone().into());
            if let Some(sub) = sublogin {
                body.insert("sublogin".into(), sub.clone().into());
            }
            body.insert("passwd".into(), passwd.expose_secret().into());
            self.logins.fetch_add(1, Ordering::Relaxed);
            let reply = core.post(&body, true, &RequestOptions::default()).await?;
            let Some(new) = reply.get("session").and_then(Value::as_str) else {
                return Err(Error::Protocol("the login answer has no session".into()));
            };
            *current = Some(SecretString::from(new.to_owned()));
        }
        Ok(current.clone())
    }

    /// `logout`: ends the open session, if any, and forgets it.
    pub(crate) async fn logout(&self, core: &Core) -> Result<()> {
        let Kind::Password { current, .. } = &self.kind else {
            return Ok(());
        };
        let mut current = current.lock().await;
        let Some(open) = current.take() else {
            return Ok(());
        };
        let mut body = Map::new();
        body.insert("action".into(), "logout".into());
        body.insert("session".into(), open.expose_secret().into());
        match core.post(&body, false, &RequestOptions::default()).await {
            Err(Error::Api(api)) if api.is_auth() => Ok(()), // already expired
            other => other.map(|_| ()),
        }
    }
}
