//! Households (*hộ gia đình*) and members (*thành viên*): the facts the standard reads.
//!
//! Personal data (names, ID numbers) is deliberately absent: classification never needs it,
//! and the I/O layer keeps it beside these structs.

use crate::codes::*;
use crate::ethnicity::Ethnicity;
use chrono::{Datelike, NaiveDate};

/// A date of birth: a full date, or only the year as many commune registers record it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BirthDate {
    Date(NaiveDate),
    /// Year only; the person is taken to be born on 1 January of that year.
    Year(i32),
}

impl BirthDate {
    /// The date used for age arithmetic.
    pub fn as_date(self) -> NaiveDate {
        match self {
            BirthDate::Date(d) => d,
            BirthDate::Year(y) => NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(NaiveDate::MIN),
        }
    }

    /// Age in completed years at `at` (negative if born after it).
    pub fn age_years(self, at: NaiveDate) -> i32 {
        let b = self.as_date();
        let mut age = at.year() - b.year();
        if (at.month(), at.day()) < (b.month(), b.day()) {
            age -= 1;
        }
        age
    }

    /// Age in completed months at `at`.
    pub fn age_months(self, at: NaiveDate) -> i32 {
        let b = self.as_date();
        let mut m = (at.year() - b.year()) * 12 + at.month() as i32 - b.month() as i32;
        if at.day() < b.day() {
            m -= 1;
        }
        m
    }

    pub fn year(self) -> i32 {
        self.as_date().year()
    }
}

/// One member of a household with the answers the deprivation indicators read.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// Line number in the household (*STT*); 1 is usually the head.
    pub member_no: u16,
    pub relation: Relation,
    pub sex: Sex,
    pub birth: BirthDate,
    pub ethnicity: Ethnicity,
    /// Holds a valid health-insurance card (*thẻ BHYT*).
    pub health_insurance: bool,
    pub employment: Employment,
    pub able_to_work: bool,
    pub education: Education,
    pub in_school: bool,
    /// Attends the level right for the age (asked for ages 3–15).
    pub school_on_track: Option<bool>,
    /// Stunted or underweight (asked for ages 0–15).
    pub malnourished: Option<bool>,
    pub disability: Disability,
    pub social_allowance: bool,
    /// Person with revolutionary merit (*người có công với cách mạng*).
    pub merit: bool,
}

/// A household's survey answers (*phiếu B*), with its members.
#[derive(Debug, Clone, PartialEq)]
pub struct Household {
    pub area: Area,
    /// Monthly income per person, VND.
    pub income_per_capita: Option<i64>,
    /// Income-proxy score A (*điểm A*, "B1" in older software).
    pub score_a: Option<i32>,
    /// How many of the 3 main structures (walls, frame, roof) are durable.
    pub durable_structures: u8,
    pub floor_area_m2: f64,
    pub water_source: WaterSource,
    pub latrine: Latrine,
    pub internet_user: bool,
    pub info_devices: bool,
    pub waste_treatment: Option<bool>,
    pub members: Vec<Member>,
}

impl Household {
    /// The head (*chủ hộ*): the member with relation `head`, else member 1, else the first.
    pub fn head(&self) -> Option<&Member> {
        self.members
            .iter()
            .find(|m| m.relation == Relation::Head)
            .or_else(|| self.members.iter().find(|m| m.member_no == 1))
            .or_else(|| self.members.first())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    #[test]
    fn ages_in_completed_years() {
        let b = BirthDate::Date(d(2010, 6, 15));
        assert_eq!(b.age_years(d(2026, 6, 14)), 15);
        assert_eq!(b.age_years(d(2026, 6, 15)), 16);
        assert_eq!(b.age_months(d(2026, 6, 14)), 15 * 12 + 11);
        assert_eq!(b.age_months(d(2026, 6, 15)), 16 * 12);
        // Year-only births count from 1 January.
        assert_eq!(BirthDate::Year(2010).age_years(d(2025, 12, 31)), 15);
        assert_eq!(BirthDate::Year(2010).age_years(d(2026, 1, 1)), 16);
        // Born on 29 February.
        let leap = BirthDate::Date(d(2008, 2, 29));
        assert_eq!(leap.age_years(d(2024, 2, 28)), 15);
        assert_eq!(leap.age_years(d(2024, 2, 29)), 16);
    }
}
