//! Plans (*kế hoạch giảm nghèo*): a unit's plan for a span of years — its year's plan or the
//! programme's five — and what it sets year by year: the unit's targets, its indicator targets,
//! and against them the registry's figures of each year's review. Reading a plan also checks it
//! across its years: a year without targets, a year starting from another number of poor
//! households than the year before was to end with.

use crate::AppError;
use crate::progress::Status;
use crate::targets::TargetsRefused;
use vuonlen_core::Class;
use vuonlen_core::targets::{Figures, col};
use vuonlen_store::plans::{NewPlan, Plan};
use vuonlen_store::targets::TargetUnit;
use vuonlen_store::{Registry, Selection};

/// One year of a plan.
#[derive(Debug, Clone)]
pub struct PlanYear {
    pub year: i64,
    /// The unit's targets for the year, if set.
    pub target: Option<Figures>,
    /// Its indicator targets for the year: (indicator id, value).
    pub indicator_targets: Vec<(String, f64)>,
    /// Poor households at the end of the year's target (end, else start − reduction).
    pub target_end: Option<u64>,
    /// Poor households the year's review recognised (period Y), if it is in.
    pub actual_end: Option<u64>,
    pub status: Status,
}

/// A plan with its years and what reading it across them found (Vietnamese, English).
#[derive(Debug, Clone)]
pub struct PlanView {
    pub plan: Plan,
    pub years: Vec<PlanYear>,
    pub findings: Vec<(String, String)>,
}

impl PlanView {
    /// The span's goal: the last year's end target of poor households and its rate, if set.
    pub fn goal(&self) -> Option<(Option<u64>, Option<f64>)> {
        let last = self.years.last()?;
        let rate = last.target.and_then(|t| t.get(col::POOR_END_RATE));
        (last.target_end.is_some() || rate.is_some()).then_some((last.target_end, rate))
    }
}

/// Records a plan of `unit_code` for `first..=last` as `reg` may.
#[allow(clippy::too_many_arguments)]
pub async fn set_plan(
    reg: &Registry,
    unit_code: &str,
    first: i64,
    last: i64,
    title: &str,
    decision: Option<&str>,
    decided_on: Option<chrono::NaiveDate>,
    actor: &str,
    command: &str,
) -> Result<Result<Plan, TargetsRefused>, AppError> {
    let Some(unit) = reg.target_unit(unit_code).await? else {
        return Ok(Err(TargetsRefused::UnknownUnit(unit_code.to_string())));
    };
    if !reg.may_set_unit(&unit) {
        return Ok(Err(TargetsRefused::OutsideArea(unit.name)));
    }
    let p = NewPlan {
        unit,
        first_year: first,
        last_year: last,
        title: title.to_string(),
        decision: decision.map(str::to_string),
        decided_on,
    };
    match reg.record_plan(&p, actor, command).await {
        Ok(plan) => Ok(Ok(plan)),
        Err(vuonlen_store::StoreError::Invalid(m)) => Ok(Err(TargetsRefused::Plan(
            m.split("; ")
                .map(|part| match part.split_once(" / ") {
                    Some((vi, en)) => (vi.to_string(), en.to_string()),
                    None => (part.to_string(), part.to_string()),
                })
                .collect(),
        ))),
        Err(e) => Err(e.into()),
    }
}

/// Poor households of `unit` the review of `year` recognised, if it is in.
async fn poor_at_end(reg: &Registry, unit: &TargetUnit, year: i64) -> Result<Option<u64>, AppError> {
    let Some(period) = reg.period(year).await? else { return Ok(None) };
    Ok(Some(poor_households(reg, &period, unit).await?))
}

/// Poor households of `unit` (a village too) recognised in `period`, as the reader may count
/// them.
pub async fn poor_households(
    reg: &Registry,
    period: &vuonlen_store::period::Period,
    unit: &TargetUnit,
) -> Result<u64, AppError> {
    let (sel, row) = match unit.village() {
        Some((commune, _)) => (Selection::parse(commune)?, Some(unit.name.as_str())),
        None => (Selection::parse(&unit.code)?, None),
    };
    let rows = reg.tally(period, &period.standard_id, &sel).await?;
    Ok(rows.iter().filter(|(key, _)| row.is_none_or(|r| r == key)).map(|(_, t)| t.households_in(Class::Poor)).sum())
}

/// `plan` read year by year against the registry, and checked across its years.
pub async fn plan_view(reg: &Registry, plan: Plan) -> Result<PlanView, AppError> {
    let unit = TargetUnit { code: plan.unit_code.clone(), name: plan.unit_name.clone() };
    let targets = reg.targets_of_unit(&unit, plan.first_year, plan.last_year).await?;
    let indicators = reg.indicator_targets_of_unit(&unit, plan.first_year, plan.last_year).await?;
    let mut years = Vec::new();
    let mut findings = Vec::new();
    for year in plan.years() {
        let target = targets.iter().find(|t| t.year == year).map(|t| t.figures);
        let target_end = target.and_then(|t| {
            t.get(col::POOR_END).or_else(|| Some(t.get(col::POOR)? - t.get(col::REDUCTION)?)).map(|v| v.max(0.0) as u64)
        });
        let actual_end = poor_at_end(reg, &unit, year).await?;
        let status = match (target_end, actual_end) {
            (None, _) => Status::NoTarget,
            (Some(_), None) => Status::NoData,
            (Some(t), Some(a)) if a <= t => Status::OnTrack,
            _ => Status::OffTrack,
        };
        if target.is_none() {
            findings.push((
                format!("Năm {year} của kế hoạch chưa có chỉ tiêu."),
                format!("The plan's year {year} has no targets."),
            ));
        }
        if let (Some(before), Some(start)) =
            (years.last().and_then(|y: &PlanYear| y.target_end), target.and_then(|t| t.get(col::POOR)))
        {
            let start = start.max(0.0) as u64;
            if start != before {
                findings.push((
                    format!(
                        "Số hộ nghèo đầu năm {year} ({start}) khác chỉ tiêu cuối năm {} ({before}).",
                        year - 1
                    ),
                    format!(
                        "Poor households at the start of {year} ({start}) differ from {}'s end-of-year target ({before}).",
                        year - 1
                    ),
                ));
            }
        }
        let indicator_targets =
            indicators.iter().filter(|(y, _, _)| *y == year).map(|(_, id, v)| (id.clone(), *v)).collect();
        years.push(PlanYear { year, target, indicator_targets, target_end, actual_end, status });
    }
    Ok(PlanView { plan, years, findings })
}

/// `unit`'s plans, each read year by year.
pub async fn plans_of(reg: &Registry, unit: &TargetUnit) -> Result<Vec<PlanView>, AppError> {
    let mut out = Vec::new();
    for p in reg.plans_of(unit).await? {
        out.push(plan_view(reg, p).await?);
    }
    Ok(out)
}
