//! Resident totals (*tổng số hộ dân cư, nhân khẩu*): a commune's resident households and persons
//! in a review period, the base of every rate. A review surveys the listed households and the
//! applicants, not every resident, so the registry cannot count them: they are an input, one row
//! per commune (CSV or the first sheet of a workbook, Vietnamese or English headers):
//!
//! `commune_code,households,persons[,source]`
//!
//! A total row (`Tổng`, `Tổng cộng`, `Cộng` in the first text column) is optional; when present,
//! it must be the sum of the rows. Every problem is reported, located; a file with an error
//! yields no totals at all.

use crate::csv_reader;
use crate::error::ReadError;
use crate::problems::{Collector, FileCtx, Problem, ProblemKind, Severity, msg};
use crate::read::ReadReport;
use crate::rows::{RowHandler, RowView, Start, file_name};
use crate::xlsx_reader;
use std::collections::HashMap;
use std::ops::ControlFlow;
use std::path::Path;
use vuonlen_core::text::{fold, nfc};
use vuonlen_core::units::AdminUnits;

/// A column of the totals file: key, Vietnamese label, other accepted headers.
struct Column {
    key: &'static str,
    label_vi: &'static str,
    aliases: &'static [&'static str],
    required: bool,
}

const COLUMNS: [Column; 4] = [
    Column {
        key: "commune_code", label_vi: "Mã xã", aliases: &["mã đơn vị", "mã xã/phường"], required: true
    },
    Column {
        key: "households",
        label_vi: "Số hộ dân cư",
        aliases: &["tổng số hộ dân cư", "tổng số hộ", "số hộ", "hộ dân cư"],
        required: true,
    },
    Column {
        key: "persons",
        label_vi: "Số nhân khẩu",
        aliases: &["tổng số nhân khẩu", "nhân khẩu", "số người"],
        required: true,
    },
    Column { key: "source", label_vi: "Nguồn", aliases: &["nguồn số liệu"], required: false },
];

const COMMUNE: usize = 0;
const HOUSEHOLDS: usize = 1;
const PERSONS: usize = 2;
const SOURCE: usize = 3;

/// Labels of an optional total row.
const TOTAL_LABELS: [&str; 3] = ["tong", "tong cong", "cong"];

/// One commune's resident totals, with the row it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResidentTotalRow {
    /// Row as a spreadsheet shows it (header = 1).
    pub row: u64,
    pub commune_code: String,
    pub households: u64,
    pub persons: u64,
    /// Where the figures come from (the commune police's residence data, a census, …).
    pub source: Option<String>,
}

/// What was read: the rows (empty when any error was found) and every problem.
#[derive(Debug, Clone, Default)]
pub struct ResidentTotals {
    /// The file's name, for locating later problems (the registry's checks).
    pub file: String,
    pub sheet: Option<String>,
    pub rows: Vec<ResidentTotalRow>,
    pub report: ReadReport,
}

impl ResidentTotals {
    /// A problem about row `row` of this file, column `column` (a key of the format).
    pub fn problem(&self, kind: ProblemKind, row: u64, column: &str, value: &str, vi: String, en: String) -> Problem {
        Problem {
            kind,
            file: self.file.clone(),
            sheet: self.sheet.clone(),
            row,
            column: column.to_string(),
            value: value.to_string(),
            household_code: None,
            message_vi: vi,
            message_en: en,
        }
    }
}

/// Reads a totals file (`.csv`, or `.xlsx`: its first sheet).
pub fn read_resident_totals(path: &Path) -> Result<ResidentTotals, ReadError> {
    let mut r = Reader::default();
    let xlsx = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if xlsx {
        xlsx_reader::scan(path, &[], &mut r)?;
    } else {
        csv_reader::scan(path, &mut r)?;
    }
    r.finish();
    let Reader { ctx, rows, problems, data_rows, .. } = r;
    let clean = problems.errors.is_empty();
    let report = ReadReport {
        households: data_rows,
        valid_households: if clean { rows.len() as u64 } else { 0 },
        errors: problems.errors,
        warnings: problems.warnings,
        ..ReadReport::default()
    };
    Ok(ResidentTotals {
        file: if ctx.file.is_empty() { file_name(path) } else { ctx.file },
        sheet: ctx.sheet,
        rows: if clean { rows } else { Vec::new() },
        report,
    })
}

#[derive(Default)]
struct Reader {
    ctx: FileCtx,
    /// Column index in the file of each of [`COLUMNS`].
    index: [Option<usize>; 4],
    header: Vec<String>,
    rows: Vec<ResidentTotalRow>,
    first_row: HashMap<String, u64>,
    total: Option<(u64, Option<u64>, Option<u64>)>,
    problems: Collector,
    data_rows: u64,
}

impl Reader {
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

    /// The header as written for column `c` of [`COLUMNS`].
    fn header_of(&self, c: usize) -> String {
        self.index[c].and_then(|i| self.header.get(i)).cloned().unwrap_or_else(|| COLUMNS[c].key.to_string())
    }

    fn count(&mut self, row: &RowView<'_>, c: usize) -> Option<u64> {
        let i = self.index[c]?;
        let v = row.get(i);
        let col = self.header_of(c);
        if v.is_empty() {
            let m = msg::missing_value(COLUMNS[c].label_vi, COLUMNS[c].key);
            self.push(ProblemKind::MissingValue, row.row, &col, v, (m.vi, m.en));
            return None;
        }
        match parse_count(v) {
            Some(n) => Some(n),
            None => {
                let m =
                    msg::invalid_number(COLUMNS[c].label_vi, COLUMNS[c].key, v, "số nguyên không âm", "a whole number");
                self.push(ProblemKind::InvalidNumber, row.row, &col, v, (m.vi, m.en));
                None
            }
        }
    }

    fn finish(&mut self) {
        let Some((row, households, persons)) = self.total else { return };
        let sum_h: u64 = self.rows.iter().map(|r| r.households).sum();
        let sum_p: u64 = self.rows.iter().map(|r| r.persons).sum();
        for (c, given, sum) in [(HOUSEHOLDS, households, sum_h), (PERSONS, persons, sum_p)] {
            if let Some(given) = given.filter(|g| *g != sum) {
                let col = self.header_of(c);
                self.push(
                    ProblemKind::OutOfRange,
                    row,
                    &col,
                    &given.to_string(),
                    (
                        format!("Dòng tổng ghi {given} nhưng cộng các xã được {sum}."),
                        format!("The total row says {given} but the communes add up to {sum}."),
                    ),
                );
            }
        }
    }
}

/// A whole number: digits, possibly grouped by thousands with `.`, `,` or spaces (`12.345`).
pub(crate) fn parse_count(v: &str) -> Option<u64> {
    let groups: Vec<&str> = v.split(['.', ',', ' ', '\u{a0}']).collect();
    let grouped = groups.len() > 1
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()));
    if groups.len() == 1 || grouped {
        let digits: String = groups.concat();
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()
    } else {
        None
    }
}

impl RowHandler for Reader {
    fn start(&mut self, ctx: FileCtx, start: Start) -> ControlFlow<()> {
        self.ctx = ctx;
        match start {
            Start::Empty | Start::MissingSheet { .. } => {
                let m = msg::empty_file();
                self.push(ProblemKind::EmptyFile, 0, "", "", (m.vi, m.en));
                ControlFlow::Break(())
            }
            Start::Header { cells, .. } => {
                let names: Vec<Vec<String>> = COLUMNS
                    .iter()
                    .map(|c| {
                        [c.key.to_string(), fold(c.label_vi)]
                            .into_iter()
                            .chain(c.aliases.iter().map(|a| fold(a)))
                            .collect()
                    })
                    .collect();
                for (c, i) in crate::header::match_columns(&cells, &names).into_iter().enumerate() {
                    self.index[c] = i;
                }
                self.header = cells;
                let mut missing = false;
                for (c, col) in COLUMNS.iter().enumerate() {
                    if col.required && self.index[c].is_none() {
                        let m = msg::missing_column(col.label_vi, col.key);
                        self.push(ProblemKind::MissingColumn, 1, col.key, "", (m.vi, m.en));
                        missing = true;
                    }
                }
                if missing { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
            }
        }
    }

    fn row(&mut self, row: &RowView<'_>) -> ControlFlow<()> {
        let Some(ci) = self.index[COMMUNE] else { return ControlFlow::Break(()) };
        let raw = row.get(ci);
        // A total row: a label where the code would be, or in the first column.
        if [raw, row.get(0)].iter().any(|t| TOTAL_LABELS.contains(&fold(t).as_str())) {
            let h = self.index[HOUSEHOLDS].and_then(|i| parse_count(row.get(i)));
            let p = self.index[PERSONS].and_then(|i| parse_count(row.get(i)));
            self.total = Some((row.row, h, p));
            return ControlFlow::Continue(());
        }
        self.data_rows += 1;
        let col = self.header_of(COMMUNE);
        // A number cell loses the code's leading zeros.
        let code = if row.is_numeric(ci) && raw.len() < 5 { format!("{raw:0>5}") } else { raw.to_string() };
        let mut ok = true;
        if code.len() != 5 || !code.bytes().all(|b| b.is_ascii_digit()) {
            let m = if code.is_empty() {
                msg::missing_value(COLUMNS[COMMUNE].label_vi, COLUMNS[COMMUNE].key)
            } else {
                msg::invalid_commune_code(raw)
            };
            self.push(ProblemKind::InvalidCommuneCode, row.row, &col, raw, (m.vi, m.en));
            ok = false;
        } else if !AdminUnits::get().y2025.communes.contains_key(code.as_str())
            && !AdminUnits::get().y2024.communes.contains_key(code.as_str())
        {
            let m = msg::unknown_commune(&code);
            self.push(ProblemKind::UnknownCommune, row.row, &col, raw, (m.vi, m.en));
            ok = false;
        } else if let Some(first) = self.first_row.get(&code).copied() {
            self.push(
                ProblemKind::DuplicateHousehold,
                row.row,
                &col,
                raw,
                (
                    format!("Xã {code} đã có ở dòng {first}: mỗi xã một dòng."),
                    format!("Commune {code} is already on row {first}: one row per commune."),
                ),
            );
            ok = false;
        } else {
            self.first_row.insert(code.clone(), row.row);
        }
        let households = self.count(row, HOUSEHOLDS);
        let persons = self.count(row, PERSONS);
        let (Some(households), Some(persons)) = (households, persons) else { return ControlFlow::Continue(()) };
        if persons < households {
            let col = self.header_of(PERSONS);
            self.push(
                ProblemKind::OutOfRange,
                row.row,
                &col,
                &persons.to_string(),
                (
                    format!("Số nhân khẩu ({persons}) nhỏ hơn số hộ ({households}): mỗi hộ có ít nhất một người."),
                    format!("Persons ({persons}) fewer than households ({households}): every household has a person."),
                ),
            );
            ok = false;
        }
        if ok {
            let source = self.index[SOURCE].map(|i| nfc(row.get(i)).into_owned()).filter(|s| !s.is_empty());
            self.rows.push(ResidentTotalRow { row: row.row, commune_code: code, households, persons, source });
        }
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    use super::parse_count;

    #[test]
    fn counts_may_be_grouped_by_thousands() {
        assert_eq!(parse_count("12345"), Some(12345));
        assert_eq!(parse_count("12.345"), Some(12345));
        assert_eq!(parse_count("1,234,567"), Some(1_234_567));
        assert_eq!(parse_count("12.34"), None);
        assert_eq!(parse_count("-5"), None);
        assert_eq!(parse_count("1e3"), None);
        assert_eq!(parse_count(""), None);
    }
}
