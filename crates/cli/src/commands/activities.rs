//! `vuonlen activities` — a unit's plan activities (*hoạt động*): `add` one (project, lead agency
//! and officer, partners, where, for whom, output, dates, status), `list` them, print the agency
//! responsibility `matrix` (who leads, who takes part, by project) or write it (CSV, XLSX).

use crate::commands::registry::Ctx;
use anyhow::{Context, Result};
use std::path::PathBuf;
use std::process::ExitCode;
use vuonlen_app::activities::{
    activity_table, add_activity, matrix_table, record_activity_table, responsibility_matrix,
};
use vuonlen_app::import::Finish;
use vuonlen_store::activities::NewActivity;
use vuonlen_store::targets::TargetUnit;

#[derive(Debug, clap::Subcommand)]
pub enum ActivitiesCommand {
    /// Add an activity to a unit's plan.
    Add(Box<AddArgs>),
    /// List a unit's activities.
    List(UnitArgs),
    /// The agency responsibility matrix of a unit's activities (printed, or --out F.xlsx).
    Matrix(MatrixArgs),
    /// Check an activities table (CSV, XLSX); write nothing.
    Check(FileArgs),
    /// Record an activities table (refused whole if any row has a problem).
    Import(FileArgs),
    /// Write a unit's activities as a table the import reads (CSV, XLSX).
    Export(ExportArgs),
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
    /// English column keys.
    #[arg(long)]
    pub english: bool,
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    #[arg(long)]
    pub unit: String,
    #[arg(long)]
    pub year: i64,
    /// A project or sub-project of the catalogue covering the year (`DA3.TDA1`).
    #[arg(long)]
    pub project: String,
    #[arg(long)]
    pub title: String,
    /// The lead agency (cơ quan chủ trì).
    #[arg(long)]
    pub lead: String,
    #[arg(long)]
    pub officer: Option<String>,
    /// A partner agency (cơ quan phối hợp); repeat for each.
    #[arg(long = "partner")]
    pub partners: Vec<String>,
    #[arg(long)]
    pub locations: Option<String>,
    #[arg(long)]
    pub target_group: Option<String>,
    #[arg(long)]
    pub output: Option<String>,
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub starts_on: Option<String>,
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub ends_on: Option<String>,
    /// planned, under_way, done or cancelled.
    #[arg(long, default_value = "planned")]
    pub status: String,
}

#[derive(Debug, clap::Args)]
pub struct UnitArgs {
    #[arg(long)]
    pub unit: String,
    #[arg(long)]
    pub year: Option<i64>,
}

#[derive(Debug, clap::Args)]
pub struct MatrixArgs {
    #[arg(long)]
    pub unit: String,
    #[arg(long)]
    pub year: Option<i64>,
    #[arg(long, value_name = "F.xlsx|F.csv")]
    pub out: Option<PathBuf>,
}

fn unit_of(code: &str) -> Result<TargetUnit> {
    TargetUnit::parse(code).with_context(|| format!("'{code}' không phải mã đơn vị / is not a unit code"))
}

fn table(ctx: Ctx, a: FileArgs, finish: Finish) -> Result<ExitCode> {
    let standards = vuonlen_core::Standards::embedded()?;
    let actor = if finish == Finish::Commit { ctx.actor()? } else { String::new() };
    let errors_path = a.errors_out.unwrap_or_else(|| PathBuf::from("activities.errors.csv"));
    ctx.block_on(async {
        let db = ctx.open().await?;
        let done =
            record_activity_table(&db.unscoped(), &standards, a.file, &actor, "activities import", finish).await?;
        let noun = ("hoạt động", "activities");
        crate::report::table_outcome(&done.file.report, &errors_path, done.recorded, done.activities, noun, noun)
    })
}

pub fn run(ctx: Ctx, cmd: ActivitiesCommand) -> Result<ExitCode> {
    match cmd {
        ActivitiesCommand::Check(a) => table(ctx, a, Finish::CheckOnly),
        ActivitiesCommand::Import(a) => table(ctx, a, Finish::Commit),
        ActivitiesCommand::Export(a) => ctx.block_on(async {
            let db = ctx.open().await?;
            let unit = unit_of(&a.unit)?;
            let list = db.unscoped().activities_of(&unit, a.year).await?;
            let (header, rows) = activity_table(&list, a.english);
            vuonlen_io::write_plain_table(&a.out, "hoat-dong", &header, &rows)?;
            eprintln!("Đã ghi {} hoạt động vào {} / wrote {} activities.", rows.len(), a.out.display(), rows.len());
            Ok(ExitCode::SUCCESS)
        }),
        ActivitiesCommand::Add(a) => {
            let a = *a;
            let standards = vuonlen_core::Standards::embedded()?;
            let actor = ctx.actor()?;
            ctx.block_on(async {
                let db = ctx.open().await?;
                let new = NewActivity {
                    year: a.year,
                    project_code: a.project,
                    title: a.title,
                    lead_agency: a.lead,
                    lead_officer: a.officer,
                    partners: a.partners,
                    locations: a.locations,
                    target_group: a.target_group,
                    planned_output: a.output,
                    starts_on: a.starts_on,
                    ends_on: a.ends_on,
                    status: a.status,
                };
                match add_activity(&db.unscoped(), &standards, &a.unit, new, &actor, "activities add").await? {
                    Ok(id) => {
                        eprintln!("Đã ghi hoạt động số {id} / Recorded activity {id}.");
                        Ok(ExitCode::SUCCESS)
                    }
                    Err(why) => {
                        eprintln!("Không ghi hoạt động / Activity not recorded:");
                        for (vi, en) in why {
                            eprintln!("  - {vi} / {en}");
                        }
                        Ok(ExitCode::FAILURE)
                    }
                }
            })
        }
        ActivitiesCommand::List(a) => ctx.block_on(async {
            let db = ctx.open().await?;
            let unit = unit_of(&a.unit)?;
            println!("id\tyear\tproject\ttitle\tlead_agency\tpartners\tstatus");
            for x in db.unscoped().activities_of(&unit, a.year).await? {
                let v = &x.activity;
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    x.id,
                    v.year,
                    v.project_code,
                    v.title,
                    v.lead_agency,
                    v.partners.join("; "),
                    v.status
                );
            }
            Ok(ExitCode::SUCCESS)
        }),
        ActivitiesCommand::Matrix(a) => ctx.block_on(async {
            let db = ctx.open().await?;
            let unit = unit_of(&a.unit)?;
            let m = responsibility_matrix(&db.unscoped().activities_of(&unit, a.year).await?);
            let (header, rows) = matrix_table(&m);
            match &a.out {
                Some(out) => {
                    vuonlen_io::write_plain_table(out, "phan-cong", &header, &rows)?;
                    eprintln!("Đã ghi {} cơ quan vào {} / wrote {} agencies.", rows.len(), out.display(), rows.len());
                }
                None => {
                    println!("{}", header.join("\t"));
                    for r in &rows {
                        let cells: Vec<String> = r
                            .cells
                            .iter()
                            .map(|c| match c {
                                vuonlen_io::PlainCell::Text(t) => t.clone(),
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
