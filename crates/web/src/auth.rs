//! Who is asking: a browser session (cookie) or a machine client (`Authorization: Bearer`).
//!
//! The [`authenticate`] middleware runs before every handler: it resolves the caller into a
//! [`Viewer`] kept in the request, and refuses state-changing requests from a browser session
//! that do not carry the session's CSRF token (header `X-CSRF-Token`, query or form field
//! `_csrf`) or that another site sent (`Sec-Fetch-Site`, `Origin`). Handlers take a [`Viewer`]
//! and reach the registry only through [`Viewer::registry`], scoped to the user's area.

use crate::error::AppError;
use crate::i18n::Lang;
use crate::password::token_hash;
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use vuonlen_store::Registry;
use vuonlen_store::users::{self, Access, User};

pub const SESSION_COOKIE: &str = "vuonlen_session";
pub const LOGIN_CSRF_COOKIE: &str = "vuonlen_login_csrf";
/// Sessions last 12 hours.
pub const SESSION_HOURS: i64 = 12;
/// Form bodies read for their CSRF field: at most this many bytes.
const FORM_LIMIT: usize = 4 * 1024 * 1024;

/// How the caller proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    Session { token_hash: String, csrf: String },
    Token,
}

/// The signed-in caller.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user: User,
    pub access: Access,
    pub via: Via,
    pub lang: Lang,
}

impl Viewer {
    /// The registry as this user may read and change it.
    pub fn registry(&self, state: &AppState) -> Registry {
        self.access.registry(&state.db)
    }

    /// The session's CSRF token, for forms.
    pub fn csrf(&self) -> &str {
        match &self.via {
            Via::Session { csrf, .. } => csrf,
            Via::Token => "",
        }
    }
}

/// The value of cookie `name`.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, path /, `Secure` when asked.
pub fn set_cookie(name: &str, value: &str, max_age_s: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_s}{}",
        if secure { "; Secure" } else { "" }
    )
}

pub fn lang_of(headers: &HeaderMap) -> Lang {
    Lang::from_cookie(cookie(headers, "lang"))
}

async fn resolve(state: &AppState, headers: &HeaderMap) -> Result<Option<Viewer>, AppError> {
    let lang = lang_of(headers);
    if let Some(auth) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let Some(token) = auth.strip_prefix("Bearer ") else { return Err(AppError::Unauthorized) };
        let user = users::token_user(&state.db, &token_hash(token.trim())).await?.ok_or(AppError::Unauthorized)?;
        let access = user.access();
        return Ok(Some(Viewer { user, access, via: Via::Token, lang }));
    }
    let Some(token) = cookie(headers, SESSION_COOKIE) else { return Ok(None) };
    let hash = token_hash(token);
    let now = vuonlen_store::now_text();
    Ok(users::session_user(&state.db, &hash, &now).await?.map(|(user, csrf)| {
        let access = user.access();
        Viewer { user, access, via: Via::Session { token_hash: hash, csrf }, lang }
    }))
}

fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether another site sent the request (browsers say so in `Sec-Fetch-Site` and `Origin`).
fn cross_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match (headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()), host) {
        (Some("null"), _) => true,
        (Some(origin), Some(host)) => origin.split_once("://").map(|(_, h)| h) != Some(host),
        _ => false,
    }
}

fn query_field(uri: &axum::http::Uri, name: &str) -> Option<String> {
    let q = uri.query()?;
    serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok()?.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

/// Resolves the caller and guards state-changing requests (see the module).
pub async fn authenticate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let viewer = match resolve(&state, &parts.headers).await {
        Ok(v) => v,
        Err(e) => return crate::respond_error(&parts, e),
    };
    let mut body = body;
    if !is_safe(&parts.method) && !matches!(viewer.as_ref().map(|v| &v.via), Some(Via::Token)) {
        if cross_site(&parts.headers) {
            return crate::respond_error(
                &parts,
                AppError::Forbidden("yêu cầu từ trang khác / cross-site request".into()),
            );
        }
        // The sign-in form has no session yet: it carries its own double-submit token.
        let expected = match &viewer {
            Some(Viewer { via: Via::Session { csrf, .. }, .. }) => Some(csrf.clone()),
            _ => cookie(&parts.headers, LOGIN_CSRF_COOKIE).map(str::to_string),
        };
        let mut given = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .or_else(|| query_field(&parts.uri, "_csrf"));
        let is_form = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
        if given.is_none() && is_form {
            let bytes: Bytes = match axum::body::to_bytes(body, FORM_LIMIT).await {
                Ok(b) => b,
                Err(_) => {
                    return crate::respond_error(&parts, AppError::Invalid("biểu mẫu quá lớn / form too large".into()));
                }
            };
            given = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
                .ok()
                .and_then(|f| f.into_iter().find(|(k, _)| k == "_csrf").map(|(_, v)| v));
            body = Body::from(bytes);
        }
        let ok = match (&expected, &given) {
            (Some(e), Some(g)) => !e.is_empty() && constant_time_eq(e.as_bytes(), g.as_bytes()),
            _ => false,
        };
        if !ok {
            return crate::respond_error(
                &parts,
                AppError::Forbidden("thiếu hoặc sai mã chống giả mạo (CSRF) / missing or wrong CSRF token".into()),
            );
        }
    }
    if let Some(v) = viewer {
        parts.extensions.insert(v);
    }
    next.run(Request::from_parts(parts, body)).await
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Viewer>() {
            Some(v) => Ok(v.clone()),
            None => Err(crate::respond_error(parts, AppError::Unauthorized)),
        }
    }
}

/// An administrator and the user administration it may do: a handler that takes it cannot run
/// for anyone else, and refuses (403) before it reads the request's body.
pub struct Administrator {
    pub viewer: Viewer,
    pub users: vuonlen_store::users::UserAdmin,
}

impl FromRequestParts<AppState> for Administrator {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let viewer = Viewer::from_request_parts(parts, state).await?;
        match viewer.access.admin(&state.db) {
            Ok(users) => Ok(Administrator { viewer, users }),
            Err(e) => Err(crate::respond_error(parts, e.into())),
        }
    }
}

/// The caller when there may be none (the sign-in page).
pub struct MaybeViewer(pub Option<Viewer>);

impl FromRequestParts<AppState> for MaybeViewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(MaybeViewer(parts.extensions.get::<Viewer>().cloned()))
    }
}

/// Redirects to the sign-in page, remembering where the user wanted to go.
pub fn to_login(parts: &Parts) -> Response {
    let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let q = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
    axum::response::Redirect::to(&format!("/dang-nhap?{q}")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_by_name() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "a=1; vuonlen_session=abc; lang=en".parse().expect("header"));
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(lang_of(&h), Lang::En);
        assert_eq!(cookie(&h, "missing"), None);
    }

    #[test]
    fn other_sites_are_recognised() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "127.0.0.1:8080".parse().expect("header"));
        h.insert(header::ORIGIN, "http://127.0.0.1:8080".parse().expect("header"));
        assert!(!cross_site(&h));
        h.insert(header::ORIGIN, "http://evil.example".parse().expect("header"));
        assert!(cross_site(&h));
        h.remove(header::ORIGIN);
        h.insert("sec-fetch-site", "cross-site".parse().expect("header"));
        assert!(cross_site(&h));
    }
}
