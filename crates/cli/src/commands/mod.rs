pub mod classify;
pub mod form;
pub mod import;
pub mod registry;
pub mod standards;
pub mod summary;
pub mod synth;
pub mod web;
