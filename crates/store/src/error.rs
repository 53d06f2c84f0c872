//! Errors of the registry.

/// Anything that can go wrong reading or writing the registry.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "không hiểu địa chỉ cơ sở dữ liệu / database URL not understood: '{0}' (expected sqlite://FILE or postgres://…)"
    )]
    Url(String),
    #[error("lỗi cơ sở dữ liệu / database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("lỗi nâng cấp cơ sở dữ liệu / migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("không tìm thấy / not found: {0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("ngoài phạm vi được phân quyền / outside the area you may read: {0}")]
    OutOfScope(String),
    #[error("không có quyền / not allowed: {0}")]
    Forbidden(String),
    #[error("chuẩn nghèo / standard: {0}")]
    Standard(#[from] vuonlen_core::StandardError),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
