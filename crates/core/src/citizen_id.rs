//! Consistency of a 12-digit personal identification number (*số định danh cá nhân / CCCD*)
//! with the member's sex and birth year.
//!
//! Structure (Decree 137/2015/NĐ-CP art. 7, Circular 07/2016/TT-BCA art. 7 — status
//! **secondary**: taken from official summaries, not the gazette text): digits 1–3 the
//! province of birth registration (`0` + the GSO code of the 63 pre-2025 provinces), digit 4
//! century and sex (0/1 male/female born 1900–1999, 2/3 born 2000–2099, 4/5 2100–2199, …),
//! digits 5–6 the last two digits of the birth year, digits 7–12 a serial number.
//!
//! A contradiction is a *warning*: the number may be mistyped, or the birth date may be.

use crate::codes::Sex;
use crate::units::AdminUnits;

/// What a number contradicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contradiction {
    /// Not 12 digits: the structure cannot be read.
    NotTwelveDigits,
    /// Digits 1–3 are not the code of a province.
    Province,
    /// Digit 4 gives the other sex.
    Sex,
    /// Digit 4 gives another century of birth.
    Century,
    /// Digits 5–6 are not the last two digits of the birth year.
    Year,
}

impl Contradiction {
    /// Vietnamese and English explanation.
    pub fn message(self) -> (&'static str, &'static str) {
        match self {
            Contradiction::NotTwelveDigits => ("số định danh không đủ 12 chữ số", "the ID number is not 12 digits"),
            Contradiction::Province => (
                "3 chữ số đầu không phải mã tỉnh nơi đăng ký khai sinh",
                "the first 3 digits are not a province code of birth registration",
            ),
            Contradiction::Sex => (
                "chữ số thứ 4 (thế kỷ và giới tính) không khớp giới tính",
                "digit 4 (century and sex) contradicts the member's sex",
            ),
            Contradiction::Century => (
                "chữ số thứ 4 (thế kỷ và giới tính) không khớp năm sinh",
                "digit 4 (century and sex) contradicts the birth year's century",
            ),
            Contradiction::Year => (
                "chữ số thứ 5–6 không khớp hai số cuối năm sinh",
                "digits 5–6 contradict the last two digits of the birth year",
            ),
        }
    }
}

/// The contradictions between `id` and the member's sex and birth year (empty when none).
pub fn check(id: &str, sex: Sex, birth_year: i32) -> Vec<Contradiction> {
    let d = id.as_bytes();
    if d.len() != 12 || !d.iter().all(u8::is_ascii_digit) {
        return vec![Contradiction::NotTwelveDigits];
    }
    let mut out = Vec::new();
    let province = &id[1..3];
    if d[0] != b'0' || AdminUnits::get().y2024.province(province).is_none() {
        out.push(Contradiction::Province);
    }
    let code = i32::from(d[3] - b'0');
    let female = code % 2 == 1;
    if female != (sex == Sex::Female) {
        out.push(Contradiction::Sex);
    }
    let century = 1900 + (code / 2) * 100;
    if !(century..century + 100).contains(&birth_year) {
        out.push(Contradiction::Century);
    }
    let yy = i32::from(d[4] - b'0') * 10 + i32::from(d[5] - b'0');
    if yy != birth_year.rem_euclid(100) {
        out.push(Contradiction::Year);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_consistent_number_has_no_contradiction() {
        // Hà Nội (01), female born 1985.
        assert!(check("001185012345", Sex::Female, 1985).is_empty());
        // Sơn La (14), male born 2003.
        assert!(check("014203000001", Sex::Male, 2003).is_empty());
    }

    #[test]
    fn each_contradiction_is_found() {
        assert_eq!(check("001185012345", Sex::Male, 1985), vec![Contradiction::Sex]);
        assert_eq!(check("001185012345", Sex::Female, 2085), vec![Contradiction::Century]);
        assert_eq!(check("001185012345", Sex::Female, 1986), vec![Contradiction::Year]);
        assert_eq!(check("099185012345", Sex::Female, 1985), vec![Contradiction::Province]);
        assert_eq!(check("00118501234", Sex::Female, 1985), vec![Contradiction::NotTwelveDigits]);
        assert_eq!(check("00118501234x", Sex::Female, 1985), vec![Contradiction::NotTwelveDigits]);
    }
}
