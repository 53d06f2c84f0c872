//! Resident totals files: Vietnamese or English headers, CSV or XLSX, every problem located,
//! nothing returned when a row is wrong.

use vuonlen_io::{ProblemKind, read_resident_totals};

fn write(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

#[test]
fn vietnamese_headers_grouped_numbers_and_a_total_row_are_read() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = write(
        dir.path(),
        "dan-cu.csv",
        "Mã xã,Số hộ dân cư,Số nhân khẩu,Nguồn\n00004,\"12.345\",40000,Công an xã\n00008,100,350,\nTổng cộng,\"12.445\",40350,\n",
    );
    let t = read_resident_totals(&p).expect("read");
    assert!(t.report.is_clean(), "{:?}", t.report.errors);
    assert_eq!(t.rows.len(), 2);
    assert_eq!((t.rows[0].commune_code.as_str(), t.rows[0].households, t.rows[0].persons), ("00004", 12_345, 40_000));
    assert_eq!(t.rows[0].source.as_deref(), Some("Công an xã"));
    assert_eq!((t.rows[1].row, t.rows[1].source.as_deref()), (3, None));
}

#[test]
fn every_problem_is_located_and_no_row_is_kept() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = write(
        dir.path(),
        "totals.csv",
        "commune_code,households,persons\n\
         0004,10,30\n\
         99999,10,30\n\
         00004,10,30\n\
         00004,5,20\n\
         00008,50,40\n\
         00013,1.5,3\n\
         Tổng,90,150\n",
    );
    let t = read_resident_totals(&p).expect("read");
    assert!(t.rows.is_empty(), "a file with an error yields no totals");
    let got: Vec<(u64, &str, ProblemKind)> =
        t.report.errors.iter().map(|e| (e.row, e.column.as_str(), e.kind)).collect();
    assert_eq!(
        got,
        vec![
            (2, "commune_code", ProblemKind::InvalidCommuneCode),
            (3, "commune_code", ProblemKind::UnknownCommune),
            (5, "commune_code", ProblemKind::DuplicateHousehold),
            (6, "persons", ProblemKind::OutOfRange),
            (7, "households", ProblemKind::InvalidNumber),
            // The total row is checked against the rows that were read: 10 households, 30 persons.
            (8, "households", ProblemKind::OutOfRange),
            (8, "persons", ProblemKind::OutOfRange),
        ]
    );
    assert!(t.report.errors[2].message_en.contains("row 4"), "{}", t.report.errors[2].message_en);
    assert!(t.report.errors.iter().all(|e| e.file == "totals.csv" && !e.message_vi.is_empty()));
}

#[test]
fn a_missing_column_is_named() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = write(dir.path(), "t.csv", "Mã xã,Số hộ dân cư\n00004,10\n");
    let t = read_resident_totals(&p).expect("read");
    assert_eq!(t.report.errors.len(), 1);
    assert_eq!((t.report.errors[0].kind, t.report.errors[0].column.as_str()), (ProblemKind::MissingColumn, "persons"));
}

#[test]
fn a_workbook_with_number_cells_keeps_the_codes_leading_zeros() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("t.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_row(0, 0, ["Mã xã", "Số hộ dân cư", "Số nhân khẩu"]).expect("header");
    ws.write_row(1, 0, [4.0, 120.0, 400.0]).expect("row");
    wb.save(&p).expect("save");
    let t = read_resident_totals(&p).expect("read");
    assert!(t.report.is_clean(), "{:?}", t.report.errors);
    assert_eq!((t.rows[0].commune_code.as_str(), t.rows[0].households), ("00004", 120));
}
