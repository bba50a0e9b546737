//! Shop files and profiles as Parquet.

use std::fs::File;
use std::io;
use std::path::Path;

use arrow::record_batch::RecordBatchReader;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::errors::ParquetError;

use super::profiles_to_batch;
use super::rows::BatchRows;
use crate::customer::clv::PredictedValues;
use crate::customer::{Consolidation, Dataset, FxRate};
use crate::io::csv::{CsvError, MIN_SPLIT, Reader, Rows, ShopTables, part_count, read_tables};

/// One table of a shop directory in parts: `NAME.parquet` when it exists, cut between row
/// groups, else `NAME.csv`, cut by byte ranges; no part when there is neither. A file is
/// cut in `parts` (`None`: one per few MB, see [`part_count`]) when it has `min_split` bytes
/// or more.
fn table(
    dir: &Path,
    name: &str,
    parts: Option<usize>,
    min_split: u64,
) -> Result<Vec<Box<dyn Rows + Send>>, CsvError> {
    let path = dir.join(format!("{name}.parquet"));
    match File::open(&path) {
        Ok(file) => {
            let parts = parts.unwrap_or_else(|| part_count(&path));
            parquet_parts(&path, file, parts, min_split)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let path = dir.join(format!("{name}.csv"));
            let parts = parts.unwrap_or_else(|| part_count(&path));
            Ok(Reader::open_parts(path, parts, min_split)?
                .unwrap_or_default()
                .into_iter()
                .map(|r| Box::new(r) as Box<dyn Rows + Send>)
                .collect())
        }
        Err(e) => Err(CsvError::Io(path, e)),
    }
}

/// A Parquet file as up to `parts` readers of contiguous row groups with about as many rows
/// each, each numbering its rows from where it starts in the file.
fn parquet_parts(
    path: &Path,
    file: File,
    parts: usize,
    min_split: u64,
) -> Result<Vec<Box<dyn Rows + Send>>, CsvError> {
    let bad = |e: ParquetError| CsvError::Parse {
        file: path.to_path_buf(),
        line: 0,
        message: format!("not a readable Parquet file: {e}"),
    };
    let size = file
        .metadata()
        .map_err(|e| CsvError::Io(path.to_path_buf(), e))?
        .len();
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(bad)?;
    let rows: Vec<usize> = builder
        .metadata()
        .row_groups()
        .iter()
        .map(|g| usize::try_from(g.num_rows()).unwrap_or(0))
        .collect();
    let parts = if size < min_split { 1 } else { parts };
    let cuts = cuts(&rows, parts);
    if cuts.len() <= 2 {
        let reader = builder.build().map_err(bad)?;
        let schema = reader.schema();
        return Ok(vec![Box::new(BatchRows::new(path, &schema, reader))]);
    }
    let mut out: Vec<Box<dyn Rows + Send>> = Vec::with_capacity(cuts.len() - 1);
    for w in cuts.windows(2) {
        let file = File::open(path).map_err(|e| CsvError::Io(path.to_path_buf(), e))?;
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .map_err(bad)?
            .with_row_groups((w[0]..w[1]).collect())
            .build()
            .map_err(bad)?;
        let schema = reader.schema();
        let before = rows[..w[0]].iter().sum();
        out.push(Box::new(
            BatchRows::new(path, &schema, reader).after_rows(before),
        ));
    }
    Ok(out)
}

/// Where to cut `rows` (the rows of each row group) into at most `parts` contiguous runs of
/// about as many rows: the run boundaries, from 0 to `rows.len()`.
fn cuts(rows: &[usize], parts: usize) -> Vec<usize> {
    let total: usize = rows.iter().sum();
    let parts = parts.clamp(1, rows.len().max(1));
    let mut cuts = vec![0];
    let mut acc = 0;
    for (g, r) in rows.iter().enumerate() {
        acc += r;
        if cuts.len() < parts && g + 1 < rows.len() && acc * parts >= total * cuts.len() {
            cuts.push(g + 1);
        }
    }
    cuts.push(rows.len());
    cuts
}

/// Reads a shop directory where each table is `NAME.parquet` or, when there is none,
/// `NAME.csv` (the same tables and columns as [`read_dir`](crate::io::csv::read_dir), typed
/// as the [module docs](super) say). Only `orders` is required. Files of 16 MiB and more are
/// read in parts of about 8 MiB, taken in turn by one worker per core: a Parquet file in
/// runs of row groups (a part per row group at most), a CSV file in byte ranges; the rows
/// and the row numbers in errors are those of one reader. Parquet pages compressed
/// with Snappy (the usual default) or not at all are read; other codecs are an error naming
/// the file.
///
/// ```no_run
/// let (dataset, rates) = relance::io::arrow::read_parquet_dir("shop".as_ref())?;
/// # Ok::<(), relance::io::csv::CsvError>(())
/// ```
pub fn read_parquet_dir(dir: &Path) -> Result<(Dataset, Vec<FxRate>), CsvError> {
    read_parts(dir, None, MIN_SPLIT)
}

/// [`read_parquet_dir`] with each file of `min_split` bytes or more read in `parts` parts
/// (`None`: one per few MB of the file, see [`part_count`]).
fn read_parts(
    dir: &Path,
    parts: Option<usize>,
    min_split: u64,
) -> Result<(Dataset, Vec<FxRate>), CsvError> {
    let orders = table(dir, "orders", parts, min_split)?;
    if orders.is_empty() {
        return Err(CsvError::Io(
            dir.join("orders.parquet"),
            io::Error::new(
                io::ErrorKind::NotFound,
                "orders.parquet or orders.csv is required",
            ),
        ));
    }
    read_tables(ShopTables {
        customer_rows: 0,
        customers: table(dir, "customers", parts, min_split)?,
        orders,
        deliveries: table(dir, "deliveries", parts, min_split)?,
        carts: table(dir, "carts", parts, min_split)?,
        logins: table(dir, "logins", parts, min_split)?,
        rates: table(dir, "rates", Some(1), u64::MAX)?.pop(),
    })
}

/// Writes the profiles of a consolidation to a Parquet file (Snappy-compressed), typed as
/// [`profiles_schema`](super::profiles_schema) says. The file replaces whatever is at
/// `path` as [`write_profiles_file`](crate::io::csv::write_profiles_file) says: never seen
/// partial, `path` left absent when writing fails.
///
/// ```no_run
/// # fn f(c: &relance::customer::Consolidation<'_>) -> Result<(), parquet::errors::ParquetError> {
/// relance::io::arrow::write_profiles_parquet(c, None, "profiles.parquet".as_ref())?;
/// # Ok(()) }
/// ```
pub fn write_profiles_parquet(
    c: &Consolidation<'_>,
    predicted: Option<&PredictedValues>,
    path: &Path,
) -> Result<(), ParquetError> {
    let batch = profiles_to_batch(c, predicted)?;
    let properties = parquet::file::properties::WriterProperties::builder()
        .set_compression(parquet::basic::Compression::SNAPPY)
        .build();
    crate::io::replace::replace_file(path, |file| {
        let mut writer = ArrowWriter::try_new(file, batch.schema(), Some(properties))?;
        writer.write(&batch)?;
        writer.close()?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{ArrayRef, StringArray};
    use arrow::record_batch::RecordBatch;
    use parquet::file::properties::WriterProperties;

    use super::*;
    use crate::customer::{Currency, Order};
    use crate::io::{csv, synth};

    /// `NAME.csv` of `dir` rewritten as `NAME.parquet` (every column as text) in row groups
    /// of `group` rows, the CSV file removed.
    fn to_parquet(dir: &Path, name: &str, group: usize) {
        let csv_path = dir.join(format!("{name}.csv"));
        let mut r = ::csv::Reader::from_path(&csv_path).unwrap();
        let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
        let records: Vec<::csv::StringRecord> = r.records().map(Result::unwrap).collect();
        let columns = header.iter().enumerate().map(|(i, n)| {
            let values: Vec<&str> = records.iter().map(|rec| &rec[i]).collect();
            (n.clone(), Arc::new(StringArray::from(values)) as ArrayRef)
        });
        let batch = RecordBatch::try_from_iter(columns).unwrap();
        let properties = WriterProperties::builder()
            .set_max_row_group_row_count(Some(group))
            .build();
        let file = File::create(dir.join(format!("{name}.parquet"))).unwrap();
        let mut w = ArrowWriter::try_new(file, batch.schema(), Some(properties)).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        std::fs::remove_file(csv_path).unwrap();
    }

    fn orders(ds: &Dataset) -> Vec<Order> {
        ds.orders().iter().collect()
    }

    #[test]
    fn row_groups_cut_into_runs_of_about_as_many_rows() {
        assert_eq!(cuts(&[10, 10, 10, 10], 2), vec![0, 2, 4]);
        assert_eq!(cuts(&[10, 10, 10], 8), vec![0, 1, 2, 3]);
        assert_eq!(cuts(&[30, 1, 1, 1], 2), vec![0, 1, 4]);
        assert_eq!(cuts(&[5], 4), vec![0, 1]);
        assert_eq!(cuts(&[], 4), vec![0, 0]);
    }

    #[test]
    fn a_parquet_file_read_in_parts_gives_the_rows_of_one_reader() {
        let dir = tempfile::tempdir().unwrap();
        let shop = synth::generate(&synth::SynthConfig::new(3_000, 400, 5));
        csv::write_dir(&shop.dataset, &shop.rates, dir.path()).unwrap();
        let (want, _) = csv::read_dir(dir.path()).unwrap();
        to_parquet(dir.path(), "orders", 250);
        to_parquet(dir.path(), "carts", 100);
        for parts in [1, 2, 3, 7] {
            let (got, rates) = read_parts(dir.path(), Some(parts), 0).unwrap();
            assert_eq!(orders(&got), orders(&want), "{parts} parts");
            assert_eq!(got.carts(), want.carts(), "{parts} parts");
            assert_eq!(got.contact_count(), want.contact_count());
            assert!(rates.iter().any(|r| r.from == Currency::USD));
        }
        assert!(orders(&want).len() > 2_500);
    }

    #[test]
    fn an_error_in_a_later_part_names_its_row_in_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let shop = synth::generate(&synth::SynthConfig::new(1_000, 100, 6));
        csv::write_dir(&shop.dataset, &shop.rates, dir.path()).unwrap();
        // row 901 of orders.csv (line 902 with the header) gets a bad instant
        let path = dir.path().join("orders.csv");
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let header: Vec<&str> = lines[0].split(',').collect();
        let at = header.iter().position(|h| *h == "placed_at").unwrap();
        let mut fields: Vec<String> = lines[901].split(',').map(str::to_owned).collect();
        fields[at] = "yesterday".into();
        lines[901] = fields.join(",");
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        let one = match csv::read_dir(dir.path()).unwrap_err() {
            CsvError::Parse { line, .. } => line,
            other @ CsvError::Io(..) => panic!("{other:?}"),
        };
        to_parquet(dir.path(), "orders", 128);
        for parts in [1, 3, 4] {
            match read_parts(dir.path(), Some(parts), 0).unwrap_err() {
                CsvError::Parse { line, message, .. } => {
                    // Parquet rows are numbered without a header line
                    assert_eq!(line + 1, one, "{parts} parts");
                    assert!(message.contains("yesterday"), "{message}");
                }
                other @ CsvError::Io(..) => panic!("{other:?}"),
            }
        }
    }
}
