//! Plan activities in the API: a unit's activities of a year (read, within the caller's area)
//! and one activity added to its plan (every reason given when refused). The same use cases as
//! the `/hoat-dong` page and `vuonlen activities`.

use crate::api::extract::{ApiJson, ApiPath};
use crate::api::review::refused;
use crate::auth::Viewer;
use crate::error::{ApiError, AppError};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use vuonlen_app::activities::add_activity;
use vuonlen_core::review::Refusal;
use vuonlen_store::activities::{Activity, NewActivity};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ActivityOut {
    pub id: i64,
    pub unit_code: String,
    pub year: i64,
    /// A project or sub-project of the catalogue of the year (`DA3.TDA1`).
    pub project_code: String,
    pub title: String,
    pub lead_agency: String,
    pub lead_officer: Option<String>,
    pub partners: Vec<String>,
    pub locations: Option<String>,
    pub target_group: Option<String>,
    pub planned_output: Option<String>,
    /// `YYYY-MM-DD`.
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    /// `planned`, `under_way`, `done`, `cancelled`.
    pub status: String,
}

fn activity_out(x: Activity) -> ActivityOut {
    let a = x.activity;
    ActivityOut {
        id: x.id,
        unit_code: x.unit_code,
        year: a.year,
        project_code: a.project_code,
        title: a.title,
        lead_agency: a.lead_agency,
        lead_officer: a.lead_officer,
        partners: a.partners,
        locations: a.locations,
        target_group: a.target_group,
        planned_output: a.planned_output,
        starts_on: a.starts_on,
        ends_on: a.ends_on,
        status: a.status,
    }
}

#[utoipa::path(get, path = "/api/v1/activities/{year}/{unit}",
    params(("year" = i64, Path, description = "the plan's year"), ("unit" = String, Path, description = "VN, a province or a commune (2025 list)")),
    responses((status = 200, body = [ActivityOut]), (status = 404, description = "no such unit in the caller's area")))]
pub async fn get_activities(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((year, unit)): ApiPath<(i64, String)>,
) -> Result<Json<Vec<ActivityOut>>, ApiError> {
    let reg = v.registry(&state);
    let unit = crate::pages::readable_admin_unit(&v, &reg, Some(&unit)).await?;
    Ok(Json(reg.activities_of(&unit, Some(year)).await?.into_iter().map(activity_out).collect()))
}

/// One activity of the unit's plan of the path's year.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ActivityIn {
    /// A project or sub-project of the catalogue of the year (`DA3.TDA1`).
    pub project_code: String,
    pub title: String,
    /// The lead agency (*cơ quan chủ trì*).
    pub lead_agency: String,
    pub lead_officer: Option<String>,
    /// Partner agencies (*cơ quan phối hợp*).
    #[serde(default)]
    pub partners: Vec<String>,
    pub locations: Option<String>,
    pub target_group: Option<String>,
    pub planned_output: Option<String>,
    /// `YYYY-MM-DD`.
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    /// `planned` (the default), `under_way`, `done`, `cancelled` (or the Vietnamese name).
    #[serde(default = "planned")]
    pub status: String,
}

fn planned() -> String {
    "planned".into()
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ActivityCreated {
    pub id: i64,
}

#[utoipa::path(post, path = "/api/v1/activities/{year}/{unit}", request_body = ActivityIn,
    params(("year" = i64, Path, description = "the plan's year"), ("unit" = String, Path, description = "VN, a province or a commune")),
    responses((status = 200, body = ActivityCreated), (status = 422, body = crate::api::review::Refused, description = "every reason: a project not of the year's catalogue, no title or lead agency, a day that is not one, an end before the start, an unknown status"),
        (status = 403, description = "the caller may not change this unit"), (status = 404, description = "the unit is not in the caller's area")))]
pub async fn post_activity(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((year, unit)): ApiPath<(i64, String)>,
    ApiJson(b): ApiJson<ActivityIn>,
) -> Result<Response, ApiError> {
    let reg = v.registry(&state);
    let unit = crate::pages::readable_admin_unit(&v, &reg, Some(&unit)).await?;
    if !v.access.may_edit() || !reg.may_set_unit(&unit) {
        return Err(AppError::Forbidden("ghi hoạt động / recording activities".into()).into());
    }
    let a = NewActivity {
        year,
        project_code: b.project_code,
        title: b.title,
        lead_agency: b.lead_agency,
        lead_officer: b.lead_officer,
        partners: b.partners,
        locations: b.locations,
        target_group: b.target_group,
        planned_output: b.planned_output,
        starts_on: b.starts_on,
        ends_on: b.ends_on,
        status: b.status,
    };
    match add_activity(&reg, &state.standards, &unit.code, a, &v.user.username, "api")
        .await
        .map_err(crate::households::app_error)?
    {
        Ok(id) => Ok(Json(ActivityCreated { id }).into_response()),
        Err(why) => Ok(refused(why.into_iter().map(|(vi, en)| (None, Refusal { vi, en })).collect())),
    }
}
