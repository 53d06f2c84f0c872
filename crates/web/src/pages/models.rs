//! Poverty-reduction models (*mô hình giảm nghèo*): everyone signed in reads those of their area
//! (`/mo-hinh`, with how many are under way in the year — the figure the monitoring report's
//! "models" indicator asks for); whoever may change a commune adds one to it; a model's page
//! (`/mo-hinh/{id}`) lists its households with their class, its replications and its exemplary
//! cases, with forms adding each. A refused form keeps what was typed.

use crate::auth::Viewer;
use crate::error::{AppError, PageError};
use crate::households::app_error;
use crate::pages::{Chrome, XLSX_TYPE, render, written_attachment};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use vuonlen_app::models::{
    CaseRequest, HOST_KINDS, ModelRequest, ModelView, ReplicationRequest, STATUSES, add_case, add_model, class_vi,
    host_kind_vi, join_households, model_view, models_table, replicate, status_vi,
};
use vuonlen_core::budget::FundSource;
use vuonlen_core::text::format_vnd;
use vuonlen_store::models::Model;
use vuonlen_store::targets::TargetUnit;

/// What the add form holds (as typed, kept when refused).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ModelForm {
    unit: String,
    year: String,
    name: String,
    host: String,
    host_kind: String,
    place: String,
    project: String,
    start_year: String,
    end_year: String,
    budget_central: String,
    budget_local: String,
    budget_counterpart: String,
    budget_mobilised: String,
    budget_policy_credit: String,
    result: String,
    status: String,
    households: String,
}

impl ModelForm {
    fn budget(&self, s: FundSource) -> &str {
        match s {
            FundSource::Central => &self.budget_central,
            FundSource::Local => &self.budget_local,
            FundSource::Counterpart => &self.budget_counterpart,
            FundSource::Mobilised => &self.budget_mobilised,
            FundSource::PolicyCredit => &self.budget_policy_credit,
        }
    }
}

#[derive(Template, Default)]
#[template(path = "models.html")]
struct ModelsPage {
    c: Chrome,
    unit_code: String,
    unit_name: String,
    year: i64,
    /// Models under way in the year (the "models" indicator's figure) and their households.
    count: usize,
    participating: i64,
    indicator: String,
    is_commune: bool,
    may_set: bool,
    /// id, commune, name, host (kind), project, years, budget, households, replications, cases, status.
    rows: Vec<(i64, [String; 10])>,
    projects: Vec<(String, String)>,
    statuses: Vec<(&'static str, &'static str)>,
    host_kinds: Vec<(&'static str, String)>,
    /// (field name, source label, typed).
    budget_fields: Vec<(String, String, String)>,
    form: ModelForm,
    message: Option<String>,
    failed: bool,
}

#[derive(Deserialize)]
pub struct ModelsQuery {
    pub unit: Option<String>,
    pub year: Option<i64>,
}

fn years(m: &Model) -> String {
    format!("{}–{}", m.model.start_year, m.model.end_year.map(|y| y.to_string()).unwrap_or_default())
}

fn money(v: u64) -> String {
    format_vnd(i64::try_from(v).unwrap_or(i64::MAX))
}

async fn page(
    state: &AppState,
    v: &Viewer,
    uri: &Uri,
    unit: &TargetUnit,
    year: i64,
    form: ModelForm,
) -> Result<ModelsPage, AppError> {
    let l = v.lang;
    let reg = v.registry(state);
    let list = reg.models_of(unit, Some(year)).await?;
    let is_commune = unit.code.len() == 5;
    let form = ModelForm {
        project: if form.project.is_empty() { "DA2".into() } else { form.project },
        start_year: if form.start_year.is_empty() { year.to_string() } else { form.start_year },
        status: if form.status.is_empty() { "under_way".into() } else { form.status },
        ..form
    };
    Ok(ModelsPage {
        c: Chrome::of(v, uri),
        unit_code: unit.code.clone(),
        unit_name: unit.name.clone(),
        year,
        count: list.len(),
        participating: list.iter().map(|m| m.households).sum(),
        indicator: state
            .standards
            .framework_for(year)
            .and_then(|f| {
                f.indicators.iter().find(|i| i.id == "models").map(|i| l.s(&i.name_vi, &i.name_en).to_string())
            })
            .unwrap_or_else(|| l.s("Mô hình giảm nghèo", "Poverty-reduction models").to_string()),
        is_commune,
        may_set: is_commune && v.access.may_edit() && reg.may_set_unit(unit),
        rows: list
            .iter()
            .map(|m| {
                let x = &m.model;
                (
                    m.id,
                    [
                        x.commune.clone(),
                        x.name.clone(),
                        format!("{} ({})", x.host, host_kind_vi(&x.host_kind)),
                        x.project_code.clone(),
                        years(m),
                        money(m.budget_total()),
                        m.households.to_string(),
                        m.replications.to_string(),
                        m.cases.to_string(),
                        status_vi(&x.status).to_string(),
                    ],
                )
            })
            .collect(),
        // Every programme period's projects, named with their years: a model started in 2025
        // is under a 2021–2025 project even when the page shows 2026 (the start year decides).
        projects: state
            .standards
            .catalogues()
            .iter()
            .flat_map(|c| {
                let years = format!("{}–{}", c.from_year, c.to_year);
                c.entries()
                    .iter()
                    .map(|e| (e.code.to_string(), format!("{} ({years})", l.s(e.name_vi, e.name_en))))
                    .collect::<Vec<_>>()
            })
            .collect(),
        statuses: STATUSES.to_vec(),
        host_kinds: HOST_KINDS.iter().map(|(k, vi, en)| (*k, l.s(vi, en).to_string())).collect(),
        budget_fields: FundSource::ALL
            .iter()
            .map(|s| {
                (
                    format!("budget_{}", s.key()),
                    l.s(s.label_vi(), s.label_en()).to_string(),
                    form.budget(*s).to_string(),
                )
            })
            .collect(),
        form,
        ..Default::default()
    })
}

pub async fn show(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<ModelsQuery>,
) -> Result<Response, PageError> {
    let reg = v.registry(&state);
    let unit = crate::pages::readable_admin_unit(&v, &reg, q.unit.as_deref()).await?;
    let year = q.year.unwrap_or_else(crate::pages::this_year);
    Ok(render(&page(&state, &v, &uri, &unit, year, ModelForm::default()).await?)?.into_response())
}

/// A year as typed (0 when it is not a number: refused as a year out of range).
fn year_of(s: &str) -> i64 {
    s.trim().parse().unwrap_or(0)
}

/// Household codes typed one per line (or separated by commas).
fn codes(s: &str) -> Vec<String> {
    s.split(['\n', ',', ';']).map(str::trim).filter(|c| !c.is_empty()).map(str::to_string).collect()
}

fn refusal_text(l: crate::i18n::Lang, why: Vec<(String, String)>) -> String {
    why.into_iter().map(|(vi, en)| l.s(&vi, &en).to_string()).collect::<Vec<_>>().join(" ")
}

pub async fn submit(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    axum::Form(f): axum::Form<ModelForm>,
) -> Result<Response, PageError> {
    let l = v.lang;
    let reg = v.registry(&state);
    let unit = crate::pages::readable_admin_unit(&v, &reg, Some(&f.unit)).await?;
    if !v.access.may_edit() || !reg.may_set_unit(&unit) {
        return Err(AppError::Forbidden(l.s("ghi mô hình", "recording models").into()).into());
    }
    let year = f.year.trim().parse().unwrap_or_else(|_| crate::pages::this_year());
    let opt = |s: &str| Some(s.trim().to_string()).filter(|t| !t.is_empty());
    let r = ModelRequest {
        commune: unit.code.clone(),
        name: f.name.clone(),
        host: f.host.clone(),
        host_kind: f.host_kind.clone(),
        place: opt(&f.place),
        project_code: f.project.clone(),
        start_year: year_of(&f.start_year),
        end_year: opt(&f.end_year).map(|y| year_of(&y)),
        budget: FundSource::ALL
            .iter()
            .filter(|s| !f.budget(**s).trim().is_empty())
            .map(|s| (s.key().to_string(), f.budget(*s).to_string()))
            .collect(),
        result: opt(&f.result),
        status: f.status.clone(),
        household_codes: codes(&f.households),
        household_ids: Vec::new(),
    };
    let done = add_model(&reg, &state.standards, &r, &v.user.username, "web").await.map_err(app_error)?;
    match done {
        Ok(_) => {
            let mut p = page(&state, &v, &uri, &unit, year, ModelForm::default()).await?;
            p.message = Some(l.s("Đã ghi mô hình.", "Model recorded.").to_string());
            Ok(render(&p)?.into_response())
        }
        Err(why) => {
            let mut p = page(&state, &v, &uri, &unit, year, f).await?;
            p.message = Some(refusal_text(l, why));
            p.failed = true;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
        }
    }
}

/// The unit's models under way in the year as a workbook.
pub async fn download(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ModelsQuery>,
) -> Result<Response, PageError> {
    let reg = v.registry(&state);
    let unit = crate::pages::readable_admin_unit(&v, &reg, q.unit.as_deref()).await?;
    let year = q.year.unwrap_or_else(crate::pages::this_year);
    let (head, rows) = models_table(&reg.models_of(&unit, Some(year)).await?);
    let name = format!("mo-hinh-{}-{year}.xlsx", unit.code);
    Ok(written_attachment(&name, XLSX_TYPE, |path| vuonlen_io::write_plain_table(path, "mo-hinh", &head, &rows))?)
}

/// What the model page's forms hold (as typed, kept when refused).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DetailForm {
    /// `join`, `replicate` or `case`.
    action: String,
    households: String,
    commune: String,
    year: String,
    replicated_households: String,
    note: String,
    household: String,
    title: String,
    story: String,
    case_year: String,
    escaped: Option<String>,
}

#[derive(Template, Default)]
#[template(path = "model.html")]
struct ModelPage {
    c: Chrome,
    id: i64,
    name: String,
    commune: String,
    commune_name: String,
    /// (label, value) of the model's fields.
    facts: Vec<(String, String)>,
    /// (source, amount) and the total.
    budget: Vec<(String, String)>,
    budget_total: String,
    /// id, code, head, class (period).
    households: Vec<(i64, String, String, String)>,
    /// commune (name), year, households, note.
    replications: Vec<[String; 4]>,
    /// year, title, household code, escaped, story.
    cases: Vec<(String, String, String, bool, String)>,
    may_set: bool,
    form: DetailForm,
    message: Option<String>,
    failed: bool,
}

fn commune_label(code: &str) -> String {
    match vuonlen_core::units::AdminUnits::get().y2025.communes.get(code) {
        Some(c) => format!("{} ({code})", c.name),
        None => code.to_string(),
    }
}

fn detail(v: &Viewer, uri: &Uri, view: ModelView, may_set: bool, form: DetailForm) -> ModelPage {
    let l = v.lang;
    let m = &view.model;
    let x = &m.model;
    let facts = vec![
        (l.s("Đơn vị chủ trì", "Host").to_string(), format!("{} ({})", x.host, host_kind_vi(&x.host_kind))),
        (l.s("Địa điểm", "Place").to_string(), x.place.clone().unwrap_or_default()),
        (l.s("Dự án", "Project").to_string(), x.project_code.clone()),
        (l.s("Thời gian", "Years").to_string(), years(m)),
        (l.s("Kết quả", "Results").to_string(), x.result.clone().unwrap_or_default()),
        (l.s("Tình trạng", "Status").to_string(), status_vi(&x.status).to_string()),
    ];
    ModelPage {
        c: Chrome::of(v, uri),
        id: m.id,
        name: x.name.clone(),
        commune: x.commune.clone(),
        commune_name: commune_label(&x.commune),
        facts,
        budget: x.budget.iter().map(|(s, a)| (l.s(s.label_vi(), s.label_en()).to_string(), money(*a))).collect(),
        budget_total: money(m.budget_total()),
        households: view
            .households
            .iter()
            .map(|p| {
                let class = match (&p.class, p.period) {
                    (Some(c), Some(y)) => format!("{} ({y})", class_vi(c)),
                    _ => l.s("chưa phân loại", "not classified").to_string(),
                };
                (p.household_id, p.household_code.clone(), p.head_name.clone().unwrap_or_default(), class)
            })
            .collect(),
        replications: view
            .replications
            .iter()
            .map(|r| {
                [
                    commune_label(&r.commune),
                    r.year.to_string(),
                    r.households.to_string(),
                    r.note.clone().unwrap_or_default(),
                ]
            })
            .collect(),
        cases: view
            .cases
            .iter()
            .map(|k| {
                (
                    k.year.to_string(),
                    k.title.clone(),
                    k.household_code.clone().unwrap_or_default(),
                    k.escaped,
                    k.story.clone().unwrap_or_default(),
                )
            })
            .collect(),
        may_set,
        form,
        ..Default::default()
    }
}

/// Model `id` as the caller may read it (404 outside its area), and whether the caller may
/// change it (join households, record replications and cases): one rule for the page and the API.
pub(crate) async fn readable(state: &AppState, v: &Viewer, id: i64) -> Result<(ModelView, bool), AppError> {
    let reg = v.registry(state);
    let view = model_view(&reg, id).await.map_err(app_error)?.ok_or(AppError::NotFound)?;
    let m = &view.model;
    let may_set = v.access.may_edit() && reg.may_change(&m.province, &m.model.commune);
    Ok((view, may_set))
}

pub async fn model(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let (view, may_set) = readable(&state, &v, id).await?;
    Ok(render(&detail(&v, &uri, view, may_set, DetailForm::default()))?.into_response())
}

/// Adds households, a replication or an exemplary case to the model.
pub async fn model_submit(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<DetailForm>,
) -> Result<Response, PageError> {
    let l = v.lang;
    let reg = v.registry(&state);
    let (view, may_set) = readable(&state, &v, id).await?;
    if !may_set {
        return Err(AppError::Forbidden(l.s("ghi mô hình", "recording models").into()).into());
    }
    let actor = v.user.username.as_str();
    let done: Result<String, Vec<(String, String)>> = match f.action.as_str() {
        "join" => join_households(&reg, &view.model, &codes(&f.households), &[], actor, "web")
            .await
            .map_err(app_error)?
            .map(|n| format!("{} {n} {}", l.s("Đã thêm", "Added"), l.s("hộ.", "households."))),
        "replicate" => {
            let r = ReplicationRequest {
                commune: f.commune.clone(),
                year: year_of(&f.year),
                households: f.replicated_households.trim().parse().unwrap_or(-1),
                note: Some(f.note.clone()),
            };
            replicate(&reg, &view.model, &r, actor, "web")
                .await
                .map_err(app_error)?
                .map(|_| l.s("Đã ghi nhân rộng.", "Replication recorded.").to_string())
        }
        "case" => {
            let r = CaseRequest {
                household_code: Some(f.household.clone()),
                title: f.title.clone(),
                story: Some(f.story.clone()),
                year: year_of(&f.case_year),
                escaped: f.escaped.is_some(),
            };
            add_case(&reg, &view.model, &r, actor, "web")
                .await
                .map_err(app_error)?
                .map(|_| l.s("Đã ghi gương điển hình.", "Case recorded.").to_string())
        }
        _ => Err(vec![("Không rõ việc cần làm.".into(), "Unknown action.".into())]),
    };
    match done {
        Ok(said) => {
            let (view, may_set) = readable(&state, &v, id).await?;
            let mut p = detail(&v, &uri, view, may_set, DetailForm::default());
            p.message = Some(said);
            Ok(render(&p)?.into_response())
        }
        Err(why) => {
            let (view, may_set) = readable(&state, &v, id).await?;
            let mut p = detail(&v, &uri, view, may_set, f);
            p.message = Some(refusal_text(l, why));
            p.failed = true;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
        }
    }
}
