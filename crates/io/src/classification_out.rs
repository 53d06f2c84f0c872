//! The classification output: one row per household (`docs/household-format.md`,
//! "classification output"), then a few extra columns for reports.

use crate::error::WriteError;
use crate::record::HouseholdRecord;
use crate::writer::{Cell, CsvOut, OutputFormat, XLSX_MAX_ROWS, digits, needs_quotes, push_field, push_int};
use rust_xlsxwriter::{Format, Workbook};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::{Path, PathBuf};
use vuonlen_core::classify::{
    Classification, ExplainKey, IncomeTest, explain_head_into, explain_head_parts, explain_tail_into,
};
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
    /// CSV text of the row between the household id and the income, with the commas around:
    /// `,standard,area,income_test,`.
    csv_a: Vec<u8>,
    /// Between the score A and the first subgroup flag: `,deprivation_count,score_b,deprived,class,`.
    csv_b: Vec<u8>,
    /// The explanation before and after the value compared (with its quotes when it needs
    /// them and has no quote to escape).
    csv_open: Vec<u8>,
    csv_close: Vec<u8>,
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

        t.csv_a.clear();
        t.csv_a.push(b',');
        push_field(&mut t.csv_a, &std.id);
        for key in [c.area.key(), c.income_test.key()] {
            t.csv_a.push(b',');
            t.csv_a.extend_from_slice(key.as_bytes());
        }
        t.csv_a.push(b',');
        t.csv_b.clear();
        t.csv_b.push(b',');
        push_int(&mut t.csv_b, i64::from(c.deprivation_count()), 0);
        t.csv_b.push(b',');
        push_int(&mut t.csv_b, i64::from(c.score_b), 0);
        t.csv_b.push(b',');
        push_field(&mut t.csv_b, &t.deprived);
        t.csv_b.push(b',');
        t.csv_b.extend_from_slice(c.class.key().as_bytes());
        t.csv_b.push(b',');
        let (before, after) = explain_head_parts(c);
        let q: &[u8] = if t.special { b"\"" } else { b"" };
        t.csv_open.clear();
        t.csv_open.extend_from_slice(q);
        t.csv_open.extend_from_slice(before.as_bytes());
        t.csv_close.clear();
        t.csv_close.extend_from_slice(after.as_bytes());
        t.csv_close.extend_from_slice(t.text.as_bytes());
        t.csv_close.extend_from_slice(q);
    }
}

/// Appends an amount of đồng with Vietnamese digit grouping (`1.500.000`), as
/// [`vuonlen_core::text::format_vnd`] writes it.
fn push_vnd(line: &mut Vec<u8>, v: i64) {
    if v < 0 {
        line.push(b'-');
    }
    let mut buf = [0u8; 20];
    let start = digits(v.unsigned_abs(), &mut buf);
    let d = &buf[start..];
    let first = match d.len() % 3 {
        0 => 3,
        n => n,
    };
    line.extend_from_slice(&d[..first]);
    for group in d[first..].chunks(3) {
        line.push(b'.');
        line.extend_from_slice(group);
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
        household_code: &str,
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
        let s = &c.subgroups;
        if let Inner::Csv(w) = &mut self.inner
            && !tail.quote
        {
            // The row from the parts its tail shares with others (the same bytes as the cells
            // below would give).
            let flag = |b: bool| if b { b'1' } else { b'0' };
            let line = w.line();
            push_field(line, household_code);
            line.extend_from_slice(&tail.csv_a);
            if let Some(v) = hh.income_per_capita {
                push_int(line, v, 0);
            }
            line.push(b',');
            if let Some(v) = hh.score_a {
                push_int(line, i64::from(v), 0);
            }
            line.extend_from_slice(&tail.csv_b);
            line.extend_from_slice(&[
                flag(s.no_labour_capacity),
                b',',
                flag(s.ethnic_minority),
                b',',
                flag(s.merit),
                b',',
            ]);
            line.extend_from_slice(&tail.csv_open);
            // `push_compared_value`.
            match c.income_test {
                IncomeTest::Income => push_vnd(line, c.compared_value),
                IncomeTest::ScoreA => push_int(line, c.compared_value, 0),
            }
            line.extend_from_slice(&tail.csv_close);
            line.push(b',');
            push_field(line, commune_code);
            line.push(b',');
            push_int(line, i64::from(c.persons), 0);
            line.extend_from_slice(&[
                b',',
                flag(c.low_income),
                b',',
                flag(s.children),
                b',',
                flag(s.elderly),
                b',',
                flag(s.disabled),
            ]);
            w.end_line()?;
            self.rows += 1;
            return Ok(());
        }
        self.explanation.clear();
        explain_head_into(c, &mut self.explanation);
        let before = [
            Cell::Str(household_code),
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
                    cell.put_on_sheet(ws, *row, col as u16, &mut self.buf).map_err(err)?;
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
        self.write(std, &rec.household_code, &rec.commune_code, &rec.household, c)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_grouped_as_the_explanation_groups_them() {
        let mut line = Vec::new();
        let mut values: Vec<i64> = (-2000..2000).collect();
        values.extend([999_999, 1_000_000, 1_500_000, 12_345_678, i64::MAX, i64::MIN, -1_000]);
        for v in values {
            line.clear();
            push_vnd(&mut line, v);
            assert_eq!(String::from_utf8_lossy(&line), vuonlen_core::text::format_vnd(v), "{v}");
        }
    }
}
