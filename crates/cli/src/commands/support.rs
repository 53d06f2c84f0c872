//! `vuonlen support` — support received (*hỗ trợ đã nhận*): `check` or `import` the lists
//! agencies keep (CSV, XLSX; refused whole, every problem located), `show` a household's.

use crate::commands::registry::Ctx;
use crate::report;
use anyhow::{Context, Result};
use std::path::PathBuf;
use std::process::ExitCode;
use vuonlen_app::import::Finish;
use vuonlen_app::support::{record_support_table, support_table};
use vuonlen_app::support_coverage::{coverage, coverage_table};

#[derive(Debug, clap::Subcommand)]
pub enum SupportCommand {
    /// Check a support table; write nothing.
    Check(FileArgs),
    /// Record a support table (refused whole if any row has a problem).
    Import(FileArgs),
    /// A household's support records.
    Show(ShowArgs),
    /// Write a unit's support records of a year as a support table the import reads (XLSX, CSV).
    Export(ExportArgs),
    /// The coverage of support in a year: for each commune of a province (each village of a
    /// commune), the poor and near-poor households and persons of the list in force and how
    /// many received each kind of support.
    Coverage(CoverageArgs),
}

#[derive(Debug, clap::Args)]
pub struct CoverageArgs {
    /// `VN`, a province (2 digits) or a commune (5 digits).
    #[arg(long)]
    pub unit: String,
    #[arg(long)]
    pub year: i64,
    /// Write the table to this file (.xlsx or .csv) instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// English column keys in the file.
    #[arg(long)]
    pub english: bool,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// A province (2 digits) or a commune (5 digits).
    #[arg(long)]
    pub unit: String,
    /// The year the support was delivered.
    #[arg(long)]
    pub year: i64,
    #[arg(long, value_name = "F.xlsx|F.csv")]
    pub out: PathBuf,
    /// English column keys (and kinds and sources by key).
    #[arg(long)]
    pub english: bool,
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
        SupportCommand::Export(a) => ctx.block_on(async {
            let unit = vuonlen_store::targets::TargetUnit::parse(&a.unit)
                .filter(|u| u.village().is_none() && u.code != "VN")
                .with_context(|| {
                    format!("'{}' không phải mã tỉnh hoặc mã xã / is not a province or commune code", a.unit)
                })?;
            let db = ctx.open().await?;
            let (header, rows) = support_table(&db.unscoped(), &unit, a.year, a.english).await?;
            vuonlen_io::write_plain_table(&a.out, "ho-tro", &header, &rows)?;
            eprintln!(
                "Đã ghi {} bản ghi hỗ trợ vào {} / wrote {} support records.",
                rows.len(),
                a.out.display(),
                rows.len()
            );
            Ok(ExitCode::SUCCESS)
        }),
        SupportCommand::Coverage(a) => ctx.block_on(async {
            let db = ctx.open().await?;
            let c = coverage(&db.unscoped(), a.year, &a.unit).await?;
            let (header, rows) = coverage_table(&c, a.english || a.out.is_none());
            match &a.out {
                Some(out) => {
                    vuonlen_io::write_plain_table(out, "bao-phu", &header, &rows)?;
                    eprintln!("Đã ghi {} dòng vào {} / wrote {} rows.", rows.len(), out.display(), rows.len());
                }
                None => report::print_plain_table(&header, &rows),
            }
            let list = c.list_period.map_or_else(|| "—".to_string(), |y| y.to_string());
            let insured = c.total.persons_pct("health_insurance_card").map_or_else(|| "—".into(), |v| format!("{v:.2}"));
            eprintln!(
                "Danh sách hộ nghèo, cận nghèo của kỳ rà soát {list}; {insured} % nhân khẩu được cấp thẻ BHYT năm {0} / \
                 list of review period {list}; {insured} % of persons given a health-insurance card in {0}.",
                a.year
            );
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
        let noun = ("bản ghi hỗ trợ", "support records");
        report::table_outcome(
            &done.file.report,
            &errors_path,
            done.recorded,
            done.records,
            noun,
            ("bản ghi", "records"),
        )
    })
}
