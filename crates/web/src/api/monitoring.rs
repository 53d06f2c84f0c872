//! The monitoring cycle in the API: a unit's report and its units' roll-up (read), and the
//! report's life (draft, enter, submit for the unit; approve, return for the level above).

use crate::api::extract::{ApiJson, ApiPath};
use crate::api::review::{Refused, refused};
use crate::auth::Viewer;
use crate::error::{ApiError, AppError};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use vuonlen_app::monitoring::{decide_report, draft_report, enter_figures, rollup};
use vuonlen_core::monitoring::ReportAction;
use vuonlen_store::targets::TargetUnit;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReportOut {
    pub kind: String,
    pub year: i64,
    pub unit_code: String,
    pub unit_name: String,
    /// `draft`, `submitted`, `returned` or `approved`.
    pub state: String,
    /// Indicator id → value (`null`: not computable for the unit).
    pub figures: BTreeMap<String, Option<f64>>,
    pub comment: Option<String>,
    pub submitted_at: Option<String>,
    pub decided_by: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UnitReportOut {
    pub unit_code: String,
    pub unit_name: String,
    /// The report's state, `null` when none was drafted.
    pub state: Option<String>,
    pub due_on: Option<String>,
    /// Due passed and not submitted.
    pub late: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MonitoringOut {
    pub report: Option<ReportOut>,
    /// Its units' reports (a province's communes, the country's provinces).
    pub units: Vec<UnitReportOut>,
    /// The reported figures of the approved units' reports added up.
    pub approved_sums: BTreeMap<String, Option<f64>>,
    pub approved: usize,
}

async fn readable(v: &Viewer, reg: &vuonlen_store::Registry, unit: &str) -> Result<TargetUnit, AppError> {
    crate::pages::readable_admin_unit(v, reg, Some(unit)).await
}

#[utoipa::path(get, path = "/api/v1/monitoring/{kind}/{year}/{unit}",
    params(("kind" = String, Path, description = "six_monthly or annual"), ("year" = i64, Path, description = "year"),
        ("unit" = String, Path, description = "VN, a province or a commune")),
    responses((status = 200, body = MonitoringOut), (status = 404, description = "no such unit in the caller's area")))]
pub async fn get_monitoring(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((kind, year, unit)): ApiPath<(String, i64, String)>,
) -> Result<Json<MonitoringOut>, ApiError> {
    let reg = v.registry(&state);
    let unit = readable(&v, &reg, &unit).await?;
    let report = reg.monitoring_report(&kind, year, &unit).await?.map(|r| ReportOut {
        state: r.state.key().to_string(),
        kind: r.kind,
        year: r.year,
        unit_code: r.unit_code,
        unit_name: r.unit_name,
        figures: r.figures,
        comment: r.comment,
        submitted_at: r.submitted_at,
        decided_by: r.decided_by,
    });
    let (units, approved_sums, approved) = if unit.children().is_empty() {
        (Vec::new(), BTreeMap::new(), 0)
    } else {
        let today = chrono::Utc::now().date_naive();
        let r =
            rollup(&reg, &state.standards, &kind, year, &unit, today).await.map_err(crate::households::app_error)?;
        let units = r
            .units
            .into_iter()
            .map(|u| UnitReportOut {
                unit_code: u.unit.code,
                unit_name: u.unit.name,
                state: u.report.map(|x| x.state.key().to_string()),
                due_on: u.due_on.map(|d| d.to_string()),
                late: u.late,
            })
            .collect();
        (units, r.sums, r.approved)
    };
    Ok(Json(MonitoringOut { report, units, approved_sums, approved }))
}

/// What to do to the unit's report.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct MonitoringAction {
    /// `draft`, `enter`, `submit` (the unit), `approve`, `return` (the level above).
    pub action: String,
    /// For `enter`: reported indicator id → value.
    #[serde(default)]
    pub values: BTreeMap<String, f64>,
    /// For `return`: what to correct.
    pub comment: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StateOut {
    pub state: String,
}

#[utoipa::path(post, path = "/api/v1/monitoring/{kind}/{year}/{unit}", request_body = MonitoringAction,
    params(("kind" = String, Path, description = "six_monthly or annual"), ("year" = i64, Path, description = "year"),
        ("unit" = String, Path, description = "the unit whose report it is")),
    responses((status = 200, body = StateOut), (status = 422, body = Refused, description = "not allowed in the report's state, or bad figures"),
        (status = 403, description = "the caller may not act for the unit (or, deciding, for the level above)")))]
pub async fn post_monitoring(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((kind, year, unit)): ApiPath<(String, i64, String)>,
    ApiJson(req): ApiJson<MonitoringAction>,
) -> Result<Response, ApiError> {
    let reg = v.registry(&state);
    let unit = readable(&v, &reg, &unit).await?;
    let user = v.user.username.clone();
    let app = crate::households::app_error;
    let outcome = match req.action.as_str() {
        "draft" => {
            draft_report(&reg, &state.standards, &kind, year, &unit, &user).await.map_err(app)?.map_err(|r| vec![r])
        }
        "enter" => enter_figures(&reg, &state.standards, &kind, year, &unit, &req.values, &user).await.map_err(app)?,
        "submit" | "approve" | "return" => {
            let a = match req.action.as_str() {
                "submit" => ReportAction::Submit,
                "approve" => ReportAction::Approve,
                _ => ReportAction::Return,
            };
            decide_report(&reg, &kind, year, &unit, a, req.comment.as_deref(), &user)
                .await
                .map_err(app)?
                .map_err(|r| vec![r])
        }
        other => return Err(AppError::Invalid(format!("'{other}': draft, enter, submit, approve, return")).into()),
    };
    match outcome {
        Ok(s) => Ok(Json(StateOut { state: s.key().to_string() }).into_response()),
        Err(why) => Ok(refused(why.into_iter().map(|r| (None, r)).collect())),
    }
}
