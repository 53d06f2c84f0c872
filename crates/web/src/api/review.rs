//! The review round in the API: rounds and their communes' steps, a commune's households, and
//! the steps recorded in bulk (JSON rows, refused whole with each refusal at its index), the
//! posting, the re-check of a complaint and the decision that locks the commune's lists.

use crate::api::extract::{ApiJson, ApiPath, ApiQuery};
use crate::auth::Viewer;
use crate::error::{ApiError, AppError};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use vuonlen_core::Class;
use vuonlen_core::review::{ComplaintOutcome, Origin, PostingDates, Refusal, ReviewProcedure, Screening, Vote};
use vuonlen_store::Registry;
use vuonlen_store::review::{
    Application, CommuneState, ComplaintRow, DecisionInput, MeetingRow, Round, ScreeningRow, Steps, SurveyRow,
};

fn procedure(state: &AppState) -> Result<std::sync::Arc<ReviewProcedure>, AppError> {
    state.standards.review_procedure().ok_or_else(|| AppError::Internal("no review procedure loaded".into()))
}

async fn round_of(reg: &Registry, id: i64) -> Result<Round, AppError> {
    reg.round(id).await?.ok_or(AppError::NotFound)
}

/// A review round (*đợt rà soát*).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RoundOut {
    pub id: i64,
    pub period: i64,
    /// `annual` or `regular`.
    pub kind: String,
    pub province_code: String,
    pub starts_on: String,
    pub ends_on: String,
    /// The year whose lists the round establishes.
    pub list_year: i64,
    pub standard_id: String,
    /// Each step's due day: `{step, due_on}`.
    pub calendar: Vec<DueOut>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DueOut {
    pub step: String,
    pub due_on: String,
}

impl From<&Round> for RoundOut {
    fn from(r: &Round) -> Self {
        RoundOut {
            id: r.id,
            period: r.period,
            kind: r.kind.key().into(),
            province_code: r.province_code.clone(),
            starts_on: r.starts_on.to_string(),
            ends_on: r.ends_on.to_string(),
            list_year: r.list_year,
            standard_id: r.standard_id.clone(),
            calendar: r.calendar.iter().map(|(s, d)| DueOut { step: s.key().into(), due_on: d.to_string() }).collect(),
        }
    }
}

/// A commune's place in a round.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CommuneOut {
    pub commune_code: String,
    pub commune_name: String,
    /// The last step completed: list, screening, survey, meeting, posting, decision; none yet.
    pub reached: Option<String>,
    /// Steps past their due day not completed.
    pub late: Vec<String>,
    /// Households by stage (listed, screened_out, surveyed, resurvey, agreed, decided).
    pub stages: std::collections::BTreeMap<String, u64>,
    pub open_complaints: u64,
    pub posting_starts: Option<String>,
    pub posting_ends: Option<String>,
    pub decision_number: Option<String>,
    pub decided_on: Option<String>,
}

impl From<&CommuneState> for CommuneOut {
    fn from(s: &CommuneState) -> Self {
        CommuneOut {
            commune_code: s.commune_code.clone(),
            commune_name: s.commune_name.clone(),
            reached: s.reached.map(|x| x.key().to_string()),
            late: s.late.iter().map(|x| x.key().to_string()).collect(),
            stages: s.stages.clone(),
            open_complaints: s.open_complaints,
            posting_starts: s.posting.map(|p| p.0.to_string()),
            posting_ends: s.posting.map(|p| p.1.to_string()),
            decision_number: s.decision_number.clone(),
            decided_on: s.decided_on.map(|d| d.to_string()),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RoundDetail {
    pub round: RoundOut,
    pub communes: Vec<CommuneOut>,
}

/// One household of a commune's review.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseOut {
    pub household_id: i64,
    pub household_code: String,
    pub village: String,
    /// listed, applied, applied_escape, village_proposed.
    pub origin: String,
    pub stage: String,
    pub previous_class: Option<String>,
    pub attendees: Option<i64>,
    pub agreeing: Option<i64>,
    pub computed_class: Option<String>,
    pub recognised_class: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CommuneDetail {
    pub commune: CommuneOut,
    pub households: Vec<CaseOut>,
    pub complaints: Vec<ComplaintOut>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ComplaintOut {
    pub id: i64,
    pub household_code: String,
    pub lodged_on: String,
    pub outcome: Option<String>,
    pub recheck_class: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct RoundsQuery {
    /// Only the rounds of this review period.
    pub period: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/review/rounds", params(RoundsQuery), responses((status = 200, body = [RoundOut])))]
pub async fn rounds(
    State(state): State<AppState>,
    v: Viewer,
    ApiQuery(q): ApiQuery<RoundsQuery>,
) -> Result<Json<Vec<RoundOut>>, ApiError> {
    let rounds = v.registry(&state).rounds(q.period).await?;
    Ok(Json(rounds.iter().map(RoundOut::from).collect()))
}

#[utoipa::path(get, path = "/api/v1/review/rounds/{id}", params(("id" = i64, Path, description = "round id")),
    responses((status = 200, body = RoundDetail), (status = 404, description = "absent or outside the caller's area")))]
pub async fn round(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<RoundDetail>, ApiError> {
    let reg = v.registry(&state);
    let round = round_of(&reg, id).await?;
    let states = reg.round_status(&round, chrono::Local::now().date_naive()).await?;
    Ok(Json(RoundDetail { round: RoundOut::from(&round), communes: states.iter().map(CommuneOut::from).collect() }))
}

async fn commune_state(reg: &Registry, round: &Round, commune: &str) -> Result<CommuneState, AppError> {
    reg.round_status(round, chrono::Local::now().date_naive())
        .await?
        .into_iter()
        .find(|s| s.commune_code == commune)
        .ok_or(AppError::NotFound)
}

#[utoipa::path(get, path = "/api/v1/review/rounds/{id}/communes/{commune}",
    params(("id" = i64, Path, description = "round id"), ("commune" = String, Path, description = "commune code (2025 list)")),
    responses((status = 200, body = CommuneDetail), (status = 404, description = "absent or outside the caller's area")))]
pub async fn commune(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((id, commune)): ApiPath<(i64, String)>,
) -> Result<Json<CommuneDetail>, ApiError> {
    let reg = v.registry(&state);
    let round = round_of(&reg, id).await?;
    let s = commune_state(&reg, &round, &commune).await?;
    let cases = reg.round_cases(&round, &commune).await?;
    let complaints = reg.complaints(&round, &commune).await?;
    Ok(Json(CommuneDetail {
        commune: CommuneOut::from(&s),
        households: cases
            .into_iter()
            .map(|c| CaseOut {
                household_id: c.household_id,
                household_code: c.household_code,
                village: c.village,
                origin: c.origin,
                stage: c.stage,
                previous_class: c.previous_class,
                attendees: c.attendees,
                agreeing: c.agreeing,
                computed_class: c.computed_class,
                recognised_class: c.recognised_class,
            })
            .collect(),
        complaints: complaints
            .into_iter()
            .map(|k| ComplaintOut {
                id: k.id,
                household_code: k.household_code,
                lodged_on: k.lodged_on,
                outcome: k.outcome,
                recheck_class: k.recheck_class,
            })
            .collect(),
    }))
}

/// The caller must be able to change the commune.
/// The round's period and the standard it is classified with (steps that change answers).
pub(crate) async fn round_period(
    state: &AppState,
    round: &Round,
) -> Result<(vuonlen_store::period::Period, std::sync::Arc<vuonlen_core::Standard>), AppError> {
    let p = vuonlen_store::period::get(&state.db, round.period).await?.ok_or(AppError::NotFound)?;
    let std = state.standards.get(&p.standard_id).map_err(|e| AppError::Invalid(e.to_string()))?;
    Ok((p, std))
}

async fn writable(state: &AppState, v: &Viewer, id: i64, commune: &str) -> Result<(Registry, Round), AppError> {
    let reg = v.registry(state);
    let round = round_of(&reg, id).await?;
    commune_state(&reg, &round, commune).await?;
    if !reg.may_change(&round.province_code, commune) {
        return Err(AppError::Forbidden("ghi kết quả rà soát / recording review steps".into()));
    }
    Ok((reg, round))
}

/// How many households a step recorded.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Recorded {
    pub recorded: u64,
}

/// A refused step: every reason, at its row's index when it is about a row.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Refused {
    pub refused: Vec<RefusalOut>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RefusalOut {
    /// The row's index in the request (0-based), when the refusal is about a row.
    pub index: Option<usize>,
    pub message_vi: String,
    pub message_en: String,
}

pub(crate) fn refused(list: Vec<(Option<usize>, Refusal)>) -> Response {
    let refused = list.into_iter().map(|(index, r)| RefusalOut { index, message_vi: r.vi, message_en: r.en }).collect();
    (StatusCode::UNPROCESSABLE_ENTITY, Json(Refused { refused })).into_response()
}

/// A store refusal of the procedure as a 422 answer; other errors as they are.
fn procedure_refusal(e: vuonlen_store::StoreError) -> Result<Response, ApiError> {
    match e {
        vuonlen_store::StoreError::Refused { vi, en } => Ok(refused(vec![(None, Refusal { vi, en })])),
        e => Err(e.into()),
    }
}

#[utoipa::path(post, path = "/api/v1/review/rounds/{id}/communes/{commune}/list",
    params(("id" = i64, Path, description = "round id"), ("commune" = String, Path, description = "commune code")),
    responses((status = 200, body = Recorded, description = "households added to the list"), (status = 403, description = "the caller may not change the commune")))]
pub async fn list(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((id, commune)): ApiPath<(i64, String)>,
) -> Result<Response, ApiError> {
    let (reg, round) = writable(&state, &v, id, &commune).await?;
    match reg.list_round(&round, Some(&commune), &v.user.username, "api").await {
        Ok(n) => Ok(Json(Recorded { recorded: n }).into_response()),
        Err(e) => procedure_refusal(e),
    }
}

/// A bulk step: `step` is applications, screening, surveys, meetings or complaints; each row
/// names a household of the commune and the step's fields.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct StepsRequest {
    pub step: String,
    pub rows: Vec<StepRow>,
}

/// One household's step. Fields by step — applications: `origin` (mau_01, mau_04, village),
/// `applied_on`; screening: `result` (proceeds, out), `reason` (when out), `note`, `on`;
/// surveys: none; meetings: `on`, `attendees`, `agreeing`; complaints: `on`, `content`,
/// optionally `outcome` (upheld, rejected), `recheck_class`, `resolved_on`; income_survey
/// (Phiếu C): `nlndn`, `income_12m`, `allowances_12m`, `on`. Days as YYYY-MM-DD.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepRow {
    pub household_code: String,
    pub origin: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub applied_on: Option<NaiveDate>,
    pub result: Option<String>,
    pub reason: Option<String>,
    pub note: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub on: Option<NaiveDate>,
    pub attendees: Option<u32>,
    pub agreeing: Option<u32>,
    pub content: Option<String>,
    pub outcome: Option<String>,
    pub recheck_class: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub resolved_on: Option<NaiveDate>,
    /// Phiếu C: works in agriculture, forestry, fishery or salt making.
    pub nlndn: Option<bool>,
    /// Phiếu C: total income over the 12 months, VND.
    pub income_12m: Option<u64>,
    /// Phiếu C: social allowances and state social assistance in it, VND (excluded).
    pub allowances_12m: Option<u64>,
}

/// The store's rows of a request, or what each row lacks.
fn steps_of(commune: &str, req: &StepsRequest) -> Result<Steps, Vec<(Option<usize>, Refusal)>> {
    let mut missing = Vec::new();
    let mut need = |i: usize, what: &str| {
        missing.push((
            Some(i),
            Refusal::new(
                format!("Thiếu hoặc sai trường \"{what}\"."),
                format!("Field \"{what}\" is missing or invalid."),
            ),
        ));
    };
    let base = |r: &StepRow| (commune.to_string(), r.household_code.clone());
    let steps = match req.step.as_str() {
        "applications" => Steps::Applications(
            req.rows
                .iter()
                .enumerate()
                .filter_map(|(i, r)| {
                    let origin = r.origin.as_deref().and_then(Origin::parse).filter(|o| *o != Origin::Listed);
                    match (origin, r.applied_on) {
                        (Some(origin), Some(applied_on)) => {
                            let (commune_code, household_code) = base(r);
                            Some(Application { commune_code, household_code, origin, applied_on })
                        }
                        (None, _) => {
                            need(i, "origin");
                            None
                        }
                        (_, None) => {
                            need(i, "applied_on");
                            None
                        }
                    }
                })
                .collect(),
        ),
        "screening" => Steps::Screening(
            req.rows
                .iter()
                .enumerate()
                .filter_map(|(i, r)| {
                    let outcome = match r.result.as_deref() {
                        Some("proceeds") => Screening::Proceeds,
                        Some("out") => Screening::Out,
                        _ => {
                            need(i, "result");
                            return None;
                        }
                    };
                    let Some(on) = r.on else {
                        need(i, "on");
                        return None;
                    };
                    let (commune_code, household_code) = base(r);
                    Some(ScreeningRow {
                        commune_code,
                        household_code,
                        outcome,
                        reason: r.reason.clone(),
                        note: r.note.clone(),
                        screened_on: on,
                    })
                })
                .collect(),
        ),
        "surveys" => Steps::Surveys(
            req.rows
                .iter()
                .map(|r| {
                    let (commune_code, household_code) = base(r);
                    SurveyRow { commune_code, household_code }
                })
                .collect(),
        ),
        "meetings" => Steps::Meetings(
            req.rows
                .iter()
                .enumerate()
                .filter_map(|(i, r)| match (r.on, r.attendees, r.agreeing) {
                    (Some(held_on), Some(attendees), Some(agreeing)) => {
                        let (commune_code, household_code) = base(r);
                        Some(MeetingRow { commune_code, household_code, held_on, vote: Vote { attendees, agreeing } })
                    }
                    _ => {
                        need(i, "on, attendees, agreeing");
                        None
                    }
                })
                .collect(),
        ),
        "complaints" => Steps::Complaints(
            req.rows
                .iter()
                .enumerate()
                .filter_map(|(i, r)| {
                    let Some(lodged_on) = r.on else {
                        need(i, "on");
                        return None;
                    };
                    let outcome = match r.outcome.as_deref().map(ComplaintOutcome::parse) {
                        Some(None) => {
                            need(i, "outcome");
                            return None;
                        }
                        o => o.flatten(),
                    };
                    let recheck_class = match r.recheck_class.as_deref().map(Class::parse) {
                        Some(None) => {
                            need(i, "recheck_class");
                            return None;
                        }
                        c => c.flatten(),
                    };
                    let (commune_code, household_code) = base(r);
                    Some(ComplaintRow {
                        commune_code,
                        household_code,
                        lodged_on,
                        content: r.content.clone().unwrap_or_default(),
                        outcome,
                        recheck_class,
                        resolved_on: r.resolved_on,
                    })
                })
                .collect(),
        ),
        other => {
            return Err(vec![(
                None,
                Refusal::new(
                    format!(
                        "Bước \"{other}\" không có (applications, screening, surveys, income_survey, meetings, complaints)."
                    ),
                    format!(
                        "No step \"{other}\" (applications, screening, surveys, income_survey, meetings, complaints)."
                    ),
                ),
            )]);
        }
    };
    if missing.is_empty() { Ok(steps) } else { Err(missing) }
}

#[utoipa::path(post, path = "/api/v1/review/rounds/{id}/communes/{commune}/steps", request_body = StepsRequest,
    params(("id" = i64, Path, description = "round id"), ("commune" = String, Path, description = "commune code")),
    responses((status = 200, body = Recorded), (status = 422, body = Refused, description = "refused whole: every refusal at its row"),
        (status = 403, description = "the caller may not change the commune")))]
pub async fn steps(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((id, commune)): ApiPath<(i64, String)>,
    ApiJson(req): ApiJson<StepsRequest>,
) -> Result<Response, ApiError> {
    let (reg, round) = writable(&state, &v, id, &commune).await?;
    if req.step == "income_survey" {
        return income_survey(&state, &v, &reg, &round, &commune, &req).await;
    }
    let steps = match steps_of(&commune, &req) {
        Ok(s) => s,
        Err(list) => return Ok(refused(list)),
    };
    let proc = procedure(&state)?;
    match reg.record_steps(&round, &proc, &steps, &v.user.username, "api").await? {
        Ok(n) => Ok(Json(Recorded { recorded: n }).into_response()),
        Err(list) => Ok(refused(list.into_iter().map(|r| (Some(r.index), r.refusal)).collect())),
    }
}

/// A commune's public posting.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PostingRequest {
    #[schema(value_type = String, format = Date)]
    pub starts_on: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub ends_on: NaiveDate,
    pub places: String,
}

#[utoipa::path(post, path = "/api/v1/review/rounds/{id}/communes/{commune}/posting", request_body = PostingRequest,
    params(("id" = i64, Path, description = "round id"), ("commune" = String, Path, description = "commune code")),
    responses((status = 204), (status = 422, body = Refused)))]
pub async fn posting(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((id, commune)): ApiPath<(i64, String)>,
    ApiJson(req): ApiJson<PostingRequest>,
) -> Result<Response, ApiError> {
    let (reg, round) = writable(&state, &v, id, &commune).await?;
    let proc = procedure(&state)?;
    let dates = PostingDates { starts_on: req.starts_on, ends_on: req.ends_on };
    match reg.record_posting(&round, &proc, &commune, dates, &req.places, &v.user.username, "api").await {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(e) => procedure_refusal(e),
    }
}

/// The re-check's outcome of a complaint.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ResolveRequest {
    /// upheld or rejected.
    pub outcome: String,
    /// The class after the re-check (upheld only).
    pub recheck_class: Option<String>,
    #[schema(value_type = String, format = Date)]
    pub resolved_on: NaiveDate,
}

#[utoipa::path(post, path = "/api/v1/review/rounds/{id}/communes/{commune}/complaints/{complaint}", request_body = ResolveRequest,
    params(("id" = i64, Path, description = "round id"), ("commune" = String, Path, description = "commune code"), ("complaint" = i64, Path, description = "complaint id")),
    responses((status = 204), (status = 422, body = Refused)))]
pub async fn resolve(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((id, commune, complaint)): ApiPath<(i64, String, i64)>,
    ApiJson(req): ApiJson<ResolveRequest>,
) -> Result<Response, ApiError> {
    let (reg, round) = writable(&state, &v, id, &commune).await?;
    let outcome =
        ComplaintOutcome::parse(&req.outcome).ok_or_else(|| AppError::Invalid("outcome: upheld | rejected".into()))?;
    let class = req
        .recheck_class
        .as_deref()
        .map(|c| Class::parse(c).ok_or_else(|| AppError::Invalid(format!("recheck_class {c}"))))
        .transpose()?;
    if !reg.complaints(&round, &commune).await?.iter().any(|k| k.id == complaint) {
        return Err(AppError::NotFound.into());
    }
    match reg.resolve_complaint(&round, complaint, outcome, class, req.resolved_on, &v.user.username, "api").await {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(e) => procedure_refusal(e),
    }
}

/// The commune chair's decision.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct DecisionRequest {
    /// e.g. 125/QĐ-UBND
    pub number: String,
    #[schema(value_type = String, format = Date)]
    pub decided_on: NaiveDate,
    pub signer: String,
}

/// What a decision recognised.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DecisionOut {
    pub number: String,
    pub decided_on: String,
    pub recognised: u64,
    pub poor: u64,
    pub near_poor: u64,
    pub escaped_poor: u64,
    pub escaped_near_poor: u64,
    /// Households recognised in another class than computed: `[code, computed, recognised]`.
    pub differences: Vec<[String; 3]>,
    /// Households of the commune the round did not survey, kept at their last decision's class.
    pub carried_forward: u64,
}

#[utoipa::path(post, path = "/api/v1/review/rounds/{id}/communes/{commune}/decision", request_body = DecisionRequest,
    params(("id" = i64, Path, description = "round id"), ("commune" = String, Path, description = "commune code")),
    responses((status = 200, body = DecisionOut, description = "decided; the commune's lists of the period are locked"),
        (status = 422, body = Refused, description = "not yet: every reason")))]
pub async fn decide(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((id, commune)): ApiPath<(i64, String)>,
    ApiJson(req): ApiJson<DecisionRequest>,
) -> Result<Response, ApiError> {
    let (reg, round) = writable(&state, &v, id, &commune).await?;
    let input =
        DecisionInput { commune: &commune, number: &req.number, decided_on: req.decided_on, signer: &req.signer };
    match reg.decide(&round, &input, &v.user.username, "api").await {
        Ok(Ok(d)) => Ok(Json(DecisionOut {
            number: d.number,
            decided_on: d.decided_on.to_string(),
            recognised: d.recognised,
            poor: d.poor,
            near_poor: d.near_poor,
            escaped_poor: d.escaped_poor,
            escaped_near_poor: d.escaped_near_poor,
            differences: d.differences.into_iter().map(|(a, b, c)| [a, b, c]).collect(),
            carried_forward: d.carried_forward,
        })
        .into_response()),
        Ok(Err(list)) => Ok(refused(list.into_iter().map(|r| (None, r)).collect())),
        Err(e) => procedure_refusal(e),
    }
}

/// An application received outside any round, with its deadline.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApplicationOut {
    pub id: i64,
    pub commune_code: String,
    pub household_code: String,
    /// applied (Mẫu 01), applied_escape (Mẫu 04), village_proposed.
    pub origin: String,
    pub applied_on: String,
    /// The first day of the regular review that takes it up.
    pub review_starts: String,
    /// Decided, or refused in writing, by this day.
    pub due_on: String,
    pub round_id: Option<i64>,
    pub stage: Option<String>,
    pub recognised_class: Option<String>,
    pub overdue: bool,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ApplicationsQuery {
    /// Only this province's.
    pub province: Option<String>,
    /// Only those no round has taken up yet.
    #[serde(default)]
    pub waiting: bool,
}

#[utoipa::path(get, path = "/api/v1/review/applications", params(ApplicationsQuery),
    responses((status = 200, body = [ApplicationOut], description = "the caller's area only, newest first")))]
pub async fn applications(
    State(state): State<AppState>,
    v: Viewer,
    ApiQuery(q): ApiQuery<ApplicationsQuery>,
) -> Result<Json<Vec<ApplicationOut>>, ApiError> {
    let proc = procedure(&state)?;
    let today = chrono::Local::now().date_naive();
    let rows = v.registry(&state).applications(&proc, q.province.as_deref(), q.waiting).await?;
    Ok(Json(
        rows.into_iter()
            .map(|a| ApplicationOut {
                id: a.id,
                overdue: a.overdue(today),
                commune_code: a.commune_code,
                household_code: a.household_code,
                origin: a.origin.key().into(),
                applied_on: a.applied_on.to_string(),
                review_starts: a.review_starts.to_string(),
                due_on: a.due_on.to_string(),
                round_id: a.round_id,
                stage: a.stage,
                recognised_class: a.recognised_class,
            })
            .collect(),
    ))
}

/// An application to record.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationRequest {
    /// The commune code as recorded with the household.
    pub commune_code: String,
    pub household_code: String,
    /// mau_01, mau_04 or village.
    pub origin: String,
    #[schema(value_type = String, format = Date)]
    pub applied_on: NaiveDate,
}

/// A recorded application's id.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApplicationRecorded {
    pub id: i64,
    pub due_on: String,
}

#[utoipa::path(post, path = "/api/v1/review/applications", request_body = ApplicationRequest,
    responses((status = 200, body = ApplicationRecorded), (status = 403, description = "the caller may not record"),
        (status = 422, body = Refused, description = "why not")))]
pub async fn record_application(
    State(state): State<AppState>,
    v: Viewer,
    ApiJson(req): ApiJson<ApplicationRequest>,
) -> Result<Response, ApiError> {
    if !v.access.may_edit() {
        return Err(AppError::Forbidden("ghi đơn đề nghị / recording applications".into()).into());
    }
    let proc = procedure(&state)?;
    let Some(origin) = Origin::parse(&req.origin).filter(|o| *o != Origin::Listed) else {
        return Ok(refused(vec![(
            None,
            Refusal::new(
                format!("Nguồn đề nghị không hợp lệ: {}", req.origin),
                format!("Unknown origin {} (mau_01, mau_04, village)", req.origin),
            ),
        )]));
    };
    let app = vuonlen_store::review::Application {
        commune_code: req.commune_code,
        household_code: req.household_code,
        origin,
        applied_on: req.applied_on,
    };
    let today = chrono::Local::now().date_naive();
    match v.registry(&state).record_application(&app, today, &v.user.username, "api").await? {
        Ok(id) => {
            Ok(Json(ApplicationRecorded { id, due_on: proc.application_due(req.applied_on).to_string() })
                .into_response())
        }
        Err(r) => Ok(refused(vec![(None, r)])),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct MonthlyQuery {
    pub province: String,
    /// YYYY-MM.
    pub month: String,
}

/// Parses `YYYY-MM`.
pub fn parse_month(s: &str) -> Option<(i32, u32)> {
    let (y, m) = s.trim().split_once('-')?;
    let (y, m) = (y.parse::<i32>().ok()?, m.parse::<u32>().ok()?);
    ((1..=12).contains(&m) && (1900..=9999).contains(&y)).then_some((y, m))
}

#[utoipa::path(get, path = "/api/v1/review/monthly", params(MonthlyQuery),
    responses((status = 200, description = "the monthly roll-up of the regular review (XLSX)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 404, description = "a province outside the caller's area")))]
pub async fn monthly(
    State(state): State<AppState>,
    v: Viewer,
    ApiQuery(q): ApiQuery<MonthlyQuery>,
) -> Result<Response, ApiError> {
    let (name, bytes) = monthly_workbook(&state, &v, &q.province, &q.month).await?;
    Ok(crate::reports::xlsx_response(&name, bytes))
}

/// The roll-up's workbook for the page and the API: a province the caller may read.
pub async fn monthly_workbook(
    state: &AppState,
    v: &Viewer,
    province: &str,
    month: &str,
) -> Result<(String, Vec<u8>), AppError> {
    let province = province.trim();
    if province.len() != 2 {
        return Err(AppError::Invalid(format!("tỉnh / province {province}")));
    }
    crate::dashboard::check_unit(v, province)?;
    let (y, m) = parse_month(month).ok_or_else(|| AppError::Invalid(format!("tháng / month {month} (YYYY-MM)")))?;
    let proc = procedure(state)?;
    let reg = v.registry(state);
    let bytes = vuonlen_app::review::month_workbook(&reg, &proc, province, y, m, None)
        .await
        .map_err(crate::households::app_error)?;
    Ok((format!("ra-soat-thuong-xuyen-{province}-{y}-{m:02}.xlsx"), bytes))
}

/// One province's review progress in a period.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProvinceProgressOut {
    pub province_code: String,
    pub province_name: String,
    pub rounds: u64,
    pub communes: u64,
    pub decided: u64,
    /// Communes late in some step of their round's calendar today.
    pub late: u64,
    /// Households by stage: listed, screened_out, surveyed, resurvey, agreed, decided.
    pub stages: std::collections::BTreeMap<String, u64>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SummaryQuery {
    pub period: i64,
}

#[utoipa::path(get, path = "/api/v1/review/summary", params(SummaryQuery),
    responses((status = 200, body = [ProvinceProgressOut], description = "the provinces of the caller's area")))]
pub async fn summary(
    State(state): State<AppState>,
    v: Viewer,
    ApiQuery(q): ApiQuery<SummaryQuery>,
) -> Result<Json<Vec<ProvinceProgressOut>>, ApiError> {
    let today = chrono::Local::now().date_naive();
    let lines = vuonlen_app::review::progress_by_province(&v.registry(&state), q.period, today)
        .await
        .map_err(crate::households::app_error)?;
    let units = vuonlen_core::units::AdminUnits::get();
    Ok(Json(
        lines
            .into_iter()
            .map(|l| ProvinceProgressOut {
                province_name: units.y2025.province(&l.province_code).map(|p| p.name.to_string()).unwrap_or_default(),
                stages: vuonlen_core::review::Stage::ALL
                    .iter()
                    .zip(l.stages)
                    .map(|(s, n)| (s.key().to_string(), n))
                    .collect(),
                province_code: l.province_code,
                rounds: l.rounds,
                communes: l.communes,
                decided: l.decided,
                late: l.late,
            })
            .collect(),
    ))
}

/// A score table loaded into the registry (`vuonlen standards load`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ScoreTableOut {
    pub id: String,
    pub title: String,
    /// `official`, or `test` (invented points: never official figures).
    pub purpose: String,
    pub sha256: String,
    pub households_scored: i64,
}

#[utoipa::path(get, path = "/api/v1/score-tables", responses((status = 200, body = [ScoreTableOut])))]
pub async fn score_tables(State(state): State<AppState>, v: Viewer) -> Result<Json<Vec<ScoreTableOut>>, ApiError> {
    let tables = v.registry(&state).score_tables().await?;
    Ok(Json(
        tables
            .into_iter()
            .map(|t| ScoreTableOut {
                id: t.id,
                title: t.title,
                purpose: t.purpose,
                sha256: t.sha256,
                households_scored: t.households_scored,
            })
            .collect(),
    ))
}

/// Phiếu B answers to score with a loaded table.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ScoresRequest {
    /// The id of a loaded score table.
    pub table: String,
    pub rows: Vec<ScoreRowIn>,
}

/// One household's answers: each variable's code and the category's code (or Vietnamese name).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ScoreRowIn {
    pub household_code: String,
    /// `rural` or `urban`.
    pub area: String,
    pub answers: std::collections::BTreeMap<String, String>,
}

/// How many households were scored, with the table used.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ScoresRecordedOut {
    pub recorded: u64,
    pub table_title: String,
}

#[utoipa::path(post, path = "/api/v1/review/rounds/{id}/communes/{commune}/scores", request_body = ScoresRequest,
    params(("id" = i64, Path, description = "round id"), ("commune" = String, Path, description = "commune code")),
    responses((status = 200, body = ScoresRecordedOut), (status = 422, body = Refused, description = "refused whole: every problem at its row index"),
        (status = 403, description = "the caller may not change the commune")))]
pub async fn scores(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((id, commune)): ApiPath<(i64, String)>,
    ApiJson(req): ApiJson<ScoresRequest>,
) -> Result<Response, ApiError> {
    let (reg, round) = writable(&state, &v, id, &commune).await?;
    // The rows as the answers file `vuonlen review score` reads: one reader, one set of checks.
    let mut variables: Vec<&str> = req.rows.iter().flat_map(|r| r.answers.keys().map(String::as_str)).collect();
    variables.sort_unstable();
    variables.dedup();
    let dir = tempfile::tempdir().map_err(|e| AppError::Internal(e.to_string()))?;
    let path = dir.path().join("phieu-b.csv");
    {
        let mut w = csv::Writer::from_path(&path).map_err(|e| AppError::Internal(e.to_string()))?;
        let mut header = vec!["household_id", "commune_code", "area"];
        header.extend(&variables);
        w.write_record(&header).map_err(|e| AppError::Internal(e.to_string()))?;
        for r in &req.rows {
            let mut rec = vec![r.household_code.as_str(), commune.as_str(), r.area.as_str()];
            rec.extend(variables.iter().map(|k| r.answers.get(*k).map_or("", String::as_str)));
            w.write_record(&rec).map_err(|e| AppError::Internal(e.to_string()))?;
        }
        w.flush().map_err(|e| AppError::Internal(e.to_string()))?;
    }
    let (p, std) = round_period(&state, &round).await?;
    let done = vuonlen_app::score::record_scores(&reg, &round, &p, std, &req.table, path, &v.user.username, "api")
        .await
        .map_err(crate::households::app_error)?;
    match done.recorded {
        Some(n) => Ok(Json(ScoresRecordedOut { recorded: n, table_title: done.table_title }).into_response()),
        None => Ok(refused(file_refusals(done.file.report.errors))),
    }
}

/// Phiếu C through the steps call: the rows as the step file `vuonlen review income` reads (one
/// reader, one set of checks), recorded by the same use case.
async fn income_survey(
    state: &AppState,
    v: &Viewer,
    reg: &Registry,
    round: &Round,
    commune: &str,
    req: &StepsRequest,
) -> Result<Response, ApiError> {
    let dir = tempfile::tempdir().map_err(|e| AppError::Internal(e.to_string()))?;
    let path = dir.path().join("phieu-c.csv");
    let internal = |e: csv::Error| AppError::Internal(e.to_string());
    {
        let mut w = csv::Writer::from_path(&path).map_err(internal)?;
        w.write_record(["commune_code", "household_code", "nlndn", "income_12m", "allowances_12m", "surveyed_on"])
            .map_err(internal)?;
        for r in &req.rows {
            let text = |n: Option<u64>| n.map(|x| x.to_string()).unwrap_or_default();
            let nlndn = r.nlndn.map(|b| if b { "1" } else { "0" }).unwrap_or_default();
            let on = r.on.map(|d| d.to_string()).unwrap_or_default();
            w.write_record([
                commune,
                r.household_code.as_str(),
                nlndn,
                &text(r.income_12m),
                &text(r.allowances_12m),
                &on,
            ])
            .map_err(internal)?;
        }
        w.flush().map_err(|e| AppError::Internal(e.to_string()))?;
    }
    let (p, std) = round_period(state, round).await?;
    let done = vuonlen_app::income::record_income_surveys(reg, round, &p, std, path, &v.user.username, "api")
        .await
        .map_err(crate::households::app_error)?;
    Ok(match done.recorded {
        Some(n) => Json(Recorded { recorded: n }).into_response(),
        None => refused(file_refusals(done.file.report.errors)),
    })
}

/// A file's problems as refusals by row index (row 2 is index 0), each naming its column.
pub(crate) fn file_refusals(errors: Vec<vuonlen_io::Problem>) -> Vec<(Option<usize>, Refusal)> {
    errors
        .into_iter()
        .map(|p| {
            let index = usize::try_from(p.row).ok().filter(|r| *r >= 2).map(|r| r - 2);
            let at = if p.column.is_empty() { String::new() } else { format!("{} = '{}': ", p.column, p.value) };
            (index, Refusal { vi: format!("{at}{}", p.message_vi), en: format!("{at}{}", p.message_en) })
        })
        .collect()
}
