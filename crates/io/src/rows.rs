//! A source-independent view of one row, and the callback interface the CSV and XLSX scanners
//! drive.

use crate::problems::FileCtx;
use std::ops::ControlFlow;

/// One data row: its fields as text, borrowed from the scanner's buffers.
pub(crate) struct RowView<'a> {
    /// Row number as a spreadsheet shows it (header = 1).
    pub row: u64,
    text: &'a str,
    bounds: &'a [(usize, usize)],
    numeric: &'a [bool],
    /// Fields whose bytes were not UTF-8 (their text holds replacement characters).
    pub bad_utf8: &'a [usize],
}

impl<'a> RowView<'a> {
    pub fn new(
        row: u64,
        text: &'a str,
        bounds: &'a [(usize, usize)],
        numeric: &'a [bool],
        bad_utf8: &'a [usize],
    ) -> Self {
        RowView { row, text, bounds, numeric, bad_utf8 }
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.bounds.len()
    }

    /// Field `i`, trimmed; empty when the row is shorter.
    #[inline]
    pub fn get(&self, i: usize) -> &'a str {
        match self.bounds.get(i) {
            Some(&(a, b)) => trim(self.text.get(a..b).unwrap_or("")),
            None => "",
        }
    }

    /// Whether field `i` was a number cell in a workbook (its leading zeros may be lost).
    pub fn is_numeric(&self, i: usize) -> bool {
        self.numeric.get(i).copied().unwrap_or(false)
    }

    /// Whether every field is empty (such rows are skipped).
    pub fn is_blank(&self) -> bool {
        (0..self.len()).all(|i| self.get(i).is_empty())
    }
}

/// `str::trim`, with a fast path for the usual field that starts and ends with a visible ASCII
/// character.
#[inline]
pub(crate) fn trim(s: &str) -> &str {
    match s.as_bytes() {
        [] => s,
        [first, .., last] | [first @ last] if first.is_ascii_graphic() && last.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// How a file or sheet begins.
pub(crate) enum Start {
    /// The header row.
    Header { row: u64, cells: Vec<String> },
    /// No row at all.
    Empty,
    /// The workbook has no sheet of any of these names.
    MissingSheet { names: String },
}

/// Receives the rows of one file or sheet, in order.
pub(crate) trait RowHandler {
    /// Called once, before any row. `Break` stops the scan.
    fn start(&mut self, ctx: FileCtx, start: Start) -> ControlFlow<()>;
    /// Called for each non-blank data row. `Break` stops the scan.
    fn row(&mut self, row: &RowView<'_>) -> ControlFlow<()>;
    /// A fast path: called first with each data line of a CSV file that is valid UTF-8 (without
    /// its line break), numbered as [`RowView::row`]. `Some` when the line was taken in full,
    /// exactly as [`RowHandler::row`] would have taken it; `None` (the default) to have it
    /// split and handed to [`RowHandler::row`] (or skipped when blank).
    fn line(&mut self, _row: u64, _line: &str) -> Option<ControlFlow<()>> {
        None
    }
}

/// The file name of a path, for problem locations.
pub(crate) fn file_name(path: &std::path::Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string())
}
