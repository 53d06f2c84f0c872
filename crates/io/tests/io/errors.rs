//! The error file: errors then warnings with a severity column; CSV with a BOM, or XLSX.

use crate::common::*;
use calamine::{Data, Reader, Xlsx, open_workbook};
use vuonlen_io::{ERROR_FILE_COLUMNS, OutputFormat, write_problems};

#[test]
fn csv_error_file_lists_every_problem_after_a_bom() {
    let (_, report) = read_all(&csv("malformed"), &opts(false, true));
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("errors.csv");
    write_problems(&report, &path, OutputFormat::Csv).expect("write");
    let bytes = std::fs::read(&path).expect("read");
    assert!(bytes.starts_with(b"\xEF\xBB\xBFseverity,file,sheet,row,column,value,household_id,message_vi,message_en"));
    let mut rdr = csv::Reader::from_reader(&bytes[3..]);
    assert_eq!(rdr.headers().expect("header").iter().collect::<Vec<_>>(), ERROR_FILE_COLUMNS);
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), report.errors.len() + report.warnings.len());
    let severities: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    let n = report.errors.len();
    assert!(severities[..n].iter().all(|s| *s == "error") && severities[n..].iter().all(|s| *s == "warning"));
    let first = &rows[0];
    assert_eq!(&first[1], "households.csv");
    assert_eq!(&first[3], "3");
    assert_eq!(&first[4], "water_source");
    assert_eq!(&first[5], "giếng cổ");
    assert_eq!(&first[6], "H2");
    assert!(first[7].contains("Nguồn nước sinh hoạt"));
    assert!(first[8].contains("Expected one of"));
}

#[test]
fn xlsx_error_file_has_the_same_rows() {
    let (_, report) = read_all(&csv("malformed"), &opts(false, true));
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("errors.xlsx");
    write_problems(&report, &path, OutputFormat::Xlsx).expect("write");
    let mut wb: Xlsx<_> = open_workbook(&path).expect("open");
    let range = wb.worksheet_range("errors").expect("sheet");
    assert_eq!(range.rows().count(), 1 + report.errors.len() + report.warnings.len());
    let second = range.rows().nth(1).expect("first problem");
    assert_eq!(second[0], Data::String("error".into()));
    assert_eq!(second[3], Data::Float(3.0));
    let last = range.rows().next_back().expect("last problem");
    assert_eq!(last[0], Data::String("warning".into()));
    assert_eq!(last[5], Data::String("Klingon".into()));
}
