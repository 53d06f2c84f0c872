//! `vuonlen import` — the interchange format into a review period of the registry.

use crate::commands::registry::Ctx;
use crate::input::{SourceArgs, parse_date, registry};
use crate::report;
use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use vuonlen_app::import::{Finish, import_period};
use vuonlen_core::StandardSelection;
use vuonlen_io::ReadOptions;
use vuonlen_store::import::{ImportSpec, ImportSummary};
use vuonlen_store::period;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Review period (năm rà soát), e.g. 2025.
    #[arg(long)]
    pub period: i64,
    #[command(flatten)]
    pub files: SourceArgs,
    /// Reference date when the period is new (default 31 December of the period).
    #[arg(long = "as-of", value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub as_of: Option<chrono::NaiveDate>,
    /// Standard when the period is new: an id or `auto` (in force on the reference date).
    #[arg(long, default_value = "auto")]
    pub standard: String,
    /// Import the valid households and list the invalid ones in the error file.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Error file (CSV or XLSX). Default: `import-PERIOD.errors.csv` in the working directory.
    #[arg(long, value_name = "FILE")]
    pub errors: Option<PathBuf>,
}

/// SHA-256 of the files' bytes, and the lines of the first one (households.csv: the households
/// it holds, plus its header), in one pass.
fn file_hash(paths: &[&Path]) -> Result<(String, u64)> {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut first_lines = 0u64;
    for (i, p) in paths.iter().enumerate() {
        let mut f = std::fs::File::open(p).with_context(|| format!("opening {}", p.display()))?;
        loop {
            let n = f.read(&mut buf)?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
            if i == 0 {
                first_lines += buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
            }
        }
    }
    Ok((h.finalize().iter().map(|b| format!("{b:02x}")).collect(), first_lines))
}

pub fn run(ctx: Ctx, args: Args) -> Result<ExitCode> {
    let source = args.files.source()?;
    let errors_path =
        args.errors.clone().unwrap_or_else(|| PathBuf::from(format!("import-{}.errors.csv", args.period)));
    let (hash, first_lines) = file_hash(&source.paths())?;
    // A CSV's households are known from its lines (a bulk load rebuilds the search indexes).
    let expected_households = matches!(source, vuonlen_io::Source::Csv { .. }).then(|| first_lines.saturating_sub(1));
    let files = source.paths().iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(" + ");
    let ctx2 = ctx.clone();
    ctx.block_on(async move {
        let db = ctx2.open().await?;
        let reg = registry(&[])?;
        let (as_of, std) = match period::get(&db, args.period).await? {
            Some(p) => {
                if let Some(asked) = args.as_of.filter(|d| *d != p.reference_date) {
                    anyhow::bail!(
                        "kỳ {} đã có ngày tham chiếu {}, không phải {asked} / \
                         period {} already has the reference date {}, not {asked}",
                        p.year,
                        p.reference_date,
                        p.year,
                        p.reference_date
                    );
                }
                let std =
                    reg.get(&p.standard_id).with_context(|| format!("standard {} of the period", p.standard_id))?;
                (p.reference_date, std)
            }
            None => {
                let as_of =
                    args.as_of.or_else(|| period::default_reference_date(args.period)).context("invalid period")?;
                period::check_reference_date(args.period, as_of)?;
                let sel: StandardSelection = args.standard.parse().unwrap_or(StandardSelection::Auto);
                (as_of, reg.select_for_review(&sel, args.period)?)
            }
        };
        let opts = ReadOptions {
            as_of,
            keep_personal: true,
            skip_invalid: args.skip_invalid,
            require_waste_treatment: std
                .reads_household_flag(vuonlen_core::standard::HouseholdFlagField::WasteTreatment),
        };
        let spec = ImportSpec {
            period: args.period,
            reference_date: as_of,
            standard: std.clone(),
            actor: ctx2.actor()?,
            command: "import".into(),
            files,
            file_hash: hash,
            scope: vuonlen_store::Scope::unscoped_all(),
            expected_households,
        };
        // One streaming path for the command line and the web upload (vuonlen-app).
        let tty = std::io::stderr().is_terminal();
        let mut next_note: u64 = 50_000;
        let progress = move |done: u64| {
            if done >= next_note {
                if !tty || done % 200_000 < 50_000 {
                    eprintln!("  … {done} hộ / households");
                }
                next_note = done + 50_000;
            }
        };
        let imported = import_period(&db.unscoped(), source, opts, spec, Finish::Commit, progress).await?;
        let read = imported.report;
        let Some(summary) = imported.summary else {
            report::write_errors(&read, &errors_path)?;
            report::print_refusal(&read, &errors_path);
            eprintln!("Cơ sở dữ liệu không thay đổi / The registry was not changed.");
            return Ok(ExitCode::from(2));
        };
        if !summary.conflicts.is_empty() {
            report::write_errors(&read, &errors_path)?;
            report::print_refusal(&read, &errors_path);
            eprintln!("Cơ sở dữ liệu không thay đổi / The registry was not changed.");
            return Ok(ExitCode::from(2));
        }
        print_summary(&summary, &std.id, as_of);
        if !read.errors.is_empty() || !read.warnings.is_empty() {
            report::write_errors(&read, &errors_path)?;
        }
        report::print_remaining(&read, &errors_path);
        Ok(ExitCode::SUCCESS)
    })
}

fn print_summary(s: &ImportSummary, std_id: &str, as_of: chrono::NaiveDate) {
    if !s.committed {
        eprintln!(
            "Không có thay đổi: {} hộ đã có sẵn, giống hệt / Nothing changed: all {} households are already in period {}.",
            s.unchanged, s.unchanged, s.period
        );
        return;
    }
    eprintln!(
        "Kỳ {} (chuẩn {std_id}, ngày {}): {} hộ, {} thành viên — thêm {}, cập nhật {}, không đổi {} / \
         period {}: {} households, {} members — {} inserted, {} updated, {} unchanged.",
        s.period,
        as_of.format("%d/%m/%Y"),
        s.households,
        s.members,
        s.inserted,
        s.updated,
        s.unchanged,
        s.period,
        s.households,
        s.members,
        s.inserted,
        s.updated,
        s.unchanged
    );
    if s.linked_across_units > 0 {
        eprintln!(
            "{} hộ được nối với hộ đã ghi ở xã cũ (trước sáp nhập) / linked to households recorded under a 2024 commune.",
            s.linked_across_units
        );
    }
    if s.unclassified > 0 {
        eprintln!("{} hộ chưa phân loại được theo chuẩn / households the standard cannot classify.", s.unclassified);
    }
    for n in &s.not_done {
        eprintln!(
            "Cảnh báo: kỳ {} đã được lưu, nhưng việc sau chưa chạy được: {} — {}. Chạy `vuonlen db analyze` \
             sau để hoàn tất; dữ liệu đã lưu không bị ảnh hưởng / warning: period {} is stored, but the above did not \
             run: the registry works (maybe slower) until `vuonlen db analyze` runs it.",
            s.period, n.what, n.error, s.period
        );
    }
    if !s.unmapped_communes.is_empty() {
        eprintln!(
            "{} xã cũ chưa có xã mới tương ứng (vuonlen units unmapped) / 2024 communes without a 2025 successor: {}",
            s.unmapped_communes.len(),
            s.unmapped_communes.join(", ")
        );
    }
}
