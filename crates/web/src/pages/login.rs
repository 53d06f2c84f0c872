//! Signing in and out (*đăng nhập*, *đăng xuất*) and the language switch.

use crate::auth::{LOGIN_CSRF_COOKIE, MaybeViewer, SESSION_COOKIE, SESSION_HOURS, Via, Viewer, lang_of, set_cookie};
use crate::error::{AppError, PageError};
use crate::pages::{Chrome, render};
use crate::password;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::net::SocketAddr;
use vuonlen_store::users;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    error: Option<String>,
    login_csrf: String,
    next: String,
    username: String,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only paths of this site are followed after signing in.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

fn login_page(
    c: Chrome,
    error: Option<String>,
    next: String,
    username: String,
    secure: bool,
) -> Result<Response, PageError> {
    let token = password::token();
    let page = LoginPage { c, error: error.clone(), login_csrf: token.clone(), next, username };
    let status = if error.is_some() { axum::http::StatusCode::UNAUTHORIZED } else { axum::http::StatusCode::OK };
    Ok((status, [(header::SET_COOKIE, set_cookie(LOGIN_CSRF_COOKIE, &token, 3600, secure))], render(&page)?)
        .into_response())
}

pub async fn form(
    State(state): State<AppState>,
    MaybeViewer(v): MaybeViewer,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<NextQuery>,
) -> Result<Response, PageError> {
    let next = safe_next(q.next.as_deref());
    if v.is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    login_page(Chrome::new(lang_of(&headers), None, &uri), None, next, String::new(), state.secure_cookies)
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    uri: Uri,
    Form(f): Form<LoginForm>,
) -> Result<Response, PageError> {
    let lang = lang_of(&headers);
    let next = safe_next(f.next.as_deref());
    match sign_in(&state, addr, &f.username, &f.password).await {
        Ok(cookie) => Ok((
            axum::response::AppendHeaders([
                (header::SET_COOKIE, cookie),
                (header::SET_COOKIE, set_cookie(LOGIN_CSRF_COOKIE, "", 0, state.secure_cookies)),
            ]),
            Redirect::to(&next),
        )
            .into_response()),
        Err(e @ (AppError::Unauthorized | AppError::TooMany(_))) => {
            let msg = match e {
                AppError::TooMany(_) => e.to_string(),
                _ => lang.s("Sai tên đăng nhập hoặc mật khẩu", "Wrong username or password").to_string(),
            };
            login_page(Chrome::new(lang, None, &uri), Some(msg), next, f.username, state.secure_cookies)
        }
        Err(e) => Err(e.into()),
    }
}

/// Checks the password (rate-limited, audited) and opens a session: the `Set-Cookie` value.
pub async fn sign_in(state: &AppState, addr: SocketAddr, username: &str, pass: &str) -> Result<String, AppError> {
    let ip = addr.ip();
    let username = username.trim().to_lowercase();
    if let Some(wait) = state.limiter.blocked_for(ip, &username) {
        users::record_event(&state.db, &username, "web", "login_blocked", Some(&ip.to_string())).await?;
        return Err(AppError::TooMany(wait.as_secs().max(1)));
    }
    let found = users::by_username(&state.db, &username).await?;
    let pass = pass.to_string();
    let ok = match found.clone() {
        Some((u, hash)) if u.active => {
            tokio::task::spawn_blocking(move || password::verify(&pass, &hash)).await.unwrap_or(false)
        }
        _ => {
            // The same work for an unknown user, so timing does not tell which usernames exist.
            let _ = tokio::task::spawn_blocking(move || password::verify(&pass, dummy_hash())).await;
            false
        }
    };
    let Some((user, _)) = found.filter(|_| ok) else {
        state.limiter.failed(ip, &username);
        users::record_event(&state.db, &username, "web", "login_failed", Some(&ip.to_string())).await?;
        return Err(AppError::Unauthorized);
    };
    state.limiter.succeeded(ip, &username);
    let token = password::token();
    let csrf = password::token();
    users::open_session(
        &state.db,
        user.id,
        &password::token_hash(&token),
        &csrf,
        &vuonlen_store::hours_from_now(SESSION_HOURS),
    )
    .await?;
    users::record_event(&state.db, &user.username, "web", "login", Some(&ip.to_string())).await?;
    Ok(set_cookie(SESSION_COOKIE, &token, SESSION_HOURS * 3600, state.secure_cookies))
}

/// An Argon2id hash of a random password, verified against when the username is unknown.
fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| password::hash(&password::token()).unwrap_or_default())
}

pub async fn logout(State(state): State<AppState>, v: Viewer) -> Result<Response, PageError> {
    if let Via::Session { token_hash, .. } = &v.via {
        users::close_session(&state.db, token_hash).await?;
        users::record_event(&state.db, &v.user.username, "web", "logout", None).await?;
    }
    Ok(([(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", 0, state.secure_cookies))], Redirect::to("/dang-nhap"))
        .into_response())
}

#[derive(Deserialize)]
pub struct LangQuery {
    lang: String,
    next: Option<String>,
}

pub async fn switch_lang(State(state): State<AppState>, Query(q): Query<LangQuery>) -> Response {
    let lang = if q.lang == "en" { "en" } else { "vi" };
    let cookie = format!(
        "lang={lang}; Path=/; SameSite=Lax; Max-Age=31536000{}",
        if state.secure_cookies { "; Secure" } else { "" }
    );
    ([(header::SET_COOKIE, cookie)], Redirect::to(&safe_next(q.next.as_deref()))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next(Some("/ho?q=a")), "/ho?q=a");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
