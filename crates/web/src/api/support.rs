//! Support and beneficiary lists in the API: a household's support received (read, record one),
//! a commune's beneficiary lists (read, build one by a rule), a list's households with their
//! reasons. The same use cases as the pages and `vuonlen support`.

use crate::api::extract::{ApiJson, ApiPath, ApiQuery};
use crate::api::review::{Recorded, Refused, refused};
use crate::auth::Viewer;
use crate::error::{ApiError, AppError};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use vuonlen_app::beneficiary::{ListRequest, build_list, list_view};
use vuonlen_app::support::{SupportEntry, record_support_entry};
use vuonlen_core::eligibility::EligibilityRule;
use vuonlen_core::review::Refusal;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SupportOut {
    pub delivered_on: String,
    /// The kind's key (`health_insurance_card`, `policy_loan`, …).
    pub kind: String,
    /// `health`, `education`, `production`, `credit`, `housing`, `other` (form 8's columns).
    pub group: String,
    pub member_no: Option<i64>,
    pub amount: Option<u64>,
    pub project_code: Option<String>,
    pub source: Option<String>,
    pub list_id: Option<i64>,
    pub activity_id: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/households/{id}/support",
    params(("id" = i64, Path, description = "household id")),
    responses((status = 200, body = [SupportOut]), (status = 404, description = "no such household in the caller's area")))]
pub async fn get_support(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<SupportOut>>, ApiError> {
    let reg = v.registry(&state);
    reg.household_by_id(id).await?;
    Ok(Json(
        reg.support_of(id)
            .await?
            .into_iter()
            .map(|r| SupportOut {
                delivered_on: r.delivered_on,
                kind: r.kind,
                group: r.group,
                member_no: r.member_no,
                amount: r.amount,
                project_code: r.project_code,
                source: r.source,
                list_id: r.list_id,
                activity_id: r.activity_id,
            })
            .collect(),
    ))
}

/// One support received.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SupportIn {
    /// A kind's key or Vietnamese name (`health_insurance_card`, `Thẻ BHYT`).
    pub kind: String,
    pub member_no: Option<i64>,
    #[schema(value_type = String, format = Date)]
    pub delivered_on: chrono::NaiveDate,
    pub amount: Option<u64>,
    pub project_code: Option<String>,
    pub source: Option<String>,
    /// The beneficiary list it was delivered against (the household must be on it).
    pub list_id: Option<i64>,
    /// The plan activity that delivered it: of the year delivered, by a unit the household is
    /// in, under the record's project or its parent.
    pub activity_id: Option<i64>,
    pub note: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/households/{id}/support", request_body = SupportIn,
    params(("id" = i64, Path, description = "household id")),
    responses((status = 200, body = Recorded), (status = 422, body = Refused, description = "every reason: kind, member, project, list"),
        (status = 403, description = "the caller may not change this household"), (status = 404, description = "not in the caller's area")))]
pub async fn post_support(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<SupportIn>,
) -> Result<Response, ApiError> {
    let reg = v.registry(&state);
    let view = reg.household_by_id(id).await?;
    if !v.access.may_edit() || !reg.may_change(&view.province_code, &view.commune_code) {
        return Err(AppError::Forbidden("ghi hỗ trợ / recording support".into()).into());
    }
    let e = SupportEntry {
        kind: b.kind,
        member_no: b.member_no,
        delivered_on: Some(b.delivered_on),
        amount: b.amount,
        project_code: b.project_code,
        source: b.source,
        list_id: b.list_id,
        activity_id: b.activity_id,
        note: b.note,
    };
    match record_support_entry(&reg, &state.standards, id, &e, &v.user.username, "api")
        .await
        .map_err(crate::households::app_error)?
    {
        Ok(recorded) => Ok(Json(Recorded { recorded }).into_response()),
        Err(why) => Ok(refused(why.0.into_iter().map(|(vi, en)| (None, Refusal { vi, en })).collect())),
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ListOut {
    pub id: i64,
    pub title: String,
    pub period: i64,
    pub commune: String,
    pub support_kind: String,
    pub project_code: Option<String>,
    /// The source of funds' key support delivered against the list names.
    pub source: Option<String>,
    /// `{"classes": [...], "deprived_any": [...]}`.
    pub rule: serde_json::Value,
    pub households: i64,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListsParams {
    /// A 2025 commune (the caller's area when omitted).
    pub unit: Option<String>,
}

fn list_out(b: vuonlen_store::beneficiary::BeneficiaryList) -> ListOut {
    ListOut {
        rule: serde_json::from_str(&b.rule_json).unwrap_or(serde_json::Value::Null),
        id: b.id,
        title: b.title,
        period: b.period,
        commune: b.commune,
        support_kind: b.support_kind,
        project_code: b.project_code,
        source: b.source,
        households: b.households,
    }
}

#[utoipa::path(get, path = "/api/v1/beneficiary-lists", params(ListsParams),
    responses((status = 200, body = [ListOut])))]
pub async fn get_lists(
    State(state): State<AppState>,
    v: Viewer,
    ApiQuery(q): ApiQuery<ListsParams>,
) -> Result<Json<Vec<ListOut>>, ApiError> {
    let reg = v.registry(&state);
    // A unit asked for is read like a unit (404 outside the caller's area).
    let unit = match q.unit.as_deref() {
        Some(u) => Some(crate::pages::readable_admin_unit(&v, &reg, Some(u)).await?.code),
        None => None,
    };
    Ok(Json(reg.beneficiary_lists(unit.as_deref()).await?.into_iter().map(list_out).collect()))
}

/// A list to build.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ListIn {
    pub commune: String,
    pub period: i64,
    pub title: String,
    pub support_kind: String,
    pub project_code: Option<String>,
    /// The source of funds: `central`, `local`, `counterpart`, `mobilised`, `policy_credit` (or
    /// the Vietnamese name).
    pub source: Option<String>,
    /// Class keys: `poor`, `near_poor`, `middle`, `not_poor`.
    pub classes: Vec<String>,
    /// Deprivation indicator codes of the period's standard, any of which (none: not considered).
    #[serde(default)]
    pub deprived_any: Vec<String>,
}

#[utoipa::path(post, path = "/api/v1/beneficiary-lists", request_body = ListIn,
    responses((status = 200, body = ListOut), (status = 422, body = Refused, description = "every reason"),
        (status = 403, description = "the commune is outside what the caller may change")))]
pub async fn post_list(
    State(state): State<AppState>,
    v: Viewer,
    ApiJson(b): ApiJson<ListIn>,
) -> Result<Response, ApiError> {
    let reg = v.registry(&state);
    let unit = crate::pages::readable_admin_unit(&v, &reg, Some(&b.commune)).await?;
    if !v.access.may_edit() || !reg.may_set_unit(&unit) {
        return Err(AppError::Forbidden("lập danh sách / building lists".into()).into());
    }
    let req = ListRequest {
        commune: unit.code,
        period: b.period,
        title: b.title,
        project_code: b.project_code,
        source: b.source,
        support_kind: b.support_kind,
        rule: EligibilityRule { classes: b.classes, deprived_any: b.deprived_any },
    };
    match build_list(&reg, &state.standards, &req, &v.user.username, "api")
        .await
        .map_err(crate::households::app_error)?
    {
        Ok(id) => {
            let list = reg.beneficiary_list(id).await?.ok_or(AppError::NotFound)?;
            Ok(Json(list_out(list)).into_response())
        }
        Err(why) => Ok(refused(why.into_iter().map(|(vi, en)| (None, Refusal { vi, en })).collect())),
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ListDetailOut {
    pub list: ListOut,
    /// The rule in words.
    pub rule_vi: String,
    pub households: Vec<BeneficiaryOut>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BeneficiaryOut {
    pub household_id: i64,
    pub household_code: String,
    pub head_name: String,
    pub village: String,
    pub reason: String,
    /// Support records delivered against the list.
    pub delivered: i64,
}

#[utoipa::path(get, path = "/api/v1/beneficiary-lists/{id}", params(("id" = i64, Path, description = "list id")),
    responses((status = 200, body = ListDetailOut), (status = 404, description = "not in the caller's area")))]
pub async fn get_list(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ListDetailOut>, ApiError> {
    let reg = v.registry(&state);
    let view =
        list_view(&reg, &state.standards, id).await.map_err(crate::households::app_error)?.ok_or(AppError::NotFound)?;
    Ok(Json(ListDetailOut {
        rule_vi: view.rule_vi.clone(),
        households: view
            .households
            .into_iter()
            .map(|(b, reason)| BeneficiaryOut {
                household_id: b.household_id,
                household_code: b.household_code,
                head_name: b.head_name,
                village: b.village,
                reason,
                delivered: b.delivered,
            })
            .collect(),
        list: list_out(view.list),
    }))
}

/// What the list's poor and near-poor households received of one kind (or any).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReachOut {
    /// The kind's key; `any` for any support.
    pub kind: String,
    pub households: u64,
    /// Persons reached (kinds received by a person).
    pub persons: u64,
    pub records: u64,
    /// Đồng.
    pub amount: u64,
    /// Of the list's poor and near-poor households, %.
    pub households_pct: Option<f64>,
    /// Of the list's poor and near-poor persons, % (kinds received by a person).
    pub persons_pct: Option<f64>,
}

/// A unit's (or one of its rows') coverage.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CoverageRowOut {
    pub code: String,
    pub name: String,
    pub poor_households: u64,
    pub near_poor_households: u64,
    /// Persons of the poor and near-poor households.
    pub persons: u64,
    pub support: Vec<ReachOut>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CoverageOut {
    pub year: i64,
    /// The review whose list is in force in the year (the latest before it, else its own).
    pub list_period: Option<i64>,
    pub total: CoverageRowOut,
    /// A province's communes, a commune's villages, the country's provinces.
    pub rows: Vec<CoverageRowOut>,
}

fn coverage_row(code: &str, name: &str, c: &vuonlen_core::support::SupportCoverage) -> CoverageRowOut {
    CoverageRowOut {
        code: code.to_string(),
        name: name.to_string(),
        poor_households: c.households[0],
        near_poor_households: c.households[1],
        persons: c.list_persons(),
        support: c
            .lines()
            .into_iter()
            .map(|l| ReachOut {
                kind: l.kind.map_or("any", |k| k.key).to_string(),
                households: l.reach.households,
                persons: l.reach.persons,
                records: l.reach.records,
                amount: l.reach.amount,
                households_pct: l.households_pct,
                persons_pct: l.persons_pct,
            })
            .collect(),
    }
}

#[utoipa::path(get, path = "/api/v1/support-coverage/{year}/{unit}",
    params(("year" = i64, Path, description = "the year support was received"), ("unit" = String, Path, description = "VN, a province or a commune")),
    responses((status = 200, body = CoverageOut), (status = 404, description = "no such unit in the caller's area")))]
pub async fn get_coverage(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((year, unit)): ApiPath<(i64, String)>,
) -> Result<Json<CoverageOut>, ApiError> {
    let reg = v.registry(&state);
    let unit = crate::pages::readable_admin_unit(&v, &reg, Some(&unit)).await?;
    let c =
        vuonlen_app::support_coverage::coverage(&reg, year, &unit.code).await.map_err(crate::households::app_error)?;
    Ok(Json(CoverageOut {
        year,
        list_period: c.list_period,
        total: coverage_row(&c.unit_code, &c.unit_name, &c.total),
        rows: c.rows.iter().map(|r| coverage_row(&r.key, &r.name, &r.coverage)).collect(),
    }))
}
