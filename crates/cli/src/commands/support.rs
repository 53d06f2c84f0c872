//! `vuonlen support` — support received (*hỗ trợ đã nhận*): `check` or `import` the lists
//! agencies keep (CSV, XLSX; refused whole, every problem located), `show` a household's.

use crate::commands::registry::Ctx;
use crate::report;
use anyhow::{Context, Result};
use std::path::PathBuf;
use std::process::ExitCode;
use vuonlen_app::import::Finish;
use vuonlen_app::support::record_support_table;

#[derive(Debug, clap::Subcommand)]
pub enum SupportCommand {
    /// Check a support table; write nothing.
    Check(FileArgs),
    /// Record a support table (refused whole if any row has a problem).
    Import(FileArgs),
    /// A household's support records.
    Show(ShowArgs),
}

#[derive(Debug, clap::Args)]
pub struct FileArgs {
    #[arg(long)]
    pub file: PathBuf,
    #[arg(long, value_name = "E.csv")]
    pub errors_out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The commune the household was recorded in.
    #[arg(long)]
    pub commune: String,
    #[arg(long)]
    pub household: String,
}

pub fn run(ctx: Ctx, cmd: SupportCommand) -> Result<ExitCode> {
    match cmd {
        SupportCommand::Check(a) => table(ctx, a, Finish::CheckOnly),
        SupportCommand::Import(a) => table(ctx, a, Finish::Commit),
        SupportCommand::Show(a) => ctx.block_on(async {
            let db = ctx.open().await?;
            let reg = db.unscoped();
            let id = reg.household_id_of(&a.commune, &a.household).await?.with_context(|| {
                format!("không có hộ {} / no household {} of {}", a.household, a.household, a.commune)
            })?;
            println!("delivered_on\tkind\tgroup\tmember_no\tamount\tproject_code\tsource");
            for r in reg.support_of(id).await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    r.delivered_on,
                    r.kind,
                    r.group,
                    r.member_no.map(|m| m.to_string()).unwrap_or_default(),
                    r.amount.map(|m| m.to_string()).unwrap_or_default(),
                    r.project_code.unwrap_or_default(),
                    r.source.unwrap_or_default()
                );
            }
            Ok(ExitCode::SUCCESS)
        }),
    }
}

fn table(ctx: Ctx, a: FileArgs, finish: Finish) -> Result<ExitCode> {
    let standards = vuonlen_core::Standards::embedded()?;
    let actor = if finish == Finish::Commit { ctx.actor()? } else { String::new() };
    let errors_path = a.errors_out.unwrap_or_else(|| PathBuf::from("support.errors.csv"));
    ctx.block_on(async {
        let db = ctx.open().await?;
        let done = record_support_table(&db.unscoped(), &standards, a.file, &actor, "support import", finish).await?;
        let read = &done.file.report;
        if !read.is_clean() {
            report::write_errors(read, &errors_path)?;
            report::print_refusal_whole(read, &errors_path);
            return Ok(ExitCode::FAILURE);
        }
        match done.recorded {
            Some(k) => eprintln!("Đã ghi {k} bản ghi hỗ trợ / Recorded {k} support records."),
            None => eprintln!(
                "Bảng hợp lệ: {0} bản ghi; chưa ghi / The table is valid: {0} records; nothing recorded.",
                done.records
            ),
        }
        Ok(ExitCode::SUCCESS)
    })
}
