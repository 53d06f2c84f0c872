//! Server-rendered pages, Vietnamese by default. Each page gets a [`Chrome`] (language, who is
//! signed in, the CSRF token for its forms) and reaches the registry only through its
//! [`Viewer`](crate::auth::Viewer).

pub mod activities;
pub mod admin;
pub mod beneficiary;
pub mod budget;
pub mod coverage;
pub mod dashboard;
pub mod helpers;
pub mod household;
pub mod households;
pub mod import;
pub mod jobs;
pub mod login;
pub mod models;
pub mod monitoring;
pub mod reports;
pub mod residents;
pub mod review;
pub mod targets;
pub mod tokens;

use crate::auth::Viewer;
use crate::i18n::Lang;
use askama::Template;
use axum::http::Uri;
use axum::response::Html;

/// What every page's frame shows.
#[derive(Debug, Clone, Default)]
pub struct Chrome {
    pub lang: Lang,
    pub other_lang: &'static str,
    /// (display name, role label) of the signed-in user.
    pub user: Option<(String, String)>,
    pub csrf: String,
    pub may_edit: bool,
    pub is_admin: bool,
    pub is_auditor: bool,
    /// The current path and query, URL-encoded, to come back after switching language.
    pub path_q: String,
}

impl Chrome {
    pub fn new(lang: Lang, viewer: Option<&Viewer>, uri: &Uri) -> Chrome {
        let here = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let path_q = serde_urlencoded::to_string([("", here)]).unwrap_or_default().trim_start_matches('=').to_string();
        Chrome {
            lang,
            other_lang: if lang == Lang::Vi { "en" } else { "vi" },
            user: viewer.map(|v| {
                let role = lang.s(v.user.role.label_vi(), v.user.role.label_en()).to_string();
                let unit = v.user.unit_code.as_deref().map(|u| format!(" {u}")).unwrap_or_default();
                (v.user.display_name.clone(), format!("{role}{unit}"))
            }),
            csrf: viewer.map(|v| v.csrf().to_string()).unwrap_or_default(),
            may_edit: viewer.is_some_and(|v| v.access.may_edit()),
            is_admin: viewer.is_some_and(|v| v.user.role == vuonlen_store::users::Role::Admin),
            is_auditor: viewer.is_some_and(|v| v.user.role == vuonlen_store::users::Role::Auditor),
            path_q,
        }
    }

    pub fn of(v: &Viewer, uri: &Uri) -> Chrome {
        Chrome::new(v.lang, Some(v), uri)
    }
}

/// Renders a template into a response body.
pub fn render<T: Template>(t: &T) -> Result<Html<String>, crate::error::PageError> {
    Ok(Html(t.render().map_err(crate::error::AppError::from)?))
}

/// The page of an error.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub status: u16,
    pub message: String,
}

impl ErrorPage {
    pub fn html(&self) -> Html<String> {
        Html(self.render().unwrap_or_else(|_| format!("{} {}", self.status, self.message)))
    }
}

/// A share as pages print it: one decimal, a decimal comma in Vietnamese, `%` (empty: none).
pub(crate) fn percent(r: Option<f64>, l: crate::i18n::Lang) -> String {
    let shown = |r: f64| {
        let t = format!("{r:.1}");
        if l == crate::i18n::Lang::Vi { t.replace('.', ",") } else { t }
    };
    r.map(|r| format!("{} %", shown(r))).unwrap_or_default()
}

/// The current year (UTC), the default of the targets and monitoring pages.
pub(crate) fn this_year() -> i64 {
    use chrono::Datelike;
    i64::from(chrono::Utc::now().year())
}

/// The target unit `code` (the viewer's own by default; a village of a commune too) if the
/// registry lets the viewer read it; 404 otherwise, as for a household (pages and API alike).
pub(crate) async fn readable_unit(
    v: &Viewer,
    reg: &vuonlen_store::Registry,
    code: Option<&str>,
) -> Result<vuonlen_store::targets::TargetUnit, crate::error::AppError> {
    let code = code.map(str::to_string).unwrap_or_else(|| crate::dashboard::home_unit(v));
    reg.target_unit(&code)
        .await
        .map_err(crate::error::AppError::from)?
        .filter(|u| reg.may_read_unit(u))
        .ok_or(crate::error::AppError::NotFound)
}

/// [`readable_unit`] for what only the country, provinces and communes have (monitoring
/// reports): a village is not found.
pub(crate) async fn readable_admin_unit(
    v: &Viewer,
    reg: &vuonlen_store::Registry,
    code: Option<&str>,
) -> Result<vuonlen_store::targets::TargetUnit, crate::error::AppError> {
    let u = readable_unit(v, reg, code).await?;
    if u.village().is_some() {
        return Err(crate::error::AppError::NotFound);
    }
    Ok(u)
}

/// A file to download.
pub(crate) fn attachment(name: &str, mime: &str, bytes: Vec<u8>) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response()
}

pub(crate) const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A file written by `write` into a temporary directory, then downloaded as `name`.
pub(crate) fn written_attachment(
    name: &str,
    mime: &str,
    write: impl FnOnce(&std::path::Path) -> Result<(), vuonlen_io::WriteError>,
) -> Result<axum::response::Response, crate::error::AppError> {
    use crate::error::AppError;
    let dir = tempfile::tempdir().map_err(|e| AppError::Internal(e.to_string()))?;
    let path = dir.path().join(name);
    write(&path).map_err(|e| AppError::Internal(e.to_string()))?;
    let bytes = std::fs::read(&path).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(attachment(name, mime, bytes))
}

/// A multipart form with at most one file (`file`): its other fields (trimmed) and the file saved
/// under a temporary directory kept as long as this is.
pub(crate) struct Upload {
    pub fields: Vec<(String, String)>,
    pub file: Option<std::path::PathBuf>,
    _dir: tempfile::TempDir,
}

impl Upload {
    /// Reads `mp`; the file is named as uploaded (made safe), else `default_name`.
    pub(crate) async fn read(
        limit: u64,
        mut mp: axum::extract::Multipart,
        default_name: &str,
    ) -> Result<Upload, crate::error::AppError> {
        use crate::error::AppError;
        use sha2::Digest;
        let dir = tempfile::tempdir().map_err(|e| AppError::Internal(e.to_string()))?;
        let (mut fields, mut file) = (Vec::new(), None);
        while let Some(mut field) = mp.next_field().await.map_err(|e| AppError::Invalid(e.to_string()))? {
            let name = field.name().unwrap_or("").to_string();
            if name == "file" {
                let path = dir.path().join(import::safe_name(field.file_name().unwrap_or(""), default_name));
                if import::save_upload(limit, 0, &mut field, &path, &mut sha2::Sha256::new()).await? > 0 {
                    file = Some(path);
                }
            } else {
                let text = field.text().await.map_err(|e| AppError::Invalid(e.to_string()))?;
                fields.push((name, text.trim().to_string()));
            }
        }
        Ok(Upload { fields, file, _dir: dir })
    }

    /// The first value of field `k` (empty when absent).
    pub(crate) fn get(&self, k: &str) -> String {
        self.fields.iter().find(|(n, _)| n == k).map(|(_, t)| t.clone()).unwrap_or_default()
    }

    /// Every value of field `k` (checkboxes).
    pub(crate) fn all(&self, k: &str) -> Vec<String> {
        self.fields.iter().filter(|(n, _)| n == k).map(|(_, t)| t.clone()).collect()
    }
}

/// What a page says of a table refused for its `n` problems (listed below it).
pub(crate) fn table_refused(l: crate::i18n::Lang, n: usize) -> String {
    format!(
        "{} {n} {}",
        l.s("Bảng có", "The table has"),
        l.s(
            "lỗi: không ghi gì. Sửa các dòng dưới đây rồi tải lên lại.",
            "problems: nothing was recorded. Fix the rows below and upload it again.",
        )
    )
}

/// A file's problems as a page lists them: row (empty for the file), column, value, message.
pub(crate) fn problem_rows(l: crate::i18n::Lang, errors: &[vuonlen_io::Problem]) -> Vec<[String; 4]> {
    errors
        .iter()
        .map(|e| {
            [
                if e.row > 0 { e.row.to_string() } else { String::new() },
                e.column.clone(),
                e.value.clone(),
                l.s(&e.message_vi, &e.message_en).to_string(),
            ]
        })
        .collect()
}
