//! Activities of a unit's plan (`plan_activity`, issue 14): what will be done under a project of
//! the catalogue, by which lead agency and officer, with which partners, where, for whom, what
//! output, when, and its status. Written for units the writer may change, read within the
//! reader's area, audited.

use crate::audit::{self, Change};
use crate::db::{Tx, on_conn, on_pool};
use crate::error::{Result, StoreError};
use crate::scope::Registry;
use crate::sql::{Arg, Sql, bound};
use crate::targets::TargetUnit;

/// An activity to record.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewActivity {
    pub year: i64,
    pub project_code: String,
    pub title: String,
    pub lead_agency: String,
    pub lead_officer: Option<String>,
    pub partners: Vec<String>,
    pub locations: Option<String>,
    pub target_group: Option<String>,
    pub planned_output: Option<String>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    /// `planned`, `under_way`, `done`, `cancelled`.
    pub status: String,
}

/// An activity as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    pub id: i64,
    pub unit_code: String,
    pub activity: NewActivity,
}

type ActivityRow = (
    i64,
    String,
    i64,
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);

impl Registry {
    /// Records `a` in `unit`'s plan; its id. Forbidden outside what the writer may change.
    pub async fn record_activity(&self, unit: &TargetUnit, a: &NewActivity, actor: &str, command: &str) -> Result<i64> {
        if !self.may_set_unit(unit) {
            return Err(StoreError::Forbidden(format!(
                "{0} ngoài phạm vi được giao / {0} is outside your area",
                unit.name
            )));
        }
        let mut tx = self.db.begin().await?;
        let id = insert_activity(&mut tx, unit, a, actor, command).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Records every activity of `list` in one transaction — or none: `Ok(Err(..))` names each
    /// one whose unit the writer may not change, with its index.
    pub async fn record_activities(
        &self,
        list: &[(TargetUnit, NewActivity)],
        actor: &str,
        command: &str,
    ) -> Result<std::result::Result<u64, Vec<(usize, String)>>> {
        let refused: Vec<(usize, String)> = list
            .iter()
            .enumerate()
            .filter(|(_, (u, _))| !self.may_set_unit(u))
            .map(|(k, (u, _))| (k, format!("{0} ngoài phạm vi được giao / {0} is outside your area", u.name)))
            .collect();
        if !refused.is_empty() {
            return Ok(Err(refused));
        }
        let mut tx = self.db.begin().await?;
        for (unit, a) in list {
            insert_activity(&mut tx, unit, a, actor, command).await?;
        }
        tx.commit().await?;
        Ok(Ok(list.len() as u64))
    }

    /// `unit`'s activities (of `year`, or every year), by year, project and id.
    pub async fn activities_of(&self, unit: &TargetUnit, year: Option<i64>) -> Result<Vec<Activity>> {
        if !self.may_read_unit(unit) {
            return Ok(Vec::new());
        }
        let mut q = Sql::with_args([Arg::from(unit.code.as_str())]);
        q.push(
            "SELECT a.id, a.unit_code, a.year, a.project_code, a.title, a.lead_agency, a.lead_officer, a.partners, a.locations, \
             a.target_group, a.planned_output, a.starts_on, a.ends_on, a.status FROM plan_activity a WHERE a.unit_code = $1",
        );
        if let Some(y) = year {
            q.push(" AND a.year = ").bind(y);
        }
        q.push(" ORDER BY a.year, a.project_code, a.id");
        let rows: Vec<ActivityRow> = on_pool!(self.db, p => bound!(query_as, q).fetch_all(p).await?);
        Ok(rows
            .into_iter()
            .map(|r| Activity {
                id: r.0,
                unit_code: r.1,
                activity: NewActivity {
                    year: r.2,
                    project_code: r.3,
                    title: r.4,
                    lead_agency: r.5,
                    lead_officer: r.6,
                    partners: r.7.lines().map(str::to_string).filter(|p| !p.is_empty()).collect(),
                    locations: r.8,
                    target_group: r.9,
                    planned_output: r.10,
                    starts_on: r.11,
                    ends_on: r.12,
                    status: r.13,
                },
            })
            .collect())
    }
}

/// Inserts one activity and its audit row within `tx`; its id.
async fn insert_activity(tx: &mut Tx, unit: &TargetUnit, a: &NewActivity, actor: &str, command: &str) -> Result<i64> {
    let (province, commune) = unit.place();
    let at = crate::now();
    let id: i64 = on_conn!(tx, c => sqlx::query_scalar(
        "INSERT INTO plan_activity (unit_code, current_province, current_commune, year, project_code, title, lead_agency, \
             lead_officer, partners, locations, target_group, planned_output, starts_on, ends_on, status, recorded_by, \
             recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id",
    )
    .bind(unit.code.as_str())
    .bind(province)
    .bind(commune)
    .bind(a.year)
    .bind(a.project_code.as_str())
    .bind(a.title.as_str())
    .bind(a.lead_agency.as_str())
    .bind(a.lead_officer.as_deref())
    .bind(a.partners.join("\n"))
    .bind(a.locations.as_deref())
    .bind(a.target_group.as_deref())
    .bind(a.planned_output.as_deref())
    .bind(a.starts_on.as_deref())
    .bind(a.ends_on.as_deref())
    .bind(a.status.as_str())
    .bind(actor)
    .bind(at.as_str())
    .fetch_one(c)
    .await?);
    let field = format!("{id}");
    let new_value = format!("{} {}: {} ({})", a.year, a.project_code, a.title, a.lead_agency);
    let change = Change {
        actor,
        command,
        entity: "plan_activity",
        household_id: None,
        period: Some(a.year),
        member_no: None,
        field: &field,
        old_value: None,
        new_value: Some(&new_value),
    };
    audit::record_now(tx, &change, &at).await?;
    Ok(id)
}
