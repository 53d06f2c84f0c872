//! `vuonlen targets` — a plan's poverty-reduction targets (*chỉ tiêu giảm nghèo*): `check` and
//! `import` a target table (one row per unit, a total row), `set` a unit's own targets, `show`
//! and `export` them.

use crate::commands::registry::Ctx;
use crate::report;
use anyhow::{Context, Result, bail};
use std::path::PathBuf;
use std::process::ExitCode;
use vuonlen_app::import::Finish;
use vuonlen_app::progress::{Depth, Status, progress, progress_table};
use vuonlen_app::targets::{record_target_table, set_indicator_targets, set_targets, target_table};
use vuonlen_core::targets::{ColumnKind, Figures, TARGET_COLUMNS, show};
use vuonlen_store::targets::TargetUnit;

#[derive(Debug, clap::Subcommand)]
pub enum TargetsCommand {
    /// Check a target table (rates, totals, parts, and with --unit the parent's units and
    /// targets); write nothing.
    Check(CheckArgs),
    /// Record a target table for the units of --unit (refused whole if any row has a problem).
    Import(ImportArgs),
    /// Set a unit's own targets: --figure KEY=VALUE for each column given.
    Set(SetArgs),
    /// Show a unit's own targets and the table its plan set for its units.
    Show(UnitArgs),
    /// Write the table a unit's plan set for its units, with a total row (CSV or XLSX).
    Export(ExportArgs),
    /// Progress of a unit's units against their targets for a year (actual, forecast at the
    /// pace of the year before, off track marked) and the computed indicators.
    Progress(ProgressArgs),
}

#[derive(Debug, clap::Args)]
pub struct ProgressArgs {
    #[arg(long)]
    pub year: i64,
    /// VN or a province: its units are the rows.
    #[arg(long)]
    pub unit: String,
    /// With --unit VN: every commune of the country rather than the provinces.
    #[arg(long)]
    pub communes: bool,
    /// Write the table (CSV or XLSX) instead of printing it.
    #[arg(long, value_name = "F.xlsx|F.csv")]
    pub out: Option<PathBuf>,
    /// English headers (the keys).
    #[arg(long)]
    pub english: bool,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The plan year the targets are for.
    #[arg(long)]
    pub year: i64,
    /// The unit whose plan annexes the table (VN, a province, 2025 list): its units are the
    /// rows, its targets the bound.
    #[arg(long)]
    pub unit: Option<String>,
    /// CSV or XLSX with `unit_code` (optional), `unit_name` and the figure columns (Vietnamese
    /// headers accepted), and a total row (Tổng, Tổng cộng, Cộng).
    #[arg(long, value_name = "F.csv|F.xlsx")]
    pub file: PathBuf,
    /// Error file (CSV or XLSX). Default: `targets-YEAR.errors.csv`.
    #[arg(long, value_name = "E.csv")]
    pub errors_out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    #[arg(long)]
    pub year: i64,
    /// The unit whose plan annexes the table (VN or a province of the 2025 list).
    #[arg(long)]
    pub unit: String,
    #[arg(long, value_name = "F.csv|F.xlsx")]
    pub file: PathBuf,
    #[arg(long, value_name = "E.csv")]
    pub errors_out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct SetArgs {
    #[arg(long)]
    pub year: i64,
    /// VN, a province (2 digits) or a commune (5 digits) of the 2025 list.
    #[arg(long)]
    pub unit: String,
    /// A figure as KEY=VALUE, e.g. `households=286000`, `poor_rate_pct=1.51`; keys as in the
    /// table's English headers.
    #[arg(long = "figure", value_name = "KEY=VALUE", required_unless_present = "indicators")]
    pub figures: Vec<String>,
    /// A result indicator's target as ID=VALUE, e.g. `health_insurance=100`,
    /// `children_in_school=98`, `deprived_shares:water=2` (ids of standards/indicators-*.toml).
    #[arg(long = "indicator", value_name = "ID=VALUE")]
    pub indicators: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct UnitArgs {
    #[arg(long)]
    pub year: i64,
    #[arg(long)]
    pub unit: String,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[arg(long)]
    pub year: i64,
    #[arg(long)]
    pub unit: String,
    #[arg(long, value_name = "F.xlsx|F.csv")]
    pub out: PathBuf,
    /// English headers (the keys) instead of Vietnamese.
    #[arg(long)]
    pub english: bool,
}

/// The unit of `code`: the country, a province, a commune (2025 list) or a village of a commune
/// as the registry holds it (`14112-ban-ta`, or `14112-Bản Ta`).
async fn unit_of(reg: &vuonlen_store::Registry, code: &str) -> Result<TargetUnit> {
    reg.target_unit(code).await?.with_context(|| {
        format!("'{code}' không phải mã đơn vị (VN, tỉnh 2 số, xã 5 số, danh mục 2025, hoặc thôn: mã xã-tên thôn) / is not a unit code (VN, 2-digit province, 5-digit commune, 2025 list, or a village: commune-village-name)")
    })
}

/// `KEY=VALUE` pairs as figures; every bad pair named.
fn parse_figures(pairs: &[String]) -> Result<Figures> {
    let mut f = Figures::default();
    let mut bad = Vec::new();
    for p in pairs {
        let Some((k, v)) = p.split_once('=') else {
            bad.push(format!("'{p}': cần KEY=VALUE / expected KEY=VALUE"));
            continue;
        };
        let Some(i) = TARGET_COLUMNS.iter().position(|c| c.key == k.trim()) else {
            bad.push(format!("'{k}' không phải cột của bảng chỉ tiêu / is not a target column"));
            continue;
        };
        let v = v.trim().replace(',', ".");
        match (v.parse::<f64>(), TARGET_COLUMNS[i].kind) {
            (Ok(x), ColumnKind::Count) if x >= 0.0 && x.fract() == 0.0 => f.0[i] = Some(x),
            (Ok(x), ColumnKind::Rate { .. }) if x.is_finite() => f.0[i] = Some(x),
            _ => bad.push(format!("{k}: '{v}' không phải số hợp lệ / is not a valid number")),
        }
    }
    if !bad.is_empty() {
        bail!("{}", bad.join("\n"));
    }
    Ok(f)
}

fn print_figures(f: &Figures) {
    for (i, c) in TARGET_COLUMNS.iter().enumerate() {
        if let Some(v) = f.get(i) {
            println!("  {:<34} {:>12}   {}", c.key, show(v), c.label_vi);
        }
    }
}

pub fn run(ctx: Ctx, cmd: TargetsCommand) -> Result<ExitCode> {
    match cmd {
        TargetsCommand::Check(a) => table(ctx, a.year, a.unit.as_deref(), a.file, a.errors_out, Finish::CheckOnly),
        TargetsCommand::Import(a) => table(ctx, a.year, Some(&a.unit), a.file, a.errors_out, Finish::Commit),
        TargetsCommand::Set(a) => {
            let figures = (!a.figures.is_empty()).then(|| parse_figures(&a.figures)).transpose()?;
            let mut indicators = std::collections::BTreeMap::new();
            for p in &a.indicators {
                let (k, v) = p.split_once('=').with_context(|| format!("'{p}': cần ID=VALUE / expected ID=VALUE"))?;
                let v: f64 = v
                    .trim()
                    .replace(',', ".")
                    .parse()
                    .with_context(|| format!("'{p}': không phải số / not a number"))?;
                indicators.insert(k.trim().to_string(), v);
            }
            let standards = vuonlen_core::Standards::embedded()?;
            let actor = ctx.actor()?;
            ctx.block_on(async {
                let db = ctx.open().await?;
                let reg = db.unscoped();
                let refused = |why: vuonlen_app::targets::TargetsRefused| {
                    eprintln!("Không ghi chỉ tiêu / Targets not recorded:");
                    for (vi, en) in why.messages() {
                        eprintln!("  - {vi} / {en}");
                    }
                    ExitCode::FAILURE
                };
                if !indicators.is_empty() {
                    match set_indicator_targets(&reg, &standards, a.year, &a.unit, &indicators, &actor, "targets set").await? {
                        Ok(unit) => eprintln!(
                            "Đã ghi {0} chỉ tiêu chỉ số năm {1} của {2} / Recorded {0} indicator targets of {2} for {1}.",
                            indicators.len(),
                            a.year,
                            unit.name
                        ),
                        Err(why) => return Ok(refused(why)),
                    }
                }
                if let Some(figures) = figures {
                    match set_targets(&reg, a.year, &a.unit, figures, &actor, "targets set").await? {
                        Ok(unit) => {
                            eprintln!("Đã ghi chỉ tiêu năm {0} của {1} / Recorded {1}'s targets for {0}.", a.year, unit.name)
                        }
                        Err(why) => return Ok(refused(why)),
                    }
                }
                Ok(ExitCode::SUCCESS)
            })
        }
        TargetsCommand::Show(a) => ctx.block_on(async {
            let db = ctx.open().await?;
            let reg = db.unscoped();
            let unit = unit_of(&reg, &a.unit).await?;
            match reg.target(a.year, &unit).await? {
                Some(t) => {
                    println!("{} — chỉ tiêu năm {} / targets for {}:", unit.name, a.year, a.year);
                    print_figures(&t.figures);
                }
                None => println!("{} chưa có chỉ tiêu năm {} / has no targets for {}.", unit.name, a.year, a.year),
            }
            let (rows, total) = target_table(&reg, a.year, &unit).await?;
            if !rows.is_empty() {
                println!("\nBảng chỉ tiêu giao cho {} đơn vị / table for {} units:", rows.len(), rows.len());
                println!("unit_code\tunit_name\thouseholds\tpoor_households\ttarget_reduction_households");
                let g = |f: &Figures, i: usize| f.get(i).map(show).unwrap_or_default();
                for r in &rows {
                    println!(
                        "{}\t{}\t{}\t{}\t{}",
                        r.unit_code,
                        r.unit_name,
                        g(&r.figures, 0),
                        g(&r.figures, 2),
                        g(&r.figures, 10)
                    );
                }
                println!("\tTổng cộng\t{}\t{}\t{}", g(&total, 0), g(&total, 2), g(&total, 10));
            }
            Ok(ExitCode::SUCCESS)
        }),
        TargetsCommand::Progress(a) => {
            let standards = vuonlen_core::Standards::embedded()?;
            ctx.block_on(async {
                let db = ctx.open().await?;
                let unit = unit_of(&db.unscoped(), &a.unit).await?;
                if a.communes && unit.code != "VN" {
                    bail!("--communes chỉ dùng với --unit VN / --communes goes with --unit VN");
                }
                let depth = if a.communes { Depth::AllCommunes } else { Depth::Children };
                let p = progress(&db.unscoped(), &standards, a.year, &unit, depth).await?;
                let (header, rows) = progress_table(&p, a.english || a.out.is_none());
                let off = p.units.iter().filter(|u| u.status == Status::OffTrack).count();
                match &a.out {
                    Some(out) => {
                        vuonlen_io::write_plain_table(out, "tien-do", &header, &rows)?;
                        eprintln!("Đã ghi {} đơn vị vào {} / wrote {} units.", rows.len(), out.display(), rows.len());
                    }
                    None => crate::report::print_plain_table(&header, &rows),
                }
                let latest = p.latest_period.map_or_else(|| "—".to_string(), |y| y.to_string());
                eprintln!(
                    "{} đơn vị, {off} chậm tiến độ; số liệu kỳ rà soát {latest} / {} units, {off} off track; figures of review period {latest}.",
                    p.units.len(),
                    p.units.len()
                );
                Ok(ExitCode::SUCCESS)
            })
        }
        TargetsCommand::Export(a) => ctx.block_on(async {
            let db = ctx.open().await?;
            let unit = unit_of(&db.unscoped(), &a.unit).await?;
            let (rows, total) = target_table(&db.unscoped(), a.year, &unit).await?;
            if rows.is_empty() {
                bail!("{0} chưa có bảng chỉ tiêu năm {1} / {0} has no target table for {1}", unit.name, a.year);
            }
            let out: Vec<vuonlen_io::TargetOut<'_>> =
                rows.iter().map(|r| (r.unit_code.as_str(), r.unit_name.as_str(), &r.figures)).collect();
            vuonlen_io::write_target_table(&a.out, &out, &total, a.english)?;
            eprintln!("Đã ghi {} đơn vị vào {} / wrote {} units.", rows.len(), a.out.display(), rows.len());
            Ok(ExitCode::SUCCESS)
        }),
    }
}

fn table(
    ctx: Ctx,
    year: i64,
    unit: Option<&str>,
    file: PathBuf,
    errors_out: Option<PathBuf>,
    finish: Finish,
) -> Result<ExitCode> {
    let errors_path = errors_out.unwrap_or_else(|| PathBuf::from(format!("targets-{year}.errors.csv")));
    let actor = if finish == Finish::Commit { ctx.actor()? } else { String::new() };
    ctx.block_on(async {
        let db = ctx.open().await?;
        let parent = match unit {
            Some(code) => Some(unit_of(&db.unscoped(), code).await?),
            None => None,
        };
        let done =
            record_target_table(&db.unscoped(), year, parent.as_ref(), file, &actor, "targets import", finish).await?;
        let read = &done.table.report;
        if !read.is_clean() {
            report::write_errors(read, &errors_path)?;
            report::print_refusal_whole(read, &errors_path);
            return Ok(ExitCode::FAILURE);
        }
        let n = done.table.rows.len();
        if let Some(p) = &parent
            && done.parent_targets.is_none()
        {
            eprintln!(
                "{0} chưa có chỉ tiêu năm {1}: chưa so các đơn vị với chỉ tiêu của {0} / {0} has no targets for {1}: the units were not compared with them.",
                p.name, year
            );
        }
        match done.recorded {
            Some(k) => eprintln!("Đã ghi chỉ tiêu năm {year} của {k} đơn vị / Recorded {year} targets of {k} units."),
            None => eprintln!("Bảng hợp lệ: {n} đơn vị; chưa ghi / The table is valid: {n} units; nothing recorded."),
        }
        Ok(ExitCode::SUCCESS)
    })
}
