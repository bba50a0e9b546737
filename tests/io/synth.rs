//! The generator streaming its rows to files writes what the in-memory shop gives.

use std::path::Path;

use relance::io::{csv, synth};

use crate::support::temp_dir;

const FILES: [&str; 6] = [
    "customers.csv",
    "orders.csv",
    "deliveries.csv",
    "carts.csv",
    "logins.csv",
    "rates.csv",
];

/// Every file of the two directories, compared byte for byte.
fn assert_same_files(a: &Path, b: &Path) {
    for f in FILES {
        let (x, y) = (
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
        );
        assert!(x.len() > 14, "{} is empty", a.join(f).display());
        assert!(
            x == y,
            "{} differs from {}",
            a.join(f).display(),
            b.join(f).display()
        );
    }
}

#[test]
fn a_streamed_shop_has_the_bytes_of_the_generated_one_whole_and_partitioned() {
    let config = synth::SynthConfig::new(6_000, 700, 3);
    let whole = temp_dir("synth-whole");
    let shop = synth::generate(&config);
    csv::write_dir(&shop.dataset, &shop.rates, &whole).unwrap();

    let streamed = temp_dir("synth-streamed");
    let orders = synth::write_shop(&config, &streamed, None).unwrap();
    assert_eq!(orders, vec![6_000]);
    assert_same_files(&streamed, &whole);

    let split = temp_dir("synth-split");
    let expected = csv::partition_dir(&whole, &split, 4).unwrap();
    let parts = temp_dir("synth-parts");
    let orders = synth::write_shop(&config, &parts, Some(4)).unwrap();
    assert_eq!(orders, expected);
    assert!(orders.iter().all(|&n| n > 0), "{orders:?}");
    for i in 0..4 {
        assert_same_files(
            &csv::partition_path(&parts, i),
            &csv::partition_path(&split, i),
        );
    }
}
