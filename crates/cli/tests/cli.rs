//! End-to-end tests of the `vuonlen` binary on real files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn vuonlen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vuonlen")).args(args).output().expect("run vuonlen")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// Runs `cmd` (classify or summary) on the two CSV files at 2025-12-31, writing `out`.
fn run_on(cmd: &str, h: &Path, m: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![cmd, "--households", s(h), "--members", s(m), "--as-of", "2025-12-31"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--out", s(out)]);
    vuonlen(&args)
}

fn synth(dir: &Path, n: u64, province: &str) -> (PathBuf, PathBuf) {
    let out =
        vuonlen(&["synth", "--households", &n.to_string(), "--seed", "7", "--province", province, "--out-dir", s(dir)]);
    assert!(out.status.success(), "synth failed: {}", String::from_utf8_lossy(&out.stderr));
    (dir.join("households.csv"), dir.join("members.csv"))
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).expect("open csv");
    let header = r.headers().expect("header").iter().map(|h| h.trim_start_matches('\u{feff}').to_string()).collect();
    let rows = r.records().map(|rec| rec.expect("row").iter().map(String::from).collect()).collect();
    (header, rows)
}

fn col(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap_or_else(|| panic!("column {name} in {header:?}"))
}

#[test]
fn synth_then_classify_gives_one_row_per_household() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (h, m) = synth(dir.path(), 3000, "11");
    let out_path = dir.path().join("classified.csv");
    let out = run_on("classify", &h, &m, &out_path, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (header, rows) = read_csv(&out_path);
    assert_eq!(rows.len(), 3000);
    let class = col(&header, "class");
    let std = col(&header, "standard");
    let score_b = col(&header, "score_b");
    let count = col(&header, "deprivation_count");
    let explanation = col(&header, "explanation");
    assert!(rows.iter().all(|r| r[std] == "2022-2025"), "auto picks 2022-2025 in 2025");
    assert!(rows.iter().any(|r| r[class] == "poor"), "Điện Biên has poor households");
    // The output says which provisions it relied on are not verified (issue 12).
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("chưa xác minh với văn bản gốc") && said.contains("low_income_upper"), "{said}");
    for r in &rows {
        let n: u32 = r[count].parse().expect("count");
        assert_eq!(r[score_b], (10 * n).to_string());
        assert!(r[explanation].starts_with("Hộ "), "{}", r[explanation]);
    }
    // No leftover partial file, no error file for clean input.
    let names: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").map(|e| e.expect("entry").file_name()).collect();
    assert!(!names.iter().any(|n| n.to_string_lossy().contains("partial")), "{names:?}");
    assert!(!dir.path().join("classified.errors.csv").exists());
}

#[test]
fn the_2027_standard_is_a_what_if() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (h, m) = synth(dir.path(), 500, "14");
    let out_path = dir.path().join("whatif.csv");
    let out = run_on("classify", &h, &m, &out_path, &["--standard", "2027-2030", "--skip-invalid"]);
    // The synthetic registry carries score A for some households: 2027–2030 has no score-A
    // anchor, so those are listed as not classifiable and the rest are classified.
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (header, rows) = read_csv(&out_path);
    assert!(!rows.is_empty() && rows.len() < 500);
    assert!(rows.iter().all(|r| r[col(&header, "standard")] == "2027-2030"));
    assert!(rows.iter().all(|r| r[col(&header, "income_test")] == "income"));
    let (eh, errors) = read_csv(&dir.path().join("whatif.errors.csv"));
    assert_eq!(errors.len() + rows.len(), 500);
    assert!(errors.iter().all(|e| e[col(&eh, "message_en")].contains("no score-A anchor")));
}

const HOUSEHOLDS: &str = "\
household_id,commune_code,village,area,head_name,income_per_capita,score_a,durable_structures,floor_area_m2,water_source,latrine,internet_user,info_devices
H1,00004,Tổ 1,urban,Nguyễn Văn An,1800000,,3,40,piped,septic,1,1
H2,00004,Tổ 1,urban,Trần Thị Bình,abc,,3,40,giếng cổ,septic,1,1
H3,99999,Tổ 2,rural,Lê Văn Cường,1200000,,5,30,piped,septic,1,1
";

const MEMBERS: &str = "\
household_id,member_no,full_name,relation,sex,birth_date,ethnicity,health_insurance,employment,education,in_school
H1,1,Nguyễn Văn An,head,M,1980-05-01,Kinh,1,wage_contract,upper_secondary,0
H1,2,Phạm Thị Dung,spouse,F,01/02/1982,Kinh,1,self_employed,upper_secondary,0
H2,1,Trần Thị Bình,head,F,1975,Kinh,1,self_employed,upper_secondary,0
H3,1,Lê Văn Cường,head,M,2030-01-01,Kinh,1,self_employed,upper_secondary,0
";

#[test]
fn bad_input_is_refused_whole_with_every_problem_located() {
    let dir = tempfile::tempdir().expect("tempdir");
    let h = dir.path().join("households.csv");
    let m = dir.path().join("members.csv");
    std::fs::write(&h, HOUSEHOLDS).expect("write");
    std::fs::write(&m, MEMBERS).expect("write");
    let out_path = dir.path().join("out.csv");
    std::fs::write(&out_path, "previous result\n").expect("write");
    let out = run_on("classify", &h, &m, &out_path, &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("nothing was written"), "{stderr}");
    // What was there before is untouched.
    assert_eq!(std::fs::read_to_string(&out_path).expect("read"), "previous result\n");
    let (eh, errors) = read_csv(&dir.path().join("out.errors.csv"));
    let found = |row: &str, column: &str, value: &str| {
        errors.iter().any(|e| {
            e[col(&eh, "severity")] == "error"
                && e[col(&eh, "row")] == row
                && e[col(&eh, "column")] == column
                && e[col(&eh, "value")] == value
        })
    };
    assert!(found("3", "income_per_capita", "abc"), "{errors:?}");
    assert!(found("3", "water_source", "giếng cổ"), "{errors:?}");
    assert!(found("4", "commune_code", "99999"), "{errors:?}");
    assert!(found("4", "durable_structures", "5"), "{errors:?}");
    assert!(found("5", "birth_date", "2030-01-01"), "{errors:?}");
    assert!(errors.iter().all(|e| !e[col(&eh, "message_vi")].is_empty() && !e[col(&eh, "message_en")].is_empty()));
}

#[test]
fn skip_invalid_classifies_the_valid_households() {
    let dir = tempfile::tempdir().expect("tempdir");
    let h = dir.path().join("households.csv");
    let m = dir.path().join("members.csv");
    std::fs::write(&h, HOUSEHOLDS).expect("write");
    std::fs::write(&m, MEMBERS).expect("write");
    let out_path = dir.path().join("out.xlsx");
    let errors_path = dir.path().join("problems.csv");
    let out = run_on("classify", &h, &m, &out_path, &["--skip-invalid", "--errors", s(&errors_path)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    use calamine::{Reader, Xlsx, open_workbook};
    let mut wb: Xlsx<_> = open_workbook(&out_path).expect("xlsx");
    let sheet = wb.worksheet_range_at(0).expect("a sheet").expect("readable");
    let rows: Vec<_> = sheet.rows().collect();
    assert_eq!(rows.len(), 2, "header + H1");
    assert_eq!(rows[1][0].to_string(), "H1");
    // Urban, 1,800,000 ≤ 2,000,000, no deprivation: near-poor.
    assert!(rows[1].iter().any(|c| *c == "near_poor"));
    let (_, errors) = read_csv(&errors_path);
    assert!(errors.len() >= 5);
}

#[test]
fn summary_aggregates_communes_into_the_province() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (h, m) = synth(dir.path(), 2000, "12");
    let out_path = dir.path().join("summary.csv");
    let out = run_on("summary", &h, &m, &out_path, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (header, rows) = read_csv(&out_path);
    let level = col(&header, "level");
    let hh = col(&header, "households");
    let poor = col(&header, "poor_households");
    let country: Vec<_> = rows.iter().filter(|r| r[level] == "country").collect();
    let provinces: Vec<_> = rows.iter().filter(|r| r[level] == "province").collect();
    let communes: Vec<_> = rows.iter().filter(|r| r[level] == "commune").collect();
    assert_eq!(country.len(), 1);
    assert_eq!(provinces.len(), 1);
    assert_eq!(provinces[0][col(&header, "name")], "Lai Châu");
    let sum = |rs: &[&Vec<String>], c: usize| rs.iter().map(|r| r[c].parse::<u64>().expect("int")).sum::<u64>();
    assert_eq!(sum(&communes, hh), 2000);
    assert_eq!(sum(&communes, poor), sum(&provinces, poor));
    assert_eq!(sum(&country, hh), 2000);
    let h_idx: f64 = country[0][col(&header, "af_h")].parse().expect("H");
    let a_idx: f64 = country[0][col(&header, "af_a")].parse().expect("A");
    let m0: f64 = country[0][col(&header, "af_m0")].parse().expect("M0");
    assert!((h_idx * a_idx - m0).abs() < 1e-3);
}

#[test]
fn standards_lists_both_and_flags_unverified_provisions() {
    let out = vuonlen(&["standards"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("2022-2025") && text.contains("2027-2030"), "{text}");
    let out = vuonlen(&["standards", "2027-2030"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("2.200.000") && text.contains("2.800.000"), "{text}");
    assert!(text.contains("chưa xác minh"), "{text}");
    assert!(text.contains("Xử lý rác thải"), "{text}");
}

#[test]
fn summary_workbook_has_one_sheet_per_report_with_numbers_as_numbers() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let dir = tempfile::tempdir().expect("tempdir");
    let (h, m) = synth(dir.path(), 1500, "04");
    let out_path = dir.path().join("summary.xlsx");
    let out = run_on("summary", &h, &m, &out_path, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut wb: Xlsx<_> = open_workbook(&out_path).expect("xlsx");
    let names = wb.sheet_names();
    for expected in
        ["Biểu 1 Tổng hợp", "Biểu 4-5 Thiếu hụt hộ nghèo", "Biểu 6-7 Thiếu hụt cận nghèo", "Alkire-Foster", "Căn cứ"]
    {
        assert!(names.iter().any(|n| n == expected), "{expected} in {names:?}");
    }
    let sheet = wb.worksheet_range("Biểu 1 Tổng hợp").expect("sheet");
    // Row 5 (index 4) is the total: households as a number, then the province Cao Bằng.
    assert_eq!(sheet.get((4, 1)), Some(&Data::String("Tổng cộng".into())));
    assert_eq!(sheet.get((4, 2)), Some(&Data::Float(1500.0)));
    assert_eq!(sheet.get((5, 1)), Some(&Data::String("Cao Bằng".into())));
    let poor_rate = match sheet.get((4, 5)) {
        Some(Data::Float(v)) => *v,
        other => panic!("poor rate is a number, got {other:?}"),
    };
    assert!(poor_rate > 0.0 && poor_rate < 100.0);
}

fn synth_seeded(dir: &Path, n: u64, seed: u64, as_of: &str) -> (PathBuf, PathBuf) {
    let out = vuonlen(&[
        "synth",
        "--households",
        &n.to_string(),
        "--seed",
        &seed.to_string(),
        "--province",
        "14",
        "--as-of",
        as_of,
        "--out-dir",
        s(dir),
    ]);
    assert!(out.status.success(), "synth failed: {}", String::from_utf8_lossy(&out.stderr));
    (dir.join("households.csv"), dir.join("members.csv"))
}

/// What the registry says about itself, to compare before and after.
fn registry_state(db: &str, dir: &Path) -> Vec<String> {
    let mut state = Vec::new();
    let periods = vuonlen(&["--db", db, "periods"]);
    state.push(String::from_utf8_lossy(&periods.stdout).into_owned());
    let f1 = dir.join("state-f1.xlsx");
    let r = vuonlen(&["--db", db, "report", "--form", "1", "--unit", "14", "--period", "2024", "--out", s(&f1)]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    use calamine::{Reader, open_workbook_auto};
    let mut wb = open_workbook_auto(&f1).expect("form 1");
    let sheet = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&sheet).expect("sheet");
    state.extend(range.rows().map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>().join("|")));
    state
}

#[test]
fn import_then_report_and_a_killed_import_changes_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = format!("sqlite://{}", dir.path().join("reg.db").display());
    let d24 = dir.path().join("d24");
    let d25 = dir.path().join("d25");
    let (h24, m24) = synth_seeded(&d24, 3_000, 1, "2024-12-31");
    let (h25, m25) = synth_seeded(&d25, 60_000, 2, "2025-12-31");

    let first = vuonlen(&["--db", &db, "import", "--period", "2024", "--households", s(&h24), "--members", s(&m24)]);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    assert!(String::from_utf8_lossy(&first.stderr).contains("3000 inserted"));
    let again = vuonlen(&["--db", &db, "import", "--period", "2024", "--households", s(&h24), "--members", s(&m24)]);
    assert!(again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("Nothing changed"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let before = registry_state(&db, dir.path());

    // Kill an import of 60,000 households once it has written 50,000 of them.
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_vuonlen"))
        .args(["--db", &db, "import", "--period", "2025", "--households", s(&h25), "--members", s(&m25)])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start import");
    let stderr = child.stderr.take().expect("stderr");
    let mut killed = false;
    for line in BufReader::new(stderr).lines() {
        if line.expect("line").contains("… ") {
            child.kill().expect("kill");
            killed = true;
            break;
        }
    }
    let status = child.wait().expect("wait");
    assert!(killed && !status.success(), "the import was killed half-way");
    assert_eq!(registry_state(&db, dir.path()), before, "a killed import leaves the registry as it was");

    // Nothing half-written: a 2025 import now inserts every one of its households. (The 60,000
    // synthetic households above are not reused: synthetic names can repeat with a birth date
    // in a commune, which the import rightly refuses.)
    let d25b = dir.path().join("d25b");
    let (h25, m25) = synth_seeded(&d25b, 3_000, 3, "2025-12-31");
    let errors = dir.path().join("import.errors.csv");
    let full = vuonlen(&[
        "--db",
        &db,
        "import",
        "--period",
        "2025",
        "--households",
        s(&h25),
        "--members",
        s(&m25),
        "--errors",
        s(&errors),
    ]);
    assert!(full.status.success(), "{}", String::from_utf8_lossy(&full.stderr));
    assert!(
        String::from_utf8_lossy(&full.stderr).contains("3000 inserted"),
        "{}",
        String::from_utf8_lossy(&full.stderr)
    );

    // Reports and movements between the two periods.
    let f2 = dir.path().join("f2.xlsx");
    let r = vuonlen(&["--db", &db, "report", "--form", "2", "--unit", "14", "--period", "2025", "--out", s(&f2)]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let t = vuonlen(&["--db", &db, "transitions", "--from", "2024", "--to", "2025", "--unit", "14"]);
    assert!(t.status.success());
    let table = String::from_utf8_lossy(&t.stdout);
    let households: Vec<u64> = table
        .lines()
        .find(|l| l.starts_with("poor,households"))
        .expect("poor row")
        .split(',')
        .skip(2)
        .map(|v| v.parse().expect("number"))
        .collect();
    let end = households[0] - households[1] - households[2] - households[3]
        + households[4]
        + households[5]
        + households[6]
        + households[7];
    assert_eq!(end, households[8], "column 9 = 1 − 2 − 3 − 4 + 5 + 6 + 7 + 8");

    // Forms 12 and 13 agree with the movements: their households are form 2's / 3's column 9,
    // split into old (1 − 2 − 3 − 4), new (5 + 7 + 8) and re-entered (6).
    use calamine::{Data, Reader, open_workbook_auto};
    for (form, group) in [("12", "poor"), ("13", "near_poor")] {
        let out = dir.path().join(format!("f{form}.xlsx"));
        let r = vuonlen(&["--db", &db, "report", "--form", form, "--unit", "14", "--period", "2025", "--out", s(&out)]);
        assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
        let mut wb = open_workbook_auto(&out).expect("form");
        let range = wb.worksheet_range(&format!("Biểu {form}")).expect("sheet");
        let num = |c: u32| match range.get_value((8, c)) {
            Some(Data::Float(v)) => *v as u64,
            other => panic!("form {form} column {c}: {other:?}"),
        };
        let m: Vec<u64> = table
            .lines()
            .find(|l| l.starts_with(&format!("{group},households")))
            .expect("row")
            .split(',')
            .skip(2)
            .map(|v| v.parse().expect("number"))
            .collect();
        assert_eq!(num(3), m[8], "form {form}: households at the end of the period");
        assert_eq!(num(5), m[0] - m[1] - m[2] - m[3], "form {form}: old");
        assert_eq!(num(6), m[4] + m[6] + m[7], "form {form}: new");
        assert_eq!(num(7), m[5], "form {form}: re-entered");
    }
}

/// One household of commune 00097 in the interchange format: poor (low income, four
/// deprivations) or not poor, with `persons` members.
fn registry_household(code: &str, poor: bool, persons: u32) -> (String, Vec<String>) {
    let (income, water, latrine, flag) =
        if poor { (1_000_000, "surface", "none", 0) } else { (6_000_000, "piped", "septic", 1) };
    let hh =
        format!("{code},00097,Tổ 1,rural,Người {code} 1,{income},,3,{},{water},{latrine},{flag},{flag}", 20 * persons);
    let members = (1..=persons)
        .map(|n| {
            let (rel, year) = if n == 1 { ("head", 1970) } else { ("child", 1995 + n) };
            format!("{code},{n},Người {code} {n},{rel},M,{year}-01-0{n},Kinh,{flag},self_employed,upper_secondary,0")
        })
        .collect();
    (hh, members)
}

/// Writes `rows` as `h{name}.csv` and `m{name}.csv` under `dir`.
fn write_files(dir: &Path, name: &str, rows: &[(String, Vec<String>)]) -> (PathBuf, PathBuf) {
    let h = dir.join(format!("h{name}.csv"));
    let m = dir.join(format!("m{name}.csv"));
    let head_h = HOUSEHOLDS.lines().next().expect("header");
    let head_m = MEMBERS.lines().next().expect("header");
    let hh: Vec<&str> = std::iter::once(head_h).chain(rows.iter().map(|r| r.0.as_str())).collect();
    let mm: Vec<&str> =
        std::iter::once(head_m).chain(rows.iter().flat_map(|r| r.1.iter().map(String::as_str))).collect();
    std::fs::write(&h, hh.join("\n") + "\n").expect("write");
    std::fs::write(&m, mm.join("\n") + "\n").expect("write");
    (h, m)
}

fn import_period(db: &str, dir: &Path, period: &str, rows: &[(String, Vec<String>)]) {
    let (h, m) = write_files(dir, period, rows);
    let errors = dir.join(format!("import-{period}.errors.csv"));
    let out = vuonlen(&[
        "--db",
        db,
        "import",
        "--period",
        period,
        "--households",
        s(&h),
        "--members",
        s(&m),
        "--errors",
        s(&errors),
        // These files answer the 2022–2025 questions; a 2026 review would apply 2027–2030's.
        "--standard",
        "2022-2025",
    ]);
    assert!(out.status.success(), "import {period}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A fresh PostgreSQL schema when `TEST_DATABASE_URL` is set (as in the store's tests), dropped
/// when this is dropped, also when the test fails.
struct PgSchema {
    url: String,
    schema: String,
}

impl PgSchema {
    fn create() -> Option<PgSchema> {
        let url = std::env::var("TEST_DATABASE_URL").ok()?;
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let schema = format!("c{}_{n}", std::process::id());
        let pg = PgSchema { url, schema };
        pg.admin(&[format!("DROP SCHEMA IF EXISTS {} CASCADE", pg.schema), format!("CREATE SCHEMA {}", pg.schema)])
            .expect("create the test schema");
        Some(pg)
    }

    /// The URL the binary gets: the schema as search path, and as application name so its
    /// connections can be found.
    fn db_url(&self) -> String {
        let sep = if self.url.contains('?') { '&' } else { '?' };
        format!("{}{sep}options%5Bsearch_path%5D={s}&application_name={s}", self.url, s = self.schema)
    }

    fn admin(&self, sql: &[String]) -> Result<(), String> {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
        rt.block_on(async {
            let db = vuonlen_store::Db::connect(&self.url).await.map_err(|e| e.to_string())?;
            let mut r = Ok(());
            for q in sql {
                if let Err(e) = db.execute_admin(q).await {
                    r = Err(e.to_string());
                    break;
                }
            }
            db.close().await;
            r
        })
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        let s = &self.schema;
        if let Err(e) = self.admin(&[
            format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE application_name = '{s}' AND pid <> pg_backend_pid()"
            ),
            format!("DROP SCHEMA IF EXISTS {s} CASCADE"),
        ]) {
            eprintln!("could not drop test schema {s}: {e}");
        }
    }
}

#[test]
fn a_split_is_recorded_shown_and_counted_as_other_increase() {
    let dir = tempfile::tempdir().expect("tmp");
    split_scenario(&format!("sqlite://{}", dir.path().join("reg.db").display()), dir.path());
    if let Some(pg) = PgSchema::create() {
        split_scenario(&pg.db_url(), dir.path());
    }
}

fn split_scenario(db: &str, dir: &Path) {
    // 2025: O1 is poor with three members; 2026: a son has set up N1, poor too.
    import_period(db, dir, "2025", &[registry_household("O1", true, 3), registry_household("X1", false, 2)]);
    import_period(
        db,
        dir,
        "2026",
        &[registry_household("O1", true, 2), registry_household("N1", true, 1), registry_household("X1", false, 2)],
    );
    let link = |extra: &[&str]| {
        let mut args = vec!["--db", db, "household", "link", "--commune", "00097"];
        args.extend_from_slice(extra);
        vuonlen(&args)
    };
    let out = link(&["--split-from", "O1", "--new", "N1", "--period", "2026", "--date", "2026-03-01"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("N1 split off from 00097/O1"));

    // Refusals say why, in Vietnamese and in English, and exit with 1.
    for (args, vi, en) in [
        (vec!["--split-from", "O1", "--new", "N1", "--period", "2026"], "đã được ghi nhận", "already recorded"),
        (vec!["--split-from", "X1", "--new", "X1", "--period", "2026"], "cùng một hộ", "same household"),
        (vec!["--merge", "X1", "--into", "O1", "--period", "2026"], "còn phiếu kỳ 2026", "has answers in period 2026"),
        (vec!["--split-from", "O1", "--new", "Z9", "--period", "2026"], "không tìm thấy", "not found"),
    ] {
        let out = link(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(vi) && err.contains(en), "{args:?}: {err}");
    }

    // The household view shows the lineage, and the audit log the link.
    let out = vuonlen(&["--db", db, "household", "--commune", "00097", "--code", "N1"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        text.contains("Tách từ hộ 00097/O1 ở kỳ 2026 (ngày 2026-03-01) / split off from 00097/O1 in 2026"),
        "{text}"
    );
    let out = vuonlen(&["--db", db, "household", "--commune", "00097", "--code", "O1", "--audit"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Có hộ tách ra: 00097/N1 ở kỳ 2026"), "{text}");
    assert!(text.contains("household link,household_link,2026,,split_off_into,2026-03-01,00097/N1"), "{text}");

    // Movements 2025 → 2026: N1 is an other increase (col 8), not newly arising (col 7); O1
    // stays poor with one person fewer (persons col 4).
    let per = dir.join("per.csv");
    let t =
        vuonlen(&["--db", db, "transitions", "--from", "2025", "--to", "2026", "--unit", "00097", "--out", s(&per)]);
    assert!(t.status.success(), "{}", String::from_utf8_lossy(&t.stderr));
    let table = String::from_utf8_lossy(&t.stdout);
    assert!(table.contains("poor,households,1,0,0,0,0,0,0,1,2"), "{table}");
    assert!(table.contains("poor,persons,3,0,0,1,0,0,0,1,3"), "{table}");
    let (header, rows) = read_csv(&per);
    let n1 = rows.iter().find(|r| r[col(&header, "household_id")] == "N1").expect("N1");
    assert_eq!(n1[col(&header, "poor_column")], "8");
    assert_eq!(n1[col(&header, "restructuring")], "split_off");
    let o1 = rows.iter().find(|r| r[col(&header, "household_id")] == "O1").expect("O1");
    assert_eq!(o1[col(&header, "restructuring")], "split_origin");

    // 2027: X1 merges into O1; a later file still carrying X1 is refused, naming its row.
    // (2027 is read under 2022–2025 here: these test files have no waste-treatment column.)
    let import27 = |name: &str, rows: &[(String, Vec<String>)]| {
        let (h, m) = write_files(dir, name, rows);
        let errors = dir.join(format!("{name}.errors.csv"));
        let out = vuonlen(&[
            "--db",
            db,
            "import",
            "--period",
            "2027",
            "--standard",
            "2022-2025",
            "--households",
            s(&h),
            "--members",
            s(&m),
            "--errors",
            s(&errors),
        ]);
        (out, errors)
    };
    let (out, _) = import27("2027a", &[registry_household("O1", true, 4), registry_household("N1", true, 1)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = link(&["--merge", "X1", "--into", "O1", "--period", "2027"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (out, errors) = import27(
        "2027b",
        &[registry_household("O1", true, 4), registry_household("N1", true, 1), registry_household("X1", false, 2)],
    );
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let (eh, errs) = read_csv(&errors);
    let x1: Vec<&Vec<String>> = errs.iter().filter(|r| r[col(&eh, "household_id")] == "X1").collect();
    assert_eq!(x1.len(), 1, "{errs:?}");
    assert_eq!(x1[0][col(&eh, "row")], "4", "X1 is the third household: row 4 of h2027b.csv");
    assert_eq!(x1[0][col(&eh, "file")], "h2027b.csv");
    assert!(x1[0][col(&eh, "message_en")].contains("merged into another in period 2027"), "{x1:?}");
}

#[test]
fn a_shared_id_number_is_refused_with_the_rows_of_both_members() {
    let dir = tempfile::tempdir().expect("tmp");
    let (h, m) = synth_seeded(dir.path(), 300, 4, "2025-12-31");
    // Give a member of a later household the ID number of an earlier household's member.
    let text = std::fs::read_to_string(&m).expect("members");
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let (hcol, idcol) = (col_of(&header, "household_id"), col_of(&header, "id_number"));
    let field = |l: &str, i: usize| l.split(',').nth(i).unwrap_or("").to_string();
    let first = (1..lines.len()).find(|&i| field(&lines[i], idcol).len() == 12).expect("a member with an ID");
    let second = (first + 1..lines.len())
        .find(|&i| field(&lines[i], hcol) != field(&lines[first], hcol) && field(&lines[i], idcol).len() == 12)
        .expect("a member of another household with an ID");
    let shared = field(&lines[first], idcol);
    let mut cols: Vec<String> = lines[second].split(',').map(str::to_string).collect();
    cols[idcol] = shared.clone();
    lines[second] = cols.join(",");
    std::fs::write(&m, lines.join("\n") + "\n").expect("write");

    let db = format!("sqlite://{}", dir.path().join("r.db").display());
    let errors = dir.path().join("errors.csv");
    let out = vuonlen(&[
        "--db",
        &db,
        "import",
        "--period",
        "2025",
        "--households",
        s(&h),
        "--members",
        s(&m),
        "--errors",
        s(&errors),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let (eh, rows) = read_csv(&errors);
    let dup: Vec<&Vec<String>> =
        rows.iter().filter(|r| r[col(&eh, "column")] == "id_number" && r[col(&eh, "severity")] == "error").collect();
    let mut found: Vec<String> = dup.iter().map(|r| r[col(&eh, "row")].clone()).collect();
    found.sort();
    // Spreadsheet rows: the header is row 1, so line index i is row i + 1.
    let mut want = vec![(first + 1).to_string(), (second + 1).to_string()];
    want.sort();
    assert_eq!(found, want, "{rows:?}");
    assert!(dup.iter().all(|r| r[col(&eh, "value")] == shared));
}

fn col_of(header: &[&str], name: &str) -> usize {
    header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("no column {name}"))
}

/// The households a report counted, as `vuonlen report` says on its standard error
/// ("Biểu 1 — … (40 hộ): …"). (Form 1's first column is the residents recorded for the unit, not
/// the households reviewed: it is empty here, where none are recorded.)
fn reported_households(stderr: &[u8]) -> f64 {
    let text = String::from_utf8_lossy(stderr);
    let n = text
        .rsplit_once(" hộ)")
        .and_then(|(before, _)| before.rsplit_once('(').map(|(_, n)| n.to_string()))
        .unwrap_or_else(|| panic!("no household count in: {text}"));
    n.trim().parse().unwrap_or_else(|_| panic!("not a count: {n}"))
}

/// Issue 15: four `vuonlen report` at once after a re-import made form 1 show a province with
/// two to four times its households (PostgreSQL). Every workbook, made together or afterwards,
/// counts each household once, and `db check` finds the report cache equal to the data.
#[test]
fn concurrent_reports_after_a_reimport_count_every_household_once() {
    let dir = tempfile::tempdir().expect("tmp");
    concurrent_reports(&format!("sqlite://{}", dir.path().join("reg.db").display()), dir.path());
    if let Some(pg) = PgSchema::create() {
        concurrent_reports(&pg.db_url(), dir.path());
    }
}

fn concurrent_reports(db: &str, dir: &Path) {
    let mut rows: Vec<(String, Vec<String>)> =
        (0..40).map(|i| registry_household(&format!("K{i}"), i % 5 == 0, 2)).collect();
    import_period(db, dir, "2025", &rows);
    for round in 0..3 {
        // One changed answer: the report cache is stale for the next reports.
        rows[round + 1] = registry_household(&format!("K{}", round + 1), round % 2 == 0, 2);
        import_period(db, dir, "2025", &rows);
        let outs: Vec<PathBuf> = (0..4).map(|k| dir.join(format!("f1-{round}-{k}.xlsx"))).collect();
        let children: Vec<_> = outs
            .iter()
            .map(|o| {
                std::process::Command::new(env!("CARGO_BIN_EXE_vuonlen"))
                    .args(["--db", db, "report", "--form", "1", "--unit", "01", "--period", "2025", "--out", s(o)])
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .expect("spawn a report")
            })
            .collect();
        for c in children {
            let out = c.wait_with_output().expect("report");
            assert!(out.status.success(), "{db}: {}", String::from_utf8_lossy(&out.stderr));
            assert_eq!(reported_households(&out.stderr), 40.0, "{db}: round {round}");
        }
        let after = dir.join(format!("f1-{round}-after.xlsx"));
        let r = vuonlen(&["--db", db, "report", "--form", "1", "--unit", "01", "--period", "2025", "--out", s(&after)]);
        assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
        assert_eq!(reported_households(&r.stderr), 40.0, "{db}: round {round}, after");
    }
    let check = vuonlen(&["--db", db, "db", "check"]);
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert!(check.status.success(), "{db}: {stdout}{}", String::from_utf8_lossy(&check.stderr));
    assert!(stdout.contains("2025,2022-2025,ok,40,40,0,0,0"), "{db}: {stdout}");
}

/// Issue 15: the import committed, then refreshing the planner's statistics failed (a lock held
/// past its timeout) and the command said "error" with exit 1 although the period was stored.
/// Now it says the period is stored and what did not run, and exits 0 (PostgreSQL: another
/// client, psql, holds a lock that ANALYZE needs).
#[test]
fn an_import_stored_before_upkeep_failed_says_so_and_succeeds() {
    let Some(pg) = PgSchema::create() else { return };
    let dir = tempfile::tempdir().expect("tmp");
    let (h, m) = synth(dir.path(), 10_000, "14");
    let db = format!("{}&options%5Block_timeout%5D=1000", pg.db_url());
    let migrated = vuonlen(&["--db", &db, "db", "migrate"]);
    assert!(migrated.status.success(), "{}", String::from_utf8_lossy(&migrated.stderr));
    // Inserts may go on under this lock; ANALYZE may not. (The import never builds an index on
    // household_alias, which it would not be allowed to either.)
    let app = format!("holder_{}", pg.schema);
    let mut holder = Command::new("psql")
        .env("PGAPPNAME", &app)
        .args([
            &pg.url,
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            &format!(
                "BEGIN; LOCK TABLE {}.household_alias IN SHARE UPDATE EXCLUSIVE MODE; SELECT pg_sleep(60); COMMIT;",
                pg.schema
            ),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("psql");
    std::thread::sleep(std::time::Duration::from_millis(500));
    let out = vuonlen(&["--db", &db, "import", "--period", "2025", "--households", s(&h), "--members", s(&m)]);
    // Ends the holder's session (killing psql alone leaves its backend asleep with the lock).
    let ended = Command::new("psql")
        .args([
            &pg.url,
            "-c",
            &format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{app}'"),
        ])
        .output()
        .expect("psql");
    assert!(ended.status.success(), "{}", String::from_utf8_lossy(&ended.stderr));
    let _ = holder.kill();
    let _ = holder.wait();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the period is stored: {stderr}");
    assert!(stderr.contains("period 2025 is stored, but the above did not run"), "{stderr}");
    assert!(stderr.contains("vuonlen db analyze"), "{stderr}");
    let periods = vuonlen(&["--db", &db, "periods"]);
    assert!(String::from_utf8_lossy(&periods.stdout).contains("2025,"), "the period is there");
    let analyzed = vuonlen(&["--db", &db, "db", "analyze"]);
    assert!(analyzed.status.success(), "{}", String::from_utf8_lossy(&analyzed.stderr));
}

/// The audit log's actor of the CLI is `--actor`, else the operating system's account — never
/// "unknown" because `$USER` is unset (a service, a container, cron).
#[test]
fn the_cli_records_who_ran_it_without_user_in_the_environment() {
    let dir = tempfile::tempdir().expect("tmp");
    let (h, m) = synth(dir.path(), 20, "14");
    let db = format!("sqlite://{}", dir.path().join("r.db").display());
    let (_, rows) = read_csv(&h);
    let (code, commune) = (rows[0][0].clone(), rows[0][1].clone());
    let bare = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_vuonlen"))
            .args(args)
            .env_remove("USER")
            .env_remove("USERNAME")
            .env_remove("LOGNAME")
            .env_remove("VUONLEN_USER")
            .current_dir(dir.path())
            .output()
            .expect("run vuonlen")
    };
    let imported = bare(&["--db", &db, "import", "--period", "2025", "--households", s(&h), "--members", s(&m)]);
    assert!(imported.status.success(), "{}", String::from_utf8_lossy(&imported.stderr));
    // One answer changes; the re-import is run under a name.
    let (header, mut rows) = read_csv(&h);
    let floor = header.iter().position(|c| c == "floor_area_m2").expect("floor_area_m2");
    rows[0][floor] = "12.5".into();
    let mut w = csv::Writer::from_path(&h).expect("write");
    w.write_record(&header).expect("header");
    for r in &rows {
        w.write_record(r).expect("row");
    }
    w.flush().expect("flush");
    drop(w);
    let named = bare(&[
        "--db",
        &db,
        "--actor",
        "can-bo-xa",
        "import",
        "--period",
        "2025",
        "--households",
        s(&h),
        "--members",
        s(&m),
    ]);
    assert!(named.status.success(), "{}", String::from_utf8_lossy(&named.stderr));
    let os_user = Command::new("id").arg("-un").output().expect("id");
    let os_user = String::from_utf8_lossy(&os_user.stdout).trim().to_string();
    assert!(!os_user.is_empty());
    let shown = bare(&["--db", &db, "household", "--commune", &commune, "--code", &code, "--audit"]);
    let out = String::from_utf8_lossy(&shown.stdout);
    let actors: Vec<(&str, &str)> = out
        .lines()
        .skip_while(|l| !l.starts_with("at,actor"))
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            Some((*f.get(1)?, *f.get(6)?))
        })
        .collect();
    assert!(actors.iter().any(|(a, _)| *a == os_user), "{out}");
    assert!(actors.contains(&("can-bo-xa", "floor_area_m2")), "{out}");
    assert!(actors.iter().all(|(a, _)| *a != "unknown"), "{out}");
}

/// A reference date outside the period's year is refused, and so is another date for a period
/// that has one; nothing is stored.
#[test]
fn an_import_refuses_a_reference_date_outside_its_period() {
    let dir = tempfile::tempdir().expect("tmp");
    let (h, m) = synth(dir.path(), 20, "14");
    let db = format!("sqlite://{}", dir.path().join("r.db").display());
    let import = |period: &str, as_of: &str| {
        vuonlen(&[
            "--db",
            &db,
            "import",
            "--period",
            period,
            "--as-of",
            as_of,
            "--households",
            s(&h),
            "--members",
            s(&m),
        ])
    };
    let outside = import("2026", "2025-12-31");
    assert_eq!(outside.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&outside.stderr).contains("the reference date 2025-12-31 is not in period 2026"),
        "{}",
        String::from_utf8_lossy(&outside.stderr)
    );
    let periods = vuonlen(&["--db", &db, "periods"]);
    assert!(!String::from_utf8_lossy(&periods.stdout).contains("2026,"), "nothing stored");
    assert!(import("2025", "2025-06-30").status.success());
    let other = import("2025", "2025-12-31");
    assert_eq!(other.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&other.stderr).contains("already has the reference date 2025-06-30"),
        "{}",
        String::from_utf8_lossy(&other.stderr)
    );
}

/// `db check` prints the audit chain's head, finds a row changed behind the triggers' back (the
/// `sqlite3` shell drops one) and names it with exit 1, and checks a head recorded earlier.
#[test]
fn db_check_names_the_first_tampered_audit_row() {
    let dir = tempfile::tempdir().expect("tmp");
    let (h, m) = synth(dir.path(), 20, "14");
    let file = dir.path().join("r.db");
    let db = format!("sqlite://{}", file.display());
    let imported = vuonlen(&["--db", &db, "import", "--period", "2025", "--households", s(&h), "--members", s(&m)]);
    assert!(imported.status.success(), "{}", String::from_utf8_lossy(&imported.stderr));
    let check = vuonlen(&["--db", &db, "db", "check"]);
    let stdout = String::from_utf8_lossy(&check.stdout).into_owned();
    assert!(check.status.success(), "{stdout}{}", String::from_utf8_lossy(&check.stderr));
    let line = stdout.lines().find(|l| l.starts_with("ok,")).expect("the chain's line");
    let head = line.split(',').nth(2).expect("head").to_string();
    let (seq, hash) = head.split_once(':').expect("SEQ:HASH");
    assert!(seq.parse::<u64>().expect("seq") >= 20, "{line}: one row per household at least");
    assert_eq!(hash.len(), 64, "{line}");
    assert!(String::from_utf8_lossy(&check.stderr).contains(&head), "the head is shown to be recorded");
    // The recorded head is in the chain; another is not.
    let again = vuonlen(&["--db", &db, "db", "check", "--audit-head", &head]);
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    let other = format!("{seq}:{}", "0".repeat(64));
    let rewritten = vuonlen(&["--db", &db, "db", "check", "--audit-head", &other]);
    assert_eq!(rewritten.status.code(), Some(1), "{}", String::from_utf8_lossy(&rewritten.stdout));
    assert!(String::from_utf8_lossy(&rewritten.stderr).contains("rewritten"));
    let bad = vuonlen(&["--db", &db, "db", "check", "--audit-head", "nonsense"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("SEQ:HASH"), "{}", String::from_utf8_lossy(&bad.stderr));

    // Row 7 changed with the append-only trigger dropped.
    let tamper = Command::new("sqlite3")
        .arg(&file)
        .arg("DROP TRIGGER audit_no_update; UPDATE audit SET actor = 'someone else' WHERE seq = 7;")
        .output()
        .expect("the sqlite3 shell");
    assert!(tamper.status.success(), "{}", String::from_utf8_lossy(&tamper.stderr));
    let check = vuonlen(&["--db", &db, "db", "check"]);
    let stdout = String::from_utf8_lossy(&check.stdout);
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert_eq!(check.status.code(), Some(1), "{stdout}{stderr}");
    let line = stdout.lines().find(|l| l.starts_with("BROKEN,")).expect("the chain's line");
    assert_eq!(line.split(',').nth(3), Some("7"), "{line}");
    assert!(stderr.contains("seq 7") && stderr.contains("changed"), "{stderr}");

    // Roles are PostgreSQL's.
    let roles = vuonlen(&["--db", &db, "db", "migrate", "--create-roles"]);
    assert!(!roles.status.success());
    assert!(String::from_utf8_lossy(&roles.stderr).contains("PostgreSQL only"));
}

/// `db migrate --create-roles` on PostgreSQL creates both roles (again: nothing new), and the
/// server's runtime role opens the registry and checks the chain.
#[test]
fn db_migrate_creates_the_owner_and_runtime_roles() {
    let Some(pg) = PgSchema::create() else { return };
    let (owner, app) = (format!("{}_own", pg.schema), format!("{}_app", pg.schema));
    let db = pg.db_url();
    let args = ["--db", &db, "db", "migrate", "--create-roles", "--owner-role", &owner, "--app-role", &app];
    let first = vuonlen(&args);
    let created = std::panic::catch_unwind(|| {
        let stderr = String::from_utf8_lossy(&first.stderr);
        assert!(first.status.success(), "{stderr}");
        assert!(stderr.contains(&format!("created: {owner}, {app}")), "{stderr}");
        let again = vuonlen(&args);
        let stderr = String::from_utf8_lossy(&again.stderr);
        assert!(again.status.success(), "{stderr}");
        assert!(stderr.contains("created: -"), "idempotent: {stderr}");
        let as_app = format!("{db}&options%5Brole%5D={app}");
        let check = vuonlen(&["--db", &as_app, "db", "check"]);
        let stdout = String::from_utf8_lossy(&check.stdout);
        assert!(check.status.success(), "{stdout}{}", String::from_utf8_lossy(&check.stderr));
        assert!(stdout.lines().any(|l| l.starts_with("ok,")), "{stdout}");
        // It really is the runtime role: it may not hand out roles or tables.
        let denied =
            vuonlen(&["--db", &as_app, "db", "migrate", "--create-roles", "--owner-role", &owner, "--app-role", &app]);
        assert!(!denied.status.success(), "the runtime role cannot change roles");
    });
    pg.admin(&[
        format!("DROP SCHEMA IF EXISTS {} CASCADE", pg.schema),
        format!("DROP OWNED BY {owner}, {app}"),
        format!("DROP ROLE {app}"),
        format!("DROP ROLE {owner}"),
    ])
    .expect("drop the roles");
    if let Err(e) = created {
        std::panic::resume_unwind(e);
    }
}

/// API tokens from the command line: made (printed once), listed, revoked.
#[test]
fn the_cli_makes_lists_and_revokes_api_tokens() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = format!("sqlite://{}", dir.path().join("r.db").display());
    let add = Command::new(env!("CARGO_BIN_EXE_vuonlen"))
        .args(["--db", &db, "user", "add", "--username", "tinh.14", "--role", "province_officer", "--unit", "14"])
        .env("VUONLEN_PASSWORD", "mật khẩu thử 123")
        .output()
        .expect("run");
    assert!(add.status.success(), "{}", String::from_utf8_lossy(&add.stderr));
    let weak = Command::new(env!("CARGO_BIN_EXE_vuonlen"))
        .args(["--db", &db, "user", "add", "--username", "tinh.01", "--role", "province_officer", "--unit", "01"])
        .env("VUONLEN_PASSWORD", "12345678")
        .output()
        .expect("run");
    assert_eq!(weak.status.code(), Some(1), "a common password is refused");
    let made = vuonlen(&["--db", &db, "user", "token", "--username", "tinh.14", "--name", "sync", "--days", "30"]);
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let token = String::from_utf8_lossy(&made.stdout).trim().to_string();
    assert_eq!(token.len(), 64, "{token}");
    let listed = vuonlen(&["--db", &db, "user", "tokens", "--username", "tinh.14"]);
    let text = String::from_utf8_lossy(&listed.stdout).to_string();
    assert!(text.contains(",tinh.14,sync,") && text.trim_end().ends_with("true") && !text.contains(&token), "{text}");
    let id = text.lines().nth(1).and_then(|l| l.split(',').next()).expect("id").to_string();
    let revoked = vuonlen(&["--db", &db, "user", "revoke-token", "--username", "tinh.14", "--id", &id]);
    assert!(revoked.status.success(), "{}", String::from_utf8_lossy(&revoked.stderr));
    let after = vuonlen(&["--db", &db, "user", "tokens", "--username", "tinh.14"]);
    assert!(String::from_utf8_lossy(&after.stdout).trim_end().ends_with("false"));
}

/// `vuonlen import` of two files into `period`, with the error file at `errors`.
fn import_files(db: &str, period: &str, h: &Path, m: &Path, errors: &Path) -> Output {
    vuonlen(&["--db", db, "import", "--period", period, "--households", s(h), "--members", s(m), "--errors", s(errors)])
}

/// Issue 15, item 4: a 10 MB name, a NUL byte, a tab, an over-long name, a UTF-16 file and an
/// over-long record are each refused, located, with exit 1 and nothing stored, the same on both
/// engines (the check is in the reader); a name exactly at its limit is stored.
#[test]
fn fields_without_bounds_are_refused_located_on_both_engines() {
    let dir = tempfile::tempdir().expect("tmp");
    bounds_scenario(&format!("sqlite://{}", dir.path().join("reg.db").display()), dir.path());
    if let Some(pg) = PgSchema::create() {
        let pg_dir = dir.path().join("pg");
        std::fs::create_dir_all(&pg_dir).expect("dir");
        bounds_scenario(&pg.db_url(), &pg_dir);
    }
}

fn bounds_scenario(db: &str, dir: &Path) {
    let (hh, members) = registry_household("B1", true, 2);
    let head_h = HOUSEHOLDS.lines().next().expect("header");
    let head_m = MEMBERS.lines().next().expect("header");
    let m = dir.join("m.csv");
    std::fs::write(&m, format!("{head_m}\n{}\n", members.join("\n"))).expect("write");
    let with_name = |name: &str| format!("{head_h}\n{}\n", hh.replace("Người B1 1", name)).into_bytes();
    let with_address = |address: &str| {
        // The address is the sixth column (empty in the usual row).
        let mut cells: Vec<String> = hh.split(',').map(str::to_string).collect();
        cells[5] = address.to_string();
        format!("{head_h}\n{}\n", cells.join(",")).into_bytes()
    };
    let utf16: Vec<u8> = {
        let text = String::from_utf8(with_name("Người B1 1")).expect("UTF-8");
        let mut b = vec![0xFF, 0xFE];
        b.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        b
    };
    let cases: Vec<(&str, Vec<u8>, i32, Vec<&str>)> = vec![
        ("ten-megabyte name", with_name(&"x".repeat(10 << 20)), 1, vec!["row 2", "longer than 1048576 bytes"]),
        ("over-long record", with_address(&format!("\"{}\"", "Thôn 1\n".repeat(200_000))), 1, vec!["row 2", "1048576"]),
        ("UTF-16 file", utf16, 1, vec!["is UTF-16; save it as UTF-8 CSV"]),
        (
            "201 characters",
            with_name(&"ễ".repeat(201)),
            2,
            vec!["row 2", "head_name", "201 characters long; at most 200"],
        ),
        ("NUL byte", with_name("Người\0B1"), 2, vec!["row 2", "head_name", "U+0000"]),
        ("tab", with_name("Người\tB1"), 2, vec!["row 2", "head_name", "U+0009"]),
        ("control character", with_name("Người\u{1b}B1"), 2, vec!["row 2", "head_name", "U+001B"]),
    ];
    for (what, bytes, code, wanted) in cases {
        let h = dir.join("h.csv");
        std::fs::write(&h, &bytes).expect("write");
        let errors = dir.join("errors.csv");
        let _ = std::fs::remove_file(&errors);
        let out = import_files(db, "2025", &h, &m, &errors);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let listed = std::fs::read_to_string(&errors).unwrap_or_default();
        // 1: the file cannot be read on; 2: the data has problems (as every bad value).
        assert_eq!(out.status.code(), Some(code), "{db}, {what}: {stderr}");
        for w in wanted {
            assert!(stderr.contains(w) || listed.contains(w), "{db}, {what}: no '{w}' in {stderr} / {listed}");
        }
        assert!(stderr.len() < 20_000 && listed.len() < 20_000, "{db}, {what}: the value is shortened");
        let periods = vuonlen(&["--db", db, "periods"]);
        assert!(!String::from_utf8_lossy(&periods.stdout).contains("2025,"), "{db}, {what}: nothing stored");
    }
    // At the limit: 200 characters (600 bytes), written decomposed (NFD) as some keyboards do.
    let h = dir.join("h.csv");
    std::fs::write(&h, with_name(&"e\u{0302}\u{0303}".repeat(200))).expect("write");
    let out = import_files(db, "2025", &h, &m, &dir.join("errors.csv"));
    assert!(out.status.success(), "{db}: {}", String::from_utf8_lossy(&out.stderr));
    let periods = vuonlen(&["--db", db, "periods"]);
    assert!(String::from_utf8_lossy(&periods.stdout).contains("2025,"), "{db}: stored");
}

/// `periods` and the households of form 1 for 2025 and (when stored) 2026.
fn registry_figures(db: &str, dir: &Path, tag: &str) -> (String, Vec<f64>) {
    let periods = vuonlen(&["--db", db, "periods"]);
    assert!(periods.status.success(), "{db}: {}", String::from_utf8_lossy(&periods.stderr));
    let listed = String::from_utf8_lossy(&periods.stdout).into_owned();
    let mut totals = Vec::new();
    for period in ["2025", "2026"] {
        if !listed.contains(&format!("{period},")) {
            continue;
        }
        let out = dir.join(format!("f1-{tag}-{period}.xlsx"));
        let r = vuonlen(&["--db", db, "report", "--form", "1", "--unit", "14", "--period", period, "--out", s(&out)]);
        assert!(r.status.success(), "{db}: {}", String::from_utf8_lossy(&r.stderr));
        totals.push(reported_households(&r.stderr));
    }
    (listed, totals)
}

/// Issue 15, item 5: backups taken while an import and a re-import run in other processes are
/// sound (integrity check), restore to a registry whose new period is all there or absent, and a
/// restore round trip gives the same periods and form 1.
#[test]
fn a_backup_taken_during_imports_restores_whole_on_both_engines() {
    let dir = tempfile::tempdir().expect("tmp");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir_all(&a).expect("dir");
    std::fs::create_dir_all(&b).expect("dir");
    let files = [synth_seeded(&a, 3000, 7, "2025-12-31"), synth_seeded(&b, 3000, 8, "2026-12-31")];
    let sqlite = format!("sqlite://{}", dir.path().join("reg.db").display());
    backup_scenario(&sqlite, dir.path(), &files, |i| {
        format!("sqlite://{}", dir.path().join(format!("r{i}.db")).display())
    });
    let has_pg_dump = Command::new("pg_dump").arg("--version").output().is_ok_and(|o| o.status.success());
    if has_pg_dump && let Some(pg) = PgSchema::create() {
        let url = pg.db_url();
        backup_scenario(&url, dir.path(), &files, |_| url.clone());
    }
}

fn backup_scenario(db: &str, dir: &Path, files: &[(PathBuf, PathBuf); 2], target: impl Fn(usize) -> String) {
    let errors = dir.join("bk-errors.csv");
    let [(h25, m25), (h26, m26)] = files;
    let first = import_files(db, "2025", h25, m25, &errors);
    assert!(first.status.success(), "{db}: {}", String::from_utf8_lossy(&first.stderr));
    let spawn = |period: &str, h: &Path, m: &Path| {
        Command::new(env!("CARGO_BIN_EXE_vuonlen"))
            .args([
                "--db",
                db,
                "import",
                "--period",
                period,
                "--households",
                s(h),
                "--members",
                s(m),
                "--standard",
                "2022-2025",
            ])
            .args(["--errors", s(&dir.join(format!("bk-{period}.errors.csv")))])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn an import")
    };
    let tag = if db.starts_with("sqlite") { "sqlite" } else { "pg" };
    let mut writers = vec![spawn("2026", h26, m26), spawn("2025", h25, m25)];
    let mut backups = Vec::new();
    for i in 0..3 {
        let b = dir.join(format!("backup-{tag}-{i}"));
        let out = vuonlen(&["--db", db, "db", "backup", "--out", s(&b), "--force"]);
        assert!(out.status.success(), "{db}: backup {i}: {}", String::from_utf8_lossy(&out.stderr));
        backups.push(b);
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    for w in writers.drain(..) {
        let out = w.wait_with_output().expect("import");
        assert!(out.status.success(), "{db}: {}", String::from_utf8_lossy(&out.stderr));
    }
    // Refused without --force.
    let again = vuonlen(&["--db", db, "db", "backup", "--out", s(&backups[0])]);
    assert_eq!(again.status.code(), Some(1), "{db}: an existing backup is kept");
    let (periods, totals) = registry_figures(db, dir, "live");
    let last = dir.join(format!("backup-{tag}-last"));
    assert!(vuonlen(&["--db", db, "db", "backup", "--out", s(&last)]).status.success());
    for (i, b) in backups.iter().enumerate() {
        let t = target(i);
        let out = vuonlen(&["--db", &t, "db", "restore", "--from", s(b), "--force"]);
        assert!(out.status.success(), "{db}: restore {i}: {}", String::from_utf8_lossy(&out.stderr));
        let check = vuonlen(&["--db", &t, "db", "check"]);
        assert!(check.status.success(), "{t}: {}", String::from_utf8_lossy(&check.stdout));
        let (listed, counts) = registry_figures(&t, dir, &format!("b{i}"));
        assert!(listed.contains("2025,"), "{t}: {listed}");
        // All of a period or none of it.
        assert!(counts.iter().all(|&n| n == 3000.0), "{t}: {counts:?}");
    }
    // The round trip of the last backup gives the same figures.
    let t = target(99);
    let kept = vuonlen(&["--db", &t, "db", "restore", "--from", s(&last)]);
    if db == t {
        assert_eq!(kept.status.code(), Some(1), "a registry with data is replaced only with --force");
    }
    let out = vuonlen(&["--db", &t, "db", "restore", "--from", s(&last), "--force"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(registry_figures(&t, dir, "round"), (periods, totals), "{t}");
}

/// Issue 15, item 5: a damaged copy of a registry (truncated, as a copy of a live file can be,
/// or not a database at all) is refused with the bilingual "restore from a backup" message and
/// exit 1, by `periods` and by `report`; `db restore` brings it back.
#[test]
fn a_damaged_sqlite_registry_is_refused_until_restored() {
    let dir = tempfile::tempdir().expect("tmp");
    let good = dir.path().join("good.db");
    let db = format!("sqlite://{}", good.display());
    let rows: Vec<_> = (0..200).map(|i| registry_household(&format!("D{i}"), i % 3 == 0, 3)).collect();
    import_period(&db, dir.path(), "2025", &rows);
    let backup = dir.path().join("good.backup");
    assert!(vuonlen(&["--db", &db, "db", "backup", "--out", s(&backup)]).status.success());
    let truncated = dir.path().join("truncated.db");
    let bytes = std::fs::read(&good).expect("read");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).expect("write");
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, vec![0x5Au8; 64 * 1024]).expect("write");
    for damaged in [&truncated, &junk] {
        let url = format!("sqlite://{}", damaged.display());
        for args in
            [vec!["periods"], vec!["report", "--form", "1", "--unit", "01", "--period", "2025", "--out", "x.xlsx"]]
        {
            let mut all = vec!["--db", url.as_str()];
            all.extend(args);
            let out = vuonlen(&all);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{url}: {stderr}");
            assert!(stderr.contains("restore it from a backup: `vuonlen db restore"), "{url}: {stderr}");
            assert!(stderr.contains("hãy khôi phục từ bản sao lưu"), "{url}: {stderr}");
        }
        let refused = vuonlen(&["--db", &url, "db", "restore", "--from", s(&backup)]);
        assert_eq!(refused.status.code(), Some(1), "a damaged registry is replaced only with --force");
        let out = vuonlen(&["--db", &url, "db", "restore", "--from", s(&backup), "--force"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let periods = vuonlen(&["--db", &url, "periods"]);
        assert!(String::from_utf8_lossy(&periods.stdout).contains("2025,"), "{url}");
    }
    // A damaged backup is not restored.
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).expect("write");
    let out = vuonlen(&["--db", &db, "db", "restore", "--from", s(&truncated), "--force"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(vuonlen(&["--db", &db, "periods"]).status.success(), "the registry is kept");
}

/// A commune's annual review from the command line: the list (Phụ lục I), applications with a
/// refused file located, screening, survey, meeting, posting, a decision refused before the
/// posting ends and then made, the decision and certificates as PDF, and the lock refusing a
/// later import of the commune's answers.
#[test]
fn a_commune_reviews_decides_prints_and_locks_from_the_command_line() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = format!("sqlite://{}", s(&dir.path().join("review.db")));
    let (h25, m25) = synth_seeded(&dir.path().join("y25"), 1500, 3, "2025-12-31");
    let (h26, m26) = synth_seeded(&dir.path().join("y26"), 1500, 3, "2026-12-31");
    let run = |args: &[&str]| {
        let mut all = vec!["--db", db.as_str(), "--actor", "can-bo-xa"];
        all.extend_from_slice(args);
        vuonlen(&all)
    };
    let ok = |args: &[&str]| {
        let out = run(args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    ok(&["import", "--period", "2025", "--households", s(&h25), "--members", s(&m25)]);
    ok(&["import", "--period", "2026", "--standard", "2022-2025", "--households", s(&h26), "--members", s(&m26)]);
    let round = ok(&["review", "open", "--period", "2026", "--province", "14"]).trim().to_string();

    // The commune with the most households listed.
    ok(&["review", "list", "--round", &round]);
    let status = ok(&["review", "status", "--round", &round, "--today", "2026-10-01"]);
    let (commune, listed) = status
        .lines()
        .skip(1)
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .map(|c| (c[0].to_string(), c[3].parse::<u64>().expect("listed")))
        .max_by_key(|c| c.1)
        .expect("a commune");
    assert!(listed > 0, "{status}");
    let list = dir.path().join("phu-luc-1.xlsx");
    ok(&["review", "list", "--round", &round, "--commune", &commune, "--out", s(&list)]);
    assert!(list.exists());

    // Two households of the commune not on the list apply; a file naming an unknown one is refused whole.
    let (header, rows) = read_csv(&h26);
    let (id, cc) = (col(&header, "household_id"), col(&header, "commune_code"));
    let in_commune: Vec<&str> = rows.iter().filter(|r| r[cc] == commune).map(|r| r[id].as_str()).collect();
    let errors = dir.path().join("apply.errors.csv");
    let mut applicants = Vec::new();
    for code in &in_commune {
        let probe = dir.path().join("probe.csv");
        std::fs::write(&probe, format!("Mã xã,Mã hộ,Nguồn đề nghị,Ngày đề nghị\n{commune},{code},Mẫu 01,10/09/2026\n"))
            .expect("write");
        // Listed households are refused as already on the list: only the others apply.
        let out = run(&["review", "apply", "--round", &round, "--file", s(&probe), "--errors-out", s(&errors)]);
        if out.status.success() {
            applicants.push(code.to_string());
        }
        if applicants.len() == 2 {
            break;
        }
    }
    assert_eq!(applicants.len(), 2);
    let bad = dir.path().join("apply-bad.csv");
    std::fs::write(
        &bad,
        format!("commune_code,household_code,origin,applied_on\n{commune},{commune}-999999,mau_01,2026-09-10\n"),
    )
    .expect("write");
    let out = run(&["review", "apply", "--round", &round, "--file", s(&bad), "--errors-out", s(&errors)]);
    assert!(!out.status.success());
    let (eh, erows) = read_csv(&errors);
    assert_eq!(erows.len(), 1);
    assert_eq!(erows[0][col(&eh, "row")], "2");
    assert!(erows[0][col(&eh, "message_en")].contains("No household"), "{erows:?}");

    let screen = dir.path().join("phieu-a.csv");
    std::fs::write(
        &screen,
        format!(
            "commune_code,household_code,result,reason,screened_on\n{commune},{},proceeds,,2026-09-20\n{commune},{},out,phieu_a,2026-09-20\n",
            applicants[0], applicants[1]
        ),
    )
    .expect("write");
    ok(&["review", "screen", "--round", &round, "--file", s(&screen)]);
    ok(&["review", "survey", "--round", &round, "--commune", &commune, "--all"]);

    // Phiếu B's score A computed by the registry with a loaded table (the labelled TEST table):
    // the applicant screened in is scored as `vuonlen score` scores it; the one screened out is
    // refused at its row, and then nothing is recorded.
    let table = dir.path().join("table.toml");
    std::fs::write(&table, include_str!("../../core/tests/fixtures/score-table-TEST.toml")).expect("write");
    let unloaded = dir.path().join("b-answers.csv");
    let area_of = |code: &str| {
        let row = rows.iter().find(|r| r[id] == code).expect("in the file");
        row[col(&header, "area")].clone()
    };
    let answer = |code: &str| {
        let area = area_of(code);
        let buffalo = if area == "rural" { "co" } else { "" };
        format!("{code},{commune},{area},2_4,Bê tông,{buffalo}\n")
    };
    std::fs::write(&unloaded, format!("Mã hộ,Mã xã,Khu vực,Số nhân khẩu,roof,buffalo\n{}", answer(&applicants[0])))
        .expect("write");
    let score_errors = dir.path().join("score.errors.csv");
    let not_loaded = run(&[
        "review",
        "score",
        "--round",
        &round,
        "--table",
        "TEST-not-official",
        "--file",
        s(&unloaded),
        "--errors-out",
        s(&score_errors),
    ]);
    assert!(!not_loaded.status.success());
    assert!(String::from_utf8_lossy(&not_loaded.stderr).contains("is not loaded"));
    ok(&["standards", "load", s(&table)]);
    assert!(ok(&["standards", "loaded"]).contains("TEST-not-official\ttest\t0\t"));
    let both = dir.path().join("b-both.csv");
    std::fs::write(
        &both,
        format!("Mã hộ,Mã xã,Khu vực,Số nhân khẩu,roof,buffalo\n{}{}", answer(&applicants[0]), answer(&applicants[1])),
    )
    .expect("write");
    let args = |file: &Path| {
        let mut v = vec!["review", "score", "--round", &round, "--table", "TEST-not-official", "--file"];
        v.push(s(file));
        v.extend(["--errors-out", s(&score_errors)]);
        v.into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    let refused = run(&args(&both).iter().map(String::as_str).collect::<Vec<_>>());
    assert!(!refused.status.success());
    let (eh, erows) = read_csv(&score_errors);
    assert_eq!(erows.len(), 1, "{erows:?}");
    assert_eq!(
        (erows[0][col(&eh, "row")].as_str(), erows[0][col(&eh, "value")].as_str()),
        ("3", applicants[1].as_str())
    );
    let shown = |code: &str| ok(&["household", "--commune", &commune, "--code", code]);
    assert!(!shown(&applicants[0]).contains("Điểm A"), "nothing recorded on refusal");
    ok(&args(&unloaded).iter().map(String::as_str).collect::<Vec<_>>());
    let expected = dir.path().join("expected.csv");
    ok(&["score", "--table", s(&table), "--file", s(&unloaded), "--out", s(&expected)]);
    let (sh, srows) = read_csv(&expected);
    let want = format!(
        "score A: {} — bảng TEST-not-official vùng {}",
        srows[0][col(&sh, "score_a")],
        srows[0][col(&sh, "region")]
    );
    let history = shown(&applicants[0]);
    assert!(history.contains(&want) && history.contains("BẢNG THỬ NGHIỆM"), "{history}");
    let audit = ok(&["household", "--commune", &commune, "--code", &applicants[0], "--audit"]);
    assert!(audit.lines().any(|l| l.contains("review score") && l.contains(",score_a,")), "{audit}");
    // Phiếu C: the applicant's actual income over 12 months (allowances excluded) makes it
    // middle-living NLNDN; a row whose allowances exceed the income is refused, nothing recorded.
    let (mh, mrows) = read_csv(&m26);
    let persons = mrows.iter().filter(|r| r[col(&mh, "household_id")] == applicants[0]).count() as u64;
    let income = 2_100_000 * 12 * persons + 1_200_000;
    let phieu_c = dir.path().join("phieu-c.csv");
    let row = |income: u64| format!("{commune},{},có,{income},1200000,2026-09-25\n", applicants[0]);
    let header_c = "Mã xã,Mã hộ,\"Hộ làm nông, lâm, ngư, diêm nghiệp\",Tổng thu nhập 12 tháng (đồng),\"Trợ cấp, trợ giúp xã hội 12 tháng (đồng)\",Ngày khảo sát\n";
    std::fs::write(&phieu_c, format!("{header_c}{}", row(1_000_000))).expect("write");
    let income_errors = dir.path().join("income.errors.csv");
    let bad_c = run(&["review", "income", "--round", &round, "--file", s(&phieu_c), "--errors-out", s(&income_errors)]);
    assert!(!bad_c.status.success());
    let (ih, irows) = read_csv(&income_errors);
    assert!(irows[0][col(&ih, "message_en")].contains("exceed"), "{irows:?}");
    assert_eq!(irows[0][col(&ih, "row")], "2");
    std::fs::write(&phieu_c, format!("{header_c}{}", row(income))).expect("write");
    ok(&["review", "income", "--round", &round, "--file", s(&phieu_c)]);
    let history = shown(&applicants[0]);
    assert!(history.contains("Phiếu C / income survey: 2100000 đ/người/tháng"), "{history}");
    assert!(history.contains("2026: Hộ có mức sống trung bình"), "{history}");
    // The households file now says what the registry holds (a re-import of it changes nothing).
    let score_a = srows[0][col(&sh, "score_a")].clone();
    let (hh, mut hrows) = read_csv(&h26);
    for r in hrows.iter_mut().filter(|r| r[id] == applicants[0]) {
        r[col(&hh, "score_a")] = score_a.clone();
        r[col(&hh, "income_per_capita")] = "2100000".into();
        r[col(&hh, "nlndn")] = "1".into();
    }
    let mut w = csv::Writer::from_path(&h26).expect("write");
    w.write_record(&hh).expect("write");
    for r in &hrows {
        w.write_record(r).expect("write");
    }
    w.flush().expect("write");

    // A table households were scored with is not replaced by another text.
    std::fs::write(
        &table,
        include_str!("../../core/tests/fixtures/score-table-TEST.toml").replace("intercept = 10", "intercept = 11"),
    )
    .expect("write");
    let replaced = run(&["standards", "load", s(&table)]);
    assert!(!replaced.status.success());
    assert!(String::from_utf8_lossy(&replaced.stderr).contains("under another id"));
    ok(&[
        "review",
        "meeting",
        "--round",
        &round,
        "--commune",
        &commune,
        "--all",
        "--held-on",
        "2026-10-15",
        "--attendees",
        "40",
        "--agreeing",
        "30",
    ]);
    ok(&["review", "post", "--round", &round, "--commune", &commune, "--from", "2026-12-01", "--to", "2026-12-03"]);
    let early = run(&[
        "review",
        "decide",
        "--round",
        &round,
        "--commune",
        &commune,
        "--number",
        "125/QĐ-UBND",
        "--date",
        "2026-12-03",
        "--signer",
        "Lò Văn Sáng",
    ]);
    assert!(!early.status.success());
    assert!(String::from_utf8_lossy(&early.stderr).contains("not after posting ends"));
    let decided = run(&[
        "review",
        "decide",
        "--round",
        &round,
        "--commune",
        &commune,
        "--number",
        "125/QĐ-UBND",
        "--date",
        "2026-12-04",
        "--signer",
        "Lò Văn Sáng",
    ]);
    assert!(decided.status.success(), "{}", String::from_utf8_lossy(&decided.stderr));
    let said = String::from_utf8_lossy(&decided.stderr).into_owned();
    assert!(
        said.contains(&format!("công nhận {} hộ", listed + 1)),
        "listed households and the applicant screened in: {said}"
    );

    let (qd, gcn) = (dir.path().join("qd.pdf"), dir.path().join("gcn.pdf"));
    ok(&["review", "print", "--round", &round, "--commune", &commune, "--decision", s(&qd), "--certificates", s(&gcn)]);
    for pdf in [&qd, &gcn] {
        assert!(std::fs::read(pdf).expect("pdf").starts_with(b"%PDF"), "{}", pdf.display());
    }

    // Locked: the same answers again change nothing; a change to one of the commune's households
    // is refused.
    ok(&["import", "--period", "2026", "--households", s(&h26), "--members", s(&m26)]);
    let text = std::fs::read_to_string(&h26).expect("households");
    let changed: Vec<String> = text
        .lines()
        .map(|l| {
            if l.starts_with(&format!("{},", applicants[0])) {
                l.replacen(",urban,", ",urban,Sửa ", 1).replacen(",rural,", ",rural,Sửa ", 1)
            } else {
                l.to_string()
            }
        })
        .collect();
    let h_changed = dir.path().join("changed.csv");
    std::fs::write(&h_changed, changed.join("\n") + "\n").expect("write");
    let errors = dir.path().join("late.errors.csv");
    let late = run(&[
        "import",
        "--period",
        "2026",
        "--households",
        s(&h_changed),
        "--members",
        s(&m26),
        "--errors",
        s(&errors),
    ]);
    assert!(!late.status.success(), "{}", String::from_utf8_lossy(&late.stderr));
    let (eh, erows) = read_csv(&errors);
    assert!(erows.iter().any(|r| r[col(&eh, "message_en")].contains("are locked")), "{erows:?}");
    let status = ok(&["review", "status", "--round", &round, "--today", "2026-12-20"]);
    let line = status.lines().find(|l| l.starts_with(&commune)).expect("commune");
    assert!(line.contains("125/QĐ-UBND") && line.contains("\tdecision\t"), "{line}");
}

/// Issue 12, Phiếu B: score A is computed from the answers with a loaded score table (here the
/// labelled TEST table; none official is shipped), and a file with bad answers is refused whole
/// with every problem located.
#[test]
fn score_a_is_computed_with_a_loaded_table_and_bad_answers_are_located() {
    let dir = tempfile::tempdir().expect("tmp");
    let table = dir.path().join("table.toml");
    std::fs::write(&table, include_str!("../../core/tests/fixtures/score-table-TEST.toml")).expect("write");
    let listed = vuonlen(&["standards", "--standard-file", s(&table)]);
    assert!(listed.status.success());
    assert!(String::from_utf8_lossy(&listed.stdout).contains("[BẢNG THỬ NGHIỆM"), "a test table says so");
    let shipped = vuonlen(&["standards"]);
    assert!(String::from_utf8_lossy(&shipped.stdout).contains("chưa nạp"), "none is shipped");

    let answers = dir.path().join("phieu-b.csv");
    std::fs::write(
        &answers,
        "Mã hộ,Mã xã,Khu vực,Số nhân khẩu,roof,buffalo\nH1,04000,nông thôn,2_4,Bê tông,co\nH2,04000,thanh thi,1,leaves,\n",
    )
    .expect("write");
    let out = dir.path().join("scored.csv");
    let r = vuonlen(&["score", "--table", s(&table), "--file", s(&answers), "--out", s(&out)]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let (header, rows) = read_csv(&out);
    let score = col(&header, "score_a");
    // The test table's invented points: NT2 28 + 38 + 25; urban 10 (intercept) + 50 + 0.
    assert_eq!(rows.iter().map(|r| r[score].as_str()).collect::<Vec<_>>(), ["91", "60"]);
    assert_eq!(rows[0][col(&header, "region")], "NT2");

    std::fs::write(
        &answers,
        "household_id,commune_code,area,household_size,roof,buffalo\nH1,04000,rural,2_4,tin,\nH2,79999,rural,1,leaves,none\n",
    )
    .expect("write");
    let errors = dir.path().join("e.csv");
    let bad =
        vuonlen(&["score", "--table", s(&table), "--file", s(&answers), "--out", s(&out), "--errors-out", s(&errors)]);
    assert!(!bad.status.success());
    let (h, problems) = read_csv(&errors);
    let (row, column, value) = (col(&h, "row"), col(&h, "column"), col(&h, "value"));
    let found: Vec<(&str, &str, &str)> =
        problems.iter().map(|p| (p[row].as_str(), p[column].as_str(), p[value].as_str())).collect();
    assert!(found.contains(&("2", "roof", "tin")), "{found:?}");
    assert!(found.contains(&("2", "buffalo", "")), "{found:?}");
    assert!(found.contains(&("3", "commune_code", "79999")), "{found:?}");
}

// --- Plan targets (issue 13) ---

#[test]
fn a_target_table_with_a_published_error_is_refused_located_then_imported_and_exported() {
    let dir = tempfile::tempdir().expect("tmp");
    targets_scenario(&format!("sqlite://{}", s(&dir.path().join("targets.db"))), dir.path());
    if let Some(pg) = PgSchema::create() {
        let pg_dir = dir.path().join("pg");
        std::fs::create_dir_all(&pg_dir).expect("mkdir");
        targets_scenario(&pg.db_url(), &pg_dir);
    }
}

fn targets_scenario(db: &str, dir: &Path) {
    let run = |args: &[&str]| {
        let mut all = vec!["--db", db, "--actor", "can-bo-tinh"];
        all.extend_from_slice(args);
        vuonlen(&all)
    };
    let text = |o: &Output| format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(run(&["db", "migrate"]).status.success());
    // The province's own targets first: the communes' table is bound by them.
    let set = run(&[
        "targets",
        "set",
        "--year",
        "2026",
        "--unit",
        "14",
        "--figure",
        "households=300000",
        "--figure",
        "poor_households=5000",
        "--figure",
        "poor_rate_pct=1.67",
        "--figure",
        "target_reduction_households=20",
    ]);
    assert!(set.status.success(), "{}", text(&set));
    // A wrong rate in the province's own figures is refused, naming the base.
    let bad_set = run(&[
        "targets",
        "set",
        "--year",
        "2026",
        "--unit",
        "14",
        "--figure",
        "households=300000",
        "--figure",
        "poor_households=5000",
        "--figure",
        "poor_rate_pct=1.5",
        "--figure",
        "target_reduction_households=20",
    ]);
    assert!(!bad_set.status.success());
    assert!(text(&bad_set).contains("5.000 hộ nghèo / 300.000 hộ dân cư = 1,67 %"), "{}", text(&bad_set));

    // Names with or without the unit's type and diacritics, a code; the third row's rate is
    // wrong (30 / 1,500 is 2.00 %, the table says 2.5), as published plans are.
    let header = "Mã đơn vị,Tên đơn vị,Tổng số hộ,Số hộ nghèo,Tỷ lệ hộ nghèo (%),Hộ nghèo thuộc diện bảo trợ xã hội,\
                  Hộ nghèo có khả năng thoát nghèo,Chỉ tiêu giảm hộ nghèo (hộ),Số hộ nghèo cuối năm,Tỷ lệ hộ nghèo cuối năm (%)\n";
    let table = |third_rate: &str| {
        format!(
            "{header},Tô Hiệu,2845,43,\"1,51\",13,30,10,33,\"1,16\"\n\
             03667,Phường Chiềng An,1000,20,\"2,00\",5,15,5,15,\"1,50\"\n\
             ,chieng coi,1500,30,\"{third_rate}\",10,20,8,22,\"1,47\"\n\
             ,Tổng cộng,5345,93,\"1,74\",28,65,23,70,\"1,31\"\n"
        )
    };
    let file = dir.join("chi-tieu-xa.csv");
    let errors = dir.join("chi-tieu.errors.csv");
    std::fs::write(&file, table("2,5")).expect("write");
    let args = |f: &Path| {
        vec![
            "targets".to_string(),
            "import".into(),
            "--year".into(),
            "2026".into(),
            "--unit".into(),
            "14".into(),
            "--file".into(),
            s(f).into(),
            "--errors-out".into(),
            s(&errors).into(),
        ]
    };
    let refused = run(&args(&file).iter().map(String::as_str).collect::<Vec<_>>());
    assert!(!refused.status.success(), "{}", text(&refused));
    let (h, rows) = read_csv(&errors);
    assert_eq!(h, ["severity", "file", "sheet", "row", "column", "value", "unit", "message_vi", "message_en"]);
    assert_eq!(rows.len(), 1, "one error: {rows:?}");
    let e = &rows[0];
    assert_eq!(
        (e[3].as_str(), e[4].as_str(), e[5].as_str(), e[6].as_str()),
        ("4", "Tỷ lệ hộ nghèo (%)", "2,5", "chieng coi")
    );
    assert!(e[7].contains("30 hộ nghèo / 1.500 hộ dân cư = 2 %"), "{}", e[7]);
    assert!(e[8].contains("30 poor households / 1500 households = 2 %"), "{}", e[8]);
    // Nothing was recorded.
    assert!(!text(&run(&["targets", "show", "--year", "2026", "--unit", "14"])).contains("table for"));

    // Fixed, it is recorded.
    std::fs::write(&file, table("2,00")).expect("write");
    let imported = run(&args(&file).iter().map(String::as_str).collect::<Vec<_>>());
    assert!(imported.status.success(), "{}", text(&imported));
    assert!(text(&imported).contains("Recorded 2026 targets of 3 units"), "{}", text(&imported));
    let shown = text(&run(&["targets", "show", "--year", "2026", "--unit", "14"]));
    for code in ["03646", "03667", "03670"] {
        assert!(shown.contains(code), "{code}: {shown}");
    }
    assert!(shown.contains("Tổng cộng\t5.345\t93\t23"), "{shown}");

    // Exported with English headers, it reads back as the same table.
    let out = dir.join("export.csv");
    let exported = run(&["targets", "export", "--year", "2026", "--unit", "14", "--out", s(&out), "--english"]);
    assert!(exported.status.success(), "{}", text(&exported));
    let (h, rows) = read_csv(&out);
    assert_eq!(&h[..4], ["unit_code", "unit_name", "households", "ethnic_minority_households"]);
    assert_eq!(rows.len(), 4);
    assert_eq!((rows[3][1].as_str(), rows[3][col(&h, "households")].as_str()), ("Tổng cộng", "5345"));
    assert_eq!(rows[3][col(&h, "poor_rate_pct")], "1.74");
    let again = run(&["targets", "check", "--year", "2026", "--unit", "14", "--file", s(&out)]);
    assert!(again.status.success(), "{}", text(&again));
    let xlsx = dir.join("export.xlsx");
    assert!(run(&["targets", "export", "--year", "2026", "--unit", "14", "--out", s(&xlsx)]).status.success());
    let from_xlsx = run(&["targets", "check", "--year", "2026", "--unit", "14", "--file", s(&xlsx)]);
    assert!(from_xlsx.status.success(), "{}", text(&from_xlsx));

    // Progress: targets but no review period in this registry, so no figures to compare.
    let progress = run(&["targets", "progress", "--year", "2026", "--unit", "14"]);
    assert!(progress.status.success(), "{}", text(&progress));
    let out = String::from_utf8_lossy(&progress.stdout).into_owned();
    let line = out.lines().find(|l| l.starts_with("03646\t")).unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains("\t43\t10\t33\t") && line.ends_with("no_data\tno_data\t0"), "{line}");
    // Indicator targets: checked against the framework and the standard, all refusals at once.
    let ind = run(&[
        "targets",
        "set",
        "--year",
        "2026",
        "--unit",
        "14",
        "--indicator",
        "health_insurance=100",
        "--indicator",
        "deprived_shares:water=2",
    ]);
    assert!(ind.status.success(), "{}", text(&ind));
    let bad = run(&[
        "targets",
        "set",
        "--year",
        "2026",
        "--unit",
        "14",
        "--indicator",
        "health_insurance=120",
        "--indicator",
        "deprived_shares=2",
        "--indicator",
        "magic=1",
    ]);
    assert!(!bad.status.success());
    let said = text(&bad);
    assert!(said.contains("outside 0–100") && said.contains("indicator code") && said.contains("'magic'"), "{said}");
    let xlsx = dir.join("tien-do.xlsx");
    let wrote = run(&["targets", "progress", "--year", "2026", "--unit", "14", "--out", s(&xlsx)]);
    assert!(wrote.status.success() && xlsx.exists(), "{}", text(&wrote));

    // The monitoring cycle from the command line: a commune's 6-monthly report drafted, a
    // reported figure entered, submitted, approved, then locked; the province's roll-up names the
    // late communes, and the province's own due day moves the deadline.
    let m = |args: &[&str]| {
        let mut all = vec!["monitoring"];
        all.extend_from_slice(args);
        run(&all)
    };
    let unit = ["--kind", "six_monthly", "--year", "2026", "--unit", "03646"];
    for step in [&["draft"][..], &["enter", "--set", "workers_trained=5"], &["submit"], &["approve"]] {
        let mut args = step.to_vec();
        args.extend_from_slice(&unit);
        let out = m(&args);
        assert!(out.status.success(), "{step:?}: {}", text(&out));
    }
    let mut again = vec!["submit"];
    again.extend_from_slice(&unit);
    let locked = m(&again);
    assert!(!locked.status.success() && text(&locked).contains("approved and locked"), "{}", text(&locked));
    let rollup =
        |today: &str| m(&["rollup", "--kind", "six_monthly", "--year", "2026", "--unit", "14", "--today", today]);
    let r = rollup("2026-07-01");
    let out = text(&r);
    assert!(out.contains("03646\tPhường Tô Hiệu\tapproved"), "{out}");
    assert!(out.lines().any(|l| l.starts_with("03667\t") && l.ends_with("LATE")), "{out}");
    assert!(out.contains("1 approved"), "{out}");
    assert!(
        m(&["due", "--kind", "six_monthly", "--year", "2026", "--province", "14", "--on", "2026-07-15"])
            .status
            .success()
    );
    let out = text(&rollup("2026-07-01"));
    assert!(!out.contains("LATE") && out.contains("0 late"), "{out}");

    // Beyond the province's targets, with both figures; bad numbers and unknown units, all at once.
    let over = dir.join("over.csv");
    std::fs::write(
        &over,
        format!(
            "{header},Tô Hiệu,400000,43,\"0,01\",13,30,10,33,\"0,01\"\n\
             ,Xã Không Có,10,-5,,,,1,,\n\
             03667,Phường Chiềng An,1000,20,120,5,15,5,15,\"1,50\"\n"
        ),
    )
    .expect("write");
    let o =
        run(&["targets", "check", "--year", "2026", "--unit", "14", "--file", s(&over), "--errors-out", s(&errors)]);
    assert!(!o.status.success());
    let (_, rows) = read_csv(&errors);
    let messages: Vec<String> = rows.iter().map(|r| format!("{} {} {}", r[3], r[4], r[8])).collect();
    assert!(messages.iter().any(|m| m.starts_with("3 ") && m.contains("'-5'")), "{messages:?}");
    assert!(
        messages.iter().any(|m| m.starts_with("3 ") && m.contains("'Xã Không Có' is not a unit of Tỉnh Sơn La")),
        "{messages:?}"
    );
    assert!(messages.iter().any(|m| m.starts_with("4 ") && m.contains("between 0 and 100")), "{messages:?}");
    // The parent comparison needs every row read: fixed, the sum beyond the province is shown.
    std::fs::write(&over, format!("{header},Tô Hiệu,400000,43,\"0,01\",13,30,10,33,\"0,01\"\n")).expect("write");
    let o =
        run(&["targets", "check", "--year", "2026", "--unit", "14", "--file", s(&over), "--errors-out", s(&errors)]);
    assert!(!o.status.success());
    let (_, rows) = read_csv(&errors);
    assert!(
        rows.iter().any(|r| r[7].contains("400.000 hộ dân cư") && r[7].contains("Tỉnh Sơn La (300.000)")),
        "{rows:?}"
    );
    assert!(rows.iter().any(|r| r[8].contains("by 10") && r[8].contains("(20)")), "{rows:?}");
}

#[test]
fn a_commune_sets_targets_for_its_villages_and_sees_their_progress() {
    let dir = tempfile::tempdir().expect("tmp");
    villages_scenario(&format!("sqlite://{}", s(&dir.path().join("villages.db"))), dir.path());
    if let Some(pg) = PgSchema::create() {
        let pg_dir = dir.path().join("pg");
        std::fs::create_dir_all(&pg_dir).expect("mkdir");
        villages_scenario(&pg.db_url(), &pg_dir);
    }
}

fn villages_scenario(db: &str, dir: &Path) {
    let run = |args: &[&str]| {
        let mut all = vec!["--db", db, "--actor", "can-bo-xa"];
        all.extend_from_slice(args);
        vuonlen(&all)
    };
    let text = |o: &Output| format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(run(&["db", "migrate"]).status.success());
    // Commune 00097's 2025 review: Tổ 1 has two poor households of three, Tổ 2 one of three.
    let in_village = |code: &str, poor: bool, village: &str| {
        let (h, m) = registry_household(code, poor, 2);
        (h.replacen(",Tổ 1,", &format!(",{village},"), 1), m)
    };
    let rows = vec![
        in_village("H1", true, "Tổ 1"),
        in_village("H2", true, "Tổ 1"),
        in_village("H3", false, "Tổ 1"),
        in_village("H4", true, "Tổ 2"),
        in_village("H5", false, "Tổ 2"),
        in_village("H6", false, "Tổ 2"),
    ];
    import_period(db, dir, "2025", &rows);
    let commune = |fig: &[&str]| {
        let mut a = vec!["targets", "set", "--year", "2026", "--unit", "00097"];
        for f in fig {
            a.extend_from_slice(&["--figure", f]);
        }
        run(&a)
    };
    let set = commune(&["households=6", "poor_households=3", "poor_rate_pct=50", "target_reduction_households=1"]);
    assert!(set.status.success(), "{}", text(&set));

    // The commune's table per village, by name with or without its type; "Tổ 9" is not a village
    // of the commune, and the villages' households (7) are more than the commune's (6).
    let header = "Tên đơn vị,Tổng số hộ,Số hộ nghèo,Tỷ lệ hộ nghèo (%),Chỉ tiêu giảm hộ nghèo (hộ)\n";
    let file = dir.join("thon.csv");
    let errors = dir.join("thon.errors.csv");
    let import = || {
        run(&["targets", "import", "--year", "2026", "--unit", "00097", "--file", s(&file), "--errors-out", s(&errors)])
    };
    std::fs::write(
        &file,
        format!("{header}Tổ 1,3,2,\"66,67\",2\nto 2,3,1,\"33,33\",1\nTổ 9,1,0,0,0\nTổng cộng,7,3,\"42,86\",3\n"),
    )
    .expect("write");
    let refused = import();
    assert!(!refused.status.success(), "{}", text(&refused));
    let (_, found) = read_csv(&errors);
    let unknown = found.iter().find(|r| r[6] == "Tổ 9").unwrap_or_else(|| panic!("{found:?}"));
    assert!(unknown[8].contains("is not a unit of Phường"), "{unknown:?}");
    let beyond = found.iter().find(|r| r[4] == "Tổng số hộ").unwrap_or_else(|| panic!("{found:?}"));
    assert!(beyond[8].contains("7 households") && beyond[8].contains("target (6)"), "{beyond:?}");
    assert!(!text(&run(&["targets", "show", "--year", "2026", "--unit", "00097"])).contains("table for"));

    std::fs::write(&file, format!("{header}Tổ 1,3,2,\"66,67\",1\nto 2,3,1,\"33,33\",0\nTổng cộng,6,3,50,1\n"))
        .expect("write");
    let imported = import();
    assert!(imported.status.success(), "{}", text(&imported));
    let shown = text(&run(&["targets", "show", "--year", "2026", "--unit", "00097"]));
    assert!(shown.contains("00097-to-1\tTổ 1\t3\t2\t1") && shown.contains("00097-to-2\tTổ 2\t3\t1\t0"), "{shown}");

    // A village's own targets by its code written with diacritics; its progress from the registry.
    let village = run(&[
        "targets",
        "set",
        "--year",
        "2026",
        "--unit",
        "00097-Tổ 2",
        "--figure",
        "households=3",
        "--figure",
        "poor_households=1",
        "--figure",
        "target_reduction_households=1",
    ]);
    assert!(village.status.success(), "{}", text(&village));
    let progress = run(&["targets", "progress", "--year", "2026", "--unit", "00097"]);
    let out = String::from_utf8_lossy(&progress.stdout).into_owned();
    let to1 = out.lines().find(|l| l.starts_with("00097-to-1\t")).unwrap_or_else(|| panic!("{out}"));
    let to2 = out.lines().find(|l| l.starts_with("00097-to-2\t")).unwrap_or_else(|| panic!("{out}"));
    // start (the table's), reduction, end target (start − reduction).
    assert!(to1.starts_with("00097-to-1\tTổ 1\t2\t1\t1\t"), "{to1}");
    assert!(to2.starts_with("00097-to-2\tTổ 2\t1\t1\t0\t"), "{to2}");
    // Villages do not report: no monitoring report for one.
    let m = run(&["monitoring", "draft", "--kind", "six_monthly", "--year", "2026", "--unit", "00097-to-1"]);
    assert!(!m.status.success(), "{}", text(&m));

    // The commune's five-year plan, read year by year: 2026 ends at 2 poor households, 2027's
    // targets start from 3 (as published plans do), 2028–2030 have none yet.
    let plan = |from: &str, to: &str| {
        run(&[
            "plans",
            "set",
            "--unit",
            "00097",
            "--from",
            from,
            "--to",
            to,
            "--title",
            "Kế hoạch giảm nghèo bền vững giai đoạn 2026–2030",
            "--decision",
            "45/QĐ-UBND",
            "--decided-on",
            "2026-01-15",
        ])
    };
    let backwards = plan("2030", "2026");
    assert!(!backwards.status.success() && text(&backwards).contains("is before the first"), "{}", text(&backwards));
    let recorded = plan("2026", "2030");
    assert!(recorded.status.success(), "{}", text(&recorded));
    let y2027 = run(&[
        "targets",
        "set",
        "--year",
        "2027",
        "--unit",
        "00097",
        "--figure",
        "households=6",
        "--figure",
        "poor_households=3",
        "--figure",
        "target_reduction_households=1",
    ]);
    assert!(y2027.status.success(), "{}", text(&y2027));
    let shown = text(&run(&["plans", "show", "--unit", "00097"]));
    assert!(shown.contains("giai đoạn 2026–2030 (2026–2030) — 45/QĐ-UBND ngày 2026-01-15"), "{shown}");
    assert!(shown.contains("\n2026\t3\t1\t2\t\tno_data\t"), "{shown}");
    assert!(shown.contains("\n2027\t3\t1\t2\t"), "{shown}");
    assert!(shown.contains("start of 2027 (3) differ from 2026's end-of-year target (2)"), "{shown}");
    for year in ["2028", "2029", "2030"] {
        assert!(shown.contains(&format!("year {year} has no targets")), "{year}: {shown}");
    }
    assert!(!shown.contains("year 2026 has no targets"), "{shown}");
}

#[test]
fn a_sub_project_s_four_year_budget_is_set_its_communes_table_refused_located_then_imported() {
    let dir = tempfile::tempdir().expect("tmp");
    budget_scenario(&format!("sqlite://{}", s(&dir.path().join("budget.db"))), dir.path());
    if let Some(pg) = PgSchema::create() {
        let pg_dir = dir.path().join("pg");
        std::fs::create_dir_all(&pg_dir).expect("mkdir");
        budget_scenario(&pg.db_url(), &pg_dir);
    }
}

fn budget_scenario(db: &str, dir: &Path) {
    let run = |args: &[&str]| {
        let mut all = vec!["--db", db, "--actor", "can-bo-tinh"];
        all.extend_from_slice(args);
        vuonlen(&all)
    };
    let text = |o: &Output| format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(run(&["db", "migrate"]).status.success());
    // 100 million for 2022–2025, 10 / 30 / 30 / 30 million by year (a sub-project plan's split).
    let set = |project: &str| {
        run(&[
            "budget",
            "set",
            "--unit",
            "14",
            "--project",
            project,
            "--source",
            "Ngân sách trung ương",
            "--from",
            "2022",
            "--allocated",
            "10.000.000",
            "--allocated",
            "30000000",
            "--allocated",
            "30 000 000",
            "--allocated",
            "30,000,000",
        ])
    };
    let unknown = set("DA9");
    assert!(!unknown.status.success() && text(&unknown).contains("'DA9' is not a project"), "{}", text(&unknown));
    let ok = set("da3.tda1");
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("Recorded 4 budget lines"), "{}", text(&ok));

    // The communes' table: a row above the province's 2023 line, a project unknown in 2026, a
    // source that is not one, a disbursement above its allocation — all refused at once.
    let header = "Năm,Mã đơn vị,Tên đơn vị,Mã dự án,Nguồn vốn,Kinh phí được giao (đồng),Đã giải ngân (đồng)\n";
    let file = dir.join("kinh-phi.csv");
    let errors = dir.join("kinh-phi.errors.csv");
    std::fs::write(
        &file,
        format!(
            "{header}2023,03646,Phường Tô Hiệu,DA3.TDA1,central,20.000.000,5.000.000\n\
             2023,03667,Phường Chiềng An,DA3.TDA1,central,15.000.000,\n\
             2026,03646,Phường Tô Hiệu,DA3.TDA1,central,1.000.000,\n\
             2023,03670,Xã Chiềng Cọ,DA3.TDA1,tiền túi,1.000.000,\n\
             2023,03670,Xã Chiềng Cọ,DA5,local,1.000.000,2.000.000\n"
        ),
    )
    .expect("write");
    let import = |f: &Path| run(&["budget", "import", "--file", s(f), "--errors-out", s(&errors)]);
    let refused = import(&file);
    assert!(!refused.status.success(), "{}", text(&refused));
    let (_, rows) = read_csv(&errors);
    let at: Vec<(&str, &str)> = rows.iter().map(|r| (r[3].as_str(), r[4].as_str())).collect();
    assert_eq!(
        at,
        [("4", "Mã dự án"), ("5", "Nguồn vốn"), ("6", "Đã giải ngân (đồng)")],
        "file problems first, nothing checked against the registry yet: {rows:?}"
    );
    assert!(rows[0][8].contains("'DA3.TDA1' is not a project of"), "{:?}", rows[0]);
    assert!(rows[2][7].contains("giải ngân 2.000.000 đồng lớn hơn số được giao 1.000.000"), "{:?}", rows[2]);
    // Those fixed, the registry's rule: the two communes' 35 million for 2023 exceed the
    // province's 30 million — refused, located at the rows, both amounts named.
    std::fs::write(
        &file,
        format!(
            "{header}2023,03646,Phường Tô Hiệu,DA3.TDA1,central,20.000.000,5.000.000\n\
             2023,03667,Phường Chiềng An,DA3.TDA1,central,15.000.000,\n"
        ),
    )
    .expect("write");
    let check = run(&["budget", "check", "--file", s(&file), "--errors-out", s(&errors)]);
    assert!(!check.status.success(), "{}", text(&check));
    let (_, rows) = read_csv(&errors);
    assert!(
        !rows.is_empty() && rows.iter().all(|r| r[7].contains("35.000.000") && r[7].contains("30.000.000")),
        "{rows:?}"
    );
    std::fs::write(
        &file,
        format!(
            "{header}2023,03646,Phường Tô Hiệu,DA3.TDA1,central,20.000.000,5.000.000\n\
             2023,03667,Phường Chiềng An,DA3.TDA1,central,10.000.000,\n"
        ),
    )
    .expect("write");
    let imported = import(&file);
    assert!(imported.status.success(), "{}", text(&imported));
    let shown = text(&run(&["budget", "show", "--unit", "14", "--year", "2023"]));
    assert!(shown.contains("2023\tDA3.TDA1\tcentral\t30000000\t\t"), "{shown}");
    assert!(shown.contains("03646\tPhường Tô Hiệu\t20000000\t5000000\t25.0"), "{shown}");
    // Exported with English headers, the table checks back.
    let out = dir.join("export.csv");
    assert!(run(&["budget", "export", "--unit", "14", "--out", s(&out), "--english"]).status.success());
    let (h, rows) = read_csv(&out);
    assert_eq!(&h[..5], ["year", "unit_code", "unit_name", "project_code", "source"]);
    assert_eq!(rows.len(), 6, "{rows:?}");
    let again = run(&["budget", "check", "--file", s(&out)]);
    assert!(again.status.success(), "{}", text(&again));
}

#[test]
fn an_agency_s_support_list_is_refused_located_then_imported_and_counted_in_form_8() {
    let dir = tempfile::tempdir().expect("tmp");
    support_scenario(&format!("sqlite://{}", s(&dir.path().join("support.db"))), dir.path());
    if let Some(pg) = PgSchema::create() {
        let pg_dir = dir.path().join("pg");
        std::fs::create_dir_all(&pg_dir).expect("mkdir");
        support_scenario(&pg.db_url(), &pg_dir);
    }
}

fn support_scenario(db: &str, dir: &Path) {
    let run = |args: &[&str]| {
        let mut all = vec!["--db", db, "--actor", "can-bo-xa"];
        all.extend_from_slice(args);
        vuonlen(&all)
    };
    let text = |o: &Output| format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(run(&["db", "migrate"]).status.success());
    let rows: Vec<_> = (1..=4).map(|i| registry_household(&format!("H{i}"), true, 2)).collect();
    import_period(db, dir, "2025", &rows);
    let form8_housing = || {
        use calamine::{Reader, open_workbook_auto};
        let out = dir.join("f8.xlsx");
        let r = run(&["report", "--form", "8", "--unit", "00097", "--period", "2025", "--out", s(&out)]);
        assert!(r.status.success(), "{}", text(&r));
        let mut wb = open_workbook_auto(&out).expect("form");
        let first = wb.sheet_names().first().cloned().expect("a sheet");
        let range = wb.worksheet_range(&first).expect("sheet");
        let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
        let head = rows.iter().position(|r| r.iter().any(|c| c == "Nhà ở")).expect("heading");
        let c = rows[head].iter().position(|x| x == "Nhà ở").expect("column");
        rows.iter().filter(|r| r.iter().any(|x| x == "Hộ nghèo")).map(|r| r[c].parse::<f64>().unwrap_or(0.0)).next()
    };
    let before = form8_housing();
    // The list: an unknown household, an unknown kind, a card without a member, a bad day.
    let header = "Mã xã,Mã hộ,Số thứ tự thành viên,Loại hỗ trợ,Ngày hỗ trợ,Số tiền (đồng),Mã dự án,Nguồn vốn\n";
    let file = dir.join("ho-tro.csv");
    let errors = dir.join("ho-tro.errors.csv");
    std::fs::write(
        &file,
        format!(
            "{header}00097,H9,,Xây mới nhà ở,2025-03-01,40.000.000,DA5,central\n\
             00097,H1,,phép màu,2025-03-01,,,\n\
             00097,H2,,Xây mới nhà ở,31/02/2025,40.000.000,DA5,central\n\
             00097,H3,,Sửa chữa nhà ở,2025-04-01,20.000.000,DA5,local\n"
        ),
    )
    .expect("write");
    let import = || run(&["support", "import", "--file", s(&file), "--errors-out", s(&errors)]);
    let refused = import();
    assert!(!refused.status.success(), "{}", text(&refused));
    let (_, found) = read_csv(&errors);
    let at: Vec<(&str, &str)> = found.iter().map(|r| (r[3].as_str(), r[5].as_str())).collect();
    assert_eq!(at, [("2", "H9"), ("3", "phép màu"), ("4", "31/02/2025")], "{found:?}");
    assert_eq!(form8_housing(), before, "nothing recorded");
    std::fs::write(
        &file,
        format!(
            "{header}00097,H2,,Xây mới nhà ở,2025-03-01,40.000.000,DA5,central\n\
             00097,H3,,Sửa chữa nhà ở,2025-04-01,20.000.000,DA5,local\n\
             00097,H3,1,Thẻ BHYT,2025-01-10,,DA3.TDA2,\n"
        ),
    )
    .expect("write");
    let imported = import();
    assert!(imported.status.success(), "{}", text(&imported));
    assert!(text(&imported).contains("Recorded 3 support records"), "{}", text(&imported));
    let shown = text(&run(&["support", "show", "--commune", "00097", "--household", "H3"]));
    assert!(shown.contains("2025-04-01\thouse_repaired\thousing\t\t20000000\tDA5\tlocal"), "{shown}");
    assert!(shown.contains("2025-01-10\thealth_insurance_card\thealth\t1\t"), "{shown}");
    // Form 8 counts H2 and H3 among the poor households supported with housing.
    assert_eq!(form8_housing().map(|n| n - before.unwrap_or(0.0)), Some(2.0));
    // The coverage of the commune's list: two of its four poor households supported, one person
    // of eight given a card; its villages add up to the total row, which comes last.
    let out = dir.join("coverage.csv");
    let cov = run(&["support", "coverage", "--unit", "00097", "--year", "2025", "--out", s(&out), "--english"]);
    assert!(cov.status.success(), "{}", text(&cov));
    assert!(text(&cov).contains("list of review period 2025; 12.50 % of persons"), "{}", text(&cov));
    let (h, rows) = read_csv(&out);
    let col = |k: &str| h.iter().position(|x| x == k).unwrap_or_else(|| panic!("no column {k}: {h:?}"));
    let total = rows.last().expect("a total row");
    let at = |k: &str| total[col(k)].clone();
    assert_eq!(at("unit_code"), "00097");
    assert_eq!(
        [at("poor_households"), at("persons"), at("any_households"), at("house_built_households")],
        ["4", "8", "2", "1"].map(String::from),
        "{total:?}"
    );
    assert_eq!(at("any_pct").parse::<f64>().ok(), Some(50.0), "{total:?}");
    assert_eq!(at("health_insurance_card_persons"), "1", "{total:?}");
    let villages: u64 =
        rows[..rows.len() - 1].iter().map(|r| r[col("poor_households")].parse::<u64>().unwrap_or(0)).sum();
    assert_eq!(villages, 4);
    // The commune's support of 2025 exported as the support table reads back clean, in Vietnamese
    // (XLSX) and with English keys (CSV); another year has no rows; a village is not a unit here.
    let out = dir.join("ho-tro-00097-2025.xlsx");
    let exported = run(&["support", "export", "--unit", "00097", "--year", "2025", "--out", s(&out)]);
    assert!(exported.status.success(), "{}", text(&exported));
    assert!(text(&exported).contains("wrote 3 support records"), "{}", text(&exported));
    let again = run(&["support", "check", "--file", s(&out), "--errors-out", s(&errors)]);
    assert!(again.status.success(), "{}", text(&again));
    assert!(text(&again).contains("The table is valid: 3 records"), "{}", text(&again));
    let csv = dir.join("support-01-2025.csv");
    let exported = run(&["support", "export", "--unit", "01", "--year", "2025", "--out", s(&csv), "--english"]);
    assert!(exported.status.success(), "{}", text(&exported));
    let (h, rows) = read_csv(&csv);
    let keys: Vec<&str> = vuonlen_io::support_table::SUPPORT_COLUMNS.iter().map(|c| c.key).collect();
    assert_eq!(h, keys);
    assert!(rows.iter().any(|r| r[..6] == ["00097", "H3", "", "house_repaired", "2025-04-01", "20000000"]), "{rows:?}");
    let again = run(&["support", "check", "--file", s(&csv), "--errors-out", s(&errors)]);
    assert!(text(&again).contains("The table is valid: 3 records"), "{}", text(&again));
    let empty = dir.join("empty.csv");
    assert!(run(&["support", "export", "--unit", "00097", "--year", "2024", "--out", s(&empty)]).status.success());
    assert_eq!(read_csv(&empty).1.len(), 0);
    assert!(!run(&["support", "export", "--unit", "VN", "--year", "2025", "--out", s(&empty)]).status.success());
}

#[test]
fn a_province_plans_its_activities_and_prints_who_leads_what() {
    let dir = tempfile::tempdir().expect("tmp");
    activities_scenario(&format!("sqlite://{}", s(&dir.path().join("act.db"))));
    if let Some(pg) = PgSchema::create() {
        activities_scenario(&pg.db_url());
    }
}

fn activities_scenario(db: &str) {
    let run = |args: &[&str]| {
        let mut all = vec!["--db", db, "--actor", "can-bo-tinh"];
        all.extend_from_slice(args);
        vuonlen(&all)
    };
    let text = |o: &Output| format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(run(&["db", "migrate"]).status.success());
    let add = |project: &str, title: &str, lead: &str, partners: &[&str], extra: &[&str]| {
        let mut a = vec![
            "activities",
            "add",
            "--unit",
            "14",
            "--year",
            "2025",
            "--project",
            project,
            "--title",
            title,
            "--lead",
            lead,
        ];
        for p in partners {
            a.extend_from_slice(&["--partner", p]);
        }
        a.extend_from_slice(extra);
        run(&a)
    };
    // Everything wrong at once: a project of no catalogue, an end before the start, no status.
    let bad = add(
        "DA9",
        "Sai",
        "Sở Y tế",
        &[],
        &["--starts-on", "2025-06-01", "--ends-on", "2025-05-01", "--status", "maybe"],
    );
    assert!(!bad.status.success());
    let said = text(&bad);
    assert!(
        said.contains("'DA9' is not a project")
            && said.contains("is before the start")
            && said.contains("'maybe' is not a status"),
        "{said}"
    );
    let ok = add(
        "DA3.TDA2",
        "Cấp thẻ BHYT",
        "Sở Y tế",
        &["Bảo hiểm xã hội tỉnh", "UBND các xã"],
        &["--status", "under_way"],
    );
    assert!(ok.status.success(), "{}", text(&ok));
    let ok = add("DA5", "Sửa chữa nhà ở", "Sở Xây dựng", &["UBND các xã"], &[]);
    assert!(ok.status.success(), "{}", text(&ok));
    let listed = text(&run(&["activities", "list", "--unit", "14"]));
    assert!(
        listed.contains("2025\tDA3.TDA2\tCấp thẻ BHYT\tSở Y tế\tBảo hiểm xã hội tỉnh; UBND các xã\tunder_way"),
        "{listed}"
    );
    let matrix = text(&run(&["activities", "matrix", "--unit", "14"]));
    assert!(matrix.starts_with("Cơ quan, đơn vị\tDA3.TDA2\tDA5"), "{matrix}");
    assert!(matrix.lines().any(|l| l == "Sở Y tế\tC (1)\t"), "{matrix}");
    assert!(matrix.contains("UBND các xã\tP (1)\tP (1)"), "{matrix}");
}

#[test]
fn members_who_want_work_are_matched_to_a_vacancy_and_placed() {
    let dir = tempfile::tempdir().expect("tmp");
    jobs_scenario(&format!("sqlite://{}", s(&dir.path().join("jobs.db"))), dir.path());
    if let Some(pg) = PgSchema::create() {
        let pg_dir = dir.path().join("pg");
        std::fs::create_dir_all(&pg_dir).expect("mkdir");
        jobs_scenario(&pg.db_url(), &pg_dir);
    }
}

fn jobs_scenario(db: &str, dir: &Path) {
    let run = |args: &[&str]| {
        let mut all = vec!["--db", db, "--actor", "trung-tam-dvvl"];
        all.extend_from_slice(args);
        vuonlen(&all)
    };
    let text = |o: &Output| format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(run(&["db", "migrate"]).status.success());
    // H1: a head born 1970 and two children born 1997 and 1998; H2 likewise; H3's second member
    // was born in 1940.
    let mut rows: Vec<_> = (1..=2).map(|i| registry_household(&format!("H{i}"), true, 3)).collect();
    let mut young = registry_household("H3", true, 2);
    young.1[1] = young.1[1].replace("1997-01-02", "1940-01-02");
    rows.push(young);
    import_period(db, dir, "2025", &rows);
    let seeker = |code: &str, member: &str, skills: &str| {
        run(&[
            "jobs",
            "seeker",
            "--commune",
            "00097",
            "--household",
            code,
            "--member",
            member,
            "--skills",
            skills,
            "--job",
            "công nhân",
            "--on",
            "2025-09-01",
        ])
    };
    let ok = seeker("H1", "2", "may công nghiệp, lái xe");
    assert!(ok.status.success(), "{}", text(&ok));
    let ok = seeker("H2", "2", "trồng chè");
    assert!(ok.status.success(), "{}", text(&ok));
    let child = seeker("H3", "2", "may");
    assert!(!child.status.success());
    assert!(text(&child).contains("Member 2 (85 years old on 2025-09-01) is not of working age"), "{}", text(&child));
    // A vacancy with every problem at once, then a good one.
    let bad = run(&[
        "jobs",
        "vacancy",
        "--unit",
        "00097",
        "--employer",
        " ",
        "--title",
        "May",
        "--positions",
        "0",
        "--min-age",
        "40",
        "--max-age",
        "20",
        "--opens-on",
        "2025-09-01",
    ]);
    assert!(!bad.status.success());
    let said = text(&bad);
    for why in ["The employer is missing", "Positions 0 must be", "The minimum age 40 is above the maximum 20"] {
        assert!(said.contains(why), "{why}: {said}");
    }
    let good = run(&[
        "jobs",
        "vacancy",
        "--unit",
        "00097",
        "--employer",
        "Công ty May Tô Hiệu",
        "--title",
        "Công nhân may",
        "--skills",
        "May, thêu",
        "--positions",
        "1",
        "--min-age",
        "18",
        "--max-age",
        "35",
        "--opens-on",
        "2025-09-01",
    ]);
    assert!(good.status.success(), "{}", text(&good));
    let id: String =
        text(&good).split("Recorded vacancy ").nth(1).and_then(|s| s.split('.').next()).expect("id").into();
    // The matching list: H1's member 2 (sewing), not H2's (tea), not the heads (no registration).
    let out = dir.join("matches.csv");
    let m = run(&["jobs", "match", "--vacancy", &id, "--on", "2025-10-01", "--out", s(&out)]);
    assert!(m.status.success(), "{}", text(&m));
    let (h, found) = read_csv(&out);
    let col = |k: &str| h.iter().position(|x| x == k).unwrap_or_else(|| panic!("{k}: {h:?}"));
    let who: Vec<(String, String, String)> = found
        .iter()
        .map(|r| (r[col("Mã hộ")].clone(), r[col("Số thứ tự thành viên")].clone(), r[col("Kỹ năng phù hợp")].clone()))
        .collect();
    assert_eq!(who, [("H1".to_string(), "2".to_string(), "May".to_string())]);
    // The child cannot be placed; H1's member 2 is, and it is support received.
    let placed = |code: &str, member: &str| {
        run(&[
            "jobs",
            "place",
            "--commune",
            "00097",
            "--household",
            code,
            "--member",
            member,
            "--vacancy",
            &id,
            "--on",
            "2025-10-01",
        ])
    };
    let refused = placed("H3", "2");
    assert!(!refused.status.success());
    assert!(text(&refused).contains("is not of working age"), "{}", text(&refused));
    let done = placed("H1", "2");
    assert!(done.status.success(), "{}", text(&done));
    let shown = text(&run(&["support", "show", "--commune", "00097", "--household", "H1"]));
    assert!(shown.contains("2025-10-01\tjob_placement\tproduction\t2\t"), "{shown}");
    // The vacancy is filled: a second placement is refused.
    let full = placed("H2", "2");
    assert!(text(&full).contains("has its 1 positions filled"), "{}", text(&full));
    let list = text(&run(&["jobs", "vacancies", "--province", &vuonlen_province_of("00097")]));
    assert!(list.contains("Công ty May Tô Hiệu\tCông nhân may\tMay, thêu\t1\t1\t18–35"), "{list}");
}

/// The 2025 province of a 2025 commune, from the shipped unit list.
fn vuonlen_province_of(commune: &str) -> String {
    vuonlen_core::units::AdminUnits::get()
        .y2025
        .province_of_commune(commune)
        .map(|p| p.code.to_string())
        .expect("a commune")
}

#[test]
fn an_activities_table_is_refused_located_then_imported_and_exported_back() {
    let dir = tempfile::tempdir().expect("tmp");
    activities_table_scenario(&format!("sqlite://{}", s(&dir.path().join("acts.db"))), dir.path());
    if let Some(pg) = PgSchema::create() {
        let pg_dir = dir.path().join("pg");
        std::fs::create_dir_all(&pg_dir).expect("mkdir");
        activities_table_scenario(&pg.db_url(), &pg_dir);
    }
}

fn activities_table_scenario(db: &str, dir: &Path) {
    let run = |args: &[&str]| {
        let mut all = vec!["--db", db, "--actor", "can-bo-tinh"];
        all.extend_from_slice(args);
        vuonlen(&all)
    };
    let text = |o: &Output| format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(run(&["db", "migrate"]).status.success());
    let header = "Năm,Mã đơn vị,Mã dự án,Tên hoạt động,Cơ quan chủ trì,Cán bộ phụ trách,Cơ quan phối hợp,Từ ngày,Đến ngày,Tình trạng\n";
    let file = dir.join("hoat-dong.csv");
    let errors = dir.join("hoat-dong.errors.csv");
    // Three rows with problems: a project of no catalogue, a unit that is not one, no lead agency.
    std::fs::write(
        &file,
        format!(
            "{header}2025,14,DA3.TDA2,Cấp thẻ BHYT,Sở Y tế,,Bảo hiểm xã hội tỉnh; UBND các xã,01/02/2025,31/12/2025,Đang thực hiện\n\
             2025,14,DA9,Sai dự án,Sở Y tế,,,,,\n\
             2025,99,DA5,Sửa nhà,Sở Xây dựng,,,,,\n\
             2025,14,DA5,Sửa nhà,,,,,,\n"
        ),
    )
    .expect("write");
    let import = || run(&["activities", "import", "--file", s(&file), "--errors-out", s(&errors)]);
    let refused = import();
    assert!(!refused.status.success(), "{}", text(&refused));
    let (_, found) = read_csv(&errors);
    let at: Vec<(&str, &str)> = found.iter().map(|r| (r[3].as_str(), r[5].as_str())).collect();
    assert_eq!(at, [("3", "DA9"), ("4", "99"), ("5", "")], "{found:?}");
    assert!(text(&run(&["activities", "list", "--unit", "14"])).lines().count() == 1, "nothing recorded");
    std::fs::write(
        &file,
        format!(
            "{header}2025,14,DA3.TDA2,Cấp thẻ BHYT,Sở Y tế,Nguyễn Văn A,Bảo hiểm xã hội tỉnh; UBND các xã,01/02/2025,31/12/2025,Đang thực hiện\n\
             2025,14,DA5,Sửa chữa nhà ở,Sở Xây dựng,,UBND các xã,,,\n"
        ),
    )
    .expect("write");
    let imported = import();
    assert!(imported.status.success(), "{}", text(&imported));
    assert!(text(&imported).contains("Recorded 2 activities"), "{}", text(&imported));
    let listed = text(&run(&["activities", "list", "--unit", "14"]));
    assert!(
        listed.contains("2025\tDA3.TDA2\tCấp thẻ BHYT\tSở Y tế\tBảo hiểm xã hội tỉnh; UBND các xã\tunder_way"),
        "{listed}"
    );
    // The export reads back: checked whole, nothing written.
    let out = dir.join("export.xlsx");
    assert!(run(&["activities", "export", "--unit", "14", "--out", s(&out)]).status.success());
    let again = run(&["activities", "check", "--file", s(&out)]);
    assert!(again.status.success(), "{}", text(&again));
    assert!(text(&again).contains("The table is valid: 2 activities"), "{}", text(&again));
}

#[test]
fn a_cadre_helps_poor_households_and_its_progress_counts_those_that_left_poverty() {
    let dir = tempfile::tempdir().expect("tmp");
    helpers_scenario(&format!("sqlite://{}", s(&dir.path().join("helpers.db"))), dir.path());
    if let Some(pg) = PgSchema::create() {
        let pg_dir = dir.path().join("pg");
        std::fs::create_dir_all(&pg_dir).expect("mkdir");
        helpers_scenario(&pg.db_url(), &pg_dir);
    }
}

fn helpers_scenario(db: &str, dir: &Path) {
    let run = |args: &[&str]| {
        let mut all = vec!["--db", db, "--actor", "can-bo-xa"];
        all.extend_from_slice(args);
        vuonlen(&all)
    };
    let text = |o: &Output| format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(run(&["db", "migrate"]).status.success());
    // 2024: H1 and H2 poor, H3 not.
    let rows =
        [registry_household("H1", true, 2), registry_household("H2", true, 2), registry_household("H3", false, 2)];
    import_period(db, dir, "2024", &rows);
    let on = |code: &str, rest: &[&str]| {
        let mut a = vec!["helpers", rest[0], "--commune", "00097", "--household", code];
        a.extend_from_slice(&rest[1..]);
        run(&a)
    };
    let assign = |code: &str, from: &str| {
        on(
            code,
            &[
                "assign",
                "--cadre",
                "Lường Thị Mai",
                "--position",
                "Hội viên",
                "--agency",
                "Hội Phụ nữ xã",
                "--from",
                from,
            ],
        )
    };
    for code in ["H1", "H2"] {
        let ok = assign(code, "2025-01-02");
        assert!(ok.status.success(), "{}", text(&ok));
    }
    let not_poor = assign("H3", "2025-01-02");
    assert!(!not_poor.status.success());
    assert!(text(&not_poor).contains("poor and near-poor households only"), "{}", text(&not_poor));
    let early = on("H1", &["visit", "--on", "2024-12-30", "--note", "Hỏi thăm"]);
    assert!(!early.status.success() && text(&early).contains("before the helper's assignment starts"));
    let visit = on("H1", &["visit", "--on", "2025-03-02", "--note", "Bàn cách nuôi gà", "--needs", "Giống gà"]);
    assert!(visit.status.success(), "{}", text(&visit));
    for code in ["H1", "H2"] {
        let ok = on(code, &["register", "--year", "2025", "--measures", "Nuôi gà thả vườn"]);
        assert!(ok.status.success(), "{}", text(&ok));
    }
    let late = on("H1", &["register", "--year", "2040", "--measures", "x"]);
    assert!(!late.status.success() && text(&late).contains("outside 2021–2035"), "{}", text(&late));
    let signed =
        on("H1", &["commit", "--year", "2025", "--signed-on", "2025-01-20", "--content", "Cam kết thoát nghèo"]);
    assert!(signed.status.success(), "{}", text(&signed));
    let shown = text(&run(&["helpers", "show", "--commune", "00097", "--household", "H1"]));
    assert!(shown.contains("assignment*\t2025-01-02\t\tHội Phụ nữ xã\tLường Thị Mai"), "{shown}");
    assert!(
        shown.contains("visit\t2025-03-02\t\tHội Phụ nữ xã\tLường Thị Mai\tBàn cách nuôi gà — Giống gà"),
        "{shown}"
    );
    // 2025: H1 left poverty, H2 did not.
    let rows =
        [registry_household("H1", false, 2), registry_household("H2", true, 2), registry_household("H3", false, 2)];
    import_period(db, dir, "2025", &rows);
    let progress = text(&run(&["helpers", "progress", "--unit", "00097", "--year", "2025"]));
    // Households helped, visits, registered, committed, left poverty.
    assert!(progress.contains("Hội Phụ nữ xã\tLường Thị Mai\tHội viên\t2\t1\t2\t1\t1"), "{progress}");
    assert!(progress.contains("Tổng cộng\t\t\t2\t1\t2\t1\t1"), "{progress}");
    let out = dir.join("giup-do.xlsx");
    let wrote = run(&["helpers", "progress", "--unit", "14", "--year", "2025", "--out", s(&out)]);
    assert!(wrote.status.success() && out.exists(), "{}", text(&wrote));
}

#[test]
fn a_commune_records_a_poverty_reduction_model_and_the_province_its_replication() {
    let dir = tempfile::tempdir().expect("tmp");
    models_scenario(&format!("sqlite://{}", s(&dir.path().join("models.db"))), dir.path());
    if let Some(pg) = PgSchema::create() {
        let pg_dir = dir.path().join("pg");
        std::fs::create_dir_all(&pg_dir).expect("dir");
        models_scenario(&pg.db_url(), &pg_dir);
    }
}

fn models_scenario(db: &str, dir: &Path) {
    let run = |args: &[&str]| {
        let mut all = vec!["--db", db, "--actor", "can-bo-xa"];
        all.extend_from_slice(args);
        vuonlen(&all)
    };
    let text = |o: &Output| format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(run(&["db", "migrate"]).status.success());
    // H1 poor and H2 not poor in 00097; H9 in 00004 (another commune of the province).
    let mut rows: Vec<_> = vec![registry_household("H1", true, 2), registry_household("H2", false, 2)];
    let (h9, m9) = registry_household("H9", true, 1);
    rows.push((h9.replacen("H9,00097,", "H9,00004,", 1), m9));
    import_period(db, dir, "2025", &rows);
    let add = |project: &str, budget: &[&str], households: &[&str]| {
        let mut a = vec![
            "models",
            "add",
            "--commune",
            "00097",
            "--name",
            "Nuôi bò sinh sản",
            "--host",
            "HTX Phúc Xá",
            "--place",
            "Tổ 1",
            "--project",
            project,
            "--from",
            "2024",
            "--to",
            "2026",
        ];
        for b in budget {
            a.extend_from_slice(&["--budget", b]);
        }
        for h in households {
            a.extend_from_slice(&["--household", h]);
        }
        run(&a)
    };
    // An unknown project, a negative budget, an absurd one and a household of another commune: all said.
    let bad = add("DA9", &["central=-5000000", "local=900.000.000.000"], &["H1", "H9"]);
    assert!(!bad.status.success());
    let said = text(&bad);
    for reason in [
        "'DA9' is not a project",
        "'-5000000' is negative",
        "is more than a model can have",
        "There is no household 'H9' of commune 00097",
    ] {
        assert!(said.contains(reason), "{reason}: {said}");
    }
    assert!(text(&run(&["models", "list", "--unit", "00097"])).lines().count() == 1, "nothing recorded");
    let ok = add("DA2", &["central=400.000.000", "counterpart=40.000.000"], &["H1"]);
    assert!(ok.status.success(), "{}", text(&ok));
    let listed = text(&run(&["models", "list", "--unit", "01", "--year", "2025"]));
    let row = listed.lines().nth(1).unwrap_or_default().to_string();
    let id = row.split('\t').next().unwrap_or_default().to_string();
    assert!(
        row.ends_with("\t00097\tNuôi bò sinh sản\tHTX Phúc Xá\tDA2\t2024\t2026\t440000000\t1\t0\t0\tunder_way"),
        "{listed}"
    );
    assert!(listed.contains("1 mô hình đang thực hiện năm 2025"), "{listed}");
    let joined = run(&["models", "join", "--model", &id, "--household", "H2"]);
    assert!(joined.status.success(), "{}", text(&joined));
    let refused = run(&["models", "join", "--model", &id, "--household", "H9"]);
    assert!(!refused.status.success() && text(&refused).contains("There is no household 'H9'"), "{}", text(&refused));
    // Replications: an unknown commune refused, 00004 recorded.
    let rep = |commune: &str| {
        run(&["models", "replicate", "--model", &id, "--commune", commune, "--year", "2025", "--households", "12"])
    };
    let unknown = rep("99999");
    assert!(
        !unknown.status.success() && text(&unknown).contains("'99999' is not a commune code"),
        "{}",
        text(&unknown)
    );
    assert!(rep("00004").status.success());
    let case = run(&[
        "models",
        "case",
        "--model",
        &id,
        "--household",
        "H1",
        "--title",
        "Anh H1 thoát nghèo",
        "--year",
        "2025",
        "--escaped",
    ]);
    assert!(case.status.success(), "{}", text(&case));
    let shown = text(&run(&["models", "show", "--model", &id]));
    assert!(shown.contains("H1\t2025\tHộ nghèo"), "{shown}");
    assert!(shown.contains("H2\t2025\t"), "{shown}");
    assert!(shown.contains("00004\t2025\t12\t"), "{shown}");
    assert!(shown.contains("2025\tAnh H1 thoát nghèo\tH1\tthoát nghèo"), "{shown}");
    let out = dir.join("mo-hinh.xlsx");
    let wrote = run(&["models", "list", "--unit", "00097", "--out", s(&out)]);
    assert!(wrote.status.success(), "{}", text(&wrote));
    use calamine::{Reader, open_workbook_auto};
    let mut wb = open_workbook_auto(&out).expect("workbook");
    let first = wb.sheet_names().first().cloned().expect("a sheet");
    let range = wb.worksheet_range(&first).expect("sheet");
    let cells: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    let head = cells.iter().position(|r| r.iter().any(|c| c == "Tên mô hình")).expect("heading");
    let total = cells[head].iter().position(|c| c == "Tổng kinh phí (đồng)").expect("total column");
    assert_eq!(cells[head + 1][total], "440000000", "{cells:?}");
}
