//! BG/NBD + Gamma-Gamma against `lifetimes` 0.11.3 on the CDNOW sample it ships (see
//! `tests/fixtures/customer/clv/make_cdnow.py`), and the typed failures.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::float_cmp)]

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::{TimeZone, Utc};
use relance::customer::clv::{
    BgNbd, BuyerSummaries, Clv, ClvError, ClvOptions, FitOptions, GammaGamma, Horizon, Model,
};
use relance::customer::*;

fn fixture(name: &str) -> Vec<Vec<String>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/customer/clv")
        .join(name);
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

fn cdnow() -> Vec<Btyd> {
    fixture("summary.csv")
        .iter()
        .map(|r| Btyd {
            frequency: r[1].parse().unwrap(),
            recency: r[2].parse().unwrap(),
            t: r[3].parse().unwrap(),
            monetary_value: r[4].parse().unwrap(),
        })
        .collect()
}

/// `(model, penalizer, parameter)` → value.
fn lifetimes_params() -> HashMap<(String, String, String), f64> {
    fixture("params.csv")
        .into_iter()
        .map(|r| {
            let value = r[3].parse().unwrap();
            ((r[0].clone(), r[1].clone(), r[2].clone()), value)
        })
        .collect()
}

/// Equal to 4 significant digits (relative difference below 5e-5).
fn same_4_digits(ours: f64, theirs: f64, what: &str) {
    assert!(
        (ours - theirs).abs() <= 5e-5 * theirs.abs(),
        "{what}: relance {ours} vs lifetimes {theirs}"
    );
}

#[test]
fn cdnow_fits_match_lifetimes_for_both_penalizers() {
    let summaries = cdnow();
    assert_eq!(summaries.len(), 2357);
    let expected = lifetimes_params();
    let mut compared = 0;
    for penalizer in ["0.0", "0.001"] {
        let options = FitOptions::penalized(penalizer.parse().unwrap());
        let key = |model: &str, p: &str| (model.to_owned(), penalizer.to_owned(), p.to_owned());
        let bg = BgNbd::fit(&summaries, &options).unwrap();
        let gg = GammaGamma::fit(&summaries, &options).unwrap();
        assert_eq!((bg.customers, gg.customers), (2357, 946));
        let (BgNbd { r, alpha, a, b }, GammaGamma { p, q, v }) = (bg.params, gg.params);
        let bg_values = [("r", r), ("alpha", alpha), ("a", a), ("b", b)];
        let gg_values = [("p", p), ("q", q), ("v", v)];
        for (model, values, objective) in [
            ("bg_nbd", &bg_values[..], bg.objective),
            ("gamma_gamma", &gg_values[..], gg.objective),
        ] {
            for &(name, ours) in values.iter().chain([&("objective", objective)]) {
                same_4_digits(ours, expected[&key(model, name)], name);
                compared += 1;
            }
        }
    }
    assert_eq!(compared, 18);
}

#[test]
fn cdnow_predictions_match_lifetimes_for_every_customer() {
    let summaries = cdnow();
    let model = Clv::fit(&summaries, &ClvOptions::default())
        .unwrap()
        .model();
    let month = model
        .predict(&summaries, &Horizon::new(30.0).unwrap())
        .unwrap();
    let quarter = model
        .predict(&summaries, &Horizon::new(90.0).unwrap())
        .unwrap();
    let discounted = Horizon::new(90.0).unwrap().discounted(0.01, 30.0).unwrap();
    let quarter_d = model.predict(&summaries, &discounted).unwrap();
    let rows = fixture("predictions.csv");
    assert_eq!(rows.len(), summaries.len());
    let mut compared = 0;
    for (i, row) in rows.iter().enumerate() {
        let ours = [
            quarter.p_alive[i],
            month.expected_purchases[i],
            quarter.expected_purchases[i],
            quarter.expected_avg_value[i],
            month.expected_value[i],
            quarter.expected_value[i],
            quarter_d.expected_value[i],
        ];
        for (k, ours) in ours.into_iter().enumerate() {
            let theirs: f64 = row[k + 1].parse().unwrap();
            assert!(
                (ours - theirs).abs() <= 1e-4 * theirs.abs(),
                "customer {} column {}: relance {ours} vs lifetimes {theirs}",
                row[0],
                k + 1
            );
            compared += 1;
        }
    }
    assert_eq!(compared, 2357 * 7);
}

/// 56 copies of CDNOW (131 992 summaries): the sums run over several chunks and threads, and
/// the fits start from a fit on one summary in 16. The mean log-likelihood is CDNOW's, so the
/// maximum must be the same.
#[test]
fn fits_and_predictions_are_deterministic_and_warm_starts_find_the_same_maximum() {
    let cdnow = cdnow();
    let summaries: Vec<Btyd> = cdnow.iter().copied().cycle().take(56 * 2357).collect();
    let first = Clv::fit(&summaries, &ClvOptions::default()).unwrap();
    let second = Clv::fit(&summaries, &ClvOptions::default()).unwrap();
    assert_eq!(first, second);
    let single = Clv::fit(&cdnow, &ClvOptions::default()).unwrap();
    let (BgNbd { r, alpha, a, b }, GammaGamma { p, q, v }) =
        (first.bg_nbd.params, first.gamma_gamma.params);
    let (bg, gg) = (single.bg_nbd.params, single.gamma_gamma.params);
    for (ours, theirs) in [
        (r, bg.r),
        (alpha, bg.alpha),
        (a, bg.a),
        (b, bg.b),
        (p, gg.p),
        (q, gg.q),
        (v, gg.v),
    ] {
        assert!((ours - theirs).abs() < 1e-5 * theirs, "{ours} vs {theirs}");
    }
    let horizon = Horizon::new(90.0).unwrap().discounted(0.01, 30.0).unwrap();
    let model = first.model();
    let all = model.predict(&summaries, &horizon).unwrap();
    for i in [0, 2356, 16_384, 131_991] {
        assert_eq!(
            all.get(i).unwrap(),
            model.predict_one(&summaries[i], &horizon).unwrap()
        );
    }
    assert_eq!(all, model.predict(&summaries, &horizon).unwrap());
}

/// A fit without drop-out heterogeneity (huge `a` and `b`, met on a regular synthetic shop)
/// overflows the series of the expected purchases: a typed error, not `-inf`.
#[test]
fn predictions_that_overflow_are_typed_errors() {
    let model = Clv {
        bg_nbd: BgNbd {
            r: 1.595,
            alpha: 75.22,
            a: 4_376_563.9,
            b: 16_441_359.7,
        },
        gamma_gamma: GammaGamma {
            p: 4.2,
            q: 9.38,
            v: 116.0,
        },
    };
    let s = Btyd {
        frequency: 0,
        recency: 0.0,
        t: 731.0,
        monetary_value: 0.0,
    };
    let horizon = Horizon::new(90.0).unwrap();
    assert!(matches!(
        model.predict(&[s], &horizon),
        Err(ClvError::PredictionNotFinite { frequency: 0, .. })
    ));
    assert!(matches!(
        model.predict_one(&s, &horizon),
        Err(ClvError::PredictionNotFinite { .. })
    ));
}

#[test]
fn unusable_inputs_are_typed_errors() {
    let s = |frequency, recency, t, monetary_value| Btyd {
        frequency,
        recency,
        t,
        monetary_value,
    };
    let ok = FitOptions::default();
    assert_eq!(
        BgNbd::fit(&[s(1, 2.0, 5.0, 1.0); 3], &ok),
        Err(ClvError::TooFewCustomers {
            model: Model::BgNbd,
            got: 3,
            needed: 4
        })
    );
    assert_eq!(
        BgNbd::fit(&[s(0, 0.0, 5.0, 0.0); 10], &ok),
        Err(ClvError::TooFewReturningCustomers {
            model: Model::BgNbd,
            got: 0,
            needed: 1
        })
    );
    let mut bad = cdnow();
    bad[7].recency = bad[7].t + 1.0;
    assert!(matches!(
        BgNbd::fit(&bad, &ok),
        Err(ClvError::InvalidSummary { index: 7, .. })
    ));
    bad[7].recency = f64::INFINITY;
    assert_eq!(
        Clv::fit(&bad, &ClvOptions::default()),
        Err(ClvError::NonFinite {
            index: 7,
            field: "recency"
        })
    );
    assert!(matches!(
        BgNbd::fit(&cdnow(), &FitOptions::penalized(-1.0)),
        Err(ClvError::InvalidOption(_))
    ));
    // every returning customer bought again on its last day of observation: the likelihood
    // keeps growing as the drop-out probability goes to 0
    let immortal: Vec<Btyd> = (0..100_u32)
        .map(|i| s(1 + i % 3, 50.0, 50.0, 10.0))
        .chain((0..5).map(|_| s(0, 0.0, 50.0, 0.0)))
        .collect();
    let err = BgNbd::fit(&immortal, &ok).unwrap_err();
    assert!(
        matches!(
            err,
            ClvError::NotConverged {
                model: Model::BgNbd,
                ..
            }
        ),
        "{err:?}"
    );
    let unbounded = Clv {
        bg_nbd: BgNbd {
            r: 0.2,
            alpha: 30.0,
            a: 0.8,
            b: 2.4,
        },
        gamma_gamma: GammaGamma {
            p: 6.0,
            q: 0.9,
            v: 15.0,
        },
    };
    assert_eq!(
        unbounded.predict(&cdnow(), &Horizon::new(30.0).unwrap()),
        Err(ClvError::UnboundedMeanSpend { q: 0.9 })
    );
    assert!(matches!(
        unbounded.bg_nbd.expected_purchases(&cdnow()[0], 1e9),
        Err(ClvError::HorizonTooLong { .. })
    ));
}

/// xorshift64*: a reproducible stream of uniforms in (0, 1).
struct Uniform(u64);

impl Uniform {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let bits = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11;
        #[allow(clippy::cast_precision_loss)]
        let u = (bits as f64 + 0.5) / (1u64 << 53) as f64;
        u
    }
}

/// A shop of `customers` buyers who buy as the BG/NBD story goes (exponential gaps at one of
/// four rates, a drop-out chance after each purchase, one of five spend levels), plus one
/// prospect, and its `as_of`.
pub(super) fn simulated_shop(customers: usize) -> (Dataset, chrono::DateTime<Utc>) {
    let mut ds = Dataset::new();
    let start = Utc.with_ymd_and_hms(2023, 1, 1, 10, 0, 0).unwrap();
    let as_of = Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap();
    let mut rng = Uniform(0x9e37_79b9_7f4a_7c15);
    let mut id = 0;
    for c in 0..customers {
        let buyer = ds.guest(&format!("c{c}@example.com")).unwrap();
        let rate = [1.0 / 10.0, 1.0 / 30.0, 1.0 / 90.0, 1.0 / 200.0][c % 4];
        let dropout = [0.05, 0.2, 0.5][c % 3];
        let level = [2000.0, 4000.0, 8000.0, 3000.0, 6000.0][c % 5];
        let mut day = 500.0 * rng.next();
        loop {
            id += 1;
            #[allow(clippy::cast_possible_truncation)]
            let (at, cents) = (
                start + chrono::Duration::minutes((day * 1440.0) as i64),
                (level * (0.5 + rng.next())) as i64,
            );
            if at > as_of {
                break;
            }
            ds.add_order(Order::new(
                OrderId(id),
                Buyer::Guest(buyer),
                at,
                OrderStatus::Paid,
                Money::new(cents, Currency::EUR),
            ));
            if rng.next() < dropout {
                break;
            }
            day += -rng.next().ln() / rate;
        }
    }
    ds.guest("prospect@example.com").unwrap();
    (ds, as_of)
}

/// The shop of [`simulated_shop`], consolidated, then modelled.
#[test]
fn a_consolidation_feeds_the_models() {
    let (ds, as_of) = simulated_shop(1000);
    let profiles = ds
        .consolidate(&ConsolidationPolicy::new(
            Currency::EUR,
            as_of,
            chrono_tz::UTC,
        ))
        .unwrap();
    let buyers = BuyerSummaries::of(&profiles);
    assert_eq!((profiles.len(), buyers.contacts.len()), (1001, 1000));

    let model = Clv::fit(&buyers.summaries, &ClvOptions::default())
        .unwrap()
        .model();
    let p = model
        .predict(&buyers.summaries, &Horizon::new(180.0).unwrap())
        .unwrap();
    assert_eq!(p.len(), 1000);
    for (i, contact) in buyers.contacts.iter().enumerate() {
        let profile = profiles.get(*contact).unwrap();
        assert_eq!(profile.btyd(), Some(buyers.summaries[i]));
        let one = p.get(i).unwrap();
        assert!((0.0..=1.0).contains(&one.p_alive));
        assert!(one.expected_purchases >= 0.0 && one.expected_avg_value > 0.0);
        assert_eq!(
            one.expected_value,
            one.expected_purchases * one.expected_avg_value
        );
    }
}
