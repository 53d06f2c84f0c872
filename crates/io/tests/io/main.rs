//! Integration tests of vuonlen-io, on real files in `tests/fixtures/` and files written here.

mod classification;
mod common;
mod errors;
mod fast_paths;
mod forms;
mod malformed;
mod order;
mod round_trip;
mod totals;
mod valid;
mod xlsx;
