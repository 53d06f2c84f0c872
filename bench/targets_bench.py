#!/usr/bin/env python3
"""Plan targets and monitoring at scale (issue 13; docs/benchmarks.md §9).

On a registry of one province of N households over two periods (2025, 2026), on SQLite and
PostgreSQL:

  progress   `vuonlen targets progress --year 2026 --unit VN --communes --out P.csv`: every
             commune of the country (3,321) for every indicator the registry computes, with the
             province's communes holding targets from an imported target table (target < 2 s)
  peer       the same engine's SQL counting, for both periods, each commune's households by class
             (and its poor and near-poor households' deprivations) straight from the
             classifications — what the progress adds up, without the report cache
  rollup     `vuonlen monitoring rollup --kind annual --year 2026 --unit VN --out R.xlsx` once the
             34 provinces' annual reports are drafted, submitted and approved (target < 1 s)
  overhead   `vuonlen periods` (process start, connection, one small query), for scale

Each timed command runs --runs times; medians and ranges are printed.

usage: bench/targets.sh [--households 1000000] [--province 14] [--runs 5] [--skip sqlite|postgres]
"""
import argparse
import pathlib
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import review_round as rr  # noqa: E402  (its helpers: timed, vl, med, the engines)

YEAR = "2026"


def target_table(path: pathlib.Path, communes: list[str]) -> None:
    """A consistent table for the province's communes: each 10,000 households, 500 poor."""
    lines = ["unit_code,unit_name,households,poor_households,poor_rate_pct,target_reduction_households,"
             "poor_households_end,poor_rate_end_pct"]
    for c in communes:
        lines.append(f"{c},,10000,500,5.00,50,450,4.50")
    n = len(communes)
    lines.append(f",Tổng cộng,{10000 * n},{500 * n},5.00,{50 * n},{450 * n},4.50")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--households", type=int, default=1_000_000)
    ap.add_argument("--province", default="14")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--skip", default="")
    ap.add_argument("--no-build", action="store_true")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "-p", "vuonlen-cli"], cwd=rr.ROOT, check=True)
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="vuonlen-targets-bench-"))
    rr.BIN = tmp / "vuonlen"
    shutil.copy2(rr.BUILT, rr.BIN)
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=rr.ROOT, capture_output=True, text=True).stdout
    print(f"binary: {rr.BUILT}, HEAD {head.strip()}", flush=True)
    data = {}
    for period in (2025, 2026):
        d = rr.OUT / f"review-{args.households}-{args.province}-{args.seed}-{period}"
        if not (d / "households.csv").exists():
            subprocess.run([str(rr.BIN), "synth", "--households", str(args.households), "--province", args.province,
                            "--as-of", f"{period}-12-31", "--seed", str(args.seed), "--out-dir", str(d)], check=True)
        data[period] = d
    rr.PG_DB = "vuonlen_targets_bench"
    engines = []
    if "sqlite" not in skip:
        engines.append(rr.Sqlite(tmp))
    if "postgres" not in skip:
        engines.append(rr.Postgres())
    results = {}
    try:
        for eng in engines:
            results[eng.name] = run(eng, args, data, tmp)
    finally:
        for eng in engines:
            try:
                eng.drop("main")
            except subprocess.CalledProcessError as e:
                print(f"could not drop {eng.name}: {e}", file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)
    print("\n== results (medians; min–max) ==")
    names = list(results)
    print("| | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for k in next(iter(results.values())).keys() if results else []:
        print(f"| {k} | " + " | ".join(results[n].get(k, "") for n in names) + " |")


def run(eng, args, data, tmp: pathlib.Path) -> dict[str, str]:
    res: dict[str, str] = {}
    say = lambda m: print(f"  [{eng.name}] {m}", flush=True)  # noqa: E731
    eng.fresh("main")
    url = eng.url("main")
    for period in (2025, 2026):
        d = data[period]
        w, _, _, _ = rr.timed(rr.vl(url, "import", "--period", str(period), "--households", str(d / "households.csv"),
                                    "--members", str(d / "members.csv"), "--standard", rr.STANDARD,
                                    "--errors", str(tmp / f"import-{period}.errors.csv")))
        say(f"import {period}: {w:.1f} s")
    communes = eng.query("main", f"SELECT DISTINCT current_commune FROM survey WHERE period = 2026 AND "
                                 f"current_province = '{args.province}' ORDER BY 1;").split()
    table = tmp / "chi-tieu.csv"
    target_table(table, communes)
    rr.timed(rr.vl(url, "targets", "set", "--year", YEAR, "--unit", args.province,
                   "--figure", f"households={10000 * len(communes) + 1000}", "--figure", f"poor_households={500 * len(communes)}",
                   "--figure", f"target_reduction_households={50 * len(communes)}"))
    rr.timed(rr.vl(url, "targets", "import", "--year", YEAR, "--unit", args.province, "--file", str(table),
                   "--errors-out", str(tmp / "targets.errors.csv")))
    say(f"targets of {len(communes)} communes imported")

    over = [rr.timed(rr.vl(url, "periods"))[0] for _ in range(args.runs)]
    res["per-call overhead (`periods`)"] = rr.med(over)

    out = tmp / "progress.csv"
    first = rr.timed(rr.vl(url, "targets", "progress", "--year", YEAR, "--unit", "VN", "--communes", "--out", str(out)))
    times = [rr.timed(rr.vl(url, "targets", "progress", "--year", YEAR, "--unit", "VN", "--communes", "--out", str(out)))[0]
             for _ in range(args.runs)]
    rows = out.read_text(encoding="utf-8-sig").strip().splitlines()
    say(f"progress: first {first[0]:.2f} s, then {rr.med(times)}; {len(rows) - 1} rows; {first[3].strip()}")
    res["progress, every commune of the country (first / then)"] = f"{first[0]:.2f} s / {rr.med(times)}"
    res["rows (communes)"] = f"{len(rows) - 1:,}"

    peer_sql = ("SELECT s.current_commune, c.class, COUNT(*), SUM(c.deprived & 1), SUM(c.deprived & 2) "
                "FROM classification c JOIN survey s ON s.period = c.period AND s.household_id = c.household_id "
                "JOIN review_period rp ON rp.year = c.period AND rp.standard_id = c.standard_id "
                "WHERE c.period IN (2025, 2026) GROUP BY s.current_commune, c.class;")
    peer_cmd = [*eng.sql_cmd("main"), *(["-c"] if eng.name == "postgres" else []), peer_sql]
    peer = [rr.timed(peer_cmd)[0] for _ in range(args.runs)]
    res["peer: class counts per commune from the classifications, SQL"] = rr.med(peer)
    say(f"peer SQL: {rr.med(peer)}")

    provinces = [line.split(",")[1] for line in (rr.ROOT / "data/admin-units/units-2025.csv").read_text(encoding="utf-8").splitlines()
                 if line.startswith("province,")]
    for p in provinces:
        for step in ("draft", "submit"):
            rr.timed(rr.vl(url, "monitoring", step, "--kind", "annual", "--year", YEAR, "--unit", p))
        rr.timed(rr.vl(url, "monitoring", "approve", "--kind", "annual", "--year", YEAR, "--unit", p))
    say(f"{len(provinces)} provincial annual reports approved")
    xlsx = tmp / "rollup.xlsx"
    roll = [rr.timed(rr.vl(url, "monitoring", "rollup", "--kind", "annual", "--year", YEAR, "--unit", "VN",
                           "--today", "2026-12-10", "--out", str(xlsx)))[0] for _ in range(args.runs)]
    last = rr.timed(rr.vl(url, "monitoring", "rollup", "--kind", "annual", "--year", YEAR, "--unit", "VN", "--today", "2026-12-10"))
    say(f"national roll-up: {rr.med(roll)} — {last[3].strip()}")
    res["national roll-up of the approved provincial reports"] = rr.med(roll)
    return res


if __name__ == "__main__":
    main()
