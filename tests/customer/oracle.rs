//! Golden comparison against `lifetimes` 0.11.3 (BTYD) and `pandas` 3.1.1 (aggregates, RFM
//! `qcut`) on a synthetic shop (see `tests/fixtures/customer/README.md`).

use std::collections::HashMap;
use std::path::Path;

use relance::customer::*;
use relance::io::csv;

fn read_expected(path: &Path) -> Vec<HashMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect();
    lines
        .map(|l| {
            header
                .iter()
                .cloned()
                .zip(l.split(',').map(str::to_owned))
                .collect()
        })
        .collect()
}

fn num(row: &HashMap<String, String>, k: &str) -> f64 {
    row[k]
        .parse()
        .unwrap_or_else(|_| panic!("{k}: {:?}", row[k]))
}

fn close(a: f64, b: f64, what: &str, email: &str) {
    assert!(
        (a - b).abs() <= 1e-9 * b.abs().max(1.0),
        "{email} {what}: relance {a} vs oracle {b}"
    );
}

#[test]
fn matches_lifetimes_and_pandas() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/customer/btyd_rfm");
    let (ds, rates) = csv::read_dir(&dir).unwrap();
    let mut policy = ConsolidationPolicy::new(
        Currency::EUR,
        csv::parse_instant("2024-06-01T00:00:00Z").unwrap(),
        chrono_tz::Europe::Paris,
    );
    for r in rates {
        policy = policy.rate(r.from, r.rate);
    }
    let days_policy = policy.clone().frequency_mode(FrequencyMode::Days);
    let mut out = ds.consolidate(&policy).unwrap();
    let days = ds.consolidate(&days_policy).unwrap();
    let expected = read_expected(&dir.join("expected.csv"));
    assert!(expected.len() > 50);
    let with_orders = out.iter().filter(|p| p.orders_count() > 0).count();
    assert_eq!(with_orders, expected.len(), "same set of buyers");

    let mut rfm = HashMap::new();
    for q in [4u8, 5] {
        out.apply_rfm(&RfmConfig {
            quantiles: q,
            ..RfmConfig::default()
        });
        for p in out.iter() {
            if let Some(s) = p.rfm() {
                rfm.insert((q, p.email().to_owned()), s);
            }
        }
    }
    for row in &expected {
        let email = row["email"].as_str();
        let p = out
            .by_email(email)
            .unwrap_or_else(|| panic!("missing {email}"));
        assert_eq!(
            f64::from(p.orders_count()),
            num(row, "orders_count"),
            "{email}"
        );
        assert_eq!(
            p.revenue().minor.to_string(),
            row["revenue_cents"],
            "{email}"
        );
        assert_eq!(
            csv::format_instant(p.first_order_at().unwrap()),
            row["first_order_at"]
        );
        assert_eq!(
            csv::format_instant(p.last_order_at().unwrap()),
            row["last_order_at"]
        );
        assert_eq!(
            p.last_order_id().unwrap().0.to_string(),
            row["last_order_id"]
        );
        assert_eq!(
            p.last_order_amount().unwrap().minor.to_string(),
            row["last_order_amount_cents"]
        );
        match p.avg_days_between_orders() {
            Some(v) => close(v, num(row, "avg_days_instants"), "avg instants", email),
            None => assert_eq!(row["avg_days_instants"], "", "{email}"),
        }
        match days.by_email(email).unwrap().avg_days_between_orders() {
            Some(v) => close(v, num(row, "avg_days_days"), "avg days", email),
            None => assert_eq!(row["avg_days_days"], "", "{email}"),
        }
        let b = p.btyd().unwrap();
        assert_eq!(
            f64::from(b.frequency),
            num(row, "frequency"),
            "{email} frequency"
        );
        assert_eq!(b.recency, num(row, "recency"), "{email} recency");
        assert_eq!(b.t, num(row, "T"), "{email} T");
        close(
            b.monetary_value,
            num(row, "monetary_value"),
            "monetary",
            email,
        );
        for q in [4u8, 5] {
            let s = rfm[&(q, email.to_owned())];
            let want = |k: &str| num(row, &format!("rfm{q}_{k}"));
            assert_eq!(
                (f64::from(s.r), f64::from(s.f), f64::from(s.m)),
                (want("r"), want("f"), want("m")),
                "{email} rfm q={q}"
            );
        }
    }
}

/// `qcut` edge cases checked against pandas 3.1.1 by hand.
#[test]
fn qcut_matches_pandas() {
    let (bins, k) = rfm::qcut(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], 4);
    assert_eq!((bins, k), (vec![1, 1, 2, 2, 3, 3, 4, 4], 4));
    // ties collapse edges [1, 1, 1, 1.75, 3] -> [1, 1.75, 3]
    let (bins, k) = rfm::qcut(&[1.0, 1.0, 1.0, 1.0, 2.0, 3.0], 4);
    assert_eq!((bins, k), (vec![1, 1, 1, 1, 2, 2], 2));
    assert_eq!(
        rfm::quantile_edges(&[1.0, 1.0, 1.0, 1.0, 2.0, 3.0], 4),
        vec![1.0, 1.0, 1.0, 1.75, 3.0]
    );
    // q = 5 with float edges 0.1, 0.28, 0.46, 0.64, 0.82, 3
    let v = [3.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
    let (bins, k) = rfm::qcut(&v, 5);
    assert_eq!((bins, k), (vec![5, 1, 1, 2, 2, 3, 3, 4, 4, 5], 5));
    let (bins, k) = rfm::qcut(&[7.0, 7.0], 4);
    assert_eq!((bins, k), (vec![1, 1], 1));
}

/// The selection-based `qcut` equals a naive sort-based implementation on tie-heavy data.
#[test]
fn qcut_selection_equals_sorting() {
    let mut state = 0x1234_5678_u64;
    for round in 0..200u64 {
        let n = 1 + usize::try_from(round * 7 % 300).unwrap();
        let values: Vec<f64> = (0..n)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                #[allow(clippy::cast_precision_loss)]
                let v = (state % (1 + round % 40)) as f64;
                if round % 3 == 0 { v / 7.0 } else { v }
            })
            .collect();
        for q in [1, 2, 4, 5, 10] {
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            let mut edges = rfm::quantile_edges(&sorted, q);
            edges.dedup();
            let (bins, k) = rfm::qcut(&values, q);
            if edges.len() < 2 {
                assert_eq!(k, 1);
                continue;
            }
            assert_eq!(k, edges.len() - 1, "round {round} q {q}");
            for (v, b) in values.iter().zip(&bins) {
                let want = if *v == edges[0] {
                    1
                } else {
                    edges.partition_point(|e| e < v)
                };
                assert_eq!(usize::from(*b), want, "round {round} q {q} value {v}");
            }
        }
    }
}
