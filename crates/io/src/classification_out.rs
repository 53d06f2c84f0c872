//! The classification output: one row per household (`docs/household-format.md`,
//! "classification output"), then a few extra columns for reports.

use crate::error::WriteError;
use crate::record::HouseholdRecord;
use crate::writer::{Cell, CsvOut, OutputFormat, XLSX_MAX_ROWS};
use rust_xlsxwriter::{Format, Workbook};
use std::path::{Path, PathBuf};
use vuonlen_core::classify::{Classification, explain_into};
use vuonlen_core::{Household, Standard};

/// Columns of the classification output as (key, Vietnamese header), in order.
pub const CLASSIFICATION_COLUMNS: [(&str, &str); 20] = [
    ("household_id", "Mã hộ"),
    ("standard", "Chuẩn nghèo"),
    ("area", "Khu vực"),
    ("income_test", "Tiêu chí đo mức sống"),
    ("income_per_capita", "Thu nhập bình quân đầu người/tháng"),
    ("score_a", "Điểm A (B1)"),
    ("deprivation_count", "Số chỉ số thiếu hụt"),
    ("score_b", "Điểm B (B2)"),
    ("deprived", "Các chỉ số thiếu hụt"),
    ("class", "Phân loại hộ"),
    ("no_labour_capacity", "Hộ không có khả năng lao động"),
    ("ethnic_minority", "Chủ hộ là người dân tộc thiểu số"),
    ("merit", "Hộ có người có công với cách mạng"),
    ("explanation", "Giải thích"),
    ("commune_code", "Mã xã"),
    ("persons", "Số nhân khẩu"),
    ("low_income", "Hộ lao động có thu nhập thấp"),
    ("children", "Có trẻ em dưới 16 tuổi"),
    ("elderly", "Có người từ 60 tuổi trở lên"),
    ("disabled", "Có người khuyết tật"),
];

enum Inner {
    Csv(CsvOut),
    Xlsx { workbook: Box<Workbook>, path: PathBuf, row: u32 },
}

/// Writes classified households, one row each.
///
/// Values: `area`, `income_test` and `class` by key; `deprived` the `;`-joined codes of the
/// deprived indicators in the standard's order; booleans `1`/`0`; `explanation` the Vietnamese
/// sentence of [`vuonlen_core::classify::explain`]. In a workbook, numbers are numbers.
pub struct ClassificationWriter {
    inner: Inner,
    buf: String,
    deprived: String,
    explanation: String,
    rows: u64,
}

impl ClassificationWriter {
    /// Creates the file and writes the header (Vietnamese headers when `header_vi`).
    pub fn create(path: &Path, format: OutputFormat, header_vi: bool) -> Result<Self, WriteError> {
        let header = CLASSIFICATION_COLUMNS.iter().map(|(k, vi)| if header_vi { *vi } else { *k });
        let inner = match format {
            OutputFormat::Csv => {
                let mut w = CsvOut::create(path, false)?;
                w.header(header)?;
                Inner::Csv(w)
            }
            OutputFormat::Xlsx => {
                let err = |source| WriteError::Xlsx { path: path.to_path_buf(), source };
                let mut wb = Workbook::new();
                let bold = Format::new().set_bold();
                let ws = wb.add_worksheet_with_constant_memory().map_err(err)?;
                ws.set_name("classification").map_err(err)?;
                for (i, h) in header.enumerate() {
                    ws.write_string_with_format(0, i as u16, h, &bold).map_err(err)?;
                }
                Inner::Xlsx { workbook: Box::new(wb), path: path.to_path_buf(), row: 1 }
            }
        };
        Ok(ClassificationWriter {
            inner,
            buf: String::with_capacity(32),
            deprived: String::with_capacity(128),
            explanation: String::with_capacity(512),
            rows: 0,
        })
    }

    /// Writes the row of one household classified under `std`.
    pub fn write(
        &mut self,
        std: &Standard,
        household_id: &str,
        commune_code: &str,
        hh: &Household,
        c: &Classification,
    ) -> Result<(), WriteError> {
        self.deprived.clear();
        for i in c.deprived.iter() {
            if let Some(ind) = std.indicators.get(i) {
                if !self.deprived.is_empty() {
                    self.deprived.push(';');
                }
                self.deprived.push_str(&ind.code);
            }
        }
        explain_into(std, c, &mut self.explanation);
        let s = &c.subgroups;
        let cells = [
            Cell::Str(household_id),
            Cell::Str(&std.id),
            Cell::Str(c.area.key()),
            Cell::Str(c.income_test.key()),
            Cell::Int(hh.income_per_capita),
            Cell::Int(hh.score_a.map(i64::from)),
            Cell::Int(Some(i64::from(c.deprivation_count()))),
            Cell::Int(Some(i64::from(c.score_b))),
            Cell::Str(&self.deprived),
            Cell::Str(c.class.key()),
            Cell::Bool(Some(s.no_labour_capacity)),
            Cell::Bool(Some(s.ethnic_minority)),
            Cell::Bool(Some(s.merit)),
            Cell::Str(&self.explanation),
            Cell::Str(commune_code),
            Cell::Int(Some(i64::from(c.persons))),
            Cell::Bool(Some(c.low_income)),
            Cell::Bool(Some(s.children)),
            Cell::Bool(Some(s.elderly)),
            Cell::Bool(Some(s.disabled)),
        ];
        match &mut self.inner {
            Inner::Csv(w) => w.row(&cells)?,
            Inner::Xlsx { workbook, path, row } => {
                if *row >= XLSX_MAX_ROWS {
                    return Err(WriteError::TooManyRows { sheet: "classification".into() });
                }
                let err = |source| WriteError::Xlsx { path: path.clone(), source };
                let ws = workbook.worksheet_from_index(0).map_err(err)?;
                for (col, cell) in cells.iter().enumerate() {
                    cell.to_sheet(ws, *row, col as u16, &mut self.buf).map_err(err)?;
                }
                *row += 1;
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// [`ClassificationWriter::write`] for a record read by [`crate::read`].
    pub fn write_record(
        &mut self,
        std: &Standard,
        rec: &HouseholdRecord,
        c: &Classification,
    ) -> Result<(), WriteError> {
        self.write(std, &rec.household_id, &rec.commune_code, &rec.household, c)
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Flushes and closes the file.
    pub fn finish(self) -> Result<(), WriteError> {
        match self.inner {
            Inner::Csv(w) => w.finish(),
            Inner::Xlsx { mut workbook, path, .. } => {
                workbook.save(&path).map_err(|source| WriteError::Xlsx { path: path.clone(), source })
            }
        }
    }
}
