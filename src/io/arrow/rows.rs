//! Arrow record batches read as rows by the shop readers: each column of a batch turned into
//! text once (vectorised), so that every value goes through the same parsing as in a CSV
//! file; instants, integer ids and `Float64` amounts are read from their typed columns
//! directly (the value a CSV reader would get from their text), and turned into text only
//! if read as text.

use std::cell::OnceCell;
use std::path::PathBuf;

use arrow::array::{Array, ArrayRef, AsArray, StringArray};
use arrow::datatypes::{
    DataType, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, Schema, TimeUnit,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow::error::ArrowError;
use arrow::record_batch::RecordBatch;
use chrono::{DateTime, Utc};

use crate::customer::order_columns::At;

use crate::io::csv::{CsvError, Rows, format_instant, position, trim};

/// A column of the current batch: text, or a typed column (integers, `Float64`,
/// timestamps) read as such and turned into text only when asked for text.
enum Column {
    Text(StringArray),
    Typed {
        array: ArrayRef,
        text: OnceCell<StringArray>,
    },
}

impl Column {
    fn of(array: &ArrayRef) -> Result<Self, ArrowError> {
        Ok(match array.data_type() {
            DataType::Timestamp(..)
            | DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64
            | DataType::Float64 => Self::Typed {
                array: array.clone(),
                text: OnceCell::new(),
            },
            _ => Self::Text(as_text(array)?),
        })
    }

    /// The text of row `row`, as a CSV file would hold it (empty when null).
    fn text(&self, row: usize) -> &str {
        let text = match self {
            Self::Text(t) => t,
            Self::Typed { array, text } => text.get_or_init(|| {
                // unreachable: integers, floats and timestamps always cast to text
                as_text(array).unwrap_or_else(|_| StringArray::new_null(array.len()))
            }),
        };
        if text.is_null(row) {
            ""
        } else {
            trim(text.value(row))
        }
    }
}

/// The instant of a timestamp `v` in `unit`; `None` out of chrono's range.
fn timestamp(v: i64, unit: TimeUnit) -> Option<DateTime<Utc>> {
    let (secs, nanos) = match unit {
        TimeUnit::Second => (v, 0),
        TimeUnit::Millisecond => (v.div_euclid(1_000), v.rem_euclid(1_000) * 1_000_000),
        TimeUnit::Microsecond => (v.div_euclid(1_000_000), v.rem_euclid(1_000_000) * 1_000),
        TimeUnit::Nanosecond => (v.div_euclid(1_000_000_000), v.rem_euclid(1_000_000_000)),
    };
    DateTime::from_timestamp(secs, u32::try_from(nanos).unwrap_or(0))
}

/// Row `row` of an integer column as an `i128` (every integer type fits); `None` for
/// another type.
fn integer(array: &ArrayRef, row: usize) -> Option<i128> {
    Some(match array.data_type() {
        DataType::Int8 => array.as_primitive::<Int8Type>().value(row).into(),
        DataType::Int16 => array.as_primitive::<Int16Type>().value(row).into(),
        DataType::Int32 => array.as_primitive::<Int32Type>().value(row).into(),
        DataType::Int64 => array.as_primitive::<Int64Type>().value(row).into(),
        DataType::UInt8 => array.as_primitive::<UInt8Type>().value(row).into(),
        DataType::UInt16 => array.as_primitive::<UInt16Type>().value(row).into(),
        DataType::UInt32 => array.as_primitive::<UInt32Type>().value(row).into(),
        DataType::UInt64 => array.as_primitive::<UInt64Type>().value(row).into(),
        _ => return None,
    })
}

/// Row `row` of a timestamp column of `unit`.
fn timestamp_value(array: &ArrayRef, row: usize, unit: TimeUnit) -> i64 {
    match unit {
        TimeUnit::Second => array.as_primitive::<TimestampSecondType>().value(row),
        TimeUnit::Millisecond => array.as_primitive::<TimestampMillisecondType>().value(row),
        TimeUnit::Microsecond => array.as_primitive::<TimestampMicrosecondType>().value(row),
        TimeUnit::Nanosecond => array.as_primitive::<TimestampNanosecondType>().value(row),
    }
}

/// The rows of a sequence of record batches sharing one schema.
pub(crate) struct BatchRows<I> {
    name: PathBuf,
    batches: I,
    columns: Vec<String>,
    current: Vec<Column>,
    len: usize,
    row: usize,
    row_no: usize,
}

impl<I: Iterator<Item = Result<RecordBatch, ArrowError>>> BatchRows<I> {
    /// Rows of `batches`, named `name` in errors, with the columns of `schema`.
    pub(crate) fn new(name: impl Into<PathBuf>, schema: &Schema, batches: I) -> Self {
        Self {
            name: name.into(),
            batches,
            columns: schema
                .fields()
                .iter()
                .map(|f| f.name().trim().to_ascii_lowercase())
                .collect(),
            current: Vec::new(),
            len: 0,
            row: 0,
            row_no: 0,
        }
    }

    /// The same rows numbered after `rows` others (a part of a file that starts there).
    #[cfg(feature = "parquet")]
    pub(crate) fn after_rows(mut self, rows: usize) -> Self {
        self.row_no = rows;
        self
    }
}

/// A column as text: strings as they are, instants as RFC 3339 UTC (a timestamp without a
/// time zone is read as UTC), anything else through Arrow's cast to `Utf8`.
fn as_text(array: &ArrayRef) -> Result<StringArray, ArrowError> {
    let seconds = |v: i64, unit: &TimeUnit| timestamp(v, *unit).map(format_instant);
    match array.data_type() {
        DataType::Utf8 => Ok(array.as_string::<i32>().clone()),
        DataType::Timestamp(unit, _) => {
            let values: Vec<Option<i64>> = match unit {
                TimeUnit::Second => array.as_primitive::<TimestampSecondType>().iter().collect(),
                TimeUnit::Millisecond => array
                    .as_primitive::<TimestampMillisecondType>()
                    .iter()
                    .collect(),
                TimeUnit::Microsecond => array
                    .as_primitive::<TimestampMicrosecondType>()
                    .iter()
                    .collect(),
                TimeUnit::Nanosecond => array
                    .as_primitive::<TimestampNanosecondType>()
                    .iter()
                    .collect(),
            };
            Ok(values
                .into_iter()
                .map(|v| v.and_then(|v| seconds(v, unit)))
                .collect())
        }
        _ => Ok(arrow::compute::cast(array, &DataType::Utf8)?
            .as_string::<i32>()
            .clone()),
    }
}

impl<I: Iterator<Item = Result<RecordBatch, ArrowError>>> Rows for BatchRows<I> {
    fn col(&self, name: &str) -> usize {
        position(&self.columns, name)
    }

    fn err(&self, message: String) -> CsvError {
        CsvError::Parse {
            file: self.name.clone(),
            line: self.row_no,
            message,
        }
    }

    fn next(&mut self) -> Result<bool, CsvError> {
        // Before the first row, `row` and `len` are both 0: the step fetches the first batch.
        self.row += 1;
        while self.row >= self.len {
            let Some(batch) = self.batches.next() else {
                self.current.clear();
                return Ok(false);
            };
            let batch = batch
                .and_then(|b| {
                    b.columns()
                        .iter()
                        .map(Column::of)
                        .collect::<Result<Vec<_>, _>>()
                        .map(|c| (b.num_rows(), c))
                })
                .map_err(|e| self.err(format!("cannot read the batch: {e}")))?;
            (self.len, self.current) = batch;
            self.row = 0;
        }
        self.row_no += 1;
        Ok(true)
    }

    fn field(&self, col: usize) -> &str {
        self.current.get(col).map_or("", |c| c.text(self.row))
    }

    fn instant(&self, col: usize) -> Result<Option<DateTime<Utc>>, CsvError> {
        if let Some(Column::Typed { array, .. }) = self.current.get(col) {
            if array.is_null(self.row) {
                return Ok(None);
            }
            if let &DataType::Timestamp(unit, _) = array.data_type() {
                return Ok(timestamp(timestamp_value(array, self.row, unit), unit));
            }
        }
        crate::io::csv::text_instant(self, col)
    }

    fn at(&self, col: usize) -> Result<Option<At>, CsvError> {
        if let Some(Column::Typed { array, .. }) = self.current.get(col)
            && let &DataType::Timestamp(unit, _) = array.data_type()
        {
            if array.is_null(self.row) {
                return Ok(None);
            }
            let v = timestamp_value(array, self.row, unit);
            let us = match unit {
                TimeUnit::Second => v.checked_mul(1_000_000),
                TimeUnit::Millisecond => v.checked_mul(1_000),
                TimeUnit::Microsecond => Some(v),
                TimeUnit::Nanosecond => None,
            };
            return Ok(match us {
                Some(us) if DateTime::from_timestamp_micros(us).is_some() => Some(At::Us(us)),
                _ => timestamp(v, unit).map(At::from),
            });
        }
        crate::io::csv::text_at(self, col)
    }

    fn id(&self, col: usize, name: &str) -> Result<u64, CsvError> {
        // a null or negative value: its text gives the error
        self.uint(col)
            .map_or_else(|| crate::io::csv::text_id(self, col, name), Ok)
    }

    fn float_minor(&self, col: usize, exponent: u8) -> Option<i64> {
        let Some(Column::Typed { array, .. }) = self.current.get(col) else {
            return None;
        };
        if array.is_null(self.row) {
            return None;
        }
        if array.data_type() != &DataType::Float64 {
            return None;
        }
        let v = array.as_primitive::<Float64Type>().value(self.row);
        crate::io::csv::float_minor(v, exponent)
    }

    fn uint(&self, col: usize) -> Option<u64> {
        match self.current.get(col) {
            Some(Column::Typed { array, .. }) if !array.is_null(self.row) => {
                u64::try_from(integer(array, self.row)?).ok()
            }
            _ => None,
        }
    }
}
