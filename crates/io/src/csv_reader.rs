//! Scans a CSV file row by row.
//!
//! Lines without a quote character, or whose quotes only enclose whole fields (nearly all of
//! them, as our writer quotes only when needed and never needs to escape a quote in practice),
//! are split on commas directly ([`crate::split`]), which is several times faster than a general
//! CSV parser; any
//! other line with a quote is parsed, with the lines that follow if a quoted field spans them, by
//! `csv_core` (RFC 4180: `""` escapes, quoted separators and line breaks). Records end at
//! `\n`, `\r\n` or `\r`; blank lines are skipped but counted, so rows are numbered as a
//! spreadsheet shows them (a line break inside a quoted field does not start a row).

use crate::error::ReadError;
use crate::limits::MAX_RECORD_BYTES;
use crate::problems::FileCtx;
use crate::rows::{RowHandler, RowView, Start, file_name};
use crate::split::split_line;
use std::fs::File;
use std::io::Read;
use std::ops::ControlFlow;
use std::path::Path;

/// Bytes read at a time (the buffer grows for longer records).
const BLOCK: usize = 1 << 17;

/// Reads records from a file into reused buffers.
struct Splitter {
    file: File,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    eof: bool,
    core: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    /// Spreadsheet row of the next line.
    row: u64,
}

impl Splitter {
    fn new(file: File) -> Self {
        Splitter {
            file,
            buf: vec![0; BLOCK],
            pos: 0,
            end: 0,
            eof: false,
            core: csv_core::Reader::new(),
            out: vec![0; 4096],
            ends: vec![0; 64],
            row: 1,
        }
    }

    /// Keeps the unread bytes and reads more after them (growing the buffer when one record
    /// fills it).
    fn fill(&mut self) -> std::io::Result<()> {
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        if self.end == self.buf.len() {
            // One record fills the buffer: it may grow to twice the longest record allowed.
            if self.buf.len() > MAX_RECORD_BYTES {
                return Err(std::io::Error::other(TooLong));
            }
            self.buf.resize(self.buf.len() * 2, 0);
        }
        while self.end < self.buf.len() {
            let n = match self.file.read(&mut self.buf[self.end..]) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if n == 0 {
                self.eof = true;
                break;
            }
            self.end += n;
        }
        Ok(())
    }

    /// Skips a UTF-8 byte-order mark at the start of the file; false when the file is UTF-16
    /// (a UTF-16 byte-order mark, or a NUL byte in every other byte of its start).
    fn skip_bom(&mut self) -> std::io::Result<bool> {
        self.fill()?;
        let start = &self.buf[..self.end];
        if start.starts_with(b"\xEF\xBB\xBF") {
            self.pos = 3;
        }
        Ok(!looks_utf16(start))
    }

    /// The end of the complete lines from `pos` on: right after the last line break whose kind
    /// is known (a `\r` at the end of the buffer may start a `\r\n`), reading more when there
    /// is none. `pos` at the end of the file.
    fn block(&mut self) -> std::io::Result<usize> {
        loop {
            if self.eof {
                return Ok(self.end);
            }
            let avail = &self.buf[self.pos..self.end];
            if let Some(i) = memchr::memrchr2(b'\n', b'\r', avail) {
                if avail[i] == b'\n' || i + 1 < avail.len() {
                    return Ok(self.pos + i + 1);
                }
                if let Some(j) = memchr::memrchr2(b'\n', b'\r', &avail[..i]) {
                    return Ok(self.pos + j + 1);
                }
            }
            self.fill()?;
        }
    }

    /// Parses the record at `pos`, which has a quote, with `csv_core` into `out`; returns the
    /// length of its text and its number of fields (ending at `ends`).
    fn quoted(&mut self) -> std::io::Result<(usize, usize)> {
        use csv_core::ReadRecordResult::*;
        loop {
            self.core.reset();
            let (mut res, mut nin, mut nout, mut nend) =
                self.core.read_record(&self.buf[self.pos..self.end], &mut self.out, &mut self.ends);
            if matches!(res, InputEmpty) && self.eof {
                let (r, i, o, e) = self.core.read_record(&[], &mut self.out[nout..], &mut self.ends[nend..]);
                (res, nin, nout, nend) = (r, nin + i, nout + o, nend + e);
            }
            match res {
                Record | End => {
                    self.pos += nin;
                    // `csv_core` stops after the `\r` of a `\r\n`.
                    if self.pos > 0 && self.buf[self.pos - 1] == b'\r' {
                        if self.pos == self.end && !self.eof {
                            self.fill()?;
                        }
                        if self.buf[self.pos..self.end].first() == Some(&b'\n') {
                            self.pos += 1;
                        }
                    }
                    return Ok((nout, nend));
                }
                InputEmpty => self.fill()?,
                OutputFull => self.out.resize(self.out.len() * 2, 0),
                OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
            }
        }
    }
}

/// A record longer than [`MAX_RECORD_BYTES`] (as the cause of an I/O error of the splitter).
#[derive(Debug)]
struct TooLong;

impl std::fmt::Display for TooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("record too long")
    }
}

impl std::error::Error for TooLong {}

/// Whether the start of a file is UTF-16: a byte-order mark (`FF FE`, `FE FF`), or NUL bytes
/// at every other position (the ASCII of a header without a mark).
fn looks_utf16(start: &[u8]) -> bool {
    if start.starts_with(b"\xFF\xFE") || start.starts_with(b"\xFE\xFF") {
        return true;
    }
    let head = &start[..start.len().min(64)];
    if head.len() < 4 {
        return false;
    }
    let nul_at = |parity: usize| head.iter().skip(parity).step_by(2).filter(|&&b| b == 0).count();
    let pairs = head.len() / 2;
    let (even, odd) = (nul_at(0), nul_at(1));
    (even * 4 >= pairs * 3 && odd == 0) || (odd * 4 >= pairs * 3 && even == 0)
}

/// Field bounds of one record and its text, validated as UTF-8 (lossily copied when it is not).
struct Assembled {
    bounds: Vec<(usize, usize)>,
    bad: Vec<usize>,
    owned: String,
}

impl Assembled {
    /// The row of `bytes` with the fields at `self.bounds`. `at_ascii`: every bound is next to
    /// an ASCII byte (a comma) or an end, so it is a character boundary of valid UTF-8.
    fn view<'a>(&'a mut self, row: u64, bytes: &'a [u8], at_ascii: bool) -> RowView<'a> {
        self.bad.clear();
        let valid = simdutf8::basic::from_utf8(bytes)
            .ok()
            .filter(|t| at_ascii || self.bounds.iter().all(|&(a, b)| t.is_char_boundary(a) && t.is_char_boundary(b)));
        if valid.is_none() {
            self.lossy(bytes);
        }
        let me: &'a Assembled = self;
        RowView::new(row, valid.unwrap_or(&me.owned), &me.bounds, &[], &me.bad)
    }

    /// Some field is not UTF-8: keeps a lossy copy and flags the fields.
    fn lossy(&mut self, bytes: &[u8]) {
        self.owned.clear();
        for (i, bound) in self.bounds.iter_mut().enumerate() {
            let f = &bytes[bound.0..bound.1];
            let start = self.owned.len();
            match std::str::from_utf8(f) {
                Ok(s) => self.owned.push_str(s),
                Err(_) => {
                    self.bad.push(i);
                    self.owned.push_str(&String::from_utf8_lossy(f));
                }
            }
            *bound = (start, self.owned.len());
        }
    }
}

/// Reads `path` and hands each row to `handler`, numbered as a spreadsheet shows it.
///
/// The buffer is taken a block of whole lines at a time, validated as UTF-8 at once; lines are
/// then split where they are (or parsed by `csv_core` when their quotes call for it).
pub(crate) fn scan(path: &Path, handler: &mut impl RowHandler) -> Result<(), ReadError> {
    let ctx = FileCtx { file: file_name(path), sheet: None };
    let file = File::open(path).map_err(|source| ReadError::Open { path: path.to_path_buf(), source })?;
    let io_err = |e: std::io::Error, row: u64| {
        if e.get_ref().is_some_and(|inner| inner.is::<TooLong>()) {
            ReadError::RecordTooLong { path: path.to_path_buf(), row, max: MAX_RECORD_BYTES }
        } else {
            ReadError::Io { path: path.to_path_buf(), message: e.to_string() }
        }
    };
    let too_long = |row: u64| ReadError::RecordTooLong { path: path.to_path_buf(), row, max: MAX_RECORD_BYTES };
    let not_utf8 = || ReadError::NotUtf8 { path: path.to_path_buf() };
    let mut sp = Splitter::new(file);
    if !sp.skip_bom().map_err(|e| io_err(e, 1))? {
        return Err(ReadError::Utf16 { path: path.to_path_buf() });
    }
    let mut asm = Assembled { bounds: Vec::with_capacity(32), bad: Vec::new(), owned: String::new() };
    let mut cuts = Vec::with_capacity(64);
    let mut header = true;
    'blocks: loop {
        let block_end = sp.block().map_err(|e| io_err(e, sp.row))?;
        if block_end == sp.pos {
            break;
        }
        let block = &sp.buf[sp.pos..block_end];
        // Lines end at ASCII bytes, so the lines of valid text are valid text.
        let text = simdutf8::basic::from_utf8(block).ok();
        let mut p = 0;
        let mut quoted = None;
        while p < block.len() {
            let rest = &block[p..];
            let (len, term) = match memchr::memchr2(b'\n', b'\r', rest) {
                Some(i) => (i, if rest[i] == b'\r' && rest.get(i + 1) == Some(&b'\n') { 2 } else { 1 }),
                None => (rest.len(), 0),
            };
            let row = sp.row;
            sp.row += 1;
            if len == 0 {
                p += term;
                continue;
            }
            if len > MAX_RECORD_BYTES {
                return Err(too_long(row));
            }
            let line = &rest[..len];
            if !header
                && let Some(t) = text.and_then(|t| t.get(p..p + len))
                && let Some(flow) = handler.line(row, t)
            {
                p += len + term;
                if flow.is_break() {
                    return Ok(());
                }
                continue;
            }
            if !split_line(line, &mut cuts) {
                quoted = Some((p, row));
                break;
            }
            let view = match text.and_then(|t| t.get(p..p + len)) {
                Some(t) => RowView::new(row, t, &cuts, &[], &[]),
                None => {
                    std::mem::swap(&mut asm.bounds, &mut cuts);
                    asm.view(row, line, true)
                }
            };
            if header && !view.bad_utf8.is_empty() {
                return Err(not_utf8());
            }
            p += len + term;
            if deliver(&view, &mut header, &ctx, handler).is_break() {
                return Ok(());
            }
        }
        let Some((p, row)) = quoted else {
            sp.pos = block_end;
            continue 'blocks;
        };
        sp.pos += p;
        let start = sp.pos;
        let (len, fields) = sp.quoted().map_err(|e| io_err(e, row))?;
        if sp.pos - start > MAX_RECORD_BYTES {
            return Err(too_long(row));
        }
        asm.bounds.clear();
        let mut a = 0;
        for &b in &sp.ends[..fields] {
            asm.bounds.push((a, b));
            a = b;
        }
        let view = asm.view(row, &sp.out[..len], false);
        if header && !view.bad_utf8.is_empty() {
            return Err(not_utf8());
        }
        if deliver(&view, &mut header, &ctx, handler).is_break() {
            return Ok(());
        }
    }
    if header {
        let _ = handler.start(ctx, Start::Empty);
    }
    Ok(())
}

/// Hands a row to `handler`: the header first, then every row that is not blank.
fn deliver(view: &RowView<'_>, header: &mut bool, ctx: &FileCtx, handler: &mut impl RowHandler) -> ControlFlow<()> {
    if *header {
        *header = false;
        let cells = (0..view.len()).map(|i| view.get(i).to_string()).collect();
        return handler.start(ctx.clone(), Start::Header { row: view.row, cells });
    }
    if view.is_blank() {
        return ControlFlow::Continue(());
    }
    handler.row(view)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ops::ControlFlow;

    #[derive(Default)]
    struct Rows {
        header: Option<(u64, Vec<String>)>,
        rows: Vec<(u64, Vec<String>, Vec<usize>)>,
        empty: bool,
    }

    impl RowHandler for Rows {
        fn start(&mut self, _: FileCtx, start: Start) -> ControlFlow<()> {
            match start {
                Start::Header { row, cells } => self.header = Some((row, cells)),
                _ => self.empty = true,
            }
            ControlFlow::Continue(())
        }
        fn row(&mut self, row: &RowView<'_>) -> ControlFlow<()> {
            let fields = (0..row.len()).map(|i| row.get(i).to_string()).collect();
            self.rows.push((row.row, fields, row.bad_utf8.to_vec()));
            ControlFlow::Continue(())
        }
    }

    fn rows_of(bytes: &[u8]) -> Rows {
        let dir = tempfile::tempdir().expect("temp dir");
        let p = dir.path().join("f.csv");
        std::fs::write(&p, bytes).expect("write");
        let mut h = Rows::default();
        scan(&p, &mut h).expect("scan");
        h
    }

    fn firsts(h: &Rows) -> Vec<(u64, String)> {
        h.rows.iter().map(|(r, f, _)| (*r, f[0].clone())).collect()
    }

    #[test]
    fn rows_are_numbered_as_a_spreadsheet_shows_them() {
        let want = vec![(2, "a".to_string()), (4, "b\nb".to_string()), (6, "c".to_string()), (7, "d".to_string())];
        let lf = rows_of(b"h,x\na,1\n\n\"b\nb\",2\n\nc,3\nd,4\n");
        assert_eq!(lf.header, Some((1, vec!["h".into(), "x".into()])));
        assert_eq!(firsts(&lf), want);
        let crlf = rows_of(b"h,x\r\na,1\r\n\r\n\"b\r\nb\",2\r\n\r\nc,3\r\nd,4\r\n");
        let mut w = want.clone();
        w[1].1 = "b\r\nb".into();
        assert_eq!(firsts(&crlf), w);
        assert_eq!(crlf.header, Some((1, vec!["h".into(), "x".into()])));
        // Old Mac line ends.
        assert_eq!(firsts(&rows_of(b"h,x\ra,1\rb,2")), vec![(2, "a".into()), (3, "b".into())]);
        // BOM, no final line break, blank-looking rows skipped but counted.
        assert_eq!(firsts(&rows_of(b"\xEF\xBB\xBFh,x\na,1\n , \nc,3")), vec![(2, "a".into()), (4, "c".into())]);
    }

    #[test]
    fn quoted_fields_are_unescaped() {
        let h = rows_of(b"h,x,y\n\"a,1\",\"say \"\"hi\"\"\",z\r\nplain,\"\",end\n\"q\"\r\nlast,\"x\ny\",3");
        let fields: Vec<Vec<String>> = h.rows.iter().map(|(_, f, _)| f.clone()).collect();
        assert_eq!(
            fields,
            vec![
                vec!["a,1".to_string(), "say \"hi\"".into(), "z".into()],
                vec!["plain".into(), "".into(), "end".into()],
                vec!["q".into()],
                vec!["last".into(), "x\ny".into(), "3".into()],
            ]
        );
        assert_eq!(h.rows.iter().map(|r| r.0).collect::<Vec<_>>(), vec![2, 3, 4, 5]);
        // Field counts are kept as they are (ragged rows are the parser's business).
        let h = rows_of(b"h,x\n1,2,3\n4\n,\n");
        assert_eq!(h.rows.iter().map(|(_, f, _)| f.len()).collect::<Vec<_>>(), vec![3, 1]);
    }

    #[test]
    fn invalid_utf8_is_flagged_per_field() {
        let h = rows_of(b"h,x,y\nok,Th\xf4n,\"q\xff\"\n");
        assert_eq!(h.rows[0].1, vec!["ok".to_string(), "Th\u{fffd}n".into(), "q\u{fffd}".into()]);
        assert_eq!(h.rows[0].2, vec![1, 2]);
    }

    #[test]
    fn simply_quoted_lines_are_split_where_they_are() {
        let h = rows_of(b"h,x,y\n\"a,1\",\"q\",z\r\n\"b\nb\",2,3\n");
        let fields: Vec<Vec<String>> = h.rows.iter().map(|(_, f, _)| f.clone()).collect();
        assert_eq!(
            fields,
            vec![vec!["a,1".to_string(), "q".into(), "z".into()], vec!["b\nb".into(), "2".into(), "3".into()]]
        );
    }

    #[test]
    fn long_records_grow_the_buffer() {
        let long = "é".repeat(BLOCK);
        let mut data = format!("h,x\n{long},1\n\"{long}\",2\n").into_bytes();
        data.extend_from_slice(b"z,3");
        let h = rows_of(&data);
        assert_eq!(h.rows.len(), 3);
        assert_eq!(h.rows[0].1[0].len(), long.len());
        assert_eq!(h.rows[1].1[0].len(), long.len());
        assert_eq!(h.rows[2].1, vec!["z".to_string(), "3".into()]);
        assert!(rows_of(b"").empty);
    }
}
