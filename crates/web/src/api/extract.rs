//! The API's extractors: the request's path, query and JSON body, refused in the API's own
//! error shape (`{"error": …}`) instead of axum's plain-text rejections.

use crate::error::{ApiError, AppError};
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// The query string, or 400 `bad_request` naming what is wrong.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(t)) => Ok(ApiQuery(t)),
            Err(e) => Err(query_error(e)),
        }
    }
}

fn query_error(e: QueryRejection) -> ApiError {
    ApiError(AppError::BadRequest(format!("tham số / parameters: {}", e.body_text())))
}

/// The path's parameters, or 400 `bad_request`.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(t)) => Ok(ApiPath(t)),
            Err(e) => Err(path_error(e)),
        }
    }
}

fn path_error(e: PathRejection) -> ApiError {
    ApiError(AppError::BadRequest(format!("đường dẫn / path: {}", e.body_text())))
}

/// The JSON body: 415 `unsupported_media_type` without `Content-Type: application/json`,
/// 400 `bad_request` when it is not JSON, 422 `invalid` when it does not fit the call.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(t)) => Ok(ApiJson(t)),
            Err(e) => Err(json_error(e)),
        }
    }
}

fn json_error(e: JsonRejection) -> ApiError {
    let text = e.body_text();
    ApiError(match e {
        JsonRejection::MissingJsonContentType(_) => AppError::UnsupportedMediaType(
            "cần Content-Type: application/json / expected Content-Type: application/json".into(),
        ),
        JsonRejection::JsonDataError(_) => AppError::Invalid(format!("dữ liệu JSON / JSON data: {text}")),
        _ => AppError::BadRequest(format!("JSON: {text}")),
    })
}
