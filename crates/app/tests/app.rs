//! The use cases on both engines (SQLite always, PostgreSQL with `TEST_DATABASE_URL`).

use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use vuonlen_app::edit::{self, Answers, Saved};
use vuonlen_app::import::{Finish, import_period};
use vuonlen_core::{Standard, Standards};
use vuonlen_io::{ReadOptions, Source};
use vuonlen_store::import::{ConflictKind, ImportSpec};
use vuonlen_store::testing::engines;

const HH_HEAD: &str = "household_id,commune_code,village,area,head_name,address,income_per_capita,score_a,durable_structures,floor_area_m2,water_source,latrine,internet_user,info_devices,waste_treatment,poverty_causes,support_health";
const MEM_HEAD: &str = "household_id,member_no,full_name,relation,sex,birth_date,ethnicity,id_number,health_insurance,employment,able_to_work,education,in_school,school_on_track,malnourished,disability,social_allowance,merit";

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 12, 31).expect("date")
}

fn standard() -> Arc<Standard> {
    Standards::embedded().expect("standards").get("2022-2025").expect("standard")
}

fn spec(scope: vuonlen_store::Scope) -> ImportSpec {
    ImportSpec {
        period: 2025,
        reference_date: as_of(),
        standard: standard(),
        actor: "tester".into(),
        command: "test".into(),
        files: "test".into(),
        file_hash: "0".into(),
        scope,
        expected_households: None,
    }
}

fn opts() -> ReadOptions {
    ReadOptions { keep_personal: true, ..ReadOptions::new(as_of()) }
}

/// `n` households of commune 00004 with one member each; members written in reverse order when
/// `shuffled` (the reader then joins them in memory and the import starts over).
fn files(dir: &Path, name: &str, n: usize, bad_row: Option<usize>, shuffled: bool) -> Source {
    let h = dir.join(format!("{name}-h.csv"));
    let m = dir.join(format!("{name}-m.csv"));
    let mut hh = vec![HH_HEAD.to_string()];
    let mut mm = Vec::new();
    for i in 0..n {
        let water = if bad_row == Some(i) { "giếng cổ" } else { "piped" };
        hh.push(format!("H{i:05},00004,Tổ 1,urban,Chủ hộ {i},,3000000,,3,40,{water},septic,1,1,,,{}", i % 2));
        mm.push(format!("H{i:05},1,Chủ hộ {i},head,M,1970-01-01,Kinh,,1,self_employed,1,upper_secondary,0,,,none,0,0"));
    }
    if shuffled {
        mm.reverse();
    }
    mm.insert(0, MEM_HEAD.to_string());
    std::fs::write(&h, hh.join("\n") + "\n").expect("write");
    std::fs::write(&m, mm.join("\n") + "\n").expect("write");
    Source::Csv { households: h, members: m }
}

#[tokio::test]
async fn an_import_streams_into_one_transaction_checked_or_committed() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let reg = db.unscoped();
        // A dry run writes nothing but counts what it would do.
        let src = files(dir.path(), "a", 1_200, None, false);
        let checked = import_period(
            &reg,
            src.clone(),
            opts(),
            spec(vuonlen_store::Scope::unscoped_all()),
            Finish::CheckOnly,
            |_| {},
        )
        .await
        .expect("check");
        assert_eq!(checked.summary.as_ref().map(|s| s.inserted), Some(1_200), "{engine}");
        assert!(!checked.committed(), "{engine}");
        assert!(vuonlen_store::period::get(&db, 2025).await.expect("period").is_none(), "{engine}: nothing kept");
        // Members out of order: the reader joins in memory, the transaction starts over, the
        // result is the same.
        let mut seen = Vec::new();
        let shuffled = files(dir.path(), "b", 1_200, None, true);
        let done =
            import_period(&reg, shuffled, opts(), spec(vuonlen_store::Scope::unscoped_all()), Finish::Commit, |n| {
                seen.push(n)
            })
            .await
            .expect("import");
        assert!(done.committed(), "{engine}");
        assert_eq!(done.summary.as_ref().map(|s| (s.inserted, s.members)), Some((1_200, 1_200)), "{engine}");
        assert!(done.report.in_memory_join, "{engine}");
        assert_eq!(seen.last(), Some(&1_200), "{engine}: progress reaches every household");
        let h = reg.household("00004", "H00003").await.expect("household");
        let detail = reg.survey_detail(h.id, 2025).await.expect("detail");
        assert_eq!(detail.survey.recorded.0.flag(3), Some(true), "{engine}: support_health of H00003");
        // A file with an error is refused whole: nothing written, the problem located.
        let bad = files(dir.path(), "c", 10, Some(4), false);
        let refused =
            import_period(&reg, bad, opts(), spec(vuonlen_store::Scope::unscoped_all()), Finish::Commit, |_| {})
                .await
                .expect("refused, not failed");
        assert!(refused.summary.is_none(), "{engine}");
        assert_eq!(refused.report.errors.len(), 1, "{engine}");
        assert_eq!((refused.report.errors[0].row, refused.report.errors[0].value.as_str()), (6, "giếng cổ"));
    }
}

#[tokio::test]
async fn a_user_imports_only_its_area_and_an_edit_needs_the_version_it_read() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let src = files(dir.path(), "a", 3, None, false);
        let all = db.unscoped();
        assert!(
            import_period(
                &all,
                src.clone(),
                opts(),
                spec(vuonlen_store::Scope::unscoped_all()),
                Finish::Commit,
                |_| {}
            )
            .await
            .expect("import")
            .committed()
        );
        // Another commune's officer: every household is out of its area, nothing written.
        let other = vuonlen_store::Scope::units(["00001"]).expect("scope");
        let elsewhere = db.scoped(other);
        let refused =
            import_period(&elsewhere, src, opts(), spec(vuonlen_store::Scope::none()), Finish::Commit, |_| {})
                .await
                .expect("import");
        let summary = refused.summary.expect("read clean");
        assert!(!summary.committed, "{engine}");
        assert!(summary.conflicts.iter().all(|c| c.kind == ConflictKind::OutOfScope), "{engine}");

        // An edit: answers in memory, checked by the reader's rules, saved with its version.
        let own = db.scoped(vuonlen_store::Scope::units(["00004"]).expect("scope"));
        let h = own.household("00004", "H00001").await.expect("household");
        let detail = own.survey_detail(h.id, 2025).await.expect("detail");
        let mut household: BTreeMap<String, String> =
            detail.survey.fields().into_iter().map(|(k, v)| (k.to_string(), v.unwrap_or_default())).collect();
        household.insert("household_id".into(), "H00001".into());
        household.insert("commune_code".into(), "00004".into());
        household.insert("support_housing".into(), "có".into());
        let members: Vec<BTreeMap<String, String>> = detail
            .members
            .iter()
            .map(|m| {
                let mut f: BTreeMap<String, String> =
                    m.fields().into_iter().map(|(k, v)| (k.to_string(), v.unwrap_or_default())).collect();
                f.insert("member_no".into(), m.member_no.to_string());
                f
            })
            .collect();
        let (record, report) =
            edit::check(Answers { household: &household, members: &members }, opts()).await.expect("check");
        assert!(report.is_clean(), "{engine}: {:?}", report.errors);
        let record = record.expect("record");
        let version = detail.content_hash;
        let saved =
            edit::save(&own, spec(vuonlen_store::Scope::none()), record.clone(), Some(version)).await.expect("save");
        assert!(matches!(saved, Saved::Done(id) if id == h.id), "{engine}: {saved:?}");
        // The same version again: someone saved in between, refused.
        let again = edit::save(&own, spec(vuonlen_store::Scope::none()), record, Some(version)).await.expect("save");
        match again {
            Saved::Refused(c) => assert_eq!(c[0].kind, ConflictKind::Stale, "{engine}"),
            other => panic!("{engine}: {other:?}"),
        }
        // Bad answers: located in the tables, no record.
        household.insert("durable_structures".into(), "7".into());
        let (record, report) =
            edit::check(Answers { household: &household, members: &members }, opts()).await.expect("check");
        assert!(record.is_none(), "{engine}");
        assert_eq!(
            (report.errors[0].file.as_str(), report.errors[0].column.as_str()),
            (edit::HOUSEHOLDS, "durable_structures")
        );
    }
}

/// Every cell of the first sheet of a workbook, as text.
fn cells(bytes: Vec<u8>) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
    let name = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&name).expect("sheet");
    range.rows().map(|r| r.iter().map(ToString::to_string).collect()).collect()
}

#[tokio::test]
async fn a_report_written_to_memory_is_the_file_and_holds_only_the_callers_area() {
    use vuonlen_app::report::{ReportRequest, to_bytes, to_file};
    use vuonlen_io::forms::Form;
    use vuonlen_store::Selection;
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let all = db.unscoped();
        let src = files(dir.path(), "r", 30, None, false);
        let spec = spec(vuonlen_store::Scope::unscoped_all());
        assert!(import_period(&all, src, opts(), spec, Finish::Commit, |_| {}).await.expect("import").committed());
        let p = vuonlen_store::period::get(&db, 2025).await.expect("read").expect("period");
        let std = standard();
        let sel = Selection::parse("VN").expect("unit");
        for form in [Form::F1, Form::F15] {
            let req = ReportRequest { form, selection: &sel, period: &p, from: None, standard: &std };
            let (bytes, in_memory) = to_bytes(&all, req).await.expect("to memory");
            let path = dir.path().join(format!("{engine}-{}.xlsx", form.number()));
            let on_disk = to_file(&all, req, path.clone()).await.expect("to file");
            assert_eq!(in_memory, on_disk, "{engine} form {}", form.number());
            assert_eq!(cells(bytes), cells(std::fs::read(&path).expect("file")), "{engine} form {}", form.number());
            if form == Form::F1 {
                assert_eq!(in_memory.households, 30, "{engine}");
            }
        }
        // Another commune's officer: the same request counts none of these households.
        let other = db.scoped(vuonlen_store::Scope::units(["00001"]).expect("scope"));
        let req = ReportRequest { form: Form::F1, selection: &sel, period: &p, from: None, standard: &std };
        let (_, elsewhere) = to_bytes(&other, req).await.expect("to memory");
        assert_eq!(elsewhere.households, 0, "{engine}");
    }
}

#[tokio::test]
async fn resident_totals_are_refused_whole_or_recorded_and_give_each_report_its_base() {
    use vuonlen_app::coverage::record_totals;
    use vuonlen_io::ProblemKind;
    use vuonlen_store::Selection;
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let all = db.unscoped();
        let src = files(dir.path(), "t", 30, None, false);
        let spec = spec(vuonlen_store::Scope::unscoped_all());
        assert!(import_period(&all, src, opts(), spec, Finish::Commit, |_| {}).await.expect("import").committed());
        let p = vuonlen_store::period::get(&db, 2025).await.expect("read").expect("period");
        let sel = Selection::parse("VN").expect("unit");
        // No totals yet: the commune with surveys is named, no total base.
        let none = all.coverage(&p, &sel).await.expect("coverage");
        assert_eq!((none.missing.clone(), none.total), (vec!["00004".to_string()], None), "{engine}");

        let file = |name: &str, text: &str| {
            let path = dir.path().join(format!("{engine}-{name}"));
            std::fs::write(&path, text).expect("write");
            path
        };
        // 20 residents for 30 reviewed households, and a commune of another officer's area.
        let bad = file("bad.csv", "commune_code,households,persons\n00004,20,60\n00008,100,300\n");
        let own = db.scoped(vuonlen_store::Scope::units(["00004"]).expect("scope"));
        let refused = record_totals(&own, &p, bad, "tester", "test", Finish::Commit).await.expect("record");
        assert_eq!(refused.recorded, None, "{engine}");
        let got: Vec<(u64, ProblemKind)> = refused.totals.report.errors.iter().map(|e| (e.row, e.kind)).collect();
        assert_eq!(got, vec![(2, ProblemKind::OutOfRange), (3, ProblemKind::OutOfScope)], "{engine}");
        assert!(refused.totals.report.errors[0].message_en.contains("(30)"), "{engine}");
        assert_eq!(all.coverage(&p, &sel).await.expect("coverage").total, None, "{engine}: nothing written");

        // A check writes nothing; an import records, and a second import replaces.
        let good = file("good.csv", "Mã xã,Số hộ dân cư,Số nhân khẩu\n00004,1000,3500\n");
        let checked = record_totals(&own, &p, good.clone(), "tester", "test", Finish::CheckOnly).await.expect("check");
        assert!(checked.totals.report.is_clean() && checked.recorded.is_none(), "{engine}");
        assert_eq!(all.coverage(&p, &sel).await.expect("coverage").total, None, "{engine}");
        let done = record_totals(&own, &p, good, "tester", "test", Finish::Commit).await.expect("record");
        assert_eq!(done.recorded, Some(1), "{engine}");
        let again = file("again.csv", "commune_code,households,persons\n00004,1200,4000\n");
        record_totals(&own, &p, again, "tester", "test", Finish::Commit).await.expect("record");
        let c = all.coverage(&p, &sel).await.expect("coverage");
        let hanoi = vuonlen_store::coverage::Residents { households: 1200, persons: 4000 };
        assert_eq!((c.missing.len(), c.total, c.of("01")), (0, Some(hanoi), Some(hanoi)), "{engine}");
        // Read through the scope: another commune's officer sees no residents there.
        let other = db.scoped(vuonlen_store::Scope::units(["00001"]).expect("scope"));
        let theirs = other.coverage(&p, &sel).await.expect("coverage");
        assert!(theirs.by_key.is_empty() && theirs.missing.is_empty(), "{engine}");
    }
}

/// Issue 12: every form says which provisions it relies on are unverified, and a what-if form
/// how many households it could not classify and why.
/// Imports `src` (the whole registry's caller) with `from` replaced by `to` in its households file.
async fn import_edited(all: &vuonlen_store::Registry, src: Source, from: &str, to: &str) {
    if let Source::Csv { households, .. } = &src {
        let text = std::fs::read_to_string(households).expect("read");
        std::fs::write(households, text.replace(from, to)).expect("write");
    }
    let spec = spec(vuonlen_store::Scope::unscoped_all());
    assert!(import_period(all, src, opts(), spec, Finish::Commit, |_| {}).await.expect("import").committed());
}

#[tokio::test]
async fn forms_name_unverified_provisions_and_what_if_forms_the_households_left_out() {
    use vuonlen_app::report::{ReportRequest, to_bytes};
    use vuonlen_io::forms::Form;
    use vuonlen_store::Selection;
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let all = db.unscoped();
        // Twelve households assessed by score A only (no income figure).
        import_edited(&all, files(dir.path(), "w", 12, None, false), ",3000000,,", ",,190,").await;
        let p = vuonlen_store::period::get(&db, 2025).await.expect("read").expect("period");
        let sel = Selection::parse("VN").expect("unit");
        let note = |bytes: Vec<u8>| {
            cells(bytes).iter().flatten().find(|c| c.starts_with("Ghi chú")).cloned().unwrap_or_default()
        };
        let official = standard();
        let req = ReportRequest { form: Form::F1, selection: &sel, period: &p, from: None, standard: &official };
        let text = note(to_bytes(&all, req).await.expect("form").0);
        let unverified = official.unverified_provisions();
        assert!(!unverified.is_empty());
        assert!(text.contains("Quy định chưa xác minh") && text.contains(&unverified[0].0), "{engine}: {text}");
        assert!(!text.contains("không phân loại được"), "{engine}: the period's own standard classifies all: {text}");
        // 2027–2030 has no score-A anchor: none of them is classified.
        let what_if = Standards::embedded().expect("standards").get("2027-2030").expect("standard");
        all.reclassify(&p, &what_if).await.expect("what-if");
        let req = ReportRequest { form: Form::F1, selection: &sel, period: &p, from: None, standard: &what_if };
        let (bytes, produced) = to_bytes(&all, req).await.expect("form");
        assert_eq!(produced.households, 0, "{engine}");
        let text = note(bytes);
        assert!(text.contains("12 hộ của kỳ không phân loại được theo chuẩn 2027-2030"), "{engine}: {text}");
        assert!(text.contains("12 hộ chỉ có điểm A mà chuẩn này không quy đổi điểm A"), "{engine}: {text}");
    }
}

/// Issue 12: form 8 counts the support received (and the local ethnic minority) as recorded,
/// the same from the import's tally and from a rebuilt one.
#[tokio::test]
async fn form_8_counts_the_support_received_as_recorded() {
    use vuonlen_app::report::{ReportRequest, to_bytes};
    use vuonlen_io::forms::Form;
    use vuonlen_store::Selection;
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let all = db.unscoped();
        // Twelve households under the urban line (poor or near-poor), every other one with health support.
        import_edited(&all, files(dir.path(), "s", 12, None, false), ",3000000,,", ",1000000,,").await;
        // The tally the import built is the one the SQL builds from the data.
        assert!(db.check_tallies().await.expect("check").iter().all(|c| c.holds()), "{engine}");
        let p = vuonlen_store::period::get(&db, 2025).await.expect("read").expect("period");
        let sel = Selection::parse("VN").expect("unit");
        let std = standard();
        let health_column = |rows: &[Vec<String>]| -> (f64, f64) {
            let head = rows.iter().position(|r| r.iter().any(|c| c == "Y tế")).expect("heading");
            let col = rows[head].iter().position(|c| c == "Y tế").expect("column");
            let numbers: Vec<(f64, f64)> = rows
                .iter()
                .filter(|r| r.iter().any(|c| c == "Hộ nghèo" || c == "Hộ cận nghèo"))
                .map(|r| (r[col - 5].parse().unwrap_or(0.0), r[col].parse().unwrap_or(0.0)))
                .collect();
            // The first two group rows are the unit's total (poor, near-poor).
            (numbers[0].0 + numbers[1].0, numbers[0].1 + numbers[1].1)
        };
        for pass in ["import", "rebuild"] {
            let req = ReportRequest { form: Form::F8, selection: &sel, period: &p, from: None, standard: &std };
            let (households, health) = health_column(&cells(to_bytes(&all, req).await.expect("form 8").0));
            assert_eq!((households, health), (12.0, 6.0), "{engine} {pass}");
            // A re-classification marks the period changed: the next report rebuilds the tally in SQL.
            all.reclassify(&p, &std).await.expect("reclassify");
        }
    }
}

/// Issue 12: a form whose figures include households of a 2024 commune no 2025 commune
/// succeeds says so.
#[tokio::test]
async fn a_form_names_the_old_communes_the_lineage_does_not_place() {
    use vuonlen_app::report::{ReportRequest, to_bytes};
    use vuonlen_io::forms::Form;
    use vuonlen_store::Selection;
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let all = db.unscoped();
        // 16411 Xã Đông Xuân (2024, Thanh Hóa): no source gives its successor.
        import_edited(&all, files(dir.path(), "u", 3, None, false), ",00004,", ",16411,").await;
        let p = vuonlen_store::period::get(&db, 2025).await.expect("read").expect("period");
        let sel = Selection::parse("VN").expect("unit");
        let std = standard();
        let req = ReportRequest { form: Form::F1, selection: &sel, period: &p, from: None, standard: &std };
        let note = cells(to_bytes(&all, req).await.expect("form").0)
            .into_iter()
            .flatten()
            .find(|c| c.starts_with("Ghi chú"))
            .unwrap_or_default();
        assert!(note.contains("1 xã cũ") && note.contains("16411"), "{engine}: {note}");
    }
}

/// Issue 12, regular review: the monthly roll-up workbook of a province counts the applications
/// of the month per commune, the province's total first.
#[tokio::test]
async fn the_monthly_roll_up_counts_each_communes_applications() {
    use vuonlen_core::review::Origin;
    use vuonlen_store::review::Application;
    let dir = tempfile::tempdir().expect("tmp");
    let procedure = Standards::embedded().expect("standards").review_procedure().expect("procedure");
    for (engine, db) in engines(dir.path()).await {
        let all = db.unscoped();
        let spec = spec(vuonlen_store::Scope::unscoped_all());
        let src = files(dir.path(), "m", 3, None, false);
        assert!(import_period(&all, src, opts(), spec, Finish::Commit, |_| {}).await.expect("import").committed());
        let h = all.household("00004", "H00000").await.expect("H00000");
        let (commune, province) = (h.commune_code.clone(), h.province_code.clone());
        let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).expect("day");
        for (code, origin, on) in [("H00000", Origin::Applied, 2), ("H00001", Origin::AppliedEscape, 20)] {
            let a =
                Application { commune_code: "00004".into(), household_code: code.into(), origin, applied_on: day(on) };
            all.record_application(&a, day(31), "xa", "test").await.expect("db").expect("recorded");
        }
        let bytes = vuonlen_app::review::month_workbook(
            &all,
            &procedure,
            &province,
            2026,
            3,
            Some(day(31).succ_opt().expect("1 April")),
        )
        .await
        .expect("roll-up");
        let rows = cells(bytes);
        assert!(rows[0][0].contains("THÁNG 03 NĂM 2026"), "{engine}: {:?}", rows[0]);
        assert!(rows[1][0].contains("Hạn gửi tỉnh: 01/04/2026"), "{engine}: {:?}", rows[1]);
        let total = rows.iter().find(|r| r.get(2).is_some_and(|c| c == "Tổng cộng")).expect("total row");
        let line = rows.iter().find(|r| r.get(1) == Some(&commune)).expect("the commune's row");
        // Received: one Mẫu 01, one Mẫu 04; none decided; both waiting at the month's end; the
        // one of 2 March was due (15 March + 15 working days = 5 April) after it: not overdue.
        for r in [total, line] {
            assert_eq!(&r[3..12], ["1", "1", "0", "0", "0", "0", "0", "2", "0"], "{engine}: {r:?}");
        }
        let april =
            vuonlen_app::review::month_workbook(&all, &procedure, &province, 2026, 4, None).await.expect("April");
        let rows = cells(april);
        let total = rows.iter().find(|r| r.get(2).is_some_and(|c| c == "Tổng cộng")).expect("total row");
        // In April: nothing received; both still waiting at its end, the first past 5 April.
        assert_eq!(&total[3..12], ["0", "0", "0", "0", "0", "0", "0", "2", "1"], "{engine}: {total:?}");
    }
}

/// Issue 12, regular review: after the decision, the applicants not granted what they asked —
/// one screened out by Phiếu A, one asking to escape a poverty it was not in — get a written reply
/// (PDF); before the decision there is none to print.
#[tokio::test]
async fn refused_applicants_get_a_written_reply_after_the_decision() {
    use vuonlen_app::review::{Document, document};
    use vuonlen_core::review::{Origin, PostingDates, Screening, Vote};
    use vuonlen_store::review::{Application, DecisionInput, RoundKind, RoundSpec, ScreeningRow, Steps};
    let dir = tempfile::tempdir().expect("tmp");
    let procedure = Standards::embedded().expect("standards").review_procedure().expect("procedure");
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("day");
    for (engine, db) in engines(dir.path()).await {
        let all = db.unscoped();
        let src = files(dir.path(), "r", 3, None, false);
        let spec_ = spec(vuonlen_store::Scope::unscoped_all());
        assert!(import_period(&all, src, opts(), spec_, Finish::Commit, |_| {}).await.expect("import").committed());
        let h = all.household("00004", "H00000").await.expect("H00000");
        let (commune, province) = (h.commune_code.clone(), h.province_code.clone());
        for (code, origin) in [("H00000", Origin::Applied), ("H00001", Origin::AppliedEscape)] {
            let a = Application {
                commune_code: "00004".into(),
                household_code: code.into(),
                origin,
                applied_on: day(2025, 12, 10),
            };
            all.record_application(&a, day(2025, 12, 31), "xa", "test").await.expect("db").expect("recorded");
        }
        let p = vuonlen_store::period::get(&db, 2025).await.expect("read").expect("period");
        let round_spec = RoundSpec {
            period: &p,
            kind: RoundKind::Regular,
            province_code: &province,
            starts_on: Some(day(2025, 12, 15)),
            communes: std::slice::from_ref(&commune),
            calendar: &[],
            procedure: &procedure,
        };
        let round = all.open_round(&round_spec, "tinh", "test").await.expect("open");
        assert_eq!(all.list_round(&round, None, "xa", "test").await.expect("list"), 2, "{engine}");
        let early = document(&all, &round, &procedure, &commune, Document::Replies).await;
        assert!(early.is_err(), "{engine}: no reply before the decision");
        let out = ScreeningRow {
            commune_code: "00004".into(),
            household_code: "H00000".into(),
            outcome: Screening::Out,
            reason: Some("phieu_a".into()),
            note: None,
            screened_on: day(2025, 12, 16),
        };
        let screened =
            all.record_steps(&round, &procedure, &Steps::Screening(vec![out]), "xa", "test").await.expect("db");
        assert_eq!(screened, Ok(1), "{engine}");
        assert_eq!(all.record_surveyed_all(&round, &commune, "xa", "test").await.expect("survey"), 1, "{engine}");
        let vote = Vote { attendees: 10, agreeing: 9 };
        all.record_meeting_all(&round, &procedure, &commune, day(2025, 12, 17), vote, "xa", "test")
            .await
            .expect("meet");
        let posting = PostingDates { starts_on: day(2025, 12, 18), ends_on: day(2025, 12, 22) };
        all.record_posting(&round, &procedure, &commune, posting, "UBND xã", "xa", "test").await.expect("posting");
        let input =
            DecisionInput {
                commune: &commune, number: "3/QĐ-UBND", decided_on: day(2025, 12, 23), signer: "Lê Văn A"
            };
        all.decide(&round, &input, "xa", "test").await.expect("decide").expect("decided");
        let pdf = document(&all, &round, &procedure, &commune, Document::Replies).await.expect("replies");
        assert!(pdf.starts_with(b"%PDF-"), "{engine}");
        // Two letters: read back where poppler is installed (CI installs it).
        if std::process::Command::new("pdftotext").arg("-v").output().is_ok() {
            let path = dir.path().join(format!("replies-{engine}.pdf"));
            std::fs::write(&path, &pdf).expect("write");
            let out = std::process::Command::new("pdftotext")
                .args(["-enc", "UTF-8"])
                .arg(&path)
                .arg("-")
                .output()
                .expect("pdftotext");
            let text = String::from_utf8_lossy(&out.stdout);
            assert_eq!(text.matches("Kính gửi").count(), 2, "{engine}: {text}");
            assert!(text.contains("Phiếu A"), "{engine}: the screening reason: {text}");
            assert!(text.contains("thoát nghèo, thoát cận nghèo"), "{engine}: the Mẫu 04 reply: {text}");
        }
    }
}

/// Issue 14: support recorded for a household counts in form 8's column of its group for the
/// period of the year it was delivered — once per household — and the report cache stays the
/// one the data builds.
#[tokio::test]
async fn support_recorded_for_households_counts_in_form_8_once_per_household() {
    use vuonlen_app::report::{ReportRequest, to_bytes};
    use vuonlen_app::support::{SupportEntry, record_support_entry};
    use vuonlen_io::forms::Form;
    use vuonlen_store::Selection;
    let dir = tempfile::tempdir().expect("tmp");
    let standards = Standards::embedded().expect("standards");
    for (engine, db) in engines(dir.path()).await {
        let all = db.unscoped();
        import_edited(&all, files(dir.path(), "s", 12, None, false), ",3000000,,", ",1000000,,").await;
        let p = vuonlen_store::period::get(&db, 2025).await.expect("read").expect("period");
        let sel = Selection::parse("VN").expect("unit");
        let std = standard();
        let health = || async {
            let req = ReportRequest { form: Form::F8, selection: &sel, period: &p, from: None, standard: &std };
            let rows = cells(to_bytes(&all, req).await.expect("form 8").0);
            let head = rows.iter().position(|r| r.iter().any(|c| c == "Y tế")).expect("heading");
            let col = rows[head].iter().position(|c| c == "Y tế").expect("column");
            let n: Vec<f64> = rows
                .iter()
                .filter(|r| r.iter().any(|c| c == "Hộ nghèo" || c == "Hộ cận nghèo"))
                .map(|r| r[col].parse().unwrap_or(0.0))
                .collect();
            n[0] + n[1]
        };
        assert_eq!(health().await, 6.0, "{engine}: as recorded in the survey");
        let f = vuonlen_store::browse::HouseholdFilter::default();
        let ids: Vec<i64> = all
            .households(2025, "2022-2025", &f, 0, 100)
            .await
            .expect("list")
            .items
            .iter()
            .map(|h| h.household_id)
            .collect();
        assert_eq!(ids.len(), 12, "{engine}");
        let card = |member: Option<i64>, day: &str| SupportEntry {
            kind: "Thẻ BHYT".into(),
            member_no: member,
            delivered_on: NaiveDate::parse_from_str(day, "%Y-%m-%d").ok(),
            project_code: Some("DA3.TDA2".into()),
            ..Default::default()
        };
        // A card is received by a person: without a member, or with one not of the household, refused.
        let no_member =
            record_support_entry(&all, &standards, ids[0], &card(None, "2025-06-01"), "t", "t").await.expect("w");
        assert!(no_member.is_err(), "{engine}");
        let stranger =
            record_support_entry(&all, &standards, ids[0], &card(Some(99), "2025-06-01"), "t", "t").await.expect("w");
        let why = stranger.expect_err("refused");
        assert!(why.0[0].1.contains("no member 99"), "{engine}: {why:?}");
        // Every household's head gets a card in 2025 (the first one two): all 12 count, once.
        for id in &ids {
            assert_eq!(
                record_support_entry(&all, &standards, *id, &card(Some(1), "2025-06-01"), "t", "t").await.expect("w"),
                Ok(1)
            );
        }
        record_support_entry(&all, &standards, ids[0], &card(Some(1), "2025-09-01"), "t", "t")
            .await
            .expect("w")
            .expect("ok");
        // Delivered in 2026 — paid by the 2026–2030 programme, whose catalogue knows no DA3 —
        // and not in the 2025 forms.
        let mut later = card(Some(1), "2026-01-15");
        let wrong = record_support_entry(&all, &standards, ids[1], &later, "t", "t").await.expect("w");
        assert!(wrong.expect_err("DA3 is 2021–2025's").0[0].1.contains("'DA3.TDA2' is not a project of"), "{engine}");
        later.project_code = Some("HP2".into());
        record_support_entry(&all, &standards, ids[1], &later, "t", "t").await.expect("w").expect("ok");
        assert_eq!(health().await, 12.0, "{engine}");
        assert!(
            db.check_tallies().await.expect("check").iter().all(|c| c.holds()),
            "{engine}: the cache is the data's"
        );
        assert_eq!(all.support_of(ids[0]).await.expect("read").len(), 2, "{engine}");
        // Many records at once are written in several statements (16 rows each on SQLite): every
        // one is kept, once.
        let legal = vuonlen_core::support::support_kind("legal_aid").expect("kind");
        let many: Vec<vuonlen_store::support::NewSupport> = ids
            .iter()
            .flat_map(|id| (0..3).map(move |_| *id))
            .map(|household_id| vuonlen_store::support::NewSupport {
                household_id,
                member_no: None,
                delivered_on: NaiveDate::from_ymd_opt(2025, 7, 1).expect("day"),
                kind: legal,
                amount: None,
                project_code: None,
                source: None,
                list_id: None,
                activity_id: None,
                note: None,
            })
            .collect();
        assert_eq!(all.record_support(&many, "t", "t").await.expect("write"), Ok(36), "{engine}");
        for id in &ids[2..] {
            assert_eq!(all.support_of(*id).await.expect("read").len(), 4, "{engine}: one card and three aids");
        }
        assert!(db.check_tallies().await.expect("check").iter().all(|c| c.holds()), "{engine}");
        // The support table of 2025: every record of the year once (13 cards, 36 aids; not the
        // 2026 card), in the support table's columns, and it reads back clean.
        let country = vuonlen_store::targets::TargetUnit::parse("VN").expect("VN");
        let (header, rows) = vuonlen_app::support::support_table(&all, &country, 2025, false).await.expect("table");
        let labels: Vec<&str> = vuonlen_io::support_table::SUPPORT_COLUMNS.iter().map(|c| c.label_vi).collect();
        assert_eq!(header, labels, "{engine}");
        assert_eq!(rows.len(), 49, "{engine}");
        let out = dir.path().join(format!("ho-tro-{engine}.xlsx"));
        vuonlen_io::write_plain_table(&out, "ho-tro", &header, &rows).expect("write");
        let back = vuonlen_app::support::record_support_table(
            &all,
            &standards,
            out,
            "t",
            "t",
            vuonlen_app::import::Finish::CheckOnly,
        )
        .await
        .expect("read");
        assert!(back.file.report.is_clean(), "{engine}: {:?}", back.file.report.errors);
        assert_eq!((back.records, back.recorded), (49, None), "{engine}");
        let (_, later) = vuonlen_app::support::support_table(&all, &country, 2026, true).await.expect("table");
        assert_eq!(later.len(), 1, "{engine}");
        // An officer of no commune of these households writes nothing and reads nothing of them.
        let far = db.scoped(vuonlen_store::Scope::units(["14"]).expect("scope"));
        let refused =
            record_support_entry(&far, &standards, ids[2], &card(Some(1), "2025-06-01"), "x", "t").await.expect("w");
        assert!(refused.expect_err("outside").0[0].1.contains("outside your area"), "{engine}");
        assert!(far.support_of(ids[0]).await.expect("read").is_empty(), "{engine}");
        let province = vuonlen_store::targets::TargetUnit::parse("14").expect("14");
        assert!(far.support_records_in(&province, 2025).await.expect("read").is_empty(), "{engine}");
        assert!(far.support_records_in(&country, 2025).await.expect("read").is_empty(), "{engine}: not its area");
    }
}

/// Issue 14: a beneficiary list holds the commune's households that meet its rule, each with its
/// reason; support delivered against it to a household that does not meet the rule is refused.
#[tokio::test]
async fn a_beneficiary_list_takes_who_meets_its_rule_and_refuses_support_to_anyone_else() {
    use vuonlen_app::beneficiary::{ListRequest, build_list, deliver, list_view};
    use vuonlen_core::eligibility::EligibilityRule;
    let dir = tempfile::tempdir().expect("tmp");
    let standards = Standards::embedded().expect("standards");
    for (engine, db) in engines(dir.path()).await {
        let all = db.unscoped();
        // Twelve households of one commune, one of them under the urban line.
        import_edited(&all, files(dir.path(), "s", 12, None, false), "Chủ hộ 0,,3000000", "Chủ hộ 0,,1000000").await;
        let f = vuonlen_store::browse::HouseholdFilter::default();
        let listed = all.households(2025, "2022-2025", &f, 0, 100).await.expect("list").items;
        let commune = listed[0].current_commune.clone();
        // The rule takes the class of the commune's first household; the others of the commune
        // not of that class are outside it.
        let class = listed[0].class.expect("classified").key();
        let in_commune: Vec<&vuonlen_store::browse::HouseholdRow> =
            listed.iter().filter(|h| h.current_commune == commune).collect();
        let req = |classes: &[&str]| ListRequest {
            commune: commune.clone(),
            period: 2025,
            title: "Sửa nhà".into(),
            project_code: Some("DA5".into()),
            source: Some("Ngân sách trung ương".into()),
            support_kind: "house_repaired".into(),
            rule: EligibilityRule { classes: classes.iter().map(|c| c.to_string()).collect(), deprived_any: vec![] },
        };
        let refused = build_list(&all, &standards, &req(&[]), "t", "t").await.expect("build");
        assert!(refused.expect_err("no class").iter().any(|w| w.1.contains("at least one class")), "{engine}");
        let id = build_list(&all, &standards, &req(&[class]), "t", "t").await.expect("build").expect("built");
        let view = list_view(&all, &standards, id).await.expect("view").expect("found");
        let of_class = in_commune.iter().filter(|h| h.class.map(|c| c.key()) == Some(class)).count();
        assert_eq!(view.households.len(), of_class, "{engine}: every household of the class, no other");
        let label = vuonlen_core::Class::parse(class).expect("class").label_vi();
        assert!(view.households.iter().all(|(_, reason)| reason == label), "{engine}");
        let on: std::collections::HashSet<i64> = view.households.iter().map(|(b, _)| b.household_id).collect();
        let day = NaiveDate::from_ymd_opt(2025, 11, 20);
        let member = view.households[0].0.household_id;
        let ok = deliver(&all, &standards, &view.list, member, None, day, Some(20_000_000), "t", "t").await.expect("w");
        assert_eq!(ok, Ok(1), "{engine}");
        // Delivered against the list: its project and source, so it counts under that budget line.
        assert_eq!(view.list.source.as_deref(), Some("central"), "{engine}: the source by its Vietnamese name");
        let record = all.support_of(member).await.expect("read").remove(0);
        assert_eq!(
            (record.project_code.as_deref(), record.source.as_deref()),
            (Some("DA5"), Some("central")),
            "{engine}"
        );
        let mut unknown = req(&[class]);
        unknown.source = Some("quỹ riêng".into());
        let no = build_list(&all, &standards, &unknown, "t", "t").await.expect("build").expect_err("unknown source");
        assert!(no.iter().any(|w| w.1 == "'quỹ riêng' is not a source of funds."), "{engine}: {no:?}");
        // A household of the commune that is not poor: refused, nothing written.
        let outsider = listed.iter().map(|h| h.household_id).find(|h| !on.contains(h));
        assert!(outsider.is_some(), "{engine}: households of another class or commune exist");
        if let Some(outsider) = outsider {
            let no = deliver(&all, &standards, &view.list, outsider, None, day, None, "t", "t").await.expect("w");
            assert!(no.expect_err("not on the list").0[0].1.contains("does not meet the list's rule"), "{engine}");
            assert!(all.support_of(outsider).await.expect("read").is_empty(), "{engine}");
        }
        let again = list_view(&all, &standards, id).await.expect("view").expect("found");
        assert_eq!(again.households.iter().map(|(b, _)| b.delivered).sum::<i64>(), 1, "{engine}");
    }
}

/// Issue 14: the coverage of support counts, among the poor and near-poor households and persons
/// of the list in force, those who received each kind in the year — persons for a card, households
/// for a loan, any support once per household —; a 6-monthly report counts what came by June; a
/// year without its own review reads the review before it; a reader outside sees none of it.
#[tokio::test]
async fn the_coverage_of_support_counts_the_list_s_persons_and_households_reached() {
    use vuonlen_app::support::{SupportEntry, record_support_entry};
    use vuonlen_app::support_coverage::{coverage, coverage_total, list_in_force};
    use vuonlen_store::Selection;
    let dir = tempfile::tempdir().expect("tmp");
    let standards = Standards::embedded().expect("standards");
    for (engine, db) in engines(dir.path()).await {
        let all = db.unscoped();
        import_edited(&all, files(dir.path(), "c", 12, None, false), ",3000000,,", ",1000000,,").await;
        let f = vuonlen_store::browse::HouseholdFilter::default();
        let items = all.households(2025, "2022-2025", &f, 0, 100).await.expect("list").items;
        let ids: Vec<i64> = items.iter().map(|h| h.household_id).collect();
        assert_eq!(ids.len(), 12, "{engine}");
        let persons: u64 = items.iter().map(|h| u64::from(h.persons)).sum();
        let entry = |kind: &str, member: Option<i64>, day: &str, amount: Option<u64>| SupportEntry {
            kind: kind.into(),
            member_no: member,
            delivered_on: NaiveDate::parse_from_str(day, "%Y-%m-%d").ok(),
            amount,
            ..Default::default()
        };
        let put = |id: i64, e: SupportEntry| {
            let (all, standards) = (&all, &standards);
            async move { record_support_entry(all, standards, id, &e, "t", "t").await.expect("w").expect("recorded") }
        };
        // Cards for the heads of six households (the first one's renewed in August: one person);
        // loans for three more, the last of them twice.
        for id in &ids[..6] {
            put(*id, entry("health_insurance_card", Some(1), "2025-03-01", None)).await;
        }
        put(ids[0], entry("health_insurance_card", Some(1), "2025-08-01", None)).await;
        for id in &ids[6..9] {
            put(*id, entry("policy_loan", None, "2025-04-01", Some(50_000_000))).await;
        }
        put(ids[8], entry("policy_loan", None, "2025-05-01", Some(30_000_000))).await;
        let c = coverage(&all, 2025, "VN").await.expect("coverage");
        assert_eq!(c.list_period, Some(2025), "{engine}: no review before 2025");
        assert_eq!((c.total.list_households(), c.total.list_persons()), (12, persons), "{engine}");
        let card = vuonlen_core::support::SupportCoverage::kind_index("health_insurance_card").expect("kind");
        let loan = vuonlen_core::support::SupportCoverage::kind_index("policy_loan").expect("kind");
        let cards = c.total.reach_of(card);
        assert_eq!((cards.households, cards.persons, cards.records), (6, 6, 7), "{engine}");
        let loans = c.total.reach_of(loan);
        assert_eq!((loans.households, loans.records, loans.amount), (3, 4, 180_000_000), "{engine}");
        assert_eq!(c.total.households_pct("any"), Some(75.0), "{engine}: 9 of 12 households");
        let insured = c.total.persons_pct("health_insurance_card").expect("a share");
        assert!((insured - 600.0 / persons as f64).abs() < 1e-9, "{engine}: {insured}");
        // The rows add up to the total.
        let mut sum = vuonlen_core::support::SupportCoverage::default();
        c.rows.iter().for_each(|r| sum.merge(&r.coverage));
        assert_eq!(sum, c.total, "{engine}");
        // By the end of June: the August card is not counted yet.
        let sel = Selection::parse("VN").expect("unit");
        let june = coverage_total(&all, 2025, NaiveDate::from_ymd_opt(2025, 6, 30), &sel).await.expect("june");
        assert_eq!(june.reach_of(card).records, 6, "{engine}");
        // 2026 has no review: its list is 2025's, and a card of January 2026 counts there only.
        assert_eq!(list_in_force(&all, 2026).await.expect("list").map(|p| p.year), Some(2025), "{engine}");
        let mut later = entry("health_insurance_card", Some(1), "2026-01-15", None);
        later.project_code = Some("HP2".into());
        put(ids[11], later).await;
        let next = coverage(&all, 2026, "VN").await.expect("2026");
        assert_eq!((next.list_period, next.total.reach_of(card).persons), (Some(2025), 1), "{engine}");
        assert_eq!(coverage(&all, 2025, "VN").await.expect("again").total.reach_of(card).records, 7, "{engine}");
        // The monitoring report's computed indicator is the same share.
        let vn = vuonlen_store::targets::TargetUnit::parse("VN").expect("VN");
        vuonlen_app::monitoring::draft_report(&all, &standards, "annual", 2025, &vn, "t")
            .await
            .expect("draft")
            .expect("drafted");
        let report = all.monitoring_report("annual", 2025, &vn).await.expect("read").expect("report");
        let figure = report.figures.get("insured_persons").copied().flatten().expect("computed");
        assert!((figure - insured).abs() < 1e-9, "{engine}: {figure} against {insured}");
        // A reader of another province reads no list and no support.
        let far = db.scoped(vuonlen_store::Scope::units(["14"]).expect("scope"));
        let theirs = coverage(&far, 2025, "VN").await.expect("coverage");
        assert_eq!((theirs.total.list_households(), theirs.total.reach_of(card).records), (0, 0), "{engine}");
    }
}

/// Households `H00000…` of commune 00004 (urban, one member, nothing deprived) with the given
/// incomes per person: 1,000,000 is near-poor, 3,000,000 middle-living under 2022–2025.
fn income_files(dir: &Path, name: &str, incomes: &[u64]) -> Source {
    let h = dir.join(format!("{name}-h.csv"));
    let m = dir.join(format!("{name}-m.csv"));
    let mut hh = vec![HH_HEAD.to_string()];
    let mut mm = vec![MEM_HEAD.to_string()];
    for (i, income) in incomes.iter().enumerate() {
        hh.push(format!("H{i:05},00004,Tổ 1,urban,Chủ hộ {i},,{income},,3,40,piped,septic,1,1,,,0"));
        mm.push(format!("H{i:05},1,Chủ hộ {i},head,M,1970-01-01,Kinh,,1,self_employed,1,upper_secondary,0,,,none,0,0"));
    }
    std::fs::write(&h, hh.join("\n") + "\n").expect("write");
    std::fs::write(&m, mm.join("\n") + "\n").expect("write");
    Source::Csv { households: h, members: m }
}

/// Issue 14: cadres assigned to poor and near-poor households, their visits, the households'
/// registrations and commitments, and the progress per helper and per agency — households
/// helped, visits, registered, committed, and those registered that left poverty by the year's
/// review against the one before; every invalid entry refused with all its reasons; another
/// area reads and writes nothing.
#[tokio::test]
async fn helpers_progress_counts_the_registered_households_that_left_poverty_in_the_review() {
    use vuonlen_app::helpers::{HelpEntry, helper_progress, progress_table, record_help};
    let dir = tempfile::tempdir().expect("tmp");
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    for (engine, db) in engines(dir.path()).await {
        let all = db.unscoped();
        // The 2024 review: six near-poor households.
        let spec2024 = ImportSpec {
            period: 2024,
            reference_date: NaiveDate::from_ymd_opt(2024, 12, 31).expect("date"),
            ..spec(vuonlen_store::Scope::unscoped_all())
        };
        let src = income_files(dir.path(), "y2024", &[1_000_000; 6]);
        let opts2024 = ReadOptions { keep_personal: true, ..ReadOptions::new(spec2024.reference_date) };
        assert!(
            import_period(&all, src, opts2024, spec2024, Finish::Commit, |_| {}).await.expect("import").committed()
        );
        let id = |code: &str| {
            let all = all.clone();
            let code = code.to_string();
            async move { all.household_id_of("00004", &code).await.expect("read").expect("household") }
        };
        let h: Vec<i64> = {
            let mut v = Vec::new();
            for i in 0..6 {
                v.push(id(&format!("H{i:05}")).await);
            }
            v
        };
        let record = |hh: i64, e: HelpEntry| {
            let all = all.clone();
            async move { record_help(&all, hh, &e, "can-bo", "test").await.expect("write") }
        };
        let assign = |name: &str, agency: &str, from: &str| HelpEntry::Assign {
            cadre_name: name.into(),
            cadre_position: Some("Phó Chủ tịch".into()),
            agency: agency.into(),
            starts_on: day(from),
            ends_on: None,
        };
        let visit = |on: &str, note: &str| HelpEntry::Visit { visited_on: day(on), note: note.into(), needs: None };
        // Cadre An of the Farmers' Union helps H0–H2, cadre Bình of the Youth Union H3–H4.
        for &hh in &h[0..3] {
            assert_eq!(record(hh, assign("Nguyễn Văn An", "Hội Nông dân xã", "2025-01-15")).await, Ok(()), "{engine}");
        }
        for &hh in &h[3..5] {
            assert_eq!(record(hh, assign("Lò Thị Bình", "Đoàn Thanh niên", "2025-02-01")).await, Ok(()), "{engine}");
        }
        // Every reason at once: no cadre, no agency, an end before the start, a start not after
        // the current assignment's.
        let bad = HelpEntry::Assign {
            cadre_name: " ".into(),
            cadre_position: None,
            agency: String::new(),
            starts_on: day("2025-01-10"),
            ends_on: day("2025-01-01"),
        };
        let why = record(h[0], bad).await.expect_err("refused");
        assert_eq!(why.len(), 4, "{engine}: {why:?}");
        assert!(why.iter().any(|w| w.1.contains("a new assignment must start after")), "{engine}: {why:?}");
        // Visits: before the assignment, in the future with no note — refused with every reason.
        let early = record(h[0], visit("2025-01-10", "Hỏi thăm")).await.expect_err("before the start");
        assert!(early[0].1.contains("before the helper's assignment starts (2025-01-15)"), "{engine}: {early:?}");
        let future = record(h[0], visit("2099-01-01", "")).await.expect_err("future");
        assert_eq!(future.len(), 2, "{engine}: {future:?}");
        assert!(future.iter().any(|w| w.1.contains("in the future")), "{engine}");
        assert!(record(h[5], visit("2025-03-01", "Hỏi thăm")).await.is_err(), "{engine}: H5 has no helper");
        for (hh, on) in [(h[0], "2025-03-01"), (h[0], "2025-06-01"), (h[1], "2025-04-01")] {
            assert_eq!(record(hh, visit(on, "Trao đổi về chăn nuôi bò")).await, Ok(()), "{engine}");
        }
        // H2 gets cadre Cường of the same union from July: An's assignment ends on 30 June.
        assert_eq!(record(h[2], assign("Trần Văn Cường", "Hội Nông dân xã", "2025-07-01")).await, Ok(()));
        let help = all.help_of(h[2]).await.expect("read");
        assert_eq!(help.assignments.len(), 2, "{engine}");
        assert!(help.assignments[0].active && help.assignments[0].cadre_name == "Trần Văn Cường", "{engine}");
        assert_eq!(help.assignments[1].ends_on.as_deref(), Some("2025-06-30"), "{engine}");
        // Registrations for 2025 (H0, H1, H3), commitments (H0, H3, and H5 without registering).
        let register = |year: i64| HelpEntry::Register { year, planned_measures: "Vay vốn nuôi bò".into() };
        for &hh in &[h[0], h[1], h[3]] {
            assert_eq!(record(hh, register(2025)).await, Ok(()), "{engine}");
        }
        let again = record(h[0], register(2025)).await.expect_err("twice");
        assert!(again[0].1.contains("already registered to escape poverty in 2025"), "{engine}: {again:?}");
        let late = record(h[0], HelpEntry::Register { year: 2040, planned_measures: String::new() }).await;
        assert_eq!(late.expect_err("2040").len(), 2, "{engine}: outside 2021–2035 and no measures");
        let commit =
            |on: &str| HelpEntry::Commit { year: 2025, signed_on: day(on), content: "Cam kết thoát nghèo".into() };
        for &hh in &[h[0], h[3], h[5]] {
            assert_eq!(record(hh, commit("2025-02-20")).await, Ok(()), "{engine}");
        }
        assert!(record(h[1], commit("2099-02-20")).await.is_err(), "{engine}: signed in the future");
        // The 2025 review: H0, H3 and H4 (not registered) are middle-living now; H1 still near-poor.
        let mut incomes = [1_000_000; 6];
        for i in [0, 3, 4] {
            incomes[i] = 3_000_000;
        }
        let src = income_files(dir.path(), "y2025", &incomes);
        assert!(
            import_period(&all, src, opts(), spec(vuonlen_store::Scope::unscoped_all()), Finish::Commit, |_| {})
                .await
                .expect("import")
                .committed()
        );
        let class = |hh: i64, year: i64| {
            let all = all.clone();
            async move {
                let v = all.household_by_id(hh).await.expect("read");
                v.periods.iter().find(|p| p.year == year).and_then(|p| p.class).map(|c| c.key())
            }
        };
        assert_eq!((class(h[0], 2024).await, class(h[0], 2025).await), (Some("near_poor"), Some("middle")));
        assert_eq!(class(h[1], 2025).await, Some("near_poor"), "{engine}");
        // Now middle-living: no helper for H0 any more.
        let refused = record(h[0], assign("Nguyễn Văn An", "Hội Nông dân xã", "2026-01-05")).await.expect_err("middle");
        assert!(
            refused[0].1.contains("poor and near-poor households only: in the 2025 review"),
            "{engine}: {refused:?}"
        );
        let p = helper_progress(&all, "00004", 2025).await.expect("progress").expect("readable");
        let row =
            |x: &vuonlen_app::helpers::Progress| (x.households, x.visits, x.registered, x.committed, x.left_poverty);
        let helper = |name: &str| p.helpers.iter().find(|x| x.cadre_name.as_deref() == Some(name)).map(row);
        assert_eq!(helper("Nguyễn Văn An"), Some((3, 3, 2, 1, 1)), "{engine}: {:?}", p.helpers);
        assert_eq!(helper("Trần Văn Cường"), Some((1, 0, 0, 0, 0)), "{engine}");
        assert_eq!(helper("Lò Thị Bình"), Some((2, 0, 1, 1, 1)), "{engine}");
        let agencies: Vec<(String, _)> = p.agencies.iter().map(|a| (a.agency.clone(), row(a))).collect();
        assert_eq!(
            agencies,
            [("Đoàn Thanh niên".to_string(), (2, 0, 1, 1, 1)), ("Hội Nông dân xã".to_string(), (3, 3, 2, 1, 1))],
            "{engine}: Vietnamese order, H2 once for its union"
        );
        assert_eq!(row(&p.total), (5, 3, 3, 2, 2), "{engine}");
        // The table: each agency's helpers then its total, the unit's total last; a helper with
        // no visit highlighted.
        let (header, rows) = progress_table(&p);
        assert_eq!(header.len(), rows[0].cells.len());
        assert_eq!(rows.len(), 3 + 2 + 1, "{engine}");
        assert!(rows[0].highlight && !rows[2].highlight, "{engine}: Bình made no visit, An did");
        // The year before: nothing was in force.
        let before = helper_progress(&all, "00004", 2024).await.expect("progress").expect("readable");
        assert_eq!(row(&before.total), (0, 0, 0, 0, 0), "{engine}");
        // Another province's officer: reads nothing, writes nothing; a reader who may not write
        // is refused with its reason.
        let far = db.scoped(vuonlen_store::Scope::units(["14"]).expect("scope"));
        assert_eq!(all.help_of(h[0]).await.expect("read").visits.len(), 2, "{engine}");
        assert_eq!(far.help_of(h[0]).await.expect("read"), Default::default(), "{engine}");
        assert!(helper_progress(&far, "00004", 2025).await.expect("progress").is_none(), "{engine}");
        let refused = record_help(&far, h[1], &visit("2025-05-01", "x"), "x", "t").await.expect("write");
        assert!(refused.expect_err("outside")[0].1.contains("not in the registry"), "{engine}");
        let viewer = db.with_access(vuonlen_store::Scope::unscoped_all(), vuonlen_store::Scope::none());
        let refused = record_help(&viewer, h[1], &visit("2025-05-01", "x"), "x", "t").await.expect("write");
        assert!(refused.expect_err("read only")[0].1.contains("outside your area"), "{engine}");
        assert_eq!(all.help_of(h[1]).await.expect("read").visits.len(), 1, "{engine}: nothing written");
    }
}

/// Issue 14: a poverty-reduction model takes only households of its commune, refuses every bad
/// field at once (an unknown project, a negative or absurd budget, an unknown source, an end
/// before its start, a replication to an unknown commune), and is read and written within the
/// user's area only.
#[tokio::test]
async fn a_poverty_reduction_model_takes_only_its_communes_households_and_refuses_every_bad_field() {
    use vuonlen_app::models::{
        CaseRequest, ModelRequest, ReplicationRequest, add_case, add_model, join_households, model_view, replicate,
    };
    use vuonlen_store::targets::TargetUnit;
    let dir = tempfile::tempdir().expect("tmp");
    let standards = Standards::embedded().expect("standards");
    for (engine, db) in engines(dir.path()).await {
        let all = db.unscoped();
        // Six households of 00004, one of them (H00005) moved to 00097.
        import_edited(&all, files(dir.path(), "mh", 6, None, false), "H00005,00004", "H00005,00097").await;
        let id_of = |commune: &'static str, code: &'static str| {
            let all = all.clone();
            async move { all.commune_household(commune, code).await.expect("read").expect("household") }
        };
        let (h0, h1, other) =
            (id_of("00004", "H00000").await, id_of("00004", "H00001").await, id_of("00097", "H00005").await);
        let officer = db.scoped(vuonlen_store::Scope::units(["00004"]).expect("scope"));
        let good = || ModelRequest {
            commune: "00004".into(),
            name: "Nuôi gà thả vườn".into(),
            host: "Tổ hợp tác chăn nuôi".into(),
            host_kind: "cooperative_group".into(),
            place: Some("Tổ 1".into()),
            project_code: "DA2".into(),
            start_year: 2024,
            end_year: Some(2025),
            budget: vec![("central".into(), "300.000.000".into()), ("Vốn đối ứng".into(), "20000000".into())],
            result: Some("20 hộ tăng thu nhập".into()),
            status: "under_way".into(),
            household_codes: vec!["H00000".into(), "H00001".into()],
            household_ids: vec![],
        };
        // Everything wrong at once.
        let bad = ModelRequest {
            name: " ".into(),
            host_kind: "hội".into(),
            project_code: "DA9".into(),
            end_year: Some(2023),
            status: "maybe".into(),
            budget: vec![
                ("central".into(), "-1".into()),
                ("ngân hàng".into(), "5".into()),
                ("local".into(), "abc".into()),
            ],
            household_codes: vec!["H00005".into()],
            ..good()
        };
        let why = add_model(&officer, &standards, &bad, "t", "t").await.expect("add").expect_err("refused");
        let en: Vec<&str> = why.iter().map(|w| w.1.as_str()).collect();
        for said in [
            "name is missing",
            "'hội' is not a kind of host",
            "'DA9' is not a project",
            "before the first year",
            "'maybe' is not a status",
            "'-1' is negative",
            "'ngân hàng' is not a source",
            "'abc' is not an amount",
            "There is no household 'H00005' of commune 00004",
        ] {
            assert!(en.iter().any(|e| e.contains(said)), "{engine}: {said} not in {en:?}");
        }
        assert_eq!(why.len(), 9, "{engine}: {en:?}");
        let absurd = ModelRequest { budget: vec![("central".into(), "100.000.000.001".into())], ..good() };
        let why = add_model(&officer, &standards, &absurd, "t", "t").await.expect("add").expect_err("refused");
        assert!(why[0].1.contains("more than a model can have"), "{engine}: {why:?}");
        // A household of another commune given by id (the API's way): refused by the registry.
        let by_id = ModelRequest { household_codes: vec![], household_ids: vec![h0, other], ..good() };
        let why = add_model(&officer, &standards, &by_id, "t", "t").await.expect("add").expect_err("refused");
        assert_eq!(why.len(), 1, "{engine}: {why:?}");
        assert!(why[0].1.contains(&format!("Household {other} is not a household of commune 00004")), "{engine}");
        let commune = TargetUnit::parse("00004").expect("unit");
        assert!(all.models_of(&commune, None).await.expect("read").is_empty(), "{engine}: nothing recorded");
        let id = add_model(&officer, &standards, &good(), "t", "t").await.expect("add").expect("recorded");
        let view = model_view(&officer, id).await.expect("view").expect("found");
        assert_eq!(view.model.budget_total(), 320_000_000, "{engine}");
        assert_eq!(view.households.iter().map(|p| p.household_id).collect::<Vec<_>>(), [h0, h1], "{engine}");
        assert!(view.households.iter().all(|p| p.class.is_some() && p.period == Some(2025)), "{engine}");
        // Joining again adds nothing; a household of another commune is refused.
        let m = view.model.clone();
        assert_eq!(join_households(&officer, &m, &["H00000".into()], &[], "t", "t").await.expect("join"), Ok(0));
        let why = join_households(&officer, &m, &[], &[other], "t", "t").await.expect("join").expect_err("refused");
        assert!(why[0].1.contains("is not a household of commune 00004"), "{engine}: {why:?}");
        // Replications: an unknown commune, the model's own, negative households, before its start.
        let rep = |commune: &str, year: i64, households: i64| ReplicationRequest {
            commune: commune.into(),
            year,
            households,
            note: None,
        };
        let why = replicate(&officer, &m, &rep("99999", 2023, -1), "t", "t").await.expect("rep").expect_err("refused");
        assert_eq!(why.len(), 3, "{engine}: {why:?}");
        assert!(why[0].1.contains("'99999' is not a commune code"), "{engine}: {why:?}");
        let why = replicate(&officer, &m, &rep("00004", 2025, 5), "t", "t").await.expect("rep").expect_err("refused");
        assert!(why[0].1.contains("another commune"), "{engine}: {why:?}");
        replicate(&officer, &m, &rep("00097", 2025, 15), "t", "t").await.expect("rep").expect("recorded");
        let case = CaseRequest {
            household_code: Some("H00001".into()),
            title: "Chị B thoát nghèo".into(),
            story: Some("Nhờ nuôi gà".into()),
            year: 2025,
            escaped: true,
        };
        add_case(&officer, &m, &case, "t", "t").await.expect("case").expect("recorded");
        let view = model_view(&all, id).await.expect("view").expect("found");
        assert_eq!((view.replications.len(), view.cases.len()), (1, 1), "{engine}");
        assert_eq!(view.cases[0].household_id, Some(h1), "{engine}");
        assert!(view.cases[0].escaped, "{engine}");
        // The joins are in each household's audit log.
        let log = all.household_audit(h0).await.expect("audit");
        assert!(log.iter().any(|e| e.entity == "poverty_model_household"), "{engine}");
        // A model of 00097: the officer of 00004 neither sees it nor adds to it.
        let there = ModelRequest { commune: "00097".into(), household_codes: vec!["H00005".into()], ..good() };
        let refused = add_model(&officer, &standards, &there, "t", "t").await.expect("add").expect_err("outside");
        assert_eq!(refused.len(), 1, "{engine}: {refused:?}");
        assert!(refused[0].1.contains("outside your area"), "{engine}: {refused:?}");
        let far = add_model(&all, &standards, &there, "t", "t").await.expect("add").expect("recorded");
        assert!(officer.model(far).await.expect("read").is_none(), "{engine}");
        assert!(officer.model_households(far).await.expect("read").is_empty(), "{engine}");
        let outside = officer.record_replication(far, "00004", 2025, 1, None, "t", "t").await;
        assert!(matches!(outside, Err(vuonlen_store::StoreError::NotFound(_))), "{engine}: {outside:?}");
        // The province's count in a year: both models in 2025, none in 2026 (both end in 2025).
        let province = TargetUnit::parse("01").expect("unit");
        assert_eq!(all.models_of(&province, Some(2025)).await.expect("read").len(), 2, "{engine}");
        assert_eq!(all.models_of(&province, Some(2026)).await.expect("read").len(), 0, "{engine}");
        assert_eq!(officer.models_of(&province, Some(2025)).await.expect("read").len(), 0, "{engine}: not its unit");
        assert_eq!(officer.models_of(&commune, Some(2025)).await.expect("read").len(), 1, "{engine}");
    }
}

/// Issue 14: support names the plan activity that delivered it — of the year delivered, by a
/// unit the household is in, under the record's project or its parent; anything else refused
/// with its reason, and nothing written.
#[tokio::test]
async fn support_names_the_plan_activity_that_delivered_it() {
    use vuonlen_app::activities::add_activity;
    use vuonlen_app::support::{SupportEntry, record_support_entry};
    use vuonlen_store::activities::NewActivity;
    let dir = tempfile::tempdir().expect("tmp");
    let standards = Standards::embedded().expect("standards");
    for (engine, db) in engines(dir.path()).await {
        let all = db.unscoped();
        import_edited(&all, files(dir.path(), "act", 4, None, false), ",3000000,,", ",1000000,,").await;
        let f = vuonlen_store::browse::HouseholdFilter::default();
        let id = all.households(2025, "2022-2025", &f, 0, 1).await.expect("list").items[0].household_id;
        let commune = all.household_by_id(id).await.expect("household").commune_code;
        let activity = |year: i64, project: &str| NewActivity {
            year,
            project_code: project.into(),
            title: "Sửa chữa nhà ở cho hộ nghèo".into(),
            lead_agency: "UBND xã".into(),
            status: "under_way".into(),
            ..Default::default()
        };
        let add = |a: NewActivity| {
            let (all, standards, commune) = (&all, &standards, commune.clone());
            async move { add_activity(all, standards, &commune, a, "t", "t").await.expect("write").expect("added") }
        };
        let houses = add(activity(2025, "DA5")).await;
        let next_year = add(activity(2026, "HP2")).await;
        let repaired = |activity_id: i64, project: &str| SupportEntry {
            kind: "house_repaired".into(),
            delivered_on: chrono::NaiveDate::from_ymd_opt(2025, 8, 1),
            amount: Some(20_000_000),
            project_code: Some(project.into()),
            activity_id: Some(activity_id),
            ..Default::default()
        };
        let refused = |e: SupportEntry| {
            let (all, standards) = (&all, &standards);
            async move {
                record_support_entry(all, standards, id, &e, "t", "t").await.expect("write").expect_err("refused").0[0]
                    .1
                    .clone()
            }
        };
        assert!(refused(repaired(next_year, "DA5")).await.contains("is of the 2026 plan"), "{engine}");
        assert!(refused(repaired(houses, "DA3.TDA2")).await.contains("is under DA5, not DA3.TDA2"), "{engine}");
        assert!(refused(repaired(houses + next_year + 100, "DA5")).await.starts_with("No activity"), "{engine}");
        assert!(all.support_of(id).await.expect("read").is_empty(), "{engine}: nothing written");
        let ok = record_support_entry(&all, &standards, id, &repaired(houses, "DA5"), "t", "t").await.expect("write");
        assert_eq!(ok, Ok(1), "{engine}");
        assert_eq!(all.support_of(id).await.expect("read")[0].activity_id, Some(houses), "{engine}");
    }
}

/// Issue 14: a budget line shows the support recorded under it — records of its unit's
/// households in its year, under its project or a sub-project of it, from its source; not
/// another source's, nor a record naming no project.
#[tokio::test]
async fn a_budget_line_shows_the_support_recorded_under_it() {
    use vuonlen_app::budgets::{YearAmounts, budget_overview, set_budget};
    use vuonlen_app::support::{SupportEntry, record_support_entry};
    use vuonlen_core::budget::{Amounts, FundSource};
    let dir = tempfile::tempdir().expect("tmp");
    let standards = Standards::embedded().expect("standards");
    for (engine, db) in engines(dir.path()).await {
        let all = db.unscoped();
        import_edited(&all, files(dir.path(), "paid", 4, None, false), ",3000000,,", ",1000000,,").await;
        let f = vuonlen_store::browse::HouseholdFilter::default();
        let ids: Vec<i64> = all
            .households(2025, "2022-2025", &f, 0, 10)
            .await
            .expect("list")
            .items
            .iter()
            .map(|h| h.household_id)
            .collect();
        assert!(ids.len() >= 3, "{engine}");
        let commune = all.household_by_id(ids[0]).await.expect("household").commune_code;
        let year =
            YearAmounts { year: 2025, amounts: Amounts { allocated: 100_000_000, committed: None, disbursed: None } };
        for project in ["DA5", "DA3"] {
            let years = [year];
            let set = set_budget(&all, &standards, &commune, project, FundSource::Central, &years, None, "t", "t");
            assert_eq!(set.await.expect("write").map_err(|e| e.0), Ok(1), "{engine}: {project}");
        }
        let give = |id: i64, kind: &str, member: Option<i64>, project: Option<&str>, source: &str, amount: u64| {
            let e = SupportEntry {
                kind: kind.into(),
                member_no: member,
                delivered_on: chrono::NaiveDate::from_ymd_opt(2025, 8, 1),
                amount: Some(amount),
                project_code: project.map(str::to_string),
                source: Some(source.into()),
                ..Default::default()
            };
            let (all, standards) = (&all, &standards);
            async move { record_support_entry(all, standards, id, &e, "t", "t").await.expect("w").expect("recorded") }
        };
        give(ids[0], "house_repaired", None, Some("DA5"), "central", 20_000_000).await;
        give(ids[1], "house_repaired", None, Some("DA5"), "central", 30_000_000).await;
        give(ids[1], "house_repaired", None, Some("DA5"), "local", 5_000_000).await;
        give(ids[2], "house_repaired", None, None, "central", 7_000_000).await;
        give(ids[2], "health_insurance_card", Some(1), Some("DA3.TDA2"), "central", 1_000_000).await;
        let unit = vuonlen_store::targets::TargetUnit::parse(&commune).expect("unit");
        let o = budget_overview(&all, &unit, Some(2025)).await.expect("overview");
        let paid: Vec<(String, (u64, u64))> =
            o.own.iter().map(|l| l.project_code.clone()).zip(o.own_paid.iter().copied()).collect();
        assert_eq!(
            paid,
            vec![("DA3".to_string(), (1, 1_000_000)), ("DA5".to_string(), (2, 50_000_000))],
            "{engine}: the DA3 line counts its sub-project's card; DA5 neither the local nor the unnamed record"
        );
        let other_year = budget_overview(&all, &unit, Some(2024)).await.expect("overview");
        assert!(other_year.own_paid.is_empty(), "{engine}");
    }
}
