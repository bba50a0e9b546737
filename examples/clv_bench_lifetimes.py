"""Times lifetimes 0.11.3 on the summaries written by the Rust bench, and compares outputs.

    cargo run --release --example clv_bench -- --repeat 1 \
        --write-summaries summaries.csv --write-predictions predictions.csv
    python examples/clv_bench_lifetimes.py summaries.csv [predictions.csv] [HORIZON_DAYS]

Fits BetaGeoFitter on all summaries and GammaGammaFitter on those with frequency > 0 and a
positive monetary value (penalizer 0, default tolerance), predicts P(alive), expected
purchases over the horizon (default 90 days), the conditional expected average value and
their product, and prints the time of each step. Given the Rust predictions, prints the
largest relative difference of each column. Needs a virtualenv with
`pip install 'setuptools<70' lifetimes==0.11.3 pandas`.
"""
import sys
import time

import numpy as np
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter

summaries = pd.read_csv(sys.argv[1])
horizon = float(sys.argv[3]) if len(sys.argv) > 3 else 90.0
x, tx, T, m = summaries.frequency, summaries.recency, summaries["T"], summaries.monetary_value

t0 = time.perf_counter()
bgf = BetaGeoFitter().fit(x, tx, T)
t1 = time.perf_counter()
returning = summaries[(x > 0) & (m > 0)]
ggf = GammaGammaFitter().fit(returning.frequency, returning.monetary_value)
t2 = time.perf_counter()
ours = pd.DataFrame(
    {
        "p_alive": bgf.conditional_probability_alive(x, tx, T),
        "expected_purchases": bgf.conditional_expected_number_of_purchases_up_to_time(horizon, x, tx, T),
        "expected_avg_value": ggf.conditional_expected_average_profit(x, m),
    }
)
ours["expected_value"] = ours.expected_purchases * ours.expected_avg_value
t3 = time.perf_counter()

p = bgf.params_
q = ggf.params_
print(f"lifetimes: r={p.r!r} alpha={p.alpha!r} a={p.a!r} b={p.b!r} p={q.p!r} q={q.q!r} v={q.v!r}")
print(f"BG/NBD fit ({len(summaries)} customers): {t1 - t0:.3f} s")
print(f"Gamma-Gamma fit ({len(returning)} returning): {t2 - t1:.3f} s")
print(f"predictions ({horizon} days): {t3 - t2:.3f} s")
print(f"total: {t3 - t0:.3f} s")
if len(sys.argv) > 2:
    rust = pd.read_csv(sys.argv[2])
    for col in ours.columns:
        a, b = rust[col].to_numpy(), ours[col].to_numpy()
        rel = np.abs(a - b) / np.maximum(np.abs(b), 1e-300)
        print(f"{col}: largest relative difference {rel.max():.2e}")
