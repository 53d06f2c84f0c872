//! Splitting one CSV line into fields at its commas, for the usual line: no quote, or quotes
//! only around whole fields (`"…"` from right after a comma to right before the next, with no
//! quote inside), as our writer produces. Any other line is left to `csv_core`
//! ([`crate::csv_reader`]).
//!
//! Lines are split sixteen bytes at a time with SSE2 on x86-64 (one bit per byte for commas and
//! for quotes, then the fields from the bits), eight bytes at a time elsewhere.

use crate::rows::trim;

/// Where the fields of a line go: `(start, end)` byte ranges, in order.
pub(crate) trait Cuts {
    fn clear(&mut self);
    fn push(&mut self, start: usize, end: usize);
    /// The ranges pushed (at most the capacity of a fixed buffer).
    fn ranges(&mut self) -> &mut [(usize, usize)];
}

impl Cuts for Vec<(usize, usize)> {
    fn clear(&mut self) {
        Vec::clear(self);
    }
    #[inline]
    fn push(&mut self, start: usize, end: usize) {
        Vec::push(self, (start, end));
    }
    fn ranges(&mut self) -> &mut [(usize, usize)] {
        self
    }
}

/// Splits `line` at its commas outside quotes into field `bounds` (start, end); a quoted field
/// is given without its quotes. Returns false when the line has a quote in any other form (an
/// escaped quote `""`, a quote inside an unquoted field or after a closing one, a quoted field
/// that goes on past the line), which `csv_core` then parses.
pub(crate) fn split_line(line: &[u8], bounds: &mut Vec<(usize, usize)>) -> bool {
    cut(line, bounds)
}

/// The fields of `line` into `out`, trimmed as [`crate::rows::RowView::get`] gives them, when
/// the line is usual (see [`split_line`]) and has exactly `out.len()` fields; false otherwise
/// (also, on other processors than x86-64, for every line: the general path then reads it).
#[inline]
pub(crate) fn split_exact<'a>(line: &'a str, out: &mut [&'a str]) -> bool {
    #[cfg(target_arch = "x86_64")]
    if line.len() <= sse2::MAX_LINE {
        return sse2::split_exact(line, out);
    }
    let _ = (line, out);
    false
}

/// The fields of a line one after another, as written (quotes and spaces included), cut at its
/// commas outside quotes: to read a line where it is, without splitting it first.
pub(crate) struct LineFields<'l> {
    #[cfg(target_arch = "x86_64")]
    inner: sse2::Fields<'l>,
    #[cfg(not(target_arch = "x86_64"))]
    _line: std::marker::PhantomData<&'l [u8]>,
}

impl<'l> LineFields<'l> {
    /// `None` when a quoted field is left open or the line is too long to be read this way
    /// (also, on other processors than x86-64, for every line).
    #[inline]
    pub(crate) fn new(line: &'l [u8]) -> Option<Self> {
        #[cfg(target_arch = "x86_64")]
        return sse2::Fields::new(line).map(|inner| LineFields { inner });
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = line;
            None
        }
    }

    /// The bounds of the next field as written; `None` after the last.
    #[inline(always)]
    pub(crate) fn bounds(&mut self) -> Option<(usize, usize)> {
        #[cfg(target_arch = "x86_64")]
        return self.inner.bounds();
        #[cfg(not(target_arch = "x86_64"))]
        None
    }

    /// The next field as written; `None` after the last.
    #[inline(always)]
    pub(crate) fn next(&mut self) -> Option<&'l [u8]> {
        #[cfg(target_arch = "x86_64")]
        return self.inner.next();
        #[cfg(not(target_arch = "x86_64"))]
        None
    }

    /// True when the last field read ended the line.
    #[inline]
    pub(crate) fn done(&self) -> bool {
        #[cfg(target_arch = "x86_64")]
        return self.inner.done();
        #[cfg(not(target_arch = "x86_64"))]
        false
    }

    /// Number of quotes in the line.
    #[inline]
    pub(crate) fn quotes(&self) -> u32 {
        #[cfg(target_arch = "x86_64")]
        return self.inner.quotes;
        #[cfg(not(target_arch = "x86_64"))]
        0
    }
}

/// Longest line of [`comma_mask`].
pub(crate) const MASK_LINE: usize = 128;

/// The commas of a line without quotes, one bit per byte (bit `i % 64` of word `i / 64` for byte `i`),
/// to read its fields where they are; `None` when the line has a quote or is longer than
/// [`MASK_LINE`] (also, on other processors than x86-64, for every line).
#[inline]
pub(crate) fn comma_mask(line: &[u8]) -> Option<[u64; 2]> {
    #[cfg(target_arch = "x86_64")]
    return sse2::comma_mask(line);
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = line;
        None
    }
}

/// [`split_line`] into any [`Cuts`].
#[inline]
fn cut(line: &[u8], out: &mut impl Cuts) -> bool {
    #[cfg(target_arch = "x86_64")]
    if line.len() <= sse2::MAX_LINE {
        return sse2::cut(line, out);
    }
    cut_swar(line, out)
}

/// Every quote of a split line must open or close a quoted field; takes the quotes off those
/// fields. `quotes`: how many quotes the line has.
fn unquote(line: &[u8], bounds: &mut [(usize, usize)], quotes: u32) -> bool {
    let mut paired = 0;
    for b in bounds.iter_mut() {
        if let [b'"', inner @ .., b'"'] = &line[b.0..b.1] {
            if memchr::memchr(b'"', inner).is_some() {
                return false;
            }
            *b = (b.0 + 1, b.1 - 1);
            paired += 2;
        }
    }
    paired == quotes
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use super::{Cuts, trim};
    use safe_arch::{cmp_eq_mask_i8_m128i, load_unaligned_m128i, move_mask_i8_m128i, set_splat_i8_m128i};

    /// 64-bit words of bits per line.
    const WORDS: usize = 8;
    /// Longest line split here (longer ones go eight bytes at a time).
    pub(super) const MAX_LINE: usize = WORDS * 64;

    /// One bit per byte of a line.
    struct Bits {
        /// Commas outside quotes.
        commas: [u64; WORDS],
        /// Words that hold the line.
        words: usize,
        /// Number of quotes.
        quotes: u32,
    }

    /// [`super::comma_mask`].
    #[inline]
    pub(super) fn comma_mask(line: &[u8]) -> Option<[u64; 2]> {
        if line.len() > super::MASK_LINE {
            return None;
        }
        let comma = set_splat_i8_m128i(b',' as i8);
        let quote = set_splat_i8_m128i(b'"' as i8);
        // Bits of bytes 0–63 and 64–127, sixteen at a time (shifts of 64-bit words).
        let mut words = [0u64; 2];
        let mut quotes = 0i32;
        let mut put = |k: usize, chunk: &[u8; 16]| {
            let v = load_unaligned_m128i(chunk);
            let c = move_mask_i8_m128i(cmp_eq_mask_i8_m128i(v, comma)) as u32 as u64;
            words[(k / 4) % 2] |= c << ((k % 4) * 16);
            quotes |= move_mask_i8_m128i(cmp_eq_mask_i8_m128i(v, quote));
        };
        let mut chunks = line.chunks_exact(16);
        let mut k = 0;
        for chunk in chunks.by_ref() {
            if let Ok(c) = <&[u8; 16]>::try_from(chunk) {
                put(k, c);
            }
            k += 1;
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            // Zero bytes are neither commas nor quotes.
            let mut c = [0u8; 16];
            c[..rest.len()].copy_from_slice(rest);
            put(k, &c);
        }
        (quotes == 0).then_some(words)
    }

    /// The bits of `line` (at most [`MAX_LINE`] bytes); `None` when a quote is left open.
    #[inline(always)]
    fn bits(line: &[u8]) -> Option<Bits> {
        let comma = set_splat_i8_m128i(b',' as i8);
        let quote = set_splat_i8_m128i(b'"' as i8);
        let mut commas = [0u64; WORDS];
        let mut quotes = [0u64; WORDS];
        let mut put = |k: usize, chunk: &[u8; 16]| {
            let v = load_unaligned_m128i(chunk);
            let c = move_mask_i8_m128i(cmp_eq_mask_i8_m128i(v, comma)) as u32 as u64;
            let q = move_mask_i8_m128i(cmp_eq_mask_i8_m128i(v, quote)) as u32 as u64;
            commas[(k / 4) % WORDS] |= c << ((k % 4) * 16);
            quotes[(k / 4) % WORDS] |= q << ((k % 4) * 16);
        };
        let mut chunks = line.chunks_exact(16);
        let mut k = 0;
        for chunk in chunks.by_ref() {
            if let Ok(c) = <&[u8; 16]>::try_from(chunk) {
                put(k, c);
            }
            k += 1;
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            // Zero bytes are neither commas nor quotes.
            let mut c = [0u8; 16];
            c[..rest.len()].copy_from_slice(rest);
            put(k, &c);
        }
        let words = line.len().div_ceil(64).min(WORDS);
        let mut count = 0;
        if quotes[..words].iter().any(|&q| q != 0) {
            // Commas between an opening quote and its closing one do not separate fields:
            // the prefix XOR of the quote bits marks them.
            let mut inside = 0u64;
            for (c, &q) in commas[..words].iter_mut().zip(&quotes) {
                count += q.count_ones();
                let mut x = q;
                x ^= x << 1;
                x ^= x << 2;
                x ^= x << 4;
                x ^= x << 8;
                x ^= x << 16;
                x ^= x << 32;
                let within = x ^ inside;
                inside = if within >> 63 != 0 { u64::MAX } else { 0 };
                *c &= !within;
            }
            if inside != 0 {
                return None;
            }
        }
        Some(Bits { commas, words, quotes: count })
    }

    #[inline]
    pub(super) fn cut(line: &[u8], out: &mut impl Cuts) -> bool {
        out.clear();
        let Some(b) = bits(line) else { return false };
        let mut start = 0;
        for (w, &bits) in b.commas[..b.words].iter().enumerate() {
            let mut bits = bits;
            while bits != 0 {
                let at = w * 64 + bits.trailing_zeros() as usize;
                out.push(start, at);
                start = at + 1;
                bits &= bits - 1;
            }
        }
        out.push(start, line.len());
        b.quotes == 0 || super::unquote(line, out.ranges(), b.quotes)
    }

    /// [`super::LineFields`].
    pub(crate) struct Fields<'l> {
        line: &'l [u8],
        commas: [u64; WORDS],
        /// Word of `commas` holding the next comma.
        word: usize,
        words: usize,
        /// Start of the next field; past the end of the line after the last.
        start: usize,
        pub(crate) quotes: u32,
    }

    impl<'l> Fields<'l> {
        #[inline]
        pub(crate) fn new(line: &'l [u8]) -> Option<Self> {
            if line.len() > MAX_LINE {
                return None;
            }
            let b = bits(line)?;
            Some(Fields { line, commas: b.commas, word: 0, words: b.words, start: 0, quotes: b.quotes })
        }

        #[inline(always)]
        pub(crate) fn bounds(&mut self) -> Option<(usize, usize)> {
            let start = self.start;
            if start > self.line.len() {
                return None;
            }
            let mut end = self.line.len();
            while let Some(w) = self.commas.get_mut(self.word) {
                if *w != 0 {
                    end = self.word * 64 + w.trailing_zeros() as usize;
                    *w &= *w - 1;
                    break;
                }
                self.word += 1;
                if self.word >= self.words {
                    break;
                }
            }
            self.start = end + 1;
            Some((start, end))
        }

        #[inline(always)]
        pub(crate) fn next(&mut self) -> Option<&'l [u8]> {
            let (a, b) = self.bounds()?;
            self.line.get(a..b)
        }

        #[inline]
        pub(crate) fn done(&self) -> bool {
            self.start == self.line.len() + 1
        }
    }

    #[inline]
    pub(super) fn split_exact<'a>(line: &'a str, out: &mut [&'a str]) -> bool {
        let Some(b) = bits(line.as_bytes()) else { return false };
        let mut n = 0;
        let mut paired = 0;
        let mut start = 0;
        for (w, &bits) in b.commas[..b.words].iter().enumerate() {
            let mut bits = bits;
            while bits != 0 {
                let at = w * 64 + bits.trailing_zeros() as usize;
                if !field(line, start, at, b.quotes, &mut paired, out.get_mut(n)) {
                    return false;
                }
                n += 1;
                start = at + 1;
                bits &= bits - 1;
            }
        }
        field(line, start, line.len(), b.quotes, &mut paired, out.get_mut(n))
            && n + 1 == out.len()
            && paired == b.quotes
    }

    /// Puts the field `start..end` of `line` into `slot`, without its quotes when it is quoted
    /// (counted in `paired`, as `unquote` does); false when there is no slot or the quotes are
    /// not around the whole field. `quotes`: how many quotes the line has.
    #[inline(always)]
    fn field<'a>(
        line: &'a str,
        mut start: usize,
        mut end: usize,
        quotes: u32,
        paired: &mut u32,
        slot: Option<&mut &'a str>,
    ) -> bool {
        if quotes != 0
            && let [b'"', inner @ .., b'"'] = &line.as_bytes()[start..end]
        {
            if memchr::memchr(b'"', inner).is_some() {
                return false;
            }
            start += 1;
            end -= 1;
            *paired += 2;
        }
        match (slot, line.get(start..end)) {
            (Some(slot), Some(text)) => {
                *slot = trim(text);
                true
            }
            _ => false,
        }
    }
}

const LO: u64 = 0x0101_0101_0101_0101;
const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
/// The top bit of every byte.
const HIGH: u64 = 0x8080_8080_8080_8080;

/// 0x80 in each byte of `word` equal to `b`, 0 elsewhere (exact, no false positives).
#[inline]
fn byte_eq(word: u64, b: u8) -> u64 {
    let y = word ^ (LO * u64::from(b));
    !(((y & LOW7) + LOW7) | y | LOW7)
}

/// One word (eight bytes from `base`) of [`cut_swar`]: adds the fields that end at a comma
/// outside quotes in it.
#[inline(always)]
fn cut_word(word: u64, base: usize, start: &mut usize, inside: &mut u64, quotes: &mut u32, out: &mut impl Cuts) {
    let q = byte_eq(word, b'"');
    let mut commas = byte_eq(word, b',');
    if (q | *inside) != 0 {
        // Prefix XOR of the quotes: the top bit of each byte from an opening quote to the byte
        // before its closing quote.
        let mut x = q;
        x ^= x << 8;
        x ^= x << 16;
        x ^= x << 32;
        let within = x ^ *inside;
        *inside = if within >> 63 != 0 { HIGH } else { 0 };
        *quotes += q.count_ones();
        commas &= !within;
    }
    while commas != 0 {
        let at = base + (commas.trailing_zeros() / 8) as usize;
        out.push(*start, at);
        *start = at + 1;
        commas &= commas - 1;
    }
}

/// [`cut`] eight bytes at a time, for any processor and any line length.
fn cut_swar(line: &[u8], out: &mut impl Cuts) -> bool {
    out.clear();
    let mut start = 0;
    let mut base = 0;
    // `HIGH` while inside a quoted field at the start of the next word.
    let mut inside = 0u64;
    let mut quotes = 0u32;
    let mut chunks = line.chunks_exact(8);
    for chunk in chunks.by_ref() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        cut_word(u64::from_le_bytes(word), base, &mut start, &mut inside, &mut quotes, out);
        base += 8;
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        // Zero bytes are neither commas nor quotes.
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        cut_word(u64::from_le_bytes(word), base, &mut start, &mut inside, &mut quotes, out);
    }
    if inside != 0 {
        return false;
    }
    out.push(start, line.len());
    quotes == 0 || unquote(line, out.ranges(), quotes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_line_swar(line: &[u8], bounds: &mut Vec<(usize, usize)>) -> bool {
        cut_swar(line, bounds)
    }

    /// [`split_line`] for lines without quotes only.
    fn split_plain(line: &[u8], bounds: &mut Vec<(usize, usize)>) -> bool {
        memchr::memchr(b'"', line).is_none() && split_line(line, bounds)
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
    fn simply_quoted_lines_are_split_as_csv_core_does() {
        let lines: [&[u8]; 14] = [
            b"a,\"b,c\",d",
            b"\"\",x,\"\"",
            "\"Số 19, Tổ dân phố 11, Phường Ba Đình\",1,,2".as_bytes(),
            b"0123456,\"8,9\",\"0123456789,0123456789\",x,\",\",\",,\"",
            b"\"a\"\"b\",c",
            b"a\"b,c",
            b"\"ab\"c,d",
            b"\"ab\" ,d",
            b" \"ab\",d",
            b"\"open,x",
            b"x,\"",
            b"\"",
            b"\"a,b\"\"\",c",
            b"\"abcdefghijklmnop,qrstuvwxyz\"\"\",\"\"\"",
        ];
        let mut cuts = Vec::new();
        let mut simple = 0;
        for line in lines {
            let mut core = csv_core::Reader::new();
            let (mut out, mut ends) = (vec![0u8; 1024], vec![0usize; 64]);
            let (_, _, nout, nend) = core.read_record(line, &mut out, &mut ends);
            let (_, _, o2, e2) = core.read_record(&[], &mut out[nout..], &mut ends[nend..]);
            let mut want: Vec<&[u8]> = Vec::new();
            let mut a = 0;
            for &b in &ends[..nend + e2] {
                want.push(&out[a..b]);
                a = b;
            }
            assert_eq!(a, nout + o2);
            let mut swar = Vec::new();
            let ok = split_line_swar(line, &mut swar);
            assert_eq!(split_line(line, &mut cuts), ok);
            if ok {
                assert_eq!(cuts, swar);
                simple += 1;
                let got: Vec<&[u8]> = cuts.iter().map(|&(a, b)| &line[a..b]).collect();
                assert_eq!(got, want, "{}", String::from_utf8_lossy(line));
            }
        }
        assert_eq!(simple, 4);
        assert!(!split_line(b"\"a\"\"b\",c", &mut cuts));
        assert!(!split_line(b"a\"b,c", &mut cuts));
        assert!(!split_line(b"\"open,x", &mut cuts));
    }

    /// Lines of every length up to past the vector splitter's limit, made of a few bytes that
    /// matter (commas, quotes) and some that do not.
    fn random_lines(mut each: impl FnMut(&[u8])) {
        let alphabet = [b',', b'"', b'a', b'a', b'a', 0xc3, b' ', b','];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for len in (0..700).chain([1023, 1024, 1025]) {
            for _ in 0..8 {
                let line: Vec<u8> = (0..len)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        // Quotes are rarer than commas.
                        let b = alphabet[(seed % 8) as usize];
                        if b == b'"' && !seed.is_multiple_of(5) { b'a' } else { b }
                    })
                    .collect();
                each(&line);
            }
        }
    }

    #[test]
    fn both_splitters_agree() {
        let (mut cuts, mut swar) = (Vec::new(), Vec::new());
        random_lines(|line| {
            let ok = split_line_swar(line, &mut swar);
            assert_eq!(split_line(line, &mut cuts), ok, "{}", String::from_utf8_lossy(line));
            if ok {
                assert_eq!(cuts, swar, "{}", String::from_utf8_lossy(line));
            }
        });
    }

    #[test]
    fn exact_splits_agree_with_the_splitter() {
        let mut cuts = Vec::new();
        random_lines(|line| {
            let mut out = [""; 40];
            // ASCII text, so that every range is a character boundary.
            let text: String = line.iter().map(|&b| if b.is_ascii() { b as char } else { 'é' }).collect();
            let ok = split_line(text.as_bytes(), &mut cuts);
            for n in [cuts.len().saturating_sub(1), cuts.len(), cuts.len() + 1] {
                let n = n.min(out.len());
                let exact = split_exact(&text, &mut out[..n]);
                let long = cfg!(not(target_arch = "x86_64")) || text.len() > 512;
                assert_eq!(exact, ok && n == cuts.len() && !long, "{text}");
                if exact {
                    let want: Vec<&str> = cuts.iter().map(|&(a, b)| trim(&text[a..b])).collect();
                    assert_eq!(&out[..n], &want[..], "{text}");
                }
            }
        });
    }
}
