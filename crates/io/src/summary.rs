//! Writes unit aggregates ([`Tally`]) by country, province and commune: the shapes of official
//! reports 1 (summary), 4–7 (deprivation counts and rates of poor and near-poor households) and
//! the Alkire–Foster measures. CSV gives one wide table; XLSX gives one sheet per report.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};
use std::path::Path;
use vuonlen_core::Class;
use vuonlen_core::standard::Standard;
use vuonlen_core::summary::Tally;

/// Level of a summary row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Country,
    Province,
    Commune,
}

impl Level {
    pub fn key(self) -> &'static str {
        match self {
            Level::Country => "country",
            Level::Province => "province",
            Level::Commune => "commune",
        }
    }
}

/// One row: a unit and its tally.
#[derive(Debug, Clone)]
pub struct UnitRow {
    pub level: Level,
    pub code: String,
    pub name: String,
    pub province_code: String,
    pub tally: Tally,
}

/// What the summary covers, for titles.
#[derive(Debug, Clone)]
pub struct SummaryMeta {
    pub standard_id: String,
    pub as_of: chrono::NaiveDate,
}

/// Errors writing a summary.
#[derive(Debug, thiserror::Error)]
pub enum SummaryError {
    #[error("cannot write {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("cannot write {path}: {source}")]
    Xlsx { path: String, source: XlsxError },
}

fn pct(a: u64, b: u64) -> f64 {
    (Tally::percent(a, b) * 100.0).round() / 100.0
}

/// Writes the summary as CSV (one wide table, English keys) or XLSX (by extension).
pub fn write_summary(path: &Path, std: &Standard, meta: &SummaryMeta, rows: &[UnitRow]) -> Result<(), SummaryError> {
    let is_xlsx = path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if is_xlsx {
        write_xlsx(path, std, meta, rows)
            .map_err(|source| SummaryError::Xlsx { path: path.display().to_string(), source })
    } else {
        write_csv(path, std, rows).map_err(|source| SummaryError::Io { path: path.display().to_string(), source })
    }
}

fn write_csv(path: &Path, std: &Standard, rows: &[UnitRow]) -> std::io::Result<()> {
    let file = std::fs::File::create(path)?;
    let mut w = csv::Writer::from_writer(std::io::BufWriter::new(file));
    let mut header: Vec<String> =
        ["level", "code", "name", "province_code", "households", "persons"].into_iter().map(String::from).collect();
    for c in [Class::Poor, Class::NearPoor, Class::Middle] {
        header.push(format!("{}_households", c.key()));
        header.push(format!("{}_rate", c.key()));
        header.push(format!("{}_persons", c.key()));
        header.push(format!("{}_persons_rate", c.key()));
    }
    for group in ["poor", "near_poor"] {
        header.push(format!("{group}_deprivations"));
        for ind in &std.indicators {
            header.push(format!("{group}_deprived_{}", ind.code));
            header.push(format!("{group}_deprived_{}_rate", ind.code));
        }
    }
    for h in ["af_k", "af_h", "af_a", "af_m0", "af_h_persons", "af_a_persons", "af_m0_persons"] {
        header.push(h.to_string());
    }
    for ind in &std.indicators {
        header.push(format!("af_censored_{}", ind.code));
    }
    w.write_record(&header)?;
    for r in rows {
        let t = &r.tally;
        let mut rec: Vec<String> = vec![
            r.level.key().into(),
            r.code.clone(),
            r.name.clone(),
            r.province_code.clone(),
            t.households.to_string(),
            t.persons.to_string(),
        ];
        for c in [Class::Poor, Class::NearPoor, Class::Middle] {
            rec.push(t.households_in(c).to_string());
            rec.push(format!("{:.2}", pct(t.households_in(c), t.households)));
            rec.push(t.persons_in(c).to_string());
            rec.push(format!("{:.2}", pct(t.persons_in(c), t.persons)));
        }
        for (class, counts, total) in [
            (Class::Poor, &t.deprived_poor, t.deprivations_poor),
            (Class::NearPoor, &t.deprived_near_poor, t.deprivations_near_poor),
        ] {
            rec.push(total.to_string());
            for n in counts {
                rec.push(n.to_string());
                rec.push(format!("{:.2}", pct(*n, t.households_in(class))));
            }
        }
        let (h, p) = (&t.af_households, &t.af_persons);
        rec.push(h.k.to_string());
        for v in [h.h(), h.a(), h.m0(), p.h(), p.a(), p.m0()] {
            rec.push(format!("{v:.4}"));
        }
        for j in 0..std.indicators.len() {
            rec.push(format!("{:.4}", h.censored_headcount(j)));
        }
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(())
}

struct Formats {
    title: Format,
    head: Format,
    text: Format,
    bold_text: Format,
    int: Format,
    bold_int: Format,
    rate: Format,
    bold_rate: Format,
    ratio: Format,
}

impl Formats {
    fn new() -> Self {
        let base = Format::new().set_font_name("Times New Roman").set_font_size(12).set_border(FormatBorder::Thin);
        let bold = base.clone().set_bold();
        Formats {
            title: Format::new().set_font_name("Times New Roman").set_font_size(14).set_bold(),
            head: bold.clone().set_text_wrap().set_align(FormatAlign::Center).set_align(FormatAlign::VerticalCenter),
            text: base.clone(),
            bold_text: bold.clone(),
            int: base.clone().set_num_format("#,##0"),
            bold_int: bold.clone().set_num_format("#,##0"),
            rate: base.clone().set_num_format("0.00"),
            bold_rate: bold.set_num_format("0.00"),
            ratio: base.set_num_format("0.0000"),
        }
    }
}

/// A4 landscape, one page wide, header rows repeated: the reports print as officers expect.
fn print_setup(ws: &mut rust_xlsxwriter::Worksheet) {
    ws.set_paper_size(9);
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    let _ = ws.set_repeat_rows(3, 3);
}

fn unit_label(r: &UnitRow) -> String {
    match r.level {
        Level::Commune => format!("    {}", r.name),
        _ => r.name.clone(),
    }
}

fn write_xlsx(path: &Path, std: &Standard, meta: &SummaryMeta, rows: &[UnitRow]) -> Result<(), XlsxError> {
    let f = Formats::new();
    let mut wb = Workbook::new();
    let subtitle = format!("Chuẩn nghèo {} — ngày tham chiếu {}", std.id, meta.as_of.format("%d/%m/%Y"));

    // Report 1: summary of poor, near-poor and middle-living households and persons.
    {
        let ws = wb.add_worksheet();
        ws.set_name("Biểu 1 Tổng hợp")?;
        ws.write_string_with_format(
            0,
            0,
            "TỔNG HỢP KẾT QUẢ PHÂN LOẠI HỘ NGHÈO, HỘ CẬN NGHÈO, HỘ CÓ MỨC SỐNG TRUNG BÌNH",
            &f.title,
        )?;
        ws.write_string(1, 0, &subtitle)?;
        let heads = [
            "Mã",
            "Đơn vị",
            "Tổng số hộ",
            "Tổng số nhân khẩu",
            "Hộ nghèo (hộ)",
            "Tỷ lệ hộ nghèo (%)",
            "Hộ cận nghèo (hộ)",
            "Tỷ lệ hộ cận nghèo (%)",
            "Hộ có mức sống trung bình (hộ)",
            "Tỷ lệ (%)",
            "Nhân khẩu hộ nghèo",
            "Tỷ lệ (%)",
            "Nhân khẩu hộ cận nghèo",
            "Tỷ lệ (%)",
            "Nhân khẩu hộ có mức sống trung bình",
            "Tỷ lệ (%)",
        ];
        for (c, h) in heads.iter().enumerate() {
            ws.write_string_with_format(3, c as u16, *h, &f.head)?;
        }
        ws.set_row_height(3, 48)?;
        ws.set_column_width(0, 8)?;
        ws.set_column_width(1, 34)?;
        for c in 2..heads.len() as u16 {
            ws.set_column_width(c, 13)?;
        }
        for (i, r) in rows.iter().enumerate() {
            let row = 4 + i as u32;
            let t = &r.tally;
            let strong = r.level != Level::Commune;
            let (tx, it, rt) =
                if strong { (&f.bold_text, &f.bold_int, &f.bold_rate) } else { (&f.text, &f.int, &f.rate) };
            ws.write_string_with_format(row, 0, &r.code, tx)?;
            ws.write_string_with_format(row, 1, unit_label(r), tx)?;
            ws.write_number_with_format(row, 2, t.households as f64, it)?;
            ws.write_number_with_format(row, 3, t.persons as f64, it)?;
            let mut col = 4;
            for c in [Class::Poor, Class::NearPoor, Class::Middle] {
                ws.write_number_with_format(row, col, t.households_in(c) as f64, it)?;
                ws.write_number_with_format(row, col + 1, pct(t.households_in(c), t.households), rt)?;
                col += 2;
            }
            for c in [Class::Poor, Class::NearPoor, Class::Middle] {
                ws.write_number_with_format(row, col, t.persons_in(c) as f64, it)?;
                ws.write_number_with_format(row, col + 1, pct(t.persons_in(c), t.persons), rt)?;
                col += 2;
            }
        }
        ws.set_freeze_panes(4, 2)?;
        print_setup(ws);
    }

    // Reports 4–5 and 6–7: deprivation counts and rates.
    for (class, sheet, title) in [
        (
            Class::Poor,
            "Biểu 4-5 Thiếu hụt hộ nghèo",
            "SỐ LƯỢNG VÀ TỶ LỆ HỘ NGHÈO THIẾU HỤT CÁC CHỈ SỐ DỊCH VỤ XÃ HỘI CƠ BẢN",
        ),
        (
            Class::NearPoor,
            "Biểu 6-7 Thiếu hụt cận nghèo",
            "SỐ LƯỢNG VÀ TỶ LỆ HỘ CẬN NGHÈO THIẾU HỤT CÁC CHỈ SỐ DỊCH VỤ XÃ HỘI CƠ BẢN",
        ),
    ] {
        let ws = wb.add_worksheet();
        ws.set_name(sheet)?;
        ws.write_string_with_format(0, 0, title, &f.title)?;
        ws.write_string(1, 0, &subtitle)?;
        let group = if class == Class::Poor { "hộ nghèo" } else { "hộ cận nghèo" };
        ws.write_string_with_format(3, 0, "Mã", &f.head)?;
        ws.write_string_with_format(3, 1, "Đơn vị", &f.head)?;
        ws.write_string_with_format(3, 2, format!("Tổng số {group}"), &f.head)?;
        ws.write_string_with_format(3, 3, "Tổng số chỉ số thiếu hụt", &f.head)?;
        let n = std.indicators.len() as u16;
        for (j, ind) in std.indicators.iter().enumerate() {
            let j = j as u16;
            ws.write_string_with_format(3, 4 + j, format!("{}. {} (hộ)", j + 1, ind.name_vi), &f.head)?;
            ws.write_string_with_format(3, 4 + n + j, format!("{}. {} (%)", j + 1, ind.name_vi), &f.head)?;
        }
        ws.set_row_height(3, 64)?;
        ws.set_column_width(1, 34)?;
        for c in 2..(4 + 2 * n) {
            ws.set_column_width(c, 12)?;
        }
        for (i, r) in rows.iter().enumerate() {
            let row = 4 + i as u32;
            let t = &r.tally;
            let strong = r.level != Level::Commune;
            let (tx, it, rt) =
                if strong { (&f.bold_text, &f.bold_int, &f.bold_rate) } else { (&f.text, &f.int, &f.rate) };
            let (counts, total) = match class {
                Class::Poor => (&t.deprived_poor, t.deprivations_poor),
                _ => (&t.deprived_near_poor, t.deprivations_near_poor),
            };
            let base = t.households_in(class);
            ws.write_string_with_format(row, 0, &r.code, tx)?;
            ws.write_string_with_format(row, 1, unit_label(r), tx)?;
            ws.write_number_with_format(row, 2, base as f64, it)?;
            ws.write_number_with_format(row, 3, total as f64, it)?;
            for (j, v) in counts.iter().enumerate() {
                let j = j as u16;
                ws.write_number_with_format(row, 4 + j, *v as f64, it)?;
                ws.write_number_with_format(row, 4 + n + j, pct(*v, base), rt)?;
            }
        }
        ws.set_freeze_panes(4, 2)?;
        print_setup(ws);
    }

    // Alkire–Foster measures.
    {
        let ws = wb.add_worksheet();
        ws.set_name("Alkire-Foster")?;
        ws.write_string_with_format(0, 0, "CHỈ SỐ NGHÈO ĐA CHIỀU ALKIRE–FOSTER (H, A, M0)", &f.title)?;
        ws.write_string(
            1,
            0,
            format!(
                "{subtitle}; ngưỡng k = {} trên {} chỉ số, trọng số bằng nhau; chỉ xét thiếu hụt, không xét thu nhập",
                std.deprivation_cutoff.value,
                std.indicators.len()
            ),
        )?;
        let mut heads: Vec<String> =
            ["Mã", "Đơn vị", "H (hộ)", "A (hộ)", "M0 (hộ)", "H (nhân khẩu)", "A (nhân khẩu)", "M0 (nhân khẩu)"]
                .into_iter()
                .map(String::from)
                .collect();
        for ind in &std.indicators {
            heads.push(format!("Tỷ lệ thiếu hụt kiểm duyệt: {}", ind.name_vi));
        }
        for (c, h) in heads.iter().enumerate() {
            ws.write_string_with_format(3, c as u16, h, &f.head)?;
        }
        ws.set_row_height(3, 64)?;
        ws.set_column_width(1, 34)?;
        for (i, r) in rows.iter().enumerate() {
            let row = 4 + i as u32;
            let (h, p) = (&r.tally.af_households, &r.tally.af_persons);
            let tx = if r.level == Level::Commune { &f.text } else { &f.bold_text };
            ws.write_string_with_format(row, 0, &r.code, tx)?;
            ws.write_string_with_format(row, 1, unit_label(r), tx)?;
            for (c, v) in [h.h(), h.a(), h.m0(), p.h(), p.a(), p.m0()].into_iter().enumerate() {
                ws.write_number_with_format(row, 2 + c as u16, v, &f.ratio)?;
            }
            for j in 0..std.indicators.len() {
                ws.write_number_with_format(row, 8 + j as u16, h.censored_headcount(j), &f.ratio)?;
            }
        }
        ws.set_freeze_panes(4, 2)?;
        print_setup(ws);
    }

    // Provenance: what is not verified in the standard.
    {
        let ws = wb.add_worksheet();
        ws.set_name("Căn cứ")?;
        ws.write_string_with_format(0, 0, format!("{} — {}", std.title_vi, std.legal_basis), &f.title)?;
        ws.write_string_with_format(2, 0, "Quy định", &f.head)?;
        ws.write_string_with_format(2, 1, "Trích dẫn", &f.head)?;
        ws.write_string_with_format(2, 2, "Tình trạng", &f.head)?;
        ws.set_column_width(0, 30)?;
        ws.set_column_width(1, 90)?;
        ws.set_column_width(2, 45)?;
        for (i, (what, citation, status)) in std.unverified_provisions().into_iter().enumerate() {
            let row = 3 + i as u32;
            ws.write_string_with_format(row, 0, what, &f.text)?;
            ws.write_string_with_format(row, 1, citation, &f.text)?;
            ws.write_string_with_format(row, 2, status.marker_vi(), &f.text)?;
        }
    }
    wb.save(path)?;
    Ok(())
}
