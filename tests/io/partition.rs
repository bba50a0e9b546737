//! A shop split by contact and consolidated one part at a time gives every contact the
//! profile of the whole shop.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

use relance::customer::partition::partition_of_email;
use relance::customer::{ConsolidationPolicy, Currency, Dataset, FxRate};
use relance::io::{csv, synth};

use crate::support::temp_dir;

fn append(dir: &Path, file: &str, lines: &[&str]) {
    let mut f = OpenOptions::new()
        .append(true)
        .open(dir.join(file))
        .unwrap();
    for l in lines {
        writeln!(f, "{l}").unwrap();
    }
}

/// The profile rows (header left out) of a shop, RFM left out (it compares contacts).
fn rows((ds, rates): &(Dataset, Vec<FxRate>)) -> Vec<String> {
    let mut policy = ConsolidationPolicy::new(
        Currency::EUR,
        csv::parse_instant("2025-01-01T00:00:00Z").unwrap(),
        chrono_tz::Europe::Paris,
    );
    for r in rates {
        policy = policy.rate(r.from, r.rate);
    }
    let c = ds.consolidate(&policy).unwrap();
    let mut out = Vec::new();
    csv::write_profiles(&c, &mut out).unwrap();
    String::from_utf8(out)
        .unwrap()
        .lines()
        .skip(1)
        .map(str::to_owned)
        .collect()
}

#[test]
fn each_part_alone_gives_the_profiles_of_the_whole_shop() {
    let src = temp_dir("src");
    let shop = synth::generate(&synth::SynthConfig::new(4_000, 500, 5));
    csv::write_dir(&shop.dataset, &shop.rates, &src).unwrap();
    // The cases routing must get right: a guest writing a customer's email in another case,
    // an order and a cart of a customer id missing from customers.csv (created from the
    // order's email), its login and delivery, a login of nobody, a delivery of no order.
    append(
        &src,
        "orders.csv",
        &[
            "9000001,,  C10@EXAMPLE.com ,2024-06-01T10:00:00Z,completed,40.00,EUR,",
            "9000002,777777,new.buyer@example.com,2024-06-02T10:00:00Z,completed,15.00,EUR,",
        ],
    );
    append(
        &src,
        "carts.csv",
        &["9000003,777777,other@example.com,2024-06-03T10:00:00Z,2024-06-03T11:00:00Z,1,9.90,EUR,"],
    );
    append(
        &src,
        "logins.csv",
        &["777777,2024-06-04T10:00:00Z", "888888,2024-06-04T10:00:00Z"],
    );
    append(
        &src,
        "deliveries.csv",
        &[
            "9000002,2024-06-05T10:00:00Z",
            "9999999,2024-06-05T10:00:00Z",
        ],
    );
    let whole = csv::read_dir(&src).unwrap();
    let mut expected = rows(&whole);
    assert!(expected.len() > 500);

    let dst = temp_dir("dst");
    let orders = csv::partition_dir(&src, &dst, 5).unwrap();
    assert_eq!(orders.len(), 5);
    assert_eq!(orders.iter().sum::<u64>(), 4_002);
    assert!(orders.iter().all(|&n| n > 400), "{orders:?}");
    let parts = csv::partitions(&dst).unwrap();
    assert_eq!(
        parts,
        (0..5)
            .map(|i| csv::partition_path(&dst, i))
            .collect::<Vec<_>>()
    );

    let mut got = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let part_rows = rows(&csv::read_dir(part).unwrap());
        for row in &part_rows {
            let email = row.split(',').nth(1).unwrap();
            assert_eq!(partition_of_email(email, 5) as usize, i, "{row}");
        }
        got.extend(part_rows);
    }
    expected.sort();
    got.sort();
    assert_eq!(got.len(), expected.len());
    assert_eq!(got, expected);
    // The new buyer's order, cart, login and delivery met in one part.
    let buyer = got.iter().find(|r| r.starts_with("777777,")).unwrap();
    assert!(buyer.contains("new.buyer@example.com"), "{buyer}");
    assert!(buyer.contains("2024-06-04T10:00:00Z"), "{buyer}");
    assert!(buyer.contains("2024-06-05T10:00:00Z"), "{buyer}");
}
