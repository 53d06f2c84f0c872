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

/// Writes the problems of `report` to `path`: a CSV in UTF-8 with a byte-order mark (so Excel
/// shows Vietnamese correctly), or a workbook with one sheet `errors`. Errors come first, then
/// warnings; `severity` is `error` or `warning`; `row` is empty for problems about a whole file.
pub fn write_problems(report: &ReadReport, path: &Path, format: OutputFormat) -> Result<(), WriteError> {
    let problems = report.errors.iter().map(|p| ("error", p)).chain(report.warnings.iter().map(|p| ("warning", p)));
    let mut buf = String::new();
    match format {
        OutputFormat::Csv => {
            let mut w = CsvOut::create(path, true)?;
            w.header(ERROR_FILE_COLUMNS.iter().copied())?;
            for (severity, p) in problems {
                let row = (p.row > 0).then_some(p.row as i64);
                let cells = [
                    Cell::Str(severity),
                    Cell::Str(&p.file),
                    Cell::Str(p.sheet.as_deref().unwrap_or("")),
                    Cell::Int(row),
                    Cell::Str(&p.column),
                    Cell::Str(&p.value),
                    Cell::Str(p.household_id.as_deref().unwrap_or("")),
                    Cell::Str(&p.message_vi),
                    Cell::Str(&p.message_en),
                ];
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
            for (i, h) in ERROR_FILE_COLUMNS.iter().enumerate() {
                ws.write_string_with_format(0, i as u16, *h, &bold).map_err(err)?;
            }
            for (r, (severity, p)) in (1u32..).zip(problems) {
                if r >= XLSX_MAX_ROWS {
                    return Err(WriteError::TooManyRows { sheet: "errors".into() });
                }
                let row = (p.row > 0).then_some(p.row as i64);
                let cells = [
                    Cell::Str(severity),
                    Cell::Str(&p.file),
                    Cell::Str(p.sheet.as_deref().unwrap_or("")),
                    Cell::Int(row),
                    Cell::Str(&p.column),
                    Cell::Str(&p.value),
                    Cell::Str(p.household_id.as_deref().unwrap_or("")),
                    Cell::Str(&p.message_vi),
                    Cell::Str(&p.message_en),
                ];
                for (col, c) in cells.iter().enumerate() {
                    c.to_sheet(ws, r, col as u16, &mut buf).map_err(err)?;
                }
            }
            wb.save(path).map_err(err)
        }
    }
}
