//! Plans (*kế hoạch giảm nghèo*, issue 13): a unit's plan for a span of years — a year, or the
//! programme's five — as issued by a decision. The targets it sets are the unit's
//! [`plan_target`](crate::targets) rows for each year of the span; a plan names the decision and
//! the span. Read within the reader's area, written for units the writer may change, audited.

use crate::audit::{self, Change};
use crate::db::{on_conn, on_pool};
use crate::error::{Result, StoreError};
use crate::scope::Registry;
use crate::sql::{Arg, Sql, bound};
use crate::targets::{StoredTarget, TargetUnit};

/// The longest span a plan may have: the programme's five years (with room for a plan that
/// runs a year over).
pub const LONGEST_SPAN_YEARS: i64 = 10;

/// A plan as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub unit_code: String,
    pub unit_name: String,
    pub first_year: i64,
    pub last_year: i64,
    /// `Kế hoạch giảm nghèo bền vững giai đoạn 2026–2030`.
    pub title: String,
    /// The issuing decision's number (`123/QĐ-UBND`).
    pub decision: Option<String>,
    /// Its date, `YYYY-MM-DD`.
    pub decided_on: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
}

impl Plan {
    /// The years of the span, in order.
    pub fn years(&self) -> std::ops::RangeInclusive<i64> {
        self.first_year..=self.last_year
    }
}

/// A plan to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPlan {
    pub unit: TargetUnit,
    pub first_year: i64,
    pub last_year: i64,
    pub title: String,
    pub decision: Option<String>,
    pub decided_on: Option<chrono::NaiveDate>,
}

type PlanRow = (String, String, i64, i64, String, Option<String>, Option<String>, String, String);

fn plan(r: PlanRow) -> Plan {
    Plan {
        unit_code: r.0,
        unit_name: r.1,
        first_year: r.2,
        last_year: r.3,
        title: r.4,
        decision: r.5,
        decided_on: r.6,
        recorded_by: r.7,
        recorded_at: r.8,
    }
}

impl Registry {
    /// Records `p` (a plan of the same unit and span replaced), audited. Refused outside what
    /// the writer may change, with a span backwards or longer than [`LONGEST_SPAN_YEARS`], or
    /// without a title.
    pub async fn record_plan(&self, p: &NewPlan, actor: &str, command: &str) -> Result<Plan> {
        if !self.may_set_unit(&p.unit) {
            return Err(StoreError::Forbidden(format!(
                "{0} ngoài phạm vi được giao / {0} is outside your area",
                p.unit.name
            )));
        }
        let title = vuonlen_core::text::nfc(p.title.trim()).into_owned();
        let mut bad = Vec::new();
        if title.is_empty() {
            bad.push("tên kế hoạch trống / the plan's title is empty".to_string());
        }
        if p.last_year < p.first_year {
            bad.push(format!(
                "năm cuối {} trước năm đầu {} / the last year {} is before the first {}",
                p.last_year, p.first_year, p.last_year, p.first_year
            ));
        } else if p.last_year - p.first_year + 1 > LONGEST_SPAN_YEARS {
            bad.push(format!(
                "kế hoạch {}–{} dài hơn {LONGEST_SPAN_YEARS} năm / the plan {}–{} spans more than {LONGEST_SPAN_YEARS} years",
                p.first_year, p.last_year, p.first_year, p.last_year
            ));
        }
        if !bad.is_empty() {
            return Err(StoreError::Invalid(bad.join("; ")));
        }
        let decision = p
            .decision
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(|d| vuonlen_core::text::nfc(d).into_owned());
        let decided_on = p.decided_on.map(|d| d.format("%Y-%m-%d").to_string());
        let at = crate::now();
        let (province, commune) = p.unit.place();
        let mut tx = self.db.begin().await?;
        let old: Option<String> = on_conn!(tx, c => sqlx::query_scalar(
            "SELECT title FROM plan WHERE unit_code = $1 AND first_year = $2 AND last_year = $3",
        )
        .bind(p.unit.code.as_str())
        .bind(p.first_year)
        .bind(p.last_year)
        .fetch_optional(c)
        .await?);
        on_conn!(tx, c => sqlx::query(
            "INSERT INTO plan (unit_code, first_year, last_year, current_province, current_commune, unit_name, title, \
                 decision, decided_on, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (unit_code, first_year, last_year) DO UPDATE SET unit_name = excluded.unit_name, \
                 title = excluded.title, decision = excluded.decision, decided_on = excluded.decided_on, \
                 recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
        )
        .bind(p.unit.code.as_str())
        .bind(p.first_year)
        .bind(p.last_year)
        .bind(province)
        .bind(commune)
        .bind(p.unit.name.as_str())
        .bind(title.as_str())
        .bind(decision.as_deref())
        .bind(decided_on.as_deref())
        .bind(actor)
        .bind(at.as_str())
        .execute(c)
        .await?
        .rows_affected());
        let field = format!("{}:{}-{}", p.unit.code, p.first_year, p.last_year);
        let new_value = match &decision {
            Some(d) => format!("{title} ({d})"),
            None => title.clone(),
        };
        let change = Change {
            actor,
            command,
            entity: "plan",
            household_id: None,
            period: Some(p.first_year),
            member_no: None,
            field: &field,
            old_value: old.as_deref(),
            new_value: Some(&new_value),
        };
        audit::record_now(&mut tx, &change, &at).await?;
        tx.commit().await?;
        Ok(Plan {
            unit_code: p.unit.code.clone(),
            unit_name: p.unit.name.clone(),
            first_year: p.first_year,
            last_year: p.last_year,
            title,
            decision,
            decided_on,
            recorded_by: actor.to_string(),
            recorded_at: at,
        })
    }

    /// `unit`'s plans, the longest span first within a first year, earliest first (none when the
    /// reader may not read the unit).
    pub async fn plans_of(&self, unit: &TargetUnit) -> Result<Vec<Plan>> {
        if !self.may_read_unit(unit) {
            return Ok(Vec::new());
        }
        let rows: Vec<PlanRow> = on_pool!(self.db, p => sqlx::query_as(
            "SELECT unit_code, unit_name, first_year, last_year, title, decision, decided_on, recorded_by, recorded_at \
             FROM plan WHERE unit_code = $1 ORDER BY first_year, last_year DESC",
        )
        .bind(unit.code.as_str())
        .fetch_all(p)
        .await?);
        Ok(rows.into_iter().map(plan).collect())
    }

    /// `unit`'s own targets for the years `first..=last`, by year (none when the reader may not
    /// read the unit).
    pub async fn targets_of_unit(&self, unit: &TargetUnit, first: i64, last: i64) -> Result<Vec<StoredTarget>> {
        if !self.may_read_unit(unit) {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for year in first..=last.min(first + LONGEST_SPAN_YEARS - 1) {
            if let Some(t) = self.target(year, unit).await? {
                out.push(t);
            }
        }
        Ok(out)
    }

    /// `unit`'s indicator targets for the years `first..=last`: (year, indicator id, value).
    pub async fn indicator_targets_of_unit(
        &self,
        unit: &TargetUnit,
        first: i64,
        last: i64,
    ) -> Result<Vec<(i64, String, f64)>> {
        if !self.may_read_unit(unit) {
            return Ok(Vec::new());
        }
        let mut sql = Sql::with_args([Arg::from(unit.code.as_str()), Arg::Int(first), Arg::Int(last)]);
        sql.push(
            "SELECT t.year, t.indicator_id, t.value FROM plan_indicator_target t \
             WHERE t.unit_code = $1 AND t.year BETWEEN $2 AND $3 ORDER BY t.year, t.indicator_id",
        );
        Ok(on_pool!(self.db, p => bound!(query_as, sql).fetch_all(p).await?))
    }
}
