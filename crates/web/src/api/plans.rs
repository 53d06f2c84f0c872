//! A unit's plans in the API: read year by year against the review (the targets each year
//! holds, the review's figures, what reading across the years found) and recorded. The same use
//! cases as `vuonlen plans` and the targets page.

use crate::api::extract::{ApiJson, ApiPath};
use crate::api::review::{Refused, refused};
use crate::api::targets::{FiguresOut, figures_out};
use crate::auth::Viewer;
use crate::error::{ApiError, AppError};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use vuonlen_app::plans::{plans_of, set_plan};
use vuonlen_core::review::Refusal;

/// A unit's plans.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlansOut {
    pub unit_code: String,
    pub unit_name: String,
    pub plans: Vec<PlanOut>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlanOut {
    pub first_year: i64,
    pub last_year: i64,
    pub title: String,
    pub decision: Option<String>,
    /// `YYYY-MM-DD`.
    pub decided_on: Option<String>,
    pub years: Vec<PlanYearOut>,
    /// What reading the plan across its years found: a year without targets, a year starting
    /// from another number than the year before was to end with.
    pub findings: Vec<FindingOut>,
}

/// A finding, in Vietnamese and English.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FindingOut {
    pub message_vi: String,
    pub message_en: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlanYearOut {
    pub year: i64,
    /// The unit's targets for the year (`null`: none).
    pub targets: Option<FiguresOut>,
    pub indicator_targets: BTreeMap<String, f64>,
    pub target_end: Option<u64>,
    /// Poor households the year's review recognised (`null`: not in yet).
    pub actual_end: Option<u64>,
    /// `on_track`, `off_track`, `no_target`, `no_data`.
    pub status: &'static str,
}

#[utoipa::path(get, path = "/api/v1/plans/{unit}",
    params(("unit" = String, Path, description = "VN, a province, a commune (2025 list) or a village (`14112-ban-ta`)")),
    responses((status = 200, body = PlansOut), (status = 404, description = "no such unit in the caller's area")))]
pub async fn get_plans(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(unit): ApiPath<String>,
) -> Result<Json<PlansOut>, ApiError> {
    let reg = v.registry(&state);
    let unit = crate::pages::readable_unit(&v, &reg, Some(&unit)).await?;
    let plans = plans_of(&reg, &unit).await.map_err(crate::households::app_error)?;
    Ok(Json(PlansOut {
        unit_code: unit.code,
        unit_name: unit.name,
        plans: plans
            .into_iter()
            .map(|pv| PlanOut {
                years: pv
                    .years
                    .iter()
                    .map(|y| PlanYearOut {
                        year: y.year,
                        targets: y.target.as_ref().map(figures_out),
                        indicator_targets: y.indicator_targets.iter().cloned().collect(),
                        target_end: y.target_end,
                        actual_end: y.actual_end,
                        status: y.status.key(),
                    })
                    .collect(),
                findings: pv
                    .findings
                    .into_iter()
                    .map(|(message_vi, message_en)| FindingOut { message_vi, message_en })
                    .collect(),
                first_year: pv.plan.first_year,
                last_year: pv.plan.last_year,
                title: pv.plan.title,
                decision: pv.plan.decision,
                decided_on: pv.plan.decided_on,
            })
            .collect(),
    }))
}

/// A plan to record: its title and issuing decision.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SetPlanRequest {
    pub title: String,
    pub decision: Option<String>,
    /// `YYYY-MM-DD`.
    #[schema(value_type = Option<String>, format = Date)]
    pub decided_on: Option<chrono::NaiveDate>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlanSet {
    pub unit_code: String,
    pub first_year: i64,
    pub last_year: i64,
}

#[utoipa::path(put, path = "/api/v1/plans/{unit}/{first_year}/{last_year}", request_body = SetPlanRequest,
    params(("unit" = String, Path, description = "VN, a province, a commune or a village"),
        ("first_year" = i64, Path, description = "the span's first year"), ("last_year" = i64, Path, description = "its last year")),
    responses((status = 200, body = PlanSet), (status = 422, body = Refused, description = "span or title refused, every reason"),
        (status = 403, description = "the caller may not set this unit's plans")))]
pub async fn put_plan(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((unit, first, last)): ApiPath<(String, i64, i64)>,
    ApiJson(req): ApiJson<SetPlanRequest>,
) -> Result<Response, ApiError> {
    let reg = v.registry(&state);
    let unit = crate::pages::readable_unit(&v, &reg, Some(&unit)).await?;
    if !v.access.may_edit() || !reg.may_set_unit(&unit) {
        return Err(AppError::Forbidden("ghi kế hoạch / recording plans".into()).into());
    }
    let done = set_plan(
        &reg,
        &unit.code,
        first,
        last,
        &req.title,
        req.decision.as_deref(),
        req.decided_on,
        &v.user.username,
        "api",
    )
    .await
    .map_err(crate::households::app_error)?;
    match done {
        Ok(p) => {
            Ok(Json(PlanSet { unit_code: p.unit_code, first_year: p.first_year, last_year: p.last_year })
                .into_response())
        }
        Err(why) => Ok(refused(why.messages().into_iter().map(|(vi, en)| (None, Refusal { vi, en })).collect())),
    }
}
