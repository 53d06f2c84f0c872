//! The activities table (*bảng phân công nhiệm vụ, hoạt động*): one row per activity of a unit's
//! plan — project, title, lead agency and officer, partner agencies (separated by `;`), where,
//! for whom, output, dates, status. CSV or the first sheet of a workbook, Vietnamese or English
//! headers; read by [`read_column_file`], written in the same layout by the application (its
//! export reads back).
//!
//! [`read_column_file`]: crate::review_tables::read_column_file

use crate::review_tables::{ColumnKind, StepColumn, col};

/// The columns, in the order the export writes them.
pub const ACTIVITY_COLUMNS: &[StepColumn] = &[
    col("year", "Năm", "Year", ColumnKind::Count, true),
    col("unit_code", "Mã đơn vị", "Unit code", ColumnKind::Text, true),
    col("project_code", "Mã dự án", "Project code", ColumnKind::Text, true),
    col("title", "Tên hoạt động", "Activity", ColumnKind::Text, true),
    col("lead_agency", "Cơ quan chủ trì", "Lead agency", ColumnKind::Text, true),
    col("lead_officer", "Cán bộ phụ trách", "Officer", ColumnKind::Text, false),
    col("partners", "Cơ quan phối hợp", "Partner agencies", ColumnKind::Text, false),
    col("locations", "Địa bàn", "Where", ColumnKind::Text, false),
    col("target_group", "Đối tượng", "For whom", ColumnKind::Text, false),
    col("planned_output", "Sản phẩm dự kiến", "Planned output", ColumnKind::Text, false),
    col("starts_on", "Từ ngày", "From", ColumnKind::Date, false),
    col("ends_on", "Đến ngày", "To", ColumnKind::Date, false),
    col("status", "Tình trạng", "Status", ColumnKind::Text, false),
];
