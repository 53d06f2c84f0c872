//! vuonlen I/O: the household interchange format (`docs/household-format.md`) in CSV and XLSX,
//! and the files the system writes from it.
//!
//! - [`read`]: streams and validates households and members from a [`Source`] into a
//!   [`HouseholdSink`], returning a [`ReadReport`] with every problem, located and explained in
//!   Vietnamese and English.
//! - [`HouseholdWriter`]: writes records in the interchange format (CSV pair or workbook).
//! - [`ClassificationWriter`]: one row per classified household.
//! - [`write_problems`]: the problems of a read, as a CSV or XLSX error file.
//! - [`summary`]: unit aggregates in the layouts of the official reports.

pub mod activity_table;
pub mod budget_table;
mod bytes;
mod check;
mod classification_out;
mod csv_reader;
mod error;
mod error_file;
mod fields;
pub mod forms;
pub mod header;
mod households;
mod join;
mod key;
pub mod limits;
mod locate;
mod members;
mod pipeline;
mod plain_table;
mod problems;
mod read;
pub mod record;
mod recorded;
pub mod review_list;
pub mod review_month;
pub mod review_tables;
mod rows;
pub mod score_answers;
mod seen;
mod split;
pub mod summary;
pub mod support_table;
mod table_reader;
mod target_table;
mod totals;
mod writer;
mod xlsx_reader;

pub use classification_out::{CLASSIFICATION_COLUMNS, ClassificationWriter};
pub use error::{ReadError, SinkError, WriteError};
pub use error_file::{ERROR_FILE_COLUMNS, write_problems};
pub use limits::{DEFAULT_MAX_CHARS, FIELD_LIMITS, FieldLimit, MAX_RECORD_BYTES, field_limit};
pub use locate::{locate_households, locate_members};
pub use plain_table::{PlainCell, PlainRow, write_plain_table};
pub use problems::{MAX_PROBLEMS, Problem, ProblemKind, Severity};
pub use read::{HOUSEHOLD_SHEETS, HouseholdSink, MEMBER_SHEETS, ReadOptions, ReadReport, Source, read};
pub use record::{HouseholdRecord, MemberPersonal};
pub use table_reader::Table;
pub use target_table::{TargetOut, TargetTable, TargetTableRow, read_target_table, write_target_table};
pub use totals::{ResidentTotalRow, ResidentTotals, read_resident_totals};
pub use writer::{HeaderStyle, HouseholdWriter, OutputFormat, Target};
