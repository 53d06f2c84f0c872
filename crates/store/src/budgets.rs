//! Budget lines (`budget_line`, issue 14): a unit's allocation for a project or sub-project in a
//! year from one source, with its commitments and disbursements. Written all or nothing, each
//! line's rules checked in the transaction that writes it — after the write, with the lines it
//! is bound by locked first, so that two units writing at once under the same parent cannot
//! together pass it:
//!
//! - committed and disbursed within the allocation;
//! - a unit's children (a province's communes, the country's provinces) allocated no more than
//!   the unit, for the same year, project and source (when the unit has a line);
//! - a unit's sub-project lines no more than its project's line (when it has one).
//!
//! Read within the reader's area; written for units the writer may change; audited.

use crate::audit::{self, Change};
use crate::db::{Tx, on_conn, on_pool};
use crate::error::{Result, StoreError};
use crate::scope::{Registry, province_of};
use crate::sql::{Arg, Sql, bound};
use crate::targets::TargetUnit;
use vuonlen_core::budget::{Amounts, FundSource};
use vuonlen_core::text::format_vnd;

/// A line to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewBudgetLine {
    pub unit: TargetUnit,
    pub year: i64,
    /// The catalogue's code, as the catalogue writes it (`DA3.TDA1`).
    pub project_code: String,
    pub source: FundSource,
    /// Allocated; committed and disbursed when given (`None` keeps what was recorded).
    pub amounts: Amounts,
    pub note: Option<String>,
}

/// A line as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetLine {
    pub year: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub project_code: String,
    pub source: FundSource,
    pub amounts: Amounts,
    pub note: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// Support delivered under one year, project and source (*hỗ trợ đã trao*): the records of
/// households of a unit that name them — what a budget line of that unit paid for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SupportPaid {
    pub year: i64,
    pub project_code: String,
    pub source: String,
    pub records: u64,
    pub households: u64,
    pub amount: u64,
}

/// Why lines were refused: each reason with the index of the line in the request.
pub type BudgetRefusals = Vec<(usize, String, String)>;

type LineRow = (i64, String, String, String, String, i64, Option<i64>, Option<i64>, Option<String>, String, String);

fn line(r: LineRow) -> Result<BudgetLine> {
    let source = FundSource::ALL
        .into_iter()
        .find(|s| s.key() == r.4)
        .ok_or_else(|| StoreError::Invalid(format!("unknown source {:?} in budget_line", r.4)))?;
    let amount = |v: i64| u64::try_from(v).unwrap_or(0);
    Ok(BudgetLine {
        year: r.0,
        unit_code: r.1,
        unit_name: r.2,
        project_code: r.3,
        source,
        amounts: Amounts { allocated: amount(r.5), committed: r.6.map(amount), disbursed: r.7.map(amount) },
        note: r.8,
        recorded_by: r.9,
        recorded_at: r.10,
    })
}

macro_rules! select_lines {
    () => {
        "SELECT b.year, b.unit_code, b.unit_name, b.project_code, b.source, b.allocated, b.committed, b.disbursed, \
         b.note, b.recorded_by, b.recorded_at FROM budget_line b WHERE "
    };
}

/// The unit above `unit` whose allocation bounds it: a commune's province, a province's country.
fn parent_of(unit: &TargetUnit) -> Option<String> {
    match unit.code.len() {
        5 if unit.village().is_none() => Some(province_of(&unit.code).to_string()),
        2 => Some("VN".to_string()),
        _ => None,
    }
}

/// The predicate of the lines of `unit`'s children (its communes, its provinces), on `b`.
fn children_sql(unit: &str, q: &mut Sql) {
    if unit == "VN" {
        q.push("b.current_province <> '' AND b.current_commune = ''");
    } else {
        q.push("b.current_province = ").bind(unit).push(" AND b.current_commune <> ''");
    }
}

async fn allocated_of(tx: &mut Tx, year: i64, unit: &str, project: &str, source: &str) -> Result<Option<i64>> {
    Ok(on_conn!(tx, c => sqlx::query_scalar(
        "SELECT allocated FROM budget_line WHERE year = $1 AND unit_code = $2 AND project_code = $3 AND source = $4",
    )
    .bind(year)
    .bind(unit)
    .bind(project)
    .bind(source)
    .fetch_optional(c)
    .await?))
}

async fn sum_of(tx: &mut Tx, sql: Sql) -> Result<i64> {
    let v: Option<i64> = on_conn!(tx, c => bound!(query_scalar, sql).fetch_one(c).await?);
    Ok(v.unwrap_or(0))
}

fn vnd(v: i64) -> String {
    format_vnd(v)
}

impl Registry {
    /// Records `lines` (each replacing the unit's line of the same year, project and source) in
    /// one transaction, audited — or none of them: `Ok(Err(..))` names every broken rule with
    /// its line's index. Forbidden when a line's unit is outside what the writer may change.
    pub async fn record_budget_lines(
        &self,
        lines: &[NewBudgetLine],
        actor: &str,
        command: &str,
    ) -> Result<std::result::Result<u64, BudgetRefusals>> {
        self.write_budget_lines(lines, actor, command, true).await
    }

    /// Checks `lines` as [`Registry::record_budget_lines`] would record them — every rule, on
    /// the registry as it is — and keeps nothing.
    pub async fn check_budget_lines(
        &self,
        lines: &[NewBudgetLine],
    ) -> Result<std::result::Result<u64, BudgetRefusals>> {
        self.write_budget_lines(lines, "", "check", false).await
    }

    async fn write_budget_lines(
        &self,
        lines: &[NewBudgetLine],
        actor: &str,
        command: &str,
        keep: bool,
    ) -> Result<std::result::Result<u64, BudgetRefusals>> {
        let outside: Vec<&str> =
            lines.iter().filter(|l| !self.may_set_unit(&l.unit)).map(|l| l.unit.name.as_str()).collect();
        if !outside.is_empty() {
            return Err(StoreError::Forbidden(format!(
                "đơn vị ngoài phạm vi được giao: {0} / units outside your area: {0}",
                outside.join(", ")
            )));
        }
        let at = crate::now();
        let mut tx = self.db.begin().await?;
        // Lock what the lines are bound by, in one order: their parents' lines and their
        // projects' lines (an UPDATE that changes nothing takes the row's lock on PostgreSQL and
        // the write lock on SQLite).
        let mut locks: Vec<(i64, String, String, &'static str)> = Vec::new();
        for l in lines {
            if let Some(p) = parent_of(&l.unit) {
                locks.push((l.year, p, l.project_code.clone(), l.source.key()));
            }
            if let Some((project, _)) = l.project_code.split_once('.') {
                locks.push((l.year, l.unit.code.clone(), project.to_string(), l.source.key()));
            }
            locks.push((l.year, l.unit.code.clone(), l.project_code.clone(), l.source.key()));
        }
        locks.sort();
        locks.dedup();
        for (year, unit, project, source) in &locks {
            on_conn!(tx, c => sqlx::query(
                "UPDATE budget_line SET allocated = allocated \
                 WHERE year = $1 AND unit_code = $2 AND project_code = $3 AND source = $4",
            )
            .bind(*year)
            .bind(unit.as_str())
            .bind(project.as_str())
            .bind(*source)
            .execute(c)
            .await?
            .rows_affected());
        }
        for l in lines {
            let (province, commune) = l.unit.place();
            let old: Option<(i64, Option<i64>, Option<i64>)> = on_conn!(tx, c => sqlx::query_as(
                "SELECT allocated, committed, disbursed FROM budget_line \
                 WHERE year = $1 AND unit_code = $2 AND project_code = $3 AND source = $4",
            )
            .bind(l.year)
            .bind(l.unit.code.as_str())
            .bind(l.project_code.as_str())
            .bind(l.source.key())
            .fetch_optional(c)
            .await?);
            let i = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
            on_conn!(tx, c => sqlx::query(
                "INSERT INTO budget_line (year, unit_code, current_province, current_commune, unit_name, project_code, \
                     source, allocated, committed, disbursed, note, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
                 ON CONFLICT (year, unit_code, project_code, source) DO UPDATE SET unit_name = excluded.unit_name, \
                     allocated = excluded.allocated, committed = COALESCE(excluded.committed, budget_line.committed), \
                     disbursed = COALESCE(excluded.disbursed, budget_line.disbursed), \
                     note = COALESCE(excluded.note, budget_line.note), recorded_by = excluded.recorded_by, \
                     recorded_at = excluded.recorded_at",
            )
            .bind(l.year)
            .bind(l.unit.code.as_str())
            .bind(province)
            .bind(commune)
            .bind(l.unit.name.as_str())
            .bind(l.project_code.as_str())
            .bind(l.source.key())
            .bind(i(l.amounts.allocated))
            .bind(l.amounts.committed.map(i))
            .bind(l.amounts.disbursed.map(i))
            .bind(l.note.as_deref())
            .bind(actor)
            .bind(at.as_str())
            .execute(c)
            .await?
            .rows_affected());
            let show = |a: Option<i64>, c: Option<i64>, d: Option<i64>| {
                let o = |v: Option<i64>| v.map_or_else(|| "null".to_string(), |v| v.to_string());
                format!("{{\"allocated\":{},\"committed\":{},\"disbursed\":{}}}", o(a), o(c), o(d))
            };
            let new: (i64, Option<i64>, Option<i64>) = on_conn!(tx, c => sqlx::query_as(
                "SELECT allocated, committed, disbursed FROM budget_line \
                 WHERE year = $1 AND unit_code = $2 AND project_code = $3 AND source = $4",
            )
            .bind(l.year)
            .bind(l.unit.code.as_str())
            .bind(l.project_code.as_str())
            .bind(l.source.key())
            .fetch_one(c)
            .await?);
            if keep && old != Some(new) {
                let field = format!("{}:{}:{}:{}", l.year, l.unit.code, l.project_code, l.source.key());
                let old_text = old.map(|o| show(Some(o.0), o.1, o.2));
                let new_text = show(Some(new.0), new.1, new.2);
                let change = Change {
                    actor,
                    command,
                    entity: "budget_line",
                    household_id: None,
                    period: Some(l.year),
                    member_no: None,
                    field: &field,
                    old_value: old_text.as_deref(),
                    new_value: Some(&new_text),
                };
                audit::record_now(&mut tx, &change, &at).await?;
            }
        }
        // The rules, on what is now written.
        let mut refused: BudgetRefusals = Vec::new();
        for (k, l) in lines.iter().enumerate() {
            let source = l.source.key();
            let Some(own) = allocated_of(&mut tx, l.year, &l.unit.code, &l.project_code, source).await? else {
                continue;
            };
            let (_, committed, disbursed): (i64, Option<i64>, Option<i64>) = on_conn!(tx, c => sqlx::query_as(
                "SELECT allocated, committed, disbursed FROM budget_line \
                 WHERE year = $1 AND unit_code = $2 AND project_code = $3 AND source = $4",
            )
            .bind(l.year)
            .bind(l.unit.code.as_str())
            .bind(l.project_code.as_str())
            .bind(source)
            .fetch_one(c)
            .await?);
            let u = |v: i64| u64::try_from(v).unwrap_or(0);
            let amounts = Amounts { allocated: u(own), committed: committed.map(u), disbursed: disbursed.map(u) };
            for (vi, en) in amounts.check() {
                refused.push((k, format!("{} {} {}: {vi}", l.unit.name, l.project_code, l.year), en));
            }
            // Within the parent's allocation.
            if let Some(parent) = parent_of(&l.unit)
                && let Some(limit) = allocated_of(&mut tx, l.year, &parent, &l.project_code, source).await?
            {
                let mut q = Sql::with_args([Arg::Int(l.year), Arg::from(l.project_code.as_str()), Arg::from(source)]);
                q.push("SELECT CAST(SUM(b.allocated) AS BIGINT) FROM budget_line b WHERE b.year = $1 AND b.project_code = $2 AND b.source = $3 AND ");
                children_sql(&parent, &mut q);
                let children = sum_of(&mut tx, q).await?;
                if children > limit {
                    let parent_name = TargetUnit::parse(&parent).map_or(parent.clone(), |p| p.name);
                    refused.push((
                        k,
                        format!(
                            "Các đơn vị trực thuộc {parent_name} được giao {} đồng cho {} năm {} ({}) — vượt số {parent_name} được giao ({} đồng).",
                            vnd(children), l.project_code, l.year, l.source.label_vi(), vnd(limit)
                        ),
                        format!(
                            "The units of {parent_name} are allocated {children} đồng for {} in {} ({}) — more than {parent_name}'s {limit} đồng.",
                            l.project_code, l.year, l.source.label_en()
                        ),
                    ));
                }
            }
            // The unit's own children within it.
            if l.unit.village().is_none() && l.unit.code.len() <= 2 {
                let mut q = Sql::with_args([Arg::Int(l.year), Arg::from(l.project_code.as_str()), Arg::from(source)]);
                q.push("SELECT CAST(SUM(b.allocated) AS BIGINT) FROM budget_line b WHERE b.year = $1 AND b.project_code = $2 AND b.source = $3 AND ");
                children_sql(&l.unit.code, &mut q);
                let children = sum_of(&mut tx, q).await?;
                if children > own {
                    refused.push((
                        k,
                        format!(
                            "{} được giao {} đồng cho {} năm {} — ít hơn tổng đã giao cho các đơn vị trực thuộc ({} đồng).",
                            l.unit.name, vnd(own), l.project_code, l.year, vnd(children)
                        ),
                        format!(
                            "{} is allocated {own} đồng for {} in {} — less than its units already have ({children} đồng).",
                            l.unit.name, l.project_code, l.year
                        ),
                    ));
                }
            }
            // Sub-projects within their project.
            let project = l.project_code.split_once('.').map_or(l.project_code.as_str(), |(p, _)| p);
            if let Some(limit) = allocated_of(&mut tx, l.year, &l.unit.code, project, source).await? {
                let prefix = format!("{project}.%");
                let q = Sql::with_args([
                    Arg::Int(l.year),
                    Arg::from(l.unit.code.as_str()),
                    Arg::from(prefix.as_str()),
                    Arg::from(source),
                ]);
                let mut q = q;
                q.push(
                    "SELECT CAST(SUM(b.allocated) AS BIGINT) FROM budget_line b WHERE b.year = $1 AND b.unit_code = $2 \
                     AND b.project_code LIKE $3 AND b.source = $4",
                );
                let parts = sum_of(&mut tx, q).await?;
                if parts > limit {
                    refused.push((
                        k,
                        format!(
                            "Các tiểu dự án của {project} tại {} năm {} được giao {} đồng — vượt số của {project} ({} đồng).",
                            l.unit.name, l.year, vnd(parts), vnd(limit)
                        ),
                        format!(
                            "The sub-projects of {project} in {} for {} are allocated {parts} đồng — more than {project}'s {limit} đồng.",
                            l.unit.name, l.year
                        ),
                    ));
                }
            }
        }
        if !refused.is_empty() {
            refused.sort_by_key(|r| r.0);
            refused.dedup();
            tx.rollback().await?;
            return Ok(Err(refused));
        }
        if keep {
            tx.commit().await?;
        } else {
            tx.rollback().await?;
        }
        Ok(Ok(lines.len() as u64))
    }

    /// `unit`'s own lines (of `year`, or every year), by year, project and source.
    pub async fn budget_lines(&self, unit: &TargetUnit, year: Option<i64>) -> Result<Vec<BudgetLine>> {
        if !self.may_read_unit(unit) {
            return Ok(Vec::new());
        }
        let mut q = Sql::with_args([Arg::from(unit.code.as_str())]);
        q.push(select_lines!()).push("b.unit_code = $1");
        if let Some(y) = year {
            q.push(" AND b.year = ").bind(y);
        }
        q.push(" ORDER BY b.year, b.project_code, b.source");
        let rows: Vec<LineRow> = on_pool!(self.db, p => bound!(query_as, q).fetch_all(p).await?);
        rows.into_iter().map(line).collect()
    }

    /// The lines of `unit`'s children (its communes, its provinces) within the reader's area.
    pub async fn budget_lines_below(&self, unit: &TargetUnit, year: Option<i64>) -> Result<Vec<BudgetLine>> {
        if unit.village().is_some() || unit.code.len() == 5 {
            return Ok(Vec::new());
        }
        let mut q = Sql::new();
        q.push(select_lines!());
        children_sql(&unit.code, &mut q);
        if let Some(y) = year {
            q.push(" AND b.year = ").bind(y);
        }
        q.push(" AND ").append(&self.scope.sql("b")).push(" ORDER BY b.unit_code, b.year, b.project_code, b.source");
        let rows: Vec<LineRow> = on_pool!(self.db, p => bound!(query_as, q).fetch_all(p).await?);
        rows.into_iter().map(line).collect()
    }

    /// The support records of households of `unit` (today's place) in `year` (or every year)
    /// that name a project and a source, added up per year, project and source, within the
    /// reader's area.
    pub async fn support_paid(&self, unit: &TargetUnit, year: Option<i64>) -> Result<Vec<SupportPaid>> {
        let mut q = Sql::new();
        q.push(
            "SELECT r.period, r.project_code, r.source, COUNT(*), COUNT(DISTINCT r.household_id), \
             CAST(COALESCE(SUM(r.amount), 0) AS BIGINT) FROM support_record r \
             WHERE r.project_code IS NOT NULL AND r.source IS NOT NULL",
        );
        match unit.place() {
            ("", _) => {}
            (province, "") => {
                q.push(" AND r.current_province = ").bind(province);
            }
            (_, commune) => {
                q.push(" AND r.current_commune = ").bind(commune);
            }
        }
        if let Some(y) = year {
            q.push(" AND r.period = ").bind(y);
        }
        q.push(" AND ").append(&self.scope.sql("r")).push(" GROUP BY r.period, r.project_code, r.source");
        let rows: Vec<(i64, String, String, i64, i64, i64)> =
            on_pool!(self.db, p => bound!(query_as, q).fetch_all(p).await?);
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        let mut out: Vec<SupportPaid> = rows
            .into_iter()
            .map(|(year, project_code, source, records, households, amount)| SupportPaid {
                year,
                project_code,
                source,
                records: n(records),
                households: n(households),
                amount: n(amount),
            })
            .collect();
        out.sort_by(|a, b| (a.year, &a.project_code, &a.source).cmp(&(b.year, &b.project_code, &b.source)));
        Ok(out)
    }
}
