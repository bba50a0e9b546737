//! Idempotent provisioning of fields and their selection values that survives faults: a
//! creation is never blindly sent again, but after a failed or ambiguous one the list is read
//! again (a safe GET) and the creation tried again only if the item is still absent.

use super::FieldsHandler;
use super::model::{ContactField, EnsuredField, FieldSpec, FieldValue, NewField, NewFieldValue};
use crate::error::{Error, Result};
use crate::http::create_verified;

impl FieldsHandler {
    /// Makes sure every field of `specs` exists (found by its tag, created when missing, with
    /// its selection values), reading the field list **once**. Idempotent and safe on every
    /// run; a single fault never aborts it: a failed or ambiguous creation is checked by
    /// reading the list again and tried again only if the field is still absent. A field with
    /// the same name but another tag is refused with an error naming both (names are unique
    /// on Sendethic).
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::{FieldFormat, FieldSpec};
    /// let fields = client
    ///     .fields()
    ///     .ensure_all([
    ///         FieldSpec::new("relance_revenue", "Revenue", FieldFormat::Number),
    ///         FieldSpec::new("relance_tier", "Tier", FieldFormat::SingleSelection).values(["Gold", "Silver"]),
    ///     ])
    ///     .await?;
    /// println!("revenue is field {}", fields[0].field.id);
    /// # Ok(()) }
    /// ```
    pub async fn ensure_all(
        &self,
        specs: impl IntoIterator<Item = FieldSpec>,
    ) -> Result<Vec<EnsuredField>> {
        let specs: Vec<FieldSpec> = specs.into_iter().collect();
        let mut fields = self.list().await?;
        let mut out = Vec::with_capacity(specs.len());
        for spec in specs {
            let ensured = self.ensure_in(&spec, &fields).await?;
            if ensured.created {
                fields.push(ensured.field.clone());
            }
            out.push(ensured);
        }
        Ok(out)
    }

    /// Ensures one spec against a known list of fields.
    async fn ensure_in(&self, spec: &FieldSpec, fields: &[ContactField]) -> Result<EnsuredField> {
        let mut new = NewField::new(spec.name.clone(), spec.format.clone()).tag(spec.tag.clone());
        if let Some(o) = &spec.options {
            new = new.options(o.clone());
        }
        new.validate()?;
        let tag = spec.tag.trim();
        let by_tag = |list: &[ContactField]| list.iter().find(|f| f.tag() == Some(tag)).cloned();
        let (field, created) = if let Some(field) = by_tag(fields) {
            (field, false)
        } else {
            if let Some(other) = fields
                .iter()
                .find(|f| f.name.trim().eq_ignore_ascii_case(spec.name.trim()))
            {
                return Err(Error::invalid(
                    tag,
                    format!(
                        "a field named `{}` already exists (id {}, tag `{}`); rename one of them or adopt it",
                        other.name,
                        other.id,
                        other.tag().unwrap_or("none")
                    ),
                ));
            }
            create_verified(
                by_tag,
                || self.create(new.clone()).send(),
                || self.list().send(),
            )
            .await?
        };
        let values = if field.format.is_selection() || !spec.values.is_empty() {
            self.ensure_values(&field, &spec.values).await?
        } else {
            Vec::new()
        };
        Ok(EnsuredField {
            field,
            created,
            values,
        })
    }

    /// The selection values of `field`, with every one of `wanted` (by label) added when
    /// missing, each creation verified like the field's.
    async fn ensure_values(
        &self,
        field: &ContactField,
        wanted: &[String],
    ) -> Result<Vec<FieldValue>> {
        let mut values = self.values(field.id).await?;
        for label in wanted {
            let by_label = |list: &[FieldValue]| list.iter().find(|v| v.text == *label).cloned();
            if by_label(&values).is_some() {
                continue;
            }
            let (value, _) = create_verified(
                by_label,
                || {
                    self.add_value(field.id, NewFieldValue::new(label.clone()))
                        .send()
                },
                || self.values(field.id).send(),
            )
            .await?;
            values.push(value);
        }
        Ok(values)
    }
}
