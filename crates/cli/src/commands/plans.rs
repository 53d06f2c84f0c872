//! `vuonlen plans` — a unit's plans (*kế hoạch giảm nghèo*) for a year or the programme's five:
//! `set` one (its span, title and issuing decision), `show` them year by year with the targets
//! each year holds, the review's figures against them and what reading across the years found.

use crate::commands::registry::Ctx;
use anyhow::{Context, Result};
use std::process::ExitCode;
use vuonlen_app::plans::{plans_of, set_plan};
use vuonlen_core::targets::show;

#[derive(Debug, clap::Subcommand)]
pub enum PlansCommand {
    /// Record a unit's plan for --from..=--to (the same unit and span again replaces it).
    Set(SetArgs),
    /// Show a unit's plans, year by year.
    Show(ShowArgs),
}

#[derive(Debug, clap::Args)]
pub struct SetArgs {
    /// VN, a province, a commune (2025 list) or a village (`14112-ban-ta`).
    #[arg(long)]
    pub unit: String,
    /// The first year of the span.
    #[arg(long)]
    pub from: i64,
    /// The last year (the first when omitted: a year's plan).
    #[arg(long)]
    pub to: Option<i64>,
    #[arg(long)]
    pub title: String,
    /// The issuing decision's number (`123/QĐ-UBND`).
    #[arg(long)]
    pub decision: Option<String>,
    /// Its date, YYYY-MM-DD.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub decided_on: Option<chrono::NaiveDate>,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    #[arg(long)]
    pub unit: String,
}

pub fn run(ctx: Ctx, cmd: PlansCommand) -> Result<ExitCode> {
    match cmd {
        PlansCommand::Set(a) => {
            let actor = ctx.actor()?;
            ctx.block_on(async {
                let db = ctx.open().await?;
                let to = a.to.unwrap_or(a.from);
                let set = set_plan(
                    &db.unscoped(),
                    &a.unit,
                    a.from,
                    to,
                    &a.title,
                    a.decision.as_deref(),
                    a.decided_on,
                    &actor,
                    "plans set",
                )
                .await?;
                match set {
                    Ok(p) => {
                        eprintln!(
                            "Đã ghi kế hoạch {0}–{1} của {2} / Recorded {2}'s plan for {0}–{1}.",
                            p.first_year, p.last_year, p.unit_name
                        );
                        Ok(ExitCode::SUCCESS)
                    }
                    Err(why) => {
                        eprintln!("Không ghi kế hoạch / Plan not recorded:");
                        for (vi, en) in why.messages() {
                            eprintln!("  - {vi} / {en}");
                        }
                        Ok(ExitCode::FAILURE)
                    }
                }
            })
        }
        PlansCommand::Show(a) => ctx.block_on(async {
            let db = ctx.open().await?;
            let reg = db.unscoped();
            let unit = reg
                .target_unit(&a.unit)
                .await?
                .with_context(|| format!("'{}' không phải mã đơn vị / is not a unit code", a.unit))?;
            let plans = plans_of(&reg, &unit).await?;
            if plans.is_empty() {
                println!("{} chưa có kế hoạch / has no plan.", unit.name);
            }
            for v in &plans {
                let p = &v.plan;
                let decision = match (&p.decision, &p.decided_on) {
                    (Some(d), Some(on)) => format!(" — {d} ngày {on}"),
                    (Some(d), None) => format!(" — {d}"),
                    _ => String::new(),
                };
                println!("{} ({}–{}){decision}", p.title, p.first_year, p.last_year);
                println!("year\tstart_poor\ttarget_reduction\ttarget_end\tactual_end\tstatus\tindicator_targets");
                for y in &v.years {
                    let g = |i: usize| y.target.and_then(|t| t.get(i)).map(show).unwrap_or_default();
                    let ind: Vec<String> =
                        y.indicator_targets.iter().map(|(id, v)| format!("{id}={}", show(*v))).collect();
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        y.year,
                        g(vuonlen_core::targets::col::POOR),
                        g(vuonlen_core::targets::col::REDUCTION),
                        y.target_end.map(|x| x.to_string()).unwrap_or_default(),
                        y.actual_end.map(|x| x.to_string()).unwrap_or_default(),
                        y.status.key(),
                        ind.join(" ")
                    );
                }
                for (vi, en) in &v.findings {
                    println!("  ! {vi} / {en}");
                }
                println!();
            }
            Ok(ExitCode::SUCCESS)
        }),
    }
}
