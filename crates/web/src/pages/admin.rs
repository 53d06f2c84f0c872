//! Users and roles (*người dùng*, for administrators) and the audit log (*nhật ký*, for
//! auditors). Each page gets its capability from the user's access, or is refused.

use crate::auth::{Administrator, Viewer};
use crate::error::{AppError, PageError};
use crate::pages::{Chrome, render};
use crate::password;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use vuonlen_store::users::{NewUser, Role};

struct UserRow {
    id: i64,
    username: String,
    name: String,
    role: &'static str,
    unit: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    c: Chrome,
    users: Vec<UserRow>,
    roles: Vec<(&'static str, &'static str)>,
    message: Option<String>,
    error: bool,
}

#[derive(Deserialize)]
pub struct Msg {
    ok: Option<String>,
    err: Option<String>,
}

pub async fn users(
    Administrator { viewer: v, users: admin }: Administrator,
    uri: Uri,
    Query(m): Query<Msg>,
) -> Result<Response, PageError> {
    let l = v.lang;
    let users = admin
        .list()
        .await?
        .into_iter()
        .map(|u| UserRow {
            id: u.id,
            username: u.username,
            name: u.display_name,
            role: u.role.key(),
            unit: u.unit_code.unwrap_or_default(),
            active: u.active,
        })
        .collect();
    let page = UsersPage {
        c: Chrome::of(&v, &uri),
        users,
        roles: Role::ALL.iter().map(|r| (r.key(), l.s(r.label_vi(), r.label_en()))).collect(),
        error: m.err.is_some(),
        message: m.err.or(m.ok),
    };
    Ok(render(&page)?.into_response())
}

fn back(ok: Result<String, String>) -> Response {
    let q = match ok {
        Ok(m) => serde_urlencoded::to_string([("ok", m)]),
        Err(m) => serde_urlencoded::to_string([("err", m)]),
    }
    .unwrap_or_default();
    Redirect::to(&format!("/nguoi-dung?{q}")).into_response()
}

/// Hashes a password on a blocking thread (Argon2id is slow on purpose): the policy's refusal,
/// or the hash.
async fn hash_off_thread(pass: String) -> Result<Result<String, password::PasswordError>, AppError> {
    tokio::task::spawn_blocking(move || password::hash(&pass)).await.map_err(|e| AppError::Internal(e.to_string()))
}

fn unit_of(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|u| !u.is_empty())
}

#[derive(Deserialize)]
pub struct NewUserForm {
    username: String,
    display_name: String,
    role: String,
    unit: String,
    password: String,
}

pub async fn create(
    Administrator { viewer: v, users: admin }: Administrator,
    axum::Form(f): axum::Form<NewUserForm>,
) -> Result<Response, PageError> {
    let role = Role::parse(&f.role).ok_or_else(|| AppError::Invalid("vai trò / role".into()))?;
    let hash = match hash_off_thread(f.password.clone()).await? {
        Ok(h) => h,
        Err(e) => return Ok(back(Err(e.to_string()))),
    };
    let new = NewUser {
        username: f.username,
        display_name: f.display_name,
        password_hash: hash,
        role,
        unit_code: unit_of(&f.unit),
    };
    Ok(match admin.create(&new).await {
        Ok(u) => back(Ok(format!("{} {}", v.lang.s("Đã thêm", "Added"), u.username))),
        Err(e) => back(Err(e.to_string())),
    })
}

#[derive(Deserialize)]
pub struct UpdateForm {
    role: String,
    unit: String,
    active: Option<String>,
    /// A new password set by the administrator (empty: unchanged).
    #[serde(default)]
    new_password: String,
}

pub async fn update(
    Administrator { viewer: v, users: admin }: Administrator,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<UpdateForm>,
) -> Result<Response, PageError> {
    let role = Role::parse(&f.role).ok_or_else(|| AppError::Invalid("vai trò / role".into()))?;
    let reset = if f.new_password.is_empty() {
        None
    } else {
        match hash_off_thread(f.new_password.clone()).await? {
            Ok(h) => Some(h),
            Err(e) => return Ok(back(Err(e.to_string()))),
        }
    };
    let u = match admin.update(id, role, unit_of(&f.unit).as_deref(), f.active.is_some()).await {
        Ok(u) => u,
        Err(e) => return Ok(back(Err(e.to_string()))),
    };
    if let Some(hash) = reset {
        admin.set_password(id, &hash).await?;
    }
    Ok(back(Ok(format!("{} {}", v.lang.s("Đã lưu", "Saved"), u.username))))
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    c: Chrome,
    error: Option<String>,
}

/// The caller's own password (*đổi mật khẩu*).
pub async fn password_form(v: Viewer, uri: Uri) -> Result<Response, PageError> {
    Ok(render(&PasswordPage { c: Chrome::of(&v, &uri), error: None })?.into_response())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    repeat: String,
}

/// Changes the caller's password after checking the current one; every session of the user
/// ends, this one too: it signs in again.
pub async fn password_submit(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    axum::Form(f): axum::Form<PasswordForm>,
) -> Result<Response, PageError> {
    let l = v.lang;
    let again = |msg: String| -> Result<Response, PageError> {
        let page = render(&PasswordPage { c: Chrome::of(&v, &uri), error: Some(msg) })?;
        Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    if f.new != f.repeat {
        return again(l.s("Hai lần nhập mật khẩu mới khác nhau.", "The two new passwords differ.").into());
    }
    let stored = vuonlen_store::users::by_username(&state.db, &v.user.username).await?.map(|(_, h)| h);
    let (current, new) = (f.current.clone(), f.new.clone());
    let checked = tokio::task::spawn_blocking(move || {
        let ok = stored.is_some_and(|h| password::verify(&current, &h));
        (ok, password::hash(&new))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    match checked {
        (false, _) => again(l.s("Mật khẩu hiện tại không đúng.", "The current password is wrong.").into()),
        (true, Err(e)) => again(e.to_string()),
        (true, Ok(hash)) => {
            v.access.set_own_password(&state.db, &hash).await?;
            Ok(Redirect::to("/dang-nhap").into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    c: Chrome,
    q: AuditQuery,
    entities: Vec<(&'static str, &'static str)>,
    rows: Vec<Vec<String>>,
    limit: i64,
}

/// The filters of the audit log page (all optional; dates are days in Viet Nam's time).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    entity: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    household: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// Viet Nam's time (UTC+7, no daylight saving).
fn vietnam() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset")
}

/// The start of a day in Viet Nam as the store writes times (UTC).
fn day_start_utc(day: chrono::NaiveDate) -> Option<String> {
    let local = day.and_hms_opt(0, 0, 0)?.and_local_timezone(vietnam()).single()?;
    Some(local.with_timezone(&chrono::Utc).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
}

/// A stored time (UTC) as Viet Nam's local time, `dd/mm/yyyy hh:mm:ss`.
fn local_time(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| t.with_timezone(&vietnam()).format("%d/%m/%Y %H:%M:%S").to_string())
        .unwrap_or_else(|_| at.to_string())
}

/// The kinds of entries, with their Vietnamese and English names.
const ENTITIES: [(&str, &str, &str); 7] = [
    ("survey", "Phiếu khảo sát hộ", "Household answers"),
    ("member", "Thành viên", "Member"),
    ("household", "Hộ", "Household"),
    ("household_link", "Tách / nhập hộ", "Split / merge"),
    ("user", "Người dùng, đăng nhập, tải danh sách", "Users, sign-ins, list downloads"),
    ("unit_lineage", "Đơn vị hành chính", "Administrative units"),
    ("village", "Thôn / tổ dân phố", "Village"),
];

/// A field's name as people read it: the schema's label in the page's language.
fn field_label(l: crate::i18n::Lang, field: &str) -> String {
    match vuonlen_core::schema::household_field(field).or_else(|| vuonlen_core::schema::member_field(field)) {
        Some(f) => f.label(l == crate::i18n::Lang::En).to_string(),
        None => field.to_string(),
    }
}

pub async fn audit(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<AuditQuery>,
) -> Result<Response, PageError> {
    const LIMIT: i64 = 500;
    let log = v.access.auditor(&state.db)?;
    let l = v.lang;
    let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let day = |s: &str, what: &str| -> Result<Option<chrono::NaiveDate>, AppError> {
        match text(s) {
            None => Ok(None),
            Some(d) => chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").map(Some).map_err(|_| {
                AppError::Invalid(format!("{what}: '{d}' — cần ngày YYYY-MM-DD / expected a date YYYY-MM-DD"))
            }),
        }
    };
    let household = match text(&q.household) {
        None => None,
        Some(h) => Some(h.parse::<i64>().map_err(|_| AppError::Invalid(format!("hộ / household: '{h}'")))?),
    };
    let filter = vuonlen_store::users::AuditFilter {
        actor: text(&q.actor).map(|a| a.to_lowercase()),
        entity: text(&q.entity),
        unit: text(&q.unit),
        household_id: household,
        from: day(&q.from, "từ ngày / from")?.and_then(day_start_utc),
        until: day(&q.to, "đến ngày / to")?.and_then(|d| d.succ_opt()).and_then(day_start_utc),
    };
    let rows = log
        .search(&filter, LIMIT)
        .await?
        .into_iter()
        .map(|a| {
            let entity =
                ENTITIES.iter().find(|e| e.0 == a.entity).map_or(a.entity.clone(), |e| l.s(e.1, e.2).to_string());
            let field = field_label(l, &a.field);
            vec![
                local_time(&a.at),
                a.actor,
                a.command,
                entity,
                a.household_id.map(|h| h.to_string()).unwrap_or_default(),
                a.period.map(|p| p.to_string()).unwrap_or_default(),
                match a.member_no {
                    Some(n) => format!("{field} (STT {n})"),
                    None => field,
                },
                a.old_value.unwrap_or_default(),
                a.new_value.unwrap_or_default(),
            ]
        })
        .collect();
    let entities = ENTITIES.iter().map(|e| (e.0, l.s(e.1, e.2))).collect();
    Ok(render(&AuditPage { c: Chrome::of(&v, &uri), q, entities, rows, limit: LIMIT })?.into_response())
}
