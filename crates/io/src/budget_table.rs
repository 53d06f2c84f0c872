//! The budget table (*bảng phân bổ kinh phí*): one row per unit, year, project or sub-project and
//! source of funds, with the amounts allocated, committed and disbursed in đồng. CSV or the first
//! sheet of a workbook, Vietnamese or English headers; read by [`read_column_file`], written in the
//! same layout by the application (its export reads back).
//!
//! [`read_column_file`]: crate::review_tables::read_column_file

use crate::review_tables::{ColumnKind, StepColumn, col};

/// The columns, in the order the export writes them.
pub const BUDGET_COLUMNS: &[StepColumn] = &[
    col("year", "Năm", "Year", ColumnKind::Count, true),
    col("unit_code", "Mã đơn vị", "Unit code", ColumnKind::Text, true),
    col("unit_name", "Tên đơn vị", "Unit name", ColumnKind::Text, false),
    col("project_code", "Mã dự án", "Project code", ColumnKind::Text, true),
    col("source", "Nguồn vốn", "Source", ColumnKind::Text, true),
    col("allocated", "Kinh phí được giao (đồng)", "Allocated (VND)", ColumnKind::Money, true),
    col("committed", "Đã cam kết (đồng)", "Committed (VND)", ColumnKind::Money, false),
    col("disbursed", "Đã giải ngân (đồng)", "Disbursed (VND)", ColumnKind::Money, false),
    col("note", "Ghi chú", "Note", ColumnKind::Text, false),
];
