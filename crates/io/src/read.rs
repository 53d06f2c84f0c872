//! Reading the household interchange format: the public entry point [`read`].
//!
//! Two threads parse the households and the members file (or sheet) into batches; the calling
//! thread joins them ([`crate::join`]) and hands valid households to a [`HouseholdSink`] in
//! batches. Memory stays bounded by the batch sizes and the join's window, plus 24 bytes per
//! household id (to detect duplicates), unless the members file is out of order.

use crate::csv_reader;
use crate::error::{ReadError, SinkError};
use crate::households::HouseholdParser;
use crate::join::{self, Mode, Outcome};
use crate::members::MemberParser;
use crate::problems::{Collector, MAX_PROBLEMS, Problem, ProblemKind, msg};
use crate::record::HouseholdRecord;
use crate::rows::file_name;
use crate::table_reader::{self, Table};
use crate::xlsx_reader;
use chrono::NaiveDate;
use std::path::PathBuf;
use std::sync::mpsc::sync_channel;

/// Batches in flight between a parsing thread and the joining thread.
const CHANNEL: usize = 16;

/// Accepted names of the households sheet of a workbook.
pub const HOUSEHOLD_SHEETS: [&str; 2] = ["households", "Hộ"];
/// Accepted names of the members sheet of a workbook.
pub const MEMBER_SHEETS: [&str; 2] = ["members", "Thành viên"];

/// Where household data is: two CSV files, one workbook with two sheets, or two tables in
/// memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `households.csv` and `members.csv`.
    Csv { households: PathBuf, members: PathBuf },
    /// One workbook with sheets `households`/`Hộ` and `members`/`Thành viên`.
    Xlsx { workbook: PathBuf },
    /// Two tables held in memory (an edit form, an API body): no file is written or read.
    Rows { households: Table, members: Table },
}

impl Source {
    /// The files of a source, for messages.
    pub fn paths(&self) -> Vec<&std::path::Path> {
        match self {
            Source::Csv { households, members } => vec![households, members],
            Source::Xlsx { workbook } => vec![workbook],
            Source::Rows { .. } => Vec::new(),
        }
    }
}

/// How to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// Reference date: ages are taken at this date, and births after it are errors.
    pub as_of: NaiveDate,
    /// Keep names, addresses and ID numbers. When false they are validated but not stored
    /// (`head_name`, `address`, `full_name` are empty, `id_number` is `None`, and
    /// `ethnicity_name` is filled only for names outside the list of 54 groups).
    pub keep_personal: bool,
    /// Hand only valid households to the sink, and still report every problem. When false,
    /// the sink stops receiving households at the first invalid one: a file with errors is
    /// meant to be rejected whole, and the caller must discard what it received.
    pub skip_invalid: bool,
    /// The standard reads `waste_treatment` (2027–2030): the column and its values are
    /// required.
    pub require_waste_treatment: bool,
}

impl ReadOptions {
    /// Options with personal data dropped, no skipping, and `waste_treatment` optional.
    pub fn new(as_of: NaiveDate) -> Self {
        ReadOptions { as_of, keep_personal: false, skip_invalid: false, require_waste_treatment: false }
    }
}

/// Receives the valid households of a read, in file order, in batches of a few hundred.
pub trait HouseholdSink {
    /// Takes one batch.
    fn accept(&mut self, batch: Vec<HouseholdRecord>) -> Result<(), SinkError>;
    /// Forgets everything accepted so far: the reader starts again from the first household
    /// (it does so when the members file is not in household order).
    fn reset(&mut self) -> Result<(), SinkError>;
    /// A batch the sink is done with, if any, for the reader to fill again: its records keep
    /// their strings and vectors, so that reading allocates nothing per household. The reader
    /// overwrites every field. `None` (the default) makes the reader allocate new records.
    fn recycle(&mut self) -> Option<Vec<HouseholdRecord>> {
        None
    }
}

/// A sink that keeps every household in memory (for small files and tests).
impl HouseholdSink for Vec<HouseholdRecord> {
    fn accept(&mut self, batch: Vec<HouseholdRecord>) -> Result<(), SinkError> {
        self.extend(batch);
        Ok(())
    }
    fn reset(&mut self) -> Result<(), SinkError> {
        self.clear();
        Ok(())
    }
}

/// What a read found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadReport {
    /// Data rows of the households file.
    pub households: u64,
    /// Data rows of the members file.
    pub members: u64,
    /// Households without any problem (with their members).
    pub valid_households: u64,
    /// Households not handed to the sink because they or their members have errors.
    pub skipped_households: u64,
    /// Errors, households file first, then members file, each by row.
    pub errors: Vec<Problem>,
    /// Warnings, in the same order.
    pub warnings: Vec<Problem>,
    /// Errors beyond [`MAX_PROBLEMS`], counted but not listed.
    pub errors_omitted: u64,
    /// Warnings beyond [`MAX_PROBLEMS`], counted but not listed.
    pub warnings_omitted: u64,
    /// The members file was out of order and was joined in memory.
    pub in_memory_join: bool,
    /// The error file's seventh column when its rows are not households: `unit` for a target
    /// table (`None`: `household_id`).
    pub key_column: Option<&'static str>,
}

impl ReadReport {
    /// True when there is no error (warnings allowed).
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty() && self.errors_omitted == 0
    }
}

/// Reads households and members from `source`, validating every field, and hands valid
/// households to `sink`. Returns every problem found (up to [`MAX_PROBLEMS`] of each
/// severity); an `Err` means reading could not go on (a file cannot be opened or read, or
/// the sink failed).
pub fn read(source: &Source, opts: &ReadOptions, sink: &mut dyn HouseholdSink) -> Result<ReadReport, ReadError> {
    if let Some(report) = run(source, opts, sink, Mode::Streaming)? {
        return Ok(report);
    }
    sink.reset()?;
    let mut report = run(source, opts, sink, Mode::InMemory)?
        .ok_or_else(|| ReadError::Internal("the in-memory join cannot be out of order".into()))?;
    report.in_memory_join = true;
    let (file, sheet) = match source {
        Source::Csv { members, .. } => (file_name(members), None),
        Source::Xlsx { workbook } => (file_name(workbook), Some(MEMBER_SHEETS[0].to_string())),
        Source::Rows { members, .. } => (members.name.clone(), None),
    };
    let m = msg::members_out_of_order();
    report.warnings.insert(
        0,
        Problem {
            kind: ProblemKind::MembersOutOfOrder,
            file,
            sheet,
            row: 0,
            column: String::new(),
            value: String::new(),
            household_code: None,
            message_vi: m.vi,
            message_en: m.en,
        },
    );
    Ok(report)
}

/// One pass; `None` when the streaming join found the members out of order.
fn run(
    source: &Source,
    opts: &ReadOptions,
    sink: &mut dyn HouseholdSink,
    mode: Mode,
) -> Result<Option<ReadReport>, ReadError> {
    std::thread::scope(|s| {
        let (hh_tx, hh_rx) = sync_channel(CHANNEL);
        let (mem_tx, mem_rx) = sync_channel(CHANNEL);
        let hh_thread = std::thread::Builder::new()
            .name("read-households".into())
            .spawn_scoped(s, move || -> Result<(Collector, u64), ReadError> {
                let mut p = HouseholdParser::new(opts, hh_tx);
                match source {
                    Source::Csv { households, .. } => csv_reader::scan(households, &mut p)?,
                    Source::Xlsx { workbook } => xlsx_reader::scan(workbook, &HOUSEHOLD_SHEETS, &mut p)?,
                    Source::Rows { households, .. } => table_reader::scan(households, &mut p)?,
                }
                Ok(p.finish())
            })
            .map_err(|e| ReadError::Internal(format!("cannot start a reading thread: {e}")))?;
        let mem_thread = std::thread::Builder::new()
            .name("read-members".into())
            .spawn_scoped(s, move || -> Result<(Collector, u64), ReadError> {
                let mut p = MemberParser::new(opts, mem_tx);
                match source {
                    Source::Csv { members, .. } => csv_reader::scan(members, &mut p)?,
                    Source::Xlsx { workbook } => xlsx_reader::scan(workbook, &MEMBER_SHEETS, &mut p)?,
                    Source::Rows { members, .. } => table_reader::scan(members, &mut p)?,
                }
                Ok(p.finish())
            })
            .map_err(|e| ReadError::Internal(format!("cannot start a reading thread: {e}")))?;

        // The receivers are moved into the join and dropped when it returns, which stops the
        // parsing threads if it returns early.
        let joined = join::run(mode, opts.skip_invalid, sink, hh_rx, mem_rx);
        let panicked = |_| ReadError::Internal("a reading thread panicked".into());
        let hh_result = hh_thread.join().map_err(panicked)?;
        let mem_result = mem_thread.join().map_err(panicked)?;
        let joined = joined?;
        let (hh_problems, hh_rows) = hh_result?;
        let (mem_problems, mem_rows) = mem_result?;
        let joined = match joined {
            Outcome::OutOfOrder => return Ok(None),
            Outcome::Done(j) => j,
        };

        let mut hh_all = hh_problems;
        hh_all.append(joined.hh_problems);
        let mut mem_all = mem_problems;
        mem_all.append(joined.mem_problems);
        let (errors, errors_omitted) = merge(
            std::mem::take(&mut hh_all.errors),
            std::mem::take(&mut mem_all.errors),
            hh_all.errors_total + mem_all.errors_total,
        );
        let (warnings, warnings_omitted) =
            merge(hh_all.warnings, mem_all.warnings, hh_all.warnings_total + mem_all.warnings_total);
        Ok(Some(ReadReport {
            households: hh_rows,
            members: mem_rows,
            valid_households: joined.valid,
            skipped_households: hh_rows - joined.valid.min(hh_rows),
            errors,
            warnings,
            errors_omitted,
            warnings_omitted,
            in_memory_join: false,
            key_column: None,
        }))
    })
}

/// Households-file problems then members-file problems, each by row (stable, so a row's
/// problems keep their column order); at most [`MAX_PROBLEMS`], and how many were left out.
fn merge(mut hh: Vec<Problem>, mut mem: Vec<Problem>, total: u64) -> (Vec<Problem>, u64) {
    hh.sort_by_key(|p| p.row);
    mem.sort_by_key(|p| p.row);
    hh.extend(mem);
    hh.truncate(MAX_PROBLEMS);
    let omitted = total - hh.len() as u64;
    (hh, omitted)
}
