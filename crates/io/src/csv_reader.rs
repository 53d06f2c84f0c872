//! Scans a CSV file row by row.
//!
//! Lines without a quote character (nearly all of them, as our writer quotes only when needed)
//! are split on commas directly, which is several times faster than a general CSV parser; a
//! line with a quote is parsed, with the lines that follow if a quoted field spans them, by
//! `csv_core` (RFC 4180: `""` escapes, quoted separators and line breaks). Records end at
//! `\n`, `\r\n` or `\r`; blank lines are skipped but counted, so rows are numbered as a
//! spreadsheet shows them (a line break inside a quoted field does not start a row).

use crate::error::ReadError;
use crate::problems::FileCtx;
use crate::rows::{RowHandler, RowView, Start, file_name};
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Bytes read at a time (the buffer grows for longer records).
const BLOCK: usize = 1 << 20;

/// Where the current record's fields are.
enum Fields {
    /// A line of the input buffer, between `start` and `end`, without quotes.
    Plain { start: usize, end: usize },
    /// Unescaped by `csv_core` into `out`, ending at `ends`.
    Quoted { len: usize, fields: usize },
}

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
    /// Field bounds of the current plain line.
    cuts: Vec<(usize, usize)>,
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
            cuts: Vec::with_capacity(64),
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

    /// Skips a UTF-8 byte-order mark at the start of the file.
    fn skip_bom(&mut self) -> std::io::Result<()> {
        self.fill()?;
        if self.buf[..self.end].starts_with(b"\xEF\xBB\xBF") {
            self.pos = 3;
        }
        Ok(())
    }

    /// The next record and its row, or `None` at the end of the file.
    fn next(&mut self) -> std::io::Result<Option<(u64, Fields)>> {
        loop {
            let avail = &self.buf[self.pos..self.end];
            let (len, term) = match memchr::memchr2(b'\n', b'\r', avail) {
                Some(i) if avail[i] == b'\r' && i + 1 == avail.len() && !self.eof => {
                    // Is it `\r\n`? Read on to know.
                    self.fill()?;
                    continue;
                }
                Some(i) => (i, if avail[i] == b'\r' && avail.get(i + 1) == Some(&b'\n') { 2 } else { 1 }),
                None if !self.eof => {
                    self.fill()?;
                    continue;
                }
                None if avail.is_empty() => return Ok(None),
                None => (avail.len(), 0),
            };
            let row = self.row;
            self.row += 1;
            if len == 0 {
                self.pos += term;
                continue;
            }
            let start = self.pos;
            if split_plain(&avail[..len], &mut self.cuts) {
                self.pos += len + term;
                return Ok(Some((row, Fields::Plain { start, end: start + len })));
            }
            return self.quoted().map(|f| Some((row, f)));
        }
    }

    /// Parses the record at `pos`, which has a quote, with `csv_core`.
    fn quoted(&mut self) -> std::io::Result<Fields> {
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
                    return Ok(Fields::Quoted { len: nout, fields: nend });
                }
                InputEmpty => self.fill()?,
                OutputFull => self.out.resize(self.out.len() * 2, 0),
                OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
            }
        }
    }
}

const LO: u64 = 0x0101_0101_0101_0101;
const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;

/// 0x80 in each byte of `word` equal to `b`, 0 elsewhere (exact, no false positives).
#[inline]
fn byte_eq(word: u64, b: u8) -> u64 {
    let y = word ^ (LO * u64::from(b));
    !(((y & LOW7) + LOW7) | y | LOW7)
}

/// Splits `line` at its commas into field `bounds` (start, end); returns false (and stops) when
/// the line has a quote. Eight bytes at a time.
fn split_plain(line: &[u8], bounds: &mut Vec<(usize, usize)>) -> bool {
    bounds.clear();
    let mut start = 0;
    let mut chunks = line.chunks_exact(8);
    let mut base = 0;
    for chunk in chunks.by_ref() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        if byte_eq(w, b'"') != 0 {
            return false;
        }
        let mut commas = byte_eq(w, b',');
        while commas != 0 {
            let at = base + (commas.trailing_zeros() / 8) as usize;
            bounds.push((start, at));
            start = at + 1;
            commas &= commas - 1;
        }
        base += 8;
    }
    for (i, &b) in chunks.remainder().iter().enumerate() {
        match b {
            b'"' => return false,
            b',' => {
                bounds.push((start, base + i));
                start = base + i + 1;
            }
            _ => {}
        }
    }
    bounds.push((start, line.len()));
    true
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
pub(crate) fn scan(path: &Path, handler: &mut impl RowHandler) -> Result<(), ReadError> {
    let ctx = FileCtx { file: file_name(path), sheet: None };
    let file = File::open(path).map_err(|source| ReadError::Open { path: path.to_path_buf(), source })?;
    let io_err = |e: std::io::Error| ReadError::Io { path: path.to_path_buf(), message: e.to_string() };
    let mut sp = Splitter::new(file);
    sp.skip_bom().map_err(io_err)?;
    let mut asm = Assembled { bounds: Vec::with_capacity(32), bad: Vec::new(), owned: String::new() };
    let mut header = true;
    while let Some((row, fields)) = sp.next().map_err(io_err)? {
        asm.bounds.clear();
        let view = match fields {
            Fields::Plain { start, end } => {
                std::mem::swap(&mut asm.bounds, &mut sp.cuts);
                asm.view(row, &sp.buf[start..end], true)
            }
            Fields::Quoted { len, fields } => {
                let mut a = 0;
                for &b in &sp.ends[..fields] {
                    asm.bounds.push((a, b));
                    a = b;
                }
                asm.view(row, &sp.out[..len], false)
            }
        };
        if header {
            header = false;
            let cells = (0..view.len()).map(|i| view.get(i).to_string()).collect();
            if handler.start(ctx.clone(), Start::Header { row, cells }).is_break() {
                return Ok(());
            }
            continue;
        }
        if view.is_blank() {
            continue;
        }
        if handler.row(&view).is_break() {
            break;
        }
    }
    if header {
        let _ = handler.start(ctx, Start::Empty);
    }
    Ok(())
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
    fn plain_lines_are_split_on_commas() {
        let mut cuts = Vec::new();
        for line in [&b""[..], b",", b"abc", b"a,b,,c,", b"0123456,89,bcdef,hij\xc3\xa9,,,,,,,,,x", b",,,,,,,,"] {
            assert!(split_plain(line, &mut cuts));
            let fields: Vec<&[u8]> = cuts.iter().map(|&(a, b)| &line[a..b]).collect();
            let want: Vec<&[u8]> = line.split(|b| *b == b',').collect();
            assert_eq!(fields, want, "{}", String::from_utf8_lossy(line));
        }
        assert!(!split_plain(b"0123456789,\"x\"", &mut cuts));
        assert!(!split_plain(b"a\"", &mut cuts));
        // Bytes next to a comma or quote value are not mistaken for them.
        assert!(split_plain(&[b',' + 1, b',' - 1, 0xac, b'"' + 0x80, 0, 0xff, b'-', b'+', b','], &mut cuts));
        assert_eq!(cuts, vec![(0, 8), (9, 9)]);
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
