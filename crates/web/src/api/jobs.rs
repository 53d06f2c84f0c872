//! Jobs in the API (*kết nối việc làm*, DA4): job seekers of a unit (read within the caller's
//! area, registered per household), a province's vacancies (job ads: every caller reads them;
//! recorded by who may change the unit), a vacancy's matching list (of the caller's area), and
//! placements per household (they count as support). The same use cases as `/viec-lam` and
//! `vuonlen jobs`.

use crate::api::extract::{ApiJson, ApiPath, ApiQuery};
use crate::api::review::{Refused, refused};
use crate::auth::Viewer;
use crate::error::{ApiError, AppError};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use vuonlen_app::jobs::{add_vacancy, matches, place, register_seeker};
use vuonlen_core::review::Refusal;
use vuonlen_store::jobs::{JobSeeker, NewJobSeeker, NewPlacement, NewVacancy, Refusals, Vacancy};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JobSeekerOut {
    pub id: i64,
    pub household_id: i64,
    pub member_no: i64,
    pub commune_code: String,
    pub household_code: String,
    pub village: String,
    pub full_name: String,
    pub skills: String,
    pub training_wanted: Option<String>,
    pub job_wanted: Option<String>,
    pub wants_abroad: bool,
    pub registered_on: String,
    pub placements: u64,
}

fn seeker_out(s: JobSeeker) -> JobSeekerOut {
    JobSeekerOut {
        id: s.id,
        household_id: s.household_id,
        member_no: s.member_no,
        commune_code: s.commune_code,
        household_code: s.household_code,
        village: s.village,
        full_name: s.full_name,
        skills: s.skills,
        training_wanted: s.training_wanted,
        job_wanted: s.job_wanted,
        wants_abroad: s.wants_abroad,
        registered_on: s.registered_on,
        placements: s.placements,
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct UnitParams {
    /// A province or a 2025 commune (the caller's own unit when omitted).
    pub unit: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/job-seekers", params(UnitParams),
    responses((status = 200, body = [JobSeekerOut]), (status = 404, description = "no such unit in the caller's area")))]
pub async fn get_seekers(
    State(state): State<AppState>,
    v: Viewer,
    ApiQuery(q): ApiQuery<UnitParams>,
) -> Result<Json<Vec<JobSeekerOut>>, ApiError> {
    let reg = v.registry(&state);
    let unit = crate::pages::readable_admin_unit(&v, &reg, q.unit.as_deref()).await?;
    Ok(Json(reg.job_seekers(&unit).await?.into_iter().map(seeker_out).collect()))
}

/// A member who wants work or training.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SeekerIn {
    pub member_no: i64,
    #[serde(default)]
    pub skills: String,
    pub training_wanted: Option<String>,
    pub job_wanted: Option<String>,
    #[serde(default)]
    pub wants_abroad: bool,
    #[schema(value_type = String, format = Date)]
    pub registered_on: NaiveDate,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Created {
    pub id: i64,
}

fn outcome(done: Result<i64, Refusals>) -> Response {
    match done {
        Ok(id) => Json(Created { id }).into_response(),
        Err(why) => refused(why.into_iter().map(|(vi, en)| (None, Refusal { vi, en })).collect()),
    }
}

/// The household `id` if the caller may change it: 404 outside its area, 403 without the right.
async fn writable(state: &AppState, v: &Viewer, id: i64) -> Result<vuonlen_store::Registry, ApiError> {
    let reg = v.registry(state);
    let view = reg.household_by_id(id).await?;
    if !v.access.may_edit() || !reg.may_change(&view.province_code, &view.commune_code) {
        return Err(AppError::Forbidden("ghi việc làm / recording jobs".into()).into());
    }
    Ok(reg)
}

#[utoipa::path(post, path = "/api/v1/households/{id}/job-seekers", request_body = SeekerIn,
    params(("id" = i64, Path, description = "household id")),
    responses((status = 200, body = Created), (status = 422, body = Refused, description = "every reason: member, working age, nothing wanted"),
        (status = 403, description = "the caller may not change this household"), (status = 404, description = "not in the caller's area")))]
pub async fn post_seeker(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<SeekerIn>,
) -> Result<Response, ApiError> {
    let reg = writable(&state, &v, id).await?;
    let s = NewJobSeeker {
        household_id: id,
        member_no: b.member_no,
        skills: b.skills,
        training_wanted: b.training_wanted,
        job_wanted: b.job_wanted,
        wants_abroad: b.wants_abroad,
        registered_on: Some(b.registered_on),
    };
    let done = register_seeker(&reg, &state.standards, &s, &v.user.username, "api")
        .await
        .map_err(crate::households::app_error)?;
    Ok(outcome(done))
}

/// A placement of a member (it counts as support of kind `job_placement`).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PlacementIn {
    pub member_no: i64,
    pub vacancy_id: Option<i64>,
    /// The employer (the vacancy's when omitted).
    pub employer: Option<String>,
    #[schema(value_type = String, format = Date)]
    pub placed_on: NaiveDate,
    pub note: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/households/{id}/placements", request_body = PlacementIn,
    params(("id" = i64, Path, description = "household id")),
    responses((status = 200, body = Created), (status = 422, body = Refused, description = "every reason: not of working age, the vacancy's ages or positions"),
        (status = 403, description = "the caller may not change this household"), (status = 404, description = "not in the caller's area")))]
pub async fn post_placement(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<PlacementIn>,
) -> Result<Response, ApiError> {
    let reg = writable(&state, &v, id).await?;
    let p = NewPlacement {
        vacancy_id: b.vacancy_id,
        household_id: id,
        member_no: b.member_no,
        placed_on: Some(b.placed_on),
        employer: b.employer,
        note: b.note,
    };
    let done =
        place(&reg, &state.standards, &p, &v.user.username, "api").await.map_err(crate::households::app_error)?;
    Ok(outcome(done))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VacancyOut {
    pub id: i64,
    pub unit_code: String,
    pub employer: String,
    pub title: String,
    pub skills: Vec<String>,
    pub positions: i64,
    pub placed: i64,
    pub min_age: Option<i64>,
    pub max_age: Option<i64>,
    /// Đồng a month.
    pub wage: Option<i64>,
    pub workplace: Option<String>,
    pub abroad: bool,
    pub opens_on: Option<String>,
    pub closes_on: Option<String>,
}

fn vacancy_out(v: Vacancy) -> VacancyOut {
    let x = v.vacancy;
    VacancyOut {
        id: v.id,
        unit_code: v.unit_code,
        employer: x.employer,
        title: x.title,
        skills: x.skills,
        positions: x.positions,
        placed: v.placed,
        min_age: x.min_age,
        max_age: x.max_age,
        wage: x.wage,
        workplace: x.workplace,
        abroad: x.abroad,
        opens_on: x.opens_on.map(|d| d.to_string()),
        closes_on: x.closes_on.map(|d| d.to_string()),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ProvinceParams {
    /// A province (2 digits); the caller's own when omitted.
    pub province: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/vacancies", params(ProvinceParams),
    responses((status = 200, body = [VacancyOut], description = "job ads hold no personal data: every caller reads them")))]
pub async fn get_vacancies(
    State(state): State<AppState>,
    v: Viewer,
    ApiQuery(q): ApiQuery<ProvinceParams>,
) -> Result<Json<Vec<VacancyOut>>, ApiError> {
    let reg = v.registry(&state);
    let home = crate::dashboard::home_unit(&v);
    let province = q.province.unwrap_or_else(|| home.chars().take(2).collect());
    Ok(Json(reg.vacancies_public(&province, None).await?.into_iter().map(vacancy_out).collect()))
}

/// A vacancy of a province (its job centre) or a commune.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct VacancyIn {
    pub unit: String,
    pub employer: String,
    pub title: String,
    #[serde(default)]
    pub skills: Vec<String>,
    pub positions: i64,
    pub min_age: Option<i64>,
    pub max_age: Option<i64>,
    pub wage: Option<i64>,
    pub workplace: Option<String>,
    #[serde(default)]
    pub abroad: bool,
    #[schema(value_type = String, format = Date)]
    pub opens_on: NaiveDate,
    #[schema(value_type = Option<String>, format = Date)]
    pub closes_on: Option<NaiveDate>,
}

#[utoipa::path(post, path = "/api/v1/vacancies", request_body = VacancyIn,
    responses((status = 200, body = Created), (status = 422, body = Refused, description = "every reason"),
        (status = 403, description = "the caller may not change the unit"), (status = 404, description = "no such unit in the caller's area")))]
pub async fn post_vacancy(
    State(state): State<AppState>,
    v: Viewer,
    ApiJson(b): ApiJson<VacancyIn>,
) -> Result<Response, ApiError> {
    let reg = v.registry(&state);
    let unit = crate::pages::readable_admin_unit(&v, &reg, Some(&b.unit)).await?;
    if !v.access.may_edit() || !reg.may_set_unit(&unit) || unit.code == "VN" {
        return Err(AppError::Forbidden("ghi tin tuyển dụng / recording vacancies".into()).into());
    }
    let nv = NewVacancy {
        employer: b.employer,
        title: b.title,
        skills: b.skills,
        positions: b.positions,
        min_age: b.min_age,
        max_age: b.max_age,
        wage: b.wage,
        workplace: b.workplace,
        abroad: b.abroad,
        opens_on: Some(b.opens_on),
        closes_on: b.closes_on,
    };
    let done = add_vacancy(&reg, &unit, &nv, &v.user.username, "api").await.map_err(crate::households::app_error)?;
    Ok(outcome(done))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MatchOut {
    pub seeker: JobSeekerOut,
    pub age: Option<i64>,
    pub skills_matched: Vec<String>,
    pub same_commune: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MatchesOut {
    pub vacancy: VacancyOut,
    /// The caller's area's job seekers who fit, best first.
    pub matches: Vec<MatchOut>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct OnParams {
    /// The day ages are taken on (today when omitted).
    #[param(value_type = Option<String>, format = Date)]
    pub on: Option<NaiveDate>,
}

#[utoipa::path(get, path = "/api/v1/vacancies/{vacancy}/matches",
    params(("vacancy" = i64, Path, description = "vacancy id"), OnParams),
    responses((status = 200, body = MatchesOut), (status = 404, description = "no such vacancy")))]
pub async fn get_matches(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<OnParams>,
) -> Result<Json<MatchesOut>, ApiError> {
    let reg = v.registry(&state);
    let on = q.on.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let (vacancy, list) = matches(&reg, &state.standards, id, on)
        .await
        .map_err(crate::households::app_error)?
        .ok_or(AppError::NotFound)?;
    Ok(Json(MatchesOut {
        vacancy: vacancy_out(vacancy),
        matches: list
            .into_iter()
            .map(|m| MatchOut {
                age: m.age,
                skills_matched: m.skills,
                same_commune: m.same_commune,
                seeker: seeker_out(m.seeker),
            })
            .collect(),
    }))
}
