//! Resident totals (*số hộ dân cư, nhân khẩu*): a period's residents per commune, the base of
//! form 1's rates. Everyone signed in sees those of their area; an officer who may edit uploads
//! a file (CSV or XLSX), recorded whole or refused with every problem located.

use crate::auth::Viewer;
use crate::error::{AppError, PageError};
use crate::households::app_error;
use crate::pages::import::{problem_rows, safe_name, save_upload};
use crate::pages::{Chrome, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use vuonlen_app::coverage::record_totals;
use vuonlen_app::import::Finish;
use vuonlen_core::units::AdminUnits;
use vuonlen_store::period;

#[derive(Template, Default)]
#[template(path = "residents.html")]
struct ResidentsPage {
    c: Chrome,
    period: i64,
    periods: Vec<i64>,
    message: Option<String>,
    failed: bool,
    problems: Vec<Vec<String>>,
    /// Commune code, name, households, persons, source, who and when.
    rows: Vec<[String; 7]>,
    households: String,
    persons: String,
}

#[derive(Debug, Deserialize)]
pub struct PeriodQuery {
    pub period: Option<i64>,
}

fn commune_name(code: &str) -> String {
    let u = AdminUnits::get();
    u.y2025.communes.get(code).or_else(|| u.y2024.communes.get(code)).map_or_else(String::new, |c| c.name.to_string())
}

async fn page(state: &AppState, v: &Viewer, uri: &Uri, year: Option<i64>) -> Result<ResidentsPage, AppError> {
    let periods: Vec<i64> = period::list(&state.db).await?.into_iter().map(|p| p.year).rev().collect();
    let year = year.or_else(|| periods.first().copied()).unwrap_or(2025);
    let l = v.lang;
    let mut p = ResidentsPage { c: Chrome::of(v, uri), period: year, periods, ..Default::default() };
    if let Some(per) = period::get(&state.db, year).await? {
        let totals = v.registry(state).resident_totals(&per).await?;
        let (mut h, mut n) = (0, 0);
        for t in &totals {
            h += t.residents.households;
            n += t.residents.persons;
        }
        p.households = l.int(h);
        p.persons = l.int(n);
        p.rows = totals
            .into_iter()
            .map(|t| {
                [
                    commune_name(&t.commune_code),
                    t.commune_code,
                    l.int(t.residents.households),
                    l.int(t.residents.persons),
                    t.source.unwrap_or_default(),
                    t.recorded_by,
                    t.recorded_at.get(..16).unwrap_or("").replace('T', " "),
                ]
            })
            .collect();
    }
    Ok(p)
}

pub async fn show(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    Ok(render(&page(&state, &v, &uri, q.period).await?)?.into_response())
}

pub async fn upload(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    mut mp: Multipart,
) -> Result<Response, PageError> {
    let l = v.lang;
    if !v.access.may_edit() {
        return Err(AppError::Forbidden(l.s("nhập số dân cư", "recording residents").into()).into());
    }
    let dir = tempfile::tempdir().map_err(|e| AppError::Internal(e.to_string()))?;
    let (mut year, mut file) = (None, None);
    while let Some(mut field) = mp.next_field().await.map_err(|e| AppError::Invalid(e.to_string()))? {
        match field.name().unwrap_or("") {
            "period" => {
                year = field.text().await.map_err(|e| AppError::Invalid(e.to_string()))?.trim().parse::<i64>().ok();
            }
            "file" => {
                let name = safe_name(field.file_name().unwrap_or(""), "dan-cu.csv");
                let path = dir.path().join(&name);
                if save_upload(state.upload_limit, 0, &mut field, &path, &mut Sha256::new()).await? > 0 {
                    file = Some(path);
                }
            }
            _ => {}
        }
    }
    let refuse = |p: &mut ResidentsPage, m: &str| {
        p.message = Some(m.to_string());
        p.failed = true;
    };
    let mut p = page(&state, &v, &uri, year).await?;
    let (Some(year), Some(file)) = (year, file) else {
        refuse(&mut p, l.s("Hãy chọn kỳ và một tệp CSV hoặc Excel.", "Choose a period and a CSV or Excel file."));
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response());
    };
    let Some(per) = period::get(&state.db, year).await? else {
        refuse(&mut p, l.s("Kỳ này chưa có trong sổ.", "The registry has no such period."));
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response());
    };
    let reg = v.registry(&state);
    let done = record_totals(&reg, &per, file, &v.user.username, "web", Finish::Commit).await.map_err(app_error)?;
    let mut p = page(&state, &v, &uri, Some(year)).await?;
    match done.recorded {
        Some(n) => {
            p.message = Some(format!(
                "{} {n} {}",
                l.s("Đã ghi số dân cư của", "Recorded the residents of"),
                l.s("xã.", "communes.")
            ));
            Ok(render(&p)?.into_response())
        }
        None => {
            p.problems = problem_rows(&v, &done.totals.report);
            refuse(
                &mut p,
                l.s(
                    "Tệp có lỗi: không ghi gì. Sửa các dòng dưới đây rồi tải lên lại.",
                    "The file has problems: nothing was recorded. Fix the rows below and upload it again.",
                ),
            );
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
        }
    }
}
