//! vuonlen web: the registry behind server-rendered Vietnamese pages and a REST API, for
//! commune, province and national users, each limited to their own area.
//!
//! - [`auth`]: sessions, API tokens, CSRF; handlers reach the registry only through a
//!   [`auth::Viewer`], which hands out the store scoped to the user's area (enforced in
//!   `vuonlen-store`).
//! - [`pages`]: the HTML pages; [`api`]: `/api/v1` and `/api/openapi.json`.
//! - [`serve`]: runs the server.

pub mod api;
pub mod auth;
mod cache;
pub mod dashboard;
pub mod error;
pub mod fields;
pub mod form;
pub mod households;
pub mod i18n;
mod limiter;
pub mod map;
pub mod pages;
pub mod password;
pub mod reports;
mod state;

pub use state::{AppState, Deadlines};

use axum::Router;
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use error::{ApiError, AppError, PageError};
use std::net::SocketAddr;

/// Answers an error the way the request expects it: JSON under `/api/`, a page (or the
/// sign-in page) elsewhere.
pub(crate) fn respond_error(parts: &Parts, e: AppError) -> Response {
    if parts.uri.path().starts_with("/api/") {
        ApiError(e).into_response()
    } else if matches!(e, AppError::Unauthorized) {
        auth::to_login(parts)
    } else {
        PageError(e).into_response()
    }
}

/// The largest upload the import page takes.
pub const UPLOAD_LIMIT: usize = 512 * 1024 * 1024;

const STYLE: &str = include_str!("../static/style.css");
const SCRIPT: &str = include_str!("../static/app.js");

async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], STYLE)
        .into_response()
}

async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        SCRIPT,
    )
        .into_response()
}

async fn not_found(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError(AppError::NotFound).into_response()
    } else {
        PageError(AppError::NotFound).into_response()
    }
}

/// Liveness: the process answers (it does not touch the database; see [`ready`]).
async fn health() -> &'static str {
    "ok"
}

/// Readiness: the database answers within 2 s — 200 `ready`, else 503 with the reason (for a
/// load balancer or a monitor; no sign-in needed, no data shown).
async fn ready(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    match state.db.ping(std::time::Duration::from_secs(2)).await {
        Ok(()) => (axum::http::StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            let mut res =
                (axum::http::StatusCode::SERVICE_UNAVAILABLE, "database unavailable / cơ sở dữ liệu không phản hồi")
                    .into_response();
            res.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(error::RETRY_AFTER_S));
            res
        }
    }
}

/// Paths whose requests may take long: uploads, imports, report downloads (and the support and
/// activities tables, uploaded or downloaded whole).
fn is_long(path: &str) -> bool {
    path == "/nhap"
        || path.starts_with("/nhap/")
        || path == "/bao-cao/tai"
        || path == "/api/v1/reports"
        || path == "/ho-tro"
        || path == "/ho-tro/tai"
        || path == "/hoat-dong/bang"
}

/// Answers 503 when a request outlives its deadline (a frozen database would otherwise hold it
/// as long as the database stays frozen). The work a dropped request started is rolled back by
/// the database; caches it was building are built by tasks of their own.
async fn deadline(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = req.uri().path().to_string();
    let limit = if is_long(&path) { state.deadlines.long } else { state.deadlines.request };
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => {
            let e = AppError::Unavailable(format!("{path}: no answer within {} s", limit.as_secs()));
            if path.starts_with("/api/") { ApiError(e).into_response() } else { PageError(e).into_response() }
        }
    }
}

/// Security headers of every answer: no framing, no sniffing, only our own scripts and styles.
async fn headers(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, header::HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, header::HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, header::HeaderValue::from_static("same-origin"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
        ),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    }
    res
}

/// Declares the routes once: [`ROUTES`] lists every (path, methods) for the tests (the
/// authorization matrix enumerates it, so that a new route without an expected answer fails),
/// and `routes()` builds the router from the same lines.
macro_rules! routes {
    ($($path:literal => $m:ident($h:path) $(. $more:ident($h2:path))* $(, layer $l:expr)? ;)*) => {
        /// Every route of the application: (path, methods in lower case).
        pub const ROUTES: &[(&str, &[&str])] = &[$(($path, &[stringify!($m) $(, stringify!($more))*])),*];

        fn routes() -> Router<AppState> {
            Router::new()$(.route($path, $m($h) $(.$more($h2))* $(.layer($l))?))*
        }
    };
}

routes! {
    "/" => get(pages::dashboard::show);
    "/dang-nhap" => get(pages::login::form).post(pages::login::submit);
    "/dang-xuat" => post(pages::login::logout);
    "/ngon-ngu" => get(pages::login::switch_lang);
    "/ho" => get(pages::households::show);
    "/ho/moi" => get(pages::household::new_form).post(pages::household::new_submit);
    "/ho/{id}" => get(pages::household::show);
    "/ho/{id}/sua" => get(pages::household::edit_form).post(pages::household::edit_submit);
    "/ho/{id}/ho-tro" => post(pages::household::support_submit);
    "/ho/{id}/viec-lam" => post(pages::jobs::place_submit);
    "/ho/{id}/giup-do" => post(pages::household::help_submit);
    "/nhap" => get(pages::import::show).post(pages::import::upload), layer axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT);
    "/nhap/{token}/xac-nhan" => post(pages::import::confirm);
    "/nhap/{token}/loi.csv" => get(pages::import::error_file);
    "/dan-cu" => get(pages::residents::show).post(pages::residents::upload), layer axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT);
    "/ra-soat" => get(pages::review::rounds).post(pages::review::open);
    "/ra-soat/don" => get(pages::review::applications).post(pages::review::record_application);
    "/ra-soat/thang" => get(pages::review::monthly);
    "/ra-soat/{id}" => get(pages::review::round);
    "/ra-soat/{id}/xa/{commune}" => get(pages::review::commune).post(pages::review::commune_action), layer axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT);
    "/ra-soat/{id}/xa/{commune}/{file}" => get(pages::review::download);
    "/chi-tieu" => get(pages::targets::show).post(pages::targets::submit), layer axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT);
    "/chi-tieu/tai" => get(pages::targets::download);
    "/ngan-sach" => get(pages::budget::show).post(pages::budget::submit), layer axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT);
    "/ngan-sach/tai" => get(pages::budget::download);
    "/hoat-dong" => get(pages::activities::show).post(pages::activities::submit);
    "/hoat-dong/tai" => get(pages::activities::download);
    "/hoat-dong/bang" => get(pages::activities::table_download).post(pages::activities::table_submit), layer axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT);
    "/giup-do" => get(pages::helpers::show);
    "/giup-do/tai" => get(pages::helpers::download);
    "/mo-hinh" => get(pages::models::show).post(pages::models::submit);
    "/mo-hinh/tai" => get(pages::models::download);
    "/mo-hinh/{id}" => get(pages::models::model).post(pages::models::model_submit);
    "/ho-tro" => get(pages::beneficiary::lists).post(pages::beneficiary::lists_submit), layer axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT);
    "/ho-tro/tai" => get(pages::beneficiary::export);
    "/ho-tro/{id}" => get(pages::beneficiary::list).post(pages::beneficiary::deliver_submit);
    "/ho-tro/{id}/tai" => get(pages::beneficiary::download);
    "/viec-lam" => get(pages::jobs::show).post(pages::jobs::submit);
    "/viec-lam/{vacancy}" => get(pages::jobs::vacancy);
    "/viec-lam/{vacancy}/tai" => get(pages::jobs::download);
    "/bao-phu" => get(pages::coverage::show);
    "/bao-phu/tai" => get(pages::coverage::download);
    "/giam-sat" => get(pages::monitoring::show).post(pages::monitoring::act);
    "/giam-sat/tai" => get(pages::monitoring::download);
    "/bao-cao" => get(pages::reports::show);
    "/bao-cao/tai" => get(pages::reports::download);
    "/nguoi-dung" => get(pages::admin::users).post(pages::admin::create);
    "/nguoi-dung/{id}" => post(pages::admin::update);
    "/nhat-ky" => get(pages::admin::audit);
    "/mat-khau" => get(pages::admin::password_form).post(pages::admin::password_submit);
    "/token" => get(pages::tokens::show).post(pages::tokens::create);
    "/token/{id}/thu-hoi" => post(pages::tokens::revoke);
    "/static/style.css" => get(style);
    "/static/app.js" => get(script);
    "/healthz" => get(health);
    "/readyz" => get(ready);
    "/api/v1/me" => get(api::me);
    "/api/v1/dashboard" => get(api::dashboard);
    "/api/v1/households" => get(api::households::list_households);
    "/api/v1/households/{id}" => get(api::households::get_household);
    "/api/v1/households/{id}/surveys/{period}" => get(api::households::survey).put(api::households::update);
    "/api/v1/classify" => post(api::households::classify_preview);
    "/api/v1/reports" => get(api::report);
    "/api/v1/review/rounds" => get(api::review::rounds);
    "/api/v1/review/applications" => get(api::review::applications).post(api::review::record_application);
    "/api/v1/review/monthly" => get(api::review::monthly);
    "/api/v1/review/summary" => get(api::review::summary);
    "/api/v1/review/rounds/{id}" => get(api::review::round);
    "/api/v1/review/rounds/{id}/communes/{commune}" => get(api::review::commune);
    "/api/v1/review/rounds/{id}/communes/{commune}/list" => post(api::review::list);
    "/api/v1/review/rounds/{id}/communes/{commune}/steps" => post(api::review::steps);
    "/api/v1/review/rounds/{id}/communes/{commune}/posting" => post(api::review::posting);
    "/api/v1/review/rounds/{id}/communes/{commune}/complaints/{complaint}" => post(api::review::resolve);
    "/api/v1/review/rounds/{id}/communes/{commune}/decision" => post(api::review::decide);
    "/api/v1/review/rounds/{id}/communes/{commune}/scores" => post(api::review::scores);
    "/api/v1/score-tables" => get(api::review::score_tables);
    "/api/v1/targets/{year}/{unit}" => get(api::targets::get_targets).put(api::targets::put_targets);
    "/api/v1/targets/{year}/{unit}/table" => post(api::targets::post_table);
    "/api/v1/targets/{year}/{unit}/progress" => get(api::targets::get_progress);
    "/api/v1/plans/{unit}" => get(api::plans::get_plans);
    "/api/v1/budgets/{unit}" => get(api::budgets::get_budget).put(api::budgets::put_budget);
    "/api/v1/activities/{year}/{unit}" => get(api::activities::get_activities).post(api::activities::post_activity);
    "/api/v1/households/{id}/support" => get(api::support::get_support).post(api::support::post_support);
    "/api/v1/households/{id}/helpers" => get(api::helpers::get_helpers).post(api::helpers::post_helpers);
    "/api/v1/helpers/progress/{year}/{unit}" => get(api::helpers::get_progress);
    "/api/v1/beneficiary-lists" => get(api::support::get_lists).post(api::support::post_list);
    "/api/v1/beneficiary-lists/{id}" => get(api::support::get_list);
    "/api/v1/support-coverage/{year}/{unit}" => get(api::support::get_coverage);
    "/api/v1/job-seekers" => get(api::jobs::get_seekers);
    "/api/v1/households/{id}/job-seekers" => post(api::jobs::post_seeker);
    "/api/v1/households/{id}/placements" => post(api::jobs::post_placement);
    "/api/v1/vacancies" => get(api::jobs::get_vacancies).post(api::jobs::post_vacancy);
    "/api/v1/vacancies/{vacancy}/matches" => get(api::jobs::get_matches);
    "/api/v1/models" => get(api::models::get_models).post(api::models::post_model);
    "/api/v1/models/{id}" => get(api::models::get_model);
    "/api/v1/models/{id}/households" => post(api::models::post_households);
    "/api/v1/models/{id}/replications" => post(api::models::post_replication);
    "/api/v1/models/{id}/cases" => post(api::models::post_case);
    "/api/v1/plans/{unit}/{first_year}/{last_year}" => put(api::plans::put_plan);
    "/api/v1/monitoring/{kind}/{year}/{unit}" => get(api::monitoring::get_monitoring).post(api::monitoring::post_monitoring);
    "/api/openapi.json" => get(api::openapi);
}

/// The application's routes.
pub fn app(state: AppState) -> Router {
    routes()
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::authenticate))
        .layer(axum::middleware::from_fn_with_state(state.clone(), deadline))
        .layer(axum::middleware::from_fn(headers))
        .with_state(state)
}

/// Serves the application on `addr` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, app(state).into_make_service_with_connect_info::<SocketAddr>()).await
}

/// Whether session cookies should carry `Secure` for a server listening on `addr`: yes unless
/// it listens on loopback only (the demo on a laptop, browser tests).
pub fn secure_cookies_for(addr: &SocketAddr) -> bool {
    !addr.ip().is_loopback()
}
