//! What a parsing thread shares with the joining thread: the packets it sends and the state
//! common to both parsers (file location, problems, row count).

use crate::header::{ColumnSpec, Columns, HeaderIssue};
use crate::problems::{Collector, FileCtx, Msg, Problem, ProblemKind, Severity, msg};
use crate::rows::Start;
use std::ops::ControlFlow;
use std::sync::mpsc::SyncSender;

/// What a parsing thread sends.
pub(crate) enum Packet<T> {
    /// First packet: where the file is, whether rows can be joined (the household_id column
    /// exists), and the header of each column of the format as written (or its key).
    Start { ctx: FileCtx, usable: bool, names: Vec<String> },
    /// Rows, in file order.
    Batch(T),
}

/// State of one parsing thread.
pub(crate) struct Side<T> {
    pub ctx: FileCtx,
    pub problems: Collector,
    pub rows: u64,
    tx: SyncSender<Packet<T>>,
}

impl<T> Side<T> {
    pub fn new(tx: SyncSender<Packet<T>>) -> Self {
        Side { ctx: FileCtx::default(), problems: Collector::default(), rows: 0, tx }
    }

    /// Records where the file is; returns the header, or records why there is none.
    pub fn start_header(&mut self, ctx: FileCtx, start: Start) -> Option<(u64, Vec<String>)> {
        self.ctx = ctx;
        match start {
            Start::Header { row, cells } => Some((row, cells)),
            Start::Empty => {
                self.file_problem(0, String::new(), ProblemKind::EmptyFile, msg::empty_file());
                None
            }
            Start::MissingSheet { names } => {
                self.file_problem(0, String::new(), ProblemKind::MissingSheet, msg::missing_sheet(&names));
                None
            }
        }
    }

    /// Records a problem about the file or its header (not about a data row).
    pub fn file_problem(&mut self, row: u64, column: String, kind: ProblemKind, m: Msg) {
        let severity = if kind == ProblemKind::UnknownColumn { Severity::Warning } else { Severity::Error };
        let ctx = &self.ctx;
        self.problems.push(severity, || Problem {
            kind,
            file: ctx.file.clone(),
            sheet: ctx.sheet.clone(),
            row,
            column,
            value: String::new(),
            household_code: None,
            message_vi: m.vi,
            message_en: m.en,
        });
    }

    pub fn header_issue(&mut self, row: u64, specs: &[ColumnSpec], cols: &Columns, issue: HeaderIssue) {
        match issue {
            HeaderIssue::Unknown { name } => {
                let m = msg::unknown_column(&name);
                self.file_problem(row, name, ProblemKind::UnknownColumn, m);
            }
            HeaderIssue::Duplicate { spec, name } => {
                let m = msg::duplicate_column(specs[spec].key, &cols.names[spec]);
                self.file_problem(row, name, ProblemKind::DuplicateColumn, m);
            }
        }
    }

    pub fn missing_column(&mut self, row: u64, spec: &ColumnSpec) {
        let m = msg::missing_column(spec.label_vi, spec.key);
        self.file_problem(row, spec.key.to_string(), ProblemKind::MissingColumn, m);
    }

    pub fn missing_income_columns(&mut self, row: u64) {
        let m = msg::missing_income_columns();
        self.file_problem(row, "income_per_capita".into(), ProblemKind::MissingColumn, m);
    }

    /// Sends the first packet.
    pub fn announce(&mut self, usable: bool, names: Vec<String>) -> ControlFlow<()> {
        match self.tx.send(Packet::Start { ctx: self.ctx.clone(), usable, names }) {
            Ok(()) => ControlFlow::Continue(()),
            Err(_) => ControlFlow::Break(()),
        }
    }

    /// Sends a batch; `Break` when the joining thread has stopped listening.
    pub fn send(&mut self, batch: T) -> ControlFlow<()> {
        match self.tx.send(Packet::Batch(batch)) {
            Ok(()) => ControlFlow::Continue(()),
            Err(_) => ControlFlow::Break(()),
        }
    }

    pub fn finish(self) -> (Collector, u64) {
        (self.problems, self.rows)
    }
}
