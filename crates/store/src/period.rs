//! Review periods (*kỳ rà soát*): a year, its reference date, the standard in force then and
//! the list of administrative units its commune codes are read in.

use crate::bulk::execute;
use crate::db::{Db, Tx, on_conn, on_pool};
use crate::error::{Result, StoreError};
use chrono::NaiveDate;
use vuonlen_core::units::UnitList;

/// A review period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub year: i64,
    /// Ages are taken, and commune codes read, at this date.
    pub reference_date: NaiveDate,
    /// The standard in force at the reference date: the official classification.
    pub standard_id: String,
    pub unit_list: UnitList,
}

type PeriodRow = (i64, String, String, String);

fn from_row((year, date, standard_id, list): PeriodRow) -> Result<Period> {
    let reference_date = NaiveDate::parse_from_str(&date, "%Y-%m-%d")
        .map_err(|_| StoreError::Invalid(format!("period {year} has an invalid reference date '{date}'")))?;
    let unit_list = if list == "2024" { UnitList::Y2024 } else { UnitList::Y2025 };
    Ok(Period { year, reference_date, standard_id, unit_list })
}

/// The default reference date of a year's review: 31 December.
pub fn default_reference_date(year: i64) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, 12, 31)
}

/// A period's reference date lies in its year: the review of 2025 describes households as they
/// were on a day of 2025.
pub fn check_reference_date(year: i64, reference_date: NaiveDate) -> Result<()> {
    use chrono::Datelike;
    if i64::from(reference_date.year()) == year {
        Ok(())
    } else {
        Err(crate::StoreError::Invalid(format!(
            "ngày tham chiếu {reference_date} không thuộc kỳ {year} / \
             the reference date {reference_date} is not in period {year}"
        )))
    }
}

/// The period of `year`, if it exists.
pub async fn get(db: &Db, year: i64) -> Result<Option<Period>> {
    let row: Option<PeriodRow> = on_pool!(db, p => sqlx::query_as(
        "SELECT year, reference_date, standard_id, unit_list FROM review_period WHERE year = $1",
    )
    .bind(year)
    .fetch_optional(p)
    .await?);
    row.map(from_row).transpose()
}

/// Every period, oldest first.
pub async fn list(db: &Db) -> Result<Vec<Period>> {
    let rows: Vec<PeriodRow> = on_pool!(db, p => sqlx::query_as(
        "SELECT year, reference_date, standard_id, unit_list FROM review_period ORDER BY year",
    )
    .fetch_all(p)
    .await?);
    rows.into_iter().map(from_row).collect()
}

/// The period of `year` inside a transaction, created with `reference_date` and `standard_id`
/// if it does not exist yet.
pub(crate) async fn ensure(tx: &mut Tx, year: i64, reference_date: NaiveDate, standard_id: &str) -> Result<Period> {
    let row: Option<PeriodRow> = on_conn!(tx, c => sqlx::query_as(
        "SELECT year, reference_date, standard_id, unit_list FROM review_period WHERE year = $1",
    )
    .bind(year)
    .fetch_optional(c)
    .await?);
    if let Some(r) = row {
        return from_row(r);
    }
    check_reference_date(year, reference_date)?;
    let unit_list = UnitList::in_force(reference_date);
    execute(
        tx,
        "INSERT INTO review_period (year, reference_date, standard_id, unit_list, created_at) VALUES ($1, $2, $3, $4, $5)",
        vec![
            year.into(),
            reference_date.format("%Y-%m-%d").to_string().into(),
            standard_id.into(),
            crate::units::list_key(unit_list).into(),
            crate::now().into(),
        ],
    )
    .await?;
    Ok(Period { year, reference_date, standard_id: standard_id.to_string(), unit_list })
}
