//! Arrow record batches read as rows by the shop readers: each column of a batch turned into
//! text once (vectorised), so that every value goes through the same parsing as in a CSV
//! file.

use std::path::PathBuf;

use arrow::array::{Array, ArrayRef, AsArray, StringArray};
use arrow::datatypes::{
    DataType, Schema, TimeUnit, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType,
};
use arrow::error::ArrowError;
use arrow::record_batch::RecordBatch;
use chrono::DateTime;

use crate::io::csv::{CsvError, Rows, format_instant, position, trim};

/// The rows of a sequence of record batches sharing one schema.
pub(crate) struct BatchRows<I> {
    name: PathBuf,
    batches: I,
    columns: Vec<String>,
    current: Vec<StringArray>,
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
    let seconds = |v: i64, unit: &TimeUnit| -> Option<String> {
        let (secs, nanos) = match unit {
            TimeUnit::Second => (v, 0),
            TimeUnit::Millisecond => (v.div_euclid(1_000), v.rem_euclid(1_000) * 1_000_000),
            TimeUnit::Microsecond => (v.div_euclid(1_000_000), v.rem_euclid(1_000_000) * 1_000),
            TimeUnit::Nanosecond => (v.div_euclid(1_000_000_000), v.rem_euclid(1_000_000_000)),
        };
        let at = DateTime::from_timestamp(secs, u32::try_from(nanos).unwrap_or(0))?;
        Some(format_instant(at))
    };
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
                        .map(as_text)
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
        match self.current.get(col) {
            Some(a) if !a.is_null(self.row) => trim(a.value(self.row)),
            _ => "",
        }
    }
}
