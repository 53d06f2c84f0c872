//! The files of a review round's steps (*các bước rà soát*), one row per household: applications
//! (Mẫu 01, Mẫu 04, the village's proposals), Phiếu A results, households surveyed (Phiếu B),
//! village-meeting votes and complaints. CSV or the first sheet of a workbook, Vietnamese or
//! English headers; each step's columns are defined once here ([`StepTable::columns`]) and the
//! documentation and the CLI's help derive from them. Every problem is reported, located; a
//! file with an error yields no rows.

use crate::csv_reader;
use crate::error::ReadError;
use crate::problems::{Collector, FileCtx, Problem, ProblemKind, Severity, msg};
use crate::read::ReadReport;
use crate::rows::{RowHandler, RowView, Start, file_name};
use crate::xlsx_reader;
use chrono::NaiveDate;
use std::ops::ControlFlow;
use std::path::Path;
use vuonlen_core::text::{fold, nfc};

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// A commune code (5 digits; a number cell's lost zeros restored).
    Commune,
    /// Free text (NFC).
    Text,
    /// A day: `YYYY-MM-DD` or `DD/MM/YYYY`.
    Date,
    /// A whole number ≥ 0.
    Count,
    /// An amount of đồng ≥ 0: digits, grouped or not (`10.000.000`, `10,000,000`, `10 000 000`).
    Money,
    /// One of the listed codes (the first of each group is stored; the others are accepted).
    Code(&'static [&'static [&'static str]]),
}

/// A column of a step file.
#[derive(Debug, Clone, Copy)]
pub struct StepColumn {
    pub key: &'static str,
    pub label_vi: &'static str,
    pub label_en: &'static str,
    pub kind: ColumnKind,
    pub required: bool,
}

pub(crate) const fn col(
    key: &'static str,
    label_vi: &'static str,
    label_en: &'static str,
    kind: ColumnKind,
    required: bool,
) -> StepColumn {
    StepColumn { key, label_vi, label_en, kind, required }
}

const COMMUNE: StepColumn = col("commune_code", "Mã xã", "Commune code", ColumnKind::Commune, true);
const HOUSEHOLD: StepColumn = col("household_code", "Mã hộ", "Household code", ColumnKind::Text, true);

const ORIGINS: &[&[&str]] =
    &[&["mau_01", "01", "mẫu 01"], &["mau_04", "04", "mẫu 04"], &["village", "thôn đề xuất", "thon"]];
const SCREENING: &[&[&str]] = &[&["proceeds", "tiếp tục", "rà soát tiếp"], &["out", "loại", "không rà soát tiếp"]];
const OUTCOMES: &[&[&str]] = &[&["upheld", "chấp nhận", "đúng"], &["rejected", "không chấp nhận", "sai"]];
const CLASSES: &[&[&str]] = &[
    &["poor", "hộ nghèo", "nghèo"],
    &["near_poor", "hộ cận nghèo", "cận nghèo"],
    &["middle", "hộ có mức sống trung bình", "mức sống trung bình"],
    &["not_poor", "hộ không nghèo", "không nghèo"],
];

const APPLICATIONS_COLUMNS: &[StepColumn] = &[
    COMMUNE,
    HOUSEHOLD,
    col("origin", "Nguồn đề nghị", "Origin", ColumnKind::Code(ORIGINS), true),
    col("applied_on", "Ngày đề nghị", "Applied on", ColumnKind::Date, true),
];

const SCREENING_COLUMNS: &[StepColumn] = &[
    COMMUNE,
    HOUSEHOLD,
    col("result", "Kết quả nhận dạng", "Result", ColumnKind::Code(SCREENING), true),
    col("reason", "Lý do loại", "Reason", ColumnKind::Text, false),
    col("note", "Ghi chú", "Note", ColumnKind::Text, false),
    col("screened_on", "Ngày nhận dạng", "Screened on", ColumnKind::Date, true),
];

const SURVEYS_COLUMNS: &[StepColumn] = &[COMMUNE, HOUSEHOLD];

const MEETINGS_COLUMNS: &[StepColumn] = &[
    COMMUNE,
    HOUSEHOLD,
    col("held_on", "Ngày họp", "Held on", ColumnKind::Date, true),
    col("attendees", "Số người dự họp", "Attendees", ColumnKind::Count, true),
    col("agreeing", "Số người đồng ý", "Agreeing", ColumnKind::Count, true),
];

const COMPLAINTS_COLUMNS: &[StepColumn] = &[
    COMMUNE,
    HOUSEHOLD,
    col("lodged_on", "Ngày khiếu nại", "Lodged on", ColumnKind::Date, true),
    col("content", "Nội dung khiếu nại", "Content", ColumnKind::Text, true),
    col("outcome", "Kết quả phúc tra", "Outcome", ColumnKind::Code(OUTCOMES), false),
    col("recheck_class", "Phân loại sau phúc tra", "Re-check class", ColumnKind::Code(CLASSES), false),
    col("resolved_on", "Ngày giải quyết", "Resolved on", ColumnKind::Date, false),
];

const YES_NO: &[&[&str]] = &[&["1", "có", "yes", "x"], &["0", "không", "no"]];

/// Phiếu C (Decision 24/2021; Circular 07/2021): a household's actual income over the 12 months
/// before the review, social allowances and state social assistance excluded, to identify
/// middle-living households working in agriculture, forestry, fishery or salt making (NLNDN).
const INCOME_SURVEY_COLUMNS: &[StepColumn] = &[
    COMMUNE,
    HOUSEHOLD,
    col(
        "nlndn",
        "Hộ làm nông, lâm, ngư, diêm nghiệp",
        "Works in agriculture, forestry, fishery or salt making",
        ColumnKind::Code(YES_NO),
        true,
    ),
    col("income_12m", "Tổng thu nhập 12 tháng (đồng)", "Income over 12 months (VND)", ColumnKind::Count, true),
    col(
        "allowances_12m",
        "Trợ cấp, trợ giúp xã hội 12 tháng (đồng)",
        "Social allowances over 12 months (VND)",
        ColumnKind::Count,
        false,
    ),
    col("surveyed_on", "Ngày khảo sát", "Surveyed on", ColumnKind::Date, true),
];

/// The step files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepTable {
    Applications,
    Screening,
    Surveys,
    /// Phiếu C: actual 12-month income (*thu nhập thực tế 12 tháng*).
    IncomeSurvey,
    Meetings,
    Complaints,
}

impl StepTable {
    pub const ALL: [StepTable; 6] = [
        StepTable::Applications,
        StepTable::Screening,
        StepTable::Surveys,
        StepTable::IncomeSurvey,
        StepTable::Meetings,
        StepTable::Complaints,
    ];

    /// The columns of the step's file, in the order a template lists them.
    pub fn columns(self) -> &'static [StepColumn] {
        match self {
            StepTable::Applications => APPLICATIONS_COLUMNS,
            StepTable::Screening => SCREENING_COLUMNS,
            StepTable::Surveys => SURVEYS_COLUMNS,
            StepTable::IncomeSurvey => INCOME_SURVEY_COLUMNS,
            StepTable::Meetings => MEETINGS_COLUMNS,
            StepTable::Complaints => COMPLAINTS_COLUMNS,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            StepTable::Applications => "applications",
            StepTable::Screening => "screening",
            StepTable::Surveys => "surveys",
            StepTable::IncomeSurvey => "income_survey",
            StepTable::Meetings => "meetings",
            StepTable::Complaints => "complaints",
        }
    }
}

/// A value read from a cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Empty,
    Text(String),
    Date(NaiveDate),
    Count(u64),
}

impl Cell {
    pub fn text(&self) -> Option<&str> {
        match self {
            Cell::Text(s) => Some(s),
            _ => None,
        }
    }
    pub fn date(&self) -> Option<NaiveDate> {
        match self {
            Cell::Date(d) => Some(*d),
            _ => None,
        }
    }
    pub fn count(&self) -> Option<u64> {
        match self {
            Cell::Count(n) => Some(*n),
            _ => None,
        }
    }
}

/// One row of a step file: its row number and a cell per column of [`StepTable::columns`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRecord {
    pub row: u64,
    pub cells: Vec<Cell>,
}

impl StepRecord {
    /// The cell of column `key`.
    pub fn get(&self, table: StepTable, key: &str) -> &Cell {
        table.columns().iter().position(|c| c.key == key).and_then(|i| self.cells.get(i)).unwrap_or(&Cell::Empty)
    }
}

/// What was read.
#[derive(Debug, Clone)]
pub struct StepFile {
    pub table: StepTable,
    pub file: String,
    pub sheet: Option<String>,
    /// The header as written for each column (the key when absent).
    pub headers: Vec<String>,
    pub rows: Vec<StepRecord>,
    pub report: ReadReport,
}

impl StepFile {
    /// A problem about row `row`, column `key` (refusals of the registry, located).
    pub fn problem(&self, row: u64, key: &str, value: &str, vi: String, en: String) -> Problem {
        let i = self.table.columns().iter().position(|c| c.key == key);
        Problem {
            kind: ProblemKind::Refused,
            file: self.file.clone(),
            sheet: self.sheet.clone(),
            row,
            column: i.and_then(|i| self.headers.get(i)).cloned().unwrap_or_else(|| key.to_string()),
            value: value.to_string(),
            household_code: None,
            message_vi: vi,
            message_en: en,
        }
    }
}

/// A file of any defined column set (budget lines, support records…), read like a step file.
#[derive(Debug, Clone)]
pub struct ColumnFile {
    pub columns: &'static [StepColumn],
    pub file: String,
    pub sheet: Option<String>,
    /// The header as written for each column (the key when absent).
    pub headers: Vec<String>,
    pub rows: Vec<StepRecord>,
    pub report: ReadReport,
}

impl ColumnFile {
    /// The cell of column `key` in `r`.
    pub fn get<'a>(&self, r: &'a StepRecord, key: &str) -> &'a Cell {
        self.columns.iter().position(|c| c.key == key).and_then(|i| r.cells.get(i)).unwrap_or(&Cell::Empty)
    }

    /// A problem about row `row`, column `key` (a refusal of the application, located).
    pub fn problem(&self, row: u64, key: &str, value: &str, vi: String, en: String) -> Problem {
        let i = self.columns.iter().position(|c| c.key == key);
        Problem {
            kind: ProblemKind::Refused,
            file: self.file.clone(),
            sheet: self.sheet.clone(),
            row,
            column: i.and_then(|i| self.headers.get(i)).cloned().unwrap_or_else(|| key.to_string()),
            value: value.to_string(),
            household_code: None,
            message_vi: vi,
            message_en: en,
        }
    }
}

/// Reads a file of `columns` (`.csv`, or `.xlsx`: its first sheet): every row that could be read,
/// whatever problems other rows have — so that what the application checks next is reported
/// with them, all at once; a caller records nothing unless the report is clean.
pub fn read_column_file(columns: &'static [StepColumn], path: &Path) -> Result<ColumnFile, ReadError> {
    let mut r = Reader {
        columns,
        ctx: FileCtx::default(),
        index: Vec::new(),
        header: Vec::new(),
        rows: Vec::new(),
        problems: Collector::default(),
        data_rows: 0,
    };
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx")) {
        xlsx_reader::scan(path, &[], &mut r)?;
    } else {
        csv_reader::scan(path, &mut r)?;
    }
    let clean = r.problems.errors.is_empty();
    let headers = (0..columns.len()).map(|c| r.header_of(c)).collect();
    let report = ReadReport {
        households: r.data_rows,
        valid_households: if clean { r.rows.len() as u64 } else { 0 },
        errors: r.problems.errors,
        warnings: r.problems.warnings,
        ..ReadReport::default()
    };
    Ok(ColumnFile {
        columns,
        file: if r.ctx.file.is_empty() { file_name(path) } else { r.ctx.file },
        sheet: r.ctx.sheet,
        headers,
        rows: r.rows,
        report,
    })
}

/// Reads a step file (`.csv`, or `.xlsx`: its first sheet); a file with an error yields no rows.
pub fn read_step_file(table: StepTable, path: &Path) -> Result<StepFile, ReadError> {
    let f = read_column_file(table.columns(), path)?;
    let rows = if f.report.errors.is_empty() { f.rows } else { Vec::new() };
    Ok(StepFile { table, file: f.file, sheet: f.sheet, headers: f.headers, rows, report: f.report })
}

struct Reader {
    columns: &'static [StepColumn],
    ctx: FileCtx,
    index: Vec<Option<usize>>,
    header: Vec<String>,
    rows: Vec<StepRecord>,
    problems: Collector,
    data_rows: u64,
}

impl Reader {
    fn header_of(&self, c: usize) -> String {
        self.index
            .get(c)
            .copied()
            .flatten()
            .and_then(|i| self.header.get(i))
            .cloned()
            .unwrap_or_else(|| self.columns[c].key.to_string())
    }

    fn push(&mut self, kind: ProblemKind, row: u64, column: &str, value: &str, m: (String, String)) {
        let ctx = &self.ctx;
        self.problems.push(Severity::Error, || Problem {
            kind,
            file: ctx.file.clone(),
            sheet: ctx.sheet.clone(),
            row,
            column: column.to_string(),
            value: value.to_string(),
            household_code: None,
            message_vi: m.0,
            message_en: m.1,
        });
    }
}

/// An amount of đồng: digits, optionally grouped by threes with `.`, `,` or spaces.
pub fn parse_money(s: &str) -> Option<u64> {
    let t = s.trim().trim_end_matches("đồng").trim_end_matches('đ').trim();
    if t.is_empty() {
        return None;
    }
    let groups: Vec<&str> = t.split(['.', ',', ' ', '\u{a0}']).collect();
    let grouped = groups.len() > 1;
    if grouped && (groups[0].is_empty() || groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3)) {
        return None;
    }
    if !groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    groups.concat().parse::<u64>().ok()
}

/// A full date, `YYYY-MM-DD` or `DD/MM/YYYY` (also with `-` or `.`).
fn parse_day(s: &str) -> Option<NaiveDate> {
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d);
    }
    for f in ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return Some(d);
        }
    }
    None
}

impl RowHandler for Reader {
    fn start(&mut self, ctx: FileCtx, start: Start) -> ControlFlow<()> {
        self.ctx = ctx;
        let columns = self.columns;
        self.index = vec![None; columns.len()];
        match start {
            Start::Empty | Start::MissingSheet { .. } => {
                let m = msg::empty_file();
                self.push(ProblemKind::EmptyFile, 0, "", "", (m.vi, m.en));
                ControlFlow::Break(())
            }
            Start::Header { cells, .. } => {
                let names: Vec<Vec<String>> =
                    columns.iter().map(|c| vec![c.key.to_string(), fold(c.label_vi), fold(c.label_en)]).collect();
                self.index = crate::header::match_columns(&cells, &names);
                self.header = cells;
                let mut missing = false;
                for (c, column) in columns.iter().enumerate() {
                    if column.required && self.index[c].is_none() {
                        let m = msg::missing_column(column.label_vi, column.key);
                        self.push(ProblemKind::MissingColumn, 1, column.key, "", (m.vi, m.en));
                        missing = true;
                    }
                }
                if missing { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
            }
        }
    }

    fn row(&mut self, row: &RowView<'_>) -> ControlFlow<()> {
        if row.is_blank() {
            return ControlFlow::Continue(());
        }
        self.data_rows += 1;
        let columns = self.columns;
        let mut cells = Vec::with_capacity(columns.len());
        let mut ok = true;
        for (c, column) in columns.iter().enumerate() {
            let Some(i) = self.index[c] else {
                cells.push(Cell::Empty);
                continue;
            };
            let raw = row.get(i).trim();
            let header = self.header_of(c);
            if raw.is_empty() {
                if column.required {
                    let m = msg::missing_value(column.label_vi, column.key);
                    self.push(ProblemKind::MissingValue, row.row, &header, raw, (m.vi, m.en));
                    ok = false;
                }
                cells.push(Cell::Empty);
                continue;
            }
            let cell = match column.kind {
                ColumnKind::Text => Some(Cell::Text(nfc(raw).into_owned())),
                ColumnKind::Commune => {
                    let code = if row.is_numeric(i) && raw.len() < 5 { format!("{raw:0>5}") } else { raw.to_string() };
                    if code.len() == 5 && code.bytes().all(|b| b.is_ascii_digit()) {
                        Some(Cell::Text(code))
                    } else {
                        let m = msg::invalid_commune_code(raw);
                        self.push(ProblemKind::InvalidCommuneCode, row.row, &header, raw, (m.vi, m.en));
                        None
                    }
                }
                ColumnKind::Date => match parse_day(raw) {
                    Some(d) => Some(Cell::Date(d)),
                    None => {
                        let m = msg::invalid_date(column.label_vi, column.key, raw);
                        self.push(ProblemKind::InvalidDate, row.row, &header, raw, (m.vi, m.en));
                        None
                    }
                },
                ColumnKind::Count => match raw.parse::<u64>() {
                    Ok(n) => Some(Cell::Count(n)),
                    Err(_) => {
                        let m = msg::invalid_number(
                            column.label_vi,
                            column.key,
                            raw,
                            "số nguyên không âm",
                            "a whole number",
                        );
                        self.push(ProblemKind::InvalidNumber, row.row, &header, raw, (m.vi, m.en));
                        None
                    }
                },
                ColumnKind::Money => match parse_money(raw) {
                    Some(n) => Some(Cell::Count(n)),
                    None => {
                        let m = msg::invalid_number(
                            column.label_vi,
                            column.key,
                            raw,
                            "số tiền (đồng) không âm, như 10.000.000",
                            "an amount of đồng, not negative, such as 10000000",
                        );
                        self.push(ProblemKind::InvalidNumber, row.row, &header, raw, (m.vi, m.en));
                        None
                    }
                },
                ColumnKind::Code(groups) => {
                    let f = fold(raw);
                    match groups.iter().find(|g| g.iter().any(|v| fold(v) == f)) {
                        Some(g) => Some(Cell::Text(g[0].to_string())),
                        None => {
                            let expected: Vec<&str> = groups.iter().map(|g| g[0]).collect();
                            let m = msg::invalid_code(column.label_vi, column.key, raw, &expected.join(", "));
                            self.push(ProblemKind::InvalidCode, row.row, &header, raw, (m.vi, m.en));
                            None
                        }
                    }
                }
            };
            match cell {
                Some(cell) => cells.push(cell),
                None => {
                    ok = false;
                    cells.push(Cell::Empty);
                }
            }
        }
        if ok {
            self.rows.push(StepRecord { row: row.row, cells });
        }
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).expect("write");
        p
    }

    #[test]
    fn a_meeting_file_in_vietnamese_reads_with_its_cells() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = write(
            dir.path(),
            "hop.csv",
            "Mã xã,Mã hộ,Ngày họp,Số người dự họp,Số người đồng ý\n00004,H01,15/10/2026,40,19\n00004,H02,2026-10-15,40,30\n",
        );
        let f = read_step_file(StepTable::Meetings, &p).expect("read");
        assert!(f.report.errors.is_empty(), "{:?}", f.report.errors);
        assert_eq!(f.rows.len(), 2);
        let t = StepTable::Meetings;
        assert_eq!(f.rows[0].get(t, "commune_code").text(), Some("00004"));
        assert_eq!(f.rows[0].get(t, "held_on").date(), NaiveDate::from_ymd_opt(2026, 10, 15));
        assert_eq!(f.rows[1].get(t, "agreeing").count(), Some(30));
    }

    #[test]
    fn every_problem_is_located_and_no_row_is_kept() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = write(
            dir.path(),
            "khieu-nai.csv",
            "commune_code,household_code,lodged_on,content,outcome\n00004,H01,32/12/2026,x,maybe\n00004,,2026-12-02,,\n",
        );
        let f = read_step_file(StepTable::Complaints, &p).expect("read");
        let located: Vec<(u64, &str)> = f.report.errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(located, vec![(2, "lodged_on"), (2, "outcome"), (3, "household_code"), (3, "content")]);
        assert!(f.rows.is_empty());
        assert!(f.report.errors.iter().all(|e| e.file == "khieu-nai.csv"));
    }

    #[test]
    fn the_documentation_lists_every_column_of_every_step() {
        let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/review.md")).expect("docs");
        for t in StepTable::ALL {
            assert!(doc.contains(&format!("| {} |", t.key())), "docs/review.md lacks the step {}", t.key());
            for c in t.columns() {
                assert!(doc.contains(&format!("`{}`", c.key)), "docs/review.md lacks column {} of {}", c.key, t.key());
            }
        }
    }

    #[test]
    fn money_is_read_grouped_or_not_and_never_guessed() {
        assert_eq!(parse_money("10.000.000"), Some(10_000_000));
        assert_eq!(parse_money("10,000,000"), Some(10_000_000));
        assert_eq!(parse_money("30 000 000 đ"), Some(30_000_000));
        assert_eq!(parse_money("2500000"), Some(2_500_000));
        // 1,5 (a decimal comma) is not an amount of đồng; nor a negative one.
        assert_eq!(parse_money("1,5"), None);
        assert_eq!(parse_money("-100"), None);
        assert_eq!(parse_money("10.00.000"), None);
    }

    #[test]
    fn a_missing_column_is_named() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = write(dir.path(), "a.csv", "Mã xã,Mã hộ\n00004,H01\n");
        let f = read_step_file(StepTable::Applications, &p).expect("read");
        let missing: Vec<&str> = f.report.errors.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(missing, vec!["origin", "applied_on"]);
    }
}
