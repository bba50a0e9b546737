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
use crate::io::csv::{CsvError, Reader, Rows, ShopTables, read_tables};

/// One table of a shop directory: `NAME.parquet` when it exists, else `NAME.csv`, else none.
fn table(dir: &Path, name: &str) -> Result<Option<Box<dyn Rows + Send>>, CsvError> {
    let path = dir.join(format!("{name}.parquet"));
    match File::open(&path) {
        Ok(file) => {
            let bad = |e: ParquetError| CsvError::Parse {
                file: path.clone(),
                line: 0,
                message: format!("not a readable Parquet file: {e}"),
            };
            let reader = ParquetRecordBatchReaderBuilder::try_new(file).map_err(bad)?;
            let reader = reader.build().map_err(bad)?;
            let schema = reader.schema();
            let rows = BatchRows::new(path.clone(), &schema, reader);
            Ok(Some(Box::new(rows)))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            Ok(Reader::open(dir.join(format!("{name}.csv")))?
                .map(|r| Box::new(r) as Box<dyn Rows + Send>))
        }
        Err(e) => Err(CsvError::Io(path, e)),
    }
}

/// Reads a shop directory where each table is `NAME.parquet` or, when there is none,
/// `NAME.csv` (the same tables and columns as [`read_dir`](crate::io::csv::read_dir), typed
/// as the [module docs](super) say). Only `orders` is required. Parquet pages compressed
/// with Snappy (the usual default) or not at all are read; other codecs are an error naming
/// the file.
///
/// ```no_run
/// let (dataset, rates) = relance::io::arrow::read_parquet_dir("shop".as_ref())?;
/// # Ok::<(), relance::io::csv::CsvError>(())
/// ```
pub fn read_parquet_dir(dir: &Path) -> Result<(Dataset, Vec<FxRate>), CsvError> {
    let Some(orders) = table(dir, "orders")? else {
        return Err(CsvError::Io(
            dir.join("orders.parquet"),
            io::Error::new(
                io::ErrorKind::NotFound,
                "orders.parquet or orders.csv is required",
            ),
        ));
    };
    read_tables(ShopTables {
        customers: table(dir, "customers")?.into_iter().collect(),
        orders: vec![orders],
        deliveries: table(dir, "deliveries")?.into_iter().collect(),
        carts: table(dir, "carts")?.into_iter().collect(),
        logins: table(dir, "logins")?.into_iter().collect(),
        rates: table(dir, "rates")?,
    })
}

/// Writes the profiles of a consolidation to a Parquet file (Snappy-compressed), typed as
/// [`profiles_schema`](super::profiles_schema) says.
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
    let mut writer = ArrowWriter::try_new(File::create(path)?, batch.schema(), Some(properties))?;
    writer.write(&batch)?;
    writer.close()?;
    Ok(())
}
