//! The reports page (*báo cáo*): an official form for a unit and period as a workbook, from the
//! registry as the user may read it.

use crate::auth::Viewer;
use crate::dashboard::{check_unit, home_unit};
use crate::error::{AppError, PageError};
use crate::pages::{Chrome, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use vuonlen_io::forms::{Form, FormKind};
use vuonlen_store::Selection;

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsPage {
    c: Chrome,
    forms: Vec<(u8, &'static str)>,
    unit: String,
    periods: Vec<i64>,
}

pub async fn show(State(state): State<AppState>, v: Viewer, uri: Uri) -> Result<Response, PageError> {
    let mut periods: Vec<i64> = vuonlen_store::period::list(&state.db).await?.into_iter().map(|p| p.year).collect();
    periods.sort_unstable_by(|a, b| b.cmp(a));
    let page = ReportsPage {
        c: Chrome::of(&v, &uri),
        forms: Form::ALL.iter().map(|f| (f.number(), f.title_vi())).collect(),
        unit: home_unit(&v),
        periods,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ReportQuery {
    /// Form number: 1–11, 14, 15.
    #[param(schema_with = form_numbers)]
    pub form: u8,
    /// `VN`, a province or a commune within the caller's area.
    pub unit: String,
    pub period: i64,
}

/// The OpenAPI schema of a form number: the forms this build makes, from [`Form::ALL`].
fn form_numbers() -> utoipa::openapi::schema::Object {
    let numbers: Vec<u8> = Form::ALL.iter().map(|f| f.number()).collect();
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::Integer)
        .enum_values(Some(numbers))
        .build()
}

/// The workbook of a form (shared by the page and the API).
pub async fn workbook(state: &AppState, v: &Viewer, q: &ReportQuery) -> Result<(String, Vec<u8>), AppError> {
    let form = Form::from_number(q.form).ok_or_else(|| AppError::Invalid(format!("biểu / form {}", q.form)))?;
    let unit = q.unit.trim();
    check_unit(v, unit)?;
    let sel = Selection::parse(unit)?;
    let p = vuonlen_store::period::get(&state.db, q.period).await?.ok_or(AppError::NotFound)?;
    let from = match form.kind() {
        FormKind::Movement => {
            let all = vuonlen_store::period::list(&state.db).await?;
            Some(all.into_iter().filter(|x| x.year < p.year).max_by_key(|x| x.year).ok_or_else(|| {
                AppError::Invalid("biểu biến động cần kỳ trước / a movement form needs an earlier period".into())
            })?)
        }
        _ => None,
    };
    let std = state.standards.get(&p.standard_id).map_err(|e| AppError::Invalid(e.to_string()))?;
    let dir = tempfile::tempdir().map_err(|e| AppError::Internal(e.to_string()))?;
    let path = dir.path().join("report.xlsx");
    let reg = v.registry(state);
    vuonlen_store::report_file::write_report(&reg, form, &sel, &p, from.as_ref(), &std, &path).await?;
    let bytes = tokio::fs::read(&path).await.map_err(|e| AppError::Internal(e.to_string()))?;
    if form.kind() == FormKind::List {
        // Named lists of households leave the registry: who took which, in the audit log.
        let what = format!("biểu / form {} {} {}", form.number(), sel.code, p.year);
        vuonlen_store::users::record_event(&state.db, &v.user.username, "web", "download", Some(&what)).await?;
    }
    Ok((format!("bieu-{}-{}-{}.xlsx", form.number(), sel.code.replace(':', "-"), p.year), bytes))
}

pub fn xlsx_response(name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response()
}

pub async fn download(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ReportQuery>,
) -> Result<Response, PageError> {
    let (name, bytes) = workbook(&state, &v, &q).await?;
    Ok(xlsx_response(&name, bytes))
}
