//! Errors of the registry.

/// Anything that can go wrong reading or writing the registry.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "không hiểu địa chỉ cơ sở dữ liệu / database URL not understood: '{0}' (expected sqlite://FILE or postgres://…)"
    )]
    Url(String),
    /// The driver's error is the message (not a source: it would print twice in a chain).
    #[error("lỗi cơ sở dữ liệu / database error: {0}")]
    Db(sqlx::Error),
    /// The database does not answer in time, is down, or is busy with a long write: the
    /// request may succeed later ([`is_unavailable`]).
    #[error(
        "cơ sở dữ liệu tạm thời không phản hồi hoặc đang bận, xin thử lại sau / \
         the database is not answering or is busy, try again later ({0})"
    )]
    Unavailable(String),
    /// The SQLite file is damaged or is not a database (a plain copy of a live registry, a
    /// truncated file): nothing is read from it.
    #[error(
        "cơ sở dữ liệu SQLite bị hỏng hoặc không phải cơ sở dữ liệu ({0}); không đọc gì từ tệp này — \
         hãy khôi phục từ bản sao lưu: `vuonlen db restore --from TỆP` / \
         the SQLite database is damaged or is not a database ({0}); nothing is read from it — \
         restore it from a backup: `vuonlen db restore --from FILE`"
    )]
    Malformed(String),
    /// A backup or restore could not be made (a tool missing, a file in the way).
    #[error("sao lưu/khôi phục / backup or restore: {0}")]
    Backup(String),
    #[error("lỗi nâng cấp cơ sở dữ liệu / migration failed: {0}")]
    Migrate(sqlx::migrate::MigrateError),
    #[error("không tìm thấy / not found: {0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("ngoài phạm vi được phân quyền / outside the area you may read: {0}")]
    OutOfScope(String),
    #[error("không có quyền / not allowed: {0}")]
    Forbidden(String),
    /// The audit chain cannot be read or extended (its head row is missing): the log was
    /// tampered with or the schema is damaged. A broken chain found by a check is not an
    /// error but a [`crate::chain::ChainCheck`].
    #[error("chuỗi băm nhật ký thay đổi / audit chain: {0}")]
    Chain(String),
    #[error("chuẩn nghèo / standard: {0}")]
    Standard(#[from] vuonlen_core::StandardError),
    /// A step the review procedure does not allow now (the request is well formed).
    #[error("{vi} / {en}")]
    Refused { vi: String, en: String },
    /// The lists of a commune and period are locked by a decision: changes go through a regular
    /// review round.
    #[error("{vi} / {en}")]
    Locked { vi: String, en: String },
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if is_malformed(&e) {
            StoreError::Malformed(e.to_string())
        } else if is_unavailable(&e) {
            StoreError::Unavailable(e.to_string())
        } else {
            StoreError::Db(e)
        }
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError::Migrate(e)
    }
}

/// Whether an error says the SQLite file is damaged (`SQLITE_CORRUPT`, 11) or not a database
/// (`SQLITE_NOTADB`, 26), with their extended codes.
pub fn is_malformed(e: &sqlx::Error) -> bool {
    match e {
        // SQLite's own errors only: a PostgreSQL SQLSTATE made of digits is no SQLite code.
        sqlx::Error::Database(d) if d.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() => {
            let code = d.code().unwrap_or_default().parse::<i64>().unwrap_or(0);
            matches!(code & 0xff, 11 | 26)
                || d.message().contains("database disk image is malformed")
                || d.message().contains("file is not a database")
        }
        _ => false,
    }
}

/// Whether an error says the database is out of reach for now rather than that the request is
/// wrong: no connection in time, the connection lost, a statement cancelled by its timeout, the
/// server shutting down or full, SQLite's file locked past the busy timeout.
pub fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => true,
        sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(d) => {
            let code = d.code().unwrap_or_default();
            // PostgreSQL: 57014 query_canceled (statement_timeout), 57P01–57P03 shutdown and
            // start-up, 53300 too many connections, class 08 connection exceptions.
            matches!(code.as_ref(), "57014" | "57P01" | "57P02" | "57P03" | "53300")
                || code.starts_with("08")
                // SQLite: SQLITE_BUSY (5) and SQLITE_LOCKED (6), with their extended codes.
                || (d.message().contains("database is locked") || d.message().contains("database table is locked"))
        }
        _ => false,
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
