#!/usr/bin/env python3
"""Registry benchmark of issue 3, each step side by side with a peer in the same run.

On N synthetic households of one province (default 1,000,000 in province 01):

  import     `vuonlen import` into a fresh SQLite file and a fresh PostgreSQL schema
             peer: a raw bulk load of the same two CSV files into untyped tables, no checks,
             no classification, no indexes (sqlite3 `.import`, psql `\\copy`): the floor any
             loader has to pay for reading the bytes into the engine
  what-if    `vuonlen reclassify --standard 2027-2030` over the whole period (reads the stored
             answers, classifies every household under both standards, counts the changes)
             peer: the DuckDB SQL classification of the same households from the CSV files
             (bench/duckdb_classify.py, the peer of the classification benchmark)
  forms      `vuonlen report --form 1` and `--form 4` for the province, as XLSX
             peer: the engine's own GROUP BY of households by commune and class over the
             stored classification (the core of form 1), through sqlite3 / psql
  edit       (issue 15) the first `vuonlen report --form 1` after a re-import that changed one
             household's answer (the report cache rebuilds that commune only), alternating with
             the first report after `vuonlen reclassify` of the whole period (every commune
             rebuilt: what every change cost before) and the SQL GROUP BY peer

Runs alternate (A B A B …); each run is a separate process whose wall time and peak RSS come
from the kernel (os.wait4). Import runs start from an empty database each time. Afterwards the
province totals of form 1 are checked against the SQL peer's counts.

usage: bench/registry.sh [--households 1000000] [--province 01] [--runs 3] [--skip import,whatif,...]
Needs: a release build (built here), sqlite3 and psql on PATH, PostgreSQL on 127.0.0.1:5432
(trust auth, database test), Python packages duckdb and openpyxl (bench/registry.sh installs them).
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
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432/test")
SCHEMA = "bench_registry"


def timed(cmd: list[str], env: dict | None = None, stdin: str | None = None) -> tuple[float, int, str]:
    """Runs cmd; returns (wall seconds, peak RSS in MiB, stdout). Fails loudly on a non-zero exit."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **(env or {})})
    if stdin is not None:
        assert proc.stdin
        proc.stdin.write(stdin.encode())
        proc.stdin.close()
    assert proc.stdout and proc.stderr
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"command failed ({code}): {' '.join(cmd)}\n{err.decode()[-3000:]}")
    return wall, usage.ru_maxrss // 1024, out.decode()


def psql(sql: str) -> str:
    return subprocess.run(["psql", PG, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True,
                          capture_output=True, text=True).stdout


def fresh_pg_schema() -> str:
    psql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}")
    return f"{PG}?options=-csearch_path%3D{SCHEMA}"


def fmt(xs: list[float]) -> str:
    return f"{statistics.median(xs):.2f} s (min {min(xs):.2f}, max {max(xs):.2f})"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--households", type=int, default=1_000_000)
    ap.add_argument("--province", default="01")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--as-of", default="2025-12-31")
    ap.add_argument("--skip", default="",
                    help="comma-separated: sqlite,postgres (engines), import,whatif,forms (steps)")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))

    subprocess.run(["cargo", "build", "--release", "--locked", "-p", "vuonlen-cli"], cwd=ROOT, check=True)
    data = OUT / f"registry-{args.households}-{args.province}-{args.seed}"
    hh, mem = data / "households.csv", data / "members.csv"
    if not hh.exists():
        print(f"generating {args.households} households of province {args.province} into {data} …", flush=True)
        subprocess.run([str(BIN), "synth", "--households", str(args.households), "--seed", str(args.seed),
                        "--province", args.province, "--as-of", args.as_of, "--out-dir", str(data)], check=True)
    mib = (hh.stat().st_size + mem.stat().st_size) / 2**20
    members = sum(1 for _ in open(mem, "rb")) - 1
    print(f"data: {args.households} households, {members} members, {mib:.0f} MiB of CSV", flush=True)
    lite = OUT / "registry-bench.db"
    lite_url = f"sqlite://{lite}"
    results: list[str] = []
    # The SQL peer of the forms: households by commune and class (the core of form 1).
    group = ("SELECT s.current_commune, c.class, COUNT(*) FROM classification c JOIN survey s "
             "ON s.period = c.period AND s.household_id = c.household_id WHERE c.period = 2025 "
             "AND c.standard_id = '2022-2025' "
             f"AND s.current_province = '{args.province}' GROUP BY 1, 2 ORDER BY 1, 2;")

    def import_cmd(url: str) -> list[str]:
        return [str(BIN), "--db", url, "import", "--period", "2025", "--households", str(hh), "--members",
                str(mem), "--as-of", args.as_of, "--standard", "2022-2025", "--errors", str(OUT / "import.errors.csv")]

    def clear_sqlite() -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            pathlib.Path(f"{lite}{suffix}").unlink(missing_ok=True)

    raw_sqlite = f".mode csv\n.import {hh} raw_household\n.import {mem} raw_member\n"
    raw_pg = (f"CREATE TABLE raw_household ({', '.join(f'c{i} text' for i in range(cols(hh)))});\n"
              f"CREATE TABLE raw_member ({', '.join(f'c{i} text' for i in range(cols(mem)))});\n"
              f"\\copy raw_household FROM '{hh}' WITH (FORMAT csv, HEADER true)\n"
              f"\\copy raw_member FROM '{mem}' WITH (FORMAT csv, HEADER true)\n")

    # 1. Import, alternating with the raw load, each from empty.
    for engine in ("sqlite", "postgres"):
        if engine in skip or "import" in skip:
            continue
        ours, peer, rss = [], [], []
        for _ in range(args.runs):
            if engine == "sqlite":
                clear_sqlite()
                w, r, _ = timed(import_cmd(lite_url))
                clear_sqlite()
                p, _, _ = timed(["sqlite3", str(lite)], stdin=raw_sqlite)
                clear_sqlite()
            else:
                url = fresh_pg_schema()
                w, r, _ = timed(import_cmd(url))
                fresh_pg_schema()
                p, _, _ = timed(["psql", f"{PG}?options=-csearch_path%3D{SCHEMA}", "-X", "-q", "-v",
                                 "ON_ERROR_STOP=1"], stdin=raw_pg)
            ours.append(w)
            peer.append(p)
            rss.append(r)
            print(f"  import {engine}: vuonlen {w:.2f} s ({r} MiB), raw load {p:.2f} s", flush=True)
        ratio = [a / b for a, b in zip(ours, peer)]
        results.append(f"import {engine}: vuonlen {fmt(ours)}, peak {max(rss)} MiB; raw load {fmt(peer)}; "
                       f"ratio vuonlen/raw median {statistics.median(ratio):.2f}")
    # Leave one imported registry per engine for the next steps.
    urls = {}
    if "sqlite" not in skip:
        clear_sqlite()
        timed(import_cmd(lite_url))
        urls["sqlite"] = lite_url
    if "postgres" not in skip:
        url = fresh_pg_schema()
        timed(import_cmd(url))
        urls["postgres"] = url

    # 2. What-if re-classification, alternating with DuckDB classifying the same households.
    if "whatif" not in skip:
        duck = [sys.executable, str(ROOT / "bench" / "duckdb_classify.py"), str(hh), str(mem), args.as_of,
                str(OUT / "registry-duckdb.csv")]
        for engine, url in urls.items():
            ours, peer, rss, matrix = [], [], [], ""
            for _ in range(args.runs):
                w, r, matrix = timed([str(BIN), "--db", url, "reclassify", "--period", "2025", "--standard",
                                      "2027-2030"])
                p, _, _ = timed(duck)
                ours.append(w)
                peer.append(p)
                rss.append(r)
                print(f"  what-if {engine}: vuonlen {w:.2f} s ({r} MiB), duckdb classify {p:.2f} s", flush=True)
            results.append(f"what-if {engine}: vuonlen {fmt(ours)}, peak {max(rss)} MiB; DuckDB classify "
                           f"{fmt(peer)}\n{matrix.strip()}")

    # 3. Forms 1 and 4 for the province, alternating with the SQL GROUP BY peer.
    if "forms" not in skip:
        for engine, url in urls.items():
            peer_cmd = (["sqlite3", str(lite), group] if engine == "sqlite" else
                        ["psql", url, "-X", "-q", "-At", "-c", group])
            for form in (1, 4):
                ours, peer = [], []
                out = OUT / f"registry-form{form}-{engine}.xlsx"
                sql_out = ""
                for _ in range(max(args.runs, 5)):
                    w, _, _ = timed([str(BIN), "--db", url, "report", "--form", str(form), "--unit", args.province,
                                     "--period", "2025", "--out", str(out)])
                    p, _, sql_out = timed(peer_cmd)
                    ours.append(w)
                    peer.append(p)
                results.append(f"form {form} {engine}: vuonlen {fmt(ours)}; SQL GROUP BY {fmt(peer)}")
                if form == 1:
                    check_form1(out, sql_out)
    # 4. The first report after one household changed, against the first after a whole-period
    # change, alternating.
    if "edit" not in skip:
        changed = OUT / f"registry-{args.households}-{args.province}-{args.seed}-one-change"
        changed.mkdir(exist_ok=True)
        hh_b = changed / "households.csv"
        if not hh_b.exists():
            with open(hh, encoding="utf-8") as src, open(hh_b, "w", encoding="utf-8") as dst:
                header = src.readline()
                dst.write(header)
                import csv
                import io
                floor = next(csv.reader([header])).index("floor_area_m2")
                row = next(csv.reader([src.readline()]))
                row[floor] = "7.5" if row[floor] != "7.5" else "8.5"
                line = io.StringIO()
                csv.writer(line, lineterminator="\n").writerow(row)
                dst.write(line.getvalue())
                for line in src:
                    dst.write(line)
        for engine, url in urls.items():
            peer_cmd = (["sqlite3", str(lite), group] if engine == "sqlite" else
                        ["psql", url, "-X", "-q", "-At", "-c", group])
            out = OUT / f"registry-edit-{engine}.xlsx"
            report = [str(BIN), "--db", url, "report", "--form", "1", "--unit", args.province, "--period", "2025",
                      "--out", str(out)]
            one, whole, peer, reimport = [], [], [], []
            for i in range(args.runs):
                source = hh_b if i % 2 == 0 else hh
                cmd = import_cmd(url)
                cmd[cmd.index(str(hh))] = str(source)
                r, _, _ = timed(cmd)
                w1, _, _ = timed(report)
                timed([str(BIN), "--db", url, "reclassify", "--period", "2025"])
                w2, _, _ = timed(report)
                p, _, sql_out = timed(peer_cmd)
                check_form1(out, sql_out)
                one.append(w1)
                whole.append(w2)
                peer.append(p)
                reimport.append(r)
                print(f"  edit {engine}: re-import {r:.2f} s; first form 1 after it {w1:.2f} s; "
                      f"after a whole-period change {w2:.2f} s; SQL GROUP BY {p:.2f} s", flush=True)
            ratio = [b / a for a, b in zip(one, whole)]
            results.append(f"edit {engine}: first form 1 after one change {fmt(one)}; after a whole-period "
                           f"change {fmt(whole)} (median ratio {statistics.median(ratio):.1f}×); SQL GROUP BY "
                           f"{fmt(peer)}; re-import with one change {fmt(reimport)}")
    print("\n".join(["", "== results =="] + results))


def cols(path: pathlib.Path) -> int:
    with open(path, encoding="utf-8") as f:
        return f.readline().count(",") + 1


def check_form1(xlsx: pathlib.Path, sql_out: str) -> None:
    """The province total row of form 1 must equal the SQL counts (households, poor, near-poor)."""
    import openpyxl

    counts: dict[str, int] = {}
    for line in sql_out.strip().splitlines():
        parts = line.replace("|", ",").split(",")
        counts[parts[1]] = counts.get(parts[1], 0) + int(parts[2])
    total = sum(counts.values())
    ws = openpyxl.load_workbook(xlsx, read_only=True).active
    numbers = []
    for row in ws.iter_rows(values_only=True):
        if any(isinstance(v, str) and v.strip().lower().startswith("tổng cộng") for v in row):
            numbers = [v for v in row if isinstance(v, (int, float))]
    want = [total, counts.get("poor", 0), counts.get("near_poor", 0)]
    if not all(w in numbers for w in want):
        sys.exit(f"form 1 total row {numbers} does not hold the SQL counts {want}")
    print(f"  form 1 agrees with SQL: households {total}, poor {want[1]}, near-poor {want[2]}", flush=True)


if __name__ == "__main__":
    main()
