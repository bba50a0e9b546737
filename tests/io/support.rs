//! Helpers of the `io` tests.

use std::path::Path;

/// A directory of the temporary directory, removed with what it holds when dropped.
pub struct TempDir(tempfile::TempDir);

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        self.0.path()
    }
}

/// An empty directory named after `name`, removed when the returned guard is dropped.
pub fn temp_dir(name: &str) -> TempDir {
    TempDir(
        tempfile::Builder::new()
            .prefix(&format!("relance-io-{name}-"))
            .tempdir()
            .unwrap(),
    )
}

/// The policy of the `io` tests: EUR, as of 2025-01-01, Paris, with these rates.
#[cfg(any(feature = "parquet", feature = "datafusion"))]
pub fn policy(rates: &[relance::customer::FxRate]) -> relance::customer::ConsolidationPolicy {
    use relance::customer::{ConsolidationPolicy, Currency};
    use relance::io::csv;
    let mut p = ConsolidationPolicy::new(
        Currency::EUR,
        csv::parse_instant("2025-01-01T00:00:00Z").unwrap(),
        chrono_tz::Europe::Paris,
    );
    for r in rates {
        p = p.rate(r.from, r.rate);
    }
    p
}

/// A CSV file as one batch of text columns.
#[cfg(any(feature = "parquet", feature = "datafusion"))]
pub fn text_batch(path: &std::path::Path) -> arrow::record_batch::RecordBatch {
    use std::sync::Arc;

    use arrow::array::{ArrayRef, StringArray};
    let mut r = ::csv::Reader::from_path(path).unwrap();
    let names: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows: Vec<::csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let columns = names.iter().enumerate().map(|(i, name)| {
        let values: Vec<&str> = rows.iter().map(|row| row.get(i).unwrap_or("")).collect();
        (
            name.clone(),
            Arc::new(StringArray::from(values)) as ArrayRef,
        )
    });
    arrow::record_batch::RecordBatch::try_from_iter(columns).unwrap()
}
