//! `vuonlen score` — score A of Phiếu B answers with a loaded score table (docs/score-tables.md).
//! No official table is shipped (none is public): the table is a file the operator loads.

use crate::input::registry;
use crate::report;
use anyhow::{Context, Result, bail};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The score table (TOML, `kind = "score_table"`), loaded with the shipped standards.
    #[arg(long, value_name = "TABLE.toml")]
    pub table: PathBuf,
    /// Answers: household_id, commune_code, area and a column per variable of the table (CSV or XLSX).
    #[arg(long, value_name = "F.csv")]
    pub file: PathBuf,
    /// Scores written here (CSV): household_id, commune_code, region, score_a, then each
    /// variable's points.
    #[arg(long, value_name = "S.csv")]
    pub out: PathBuf,
    /// Where every problem goes (default: OUT.errors.csv).
    #[arg(long, value_name = "E.csv")]
    pub errors_out: Option<PathBuf>,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let reg = registry(std::slice::from_ref(&a.table))?;
    let Some(table) = reg.score_tables().next().cloned() else {
        bail!("{} không phải bảng điểm / is not a score table (kind = \"score_table\")", a.table.display());
    };
    eprintln!("Bảng điểm / score table: {} ({})", table.shown_title(), table.id);
    if !table.status.is_verified() {
        eprintln!("  [{}] {}", table.status.marker_vi(), table.citation);
    }
    let file = vuonlen_io::score_answers::score_answers(&a.file, &table)?;
    let errors_path = a.errors_out.clone().unwrap_or_else(|| crate::input::default_errors_path(&a.out));
    if !file.report.errors.is_empty() {
        report::write_errors(&file.report, &errors_path)?;
        report::print_refusal_whole(&file.report, &errors_path);
        return Ok(ExitCode::FAILURE);
    }
    let mut w = csv::Writer::from_path(&a.out).with_context(|| format!("writing {}", a.out.display()))?;
    let mut header = vec!["household_id".to_string(), "commune_code".into(), "region".into(), "score_a".into()];
    header.extend(table.variables.iter().map(|v| format!("{}_points", v.code)));
    header.push("score_table".into());
    w.write_record(&header)?;
    for h in &file.scored {
        let mut rec =
            vec![h.household_id.clone(), h.commune_code.clone(), h.score.region.clone(), h.score.total.to_string()];
        for v in &table.variables {
            rec.push(h.score.parts.iter().find(|p| p.0 == v.code).map(|p| p.2.to_string()).unwrap_or_default());
        }
        rec.push(table.id.clone());
        w.write_record(&rec)?;
    }
    w.flush()?;
    eprintln!("{} hộ đã chấm điểm A / households scored: {}", file.scored.len(), a.out.display());
    Ok(ExitCode::SUCCESS)
}
