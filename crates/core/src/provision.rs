//! Legal provenance of every number the standards use.

use serde::{Deserialize, Serialize};

/// How far a provision has been checked (the domain reference's tags).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Seen in the legal text or an official excerpt.
    Verified,
    /// Seen only in a secondary source.
    Secondary,
    /// Not checked against the official text.
    Unverified,
}

impl Status {
    pub fn is_verified(self) -> bool {
        self == Status::Verified
    }

    /// Short Vietnamese marker for users: empty when verified.
    pub fn marker_vi(self) -> &'static str {
        match self {
            Status::Verified => "",
            Status::Secondary => "nguồn thứ cấp, chưa đối chiếu văn bản gốc",
            Status::Unverified => "chưa xác minh với văn bản gốc",
        }
    }
}

/// A number with its legal citation and verification status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provision<T> {
    pub value: T,
    pub citation: String,
    pub status: Status,
    /// Date from which the provision applies, when later than the standard itself.
    #[serde(default)]
    pub from: Option<chrono::NaiveDate>,
    #[serde(default)]
    pub note: Option<String>,
}
