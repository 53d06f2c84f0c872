//! Poverty-reduction models in the API: a unit's models (read), a commune's new model with its
//! households (record), a model with its households, replications and exemplary cases (read),
//! households joining it, its replications in other communes and its exemplary cases (record).
//! The same use cases as the pages and `vuonlen models`.

use crate::api::extract::{ApiJson, ApiPath, ApiQuery};
use crate::api::review::refused;
use crate::auth::Viewer;
use crate::error::{ApiError, AppError};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use vuonlen_app::models::{
    CaseRequest, ModelRequest, ModelView, Refusals, ReplicationRequest, add_case, add_model, join_households, replicate,
};
use vuonlen_core::review::Refusal;
use vuonlen_store::models::Model;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModelOut {
    pub id: i64,
    pub commune: String,
    pub name: String,
    pub host: String,
    /// `cooperative`, `cooperative_group`, `community_group`, `agency`, `enterprise`, `other`.
    pub host_kind: String,
    pub place: Option<String>,
    pub project_code: String,
    pub start_year: i64,
    pub end_year: Option<i64>,
    /// Đồng by source key (`central`, `local`, `counterpart`, `mobilised`, `policy_credit`).
    pub budget: BTreeMap<String, u64>,
    pub budget_total: u64,
    pub result: Option<String>,
    /// `planned`, `under_way`, `done`, `cancelled`.
    pub status: String,
    pub households: i64,
    pub replications: i64,
    pub cases: i64,
}

fn model_out(m: Model) -> ModelOut {
    let budget_total = m.budget_total();
    let x = m.model;
    ModelOut {
        id: m.id,
        commune: x.commune,
        name: x.name,
        host: x.host,
        host_kind: x.host_kind,
        place: x.place,
        project_code: x.project_code,
        start_year: x.start_year,
        end_year: x.end_year,
        budget: x.budget.into_iter().map(|(s, a)| (s.key().to_string(), a)).collect(),
        budget_total,
        result: x.result,
        status: x.status,
        households: m.households,
        replications: m.replications,
        cases: m.cases,
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ModelsParams {
    /// VN, a province or a commune (2025 list; the caller's own unit when omitted).
    pub unit: Option<String>,
    /// Models under way in this year (every year when omitted).
    pub year: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/models", params(ModelsParams),
    responses((status = 200, body = [ModelOut]), (status = 404, description = "the unit is not in the caller's area")))]
pub async fn get_models(
    State(state): State<AppState>,
    v: Viewer,
    ApiQuery(q): ApiQuery<ModelsParams>,
) -> Result<Json<Vec<ModelOut>>, ApiError> {
    let reg = v.registry(&state);
    let unit = crate::pages::readable_admin_unit(&v, &reg, q.unit.as_deref()).await?;
    Ok(Json(reg.models_of(&unit, q.year).await?.into_iter().map(model_out).collect()))
}

/// A model to record.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ModelIn {
    /// The model's commune (2025 list).
    pub commune: String,
    pub name: String,
    /// The host (đơn vị chủ trì).
    pub host: String,
    /// `cooperative` (default), `cooperative_group`, `community_group`, `agency`, `enterprise`, `other`.
    #[serde(default = "cooperative")]
    pub host_kind: String,
    pub place: Option<String>,
    /// A project or sub-project of the catalogue covering the first year (`DA2`).
    pub project_code: String,
    pub start_year: i64,
    pub end_year: Option<i64>,
    /// Đồng by source (a key, a Vietnamese name or a short form): `{"central": 500000000}`.
    #[serde(default)]
    pub budget: BTreeMap<String, i64>,
    pub result: Option<String>,
    /// `planned`, `under_way` (default), `done`, `cancelled`.
    #[serde(default = "under_way")]
    pub status: String,
    /// Households of the commune taking part, by registry id …
    #[serde(default)]
    pub household_ids: Vec<i64>,
    /// … or by household code.
    #[serde(default)]
    pub household_codes: Vec<String>,
}

fn cooperative() -> String {
    "cooperative".into()
}

fn under_way() -> String {
    "under_way".into()
}

#[utoipa::path(post, path = "/api/v1/models", request_body = ModelIn,
    responses((status = 200, body = ModelOut), (status = 422, body = crate::api::review::Refused, description = "every reason"),
        (status = 403, description = "the commune is outside what the caller may change"), (status = 404, description = "the commune is not in the caller's area")))]
pub async fn post_model(
    State(state): State<AppState>,
    v: Viewer,
    ApiJson(b): ApiJson<ModelIn>,
) -> Result<Response, ApiError> {
    let reg = v.registry(&state);
    let unit = crate::pages::readable_admin_unit(&v, &reg, Some(&b.commune)).await?;
    if !v.access.may_edit() || !reg.may_set_unit(&unit) {
        return Err(AppError::Forbidden("ghi mô hình / recording models".into()).into());
    }
    let r = ModelRequest {
        commune: unit.code,
        name: b.name,
        host: b.host,
        host_kind: b.host_kind,
        place: b.place,
        project_code: b.project_code,
        start_year: b.start_year,
        end_year: b.end_year,
        budget: b.budget.into_iter().map(|(s, a)| (s, a.to_string())).collect(),
        result: b.result,
        status: b.status,
        household_codes: b.household_codes,
        household_ids: b.household_ids,
    };
    match add_model(&reg, &state.standards, &r, &v.user.username, "api").await.map_err(crate::households::app_error)? {
        Ok(id) => {
            let m = reg.model(id).await?.ok_or(AppError::NotFound)?;
            Ok(Json(model_out(m)).into_response())
        }
        Err(why) => Ok(refusals(why)),
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ParticipantOut {
    pub household_id: i64,
    pub household_code: String,
    pub head_name: Option<String>,
    /// The period of its latest survey and its class then (`poor`, `near_poor`, `middle`, `not_poor`).
    pub period: Option<i64>,
    pub class: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReplicationOut {
    pub commune: String,
    pub year: i64,
    pub households: i64,
    pub note: Option<String>,
}

/// An exemplary case of a model (named apart from the review's `CaseOut` in the OpenAPI document).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ModelCaseOut)]
pub struct CaseOut {
    pub year: i64,
    pub title: String,
    pub story: Option<String>,
    pub household_id: Option<i64>,
    pub household_code: Option<String>,
    /// The household escaped poverty (gương thoát nghèo).
    pub escaped: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModelDetailOut {
    pub model: ModelOut,
    pub households: Vec<ParticipantOut>,
    pub replications: Vec<ReplicationOut>,
    pub cases: Vec<CaseOut>,
}

/// A model with its households, replications and cases, as the API gives it.
fn detail_out(view: ModelView) -> ModelDetailOut {
    ModelDetailOut {
        households: view
            .households
            .into_iter()
            .map(|p| ParticipantOut {
                household_id: p.household_id,
                household_code: p.household_code,
                head_name: p.head_name,
                period: p.period,
                class: p.class,
            })
            .collect(),
        replications: view
            .replications
            .into_iter()
            .map(|r| ReplicationOut { commune: r.commune, year: r.year, households: r.households, note: r.note })
            .collect(),
        cases: view
            .cases
            .into_iter()
            .map(|k| CaseOut {
                year: k.year,
                title: k.title,
                story: k.story,
                household_id: k.household_id,
                household_code: k.household_code,
                escaped: k.escaped,
            })
            .collect(),
        model: model_out(view.model),
    }
}

#[utoipa::path(get, path = "/api/v1/models/{id}", params(("id" = i64, Path, description = "model id")),
    responses((status = 200, body = ModelDetailOut), (status = 404, description = "not in the caller's area")))]
pub async fn get_model(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ModelDetailOut>, ApiError> {
    let (view, _) = crate::pages::models::readable(&state, &v, id).await?;
    Ok(Json(detail_out(view)))
}

/// Model `id` for a change: 404 outside the caller's area, 403 when the caller may not change it
/// (a read-only user, or a commune beyond what it may change) — the page's rule.
async fn changeable(state: &AppState, v: &Viewer, id: i64) -> Result<ModelView, ApiError> {
    let (view, may_set) = crate::pages::models::readable(state, v, id).await?;
    if !may_set {
        return Err(AppError::Forbidden("ghi mô hình / recording models".into()).into());
    }
    Ok(view)
}

/// The model as it is after a change (it was just read in the caller's area).
async fn after(state: &AppState, v: &Viewer, id: i64) -> Result<ModelDetailOut, ApiError> {
    let (view, _) = crate::pages::models::readable(state, v, id).await?;
    Ok(detail_out(view))
}

fn refusals(why: Refusals) -> Response {
    refused(why.into_iter().map(|(vi, en)| (None, Refusal { vi, en })).collect())
}

/// Households joining a model: of the model's commune, by registry id and/or by code.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct HouseholdsIn {
    /// Households by registry id …
    #[serde(default)]
    pub household_ids: Vec<i64>,
    /// … and by household code.
    #[serde(default)]
    pub household_codes: Vec<String>,
}

/// Households joined: how many were added (those already taking part are not counted) and the
/// model as it is now.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HouseholdsJoined {
    pub added: u64,
    pub model: ModelDetailOut,
}

#[utoipa::path(post, path = "/api/v1/models/{id}/households", params(("id" = i64, Path, description = "model id")),
    request_body = HouseholdsIn,
    responses((status = 200, body = HouseholdsJoined), (status = 422, body = crate::api::review::Refused, description = "every reason (a household not of the model's commune, none given)"),
        (status = 403, description = "the caller may not change the model"), (status = 404, description = "the model is not in the caller's area")))]
pub async fn post_households(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<HouseholdsIn>,
) -> Result<Response, ApiError> {
    let view = changeable(&state, &v, id).await?;
    let reg = v.registry(&state);
    let done = join_households(&reg, &view.model, &b.household_codes, &b.household_ids, &v.user.username, "api")
        .await
        .map_err(crate::households::app_error)?;
    match done {
        Ok(added) => Ok(Json(HouseholdsJoined { added, model: after(&state, &v, id).await? }).into_response()),
        Err(why) => Ok(refusals(why)),
    }
}

/// A replication of the model in another commune.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ReplicationIn {
    /// The commune replicating the model (2025 list), not the model's own.
    pub commune: String,
    /// Not before the model's first year.
    pub year: i64,
    /// Households taking part there (0 to 100 000).
    pub households: i64,
    pub note: Option<String>,
}

/// A replication or a case recorded: its id and the model as it is now.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModelRecorded {
    pub id: i64,
    pub model: ModelDetailOut,
}

#[utoipa::path(post, path = "/api/v1/models/{id}/replications", params(("id" = i64, Path, description = "model id")),
    request_body = ReplicationIn,
    responses((status = 200, body = ModelRecorded), (status = 422, body = crate::api::review::Refused, description = "every reason"),
        (status = 403, description = "the caller may not change the model"), (status = 404, description = "the model is not in the caller's area")))]
pub async fn post_replication(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ReplicationIn>,
) -> Result<Response, ApiError> {
    let view = changeable(&state, &v, id).await?;
    let reg = v.registry(&state);
    let r = ReplicationRequest { commune: b.commune, year: b.year, households: b.households, note: b.note };
    match replicate(&reg, &view.model, &r, &v.user.username, "api").await.map_err(crate::households::app_error)? {
        Ok(rid) => Ok(Json(ModelRecorded { id: rid, model: after(&state, &v, id).await? }).into_response()),
        Err(why) => Ok(refusals(why)),
    }
}

/// An exemplary case of the model (điển hình tiên tiến, gương thoát nghèo).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CaseIn {
    pub title: String,
    pub story: Option<String>,
    pub year: i64,
    /// A household of the model's commune, by code (optional).
    pub household_code: Option<String>,
    /// The household escaped poverty (gương thoát nghèo); default false.
    #[serde(default)]
    pub escaped: bool,
}

#[utoipa::path(post, path = "/api/v1/models/{id}/cases", params(("id" = i64, Path, description = "model id")),
    request_body = CaseIn,
    responses((status = 200, body = ModelRecorded), (status = 422, body = crate::api::review::Refused, description = "every reason"),
        (status = 403, description = "the caller may not change the model"), (status = 404, description = "the model is not in the caller's area")))]
pub async fn post_case(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<CaseIn>,
) -> Result<Response, ApiError> {
    let view = changeable(&state, &v, id).await?;
    let reg = v.registry(&state);
    let r = CaseRequest {
        household_code: b.household_code,
        title: b.title,
        story: b.story,
        year: b.year,
        escaped: b.escaped,
    };
    match add_case(&reg, &view.model, &r, &v.user.username, "api").await.map_err(crate::households::app_error)? {
        Ok(cid) => Ok(Json(ModelRecorded { id: cid, model: after(&state, &v, id).await? }).into_response()),
        Err(why) => Ok(refusals(why)),
    }
}
