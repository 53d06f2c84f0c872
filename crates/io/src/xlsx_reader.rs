//! Scans one sheet of an XLSX workbook row by row, streaming its cells with calamine.

use crate::error::ReadError;
use crate::problems::FileCtx;
use crate::rows::{RowHandler, RowView, Start, file_name};
use calamine::{DataRef, Reader, Xlsx, open_workbook};
use std::fmt::Write as _;
use std::ops::ControlFlow;
use std::path::Path;
use vuonlen_core::text::fold;

/// Excel's column limit; cells beyond it cannot exist in a valid file.
const MAX_COLUMNS: usize = 16_384;

/// Writes a cell as text; returns whether it was a number.
fn cell_text(v: &DataRef<'_>, out: &mut String) -> bool {
    match v {
        DataRef::Empty => false,
        DataRef::String(s) => {
            out.push_str(s);
            false
        }
        DataRef::SharedString(s) => {
            out.push_str(s);
            false
        }
        DataRef::Int(i) => {
            let _ = write!(out, "{i}");
            true
        }
        DataRef::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                let _ = write!(out, "{}", *f as i64);
            } else {
                let _ = write!(out, "{f}");
            }
            true
        }
        DataRef::Bool(b) => {
            out.push_str(if *b { "1" } else { "0" });
            false
        }
        DataRef::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            let _ = write!(out, "{y:04}-{m:02}-{d:02}");
            false
        }
        DataRef::DateTime(dt) => {
            let _ = write!(out, "{}", dt.as_f64());
            true
        }
        DataRef::DateTimeIso(s) => {
            // `1980-03-15T00:00:00` → the date part.
            out.push_str(s.get(..10).filter(|d| d.as_bytes().get(4) == Some(&b'-')).unwrap_or(s));
            false
        }
        DataRef::DurationIso(s) => {
            out.push_str(s);
            false
        }
        DataRef::Error(e) => {
            let _ = write!(out, "{e}");
            false
        }
    }
}

/// Cells of the row being assembled.
struct RowAcc {
    row: Option<u32>,
    cells: Vec<String>,
    numeric: Vec<bool>,
    header_width: Option<usize>,
    // Buffers of the emitted view.
    text: String,
    bounds: Vec<(usize, usize)>,
}

impl RowAcc {
    fn clear(&mut self) {
        for c in &mut self.cells {
            c.clear();
        }
        for n in &mut self.numeric {
            *n = false;
        }
    }

    /// Hands the assembled row to the handler (the first non-blank row is the header).
    fn flush(&mut self, ctx: &FileCtx, handler: &mut impl RowHandler) -> ControlFlow<()> {
        let Some(r) = self.row.take() else { return ControlFlow::Continue(()) };
        let row = u64::from(r) + 1;
        let flow = match self.header_width {
            None => {
                let last = self.cells.iter().rposition(|c| !c.trim().is_empty());
                match last {
                    None => ControlFlow::Continue(()),
                    Some(last) => {
                        self.header_width = Some(last + 1);
                        let cells = self.cells[..=last].iter().map(|c| c.trim().to_string()).collect();
                        handler.start(ctx.clone(), Start::Header { row, cells })
                    }
                }
            }
            Some(width) => {
                self.text.clear();
                self.bounds.clear();
                for i in 0..width {
                    let start = self.text.len();
                    if let Some(c) = self.cells.get(i) {
                        self.text.push_str(c);
                    }
                    self.bounds.push((start, self.text.len()));
                }
                let numeric = &self.numeric[..width.min(self.numeric.len())];
                let view = RowView::new(row, &self.text, &self.bounds, numeric, &[]);
                if view.is_blank() { ControlFlow::Continue(()) } else { handler.row(&view) }
            }
        };
        self.clear();
        flow
    }
}

/// Reads the first sheet of `path` whose name matches one of `names` (ignoring case and
/// diacritics; the first sheet when `names` is empty) and hands each row to `handler`.
pub(crate) fn scan(path: &Path, names: &[&str], handler: &mut impl RowHandler) -> Result<(), ReadError> {
    let wb_err = |message: String| ReadError::Workbook { path: path.to_path_buf(), message };
    let mut wb: Xlsx<_> = open_workbook(path).map_err(|e: calamine::XlsxError| match e {
        calamine::XlsxError::Io(source) => ReadError::Open { path: path.to_path_buf(), source },
        other => wb_err(other.to_string()),
    })?;
    let wanted: Vec<String> = names.iter().map(|n| fold(n)).collect();
    let sheet = if names.is_empty() {
        wb.sheet_names().into_iter().next()
    } else {
        wb.sheet_names().into_iter().find(|n| wanted.contains(&fold(n)))
    };
    let ctx = FileCtx { file: file_name(path), sheet: sheet.clone() };
    let Some(sheet) = sheet else {
        let names = names.iter().map(|n| format!("'{n}'")).collect::<Vec<_>>().join(" / ");
        let _ = handler.start(ctx, Start::MissingSheet { names });
        return Ok(());
    };
    let mut cells = wb.worksheet_cells_reader(&sheet).map_err(|e| wb_err(e.to_string()))?;
    let mut acc = RowAcc {
        row: None,
        cells: Vec::new(),
        numeric: Vec::new(),
        header_width: None,
        text: String::new(),
        bounds: Vec::new(),
    };
    while let Some(cell) = cells.next_cell().map_err(|e| wb_err(e.to_string()))? {
        let (r, c) = cell.get_position();
        if acc.row != Some(r) {
            if acc.flush(&ctx, handler).is_break() {
                return Ok(());
            }
            acc.row = Some(r);
        }
        let c = c as usize;
        if c >= MAX_COLUMNS {
            continue;
        }
        if acc.cells.len() <= c {
            acc.cells.resize_with(c + 1, String::new);
            acc.numeric.resize(c + 1, false);
        }
        acc.numeric[c] = cell_text(cell.get_value(), &mut acc.cells[c]);
    }
    if acc.flush(&ctx, handler).is_break() {
        return Ok(());
    }
    if acc.header_width.is_none() {
        let _ = handler.start(ctx, Start::Empty);
    }
    Ok(())
}
