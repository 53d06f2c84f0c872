//! Importing a review period (*nhập dữ liệu kỳ rà soát*) from the interchange format: one
//! streaming path for the command line and the web upload.
//!
//! The files are read on a thread of their own, which also prepares each household (rows, hash,
//! classification) so that the two cores share the work; batches go through a bounded channel
//! into one transaction of the registry. Memory stays bounded by the batches, whatever the size
//! of the files. When the reader falls back to its in-memory join (members out of order), the
//! transaction started so far is rolled back and begun again.

use crate::error::AppError;
use vuonlen_io::{HouseholdRecord, HouseholdSink, ReadOptions, ReadReport, SinkError, Source};
use vuonlen_store::Registry;
use vuonlen_store::import::{ImportSpec, ImportSummary, Prepared, Preparer};

/// What to do once every household is in the transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// Keep it (when the registry finds no conflict).
    Commit,
    /// Find the registry's conflicts, then roll back: a dry run.
    CheckOnly,
}

/// The outcome of an import.
#[derive(Debug)]
pub struct Imported {
    /// What the reader found, with the registry's conflicts added (located in the files).
    pub report: ReadReport,
    /// `None` when the files had errors (and invalid households were not to be skipped):
    /// nothing was written.
    pub summary: Option<ImportSummary>,
}

impl Imported {
    /// Whether the registry changed.
    pub fn committed(&self) -> bool {
        self.summary.as_ref().is_some_and(|s| s.committed)
    }
}

enum Msg {
    Batch(Vec<Prepared>),
    Reset,
}

/// Hands read records, prepared on the reading thread, to the importer.
struct ChannelSink {
    tx: tokio::sync::mpsc::Sender<Msg>,
    preparer: Preparer,
}

impl HouseholdSink for ChannelSink {
    fn accept(&mut self, batch: Vec<HouseholdRecord>) -> Result<(), SinkError> {
        let prepared = batch.into_iter().map(|r| self.preparer.prepare(r)).collect();
        self.tx.blocking_send(Msg::Batch(prepared)).map_err(|_| SinkError::new("the registry stopped"))
    }
    fn reset(&mut self) -> Result<(), SinkError> {
        self.tx.blocking_send(Msg::Reset).map_err(|_| SinkError::new("the registry stopped"))
    }
}

/// Imports `source` into the period of `spec`, writing only what `registry` may change.
/// `progress` is called with the number of households pushed so far.
pub async fn import_period(
    registry: &Registry,
    source: Source,
    opts: ReadOptions,
    spec: ImportSpec,
    finish: Finish,
    mut progress: impl FnMut(u64) + Send,
) -> Result<Imported, AppError> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Msg>(4);
    let preparer = Preparer::new(&spec);
    let reader_source = source.clone();
    let skip_invalid = opts.skip_invalid;
    let reader = tokio::task::spawn_blocking(move || {
        let mut sink = ChannelSink { tx, preparer };
        vuonlen_io::read(&reader_source, &opts, &mut sink)
    });
    let mut importer = Some(registry.begin_import(spec.clone()).await?);
    let mut done: u64 = 0;
    let mut failed = None;
    while let Some(msg) = rx.recv().await {
        let Some(imp) = importer.as_mut() else { continue };
        let step = match msg {
            Msg::Batch(b) => {
                let n = b.len() as u64;
                let r = imp.push_prepared(b).await;
                done += n;
                progress(done);
                r
            }
            Msg::Reset => {
                done = 0;
                match importer.take() {
                    Some(old) => match old.abort().await {
                        Ok(()) => registry.begin_import(spec.clone()).await.map(|fresh| {
                            importer = Some(fresh);
                        }),
                        Err(e) => Err(e),
                    },
                    None => Ok(()),
                }
            }
        };
        if let Err(e) = step {
            // Stop the reader (its sends fail once the receiver is gone) and roll back.
            failed = Some(e);
            rx.close();
        }
    }
    let read = reader.await.map_err(|e| AppError::Internal(format!("the reading thread failed: {e}")));
    if let Some(e) = failed {
        if let Some(imp) = importer {
            let _ = imp.abort().await;
        }
        return Err(e.into());
    }
    let Some(importer) = importer else {
        return Err(AppError::Internal("the import stopped".into()));
    };
    let mut report = match read.and_then(|r| r.map_err(AppError::from)) {
        Ok(r) => r,
        Err(e) => {
            let _ = importer.abort().await;
            return Err(e);
        }
    };
    if !report.is_clean() && !skip_invalid {
        importer.abort().await?;
        return Ok(Imported { report, summary: None });
    }
    let summary = match finish {
        Finish::Commit => importer.finish().await?,
        Finish::CheckOnly => importer.check().await?,
    };
    vuonlen_store::import_problems::add_registry_problems(&mut report, &summary, &source);
    Ok(Imported { report, summary: Some(summary) })
}
