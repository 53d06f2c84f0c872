//! Malformed files yield every problem, located by file, row, column and value.

use crate::common::*;
use vuonlen_io::ProblemKind::*;
use vuonlen_io::{Problem, ReadOptions, Source};

fn s(x: &str) -> String {
    x.to_string()
}

#[test]
fn every_problem_is_reported_with_its_location() {
    let (recs, report) = read_all(&csv("malformed"), &opts(false, false));
    let hh: Vec<&Problem> = report.errors.iter().filter(|p| p.file == "households.csv").collect();
    let mem: Vec<&Problem> = report.errors.iter().filter(|p| p.file == "members.csv").collect();
    assert_eq!(hh.len() + mem.len(), report.errors.len());

    // Row numbers are spreadsheet rows: H1's address spans two lines but is one row.
    assert_eq!(
        located(&hh.into_iter().cloned().collect::<Vec<_>>()),
        vec![
            (InvalidCode, 3, s("water_source"), s("giếng cổ")),
            (UnknownCommune, 4, s("commune_code"), s("99999")),
            (MissingValue, 4, s("head_name"), s("")),
            (OutOfRange, 4, s("durable_structures"), s("4")),
            (InvalidBool, 4, s("info_devices"), s("maybe")),
            (DuplicateHousehold, 5, s("household_id"), s("H1")),
            (InvalidCommuneCode, 6, s("commune_code"), s("0004")),
            (NoIncomeTest, 6, s("income_per_capita"), s("")),
            (RaggedRow, 7, s(""), s("")),
            (NoMembers, 10, s("household_id"), s("H8")),
            (InvalidUtf8, 13, s("village"), s("")),
        ]
    );
    assert_eq!(
        located(&mem.into_iter().cloned().collect::<Vec<_>>()),
        vec![
            (SeveralHeads, 8, s("relation"), s("head")),
            (HouseholdNotFound, 9, s("household_id"), s("H99")),
            (NoHead, 10, s("relation"), s("")),
            (InvalidDate, 11, s("birth_date"), s("31/02/1980")),
            (InvalidIdNumber, 11, s("id_number"), s("12345")),
            (MissingValue, 11, s("employment"), s("")),
            (BirthAfterReference, 12, s("birth_date"), s("2030-01-01")),
            (DuplicateMemberNo, 12, s("member_no"), s("1")),
            (MissingValue, 16, s("malnourished"), s("")),
        ]
    );
    assert_eq!(
        located(&report.warnings),
        vec![(UnknownColumn, 1, s("notes"), s("")), (UnknownEthnicity, 12, s("ethnicity"), s("Klingon"))]
    );

    // Households of the rows, and bilingual messages that name the value and what is expected.
    let water = &report.errors[0];
    assert_eq!(water.household_code.as_deref(), Some("H2"));
    assert_eq!(water.sheet, None);
    assert!(water.message_vi.starts_with(
        "Giá trị không hợp lệ cho Nguồn nước sinh hoạt: 'giếng cổ'. Giá trị hợp lệ: piped, drilled_well,"
    ));
    assert!(
        water
            .message_en
            .starts_with("Invalid value for water_source: 'giếng cổ'. Expected one of: piped, drilled_well,")
    );
    let dup = report.errors.iter().find(|p| p.kind == DuplicateHousehold).expect("duplicate reported");
    assert!(dup.message_en.contains("first at row 2"), "{}", dup.message_en);
    let ghost = report.errors.iter().find(|p| p.kind == HouseholdNotFound).expect("unknown household reported");
    assert_eq!(ghost.household_code.as_deref(), Some("H99"));

    // Counts: 12 household rows, only H1 and H10 are valid. Without skipping, the sink gets no
    // batch once an invalid household is met (here: before the first batch was full).
    assert_eq!((report.households, report.members), (12, 15));
    assert_eq!((report.valid_households, report.skipped_households), (2, 10));
    assert!(recs.is_empty());
    assert!(!report.is_clean());
}

#[test]
fn skip_invalid_sends_only_the_valid_households() {
    let (recs, report) = read_all(&csv("malformed"), &opts(true, true));
    assert_eq!(recs.iter().map(|r| r.household_code.as_str()).collect::<Vec<_>>(), ["H1", "H10"]);
    assert_eq!(report.skipped_households, 10);
    assert_eq!(report.valid_households, 2);
    // The problems are the same as without skipping.
    let (_, strict) = read_all(&csv("malformed"), &opts(true, false));
    assert_eq!(report.errors, strict.errors);
    assert_eq!(report.warnings, strict.warnings);
    // Records carry their members.
    assert_eq!(recs[1].household.members.len(), 2);
    assert_eq!(recs[0].address, "12 Phố\nHàng Bạc");
}

#[test]
fn a_missing_column_is_one_error_not_one_per_row() {
    let (recs, report) = read_all(&csv("missing_column"), &opts(false, true));
    assert_eq!(
        located(&report.errors),
        vec![
            (MissingColumn, 1, s("latrine"), s("")),
            (MissingColumn, 1, s("sex"), s("")),
            (MissingColumn, 1, s("malnourished"), s("")),
        ]
    );
    assert!(report.errors[0].message_vi.contains("Loại nhà tiêu"), "{}", report.errors[0].message_vi);
    assert!(recs.is_empty());
    assert_eq!((report.households, report.members, report.skipped_households), (2, 4, 2));
}

#[test]
fn waste_treatment_is_required_only_when_the_standard_reads_it() {
    let o = ReadOptions { require_waste_treatment: true, ..opts(false, true) };
    let (recs, report) = read_all(&csv("valid"), &o);
    // H001 has an empty waste_treatment; H002 and H003 give it.
    assert_eq!(located(&report.errors), vec![(MissingValue, 2, s("Xử lý rác thải hợp vệ sinh"), s(""))]);
    assert_eq!(recs.iter().map(|r| r.household_code.as_str()).collect::<Vec<_>>(), ["H002", "H003"]);

    let (_, report) = read_all(&csv("missing_column"), &o);
    assert!(report.errors.iter().any(|p| p.kind == MissingColumn && p.column == "waste_treatment"));
}

#[test]
fn a_file_that_cannot_be_opened_is_an_error_not_a_report() {
    let src = Source::Csv { households: fixture("nope/households.csv"), members: fixture("valid/members.csv") };
    let mut out: Vec<vuonlen_io::HouseholdRecord> = Vec::new();
    let err = vuonlen_io::read(&src, &opts(false, false), &mut out).expect_err("missing file");
    assert!(matches!(err, vuonlen_io::ReadError::Open { .. }), "{err}");
    assert!(err.to_string().contains("Cannot open file"), "{err}");
}

#[test]
fn an_empty_file_is_reported() {
    let dir = tempfile::tempdir().expect("temp dir");
    let h = dir.path().join("households.csv");
    std::fs::write(&h, "").expect("write");
    let src = Source::Csv { households: h, members: fixture("valid/members.csv") };
    let (recs, report) = read_all(&src, &opts(false, true));
    assert!(recs.is_empty());
    assert_eq!(located(&report.errors), vec![(EmptyFile, 0, s(""), s(""))]);
    assert_eq!(report.members, 7);
}

#[test]
fn ages_decide_what_is_required_and_what_is_plausible() {
    let dir = tempfile::tempdir().expect("temp dir");
    let members = std::fs::read_to_string(fixture("valid/members.csv")).expect("read");
    // H001's head born 1890 (135 at the reference date); H001's child (10) without school_on_track.
    let members = members.replacen("15/03/1970", "15/03/1890", 1).replacen("primary,1,1,0,,,", "primary,1,,0,,,", 1);
    let m = dir.path().join("members.csv");
    std::fs::write(&m, members).expect("write");
    let src = Source::Csv { households: fixture("valid/households.csv"), members: m };
    let (recs, report) = read_all(&src, &opts(false, true));
    assert_eq!(
        located(&report.errors),
        vec![
            (ImplausibleAge, 2, s("Ngay sinh"), s("15/03/1890")),
            (MissingValue, 4, s("Hoc dung cap/bac theo tuoi"), s("")),
        ]
    );
    assert!(report.errors[0].message_en.contains("age 135"), "{}", report.errors[0].message_en);
    assert_eq!(recs.iter().map(|r| r.household_code.as_str()).collect::<Vec<_>>(), ["H002", "H003"]);
}

/// The recorded fields (support received, NLNDN, local ethnic minority, moved in from) are
/// read under their Vietnamese headers, in any order and any subset, and a bad value is
/// located like any other.
#[test]
fn recorded_fields_are_read_by_their_kind_and_bad_values_located() {
    use vuonlen_core::schema::household_field;
    let dir = tempfile::tempdir().expect("temp dir");
    let valid = std::fs::read_to_string(fixture("valid/households.csv")).expect("read");
    let mut lines = valid.lines();
    let header = lines.next().expect("header");
    let mut text = format!("{header},Đã nhận hỗ trợ y tế,Chuyển đến từ xã,Hộ NLNDN\n");
    let extra = [",có,00004,1", ",2,9999,", ",x,,không"];
    let mut n = 0;
    for (line, e) in lines.zip(extra) {
        text.push_str(&format!("{line}{e}\n"));
        n += 1;
    }
    assert_eq!(n, 3);
    let households = dir.path().join("households.csv");
    std::fs::write(&households, text).expect("write");
    let source = Source::Csv { households, members: fixture("valid/members.csv") };
    let (recs, report) = read_all(&source, &opts(true, true));
    let mut errors = located(&report.errors);
    errors.sort_by(|a, b| (a.1, &a.2).cmp(&(b.1, &b.2)));
    assert_eq!(
        errors,
        vec![
            (InvalidCommuneCode, 3, s("Chuyển đến từ xã"), s("9999")),
            (InvalidBool, 3, s("Đã nhận hỗ trợ y tế"), s("2"))
        ]
    );
    assert_eq!(recs.len(), 2, "the row with bad values is left out");
    let at = |k: &str| household_field(k).and_then(|f| f.recorded_index()).expect("recorded");
    let first = &recs[0];
    assert_eq!(first.recorded.flag(at("support_health")), Some(true));
    assert_eq!(first.recorded.get(at("moved_in_from")), Some("00004"));
    assert_eq!(first.recorded.flag(at("nlndn")), Some(true));
    let third = recs.iter().find(|r| r.household_code == "H003").expect("H003 valid");
    assert_eq!(third.recorded.flag(at("support_health")), Some(true));
    assert_eq!(third.recorded.flag(at("nlndn")), Some(false));
    assert_eq!(third.recorded.get(at("moved_in_from")), None);
    assert!(third.recorded.get(at("support_credit")).is_none());
}
