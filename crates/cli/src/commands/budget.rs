//! `vuonlen budget` — the programme's budgets (*kinh phí*): `set` a unit's budget for a project
//! or sub-project over several years, `show` it with its units' roll-up and disbursement,
//! `check` or `import` a budget table (refused whole, every problem located), `export` it.

use crate::commands::registry::Ctx;
use crate::report;
use anyhow::{Context, Result, bail};
use std::path::PathBuf;
use std::process::ExitCode;
use vuonlen_app::budgets::{YearAmounts, budget_overview, budget_table, record_budget_table, set_budget};
use vuonlen_app::import::Finish;
use vuonlen_core::budget::{Amounts, FundSource};
use vuonlen_core::text::format_vnd;

#[derive(Debug, clap::Subcommand)]
pub enum BudgetCommand {
    /// Set a unit's budget for a project from one source, one --allocated per year from --from.
    Set(SetArgs),
    /// Show a unit's budget lines, its units' roll-up and the disbursement against plan.
    Show(ShowArgs),
    /// Check a budget table (every rule, on the registry as it is); write nothing.
    Check(FileArgs),
    /// Record a budget table (refused whole if any row has a problem).
    Import(FileArgs),
    /// Write a unit's lines and its units' as a budget table (CSV or XLSX) that imports back.
    Export(ExportArgs),
}

#[derive(Debug, clap::Args)]
pub struct SetArgs {
    /// VN, a province or a commune (2025 list).
    #[arg(long)]
    pub unit: String,
    /// A project or sub-project of the programme's catalogue (`DA3`, `DA3.TDA1`).
    #[arg(long)]
    pub project: String,
    /// central, local, counterpart, mobilised or policy_credit (or the Vietnamese name).
    #[arg(long)]
    pub source: String,
    /// The first year.
    #[arg(long)]
    pub from: i64,
    /// Đồng allocated, one per year from --from (`--allocated 10000000 --allocated 30000000 …`).
    #[arg(long, required = true)]
    pub allocated: Vec<String>,
    /// Đồng committed, one per year (optional; as many as --allocated).
    #[arg(long)]
    pub committed: Vec<String>,
    /// Đồng disbursed, one per year (optional; as many as --allocated).
    #[arg(long)]
    pub disbursed: Vec<String>,
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    #[arg(long)]
    pub unit: String,
    #[arg(long)]
    pub year: Option<i64>,
}

#[derive(Debug, clap::Args)]
pub struct FileArgs {
    #[arg(long)]
    pub file: PathBuf,
    #[arg(long, value_name = "E.csv")]
    pub errors_out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[arg(long)]
    pub unit: String,
    #[arg(long)]
    pub year: Option<i64>,
    #[arg(long, value_name = "F.xlsx|F.csv")]
    pub out: PathBuf,
    /// English headers (the keys).
    #[arg(long)]
    pub english: bool,
}

fn amounts(list: &[String], what: &str, n: usize) -> Result<Vec<Option<u64>>> {
    if list.is_empty() {
        return Ok(vec![None; n]);
    }
    if list.len() != n {
        bail!(
            "cần {n} giá trị --{what} (một cho mỗi năm) / expected {n} --{what} values (one per year), got {}",
            list.len()
        );
    }
    list.iter()
        .map(|v| {
            vuonlen_io::review_tables::parse_money(v)
                .map(Some)
                .with_context(|| format!("--{what} '{v}': không phải số tiền (đồng) / not an amount of đồng"))
        })
        .collect()
}

pub fn run(ctx: Ctx, cmd: BudgetCommand) -> Result<ExitCode> {
    match cmd {
        BudgetCommand::Set(a) => {
            let source = FundSource::parse(&a.source).with_context(|| {
                format!("'{}' không phải nguồn vốn / is not a source (central, local, counterpart, mobilised, policy_credit)", a.source)
            })?;
            let n = a.allocated.len();
            let allocated = amounts(&a.allocated, "allocated", n)?;
            let committed = amounts(&a.committed, "committed", n)?;
            let disbursed = amounts(&a.disbursed, "disbursed", n)?;
            let years: Vec<YearAmounts> = (0..n)
                .map(|i| YearAmounts {
                    year: a.from + i as i64,
                    amounts: Amounts {
                        allocated: allocated[i].unwrap_or(0),
                        committed: committed[i],
                        disbursed: disbursed[i],
                    },
                })
                .collect();
            let standards = vuonlen_core::Standards::embedded()?;
            let actor = ctx.actor()?;
            ctx.block_on(async {
                let db = ctx.open().await?;
                let done = set_budget(
                    &db.unscoped(),
                    &standards,
                    &a.unit,
                    &a.project,
                    source,
                    &years,
                    a.note.as_deref(),
                    &actor,
                    "budget set",
                )
                .await?;
                match done {
                    Ok(k) => {
                        eprintln!("Đã ghi {k} dòng kinh phí / Recorded {k} budget lines.");
                        Ok(ExitCode::SUCCESS)
                    }
                    Err(why) => {
                        eprintln!("Không ghi kinh phí / Budget not recorded:");
                        for (vi, en) in why.0 {
                            eprintln!("  - {vi} / {en}");
                        }
                        Ok(ExitCode::FAILURE)
                    }
                }
            })
        }
        BudgetCommand::Show(a) => ctx.block_on(async {
            let db = ctx.open().await?;
            let reg = db.unscoped();
            let unit = vuonlen_store::targets::TargetUnit::parse(&a.unit)
                .with_context(|| format!("'{}' không phải mã đơn vị / is not a unit code", a.unit))?;
            let o = budget_overview(&reg, &unit, a.year).await?;
            println!("{} — kinh phí / budget:", unit.name);
            println!("year\tproject\tsource\tallocated\tcommitted\tdisbursed");
            let opt = |v: Option<u64>| v.map(|x| x.to_string()).unwrap_or_default();
            for l in &o.own {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    l.year,
                    l.project_code,
                    l.source.key(),
                    l.amounts.allocated,
                    opt(l.amounts.committed),
                    opt(l.amounts.disbursed)
                );
            }
            if !o.children.is_empty() {
                println!("\nĐơn vị trực thuộc / its units:\nunit_code\tunit_name\tallocated\tdisbursed\tdisbursed_pct");
                for (code, name, s) in &o.children {
                    let rate = s.disbursement_rate().map(|r| format!("{r:.1}")).unwrap_or_default();
                    println!("{code}\t{name}\t{}\t{}\t{rate}", s.allocated, s.disbursed);
                }
            }
            eprintln!(
                "Tổng được giao {} đồng, đã giải ngân {} đồng / allocated {} đồng in total, {} disbursed.",
                format_vnd(o.total_own.allocated as i64),
                format_vnd(o.total_own.disbursed as i64),
                o.total_own.allocated,
                o.total_own.disbursed
            );
            Ok(ExitCode::SUCCESS)
        }),
        BudgetCommand::Check(a) => table(ctx, a, Finish::CheckOnly),
        BudgetCommand::Import(a) => table(ctx, a, Finish::Commit),
        BudgetCommand::Export(a) => ctx.block_on(async {
            let db = ctx.open().await?;
            let unit = vuonlen_store::targets::TargetUnit::parse(&a.unit)
                .with_context(|| format!("'{}' không phải mã đơn vị / is not a unit code", a.unit))?;
            let (header, rows) = budget_table(&db.unscoped(), &unit, a.year, a.english).await?;
            vuonlen_io::write_plain_table(&a.out, "kinh-phi", &header, &rows)?;
            eprintln!("Đã ghi {} dòng vào {} / wrote {} lines.", rows.len(), a.out.display(), rows.len());
            Ok(ExitCode::SUCCESS)
        }),
    }
}

fn table(ctx: Ctx, a: FileArgs, finish: Finish) -> Result<ExitCode> {
    let standards = vuonlen_core::Standards::embedded()?;
    let actor = if finish == Finish::Commit { ctx.actor()? } else { String::new() };
    let errors_path = a.errors_out.unwrap_or_else(|| PathBuf::from("budget.errors.csv"));
    ctx.block_on(async {
        let db = ctx.open().await?;
        let done = record_budget_table(&db.unscoped(), &standards, a.file, &actor, "budget import", finish).await?;
        let read = &done.file.report;
        if !read.is_clean() {
            report::write_errors(read, &errors_path)?;
            report::print_refusal_whole(read, &errors_path);
            return Ok(ExitCode::FAILURE);
        }
        match done.recorded {
            Some(k) => eprintln!("Đã ghi {k} dòng kinh phí / Recorded {k} budget lines."),
            None => eprintln!(
                "Bảng hợp lệ: {0} dòng; chưa ghi / The table is valid: {0} lines; nothing recorded.",
                done.lines
            ),
        }
        Ok(ExitCode::SUCCESS)
    })
}
