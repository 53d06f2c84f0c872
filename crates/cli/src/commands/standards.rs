//! `vuonlen standards` — the poverty standards known to this build.

use crate::input::registry;
use anyhow::{Context, Result};
use std::path::PathBuf;
use std::process::ExitCode;
use vuonlen_core::text::format_vnd;

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<StandardsCommand>,
    /// Show one standard in full (id, e.g. 2022-2025).
    pub id: Option<String>,
    /// Extra standard files (TOML) to load besides the shipped ones.
    #[arg(long = "standard-file", value_name = "FILE")]
    pub standard_files: Vec<PathBuf>,
}

#[derive(Debug, clap::Subcommand)]
pub enum StandardsCommand {
    /// Load a Phiếu B score table (TOML, `kind = "score_table"`) into the registry, checked
    /// whole first; `vuonlen review score` then computes score A with it. A table households
    /// were scored with is never replaced by another text.
    Load {
        #[arg(value_name = "TABLE.toml")]
        file: PathBuf,
    },
    /// The score tables loaded into the registry.
    Loaded,
}

/// `vuonlen standards load|loaded`: the registry's score tables.
pub fn run_registry(ctx: crate::commands::registry::Ctx, cmd: StandardsCommand) -> Result<ExitCode> {
    let actor = match cmd {
        StandardsCommand::Load { .. } => ctx.actor()?,
        StandardsCommand::Loaded => String::new(),
    };
    ctx.block_on(async {
        let db = ctx.open().await?;
        match cmd {
            StandardsCommand::Load { file } => {
                let body = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
                let table = vuonlen_app::score::parse_table(&file.display().to_string(), &body)?;
                let purpose = if table.is_test() { "test" } else { "official" };
                let done = db
                    .load_score_table(&table.id, &table.shown_title(), purpose, &body, &actor, "standards load")
                    .await?;
                match done {
                    Ok(loaded) => {
                        let what = match loaded {
                            vuonlen_store::review::TableLoaded::New => "đã nạp / loaded",
                            vuonlen_store::review::TableLoaded::Replaced => "đã thay / replaced",
                            vuonlen_store::review::TableLoaded::Unchanged => "không đổi / unchanged",
                        };
                        eprintln!("Bảng điểm {} ({}): {what}", table.id, table.shown_title());
                        if !table.status.is_verified() {
                            eprintln!("  [{}] {}", table.status.marker_vi(), table.citation);
                        }
                    }
                    Err(r) => {
                        eprintln!("{} / {}", r.vi, r.en);
                        return Ok(ExitCode::FAILURE);
                    }
                }
            }
            StandardsCommand::Loaded => {
                println!("id\tpurpose\thouseholds_scored\tloaded_by\tloaded_at\ttitle");
                for t in db.score_tables_loaded().await? {
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}",
                        t.id, t.purpose, t.households_scored, t.loaded_by, t.loaded_at, t.title
                    );
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

pub fn run(args: Args) -> Result<ExitCode> {
    let reg = registry(&args.standard_files)?;
    let Some(id) = args.id else {
        println!("{:<12} {:<12} {:<12} tiêu đề / title", "id", "từ / from", "đến / to");
        for s in reg.standards() {
            println!("{:<12} {:<12} {:<12} {}", s.id, s.validity.from, s.validity.to, s.title_vi);
        }
        for t in reg.score_tables() {
            println!("Bảng điểm Phiếu B / score table {} ({}): {}", t.id, t.standard, t.shown_title());
        }
        if reg.score_tables().next().is_none() {
            println!(
                "Bảng điểm Phiếu B: chưa nạp (bảng chính thức chưa công khai; xem docs/score-tables.md) / no score table loaded"
            );
        }
        return Ok(ExitCode::SUCCESS);
    };
    let s = reg.get(&id)?;
    println!("{} — {}", s.title_vi, s.title_en);
    println!("Căn cứ / legal basis: {}", s.legal_basis);
    println!("Hiệu lực / in force: {} → {}", s.validity.from, s.validity.to);
    for (area, l) in [("nông thôn / rural", &s.lines.rural), ("thành thị / urban", &s.lines.urban)] {
        print!("Chuẩn nghèo {area}: {} đồng/người/tháng", format_vnd(l.poverty.value));
        if let Some(m) = &l.middle_upper {
            print!("; mức sống trung bình đến {} đồng", format_vnd(m.value));
        }
        println!();
    }
    match &s.score_a {
        Some(a) => println!("Điểm A / score A anchors: nông thôn {} · thành thị {}", a.rural.value, a.urban.value),
        None => println!("Điểm A / score A: chưa có mốc quy đổi / no anchor published"),
    }
    println!(
        "Hộ nghèo khi thiếu hụt từ {} chỉ số / poor from {} deprivations; {} điểm B mỗi chỉ số",
        s.deprivation_cutoff.value, s.deprivation_cutoff.value, s.score_b.points_per_indicator
    );
    println!();
    for (i, ind) in s.indicators.iter().enumerate() {
        let flag = if ind.status.is_verified() { String::new() } else { format!("  [{}]", ind.status.marker_vi()) };
        println!("{:>2}. {} ({}){flag}", i + 1, ind.name_vi, ind.code);
        println!("    thiếu hụt khi {}", ind.deprived_when_vi);
        println!("    {}", ind.citation);
    }
    let unverified = s.unverified_provisions();
    if !unverified.is_empty() {
        println!();
        println!("Quy định chưa xác minh với văn bản gốc / provisions not verified against the official text:");
        for (what, citation, status) in unverified {
            println!("  - {what} ({status:?}): {citation}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
