//! Writing households in the interchange format, as a CSV pair or one XLSX workbook.
//!
//! Conventions (a DuckDB benchmark reads exactly these): columns in the specification's order;
//! booleans `1`/`0`, empty for unknown; dates `YYYY-MM-DD`, or `YYYY` for year-only births;
//! coded values by English key; `sex` as `M`/`F`; `poverty_causes` as `;`-joined keys; income
//! and score empty when absent; floor area with a `.` decimal point and no more decimals than
//! needed; members grouped per household in household order.

use crate::error::WriteError;
use crate::header::{ColumnSpec, HOUSEHOLD_COLUMNS, HOUSEHOLD_CORE_COLUMNS, MEMBER_COLUMNS};
use crate::read::Source;
use crate::record::{HouseholdRecord, MemberPersonal};
use chrono::Datelike;
use rust_xlsxwriter::{Format, Workbook, Worksheet};
use std::fmt::Write as _;
use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;
use vuonlen_core::codes::PovertyCause;
use vuonlen_core::schema::Kind;
use vuonlen_core::{BirthDate, Member};

/// Where to write households: the same two shapes as a [`Source`].
pub type Target = Source;

/// Header row of written files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HeaderStyle {
    /// English keys (`household_id`, …).
    #[default]
    English,
    /// Vietnamese labels (`Mã hộ`, …).
    Vietnamese,
}

impl HeaderStyle {
    pub(crate) fn header(self, spec: &ColumnSpec) -> &'static str {
        match self {
            HeaderStyle::English => spec.key,
            HeaderStyle::Vietnamese => spec.label_vi,
        }
    }
}

/// Format of a single output file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    /// UTF-8 CSV.
    #[default]
    Csv,
    /// An Excel workbook.
    Xlsx,
}

impl OutputFormat {
    /// XLSX for a `.xlsx` extension (any case), CSV otherwise.
    pub fn from_path(path: &Path) -> OutputFormat {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("xlsx") => OutputFormat::Xlsx,
            _ => OutputFormat::Csv,
        }
    }
}

/// Excel's row limit.
pub(crate) const XLSX_MAX_ROWS: u32 = 1_048_576;

/// One value to write.
#[derive(Clone, Copy)]
pub(crate) enum Cell<'a> {
    Str(&'a str),
    /// A key of a coded value (`[a-z_]`, never quoted).
    Key(&'static str),
    Int(Option<i64>),
    Dec(f64),
    Bool(Option<bool>),
    Birth(BirthDate),
    Causes(&'a [PovertyCause]),
}

impl Cell<'_> {
    /// The text form (for CSV, and for text cells of a workbook).
    pub(crate) fn text<'s>(&'s self, buf: &'s mut String) -> &'s str {
        buf.clear();
        match self {
            Cell::Str(s) => return s,
            Cell::Key(s) => return s,
            Cell::Int(Some(v)) => {
                let _ = write!(buf, "{v}");
            }
            Cell::Int(None) | Cell::Bool(None) => {}
            Cell::Dec(v) => {
                let _ = write!(buf, "{v}");
            }
            Cell::Bool(Some(b)) => return if *b { "1" } else { "0" },
            Cell::Birth(BirthDate::Date(d)) => {
                let _ = write!(buf, "{}", d.format("%Y-%m-%d"));
            }
            Cell::Birth(BirthDate::Year(y)) => {
                let _ = write!(buf, "{y:04}");
            }
            Cell::Causes(cs) => {
                for (i, c) in cs.iter().enumerate() {
                    if i > 0 {
                        buf.push(';');
                    }
                    buf.push_str(c.key());
                }
            }
        }
        buf
    }

    /// Appends the cell to a CSV line.
    pub(crate) fn push_csv(&self, line: &mut Vec<u8>) {
        match self {
            Cell::Str(s) => push_field(line, s),
            Cell::Key(s) => {
                debug_assert!(!needs_quotes(s.as_bytes()));
                line.extend_from_slice(s.as_bytes());
            }
            Cell::Int(Some(v)) => push_int(line, *v, 0),
            Cell::Int(None) | Cell::Bool(None) => {}
            Cell::Bool(Some(b)) => line.push(if *b { b'1' } else { b'0' }),
            Cell::Birth(BirthDate::Date(d)) => {
                push_int(line, i64::from(d.year()), 4);
                line.push(b'-');
                push_int(line, i64::from(d.month()), 2);
                line.push(b'-');
                push_int(line, i64::from(d.day()), 2);
            }
            Cell::Birth(BirthDate::Year(y)) => push_int(line, i64::from(*y), 4),
            Cell::Dec(_) | Cell::Causes(_) => {
                let mut buf = String::new();
                push_field(line, self.text(&mut buf));
            }
        }
    }

    /// Writes the cell to a worksheet: numbers as numbers, empty values as blank cells.
    pub(crate) fn put_on_sheet(
        &self,
        ws: &mut Worksheet,
        row: u32,
        col: u16,
        buf: &mut String,
    ) -> Result<(), rust_xlsxwriter::XlsxError> {
        match self {
            Cell::Int(Some(v)) => {
                ws.write_number(row, col, *v as f64)?;
            }
            Cell::Dec(v) => {
                ws.write_number(row, col, *v)?;
            }
            Cell::Bool(Some(b)) => {
                ws.write_number(row, col, if *b { 1.0 } else { 0.0 })?;
            }
            _ => {
                let t = self.text(buf);
                if !t.is_empty() {
                    ws.write_string(row, col, t)?;
                }
            }
        }
        Ok(())
    }
}

/// The household row, in [`HOUSEHOLD_COLUMNS`] order: the core columns, then the recorded
/// ones by their kind.
fn household_cells(rec: &HouseholdRecord) -> [Cell<'_>; HOUSEHOLD_COLUMNS.len()] {
    let hh = &rec.household;
    let core: [Cell<'_>; HOUSEHOLD_CORE_COLUMNS] = [
        Cell::Str(&rec.household_code),
        Cell::Str(&rec.commune_code),
        Cell::Str(&rec.village),
        Cell::Str(hh.area.key()),
        Cell::Str(&rec.head_name),
        Cell::Str(&rec.address),
        Cell::Int(hh.income_per_capita),
        Cell::Int(hh.score_a.map(i64::from)),
        Cell::Int(Some(i64::from(hh.durable_structures))),
        Cell::Dec(hh.floor_area_m2),
        Cell::Str(hh.water_source.key()),
        Cell::Str(hh.latrine.key()),
        Cell::Bool(Some(hh.internet_user)),
        Cell::Bool(Some(hh.info_devices)),
        Cell::Bool(hh.waste_treatment),
        Cell::Causes(&rec.poverty_causes),
    ];
    std::array::from_fn(|i| match core.get(i) {
        Some(c) => *c,
        None => {
            let field = HOUSEHOLD_COLUMNS[i].field;
            let i = field.recorded_index().unwrap_or(usize::MAX);
            match field.kind {
                Kind::YesNo => Cell::Bool(rec.recorded.flag(i)),
                _ => Cell::Str(rec.recorded.get(i).unwrap_or("")),
            }
        }
    })
}

/// A member row, in [`MEMBER_COLUMNS`] order.
fn member_cells<'a>(id: &'a str, m: &'a Member, p: &'a MemberPersonal) -> [Cell<'a>; 18] {
    let ethnicity = if p.ethnicity_name.is_empty() { m.ethnicity.name().unwrap_or("") } else { &p.ethnicity_name };
    [
        Cell::Str(id),
        Cell::Int(Some(i64::from(m.member_no))),
        Cell::Str(&p.full_name),
        Cell::Str(m.relation.key()),
        Cell::Str(m.sex.key()),
        Cell::Birth(m.birth),
        Cell::Str(ethnicity),
        Cell::Str(p.id_number.as_deref().unwrap_or("")),
        Cell::Bool(Some(m.health_insurance)),
        Cell::Str(m.employment.key()),
        Cell::Bool(Some(m.able_to_work)),
        Cell::Str(m.education.key()),
        Cell::Bool(Some(m.in_school)),
        Cell::Bool(m.school_on_track),
        Cell::Bool(m.malnourished),
        Cell::Str(m.disability.key()),
        Cell::Bool(Some(m.social_allowance)),
        Cell::Bool(Some(m.merit)),
    ]
}

/// Bytes gathered before they are written to the file.
const CSV_BUFFER: usize = 256 * 1024;
/// Full buffers waiting for the writing thread.
const CSV_IN_FLIGHT: usize = 2;

/// A CSV file written row by row into one buffer, handed to a thread of its own that writes
/// it to the file whenever it holds [`CSV_BUFFER`] bytes (so that the kernel's copy of the
/// bytes overlaps with the making of the next rows). Fields are quoted only when they hold a
/// comma, a quote or a line break (as the `csv` crate does by default).
pub(crate) struct CsvOut {
    path: PathBuf,
    buf: Vec<u8>,
    thread: WriterThread,
}

/// The thread that writes full buffers to the file and hands them back empty.
struct WriterThread {
    /// `None` once closed.
    tx: Option<SyncSender<Vec<u8>>>,
    empty: Receiver<Vec<u8>>,
    handle: Option<JoinHandle<std::io::Result<()>>>,
}

impl WriterThread {
    fn start(mut file: File) -> std::io::Result<Self> {
        let (tx, full) = sync_channel::<Vec<u8>>(CSV_IN_FLIGHT);
        let (back, empty) = sync_channel::<Vec<u8>>(CSV_IN_FLIGHT + 1);
        let handle = std::thread::Builder::new().name("write-csv".into()).spawn(move || {
            // Stops at the first error, which `close` then returns.
            for mut buf in full {
                file.write_all(&buf)?;
                buf.clear();
                let _ = back.try_send(buf);
            }
            file.flush()
        })?;
        Ok(WriterThread { tx: Some(tx), empty, handle: Some(handle) })
    }

    /// Hands a full buffer to the thread; returns an empty one.
    fn send(&mut self, buf: Vec<u8>) -> std::io::Result<Vec<u8>> {
        match self.tx.as_ref().map(|tx| tx.send(buf)) {
            Some(Ok(())) => Ok(self.empty.try_recv().unwrap_or_else(|_| Vec::with_capacity(CSV_BUFFER + 4096))),
            // The thread stopped on an error.
            _ => {
                self.close()?;
                Err(std::io::Error::other("the file is closed"))
            }
        }
    }

    /// Waits until everything sent is written and the file is closed.
    fn close(&mut self) -> std::io::Result<()> {
        self.tx = None;
        match self.handle.take() {
            Some(h) => h.join().unwrap_or_else(|_| Err(std::io::Error::other("the writing thread panicked"))),
            None => Ok(()),
        }
    }
}

impl CsvOut {
    /// Creates the file, starting with a UTF-8 byte-order mark when `bom`.
    pub(crate) fn create(path: &Path, bom: bool) -> Result<Self, WriteError> {
        let err = |source| WriteError::Io { path: path.to_path_buf(), source };
        let file = File::create(path).map_err(err)?;
        let thread = WriterThread::start(file).map_err(err)?;
        let mut out = CsvOut { path: path.to_path_buf(), buf: Vec::with_capacity(CSV_BUFFER + 4096), thread };
        if bom {
            out.buf.extend_from_slice(b"\xEF\xBB\xBF");
        }
        Ok(out)
    }

    pub(crate) fn header<'a>(&mut self, names: impl Iterator<Item = &'a str>) -> Result<(), WriteError> {
        for (i, n) in names.enumerate() {
            if i > 0 {
                self.buf.push(b',');
            }
            push_field(&mut self.buf, n);
        }
        self.end_line()
    }

    pub(crate) fn row(&mut self, cells: &[Cell<'_>]) -> Result<(), WriteError> {
        self.cells(cells, true);
        self.end_line()
    }

    /// Appends cells to the current line, after a comma unless `first`.
    pub(crate) fn cells(&mut self, cells: &[Cell<'_>], first: bool) {
        for (i, c) in cells.iter().enumerate() {
            if i > 0 || !first {
                self.buf.push(b',');
            }
            c.push_csv(&mut self.buf);
        }
    }

    /// Appends, after a comma, one text field made of `head` then `tail`, quoted when needed.
    /// `special`, `quote`: whether `head` and `tail` have a character that needs quoting, and
    /// a quote (known to the caller, who writes many rows with the same tail).
    pub(crate) fn joined_field(&mut self, head: &str, tail: &str, special: bool, quote: bool) {
        self.buf.push(b',');
        if special {
            if quote {
                let mut whole = String::with_capacity(head.len() + tail.len());
                whole.push_str(head);
                whole.push_str(tail);
                push_field(&mut self.buf, &whole);
                return;
            }
            self.buf.push(b'"');
            self.buf.extend_from_slice(head.as_bytes());
            self.buf.extend_from_slice(tail.as_bytes());
            self.buf.push(b'"');
        } else {
            self.buf.extend_from_slice(head.as_bytes());
            self.buf.extend_from_slice(tail.as_bytes());
        }
    }

    /// The line being written, to append to directly.
    pub(crate) fn line(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    pub(crate) fn end_line(&mut self) -> Result<(), WriteError> {
        self.buf.push(b'\n');
        if self.buf.len() >= CSV_BUFFER {
            self.write_out()?;
        }
        Ok(())
    }

    /// Hands the buffer to the writing thread.
    fn write_out(&mut self) -> Result<(), WriteError> {
        let full = std::mem::take(&mut self.buf);
        match self.thread.send(full) {
            Ok(empty) => {
                self.buf = empty;
                Ok(())
            }
            Err(source) => Err(WriteError::Io { path: self.path.clone(), source }),
        }
    }

    pub(crate) fn finish(mut self) -> Result<(), WriteError> {
        self.write_out()?;
        self.thread.close().map_err(|source| WriteError::Io { path: self.path.clone(), source })
    }
}

impl Drop for CsvOut {
    /// Writes what is left, as a `BufWriter` does (errors are lost: call `finish`).
    fn drop(&mut self) {
        if !self.buf.is_empty() {
            let _ = self.write_out();
        }
        let _ = self.thread.close();
    }
}

/// Whether a text field must be quoted: it holds a comma, a quote or a line break.
pub(crate) fn needs_quotes(b: &[u8]) -> bool {
    if b.len() > 64 {
        return memchr::memchr3(b',', b'"', b'\n', b).is_some() || memchr::memchr(b'\r', b).is_some();
    }
    // Short fields (ids, codes, names): eight bytes at a time, without the set-up of a vector
    // search.
    let mut chunks = b.chunks_exact(8);
    for chunk in chunks.by_ref() {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        if special(u64::from_le_bytes(w)) != 0 {
            return true;
        }
    }
    let rest = chunks.remainder();
    let mut w = [0u8; 8];
    w[..rest.len()].copy_from_slice(rest);
    // Zero bytes are none of them.
    special(u64::from_le_bytes(w)) != 0
}

/// 0x80 in each byte of `w` that is a comma, a quote or a line break.
#[inline(always)]
fn special(w: u64) -> u64 {
    const LO: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let eq = |c: u8| {
        let y = w ^ (LO * u64::from(c));
        !(((y & LOW7) + LOW7) | y | LOW7)
    };
    eq(b',') | eq(b'"') | eq(b'\n') | eq(b'\r')
}

/// Appends a text field, quoted when needed.
pub(crate) fn push_field(line: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    if !needs_quotes(b) {
        line.extend_from_slice(b);
        return;
    }
    line.push(b'"');
    let mut rest = b;
    while let Some(i) = memchr::memchr(b'"', rest) {
        line.extend_from_slice(&rest[..=i]);
        line.push(b'"');
        rest = &rest[i + 1..];
    }
    line.extend_from_slice(rest);
    line.push(b'"');
}

/// "00" to "99".
const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// The decimal digits of `n` at the end of `digits`; returns where they start.
#[inline]
pub(crate) fn digits(mut n: u64, digits: &mut [u8; 20]) -> usize {
    let mut i = digits.len();
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        i -= 2;
        digits[i..i + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        let pair = n as usize * 2;
        i -= 2;
        digits[i..i + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    } else {
        i -= 1;
        digits[i] = b'0' + n as u8;
    }
    i
}

/// Appends a whole number, zero-padded to `width` digits.
pub(crate) fn push_int(line: &mut Vec<u8>, v: i64, width: usize) {
    if v < 0 {
        line.push(b'-');
    }
    let mut buf = [0u8; 20];
    let i = digits(v.unsigned_abs(), &mut buf);
    for _ in (buf.len() - i)..width {
        line.push(b'0');
    }
    line.extend_from_slice(&buf[i..]);
}

enum Inner {
    Csv { households: CsvOut, members: CsvOut },
    Xlsx { workbook: Box<Workbook>, path: PathBuf, household_row: u32, member_row: u32 },
}

/// Writes households with their members in the interchange format.
///
/// ```no_run
/// # fn demo(records: &[vuonlen_io::HouseholdRecord]) -> Result<(), vuonlen_io::WriteError> {
/// use vuonlen_io::{HeaderStyle, HouseholdWriter, Target};
/// let target = Target::Csv { households: "households.csv".into(), members: "members.csv".into() };
/// let mut w = HouseholdWriter::create(&target, HeaderStyle::English)?;
/// for r in records {
///     w.write(r)?;
/// }
/// w.finish()?;
/// # Ok(()) }
/// ```
pub struct HouseholdWriter {
    inner: Inner,
    buf: String,
    households: u64,
    members: u64,
}

impl HouseholdWriter {
    /// Creates the file(s) and writes the header rows. A workbook gets two constant-memory
    /// sheets, `households` and `members`.
    pub fn create(target: &Target, style: HeaderStyle) -> Result<Self, WriteError> {
        let inner = match target {
            Source::Csv { households, members } => {
                let mut hw = CsvOut::create(households, false)?;
                let mut mw = CsvOut::create(members, false)?;
                hw.header(HOUSEHOLD_COLUMNS.iter().map(|c| style.header(c)))?;
                mw.header(MEMBER_COLUMNS.iter().map(|c| style.header(c)))?;
                Inner::Csv { households: hw, members: mw }
            }
            Source::Xlsx { workbook: path } => {
                let err = |source| WriteError::Xlsx { path: path.clone(), source };
                let mut wb = Workbook::new();
                let bold = Format::new().set_bold();
                for (name, specs) in [("households", &HOUSEHOLD_COLUMNS[..]), ("members", &MEMBER_COLUMNS[..])] {
                    let ws = wb.add_worksheet_with_constant_memory().map_err(err)?;
                    ws.set_name(name).map_err(err)?;
                    for (i, spec) in specs.iter().enumerate() {
                        ws.write_string_with_format(0, i as u16, style.header(spec), &bold).map_err(err)?;
                    }
                }
                Inner::Xlsx { workbook: Box::new(wb), path: path.clone(), household_row: 1, member_row: 1 }
            }
            Source::Rows { .. } => return Err(WriteError::NotAFile),
        };
        Ok(HouseholdWriter { inner, buf: String::with_capacity(64), households: 0, members: 0 })
    }

    /// Writes one household and its members.
    pub fn write(&mut self, rec: &HouseholdRecord) -> Result<(), WriteError> {
        let buf = &mut self.buf;
        match &mut self.inner {
            Inner::Csv { households, members } => {
                households.row(&household_cells(rec))?;
                for (m, p) in rec.members() {
                    members.row(&member_cells(&rec.household_code, m, p))?;
                }
            }
            Inner::Xlsx { workbook, path, household_row, member_row } => {
                let n = rec.household.members.len() as u32;
                if *household_row >= XLSX_MAX_ROWS {
                    return Err(WriteError::TooManyRows { sheet: "households".into() });
                }
                if member_row.saturating_add(n) > XLSX_MAX_ROWS {
                    return Err(WriteError::TooManyRows { sheet: "members".into() });
                }
                let err = |source| WriteError::Xlsx { path: path.clone(), source };
                let ws = workbook.worksheet_from_index(0).map_err(err)?;
                for (col, c) in household_cells(rec).iter().enumerate() {
                    c.put_on_sheet(ws, *household_row, col as u16, buf).map_err(err)?;
                }
                *household_row += 1;
                let ws = workbook.worksheet_from_index(1).map_err(err)?;
                for (m, p) in rec.members() {
                    for (col, c) in member_cells(&rec.household_code, m, p).iter().enumerate() {
                        c.put_on_sheet(ws, *member_row, col as u16, buf).map_err(err)?;
                    }
                    *member_row += 1;
                }
            }
        }
        self.households += 1;
        self.members += rec.household.members.len() as u64;
        Ok(())
    }

    /// Households written so far.
    pub fn households(&self) -> u64 {
        self.households
    }

    /// Members written so far.
    pub fn members(&self) -> u64 {
        self.members
    }

    /// Flushes and closes the file(s).
    pub fn finish(self) -> Result<(), WriteError> {
        match self.inner {
            Inner::Csv { households, members } => {
                households.finish()?;
                members.finish()?;
            }
            Inner::Xlsx { mut workbook, path, .. } => {
                workbook.save(&path).map_err(|source| WriteError::Xlsx { path: path.clone(), source })?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_needed() {
        let mut line = Vec::new();
        for (s, want) in [
            ("plain", "plain"),
            ("", ""),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("\"", "\"\"\"\""),
            ("two\nlines", "\"two\nlines\""),
            ("cr\r", "\"cr\r\""),
            ("Phố Hàng Bạc", "Phố Hàng Bạc"),
            ("0123456789abcdef,", "\"0123456789abcdef,\""),
            ("0123456\r", "\"0123456\r\""),
            ("01234567+", "01234567+"),
        ] {
            line.clear();
            push_field(&mut line, s);
            assert_eq!(String::from_utf8_lossy(&line), want);
        }
        for len in 0..80 {
            for at in 0..len {
                for c in [b',', b'"', b'\n', b'\r', b'+', b'\x0c', b'\xac'] {
                    let mut v = vec![b'a'; len];
                    v[at] = c;
                    assert_eq!(needs_quotes(&v), matches!(c, b',' | b'"' | b'\n' | b'\r'), "{len} {at} {c}");
                }
            }
        }
        for (v, w, want) in [(0, 0, "0"), (7, 2, "07"), (1_500_000, 0, "1500000"), (-42, 0, "-42"), (5, 4, "0005")] {
            line.clear();
            push_int(&mut line, v, w);
            assert_eq!(String::from_utf8_lossy(&line), want);
        }
        for v in (-1000..1000).chain([i64::MIN, i64::MAX, 99, 100, 12_345_678_901]) {
            line.clear();
            push_int(&mut line, v, 0);
            assert_eq!(String::from_utf8_lossy(&line), v.to_string());
        }
    }
}
