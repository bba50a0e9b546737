//! Arrow batches and Parquet files in and out give what the CSV files give.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, StringArray};
use arrow::datatypes::{DataType, TimeUnit};
use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use relance::customer::{Dataset, FxRate, RfmConfig};
use relance::io::arrow::{ShopBatches, profiles_to_batch, read_batches, read_parquet_dir};
use relance::io::{csv, synth};

use crate::support::{TempDir, policy, temp_dir, text_batch};

const TABLES: [&str; 6] = [
    "customers",
    "orders",
    "deliveries",
    "carts",
    "logins",
    "rates",
];

/// A generated shop written as CSV files.
fn shop_dir(name: &str) -> TempDir {
    let dir = temp_dir(name);
    let shop = synth::generate(&synth::SynthConfig::new(3_000, 400, 11));
    csv::write_dir(&shop.dataset, &shop.rates, &dir).unwrap();
    dir
}

fn profiles_csv((ds, rates): &(Dataset, Vec<FxRate>)) -> String {
    let mut c = ds.consolidate(&policy(rates)).unwrap();
    c.apply_rfm(&RfmConfig::default());
    let mut out = Vec::new();
    csv::write_profiles(&c, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// The same batch with some columns cast to typed ones (empty text becomes null).
fn typed(batch: &RecordBatch, types: &[(&str, DataType)]) -> RecordBatch {
    let schema = batch.schema();
    let columns = schema.fields().iter().zip(batch.columns()).map(|(f, c)| {
        let column = match types.iter().find(|(n, _)| n == f.name()) {
            Some((_, t)) => arrow::compute::cast(c, t).unwrap(),
            None => c.clone(),
        };
        (f.name().clone(), column)
    });
    RecordBatch::try_from_iter(columns).unwrap()
}

fn utc_seconds() -> DataType {
    DataType::Timestamp(TimeUnit::Second, Some("+00:00".into()))
}

/// Orders and customers with typed columns: integer ids, timestamps, decimals, floats, dates.
fn typed_tables(dir: &Path) -> ShopBatches {
    let mut shop = ShopBatches::default();
    for name in TABLES {
        let batch = text_batch(&dir.join(format!("{name}.csv")));
        let batch = match name {
            "orders" => typed(
                &batch,
                &[
                    ("order_id", DataType::Int64),
                    ("customer_id", DataType::Int64),
                    ("placed_at", utc_seconds()),
                    ("amount", DataType::Decimal128(12, 2)),
                    ("refunded_amount", DataType::Decimal128(12, 2)),
                ],
            ),
            "customers" => typed(
                &batch,
                &[
                    ("birth_date", DataType::Date32),
                    (
                        "signed_up_at",
                        DataType::Timestamp(TimeUnit::Millisecond, None),
                    ),
                ],
            ),
            "carts" => typed(
                &batch,
                &[("total", DataType::Float64), ("cart_id", DataType::UInt64)],
            ),
            _ => batch,
        };
        let slot = match name {
            "customers" => &mut shop.customers,
            "orders" => &mut shop.orders,
            "deliveries" => &mut shop.deliveries,
            "carts" => &mut shop.carts,
            "logins" => &mut shop.logins,
            _ => &mut shop.rates,
        };
        // Several batches per table, as engines hand them.
        let mut offset = 0;
        while offset < batch.num_rows() {
            let len = 700.min(batch.num_rows() - offset);
            slot.push(batch.slice(offset, len));
            offset += len;
        }
    }
    shop
}

#[test]
fn text_batches_give_the_profiles_of_the_csv_files() {
    let dir = shop_dir("text");
    let expected = profiles_csv(&csv::read_dir(&dir).unwrap());
    let mut shop = ShopBatches::default();
    shop.customers = vec![text_batch(&dir.join("customers.csv"))];
    shop.orders = vec![text_batch(&dir.join("orders.csv"))];
    shop.deliveries = vec![text_batch(&dir.join("deliveries.csv"))];
    shop.carts = vec![text_batch(&dir.join("carts.csv"))];
    shop.logins = vec![text_batch(&dir.join("logins.csv"))];
    shop.rates = vec![text_batch(&dir.join("rates.csv"))];
    let got = profiles_csv(&read_batches(&shop).unwrap());
    assert!(expected.lines().count() > 400);
    assert_eq!(got, expected);
}

#[test]
fn typed_batches_give_the_profiles_of_the_csv_files() {
    let dir = shop_dir("typed");
    let expected = profiles_csv(&csv::read_dir(&dir).unwrap());
    let shop = typed_tables(&dir);
    assert_eq!(
        shop.orders[0]
            .schema()
            .field_with_name("placed_at")
            .unwrap()
            .data_type(),
        &utc_seconds()
    );
    assert!(shop.orders.len() > 1);
    let got = profiles_csv(&read_batches(&shop).unwrap());
    assert_eq!(got, expected);
}

/// Typed columns of every table read from their values (integer ids and `customer_id`s,
/// `Float64` amounts, timestamps of every unit) give the profiles of the CSV files.
#[test]
fn typed_ids_amounts_and_instants_of_every_table_give_the_profiles_of_the_csv_files() {
    let dir = shop_dir("typed-all");
    let expected = profiles_csv(&csv::read_dir(&dir).unwrap());
    let micros = || DataType::Timestamp(TimeUnit::Microsecond, Some("+00:00".into()));
    let types: [(&str, Vec<(&str, DataType)>); 4] = [
        (
            "orders",
            vec![
                ("order_id", DataType::UInt64),
                ("customer_id", DataType::Int64),
                ("cart_id", DataType::Int32),
                ("placed_at", micros()),
                ("amount", DataType::Float64),
                ("refunded_amount", DataType::Float64),
            ],
        ),
        (
            "deliveries",
            vec![
                ("order_id", DataType::Int64),
                (
                    "delivered_at",
                    DataType::Timestamp(TimeUnit::Nanosecond, None),
                ),
            ],
        ),
        (
            "carts",
            vec![
                ("customer_id", DataType::UInt32),
                ("created_at", utc_seconds()),
                ("updated_at", micros()),
            ],
        ),
        (
            "logins",
            vec![
                ("customer_id", DataType::Int64),
                ("at", DataType::Timestamp(TimeUnit::Millisecond, None)),
            ],
        ),
    ];
    let mut shop = ShopBatches::default();
    shop.customers = vec![text_batch(&dir.join("customers.csv"))];
    shop.rates = vec![text_batch(&dir.join("rates.csv"))];
    for (name, types) in types {
        let batch = typed(&text_batch(&dir.join(format!("{name}.csv"))), &types);
        let slot = match name {
            "orders" => &mut shop.orders,
            "deliveries" => &mut shop.deliveries,
            "carts" => &mut shop.carts,
            _ => &mut shop.logins,
        };
        *slot = vec![
            batch.slice(0, batch.num_rows() / 2),
            batch.slice(
                batch.num_rows() / 2,
                batch.num_rows() - batch.num_rows() / 2,
            ),
        ];
    }
    assert_eq!(
        shop.orders[0]
            .schema()
            .field_with_name("amount")
            .unwrap()
            .data_type(),
        &DataType::Float64
    );
    assert_eq!(profiles_csv(&read_batches(&shop).unwrap()), expected);
}

/// Every column of `batch` cast to text, as a CSV file would hold it.
fn as_text_batch(batch: &RecordBatch) -> RecordBatch {
    let schema = batch.schema();
    let columns = schema.fields().iter().zip(batch.columns()).map(|(f, c)| {
        (
            f.name().clone(),
            arrow::compute::cast(c, &DataType::Utf8).unwrap(),
        )
    });
    RecordBatch::try_from_iter(columns).unwrap()
}

/// Each profile's email and `orders_count` (rows without quoted fields).
fn orders_counts(profiles: &str) -> Vec<(String, String)> {
    let header: Vec<&str> = profiles.lines().next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (email, count) = (col("email"), col("orders_count"));
    profiles
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[email].to_owned(), f[count].to_owned())
        })
        .collect()
}

/// Integer `customer_id`s small and large, negative, null and unknown, parents `0`, null
/// and set, and amounts with more digits than the currency's: the typed values read as
/// their text reads, to the same dataset or the same error.
#[test]
fn typed_values_read_as_their_text_whatever_the_value() {
    use arrow::array::{Float64Array, Int64Array, TimestampMicrosecondArray};
    let ids = |v: Vec<Option<i64>>| -> ArrayRef { Arc::new(Int64Array::from(v)) };
    let text = |v: Vec<&str>| -> ArrayRef { Arc::new(StringArray::from(v)) };
    let customers = RecordBatch::try_from_iter([
        (
            "customer_id",
            ids(vec![Some(7), Some(99_999_999_999), Some(-5), Some(7)]),
        ),
        ("email", text(vec!["a@x.io", "b@x.io", "c@x.io", "d@x.io"])),
    ])
    .unwrap();
    let orders = |amounts: Vec<f64>| {
        let n = amounts.len();
        let at: Vec<i64> = (0..n)
            .map(|i| 1_700_000_000_000_000 + i64::try_from(i).unwrap() * 86_400_000_000 + 123)
            .collect();
        RecordBatch::try_from_iter([
            (
                "order_id",
                ids((1..=i64::try_from(n).unwrap()).map(Some).collect()),
            ),
            (
                "customer_id",
                ids(vec![
                    Some(7),
                    Some(99_999_999_999),
                    Some(-5),
                    None,
                    Some(123),
                    Some(123),
                    Some(7),
                ][..n]
                    .to_vec()),
            ),
            (
                "email",
                text(vec!["", "", "", "g@x.io", "new@x.io", "", ""][..n].to_vec()),
            ),
            (
                "placed_at",
                Arc::new(TimestampMicrosecondArray::from(at).with_timezone("+00:00")) as ArrayRef,
            ),
            ("status", text(vec!["completed"; n])),
            ("amount", Arc::new(Float64Array::from(amounts)) as ArrayRef),
            ("currency", text(vec!["EUR"; n])),
            (
                "parent_order_id",
                ids(vec![Some(0), None, Some(0), None, None, None, Some(3)][..n].to_vec()),
            ),
        ])
        .unwrap()
    };
    let read = |orders: RecordBatch, as_text: bool| {
        let mut shop = ShopBatches::default();
        let (c, o) = if as_text {
            (as_text_batch(&customers), as_text_batch(&orders))
        } else {
            (customers.clone(), orders)
        };
        shop.customers = vec![c];
        shop.orders = vec![o];
        read_batches(&shop).map(|read| profiles_csv(&read))
    };
    let good = orders(vec![11.51, 20.0, 0.5, 1e9, 3.25, 0.01, 99.99]);
    let typed = read(good.clone(), false).unwrap();
    assert_eq!(typed, read(good, true).unwrap());
    let counts = orders_counts(&typed);
    for (email, orders) in [
        ("a@x.io", "0"),
        ("b@x.io", "1"),
        ("c@x.io", "1"),
        ("d@x.io", "1"),
        ("g@x.io", "1"),
        ("new@x.io", "2"),
    ] {
        assert!(
            counts.contains(&(email.to_owned(), orders.to_owned())),
            "{email}: {counts:?}"
        );
    }
    for bad in [0.1 + 0.2, 1e-7, 12.345, f64::NAN, 1e300] {
        let amounts = vec![11.51, 20.0, bad];
        let (typed, text) = (
            read(orders(amounts.clone()), false),
            read(orders(amounts), true),
        );
        let (typed, text) = (
            typed.unwrap_err().to_string(),
            text.unwrap_err().to_string(),
        );
        assert_eq!(typed, text);
        assert!(typed.contains("bad amount"), "{typed}");
    }
}

#[test]
fn a_parquet_directory_gives_the_profiles_of_the_csv_files() {
    let dir = shop_dir("parquet");
    let expected = profiles_csv(&csv::read_dir(&dir).unwrap());
    let shop = typed_tables(&dir);
    // Orders and customers as Parquet (the CSV files removed); the rest stays CSV.
    for (name, batches) in [("orders", &shop.orders), ("customers", &shop.customers)] {
        let file = File::create(dir.join(format!("{name}.parquet"))).unwrap();
        let mut w = ArrowWriter::try_new(file, batches[0].schema(), None).unwrap();
        for b in batches {
            w.write(b).unwrap();
        }
        w.close().unwrap();
        std::fs::remove_file(dir.join(format!("{name}.csv"))).unwrap();
    }
    let got = profiles_csv(&read_parquet_dir(&dir).unwrap());
    assert_eq!(got, expected);
}

#[test]
fn a_bad_value_names_the_table_and_the_row() {
    let column = |v: Vec<&str>| -> ArrayRef { Arc::new(StringArray::from(v)) };
    let orders = RecordBatch::try_from_iter([
        ("order_id", column(vec!["1", "2"])),
        ("customer_id", column(vec!["", ""])),
        ("email", column(vec!["a@example.com", "b@example.com"])),
        (
            "placed_at",
            column(vec!["2024-05-01T10:00:00Z", "yesterday"]),
        ),
        ("status", column(vec!["completed", "completed"])),
        ("amount", column(vec!["1.00", "2.00"])),
        ("currency", column(vec!["EUR", "EUR"])),
    ])
    .unwrap();
    let mut shop = ShopBatches::default();
    shop.orders = vec![orders];
    match read_batches(&shop).unwrap_err() {
        csv::CsvError::Parse {
            file,
            line,
            message,
        } => {
            assert_eq!(file, PathBuf::from("orders"));
            assert_eq!(line, 2);
            assert!(message.contains("yesterday"), "{message}");
        }
        other @ csv::CsvError::Io(..) => panic!("{other:?}"),
    }
}

/// A value of a typed profile column written as the CSV writer writes it.
fn as_csv_text(column: &ArrayRef, row: usize) -> String {
    if column.is_null(row) {
        return String::new();
    }
    match column.data_type() {
        DataType::Utf8 => column.as_string::<i32>().value(row).to_owned(),
        DataType::Int64 => column
            .as_primitive::<arrow::datatypes::Int64Type>()
            .value(row)
            .to_string(),
        DataType::Float64 => column
            .as_primitive::<arrow::datatypes::Float64Type>()
            .value(row)
            .to_string(),
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            let micros = column
                .as_primitive::<arrow::datatypes::TimestampMicrosecondType>()
                .value(row);
            csv::format_instant(chrono::DateTime::from_timestamp_micros(micros).unwrap())
        }
        DataType::Decimal128(_, _) | DataType::Date32 => {
            let text = arrow::compute::cast(&column.slice(row, 1), &DataType::Utf8).unwrap();
            text.as_string::<i32>().value(0).to_owned()
        }
        other => panic!("unexpected column type {other}"),
    }
}

#[test]
fn profiles_as_batches_and_parquet_hold_the_csv_values_typed() {
    let dir = shop_dir("out");
    let (ds, rates) = csv::read_dir(&dir).unwrap();
    let mut c = ds.consolidate(&policy(&rates)).unwrap();
    c.apply_rfm(&RfmConfig::default());
    let mut out = Vec::new();
    csv::write_profiles(&c, &mut out).unwrap();
    let mut expected = ::csv::Reader::from_reader(out.as_slice());
    let header: Vec<String> = expected
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let expected: Vec<::csv::StringRecord> = expected.records().map(Result::unwrap).collect();

    let path = dir.join("profiles.parquet");
    relance::io::arrow::write_profiles_parquet(&c, None, &path).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(&path).unwrap())
        .unwrap()
        .build()
        .unwrap();
    let read: Vec<RecordBatch> = reader.map(Result::unwrap).collect();
    let from_file = arrow::compute::concat_batches(&read[0].schema(), &read).unwrap();
    let batch = profiles_to_batch(&c, None).unwrap();
    assert_eq!(from_file, batch);

    let names: Vec<String> = batch
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(names, header);
    assert_eq!(
        batch
            .schema()
            .field_with_name("revenue")
            .unwrap()
            .data_type(),
        &DataType::Decimal128(38, 2)
    );
    assert_eq!(batch.num_rows(), expected.len());
    for (row, record) in expected.iter().enumerate() {
        for (col, column) in batch.columns().iter().enumerate() {
            assert_eq!(
                as_csv_text(column, row),
                record.get(col).unwrap(),
                "row {row}, column {}",
                header[col]
            );
        }
    }
}

#[test]
fn customers_without_order_batches_are_still_read() {
    let dir = shop_dir("no-orders");
    let mut shop = ShopBatches::default();
    shop.customers = vec![text_batch(&dir.join("customers.csv"))];
    let (ds, _) = read_batches(&shop).unwrap();
    assert!(ds.orders().is_empty());
    assert_eq!(ds.customers().len(), shop.customers[0].num_rows());
}
