//! Applications received at any time (*đơn đề nghị*, Decision 24/2021/QĐ-TTg art. 5): a
//! household asks to be recognised poor or near-poor (Mẫu 01) or as having escaped (Mẫu 04)
//! whenever it wants; the commune records the application at once, the next round of the commune
//! (the month's regular review, or the annual one) takes it up, and it must be decided — or
//! refused in writing with the reason — by that regular review's deadline.

use super::Round;
use super::steps::Application;
use crate::db::{on_conn, on_pool};
use crate::error::Result;
use crate::scope::Registry;
use crate::sql::{Sql, bound};
use chrono::NaiveDate;
use vuonlen_core::review::{Origin, Refusal, ReviewProcedure};

/// An application as recorded, with the day it must be decided by.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ApplicationRow {
    pub id: i64,
    pub commune_code: String,
    pub province_code: String,
    pub household_code: String,
    pub origin: Origin,
    pub applied_on: NaiveDate,
    /// The first day of the regular review that takes it up.
    pub review_starts: NaiveDate,
    /// The statutory deadline: decided, or refused in writing, by this day.
    pub due_on: NaiveDate,
    /// The round that took it up, if any.
    pub round_id: Option<i64>,
    /// The stage of its case in that round (`decided`, `screened_out`, …).
    pub stage: Option<String>,
    /// The class the decision recognised.
    pub recognised_class: Option<String>,
}

impl ApplicationRow {
    /// Whether it is still undecided past its deadline on `today`.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        let done = matches!(self.stage.as_deref(), Some("decided" | "screened_out")) && self.recognised_class.is_some();
        !done && today > self.due_on
    }
}

impl Registry {
    /// Records an application received outside any round. Refused (with the reason) for an
    /// unknown household, one outside the caller's write area, the origin "listed", a day in
    /// the future, or a household with an application not yet taken up.
    pub async fn record_application(
        &self,
        a: &Application,
        today: NaiveDate,
        actor: &str,
        command: &str,
    ) -> Result<std::result::Result<i64, Refusal>> {
        if a.origin == Origin::Listed {
            return Ok(Err(Refusal::new(
                "Nguồn \"listed\" chỉ do hệ thống lập từ danh sách kỳ trước.",
                "Origin \"listed\" is made from the last period's lists only.",
            )));
        }
        if a.applied_on > today {
            return Ok(Err(Refusal::new(
                format!("Ngày đề nghị {} sau hôm nay.", a.applied_on),
                format!("The application's day {} is after today.", a.applied_on),
            )));
        }
        let at = crate::now();
        let mut tx = self.db.begin().await?;
        let row: Option<(i64, String, String)> = on_conn!(tx, c => sqlx::query_as(
            "SELECT h.id, h.commune_code, h.province_code FROM household_alias a JOIN household h ON h.id = a.household_id \
             WHERE a.commune_code = $1 AND a.household_code = $2",
        )
        .bind(a.commune_code.as_str())
        .bind(a.household_code.as_str())
        .fetch_optional(c)
        .await?);
        let Some((household_id, commune, province)) = row else {
            return Ok(Err(Refusal::new(
                format!(
                    "Không có hộ {} của xã {} trong cơ sở dữ liệu (nhập phiếu của hộ trước).",
                    a.household_code, a.commune_code
                ),
                format!(
                    "No household {} of commune {} in the registry (import its form first).",
                    a.household_code, a.commune_code
                ),
            )));
        };
        if !self.write.contains(&province, &commune) {
            return Ok(Err(Refusal::new(
                format!("Hộ {} ngoài địa bàn được ghi của người dùng.", a.household_code),
                format!("Household {} is outside the user's write area.", a.household_code),
            )));
        }
        let waiting: Option<String> = on_conn!(tx, c => sqlx::query_scalar(
            "SELECT applied_on FROM review_application WHERE household_id = $1 AND round_id IS NULL",
        )
        .bind(household_id)
        .fetch_optional(c)
        .await?);
        if let Some(day) = waiting {
            return Ok(Err(Refusal::new(
                format!("Hộ {} đã có đơn ngày {day} đang chờ rà soát.", a.household_code),
                format!("Household {} has an application of {day} waiting for its review.", a.household_code),
            )));
        }
        let id: i64 = on_conn!(tx, c => sqlx::query_scalar(
            "INSERT INTO review_application (household_id, current_commune, current_province, origin, applied_on, \
                 recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(household_id)
        .bind(commune.as_str())
        .bind(province.as_str())
        .bind(a.origin.key())
        .bind(a.applied_on.to_string())
        .bind(actor)
        .bind(at.as_str())
        .fetch_one(c)
        .await?);
        let change = crate::audit::Change {
            actor,
            command,
            entity: "review_application",
            household_id: Some(household_id),
            period: None,
            member_no: None,
            field: "review.application",
            old_value: None,
            new_value: Some(&format!("{} ngày {}", a.origin.key(), a.applied_on)),
        };
        crate::audit::record_now(&mut tx, &change, &at).await?;
        tx.commit().await?;
        Ok(Ok(id))
    }

    /// The applications of the caller's area (or of one province), newest first, with their
    /// deadline and what became of them; `waiting_only`: those no round has taken up yet.
    pub async fn applications(
        &self,
        procedure: &ReviewProcedure,
        province: Option<&str>,
        waiting_only: bool,
    ) -> Result<Vec<ApplicationRow>> {
        type Row = (i64, String, String, String, String, String, Option<i64>, Option<String>, Option<String>);
        let mut sql = Sql::new();
        sql.push(
            "SELECT a.id, a.current_commune, a.current_province, h.household_code, a.origin, a.applied_on, a.round_id, \
                 r.stage, r.recognised_class \
             FROM review_application a JOIN household h ON h.id = a.household_id \
             LEFT JOIN review_case r ON r.round_id = a.round_id AND r.household_id = a.household_id WHERE ",
        )
        .append(&self.scope.sql("a"));
        if let Some(p) = province {
            sql.push(" AND a.current_province = ").bind(p);
        }
        if waiting_only {
            sql.push(" AND a.round_id IS NULL");
        }
        sql.push(" ORDER BY a.applied_on DESC, a.id DESC");
        let rows: Vec<Row> = on_pool!(self.db, p => bound!(query_as, sql).fetch_all(p).await?);
        let mut out = Vec::with_capacity(rows.len());
        for (id, commune, province, code, origin, applied, round_id, stage, recognised) in rows {
            let applied_on = super::date_of(&applied)?;
            let review_starts = procedure.regular_start_for(applied_on);
            out.push(ApplicationRow {
                id,
                commune_code: commune,
                province_code: province,
                household_code: code,
                origin: Origin::parse(&origin).unwrap_or(Origin::Applied),
                applied_on,
                review_starts,
                due_on: procedure.regular_deadline(review_starts),
                round_id,
                stage,
                recognised_class: recognised,
            });
        }
        Ok(out)
    }
}

/// Takes the waiting applications of a commune received by the round's last day into the round:
/// a new case for each household not on its list (an application to escape changes the origin
/// of a listed one). Returns how many cases were added.
pub(crate) async fn take_up(tx: &mut crate::db::Tx, round: &Round, commune: &str, at: &str) -> Result<u64> {
    let last = round.ends_on.to_string();
    let added = on_conn!(tx, c => sqlx::query(
        "INSERT INTO review_case (round_id, household_id, current_commune, current_province, origin, stage, \
             previous_class, applied_on, updated_at) \
         SELECT $1, a.household_id, a.current_commune, a.current_province, a.origin, 'listed', \
             (SELECT c.class FROM classification c JOIN review_period p ON p.year = c.period AND p.standard_id = c.standard_id \
              WHERE c.household_id = a.household_id AND c.period < $4 ORDER BY c.period DESC LIMIT 1), \
             a.applied_on, $5 \
         FROM review_application a WHERE a.round_id IS NULL AND a.current_commune = $2 AND a.current_province = $3 \
           AND a.applied_on <= $6 \
           AND NOT EXISTS (SELECT 1 FROM review_case x WHERE x.round_id = $1 AND x.household_id = a.household_id)",
    )
    .bind(round.id)
    .bind(commune)
    .bind(round.province_code.as_str())
    .bind(round.period)
    .bind(at)
    .bind(last.as_str())
    .execute(c)
    .await?
    .rows_affected());
    on_conn!(tx, c => sqlx::query(
        "UPDATE review_case SET origin = 'applied_escape' WHERE round_id = $1 AND current_commune = $2 \
           AND origin = 'listed' AND stage = 'listed' AND household_id IN (SELECT household_id FROM review_application \
             WHERE round_id IS NULL AND current_commune = $2 AND origin = 'applied_escape' AND applied_on <= $3)",
    )
    .bind(round.id)
    .bind(commune)
    .bind(last.as_str())
    .execute(c)
    .await?
    .rows_affected());
    on_conn!(tx, c => sqlx::query(
        "UPDATE review_application SET round_id = $1 WHERE round_id IS NULL AND current_commune = $2 \
           AND current_province = $3 AND applied_on <= $4",
    )
    .bind(round.id)
    .bind(commune)
    .bind(round.province_code.as_str())
    .bind(last.as_str())
    .execute(c)
    .await?
    .rows_affected());
    Ok(added)
}

/// One commune's line of the monthly roll-up of the regular review (*tổng hợp kết quả rà soát
/// thường xuyên hằng tháng*).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct MonthLine {
    pub commune_code: String,
    /// Applications received in the month: to be recognised (Mẫu 01, village proposals) and to
    /// be recognised as escaped (Mẫu 04).
    pub received: u64,
    pub received_escape: u64,
    /// Applications decided in the month, and what became of them.
    pub decided: u64,
    pub poor: u64,
    pub near_poor: u64,
    pub escaped: u64,
    pub refused: u64,
    /// Applications not decided at the month's end, and of them those past their deadline.
    pub waiting: u64,
    pub overdue: u64,
}

impl Registry {
    /// The monthly roll-up of a province's applications from `first` to `last` (a month), one
    /// line per commune of the caller's area with any application, in code order.
    pub async fn regular_month(
        &self,
        procedure: &ReviewProcedure,
        province: &str,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Result<Vec<MonthLine>> {
        use std::collections::BTreeMap;
        use vuonlen_core::Class;
        use vuonlen_core::review::{ApplicationOutcome, application_outcome};
        type CaseRow = (String, String, String, String, Option<String>, Option<String>, Option<String>);
        let end = last.to_string();
        let mut sql = Sql::with_args([province.into(), end.as_str().into()]);
        sql.push(
            "SELECT r.current_commune, r.origin, r.applied_on, r.stage, r.previous_class, r.recognised_class, k.decided_on \
             FROM review_case r JOIN review_round rr ON rr.id = r.round_id \
             JOIN review_commune k ON k.round_id = r.round_id AND k.current_commune = r.current_commune \
             WHERE rr.province_code = $1 AND r.origin <> 'listed' AND r.applied_on IS NOT NULL AND r.applied_on <= $2 AND ",
        )
        .append(&self.scope.sql("r"));
        let cases: Vec<CaseRow> = on_pool!(self.db, p => bound!(query_as, sql).fetch_all(p).await?);
        let mut sql = Sql::with_args([province.into(), end.as_str().into()]);
        sql.push(
            "SELECT a.current_commune, a.origin, a.applied_on FROM review_application a \
             WHERE a.round_id IS NULL AND a.current_province = $1 AND a.applied_on <= $2 AND ",
        )
        .append(&self.scope.sql("a"));
        let waiting: Vec<(String, String, String)> = on_pool!(self.db, p => bound!(query_as, sql).fetch_all(p).await?);
        let mut lines: BTreeMap<String, MonthLine> = BTreeMap::new();
        let in_month = |d: NaiveDate| first <= d && d <= last;
        let mut count =
            |commune: &str, origin: Origin, applied_on: NaiveDate, decided: Option<(Option<Class>, Option<Class>)>| {
                let l = lines
                    .entry(commune.to_string())
                    .or_insert_with(|| MonthLine { commune_code: commune.into(), ..Default::default() });
                if in_month(applied_on) {
                    if origin == Origin::AppliedEscape {
                        l.received_escape += 1;
                    } else {
                        l.received += 1;
                    }
                }
                match decided {
                    Some((previous, recognised)) => {
                        l.decided += 1;
                        match application_outcome(origin, previous, recognised) {
                            ApplicationOutcome::Recognised(Class::Poor) => l.poor += 1,
                            ApplicationOutcome::Recognised(_) => l.near_poor += 1,
                            ApplicationOutcome::Escaped => l.escaped += 1,
                            ApplicationOutcome::Refused => l.refused += 1,
                        }
                    }
                    None => {
                        l.waiting += 1;
                        if procedure.application_due(applied_on) < last {
                            l.overdue += 1;
                        }
                    }
                }
            };
        for (commune, origin, applied, stage, previous, recognised, decided_on) in &cases {
            let applied_on = super::date_of(applied)?;
            let decided_on = decided_on.as_deref().map(super::date_of).transpose()?;
            let origin = Origin::parse(origin).unwrap_or(Origin::Applied);
            let class = |c: &Option<String>| c.as_deref().and_then(Class::parse);
            let done = matches!(stage.as_str(), "decided" | "screened_out") && recognised.is_some();
            match decided_on {
                // Decided before the month (so received before it too): not in its roll-up.
                Some(d) if done && d < first => {}
                Some(d) if done && d <= last => {
                    count(commune, origin, applied_on, Some((class(previous), class(recognised))))
                }
                _ => count(commune, origin, applied_on, None),
            }
        }
        for (commune, origin, applied) in &waiting {
            let origin = Origin::parse(origin).unwrap_or(Origin::Applied);
            count(commune, origin, super::date_of(applied)?, None);
        }
        // Lines with nothing to say about the month are left out.
        Ok(lines.into_values().filter(|l| l.received + l.received_escape + l.decided + l.waiting > 0).collect())
    }
}
