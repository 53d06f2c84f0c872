//! The classification output: one row per household (`docs/household-format.md`,
//! "classification output"), then a few extra columns for reports.

use crate::error::WriteError;
use crate::record::HouseholdRecord;
use crate::writer::{Cell, CsvOut, OutputFormat, XLSX_MAX_ROWS, needs_quotes};
use rust_xlsxwriter::{Format, Workbook};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::{Path, PathBuf};
use vuonlen_core::classify::{Classification, ExplainKey, explain_head_into, explain_tail_into};
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

/// A fast hasher for [`ExplainKey`]s (a few integers).
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_i64(&mut self, n: i64) {
        self.write_u64(n as u64);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn write_isize(&mut self, n: isize) {
        self.write_u64(n as u64);
    }
}

/// Explanation tails remembered (each a few hundred bytes).
const TAILS: usize = 1 << 16;

/// What rows with the same [`ExplainKey`] share.
#[derive(Default)]
struct Tail {
    /// `;`-joined codes of the deprived indicators.
    deprived: String,
    /// [`explain_tail_into`].
    text: String,
    /// The explanation (head and tail) needs quoting in CSV, and has a quote. The head of
    /// rows with the same key differs only in a number, which never needs quoting.
    special: bool,
    quote: bool,
}

impl Tail {
    fn make(std: &Standard, c: &Classification, t: &mut Tail) {
        t.deprived.clear();
        for i in c.deprived.iter() {
            if let Some(ind) = std.indicators.get(i) {
                if !t.deprived.is_empty() {
                    t.deprived.push(';');
                }
                t.deprived.push_str(&ind.code);
            }
        }
        t.text.clear();
        explain_head_into(c, &mut t.text);
        let head = std::mem::take(&mut t.text);
        explain_tail_into(std, c, &mut t.text);
        t.special = needs_quotes(head.as_bytes()) || needs_quotes(t.text.as_bytes());
        t.quote = head.contains('"') || t.text.contains('"');
    }
}

/// Writes classified households, one row each.
///
/// Values: `area`, `income_test` and `class` by key; `deprived` the `;`-joined codes of the
/// deprived indicators in the standard's order; booleans `1`/`0`; `explanation` the Vietnamese
/// sentence of [`vuonlen_core::classify::explain`]. In a workbook, numbers are numbers.
pub struct ClassificationWriter {
    inner: Inner,
    buf: String,
    explanation: String,
    /// Tails by key, for the standard `tails_of` (its address and id).
    tails: HashMap<ExplainKey, Tail, BuildHasherDefault<KeyHasher>>,
    tails_of: Option<(usize, String)>,
    scratch: Tail,
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
            explanation: String::with_capacity(512),
            tails: HashMap::default(),
            tails_of: None,
            scratch: Tail::default(),
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
        // The tails are made under one standard.
        let addr = std as *const Standard as usize;
        if self.tails_of.as_ref().is_none_or(|(a, id)| *a != addr || *id != std.id) {
            self.tails.clear();
            self.tails_of = Some((addr, std.id.clone()));
        }
        let key = c.explain_key();
        let tail = if let Some(t) = self.tails.get(&key) {
            t
        } else if self.tails.len() < TAILS {
            let mut t = Tail::default();
            Tail::make(std, c, &mut t);
            self.tails.entry(key).or_insert(t)
        } else {
            Tail::make(std, c, &mut self.scratch);
            &self.scratch
        };
        self.explanation.clear();
        explain_head_into(c, &mut self.explanation);
        let s = &c.subgroups;
        let before = [
            Cell::Str(household_id),
            Cell::Str(&std.id),
            Cell::Key(c.area.key()),
            Cell::Key(c.income_test.key()),
            Cell::Int(hh.income_per_capita),
            Cell::Int(hh.score_a.map(i64::from)),
            Cell::Int(Some(i64::from(c.deprivation_count()))),
            Cell::Int(Some(i64::from(c.score_b))),
            Cell::Str(&tail.deprived),
            Cell::Key(c.class.key()),
            Cell::Bool(Some(s.no_labour_capacity)),
            Cell::Bool(Some(s.ethnic_minority)),
            Cell::Bool(Some(s.merit)),
        ];
        let after = [
            Cell::Str(commune_code),
            Cell::Int(Some(i64::from(c.persons))),
            Cell::Bool(Some(c.low_income)),
            Cell::Bool(Some(s.children)),
            Cell::Bool(Some(s.elderly)),
            Cell::Bool(Some(s.disabled)),
        ];
        match &mut self.inner {
            Inner::Csv(w) => {
                w.cells(&before, true);
                w.joined_field(&self.explanation, &tail.text, tail.special, tail.quote);
                w.cells(&after, false);
                w.end_line()?;
            }
            Inner::Xlsx { workbook, path, row } => {
                if *row >= XLSX_MAX_ROWS {
                    return Err(WriteError::TooManyRows { sheet: "classification".into() });
                }
                self.explanation.push_str(&tail.text);
                let err = |source| WriteError::Xlsx { path: path.clone(), source };
                let ws = workbook.worksheet_from_index(0).map_err(err)?;
                let explanation = Cell::Str(&self.explanation);
                let cells = before.iter().chain(std::iter::once(&explanation)).chain(after.iter());
                for (col, cell) in cells.enumerate() {
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
