//! `vuonlen classify` — one output row per household: class, deprivations, explanation.

use crate::input::{InputArgs, default_errors_path};
use crate::pipeline::{self, Consumer};
use crate::report;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use vuonlen_core::{Class, Classification, ClassifyError, Standard};
use vuonlen_io::{ClassificationWriter, HouseholdRecord, OutputFormat};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output file: CSV, or XLSX by extension.
    #[arg(long, value_name = "OUT.csv|OUT.xlsx")]
    pub out: PathBuf,
    /// Vietnamese column headers in the output.
    #[arg(long)]
    pub header_vi: bool,
}

struct Writer {
    std: Arc<Standard>,
    path: PathBuf,
    format: OutputFormat,
    header_vi: bool,
    writer: Option<ClassificationWriter>,
    by_class: [u64; 4],
    failures: Vec<report::Failure>,
}

impl Writer {
    fn open(&mut self) -> Result<()> {
        self.writer = Some(ClassificationWriter::create(&self.path, self.format, self.header_vi)?);
        Ok(())
    }
}

impl Consumer for Writer {
    fn consume(&mut self, rec: &HouseholdRecord, result: Result<Classification, ClassifyError>) -> Result<()> {
        match result {
            Ok(c) => {
                self.by_class[c.class as usize] += 1;
                if let Some(w) = self.writer.as_mut() {
                    w.write_record(&self.std, rec, &c)?;
                }
            }
            Err(e) => self.failures.push(report::Failure { household_id: rec.household_code.clone(), error: e }),
        }
        Ok(())
    }

    fn reset(&mut self) -> Result<()> {
        self.by_class = [0; 4];
        self.failures.clear();
        self.open()
    }
}

/// A hidden sibling file that becomes `out` only when everything succeeded.
fn partial_path(out: &Path) -> PathBuf {
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    out.with_file_name(format!(".{name}.partial"))
}

pub fn run(args: Args) -> Result<ExitCode> {
    let std = args.input.standard()?;
    let source = args.input.source()?;
    let opts = args.input.read_options(&std);
    let partial = partial_path(&args.out);
    let mut writer = Writer {
        std: std.clone(),
        path: partial.clone(),
        format: OutputFormat::from_path(&args.out),
        header_vi: args.header_vi,
        writer: None,
        by_class: [0; 4],
        failures: Vec::new(),
    };
    writer.open()?;
    let result = pipeline::run(&source, &opts, std.clone(), writer, "Phân loại");
    let (mut read, mut writer) = match result {
        Ok(x) => x,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    report::add_failures(&mut read, &writer.failures, &source);
    let errors_path = args.input.errors.clone().unwrap_or_else(|| default_errors_path(&args.out));

    if !read.is_clean() && !args.input.skip_invalid {
        drop(writer.writer.take());
        let _ = std::fs::remove_file(&partial);
        report::write_errors(&read, &errors_path)?;
        report::print_refusal(&read, &errors_path);
        return Ok(ExitCode::from(2));
    }
    if let Some(w) = writer.writer.take() {
        w.finish()?;
    }
    std::fs::rename(&partial, &args.out).with_context(|| format!("moving output to {}", args.out.display()))?;
    if !read.errors.is_empty() || !read.warnings.is_empty() {
        report::write_errors(&read, &errors_path)?;
    }
    let total: u64 = writer.by_class.iter().sum();
    eprintln!(
        "Đã phân loại {total} hộ theo chuẩn {} ngày {}: {} / Classified {total} households.",
        std.id,
        args.input.as_of.format("%d/%m/%Y"),
        Class::ALL
            .iter()
            .map(|c| format!("{} {}", c.label_vi(), writer.by_class[*c as usize]))
            .collect::<Vec<_>>()
            .join(", "),
    );
    eprintln!("Kết quả / output: {}", args.out.display());
    let unverified = std.unverified_provisions();
    if !unverified.is_empty() {
        eprintln!(
            "Quy định của chuẩn {} chưa xác minh với văn bản gốc / provisions not verified against the official text:",
            std.id
        );
        for (what, citation, status) in unverified {
            eprintln!("  - {what}: {citation} ({})", status.marker_vi());
        }
    }
    report::print_remaining(&read, &errors_path);
    Ok(ExitCode::SUCCESS)
}
