//! vuonlen store: the household registry (*cơ sở dữ liệu hộ nghèo, hộ cận nghèo*) on SQLite
//! (the embedded default) and PostgreSQL, with one schema and one behaviour on both.
//!
//! - [`Db`]: opens either engine from a URL and applies the versioned migrations.
//! - [`units`]: administrative units with validity dates, lineage, villages.
//! - [`import`]: idempotent, all-or-nothing import of interchange records into a period.
//! - [`audit`]: the append-only change log, sealed in a hash chain ([`chain`]).
//! - [`link`]: splits and merges of households (*tách hộ*, *nhập hộ*).
//!
//! Reads of households go through a [`Scope`]: see [`scope`].

pub mod activities;
pub mod audit;
pub mod backup;
pub mod beneficiary;
pub mod browse;
pub mod budgets;
mod bulk;
pub mod chain;
pub mod classification;
pub mod coverage;
mod db;
mod error;
pub mod helpers;
pub mod import;
pub mod import_problems;
pub mod integrity;
pub mod jobs;
pub mod link;
pub mod models;
pub mod monitoring;
mod movement_cache;
mod name_search;
pub mod period;
pub mod plans;
pub mod reads;
pub mod reclassify;
pub mod review;
pub mod roles;
pub mod rows;
pub mod scope;
pub mod select;
mod sql;
pub mod support;
pub mod support_coverage;
mod tally;
pub mod targets;
#[cfg(feature = "testing")]
pub mod testing;
pub mod units;
pub mod users;

pub use db::{DEFAULT_URL, Db, Engine, Timeouts, redact};
pub use error::{Result, StoreError, is_malformed, is_unavailable};
pub use scope::{Registry, Scope};
pub use select::{RowKey, Selection};
pub use tally::TallyCheck;

/// The current time as ISO 8601 text (UTC), for `created_at` and audit columns.
pub(crate) fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The current time as the store writes it (ISO 8601, UTC), for comparisons with stored times.
pub fn now_text() -> String {
    now()
}

/// A time `hours` from now as the store writes it.
pub fn hours_from_now(hours: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::hours(hours)).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}
