//! People who sign in (*người dùng*), their roles by area, browser sessions and API tokens.
//!
//! What a user may do follows from [`User::access`]: the [`Registry`] it hands out reads and
//! changes only the user's area; [`Access::admin`] and [`Access::auditor`] hand out the user
//! administration and the audit log only to the roles that have them. Secrets are stored as
//! hashes (Argon2id for passwords, computed by the caller; SHA-256 for session and API tokens).

use crate::audit::{self, Change, Entry};
use crate::db::{Db, on_pool};
use crate::error::{Result, StoreError};
use crate::scope::{Registry, Scope};
use crate::sql::{Arg, Sql, bound};

/// A role (*vai trò*). Each role but the national ones is tied to a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// *Cán bộ xã*: reads and changes its commune.
    CommuneOfficer,
    /// *Cán bộ tỉnh*: reads its province, changes it on behalf of its communes.
    ProvinceOfficer,
    /// *Trung ương (xem)*: reads the whole country.
    NationalViewer,
    /// *Kiểm tra, giám sát*: reads (its province, or everything) and the audit log.
    Auditor,
    /// *Quản trị hệ thống*: users and roles; reads everything, changes no household.
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] =
        [Role::CommuneOfficer, Role::ProvinceOfficer, Role::NationalViewer, Role::Auditor, Role::Admin];

    pub fn key(self) -> &'static str {
        match self {
            Role::CommuneOfficer => "commune_officer",
            Role::ProvinceOfficer => "province_officer",
            Role::NationalViewer => "national_viewer",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.key() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Role::CommuneOfficer => "Cán bộ xã",
            Role::ProvinceOfficer => "Cán bộ tỉnh",
            Role::NationalViewer => "Trung ương (chỉ xem)",
            Role::Auditor => "Kiểm tra, giám sát",
            Role::Admin => "Quản trị hệ thống",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Role::CommuneOfficer => "Commune officer",
            Role::ProvinceOfficer => "Province officer",
            Role::NationalViewer => "National viewer",
            Role::Auditor => "Auditor",
            Role::Admin => "Administrator",
        }
    }

    /// The length of the unit code the role needs: 5 (commune), 2 (province), `None` (no
    /// unit), or for auditors either a province or nothing.
    fn check_unit(self, unit: Option<&str>) -> std::result::Result<(), String> {
        let digits = |u: &str, n: usize| u.len() == n && u.bytes().all(|b| b.is_ascii_digit());
        match (self, unit) {
            (Role::CommuneOfficer, Some(u)) if digits(u, 5) => Ok(()),
            (Role::CommuneOfficer, _) => {
                Err("cán bộ xã cần mã xã 5 chữ số / a commune officer needs a 5-digit commune code".into())
            }
            (Role::ProvinceOfficer, Some(u)) if digits(u, 2) => Ok(()),
            (Role::ProvinceOfficer, _) => {
                Err("cán bộ tỉnh cần mã tỉnh 2 chữ số / a province officer needs a 2-digit province code".into())
            }
            (Role::Auditor, None) => Ok(()),
            (Role::Auditor, Some(u)) if digits(u, 2) => Ok(()),
            (Role::Auditor, Some(_)) => {
                Err("kiểm tra viên: mã tỉnh 2 chữ số hoặc để trống / an auditor takes a province code or none".into())
            }
            (Role::NationalViewer | Role::Admin, None) => Ok(()),
            (Role::NationalViewer | Role::Admin, Some(_)) => {
                Err("vai trò này không gắn với địa bàn / this role has no unit".into())
            }
        }
    }
}

/// A user as the application sees it (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit_code: Option<String>,
    pub active: bool,
}

type UserRow = (i64, String, String, String, Option<String>, i64);
const USER_SELECT: &str = "SELECT id, username, display_name, role, unit_code, active FROM app_user";

fn user_of(r: UserRow) -> Result<User> {
    let role = Role::parse(&r.3).ok_or_else(|| StoreError::Invalid(format!("stored role '{}' is not valid", r.3)))?;
    Ok(User { id: r.0, username: r.1, display_name: r.2, role, unit_code: r.4, active: r.5 != 0 })
}

/// What a user may read, change and administer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    pub read: Scope,
    pub write: Scope,
}

impl User {
    /// The user's rights: an inactive user has none.
    pub fn access(&self) -> Access {
        let unit = || self.unit_code.clone().into_iter().collect::<Vec<_>>();
        let (read, write) = if !self.active {
            (Scope::none(), Scope::none())
        } else {
            match self.role {
                // A stored unit that is not a code gives no area at all.
                Role::CommuneOfficer | Role::ProvinceOfficer => {
                    let own = Scope::units(unit()).unwrap_or_else(|_| Scope::none());
                    (own.clone(), own)
                }
                Role::Auditor if self.unit_code.is_some() => {
                    (Scope::units(unit()).unwrap_or_else(|_| Scope::none()), Scope::none())
                }
                Role::NationalViewer | Role::Auditor | Role::Admin => (Scope::unscoped_all(), Scope::none()),
            }
        };
        Access { user_id: self.id, username: self.username.clone(), role: self.role, read, write }
    }
}

impl Access {
    /// The registry as this user sees it.
    pub fn registry(&self, db: &Db) -> Registry {
        db.with_access(self.read.clone(), self.write.clone())
    }

    /// Whether the user may change anything.
    pub fn may_edit(&self) -> bool {
        !self.write.is_none()
    }

    /// User administration, for administrators only.
    pub fn admin(&self, db: &Db) -> Result<UserAdmin> {
        if self.role == Role::Admin && !self.read.is_none() {
            Ok(UserAdmin { db: db.clone(), actor: self.username.clone() })
        } else {
            Err(StoreError::Forbidden("quản trị người dùng / user administration".into()))
        }
    }

    /// The audit log, for auditors only.
    pub fn auditor(&self, db: &Db) -> Result<AuditLog> {
        if self.role == Role::Auditor && !self.read.is_none() {
            Ok(AuditLog { db: db.clone(), scope: self.read.clone() })
        } else {
            Err(StoreError::Forbidden("nhật ký thay đổi / the audit log".into()))
        }
    }
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    pub role: Role,
    pub unit_code: Option<String>,
}

fn check_username(u: &str) -> Result<String> {
    let u = u.trim().to_lowercase();
    if u.len() < 3
        || u.len() > 64
        || !u.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-'))
    {
        return Err(StoreError::Invalid(
            "tên đăng nhập: 3–64 ký tự a-z, 0-9, '.', '_', '-' / username: 3–64 of a-z, 0-9, '.', '_', '-'".into(),
        ));
    }
    Ok(u)
}

async fn check_unit_exists(db: &Db, role: Role, unit: Option<&str>) -> Result<()> {
    role.check_unit(unit).map_err(StoreError::Invalid)?;
    if let Some(u) = unit {
        let n: i64 = on_pool!(db, p => sqlx::query_scalar("SELECT COUNT(*) FROM admin_unit WHERE list = '2025' AND code = $1")
            .bind(u)
            .fetch_one(p)
            .await?);
        if n == 0 {
            return Err(StoreError::Invalid(format!(
                "'{u}' không có trong danh mục đơn vị hành chính 2025 / is not in the 2025 list of units"
            )));
        }
    }
    Ok(())
}

/// Records an event about a user (sign-in, failed sign-in, sign-out, changes by an admin).
pub async fn record_event(db: &Db, actor: &str, command: &str, field: &str, value: Option<&str>) -> Result<()> {
    let mut tx = db.begin().await?;
    let c = Change {
        actor,
        command,
        entity: "user",
        household_id: None,
        period: None,
        member_no: None,
        field,
        old_value: None,
        new_value: value,
    };
    audit::record_now(&mut tx, &c, &crate::now()).await?;
    tx.commit().await?;
    Ok(())
}

/// The user with `username` and its password hash (for signing in).
pub async fn by_username(db: &Db, username: &str) -> Result<Option<(User, String)>> {
    let mut sql = Sql::with_args([Arg::Text(username.trim().to_lowercase())]);
    sql.push(USER_SELECT).push(" WHERE username = $1");
    let row: Option<UserRow> = on_pool!(db, p => bound!(query_as, sql).fetch_optional(p).await?);
    let Some(row) = row else { return Ok(None) };
    let id = row.0;
    let hash: String = on_pool!(db, p => sqlx::query_scalar("SELECT password_hash FROM app_user WHERE id = $1")
        .bind(id)
        .fetch_one(p)
        .await?);
    Ok(Some((user_of(row)?, hash)))
}

/// Opens a session: `token_hash` is the SHA-256 of the cookie's token.
pub async fn open_session(db: &Db, user_id: i64, token_hash: &str, csrf_token: &str, expires_at: &str) -> Result<()> {
    on_pool!(db, p => sqlx::query(
        "INSERT INTO user_session (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(csrf_token)
    .bind(crate::now())
    .bind(expires_at)
    .execute(p)
    .await?
    .rows_affected());
    Ok(())
}

/// The active user of an unexpired session and the session's CSRF token.
pub async fn session_user(db: &Db, token_hash: &str, now: &str) -> Result<Option<(User, String)>> {
    type Row = (i64, String, String, String, Option<String>, i64, String);
    let row: Option<Row> = on_pool!(db, p => sqlx::query_as(
        "SELECT u.id, u.username, u.display_name, u.role, u.unit_code, u.active, s.csrf_token \
         FROM user_session s JOIN app_user u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = 1",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(p)
    .await?);
    row.map(|(id, un, dn, role, unit, active, csrf)| Ok((user_of((id, un, dn, role, unit, active))?, csrf))).transpose()
}

/// Closes a session.
pub async fn close_session(db: &Db, token_hash: &str) -> Result<()> {
    on_pool!(db, p => sqlx::query("DELETE FROM user_session WHERE token_hash = $1").bind(token_hash).execute(p).await?.rows_affected());
    Ok(())
}

/// The active user of an API token (`token_hash`: SHA-256 of the token).
pub async fn token_user(db: &Db, token_hash: &str) -> Result<Option<User>> {
    let row: Option<UserRow> = on_pool!(db, p => sqlx::query_as(
        "SELECT u.id, u.username, u.display_name, u.role, u.unit_code, u.active \
         FROM api_token t JOIN app_user u ON u.id = t.user_id WHERE t.token_hash = $1 AND u.active = 1 \
         AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2)",
    )
    .bind(token_hash)
    .bind(crate::now())
    .fetch_optional(p)
    .await?);
    row.map(user_of).transpose()
}

/// Creates an API token for the signed-in user (`token_hash`: SHA-256 of the token shown
/// once).
pub async fn create_token(db: &Db, access: &Access, name: &str, token_hash: &str) -> Result<()> {
    access.create_token(db, name, token_hash, None).await.map(|_| ())
}

/// An API token as its owner and the administrators see it (never the token itself: only its
/// hash is stored, and the token is shown once, when made).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TokenInfo {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
}

impl TokenInfo {
    /// Whether it still signs in at `now` (ISO 8601 UTC).
    pub fn is_valid_at(&self, now: &str) -> bool {
        self.revoked_at.is_none() && self.expires_at.as_deref().is_none_or(|e| e > now)
    }
}

const TOKEN_SELECT: &str = "SELECT t.id, u.username, t.name, t.created_at, t.expires_at, t.revoked_at \
     FROM api_token t JOIN app_user u ON u.id = t.user_id";

impl Access {
    /// Makes an API token of this user (its SHA-256 `token_hash`), valid until `expires_at`
    /// (ISO 8601 UTC; `None`: until revoked).
    pub async fn create_token(&self, db: &Db, name: &str, token_hash: &str, expires_at: Option<&str>) -> Result<i64> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(StoreError::Invalid("tên mã truy cập: 1–100 ký tự / token name: 1–100 characters".into()));
        }
        let id: i64 = on_pool!(db, p => sqlx::query_scalar(
            "INSERT INTO api_token (token_hash, user_id, name, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(token_hash)
        .bind(self.user_id)
        .bind(name)
        .bind(crate::now())
        .bind(expires_at)
        .fetch_one(p)
        .await?);
        record_event(db, &self.username, "web", "api_token_created", Some(&format!("#{id} {name}"))).await?;
        Ok(id)
    }

    /// The tokens this user may see: its own; an administrator's, everyone's. Newest first.
    pub async fn tokens(&self, db: &Db) -> Result<Vec<TokenInfo>> {
        let mut sql = Sql::with_args([Arg::Bool(self.role == Role::Admin), Arg::Int(self.user_id)]);
        sql.push(TOKEN_SELECT).push(" WHERE ($1 OR t.user_id = $2) ORDER BY t.id DESC");
        Ok(on_pool!(db, p => bound!(query_as, sql).fetch_all(p).await?))
    }

    /// Revokes a token of this user (an administrator: anyone's). Revoking a revoked token
    /// changes nothing; someone else's token reads as absent.
    pub async fn revoke_token(&self, db: &Db, id: i64) -> Result<TokenInfo> {
        let visible = self.tokens(db).await?.into_iter().find(|t| t.id == id);
        let Some(token) = visible else {
            return Err(StoreError::NotFound(format!("mã truy cập / token {id}")));
        };
        if token.revoked_at.is_some() {
            return Ok(token);
        }
        let now = crate::now();
        on_pool!(db, p => sqlx::query("UPDATE api_token SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(&now)
            .bind(id)
            .execute(p)
            .await?
            .rows_affected());
        record_event(db, &self.username, "web", "api_token_revoked", Some(&format!("#{id} {}", token.username)))
            .await?;
        Ok(TokenInfo { revoked_at: Some(now), ..token })
    }
}

/// Creates a user with no other check than the role's unit: for `vuonlen demo` and the first
/// administrator (`vuonlen user add`). The web goes through [`UserAdmin`].
pub async fn create_unscoped(db: &Db, new: &NewUser, actor: &str, command: &str) -> Result<User> {
    let username = check_username(&new.username)?;
    check_unit_exists(db, new.role, new.unit_code.as_deref()).await?;
    if by_username(db, &username).await?.is_some() {
        return Err(StoreError::Invalid(format!("tên đăng nhập '{username}' đã có / username '{username}' is taken")));
    }
    let display = vuonlen_core::text::nfc(new.display_name.trim()).into_owned();
    let mut tx = db.begin().await?;
    let id: i64 = crate::db::on_conn!(&mut tx, c => sqlx::query_scalar(
        "INSERT INTO app_user (username, display_name, password_hash, role, unit_code, active, created_at) \
         VALUES ($1, $2, $3, $4, $5, 1, $6) RETURNING id",
    )
    .bind(&username)
    .bind(&display)
    .bind(&new.password_hash)
    .bind(new.role.key())
    .bind(&new.unit_code)
    .bind(crate::now())
    .fetch_one(c)
    .await?);
    let what = format!("{username} {} {}", new.role.key(), new.unit_code.as_deref().unwrap_or("-"));
    let c = Change {
        actor,
        command,
        entity: "user",
        household_id: None,
        period: None,
        member_no: None,
        field: "created",
        old_value: None,
        new_value: Some(&what),
    };
    audit::record_now(&mut tx, &c, &crate::now()).await?;
    tx.commit().await?;
    Ok(User { id, username, display_name: display, role: new.role, unit_code: new.unit_code.clone(), active: true })
}

/// User administration (*quản trị người dùng*): only from [`Access::admin`].
#[derive(Debug, Clone)]
pub struct UserAdmin {
    db: Db,
    actor: String,
}

impl UserAdmin {
    /// Every user, by username.
    pub async fn list(&self) -> Result<Vec<User>> {
        let mut sql = Sql::new();
        sql.push(USER_SELECT).push(" ORDER BY username");
        let rows: Vec<UserRow> = on_pool!(self.db, p => bound!(query_as, sql).fetch_all(p).await?);
        rows.into_iter().map(user_of).collect()
    }

    pub async fn create(&self, new: &NewUser) -> Result<User> {
        create_unscoped(&self.db, new, &self.actor, "web").await
    }

    /// Changes a user's role, unit and whether it may sign in; closes its sessions.
    pub async fn update(&self, user_id: i64, role: Role, unit_code: Option<&str>, active: bool) -> Result<User> {
        check_unit_exists(&self.db, role, unit_code).await?;
        let mut tx = self.db.begin().await?;
        // The last active administrator stays one: nobody could manage users after it.
        if role != Role::Admin || !active {
            let lock = match tx.engine() {
                crate::db::Engine::Postgres => " FOR UPDATE",
                crate::db::Engine::Sqlite => "",
            };
            let mut sql = Sql::new();
            sql.push("SELECT id FROM app_user WHERE role = 'admin' AND active = 1").push(lock);
            let admins: Vec<i64> = crate::db::on_conn!(&mut tx, c => bound!(query_scalar, sql).fetch_all(c).await?);
            if admins == [user_id] {
                return Err(StoreError::Invalid(
                    "không thể hạ quyền hoặc khóa quản trị viên cuối cùng / \
                     the last active administrator cannot be demoted or deactivated"
                        .into(),
                ));
            }
        }
        let done = crate::db::on_conn!(&mut tx, c => sqlx::query(
            "UPDATE app_user SET role = $1, unit_code = $2, active = $3 WHERE id = $4",
        )
        .bind(role.key())
        .bind(unit_code)
        .bind(i64::from(active))
        .bind(user_id)
        .execute(c)
        .await?
        .rows_affected());
        if done == 0 {
            return Err(StoreError::NotFound(format!("người dùng / user {user_id}")));
        }
        crate::db::on_conn!(&mut tx, c => sqlx::query("DELETE FROM user_session WHERE user_id = $1").bind(user_id).execute(c).await?.rows_affected());
        let what = format!(
            "#{user_id} {} {} {}",
            role.key(),
            unit_code.unwrap_or("-"),
            if active { "active" } else { "inactive" }
        );
        let c = Change {
            actor: &self.actor,
            command: "web",
            entity: "user",
            household_id: None,
            period: None,
            member_no: None,
            field: "updated",
            old_value: None,
            new_value: Some(&what),
        };
        audit::record_now(&mut tx, &c, &crate::now()).await?;
        tx.commit().await?;
        let mut sql = Sql::with_args([Arg::Int(user_id)]);
        sql.push(USER_SELECT).push(" WHERE id = $1");
        let row: UserRow = on_pool!(self.db, p => bound!(query_as, sql).fetch_one(p).await?);
        user_of(row)
    }

    /// Sets a new password (Argon2id PHC string) and closes the user's sessions.
    pub async fn set_password(&self, user_id: i64, password_hash: &str) -> Result<()> {
        let done = on_pool!(self.db, p => sqlx::query("UPDATE app_user SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(user_id)
            .execute(p)
            .await?
            .rows_affected());
        if done == 0 {
            return Err(StoreError::NotFound(format!("người dùng / user {user_id}")));
        }
        on_pool!(self.db, p => sqlx::query("DELETE FROM user_session WHERE user_id = $1").bind(user_id).execute(p).await?.rows_affected());
        record_event(&self.db, &self.actor, "web", "password_set", Some(&format!("#{user_id}"))).await
    }
}

impl Access {
    /// Sets the user's own password (Argon2id PHC string; the caller checked the current one)
    /// and closes its sessions.
    pub async fn set_own_password(&self, db: &Db, password_hash: &str) -> Result<()> {
        let done = on_pool!(db, p => sqlx::query("UPDATE app_user SET password_hash = $1 WHERE id = $2 AND active = 1")
            .bind(password_hash)
            .bind(self.user_id)
            .execute(p)
            .await?
            .rows_affected());
        if done == 0 {
            return Err(StoreError::Forbidden("đổi mật khẩu / changing the password".into()));
        }
        on_pool!(db, p => sqlx::query("DELETE FROM user_session WHERE user_id = $1").bind(self.user_id).execute(p).await?.rows_affected());
        record_event(db, &self.username, "web", "password_changed", None).await
    }
}

/// The audit log (*nhật ký*): only from [`Access::auditor`], and only as far as the auditor's
/// area reaches: an auditor of a province reads the changes of the households placed in it and
/// the events of the users of its units — not other provinces' users, sign-ins or households
/// (issue 11: it read the whole country's log while getting 404 on those households).
#[derive(Debug, Clone)]
pub struct AuditLog {
    db: Db,
    scope: Scope,
}

/// Which entries of the audit log to read: every condition given must hold.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Who (username, or the command line's actor).
    pub actor: Option<String>,
    /// `survey`, `member`, `household`, `household_link`, `user`, `unit_lineage`, `village`.
    pub entity: Option<String>,
    /// A province or commune (today's list): changes of the households placed there in the
    /// entry's period.
    pub unit: Option<String>,
    pub household_id: Option<i64>,
    /// From this time on (ISO 8601 UTC, as stored).
    pub from: Option<String>,
    /// Before this time (ISO 8601 UTC).
    pub until: Option<String>,
}

impl AuditLog {
    /// The latest `limit` entries the auditor may read, newest first, optionally of one entity
    /// kind.
    pub async fn recent(&self, entity: Option<&str>, limit: i64) -> Result<Vec<Entry>> {
        let filter = AuditFilter { entity: entity.map(str::to_string), ..AuditFilter::default() };
        self.search(&filter, limit).await
    }

    /// The latest `limit` entries that match `f` and that the auditor may read, newest first.
    pub async fn search(&self, f: &AuditFilter, limit: i64) -> Result<Vec<Entry>> {
        // The scope's codes as one bound value (`,01,00004,`; none for the whole country).
        let area = self.scope.code_list();
        let rows: Vec<Entry> = on_pool!(self.db, p => sqlx::query_as(
            "SELECT id, at, actor, command, entity, household_id, period, member_no, field, old_value, new_value \
             FROM audit a WHERE ($1 IS NULL OR entity = $1) AND ($2 IS NULL \
               OR (a.household_id IS NOT NULL AND EXISTS (SELECT 1 FROM household h WHERE h.id = a.household_id \
                   AND h.province_code <> '' \
                   AND ($2 LIKE '%,' || h.province_code || ',%' OR $2 LIKE '%,' || h.commune_code || ',%'))) \
               OR (a.entity = 'user' AND EXISTS (SELECT 1 FROM app_user u \
                   LEFT JOIN admin_unit au ON au.list = '2025' AND au.code = u.unit_code \
                   WHERE u.username = a.actor AND u.unit_code IS NOT NULL \
                   AND ($2 LIKE '%,' || u.unit_code || ',%' OR $2 LIKE '%,' || au.province_code || ',%')))) \
             AND ($4 IS NULL OR a.actor = $4) \
             AND ($5 IS NULL OR EXISTS (SELECT 1 FROM survey s WHERE s.household_id = a.household_id \
                  AND (a.period IS NULL OR s.period = a.period) \
                  AND (s.current_province = $5 OR s.current_commune = $5))) \
             AND ($6 IS NULL OR a.household_id = $6) \
             AND ($7 IS NULL OR a.at >= $7) AND ($8 IS NULL OR a.at < $8) \
             ORDER BY id DESC LIMIT $3",
        )
        .bind(f.entity.as_deref())
        .bind(area)
        .bind(limit)
        .bind(f.actor.as_deref())
        .bind(f.unit.as_deref())
        .bind(f.household_id)
        .bind(f.from.as_deref())
        .bind(f.until.as_deref())
        .fetch_all(p)
        .await?);
        Ok(rows)
    }
}
