//! The REST API (`/api/v1`, JSON): the same operations as the pages, with the same
//! authorization. Machine clients send `Authorization: Bearer TOKEN`; a browser session may
//! call it too, with its CSRF token in `X-CSRF-Token` for changes. The OpenAPI document is at
//! `/api/openapi.json`.

pub mod activities;
pub mod budgets;
pub mod extract;
pub mod helpers;
pub mod households;
pub mod jobs;
pub mod models;
pub mod monitoring;
pub mod plans;
pub mod review;
pub mod support;
pub mod targets;

use crate::auth::Viewer;
use crate::dashboard::{self, Dashboard, home_unit};
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "vuonlen API", description = "Household registry of the National Target Program for Sustainable Poverty Reduction. Every call is limited to the caller's area."),
    paths(me, dashboard, households::list_households, households::get_household, households::survey, households::update, households::classify_preview, report,
        review::rounds, review::round, review::commune, review::list, review::steps, review::posting, review::resolve, review::decide, review::applications, review::record_application, review::monthly, review::summary, review::score_tables, review::scores,
        budgets::get_budget, budgets::put_budget,
        activities::get_activities, activities::post_activity,
        support::get_support, support::post_support, support::get_lists, support::post_list, support::get_list,
        support::get_coverage,
        jobs::get_seekers, jobs::post_seeker, jobs::post_placement, jobs::get_vacancies, jobs::post_vacancy, jobs::get_matches,
        helpers::get_helpers, helpers::post_helpers, helpers::get_progress,
        models::get_models, models::post_model, models::get_model,
        models::post_households, models::post_replication, models::post_case,
        plans::get_plans, plans::put_plan,
        targets::get_targets, targets::put_targets, targets::post_table, targets::get_progress,
        monitoring::get_monitoring, monitoring::post_monitoring),
    components(schemas(Me, Dashboard, crate::dashboard::Counts, crate::dashboard::Movements, crate::dashboard::SubUnit, crate::dashboard::IndicatorName,
        households::HouseholdItem, households::HouseholdList, households::HouseholdDetail, households::PeriodClassItem, households::SurveyOut,
        households::UpdateRequest, households::SaveResult, households::Preview, crate::form::HouseholdFields, crate::form::FieldProblem,
        crate::error::ErrorEnvelope, crate::error::ErrorBody,
        review::RoundOut, review::DueOut, review::CommuneOut, review::RoundDetail, review::CaseOut, review::CommuneDetail, review::ComplaintOut,
        review::Recorded, review::Refused, review::RefusalOut, review::StepsRequest, review::StepRow, review::PostingRequest,
        review::ResolveRequest, review::DecisionRequest, review::DecisionOut, review::ApplicationOut,
        review::ApplicationRequest, review::ApplicationRecorded, review::ProvinceProgressOut,
        review::ScoreTableOut, review::ScoresRequest, review::ScoreRowIn, review::ScoresRecordedOut,
        support::SupportOut, support::SupportIn, support::ListOut, support::ListIn,
        support::ListDetailOut, support::BeneficiaryOut,
        support::CoverageOut, support::CoverageRowOut, support::ReachOut,
        jobs::JobSeekerOut, jobs::SeekerIn, jobs::Created, jobs::PlacementIn, jobs::VacancyOut, jobs::VacancyIn, jobs::MatchOut, jobs::MatchesOut,
        helpers::HelpOut, helpers::AssignmentOut, helpers::VisitOut, helpers::RegistrationOut, helpers::CommitmentOut,
        helpers::HelpIn, helpers::HelperProgressOut, helpers::HelperProgressRowOut,
        models::ModelOut, models::ModelIn, models::ModelDetailOut, models::ParticipantOut, models::ReplicationOut, models::CaseOut,
        models::HouseholdsIn, models::HouseholdsJoined, models::ReplicationIn, models::ModelRecorded, models::CaseIn,
        activities::ActivityOut, activities::ActivityIn, activities::ActivityCreated,
        budgets::BudgetOut, budgets::BudgetLineOut, budgets::UnitBudgetOut, budgets::SetBudgetRequest, budgets::BudgetSet,
        plans::PlansOut, plans::PlanOut, plans::PlanYearOut, plans::FindingOut, plans::SetPlanRequest, plans::PlanSet,
        targets::TargetsOut, targets::TargetRowOut, targets::SetTargetsRequest, targets::TargetsSet, targets::TableRequest,
        targets::TableRowIn, targets::TableRecorded, targets::ProgressOut, targets::UnitProgressOut, targets::IndicatorTargetOut,
        monitoring::ReportOut, monitoring::UnitReportOut, monitoring::MonitoringOut, monitoring::MonitoringAction, monitoring::StateOut)),
    modifiers(&Security, &Answers),
)]
pub struct ApiDoc;

/// How to call the API, in the document: a Bearer token, or a browser session's cookie with
/// its CSRF token in `X-CSRF-Token` for changes; and the answers every call may give besides its
/// own (401 without either; 400 on malformed parameters; 415 and 422 on a body that is not the
/// call's JSON; 429; 503 with `Retry-After`), all in the `{"error": …}` shape.
struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
        };
        use utoipa::openapi::{HttpMethod, RefOr, ResponseBuilder, content::ContentBuilder};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::SESSION_COOKIE,
                "the web application's session (signing in at /dang-nhap)",
            ))),
        );
        components.add_security_scheme(
            "csrf",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-CSRF-Token",
                "with a session, for changes: the token of the session's pages",
            ))),
        );
        openapi.security = Some(vec![
            SecurityRequirement::new("bearer", Vec::<String>::new()),
            SecurityRequirement::new("session", Vec::<String>::new()).add("csrf", Vec::<String>::new()),
        ]);
        let error = |description: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name("ErrorEnvelope"))))
                            .build(),
                    )
                    .build(),
            )
        };
        for item in openapi.paths.paths.values_mut() {
            for (method, op) in
                [(HttpMethod::Get, &mut item.get), (HttpMethod::Put, &mut item.put), (HttpMethod::Post, &mut item.post)]
            {
                let Some(op) = op.as_mut() else { continue };
                let answers = &mut op.responses.responses;
                answers.entry("400".into()).or_insert_with(|| error("malformed parameters or body"));
                answers.entry("401".into()).or_insert_with(|| error("no valid token or session"));
                answers.entry("429".into()).or_insert_with(|| error("too many requests"));
                answers
                    .entry("503".into())
                    .or_insert_with(|| error("the database is not answering; try again after Retry-After"));
                if method != HttpMethod::Get {
                    answers.entry("415".into()).or_insert_with(|| error("the body is not application/json"));
                    answers.entry("422".into()).or_insert_with(|| error("the body does not fit the call"));
                }
            }
        }
    }
}

/// A household's answers in the document, from the schema ([`vuonlen_core::schema`]): one
/// property per field with its labels, its coded values and whether it is required, so that
/// the API's JSON and the interchange files are described by the same definition.
struct Answers;

impl utoipa::Modify for Answers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, Type};
        use utoipa::openapi::{Ref, RefOr};
        use vuonlen_core::schema::{Field, HOUSEHOLD_FIELDS, Kind, MEMBER_FIELDS, Presence};
        let object = |fields: &[Field], description: &str| {
            let mut o = ObjectBuilder::new().schema_type(Type::Object).description(Some(description));
            for f in fields {
                let mut prop = ObjectBuilder::new().schema_type(Type::String).description(Some(format!(
                    "{} / {}{}",
                    f.label_vi,
                    f.label_en,
                    if f.personal { " (personal data)" } else { "" }
                )));
                prop = match f.kind {
                    Kind::Choice(_) => prop.enum_values(Some(f.kind.choices().into_iter().map(|(k, _)| k).chain([""]))),
                    Kind::YesNo => prop.enum_values(Some(["1", "0", ""])),
                    Kind::CommuneCode => prop.pattern(Some("^([0-9]{5})?$")),
                    Kind::IdNumber => prop.pattern(Some("^([0-9]{12})?$")),
                    _ => prop,
                };
                o = o.property(f.key, prop);
                if f.presence == Presence::Required && !matches!(f.key, "household_id" | "commune_code") {
                    o = o.required(f.key);
                }
            }
            Schema::Object(o.build())
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        components.schemas.insert(
            "HouseholdAnswers".into(),
            RefOr::T(object(
                &HOUSEHOLD_FIELDS,
                "A household's answers by field key, as text (the households file's columns)",
            )),
        );
        components.schemas.insert(
            "MemberAnswers".into(),
            RefOr::T(object(&MEMBER_FIELDS, "A member's answers by field key, as text (the members file's columns)")),
        );
        if let Some(RefOr::T(Schema::Object(fields))) = components.schemas.get_mut("HouseholdFields") {
            fields.properties.insert("household".into(), RefOr::Ref(Ref::from_schema_name("HouseholdAnswers")));
            fields.properties.insert(
                "members".into(),
                RefOr::T(Schema::Array(ArrayBuilder::new().items(Ref::from_schema_name("MemberAnswers")).build())),
            );
        }
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
    extract::ApiQuery(q): extract::ApiQuery<DashboardQuery>,
) -> Result<Json<Dashboard>, ApiError> {
    let unit = q.unit.filter(|u| !u.is_empty()).unwrap_or_else(|| home_unit(&v));
    Ok(Json(std::sync::Arc::unwrap_or_clone(dashboard::build(&state, &v, &unit, q.period).await?)))
}

/// An official report form for a unit and period, as an XLSX workbook.
#[utoipa::path(get, path = "/api/v1/reports", params(crate::reports::ReportQuery),
    responses((status = 200, description = "the workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 404, description = "unit outside the caller's area or unknown period")))]
pub async fn report(
    State(state): State<AppState>,
    v: Viewer,
    extract::ApiQuery(q): extract::ApiQuery<crate::reports::ReportQuery>,
) -> Result<axum::response::Response, ApiError> {
    let (name, bytes) = crate::reports::workbook(&state, &v, &q).await?;
    Ok(crate::reports::xlsx_response(&name, bytes))
}
