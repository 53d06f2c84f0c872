//! API tokens (*mã truy cập API*): a user makes, lists and revokes its own; an administrator
//! sees and revokes everyone's. A token is shown once, when made; only its hash is stored.

use crate::auth::Viewer;
use crate::error::{AppError, PageError};
use crate::pages::{Chrome, render};
use crate::password;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    c: Chrome,
    rows: Vec<Row>,
    /// A token just made: shown this once.
    fresh: Option<String>,
    error: Option<String>,
}

struct Row {
    id: i64,
    username: String,
    name: String,
    created: String,
    expires: String,
    valid: bool,
}

/// Days a new token lives, offered on the page (0: until revoked).
const LIFETIMES: [i64; 4] = [30, 90, 365, 0];

async fn page(
    state: &AppState,
    v: &Viewer,
    uri: &Uri,
    fresh: Option<String>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let now = vuonlen_store::now_text();
    let day = |t: &str| t.get(..10).unwrap_or(t).to_string();
    let rows = v
        .access
        .tokens(&state.db)
        .await?
        .into_iter()
        .map(|t| Row {
            valid: t.is_valid_at(&now),
            id: t.id,
            username: t.username,
            name: t.name,
            created: day(&t.created_at),
            expires: t.expires_at.as_deref().map(day).unwrap_or_else(|| "—".into()),
        })
        .collect();
    let status =
        if error.is_some() { axum::http::StatusCode::UNPROCESSABLE_ENTITY } else { axum::http::StatusCode::OK };
    Ok((status, render(&TokensPage { c: Chrome::of(v, uri), rows, fresh, error })?).into_response())
}

pub async fn show(State(state): State<AppState>, v: Viewer, uri: Uri) -> Result<Response, PageError> {
    page(&state, &v, &uri, None, None).await
}

#[derive(Deserialize)]
pub struct NewToken {
    #[serde(default)]
    name: String,
    #[serde(default)]
    days: i64,
}

pub async fn create(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    axum::Form(f): axum::Form<NewToken>,
) -> Result<Response, PageError> {
    if !LIFETIMES.contains(&f.days) {
        return page(
            &state,
            &v,
            &uri,
            None,
            Some(format!("thời hạn / lifetime: {} {}", f.days, v.lang.s("ngày", "days"))),
        )
        .await;
    }
    let token = password::token();
    let expires = (f.days > 0).then(|| vuonlen_store::hours_from_now(f.days * 24));
    match v.access.create_token(&state.db, &f.name, &password::token_hash(&token), expires.as_deref()).await {
        Ok(_) => page(&state, &v, &uri, Some(token), None).await,
        Err(vuonlen_store::StoreError::Invalid(m)) => page(&state, &v, &uri, None, Some(m)).await,
        Err(e) => Err(AppError::from(e).into()),
    }
}

pub async fn revoke(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Result<Response, PageError> {
    v.access.revoke_token(&state.db, id).await?;
    Ok(Redirect::to("/token").into_response())
}
