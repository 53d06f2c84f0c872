//! Scalar values of the interchange format: numbers, decimals, dates, fixed-length codes.
//! Each parser takes trimmed text and returns `None` when the text is not of its kind.

use chrono::NaiveDate;
use std::borrow::Cow;
use vuonlen_core::BirthDate;

/// A non-negative whole number written with digits only.
pub(crate) fn parse_uint(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 19 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A non-negative amount of đồng: plain digits, or digits grouped by thousands with `.`, `,`
/// or a space (`1.500.000`, `1,500,000`, `1 500 000`).
pub(crate) fn parse_amount(s: &str) -> Option<i64> {
    if let Some(v) = parse_uint(s) {
        return i64::try_from(v).ok();
    }
    let b = s.as_bytes();
    let sep = *b.iter().find(|c| !c.is_ascii_digit())?;
    if !matches!(sep, b'.' | b',' | b' ') {
        return None;
    }
    let mut groups = s.split(sep as char);
    let first = groups.next()?;
    if first.is_empty() || first.len() > 3 || !first.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut v: i64 = first.parse().ok()?;
    for g in groups {
        if g.len() != 3 || !g.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        v = v.checked_mul(1000)?.checked_add(g.parse::<i64>().ok()?)?;
    }
    Some(v)
}

/// A non-negative decimal with a decimal point or a decimal comma: `12.5`, `12,5`, `30`.
pub(crate) fn parse_decimal(s: &str) -> Option<f64> {
    let mut digits = 0;
    let mut seps = 0;
    let mut comma = false;
    for b in s.bytes() {
        match b {
            b'0'..=b'9' => digits += 1,
            b'.' => seps += 1,
            b',' => {
                seps += 1;
                comma = true;
            }
            _ => return None,
        }
    }
    if digits == 0 || seps > 1 {
        return None;
    }
    let v: f64 = if comma { s.replace(',', ".").parse().ok()? } else { s.parse().ok()? };
    v.is_finite().then_some(v)
}

fn digits_value(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A birth date: `YYYY-MM-DD`, `DD/MM/YYYY` (also with `-` or `.`, and one-digit day or
/// month), `YYYY/MM/DD`, or a bare year `YYYY`.
pub(crate) fn parse_birth(s: &str) -> Option<BirthDate> {
    parse_birth_ymd(s).map(|(b, _)| b)
}

/// [`parse_birth`], with the year, month and day of the date (1 January for a bare year).
pub(crate) fn parse_birth_ymd(s: &str) -> Option<(BirthDate, (i32, u32, u32))> {
    let b = s.as_bytes();
    // Fast path: ISO, as our own writer produces.
    if let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *b {
        let digits =
            |ds: &[u8]| ds.iter().try_fold(0u32, |v, &c| c.is_ascii_digit().then(|| v * 10 + u32::from(c - b'0')));
        let (y, m, d) = (digits(&[y0, y1, y2, y3])?, digits(&[m0, m1])?, digits(&[d0, d1])?);
        let date = NaiveDate::from_ymd_opt(y as i32, m, d)?;
        return Some((BirthDate::Date(date), (y as i32, m, d)));
    }
    if b.len() == 4 {
        let y = digits_value(s)?;
        return (y >= 1).then_some((BirthDate::Year(y as i32), (y as i32, 1, 1)));
    }
    let sep = *b.iter().find(|c| !c.is_ascii_digit())?;
    if !matches!(sep, b'/' | b'-' | b'.') {
        return None;
    }
    let mut parts = s.split(sep as char);
    let (p0, p1, p2) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let short = |p: &str| (1..=2).contains(&p.len());
    let (y, m, d) = if p2.len() == 4 && short(p0) && short(p1) {
        (p2, p1, p0)
    } else if p0.len() == 4 && short(p1) && short(p2) {
        (p0, p1, p2)
    } else {
        return None;
    };
    let (y, m, d) = (digits_value(y)? as i32, digits_value(m)?, digits_value(d)?);
    NaiveDate::from_ymd_opt(y, m, d).map(|date| (BirthDate::Date(date), (y, m, d)))
}

/// True when `s` is exactly `n` ASCII digits.
pub(crate) fn is_digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// Restores the leading zeros a spreadsheet drops from a code typed as a number
/// (`4` → `00004` for a 5-digit commune code). Only applied to cells stored as numbers.
pub(crate) fn pad_number_cell(s: &str, n: usize) -> Cow<'_, str> {
    if !s.is_empty() && s.len() < n && s.bytes().all(|b| b.is_ascii_digit()) {
        Cow::Owned(format!("{s:0>n$}"))
    } else {
        Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

    fn d(y: i32, m: u32, day: u32) -> BirthDate {
        BirthDate::Date(NaiveDate::from_ymd_opt(y, m, day).expect("valid test date"))
    }

    #[test]
    fn amounts() {
        assert_eq!(parse_amount("1500000"), Some(1_500_000));
        assert_eq!(parse_amount("1.500.000"), Some(1_500_000));
        assert_eq!(parse_amount("1,500,000"), Some(1_500_000));
        assert_eq!(parse_amount("1 500 000"), Some(1_500_000));
        assert_eq!(parse_amount("0"), Some(0));
        for bad in ["", "-5", "1.5", "15,00", "1.500,000", "abc", "1e6", "99999999999999999999"] {
            assert_eq!(parse_amount(bad), None, "{bad}");
        }
    }

    #[test]
    fn decimals() {
        assert_eq!(parse_decimal("12.5"), Some(12.5));
        assert_eq!(parse_decimal("12,5"), Some(12.5));
        assert_eq!(parse_decimal("30"), Some(30.0));
        assert_eq!(parse_decimal(".5"), Some(0.5));
        for bad in ["", "-3", "1.2.3", "1,2.3", "nan", "inf", "1e3", ",", "12 m2"] {
            assert_eq!(parse_decimal(bad), None, "{bad}");
        }
    }

    #[test]
    fn dates() {
        assert_eq!(parse_birth("1980-03-15"), Some(d(1980, 3, 15)));
        assert_eq!(parse_birth("15/03/1980"), Some(d(1980, 3, 15)));
        assert_eq!(parse_birth("5/3/1980"), Some(d(1980, 3, 5)));
        assert_eq!(parse_birth("15-03-1980"), Some(d(1980, 3, 15)));
        assert_eq!(parse_birth("15.03.1980"), Some(d(1980, 3, 15)));
        assert_eq!(parse_birth("1980/3/15"), Some(d(1980, 3, 15)));
        assert_eq!(parse_birth("1975"), Some(BirthDate::Year(1975)));
        for bad in ["", "1980-02-30", "31/04/1990", "15/03/80", "03/1980", "1980-03-15x", "0000", "abcd", "1980-3"] {
            assert_eq!(parse_birth(bad), None, "{bad}");
        }
        for bad in ["198a-03-15", "1980-0x-15", "1980-03-1+", "+980-03-15", "1980/03-15"] {
            assert_eq!(parse_birth(bad), None, "{bad}");
        }
        for (s, ymd) in [("1980-03-15", (1980, 3, 15)), ("5/3/1980", (1980, 3, 5)), ("1975", (1975, 1, 1))] {
            let (b, parts) = parse_birth_ymd(s).expect("a date");
            assert_eq!(parts, ymd);
            let d = b.as_date();
            assert_eq!((d.year(), d.month(), d.day()), ymd);
        }
    }

    #[test]
    fn number_cells_get_their_zeros_back() {
        assert_eq!(pad_number_cell("4", 5), "00004");
        assert_eq!(pad_number_cell("00004", 5), "00004");
        assert_eq!(pad_number_cell("12345678901", 12), "012345678901");
        assert_eq!(pad_number_cell("12.5", 5), "12.5");
        assert!(is_digits("00004", 5));
        assert!(!is_digits("0004", 5));
        assert!(!is_digits("0000a", 5));
    }
}
