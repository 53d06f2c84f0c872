//! Vietnamese text handling: NFC normalisation and accent-insensitive folding.
//!
//! Every string that enters the system goes through [`nfc`]; search keys and header matching
//! go through [`fold`], which also maps `đ`/`Đ` to `d` (Unicode gives `đ` no decomposition,
//! so a plain "strip combining marks" would miss it).

use std::borrow::Cow;
use unicode_normalization::{UnicodeNormalization, char::is_combining_mark, is_nfc_quick};

/// Returns `s` in Unicode Normalization Form C, borrowing when it already is.
pub fn nfc(s: &str) -> Cow<'_, str> {
    if s.is_ascii() || matches!(is_nfc_quick(s.chars()), unicode_normalization::IsNormalized::Yes) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.nfc().collect())
    }
}

/// Accent- and case-insensitive key: NFD, combining marks dropped, `đ → d`, lower case,
/// runs of white space collapsed to one space, trimmed.
///
/// `fold("  Nguyễn  Văn Đức ") == "nguyen van duc"`.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        match c {
            'đ' | 'Đ' => out.push('d'),
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Formats an amount of đồng with Vietnamese digit grouping: `1500000 → "1.500.000"`.
pub fn format_vnd(v: i64) -> String {
    Vnd(v).to_string()
}

/// Displays an amount of đồng with Vietnamese digit grouping without allocating:
/// `format!("{}", Vnd(1_500_000)) == "1.500.000"`.
#[derive(Debug, Clone, Copy)]
pub struct Vnd(pub i64);

impl std::fmt::Display for Vnd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut buf = [0u8; 32];
        f.write_str(vnd_digits(self.0, &mut buf))
    }
}

/// Writes `v` with Vietnamese digit grouping at the end of `buf`; returns the text.
fn vnd_digits(v: i64, buf: &mut [u8; 32]) -> &str {
    let mut n = v.unsigned_abs();
    let mut i = buf.len();
    let mut k = 0;
    loop {
        if k > 0 && k % 3 == 0 {
            i -= 1;
            buf[i] = b'.';
        }
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        k += 1;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    std::str::from_utf8(&buf[i..]).unwrap_or("")
}

/// Appends [`Vnd`]`(v)` to `s` (faster than `write!`).
pub(crate) fn push_vnd(s: &mut String, v: i64) {
    let mut buf = [0u8; 32];
    s.push_str(vnd_digits(v, &mut buf));
}

/// Appends `v` in decimal to `s` (faster than `write!`).
pub(crate) fn push_int(s: &mut String, v: i64) {
    let mut buf = [0u8; 24];
    let mut n = v.unsigned_abs();
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    s.push_str(std::str::from_utf8(&buf[i..]).unwrap_or(""));
}

/// Formats a decimal with a Vietnamese decimal comma and at most `places` decimals,
/// dropping trailing zeros: `7.5 → "7,5"`, `8.0 → "8"`.
pub fn format_decimal(v: f64, places: usize) -> String {
    let s = format!("{v:.places$}");
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
    s.replace('.', ",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_strips_tones_and_d_bar() {
        assert_eq!(fold("Nguyễn Văn Đức"), "nguyen van duc");
        assert_eq!(fold("  ĐÀO   thị  "), "dao thi");
        assert_eq!(fold("Thu nhập bình quân đầu người/tháng"), "thu nhap binh quan dau nguoi/thang");
    }

    #[test]
    fn fold_is_the_same_for_nfc_and_nfd_input() {
        let nfd: String = "Hoàng Thị Ánh".nfd().collect();
        assert_ne!(nfd, "Hoàng Thị Ánh");
        assert_eq!(fold(&nfd), fold("Hoàng Thị Ánh"));
    }

    #[test]
    fn nfc_composes_decomposed_text() {
        let nfd: String = "Phường Đông Kinh".nfd().collect();
        assert_eq!(nfc(&nfd), "Phường Đông Kinh");
        assert!(matches!(nfc("abc"), Cow::Borrowed(_)));
    }

    #[test]
    fn vnd_grouping() {
        assert_eq!(format_vnd(0), "0");
        assert_eq!(format_vnd(999), "999");
        assert_eq!(format_vnd(1_500_000), "1.500.000");
        assert_eq!(format_vnd(-12_345), "-12.345");
        assert_eq!(format_vnd(i64::MIN), "-9.223.372.036.854.775.808");
        let mut s = String::from("x");
        push_vnd(&mut s, 1_000);
        push_int(&mut s, -7);
        push_int(&mut s, 1_234_567);
        assert_eq!(s, "x1.000-71234567");
    }

    #[test]
    fn decimal_comma() {
        assert_eq!(format_decimal(7.5, 2), "7,5");
        assert_eq!(format_decimal(8.0, 2), "8");
        assert_eq!(format_decimal(4.036, 2), "4,04");
    }
}
