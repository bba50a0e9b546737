//! Contact fields: `/account/contactattribute` and selection values.
//!
//! The field model is in `model`; the [`FieldCatalog`] that checks contact values against
//! the fields' formats in `catalog`.

mod catalog;
mod ensure;
mod model;

use std::sync::Arc;

use reqwest::Method;
use serde::Serialize;

pub use catalog::FieldCatalog;
pub use model::{
    ContactField, EnsuredField, FieldFormat, FieldPlan, FieldSpec, FieldValue, NewField,
    NewFieldValue,
};

use super::core::Core;
use super::types::{FieldId, FieldValueId, ServerMessage};
use crate::error::{Error, Result};
use crate::http::Request;

#[derive(Serialize)]
struct WireValue<'a> {
    id: i64,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<i64>,
}

/// Handler for contact fields. Created by [`Client::fields`](super::Client::fields).
#[derive(Debug, Clone)]
pub struct FieldsHandler {
    core: Arc<Core>,
}

impl FieldsHandler {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core }
    }

    /// Lists every field of the contact base (`GET /account/contactattribute`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// for field in client.fields().list().await? {
    ///     println!("{} {} {:?}", field.id, field.name, field.tag());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> Request<Vec<ContactField>> {
        self.core
            .request(
                Method::GET,
                "/account/contactattribute",
                &["account", "contactattribute"],
            )
            .decode_json()
    }

    /// Gets one field (`GET /account/contactattribute/{id}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let field = client.fields().get(relance::sendethic::FieldId(26)).await?;
    /// # Ok(()) }
    /// ```
    pub fn get(&self, id: FieldId) -> Request<ContactField> {
        self.core
            .request(
                Method::GET,
                "/account/contactattribute/{id}",
                &["account", "contactattribute", &id.to_string()],
            )
            .decode_json()
    }

    /// Creates a field (`POST /account/contactattribute`, not retried). The name must be
    /// unique in the account. Prefer [`ensure`](Self::ensure) for provisioning.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::{FieldFormat, NewField};
    /// let field = client
    ///     .fields()
    ///     .create(NewField::new("Revenue", FieldFormat::Number).tag("relance_revenue"))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn create(&self, field: NewField) -> Request<ContactField> {
        let draft = self.core.request(
            Method::POST,
            "/account/contactattribute",
            &["account", "contactattribute"],
        );
        let draft = match field.validate() {
            Ok(()) => draft.json(field.into_wire()),
            Err(e) => draft.fail(e),
        };
        draft.decode_json()
    }

    /// Renames a field (`PUT /account/contactattribute`); its format cannot change.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// client.fields().rename(relance::sendethic::FieldId(26), "Lifetime revenue").await?;
    /// # Ok(()) }
    /// ```
    pub fn rename(&self, id: FieldId, name: impl Into<String>) -> Request<ServerMessage> {
        let name = name.into();
        let draft = self.core.request(
            Method::PUT,
            "/account/contactattribute",
            &["account", "contactattribute"],
        );
        let draft = if name.trim().is_empty() {
            draft.fail(Error::invalid("name", "a field name must not be empty"))
        } else {
            draft.json(serde_json::json!({ "id": id, "name": name.trim() }))
        };
        draft.message()
    }

    /// Deletes a field and its data permanently (`DELETE /account/contactattribute/{id}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// client.fields().delete(relance::sendethic::FieldId(26)).await?;
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, id: FieldId) -> Request<ServerMessage> {
        self.core
            .request(
                Method::DELETE,
                "/account/contactattribute/{id}",
                &["account", "contactattribute", &id.to_string()],
            )
            .message()
    }

    /// Lists the values of a selection field (`GET /account/contactattribute/value/{id}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let values = client.fields().values(relance::sendethic::FieldId(30)).await?;
    /// # Ok(()) }
    /// ```
    pub fn values(&self, field: FieldId) -> Request<Vec<FieldValue>> {
        self.core
            .request(
                Method::GET,
                "/account/contactattribute/value/{id}",
                &["account", "contactattribute", "value", &field.to_string()],
            )
            .decode_json()
    }

    /// Adds a value to a selection field (`POST /account/contactattribute/value/{id}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::{FieldId, NewFieldValue};
    /// let yes = client.fields().add_value(FieldId(30), NewFieldValue::new("Yes").index(1)).await?;
    /// # Ok(()) }
    /// ```
    pub fn add_value(&self, field: FieldId, value: NewFieldValue) -> Request<FieldValue> {
        let draft = self.core.request(
            Method::POST,
            "/account/contactattribute/value/{id}",
            &["account", "contactattribute", "value", &field.to_string()],
        );
        let NewFieldValue { text, index } = value;
        let draft = if text.trim().is_empty() {
            draft.fail(Error::invalid("text", "a value label must not be empty"))
        } else {
            draft.json(&WireValue {
                id: 0,
                text: &text,
                index,
            })
        };
        draft.decode_json()
    }

    /// Renames and/or re-indexes a value (`PUT /account/contactattribute/value`). The new
    /// index must be free.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::FieldValueId;
    /// client.fields().update_value(FieldValueId(53), "Oui", Some(1)).await?;
    /// # Ok(()) }
    /// ```
    pub fn update_value(
        &self,
        value: FieldValueId,
        text: impl Into<String>,
        index: Option<i64>,
    ) -> Request<ServerMessage> {
        let text = text.into();
        let draft = self.core.request(
            Method::PUT,
            "/account/contactattribute/value",
            &["account", "contactattribute", "value"],
        );
        let draft = if text.trim().is_empty() {
            draft.fail(Error::invalid("text", "a value label must not be empty"))
        } else {
            draft.json(&WireValue {
                id: value.0,
                text: &text,
                index,
            })
        };
        draft.message()
    }

    /// Deletes a selection value (`DELETE /account/contactattribute/value/{id}`).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// client.fields().delete_value(relance::sendethic::FieldValueId(53)).await?;
    /// # Ok(()) }
    /// ```
    pub fn delete_value(&self, value: FieldValueId) -> Request<ServerMessage> {
        self.core
            .request(
                Method::DELETE,
                "/account/contactattribute/value/{id}",
                &["account", "contactattribute", "value", &value.to_string()],
            )
            .message()
    }

    /// Loads every field, and the values of every selection field, into a [`FieldCatalog`]
    /// (one `GET /account/contactattribute`, then one
    /// `GET /account/contactattribute/value/{id}` per selection field).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// let catalog = client.fields().catalog().await?;
    /// let report = client.contacts().upsert_many(Vec::new()).catalog(catalog).await?;
    /// # Ok(()) }
    /// ```
    #[doc(alias = "load")]
    pub async fn catalog(&self) -> Result<FieldCatalog> {
        let fields = self.list().await?;
        let selections: Vec<FieldId> = fields
            .iter()
            .filter(|f| f.format.is_selection())
            .map(|f| f.id)
            .collect();
        let mut catalog = FieldCatalog::new(fields);
        for id in selections {
            let values = self.values(id).await?;
            catalog = catalog.with_values(id, values);
        }
        Ok(catalog)
    }

    /// Finds the field whose tag is `spec.tag` (the `Format|tag` convention), or creates it;
    /// then makes sure the listed selection values exist. Idempotent: safe on every start.
    ///
    /// A create that fails (for example because a concurrent caller created the field first)
    /// is followed by one more lookup before the error is returned.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::{FieldFormat, FieldSpec};
    /// let revenue = client
    ///     .fields()
    ///     .ensure(FieldSpec::new("relance_revenue", "Revenue", FieldFormat::Number))
    ///     .await?;
    /// println!("revenue is field {}", revenue.field.id);
    /// # Ok(()) }
    /// ```
    pub async fn ensure(&self, spec: FieldSpec) -> Result<EnsuredField> {
        self.ensure_all([spec])
            .await?
            .pop()
            .ok_or_else(|| Error::Protocol("no field was ensured".into()))
    }
}
