//! Poverty-reduction models in the API: a unit's models (read), a commune's new model with its
//! households (record), a model with its households, replications and exemplary cases. The same
//! use cases as the pages and `vuonlen models`.

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
use vuonlen_app::models::{ModelRequest, add_model, model_view};
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
        Err(why) => Ok(refused(why.into_iter().map(|(vi, en)| (None, Refusal { vi, en })).collect())),
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

#[derive(Debug, Serialize, utoipa::ToSchema)]
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

#[utoipa::path(get, path = "/api/v1/models/{id}", params(("id" = i64, Path, description = "model id")),
    responses((status = 200, body = ModelDetailOut), (status = 404, description = "not in the caller's area")))]
pub async fn get_model(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ModelDetailOut>, ApiError> {
    let reg = v.registry(&state);
    let view = model_view(&reg, id).await.map_err(crate::households::app_error)?.ok_or(AppError::NotFound)?;
    Ok(Json(ModelDetailOut {
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
    }))
}
