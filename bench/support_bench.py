#!/usr/bin/env python3
"""Support records at scale (issue 14; docs/benchmarks.md §10).

On a registry of one province of N households (period 2025), on SQLite and PostgreSQL:

  import    `vuonlen support import --file S.csv`: one support record per household (N records;
            kinds cycling through a health-insurance card for member 1, a policy loan, a house
            repaired, legal aid), every household looked up, every member checked, the
            households' form-8 groups kept — one transaction (target: 1M records < 60 s)
  peer      the same engine loading the same rows into a table of the same shape with its own
            bulk loader (SQLite `.import`, PostgreSQL `\\copy`): the floor of the work
  form 8    `vuonlen report --form 8 --unit PROVINCE --period 2025` right after the import (the
            changed communes' report cache rebuilt) and again (read from the cache)
  coverage  `vuonlen support coverage --unit PROVINCE --year 2025 --out C.csv`: for every commune,
            the list's poor and near-poor households and persons and, per kind, the households,
            persons, records and amounts reached (target: < 2 s for a 1M-household province)
  peer      the same numerators as one SQL statement in the engine's own shell (sqlite3, psql):
            the join and GROUP BY the program sends, without the program around it

Each timed command runs once for the import (it writes) and --runs times for the form.

usage: bench/support.sh [--households 1000000] [--province 14] [--runs 3] [--skip sqlite|postgres]
"""
import argparse
import csv
import pathlib
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import review_round as rr  # noqa: E402  (its helpers: timed, vl, med, the engines)

KINDS = [("health_insurance_card", "1", ""), ("policy_loan", "", "30000000"), ("house_repaired", "", "20000000"),
         ("legal_aid", "", "")]
COLUMNS = "commune_code,household_code,member_no,kind,delivered_on,amount,project_code,source"


def support_file(households: pathlib.Path, out: pathlib.Path) -> int:
    n = 0
    with households.open(encoding="utf-8-sig") as f, out.open("w", encoding="utf-8") as w:
        w.write(COLUMNS + "\n")
        r = csv.DictReader(f)
        for row in r:
            kind, member, amount = KINDS[n % len(KINDS)]
            project = "DA5" if kind == "house_repaired" else ("DA3.TDA2" if kind == "health_insurance_card" else "")
            source = "policy_credit" if kind == "policy_loan" else ("central" if project else "")
            w.write(f"{row['commune_code']},{row['household_id']},{member},{kind},2025-{1 + n % 12:02d}-15,"
                    f"{amount},{project},{source}\n")
            n += 1
    return n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--households", type=int, default=1_000_000)
    ap.add_argument("--province", default="14")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--skip", default="")
    ap.add_argument("--no-build", action="store_true")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "-p", "vuonlen-cli"], cwd=rr.ROOT, check=True)
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="vuonlen-support-bench-"))
    rr.BIN = tmp / "vuonlen"
    shutil.copy2(rr.BUILT, rr.BIN)
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=rr.ROOT, capture_output=True, text=True).stdout
    print(f"binary: {rr.BUILT}, HEAD {head.strip()}", flush=True)
    d = rr.OUT / f"review-{args.households}-{args.province}-{args.seed}-2025"
    if not (d / "households.csv").exists():
        subprocess.run([str(rr.BIN), "synth", "--households", str(args.households), "--province", args.province,
                        "--as-of", "2025-12-31", "--seed", str(args.seed), "--out-dir", str(d)], check=True)
    support = tmp / "ho-tro.csv"
    n = support_file(d / "households.csv", support)
    print(f"{n:,} support records written", flush=True)
    rr.PG_DB = "vuonlen_support_bench"
    engines = []
    if "sqlite" not in skip:
        engines.append(rr.Sqlite(tmp))
    if "postgres" not in skip:
        engines.append(rr.Postgres())
    results = {}
    try:
        for eng in engines:
            results[eng.name] = run(eng, args, d, support, n, tmp)
    finally:
        for eng in engines:
            try:
                eng.drop("main")
            except subprocess.CalledProcessError as e:
                print(f"could not drop {eng.name}: {e}", file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)
    print("\n== results ==")
    names = list(results)
    print("| | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for k in next(iter(results.values())).keys() if results else []:
        print(f"| {k} | " + " | ".join(results[nm].get(k, "") for nm in names) + " |")


def run(eng, args, d: pathlib.Path, support: pathlib.Path, n: int, tmp: pathlib.Path) -> dict[str, str]:
    res: dict[str, str] = {}
    say = lambda m: print(f"  [{eng.name}] {m}", flush=True)  # noqa: E731
    eng.fresh("main")
    url = eng.url("main")
    w, _, _, _ = rr.timed(rr.vl(url, "import", "--period", "2025", "--households", str(d / "households.csv"),
                                     "--members", str(d / "members.csv"), "--standard", rr.STANDARD,
                                     "--errors", str(tmp / "import.errors.csv")))
    say(f"households imported: {w:.1f} s")
    w, rss, _, err = rr.timed(rr.vl(url, "support", "import", "--file", str(support),
                                    "--errors-out", str(tmp / "support.errors.csv")))
    say(f"support import: {w:.1f} s, peak {rss} MiB; {err.strip().splitlines()[-1]}")
    res[f"import {n:,} support records (one transaction)"] = f"{w:.1f} s"
    res["its peak memory"] = f"{rss} MiB"
    stored = eng.query("main", "SELECT COUNT(*) FROM support_record;").strip()
    masks = eng.query("main", "SELECT COUNT(*) FROM support_mask;").strip()
    res["records stored / households' group masks"] = f"{int(stored):,} / {int(masks):,}"
    # The peer: the same rows into a table of the same shape with the engine's bulk loader.
    ddl = ("CREATE TABLE peer_support (commune_code TEXT, household_code TEXT, member_no TEXT, kind TEXT, "
           "delivered_on TEXT, amount TEXT, project_code TEXT, source TEXT);")
    if eng.name == "sqlite":
        peer_cmd = [*eng.sql_cmd("main"), "-cmd", ddl, "-cmd", ".mode csv", "-cmd", f".import --skip 1 {support} peer_support",
                    "SELECT COUNT(*) FROM peer_support;"]
    else:
        eng.query("main", ddl)
        peer_cmd = [*eng.sql_cmd("main"), "-c", f"\\copy peer_support FROM '{support}' WITH (FORMAT csv, HEADER true)"]
    pw = rr.timed(peer_cmd)[0]
    res["peer: the engine's bulk load of the same rows"] = f"{pw:.1f} s"
    say(f"peer bulk load: {pw:.1f} s")
    f8 = tmp / "f8.xlsx"
    first = rr.timed(rr.vl(url, "report", "--form", "8", "--unit", args.province, "--period", "2025", "--out", str(f8)))
    then = [rr.timed(rr.vl(url, "report", "--form", "8", "--unit", args.province, "--period", "2025", "--out", str(f8)))[0]
            for _ in range(args.runs)]
    res["form 8 of the province: first after the import / then"] = f"{first[0]:.2f} s / {rr.med(then)}"
    say(f"form 8: first {first[0]:.2f} s, then {rr.med(then)}")
    cov = tmp / "coverage.csv"
    cov_runs = [rr.timed(rr.vl(url, "support", "coverage", "--unit", args.province, "--year", "2025", "--out", str(cov)))[0]
                for _ in range(args.runs)]
    with cov.open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    res[f"coverage of support, every commune ({len(rows) - 2} communes and the total)"] = rr.med(cov_runs)
    say(f"coverage: {rr.med(cov_runs)}; total row {rows[-1][:7]}")
    peer = (f"SELECT s.current_commune, c.class, r.kind, COUNT(*), COUNT(DISTINCT r.household_id), "
            f"COUNT(DISTINCT CASE WHEN r.member_no IS NULL THEN NULL ELSE r.household_id * 1000 + r.member_no END), "
            f"SUM(r.amount) FROM support_record r "
            f"JOIN survey s ON s.period = 2025 AND s.household_id = r.household_id "
            f"JOIN classification c ON c.period = 2025 AND c.standard_id = '{rr.STANDARD}' AND c.household_id = r.household_id "
            f"WHERE r.period = 2025 AND c.class IN ('poor', 'near_poor') AND s.current_province = '{args.province}' "
            f"GROUP BY 1, 2, 3;")
    peer_runs = [rr.timed([*eng.sql_cmd("main"), *(["-c", peer] if eng.name == "postgres" else [peer])])[0]
                 for _ in range(args.runs)]
    res["peer: the numerators' GROUP BY in the engine's shell"] = rr.med(peer_runs)
    say(f"peer coverage SQL: {rr.med(peer_runs)}")
    return res


if __name__ == "__main__":
    main()
