//! Budgets in the API: a unit's lines with its units' roll-up (read), a project's budget over
//! several years (set, all or nothing, every refusal given). The same use cases as `vuonlen
//! budget` and the page.

use crate::api::extract::{ApiJson, ApiPath};
use crate::api::review::{Refused, refused};
use crate::auth::Viewer;
use crate::error::{ApiError, AppError};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use vuonlen_app::budgets::{YearAmounts, budget_overview, set_budget};
use vuonlen_core::budget::{Amounts, FundSource};
use vuonlen_core::review::Refusal;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BudgetOut {
    pub unit_code: String,
    pub unit_name: String,
    pub lines: Vec<BudgetLineOut>,
    /// The unit's units, each with its lines added up.
    pub units: Vec<UnitBudgetOut>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BudgetLineOut {
    pub year: i64,
    pub project_code: String,
    /// `central`, `local`, `counterpart`, `mobilised`, `policy_credit`.
    pub source: String,
    pub allocated: u64,
    pub committed: Option<u64>,
    pub disbursed: Option<u64>,
    /// Support records of the unit's households in the line's year, under its project (or a
    /// sub-project of it), from its source.
    pub support_records: u64,
    /// Their amount, đồng.
    pub support_amount: u64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UnitBudgetOut {
    pub unit_code: String,
    pub unit_name: String,
    pub allocated: u64,
    pub committed: u64,
    pub disbursed: u64,
    /// Disbursed over allocated, %.
    pub disbursement_rate_pct: Option<f64>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct BudgetParams {
    /// One year (every year when omitted).
    pub year: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/budgets/{unit}",
    params(("unit" = String, Path, description = "VN, a province or a commune (2025 list)"), BudgetParams),
    responses((status = 200, body = BudgetOut), (status = 404, description = "no such unit in the caller's area")))]
pub async fn get_budget(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(unit): ApiPath<String>,
    Query(q): Query<BudgetParams>,
) -> Result<Json<BudgetOut>, ApiError> {
    let reg = v.registry(&state);
    let unit = crate::pages::readable_admin_unit(&v, &reg, Some(&unit)).await?;
    let o = budget_overview(&reg, &unit, q.year).await.map_err(crate::households::app_error)?;
    Ok(Json(BudgetOut {
        unit_code: unit.code,
        unit_name: unit.name,
        lines: o
            .own
            .into_iter()
            .zip(o.own_paid)
            .map(|(l, (support_records, support_amount))| BudgetLineOut {
                year: l.year,
                project_code: l.project_code,
                source: l.source.key().to_string(),
                allocated: l.amounts.allocated,
                committed: l.amounts.committed,
                disbursed: l.amounts.disbursed,
                support_records,
                support_amount,
            })
            .collect(),
        units: o
            .children
            .into_iter()
            .map(|(unit_code, unit_name, s)| UnitBudgetOut {
                disbursement_rate_pct: s.disbursement_rate(),
                unit_code,
                unit_name,
                allocated: s.allocated,
                committed: s.committed,
                disbursed: s.disbursed,
            })
            .collect(),
    }))
}

/// A project's budget from one source over consecutive years from `first_year`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SetBudgetRequest {
    /// `DA3.TDA1` (the catalogue of each year).
    pub project_code: String,
    /// `central`, `local`, `counterpart`, `mobilised`, `policy_credit` (or the Vietnamese name).
    pub source: String,
    pub first_year: i64,
    /// Đồng allocated, one per year.
    pub allocated: Vec<u64>,
    /// Đồng committed, one per year (`null`: keep).
    #[serde(default)]
    pub committed: Vec<Option<u64>>,
    /// Đồng disbursed, one per year (`null`: keep).
    #[serde(default)]
    pub disbursed: Vec<Option<u64>>,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BudgetSet {
    pub recorded: u64,
}

#[utoipa::path(put, path = "/api/v1/budgets/{unit}", request_body = SetBudgetRequest,
    params(("unit" = String, Path, description = "VN, a province or a commune")),
    responses((status = 200, body = BudgetSet), (status = 422, body = Refused, description = "every rule broken: above the parent's or the project's allocation, disbursed above allocated, unknown project"),
        (status = 403, description = "the caller may not set this unit's budget")))]
pub async fn put_budget(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(unit): ApiPath<String>,
    ApiJson(req): ApiJson<SetBudgetRequest>,
) -> Result<Response, ApiError> {
    let reg = v.registry(&state);
    let unit = crate::pages::readable_admin_unit(&v, &reg, Some(&unit)).await?;
    if !v.access.may_edit() || !reg.may_set_unit(&unit) {
        return Err(AppError::Forbidden("nhập kinh phí / entering budgets".into()).into());
    }
    let no = |vi: String, en: String| refused(vec![(None, Refusal { vi, en })]);
    let Some(source) = FundSource::parse(&req.source) else {
        return Ok(no(
            format!("'{}' không phải nguồn vốn.", req.source),
            format!(
                "'{}' is not a source of funds (central, local, counterpart, mobilised, policy_credit).",
                req.source
            ),
        ));
    };
    let n = req.allocated.len();
    if (!req.committed.is_empty() && req.committed.len() != n)
        || (!req.disbursed.is_empty() && req.disbursed.len() != n)
    {
        return Ok(no(
            "Số năm của cam kết, giải ngân phải bằng số năm được giao.".into(),
            "committed and disbursed need one value per allocated year.".into(),
        ));
    }
    let years: Vec<YearAmounts> = (0..n)
        .map(|i| YearAmounts {
            year: req.first_year + i as i64,
            amounts: Amounts {
                allocated: req.allocated[i],
                committed: req.committed.get(i).copied().flatten(),
                disbursed: req.disbursed.get(i).copied().flatten(),
            },
        })
        .collect();
    let done = set_budget(
        &reg,
        &state.standards,
        &unit.code,
        &req.project_code,
        source,
        &years,
        req.note.as_deref(),
        &v.user.username,
        "api",
    )
    .await
    .map_err(crate::households::app_error)?;
    match done {
        Ok(recorded) => Ok(Json(BudgetSet { recorded }).into_response()),
        Err(why) => Ok(refused(why.0.into_iter().map(|(vi, en)| (None, Refusal { vi, en })).collect())),
    }
}
