//! `vuonlen synth` — a synthetic registry in the interchange format.

use crate::input::parse_date;
use crate::progress;
use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use std::path::PathBuf;
use std::process::ExitCode;
use vuonlen_io::{HeaderStyle, HouseholdWriter, Target};
use vuonlen_synth::{SynthConfig, generate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// households.csv and members.csv
    Csv,
    /// households.xlsx with sheets households and members (at most 1,048,575 members)
    Xlsx,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Number of households.
    #[arg(long)]
    pub households: u64,
    /// Random seed: the same seed gives the same files.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Only this province (2025 GSO code, e.g. 14 for Sơn La).
    #[arg(long, value_name = "CODE")]
    pub province: Option<String>,
    /// Reference date the households are built for (ages, working age). The default is the 2025
    /// review, recorded under the 2025 communes and calibrated to the latest published rates (2024).
    #[arg(long = "as-of", value_name = "YYYY-MM-DD", value_parser = parse_date, default_value = "2025-12-31")]
    pub as_of: NaiveDate,
    /// Output directory (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out_dir: PathBuf,
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
    /// Vietnamese column headers instead of English keys.
    #[arg(long)]
    pub header_vi: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let cfg = SynthConfig {
        households: args.households,
        seed: args.seed,
        province: args.province.clone(),
        as_of: args.as_of,
    };
    let generator = generate(&cfg)?;
    std::fs::create_dir_all(&args.out_dir).with_context(|| format!("creating {}", args.out_dir.display()))?;
    let target = match args.format {
        Format::Csv => {
            Target::Csv { households: args.out_dir.join("households.csv"), members: args.out_dir.join("members.csv") }
        }
        Format::Xlsx => {
            if args.households > 250_000 {
                bail!("XLSX holds at most 1,048,575 rows a sheet: use --format csv above 250,000 households");
            }
            Target::Xlsx { workbook: args.out_dir.join("households.xlsx") }
        }
    };
    let style = if args.header_vi { HeaderStyle::Vietnamese } else { HeaderStyle::English };
    let mut w = HouseholdWriter::create(&target, style)?;
    let pb = progress::households("Sinh dữ liệu", Some(args.households));
    for (i, s) in generator.enumerate() {
        w.write(&s.record)?;
        if i % 4096 == 0 {
            pb.set_position(i as u64);
        }
    }
    pb.finish_and_clear();
    let (h, m) = (w.households(), w.members());
    w.finish()?;
    eprintln!(
        "Đã sinh {h} hộ, {m} thành viên / generated {h} households, {m} members → {}",
        target.paths().iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
    );
    Ok(ExitCode::SUCCESS)
}
