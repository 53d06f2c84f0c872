//! The connection: one type over the two engines, chosen from the URL at run time.
//!
//! SQL shared by both engines is written once with `$1, $2, …` placeholders (SQLite accepts
//! them too); the [`on_pool!`] and [`on_conn!`] macros expand one expression per engine, so
//! every statement is type-checked against both drivers without generic bounds.

use crate::error::{Result, StoreError};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

/// The two database engines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// A file: the embedded default (a commune officer's laptop).
    Sqlite,
    /// A server: multi-user and large deployments.
    Postgres,
}

/// A pool of connections to one engine.
#[derive(Debug, Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$p` bound to the concrete pool.
macro_rules! on_pool {
    ($db:expr, $p:ident => $body:expr) => {
        match &$db.pool {
            $crate::db::Pool::Sqlite($p) => $body,
            $crate::db::Pool::Postgres($p) => $body,
        }
    };
}
pub(crate) use on_pool;

/// A transaction on either engine, with the end of the audit chain once it writes to the log.
pub(crate) struct Tx {
    pub(crate) conn: TxConn,
    /// The audit chain's end as this transaction sees it: loaded (and on PostgreSQL locked) by
    /// the first sealed audit row, written back to `audit_head` by [`Tx::commit`].
    pub(crate) chain: Option<crate::chain::Link>,
}

/// The connection of a [`Tx`].
pub(crate) enum TxConn {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Runs `$body` with `$c` bound to the transaction's concrete connection (`&mut Conn`).
macro_rules! on_conn {
    ($tx:expr, $c:ident => $body:expr) => {
        match &mut ($tx).conn {
            $crate::db::TxConn::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::db::TxConn::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}
pub(crate) use on_conn;

impl Tx {
    pub(crate) fn engine(&self) -> Engine {
        match self.conn {
            TxConn::Sqlite(_) => Engine::Sqlite,
            TxConn::Postgres(_) => Engine::Postgres,
        }
    }

    /// Commits, first moving `audit_head` to the last row this transaction sealed.
    pub(crate) async fn commit(mut self) -> Result<()> {
        crate::chain::write_head(&mut self).await?;
        match self.conn {
            TxConn::Sqlite(t) => t.commit().await?,
            TxConn::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    pub(crate) async fn rollback(self) -> Result<()> {
        match self.conn {
            TxConn::Sqlite(t) => t.rollback().await?,
            TxConn::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }
}

/// An open registry database.
#[derive(Debug, Clone)]
pub struct Db {
    pub(crate) pool: Pool,
    /// Report-cache rebuilds of this process, one at a time per period and standard (waiters
    /// hold no connection).
    pub(crate) rebuilds: crate::tally::Rebuilds,
}

/// SQLite files up to this size are checked (`PRAGMA quick_check`) each time they are opened.
pub const QUICK_CHECK_MAX_BYTES: u64 = 64 << 20;

/// The default database: `vuonlen.db` in the working directory.
pub const DEFAULT_URL: &str = "sqlite://vuonlen.db";

/// How long the registry waits. The command line waits as long as its work needs; the web
/// server ([`Timeouts::server`]) gives up early and says the database is unavailable, so that a
/// frozen or overloaded database does not hold every request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// The longest a statement runs on the server (PostgreSQL `statement_timeout`); `None`: no
    /// limit. SQLite statements are not limited.
    pub statement: Option<Duration>,
    /// The longest a caller waits for a connection of the pool.
    pub acquire: Duration,
    /// The longest a SQLite writer waits for another writer's lock.
    pub busy: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts { statement: None, acquire: Duration::from_secs(30), busy: Duration::from_secs(30) }
    }
}

impl Timeouts {
    /// The web server's: statements 30 s, a connection within 10 s, a SQLite write lock within
    /// 10 s.
    pub fn server() -> Timeouts {
        Timeouts {
            statement: Some(Duration::from_secs(30)),
            acquire: Duration::from_secs(10),
            busy: Duration::from_secs(10),
        }
    }
}

impl Db {
    /// Opens (creating a SQLite file if needed) and migrates the database at `url`:
    /// `sqlite://PATH`, `sqlite:PATH`, a path ending in `.db`/`.sqlite`, or `postgres://…`.
    pub async fn open(url: &str) -> Result<Db> {
        let db = Self::connect(url).await?;
        db.migrate().await?;
        Ok(db)
    }

    /// Opens and migrates with `timeouts` (see [`Db::open`]).
    pub async fn open_with(url: &str, timeouts: Timeouts) -> Result<Db> {
        let db = Self::connect_with(url, timeouts).await?;
        db.migrate().await?;
        Ok(db)
    }

    /// Connects without migrating.
    pub async fn connect(url: &str) -> Result<Db> {
        Self::connect_with(url, Timeouts::default()).await
    }

    /// Connects without migrating, with `timeouts`.
    pub async fn connect_with(url: &str, timeouts: Timeouts) -> Result<Db> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url).map_err(|_| StoreError::Url(redact(url)))?;
            return Self::connect_postgres_with(opts, timeouts).await;
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .or_else(|| (url.ends_with(".db") || url.ends_with(".sqlite") || url.ends_with(".sqlite3")).then_some(url));
        match path {
            Some(p) if !p.is_empty() => Self::connect_sqlite_with(std::path::Path::new(p), timeouts).await,
            _ => Err(StoreError::Url(redact(url))),
        }
    }

    /// Opens a SQLite file (created if missing) with WAL, foreign keys and a busy timeout.
    pub async fn connect_sqlite(path: &std::path::Path) -> Result<Db> {
        Self::connect_sqlite_with(path, Timeouts::default()).await
    }

    /// [`Db::connect_sqlite`] with `timeouts`.
    pub async fn connect_sqlite_with(path: &std::path::Path, timeouts: Timeouts) -> Result<Db> {
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(timeouts.busy)
            .pragma("cache_size", "-65536")
            .pragma("temp_store", "memory");
        let damaged = |e: sqlx::Error| match StoreError::from(e) {
            StoreError::Malformed(m) => StoreError::Malformed(format!("{}: {m}", path.display())),
            e => e,
        };
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .acquire_timeout(timeouts.acquire)
            .connect_with(opts)
            .await
            .map_err(damaged)?;
        // A damaged file is refused at once rather than read (a copy of a live registry taken
        // without its journal can look fine until a report reads a damaged page). The full
        // check is cheap for a commune's file; larger files are checked by `vuonlen db check`,
        // and the engine's own errors on a damaged page are mapped the same way.
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        if size <= QUICK_CHECK_MAX_BYTES {
            let found: Vec<String> =
                sqlx::query_scalar("PRAGMA quick_check").fetch_all(&pool).await.map_err(damaged)?;
            if found.first().map(String::as_str) != Some("ok") {
                pool.close().await;
                let first = found.into_iter().next().unwrap_or_default();
                return Err(StoreError::Malformed(format!("{}: {first}", path.display())));
            }
        }
        Ok(Db { pool: Pool::Sqlite(pool), rebuilds: Default::default() })
    }

    /// Opens a PostgreSQL database.
    pub async fn connect_postgres(opts: PgConnectOptions) -> Result<Db> {
        Self::connect_postgres_with(opts, Timeouts::default()).await
    }

    /// [`Db::connect_postgres`] with `timeouts`.
    pub async fn connect_postgres_with(opts: PgConnectOptions, timeouts: Timeouts) -> Result<Db> {
        // Report queries group a million rows: with the server default (4 MB) they sort on
        // disk. JIT compilation costs more than it saves on these queries. Settings the URL's
        // own `options` make are left alone.
        let own = opts.get_options().unwrap_or_default().to_string();
        let mut settings: Vec<(&str, String)> = Vec::new();
        if !own.contains("work_mem") {
            settings.push(("work_mem", "64MB".into()));
        }
        if !own.contains("jit") {
            settings.push(("jit", "off".into()));
        }
        if let Some(t) = timeouts.statement
            && !own.contains("statement_timeout")
        {
            settings.push(("statement_timeout", format!("{}ms", t.as_millis())));
        }
        let opts = if settings.is_empty() { opts } else { opts.options(settings) };
        let pool = PgPoolOptions::new().max_connections(4).acquire_timeout(timeouts.acquire).connect_with(opts).await?;
        Ok(Db { pool: Pool::Postgres(pool), rebuilds: Default::default() })
    }

    /// The SQLite file of `url`, if it names one.
    pub fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return None;
        }
        url.strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .or_else(|| (url.ends_with(".db") || url.ends_with(".sqlite") || url.ends_with(".sqlite3")).then_some(url))
            .filter(|p| !p.is_empty())
            .map(std::path::PathBuf::from)
    }

    pub fn engine(&self) -> Engine {
        match self.pool {
            Pool::Sqlite(_) => Engine::Sqlite,
            Pool::Postgres(_) => Engine::Postgres,
        }
    }

    /// Applies the migrations not yet applied (`vuonlen db migrate`), then loads the
    /// official administrative units if the database has none. Returns the number applied.
    pub async fn migrate(&self) -> Result<usize> {
        let before = self.applied_migrations().await.unwrap_or(0);
        let migrator = match &self.pool {
            Pool::Sqlite(_) => sqlx::migrate!("migrations/sqlite"),
            Pool::Postgres(_) => sqlx::migrate!("migrations/postgres"),
        };
        // Nothing to apply: the migrator is not run, so that the runtime role (which may not
        // create tables, see [`Db::create_roles`]) opens an up-to-date database.
        let known = i64::try_from(migrator.iter().filter(|m| m.migration_type.is_up_migration()).count()).unwrap_or(0);
        let applied: i64 = on_pool!(self, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM _sqlx_migrations WHERE success",
        )
        .fetch_one(p)
        .await)
        .unwrap_or(-1);
        if applied != known {
            match &self.pool {
                Pool::Sqlite(p) => migrator.run(p).await?,
                Pool::Postgres(p) => migrator.run(p).await?,
            }
        }
        crate::units::seed(self).await?;
        crate::chain::seal_legacy(self).await?;
        Ok(self.applied_migrations().await?.saturating_sub(before))
    }

    async fn applied_migrations(&self) -> Result<usize> {
        let n: i64 = on_pool!(self, p => sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
            .fetch_one(p)
            .await?);
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// Starts a write transaction (SQLite: takes the write lock at once).
    pub(crate) async fn begin(&self) -> Result<Tx> {
        let conn = match &self.pool {
            Pool::Sqlite(p) => TxConn::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(p) => TxConn::Postgres(p.begin().await?),
        };
        Ok(Tx { conn, chain: None })
    }

    /// Whether the database answers a trivial statement within `within` (readiness checks).
    pub async fn ping(&self, within: Duration) -> Result<()> {
        let q =
            async { on_pool!(self, p => sqlx::query_scalar::<_, i64>("SELECT CAST(1 AS BIGINT)").fetch_one(p).await) };
        match tokio::time::timeout(within, q).await {
            Ok(r) => r.map(|_| ()).map_err(StoreError::from),
            Err(_) => Err(StoreError::Unavailable(format!("no answer within {} ms", within.as_millis()))),
        }
    }

    /// Closes every connection.
    pub async fn close(&self) {
        on_pool!(self, p => p.close().await)
    }
}

/// A database URL with any password replaced, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl Db {
    /// Runs one administrative statement (DDL, maintenance) outside any transaction: the
    /// caller's own statement, for tests and operators' tools — no read or write of the
    /// registry's code goes through it.
    pub async fn execute_admin(&self, sql: &str) -> Result<u64> {
        // SQL shape only: nothing is interpolated here; the caller's statement is passed on as it is.
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        Ok(on_pool!(self, p => sqlx::query(sql).execute(p).await?.rows_affected()))
    }

    /// Units per (list, level), for checks.
    pub async fn unit_counts(&self) -> Result<Vec<(String, String, i64)>> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT list, level, COUNT(*) FROM admin_unit GROUP BY list, level ORDER BY list, level",
        )
        .fetch_all(p)
        .await?))
    }

    /// The names of a table's indexes, sorted, for checks.
    pub async fn index_names(&self, table: &str) -> Result<Vec<String>> {
        Ok(match &self.pool {
            Pool::Sqlite(p) => {
                sqlx::query_scalar(
                    "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 ORDER BY name",
                )
                .bind(table)
                .fetch_all(p)
                .await?
            }
            Pool::Postgres(p) => {
                sqlx::query_scalar(
                    "SELECT indexname::TEXT FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1 \
                 ORDER BY indexname",
                )
                .bind(table)
                .fetch_all(p)
                .await?
            }
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(super::redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(super::redact("postgres://u@h/db"), "postgres://u@h/db");
    }
}
