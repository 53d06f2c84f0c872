//! The classification output: columns, values, and numbers as numbers in XLSX.

use crate::common::*;
use calamine::{Data, Reader, Xlsx, open_workbook};
use vuonlen_core::classify::{classify, deprived_codes, explain};
use vuonlen_core::{Classification, Standards};
use vuonlen_io::{CLASSIFICATION_COLUMNS, ClassificationWriter, HouseholdRecord, OutputFormat};

fn classified() -> (std::sync::Arc<vuonlen_core::Standard>, Vec<(HouseholdRecord, Classification)>) {
    let std = Standards::embedded().expect("standards").get("2022-2025").expect("2022-2025");
    let (mut recs, _) = read_all(&csv("valid"), &opts(false, false));
    recs.extend((0..40).map(sample));
    let out = recs
        .into_iter()
        .map(|r| {
            let c = classify(&std, &r.household, as_of()).expect("classifiable");
            (r, c)
        })
        .collect();
    (std, out)
}

#[test]
fn csv_output_has_the_spec_columns_and_values() {
    let (std, rows) = classified();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("out.csv");
    let mut w = ClassificationWriter::create(&path, OutputFormat::Csv, false).expect("create");
    for (r, c) in &rows {
        w.write_record(&std, r, c).expect("write");
    }
    assert_eq!(w.rows(), rows.len() as u64);
    w.finish().expect("finish");

    let mut rdr = csv::Reader::from_path(&path).expect("open");
    let header: Vec<String> = rdr.headers().expect("header").iter().map(str::to_string).collect();
    assert_eq!(
        header,
        [
            "household_id",
            "standard",
            "area",
            "income_test",
            "income_per_capita",
            "score_a",
            "deprivation_count",
            "score_b",
            "deprived",
            "class",
            "no_labour_capacity",
            "ethnic_minority",
            "merit",
            "explanation",
            "commune_code",
            "persons",
            "low_income",
            "children",
            "elderly",
            "disabled"
        ]
    );
    let got: Vec<csv::StringRecord> = rdr.records().map(|r| r.expect("row")).collect();
    assert_eq!(got.len(), rows.len());
    let mut some_deprived = false;
    for ((r, c), row) in rows.iter().zip(&got) {
        let b = |v: bool| if v { "1" } else { "0" };
        let expected = [
            r.household_code.clone(),
            "2022-2025".into(),
            c.area.key().into(),
            c.income_test.key().into(),
            r.household.income_per_capita.map(|v| v.to_string()).unwrap_or_default(),
            r.household.score_a.map(|v| v.to_string()).unwrap_or_default(),
            c.deprivation_count().to_string(),
            c.score_b.to_string(),
            deprived_codes(&std, c.deprived),
            c.class.key().into(),
            b(c.subgroups.no_labour_capacity).into(),
            b(c.subgroups.ethnic_minority).into(),
            b(c.subgroups.merit).into(),
            explain(&std, c),
            r.commune_code.clone(),
            c.persons.to_string(),
            b(c.low_income).into(),
            b(c.subgroups.children).into(),
            b(c.subgroups.elderly).into(),
            b(c.subgroups.disabled).into(),
        ];
        assert_eq!(row.iter().collect::<Vec<_>>(), expected.iter().map(String::as_str).collect::<Vec<_>>());
        some_deprived |= !c.deprived.is_empty();
    }
    assert!(some_deprived, "the sample exercises the deprived column");
    assert!(rows.iter().any(|(_, c)| c.class == vuonlen_core::Class::Poor));
}

#[test]
fn xlsx_output_has_vietnamese_headers_and_numbers_as_numbers() {
    let (std, rows) = classified();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("out.xlsx");
    let mut w = ClassificationWriter::create(&path, OutputFormat::from_path(&path), true).expect("create");
    for (r, c) in &rows {
        w.write_record(&std, r, c).expect("write");
    }
    w.finish().expect("finish");
    let mut wb: Xlsx<_> = open_workbook(&path).expect("open");
    let range = wb.worksheet_range("classification").expect("sheet");
    let header: Vec<String> = range.rows().next().expect("header").iter().map(|d| d.to_string()).collect();
    let vi: Vec<&str> = CLASSIFICATION_COLUMNS.iter().map(|(_, vi)| *vi).collect();
    assert_eq!(header, vi);
    assert_eq!(header[0], "Mã hộ");
    let first = range.rows().nth(1).expect("first row");
    assert_eq!(first[0], Data::String("H001".into()));
    assert_eq!(first[4], Data::Float(1_200_000.0), "income is a number");
    assert_eq!(first[5], Data::Empty, "no score A");
    assert!(matches!(first[6], Data::Float(_)), "deprivation_count is a number");
    assert_eq!(first[15], Data::Float(3.0), "persons");
    assert_eq!(range.rows().count(), rows.len() + 1);
}
