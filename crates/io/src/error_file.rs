//! The error file: every problem of a read, errors then warnings, for people to fix their data
//! in a spreadsheet.

use crate::error::WriteError;
use crate::read::ReadReport;
use crate::writer::{Cell, CsvOut, OutputFormat, XLSX_MAX_ROWS};
use rust_xlsxwriter::{Format, Workbook};
use std::path::Path;

/// Columns of the error file, in order.
pub const ERROR_FILE_COLUMNS: [&str; 9] =
    ["severity", "file", "sheet", "row", "column", "value", "household_id", "message_vi", "message_en"];

/// The header of the error file of `report`: [`ERROR_FILE_COLUMNS`], the seventh named for
/// what the rows are (`unit` for a target table).
fn columns(report: &ReadReport) -> impl Iterator<Item = &'static str> + '_ {
    ERROR_FILE_COLUMNS.iter().enumerate().map(|(i, c)| if i == 6 { report.key_column.unwrap_or(c) } else { c })
}

/// The text columns of a problem, in [`ERROR_FILE_COLUMNS`] order (severity and row are filled
/// in by the writer).
fn texts(p: &crate::Problem) -> [&str; 9] {
    [
        "",
        &p.file,
        p.sheet.as_deref().unwrap_or(""),
        "",
        &p.column,
        &p.value,
        p.household_code.as_deref().unwrap_or(""),
        &p.message_vi,
        &p.message_en,
    ]
}

/// A CSV cell a spreadsheet will not run: a text beginning with `=`, `+`, `-`, `@`, a tab or a
/// carriage return (OWASP's CSV injection) gets a leading `'`, unless it is a plain number. The
/// error file repeats what people typed, which may be `=HYPERLINK(…)`.
pub fn inert(text: &str) -> std::borrow::Cow<'_, str> {
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && text.trim().parse::<f64>().is_err() {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Writes the problems of `report` to `path`: a CSV in UTF-8 with a byte-order mark (so Excel
/// shows Vietnamese correctly), or a workbook with one sheet `errors`. Errors come first, then
/// warnings; `severity` is `error` or `warning`; `row` is empty for problems about a whole file.
/// CSV cells that a spreadsheet would take for a formula are neutralised ([`inert`]).
pub fn write_problems(report: &ReadReport, path: &Path, format: OutputFormat) -> Result<(), WriteError> {
    let problems = report.errors.iter().map(|p| ("error", p)).chain(report.warnings.iter().map(|p| ("warning", p)));
    let mut buf = String::new();
    match format {
        OutputFormat::Csv => {
            let mut w = CsvOut::create(path, true)?;
            w.header(columns(report))?;
            for (severity, p) in problems {
                let texts = texts(p).map(|t| inert(t));
                let mut cells = texts.each_ref().map(|t| Cell::Str(t));
                cells[0] = Cell::Str(severity);
                cells[3] = Cell::Int((p.row > 0).then_some(p.row as i64));
                w.row(&cells)?;
            }
            w.finish()
        }
        OutputFormat::Xlsx => {
            let err = |source| WriteError::Xlsx { path: path.to_path_buf(), source };
            let mut wb = Workbook::new();
            let bold = Format::new().set_bold();
            let ws = wb.add_worksheet_with_constant_memory().map_err(err)?;
            ws.set_name("errors").map_err(err)?;
            for (i, h) in columns(report).enumerate() {
                ws.write_string_with_format(0, i as u16, h, &bold).map_err(err)?;
            }
            for (r, (severity, p)) in (1u32..).zip(problems) {
                if r >= XLSX_MAX_ROWS {
                    return Err(WriteError::TooManyRows { sheet: "errors".into() });
                }
                // A workbook's strings are never formulas: written as they are.
                let texts = texts(p);
                let mut cells = texts.map(Cell::Str);
                cells[0] = Cell::Str(severity);
                cells[3] = Cell::Int((p.row > 0).then_some(p.row as i64));
                for (col, c) in cells.iter().enumerate() {
                    c.put_on_sheet(ws, r, col as u16, &mut buf).map_err(err)?;
                }
            }
            wb.save(path).map_err(err)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::inert;

    #[test]
    fn formulas_are_neutralised_and_numbers_and_text_kept() {
        for risky in ["=HYPERLINK(\"http://x\",\"y\")", "@SUM(A1:A9)", "+cmd|' /C calc'!A0", "-2+3", "\t=1", "\r=1"] {
            assert_eq!(inert(risky), format!("'{risky}"), "{risky}");
        }
        for kept in ["-5", "+84", "-1.5", "Nguyễn Văn A", "03646-000012", "", "a=b"] {
            assert_eq!(inert(kept), kept, "{kept}");
        }
    }
}
