pub mod classify;
pub mod standards;
pub mod summary;
pub mod synth;
