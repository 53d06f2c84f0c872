//! `vuonlen helpers` — helpers and commitments (*cán bộ giúp đỡ, đăng ký thoát nghèo, cam kết*):
//! `assign` a cadre of an agency to a poor or near-poor household (ending its current
//! assignment), record a `visit`, the household's escape `register`ation for a year and its
//! signed `commit`ment, `show` a household's, print or write the `progress` per helper and per
//! agency of a unit in a year. Households by `--commune CODE --household CODE`, as recorded.

use crate::commands::registry::Ctx;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use std::path::PathBuf;
use std::process::ExitCode;
use vuonlen_app::helpers::{HelpEntry, helper_progress, progress_table, record_help};

#[derive(Debug, clap::Subcommand)]
pub enum HelpersCommand {
    /// Assign a cadre of an agency to a poor or near-poor household (ends its current assignment).
    Assign(AssignArgs),
    /// Record a visit of the household's helper.
    Visit(VisitArgs),
    /// Record the household's registration to escape poverty in a year.
    Register(RegisterArgs),
    /// Record the household's signed commitment for a year.
    Commit(CommitArgs),
    /// A household's helpers, visits, registrations and commitments.
    Show(HouseholdArgs),
    /// Progress per helper and per agency of a unit in a year (printed, or --out F.xlsx|F.csv).
    Progress(ProgressArgs),
}

#[derive(Debug, clap::Args)]
pub struct HouseholdArgs {
    /// The commune the household was recorded in.
    #[arg(long)]
    pub commune: String,
    #[arg(long)]
    pub household: String,
}

#[derive(Debug, clap::Args)]
pub struct AssignArgs {
    #[command(flatten)]
    pub household: HouseholdArgs,
    /// The cadre's full name (cán bộ, đảng viên giúp đỡ).
    #[arg(long)]
    pub cadre: String,
    #[arg(long)]
    pub position: Option<String>,
    /// The cadre's agency (cơ quan, đơn vị).
    #[arg(long)]
    pub agency: String,
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub from: NaiveDate,
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub to: Option<NaiveDate>,
}

#[derive(Debug, clap::Args)]
pub struct VisitArgs {
    #[command(flatten)]
    pub household: HouseholdArgs,
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub on: NaiveDate,
    /// What was discussed.
    #[arg(long)]
    pub note: String,
    /// What the household needs.
    #[arg(long)]
    pub needs: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct RegisterArgs {
    #[command(flatten)]
    pub household: HouseholdArgs,
    #[arg(long)]
    pub year: i64,
    /// The household's planned measures.
    #[arg(long)]
    pub measures: String,
}

#[derive(Debug, clap::Args)]
pub struct CommitArgs {
    #[command(flatten)]
    pub household: HouseholdArgs,
    #[arg(long)]
    pub year: i64,
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub signed_on: NaiveDate,
    #[arg(long)]
    pub content: String,
}

#[derive(Debug, clap::Args)]
pub struct ProgressArgs {
    /// VN, a province (2 digits) or a commune (5 digits) of the 2025 list.
    #[arg(long)]
    pub unit: String,
    #[arg(long)]
    pub year: i64,
    #[arg(long, value_name = "F.xlsx|F.csv")]
    pub out: Option<PathBuf>,
}

/// The household of `a` in the registry.
async fn household_of(reg: &vuonlen_store::Registry, a: &HouseholdArgs) -> Result<i64> {
    reg.household_id_of(&a.commune, &a.household).await?.with_context(|| {
        format!("không có hộ {} của xã {} / no household {} of {}", a.household, a.commune, a.household, a.commune)
    })
}

fn record(ctx: &Ctx, household: &HouseholdArgs, entry: HelpEntry, command: &str) -> Result<ExitCode> {
    let actor = ctx.actor()?;
    ctx.block_on(async {
        let db = ctx.open().await?;
        let reg = db.unscoped();
        let id = household_of(&reg, household).await?;
        match record_help(&reg, id, &entry, &actor, command).await? {
            Ok(()) => {
                eprintln!("Đã ghi / Recorded.");
                Ok(ExitCode::SUCCESS)
            }
            Err(why) => {
                eprintln!("Không ghi / Not recorded:");
                for (vi, en) in why {
                    eprintln!("  - {vi} / {en}");
                }
                Ok(ExitCode::FAILURE)
            }
        }
    })
}

pub fn run(ctx: Ctx, cmd: HelpersCommand) -> Result<ExitCode> {
    match cmd {
        HelpersCommand::Assign(a) => {
            let e = HelpEntry::Assign {
                cadre_name: a.cadre,
                cadre_position: a.position,
                agency: a.agency,
                starts_on: Some(a.from),
                ends_on: a.to,
            };
            record(&ctx, &a.household, e, "helpers assign")
        }
        HelpersCommand::Visit(a) => {
            let e = HelpEntry::Visit { visited_on: Some(a.on), note: a.note, needs: a.needs };
            record(&ctx, &a.household, e, "helpers visit")
        }
        HelpersCommand::Register(a) => {
            let e = HelpEntry::Register { year: a.year, planned_measures: a.measures };
            record(&ctx, &a.household, e, "helpers register")
        }
        HelpersCommand::Commit(a) => {
            let e = HelpEntry::Commit { year: a.year, signed_on: Some(a.signed_on), content: a.content };
            record(&ctx, &a.household, e, "helpers commit")
        }
        HelpersCommand::Show(a) => ctx.block_on(async {
            let db = ctx.open().await?;
            let reg = db.unscoped();
            let help = reg.help_of(household_of(&reg, &a).await?).await?;
            println!("what\tfrom_or_day\tto\tagency\tcadre\tnote");
            for x in &help.assignments {
                println!(
                    "assignment{}\t{}\t{}\t{}\t{}\t{}",
                    if x.active { "*" } else { "" },
                    x.starts_on,
                    x.ends_on.clone().unwrap_or_default(),
                    x.agency,
                    x.cadre_name,
                    x.cadre_position.clone().unwrap_or_default()
                );
            }
            for v in &help.visits {
                println!(
                    "visit\t{}\t\t{}\t{}\t{}{}",
                    v.visited_on,
                    v.agency,
                    v.cadre_name,
                    v.note,
                    v.needs.as_deref().map(|n| format!(" — {n}")).unwrap_or_default()
                );
            }
            for r in &help.registrations {
                println!("registration\t{}\t\t\t\t{}", r.year, r.planned_measures);
            }
            for k in &help.commitments {
                println!("commitment\t{}\t{}\t\t\t{}", k.signed_on, k.year, k.content);
            }
            Ok(ExitCode::SUCCESS)
        }),
        HelpersCommand::Progress(a) => ctx.block_on(async {
            let db = ctx.open().await?;
            let p = helper_progress(&db.unscoped(), &a.unit, a.year)
                .await?
                .with_context(|| format!("'{}' không phải mã đơn vị / is not a unit code", a.unit))?;
            let (header, rows) = progress_table(&p);
            match &a.out {
                Some(out) => {
                    vuonlen_io::write_plain_table(out, "giup-do", &header, &rows)?;
                    eprintln!("Đã ghi {} dòng vào {} / wrote {} rows.", rows.len(), out.display(), rows.len());
                }
                None => {
                    println!("{}", header.join("\t"));
                    for r in &rows {
                        let cells: Vec<String> = r
                            .cells
                            .iter()
                            .map(|c| match c {
                                vuonlen_io::PlainCell::Text(t) => t.clone(),
                                vuonlen_io::PlainCell::Int(Some(n)) => n.to_string(),
                                _ => String::new(),
                            })
                            .collect();
                        println!("{}", cells.join("\t"));
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }),
    }
}
