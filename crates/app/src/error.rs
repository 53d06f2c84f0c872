//! What a use case can fail with.

use vuonlen_io::ReadError;
use vuonlen_io::forms::FormError;
use vuonlen_store::StoreError;

/// A use case failed; nothing it was writing was kept.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The registry failed or refused.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The input could not be read at all (a file that cannot be opened, not UTF-8, …).
    #[error(transparent)]
    Read(#[from] ReadError),
    /// A report could not be written.
    #[error(transparent)]
    Report(#[from] FormError),
    /// A reading thread stopped unexpectedly.
    #[error("lỗi nội bộ / internal error: {0}")]
    Internal(String),
}
