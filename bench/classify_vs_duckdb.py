#!/usr/bin/env python3
"""Side-by-side benchmark: `vuonlen classify` vs the same rule in DuckDB SQL.

Both read the same interchange CSV files (households.csv, members.csv) and write one CSV row
per household. Runs alternate (A B A B …) so drift of this noisy machine hits both alike; each
run is a separate process whose wall time and peak resident memory come from the kernel
(os.wait4). Afterwards the two outputs are compared on every household.

usage: bench/classify_vs_duckdb.py [--households 1000000] [--runs 5] [--seed 42]
Needs: a release build of vuonlen (built here), Python package duckdb (bench/run.sh installs it).
"""
import argparse
import os
import pathlib
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BIN = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release" / "vuonlen"


def run(cmd: list[str]) -> tuple[float, int]:
    """Runs cmd; returns (wall seconds, peak RSS in MiB). Fails loudly on a non-zero exit."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"command failed: {' '.join(cmd)}\n{err}")
    return wall, usage.ru_maxrss // 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--households", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--as-of", default="2025-12-31")
    args = ap.parse_args()

    subprocess.run(["cargo", "build", "--release", "--locked", "-p", "vuonlen-cli"], cwd=ROOT, check=True)
    data = OUT / f"synth-{args.households}-{args.seed}"
    hh, mem = data / "households.csv", data / "members.csv"
    if not hh.exists():
        print(f"generating {args.households} households into {data} …", flush=True)
        subprocess.run(
            [str(BIN), "synth", "--households", str(args.households), "--seed", str(args.seed),
             "--as-of", args.as_of, "--out-dir", str(data)],
            check=True,
        )
    sizes = (hh.stat().st_size + mem.stat().st_size) / 2**20
    a_out, b_out = OUT / "vuonlen.csv", OUT / "duckdb.csv"
    a_cmd = [str(BIN), "classify", "--households", str(hh), "--members", str(mem), "--as-of", args.as_of,
             "--standard", "2022-2025", "--out", str(a_out)]
    b_cmd = [sys.executable, str(ROOT / "bench" / "duckdb_classify.py"), str(hh), str(mem), args.as_of, str(b_out)]

    # One warm-up of each (page cache), then alternating counted runs.
    run(a_cmd)
    run(b_cmd)
    a, b = [], []
    for i in range(args.runs):
        a.append(run(a_cmd))
        b.append(run(b_cmd))
        print(f"run {i + 1}: vuonlen {a[-1][0]:.2f} s {a[-1][1]} MiB | duckdb {b[-1][0]:.2f} s {b[-1][1]} MiB", flush=True)

    ratios = [bw / aw for (aw, _), (bw, _) in zip(a, b)]
    med = statistics.median
    print()
    print(f"input: {args.households:,} households, {sizes:,.0f} MiB of CSV; {args.runs} alternating runs after 1 warm-up each")
    print("| | wall median (min–max) | peak RSS median |")
    print("|---|---|---|")
    print(f"| vuonlen classify | {med(x for x, _ in a):.2f} s ({min(x for x, _ in a):.2f}–{max(x for x, _ in a):.2f}) | {med(m for _, m in a):.0f} MiB |")
    print(f"| DuckDB SQL | {med(x for x, _ in b):.2f} s ({min(x for x, _ in b):.2f}–{max(x for x, _ in b):.2f}) | {med(m for _, m in b):.0f} MiB |")
    print(f"| ratio DuckDB / vuonlen, pair by pair | median {med(ratios):.2f}× (min {min(ratios):.2f}×, max {max(ratios):.2f}×) | |")

    import duckdb  # noqa: E402 (only needed for the comparison)

    con = duckdb.connect()
    q = f"""
    WITH a AS (SELECT * FROM read_csv('{a_out}', header = true, all_varchar = true)),
         b AS (SELECT * FROM read_csv('{b_out}', header = true, all_varchar = true)),
         j AS (SELECT a.household_id AS ida, b.household_id AS idb, a.*, b.class AS b_class,
                      b.deprived AS b_deprived, b.deprivation_count AS b_count,
                      b.no_labour_capacity AS b_nlc, b.ethnic_minority AS b_em, b.merit AS b_merit
               FROM a FULL OUTER JOIN b ON a.household_id = b.household_id)
    SELECT count(*) AS households,
           count(*) FILTER (WHERE ida IS NULL OR idb IS NULL) AS missing,
           count(*) FILTER (WHERE class IS DISTINCT FROM b_class) AS class_diff,
           count(*) FILTER (WHERE coalesce(deprived, '') IS DISTINCT FROM coalesce(b_deprived, '')) AS deprived_diff,
           count(*) FILTER (WHERE deprivation_count IS DISTINCT FROM b_count) AS count_diff,
           count(*) FILTER (WHERE lower(no_labour_capacity) IN ('1', 'true') IS DISTINCT FROM lower(b_nlc) IN ('1', 'true')) AS nlc_diff,
           count(*) FILTER (WHERE lower(ethnic_minority) IN ('1', 'true') IS DISTINCT FROM lower(b_em) IN ('1', 'true')) AS em_diff,
           count(*) FILTER (WHERE lower(merit) IN ('1', 'true') IS DISTINCT FROM lower(b_merit) IN ('1', 'true')) AS merit_diff
    FROM j
    """
    row = con.execute(q).fetchone()
    cols = ["households", "missing", "class", "deprived", "deprivation_count", "no_labour_capacity", "ethnic_minority", "merit"]
    print()
    print("agreement: " + ", ".join(f"{c} {v:,}" for c, v in zip(cols, row)) + " (all but the first must be 0)")
    classes = con.execute(f"SELECT class, count(*) FROM read_csv('{a_out}', header = true) GROUP BY 1 ORDER BY 1").fetchall()
    print("classes (vuonlen): " + ", ".join(f"{c} {n:,}" for c, n in classes))
    if any(row[1:]):
        sys.exit("the two implementations disagree")


if __name__ == "__main__":
    main()
