//! A plain table to a file: a header row, then rows of text and numbers (numbers stay numbers
//! in a workbook), rows to draw attention to filled in a workbook. CSV (UTF-8 with a byte-order
//! mark, for Excel) or, for `.xlsx`, a workbook with one sheet.

use crate::WriteError;
use crate::writer::{Cell, CsvOut};
use std::path::Path;

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum PlainCell {
    Text(String),
    Int(Option<i64>),
    Dec(Option<f64>),
}

/// One row, `highlight`ed (off track, late) or not.
#[derive(Debug, Clone, PartialEq)]
pub struct PlainRow {
    pub cells: Vec<PlainCell>,
    pub highlight: bool,
}

fn cell(c: &PlainCell) -> Cell<'_> {
    match c {
        PlainCell::Text(t) => Cell::Str(t),
        PlainCell::Int(v) => Cell::Int(*v),
        PlainCell::Dec(Some(v)) => Cell::Dec((v * 100.0).round() / 100.0),
        PlainCell::Dec(None) => Cell::Int(None),
    }
}

/// Writes `header` and `rows` to `path` (`.xlsx`: a workbook whose sheet is `sheet`).
pub fn write_plain_table(path: &Path, sheet: &str, header: &[String], rows: &[PlainRow]) -> Result<(), WriteError> {
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx")) {
        let err = |source| WriteError::Xlsx { path: path.to_path_buf(), source };
        let mut wb = rust_xlsxwriter::Workbook::new();
        let bold = rust_xlsxwriter::Format::new().set_bold();
        let ws = wb.add_worksheet();
        ws.set_name(sheet).map_err(err)?;
        for (i, h) in header.iter().enumerate() {
            ws.write_string_with_format(0, i as u16, h, &bold).map_err(err)?;
        }
        let fill = rust_xlsxwriter::Format::new().set_background_color(rust_xlsxwriter::Color::RGB(0xF8_D7_DA));
        let mut buf = String::new();
        for (r, row) in (1u32..).zip(rows) {
            for (c, v) in row.cells.iter().enumerate() {
                cell(v).put_on_sheet(ws, r, c as u16, &mut buf).map_err(err)?;
            }
            if row.highlight {
                ws.set_row_format(r, &fill).map_err(err)?;
            }
        }
        wb.save(path).map_err(err)
    } else {
        let mut w = CsvOut::create(path, true)?;
        w.header(header.iter().map(String::as_str))?;
        for row in rows {
            let cells: Vec<Cell<'_>> = row.cells.iter().map(cell).collect();
            w.row(&cells)?;
        }
        w.finish()
    }
}
