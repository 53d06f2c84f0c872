//! A unit's plan activities (*hoạt động*) and the agency responsibility matrix (*phân công*):
//! everyone signed in reads those of their area; whoever may change the unit adds one; the
//! matrix prints and downloads.

use crate::auth::Viewer;
use crate::error::{AppError, PageError};
use crate::households::app_error;
use crate::pages::{Chrome, Upload, XLSX_TYPE, problem_rows, render, written_attachment};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use vuonlen_app::activities::{
    STATUSES, activity_table, add_activity, matrix_table, record_activity_table, responsibility_matrix,
};
use vuonlen_app::import::Finish;
use vuonlen_store::activities::NewActivity;
use vuonlen_store::targets::TargetUnit;

#[derive(Template, Default)]
#[template(path = "activities.html")]
struct ActivitiesPage {
    c: Chrome,
    unit_code: String,
    unit_name: String,
    year: i64,
    may_set: bool,
    /// number, year, project, title, lead (officer), partners, where, for whom, output, dates,
    /// status.
    rows: Vec<[String; 11]>,
    matrix_header: Vec<String>,
    matrix_rows: Vec<Vec<String>>,
    projects: Vec<(String, String)>,
    statuses: Vec<(&'static str, &'static str)>,
    message: Option<String>,
    failed: bool,
    /// An uploaded table's problems: row, column, value, message.
    problems: Vec<[String; 4]>,
}

#[derive(Deserialize)]
pub struct ActivitiesQuery {
    pub unit: Option<String>,
    pub year: Option<i64>,
}

async fn page(
    state: &AppState,
    v: &Viewer,
    uri: &Uri,
    unit: &TargetUnit,
    year: i64,
) -> Result<ActivitiesPage, AppError> {
    let l = v.lang;
    let reg = v.registry(state);
    let list = reg.activities_of(unit, Some(year)).await?;
    let (header, rows) = matrix_table(&responsibility_matrix(&list));
    let status = |k: &str| STATUSES.iter().find(|(s, _)| *s == k).map_or(k.to_string(), |(_, vi)| vi.to_string());
    Ok(ActivitiesPage {
        c: Chrome::of(v, uri),
        unit_code: unit.code.clone(),
        unit_name: unit.name.clone(),
        year,
        may_set: v.access.may_edit() && reg.may_set_unit(unit),
        rows: list
            .iter()
            .map(|x| {
                let a = &x.activity;
                let lead = match &a.lead_officer {
                    Some(o) => format!("{} ({o})", a.lead_agency),
                    None => a.lead_agency.clone(),
                };
                [
                    x.id.to_string(),
                    a.year.to_string(),
                    a.project_code.clone(),
                    a.title.clone(),
                    lead,
                    a.partners.join("; "),
                    a.locations.clone().unwrap_or_default(),
                    a.target_group.clone().unwrap_or_default(),
                    a.planned_output.clone().unwrap_or_default(),
                    format!("{} – {}", a.starts_on.clone().unwrap_or_default(), a.ends_on.clone().unwrap_or_default()),
                    status(&a.status),
                ]
            })
            .collect(),
        matrix_header: header,
        matrix_rows: rows
            .iter()
            .map(|r| {
                r.cells
                    .iter()
                    .map(|c| match c {
                        vuonlen_io::PlainCell::Text(t) => t.clone(),
                        _ => String::new(),
                    })
                    .collect()
            })
            .collect(),
        projects: state
            .standards
            .projects_for(year)
            .map(|c| c.entries().iter().map(|e| (e.code.to_string(), l.s(e.name_vi, e.name_en).to_string())).collect())
            .unwrap_or_default(),
        statuses: STATUSES.to_vec(),
        ..Default::default()
    })
}

pub async fn show(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<ActivitiesQuery>,
) -> Result<Response, PageError> {
    let reg = v.registry(&state);
    let unit = crate::pages::readable_admin_unit(&v, &reg, q.unit.as_deref()).await?;
    let year = q.year.unwrap_or_else(crate::pages::this_year);
    Ok(render(&page(&state, &v, &uri, &unit, year).await?)?.into_response())
}

#[derive(Deserialize)]
pub struct ActivityForm {
    unit: String,
    year: i64,
    project: String,
    title: String,
    lead: String,
    officer: Option<String>,
    /// One partner agency per line.
    partners: Option<String>,
    locations: Option<String>,
    target_group: Option<String>,
    output: Option<String>,
    starts_on: Option<String>,
    ends_on: Option<String>,
    status: String,
}

pub async fn submit(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    axum::Form(f): axum::Form<ActivityForm>,
) -> Result<Response, PageError> {
    let l = v.lang;
    let reg = v.registry(&state);
    let unit = crate::pages::readable_admin_unit(&v, &reg, Some(&f.unit)).await?;
    if !v.access.may_edit() || !reg.may_set_unit(&unit) {
        return Err(AppError::Forbidden(l.s("ghi hoạt động", "recording activities").into()).into());
    }
    let opt = |s: Option<String>| s.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
    let a = NewActivity {
        year: f.year,
        project_code: f.project,
        title: f.title,
        lead_agency: f.lead,
        lead_officer: opt(f.officer),
        partners: f.partners.unwrap_or_default().lines().map(str::to_string).collect(),
        locations: opt(f.locations),
        target_group: opt(f.target_group),
        planned_output: opt(f.output),
        starts_on: opt(f.starts_on),
        ends_on: opt(f.ends_on),
        status: f.status,
    };
    let done = add_activity(&reg, &state.standards, &unit.code, a, &v.user.username, "web").await.map_err(app_error)?;
    let mut p = page(&state, &v, &uri, &unit, f.year).await?;
    match done {
        Ok(_) => {
            p.message = Some(l.s("Đã ghi hoạt động.", "Activity recorded.").to_string());
            Ok(render(&p)?.into_response())
        }
        Err(why) => {
            p.message = Some(why.into_iter().map(|(vi, en)| l.s(&vi, &en).to_string()).collect::<Vec<_>>().join(" "));
            p.failed = true;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
        }
    }
}

/// The responsibility matrix as a workbook.
pub async fn download(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ActivitiesQuery>,
) -> Result<Response, PageError> {
    let reg = v.registry(&state);
    let unit = crate::pages::readable_admin_unit(&v, &reg, q.unit.as_deref()).await?;
    let year = q.year.unwrap_or_else(crate::pages::this_year);
    let (head, rows) = matrix_table(&responsibility_matrix(&reg.activities_of(&unit, Some(year)).await?));
    let name = format!("phan-cong-{}-{year}.xlsx", unit.code);
    Ok(written_attachment(&name, XLSX_TYPE, |path| vuonlen_io::write_plain_table(path, "phan-cong", &head, &rows))?)
}

/// Checks (`action=check`) or records (`action=import`) an activities table from the unit's
/// page: refused whole with every problem located (row, column, value), each row's unit within
/// what the user may change.
pub async fn table_submit(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    mp: Multipart,
) -> Result<Response, PageError> {
    let l = v.lang;
    if !v.access.may_edit() {
        return Err(AppError::Forbidden(l.s("ghi bảng hoạt động", "recording an activities table").into()).into());
    }
    let upload = Upload::read(state.upload_limit, mp, "hoat-dong.csv").await?;
    let reg = v.registry(&state);
    let unit_code = upload.get("unit");
    let unit = crate::pages::readable_admin_unit(&v, &reg, Some(unit_code.as_str()).filter(|u| !u.is_empty())).await?;
    if !reg.may_set_unit(&unit) {
        return Err(AppError::Forbidden(l.s("ghi bảng hoạt động", "recording an activities table").into()).into());
    }
    let year = upload.get("year").parse().unwrap_or_else(|_| crate::pages::this_year());
    let finish = match upload.get("action").as_str() {
        "check" => Finish::CheckOnly,
        "import" => Finish::Commit,
        _ => return Err(AppError::Invalid(l.s("Thao tác không hợp lệ.", "Unknown action.").into()).into()),
    };
    let Some(file) = upload.file.clone() else {
        let mut p = page(&state, &v, &uri, &unit, year).await?;
        p.message = Some(l.s("Hãy chọn một tệp CSV hoặc Excel.", "Choose a CSV or Excel file.").into());
        p.failed = true;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response());
    };
    let done = record_activity_table(&reg, &state.standards, file, &v.user.username, "web", finish)
        .await
        .map_err(app_error)?;
    let mut p = page(&state, &v, &uri, &unit, year).await?;
    if !done.file.report.is_clean() {
        p.problems = problem_rows(l, &done.file.report.errors);
        p.message = Some(crate::pages::table_refused(l, p.problems.len()));
        p.failed = true;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response());
    }
    p.message = Some(match done.recorded {
        Some(k) => format!("{} {k} {}", l.s("Đã ghi", "Recorded"), l.s("hoạt động.", "activities.")),
        None => format!(
            "{} {} {}",
            l.s("Bảng hợp lệ:", "The table is valid:"),
            done.activities,
            l.s("hoạt động; chưa ghi.", "activities; nothing recorded.")
        ),
    });
    Ok(render(&p)?.into_response())
}

/// The unit's activities of the year as the table the upload reads back (XLSX, or CSV).
pub async fn table_download(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ActivitiesTableQuery>,
) -> Result<Response, PageError> {
    let reg = v.registry(&state);
    let unit = crate::pages::readable_admin_unit(&v, &reg, q.unit.as_deref()).await?;
    let year = q.year.unwrap_or_else(crate::pages::this_year);
    let (head, rows) = activity_table(&reg.activities_of(&unit, Some(year)).await?, false);
    let (ext, mime) =
        if q.format.as_deref() == Some("csv") { ("csv", "text/csv; charset=utf-8") } else { ("xlsx", XLSX_TYPE) };
    let name = format!("hoat-dong-{}-{year}.{ext}", unit.code);
    Ok(written_attachment(&name, mime, |path| vuonlen_io::write_plain_table(path, "hoat-dong", &head, &rows))?)
}

#[derive(Deserialize)]
pub struct ActivitiesTableQuery {
    pub unit: Option<String>,
    pub year: Option<i64>,
    /// `csv` for CSV (XLSX otherwise).
    pub format: Option<String>,
}
