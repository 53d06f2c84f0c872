//! vuonlen core: the domain of Viet Nam's multidimensional poverty standard.
//!
//! Pure and I/O-free: households and members ([`household`]), coded answers ([`codes`]),
//! poverty standards as data ([`standard`]), classification ([`classify`]), Alkire–Foster
//! measures ([`measures`]), unit aggregates ([`summary`]), administrative units ([`units`]),
//! and Vietnamese text handling ([`text`]).

pub mod budget;
pub mod citizen_id;
pub mod classify;
pub mod codes;
pub mod collate;
pub mod eligibility;
pub mod ethnicity;
pub mod household;
pub mod indicators;
pub mod labour;
pub mod measures;
pub mod monitoring;
pub mod movement;
pub mod projects;
pub mod provision;
pub mod report;
pub mod review;
mod rules;
pub mod schema;
pub mod score_table;
pub mod standard;
pub mod summary;
pub mod support;
pub mod targets;
pub mod text;
pub mod units;

pub use classify::{
    Class, Classification, ClassifyError, ExplainKey, IncomeTest, IndicatorSet, classify, explain, explain_into,
};
pub use household::{BirthDate, Household, Member};
pub use standard::{Standard, StandardError, StandardSelection, Standards};
