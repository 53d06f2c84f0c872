#!/usr/bin/env python3
"""Review-round benchmark of issue 12, with a hand-written SQL peer in the same run.

A province registry of N synthetic households (default 1,000,000 in province 14, Sơn La) in two
review periods: 2025 (`synth --as-of 2025-12-31`, imported with the default standard) and 2026
(`synth --as-of 2026-12-31`, imported with `--standard 2022-2025`). The annual round of 2026
lists the households that were poor or near-poor in 2025; those are reviewed. Timed, each
`vuonlen` call a separate process (VUONLEN_USER=bench):

  overhead   `vuonlen review rounds`: process start, connection, one small query
  open       `vuonlen review open --period 2026 --province P` (prints the round id)
  list       `vuonlen review list --round R` (all communes at once)
  steps      for every commune with households listed (`review status --round R --today
             2026-10-01`): `review survey --commune C --all`, `review meeting --commune C --all
             --held-on 2026-10-15 --attendees 40 --agreeing 30`, `review post --commune C --from
             2026-12-01 --to 2026-12-03`
  forms      `vuonlen report --form 1|2|3|12|13 --unit P --period 2026` before the decisions
  decisions  for every commune: `review decide --round R --commune C --number C/QĐ-UBND --date
             2026-12-04 --signer …` — the requirement's figure (< 60 s for the province)
  forms      forms 1, 2, 3, 12, 13 after the decisions, a first (rebuilds the report cache of the changed
             communes) and a second time (< 1 s)
  peer       the decision's own statements (crates/store/src/review/decision.rs: the UPDATEs of
             review_case, classification and review_commune, the INSERT of period_lock, the
             report-cache mark) for all communes in one transaction through sqlite3 / psql, on a
             copy of the same database at the same point; then the same statements per commune
             as decision.rs runs them (readiness reads included, one transaction per commune, all
             in one process), as written and with review_case's current_province bound too

The decisions are timed on a copy of the database taken after the steps (SQLite: the file
copied; PostgreSQL: CREATE DATABASE … TEMPLATE), --runs times, alternating with the peers on
other copies. After each run the copies decided by vuonlen and by each peer are compared
(review cases by commune, stage and classes; the classification by class; the decisions; the
locks), and form 1's province total row is checked against the engine's own count.

usage: bench/review_round.sh [--households 1000000] [--province 14] [--runs 2] [--skip sqlite,postgres]
Needs: a release build (built here), sqlite3 and psql on PATH, PostgreSQL on 127.0.0.1:5432
(trust auth; databases vuonlen_review_bench* are created and dropped), openpyxl.
"""
import argparse
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BUILT = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release" / "vuonlen"
BIN = BUILT  # replaced by a private copy once built: others may rebuild target/ during the run
PG = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_DB = "vuonlen_review_bench"
ENV = {"VUONLEN_USER": "bench"}
STANDARD = "2022-2025"
AT = "2026-12-04T08:00:00.000Z"


# The forms timed: the unit tallies (1), the movements (2, 3) and the profiles (12, 13).
FORMS = (1, 2, 3, 12, 13)


def timed(cmd: list[str], stdin: str | None = None) -> tuple[float, int, str, str]:
    """Runs cmd; returns (wall seconds, peak RSS in MiB, stdout, stderr). Fails loudly."""
    with tempfile.TemporaryFile() as o, tempfile.TemporaryFile() as e:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                                stdout=o, stderr=e, env={**os.environ, **ENV})
        if stdin is not None:
            assert proc.stdin
            proc.stdin.write(stdin.encode())
            proc.stdin.close()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        o.seek(0)
        e.seek(0)
        out, err = o.read().decode(), e.read().decode()
    if code != 0:
        sys.exit(f"command failed ({code}) after {wall:.2f} s: {' '.join(cmd)}\n"
                 f"stdout: {out[-2000:]}\nstderr: {err[-3000:]}")
    return wall, usage.ru_maxrss // 1024, out, err


def vl(url: str, *args: str) -> list[str]:
    return [str(BIN), "--db", url, *args]


def med(xs: list[float]) -> str:
    if not xs:
        return "–"
    if len(xs) == 1:
        return f"{xs[0]:.2f} s"
    return f"{statistics.median(xs):.2f} s ({min(xs):.2f}–{max(xs):.2f})"


class Sqlite:
    name = "sqlite"

    def __init__(self, tmp: pathlib.Path):
        self.tmp = tmp

    def path(self, which: str) -> pathlib.Path:
        return self.tmp / f"review-{which}.db"

    def url(self, which: str) -> str:
        return f"sqlite://{self.path(which)}"

    def drop(self, which: str) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            pathlib.Path(f"{self.path(which)}{suffix}").unlink(missing_ok=True)

    def fresh(self, which: str) -> None:
        self.drop(which)

    def copy(self, src: str, dst: str) -> None:
        self.drop(dst)
        for suffix in ("", "-wal"):
            s = pathlib.Path(f"{self.path(src)}{suffix}")
            if s.exists():
                shutil.copyfile(s, f"{self.path(dst)}{suffix}")

    def sql_cmd(self, which: str) -> list[str]:
        return ["sqlite3", "-bail", str(self.path(which))]

    def query(self, which: str, sql: str) -> str:
        return subprocess.run(["sqlite3", str(self.path(which)), sql], check=True, capture_output=True,
                              text=True).stdout


class Postgres:
    name = "postgres"

    def db(self, which: str) -> str:
        return PG_DB if which == "main" else f"{PG_DB}_{which}"

    def url(self, which: str) -> str:
        return f"{PG}/{self.db(which)}"

    def admin(self, sql: str) -> None:
        subprocess.run(["psql", f"{PG}/postgres", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True,
                       capture_output=True)

    def drop(self, which: str) -> None:
        self.admin(f"DROP DATABASE IF EXISTS {self.db(which)}")

    def fresh(self, which: str) -> None:
        self.drop(which)
        self.admin(f"CREATE DATABASE {self.db(which)}")

    def copy(self, src: str, dst: str) -> None:
        self.drop(dst)
        self.admin(f"CREATE DATABASE {self.db(dst)} TEMPLATE {self.db(src)} STRATEGY FILE_COPY")

    def sql_cmd(self, which: str) -> list[str]:
        return ["psql", self.url(which), "-X", "-q", "-v", "ON_ERROR_STOP=1"]

    def query(self, which: str, sql: str) -> str:
        return subprocess.run(["psql", self.url(which), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
                              check=True, capture_output=True, text=True).stdout


def peer_sql(round_id: int, period: int, province: str, signer: str) -> str:
    """The statements of one decision (decision.rs), for every commune of the round at once."""
    r = round_id
    return f"""BEGIN;
UPDATE review_case SET computed_class = (SELECT c.class FROM classification c
    WHERE c.period = {period} AND c.standard_id = '{STANDARD}' AND c.household_id = review_case.household_id)
  WHERE round_id = {r} AND stage = 'agreed';
UPDATE review_case SET stage = 'decided', updated_at = '{AT}', recognised_class = COALESCE(
    (SELECT k.recheck_class FROM review_complaint k WHERE k.round_id = review_case.round_id
       AND k.household_id = review_case.household_id AND k.outcome = 'upheld' ORDER BY k.id DESC LIMIT 1),
    computed_class)
  WHERE round_id = {r} AND stage = 'agreed';
UPDATE review_case SET recognised_class = COALESCE(previous_class, 'not_poor'), updated_at = '{AT}'
  WHERE round_id = {r} AND stage = 'screened_out' AND recognised_class IS NULL;
UPDATE classification SET class = (SELECT r.recognised_class FROM review_case r
    WHERE r.round_id = {r} AND r.household_id = classification.household_id)
  WHERE period = {period} AND standard_id = '{STANDARD}' AND household_id IN (
    SELECT household_id FROM review_case WHERE round_id = {r}
      AND recognised_class IS NOT NULL AND recognised_class <> COALESCE(computed_class, ''));
UPDATE review_commune SET decision_number = current_commune || '/QĐ-UBND', decided_on = '2026-12-04',
    signer = '{signer}', decided_by = 'bench'
  WHERE round_id = {r} AND current_commune IN (SELECT current_commune FROM review_case WHERE round_id = {r});
INSERT INTO period_lock (period, current_commune, current_province, round_id, decision_number, locked_at)
  SELECT {period}, current_commune, current_province, {r}, decision_number, '{AT}' FROM review_commune
  WHERE round_id = {r} AND decision_number IS NOT NULL
  ON CONFLICT (period, current_commune) DO UPDATE SET round_id = excluded.round_id,
    decision_number = excluded.decision_number, locked_at = excluded.locked_at;
INSERT INTO registry_version (period, version) VALUES ({period}, 1)
  ON CONFLICT (period) DO UPDATE SET version = registry_version.version + 1;
INSERT INTO tally_change (period, version, current_province, current_commune)
  SELECT {period}, (SELECT version FROM registry_version WHERE period = {period}), current_province, current_commune
  FROM review_commune WHERE round_id = {r} AND decision_number IS NOT NULL;
COMMIT;
"""


def peer_per_commune_sql(round_id: int, period: int, province: str, signer: str, communes: list[str],
                         with_province: bool) -> str:
    """The statements of one decision as decision.rs runs them, one transaction per commune, all in
    one sqlite3 / psql process: the readiness reads, the writes, the counts and differences read
    back, the report-cache mark; no audit row. `with_province` also binds review_case's
    current_province, so that the index review_case_place (round_id, current_province,
    current_commune, stage) is usable past its first column (the statements as written bind
    round_id and current_commune only)."""
    r = round_id
    out = []
    for c in communes:
        p = f" AND current_province = '{province}'" if with_province else ""
        rp = f" AND r.current_province = '{province}'" if with_province else ""
        w = f"round_id = {r}{p} AND current_commune = '{c}'"
        out.append(f"""BEGIN;
SELECT posting_starts, posting_ends, decision_number FROM review_commune WHERE round_id = {r} AND current_commune = '{c}';
SELECT stage, COUNT(*) FROM review_case WHERE {w} GROUP BY stage;
SELECT COUNT(*) FROM review_complaint k JOIN review_case r ON r.round_id = k.round_id
  AND r.household_id = k.household_id WHERE k.round_id = {r}{rp} AND r.current_commune = '{c}' AND k.outcome IS NULL;
UPDATE review_case SET computed_class = (SELECT c.class FROM classification c WHERE c.period = {period}
    AND c.standard_id = '{STANDARD}' AND c.household_id = review_case.household_id)
  WHERE {w} AND stage = 'agreed';
UPDATE review_case SET stage = 'decided', updated_at = '{AT}', recognised_class = COALESCE(
    (SELECT k.recheck_class FROM review_complaint k WHERE k.round_id = review_case.round_id
       AND k.household_id = review_case.household_id AND k.outcome = 'upheld' ORDER BY k.id DESC LIMIT 1),
    computed_class)
  WHERE {w} AND stage = 'agreed';
UPDATE review_case SET recognised_class = COALESCE(previous_class, 'not_poor'), updated_at = '{AT}'
  WHERE {w} AND stage = 'screened_out' AND recognised_class IS NULL;
UPDATE classification SET class = (SELECT r.recognised_class FROM review_case r
    WHERE r.round_id = {r} AND r.household_id = classification.household_id)
  WHERE period = {period} AND standard_id = '{STANDARD}' AND household_id IN (SELECT household_id FROM review_case
    WHERE {w} AND recognised_class IS NOT NULL AND recognised_class <> COALESCE(computed_class, ''));
UPDATE review_commune SET decision_number = '{c}/QĐ-UBND', decided_on = '2026-12-04', signer = '{signer}',
    decided_by = 'bench' WHERE round_id = {r} AND current_commune = '{c}';
INSERT INTO period_lock (period, current_commune, current_province, round_id, decision_number, locked_at)
  VALUES ({period}, '{c}', '{province}', {r}, '{c}/QĐ-UBND', '{AT}')
  ON CONFLICT (period, current_commune) DO UPDATE SET round_id = excluded.round_id,
    decision_number = excluded.decision_number, locked_at = excluded.locked_at;
SELECT SUM(CASE WHEN recognised_class = 'poor' THEN 1 ELSE 0 END),
       SUM(CASE WHEN recognised_class = 'near_poor' THEN 1 ELSE 0 END),
       SUM(CASE WHEN previous_class = 'poor' AND recognised_class <> 'poor' THEN 1 ELSE 0 END),
       SUM(CASE WHEN previous_class = 'near_poor' AND recognised_class NOT IN ('poor', 'near_poor') THEN 1 ELSE 0 END)
  FROM review_case WHERE {w} AND stage = 'decided';
SELECT h.household_code, COALESCE(r.computed_class, ''), r.recognised_class FROM review_case r
  JOIN household h ON h.id = r.household_id WHERE r.round_id = {r}{rp} AND r.current_commune = '{c}'
  AND r.stage = 'decided' AND r.recognised_class <> COALESCE(r.computed_class, '') ORDER BY h.household_code;
INSERT INTO registry_version (period, version) VALUES ({period}, 1)
  ON CONFLICT (period) DO UPDATE SET version = registry_version.version + 1;
INSERT INTO tally_change (period, version, current_province, current_commune)
  VALUES ({period}, (SELECT version FROM registry_version WHERE period = {period}), '{province}', '{c}');
COMMIT;""")
    return "\n".join(out) + "\n"


def digest(eng, which: str, round_id: int, period: int) -> str:
    """What a decision leaves behind, comparable across the vuonlen and the peer copies."""
    parts = [
        f"SELECT current_commune, stage, COALESCE(computed_class, ''), COALESCE(recognised_class, ''), COUNT(*) "
        f"FROM review_case WHERE round_id = {round_id} GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4",
        f"SELECT class, COUNT(*) FROM classification WHERE period = {period} AND standard_id = '{STANDARD}' "
        f"GROUP BY 1 ORDER BY 1",
        f"SELECT current_commune, COALESCE(decision_number, ''), COALESCE(decided_on, ''), COALESCE(signer, ''), "
        f"COALESCE(decided_by, '') FROM review_commune WHERE round_id = {round_id} ORDER BY 1",
        f"SELECT current_commune, current_province, round_id, decision_number FROM period_lock "
        f"WHERE period = {period} ORDER BY 1",
    ]
    return "\n--\n".join(eng.query(which, p + ";") for p in parts)


def check_same(a: str, b: str, name: str, what: str, tmp: pathlib.Path) -> None:
    if a != b:
        (tmp.parent / f"review-digest-{name}-vuonlen.txt").write_text(a)
        (tmp.parent / f"review-digest-{name}-peer.txt").write_text(b)
        sys.exit(f"{name}: vuonlen's and the peer's ({what}) decisions differ (see {tmp.parent}/review-digest-{name}-*)")


def check_form1(xlsx: pathlib.Path, sql_out: str) -> str:
    """The province total row of form 1 must hold the SQL counts (households, poor, near-poor)."""
    import openpyxl

    counts: dict[str, int] = {}
    for line in sql_out.strip().splitlines():
        cls, n = line.split("|")
        counts[cls] = counts.get(cls, 0) + int(n)
    total = sum(counts.values())
    ws = openpyxl.load_workbook(xlsx, read_only=True).active
    numbers = []
    for row in ws.iter_rows(values_only=True):
        if any(isinstance(v, str) and v.strip().lower().startswith("tổng cộng") for v in row):
            numbers = [v for v in row if isinstance(v, (int, float))]
    want = [counts.get("poor", 0), counts.get("near_poor", 0)]
    if numbers[:2] != want:
        sys.exit(f"form 1 total row {numbers} does not start with the SQL counts (poor, near-poor) {want}")
    return f"form 1 agrees with SQL: {total} households, poor {want[0]}, near-poor {want[1]}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--households", type=int, default=1_000_000)
    ap.add_argument("--province", default="14")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=2, help="decision runs (each on a fresh copy) per engine")
    ap.add_argument("--calls", type=int, default=7, help="repetitions of the per-call overhead probe")
    ap.add_argument("--skip", default="", help="comma-separated: sqlite,postgres")
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the databases (prints where)")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    prov = args.province

    global BIN
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "-p", "vuonlen-cli"], cwd=ROOT, check=True)
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="vuonlen-review-bench-"))
    BIN = tmp / "vuonlen"
    shutil.copy2(BUILT, BIN)
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    dirty = subprocess.run(["git", "status", "--short", "--", "crates"], cwd=ROOT, capture_output=True, text=True)
    print(f"binary: {BUILT} built {time.ctime(BUILT.stat().st_mtime)}, HEAD {head.strip()}"
          + (f", uncommitted changes in crates/:\n{dirty.stdout}" if dirty.stdout.strip() else ""), flush=True)
    data = {}
    for period in (2025, 2026):
        d = OUT / f"review-{args.households}-{prov}-{args.seed}-{period}"
        if not (d / "households.csv").exists():
            print(f"generating {args.households} households of province {prov} as of {period}-12-31 into {d} …",
                  flush=True)
            subprocess.run([str(BIN), "synth", "--households", str(args.households), "--province", prov,
                            "--as-of", f"{period}-12-31", "--seed", str(args.seed), "--out-dir", str(d)],
                           check=True)
        data[period] = d

    engines = []
    if "sqlite" not in skip:
        engines.append(Sqlite(tmp))
    if "postgres" not in skip:
        engines.append(Postgres())
    results: dict[str, dict[str, str]] = {}
    notes: list[str] = []
    try:
        for eng in engines:
            results[eng.name] = run_engine(eng, args, data, tmp, notes)
    finally:
        if not args.keep:
            for eng in engines:
                for which in ("main", "step3", "run", "peer"):
                    try:
                        eng.drop(which)
                    except subprocess.CalledProcessError as e:
                        print(f"could not drop {eng.name} {which}: {e}", file=sys.stderr)
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"kept: {tmp}, PostgreSQL databases {PG_DB}*")

    print("\n== results (medians; min–max) ==")
    keys = list(next(iter(results.values())).keys()) if results else []
    names = list(results)
    print("| | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for k in keys:
        print(f"| {k} | " + " | ".join(results[n].get(k, "") for n in names) + " |")
    print("\n".join(notes))


def run_engine(eng, args, data, tmp: pathlib.Path, notes: list[str]) -> dict[str, str]:
    prov = args.province
    res: dict[str, str] = {}
    name = eng.name
    signer = "Chủ tịch UBND xã"

    def say(msg: str) -> None:
        print(f"  [{name}] {msg}", flush=True)

    # The registry: two periods.
    eng.fresh("main")
    url = eng.url("main")
    for period in (2025, 2026):
        d = data[period]
        cmd = vl(url, "import", "--period", str(period), "--households", str(d / "households.csv"),
                 "--members", str(d / "members.csv"), "--errors", str(tmp / f"import-{period}.errors.csv"))
        if period == 2026:
            cmd += ["--standard", STANDARD]
        w, rss, _, err = timed(cmd)
        say(f"import {period}: {w:.2f} s, peak {rss} MiB — {err.strip().splitlines()[-1] if err.strip() else ''}")
        res[f"import {period} (one run, for scale)"] = f"{w:.1f} s"
    prev = eng.query("main", f"SELECT c.class, COUNT(*) FROM classification c JOIN review_period p ON p.year = "
                             f"c.period AND p.standard_id = c.standard_id WHERE c.period = 2025 GROUP BY 1 "
                             f"ORDER BY 1;")
    say("2025 classes: " + ", ".join(prev.split()))

    # Per-call overhead (no round yet: the smallest DB command there is).
    over = [timed(vl(url, "review", "rounds"))[0] for _ in range(args.calls)]
    say(f"per call (`review rounds`): {med(over)}")

    # 1. Open.
    w_open, _, out, _ = timed(vl(url, "review", "open", "--period", "2026", "--province", prov))
    round_id = int(out.strip().splitlines()[-1])
    say(f"open: {w_open:.2f} s → round {round_id}")
    over += [timed(vl(url, "review", "rounds"))[0] for _ in range(args.calls)]
    res["per-call overhead (`review rounds`)"] = med(over)

    # 2. List.
    w_list, _, _, err = timed(vl(url, "review", "list", "--round", str(round_id)))
    say(f"list: {w_list:.2f} s — {err.strip()}")
    res["open"] = f"{w_open:.2f} s"
    res["list (all communes)"] = f"{w_list:.2f} s"

    w_status, _, out, _ = timed(vl(url, "review", "status", "--round", str(round_id), "--today", "2026-10-01"))
    rows = [line.split("\t") for line in out.strip().splitlines()[1:]]
    communes = [r[0] for r in rows if int(r[3]) > 0]
    listed = sum(int(r[3]) for r in rows)
    say(f"status: {w_status:.2f} s — {len(rows)} communes, {len(communes)} with households listed, "
        f"{listed} households listed")
    res["communes in the round / with households listed"] = f"{len(rows)} / {len(communes)}"
    res["households listed"] = f"{listed:,}"
    res["status"] = f"{w_status:.2f} s"

    # 3. Survey, meeting, posting for every commune.
    r = str(round_id)
    per = {"survey": [], "meeting": [], "post": []}
    t0 = time.perf_counter()
    for c in communes:
        per["survey"].append(timed(vl(url, "review", "survey", "--round", r, "--commune", c, "--all"))[0])
        per["meeting"].append(timed(vl(url, "review", "meeting", "--round", r, "--commune", c, "--all", "--held-on",
                                       "2026-10-15", "--attendees", "40", "--agreeing", "30"))[0])
        per["post"].append(timed(vl(url, "review", "post", "--round", r, "--commune", c, "--from", "2026-12-01",
                                    "--to", "2026-12-03"))[0])
    w_steps = time.perf_counter() - t0
    say(f"survey+meeting+post, {len(communes)} communes: {w_steps:.2f} s (per call median: survey "
        f"{statistics.median(per['survey']):.3f}, meeting {statistics.median(per['meeting']):.3f}, post "
        f"{statistics.median(per['post']):.3f} s)")
    res["survey + meeting + posting, all communes"] = f"{w_steps:.1f} s"
    res["… per call median: survey / meeting / post"] = " / ".join(
        f"{statistics.median(per[k]):.3f}" for k in ("survey", "meeting", "post")) + " s"

    # Forms before the decisions (what the reports cost today).
    forms_before: dict[int, list[float]] = {1: [], 2: [], 3: [], 12: [], 13: []}
    for _ in range(2):
        for f in FORMS:
            forms_before[f].append(timed(vl(url, "report", "--form", str(f), "--unit", prov, "--period", "2026",
                                            "--out", str(tmp / f"before-f{f}.xlsx")))[0])
    say("forms before the decisions (1st, 2nd): " +
        "; ".join(f"form {f} {xs[0]:.2f}, {xs[1]:.2f} s" for f, xs in forms_before.items()))
    for f, xs in forms_before.items():
        res[f"form {f} before the decisions (1st / 2nd)"] = f"{xs[0]:.2f} / {xs[1]:.2f} s"

    eng.copy("main", "step3")

    # 4. Decisions and locks, alternating with the peer, each on a fresh copy of step 3.
    totals, per_commune, peer_times, per_commune_peer, per_commune_peer_prov = [], [], [], [], []
    forms_after: dict[int, list[tuple[float, float]]] = {1: [], 2: [], 3: [], 12: [], 13: []}
    for run in range(args.runs):
        eng.copy("step3", "run")
        run_url = eng.url("run")
        times = []
        t0 = time.perf_counter()
        for c in communes:
            w, _, _, _ = timed(vl(run_url, "review", "decide", "--round", r, "--commune", c, "--number",
                                  f"{c}/QĐ-UBND", "--date", "2026-12-04", "--signer", signer))
            times.append(w)
        total = time.perf_counter() - t0
        totals.append(total)
        per_commune += times
        # Forms after the decisions: first (rebuilds the changed communes' cache), then second.
        first = {f: timed(vl(run_url, "report", "--form", str(f), "--unit", prov, "--period", "2026", "--out",
                             str(tmp / f"after-f{f}.xlsx")))[0] for f in FORMS}
        second = {f: timed(vl(run_url, "report", "--form", str(f), "--unit", prov, "--period", "2026", "--out",
                              str(tmp / f"after-f{f}.xlsx")))[0] for f in FORMS}
        for f in FORMS:
            forms_after[f].append((first[f], second[f]))
        # Peers, each on its own copy of step 3: all communes at once, then per commune (as written,
        # and with current_province bound).
        eng.copy("step3", "peer")
        p, _, _, _ = timed(eng.sql_cmd("peer"), stdin=peer_sql(round_id, 2026, prov, signer))
        peer_times.append(p)
        a, b = digest(eng, "run", round_id, 2026), digest(eng, "peer", round_id, 2026)
        check_same(a, b, name, "all communes at once", tmp)
        pc = []
        for with_province in (False, True):
            eng.copy("step3", "peer")
            w, _, _, _ = timed(eng.sql_cmd("peer"), stdin=peer_per_commune_sql(round_id, 2026, prov, signer, communes,
                                                                                with_province))
            check_same(a, digest(eng, "peer", round_id, 2026), name, f"per commune ({with_province})", tmp)
            pc.append(w)
        per_commune_peer.append(pc[0])
        per_commune_peer_prov.append(pc[1])
        say(f"run {run + 1}: decisions+locks {total:.2f} s ({len(communes)} communes, median "
            f"{statistics.median(times):.3f} s, max {max(times):.3f} s); peer SQL all at once {p:.2f} s, per "
            f"commune {pc[0]:.2f} s, per commune with the province {pc[1]:.2f} s; forms after "
            + "; ".join(f"{f}: {first[f]:.2f}/{second[f]:.2f}" for f in FORMS))
        # Form 1 equal to the engine's count.
        status = eng.query("run", f"SELECT stage, COUNT(*) FROM review_case WHERE round_id = {round_id} GROUP BY 1;")
        locks = eng.query("run", "SELECT COUNT(*) FROM period_lock WHERE period = 2026;").strip()
        sql_out = eng.query("run", "SELECT c.class, COUNT(*) FROM classification c JOIN survey s ON s.period = c.period "
                                   f"AND s.household_id = c.household_id WHERE c.period = 2026 AND c.standard_id = "
                                   f"'{STANDARD}' AND s.current_province = '{prov}' GROUP BY 1 ORDER BY 1;")
        say(f"run {run + 1}: the peers left the same result; cases {' '.join(status.split())}; {locks} locks; "
            + check_form1(tmp / "after-f1.xlsx", sql_out))
        eng.drop("run")
        eng.drop("peer")

    ratio = [a / b for a, b in zip(totals, peer_times)]
    res["**decisions + locks, all communes**"] = f"**{med(totals)}**"
    res["… per commune (median of all calls)"] = f"{statistics.median(per_commune):.3f} s (max {max(per_commune):.3f})"
    res["peer: the decision's SQL for all communes, one transaction"] = med(peer_times)
    res["ratio vuonlen / peer (median of runs)"] = f"{statistics.median(ratio):.1f}×"
    res["peer per commune (75 transactions, one process), statements as written"] = med(per_commune_peer)
    res["peer per commune, current_province bound too"] = med(per_commune_peer_prov)
    for f in FORMS:
        xs = forms_after[f]
        res[f"form {f} after the decisions, 1st / 2nd"] = (f"{statistics.median([x[0] for x in xs]):.2f} / "
                                                            f"{statistics.median([x[1] for x in xs]):.2f} s")
    res["runs of the decisions"] = str(args.runs)
    notes.append(f"{name}: decisions runs {[round(t, 2) for t in totals]}, peer {[round(t, 2) for t in peer_times]}, "
                 f"per commune {[round(t, 2) for t in per_commune_peer]}, with the province "
                 f"{[round(t, 2) for t in per_commune_peer_prov]}")
    if not args.keep:
        eng.drop("step3")
        eng.drop("main")
    return res


if __name__ == "__main__":
    main()
