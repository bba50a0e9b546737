//! Times the predicted-value models on many synthetic BTYD summaries.
//!
//! ```text
//! cargo run --release --example clv_bench -- [--customers N] [--seed S] [--repeat K]
//!     [--horizon DAYS] [--write-summaries FILE] [--write-predictions FILE]
//! ```
//!
//! Draws `N` customers (default 1 000 000) from the models themselves, in days: first purchase
//! 1–1095 days before `as_of`, purchase rate ~ Gamma(r = 0.25, α = 30), drop-out probability
//! after each repeat purchase ~ Beta(a = 0.8, b = 2.5), spend per purchase ~ Gamma(p = 6, ν)
//! with ν ~ Gamma(q = 3.7, v = 15); purchases on one day are merged as `lifetimes` does. Then,
//! `K` times (default 5), fits BG/NBD on all summaries, Gamma-Gamma on the returning ones, and
//! predicts for everyone over the horizon (default 90 days), printing the median and range
//! of each step. `--write-summaries` writes `frequency,recency,T,monetary_value` (the input of
//! `examples/clv_bench_lifetimes.py`), `--write-predictions` the predictions of the last run.

use std::error::Error;
use std::fmt::Write as _;
use std::time::Instant;

use relance::customer::Btyd;
use relance::customer::clv::{BgNbd, Clv, FitOptions, GammaGamma, Horizon, Predictions};

/// Gamma(shape, scale) by Marsaglia & Tsang (shape < 1 boosted by `U^(1/shape)`).
fn gamma(rng: &mut fastrand::Rng, shape: f64, scale: f64) -> f64 {
    if shape < 1.0 {
        let u = 1.0 - rng.f64();
        return gamma(rng, shape + 1.0, scale) * u.powf(1.0 / shape);
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let (u1, u2) = (1.0 - rng.f64(), rng.f64());
        let normal = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        let v = (1.0 + c * normal).powi(3);
        if v <= 0.0 {
            continue;
        }
        let u = 1.0 - rng.f64();
        if u.ln() < 0.5 * normal * normal + d - d * v + d * v.ln() {
            return d * v * scale;
        }
    }
}

/// One customer's summary, simulated from the BG/NBD and Gamma-Gamma stories.
fn customer(rng: &mut fastrand::Rng, truth: &Clv) -> Btyd {
    let (bg, gg) = (truth.bg_nbd, truth.gamma_gamma);
    let t = f64::from(rng.u32(1..=1095));
    let rate = gamma(rng, bg.r, 1.0 / bg.alpha);
    let (g1, g2) = (gamma(rng, bg.a, 1.0), gamma(rng, bg.b, 1.0));
    let dropout = g1 / (g1 + g2);
    let nu = gamma(rng, gg.q, 1.0 / gg.v);
    let (mut at, mut last_day, mut frequency, mut spent) = (0.0, 0.0, 0_u32, 0.0);
    loop {
        at += -(1.0 - rng.f64()).ln() / rate;
        if at > t {
            break;
        }
        let day = at.floor();
        if day > last_day {
            frequency += 1;
            last_day = day;
        }
        if frequency > 0 {
            spent += gamma(rng, gg.p, 1.0 / nu);
        }
        if rng.f64() < dropout {
            break;
        }
    }
    Btyd {
        frequency,
        recency: if frequency > 0 { last_day } else { 0.0 },
        t,
        monetary_value: if frequency > 0 {
            spent / f64::from(frequency)
        } else {
            0.0
        },
    }
}

fn median_range(mut v: Vec<f64>) -> String {
    v.sort_by(f64::total_cmp);
    format!(
        "median {:.3} s (min {:.3}, max {:.3})",
        v[v.len() / 2],
        v[0],
        v[v.len() - 1]
    )
}

/// Command-line arguments.
struct Args {
    customers: usize,
    seed: u64,
    repeat: usize,
    horizon: f64,
    write_summaries: Option<String>,
    write_predictions: Option<String>,
}

fn parse_args() -> Result<Args, Box<dyn Error>> {
    let mut parsed = Args {
        customers: 1_000_000,
        seed: 7,
        repeat: 5,
        horizon: 90.0,
        write_summaries: None,
        write_predictions: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--customers" => parsed.customers = val()?.parse()?,
            "--seed" => parsed.seed = val()?.parse()?,
            "--repeat" => parsed.repeat = val()?.parse::<usize>()?.max(1),
            "--horizon" => parsed.horizon = val()?.parse()?,
            "--write-summaries" => parsed.write_summaries = Some(val()?),
            "--write-predictions" => parsed.write_predictions = Some(val()?),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    Ok(parsed)
}

fn write_summaries(path: &str, summaries: &[Btyd]) -> Result<(), Box<dyn Error>> {
    let mut out = String::from("frequency,recency,T,monetary_value\n");
    for s in summaries {
        let (f, r, t, m) = (s.frequency, s.recency, s.t, s.monetary_value);
        writeln!(out, "{f},{r},{t},{m:?}")?;
    }
    Ok(std::fs::write(path, out)?)
}

fn write_predictions(path: &str, predictions: &Predictions) -> Result<(), Box<dyn Error>> {
    let mut out = String::from("p_alive,expected_purchases,expected_avg_value,expected_value\n");
    for i in 0..predictions.len() {
        let one = predictions.get(i).ok_or("index")?;
        writeln!(
            out,
            "{:?},{:?},{:?},{:?}",
            one.p_alive, one.expected_purchases, one.expected_avg_value, one.expected_value
        )?;
    }
    Ok(std::fs::write(path, out)?)
}

/// What `--help` prints.
const USAGE: &str = "clv_bench: times the predicted-value models on synthetic BTYD summaries.\n\nusage: cargo run --release --example clv_bench -- [--customers N] [--seed S] [--repeat K] [--horizon DAYS] [--write-summaries FILE] [--write-predictions FILE]";

fn main() -> Result<(), Box<dyn Error>> {
    if std::env::args().skip(1).any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return Ok(());
    }
    let args = parse_args()?;
    let truth = Clv {
        bg_nbd: BgNbd {
            r: 0.25,
            alpha: 30.0,
            a: 0.8,
            b: 2.5,
        },
        gamma_gamma: GammaGamma {
            p: 6.0,
            q: 3.7,
            v: 15.0,
        },
    };
    let start = Instant::now();
    let mut rng = fastrand::Rng::with_seed(args.seed);
    let summaries: Vec<Btyd> = (0..args.customers)
        .map(|_| customer(&mut rng, &truth))
        .collect();
    let returning = summaries.iter().filter(|s| s.frequency > 0).count();
    eprintln!(
        "generated {} summaries ({returning} returning) in {:.2} s",
        args.customers,
        start.elapsed().as_secs_f64()
    );
    if let Some(path) = &args.write_summaries {
        write_summaries(path, &summaries)?;
    }
    let horizon = Horizon::new(args.horizon)?;
    let options = FitOptions::default();
    let mut times = [vec![], vec![], vec![], vec![]];
    let mut last = None;
    for _ in 0..args.repeat {
        let t0 = Instant::now();
        let bg = BgNbd::fit(&summaries, &options)?;
        let t1 = Instant::now();
        let gg = GammaGamma::fit(&summaries, &options)?;
        let t2 = Instant::now();
        let model = Clv {
            bg_nbd: bg.params,
            gamma_gamma: gg.params,
        };
        let predictions = model.predict(&summaries, &horizon)?;
        let t3 = Instant::now();
        for (v, d) in times.iter_mut().zip([t1 - t0, t2 - t1, t3 - t2, t3 - t0]) {
            v.push(d.as_secs_f64());
        }
        last = Some((bg, gg, model, predictions));
    }
    let Some((bg, gg, model, predictions)) = last else {
        return Ok(());
    };
    let [bg_times, gg_times, predict_times, totals] = times;
    println!("true:   {truth}");
    println!("fitted: {model}");
    println!(
        "BG/NBD fit ({} customers, {} evaluations): {}",
        bg.customers,
        bg.evaluations,
        median_range(bg_times)
    );
    println!(
        "Gamma-Gamma fit ({} returning, {} evaluations): {}",
        gg.customers,
        gg.evaluations,
        median_range(gg_times)
    );
    println!(
        "predictions ({} customers, {} days): {}",
        predictions.len(),
        horizon.length(),
        median_range(predict_times)
    );
    println!("total: {} ({} runs)", median_range(totals), args.repeat);
    if let Some(path) = &args.write_predictions {
        write_predictions(path, &predictions)?;
    }
    Ok(())
}
