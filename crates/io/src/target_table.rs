//! The target table a plan annexes (*bảng giao chỉ tiêu giảm nghèo*): one row per unit and an
//! optional total row (`Tổng`, `Tổng cộng`, `Cộng` where the unit's name or code would be, or
//! in the first column). CSV or the first sheet of a workbook, Vietnamese or English headers:
//!
//! `unit_code` (optional), `unit_name`, then the figure columns of
//! [`vuonlen_core::targets::TARGET_COLUMNS`].
//!
//! This reads and parses; the figures' consistency is [`vuonlen_core::targets::check_table`]'s
//! (the application locates its findings with [`TargetTable::problem`]). Every problem is
//! reported, located; the error file's seventh column is the row's unit.

use crate::csv_reader;
use crate::error::ReadError;
use crate::problems::{Collector, FileCtx, Problem, ProblemKind, Severity, msg};
use crate::read::ReadReport;
use crate::rows::{RowHandler, RowView, Start, file_name};
use crate::totals::parse_count;
use crate::writer::{Cell, CsvOut};
use crate::xlsx_reader;
use std::ops::ControlFlow;
use std::path::Path;
use vuonlen_core::targets::{ColumnKind, FIGURES, Figures, TARGET_COLUMNS};
use vuonlen_core::text::{fold, nfc};

/// Headers of the unit columns (besides the figure columns).
const UNIT_CODE: (&str, &str, &[&str]) = ("unit_code", "Mã đơn vị", &["mã xã", "mã", "mã đvhc"]);
const UNIT_NAME: (&str, &str, &[&str]) = (
    "unit_name",
    "Tên đơn vị",
    &["đơn vị", "xã, phường, thị trấn", "xã/phường", "tên xã", "địa bàn", "đơn vị hành chính"],
);

/// Labels of a total row, folded.
const TOTAL_LABELS: [&str; 3] = ["tong", "tong cong", "cong"];

/// One unit's row.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetTableRow {
    /// Row as a spreadsheet shows it (header = 1).
    pub row: u64,
    pub unit_code: Option<String>,
    pub unit_name: String,
    pub figures: Figures,
}

/// What was read: every row with a unit and the total row, each with the figures that could
/// be read (all of them when the report is clean), the headers as written, and every problem.
#[derive(Debug, Clone, Default)]
pub struct TargetTable {
    pub file: String,
    pub sheet: Option<String>,
    pub rows: Vec<TargetTableRow>,
    /// The total row: its row number and figures.
    pub total: Option<(u64, Figures)>,
    /// Each figure column's header as written (its key when the file lacks it).
    pub headers: Vec<String>,
    pub report: ReadReport,
}

impl TargetTable {
    /// A problem about row `row` (unit `unit`), figure column `column` (index in
    /// [`TARGET_COLUMNS`]; `None`: the unit columns).
    pub fn problem(&self, row: u64, column: Option<usize>, value: &str, unit: &str, vi: String, en: String) -> Problem {
        Problem {
            kind: ProblemKind::OutOfRange,
            file: self.file.clone(),
            sheet: self.sheet.clone(),
            row,
            column: match column {
                Some(c) => self.headers.get(c).cloned().unwrap_or_else(|| TARGET_COLUMNS[c].key.to_string()),
                None => UNIT_NAME.0.to_string(),
            },
            value: value.to_string(),
            household_code: (!unit.is_empty()).then(|| unit.to_string()),
            message_vi: vi,
            message_en: en,
        }
    }
}

/// Reads a target table (`.csv`, or `.xlsx`: its first sheet).
pub fn read_target_table(path: &Path) -> Result<TargetTable, ReadError> {
    let mut r = Reader::default();
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx")) {
        xlsx_reader::scan(path, &[], &mut r)?;
    } else {
        csv_reader::scan(path, &mut r)?;
    }
    let Reader { ctx, rows, total, problems, data_rows, header, index, .. } = r;
    let clean = problems.errors.is_empty();
    let headers = (0..FIGURES)
        .map(|c| index[c + 2].and_then(|i| header.get(i)).cloned().unwrap_or_else(|| TARGET_COLUMNS[c].key.into()))
        .collect();
    let report = ReadReport {
        households: data_rows,
        valid_households: if clean { rows.len() as u64 } else { 0 },
        errors: problems.errors,
        warnings: problems.warnings,
        key_column: Some("unit"),
        ..ReadReport::default()
    };
    Ok(TargetTable {
        file: if ctx.file.is_empty() { file_name(path) } else { ctx.file },
        sheet: ctx.sheet,
        rows,
        total,
        headers,
        report,
    })
}

/// Column slots: 0 unit code, 1 unit name, then the figures.
const SLOTS: usize = FIGURES + 2;

#[derive(Default)]
struct Reader {
    ctx: FileCtx,
    index: [Option<usize>; SLOTS],
    header: Vec<String>,
    rows: Vec<TargetTableRow>,
    total: Option<(u64, Figures)>,
    problems: Collector,
    data_rows: u64,
}

impl Reader {
    fn push(&mut self, kind: ProblemKind, row: u64, column: &str, value: &str, unit: &str, m: (String, String)) {
        let ctx = &self.ctx;
        self.problems.push(Severity::Error, || Problem {
            kind,
            file: ctx.file.clone(),
            sheet: ctx.sheet.clone(),
            row,
            column: column.to_string(),
            value: value.to_string(),
            household_code: (!unit.is_empty()).then(|| unit.to_string()),
            message_vi: m.0,
            message_en: m.1,
        });
    }

    fn header_of(&self, slot: usize) -> String {
        self.index[slot].and_then(|i| self.header.get(i)).cloned().unwrap_or_else(|| match slot {
            0 => UNIT_CODE.0.to_string(),
            1 => UNIT_NAME.0.to_string(),
            s => TARGET_COLUMNS[s - 2].key.to_string(),
        })
    }

    /// The figures of a row (those that could not be read left out), each problem reported.
    fn figures(&mut self, row: &RowView<'_>, unit: &str) -> Figures {
        let mut f = Figures::default();
        for (c, def) in TARGET_COLUMNS.iter().enumerate() {
            let Some(i) = self.index[c + 2] else { continue };
            let v = row.get(i);
            if v.is_empty() {
                if def.required {
                    let m = msg::missing_value(def.label_vi, def.key);
                    let col = self.header_of(c + 2);
                    self.push(ProblemKind::MissingValue, row.row, &col, v, unit, (m.vi, m.en));
                }
                continue;
            }
            let parsed = match def.kind {
                ColumnKind::Count => parse_count(v).map(|n| n as f64),
                ColumnKind::Rate { .. } => parse_rate(v),
            };
            match parsed {
                Some(x) => f.0[c] = Some(x),
                None => {
                    let (vi, en) = match def.kind {
                        ColumnKind::Count => {
                            ("số hộ: số nguyên không âm", "a number of households (whole, not negative)")
                        }
                        ColumnKind::Rate { .. } => ("tỷ lệ phần trăm như 1,51", "a percentage such as 1.51"),
                    };
                    let m = msg::invalid_number(def.label_vi, def.key, v, vi, en);
                    let col = self.header_of(c + 2);
                    self.push(ProblemKind::InvalidNumber, row.row, &col, v, unit, (m.vi, m.en));
                }
            }
        }
        f
    }
}

/// A percentage: `1,51`, `1.51`, `1.51 %`; not negative.
fn parse_rate(v: &str) -> Option<f64> {
    let t = v.trim().trim_end_matches('%').trim().replace(',', ".");
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit() || b == b'.') || t.matches('.').count() > 1 {
        return None;
    }
    t.parse::<f64>().ok().filter(|x| x.is_finite())
}

impl RowHandler for Reader {
    fn start(&mut self, ctx: FileCtx, start: Start) -> ControlFlow<()> {
        self.ctx = ctx;
        match start {
            Start::Empty | Start::MissingSheet { .. } => {
                let m = msg::empty_file();
                self.push(ProblemKind::EmptyFile, 0, "", "", "", (m.vi, m.en));
                ControlFlow::Break(())
            }
            Start::Header { cells, .. } => {
                let names: Vec<Vec<String>> = [UNIT_CODE, UNIT_NAME]
                    .iter()
                    .map(|(k, l, a)| (*k, *l, *a))
                    .chain(TARGET_COLUMNS.iter().map(|c| (c.key, c.label_vi, c.aliases)))
                    .map(|(key, label, aliases)| {
                        [key.to_string(), fold(label)].into_iter().chain(aliases.iter().map(|a| fold(a))).collect()
                    })
                    .collect();
                for (slot, i) in crate::header::match_columns(&cells, &names).into_iter().enumerate() {
                    self.index[slot] = i;
                }
                self.header = cells;
                let mut missing = false;
                if self.index[1].is_none() {
                    let m = msg::missing_column(UNIT_NAME.1, UNIT_NAME.0);
                    self.push(ProblemKind::MissingColumn, 1, UNIT_NAME.0, "", "", (m.vi, m.en));
                    missing = true;
                }
                for (c, def) in TARGET_COLUMNS.iter().enumerate() {
                    if def.required && self.index[c + 2].is_none() {
                        let m = msg::missing_column(def.label_vi, def.key);
                        self.push(ProblemKind::MissingColumn, 1, def.key, "", "", (m.vi, m.en));
                        missing = true;
                    }
                }
                if missing { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
            }
        }
    }

    fn row(&mut self, row: &RowView<'_>) -> ControlFlow<()> {
        let name = self.index[1].map(|i| nfc(row.get(i)).into_owned()).unwrap_or_default();
        let raw_code = self.index[0].map(|i| row.get(i)).unwrap_or("");
        let is_total = [name.as_str(), raw_code, row.get(0)].iter().any(|t| TOTAL_LABELS.contains(&fold(t).as_str()));
        if is_total {
            let label = if name.is_empty() { "Tổng" } else { name.as_str() };
            if let Some((first, _)) = self.total {
                let col = self.header_of(1);
                self.push(
                    ProblemKind::DuplicateHousehold,
                    row.row,
                    &col,
                    &name,
                    label,
                    (
                        format!("Bảng đã có dòng tổng ở dòng {first}: chỉ một dòng tổng."),
                        format!("The table already has a total row at row {first}: one total row only."),
                    ),
                );
            } else {
                let f = self.figures(row, label);
                self.total = Some((row.row, f));
            }
            return ControlFlow::Continue(());
        }
        self.data_rows += 1;
        let code = match self.index[0] {
            Some(i) if !raw_code.is_empty() => {
                // A number cell loses a code's leading zeros.
                let c = if row.is_numeric(i) && raw_code.len() < 5 && raw_code.len() > 2 {
                    format!("{raw_code:0>5}")
                } else if row.is_numeric(i) && raw_code.len() == 1 {
                    format!("{raw_code:0>2}")
                } else {
                    raw_code.to_string()
                };
                Some(c)
            }
            _ => None,
        };
        let unit = if name.is_empty() { code.clone().unwrap_or_default() } else { name.clone() };
        if name.is_empty() && code.is_none() {
            let m = msg::missing_value(UNIT_NAME.1, UNIT_NAME.0);
            let col = self.header_of(1);
            self.push(ProblemKind::MissingValue, row.row, &col, "", "", (m.vi, m.en));
        }
        let figures = self.figures(row, &unit);
        if !name.is_empty() || code.is_some() {
            self.rows.push(TargetTableRow { row: row.row, unit_code: code, unit_name: name, figures });
        }
        ControlFlow::Continue(())
    }
}

/// One unit's row to write: its code, its name and its figures.
pub type TargetOut<'a> = (&'a str, &'a str, &'a Figures);

/// Writes a target table in the layout it is read in: `unit_code`, `unit_name`, the figure
/// columns, then a total row (`Tổng cộng`); Vietnamese headers unless `english`. A CSV (UTF-8
/// with a byte-order mark, for Excel) or, for `.xlsx`, a workbook with one sheet.
pub fn write_target_table(
    path: &Path,
    rows: &[TargetOut<'_>],
    total: &Figures,
    english: bool,
) -> Result<(), crate::WriteError> {
    let header: Vec<&str> =
        [if english { UNIT_CODE.0 } else { UNIT_CODE.1 }, if english { UNIT_NAME.0 } else { UNIT_NAME.1 }]
            .into_iter()
            .chain(TARGET_COLUMNS.iter().map(|c| if english { c.key } else { c.label_vi }))
            .collect();
    let total_row: TargetOut<'_> = ("", "Tổng cộng", total);
    let all = rows.iter().chain(std::iter::once(&total_row));
    let cells = |r: &TargetOut<'_>| -> Vec<Cell<'static>> {
        r.2.0
            .iter()
            .zip(TARGET_COLUMNS.iter())
            .map(|(v, c)| match (v, c.kind) {
                (None, _) => Cell::Int(None),
                (Some(v), ColumnKind::Count) => Cell::Int(Some(*v as i64)),
                (Some(v), ColumnKind::Rate { .. }) => Cell::Dec(*v),
            })
            .collect()
    };
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx")) {
        let err = |source| crate::WriteError::Xlsx { path: path.to_path_buf(), source };
        let mut wb = rust_xlsxwriter::Workbook::new();
        let bold = rust_xlsxwriter::Format::new().set_bold();
        let ws = wb.add_worksheet();
        ws.set_name(if english { "targets" } else { "chi tieu" }).map_err(err)?;
        for (i, h) in header.iter().enumerate() {
            ws.write_string_with_format(0, i as u16, *h, &bold).map_err(err)?;
        }
        let mut buf = String::new();
        for (r, row) in (1u32..).zip(all) {
            ws.write_string(r, 0, row.0).map_err(err)?;
            ws.write_string(r, 1, row.1).map_err(err)?;
            for (c, cell) in cells(row).iter().enumerate() {
                cell.put_on_sheet(ws, r, c as u16 + 2, &mut buf).map_err(err)?;
            }
        }
        wb.save(path).map_err(err)
    } else {
        let mut w = CsvOut::create(path, true)?;
        w.header(header.iter().copied())?;
        for row in all {
            let mut line = vec![Cell::Str(row.0), Cell::Str(row.1)];
            line.extend(cells(row));
            w.row(&line)?;
        }
        w.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::parse_rate;

    #[test]
    fn rates_take_a_decimal_comma_or_point_and_a_percent_sign() {
        assert_eq!(parse_rate("1,51"), Some(1.51));
        assert_eq!(parse_rate("1.51 %"), Some(1.51));
        assert_eq!(parse_rate("0"), Some(0.0));
        assert_eq!(parse_rate("-1"), None);
        assert_eq!(parse_rate("1.2.3"), None);
        assert_eq!(parse_rate("abc"), None);
    }
}
