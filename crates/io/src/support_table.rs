//! The support table (*danh sách hộ được hỗ trợ*) agencies keep: one row per support delivered
//! to a household or a member. CSV or the first sheet of a workbook, Vietnamese or English
//! headers; read by [`read_column_file`].
//!
//! [`read_column_file`]: crate::review_tables::read_column_file

use crate::review_tables::{ColumnKind, StepColumn, col};

/// The columns, in the order a template lists them.
pub const SUPPORT_COLUMNS: &[StepColumn] = &[
    col("commune_code", "Mã xã", "Commune code", ColumnKind::Commune, true),
    col("household_code", "Mã hộ", "Household code", ColumnKind::Text, true),
    col("member_no", "Số thứ tự thành viên", "Member number", ColumnKind::Count, false),
    col("kind", "Loại hỗ trợ", "Kind of support", ColumnKind::Text, true),
    col("delivered_on", "Ngày hỗ trợ", "Delivered on", ColumnKind::Date, true),
    col("amount", "Số tiền (đồng)", "Amount (VND)", ColumnKind::Money, false),
    col("project_code", "Mã dự án", "Project code", ColumnKind::Text, false),
    col("source", "Nguồn vốn", "Source", ColumnKind::Text, false),
    col("activity_id", "Số hoạt động", "Activity number", ColumnKind::Count, false),
    col("note", "Ghi chú", "Note", ColumnKind::Text, false),
];
