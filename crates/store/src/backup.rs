//! Backups and restores (`vuonlen db backup`, `vuonlen db restore`; docs/operations.md,
//! "Backups and restore drill").
//!
//! - SQLite: `VACUUM INTO` a temporary file beside the target, then a rename: a consistent copy
//!   while other processes write (a plain copy of a live registry in WAL mode is not one). A
//!   restore checks the copy (`PRAGMA integrity_check`) before it replaces the registry by a
//!   rename.
//! - PostgreSQL: `pg_dump --format=custom` of the URL's database (its schema when the URL sets a
//!   search path other than `public`) and `pg_restore --clean --if-exists`; both must be of the
//!   server's major version or newer.

use crate::db::{Db, Pool};
use crate::error::{Result, StoreError};
use sqlx::sqlite::SqliteConnectOptions;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A temporary name beside `target`, in the same directory (so that a rename replaces it).
fn temp_beside(target: &Path, what: &str) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "vuonlen".into());
    target.with_file_name(format!(".{name}.{what}-{}", std::process::id()))
}

fn io_error(what: &str, path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Backup(format!("{what} {}: {e}", path.display()))
}

/// Flushes a file and the directory that holds it.
fn sync(path: &Path) -> Result<()> {
    std::fs::File::open(path).and_then(|f| f.sync_all()).map_err(|e| io_error("sync", path, e))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // Directories cannot be opened for syncing everywhere; the rename is still atomic.
        let _ = std::fs::File::open(dir).and_then(|f| f.sync_all());
    }
    Ok(())
}

/// Refuses to overwrite `out` unless `force`.
fn refuse_existing(out: &Path, force: bool) -> Result<()> {
    if out.exists() && !force {
        return Err(StoreError::Backup(format!(
            "tệp {} đã có; dùng --force để ghi đè / {} exists; pass --force to overwrite it",
            out.display(),
            out.display()
        )));
    }
    Ok(())
}

impl Db {
    /// Writes a consistent backup of the registry at `url` (this database) to `out`.
    pub async fn backup(&self, url: &str, out: &Path, force: bool) -> Result<()> {
        refuse_existing(out, force)?;
        let tmp = temp_beside(out, "partial");
        let _ = std::fs::remove_file(&tmp);
        let made = match &self.pool {
            Pool::Sqlite(p) => {
                let target = tmp.to_string_lossy().into_owned();
                sqlx::query("VACUUM INTO $1").bind(target).execute(p).await.map(|_| ()).map_err(StoreError::from)
            }
            Pool::Postgres(_) => {
                let schema = self.current_schema().await?;
                pg_tool("pg_dump", url, |c| {
                    c.arg("--format=custom").arg("--no-owner").arg("--file").arg(&tmp);
                    if schema != "public" {
                        c.arg("--schema").arg(&schema);
                    }
                })
            }
        };
        if let Err(e) = made.and_then(|()| sync(&tmp)) {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        std::fs::rename(&tmp, out).map_err(|e| io_error("rename", out, e))?;
        sync(out)
    }

    /// The schema the connection writes to (PostgreSQL).
    async fn current_schema(&self) -> Result<String> {
        match &self.pool {
            Pool::Postgres(p) => Ok(sqlx::query_scalar("SELECT current_schema()::TEXT").fetch_one(p).await?),
            Pool::Sqlite(_) => Ok("main".into()),
        }
    }

    /// SQLite's full check of the file (`PRAGMA integrity_check`): `["ok"]` when sound, else
    /// what is wrong. `None` on PostgreSQL.
    pub async fn sqlite_integrity(&self) -> Result<Option<Vec<String>>> {
        match &self.pool {
            Pool::Sqlite(p) => Ok(Some(sqlx::query_scalar("PRAGMA integrity_check").fetch_all(p).await?)),
            Pool::Postgres(_) => Ok(None),
        }
    }

    /// Review periods stored (to tell an empty registry from one a restore would replace).
    pub async fn period_count(&self) -> Result<i64> {
        Ok(crate::db::on_pool!(self, p => sqlx::query_scalar("SELECT COUNT(*) FROM review_period").fetch_one(p).await?))
    }
}

/// Replaces the registry at `url` by the backup `from`. SQLite: the backup is copied beside the
/// registry, checked whole, then renamed over it (with its old journal files removed). The
/// registry must not be in use (stop the web server first). PostgreSQL: `pg_restore --clean
/// --if-exists` into the URL's database.
pub async fn restore(url: &str, from: &Path, force: bool) -> Result<()> {
    if !from.is_file() {
        return Err(StoreError::Backup(format!(
            "không thấy tệp sao lưu {} / backup file {} not found",
            from.display(),
            from.display()
        )));
    }
    // A registry that holds periods is replaced only when asked.
    let holds_data = match Db::connect(url).await {
        Ok(db) => {
            let n = db.period_count().await.unwrap_or(0);
            db.close().await;
            n > 0
        }
        // A damaged registry is what a restore is for, but only when asked.
        Err(StoreError::Malformed(_)) => true,
        Err(e) => return Err(e),
    };
    if holds_data && !force {
        return Err(StoreError::Backup(
            "cơ sở dữ liệu đích đã có dữ liệu (hoặc bị hỏng); dùng --force để thay thế / \
             the target registry holds data (or is damaged); pass --force to replace it"
                .into(),
        ));
    }
    let Some(target) = Db::sqlite_path(url) else {
        return pg_tool("pg_restore", url, |c| {
            c.args(["--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error"]).arg(from);
        });
    };
    let tmp = temp_beside(&target, "restore");
    let cleanup = |tmp: &Path| {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", tmp.display()));
        }
    };
    cleanup(&tmp);
    std::fs::copy(from, &tmp).map_err(|e| io_error("copy", from, e))?;
    if let Err(e) = check_copy(&tmp).await.and_then(|()| sync(&tmp)) {
        cleanup(&tmp);
        return Err(e);
    }
    // The old registry's journal belongs to the old file: applied to the new one it would
    // damage it.
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", target.display()));
    }
    std::fs::rename(&tmp, &target).map_err(|e| io_error("rename", &target, e))?;
    sync(&target)
}

/// Checks a copied SQLite backup whole, and that it is a registry.
async fn check_copy(path: &Path) -> Result<()> {
    let opts = SqliteConnectOptions::new().filename(path).create_if_missing(false);
    let named = |e: StoreError| match e {
        StoreError::Malformed(m) => StoreError::Malformed(format!("{}: {m}", path.display())),
        e => e,
    };
    let mut conn: sqlx::SqliteConnection =
        sqlx::ConnectOptions::connect(&opts).await.map_err(|e| named(StoreError::from(e)))?;
    let found: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await
        .map_err(|e| named(StoreError::from(e)))?;
    let registry: std::result::Result<i64, _> =
        sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations").fetch_one(&mut conn).await;
    let _ = sqlx::Connection::close(conn).await;
    if found.first().map(String::as_str) != Some("ok") {
        return Err(StoreError::Malformed(format!("{}: {}", path.display(), found.join("; "))));
    }
    if registry.is_err() {
        return Err(StoreError::Backup(format!(
            "tệp {} không phải bản sao lưu của sổ đăng ký / {} is not a backup of a registry",
            path.display(),
            path.display()
        )));
    }
    Ok(())
}

/// Runs a PostgreSQL client tool (`pg_dump`, `pg_restore`) on the database of `url`: the URL
/// without what only this program reads (its query), the password in the environment rather
/// than on the command line.
fn pg_tool(tool: &str, url: &str, args: impl FnOnce(&mut Command)) -> Result<()> {
    let (conn, password) = libpq_url(url);
    let mut c = Command::new(tool);
    args(&mut c);
    c.arg("--dbname").arg(conn);
    if let Some(p) = password {
        c.env("PGPASSWORD", p);
    }
    let out = c.output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            StoreError::Backup(format!(
                "không tìm thấy {tool}; hãy cài postgresql-client cùng phiên bản chính với máy chủ / \
                 {tool} not found; install postgresql-client of the server's major version (or newer)"
            ))
        } else {
            StoreError::Backup(format!("{tool}: {e}"))
        }
    })?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(StoreError::Backup(format!("{tool} ({}): {}", out.status, err.trim())));
    }
    Ok(())
}

/// The URL for libpq (its query kept only for the parameters libpq knows), and the password
/// taken out of it.
fn libpq_url(url: &str) -> (String, Option<String>) {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    const KNOWN: [&str; 7] = ["sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout", "host", "port"];
    let kept: Vec<&str> =
        query.split('&').filter(|kv| kv.split_once('=').is_some_and(|(k, _)| KNOWN.contains(&k))).collect();
    let mut password = None;
    let mut base = base.to_string();
    if let Some(s) = base.find("://") {
        let rest_start = s + 3;
        let end = base[rest_start..].find('/').map_or(base.len(), |i| rest_start + i);
        if let Some(at) = base[rest_start..end].rfind('@').map(|i| rest_start + i)
            && let Some(colon) = base[rest_start..at].find(':').map(|i| rest_start + i)
        {
            password = Some(percent_decode(&base[colon + 1..at]));
            base.replace_range(colon..at, "");
        }
    }
    if !kept.is_empty() {
        base.push('?');
        base.push_str(&kept.join("&"));
    }
    (base, password)
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_leave_the_url() {
        assert_eq!(
            libpq_url("postgres://u:p%40ss@h:5432/db?options%5Bsearch_path%5D=s&sslmode=require"),
            ("postgres://u@h:5432/db?sslmode=require".to_string(), Some("p@ss".to_string()))
        );
        assert_eq!(
            libpq_url("postgres://postgres@127.0.0.1:5432/test"),
            ("postgres://postgres@127.0.0.1:5432/test".into(), None)
        );
    }
}
