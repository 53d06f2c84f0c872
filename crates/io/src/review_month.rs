//! The monthly roll-up of the regular review (*tổng hợp kết quả rà soát thường xuyên hằng
//! tháng*) a province collects from its communes (Decision 24/2021/QĐ-TTg art. 5): per commune,
//! the applications received in the month, those decided and what became of them, and those
//! still waiting at its end — of them the ones past their statutory deadline. One sheet, the
//! province's total first; the layout is the project's (no official form is in its sources).

use crate::forms::{Destination, FormError};
use chrono::NaiveDate;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};
use vuonlen_core::text::nfc;

/// The value columns, in order: (heading group, heading).
pub const MONTH_COLUMNS: [(&str, &str); 9] = [
    ("Đơn nhận trong tháng", "Đề nghị công nhận hộ nghèo, cận nghèo (Mẫu 01, thôn đề xuất)"),
    ("Đơn nhận trong tháng", "Đề nghị công nhận thoát nghèo, thoát cận nghèo (Mẫu 04)"),
    ("Đơn đã giải quyết trong tháng", "Tổng số"),
    ("Đơn đã giải quyết trong tháng", "Công nhận hộ nghèo"),
    ("Đơn đã giải quyết trong tháng", "Công nhận hộ cận nghèo"),
    ("Đơn đã giải quyết trong tháng", "Công nhận thoát nghèo, thoát cận nghèo"),
    ("Đơn đã giải quyết trong tháng", "Không đủ điều kiện (trả lời bằng văn bản)"),
    ("Đơn chưa giải quyết cuối tháng", "Tổng số"),
    ("Đơn chưa giải quyết cuối tháng", "Trong đó: quá hạn"),
];

/// One commune's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthRow {
    pub code: String,
    pub name: String,
    /// In [`MONTH_COLUMNS`] order.
    pub values: [u64; 9],
}

/// What the roll-up covers.
#[derive(Debug, Clone)]
pub struct MonthMeta {
    pub province_code: String,
    pub province_name: String,
    pub year: i32,
    pub month: u32,
    /// The day the province wants it by, when its plan sets one.
    pub due_on: Option<NaiveDate>,
}

/// Writes the roll-up: the total, then each commune.
pub fn write_month<'a>(out: impl Into<Destination<'a>>, meta: &MonthMeta, rows: &[MonthRow]) -> Result<(), FormError> {
    let out = out.into();
    let mut wb = Workbook::new();
    build(&mut wb, meta, rows).map_err(|source| FormError::Xlsx { path: "(tổng hợp tháng)".into(), source })?;
    out.save(&mut wb)
}

fn build(wb: &mut Workbook, meta: &MonthMeta, rows: &[MonthRow]) -> Result<(), XlsxError> {
    let font = Format::new().set_font_name("Times New Roman").set_font_size(11);
    let cell = font.clone().set_border(FormatBorder::Thin);
    let head =
        cell.clone().set_bold().set_text_wrap().set_align(FormatAlign::Center).set_align(FormatAlign::VerticalCenter);
    let title = font.clone().set_bold().set_font_size(14).set_align(FormatAlign::Center);
    let sub = font.clone().set_italic().set_align(FormatAlign::Center).set_text_wrap();
    let int = cell.clone().set_num_format("#,##0");
    let bold_int = int.clone().set_bold();
    let bold = cell.clone().set_bold();
    let last = (2 + MONTH_COLUMNS.len()) as u16;
    let ws = wb.add_worksheet();
    ws.set_name(format!("Tháng {:02}-{}", meta.month, meta.year))?;
    ws.merge_range(
        0,
        0,
        0,
        last,
        &format!("TỔNG HỢP KẾT QUẢ RÀ SOÁT THƯỜNG XUYÊN THÁNG {:02} NĂM {}", meta.month, meta.year),
        &title,
    )?;
    let mut line = format!("Đơn vị: {} (mã {})", nfc(&meta.province_name), meta.province_code);
    if let Some(d) = meta.due_on {
        line.push_str(&format!(" — Hạn gửi tỉnh: {}", d.format("%d/%m/%Y")));
    }
    ws.merge_range(1, 0, 1, last, &line, &sub)?;
    ws.merge_range(
        2,
        0,
        2,
        last,
        "Căn cứ Quyết định 24/2021/QĐ-TTg, Điều 5 (rà soát thường xuyên). Hạn giải quyết mỗi đơn: 15 ngày làm việc từ \
         ngày rà soát thường xuyên đầu tiên sau ngày nhận đơn (ngày 15 hằng tháng). Bố cục biểu do vuonlen lập.",
        &sub,
    )?;
    ws.set_row_height(2, 30)?;
    let (h1, h2) = (4u32, 5u32);
    ws.merge_range(h1, 0, h2, 0, "STT", &head)?;
    ws.merge_range(h1, 1, h2, 1, "Mã xã", &head)?;
    ws.merge_range(h1, 2, h2, 2, "Tên xã, phường", &head)?;
    let mut c = 3u16;
    for group in ["Đơn nhận trong tháng", "Đơn đã giải quyết trong tháng", "Đơn chưa giải quyết cuối tháng"]
    {
        let subs: Vec<&str> = MONTH_COLUMNS.iter().filter(|(g, _)| *g == group).map(|(_, s)| *s).collect();
        let w = subs.len() as u16;
        ws.merge_range(h1, c, h1, c + w - 1, group, &head)?;
        for (i, s) in subs.iter().enumerate() {
            ws.write_string_with_format(h2, c + i as u16, *s, &head)?;
        }
        c += w;
    }
    ws.set_row_height(h2, 75)?;
    ws.set_column_width(0, 5)?;
    ws.set_column_width(1, 8)?;
    ws.set_column_width(2, 26)?;
    for col in 3..=last {
        ws.set_column_width(col, 13)?;
    }
    let mut total = [0u64; 9];
    for r in rows {
        for (t, v) in total.iter_mut().zip(r.values) {
            *t += v;
        }
    }
    let mut row = h2 + 1;
    ws.write_string_with_format(row, 0, "", &bold)?;
    ws.write_string_with_format(row, 1, &meta.province_code, &bold)?;
    ws.write_string_with_format(row, 2, "Tổng cộng", &bold)?;
    for (i, v) in total.iter().enumerate() {
        ws.write_number_with_format(row, 3 + i as u16, *v as f64, &bold_int)?;
    }
    for (n, r) in rows.iter().enumerate() {
        row += 1;
        ws.write_number_with_format(row, 0, (n + 1) as f64, &cell)?;
        ws.write_string_with_format(row, 1, &r.code, &cell)?;
        ws.write_string_with_format(row, 2, nfc(&r.name).as_ref(), &cell)?;
        for (i, v) in r.values.iter().enumerate() {
            ws.write_number_with_format(row, 3 + i as u16, *v as f64, &int)?;
        }
    }
    ws.set_paper_size(9);
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(h1, h2)?;
    ws.set_freeze_panes(h2 + 1, 3)?;
    Ok(())
}
