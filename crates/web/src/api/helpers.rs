//! Helpers and commitments in the API: a household's helpers, visits, escape registrations and
//! commitments (read; record one), and the progress per helper and per agency of a unit in a
//! year. The same use cases as the household page, `/giup-do` and `vuonlen helpers`.

use crate::api::extract::{ApiJson, ApiPath};
use crate::api::review::{Refused, refused};
use crate::auth::Viewer;
use crate::error::{ApiError, AppError};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use vuonlen_app::helpers::{HelpEntry, Progress, helper_progress, record_help};
use vuonlen_core::review::Refusal;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AssignmentOut {
    pub id: i64,
    pub cadre_name: String,
    pub cadre_position: Option<String>,
    pub agency: String,
    pub starts_on: String,
    pub ends_on: Option<String>,
    /// The household's current assignment.
    pub active: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VisitOut {
    pub visited_on: String,
    pub assignment_id: i64,
    pub cadre_name: String,
    pub agency: String,
    pub note: String,
    pub needs: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RegistrationOut {
    pub year: i64,
    pub planned_measures: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CommitmentOut {
    pub year: i64,
    pub signed_on: String,
    pub content: String,
}

/// A household's helpers and commitments, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HelpOut {
    pub assignments: Vec<AssignmentOut>,
    pub visits: Vec<VisitOut>,
    pub registrations: Vec<RegistrationOut>,
    pub commitments: Vec<CommitmentOut>,
}

async fn help_out(reg: &vuonlen_store::Registry, id: i64) -> Result<HelpOut, ApiError> {
    let h = reg.help_of(id).await?;
    Ok(HelpOut {
        assignments: h
            .assignments
            .into_iter()
            .map(|a| AssignmentOut {
                id: a.id,
                cadre_name: a.cadre_name,
                cadre_position: a.cadre_position,
                agency: a.agency,
                starts_on: a.starts_on,
                ends_on: a.ends_on,
                active: a.active,
            })
            .collect(),
        visits: h
            .visits
            .into_iter()
            .map(|v| VisitOut {
                visited_on: v.visited_on,
                assignment_id: v.assignment_id,
                cadre_name: v.cadre_name,
                agency: v.agency,
                note: v.note,
                needs: v.needs,
            })
            .collect(),
        registrations: h
            .registrations
            .into_iter()
            .map(|r| RegistrationOut { year: r.year, planned_measures: r.planned_measures })
            .collect(),
        commitments: h
            .commitments
            .into_iter()
            .map(|k| CommitmentOut {
                year: k.year,
                signed_on: k.signed_on.format("%Y-%m-%d").to_string(),
                content: k.content,
            })
            .collect(),
    })
}

#[utoipa::path(get, path = "/api/v1/households/{id}/helpers",
    params(("id" = i64, Path, description = "household id")),
    responses((status = 200, body = HelpOut), (status = 404, description = "no such household in the caller's area")))]
pub async fn get_helpers(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<HelpOut>, ApiError> {
    let reg = v.registry(&state);
    reg.household_by_id(id).await?;
    Ok(Json(help_out(&reg, id).await?))
}

/// One thing to record: `action` and its fields.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum HelpIn {
    /// Assign a cadre of an agency to the (poor or near-poor) household from a day; its current
    /// assignment ends the day before.
    Assign {
        cadre_name: String,
        cadre_position: Option<String>,
        agency: String,
        #[schema(value_type = String, format = Date)]
        starts_on: NaiveDate,
        #[schema(value_type = Option<String>, format = Date)]
        ends_on: Option<NaiveDate>,
    },
    /// A visit of the helper assigned on the day.
    Visit {
        #[schema(value_type = String, format = Date)]
        visited_on: NaiveDate,
        note: String,
        needs: Option<String>,
    },
    /// The household registers to escape poverty in `year` (2021–2035, once a year).
    Register { year: i64, planned_measures: String },
    /// The household's signed commitment for `year`.
    Commit {
        year: i64,
        #[schema(value_type = String, format = Date)]
        signed_on: NaiveDate,
        content: String,
    },
}

#[utoipa::path(post, path = "/api/v1/households/{id}/helpers", request_body = HelpIn,
    params(("id" = i64, Path, description = "household id")),
    responses((status = 200, body = HelpOut, description = "recorded: the household's helpers and commitments"),
        (status = 422, body = Refused, description = "every reason: the household not poor or near-poor, days, years, duplicates"),
        (status = 403, description = "the caller may not change this household"), (status = 404, description = "not in the caller's area")))]
pub async fn post_helpers(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<HelpIn>,
) -> Result<Response, ApiError> {
    let reg = v.registry(&state);
    let view = reg.household_by_id(id).await?;
    if !v.access.may_edit() || !reg.may_change(&view.province_code, &view.commune_code) {
        return Err(
            AppError::Forbidden("ghi cán bộ giúp đỡ, cam kết / recording helpers and commitments".into()).into()
        );
    }
    let entry = match b {
        HelpIn::Assign { cadre_name, cadre_position, agency, starts_on, ends_on } => {
            HelpEntry::Assign { cadre_name, cadre_position, agency, starts_on: Some(starts_on), ends_on }
        }
        HelpIn::Visit { visited_on, note, needs } => HelpEntry::Visit { visited_on: Some(visited_on), note, needs },
        HelpIn::Register { year, planned_measures } => HelpEntry::Register { year, planned_measures },
        HelpIn::Commit { year, signed_on, content } => HelpEntry::Commit { year, signed_on: Some(signed_on), content },
    };
    match record_help(&reg, id, &entry, &v.user.username, "api").await.map_err(crate::households::app_error)? {
        Ok(()) => Ok(Json(help_out(&reg, id).await?).into_response()),
        Err(why) => Ok(refused(why.into_iter().map(|(vi, en)| (None, Refusal { vi, en })).collect())),
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HelperProgressRowOut {
    pub agency: String,
    /// The cadre; none in an agency's or the unit's total.
    pub cadre_name: Option<String>,
    pub cadre_position: Option<String>,
    /// Households helped during the year.
    pub households: usize,
    /// Visits in the year.
    pub visits: i64,
    /// Households registered to escape poverty in the year.
    pub registered: usize,
    /// Households that signed a commitment for the year.
    pub committed: usize,
    /// Households registered that the year's review finds out of poverty (against the review before).
    pub left_poverty: usize,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HelperProgressOut {
    pub unit: String,
    pub unit_name: String,
    pub year: i64,
    pub helpers: Vec<HelperProgressRowOut>,
    pub agencies: Vec<HelperProgressRowOut>,
    pub total: HelperProgressRowOut,
}

fn row(p: Progress) -> HelperProgressRowOut {
    HelperProgressRowOut {
        agency: p.agency,
        cadre_name: p.cadre_name,
        cadre_position: p.cadre_position,
        households: p.households,
        visits: p.visits,
        registered: p.registered,
        committed: p.committed,
        left_poverty: p.left_poverty,
    }
}

#[utoipa::path(get, path = "/api/v1/helpers/progress/{year}/{unit}",
    params(("year" = i64, Path, description = "year"), ("unit" = String, Path, description = "VN, a province or a commune")),
    responses((status = 200, body = HelperProgressOut), (status = 404, description = "no such unit in the caller's area")))]
pub async fn get_progress(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((year, unit)): ApiPath<(i64, String)>,
) -> Result<Json<HelperProgressOut>, ApiError> {
    let reg = v.registry(&state);
    let unit = crate::pages::readable_admin_unit(&v, &reg, Some(&unit)).await?;
    let p = helper_progress(&reg, &unit.code, year)
        .await
        .map_err(crate::households::app_error)?
        .ok_or(AppError::NotFound)?;
    Ok(Json(HelperProgressOut {
        unit: p.unit_code,
        unit_name: p.unit_name,
        year: p.year,
        helpers: p.helpers.into_iter().map(row).collect(),
        agencies: p.agencies.into_iter().map(row).collect(),
        total: row(p.total),
    }))
}
