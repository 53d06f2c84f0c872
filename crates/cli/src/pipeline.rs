//! Read → classify → consume, with the classification and the consumer (a file writer or a
//! tally) on a worker thread so they overlap with parsing. Used by `classify` and `summary`.

use crate::progress;
use anyhow::{Result, anyhow};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use vuonlen_core::{Classification, ClassifyError, Standard, classify};
use vuonlen_io::{HouseholdRecord, HouseholdSink, ReadOptions, ReadReport, SinkError, Source};

/// What happens to each classified household.
pub trait Consumer: Send {
    /// One household and its classification (or why it could not be classified).
    fn consume(&mut self, rec: &HouseholdRecord, result: Result<Classification, ClassifyError>) -> Result<()>;
    /// Forget everything consumed: the reader starts again from the first household.
    fn reset(&mut self) -> Result<()>;
}

enum Msg {
    Batch(Vec<HouseholdRecord>),
    Reset,
}

/// Batches in flight from the reader to the worker, and back.
const IN_FLIGHT: usize = 8;

struct ChannelSink {
    tx: SyncSender<Msg>,
    /// Batches the worker is done with, for the reader to fill again.
    back: Receiver<Vec<HouseholdRecord>>,
    progress: indicatif::ProgressBar,
}

impl HouseholdSink for ChannelSink {
    fn accept(&mut self, batch: Vec<HouseholdRecord>) -> Result<(), SinkError> {
        self.progress.inc(batch.len() as u64);
        self.tx.send(Msg::Batch(batch)).map_err(|_| SinkError::new("the classification worker stopped"))
    }
    fn reset(&mut self) -> Result<(), SinkError> {
        self.progress.set_position(0);
        self.tx.send(Msg::Reset).map_err(|_| SinkError::new("the classification worker stopped"))
    }
    fn recycle(&mut self) -> Option<Vec<HouseholdRecord>> {
        self.back.try_recv().ok()
    }
}

/// Reads `source`, classifies every valid household under `std` at `opts.as_of`, and hands
/// each to `consumer` on a worker thread. Returns the read report and the consumer.
pub fn run<C: Consumer + 'static>(
    source: &Source,
    opts: &ReadOptions,
    std: Arc<Standard>,
    consumer: C,
    message: &str,
) -> Result<(ReadReport, C)> {
    let (tx, rx) = sync_channel::<Msg>(IN_FLIGHT);
    let (back_tx, back) = sync_channel::<Vec<HouseholdRecord>>(IN_FLIGHT);
    let as_of = opts.as_of;
    let worker = std::thread::spawn(move || -> Result<C> {
        let mut consumer = consumer;
        for msg in rx {
            match msg {
                Msg::Batch(batch) => {
                    for rec in &batch {
                        consumer.consume(rec, classify(&std, &rec.household, as_of))?;
                    }
                    // Handed back to be filled again (freed here when the reader has enough).
                    let _ = back_tx.try_send(batch);
                }
                Msg::Reset => consumer.reset()?,
            }
        }
        Ok(consumer)
    });
    let progress = progress::households(message, None);
    let mut sink = ChannelSink { tx, back, progress: progress.clone() };
    let read = vuonlen_io::read(source, opts, &mut sink);
    drop(sink);
    progress.finish_and_clear();
    let consumer = worker.join().map_err(|_| anyhow!("the classification worker panicked"))?;
    // A worker error explains a sink error, so report it first.
    let consumer = consumer?;
    Ok((read?, consumer))
}
