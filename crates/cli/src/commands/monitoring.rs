//! `vuonlen monitoring` — the monitoring cycle (Circular 10/2022/TT-BLĐTBXH): a unit's
//! 6-monthly or annual report drafted from the registry and its targets, reported figures
//! entered, submitted, approved or returned by the level above, the roll-up of a parent's units
//! with the late ones, and a province's own due day for its communes.

use crate::commands::registry::Ctx;
use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use vuonlen_app::monitoring::{
    decide_report, draft_report, enter_figures, report_pdf, report_table, rollup, rollup_table,
};
use vuonlen_core::monitoring::ReportAction;
use vuonlen_store::targets::TargetUnit;

#[derive(Debug, clap::Subcommand)]
pub enum MonitoringCommand {
    /// Draft (or refill) a unit's report from the registry, its targets and its units' approved reports.
    Draft(ReportArgs),
    /// Enter the figures the registry cannot compute: --set ID=VALUE (trainees, loans, houses, models).
    Enter(EnterArgs),
    /// Submit a unit's report to the level above.
    Submit(ReportArgs),
    /// Approve a unit's report (the level above): it is locked and counts in the roll-up.
    Approve(ReportArgs),
    /// Return a unit's report with a comment (the level above).
    Return(ReturnArgs),
    /// Show a unit's report; --pdf / --xlsx write it as a document.
    Show(ShowArgs),
    /// The reports of a unit's units: state, due day, late ones, the approved ones added up.
    Rollup(RollupArgs),
    /// A province's own due day for its communes' reports.
    Due(DueArgs),
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// `six_monthly` or `annual`.
    #[arg(long)]
    pub kind: String,
    #[arg(long)]
    pub year: i64,
    /// VN, a province or a commune (2025 list).
    #[arg(long)]
    pub unit: String,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    #[command(flatten)]
    pub report: ReportArgs,
    /// Write the report as PDF (the national heading, the indicator table, the signature block).
    #[arg(long, value_name = "F.pdf")]
    pub pdf: Option<PathBuf>,
    /// Write the report as a workbook.
    #[arg(long, value_name = "F.xlsx")]
    pub xlsx: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct EnterArgs {
    #[command(flatten)]
    pub report: ReportArgs,
    #[arg(long = "set", value_name = "ID=VALUE", required = true)]
    pub values: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct ReturnArgs {
    #[command(flatten)]
    pub report: ReportArgs,
    /// What the unit should correct.
    #[arg(long)]
    pub comment: String,
}

#[derive(Debug, clap::Args)]
pub struct RollupArgs {
    #[command(flatten)]
    pub report: ReportArgs,
    /// The day late reports are counted at (default: today).
    #[arg(long)]
    pub today: Option<NaiveDate>,
    #[arg(long, value_name = "F.xlsx|F.csv")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct DueArgs {
    #[arg(long)]
    pub kind: String,
    #[arg(long)]
    pub year: i64,
    #[arg(long)]
    pub province: String,
    #[arg(long)]
    pub on: NaiveDate,
}

fn unit_of(code: &str) -> Result<TargetUnit> {
    TargetUnit::parse(code)
        .with_context(|| format!("'{code}' không phải mã đơn vị / is not a unit code (VN, province, commune)"))
}

fn say(done: Result<vuonlen_core::monitoring::ReportState, vuonlen_core::review::Refusal>) -> Result<ExitCode> {
    match done {
        Ok(s) => {
            eprintln!("{} / {}", s.label_vi(), s.key());
            Ok(ExitCode::SUCCESS)
        }
        Err(r) => {
            eprintln!("Từ chối / refused: {} / {}", r.vi, r.en);
            Ok(ExitCode::FAILURE)
        }
    }
}

pub fn run(ctx: Ctx, cmd: MonitoringCommand) -> Result<ExitCode> {
    let standards = vuonlen_core::Standards::embedded()?;
    match cmd {
        MonitoringCommand::Draft(a) => {
            let unit = unit_of(&a.unit)?;
            let actor = ctx.actor()?;
            ctx.block_on(async {
                let db = ctx.open().await?;
                say(draft_report(&db.unscoped(), &standards, &a.kind, a.year, &unit, &actor).await?)
            })
        }
        MonitoringCommand::Enter(a) => {
            let unit = unit_of(&a.report.unit)?;
            let mut values = BTreeMap::new();
            for v in &a.values {
                let (k, x) = v.split_once('=').with_context(|| format!("'{v}': cần ID=VALUE / expected ID=VALUE"))?;
                let x: f64 = x
                    .trim()
                    .replace(',', ".")
                    .parse()
                    .with_context(|| format!("'{v}': không phải số / not a number"))?;
                values.insert(k.trim().to_string(), x);
            }
            let actor = ctx.actor()?;
            ctx.block_on(async {
                let db = ctx.open().await?;
                let r = a.report;
                match enter_figures(&db.unscoped(), &standards, &r.kind, r.year, &unit, &values, &actor).await? {
                    Ok(s) => say(Ok(s)),
                    Err(all) => {
                        for x in all {
                            eprintln!("Từ chối / refused: {} / {}", x.vi, x.en);
                        }
                        Ok(ExitCode::FAILURE)
                    }
                }
            })
        }
        MonitoringCommand::Submit(a) => decide(ctx, a, ReportAction::Submit, None),
        MonitoringCommand::Approve(a) => decide(ctx, a, ReportAction::Approve, None),
        MonitoringCommand::Return(a) => decide(ctx, a.report, ReportAction::Return, Some(a.comment)),
        MonitoringCommand::Show(s) => {
            let a = s.report;
            let unit = unit_of(&a.unit)?;
            ctx.block_on(async {
                let db = ctx.open().await?;
                let reg = db.unscoped();
                if let Some(path) = &s.pdf {
                    let today = chrono::Utc::now().date_naive();
                    let pdf = report_pdf(&reg, &standards, &a.kind, a.year, &unit, today).await?.context(
                        "không có báo cáo để in (hoặc báo cáo toàn quốc) / no report to print (or the country's)",
                    )?;
                    std::fs::write(path, pdf).with_context(|| format!("{}", path.display()))?;
                }
                if let Some(path) = &s.xlsx {
                    let (header, rows) = report_table(&reg, &standards, &a.kind, a.year, &unit)
                        .await?
                        .context("không có báo cáo / no report")?;
                    vuonlen_io::write_plain_table(path, "bao-cao", &header, &rows)?;
                }
                let Some(r) = db.unscoped().monitoring_report(&a.kind, a.year, &unit).await? else {
                    bail!("{} chưa có báo cáo {} năm {} / has no such report", unit.name, a.kind, a.year);
                };
                println!("{} — {} {} — {}", unit.name, r.kind, r.year, r.state.label_vi());
                if let Some(c) = &r.comment {
                    println!("Ý kiến / comment: {c}");
                }
                for (id, v) in &r.figures {
                    println!("  {id:<48} {}", v.map(|x| format!("{x:.2}")).unwrap_or_else(|| "—".into()));
                }
                Ok(ExitCode::SUCCESS)
            })
        }
        MonitoringCommand::Rollup(a) => {
            let unit = unit_of(&a.report.unit)?;
            let today = a.today.unwrap_or_else(|| chrono::Utc::now().date_naive());
            ctx.block_on(async {
                let db = ctx.open().await?;
                let r = rollup(&db.unscoped(), &standards, &a.report.kind, a.report.year, &unit, today).await?;
                let fw = standards.framework_for(a.report.year).context("no indicator framework for the year")?;
                let (header, rows) = rollup_table(&r, &fw);
                match &a.out {
                    Some(out) => vuonlen_io::write_plain_table(out, "tong-hop", &header, &rows)?,
                    None => {
                        for u in &r.units {
                            println!(
                                "{}\t{}\t{}\t{}{}",
                                u.unit.code,
                                u.unit.name,
                                u.report.as_ref().map_or("none", |x| x.state.key()),
                                u.due_on.map(|d| d.to_string()).unwrap_or_default(),
                                if u.late { "\tLATE" } else { "" }
                            );
                        }
                    }
                }
                let late = r.units.iter().filter(|u| u.late).count();
                eprintln!(
                    "{} đơn vị, {} đã duyệt, {late} quá hạn chưa nộp / {} units, {} approved, {late} late.",
                    r.units.len(),
                    r.approved,
                    r.units.len(),
                    r.approved
                );
                Ok(ExitCode::SUCCESS)
            })
        }
        MonitoringCommand::Due(a) => {
            let province = unit_of(&a.province)?;
            let actor = ctx.actor()?;
            ctx.block_on(async {
                let db = ctx.open().await?;
                db.unscoped().set_monitoring_due(&a.kind, a.year, &province, a.on, &actor).await?;
                eprintln!("Hạn nộp báo cáo của các xã: {} / communes' reports due by {}.", a.on, a.on);
                Ok(ExitCode::SUCCESS)
            })
        }
    }
}

fn decide(ctx: Ctx, a: ReportArgs, action: ReportAction, comment: Option<String>) -> Result<ExitCode> {
    let unit = unit_of(&a.unit)?;
    let actor = ctx.actor()?;
    ctx.block_on(async {
        let db = ctx.open().await?;
        say(decide_report(&db.unscoped(), &a.kind, a.year, &unit, action, comment.as_deref(), &actor).await?)
    })
}
