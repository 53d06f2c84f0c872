//! The REST API (`/api/v1`, JSON): the same operations as the pages, with the same
//! authorization. Machine clients send `Authorization: Bearer TOKEN`; a browser session may
//! call it too, with its CSRF token in `X-CSRF-Token` for changes. The OpenAPI document is at
//! `/api/openapi.json`.

pub mod households;

use crate::auth::Viewer;
use crate::dashboard::{self, Dashboard, home_unit};
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "vuonlen API", description = "Household registry of the National Target Program for Sustainable Poverty Reduction. Every call is limited to the caller's area."),
    paths(me, dashboard, households::list_households, households::get_household, households::survey, households::update, households::classify_preview, report),
    components(schemas(Me, Dashboard, crate::dashboard::Counts, crate::dashboard::Movements, crate::dashboard::SubUnit, crate::dashboard::IndicatorName,
        households::HouseholdItem, households::HouseholdList, households::HouseholdDetail, households::PeriodClassItem, households::SurveyOut,
        households::UpdateRequest, households::SaveResult, households::Preview, crate::form::HouseholdFields, crate::form::FieldProblem,
        crate::error::ErrorEnvelope, crate::error::ErrorBody)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// The caller.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    pub username: String,
    pub display_name: String,
    /// `commune_officer`, `province_officer`, `national_viewer`, `auditor`, `admin`.
    pub role: String,
    pub unit_code: Option<String>,
    pub may_edit: bool,
}

/// Who is calling.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = Me), (status = 401, description = "no valid token or session")))]
pub async fn me(v: Viewer) -> Json<Me> {
    Json(Me {
        username: v.user.username.clone(),
        display_name: v.user.display_name.clone(),
        role: v.user.role.key().to_string(),
        unit_code: v.user.unit_code.clone(),
        may_edit: v.access.may_edit(),
    })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DashboardQuery {
    /// `VN`, a province (2 digits) or a commune (5 digits); default: the caller's unit.
    pub unit: Option<String>,
    /// Review period; default: the latest.
    pub period: Option<i64>,
}

/// A unit's dashboard figures.
#[utoipa::path(get, path = "/api/v1/dashboard", params(DashboardQuery),
    responses((status = 200, body = Dashboard), (status = 404, description = "unknown unit or outside the caller's area")))]
pub async fn dashboard(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<DashboardQuery>,
) -> Result<Json<Dashboard>, ApiError> {
    let unit = q.unit.filter(|u| !u.is_empty()).unwrap_or_else(|| home_unit(&v));
    Ok(Json(std::sync::Arc::unwrap_or_clone(dashboard::build(&state, &v, &unit, q.period).await?)))
}

/// An official report form for a unit and period, as an XLSX workbook.
#[utoipa::path(get, path = "/api/v1/reports", params(crate::pages::reports::ReportQuery),
    responses((status = 200, description = "the workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 404, description = "unit outside the caller's area or unknown period")))]
pub async fn report(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<crate::pages::reports::ReportQuery>,
) -> Result<axum::response::Response, ApiError> {
    let (name, bytes) = crate::pages::reports::workbook(&state, &v, &q).await?;
    Ok(crate::pages::reports::xlsx_response(&name, bytes))
}
