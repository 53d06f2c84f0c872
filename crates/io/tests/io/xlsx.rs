//! Workbooks as people make them in Excel: Vietnamese sheet names and headers, numbers, real
//! date cells, booleans, codes typed as numbers.

use crate::common::*;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};
use std::path::Path;
use vuonlen_core::BirthDate;
use vuonlen_core::codes::*;
use vuonlen_io::ProblemKind::*;
use vuonlen_io::Source;

fn texts(ws: &mut Worksheet, row: u32, cells: &[&str]) {
    for (c, v) in cells.iter().enumerate() {
        if !v.is_empty() {
            ws.write_string(row, c as u16, *v).expect("write");
        }
    }
}

fn workbook(path: &Path, water: &str) {
    let mut wb = Workbook::new();
    let hh = wb.add_worksheet();
    hh.set_name("Hộ").expect("name");
    texts(
        hh,
        0,
        &[
            "Mã hộ",
            "Mã xã",
            "Khu vực",
            "Họ tên chủ hộ",
            "Thu nhập bình quân đầu người/tháng",
            "Số kết cấu chính bền chắc",
            "Diện tích nhà ở (m2)",
            "Nguồn nước sinh hoạt",
            "Loại nhà tiêu",
            "Có thành viên sử dụng internet",
            "Có phương tiện tiếp cận thông tin",
        ],
    );
    hh.write_number(1, 0, 1001).expect("id as a number");
    hh.write_number(1, 1, 4).expect("commune code typed as a number");
    texts(hh, 1, &["", "", "Nông thôn", "Hà Văn Tú"]);
    hh.write_number(1, 4, 1_450_000).expect("income");
    hh.write_number(1, 5, 3).expect("structures");
    hh.write_number(1, 6, 36.5).expect("area");
    texts(hh, 1, &["", "", "", "", "", "", "", water, "Tự hoại"]);
    hh.write_boolean(1, 9, true).expect("bool");
    hh.write_boolean(1, 10, false).expect("bool");

    let m = wb.add_worksheet();
    m.set_name("Thành viên").expect("name");
    texts(
        m,
        0,
        &[
            "Mã hộ",
            "STT",
            "Họ và tên",
            "Quan hệ với chủ hộ",
            "Giới tính",
            "Ngày sinh",
            "Dân tộc",
            "Số định danh/CCCD",
            "Có thẻ BHYT",
            "Việc làm",
            "Trình độ cao nhất",
            "Đang đi học",
            "Học đúng cấp/bậc theo tuổi",
            "Suy dinh dưỡng (thấp còi/nhẹ cân)",
        ],
    );
    let date_fmt = Format::new().set_num_format("dd/mm/yyyy");
    for (r, (no, name, rel, sex, birth, ed, school)) in [
        (1, "Hà Văn Tú", "Chủ hộ", "Nam", Some((1975, 8, 2)), "Tiểu học", "Không"),
        (2, "Hà Thị Mai", "Con", "Nữ", None, "Tiểu học", "Có"),
    ]
    .into_iter()
    .enumerate()
    {
        let row = r as u32 + 1;
        m.write_number(row, 0, 1001).expect("id");
        m.write_number(row, 1, no).expect("member no");
        texts(m, row, &["", "", name, rel, sex]);
        match birth {
            Some((y, mo, d)) => {
                let dt = ExcelDateTime::from_ymd(y, mo, d).expect("date");
                m.write_datetime_with_format(row, 5, &dt, &date_fmt).expect("date cell");
            }
            None => {
                m.write_number(row, 5, 2016).expect("bare year as a number");
            }
        }
        texts(m, row, &["", "", "", "", "", "", "Tày"]);
        if no == 1 {
            m.write_number(row, 7, 19_075_001_234.0).expect("id number typed as a number");
        }
        texts(m, row, &["", "", "", "", "", "", "", "", "có", "Tự làm", ed, school]);
        if no == 2 {
            texts(m, row, &["", "", "", "", "", "", "", "", "", "", "", "", "có", "không"]);
        }
    }
    wb.save(path).expect("save");
}

#[test]
fn reads_a_workbook_made_in_excel() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ho.xlsx");
    workbook(&path, "Giếng khoan");
    let src = Source::Xlsx { workbook: path };
    let (recs, report) = read_all(&src, &opts(true, false));
    assert!(report.is_clean(), "{:#?}", report.errors);
    assert_eq!(recs.len(), 1);
    let r = &recs[0];
    assert_eq!(r.household_code, "1001");
    assert_eq!(r.commune_code, "00004", "leading zeros restored");
    assert_eq!(r.head_name, "Hà Văn Tú");
    let h = &r.household;
    assert_eq!(
        (h.area, h.income_per_capita, h.durable_structures, h.floor_area_m2),
        (Area::Rural, Some(1_450_000), 3, 36.5)
    );
    assert_eq!(
        (h.water_source, h.latrine, h.internet_user, h.info_devices),
        (WaterSource::DrilledWell, Latrine::Septic, true, false)
    );
    let m = &h.members;
    assert_eq!(m.len(), 2);
    assert_eq!(m[0].birth, BirthDate::Date(date(1975, 8, 2)));
    assert_eq!(m[0].relation, Relation::Head);
    assert_eq!(m[0].employment, Employment::SelfEmployed);
    assert_eq!(r.members[0].id_number.as_deref(), Some("019075001234"));
    assert_eq!(m[1].birth, BirthDate::Year(2016));
    assert_eq!((m[1].in_school, m[1].school_on_track, m[1].malnourished), (true, Some(true), Some(false)));
}

#[test]
fn workbook_problems_name_the_sheet_and_row() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ho.xlsx");
    workbook(&path, "giếng cổ");
    let (recs, report) = read_all(&Source::Xlsx { workbook: path }, &opts(false, true));
    assert!(recs.is_empty());
    assert_eq!(report.errors.len(), 1, "{:#?}", report.errors);
    let p = &report.errors[0];
    assert_eq!((p.kind, p.file.as_str(), p.sheet.as_deref(), p.row), (InvalidCode, "ho.xlsx", Some("Hộ"), 2));
    assert_eq!((p.column.as_str(), p.value.as_str()), ("Nguồn nước sinh hoạt", "giếng cổ"));
    assert_eq!(p.household_code.as_deref(), Some("1001"));
}

#[test]
fn a_missing_sheet_is_reported() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("only.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("households").expect("name");
    texts(ws, 0, &["household_id"]);
    wb.save(&path).expect("save");
    let (recs, report) = read_all(&Source::Xlsx { workbook: path }, &opts(false, true));
    assert!(recs.is_empty());
    let kinds: Vec<_> = report.errors.iter().map(|p| (p.kind, p.sheet.clone(), p.row)).collect();
    assert!(kinds.contains(&(MissingSheet, None, 0)), "{kinds:?}");
    assert!(report.errors.iter().any(|p| p.kind == MissingColumn && p.column == "commune_code"));
    assert!(report.errors.iter().any(|p| p.message_vi.contains("'members' / 'Thành viên'")));
}
