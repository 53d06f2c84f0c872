//! The reports page (*báo cáo*): an official form for a unit and period as a workbook, from the
//! registry as the user may read it.

use crate::auth::Viewer;
use crate::dashboard::home_unit;
use crate::error::PageError;
use crate::pages::{Chrome, render};
use crate::reports::{ReportQuery, workbook, xlsx_response};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use vuonlen_io::forms::Form;

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

pub async fn download(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ReportQuery>,
) -> Result<Response, PageError> {
    let (name, bytes) = workbook(&state, &v, &q).await?;
    Ok(xlsx_response(&name, bytes))
}
