"""Alternating pairs for the in-memory consolidation target: relance's consolidation (median
of `--repeat 3` in one process, data already loaded) against DuckDB's basic per-customer
aggregates of the same orders in an in-memory table (median of 3, `duckdb_shop.py inmem`).

Usage:
    cargo build --release --example consolidate_csv
    python3 benches/inmem_pairs.py PAIRS SHOP_DIR BINARY [BINARY ...]

Each pair runs every BINARY (a build of the `consolidate_csv` example) once, then DuckDB
once; it prints each pair's times, ratios and extra memory, then per binary the median ratio
with its range, the medians, and the extra memory (peak RSS during the consolidation over
the RSS after loading) against the in-memory input.
"""

import re
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def relance(binary, shop):
    err = subprocess.run(
        [binary, "--in", shop, "--as-of", "2025-01-01T00:00:00Z", "--tz", "Europe/Paris",
         "--out", "/dev/null", "--rfm", "0", "--repeat", "3"],
        capture_output=True, text=True, check=True).stderr
    t = float(re.search(r"^consolidate: ([0-9.]+) s", err, re.M).group(1))
    m = re.search(r"input in-memory ~(\d+) MiB.*\(\+(\d+) MiB\)", err)
    return t, int(m.group(2)), int(m.group(1))


def duckdb(shop):
    out = subprocess.run(
        [sys.executable, str(HERE / "duckdb_shop.py"), "inmem", shop, "3"],
        capture_output=True, text=True, check=True)
    return float(re.search(r"duckdb aggregates: ([0-9.]+) s", out.stdout + out.stderr).group(1))


def main():
    pairs, shop, binaries = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    runs = {b: [] for b in binaries}
    duck = []
    for i in range(pairs):
        for b in binaries:
            runs[b].append(relance(b, shop))
        duck.append(duckdb(shop))
        print(i, "  ".join(
            f"{b}: {runs[b][-1][0]:.3f}/{duck[-1]:.3f} = {runs[b][-1][0] / duck[-1]:.3f} "
            f"(+{runs[b][-1][1]} MiB)" for b in binaries), flush=True)
    for b in binaries:
        ratios = [r[0] / d for r, d in zip(runs[b], duck)]
        extra = sorted(r[1] for r in runs[b])
        inp = runs[b][0][2]
        print(f"{b}: ratio median {statistics.median(ratios):.3f} "
              f"({min(ratios):.3f}-{max(ratios):.3f}); consolidation median "
              f"{statistics.median(r[0] for r in runs[b]):.3f} s, DuckDB median "
              f"{statistics.median(duck):.3f} s; extra memory +{extra[0]}-{extra[-1]} MiB over "
              f"{inp} MiB ({extra[0] / inp:.3f}-{extra[-1] / inp:.3f}x)")


if __name__ == "__main__":
    main()
