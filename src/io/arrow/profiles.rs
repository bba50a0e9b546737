//! Consolidated profiles as an Arrow record batch, typed.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, Date32Builder, Decimal128Builder, Float64Builder, Int64Builder, StringBuilder,
    TimestampMicrosecondBuilder,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use arrow::error::ArrowError;
use arrow::record_batch::RecordBatch;
use chrono::{DateTime, NaiveDate, Utc};

use crate::customer::clv::PredictedValues;
use crate::customer::{Consolidation, Money, ProfileField};
use crate::io::csv::{PROFILE_COLUMNS, ProfileSink, emit_profiles};

/// The type of each of [`PROFILE_COLUMNS`], in order.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Text,
    At,
    Money,
    Int,
    Float,
    Date,
}

const PROFILE_KINDS: [Kind; 31] = {
    use Kind::{At, Date, Float, Int, Money, Text};
    [
        Text, Text, Text, Text, Text, Date, Text, Text, At, At, Money, Text, At, At, At, Money,
        Int, At, Int, Float, Text, At, Text, Text, Int, Float, Float, Float, Int, Int, Int,
    ]
};

/// The schema of [`profiles_to_batch`]: the columns of
/// [`PROFILE_COLUMNS`](crate::io::csv::PROFILE_COLUMNS), then the predicted ones when asked;
/// every column nullable. Text is `Utf8`, instants `Timestamp(Microsecond, "UTC")`, amounts
/// `Decimal128(38, scale)` with the reporting currency's number of decimals as the scale,
/// `birth_date` `Date32`, ids, counts and scores `Int64`, the other numbers `Float64`.
///
/// ```
/// let schema = relance::io::arrow::profiles_schema(2, false);
/// assert_eq!(schema.field(0).name(), "customer_id");
/// assert_eq!(schema.fields().len(), relance::io::csv::PROFILE_COLUMNS.len());
/// ```
#[must_use]
pub fn profiles_schema(scale: i8, predicted: bool) -> SchemaRef {
    let kinds = kinds(predicted);
    let names = PROFILE_COLUMNS
        .iter()
        .copied()
        .chain(ProfileField::PREDICTED.iter().map(ProfileField::name));
    let fields: Vec<Field> = names
        .zip(kinds)
        .map(|(name, kind)| Field::new(name, data_type(kind, scale), true))
        .collect();
    Arc::new(Schema::new(fields))
}

fn kinds(predicted: bool) -> Vec<Kind> {
    let extra = if predicted {
        ProfileField::PREDICTED.len()
    } else {
        0
    };
    PROFILE_KINDS
        .iter()
        .copied()
        .chain(std::iter::repeat_n(Kind::Float, extra))
        .collect()
}

fn data_type(kind: Kind, scale: i8) -> DataType {
    match kind {
        Kind::Text => DataType::Utf8,
        Kind::At => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        Kind::Money => DataType::Decimal128(38, scale),
        Kind::Int => DataType::Int64,
        Kind::Float => DataType::Float64,
        Kind::Date => DataType::Date32,
    }
}

/// One builder per column.
enum Column {
    Text(StringBuilder),
    At(TimestampMicrosecondBuilder),
    Money(Decimal128Builder),
    Int(Int64Builder),
    Float(Float64Builder),
    Date(Date32Builder),
}

struct Builders {
    columns: Vec<Column>,
    next: usize,
    scale: i8,
}

impl Builders {
    fn column(&mut self) -> Option<&mut Column> {
        let i = self.next;
        self.next += 1;
        self.columns.get_mut(i)
    }
}

impl ProfileSink for Builders {
    fn text(&mut self, v: Option<&str>) {
        if let Some(Column::Text(b)) = self.column() {
            b.append_option(v);
        }
    }
    fn at(&mut self, v: Option<DateTime<Utc>>) {
        if let Some(Column::At(b)) = self.column() {
            b.append_option(v.map(|t| t.timestamp_micros()));
        }
    }
    fn money(&mut self, v: Option<Money>) {
        let scale = i32::from(self.scale);
        if let Some(Column::Money(b)) = self.column() {
            b.append_option(v.map(|m| {
                let shift = scale - i32::from(m.currency.exponent());
                let minor = i128::from(m.minor);
                match u32::try_from(shift) {
                    Ok(up) => minor * 10i128.pow(up),
                    Err(_) => minor / 10i128.pow(shift.unsigned_abs()),
                }
            }));
        }
    }
    fn int(&mut self, v: Option<i64>) {
        if let Some(Column::Int(b)) = self.column() {
            b.append_option(v);
        }
    }
    fn float(&mut self, v: Option<f64>) {
        if let Some(Column::Float(b)) = self.column() {
            b.append_option(v);
        }
    }
    fn date(&mut self, v: Option<NaiveDate>) {
        if let Some(Column::Date(b)) = self.column() {
            b.append_option(v.map(|d| {
                let days = d.signed_duration_since(NaiveDate::default()).num_days();
                i32::try_from(days).unwrap_or(i32::MAX)
            }));
        }
    }
}

/// The profiles of a consolidation as one record batch of [`profiles_schema`] (with the
/// predicted columns when `predicted` is given): the values
/// [`write_profiles_with`](crate::io::csv::write_profiles_with) writes, typed.
///
/// ```
/// # use chrono::{TimeZone, Utc}; use relance::customer::*;
/// let mut ds = Dataset::new();
/// ds.guest("a@x.io");
/// let c = ds.consolidate(&ConsolidationPolicy::new(Currency::EUR, Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(), chrono_tz::UTC)).unwrap();
/// let batch = relance::io::arrow::profiles_to_batch(&c, None)?;
/// assert_eq!(batch.num_rows(), 1);
/// # Ok::<(), arrow::error::ArrowError>(())
/// ```
pub fn profiles_to_batch(
    c: &Consolidation<'_>,
    predicted: Option<&PredictedValues>,
) -> Result<RecordBatch, ArrowError> {
    let scale = c.iter().next().map_or(2, |p| {
        i8::try_from(p.revenue().currency.exponent()).unwrap_or(2)
    });
    let schema = profiles_schema(scale, predicted.is_some());
    let n = c.len();
    let columns = kinds(predicted.is_some())
        .into_iter()
        .map(|kind| -> Result<Column, ArrowError> {
            Ok(match kind {
                Kind::Text => Column::Text(StringBuilder::with_capacity(n, n * 8)),
                Kind::At => {
                    Column::At(TimestampMicrosecondBuilder::with_capacity(n).with_timezone("UTC"))
                }
                Kind::Money => Column::Money(
                    Decimal128Builder::with_capacity(n).with_precision_and_scale(38, scale)?,
                ),
                Kind::Int => Column::Int(Int64Builder::with_capacity(n)),
                Kind::Float => Column::Float(Float64Builder::with_capacity(n)),
                Kind::Date => Column::Date(Date32Builder::with_capacity(n)),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut sink = Builders {
        columns,
        next: 0,
        scale,
    };
    for run in c.runs() {
        emit_profiles(run, predicted, &mut sink, |sink| sink.next = 0);
    }
    let arrays: Vec<ArrayRef> = sink
        .columns
        .into_iter()
        .map(|column| -> ArrayRef {
            match column {
                Column::Text(mut b) => Arc::new(b.finish()),
                Column::At(mut b) => Arc::new(b.finish()),
                Column::Money(mut b) => Arc::new(b.finish()),
                Column::Int(mut b) => Arc::new(b.finish()),
                Column::Float(mut b) => Arc::new(b.finish()),
                Column::Date(mut b) => Arc::new(b.finish()),
            }
        })
        .collect();
    RecordBatch::try_new(schema, arrays)
}
