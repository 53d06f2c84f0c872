//! The application layer (*nghiệp vụ*): the use cases of the registry, between the store and
//! the readers below and the command line, the pages and the API above. Each caller turns its
//! input (arguments, a form, a JSON body, an upload) into the same call and the outcome into
//! its own output; none of them repeats the flow.
//!
//! - [`import`]: a review period from the interchange format, streamed (reading on a thread of
//!   its own, batches into one transaction), checked only or committed;
//! - [`edit`]: a household's answers from tables in memory, checked by the file reader's rules,
//!   and saved in one transaction with the version it was read at;
//! - [`report`]: an official form for a unit and period, to a file or to memory.
//!
//! Blocking and CPU-heavy work (reading and parsing files, classifying) runs off the async
//! threads.

pub mod activities;
pub mod answers;
pub mod beneficiary;
pub mod budgets;
pub mod coverage;
pub mod edit;
pub mod error;
pub mod helpers;
pub mod import;
pub mod income;
pub mod jobs;
pub mod models;
pub mod monitoring;
pub mod plans;
pub mod progress;
pub mod report;
pub mod review;
pub mod score;
pub mod support;
pub mod support_coverage;
pub mod targets;

pub use error::AppError;
