//! Beneficiary lists and support (*danh sách thụ hưởng, hỗ trợ*): a commune's lists, built from
//! the registry by a rule (classes, deprivations), each household with its reason; the support
//! delivered recorded against a list, row by row; an agency's support table checked or recorded
//! whole; the list downloaded for the implementing agency.

use crate::auth::Viewer;
use crate::error::{AppError, PageError};
use crate::households::app_error;
use crate::pages::{Chrome, Upload, XLSX_TYPE, problem_rows, render, written_attachment};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use vuonlen_app::beneficiary::{ListRequest, build_list, deliver, list_table, list_view};
use vuonlen_app::import::Finish;
use vuonlen_app::support::{record_support_table, support_table};
use vuonlen_core::Class;
use vuonlen_core::eligibility::EligibilityRule;
use vuonlen_core::support::SUPPORT_KINDS;

#[derive(Template, Default)]
#[template(path = "beneficiary_lists.html")]
struct ListsPage {
    c: Chrome,
    unit_code: String,
    unit_name: String,
    /// The year the support table is downloaded for (this year).
    year: i64,
    /// Whether the unit has a support table to download (a province or a commune).
    may_export: bool,
    may_set: bool,
    /// id, title, period, kind, households.
    lists: Vec<(i64, String, i64, String, i64)>,
    periods: Vec<i64>,
    classes: Vec<(&'static str, &'static str)>,
    indicators: Vec<(String, String)>,
    kinds: Vec<(&'static str, String)>,
    projects: Vec<(String, String)>,
    /// Sources of funds: key, name.
    sources: Vec<(&'static str, &'static str)>,
    message: Option<String>,
    failed: bool,
    problems: Vec<[String; 4]>,
}

#[derive(Template, Default)]
#[template(path = "beneficiary_list.html")]
struct ListPage {
    c: Chrome,
    id: i64,
    title: String,
    commune: String,
    period: i64,
    kind: String,
    project: String,
    /// The source of funds' name (empty: none given).
    source: String,
    rule: String,
    may_set: bool,
    /// household id, code, head, village, reason, times delivered.
    rows: Vec<(i64, String, String, String, String, i64)>,
    today: String,
    message: Option<String>,
    failed: bool,
}

#[derive(Deserialize)]
pub struct UnitQuery {
    pub unit: Option<String>,
}

async fn lists_page(state: &AppState, v: &Viewer, uri: &Uri, unit: Option<&str>) -> Result<ListsPage, AppError> {
    let l = v.lang;
    let reg = v.registry(state);
    let unit = crate::pages::readable_admin_unit(v, &reg, unit).await?;
    let commune = (unit.code.len() == 5).then_some(unit.code.as_str());
    let lists = reg.beneficiary_lists(commune).await?;
    let periods: Vec<i64> = vuonlen_store::period::list(&state.db).await?.iter().map(|p| p.year).rev().collect();
    let latest = periods.first().copied().unwrap_or_else(crate::pages::this_year);
    let std =
        vuonlen_store::period::get(&state.db, latest).await?.and_then(|p| state.standards.get(&p.standard_id).ok());
    Ok(ListsPage {
        c: Chrome::of(v, uri),
        may_set: commune.is_some() && v.access.may_edit() && reg.may_set_unit(&unit),
        year: crate::pages::this_year(),
        may_export: unit.code != "VN",
        unit_name: unit.name.clone(),
        unit_code: unit.code.clone(),
        lists: lists
            .into_iter()
            .map(|b| {
                let kind = vuonlen_core::support::support_kind(&b.support_kind)
                    .map_or(b.support_kind.clone(), |k| l.s(k.label_vi, k.label_en).to_string());
                (b.id, b.title, b.period, kind, b.households)
            })
            .collect(),
        periods,
        classes: Class::ALL.iter().map(|c| (c.key(), c.label_vi())).collect(),
        indicators: std
            .map(|s| s.indicators.iter().map(|i| (i.code.clone(), l.s(&i.name_vi, &i.name_en).to_string())).collect())
            .unwrap_or_default(),
        kinds: SUPPORT_KINDS.iter().map(|k| (k.key, l.s(k.label_vi, k.label_en).to_string())).collect(),
        projects: state
            .standards
            .projects_for(latest)
            .map(|c| c.entries().iter().map(|e| (e.code.to_string(), l.s(e.name_vi, e.name_en).to_string())).collect())
            .unwrap_or_default(),
        sources: vuonlen_core::budget::FundSource::ALL
            .iter()
            .map(|s| (s.key(), l.s(s.label_vi(), s.label_en())))
            .collect(),
        ..Default::default()
    })
}

pub async fn lists(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<UnitQuery>,
) -> Result<Response, PageError> {
    Ok(render(&lists_page(&state, &v, &uri, q.unit.as_deref()).await?)?.into_response())
}

/// `action=build` (a list from the registry) or `action=check`/`import` (a support table).
pub async fn lists_submit(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    mp: Multipart,
) -> Result<Response, PageError> {
    let l = v.lang;
    if !v.access.may_edit() {
        return Err(AppError::Forbidden(l.s("lập danh sách", "building lists").into()).into());
    }
    let upload = Upload::read(state.upload_limit, mp, "ho-tro.csv").await?;
    let get = |k: &str| upload.get(k);
    let all = |k: &str| upload.all(k);
    let file = upload.file.clone();
    let unit = get("unit");
    let reg = v.registry(&state);
    let mut p = lists_page(&state, &v, &uri, Some(unit.as_str()).filter(|u| !u.is_empty())).await?;
    let refuse = |mut p: ListsPage, m: String| -> Result<Response, PageError> {
        p.message = Some(m);
        p.failed = true;
        Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
    };
    match get("action").as_str() {
        "build" => {
            if !p.may_set {
                return Err(AppError::Forbidden(l.s("lập danh sách", "building lists").into()).into());
            }
            let req = ListRequest {
                commune: p.unit_code.clone(),
                period: get("period").parse().unwrap_or(0),
                title: get("title"),
                project_code: Some(get("project")),
                source: Some(get("source")),
                support_kind: get("kind"),
                rule: EligibilityRule { classes: all("class"), deprived_any: all("deprived") },
            };
            match build_list(&reg, &state.standards, &req, &v.user.username, "web").await.map_err(app_error)? {
                Ok(id) => Ok(axum::response::Redirect::to(&format!("/ho-tro/{id}")).into_response()),
                Err(why) => {
                    refuse(p, why.into_iter().map(|(vi, en)| l.s(&vi, &en).to_string()).collect::<Vec<_>>().join(" "))
                }
            }
        }
        action @ ("check" | "import") => {
            let Some(file) = file else {
                return refuse(p, l.s("Hãy chọn một tệp CSV hoặc Excel.", "Choose a CSV or Excel file.").into());
            };
            let finish = if action == "import" { Finish::Commit } else { Finish::CheckOnly };
            let done = record_support_table(&reg, &state.standards, file, &v.user.username, "web", finish)
                .await
                .map_err(app_error)?;
            if !done.file.report.is_clean() {
                p.problems = problem_rows(l, &done.file.report.errors);
                let m = crate::pages::table_refused(l, p.problems.len());
                return refuse(p, m);
            }
            p.message = Some(match done.recorded {
                Some(k) => format!("{} {k} {}", l.s("Đã ghi", "Recorded"), l.s("bản ghi hỗ trợ.", "support records.")),
                None => format!(
                    "{} {} {}",
                    l.s("Bảng hợp lệ:", "The table is valid:"),
                    done.records,
                    l.s("bản ghi; chưa ghi.", "records; nothing recorded.")
                ),
            });
            Ok(render(&p)?.into_response())
        }
        _ => Err(AppError::Invalid(l.s("Thao tác không hợp lệ.", "Unknown action.").into()).into()),
    }
}

async fn list_page(state: &AppState, v: &Viewer, uri: &Uri, id: i64) -> Result<ListPage, AppError> {
    let l = v.lang;
    let reg = v.registry(state);
    let view = list_view(&reg, &state.standards, id).await.map_err(app_error)?.ok_or(AppError::NotFound)?;
    let b = &view.list;
    let commune = vuonlen_store::targets::TargetUnit::parse(&b.commune).map_or(b.commune.clone(), |u| u.name);
    Ok(ListPage {
        c: Chrome::of(v, uri),
        id,
        title: b.title.clone(),
        commune,
        period: b.period,
        kind: vuonlen_core::support::support_kind(&b.support_kind)
            .map_or(b.support_kind.clone(), |k| l.s(k.label_vi, k.label_en).to_string()),
        project: b.project_code.clone().unwrap_or_default(),
        source: b
            .source
            .as_deref()
            .and_then(vuonlen_core::budget::FundSource::parse)
            .map(|f| l.s(f.label_vi(), f.label_en()).to_string())
            .unwrap_or_default(),
        rule: view.rule_vi.clone(),
        may_set: v.access.may_edit()
            && vuonlen_store::targets::TargetUnit::parse(&b.commune).is_some_and(|u| reg.may_set_unit(&u)),
        rows: view
            .households
            .iter()
            .map(|(h, reason)| {
                (
                    h.household_id,
                    h.household_code.clone(),
                    h.head_name.clone(),
                    h.village.clone(),
                    reason.clone(),
                    h.delivered,
                )
            })
            .collect(),
        today: chrono::Utc::now().date_naive().format("%Y-%m-%d").to_string(),
        ..Default::default()
    })
}

pub async fn list(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    Ok(render(&list_page(&state, &v, &uri, id).await?)?.into_response())
}

#[derive(Deserialize)]
pub struct DeliverForm {
    household_id: i64,
    member_no: Option<String>,
    delivered_on: String,
    amount: Option<String>,
}

/// Records the list's support delivered to one of its households.
pub async fn deliver_submit(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<DeliverForm>,
) -> Result<Response, PageError> {
    let l = v.lang;
    let reg = v.registry(&state);
    let mut p = list_page(&state, &v, &uri, id).await?;
    let list = reg.beneficiary_list(id).await?.ok_or(AppError::NotFound)?;
    if !v.access.may_edit()
        || !reg.may_set_unit(&vuonlen_store::targets::TargetUnit::parse(&list.commune).ok_or(AppError::NotFound)?)
    {
        return Err(AppError::Forbidden(l.s("ghi hỗ trợ", "recording support").into()).into());
    }
    let member_no = f.member_no.as_deref().map(str::trim).filter(|m| !m.is_empty()).and_then(|m| m.parse().ok());
    let amount =
        f.amount.as_deref().map(str::trim).filter(|a| !a.is_empty()).and_then(vuonlen_io::review_tables::parse_money);
    let day = chrono::NaiveDate::parse_from_str(f.delivered_on.trim(), "%Y-%m-%d").ok();
    let done = deliver(&reg, &state.standards, &list, f.household_id, member_no, day, amount, &v.user.username, "web")
        .await
        .map_err(app_error)?;
    match done {
        Ok(_) => {
            let mut p = list_page(&state, &v, &uri, id).await?;
            p.message = Some(l.s("Đã ghi hỗ trợ đã trao.", "Recorded the support delivered.").to_string());
            Ok(render(&p)?.into_response())
        }
        Err(why) => {
            p.message = Some(why.0.into_iter().map(|(vi, en)| l.s(&vi, &en).to_string()).collect::<Vec<_>>().join(" "));
            p.failed = true;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct ExportQuery {
    pub unit: Option<String>,
    pub year: Option<i64>,
    /// `csv` for CSV (XLSX otherwise).
    pub format: Option<String>,
}

/// The support records of a province or a commune (within the reader's area) delivered in a
/// year, as the support table the upload reads back (XLSX, or CSV).
pub async fn export(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ExportQuery>,
) -> Result<Response, PageError> {
    let l = v.lang;
    let reg = v.registry(&state);
    let unit = crate::pages::readable_admin_unit(&v, &reg, q.unit.as_deref()).await?;
    if unit.code == "VN" {
        return Err(AppError::Invalid(
            l.s(
                "Chọn một tỉnh hoặc một xã để tải bảng hỗ trợ.",
                "Choose a province or a commune to download its support.",
            )
            .into(),
        )
        .into());
    }
    let year = q.year.unwrap_or_else(crate::pages::this_year);
    let (head, rows) = support_table(&reg, &unit, year, false).await.map_err(app_error)?;
    let (ext, mime) =
        if q.format.as_deref() == Some("csv") { ("csv", "text/csv; charset=utf-8") } else { ("xlsx", XLSX_TYPE) };
    let name = format!("ho-tro-{}-{year}.{ext}", unit.code);
    Ok(written_attachment(&name, mime, |path| vuonlen_io::write_plain_table(path, "ho-tro", &head, &rows))?)
}

/// The list for the implementing agency (XLSX).
pub async fn download(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Result<Response, PageError> {
    let reg = v.registry(&state);
    let view = list_view(&reg, &state.standards, id).await.map_err(app_error)?.ok_or(AppError::NotFound)?;
    let (head, rows) = list_table(&view);
    let name = format!("danh-sach-thu-huong-{id}.xlsx");
    Ok(written_attachment(&name, XLSX_TYPE, |path| vuonlen_io::write_plain_table(path, "danh-sach", &head, &rows))?)
}
