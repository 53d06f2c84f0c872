//! Errors that stop reading or writing. Problems in the data itself are not errors of this
//! kind: they are collected in a [`crate::ReadReport`].

use std::path::PathBuf;

/// Reading could not go on (the data's own problems are in the report, not here).
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// A file cannot be opened (missing, no permission).
    #[error("Không mở được tệp / Cannot open file {path}: {source}")]
    Open { path: PathBuf, source: std::io::Error },
    /// Reading failed midway.
    #[error("Lỗi khi đọc tệp / Error while reading {path}: {message}")]
    Io { path: PathBuf, message: String },
    /// The file is UTF-16 (as Excel's "Unicode Text" saves it), not UTF-8.
    #[error(
        "Tệp {path} được mã hoá UTF-16; hãy lưu lại dạng CSV UTF-8 / The file {path} is UTF-16; save it as UTF-8 CSV"
    )]
    Utf16 { path: PathBuf },
    /// The header row is not UTF-8 text (another encoding, such as Windows-1258).
    #[error(
        "Tệp {path} không phải văn bản UTF-8; hãy lưu lại dạng CSV UTF-8 / The file {path} is not UTF-8 text; save it as UTF-8 CSV"
    )]
    NotUtf8 { path: PathBuf },
    /// A record longer than [`crate::MAX_RECORD_BYTES`]: reading stops there.
    #[error(
        "Tệp {path}, dòng {row}: bản ghi dài hơn {max} byte, không đọc tiếp / File {path}, row {row}: the record is longer than {max} bytes; reading stopped"
    )]
    RecordTooLong { path: PathBuf, row: u64, max: usize },
    /// The workbook is not a readable XLSX file.
    #[error("Không đọc được sổ tính Excel / Cannot read the Excel workbook {path}: {message}")]
    Workbook { path: PathBuf, message: String },
    /// The sink returned an error.
    #[error("Nơi nhận dữ liệu báo lỗi / The receiver of the households failed: {0}")]
    Sink(#[from] SinkError),
    /// A bug: a reading thread panicked or could not start.
    #[error("Lỗi nội bộ / Internal error: {0}")]
    Internal(String),
}

/// An error raised by a [`crate::HouseholdSink`]; it stops the read.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SinkError(pub Box<dyn std::error::Error + Send + Sync>);

impl SinkError {
    /// Wraps any error or message.
    pub fn new(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        SinkError(e.into())
    }
}

/// Writing failed.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// Creating or writing a file failed.
    #[error("Không ghi được tệp / Cannot write file {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    /// The XLSX writer failed.
    #[error("Không ghi được sổ tính Excel / Cannot write Excel workbook {path}: {source}")]
    Xlsx { path: PathBuf, source: rust_xlsxwriter::XlsxError },
    /// More rows than a worksheet can hold.
    #[error(
        "Trang tính {sheet} vượt quá 1.048.576 dòng của Excel; hãy dùng CSV / Sheet {sheet} exceeds Excel's 1,048,576 rows; use CSV"
    )]
    TooManyRows { sheet: String },
    /// The target is not a file (tables in memory are read, not written).
    #[error("Đích ghi không phải là tệp / The target is not a file")]
    NotAFile,
}
