//! Idempotent provisioning of fields and their selection values that survives faults: a
//! creation is never blindly sent again, but after a failed or ambiguous one the list is read
//! again (a safe GET) and the creation tried again only if the item is still absent.

use super::FieldsHandler;
use super::model::{
    ContactField, EnsuredField, FieldPlan, FieldSpec, FieldValue, NewField, NewFieldValue,
};
use crate::error::{Error, Result};
use crate::http::create_verified;

impl FieldsHandler {
    /// Makes sure every field of `specs` exists (found by its tag, created when missing, with
    /// its selection values), reading the field list **once**. Idempotent and safe on every
    /// run; a single fault never aborts it: a failed or ambiguous creation is checked by
    /// reading the list again and tried again only if the field is still absent. A field
    /// found under one of the spec's [`adopt`](FieldSpec::adopt) tags, or with the same name
    /// (names are unique on Sendethic) under another tag, is adopted when its format is the
    /// spec's, and refused with an error naming both fields otherwise.
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

    /// What [`ensure_all`](Self::ensure_all) would do with each spec, read from one list of
    /// the fields, without writing anything: the field it would use (found by its tag, or
    /// adopted), or that it would create it. A field it would refuse to adopt (same name,
    /// another format) is the same error `ensure_all` gives.
    ///
    /// ```no_run
    /// # async fn run(client: relance::sendethic::Client) -> relance::Result<()> {
    /// use relance::sendethic::{FieldFormat, FieldPlan, FieldSpec};
    /// let plan = client.fields().plan_all([FieldSpec::new("relance_revenue", "Revenue", FieldFormat::Number)]).await?;
    /// if matches!(plan[0], FieldPlan::Create) { println!("would create the revenue field"); }
    /// # Ok(()) }
    /// ```
    pub async fn plan_all(
        &self,
        specs: impl IntoIterator<Item = FieldSpec>,
    ) -> Result<Vec<FieldPlan>> {
        let fields = self.list().await?;
        specs
            .into_iter()
            .map(|spec| {
                let tag = spec.tag.trim();
                if let Some(f) = fields.iter().find(|f| f.tag() == Some(tag)) {
                    return Ok(FieldPlan::Exists(f.clone()));
                }
                Ok(adoptable(&spec, &fields)?.map_or(FieldPlan::Create, FieldPlan::Adopt))
            })
            .collect()
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
        let (field, created, adopted) = if let Some(field) = by_tag(fields) {
            (field, false, false)
        } else if let Some(field) = adoptable(spec, fields)? {
            (field, false, true)
        } else {
            let (field, created) = create_verified(
                by_tag,
                || self.create(new.clone()).send(),
                || self.list().send(),
            )
            .await?;
            (field, created, false)
        };
        let values = if field.format.is_selection() || !spec.values.is_empty() {
            self.ensure_values(&field, &spec.values).await?
        } else {
            Vec::new()
        };
        Ok(EnsuredField {
            field,
            created,
            adopted,
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

/// The existing field a spec adopts: the first one under an adopted tag, else one with an
/// adopted name, else one with the spec's name; an error naming both when its format is not the spec's.
fn adoptable(spec: &FieldSpec, fields: &[ContactField]) -> Result<Option<ContactField>> {
    let by_adopted_tag = spec
        .adopt
        .iter()
        .find_map(|t| fields.iter().find(|f| f.tag() == Some(t.trim())));
    let named = |name: &str| {
        fields
            .iter()
            .find(|f| f.name.trim().eq_ignore_ascii_case(name.trim()))
    };
    let by_name = || {
        spec.adopt_names
            .iter()
            .find_map(|n| named(n))
            .or_else(|| named(&spec.name))
    };
    let Some(other) = by_adopted_tag.or_else(by_name) else {
        return Ok(None);
    };
    if other.format != spec.format {
        return Err(Error::invalid(
            spec.tag.trim(),
            format!(
                "cannot adopt the field `{}` (id {}, tag `{}`, format {}) for `{}` ({}): the formats differ; rename one of them or adopt another field",
                other.name,
                other.id,
                other.tag().unwrap_or("none"),
                other.format,
                spec.name,
                spec.format,
            ),
        ));
    }
    Ok(Some(other.clone()))
}
