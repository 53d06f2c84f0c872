//! Phiếu B answers scored with a loaded score table (*chấm điểm Phiếu B*): a CSV or the first
//! sheet of a workbook, one row per household — `household_id` (Mã hộ), `commune_code` (Mã xã),
//! `area` (Khu vực: rural/urban, nông thôn/thành thị) and one column per variable of the table,
//! headed by its code or its Vietnamese or English name, holding the answer (a category's code
//! or Vietnamese name, with or without diacritics). Each household's score A is computed in the
//! region of its area, province and commune; every problem — an unknown column, a household of
//! no region, a missing, unknown or unasked answer — is located (row, column, value). A file with
//! an error yields no score.

use crate::csv_reader;
use crate::error::ReadError;
use crate::problems::{Collector, FileCtx, Problem, ProblemKind, Severity, msg};
use crate::read::ReadReport;
use crate::rows::{RowHandler, RowView, Start, file_name};
use crate::xlsx_reader;
use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::path::Path;
use vuonlen_core::codes::Area;
use vuonlen_core::score_table::{ScoreA, ScoreTable};
use vuonlen_core::text::{fold, nfc};
use vuonlen_core::units::AdminUnits;

/// One household scored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoredHousehold {
    /// Row in the file (header = 1).
    pub row: u64,
    pub household_id: String,
    pub commune_code: String,
    pub score: ScoreA,
}

/// The file as read: the scores when it had no error, and every problem.
#[derive(Debug, Clone)]
pub struct ScoredFile {
    pub scored: Vec<ScoredHousehold>,
    pub report: ReadReport,
}

const FIXED: [(&str, &str, &str); 3] =
    [("household_id", "Mã hộ", "Household id"), ("commune_code", "Mã xã", "Commune code"), ("area", "Khu vực", "Area")];

/// Reads and scores the answers of `path` with `table`.
pub fn score_answers(path: &Path, table: &ScoreTable) -> Result<ScoredFile, ReadError> {
    let mut r = Reader {
        table,
        ctx: FileCtx::default(),
        header: Vec::new(),
        fixed: [None; 3],
        variables: Vec::new(),
        scored: Vec::new(),
        problems: Collector::default(),
        rows: 0,
    };
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx")) {
        xlsx_reader::scan(path, &[], &mut r)?;
    } else {
        csv_reader::scan(path, &mut r)?;
    }
    let clean = r.problems.errors.is_empty();
    let report = ReadReport {
        households: r.rows,
        valid_households: if clean { r.scored.len() as u64 } else { 0 },
        errors: r.problems.errors,
        warnings: r.problems.warnings,
        ..ReadReport::default()
    };
    if report.errors.is_empty() && r.ctx.file.is_empty() {
        r.ctx.file = file_name(path);
    }
    Ok(ScoredFile { scored: if clean { r.scored } else { Vec::new() }, report })
}

struct Reader<'t> {
    table: &'t ScoreTable,
    ctx: FileCtx,
    header: Vec<String>,
    /// Columns of household_id, commune_code, area.
    fixed: [Option<usize>; 3],
    /// (column, variable code).
    variables: Vec<(usize, String)>,
    scored: Vec<ScoredHousehold>,
    problems: Collector,
    rows: u64,
}

impl Reader<'_> {
    fn push(&mut self, kind: ProblemKind, row: u64, column: &str, value: &str, vi: String, en: String) {
        let ctx = &self.ctx;
        self.problems.push(Severity::Error, || Problem {
            kind,
            file: ctx.file.clone(),
            sheet: ctx.sheet.clone(),
            row,
            column: column.to_string(),
            value: value.to_string(),
            household_code: None,
            message_vi: vi,
            message_en: en,
        });
    }

    fn header_of(&self, i: usize) -> String {
        self.header.get(i).cloned().unwrap_or_default()
    }
}

impl RowHandler for Reader<'_> {
    fn start(&mut self, ctx: FileCtx, start: Start) -> ControlFlow<()> {
        self.ctx = ctx;
        let cells = match start {
            Start::Empty | Start::MissingSheet { .. } => {
                let m = msg::empty_file();
                self.push(ProblemKind::EmptyFile, 0, "", "", m.vi, m.en);
                return ControlFlow::Break(());
            }
            Start::Header { cells, .. } => cells,
        };
        let mut missing = false;
        for (i, cell) in cells.iter().enumerate() {
            let key = fold(cell);
            if key.is_empty() {
                continue;
            }
            if let Some(f) = FIXED.iter().position(|(k, vi, en)| key == fold(k) || key == fold(vi) || key == fold(en)) {
                self.fixed[f].get_or_insert(i);
                continue;
            }
            match self
                .table
                .variables
                .iter()
                .find(|v| key == fold(&v.code) || key == fold(&v.name_vi) || key == fold(&v.name_en))
            {
                Some(v) => self.variables.push((i, v.code.clone())),
                None => {
                    let (vi, en) = (
                        format!("Cột \"{cell}\" không phải câu hỏi của bảng điểm {}.", self.table.id),
                        format!("Column \"{cell}\" is not a variable of score table {}.", self.table.id),
                    );
                    let ctx = &self.ctx;
                    self.problems.push(Severity::Error, || Problem {
                        kind: ProblemKind::UnknownColumn,
                        file: ctx.file.clone(),
                        sheet: ctx.sheet.clone(),
                        row: 1,
                        column: cell.clone(),
                        value: String::new(),
                        household_code: None,
                        message_vi: vi,
                        message_en: en,
                    });
                }
            }
        }
        for (f, (key, vi, _)) in FIXED.iter().enumerate() {
            if self.fixed[f].is_none() {
                let m = msg::missing_column(vi, key);
                self.push(ProblemKind::MissingColumn, 1, key, "", m.vi, m.en);
                missing = true;
            }
        }
        self.header = cells;
        if missing { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    }

    fn row(&mut self, row: &RowView<'_>) -> ControlFlow<()> {
        if row.is_blank() {
            return ControlFlow::Continue(());
        }
        self.rows += 1;
        let [hid, commune_col, area_col] = self.fixed.map(|c| c.unwrap_or(usize::MAX));
        let household_id = nfc(row.get(hid)).into_owned();
        let raw_commune = row.get(commune_col);
        let commune = if row.is_numeric(commune_col) && raw_commune.len() < 5 {
            format!("{raw_commune:0>5}")
        } else {
            raw_commune.to_string()
        };
        let raw_area = row.get(area_col);
        if household_id.is_empty() {
            let m = msg::missing_value("Mã hộ", "household_id");
            self.push(ProblemKind::MissingValue, row.row, &self.header_of(hid), "", m.vi, m.en);
        }
        let units = AdminUnits::get();
        let provinces: Vec<&str> =
            [units.y2025.province_of_commune(&commune), units.y2024.province_of_commune(&commune)]
                .into_iter()
                .flatten()
                .map(|p| p.code)
                .collect();
        if provinces.is_empty() {
            let m = msg::invalid_commune_code(raw_commune);
            self.push(ProblemKind::UnknownCommune, row.row, &self.header_of(commune_col), raw_commune, m.vi, m.en);
            return ControlFlow::Continue(());
        }
        let Some(area) = Area::parse(raw_area) else {
            let (vi, en) = (
                format!("Khu vực \"{raw_area}\" không hợp lệ (nông thôn / thành thị)."),
                format!("Area \"{raw_area}\" is not rural or urban."),
            );
            self.push(ProblemKind::InvalidCode, row.row, &self.header_of(area_col), raw_area, vi, en);
            return ControlFlow::Continue(());
        };
        let Some(region) = provinces.iter().find_map(|p| self.table.region_for(area, p, &commune)) else {
            let (vi, en) = (
                format!("Bảng điểm {} không có vùng cho xã {commune} ({raw_area}).", self.table.id),
                format!("Score table {} has no region for commune {commune} ({raw_area}).", self.table.id),
            );
            self.push(ProblemKind::InvalidCode, row.row, &self.header_of(commune_col), raw_commune, vi, en);
            return ControlFlow::Continue(());
        };
        let answers: BTreeMap<String, String> =
            self.variables.iter().map(|(i, code)| (code.clone(), nfc(row.get(*i)).into_owned())).collect();
        match self.table.score(region, &answers) {
            Ok(score) => {
                self.scored.push(ScoredHousehold { row: row.row, household_id, commune_code: commune, score });
            }
            Err(problems) => {
                for p in problems {
                    let column = self
                        .variables
                        .iter()
                        .find(|(_, code)| *code == p.variable)
                        .map_or_else(|| p.variable.clone(), |(i, _)| self.header_of(*i));
                    let kind = if p.value.is_empty() { ProblemKind::MissingValue } else { ProblemKind::InvalidCode };
                    self.push(kind, row.row, &column, &p.value, p.vi, p.en);
                }
            }
        }
        ControlFlow::Continue(())
    }
}
