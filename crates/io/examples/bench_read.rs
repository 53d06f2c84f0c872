//! Reads an interchange file and reports throughput; optionally classifies every household as
//! `vuonlen classify` does (without writing output).
//!
//! `cargo run --release -p vuonlen-io --example bench_read -- DIR [classify] [out.csv]`

use std::path::PathBuf;
use std::time::Instant;
use vuonlen_io::{ClassificationWriter, HouseholdRecord, HouseholdSink, OutputFormat, ReadOptions, SinkError, Source};

struct Sink {
    std: Option<std::sync::Arc<vuonlen_core::Standard>>,
    at: chrono::NaiveDate,
    out: Option<ClassificationWriter>,
    households: u64,
    members: u64,
    poor: u64,
}

impl HouseholdSink for Sink {
    fn accept(&mut self, batch: Vec<HouseholdRecord>) -> Result<(), SinkError> {
        for r in &batch {
            self.households += 1;
            self.members += r.household.members.len() as u64;
            if let Some(std) = &self.std {
                let c = vuonlen_core::classify(std, &r.household, self.at).map_err(SinkError::new)?;
                self.poor += u64::from(c.class == vuonlen_core::Class::Poor);
                if let Some(w) = &mut self.out {
                    w.write_record(std, r, &c).map_err(SinkError::new)?;
                }
            }
        }
        Ok(())
    }
    fn reset(&mut self) -> Result<(), SinkError> {
        self.households = 0;
        self.members = 0;
        self.poor = 0;
        Ok(())
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let dir = PathBuf::from(args.get(1).map(String::as_str).unwrap_or("bench-data"));
    let classify = args.get(2).is_some_and(|a| a == "classify");
    let xlsx = dir.join("households.xlsx");
    let source = if xlsx.exists() {
        Source::Xlsx { workbook: xlsx }
    } else {
        Source::Csv { households: dir.join("households.csv"), members: dir.join("members.csv") }
    };
    let bytes: u64 = source.paths().iter().map(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)).sum();
    let at = chrono::NaiveDate::from_ymd_opt(2025, 12, 31).ok_or("date")?;
    let std = if classify { Some(vuonlen_core::Standards::embedded()?.get("2022-2025")?) } else { None };
    let out = match args.get(3) {
        Some(p) => Some(ClassificationWriter::create(p.as_ref(), OutputFormat::from_path(p.as_ref()), false)?),
        None => None,
    };
    let mut sink = Sink { std, at, out, households: 0, members: 0, poor: 0 };
    let opts = ReadOptions { as_of: at, keep_personal: false, skip_invalid: true, require_waste_treatment: false };
    let t = Instant::now();
    let report = vuonlen_io::read(&source, &opts, &mut sink)?;
    if let Some(w) = sink.out.take() {
        w.finish()?;
    }
    let s = t.elapsed().as_secs_f64();
    println!(
        "{} households, {} members ({} errors, {} warnings, in-memory join: {}), poor {}: {:.2} s, {:.0} households/s, {:.0} MB/s",
        sink.households,
        sink.members,
        report.errors.len() as u64 + report.errors_omitted,
        report.warnings.len() as u64 + report.warnings_omitted,
        report.in_memory_join,
        sink.poor,
        s,
        sink.households as f64 / s,
        bytes as f64 / 1e6 / s
    );
    for p in report.errors.iter().take(5) {
        println!("  {p}");
    }
    Ok(())
}
