//! Households through the API: list and search, one household, its answers in a period,
//! saving answers (with the version read, so that no edit silently overwrites another), and a
//! classification preview that stores nothing.

use crate::api::extract::{ApiJson, ApiPath, ApiQuery};
use crate::auth::Viewer;
use crate::error::{ApiError, AppError};
use crate::form::{FieldProblem, HouseholdFields};
use crate::households::{ListQuery, Saved, list, save, verdict};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use vuonlen_core::standard::HouseholdFlagField;

/// A household of a list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HouseholdItem {
    pub id: i64,
    pub commune_code: String,
    pub household_code: String,
    pub village: String,
    pub head_name: String,
    /// `poor`, `near_poor`, `middle`, `not_poor`, or null when not classified.
    pub class: Option<String>,
    pub persons: u32,
    pub deprivations: u32,
    /// With a search: the members (names, in member order) whose name or ID number begins
    /// with the query; empty when the household code matched.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub matched_members: Vec<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HouseholdList {
    pub unit: String,
    pub period: i64,
    pub page: u64,
    pub total: u64,
    /// There are more than `total` households: a list counts up to 10,000, a search by name up
    /// to 500 (type more of the name to narrow it).
    pub total_capped: bool,
    pub items: Vec<HouseholdItem>,
}

/// Households of the caller's area: filters, search with or without diacritics, 50 a page in
/// Vietnamese alphabetical order of the head's given name.
#[utoipa::path(get, path = "/api/v1/households", params(ListQuery),
    responses((status = 200, body = HouseholdList), (status = 404, description = "unit outside the caller's area")))]
pub async fn list_households(
    State(state): State<AppState>,
    v: Viewer,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<HouseholdList>, ApiError> {
    let l = list(&state, &v, &q).await?;
    Ok(Json(HouseholdList {
        unit: l.unit,
        period: l.period,
        page: l.page,
        total: l.result.total,
        total_capped: l.result.total_capped,
        items: l
            .result
            .items
            .into_iter()
            .map(|h| HouseholdItem {
                id: h.household_id,
                commune_code: h.commune_code,
                household_code: h.household_code,
                village: h.village,
                head_name: h.head_name,
                class: h.class.map(|c| c.key().to_string()),
                persons: h.persons,
                deprivations: h.deprived.len(),
                matched_members: h.matched,
            })
            .collect(),
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PeriodClassItem {
    pub period: i64,
    pub class: Option<String>,
    pub persons: u32,
    pub deprivations: u32,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HouseholdDetail {
    pub id: i64,
    pub commune_code: String,
    pub province_code: String,
    pub periods: Vec<PeriodClassItem>,
    pub poor_since: Option<i64>,
    pub near_poor_since: Option<i64>,
    pub newly_escaped: bool,
}

/// One household with its class in every period.
#[utoipa::path(get, path = "/api/v1/households/{id}", params(("id" = i64, Path, description = "household id")),
    responses((status = 200, body = HouseholdDetail), (status = 404, description = "absent or outside the caller's area")))]
pub async fn get_household(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<HouseholdDetail>, ApiError> {
    let h = v.registry(&state).household_by_id(id).await?;
    Ok(Json(HouseholdDetail {
        id: h.id,
        commune_code: h.commune_code,
        province_code: h.province_code,
        periods: h
            .periods
            .iter()
            .map(|p| PeriodClassItem {
                period: p.year,
                class: p.class.map(|c| c.key().to_string()),
                persons: p.persons,
                deprivations: p.deprivations,
            })
            .collect(),
        poor_since: h.status.poor_since,
        near_poor_since: h.status.near_poor_since,
        newly_escaped: h.status.newly_escaped,
    }))
}

/// A household's answers in a period.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SurveyOut {
    pub id: i64,
    pub period: i64,
    /// Send it back with a change: the change is refused if someone saved in between.
    pub version: String,
    pub fields: HouseholdFields,
    pub class: Option<String>,
    pub explanation: String,
}

/// A household's answers and members in a period, with their class and its explanation.
#[utoipa::path(get, path = "/api/v1/households/{id}/surveys/{period}",
    params(("id" = i64, Path, description = "household id"), ("period" = i64, Path, description = "review period")),
    responses((status = 200, body = SurveyOut), (status = 404, description = "absent or outside the caller's area")))]
pub async fn survey(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((id, period)): ApiPath<(i64, i64)>,
) -> Result<Json<SurveyOut>, ApiError> {
    let reg = v.registry(&state);
    let d = reg.survey_detail(id, period).await?;
    let p = vuonlen_store::period::get(&state.db, period).await?.ok_or(AppError::NotFound)?;
    let std = state.standards.get(&p.standard_id).map_err(|e| AppError::Invalid(e.to_string()))?;
    let h = d.survey.to_household(&d.members)?;
    let (key, _, explanation, _) = verdict(v.lang, &std, &h, p.reference_date);
    Ok(Json(SurveyOut {
        id,
        period,
        version: d.content_hash.to_string(),
        fields: HouseholdFields::from_detail(&d),
        class: (key != "none").then(|| key.to_string()),
        explanation,
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct UpdateRequest {
    /// The `version` of the answers the change starts from.
    pub version: String,
    pub fields: HouseholdFields,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SaveResult {
    pub saved: bool,
    pub id: Option<i64>,
    /// Warnings about the saved answers (a refused save answers 409 or 422 instead).
    pub problems: Vec<FieldProblem>,
}

/// Saves a household's answers in a period. 409 when someone saved in between.
#[utoipa::path(put, path = "/api/v1/households/{id}/surveys/{period}", request_body = UpdateRequest,
    params(("id" = i64, Path, description = "household id"), ("period" = i64, Path, description = "review period")),
    responses((status = 200, body = SaveResult), (status = 409, body = crate::error::ErrorEnvelope, description = "someone saved in between, or the registry refused (`error.refused`)"),
        (status = 422, body = crate::error::ErrorEnvelope, description = "field problems (`error.problems`)"),
        (status = 403, description = "the caller may not change this household"), (status = 404, description = "absent or outside the caller's area")))]
pub async fn update(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((id, period)): ApiPath<(i64, i64)>,
    ApiJson(req): ApiJson<UpdateRequest>,
) -> Result<Response, ApiError> {
    let reg = v.registry(&state);
    let d = reg.survey_detail(id, period).await?;
    if !reg.may_change(&d.current_province, &d.current_commune) {
        return Err(AppError::Forbidden("cập nhật hộ này / changing this household".into()).into());
    }
    let version: i64 = req.version.parse().map_err(|_| AppError::Invalid("version".into()))?;
    let p = vuonlen_store::period::get(&state.db, period).await?.ok_or(AppError::NotFound)?;
    let std = state.standards.get(&p.standard_id).map_err(|e| AppError::Invalid(e.to_string()))?;
    let mut f = req.fields;
    f.household.insert("commune_code".into(), d.survey.commune_code.clone());
    f.household.insert("household_id".into(), d.survey.household_code.clone());
    let checked = f.check(p.reference_date, std.reads_household_flag(HouseholdFlagField::WasteTreatment)).await?;
    let Some(record) = checked.record.clone() else {
        let refusal =
            AppError::Invalid("câu trả lời có lỗi, chưa lưu / the answers have problems; nothing was saved".into());
        return Ok(ApiError(refusal).detailed(checked.problems, Vec::new()));
    };
    Ok(match save(&state, &v, &p, std, record, Some(version), "api: sửa phiếu").await? {
        Saved::Done(id) | Saved::Unchanged(id) => {
            Json(SaveResult { saved: true, id: Some(id), problems: checked.problems }).into_response()
        }
        Saved::Refused(msgs) => {
            let refusal = AppError::Conflict("cơ sở dữ liệu từ chối lưu / the registry refused the change".into());
            ApiError(refusal).detailed(checked.problems, msgs)
        }
    })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PreviewQuery {
    /// Review period whose standard and reference date apply; default: the latest.
    pub period: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Preview {
    pub class: Option<String>,
    pub class_label: String,
    pub explanation: String,
    pub deprived: Vec<String>,
    pub problems: Vec<FieldProblem>,
}

/// Classifies answers without storing them (the edit form's immediate preview).
#[utoipa::path(post, path = "/api/v1/classify", request_body = HouseholdFields, params(PreviewQuery),
    responses((status = 200, body = Preview)))]
pub async fn classify_preview(
    State(state): State<AppState>,
    v: Viewer,
    ApiQuery(q): ApiQuery<PreviewQuery>,
    ApiJson(f): ApiJson<HouseholdFields>,
) -> Result<Json<Preview>, ApiError> {
    let (p, _) = crate::dashboard::periods(&state, q.period).await?;
    let std = state.standards.get(&p.standard_id).map_err(|e| AppError::Invalid(e.to_string()))?;
    let checked = f.check(p.reference_date, std.reads_household_flag(HouseholdFlagField::WasteTreatment)).await?;
    Ok(Json(match &checked.record {
        Some(r) => {
            let (key, label, explanation, deprived) = verdict(v.lang, &std, &r.household, p.reference_date);
            Preview {
                class: (key != "none").then(|| key.to_string()),
                class_label: label,
                explanation,
                deprived,
                problems: checked.problems,
            }
        }
        None => Preview {
            class: None,
            class_label: String::new(),
            explanation: String::new(),
            deprived: Vec::new(),
            problems: checked.problems,
        },
    }))
}
