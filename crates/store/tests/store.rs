//! The store's contract: every test runs against SQLite (a temporary file) and, when
//! `TEST_DATABASE_URL` is set, against PostgreSQL (a fresh schema per test).

use chrono::NaiveDate;
use std::path::Path;
use std::sync::Arc;
use vuonlen_core::{Class, Standard, Standards};
use vuonlen_io::{HouseholdRecord, ReadOptions, Source};
use vuonlen_store::import::{ConflictKind, ImportSpec, ImportSummary, Importer};
use vuonlen_store::{Db, Scope, Selection, period};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
}

/// The engines of one test: iterate them with `for (engine, db) in engines(dir).await`. The
/// PostgreSQL schema is dropped when the iterator is dropped, at the end of the loop or while a
/// failing test unwinds.
use vuonlen_store::testing::engines;

fn standard(id: &str) -> Arc<Standard> {
    let mut r = Standards::embedded().expect("standards");
    r.link().expect("link");
    r.get(id).expect("standard")
}

const HH_HEAD: &str = "household_id,commune_code,village,area,head_name,address,income_per_capita,score_a,durable_structures,floor_area_m2,water_source,latrine,internet_user,info_devices,waste_treatment,poverty_causes,moved_in_from";
const MEM_HEAD: &str = "household_id,member_no,full_name,relation,sex,birth_date,ethnicity,id_number,health_insurance,employment,able_to_work,education,in_school,school_on_track,malnourished,disability,social_allowance,merit";

/// A household of a given class under 2022–2025 (rural): poor = low income and four
/// deprivations, near-poor = low income and none, not poor = high income and none.
fn household(code: &str, commune: &str, class: Class, persons: u32, id_base: u64) -> (String, Vec<String>) {
    let (income, water, latrine, ins, info) = match class {
        Class::Poor => (1_000_000, "surface", "none", "0", "0"),
        Class::NearPoor => (1_000_000, "piped", "septic", "1", "1"),
        _ => (6_000_000, "piped", "septic", "1", "1"),
    };
    let hh = format!(
        "{code},{commune},Thôn Một,rural,Nguyễn Văn {code},,{income},,3,{area},{water},{latrine},{info},{info},1,no_capital,",
        area = 20 * persons
    );
    let members = (1..=persons)
        .map(|n| {
            let (rel, sex, year) = if n == 1 { ("head", "M", 1980) } else { ("child", "F", 2000 + n) };
            let id = format!("0011{:02}{:06}", year % 100, id_base + u64::from(n));
            let id = if sex == "M" { format!("0010{}", &id[4..]) } else { format!("0013{}", &id[4..]) };
            let id = if year < 2000 && sex == "F" { format!("0011{}", &id[4..]) } else { id };
            format!(
                "{code},{n},Người {code} {n},{rel},{sex},{year}-03-0{n},Kinh,{id},{ins},self_employed,1,upper_secondary,0,,,none,0,0"
            )
        })
        .collect();
    (hh, members)
}

/// The same household, recorded as having moved in from commune `from` (*chuyển đến*).
fn moved_in(mut h: (String, Vec<String>), from: &str) -> (String, Vec<String>) {
    h.0.push_str(from);
    h
}

/// Reads households written as CSV into records.
fn records(dir: &Path, name: &str, rows: &[(String, Vec<String>)], as_of: NaiveDate) -> Vec<HouseholdRecord> {
    let h = dir.join(format!("{name}-h.csv"));
    let m = dir.join(format!("{name}-m.csv"));
    let hh: Vec<&str> = std::iter::once(HH_HEAD).chain(rows.iter().map(|r| r.0.as_str())).collect();
    let mm: Vec<&str> =
        std::iter::once(MEM_HEAD).chain(rows.iter().flat_map(|r| r.1.iter().map(String::as_str))).collect();
    std::fs::write(&h, hh.join("\n") + "\n").expect("write");
    std::fs::write(&m, mm.join("\n") + "\n").expect("write");
    let mut out: Vec<HouseholdRecord> = Vec::new();
    let opts = ReadOptions { as_of, keep_personal: true, skip_invalid: false, require_waste_treatment: false };
    let report = vuonlen_io::read(&Source::Csv { households: h, members: m }, &opts, &mut out).expect("read");
    assert!(report.is_clean(), "test data must be valid: {:?}", report.errors);
    out
}

async fn import(db: &Db, year: i64, recs: &[HouseholdRecord]) -> ImportSummary {
    let spec = ImportSpec {
        period: year,
        reference_date: d(i32::try_from(year).expect("year"), 12, 31),
        standard: standard("2022-2025"),
        actor: "tester".into(),
        command: "test".into(),
        files: "test".into(),
        file_hash: "0".into(),
        scope: vuonlen_store::Scope::unscoped_all(),
        expected_households: None,
    };
    let mut imp = Importer::begin_unscoped(db, spec).await.expect("begin");
    imp.push(recs).await.expect("push");
    let summary = imp.finish().await.expect("finish");
    // The references the schema does not declare hold after every import.
    for o in db.integrity().await.expect("integrity") {
        assert_eq!(o.rows, 0, "{}: orphan rows after an import", o.reference);
    }
    summary
}

#[tokio::test]
async fn migrations_load_both_unit_lists_and_run_once() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        assert_eq!(db.migrate().await.expect("again"), 0, "{engine}: nothing left to apply");
        let counts = db.unit_counts().await.expect("counts");
        assert_eq!(
            counts,
            vec![
                ("2024".to_string(), "commune".to_string(), 10_051),
                ("2024".to_string(), "district".to_string(), 696),
                ("2024".to_string(), "province".to_string(), 63),
                ("2025".to_string(), "commune".to_string(), 3_321),
                ("2025".to_string(), "province".to_string(), 34),
            ],
            "{engine}"
        );
        let unmapped = vuonlen_store::units::unmapped(&db).await.expect("unmapped");
        assert!(!unmapped.is_empty(), "{engine}: the official lineage is incomplete");
    }
}

#[test]
fn both_engines_have_the_same_migration_versions() {
    let names = |e: &str| {
        let mut v: Vec<String> = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(e))
            .expect("dir")
            .map(|f| f.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names("sqlite"), names("postgres"));
}

#[tokio::test]
async fn import_is_idempotent_and_audits_changes() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let rows =
            vec![household("A1", "00004", Class::Poor, 3, 100), household("A2", "00004", Class::NotPoor, 2, 200)];
        let recs = records(dir.path(), "a", &rows, d(2025, 12, 31));
        let first = import(&db, 2025, &recs).await;
        assert!(first.committed, "{engine}");
        assert_eq!((first.inserted, first.updated, first.unchanged, first.members), (2, 0, 0, 5), "{engine}");
        let again = import(&db, 2025, &recs).await;
        assert!(!again.committed, "{engine}: a second identical import changes nothing");
        assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 2), "{engine}");

        // A1's income changes and a member is added.
        let mut changed = rows.clone();
        changed[0] = household("A1", "00004", Class::Poor, 4, 100);
        changed[0].0 = changed[0].0.replace(",1000000,", ",1200000,");
        let recs2 = records(dir.path(), "b", &changed, d(2025, 12, 31));
        let third = import(&db, 2025, &recs2).await;
        assert!(third.committed, "{engine}");
        assert_eq!((third.inserted, third.updated, third.unchanged), (0, 1, 1), "{engine}");
        let reg = db.unscoped();
        let v = reg.household("00004", "A1").await.expect("household");
        let log = vuonlen_store::audit::for_household_unscoped(&db, v.id).await.expect("audit");
        let income = log.iter().find(|e| e.field == "income_per_capita").expect("income change logged");
        assert_eq!((income.old_value.as_deref(), income.new_value.as_deref()), (Some("1000000"), Some("1200000")));
        assert_eq!(income.actor, "tester");
        assert!(log.iter().any(|e| e.entity == "member" && e.member_no == Some(4) && e.field == "created"), "{engine}");
        assert!(log.iter().any(|e| e.field == "floor_area_m2"), "{engine}: area 60 → 80 logged");
        // The log cannot be rewritten.
        assert!(db.execute_admin("UPDATE audit SET actor = 'x'").await.is_err(), "{engine}: audit is append-only");
        assert!(db.execute_admin("DELETE FROM audit").await.is_err(), "{engine}: audit is append-only");
    }
}

/// The recorded fields of the schema (support received, NLNDN, …) are stored, read back,
/// hashed (a change is an update, audited) and, left blank, leave the answers' hash unchanged.
#[tokio::test]
async fn recorded_fields_are_stored_read_back_and_audited() {
    use vuonlen_core::schema::{household_field, recorded_fields};
    let at = |k: &str| household_field(k).and_then(|f| f.recorded_index()).expect("recorded");
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let rows =
            vec![household("R1", "00004", Class::Poor, 3, 100), household("R2", "00004", Class::NotPoor, 2, 200)];
        let mut recs = records(dir.path(), "r", &rows, d(2025, 12, 31));
        assert!(import(&db, 2025, &recs).await.committed, "{engine}");
        // The same answers with recorded values: R1 changes, R2 stays blank and unchanged.
        recs[0].recorded.set(at("support_health"), Some("1".into()));
        recs[0].recorded.set(at("nlndn"), Some("0".into()));
        recs[0].recorded.set(at("moved_in_from"), Some("00001".into()));
        let second = import(&db, 2025, &recs).await;
        assert_eq!((second.updated, second.unchanged), (1, 1), "{engine}");
        let reg = db.unscoped();
        let v = reg.household("00004", "R1").await.expect("household");
        let detail = reg.survey_detail(v.id, 2025).await.expect("detail");
        assert_eq!(detail.survey.recorded.0, recs[0].recorded, "{engine}");
        for f in recorded_fields() {
            let field = detail.survey.fields().into_iter().find(|(k, _)| *k == f.key).expect("a field of the row");
            assert_eq!(field.1.as_deref(), recs[0].recorded.get(at(f.key)), "{engine}: {}", f.key);
        }
        let log = vuonlen_store::audit::for_household_unscoped(&db, v.id).await.expect("audit");
        let moved = log.iter().find(|e| e.field == "moved_in_from").expect("logged");
        assert_eq!((moved.old_value.as_deref(), moved.new_value.as_deref()), (None, Some("00001")), "{engine}");
        let r2 = reg.household("00004", "R2").await.expect("household");
        assert!(reg.survey_detail(r2.id, 2025).await.expect("detail").survey.recorded.0.is_empty(), "{engine}");
    }
}

#[tokio::test]
async fn shared_people_refuse_the_whole_import() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let a = household("B1", "00004", Class::NotPoor, 2, 300);
        let mut b = household("B2", "00004", Class::NotPoor, 2, 400);
        // B2's member 2 carries B1's member 2's ID number.
        let id_b1 = a.1[1].split(',').nth(7).expect("id").to_string();
        let cols: Vec<String> = b.1[1].split(',').map(str::to_string).collect();
        let mut cols = cols;
        cols[7] = id_b1.clone();
        b.1[1] = cols.join(",");
        let recs = records(dir.path(), "c", &[a, b], d(2025, 12, 31));
        let s = import(&db, 2025, &recs).await;
        assert!(!s.committed, "{engine}");
        assert_eq!(s.conflicts.len(), 1, "{engine}");
        assert_eq!(s.conflicts[0].kind, ConflictKind::SameIdNumber);
        assert_eq!(s.conflicts[0].members.len(), 2);
        assert!(period::get(&db, 2025).await.expect("read").is_none(), "{engine}: not even the period was kept");
    }
}

/// Replaces column `i` of a member line.
fn set_member_field(line: &mut String, i: usize, value: &str) {
    let mut cols: Vec<String> = line.split(',').map(str::to_string).collect();
    cols[i] = value.to_string();
    *line = cols.join(",");
}

#[tokio::test]
async fn namesakes_born_the_same_day_are_one_person_unless_their_id_numbers_differ() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        // C2's member 2 has C1's member 2's name and birth date (without diacritics).
        let a = household("C1", "00004", Class::NotPoor, 2, 500);
        let mut b = household("C2", "00004", Class::NotPoor, 2, 600);
        set_member_field(&mut b.1[1], 2, "NGUOI C1 2");
        let recs = records(dir.path(), "n1", &[a.clone(), b.clone()], d(2025, 12, 31));
        // Both carry their own, different ID numbers: two people.
        let s = import(&db, 2025, &recs).await;
        assert!(s.committed, "{engine}: different ID numbers tell namesakes apart");
        assert!(s.conflicts.is_empty(), "{engine}");

        // Without an ID number on one side, they may be the same person: refused.
        let mut c = household("C3", "00004", Class::NotPoor, 2, 700);
        set_member_field(&mut c.1[1], 2, "Người C1 2");
        set_member_field(&mut c.1[1], 7, "");
        let recs = records(dir.path(), "n2", &[c], d(2025, 12, 31));
        let s = import(&db, 2025, &recs).await;
        assert!(!s.committed, "{engine}");
        assert_eq!(s.conflicts.len(), 1, "{engine}: {:?}", s.conflicts);
        assert_eq!(s.conflicts[0].kind, ConflictKind::SamePerson);
        let codes: Vec<&str> = s.conflicts[0].members.iter().map(|m| m.1.as_str()).collect();
        assert_eq!(codes, ["C1", "C2", "C3"], "{engine}: every household holding the person");
    }
}

#[tokio::test]
async fn reports_follow_every_change_of_the_period() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let vn = Selection::parse("VN").expect("country");
        let all = db.unscoped();
        let poor = |t: &[(String, vuonlen_core::report::UnitTally)]| {
            t.iter().map(|(_, u)| u.households_in(Class::Poor)).sum::<u64>()
        };
        let first =
            vec![household("T1", "00004", Class::Poor, 2, 800), household("T2", "00004", Class::NotPoor, 2, 900)];
        assert!(import(&db, 2025, &records(dir.path(), "t1", &first, d(2025, 12, 31))).await.committed);
        let p = period::get(&db, 2025).await.expect("p").expect("2025");
        assert_eq!(poor(&all.tally(&p, "2022-2025", &vn).await.expect("tally")), 1, "{engine}");
        // T2 becomes poor: the next report sees it (the cached tally is rebuilt).
        let second = vec![household("T1", "00004", Class::Poor, 2, 800), household("T2", "00004", Class::Poor, 2, 900)];
        let s = import(&db, 2025, &records(dir.path(), "t2", &second, d(2025, 12, 31))).await;
        assert_eq!((s.committed, s.updated), (true, 1), "{engine}");
        let t = all.tally(&p, "2022-2025", &vn).await.expect("tally");
        assert_eq!(poor(&t), 2, "{engine}: a stale tally would say 1");
        assert_eq!(t.iter().map(|(_, u)| u.households).sum::<u64>(), 2, "{engine}");
        // A what-if standard gets a tally of its own.
        all.reclassify(&p, &standard("2027-2030")).await.expect("what-if");
        let w = all.tally(&p, "2027-2030", &vn).await.expect("what-if tally");
        assert_eq!(w.iter().map(|(_, u)| u.households).sum::<u64>(), 2, "{engine}");
        assert_eq!(poor(&all.tally(&p, "2022-2025", &vn).await.expect("tally")), 2, "{engine}");
    }
}

#[tokio::test]
async fn old_and_new_communes_meet_in_the_2025_province_with_known_movements() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        // 2023 and 2024 under the 2024 commune 00001 (Phúc Xá), 2025 under 00097 (its successor).
        let old = "00001";
        let new = "00097";
        // Another 2025 commune of Hà Nội.
        let elsewhere = vuonlen_core::units::AdminUnits::get()
            .y2025
            .communes
            .values()
            .filter(|c| c.parent_code == "01" && c.code != new)
            .map(|c| c.code)
            .min()
            .expect("another Hà Nội commune");
        let y2023 = vec![household("R1", old, Class::Poor, 2, 10)];
        let y2024 = vec![
            household("H1", old, Class::Poor, 3, 20), // → near-poor: poor col 2, near-poor col 5
            household("H2", old, Class::Poor, 2, 30), // → not poor: col 3
            household("H3", old, Class::Poor, 2, 40), // → gone: col 4
            household("H4", old, Class::NearPoor, 2, 50), // → poor: poor col 5, near-poor col 3
            household("H5", old, Class::NotPoor, 2, 60), // → poor: col 7
            household("H6", old, Class::Poor, 3, 70), // stays poor, 3 → 4 persons: persons col 8
            household("R1", old, Class::NotPoor, 2, 10), // poor in 2023, escaped, poor again: col 6
        ];
        let y2025 = vec![
            household("H1", new, Class::NearPoor, 3, 20),
            household("H2", new, Class::NotPoor, 2, 30),
            household("H4", new, Class::Poor, 2, 50),
            household("H5", new, Class::Poor, 2, 60),
            household("H6", new, Class::Poor, 4, 70),
            moved_in(household("H7", new, Class::Poor, 1, 80), "00004"), // moved in: col 8
            household("H8", new, Class::Poor, 1, 90),                    // not on the 2024 lists, poor now: col 7
            household("R1", new, Class::Poor, 2, 10),
        ];
        assert!(import(&db, 2023, &records(dir.path(), "y23", &y2023, d(2023, 12, 31))).await.committed);
        assert!(import(&db, 2024, &records(dir.path(), "y24", &y2024, d(2024, 12, 31))).await.committed);
        let s25 = import(&db, 2025, &records(dir.path(), "y25", &y2025, d(2025, 12, 31))).await;
        assert!(s25.committed, "{engine}");
        assert_eq!(s25.linked_across_units, 6, "{engine}: H1, H2, H4, H5, H6, R1 keep their identity");

        let reg = db.unscoped();
        let p24 = period::get(&db, 2024).await.expect("p").expect("2024");
        let p25 = period::get(&db, 2025).await.expect("p").expect("2025");
        let hanoi = Selection::parse("01").expect("Hà Nội");
        let t24 = reg.tally(&p24, "2022-2025", &hanoi).await.expect("tally 2024");
        let t25 = reg.tally(&p25, "2022-2025", &hanoi).await.expect("tally 2025");
        // Both periods land in today's commune 00097 of today's province 01.
        assert_eq!(t24.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), vec![new], "{engine}");
        assert_eq!(t25.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), vec![new], "{engine}");
        assert_eq!(t24[0].1.households_in(Class::Poor), 4);
        assert_eq!(t25[0].1.households_in(Class::Poor), 6);
        // The old district still reads 2024 by the old commune.
        let ba_dinh = Selection::parse("001").expect("district");
        let old_rows = reg.tally(&p24, "2022-2025", &ba_dinh).await.expect("tally old");
        assert_eq!(old_rows.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), vec![old]);
        // Each period's tally was built by its import (the period was empty); rebuilt from the
        // stored classification (a re-classification marks the period changed), it is the same.
        let by_village = Selection::parse("00097").expect("commune");
        for p in [&p24, &p25] {
            let std = standard("2022-2025");
            let (built_all, built_villages) = (
                reg.tally(p, "2022-2025", &hanoi).await.expect("tally"),
                reg.tally(p, "2022-2025", &by_village).await.expect("tally"),
            );
            reg.reclassify(p, &std).await.expect("re-classify");
            assert_eq!(reg.tally(p, "2022-2025", &hanoi).await.expect("tally"), built_all, "{engine}");
            assert_eq!(reg.tally(p, "2022-2025", &by_village).await.expect("tally"), built_villages, "{engine}");
        }

        let total = movements_checked(&reg, &p24, &p25, &hanoi, engine).await;
        // Poor: start 4 (H1 H2 H3 H6); −H1 (2) −H2 (3) −H3 (4); +H4 (5) +R1 (6) +H5 +H8 (7) +H7
        // (8, moved in); end 6. Absent from the 2024 lists without moving in, H8 is newly arising.
        assert_eq!(total.poor.households, [4, 1, 1, 1, 1, 1, 2, 1, 6], "{engine}");
        // Persons: start 3+2+2+3 = 10; H6 gains one person (col 8 with H7's one); end 2+2+4+1+1+2 = 12.
        assert_eq!(total.poor.persons, [10, 3, 2, 2, 2, 2, 3, 2, 12], "{engine}");
        // Near-poor: start H4; H4 → poor (3); H1 poor → near-poor (5); end H1.
        assert_eq!(total.near_poor.households, [1, 0, 1, 0, 1, 0, 0, 0, 1], "{engine}");
        assert!(total.poor.identity_holds() && total.near_poor.identity_holds());
        // Every other reading agrees with the paths: the country, the commune by village, and
        // the old district and commune (2024 list), which see only the start: every household
        // of 2024 leaves them.
        for unit in ["VN", "00097"] {
            let t = movements_checked(&reg, &p24, &p25, &Selection::parse(unit).expect("unit"), engine).await;
            assert_eq!(t, total, "{engine}: {unit}");
        }
        for unit in ["001", "2024:00001"] {
            let t = movements_checked(&reg, &p24, &p25, &Selection::parse(unit).expect("unit"), engine).await;
            assert_eq!((t.poor.households[0], t.poor.households[8]), (4, 0), "{engine}: {unit}");
        }
        // An officer of another commune reads none of these movements.
        let officer = db.scoped(Scope::units([elsewhere]).expect("scope"));
        assert!(movements_checked(&officer, &p24, &p25, &hanoi, engine).await == Default::default(), "{engine}");

        // History: R1 was poor in 2023, escaped in 2024, poor again in 2025.
        let r1 = reg.household(new, "R1").await.expect("R1");
        assert_eq!(
            r1.periods.iter().map(|p| p.class).collect::<Vec<_>>(),
            vec![Some(Class::Poor), Some(Class::NotPoor), Some(Class::Poor)]
        );
        assert_eq!(r1.status.poor_since, Some(2025));
        let h2 = reg.household(old, "H2").await.expect("H2 by its old code");
        assert_eq!(h2.status.escaped_in.map(|e| e.0), Some(2025));
        assert!(h2.status.newly_escaped, "{engine}: escaped at the end of 2025, newly escaped then");
    }
}

#[tokio::test]
async fn a_bulk_load_rebuilds_the_search_indexes_and_a_failed_one_keeps_them() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let wanted = ["member_id_number", "member_search", "survey_code", "survey_list"];
        let indexes = async || {
            let mut names = db.index_names("member").await.expect("indexes");
            names.extend(db.index_names("survey").await.expect("indexes"));
            names
        };
        let has_search_indexes = |names: Vec<String>| wanted.iter().all(|w| names.iter().any(|n| n == w));
        assert!(has_search_indexes(indexes().await), "{engine}: after migration");
        let rows =
            vec![household("B1", "00004", Class::Poor, 3, 100), household("B2", "00004", Class::NotPoor, 2, 200)];
        let recs = records(dir.path(), "bulk", &rows, d(2025, 12, 31));
        let spec = |file_hash: &str| ImportSpec {
            period: 2025,
            reference_date: d(2025, 12, 31),
            standard: standard("2022-2025"),
            actor: "tester".into(),
            command: "test".into(),
            files: "test".into(),
            file_hash: file_hash.into(),
            scope: vuonlen_store::Scope::unscoped_all(),
            // Announced as large: the indexes are dropped at begin.
            expected_households: Some(vuonlen_store::import::BULK_MIN_HOUSEHOLDS),
        };
        // Aborted: the drop is rolled back with the rest.
        let mut imp = Importer::begin_unscoped(&db, spec("a")).await.expect("begin");
        imp.push(&recs).await.expect("push");
        imp.abort().await.expect("abort");
        assert!(has_search_indexes(indexes().await), "{engine}: after abort");
        // Committed: rebuilt, and the search finds the head by a name without diacritics.
        let mut imp = Importer::begin_unscoped(&db, spec("b")).await.expect("begin");
        imp.push(&recs).await.expect("push");
        assert!(imp.finish().await.expect("finish").committed, "{engine}");
        assert!(has_search_indexes(indexes().await), "{engine}: after commit");
        let head = recs[0].members[0].full_name.clone();
        let filter = vuonlen_store::browse::HouseholdFilter {
            query: Some(vuonlen_core::text::fold(&head)),
            ..Default::default()
        };
        let found = db.unscoped().households(2025, "2022-2025", &filter, 0, 50).await.expect("search");
        assert!(found.items.iter().any(|h| h.household_code == "B1"), "{engine}: {head} found");
    }
}

/// Households whose members carry chosen names (the rest of the answers as in `household`):
/// `names[i]` are the members of household `S{i:03}` of commune 00004, born on dates unique to
/// the household so that no two are taken for the same person.
fn named_households(names: &[Vec<&str>]) -> Vec<(String, Vec<String>)> {
    names
        .iter()
        .enumerate()
        .map(|(i, members)| {
            let code = format!("S{i:03}");
            let head = members.first().copied().unwrap_or("Không Tên");
            debug_assert!(i < 1120, "birth dates repeat past 1,120 households");
            let hh = format!(
                "{code},00004,Thôn Một,rural,{head},,1000000,,3,60,piped,septic,1,1,1,no_capital,"
            );
            let rows = members
                .iter()
                .enumerate()
                .map(|(n, name)| {
                    let (rel, year) = if n == 0 { ("head", 1940 + i % 40) } else { ("child", 1960 + i % 40) };
                    format!(
                        "{code},{no},{name},{rel},M,{year}-{month:02}-{day:02},Kinh,,1,self_employed,1,upper_secondary,0,,,none,0,0",
                        no = n + 1,
                        month = n % 12 + 1,
                        day = (i / 40) % 28 + 1,
                    )
                })
                .collect();
            (hh, rows)
        })
        .collect()
}

#[tokio::test]
async fn a_name_search_pages_through_every_matching_household_once_in_list_order() {
    use vuonlen_store::browse::{HouseholdFilter, SEARCH_COUNT_CAP};
    let dir = tempfile::tempdir().expect("tmp");
    // Every other one of the first 150 households has a "Trần Thị Hoa" (every tenth two of
    // them, and every thirtieth one a "Trần Thị Hoài", which the prefix "tran thi hoa" also
    // finds); one has twelve "Phạm Văn Nam" (a page of such members holds one household).
    // Then 511 households with a "Hồ Văn Tư" and a "Hồ Văn Tư Anh" (more than the search
    // counts), 280 families of four "Lò …" (as many matches, a quarter of the households), and
    // 72 "Vũ …" of distinct names (more names than PostgreSQL merges), and 5 "Phạm Văn Yên"
    // listed after every "Phạm Văn Nam" (with the twelve, "pham van" reads two names' runs).
    let firsts = ["An", "Bình", "Cường", "Dũng", "Đức", "Giang", "Hải", "Hùng", "Khánh"];
    let seconds = ["Anh", "Bảo", "Chí", "Duy", "Gia", "Hoàng", "Khôi", "Long"];
    let vu: Vec<String> = firsts.iter().flat_map(|a| seconds.iter().map(move |b| format!("Vũ {a} {b}"))).collect();
    let names: Vec<Vec<&str>> = (0..1018)
        .map(|i| match i {
            7 => vec!["Phạm Văn Nam"; 12],
            150..661 => vec!["Hồ Văn Tư", "Hồ Văn Tư Anh"],
            661..941 => vec!["Lò Văn Ánh", "Lò Thị Bình", "Lò Văn Cầm", "Lò Thị Dung"],
            941..1013 => vec![vu[i - 941].as_str()],
            1013.. => vec!["Phạm Văn Yên"],
            _ if i % 30 == 0 => vec!["Lê Văn Bình", "Trần Thị Hoài", "Trần Thị Hoa"],
            _ if i % 10 == 0 => vec!["Trần Thị Hoa", "Trần Thị Hoa"],
            _ if i % 2 == 0 => vec!["Lê Văn Bình", "Trần Thị Hoa"],
            _ if i % 3 == 0 => vec!["Phạm Văn Nam", "Đỗ Thị Lan"],
            _ => vec!["Đỗ Thị Lan"],
        })
        .collect();
    let rows = named_households(&names);
    let recs = records(dir.path(), "names", &rows, d(2025, 12, 31));
    let member_names: std::collections::HashMap<String, Vec<String>> = recs
        .iter()
        .map(|r| (r.household_code.clone(), r.members.iter().map(|m| vuonlen_core::text::fold(&m.full_name)).collect()))
        .collect();
    for (engine, db) in engines(dir.path()).await {
        assert!(import(&db, 2025, &recs).await.committed, "{engine}");
        for scope in
            [Scope::unscoped_all(), Scope::units(["01"]).expect("scope"), Scope::units(["00004"]).expect("scope")]
        {
            let reg = db.scoped(scope.clone());
            // The whole list in its order, by pages of 500.
            let mut all = Vec::new();
            loop {
                let p = reg
                    .households(2025, "2022-2025", &HouseholdFilter::default(), all.len() as u64, 500)
                    .await
                    .expect("list");
                if p.items.is_empty() {
                    break;
                }
                all.extend(p.items.into_iter().map(|h| h.household_code));
            }
            assert_eq!(all.len(), names.len(), "{engine} {scope:?}");
            for (query, limit, capped) in [
                ("Trần Thị Hoa", 50, false),
                ("tran thi hoa", 20, false),
                ("TRAN THI HOA", 7, false),
                ("pham van nam", 5, false),
                ("pham van", 5, false),
                ("do thi", 50, false),
                ("ho van tu", 50, true),
                ("lo", 50, false),
                ("vu", 10, false),
            ] {
                let key = vuonlen_core::text::fold(query);
                let expected: Vec<&str> = all
                    .iter()
                    .filter(|code| member_names[code.as_str()].iter().any(|n| n.starts_with(&key)))
                    .map(String::as_str)
                    .collect();
                let filter =
                    HouseholdFilter { query: Some(query.to_string()), unit: Some("01".into()), ..Default::default() };
                let mut seen = Vec::new();
                for page in 0.. {
                    let p = reg.households(2025, "2022-2025", &filter, page * limit, limit).await.expect("search");
                    let what = format!("{engine} {scope:?} '{query}' page {page}");
                    // Exact up to the cap, then "more than" the cap.
                    assert_eq!(p.total_capped, capped, "{what}: capped");
                    if capped {
                        assert!(expected.len() as u64 > SEARCH_COUNT_CAP, "{what}");
                        assert_eq!(p.total, SEARCH_COUNT_CAP, "{what}: total");
                    } else {
                        assert_eq!(p.total, expected.len() as u64, "{what}: total");
                    }
                    assert!(p.items.len() as u64 <= limit, "{what}");
                    if p.items.is_empty() {
                        break;
                    }
                    // Each household comes with the members the search found it by.
                    for h in &p.items {
                        let matched: Vec<String> = h.matched.iter().map(|n| vuonlen_core::text::fold(n)).collect();
                        let wanted: Vec<String> =
                            member_names[&h.household_code].iter().filter(|n| n.starts_with(&key)).cloned().collect();
                        assert_eq!(matched, wanted, "{what}: {}", h.household_code);
                    }
                    seen.extend(p.items.iter().map(|h| h.household_code.clone()));
                }
                assert_eq!(seen, expected, "{engine} {scope:?} '{query}' by pages of {limit}");
            }
        }
    }
}

#[tokio::test]
async fn a_list_of_one_class_pages_through_exactly_its_households() {
    use vuonlen_store::browse::HouseholdFilter;
    let dir = tempfile::tempdir().expect("tmp");
    // Two Hà Nội communes; every fifth household poor, the next near-poor, the rest not poor.
    let other = vuonlen_core::units::AdminUnits::get()
        .y2025
        .communes
        .values()
        .filter(|c| c.parent_code == "01" && c.code != "00004")
        .map(|c| c.code)
        .min()
        .expect("a second Hà Nội commune");
    let class_of = |i: u64| match i % 5 {
        0 => Class::Poor,
        1 => Class::NearPoor,
        _ => Class::NotPoor,
    };
    let rows: Vec<(String, Vec<String>)> = (0..40u64)
        .map(|i| {
            let commune = if i % 3 == 0 { other } else { "00004" };
            household(&format!("K{i:02}"), commune, class_of(i), 2, 1000 + 10 * i)
        })
        .collect();
    let recs = records(dir.path(), "classes", &rows, d(2025, 12, 31));
    let class_by_code: std::collections::HashMap<String, Class> =
        (0..40u64).map(|i| (format!("K{i:02}"), class_of(i))).collect();
    for (engine, db) in engines(dir.path()).await {
        assert!(import(&db, 2025, &recs).await.committed, "{engine}");
        for (scope, unit) in [
            (Scope::unscoped_all(), None),
            (Scope::units(["01"]).expect("scope"), Some("01")),
            (Scope::unscoped_all(), Some("00004")),
            (Scope::units(["00004"]).expect("scope"), None),
        ] {
            let reg = db.scoped(scope.clone());
            let everyone = HouseholdFilter { unit: unit.map(str::to_string), ..Default::default() };
            let all = reg.households(2025, "2022-2025", &everyone, 0, 500).await.expect("list");
            assert!(!all.items.is_empty(), "{engine} {scope:?} {unit:?}");
            for class in [Class::Poor, Class::NearPoor, Class::NotPoor] {
                let expected: Vec<&str> = all
                    .items
                    .iter()
                    .filter(|h| class_by_code[&h.household_code] == class)
                    .map(|h| h.household_code.as_str())
                    .collect();
                let filter = HouseholdFilter { class: Some(class), ..everyone.clone() };
                let mut seen = Vec::new();
                for page in 0.. {
                    let p = reg.households(2025, "2022-2025", &filter, page * 3, 3).await.expect("list");
                    let what = format!("{engine} {scope:?} {unit:?} {class:?} page {page}");
                    assert_eq!((p.total, p.total_capped), (expected.len() as u64, false), "{what}");
                    assert!(p.items.iter().all(|h| h.class == Some(class)), "{what}");
                    if p.items.is_empty() {
                        break;
                    }
                    seen.extend(p.items.iter().map(|h| h.household_code.clone()));
                }
                assert_eq!(seen, expected, "{engine} {scope:?} {unit:?} {class:?}");
            }
        }
    }
}

#[tokio::test]
async fn a_list_counts_up_to_ten_thousand_households_then_says_more() {
    use vuonlen_store::browse::{COUNT_CAP, HouseholdFilter};
    let dir = tempfile::tempdir().expect("tmp");
    let n = usize::try_from(COUNT_CAP).expect("cap");
    let rows: Vec<(String, Vec<String>)> =
        (0..=n as u64).map(|i| household(&format!("N{i:05}"), "00004", Class::NotPoor, 1, 10 * i)).collect();
    let recs = records(dir.path(), "many", &rows, d(2025, 12, 31));
    for (engine, db) in engines(dir.path()).await {
        let reg = db.unscoped();
        let everyone = HouseholdFilter::default();
        // Exactly the cap: counted.
        assert!(import(&db, 2025, &recs[..n]).await.committed, "{engine}");
        let p = reg.households(2025, "2022-2025", &everyone, 0, 50).await.expect("list");
        assert_eq!((p.total, p.total_capped), (COUNT_CAP, false), "{engine}: exactly {COUNT_CAP}");
        // One more: "more than" the cap.
        assert!(import(&db, 2025, &recs[n..]).await.committed, "{engine}");
        let p = reg.households(2025, "2022-2025", &everyone, 0, 50).await.expect("list");
        assert_eq!((p.total, p.total_capped), (COUNT_CAP, true), "{engine}: {} households", n + 1);
        assert_eq!(p.items.len(), 50, "{engine}");
    }
}

#[tokio::test]
async fn a_unit_mapping_moves_the_households_with_their_members_into_the_new_communes_area() {
    let dir = tempfile::tempdir().expect("tmp");
    let units = vuonlen_core::units::AdminUnits::get();
    // A 2024 commune the lineage does not continue, and a 2025 commune of the same province.
    let mut olds: Vec<&str> = units.y2024.communes.keys().copied().filter(|c| units.successors(c).is_empty()).collect();
    olds.sort_unstable();
    let (old, new) = olds
        .iter()
        .find_map(|o| {
            let p = units.y2024.province_of_commune(o)?.code;
            let mut news: Vec<&str> = units
                .y2025
                .communes
                .keys()
                .copied()
                .filter(|c| units.y2025.province_of_commune(c).is_some_and(|x| x.code == p))
                .collect();
            news.sort_unstable();
            news.first().map(|n| (*o, *n))
        })
        .expect("an unmapped 2024 commune in a province that kept its code");
    for (engine, db) in engines(dir.path()).await {
        let rows = vec![household("U1", old, Class::Poor, 3, 700)];
        assert!(import(&db, 2024, &records(dir.path(), "u", &rows, d(2024, 12, 31))).await.committed, "{engine}");
        let officer = db.scoped(Scope::units([new]).expect("scope"));
        let head = records(dir.path(), "u2", &rows, d(2024, 12, 31))[0].members[0].full_name.clone();
        let search = vuonlen_store::browse::HouseholdFilter {
            query: Some(vuonlen_core::text::fold(&head)),
            ..Default::default()
        };
        let before = officer.households(2024, "2022-2025", &search, 0, 50).await.expect("search");
        assert_eq!(before.total, 0, "{engine}: not the officer's before the mapping");
        let moved = vuonlen_store::units::add_mapping(&db, old, new, "tester", "test").await.expect("map");
        assert_eq!(moved, 1, "{engine}");
        for o in db.integrity().await.expect("integrity") {
            assert_eq!(o.rows, 0, "{engine}: {} after a mapping", o.reference);
        }
        let after = officer.households(2024, "2022-2025", &search, 0, 50).await.expect("search");
        assert_eq!(after.items.iter().map(|h| h.household_code.as_str()).collect::<Vec<_>>(), vec!["U1"], "{engine}");
    }
}

#[tokio::test]
async fn a_scoped_registry_reads_only_its_area() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        // 00004 is in Hà Nội (01); 04000-range communes elsewhere: take Sơn La's first commune.
        let son_la = vuonlen_core::units::AdminUnits::get()
            .y2025
            .communes
            .values()
            .filter(|c| c.parent_code == "14")
            .map(|c| c.code)
            .min()
            .expect("a Sơn La commune");
        let rows = vec![household("S1", "00004", Class::Poor, 2, 500), household("S2", son_la, Class::Poor, 2, 600)];
        assert!(import(&db, 2025, &records(dir.path(), "s", &rows, d(2025, 12, 31))).await.committed);
        let p = period::get(&db, 2025).await.expect("p").expect("2025");
        let son_la_officer = db.scoped(Scope::units(["14"]).expect("scope"));
        let everything = Selection::parse("VN").expect("country");
        let seen = son_la_officer.tally(&p, "2022-2025", &everything).await.expect("tally");
        assert_eq!(seen.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), vec!["14"], "{engine}");
        assert!(son_la_officer.household("00004", "S1").await.is_err(), "{engine}: Hà Nội is out of scope");
        assert!(son_la_officer.household(son_la, "S2").await.is_ok(), "{engine}");
        let listed = son_la_officer.listed(&p, "2022-2025", &everything, Class::Poor).await.expect("list");
        assert_eq!(listed.iter().map(|l| l.household_code.as_str()).collect::<Vec<_>>(), vec!["S2"], "{engine}");
        let national = db.unscoped().tally(&p, "2022-2025", &everything).await.expect("all");
        assert_eq!(national.len(), 2, "{engine}");
        // A what-if by the Sơn La officer touches only Sơn La.
        let s = son_la_officer.reclassify(&p, &standard("2027-2030")).await.expect("what-if");
        assert_eq!(s.households, 1, "{engine}");
        // Re-classifying under the period's own standard, from the stored answers, gives the
        // stored classes back.
        let again = db.unscoped().reclassify(&p, &standard("2022-2025")).await.expect("again");
        assert_eq!((again.households, again.unclassified, again.changed()), (2, 0, 0), "{engine}");
        assert_eq!(again.matrix[Class::Poor as usize][Class::Poor as usize], 2, "{engine}");
    }
}

/// The movement forms' figures of `sel` read from the movement cache, checked row by row
/// against every household's path (`Registry::paths`); their total.
async fn movements_checked(
    reg: &vuonlen_store::Registry,
    from: &period::Period,
    to: &period::Period,
    sel: &Selection,
    engine: &str,
) -> vuonlen_core::movement::MovementTally {
    use vuonlen_core::movement::MovementTally;
    let mut by_key: std::collections::BTreeMap<String, MovementTally> = Default::default();
    let mut total = MovementTally::new();
    for p in reg.paths(from, to, sel).await.expect("paths") {
        by_key.entry(p.key.clone()).or_default().add_restructured(&p.path, &p.restructuring);
        total.add_restructured(&p.path, &p.restructuring);
    }
    let cached = reg.movements(from, to, sel).await.expect("movements");
    assert_eq!(cached, by_key.into_iter().collect::<Vec<_>>(), "{engine}: unit {}", sel.code);
    total
}

fn class_path_counts(paths: &[vuonlen_store::reads::PathRow]) -> vuonlen_core::movement::MovementTally {
    let mut total = vuonlen_core::movement::MovementTally::new();
    for p in paths {
        total.add_restructured(&p.path, &p.restructuring);
    }
    total
}

#[tokio::test]
async fn splits_and_merges_are_checked_recorded_shown_and_counted() {
    use vuonlen_store::StoreError;
    use vuonlen_store::link::{HouseholdRef, LinkKind, LinkRole, LinkSpec};
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let (old, new) = ("00001", "00097");
        let son_la = vuonlen_core::units::AdminUnits::get()
            .y2025
            .communes
            .values()
            .filter(|c| c.parent_code == "14")
            .map(|c| c.code)
            .min()
            .expect("a Sơn La commune");
        let y2024 = vec![
            household("O1", old, Class::Poor, 3, 100),    // a son splits off in 2025
            household("M1", old, Class::Poor, 2, 200),    // merges into B1 in 2025
            household("B1", old, Class::NotPoor, 2, 300), // absorbs M1, poor in 2025
            household("X1", old, Class::NotPoor, 2, 400),
        ];
        let y2025 = vec![
            household("O1", new, Class::Poor, 2, 100),
            household("N1", new, Class::Poor, 1, 500), // split off from O1
            household("B1", new, Class::Poor, 4, 300),
            household("X1", new, Class::NotPoor, 2, 400),
            household("S1", son_la, Class::NotPoor, 1, 600), // split off from O1, in another province
        ];
        assert!(import(&db, 2024, &records(dir.path(), "l24", &y2024, d(2024, 12, 31))).await.committed);
        db.execute_admin("UPDATE household SET commune_code = 'stale'").await.expect("mark");
        assert!(import(&db, 2025, &records(dir.path(), "l25", &y2025, d(2025, 12, 31))).await.committed, "{engine}");
        // The households found under their 2024 commune are placed where their 2025 answers
        // are (an older placement, here marked 'stale', is overwritten); M1 (no 2025 answers)
        // keeps its.
        let in_commune =
            |code: &str| format!("UPDATE household SET commune_code = commune_code WHERE commune_code = '{code}'");
        assert_eq!(db.execute_admin(&in_commune("stale")).await.expect("count"), 1, "{engine}");
        assert_eq!(db.execute_admin(&in_commune(new)).await.expect("count"), 4, "{engine}");
        let p24 = period::get(&db, 2024).await.expect("p").expect("2024");
        let p25 = period::get(&db, 2025).await.expect("p").expect("2025");
        let hanoi = Selection::parse("01").expect("Hà Nội");
        let all = db.unscoped();

        // Without links: B1 is newly poor (col 7), and so is N1 — absent from the 2024 lists and
        // not (yet) known to have split off; M1 gone (col 4).
        let before = movements_checked(&all, &p24, &p25, &hanoi, engine).await;
        assert_eq!(before.poor.households, [2, 0, 0, 1, 0, 0, 2, 0, 3], "{engine}");
        // Writes no path reads keep the movement cache: spoiled behind the program's back, it
        // stays spoiled through a record of resident totals; the split below rebuilds it (every
        // movements_checked after it compares the cache with the paths).
        db.execute_admin("DELETE FROM movement_group").await.expect("spoil");
        let residents = vuonlen_store::coverage::ResidentTotal {
            commune_code: new.into(),
            households: 1000,
            persons: 4000,
            source: None,
        };
        all.record_resident_totals(&p25, &[residents], "tester", "test").await.expect("totals").expect("recorded");
        assert!(all.movements(&p24, &p25, &hanoi).await.expect("movements").is_empty(), "{engine}: not rebuilt");

        let h = |c: &str, code: &str| HouseholdRef::new(c, code);
        let spec = |kind, from: HouseholdRef, to: HouseholdRef, period| LinkSpec {
            kind,
            from,
            to,
            period,
            effective_date: None,
            actor: "tester".into(),
            command: "test".into(),
        };
        let split = |from: &str, to: &str| spec(LinkKind::Split, h(new, from), h(new, to), 2025);
        // M1 has no 2025 code: it is known by its 2024 one.
        let at = |code: &str| if code == "M1" { h(old, code) } else { h(new, code) };
        let merge = |from: &str, to: &str| spec(LinkKind::Merge, at(from), at(to), 2025);

        // A Sơn La officer cannot see, hence not link, Hà Nội households.
        let son_la_officer = db.scoped(Scope::units(["14"]).expect("scope"));
        let e = son_la_officer.link(&split("O1", "N1")).await.expect_err("out of scope");
        assert!(matches!(e, StoreError::NotFound(_)), "{engine}: {e}");

        let dated = LinkSpec { effective_date: Some(d(2025, 8, 1)), ..split("O1", "N1") };
        let l = all.link(&dated).await.expect("split");
        assert_eq!((l.kind, l.period), (LinkKind::Split, 2025));
        all.link(&merge("M1", "B1")).await.expect("merge");
        let across = spec(LinkKind::Split, h(new, "O1"), h(son_la, "S1"), 2025);
        all.link(&across).await.expect("a split into another province");

        // Refused, each with a reason in both languages, and nothing written.
        let refused: Vec<(LinkSpec, &str)> = vec![
            (split("O1", "O1"), "itself"),
            (spec(LinkKind::Split, h(old, "O1"), h(new, "O1"), 2025), "itself"), // two codes, one household
            (split("O1", "N1"), "already recorded"),
            (split("X1", "N1"), "already recorded as split off"),
            (split("N1", "O1"), "cycle"),
            (split("O1", "X1"), "before the split"),
            (spec(LinkKind::Split, h(new, "O1"), h(new, "X1"), 2030), "no review period 2030"),
            (LinkSpec { effective_date: Some(d(2024, 6, 1)), ..split("X1", "B1") }, "not within period 2025"),
            (merge("M1", "B1"), "already recorded"),
            (merge("M1", "X1"), "already merged"),
            (merge("B1", "M1"), "cycle"),
            (merge("X1", "B1"), "at or after the merge"),
        ];
        for (s, why) in &refused {
            let e = all.link(s).await.expect_err(why);
            let text = e.to_string();
            assert!(text.contains(why) && text.contains(" / "), "{engine}: {why}: {text}");
        }
        let e = all.link(&split("O1", "Z9")).await.expect_err("unknown");
        assert!(matches!(e, StoreError::NotFound(_)), "{engine}");
        // The database refuses what the checks refuse, too.
        for bad in [
            "INSERT INTO household_link (from_id, to_id, kind, period, actor, created_at) VALUES (1, 1, 'split', 2025, 'x', 'x')",
            "INSERT INTO household_link (from_id, to_id, kind, period, actor, created_at) VALUES (1, 2, 'adopt', 2025, 'x', 'x')",
        ] {
            assert!(db.execute_admin(bad).await.is_err(), "{engine}: {bad}");
        }

        // The household view shows the lineage.
        let n1 = all.household(new, "N1").await.expect("N1");
        assert_eq!(n1.lineage.len(), 1, "{engine}");
        assert_eq!(n1.lineage[0].role, LinkRole::SplitOff);
        assert_eq!((n1.lineage[0].period, n1.lineage[0].effective_date), (2025, Some(d(2025, 8, 1))));
        assert_eq!(n1.lineage[0].other, Some(h(new, "O1")), "{engine}: named as last recorded");
        let m1 = all.household(old, "M1").await.expect("M1");
        assert_eq!(
            m1.lineage.iter().map(|l| (l.role, l.other.clone())).collect::<Vec<_>>(),
            vec![(LinkRole::MergedInto, Some(h(new, "B1")))]
        );
        let b1 = all.household(new, "B1").await.expect("B1");
        assert_eq!(b1.lineage.iter().map(|l| l.role).collect::<Vec<_>>(), vec![LinkRole::Absorbed]);
        assert!(all.household(new, "X1").await.expect("X1").lineage.is_empty(), "{engine}: refused links left nothing");
        // A Hà Nội officer sees O1's two split-offs, but not the name of the one in Sơn La.
        let hanoi_officer = db.scoped(Scope::units(["01"]).expect("scope"));
        let o1 = hanoi_officer.household(new, "O1").await.expect("O1");
        let mut others: Vec<_> = o1.lineage.iter().map(|l| (l.role, l.other.clone())).collect();
        others.sort_by_key(|o| o.1.is_none());
        assert_eq!(
            others,
            vec![(LinkRole::SplitOrigin, Some(h(new, "N1"))), (LinkRole::SplitOrigin, None)],
            "{engine}"
        );

        // The audit log has one row per household, with who and through which command.
        let log = vuonlen_store::audit::for_household_unscoped(&db, o1.id).await.expect("audit");
        let row = log.iter().find(|e| e.entity == "household_link").expect("split logged");
        assert_eq!((row.field.as_str(), row.new_value.as_deref()), ("split_off_into", Some("00097/N1")));
        assert_eq!((row.actor.as_str(), row.command.as_str(), row.period), ("tester", "test", Some(2025)));
        let log = vuonlen_store::audit::for_household_unscoped(&db, b1.id).await.expect("audit");
        assert!(log.iter().any(|e| e.field == "absorbed" && e.new_value.as_deref() == Some("00001/M1")), "{engine}");

        // Movements: B1 joins the poor with M1's poor members: col 8, not newly arising (col 7).
        let paths = all.paths(&p24, &p25, &hanoi).await.expect("paths");
        let of = |code: &str| paths.iter().find(|p| p.household_code == code).expect("in the paths");
        assert!(of("N1").restructuring.split_off && of("N1").restructuring.from_poor, "{engine}");
        assert!(of("B1").restructuring.absorbed && of("B1").restructuring.from_poor);
        assert!(of("O1").restructuring.split_origin && of("M1").restructuring.merged_away);
        use vuonlen_core::movement::PoorMovement;
        let col = |code: &str| PoorMovement::of_restructured(&of(code).path, &of(code).restructuring);
        assert_eq!(col("N1"), PoorMovement::OtherIncrease, "{engine}: a split-off of a poor household");
        assert_eq!(col("B1"), PoorMovement::OtherIncrease, "{engine}");
        assert_eq!(col("M1"), PoorMovement::OtherDecrease);
        let after = class_path_counts(&paths);
        assert_eq!(
            movements_checked(&all, &p24, &p25, &hanoi, engine).await,
            after,
            "{engine}: the cache follows the links"
        );
        assert_eq!(after.poor.households, [2, 0, 0, 1, 0, 0, 0, 2, 3], "{engine}");
        // Persons: start 3 + 2; O1 loses one (col 4 with M1's 2); end 2 + 1 + 4.
        assert_eq!(after.poor.persons, [5, 0, 0, 3, 0, 0, 0, 5, 7], "{engine}");
        assert!(after.poor.identity_holds() && after.near_poor.identity_holds());
    }
}

/// Report tallies rebuilt by several readers at once after a change (issue 15: two rebuilds
/// that both found the cache stale both inserted their rows, and form 1 showed a province with
/// two, three or four times its households). Every answer, during and after, counts each
/// household once, and `db check` finds the cache equal to the data.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_reports_after_a_change_count_every_household_once() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let communes = ["00004", "00097", "00001"];
        let base: Vec<(String, Vec<String>)> = (0..30)
            .map(|i| household(&format!("C{i}"), communes[i % 3], Class::NotPoor, 2, 3_000 + 10 * i as u64))
            .collect();
        assert!(import(&db, 2024, &records(dir.path(), "b0", &base, d(2024, 12, 31))).await.committed);
        assert!(import(&db, 2025, &records(dir.path(), "c0", &base, d(2025, 12, 31))).await.committed);
        let p = period::get(&db, 2025).await.expect("p").expect("2025");
        let p24 = period::get(&db, 2024).await.expect("p").expect("2024");
        let vn = Selection::parse("VN").expect("country");
        let households =
            |t: &[(String, vuonlen_core::report::UnitTally)]| t.iter().map(|(_, u)| u.households).sum::<u64>();
        for round in 0..12usize {
            // One household changes class: the cache is stale for the next readers.
            let mut rows = base.clone();
            let i = round % rows.len();
            rows[i] = household(
                &format!("C{i}"),
                communes[i % 3],
                if round % 2 == 0 { Class::Poor } else { Class::NearPoor },
                2,
                3_000 + 10 * i as u64,
            );
            let s = import(&db, 2025, &records(dir.path(), &format!("c{}", round + 1), &rows, d(2025, 12, 31))).await;
            assert!(s.committed, "{engine}: round {round}");
            let readers: Vec<_> = (0..6)
                .map(|_| {
                    let (reg, p, vn) = (db.unscoped(), p.clone(), vn.clone());
                    tokio::spawn(async move { reg.tally(&p, "2022-2025", &vn).await })
                })
                .collect();
            for r in readers {
                let t = r.await.expect("reader task").expect("tally");
                assert_eq!(households(&t), 30, "{engine}: round {round}, a report read while others rebuilt");
            }
            // The movement forms' cache likewise: readers together after the change each see the
            // one household that joined the lists, once.
            let movers: Vec<_> = (0..4)
                .map(|_| {
                    let (reg, p, p24, vn) = (db.unscoped(), p.clone(), p24.clone(), vn.clone());
                    tokio::spawn(async move { reg.movements(&p24, &p, &vn).await })
                })
                .collect();
            for m in movers {
                let rows = m.await.expect("reader task").expect("movements");
                let ends: u64 = rows.iter().map(|(_, t)| t.poor.households[8] + t.near_poor.households[8]).sum();
                assert_eq!(ends, 1, "{engine}: round {round}, a movement form read while others rebuilt");
            }
            movements_checked(&db.unscoped(), &p24, &p, &vn, engine).await;
            let after = db.unscoped().tally(&p, "2022-2025", &vn).await.expect("tally");
            assert_eq!(households(&after), 30, "{engine}: round {round}, a report made afterwards");
            let poor: u64 =
                after.iter().map(|(_, u)| u.households_in(Class::Poor) + u.households_in(Class::NearPoor)).sum();
            assert_eq!(poor, 1, "{engine}: round {round}, the changed household counts in its new class");
        }
        let cache = db.check_tallies().await.expect("check tallies");
        assert!(!cache.is_empty() && cache.iter().all(|c| c.holds() && !c.stale), "{engine}: {cache:?}");
    }
}

/// After a change in one commune, the next report rebuilds only that commune's groups of the
/// cache; `db check` names a cached group that disagrees with the data, and a change of
/// everything (a unit mapping) rebuilds it whole.
#[tokio::test]
async fn a_report_rebuilds_only_the_changed_communes_and_db_check_compares_the_cache() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let rows = vec![
            household("A1", "00004", Class::Poor, 2, 7_000),
            household("B1", "00097", Class::NotPoor, 3, 7_100),
            household("B2", "00097", Class::NotPoor, 2, 7_200),
        ];
        assert!(import(&db, 2025, &records(dir.path(), "r0", &rows, d(2025, 12, 31))).await.committed);
        let p = period::get(&db, 2025).await.expect("p").expect("2025");
        let vn = Selection::parse("VN").expect("country");
        let all = db.unscoped();
        let total = |t: &[(String, vuonlen_core::report::UnitTally)]| t.iter().map(|(_, u)| u.households).sum::<u64>();
        assert_eq!(total(&all.tally(&p, "2022-2025", &vn).await.expect("tally")), 3, "{engine}");
        assert!(db.check_tallies().await.expect("check").iter().all(|c| c.holds()), "{engine}");
        // Spoil the cached groups of 00004 behind the program's back: db check sees it.
        db.execute_admin("UPDATE tally SET households = households + 100 WHERE current_commune = '00004'")
            .await
            .expect("spoil");
        let spoiled = db.check_tallies().await.expect("check");
        assert!(
            spoiled.iter().any(|c| !c.holds() && c.households_cached == 103 && c.households_data == 3),
            "{engine}: {spoiled:?}"
        );
        // A change in 00097 only: its groups are rebuilt, 00004's are not touched.
        let mut changed = rows.clone();
        changed[2] = household("B2", "00097", Class::Poor, 2, 7_200);
        assert_eq!(import(&db, 2025, &records(dir.path(), "r1", &changed, d(2025, 12, 31))).await.updated, 1);
        // 00004's groups were not rebuilt (a form by village reads them), nor its rollup, made
        // before the spoiling: a form of the country adds up the rollup.
        let village_rows = Selection::parse("00004").expect("commune");
        assert_eq!(total(&all.tally(&p, "2022-2025", &village_rows).await.expect("tally")), 101, "{engine}");
        let t = all.tally(&p, "2022-2025", &vn).await.expect("tally");
        assert_eq!(total(&t), 3, "{engine}: the rollup was folded before the groups were spoiled");
        assert!(
            db.check_tallies().await.expect("check").iter().any(|c| !c.holds() && c.rollups_differing == 1),
            "{engine}: db check sees the rollup and the groups disagree"
        );
        let by_commune = Selection::parse("01").expect("Hà Nội");
        let rows_of = |t: &[(String, vuonlen_core::report::UnitTally)], k: &str| {
            t.iter().find(|(key, _)| key == k).map(|(_, u)| (u.households, u.households_in(Class::Poor)))
        };
        let t = all.tally(&p, "2022-2025", &by_commune).await.expect("tally");
        assert_eq!(rows_of(&t, "00097"), Some((2, 1)), "{engine}: 00097 rebuilt from the data");
        // A unit mapping marks everything changed: the whole period is rebuilt.
        vuonlen_store::units::add_mapping(&db, "00001", "00097", "tester", "test").await.expect("map");
        assert_eq!(total(&all.tally(&p, "2022-2025", &vn).await.expect("tally")), 3, "{engine}");
        assert!(db.check_tallies().await.expect("check").iter().all(|c| c.holds() && !c.stale), "{engine}");
        // `db check --rebuild-caches` repairs a spoiled cache.
        db.execute_admin("UPDATE tally SET persons = persons + 1").await.expect("spoil");
        assert!(db.check_tallies().await.expect("check").iter().any(|c| !c.holds()), "{engine}");
        assert_eq!(db.rebuild_tallies().await.expect("rebuild"), 1, "{engine}");
        assert!(db.check_tallies().await.expect("check").iter().all(|c| c.holds() && !c.stale), "{engine}");
        // A rollup row lost behind the program's back: db check counts it, the rebuild restores it.
        db.execute_admin("DELETE FROM tally_commune WHERE current_commune = '00004'").await.expect("spoil");
        assert_eq!(total(&all.tally(&p, "2022-2025", &vn).await.expect("tally")), 2, "{engine}");
        let spoiled = db.check_tallies().await.expect("check");
        assert!(spoiled.iter().any(|c| !c.holds() && c.rollups_differing == 1), "{engine}: {spoiled:?}");
        assert_eq!(db.rebuild_tallies().await.expect("rebuild"), 1, "{engine}");
        assert_eq!(total(&all.tally(&p, "2022-2025", &vn).await.expect("tally")), 3, "{engine}");
        assert!(db.check_tallies().await.expect("check").iter().all(|c| c.holds() && !c.stale), "{engine}");
    }
}

// --- The audit chain (issue 15, item 6) ---

use vuonlen_store::chain::{BreakKind, ChainBreak, ChainCheck, ChainHead};

/// `n` audited events, one transaction each.
async fn events(db: &Db, n: usize, tag: &str) {
    for i in 0..n {
        let v = format!("{tag}{i}");
        vuonlen_store::users::record_event(db, "tester", "test", "event", Some(&v)).await.expect("event");
    }
}

fn intact(c: &ChainCheck) -> (u64, ChainHead) {
    match c {
        ChainCheck::Intact { rows, head } => (*rows, head.clone()),
        ChainCheck::Broken(b) => panic!("chain broken: {b}"),
    }
}

fn broken(c: ChainCheck) -> ChainBreak {
    match c {
        ChainCheck::Broken(b) => b,
        ChainCheck::Intact { rows, head } => panic!("tampering not seen: {rows} rows, head {head}"),
    }
}

#[tokio::test]
async fn the_audit_chain_holds_after_imports_and_edits() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let (rows0, head0) = intact(&db.verify_audit_chain().await.expect("verify"));
        assert_eq!(rows0 as i64, head0.seq, "{engine}");
        let rows =
            vec![household("C1", "00004", Class::Poor, 3, 300), household("C2", "00004", Class::NotPoor, 2, 400)];
        assert!(import(&db, 2025, &records(dir.path(), "c", &rows, d(2025, 12, 31))).await.committed);
        let mut changed = rows.clone();
        changed[0] = household("C1", "00004", Class::Poor, 4, 300);
        assert_eq!(import(&db, 2025, &records(dir.path(), "c2", &changed, d(2025, 12, 31))).await.updated, 1);
        events(&db, 3, "e").await;
        vuonlen_store::units::add_mapping(&db, "00001", "00097", "tester", "test").await.expect("map");
        let (n, head) = intact(&db.verify_audit_chain().await.expect("verify"));
        // Two created, at least three field changes (a member added), three events, one mapping.
        assert!(n > rows0 + 2 + 1 + 3, "{engine}: {n} rows");
        assert_eq!(n as i64, head.seq, "{engine}: seq has no gaps");
        // Every household row of the log is in the chain (the import sealed its batch).
        let log = vuonlen_store::audit::for_household_unscoped(&db, 1).await.expect("audit");
        assert!(log.len() >= 2, "{engine}: {log:?}");
        // The recorded head is in the chain; a made-up one is not.
        assert!(matches!(db.verify_audit_chain_from(Some(&head)).await.expect("verify"), ChainCheck::Intact { .. }));
        let earlier = ChainHead { seq: 2, hash: "ab".repeat(32) };
        let b = broken(db.verify_audit_chain_from(Some(&earlier)).await.expect("verify"));
        assert_eq!(b.seq, 2, "{engine}");
        assert!(matches!(b.kind, BreakKind::Rewritten { .. }), "{engine}: {b:?}");
    }
}

/// A SQLite registry with five sealed events (seq 1–5) in `dir`.
async fn five_events(dir: &Path, name: &str) -> Db {
    let db = Db::open(&format!("sqlite://{}", dir.join(name).display())).await.expect("open");
    events(&db, 5, "v").await;
    let (n, head) = intact(&db.verify_audit_chain().await.expect("verify"));
    assert_eq!((n, head.seq), (5, 5), "a fresh registry's log holds only the five events");
    db
}

#[tokio::test]
async fn sqlite_rewrites_around_the_triggers_are_found_at_the_first_broken_row() {
    let dir = tempfile::tempdir().expect("tmp");

    // A value changed with the update trigger dropped.
    let db = five_events(dir.path(), "changed.db").await;
    db.execute_admin("DROP TRIGGER audit_no_update").await.expect("drop");
    assert_eq!(db.execute_admin("UPDATE audit SET new_value = 'forged' WHERE seq = 3").await.expect("forge"), 1);
    let b = broken(db.verify_audit_chain().await.expect("verify"));
    assert_eq!((b.seq, b.kind, b.rows_checked), (3, BreakKind::Changed, 2));

    // INSERT OR REPLACE: no trigger fires, the row is replaced whole (seal copied).
    let db = five_events(dir.path(), "replaced.db").await;
    db.execute_admin(
        "INSERT OR REPLACE INTO audit (id, at, actor, command, entity, household_id, period, member_no, field, \
         old_value, new_value, seq, prev_hash, hash) \
         SELECT id, at, 'someone else', command, entity, household_id, period, member_no, field, old_value, \
         new_value, seq, prev_hash, hash FROM audit WHERE seq = 2",
    )
    .await
    .expect("replace");
    let b = broken(db.verify_audit_chain().await.expect("verify"));
    assert_eq!((b.seq, b.kind), (2, BreakKind::Changed));
    // …and without the seal: the row's place is empty.
    let db = five_events(dir.path(), "replaced2.db").await;
    db.execute_admin(
        "INSERT OR REPLACE INTO audit (id, at, actor, command, entity, field) \
         SELECT id, at, actor, command, entity, field FROM audit WHERE seq = 4",
    )
    .await
    .expect("replace");
    let b = broken(db.verify_audit_chain().await.expect("verify"));
    assert_eq!((b.seq, b.kind), (4, BreakKind::Missing));

    // A row in the middle deleted.
    let db = five_events(dir.path(), "middle.db").await;
    db.execute_admin("DROP TRIGGER audit_no_delete").await.expect("drop");
    db.execute_admin("DELETE FROM audit WHERE seq = 3").await.expect("delete");
    let b = broken(db.verify_audit_chain().await.expect("verify"));
    assert_eq!((b.seq, b.kind), (3, BreakKind::Missing));

    // The tail deleted.
    let db = five_events(dir.path(), "tail.db").await;
    db.execute_admin("DROP TRIGGER audit_no_delete").await.expect("drop");
    db.execute_admin("DELETE FROM audit WHERE seq >= 4").await.expect("delete");
    let b = broken(db.verify_audit_chain().await.expect("verify"));
    assert_eq!((b.seq, b.kind), (4, BreakKind::Truncated));

    // A row forged at the end without moving the head.
    let db = five_events(dir.path(), "appended.db").await;
    db.execute_admin(
        "INSERT INTO audit (at, actor, command, entity, field, seq, prev_hash, hash) \
         SELECT at, actor, command, entity, field, 6, hash, hash FROM audit WHERE seq = 5",
    )
    .await
    .expect("append");
    let b = broken(db.verify_audit_chain().await.expect("verify"));
    assert_eq!(b.seq, 6, "{b:?}");
    // A row without a seal.
    let db = five_events(dir.path(), "unsealed.db").await;
    db.execute_admin("INSERT INTO audit (at, actor, command, entity, field) VALUES ('x', 'x', 'x', 'x', 'x')")
        .await
        .expect("insert");
    let b = broken(db.verify_audit_chain().await.expect("verify"));
    assert!(matches!(b.kind, BreakKind::Unsealed { .. }), "{b:?}");

    // The tail rewritten with the head moved back: consistent, but the recorded head is gone.
    let db = five_events(dir.path(), "rewritten.db").await;
    let (_, recorded) = intact(&db.verify_audit_chain().await.expect("verify"));
    for sql in [
        "DROP TRIGGER audit_no_delete",
        "DROP TRIGGER audit_head_forward",
        "DELETE FROM audit WHERE seq >= 3",
        "UPDATE audit_head SET seq = 2, hash = (SELECT hash FROM audit WHERE seq = 2)",
    ] {
        db.execute_admin(sql).await.expect(sql);
    }
    events(&db, 3, "w").await;
    let (n, head) = intact(&db.verify_audit_chain().await.expect("verify"));
    assert_eq!((n, head.seq), (5, 5), "the rewrite is consistent in itself");
    assert_ne!(head, recorded);
    let b = broken(db.verify_audit_chain_from(Some(&recorded)).await.expect("verify"));
    assert_eq!(b.seq, 5);
    assert!(matches!(b.kind, BreakKind::Rewritten { .. }), "{b:?}");
}

#[tokio::test]
async fn postgres_rows_changed_with_the_triggers_disabled_are_found() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        if engine != "postgres" {
            continue;
        }
        events(&db, 5, "p").await;
        let (_, head) = intact(&db.verify_audit_chain().await.expect("verify"));
        let third = head.seq - 2;
        db.execute_admin("ALTER TABLE audit DISABLE TRIGGER ALL").await.expect("disable");
        let sql = format!("UPDATE audit SET new_value = 'forged' WHERE seq = {third}");
        assert_eq!(db.execute_admin(&sql).await.expect("forge"), 1);
        db.execute_admin("ALTER TABLE audit ENABLE TRIGGER ALL").await.expect("enable");
        let b = broken(db.verify_audit_chain().await.expect("verify"));
        assert_eq!((b.seq, b.kind), (third, BreakKind::Changed));
        // Deleting the tail with the triggers disabled.
        db.execute_admin("ALTER TABLE audit DISABLE TRIGGER ALL").await.expect("disable");
        db.execute_admin(&format!("DELETE FROM audit WHERE seq >= {third}")).await.expect("delete");
        let b = broken(db.verify_audit_chain().await.expect("verify"));
        assert_eq!((b.seq, b.kind), (third, BreakKind::Truncated));
    }
}

#[tokio::test]
async fn concurrent_writers_chain_one_after_another() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let (before, _) = intact(&db.verify_audit_chain().await.expect("verify"));
        let tasks: Vec<_> = (0..8)
            .map(|t| {
                let db = db.clone();
                tokio::spawn(async move { events(&db, 6, &format!("t{t}-")).await })
            })
            .collect();
        // A check while they write sees one consistent state each time.
        let checker = {
            let db = db.clone();
            tokio::spawn(async move {
                for _ in 0..10 {
                    intact(&db.verify_audit_chain().await.expect("verify"));
                }
            })
        };
        for t in tasks {
            t.await.expect("task");
        }
        checker.await.expect("checks while writing");
        let (after, head) = intact(&db.verify_audit_chain().await.expect("verify"));
        assert_eq!(after, before + 48, "{engine}: every event sealed once");
        assert_eq!(head.seq as u64, after, "{engine}");
    }
}

#[tokio::test]
async fn the_runtime_role_can_append_to_the_log_but_not_rewrite_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let sqlite = Db::open(&format!("sqlite://{}", dir.path().join("r.db").display())).await.expect("open");
    let e = sqlite.create_roles("vuonlen_owner", "vuonlen_app").await.expect_err("SQLite has no roles");
    assert!(e.to_string().contains("SQLite"), "{e}");
    let Some(pg) = vuonlen_store::testing::PgSchema::create(dir.path()).await else { return };
    let admin = pg.connect(None, vuonlen_store::Timeouts::default()).await.expect("admin");
    let tag = format!("{}_{}", std::process::id(), pg.schema.len());
    let (owner, app) = (format!("t_owner_{tag}"), format!("t_app_{tag}"));
    let done = admin.create_roles(&owner, &app).await.expect("roles");
    assert_eq!(done.created, vec![owner.clone(), app.clone()]);
    let again = admin.create_roles(&owner, &app).await.expect("roles again");
    assert!(again.created.is_empty(), "idempotent: {again:?}");

    let opts = <sqlx::postgres::PgConnectOptions as std::str::FromStr>::from_str(&pg.url)
        .expect("url")
        .options([("search_path", pg.schema.as_str()), ("role", app.as_str())])
        .application_name(&pg.schema);
    let app_role = app.clone();
    let outcome = async move {
        let app = app_role;
        let as_app = Db::connect_postgres(opts).await.expect("connect as app");
        // The runtime role opens the (migrated) registry and appends to the log.
        as_app.migrate().await.expect("open as app");
        events(&as_app, 2, "app").await;
        intact(&as_app.verify_audit_chain().await.expect("verify"));
        for sql in [
            "UPDATE audit SET actor = 'x'",
            "DELETE FROM audit",
            "TRUNCATE audit",
            "ALTER TABLE audit DISABLE TRIGGER ALL",
            "DROP TRIGGER audit_no_update ON audit",
            "DELETE FROM audit_head",
        ] {
            let e = as_app.execute_admin(sql).await.expect_err(sql);
            let m = e.to_string();
            assert!(m.contains("permission denied") || m.contains("must be owner"), "{app}: {sql}: {m}");
        }
        // Registry tables stay writable.
        as_app.execute_admin("UPDATE review_period SET year = year WHERE false").await.expect("update registry");
        as_app.close().await;
    };
    let result = tokio::spawn(outcome).await;
    for sql in [
        format!("REASSIGN OWNED BY {owner} TO CURRENT_USER"),
        format!("DROP OWNED BY {owner}"),
        format!("DROP OWNED BY {app}"),
        format!("DROP ROLE {app}"),
        format!("DROP ROLE {owner}"),
    ] {
        admin.execute_admin(&sql).await.expect("drop roles");
    }
    admin.close().await;
    result.expect("as the runtime role");
}

#[tokio::test]
async fn rows_written_before_the_chain_are_sealed_once_on_open() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        events(&db, 2, "s").await;
        let (before, _) = intact(&db.verify_audit_chain().await.expect("verify"));
        // What migration 0006 leaves on a registry with a log: rows without a seal, marked.
        db.execute_admin("UPDATE audit_head SET legacy_sealed = (1 = 0)").await.expect("mark");
        for v in ["old1", "old2", "old3"] {
            let sql = format!(
                "INSERT INTO audit (at, actor, command, entity, field, new_value) \
                 VALUES ('2024-01-01T00:00:00.000Z', 'before', 'import', 'survey', 'created', '{v}')"
            );
            db.execute_admin(&sql).await.expect("legacy row");
        }
        let b = broken(db.verify_audit_chain().await.expect("verify"));
        assert!(matches!(b.kind, BreakKind::Unsealed { .. }), "{engine}: {b:?}");
        assert_eq!(db.migrate().await.expect("open again"), 0, "{engine}");
        let (after, head) = intact(&db.verify_audit_chain().await.expect("verify"));
        assert_eq!((after, head.seq as u64), (before + 3, before + 3), "{engine}");
        // Sealed rows stay sealed: the one-time update is refused now.
        let e = db.execute_admin("UPDATE audit SET seq = seq + 100 WHERE new_value = 'old1'").await;
        assert!(e.is_err(), "{engine}: a sealed row cannot be updated");
    }
}

/// Issue 12: a review surveys the listed households and the applicants; at the decision the
/// commune's other households keep the class of their last decision in the period (carried
/// forward), so no form drops them or counts them as moved away. Other communes are untouched.
#[tokio::test]
async fn a_decision_keeps_the_households_the_round_did_not_survey_at_their_last_class() {
    use vuonlen_core::review::{PostingDates, Vote};
    use vuonlen_store::review::{DecisionInput, RoundKind, RoundSpec};
    let dir = tempfile::tempdir().expect("tmp");
    let procedure = Standards::embedded().expect("standards").review_procedure().expect("procedure");
    for (engine, db) in engines(dir.path()).await {
        assert_eq!(
            vuonlen_store::testing::columns_not_carried(&db).await.expect("catalog"),
            Vec::<String>::new(),
            "{engine}: every column is carried forward or set by the copy"
        );
        let c = "00004";
        let last = vec![
            household("P1", c, Class::Poor, 3, 100),
            household("Z1", c, Class::NotPoor, 2, 200),
            household("W1", "00001", Class::NotPoor, 2, 300),
        ];
        import(&db, 2025, &records(dir.path(), "y25", &last, d(2025, 12, 31))).await;
        let now = vec![household("P1", c, Class::NotPoor, 3, 100)];
        import(&db, 2026, &records(dir.path(), "y26", &now, d(2026, 12, 31))).await;
        let reg = db.unscoped();
        let (p2025, p2026) = (
            period::get(&db, 2025).await.expect("get").expect("2025"),
            period::get(&db, 2026).await.expect("get").expect("2026"),
        );
        let here = reg.household(c, "P1").await.expect("P1");
        let (commune, province) = (here.commune_code.clone(), here.province_code.clone());
        let spec = RoundSpec {
            period: &p2026,
            kind: RoundKind::Annual,
            province_code: &province,
            starts_on: None,
            communes: std::slice::from_ref(&commune),
            calendar: &[],
            procedure: &procedure,
        };
        let round = reg.open_round(&spec, "tinh", "test").await.expect("open");
        assert_eq!(reg.list_round(&round, None, "xa", "test").await.expect("list"), 1, "{engine}: P1 only");
        assert_eq!(reg.record_surveyed_all(&round, &commune, "xa", "test").await.expect("survey"), 1, "{engine}");
        let vote = Vote { attendees: 30, agreeing: 30 };
        let met = reg.record_meeting_all(&round, &procedure, &commune, d(2026, 10, 15), vote, "xa", "test").await;
        assert_eq!(met.expect("meeting"), 1, "{engine}");
        let posting = PostingDates { starts_on: d(2026, 12, 1), ends_on: d(2026, 12, 3) };
        reg.record_posting(&round, &procedure, &commune, posting, "UBND xã", "xa", "test").await.expect("posting");
        let before = reg.household(c, "Z1").await.expect("Z1");
        assert!(before.periods.iter().all(|p| p.year != 2026), "{engine}: Z1 was not reviewed");

        let input = DecisionInput { commune: &commune, number: "7/QĐ-UBND", decided_on: d(2026, 12, 4), signer: "A" };
        let decided = reg.decide(&round, &input, "xa", "test").await.expect("decide").expect("decided");
        assert_eq!((decided.recognised, decided.carried_forward), (1, 1), "{engine}: {decided:?}");
        for o in db.integrity().await.expect("integrity") {
            assert_eq!(o.rows, 0, "{engine}: {}: orphan rows after carrying forward", o.reference);
        }
        let z1 = reg.household(c, "Z1").await.expect("Z1");
        let class_in = |year| z1.periods.iter().find(|p| p.year == year).and_then(|p| p.class);
        assert_eq!((class_in(2025), class_in(2026)), (Some(Class::NotPoor), Some(Class::NotPoor)), "{engine}");
        let w1 = reg.household("00001", "W1").await.expect("W1");
        assert!(w1.periods.iter().all(|p| p.year != 2026), "{engine}: another commune is not carried");
        // The movement: Z1 stays (not poor at both ends), P1 escaped.
        let sel = Selection::parse(&commune).expect("unit");
        let paths = reg.paths(&p2025, &p2026, &sel).await.expect("paths");
        let path = |code: &str| paths.iter().find(|p| p.household_code == code).map(|p| (p.path.start, p.path.end));
        assert_eq!(path("Z1"), Some((Some(Class::NotPoor), Some(Class::NotPoor))), "{engine}");
        assert_eq!(path("P1"), Some((Some(Class::Poor), Some(Class::NotPoor))), "{engine}");
        let moved = movements_checked(&reg, &p2025, &p2026, &sel, engine).await;
        assert_eq!(moved.poor.households[2], 1, "{engine}: P1 escaped (col 3)");
        // The period's report counts both households of the commune.
        let std = standard("2022-2025");
        let tally: u64 = reg
            .tally(&p2026, &std.id, &sel)
            .await
            .expect("tally")
            .iter()
            .map(|(_, t)| Class::ALL.iter().map(|k| t.households_in(*k)).sum::<u64>())
            .sum();
        assert_eq!(tally, 2, "{engine}");
    }
}

/// Issue 12, regular review (Decision 24/2021 art. 5): applications are recorded any day, wait
/// for the month's regular review, are due 15 working days after it starts, and the monthly
/// roll-up counts what was received, decided (recognised, escaped, refused) and is still waiting.
#[tokio::test]
async fn applications_wait_for_the_regular_review_and_roll_up_by_month() {
    use vuonlen_core::review::{Origin, PostingDates, Screening, Vote};
    use vuonlen_store::review::{Application, DecisionInput, RoundKind, RoundSpec, ScreeningRow, Steps};
    let dir = tempfile::tempdir().expect("tmp");
    let procedure = Standards::embedded().expect("standards").review_procedure().expect("procedure");
    for (engine, db) in engines(dir.path()).await {
        let c = "00004";
        let last = vec![
            household("P1", c, Class::Poor, 3, 100),
            household("A1", c, Class::NotPoor, 2, 200),
            household("A2", c, Class::NotPoor, 2, 300),
        ];
        import(&db, 2025, &records(dir.path(), "y25", &last, d(2025, 12, 31))).await;
        let now = vec![
            household("P1", c, Class::NotPoor, 3, 100),
            household("A1", c, Class::Poor, 2, 200),
            household("A2", c, Class::NotPoor, 2, 300),
        ];
        import(&db, 2026, &records(dir.path(), "y26", &now, d(2026, 12, 31))).await;
        let reg = db.unscoped();
        let p2026 = period::get(&db, 2026).await.expect("get").expect("2026");
        let here = reg.household(c, "P1").await.expect("P1");
        let (commune, province) = (here.commune_code.clone(), here.province_code.clone());
        let app = |code: &str, origin, applied_on| Application {
            commune_code: c.into(),
            household_code: code.into(),
            origin,
            applied_on,
        };
        let today = d(2027, 2, 25);
        let ok = |r: std::result::Result<i64, vuonlen_core::review::Refusal>| r.expect("recorded");
        ok(reg.record_application(&app("A1", Origin::Applied, d(2027, 2, 3)), today, "xa", "test").await.expect("db"));
        ok(reg
            .record_application(&app("P1", Origin::AppliedEscape, d(2027, 2, 10)), today, "xa", "test")
            .await
            .expect("db"));
        ok(reg.record_application(&app("A2", Origin::Applied, d(2027, 2, 20)), today, "xa", "test").await.expect("db"));
        // Refused: a second waiting application, an unknown household, a day to come, another
        // province's user.
        let again = reg.record_application(&app("A1", Origin::Applied, d(2027, 2, 4)), today, "xa", "test").await;
        assert!(again.expect("db").expect_err("waiting").en.contains("waiting"), "{engine}");
        let unknown = reg.record_application(&app("Z9", Origin::Applied, d(2027, 2, 4)), today, "xa", "test").await;
        assert!(unknown.expect("db").expect_err("unknown").en.contains("No household Z9"), "{engine}");
        let future = reg.record_application(&app("A2", Origin::Applied, d(2027, 3, 1)), today, "xa", "test").await;
        assert!(future.expect("db").is_err(), "{engine}");
        let other = db.scoped(Scope::units(["79"]).expect("scope"));
        let outside = other.record_application(&app("A2", Origin::Applied, d(2027, 2, 4)), today, "hcm", "test").await;
        assert!(outside.expect("db").expect_err("outside").en.contains("outside"), "{engine}");
        assert!(other.applications(&procedure, None, false).await.expect("read").is_empty(), "{engine}");

        let waiting = reg.applications(&procedure, None, true).await.expect("applications");
        assert_eq!(waiting.len(), 3, "{engine}");
        let a1 = waiting.iter().find(|a| a.household_code == "A1").expect("A1");
        assert_eq!((a1.review_starts, a1.due_on), (d(2027, 2, 15), d(2027, 3, 8)), "{engine}");
        let a2 = waiting.iter().find(|a| a.household_code == "A2").expect("A2");
        assert_eq!(a2.review_starts, d(2027, 3, 15), "{engine}: after the 15th, next month's review");
        assert!(!a1.overdue(d(2027, 3, 8)) && a1.overdue(d(2027, 3, 9)), "{engine}");

        // February, before any round: two applications to be recognised, one to escape, all waiting.
        let feb = reg.regular_month(&procedure, &province, d(2027, 2, 1), d(2027, 2, 28)).await.expect("roll-up");
        assert_eq!(feb.len(), 1, "{engine}");
        let l = &feb[0];
        assert_eq!(
            (l.received, l.received_escape, l.decided, l.waiting, l.overdue),
            (2, 1, 0, 3, 0),
            "{engine}: {l:?}"
        );

        // The regular round of 15 February takes them up; A2 leaves at Phiếu A.
        let spec = RoundSpec {
            period: &p2026,
            kind: RoundKind::Regular,
            province_code: &province,
            starts_on: Some(d(2027, 2, 15)),
            communes: std::slice::from_ref(&commune),
            calendar: &[],
            procedure: &procedure,
        };
        let round = reg.open_round(&spec, "tinh", "test").await.expect("open");
        assert_eq!(reg.list_round(&round, None, "xa", "test").await.expect("list"), 3, "{engine}");
        assert!(reg.applications(&procedure, None, true).await.expect("read").is_empty(), "{engine}: all taken up");
        let screen = |code: &str, outcome, reason: Option<&str>| ScreeningRow {
            commune_code: c.into(),
            household_code: code.into(),
            outcome,
            reason: reason.map(str::to_string),
            note: None,
            screened_on: d(2027, 2, 16),
        };
        let screened = reg
            .record_steps(
                &round,
                &procedure,
                &Steps::Screening(vec![
                    screen("A1", Screening::Proceeds, None),
                    screen("A2", Screening::Out, Some("phieu_a")),
                ]),
                "xa",
                "test",
            )
            .await
            .expect("db");
        assert_eq!(screened, Ok(2), "{engine}");
        assert_eq!(reg.record_surveyed_all(&round, &commune, "xa", "test").await.expect("survey"), 2, "{engine}");
        let vote = Vote { attendees: 20, agreeing: 15 };
        reg.record_meeting_all(&round, &procedure, &commune, d(2027, 2, 22), vote, "xa", "test")
            .await
            .expect("meeting");
        let posting = PostingDates { starts_on: d(2027, 2, 23), ends_on: d(2027, 2, 25) };
        reg.record_posting(&round, &procedure, &commune, posting, "UBND xã", "xa", "test").await.expect("posting");
        let input = DecisionInput { commune: &commune, number: "9/QĐ-UBND", decided_on: d(2027, 3, 2), signer: "A" };
        let decided = reg.decide(&round, &input, "xa", "test").await.expect("decide").expect("decided");
        assert_eq!(decided.carried_forward, 0, "{engine}: a regular round carries nothing forward");

        // March: the three decided — A1 recognised poor, P1 escaped, A2 refused (in writing).
        let mar = reg.regular_month(&procedure, &province, d(2027, 3, 1), d(2027, 3, 31)).await.expect("roll-up");
        let l = &mar[0];
        assert_eq!(
            (l.received, l.received_escape, l.decided, l.poor, l.near_poor, l.escaped, l.refused, l.waiting),
            (0, 0, 3, 1, 0, 1, 1, 0),
            "{engine}: {l:?}"
        );
        // February again: received in it, decided after it: still waiting at its end.
        let feb = reg.regular_month(&procedure, &province, d(2027, 2, 1), d(2027, 2, 28)).await.expect("roll-up");
        assert_eq!((feb[0].received, feb[0].decided, feb[0].waiting), (2, 0, 3), "{engine}: {:?}", feb[0]);
        let all = reg.applications(&procedure, None, false).await.expect("read");
        assert!(all.iter().all(|a| a.round_id == Some(round.id) && !a.overdue(d(2027, 4, 1))), "{engine}: {all:?}");
    }
}

/// A commune's annual review from the list to the locked decision (Decision 24/2021 art. 4),
/// with the refusals the procedure requires and the lock on imports afterwards.
#[tokio::test]
async fn a_review_round_runs_from_the_list_to_a_locked_decision() {
    use vuonlen_core::review::{ComplaintOutcome, Origin, PostingDates, Screening, Vote};
    use vuonlen_store::review::{
        Application, ComplaintRow, DecisionInput, MeetingRow, RoundKind, RoundSpec, ScreeningRow, Steps, SurveyRow,
    };
    let dir = tempfile::tempdir().expect("tmp");
    let procedure = Standards::embedded().expect("standards").review_procedure().expect("procedure");
    for (engine, db) in engines(dir.path()).await {
        let c = "00004";
        let last = vec![
            household("P1", c, Class::Poor, 3, 100),
            household("P2", c, Class::Poor, 2, 200),
            household("N1", c, Class::NearPoor, 2, 300),
            household("X1", c, Class::NotPoor, 2, 400),
            household("X2", c, Class::NotPoor, 1, 500),
        ];
        import(&db, 2025, &records(dir.path(), "y25", &last, d(2025, 12, 31))).await;
        let now = vec![
            household("P1", c, Class::NotPoor, 3, 100),
            household("P2", c, Class::Poor, 2, 200),
            household("N1", c, Class::NearPoor, 2, 300),
            household("X1", c, Class::Poor, 2, 400),
            household("X2", c, Class::NotPoor, 1, 500),
        ];
        import(&db, 2026, &records(dir.path(), "y26", &now, d(2026, 12, 31))).await;
        let reg = db.unscoped();
        let p2026 = period::get(&db, 2026).await.expect("get").expect("period");
        let here = reg.household(c, "P1").await.expect("P1");
        let (commune, province) = (here.commune_code.clone(), here.province_code.clone());

        // Another province sees nothing and opens nothing here.
        let other = db.scoped(Scope::units(["79"]).expect("scope"));
        let spec = RoundSpec {
            period: &p2026,
            kind: RoundKind::Annual,
            province_code: &province,
            starts_on: None,
            communes: std::slice::from_ref(&commune),
            calendar: &[],
            procedure: &procedure,
        };
        assert!(other.open_round(&spec, "hcm", "test").await.is_err(), "{engine}");
        let round = reg.open_round(&spec, "tinh", "test").await.expect("open");
        assert_eq!((round.starts_on, round.ends_on, round.list_year), (d(2026, 9, 1), d(2026, 12, 14), 2027));
        assert!(other.round(round.id).await.expect("read").is_none(), "{engine}: another province's round is hidden");
        assert!(other.rounds(None).await.expect("rounds").is_empty(), "{engine}");

        // The list: last period's poor and near-poor.
        assert_eq!(reg.list_round(&round, None, "xa", "test").await.expect("list"), 3, "{engine}");
        assert_eq!(reg.list_round(&round, None, "xa", "test").await.expect("again"), 0, "{engine}: idempotent");

        let rec = |steps: Steps| {
            let reg = reg.clone();
            let round = round.clone();
            let procedure = procedure.clone();
            async move { reg.record_steps(&round, &procedure, &steps, "xa", "test").await.expect("step") }
        };
        let app = |code: &str, origin| Application {
            commune_code: c.into(),
            household_code: code.into(),
            origin,
            applied_on: d(2026, 9, 10),
        };
        // An unknown household refuses the whole file; nothing is written.
        let refused = rec(Steps::Applications(vec![app("X1", Origin::Applied), app("Z9", Origin::Applied)]))
            .await
            .expect_err("unknown household");
        assert_eq!(refused.len(), 1, "{engine}");
        assert_eq!(refused[0].index, 1, "{engine}");
        assert!(refused[0].refusal.en.contains("No household Z9"), "{engine}: {:?}", refused[0]);
        assert_eq!(reg.round_cases(&round, &commune).await.expect("cases").len(), 3, "{engine}: nothing written");
        let n = rec(Steps::Applications(vec![app("X1", Origin::Applied), app("X2", Origin::Applied)])).await;
        assert_eq!(n, Ok(2), "{engine}");

        // Applicants are screened before their survey.
        let survey = |code: &str| SurveyRow { commune_code: c.into(), household_code: code.into() };
        let not_screened = rec(Steps::Surveys(vec![survey("X1")])).await.expect_err("not screened");
        assert!(not_screened[0].refusal.en.contains("not been screened"), "{engine}");
        let screen = |code: &str, outcome, reason: Option<&str>| ScreeningRow {
            commune_code: c.into(),
            household_code: code.into(),
            outcome,
            reason: reason.map(str::to_string),
            note: None,
            screened_on: d(2026, 9, 20),
        };
        let bad_reason = rec(Steps::Screening(vec![screen("X2", Screening::Out, Some("rich"))])).await;
        assert!(bad_reason.expect_err("unknown reason")[0].refusal.en.contains("not one of the procedure's"));
        let ok = rec(Steps::Screening(vec![
            screen("X1", Screening::Proceeds, None),
            screen("X2", Screening::Out, Some("phieu_a")),
        ]))
        .await;
        assert_eq!(ok, Ok(2), "{engine}");
        assert_eq!(reg.record_surveyed_all(&round, &commune, "xa", "test").await.expect("survey"), 4, "{engine}");

        // The village meeting: P1 under half, sent back; over 100 % and a screened-out household refused.
        let vote = |code: &str, attendees, agreeing| MeetingRow {
            commune_code: c.into(),
            household_code: code.into(),
            held_on: d(2026, 10, 15),
            vote: Vote { attendees, agreeing },
        };
        let bad = rec(Steps::Meetings(vec![vote("P2", 40, 41), vote("X2", 40, 30)])).await.expect_err("bad votes");
        assert_eq!(bad.iter().map(|r| r.index).collect::<Vec<_>>(), vec![0, 1], "{engine}: {bad:?}");
        assert!(bad[0].refusal.vi.contains("trên 100%"), "{engine}");
        let met =
            rec(Steps::Meetings(vec![vote("P1", 40, 10), vote("P2", 40, 30), vote("N1", 40, 30), vote("X1", 40, 20)]));
        assert_eq!(met.await, Ok(4), "{engine}");
        let cases = reg.round_cases(&round, &commune).await.expect("cases");
        let stage = |code: &str| cases.iter().find(|x| x.household_code == code).map(|x| x.stage.clone());
        assert_eq!(stage("P1").as_deref(), Some("resurvey"), "{engine}");
        assert_eq!(stage("X1").as_deref(), Some("agreed"), "{engine}: exactly half agrees");
        assert_eq!(stage("X2").as_deref(), Some("screened_out"), "{engine}");

        // No posting while P1 waits; then P1 is surveyed again and agreed.
        let posting = PostingDates { starts_on: d(2026, 12, 1), ends_on: d(2026, 12, 3) };
        let early = reg.record_posting(&round, &procedure, &commune, posting, "Nhà văn hóa thôn", "xa", "test").await;
        assert!(early.expect_err("waiting").to_string().contains("not yet agreed"), "{engine}");
        assert_eq!(rec(Steps::Surveys(vec![survey("P1")])).await, Ok(1), "{engine}");
        assert_eq!(rec(Steps::Meetings(vec![vote("P1", 40, 35)])).await, Ok(1), "{engine}");
        let short = PostingDates { starts_on: d(2026, 12, 1), ends_on: d(2026, 12, 2) };
        assert!(reg.record_posting(&round, &procedure, &commune, short, "UBND xã", "xa", "test").await.is_err());
        reg.record_posting(&round, &procedure, &commune, posting, "UBND xã", "xa", "test").await.expect("posting");

        // A complaint about N1, upheld by the re-check: N1 is poor.
        let complaint = |lodged_on| ComplaintRow {
            commune_code: c.into(),
            household_code: "N1".into(),
            lodged_on,
            content: "Hộ thiếu hụt thêm nước sạch".into(),
            outcome: None,
            recheck_class: None,
            resolved_on: None,
        };
        assert!(rec(Steps::Complaints(vec![complaint(d(2026, 12, 5))])).await.is_err(), "{engine}: after posting");
        assert_eq!(rec(Steps::Complaints(vec![complaint(d(2026, 12, 2))])).await, Ok(1), "{engine}");

        // The decision waits for the posting's end and the complaint's outcome.
        let input =
            |decided_on| DecisionInput { commune: &commune, number: "125/QĐ-UBND", decided_on, signer: "Lê Văn A" };
        let waiting = reg.decide(&round, &input(d(2026, 12, 3)), "xa", "test").await.expect("decide");
        assert_eq!(waiting.expect_err("not yet").len(), 2, "{engine}");
        let complaints = reg.complaints(&round, &commune).await.expect("complaints");
        assert_eq!(complaints.len(), 1, "{engine}");
        assert_eq!((complaints[0].household_code.as_str(), complaints[0].outcome.as_deref()), ("N1", None));
        let id = complaints[0].id;
        reg.resolve_complaint(&round, id, ComplaintOutcome::Upheld, Some(Class::Poor), d(2026, 12, 3), "xa", "test")
            .await
            .expect("resolve");
        let decided = reg.decide(&round, &input(d(2026, 12, 4)), "xa", "test").await.expect("decide").expect("decided");
        assert_eq!((decided.recognised, decided.poor, decided.near_poor), (4, 3, 0), "{engine}: {decided:?}");
        assert_eq!((decided.escaped_poor, decided.escaped_near_poor), (1, 0), "{engine}: P1 escaped; N1 went to poor");
        assert_eq!(decided.differences, vec![("N1".into(), "near_poor".into(), "poor".into())], "{engine}");
        let n1 = reg.household(c, "N1").await.expect("N1");
        let official = n1.periods.iter().find(|p| p.year == 2026).and_then(|p| p.class);
        assert_eq!(official, Some(Class::Poor), "{engine}: the recognised class is the official one");
        let again = reg.decide(&round, &input(d(2026, 12, 5)), "xa", "test").await.expect("decide");
        assert!(again.is_err(), "{engine}: one decision per commune and round");
        let states = reg.round_status(&round, d(2026, 12, 20)).await.expect("status");
        assert_eq!(states.len(), 1);
        assert_eq!(states[0].reached, Some(vuonlen_core::review::Step::Decision), "{engine}");
        assert!(states[0].late.is_empty(), "{engine}: {:?}", states[0].late);

        // Locked: the same answers again change nothing; a change is refused.
        let same = import(&db, 2026, &records(dir.path(), "same", &now[1..2], d(2026, 12, 31))).await;
        assert!(same.conflicts.is_empty() && same.unchanged == 1, "{engine}: {same:?}");
        let changed = vec![household("P2", c, Class::NotPoor, 2, 200)];
        let summary = import(&db, 2026, &records(dir.path(), "late", &changed, d(2026, 12, 31))).await;
        assert!(!summary.committed, "{engine}");
        assert_eq!(summary.conflicts[0].kind, ConflictKind::Locked, "{engine}");
        assert_eq!(reg.locks(&p2026).await.expect("locks").len(), 1, "{engine}");
        assert!(other.locks(&p2026).await.expect("locks").is_empty(), "{engine}");
        let p2 = reg.household(c, "P2").await.expect("P2");
        assert_eq!(p2.periods.iter().find(|p| p.year == 2026).and_then(|p| p.class), Some(Class::Poor), "{engine}");

        // A regular review in February 2027: P2 applies to be recognised as escaped (Mẫu 04); its
        // new answers go in while it is on the open round's list; a new decision re-locks.
        let regular_spec = RoundSpec { kind: RoundKind::Regular, starts_on: Some(d(2027, 2, 15)), ..spec.clone() };
        let regular = reg.open_round(&regular_spec, "tinh", "test").await.expect("regular round");
        assert_eq!(regular.ends_on, d(2027, 3, 8), "{engine}: 15 working days");
        let rec2 = |steps: Steps| {
            let (reg, regular, procedure) = (reg.clone(), regular.clone(), procedure.clone());
            async move { reg.record_steps(&regular, &procedure, &steps, "xa", "test").await.expect("step") }
        };
        let escape = Application { applied_on: d(2027, 2, 16), ..app("P2", Origin::AppliedEscape) };
        assert_eq!(rec2(Steps::Applications(vec![escape])).await, Ok(1), "{engine}");
        let better = vec![household("P2", c, Class::NotPoor, 2, 200)];
        let reopened = import(&db, 2026, &records(dir.path(), "p2", &better, d(2026, 12, 31))).await;
        assert!(reopened.committed && reopened.conflicts.is_empty(), "{engine}: {reopened:?}");
        assert_eq!(rec2(Steps::Surveys(vec![survey("P2")])).await, Ok(1), "{engine}");
        let vote2 = MeetingRow { held_on: d(2027, 2, 18), ..vote("P2", 20, 15) };
        assert_eq!(rec2(Steps::Meetings(vec![vote2])).await, Ok(1), "{engine}");
        let posting2 = PostingDates { starts_on: d(2027, 2, 19), ends_on: d(2027, 2, 23) };
        reg.record_posting(&regular, &procedure, &commune, posting2, "UBND xã", "xa", "test").await.expect("posting");
        let input2 =
            DecisionInput {
                commune: &commune, number: "31/QĐ-UBND", decided_on: d(2027, 2, 24), signer: "Lê Văn A"
            };
        let d2 = reg.decide(&regular, &input2, "xa", "test").await.expect("decide").expect("decided");
        assert_eq!((d2.recognised, d2.escaped_poor), (1, 1), "{engine}: {d2:?}");
        let p2 = reg.household(c, "P2").await.expect("P2");
        assert_eq!(p2.periods.iter().find(|p| p.year == 2026).and_then(|p| p.class), Some(Class::NotPoor), "{engine}");
        let locks = reg.locks(&p2026).await.expect("locks");
        assert_eq!(locks[0].decision_number, "31/QĐ-UBND", "{engine}: the lock names the latest decision");
        // Closed again: a further change is refused.
        let again =
            import(&db, 2026, &records(dir.path(), "p2b", &[household("P2", c, Class::Poor, 2, 200)], d(2026, 12, 31)))
                .await;
        assert_eq!(again.conflicts.first().map(|c| c.kind), Some(ConflictKind::Locked), "{engine}");
    }
}

#[tokio::test]
async fn levels_agree_across_the_2025_merger_and_a_commune_that_kept_its_code_keeps_its_households() {
    use vuonlen_core::units::AdminUnits;
    // The lineage (data/admin-units/commune-2024-to-2025.csv, checked by
    // data/admin-units/tools/check_lineage.py): 03901 Xã Suối Tọ is a commune of both lists and
    // maps to itself; 03898 Thị trấn Phù Yên and 03913 Xã Huy Bắc, merged before July 2025,
    // have a successor (03910 Xã Phù Yên).
    let units = AdminUnits::get();
    assert_eq!(units.successors("03901"), &["03901"]);
    assert_eq!(units.current_province("03898", d(2024, 6, 1)).map(|p| p.code), Some("14"));
    assert_eq!(units.successors("03913"), &["03910"]);
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        // Households of Sơn La under their 2024 communes, then under the 2025 successors.
        let people: [(&str, &str, &str, Class); 8] = [
            ("S1", "03901", "03901", Class::Poor),     // Suối Tọ, same code and name in 2025
            ("S2", "03901", "03901", Class::NotPoor),  //
            ("P1", "03898", "03910", Class::Poor),     // Thị trấn Phù Yên → Xã Phù Yên
            ("P2", "03913", "03910", Class::NearPoor), // Xã Huy Bắc → Xã Phù Yên
            ("P3", "03910", "03910", Class::Poor),     // Xã Quang Huy → Xã Phù Yên (kept the code)
            ("M1", "03904", "03907", Class::Poor),     // Xã Mường Thải merged into Xã Mường Cơi
            ("C1", "03988", "03997", Class::NotPoor),  // Xã Tân Hợp → Xã Tân Yên
            ("C2", "03979", "03979", Class::NearPoor), // Thị trấn Mộc Châu → Phường Mộc Sơn
        ];
        let rows = |year: usize| -> Vec<(String, Vec<String>)> {
            (0u64..)
                .zip(&people)
                .map(|(i, (code, old, new, class))| {
                    household(code, if year == 2024 { old } else { new }, *class, 2, 100 * (i + 1))
                })
                .collect()
        };
        let s24 = import(&db, 2024, &records(dir.path(), "lv24", &rows(2024), d(2024, 12, 31))).await;
        assert!(s24.committed, "{engine}: {s24:?}");
        assert!(s24.unmapped_communes.is_empty(), "{engine}: unmapped {:?}", s24.unmapped_communes);
        let s25 = import(&db, 2025, &records(dir.path(), "lv25", &rows(2025), d(2025, 12, 31))).await;
        assert!(s25.committed, "{engine}: {s25:?}");

        let reg = db.unscoped();
        let total = |t: &[(String, vuonlen_core::report::UnitTally)]| t.iter().map(|(_, u)| u.households).sum::<u64>();
        for year in [2024, 2025] {
            let p = period::get(&db, year).await.expect("period").expect("imported");
            let tally = |unit: &'static str| {
                let (reg, p) = (reg.clone(), p.clone());
                async move { reg.tally(&p, "2022-2025", &Selection::parse(unit).expect("unit")).await.expect("tally") }
            };
            let country = tally("VN").await;
            let province = tally("14").await;
            // Country = the province: no household is left outside every 2025 province.
            assert_eq!(country.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), vec!["14"], "{engine} {year}");
            assert_eq!(total(&country), 8, "{engine} {year}");
            assert_eq!(total(&province), 8, "{engine} {year}");
            // The province's rows are today's communes, and each row is that commune's total.
            let communes: Vec<&str> = province.iter().map(|(k, _)| k.as_str()).collect();
            assert_eq!(communes, vec!["03901", "03907", "03910", "03979", "03997"], "{engine} {year}");
            let mut sum = 0;
            for (code, row) in &province {
                let c =
                    reg.tally(&p, "2022-2025", &Selection::parse(code).expect("commune")).await.expect("commune tally");
                assert_eq!(total(&c), row.households, "{engine} {year}: commune {code}");
                sum += total(&c);
            }
            assert_eq!(sum, 8, "{engine} {year}: communes add up to the province");
            // A household of 03901 that never moved stays in 03901 (not in 03910 Phù Yên).
            assert_eq!(total(&tally("03901").await), 2, "{engine} {year}");
            assert_eq!(total(&tally("03910").await), 3, "{engine} {year}");
            for (unit, class) in [("03901", Class::Poor), ("03910", Class::NearPoor)] {
                let t = tally(unit).await;
                assert_eq!(t.iter().map(|(_, u)| u.households_in(class)).sum::<u64>(), 1, "{engine} {year} {unit}");
            }
        }
        let s1 = reg.household("03901", "S1").await.expect("S1");
        assert_eq!(s1.periods.len(), 2, "{engine}: S1's two periods are one household");
    }
}

// --- Budgets (issue 14) ---

fn budget_line(code: &str, year: i64, project: &str, allocated: u64) -> vuonlen_store::budgets::NewBudgetLine {
    vuonlen_store::budgets::NewBudgetLine {
        unit: unit_of(code),
        year,
        project_code: project.into(),
        source: vuonlen_core::budget::FundSource::Central,
        amounts: vuonlen_core::budget::Amounts { allocated, committed: None, disbursed: None },
        note: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn budget_lines_keep_within_their_parent_their_project_and_their_allocation() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let all = db.unscoped();
        // Sơn La's DA3.TDA1 for 2026: 100 million; DA3 as a whole 150 million.
        let ok = all
            .record_budget_lines(
                &[budget_line("14", 2026, "DA3", 150_000_000), budget_line("14", 2026, "DA3.TDA1", 100_000_000)],
                "t",
                "t",
            )
            .await
            .expect("write");
        assert_eq!(ok, Ok(2), "{engine}");
        // A sub-project above its project is refused, with both amounts; nothing written.
        let over = all.record_budget_lines(&[budget_line("14", 2026, "DA3.TDA2", 60_000_000)], "t", "t").await;
        let why = over.expect("write").expect_err("refused");
        assert!(why[0].1.contains("160.000.000") && why[0].1.contains("150.000.000"), "{engine}: {why:?}");
        assert!(all.budget_lines(&unit_of("14"), Some(2026)).await.expect("read").len() == 2, "{engine}");
        // A disbursement above the allocation is refused; within it, recorded and kept when a
        // later write gives only the allocation.
        let mut paid = budget_line("14", 2026, "DA3.TDA1", 100_000_000);
        paid.amounts.disbursed = Some(120_000_000);
        let why = all.record_budget_lines(&[paid.clone()], "t", "t").await.expect("write").expect_err("refused");
        assert!(why[0].1.contains("giải ngân 120.000.000 đồng lớn hơn số được giao 100.000.000"), "{engine}: {why:?}");
        paid.amounts.disbursed = Some(40_000_000);
        assert_eq!(all.record_budget_lines(&[paid], "t", "t").await.expect("write"), Ok(1));
        assert_eq!(
            all.record_budget_lines(&[budget_line("14", 2026, "DA3.TDA1", 90_000_000)], "t", "t").await.expect("w"),
            Ok(1)
        );
        let lines = all.budget_lines(&unit_of("14"), Some(2026)).await.expect("read");
        let tda1 = lines.iter().find(|l| l.project_code == "DA3.TDA1").expect("line");
        assert_eq!((tda1.amounts.allocated, tda1.amounts.disbursed), (90_000_000, Some(40_000_000)), "{engine}");
        // Lowering the allocation below the disbursement is refused.
        let why = all
            .record_budget_lines(&[budget_line("14", 2026, "DA3.TDA1", 30_000_000)], "t", "t")
            .await
            .expect("w")
            .expect_err("refused");
        assert!(why[0].1.contains("giải ngân 40.000.000"), "{engine}: {why:?}");

        // Two communes of the province writing at once, 60 million each of the 90: one wins.
        let communes: Vec<String> = vuonlen_store::targets::TargetUnit::parse("14")
            .expect("14")
            .children()
            .into_iter()
            .take(2)
            .map(|u| u.code)
            .collect();
        let (a, b) = {
            let (x, y) = (db.unscoped(), db.unscoped());
            let (la, lb) = (
                budget_line(&communes[0], 2026, "DA3.TDA1", 60_000_000),
                budget_line(&communes[1], 2026, "DA3.TDA1", 60_000_000),
            );
            tokio::join!(async move { x.record_budget_lines(&[la], "a", "t").await }, async move {
                y.record_budget_lines(&[lb], "b", "t").await
            })
        };
        let results = [a.expect("a"), b.expect("b")];
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{engine}: {results:?}");
        let refused = results.iter().find_map(|r| r.as_ref().err()).expect("one refused");
        assert!(refused[0].1.contains("vượt số Tỉnh Sơn La được giao (90.000.000 đồng)"), "{engine}: {refused:?}");
        let below = all.budget_lines_below(&unit_of("14"), Some(2026)).await.expect("below");
        assert_eq!(below.iter().map(|l| l.amounts.allocated).sum::<u64>(), 60_000_000, "{engine}");
        // The province cannot then lower its line below what its communes hold.
        let why = all
            .record_budget_lines(&[budget_line("14", 2026, "DA3.TDA1", 50_000_000)], "t", "t")
            .await
            .expect("w")
            .expect_err("refused");
        assert!(
            why.iter().any(|w| w.1.contains("ít hơn tổng đã giao cho các đơn vị trực thuộc (60.000.000 đồng)")),
            "{engine}: {why:?}"
        );

        // A commune's officer writes only its commune and reads only its lines.
        let own = db.scoped(Scope::units([communes[0].as_str()]).expect("scope"));
        let elsewhere = own.record_budget_lines(&[budget_line(&communes[1], 2027, "DA3.TDA1", 1)], "x", "t").await;
        assert!(matches!(elsewhere, Err(vuonlen_store::StoreError::Forbidden(_))), "{engine}: {elsewhere:?}");
        assert!(own.budget_lines(&unit_of("14"), None).await.expect("read").is_empty(), "{engine}");
        let seen = own.budget_lines_below(&unit_of("14"), None).await.expect("read");
        assert!(seen.iter().all(|l| l.unit_code == communes[0]), "{engine}: {seen:?}");
    }
}

fn unit_of(code: &str) -> vuonlen_store::targets::TargetUnit {
    vuonlen_store::targets::TargetUnit::parse(code).expect("unit")
}
