//! `vuonlen totals` — a period's resident households and persons per commune (*số hộ dân cư,
//! nhân khẩu*), the base of every rate: `check` reads and checks a file, `import` records it.

use crate::commands::registry::Ctx;
use crate::report;
use anyhow::{Context, Result};
use std::path::PathBuf;
use std::process::ExitCode;
use vuonlen_app::coverage::record_totals;
use vuonlen_app::import::Finish;

#[derive(Debug, clap::Subcommand)]
pub enum TotalsCommand {
    /// Check a totals file against the registry; write nothing.
    Check(TotalsArgs),
    /// Record a totals file (refused whole if any row has a problem).
    Import(TotalsArgs),
}

#[derive(Debug, clap::Args)]
pub struct TotalsArgs {
    /// Review period (year) the totals belong to.
    #[arg(long)]
    pub period: i64,
    /// CSV or XLSX: `commune_code,households,persons[,source]` (Vietnamese headers accepted:
    /// Mã xã, Số hộ dân cư, Số nhân khẩu, Nguồn); an optional total row (Tổng, Tổng cộng, Cộng).
    #[arg(long, value_name = "F.csv|F.xlsx")]
    pub file: PathBuf,
    /// Error file (CSV or XLSX). Default: `totals-PERIOD.errors.csv`.
    #[arg(long, value_name = "E.csv")]
    pub errors_out: Option<PathBuf>,
}

pub fn run(ctx: Ctx, cmd: TotalsCommand) -> Result<ExitCode> {
    let (args, finish) = match cmd {
        TotalsCommand::Check(a) => (a, Finish::CheckOnly),
        TotalsCommand::Import(a) => (a, Finish::Commit),
    };
    let errors_path =
        args.errors_out.clone().unwrap_or_else(|| PathBuf::from(format!("totals-{}.errors.csv", args.period)));
    let actor = if finish == Finish::Commit { ctx.actor()? } else { String::new() };
    ctx.block_on(async {
        let db = ctx.open().await?;
        let period = vuonlen_store::period::get(&db, args.period)
            .await?
            .with_context(|| format!("không có kỳ {0} / no period {0} in the registry", args.period))?;
        let done = record_totals(&db.unscoped(), &period, args.file.clone(), &actor, "totals import", finish).await?;
        let read = &done.totals.report;
        if !read.is_clean() {
            report::write_errors(read, &errors_path)?;
            report::print_refusal_whole(read, &errors_path);
            return Ok(ExitCode::FAILURE);
        }
        let communes = done.totals.rows.len();
        let (h, p): (u64, u64) =
            done.totals.rows.iter().fold((0, 0), |(h, p), r| (h + r.households, p + r.persons));
        match done.recorded {
            Some(n) => eprintln!(
                "Đã ghi số dân cư kỳ {} cho {n} xã ({h} hộ, {p} nhân khẩu) / Recorded period {} resident totals of {n} communes ({h} households, {p} persons).",
                period.year, period.year
            ),
            None => eprintln!(
                "Tệp hợp lệ: {communes} xã ({h} hộ, {p} nhân khẩu); chưa ghi / The file is valid: {communes} communes ({h} households, {p} persons); nothing recorded."
            ),
        }
        Ok(ExitCode::SUCCESS)
    })
}
