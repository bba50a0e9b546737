//! The field catalog: known custom fields and selection values, to check contact values
//! against their field's format before sending.

use std::collections::{BTreeMap, BTreeSet};

use super::model::{ContactField, FieldFormat, FieldValue};
use crate::sendethic::criteria::is_decimal;
use crate::sendethic::types::{FieldId, FieldValueId, Timestamp};

/// Known custom fields, to check custom values against their format before sending.
///
/// Load it from the account with [`FieldsHandler::catalog`](super::FieldsHandler::catalog),
/// or build it from fields already read.
///
/// ```no_run
/// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
/// let catalog = client.fields().catalog().await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldCatalog {
    fields: BTreeMap<FieldId, (FieldFormat, Option<BTreeSet<FieldValueId>>)>,
}

impl FieldCatalog {
    /// A catalog of these fields (selection values unknown, so not checked).
    ///
    /// ```
    /// let catalog = relance::sendethic::FieldCatalog::new(Vec::new());
    /// # let _ = catalog;
    /// ```
    #[must_use]
    pub fn new(fields: impl IntoIterator<Item = ContactField>) -> Self {
        Self {
            fields: fields
                .into_iter()
                .map(|f| (f.id, (f.format, None)))
                .collect(),
        }
    }

    /// Records the values of a selection field; its values are then checked.
    ///
    /// ```
    /// let catalog = relance::sendethic::FieldCatalog::new(Vec::new())
    ///     .with_values(relance::sendethic::FieldId(30), Vec::new());
    /// # let _ = catalog;
    /// ```
    #[must_use]
    pub fn with_values(
        mut self,
        field: FieldId,
        values: impl IntoIterator<Item = FieldValue>,
    ) -> Self {
        let ids = values.into_iter().map(|v| v.id).collect();
        if let Some(entry) = self.fields.get_mut(&field) {
            entry.1 = Some(ids);
        }
        self
    }

    /// The format of a known field.
    ///
    /// ```
    /// let catalog = relance::sendethic::FieldCatalog::new(Vec::new());
    /// assert!(catalog.format(relance::sendethic::FieldId(1)).is_none());
    /// ```
    #[must_use]
    pub fn format(&self, field: FieldId) -> Option<&FieldFormat> {
        self.fields.get(&field).map(|(f, _)| f)
    }

    pub(crate) fn check(&self, field: FieldId, value: &str) -> std::result::Result<(), String> {
        let Some((format, values)) = self.fields.get(&field) else {
            return Err(format!("unknown custom field {field}"));
        };
        let selection_ok = |raw: &str| -> std::result::Result<(), String> {
            let id: i64 = raw
                .trim()
                .parse()
                .map_err(|_| format!("field {field}: `{raw}` is not a selection value id"))?;
            match values {
                Some(known) if !known.contains(&FieldValueId(id)) => {
                    Err(format!("field {field}: value id {id} does not exist"))
                }
                _ => Ok(()),
            }
        };
        match format {
            FieldFormat::Number if !is_decimal(value.trim()) => Err(format!(
                "field {field} is a Number: `{value}` is not a decimal with `.`"
            )),
            FieldFormat::DateTime
                if !Timestamp::parse(value)
                    .datetime()
                    .is_some_and(|d| (1753..=9999).contains(&chrono::Datelike::year(&d))) =>
            {
                Err(format!(
                    "field {field} is a DateTime: `{value}` is not yyyy-MM-dd HH:mm:ss with a year from 1753 to 9999"
                ))
            }
            FieldFormat::SingleSelection => selection_ok(value),
            FieldFormat::MultipleSelection => value.split(',').try_for_each(selection_ok),
            _ => Ok(()),
        }
    }
}

impl From<&[ContactField]> for FieldCatalog {
    fn from(fields: &[ContactField]) -> Self {
        Self::new(fields.iter().cloned())
    }
}
