//! Official report forms as workbooks for the reports page and the API alike (one path: the
//! caller's scope, the unit check, the audit of named lists, `vuonlen_app::report`).

use crate::auth::Viewer;
use crate::dashboard::check_unit;
use crate::error::AppError;
use crate::households::app_error;
use crate::state::AppState;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use vuonlen_app::report::ReportRequest;
use vuonlen_io::forms::{Form, FormKind};
use vuonlen_store::Selection;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ReportQuery {
    /// Form number: 1–15.
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
    let earlier = || async {
        let all = vuonlen_store::period::list(&state.db).await?;
        Ok::<_, AppError>(all.into_iter().filter(|x| x.year < p.year).max_by_key(|x| x.year))
    };
    let from = match form.kind() {
        FormKind::Movement => Some(earlier().await?.ok_or_else(|| {
            AppError::Invalid("biểu biến động cần kỳ trước / a movement form needs an earlier period".into())
        })?),
        // Forms 12–13 fill their old / new / re-entered columns when there is an earlier period.
        FormKind::Profile => earlier().await?,
        _ => None,
    };
    let std = state.standards.get(&p.standard_id).map_err(|e| AppError::Invalid(e.to_string()))?;
    let reg = v.registry(state);
    let req = ReportRequest { form, selection: &sel, period: &p, from: from.as_ref(), standard: &std };
    let (bytes, _) = vuonlen_app::report::to_bytes(&reg, req).await.map_err(app_error)?;
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
