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
    #[error("lỗi hệ thống / internal error")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            // Outside the scope reads as absent.
            StoreError::NotFound(_) | StoreError::OutOfScope(_) => AppError::NotFound,
            StoreError::Forbidden(m) => AppError::Forbidden(m),
            StoreError::Invalid(m) => AppError::Invalid(m),
            StoreError::Url(_) | StoreError::Standard(_) => AppError::Invalid(e.to_string()),
            StoreError::Db(_) | StoreError::Migrate(_) => AppError::Internal(e.to_string()),
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
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
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
            AppError::Internal(_) => "internal",
        }
    }

    /// The message shown (internal details go to the log only, and carry no personal data).
    pub fn public_message(&self) -> String {
        if let AppError::Internal(detail) = self {
            tracing::error!(%detail, "request failed");
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
        (self.0.status(), page.html()).into_response()
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

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": { "code": self.0.code(), "message": self.0.public_message() } });
        (self.0.status(), axum::Json(body)).into_response()
    }
}
