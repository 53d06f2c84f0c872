//! Read → classify → consume. Used by `classify` and `summary`.
//!
//! The reader parses the two files on threads of its own and joins them on the calling thread,
//! which classifies each batch of households and hands it to the consumer (a file writer or a
//! tally) as soon as it is joined: the records are still in that core's cache, and are then
//! filled again with the next households. (A worker thread of its own for the classification
//! was slower on two cores: the records went back and forth between the caches, and one more
//! thread waited on the others.)

use crate::progress;
use anyhow::Result;
use chrono::NaiveDate;
use std::sync::Arc;
use vuonlen_core::{Classification, ClassifyError, Standard, classify};
use vuonlen_io::{HouseholdRecord, HouseholdSink, ReadOptions, ReadReport, SinkError, Source};

/// What happens to each classified household.
pub trait Consumer {
    /// One household and its classification (or why it could not be classified).
    fn consume(&mut self, rec: &HouseholdRecord, result: Result<Classification, ClassifyError>) -> Result<()>;
    /// Forget everything consumed: the reader starts again from the first household.
    fn reset(&mut self) -> Result<()>;
}

/// Classifies each batch and hands it to the consumer, then gives the batch back to the
/// reader to fill again.
struct ClassifyingSink<'s, C> {
    consumer: C,
    std: &'s Standard,
    as_of: NaiveDate,
    /// The consumer's error, which the reader only sees as a [`SinkError`].
    error: Option<anyhow::Error>,
    done: Option<Vec<HouseholdRecord>>,
    progress: indicatif::ProgressBar,
}

impl<C: Consumer> ClassifyingSink<'_, C> {
    fn failed(&mut self, e: anyhow::Error) -> SinkError {
        self.error = Some(e);
        SinkError::new("the classification output failed")
    }
}

impl<C: Consumer> HouseholdSink for ClassifyingSink<'_, C> {
    fn accept(&mut self, batch: Vec<HouseholdRecord>) -> Result<(), SinkError> {
        self.progress.inc(batch.len() as u64);
        for rec in &batch {
            if let Err(e) = self.consumer.consume(rec, classify(self.std, &rec.household, self.as_of)) {
                return Err(self.failed(e));
            }
        }
        self.done = Some(batch);
        Ok(())
    }

    fn reset(&mut self) -> Result<(), SinkError> {
        self.progress.set_position(0);
        match self.consumer.reset() {
            Ok(()) => Ok(()),
            Err(e) => Err(self.failed(e)),
        }
    }

    fn recycle(&mut self) -> Option<Vec<HouseholdRecord>> {
        self.done.take()
    }
}

/// Reads `source`, classifies every valid household under `std` at `opts.as_of`, and hands
/// each to `consumer`. Returns the read report and the consumer.
pub fn run<C: Consumer>(
    source: &Source,
    opts: &ReadOptions,
    std: Arc<Standard>,
    consumer: C,
    message: &str,
) -> Result<(ReadReport, C)> {
    let progress = progress::households(message, None);
    let mut sink =
        ClassifyingSink { consumer, std: &std, as_of: opts.as_of, error: None, done: None, progress: progress.clone() };
    let read = vuonlen_io::read(source, opts, &mut sink);
    progress.finish_and_clear();
    // A consumer error explains a sink error, so report it first.
    if let Some(e) = sink.error {
        return Err(e);
    }
    Ok((read?, sink.consumer))
}
