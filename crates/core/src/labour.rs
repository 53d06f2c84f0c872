//! Working age (*độ tuổi lao động*) under the Labour Code, read from `standards/*.toml`
//! files of kind `working_age`.

use crate::codes::Sex;
use crate::household::BirthDate;
use crate::provision::Status;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

/// The working-age law: minimum age and the retirement-age schedule by year.
#[derive(Debug, Clone, Deserialize)]
pub struct WorkingAge {
    pub id: String,
    pub title_vi: String,
    pub title_en: String,
    pub min_age: MinAge,
    pub retirement: Retirement,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MinAge {
    pub years: i32,
    pub citation: String,
    pub status: Status,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Retirement {
    pub citation: String,
    pub status: Status,
    #[serde(default)]
    pub note: Option<String>,
    /// Rows of (year, male months, female months), ascending by year.
    pub schedule: Vec<(i32, i32, i32)>,
}

impl WorkingAge {
    /// Retirement age in months for `sex` in `year`: the row of that year, the first row for
    /// earlier years, the last row for later ones.
    pub fn retirement_months(&self, sex: Sex, year: i32) -> i32 {
        let rows = &self.retirement.schedule;
        let row = rows.iter().rev().find(|r| r.0 <= year).or(rows.first()).copied().unwrap_or((year, 720, 660));
        match sex {
            Sex::Male => row.1,
            Sex::Female => row.2,
        }
    }

    /// True when the person is at least the minimum age and below the retirement age that
    /// applies in the year of `at`.
    pub fn is_working_age(&self, sex: Sex, birth: BirthDate, at: NaiveDate) -> bool {
        birth.age_years(at) >= self.min_age.years && birth.age_months(at) < self.retirement_months(sex, at.year())
    }

    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.retirement.schedule.is_empty() {
            return Err("retirement.schedule is empty".into());
        }
        if self.retirement.schedule.windows(2).any(|w| w[0].0 >= w[1].0) {
            return Err("retirement.schedule years must be strictly ascending".into());
        }
        Ok(())
    }
}
