//! The monitoring cycle's reports (`monitoring_report`): one per kind, year and unit, read
//! within the reader's area and changed only as [`ReportState::apply`] allows — the unit's
//! officers draft, enter and submit; the level above's approve or return. Every change is one
//! conditional update (the state it was read in), so two officers deciding at once cannot both
//! win, and it is audited.

use crate::audit::{self, Change};
use crate::db::{on_conn, on_pool};
use crate::error::{Result, StoreError};
use crate::scope::{Registry, province_of};
use crate::sql::{Arg, Sql, bound};
use crate::targets::TargetUnit;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use vuonlen_core::monitoring::{ReportAction, ReportState};
use vuonlen_core::review::Refusal;

/// Indicator id → value (`None`: not computable for the unit).
pub type ReportFigures = BTreeMap<String, Option<f64>>;

/// A unit's report as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredReport {
    pub kind: String,
    pub year: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub state: ReportState,
    pub figures: ReportFigures,
    /// The unit's targets when the report was drafted (figures JSON by column key).
    pub targets: Option<String>,
    pub comment: Option<String>,
    pub drafted_by: String,
    pub drafted_at: String,
    pub submitted_at: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
}

type ReportRow = (
    String,
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

macro_rules! select_reports {
    () => {
        "SELECT r.kind, r.year, r.unit_code, r.unit_name, r.state, r.figures, r.targets, r.comment, r.drafted_by, \
         r.drafted_at, r.submitted_at, r.decided_by, r.decided_at FROM monitoring_report r WHERE "
    };
}

fn stored(r: ReportRow) -> Result<StoredReport> {
    let state = ReportState::parse(&r.4)
        .ok_or_else(|| StoreError::Invalid(format!("stored report state '{}' is not valid", r.4)))?;
    let figures: ReportFigures = serde_json::from_str(&r.5)
        .map_err(|e| StoreError::Invalid(format!("stored report figures are not valid: {e}")))?;
    Ok(StoredReport {
        kind: r.0,
        year: r.1,
        unit_code: r.2,
        unit_name: r.3,
        state,
        figures,
        targets: r.6,
        comment: r.7,
        drafted_by: r.8,
        drafted_at: r.9,
        submitted_at: r.10,
        decided_by: r.11,
        decided_at: r.12,
    })
}

/// The unit a report goes up to: a commune's province, a province's country (the country's
/// report goes nowhere).
pub fn level_above(unit: &TargetUnit) -> Option<TargetUnit> {
    match unit.code.len() {
        5 => TargetUnit::parse(province_of(&unit.code)),
        2 => TargetUnit::parse("VN"),
        _ => None,
    }
}

/// (province, commune) of a unit as the scope columns hold them.
fn place(unit: &TargetUnit) -> (&str, &str) {
    match unit.code.len() {
        2 => (unit.code.as_str(), ""),
        5 => (province_of(&unit.code), unit.code.as_str()),
        _ => ("", ""),
    }
}

/// A change to a report: what is done, with the figures and comment it carries.
#[derive(Debug, Clone)]
pub struct ReportChange<'a> {
    pub action: ReportAction,
    /// For [`ReportAction::Draft`] and [`ReportAction::Enter`]: the report's figures.
    pub figures: Option<&'a ReportFigures>,
    /// For [`ReportAction::Draft`]: the unit's targets (JSON).
    pub targets: Option<&'a str>,
    /// For [`ReportAction::Return`]: why (required).
    pub comment: Option<&'a str>,
}

impl Registry {
    /// `unit`'s report of `kind` for `year`, if recorded and readable.
    pub async fn monitoring_report(&self, kind: &str, year: i64, unit: &TargetUnit) -> Result<Option<StoredReport>> {
        if !self.may_read_unit(unit) {
            return Ok(None);
        }
        let row: Option<ReportRow> = on_pool!(self.db, p => sqlx::query_as(concat!(select_reports!(), "r.kind = $1 AND r.year = $2 AND r.unit_code = $3"))
            .bind(kind)
            .bind(year)
            .bind(unit.code.as_str())
            .fetch_optional(p)
            .await?);
        row.map(stored).transpose()
    }

    /// The reports of `parent`'s units (a province's communes, the country's provinces) within
    /// the reader's area.
    pub async fn monitoring_reports_under(
        &self,
        kind: &str,
        year: i64,
        parent: &TargetUnit,
    ) -> Result<Vec<StoredReport>> {
        let mut sql = Sql::with_args([Arg::from(kind), Arg::Int(year)]);
        sql.push(select_reports!()).push("r.kind = $1 AND r.year = $2 AND ");
        if parent.code == "VN" {
            sql.push("r.current_province <> '' AND r.current_commune = '' AND ");
        } else {
            sql.push("r.current_province = ").bind(parent.code.as_str()).push(" AND r.current_commune <> '' AND ");
        }
        sql.append(&self.scope.sql("r")).push(" ORDER BY r.unit_code");
        let rows: Vec<ReportRow> = on_pool!(self.db, p => bound!(query_as, sql).fetch_all(p).await?);
        rows.into_iter().map(stored).collect()
    }

    /// Changes `unit`'s report as `change` says: refused (`Ok(Err)`) when its state does not
    /// allow it; forbidden when the caller may not act for the unit (drafting, entering,
    /// submitting) or for the level above (approving, returning).
    pub async fn change_monitoring_report(
        &self,
        kind: &str,
        year: i64,
        unit: &TargetUnit,
        change: &ReportChange<'_>,
        actor: &str,
        command: &str,
    ) -> Result<std::result::Result<ReportState, Refusal>> {
        use ReportAction as A;
        let deciding = matches!(change.action, A::Approve | A::Return);
        let above = level_above(unit);
        let allowed = if deciding {
            above.as_ref().is_some_and(|p| self.may_set_unit(p)) && self.may_read_unit(unit)
        } else {
            self.may_set_unit(unit)
        };
        if !allowed {
            return Err(StoreError::Forbidden(if deciding {
                "duyệt báo cáo là việc của cấp trên / approving a report is for the level above".into()
            } else {
                "lập báo cáo của đơn vị khác / making another unit's report".into()
            }));
        }
        if change.action == A::Submit && above.is_none() {
            return Ok(Err(Refusal {
                vi: "Báo cáo toàn quốc không nộp lên cấp nào.".into(),
                en: "The country's report goes to no level above.".into(),
            }));
        }
        if change.action == A::Return && change.comment.is_none_or(|c| c.trim().is_empty()) {
            return Ok(Err(Refusal {
                vi: "Trả lại báo cáo cần ghi ý kiến: đơn vị cần sửa gì.".into(),
                en: "Returning a report needs a comment: what the unit should correct.".into(),
            }));
        }
        let at = crate::now();
        let mut tx = self.db.begin().await?;
        let current: Option<(String, String)> = on_conn!(tx, c => sqlx::query_as(
            "SELECT state, figures FROM monitoring_report WHERE kind = $1 AND year = $2 AND unit_code = $3",
        )
        .bind(kind)
        .bind(year)
        .bind(unit.code.as_str())
        .fetch_optional(c)
        .await?);
        let from = match &current {
            Some((s, _)) => ReportState::parse(s)
                .ok_or_else(|| StoreError::Invalid(format!("stored report state '{s}' is not valid")))?,
            None if change.action == A::Draft => ReportState::Draft,
            None => {
                tx.rollback().await?;
                return Ok(Err(Refusal {
                    vi: "Chưa có báo cáo: hãy lập dự thảo trước.".into(),
                    en: "There is no report yet: draft it first.".into(),
                }));
            }
        };
        let to = match from.apply(change.action) {
            Ok(s) => s,
            Err(r) => {
                tx.rollback().await?;
                return Ok(Err(r));
            }
        };
        let figures_json = change
            .figures
            .map(|f| serde_json::to_string(f).map_err(|e| StoreError::Invalid(e.to_string())))
            .transpose()?;
        let (province, commune) = place(unit);
        let changed = match (&current, change.action) {
            (None, _) => on_conn!(tx, c => sqlx::query(
                "INSERT INTO monitoring_report (kind, year, unit_code, current_province, current_commune, unit_name, state, \
                     figures, targets, drafted_by, drafted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(kind)
            .bind(year)
            .bind(unit.code.as_str())
            .bind(province)
            .bind(commune)
            .bind(unit.name.as_str())
            .bind(to.key())
            .bind(figures_json.as_deref().unwrap_or("{}"))
            .bind(change.targets)
            .bind(actor)
            .bind(at.as_str())
            .execute(c)
            .await?
            .rows_affected()),
            (Some(_), A::Draft | A::Enter) => on_conn!(tx, c => sqlx::query(
                "UPDATE monitoring_report SET figures = COALESCE($4, figures), targets = COALESCE($5, targets), \
                     drafted_by = $6, drafted_at = $7 WHERE kind = $1 AND year = $2 AND unit_code = $3 AND state = $8",
            )
            .bind(kind)
            .bind(year)
            .bind(unit.code.as_str())
            .bind(figures_json.as_deref())
            .bind(change.targets)
            .bind(actor)
            .bind(at.as_str())
            .bind(from.key())
            .execute(c)
            .await?
            .rows_affected()),
            (Some(_), A::Submit) => on_conn!(tx, c => sqlx::query(
                "UPDATE monitoring_report SET state = $4, submitted_at = $5 \
                 WHERE kind = $1 AND year = $2 AND unit_code = $3 AND state = $6",
            )
            .bind(kind)
            .bind(year)
            .bind(unit.code.as_str())
            .bind(to.key())
            .bind(at.as_str())
            .bind(from.key())
            .execute(c)
            .await?
            .rows_affected()),
            (Some(_), A::Approve | A::Return) => on_conn!(tx, c => sqlx::query(
                "UPDATE monitoring_report SET state = $4, comment = $5, decided_by = $6, decided_at = $7 \
                 WHERE kind = $1 AND year = $2 AND unit_code = $3 AND state = $8",
            )
            .bind(kind)
            .bind(year)
            .bind(unit.code.as_str())
            .bind(to.key())
            .bind(change.comment)
            .bind(actor)
            .bind(at.as_str())
            .bind(from.key())
            .execute(c)
            .await?
            .rows_affected()),
        };
        if changed != 1 {
            // Another change came first (the row left the state read above).
            tx.rollback().await?;
            return Ok(Err(Refusal {
                vi: "Báo cáo vừa được người khác thay đổi: hãy tải lại.".into(),
                en: "The report was just changed by someone else: reload it.".into(),
            }));
        }
        let field = format!("{kind}:{year}:{}", unit.code);
        let new_value = format!("{} {}", to.key(), figures_json.as_deref().unwrap_or(""));
        let old_value = current.as_ref().map(|(s, f)| format!("{s} {f}"));
        audit::record_now(
            &mut tx,
            &Change {
                actor,
                command,
                entity: "monitoring_report",
                household_id: None,
                period: Some(year),
                member_no: None,
                field: &field,
                old_value: old_value.as_deref(),
                new_value: Some(new_value.trim()),
            },
            &at,
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(to))
    }

    /// The day `province`'s communes' reports of `kind` for `year` are due by, if the province
    /// set one.
    pub async fn monitoring_due(&self, kind: &str, year: i64, province: &str) -> Result<Option<NaiveDate>> {
        let due: Option<String> = on_pool!(self.db, p => sqlx::query_scalar(
            "SELECT due_on FROM monitoring_due WHERE kind = $1 AND year = $2 AND province_code = $3",
        )
        .bind(kind)
        .bind(year)
        .bind(province)
        .fetch_optional(p)
        .await?);
        Ok(due.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()))
    }

    /// Sets the day `province`'s communes' reports are due by (the province's plan), audited.
    pub async fn set_monitoring_due(
        &self,
        kind: &str,
        year: i64,
        province: &TargetUnit,
        due: NaiveDate,
        actor: &str,
    ) -> Result<()> {
        if province.code.len() != 2 || !self.may_set_unit(province) {
            return Err(StoreError::Forbidden("hạn nộp báo cáo của tỉnh / a province's due days".into()));
        }
        let at = crate::now();
        let mut tx = self.db.begin().await?;
        on_conn!(tx, c => sqlx::query(
            "INSERT INTO monitoring_due (kind, year, province_code, due_on, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (kind, year, province_code) DO UPDATE SET due_on = excluded.due_on, recorded_by = excluded.recorded_by, \
             recorded_at = excluded.recorded_at",
        )
        .bind(kind)
        .bind(year)
        .bind(province.code.as_str())
        .bind(due.to_string())
        .bind(actor)
        .bind(at.as_str())
        .execute(c)
        .await?
        .rows_affected());
        let field = format!("{kind}:{year}:{}", province.code);
        let due_text = due.to_string();
        audit::record_now(
            &mut tx,
            &Change {
                actor,
                command: "monitoring due",
                entity: "monitoring_due",
                household_id: None,
                period: Some(year),
                member_no: None,
                field: &field,
                old_value: None,
                new_value: Some(&due_text),
            },
            &at,
        )
        .await?;
        tx.commit().await
    }
}
