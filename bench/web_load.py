#!/usr/bin/env python3
"""Load test of the web application (issue 4), side by side with PostgreSQL alone.

A registry with a province loaded (--prepare: 1,000,000 synthetic households of Hà Nội in the
periods 2024 and 2025, in the PostgreSQL database --db, then VACUUM ANALYZE). The release server runs on loopback;
wrk (Debian) sends requests from 50 connections for --duration seconds per scenario, signed in
as a province officer (the whole province) or a commune officer:

  dashboard-province   GET /?unit=01                      (province officer)
  dashboard-commune    GET /                              (commune officer)
  search-province      GET /ho?unit=01&q=NAME             (names rotate over 400 real ones, half
                                                            without diacritics)
  search-api           GET /api/v1/households?unit=01&q=NAME
  search-commune       GET /ho?q=NAME                     (commune officer: the same names in
                                                            the largest commune)
  peer: pgbench        the name search's SQL straight on PostgreSQL, 50 clients, the same
                       names: the floor the application adds its work to

Latency percentiles come from wrk --latency (p50, p90, p99). Each scenario is warmed up by one
request first (the dashboard's movements are computed once per period version, then cached).

usage: bench/web_load.sh [--prepare] [--db URL] [--duration 30] [--clients 50]
"""
import argparse
import http.cookiejar
import os
import pathlib
import random
import re
import subprocess
import sys
import time
import unicodedata
import urllib.parse
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BIN = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release" / "vuonlen"
PASSWORD = "tai-thu-hieu-nang"
ADDR = "127.0.0.1:18090"


def run(cmd, env=None, check=True):
    return subprocess.run(cmd, env={**os.environ, **(env or {})}, check=check, capture_output=True, text=True)


def fold(s: str) -> str:
    s = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in s if not unicodedata.combining(c)).lower()


def prepare(db: str, households: int) -> None:
    # The load database is created when it does not exist (a fresh machine has only `test`).
    base, _, name = db.replace("postgres://", "postgresql://").rpartition("/")
    name = name.split("?")[0]
    exists = run(["psql", f"{base}/postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"])
    if exists.stdout.strip() != "1":
        run(["psql", f"{base}/postgres", "-qc", f'CREATE DATABASE "{name}"'])
    for year, as_of in ((2024, "2024-12-31"), (2025, "2025-12-31")):
        data = OUT / f"registry-{households}-01-7-{year}"
        if not (data / "households.csv").exists():
            run([str(BIN), "synth", "--households", str(households), "--seed", "7", "--province", "01",
                 "--as-of", as_of, "--out-dir", str(data)])
        start = time.perf_counter()
        r = run([str(BIN), "--db", db, "import", "--period", str(year), "--households", str(data / "households.csv"),
                 "--members", str(data / "members.csv"), "--as-of", as_of, "--skip-invalid",
                 "--errors", str(OUT / f"load-{year}.errors.csv")],
                check=False)
        print(f"import {year}: {time.perf_counter() - start:.1f} s — {r.stderr.strip().splitlines()[-1] if r.stderr else ''}")
    # A fresh bulk load has no visibility map yet (autovacuum sets it in its own time): set it, so
    # that the index-only scans of search are measured as they run in steady state.
    run(["psql", db.replace("postgres://", "postgresql://"), "-qc", "VACUUM ANALYZE"])


def ensure_user(db: str, username: str, role: str, unit: str) -> None:
    r = run([str(BIN), "--db", db, "user", "add", "--username", username, "--role", role, "--unit", unit],
            env={"VUONLEN_PASSWORD": PASSWORD}, check=False)
    if r.returncode != 0 and "đã có" not in r.stderr and "is taken" not in r.stderr:
        sys.exit(r.stderr)


def sign_in(username: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"http://{ADDR}/dang-nhap").read().decode()
    csrf = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"_csrf": csrf, "username": username, "password": PASSWORD, "next": "/"}).encode()
    opener.open(urllib.request.Request(f"http://{ADDR}/dang-nhap", data=form,
                                       headers={"Origin": f"http://{ADDR}"})).read()
    for c in jar:
        if c.name == "vuonlen_session":
            return c.value
    sys.exit(f"could not sign in as {username}")


def names(households: int) -> list[str]:
    """400 member names of the 2025 file (every k-th line), half of them without diacritics."""
    path = OUT / f"registry-{households}-01-7-2025" / "members.csv"
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split(",")
        col = header.index("full_name")
        lines = [line.split(",")[col] for i, line in enumerate(f) if i % 8000 == 0]
    random.seed(4)
    picked = random.sample(lines, min(400, len(lines)))
    return [fold(n) if i % 2 else n for i, n in enumerate(picked)]


def wrk(paths: list[str], cookie: str, duration: int, clients: int) -> dict:
    script = OUT / "wrk_paths.lua"
    quoted = ",\n".join('"' + p.replace('"', '\\"') + '"' for p in paths)
    script.write_text(
        "local paths = {\n" + quoted + "\n}\nlocal i = 0\n"
        "request = function()\n  i = i % #paths + 1\n"
        f"  return wrk.format('GET', paths[i], {{['Cookie'] = 'vuonlen_session={cookie}'}})\nend\n"
        "response = function(status, headers, body)\n  if status ~= 200 then errors_seen = (errors_seen or 0) + 1 end\nend\n",
        encoding="utf-8")
    out = run(["wrk", "-t2", f"-c{clients}", f"-d{duration}s", "--latency", "-s", str(script), f"http://{ADDR}"]).stdout
    def pct(p):
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)", out, re.M)
        if not m:
            return float("nan")
        v, unit = float(m.group(1)), m.group(2)
        return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"p50": pct(50), "p90": pct(90), "p99": pct(99), "rps": rps, "non2xx": int(non2xx.group(1)) if non2xx else 0}


def pgbench(db: str, queries: list[str], duration: int, clients: int) -> dict:
    """The name search's own SQL on PostgreSQL (crates/store/src/name_search.rs, `name_search_merged`:
    the distinct names the query begins, for each its first members in list order from the
    member search index, merged into the first page; the count of households among the first
    1,002 matches) alone, over the same names: the floor under what the application adds
    (sessions, the page's rows, HTML or JSON)."""
    scripts = []
    c = 'COLLATE "C"'
    area = "(m.current_province IN ('01')) AND m.current_province = '01'"
    for i, q in enumerate(queries[:100]):
        lo = fold(q).replace("'", "''")
        hi = lo + "\U0010ffff"
        rng = f"m.name_key {c} >= '{lo}' AND m.name_key {c} < '{hi}' AND m.period = 2025"
        sql = (
            f"WITH RECURSIVE k(name, n) AS ((SELECT m.name_key {c}, 1 FROM member m WHERE {rng} ORDER BY m.name_key {c} LIMIT 1) "
            f"UNION ALL SELECT (SELECT m.name_key {c} FROM member m WHERE m.name_key {c} > k.name AND m.name_key {c} < '{hi}' "
            f"AND m.period = 2025 ORDER BY m.name_key {c} LIMIT 1), k.n + 1 FROM k WHERE k.name IS NOT NULL AND k.n <= 64) "
            "SELECT CAST(0 AS BIGINT), t.household_id, CAST(0 AS BIGINT), t.head_sort, t.household_code FROM ("
            "SELECT r.household_id, r.head_sort, r.household_code FROM k, LATERAL (SELECT m.household_id, m.head_sort, "
            f"m.household_code FROM member m WHERE m.name_key {c} = k.name AND m.period = 2025 AND {area} "
            f"ORDER BY m.head_sort {c}, m.household_code {c}, m.household_id LIMIT 100) AS r WHERE k.name IS NOT NULL "
            f"ORDER BY r.head_sort {c}, r.household_code {c}, r.household_id LIMIT 100) AS t "
            "UNION ALL SELECT CAST(1 AS BIGINT), COUNT(DISTINCT y.household_id), COUNT(*), NULL, NULL FROM ("
            f"SELECT m.household_id FROM member m WHERE {rng} AND {area} LIMIT 1002) AS y "
            "UNION ALL SELECT CAST(2 AS BIGINT), COUNT(k.name), CAST(0 AS BIGINT), NULL, NULL FROM k;\n")
        p = OUT / f"pgbench_search_{i}.sql"
        p.write_text(sql, encoding="utf-8")
        scripts += ["-f", str(p)]
    out = run(["pgbench", "-n", "-c", str(clients), "-j", "2", "-T", str(duration), "-r", "--protocol=prepared",
               *scripts, db.replace("postgres://", "postgresql://")], check=False)
    text = out.stdout + out.stderr
    lat = re.search(r"latency average = ([\d.]+) ms", text)
    tps = re.search(r"tps = ([\d.]+)", text)
    if not lat:
        print(text[-2000:], file=sys.stderr)
    return {"avg": float(lat.group(1)) if lat else float("nan"), "tps": float(tps.group(1)) if tps else float("nan")}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default=os.environ.get("BENCH_WEB_DB", "postgres://postgres@127.0.0.1:5432/vuonlen_load"))
    ap.add_argument("--households", type=int, default=1_000_000)
    ap.add_argument("--duration", type=int, default=30)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--prepare", action="store_true", help="generate and import the two periods first")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    run(["cargo", "build", "--release", "-p", "vuonlen-cli"])
    if args.prepare:
        prepare(args.db, args.households)
    commune = run(["psql", args.db.replace("postgres://", "postgresql://"), "-Atc",
                   "SELECT current_commune FROM survey WHERE period = 2025 GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1"]).stdout.strip()
    ensure_user(args.db, "tai.tinh01", "province_officer", "01")
    ensure_user(args.db, f"tai.xa{commune}", "commune_officer", commune)
    server = subprocess.Popen([str(BIN), "--db", args.db, "serve", "--addr", ADDR], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://{ADDR}/healthz").read()
                break
            except OSError:
                time.sleep(0.2)
        province, officer = sign_in("tai.tinh01"), sign_in(f"tai.xa{commune}")
        qs = names(args.households)
        enc = [urllib.parse.quote(q) for q in qs]
        scenarios = [
            ("dashboard-province", ["/?unit=01"], province),
            ("dashboard-commune", ["/"], officer),
            ("search-province", [f"/ho?unit=01&q={q}" for q in enc], province),
            ("search-api", [f"/api/v1/households?unit=01&q={q}" for q in enc], province),
            ("search-commune", [f"/ho?q={q}" for q in enc], officer),
        ]
        settings = run(["psql", args.db.replace("postgres://", "postgresql://"), "-Atc",
                        "SELECT version() || ', shared_buffers ' || current_setting('shared_buffers')"]).stdout.strip()
        print(f"{args.households:,} households, {args.clients} connections, {args.duration} s each; commune {commune}")
        print(settings.split(" on ")[0] + "," + settings.split(",")[-1])
        print(f"{'scenario':<22}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'req/s':>9}{'non-2xx':>9}")
        for name, paths, cookie in scenarios:
            for p in paths[:3]:
                urllib.request.urlopen(urllib.request.Request(f"http://{ADDR}{p}", headers={"Cookie": f"vuonlen_session={cookie}"})).read()
            r = wrk(paths, cookie, args.duration, args.clients)
            print(f"{name:<22}{r['p50']:>9.1f}{r['p90']:>9.1f}{r['p99']:>9.1f}{r['rps']:>9.0f}{r['non2xx']:>9}")
        pg = pgbench(args.db, qs, args.duration, args.clients)
        print(f"{'peer: pgbench search SQL':<26} mean {pg['avg']:.1f} ms, {pg['tps']:.0f} queries/s")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
