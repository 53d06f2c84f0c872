//! Errors as the user sees them: an HTML page for the browser, JSON for the API; always in
//! Vietnamese and English, never with personal data.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use vuonlen_store::StoreError;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("không tìm thấy / not found")]
    NotFound,
    #[error("không có quyền / not allowed: {0}")]
    Forbidden(String),
    #[error("{0}")]
    Invalid(String),
    #[error("cần đăng nhập / sign-in required")]
    Unauthorized,
    #[error("thử lại sau {0} giây / too many attempts, try again in {0} s")]
    TooMany(u64),
    #[error("{0}")]
    Conflict(String),
    /// A request the server cannot read: malformed parameters or JSON (400).
    #[error("yêu cầu không hợp lệ / bad request: {0}")]
    BadRequest(String),
    /// A body of another type than the call takes (415).
    #[error("kiểu nội dung không được hỗ trợ / unsupported content type: {0}")]
    UnsupportedMediaType(String),
    /// An upload above the server's limit of so many bytes (413).
    #[error("tệp tải lên lớn hơn {size} / the upload is larger than {size}", size = size_label(*.0))]
    TooLarge(u64),
    #[error("lỗi hệ thống / internal error")]
    Internal(String),
    /// The database is out of reach for now (down, frozen, busy): 503, try again later.
    #[error(
        "cơ sở dữ liệu tạm thời không phản hồi, xin thử lại sau ít phút / \
         the database is not answering for now, please try again in a few minutes"
    )]
    Unavailable(String),
    /// The SQLite registry is damaged: 503 until an administrator restores it from a backup.
    #[error(
        "cơ sở dữ liệu bị hỏng; quản trị viên cần khôi phục từ bản sao lưu (`vuonlen db restore`) / \
         the database is damaged; an administrator must restore it from a backup (`vuonlen db restore`)"
    )]
    Damaged(String),
}

/// A size in MiB, or KiB below one MiB (rounded up).
fn size_label(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{} MiB", bytes.div_ceil(1 << 20))
    } else {
        format!("{} KiB", bytes.div_ceil(1 << 10))
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            // Outside the scope reads as absent.
            StoreError::NotFound(_) | StoreError::OutOfScope(_) => AppError::NotFound,
            StoreError::Forbidden(m) => AppError::Forbidden(m),
            StoreError::Invalid(m) => AppError::Invalid(m),
            StoreError::Refused { .. } => AppError::Invalid(e.to_string()),
            StoreError::Locked { .. } => AppError::Conflict(e.to_string()),
            StoreError::Url(_) | StoreError::Standard(_) => AppError::Invalid(e.to_string()),
            StoreError::Unavailable(m) => AppError::Unavailable(m),
            StoreError::Malformed(m) => AppError::Damaged(m),
            StoreError::Db(_) | StoreError::Migrate(_) | StoreError::Chain(_) | StoreError::Backup(_) => {
                AppError::Internal(e.to_string())
            }
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Unavailable(_) | AppError::Damaged(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::Forbidden(_) => "forbidden",
            AppError::Invalid(_) => "invalid",
            AppError::Unauthorized => "unauthorized",
            AppError::TooMany(_) => "too_many_requests",
            AppError::Conflict(_) => "conflict",
            AppError::BadRequest(_) => "bad_request",
            AppError::UnsupportedMediaType(_) => "unsupported_media_type",
            AppError::TooLarge(_) => "too_large",
            AppError::Internal(_) => "internal",
            AppError::Unavailable(_) => "unavailable",
            AppError::Damaged(_) => "damaged",
        }
    }

    /// The message shown (internal details go to the log only, and carry no personal data).
    pub fn public_message(&self) -> String {
        match self {
            AppError::Internal(detail) => tracing::error!(%detail, "request failed"),
            AppError::Unavailable(detail) => tracing::warn!(%detail, "database unavailable"),
            AppError::Damaged(detail) => tracing::error!(%detail, "database damaged"),
            _ => {}
        }
        self.to_string()
    }
}

/// An error answered as an HTML page.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if matches!(self.0, AppError::Unauthorized) {
            return axum::response::Redirect::to("/dang-nhap").into_response();
        }
        let page = crate::pages::ErrorPage { status: self.0.status().as_u16(), message: self.0.public_message() };
        let mut res = (self.0.status(), page.html()).into_response();
        retry_after(&self.0, &mut res);
        res
    }
}

/// An error answered as JSON: `{"error": {"code": …, "message": …}}`.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

/// The body of every API error: `{"error": {…}}`.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorEnvelope {
    pub error: ErrorBody,
}

/// What went wrong, for a program (`code`) and for a person (`message`, Vietnamese / English).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// `not_found`, `forbidden`, `invalid`, `unauthorized`, `too_many_requests`, `conflict`,
    /// `bad_request`, `unsupported_media_type`, `internal`, `unavailable`.
    pub code: String,
    pub message: String,
    /// The field problems of a refused save (422), warnings included.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<crate::form::FieldProblem>,
    /// The registry's reasons for a refused save (409: someone saved first, a shared ID number).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<String>,
}

impl ApiError {
    /// The JSON answer of this error, with the details of a refused save.
    pub fn detailed(self, problems: Vec<crate::form::FieldProblem>, refused: Vec<String>) -> Response {
        let status = self.0.status();
        let body = ErrorEnvelope {
            error: ErrorBody { code: self.0.code().to_string(), message: self.0.public_message(), problems, refused },
        };
        let mut res = (status, axum::Json(body)).into_response();
        retry_after(&self.0, &mut res);
        res
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.detailed(Vec::new(), Vec::new())
    }
}

/// Seconds a client should wait before trying an unavailable database again.
pub const RETRY_AFTER_S: u64 = 30;

fn retry_after(e: &AppError, res: &mut Response) {
    if matches!(e, AppError::Unavailable(_)) {
        res.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(RETRY_AFTER_S));
    }
}
