//! Rows held in memory — an edit form, an API body — read by the same parsers as a file, so a
//! form and a spreadsheet get the same checks and messages, without writing anything to disk.

use crate::error::ReadError;
use crate::problems::FileCtx;
use crate::rows::{RowHandler, RowView, Start};

/// A table of text cells: a header row and data rows (numbered from 2, as a spreadsheet
/// would show them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// Its name in problem locations (`households`, `members`).
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Hands the table's header and non-blank rows to `handler`.
pub(crate) fn scan(table: &Table, handler: &mut impl RowHandler) -> Result<(), ReadError> {
    let ctx = FileCtx { file: table.name.clone(), sheet: None };
    if handler.start(ctx, Start::Header { row: 1, cells: table.header.clone() }).is_break() {
        return Ok(());
    }
    let mut text = String::new();
    let mut bounds = Vec::new();
    for (i, cells) in table.rows.iter().enumerate() {
        text.clear();
        bounds.clear();
        for c in cells {
            let a = text.len();
            text.push_str(c);
            bounds.push((a, text.len()));
        }
        let view = RowView::new(i as u64 + 2, &text, &bounds, &[], &[]);
        if view.is_blank() {
            continue;
        }
        if handler.row(&view).is_break() {
            break;
        }
    }
    Ok(())
}
