//! The list of households to review (*danh sách hộ rà soát*, Phụ lục I of Circular
//! 07/2021/TT-BLĐTBXH), printable per village: a workbook with a sheet per village (title, the
//! commune and year, a numbered table, a line for signatures), or one CSV with a village column.

use crate::error::WriteError;
use crate::error_file::inert;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};
use std::path::Path;

/// One household of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedRow {
    pub household_code: String,
    pub head_name: String,
    /// Why it is reviewed (Vietnamese).
    pub origin: String,
    /// Its status from the last decision (Vietnamese), or empty.
    pub current: String,
    pub note: String,
}

/// The columns, in order.
pub const REVIEW_LIST_COLUMNS: [&str; 6] =
    ["STT", "Mã hộ", "Họ và tên chủ hộ", "Lý do rà soát", "Phân loại hiện tại", "Ghi chú"];

/// Writes the list of `commune` for the review of `year` to `path` (`.xlsx`, else CSV), with the
/// villages in the order given.
pub fn write_review_list(
    path: &Path,
    commune: &str,
    year: i64,
    villages: &[(String, Vec<ListedRow>)],
) -> Result<(), WriteError> {
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx")) {
        write_xlsx(path, commune, year, villages)
    } else {
        write_csv(path, villages)
    }
}

fn write_csv(path: &Path, villages: &[(String, Vec<ListedRow>)]) -> Result<(), WriteError> {
    let mut w = crate::writer::CsvOut::create(path, true)?;
    w.header(["Thôn/tổ dân phố"].into_iter().chain(REVIEW_LIST_COLUMNS.iter().copied()))?;
    for (village, rows) in villages {
        for (i, r) in rows.iter().enumerate() {
            let n = (i + 1).to_string();
            let cells = [village.as_str(), &n, &r.household_code, &r.head_name, &r.origin, &r.current, &r.note];
            let cells: Vec<String> = cells.iter().map(|c| inert(c).into_owned()).collect();
            w.row(&cells.iter().map(|c| crate::writer::Cell::Str(c)).collect::<Vec<_>>())?;
        }
    }
    w.finish()
}

fn write_xlsx(path: &Path, commune: &str, year: i64, villages: &[(String, Vec<ListedRow>)]) -> Result<(), WriteError> {
    let err = |source| WriteError::Xlsx { path: path.to_path_buf(), source };
    let mut wb = Workbook::new();
    let title = Format::new().set_bold().set_font_size(13).set_align(FormatAlign::Center);
    let center = Format::new().set_italic().set_align(FormatAlign::Center);
    let head = Format::new().set_bold().set_border(FormatBorder::Thin).set_text_wrap().set_align(FormatAlign::Center);
    let cell = Format::new().set_border(FormatBorder::Thin);
    let mut used = std::collections::HashSet::new();
    for (village, rows) in villages {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(village, &mut used)).map_err(err)?;
        ws.merge_range(0, 0, 0, 5, "DANH SÁCH HỘ GIA ĐÌNH RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO", &title).map_err(err)?;
        let place = format!("{village} – {commune} – năm {year}");
        ws.merge_range(1, 0, 1, 5, &place, &center).map_err(err)?;
        ws.merge_range(2, 0, 2, 5, "(Phụ lục I, Thông tư 07/2021/TT-BLĐTBXH)", &center).map_err(err)?;
        for (c, h) in REVIEW_LIST_COLUMNS.iter().enumerate() {
            ws.write_string_with_format(4, c as u16, *h, &head).map_err(err)?;
        }
        for (widths, c) in [(6.0, 0u16), (14.0, 1), (28.0, 2), (30.0, 3), (20.0, 4), (20.0, 5)] {
            ws.set_column_width(c, widths).map_err(err)?;
        }
        let mut r = 5u32;
        for (i, row) in rows.iter().enumerate() {
            ws.write_number_with_format(r, 0, (i + 1) as f64, &cell).map_err(err)?;
            for (c, v) in
                [&row.household_code, &row.head_name, &row.origin, &row.current, &row.note].into_iter().enumerate()
            {
                ws.write_string_with_format(r, (c + 1) as u16, v.as_str(), &cell).map_err(err)?;
            }
            r += 1;
        }
        r += 1;
        ws.write_string(r, 1, "Người lập biểu").map_err(err)?;
        ws.write_string(r, 4, "Trưởng thôn/tổ dân phố").map_err(err)?;
        ws.set_print_fit_to_pages(1, 0);
        ws.set_repeat_rows(4, 4).map_err(err)?;
    }
    if villages.is_empty() {
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "Không có hộ nào trong danh sách rà soát.").map_err(err)?;
    }
    wb.save(path).map_err(err)?;
    Ok(())
}

/// A sheet name Excel accepts (≤ 31 characters, no `[]:*?/\`), unique in the workbook.
fn sheet_name(village: &str, used: &mut std::collections::HashSet<String>) -> String {
    let clean: String = village.chars().filter(|c| !"[]:*?/\\".contains(*c)).collect();
    let base: String =
        if clean.trim().is_empty() { "Chưa có thôn".into() } else { clean.chars().take(28).collect() };
    let mut name = base.clone();
    let mut n = 2;
    while !used.insert(name.to_lowercase()) {
        name = format!("{base} {n}");
        n += 1;
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_has_a_sheet_per_village_with_its_households() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("phu-luc-1.xlsx");
        let row = |code: &str| ListedRow {
            household_code: code.into(),
            head_name: format!("Chủ hộ {code}"),
            origin: "Đang trong danh sách".into(),
            current: "Hộ nghèo".into(),
            note: String::new(),
        };
        let villages = vec![("Thôn Một".to_string(), vec![row("H1"), row("H2")]), ("Thôn Hai".into(), vec![row("H3")])];
        write_review_list(&p, "Xã Phù Yên", 2026, &villages).expect("write");
        use calamine::Reader;
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&p).expect("open");
        assert_eq!(wb.sheet_names(), vec!["Thôn Một".to_string(), "Thôn Hai".to_string()]);
        let range = wb.worksheet_range("Thôn Một").expect("sheet");
        let cell = |r: u32, c: u32| range.get_value((r, c)).map(|v| v.to_string()).unwrap_or_default();
        assert_eq!(cell(4, 2), "Họ và tên chủ hộ");
        assert_eq!((cell(5, 1), cell(6, 1)), ("H1".to_string(), "H2".to_string()));
        assert!(cell(1, 0).contains("Xã Phù Yên"));
    }
}
