//! `vuonlen import` — the interchange format into a review period of the registry.

use crate::commands::registry::{Ctx, actor};
use crate::input::{SourceArgs, parse_date, registry};
use crate::report;
use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use vuonlen_core::Selection as StandardSelection;
use vuonlen_io::{HouseholdRecord, HouseholdSink, Problem, ProblemKind, ReadOptions, ReadReport, SinkError, Source};
use vuonlen_store::import::{ConflictKind, ImportSpec, ImportSummary, Importer, Prepared, Preparer};
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

enum Msg {
    Batch(Vec<Prepared>),
    Reset,
}

/// Hands read records, prepared on the reading thread (rows, hash, classification), to the
/// importer: the two cores share the work.
struct ChannelSink {
    tx: tokio::sync::mpsc::Sender<Msg>,
    preparer: Preparer,
}

impl HouseholdSink for ChannelSink {
    fn accept(&mut self, batch: Vec<HouseholdRecord>) -> Result<(), SinkError> {
        let prepared = batch.into_iter().map(|r| self.preparer.prepare(r)).collect();
        self.tx.blocking_send(Msg::Batch(prepared)).map_err(|_| SinkError::new("the registry stopped"))
    }
    fn reset(&mut self) -> Result<(), SinkError> {
        self.tx.blocking_send(Msg::Reset).map_err(|_| SinkError::new("the registry stopped"))
    }
}

fn file_hash(paths: &[&Path]) -> Result<String> {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    for p in paths {
        let mut f = std::fs::File::open(p).with_context(|| format!("opening {}", p.display()))?;
        loop {
            let n = f.read(&mut buf)?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
        }
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

pub fn run(ctx: Ctx, args: Args) -> Result<ExitCode> {
    let source = args.files.source()?;
    let errors_path =
        args.errors.clone().unwrap_or_else(|| PathBuf::from(format!("import-{}.errors.csv", args.period)));
    let hash = file_hash(&source.paths())?;
    let files = source.paths().iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(" + ");
    let ctx2 = ctx.clone();
    ctx.block_on(async move {
        let db = ctx2.open().await?;
        let reg = registry(&[])?;
        let (as_of, std) = match period::get(&db, args.period).await? {
            Some(p) => {
                let std =
                    reg.get(&p.standard_id).with_context(|| format!("standard {} of the period", p.standard_id))?;
                (p.reference_date, std)
            }
            None => {
                let as_of =
                    args.as_of.or_else(|| period::default_reference_date(args.period)).context("invalid period")?;
                let sel: StandardSelection = args.standard.parse().unwrap_or(StandardSelection::Auto);
                (as_of, reg.select(&sel, as_of)?)
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
            actor: actor(),
            command: "import".into(),
            files,
            file_hash: hash,
        };
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Msg>(4);
        let reader_source = source.clone();
        let preparer = Preparer::new(&spec);
        let reader = std::thread::spawn(move || -> Result<ReadReport> {
            let mut sink = ChannelSink { tx, preparer };
            Ok(vuonlen_io::read(&reader_source, &opts, &mut sink)?)
        });
        let tty = std::io::stderr().is_terminal();
        let mut importer = Importer::begin(&db, spec.clone()).await?;
        let mut done: u64 = 0;
        let mut next_note: u64 = 50_000;
        while let Some(msg) = rx.recv().await {
            match msg {
                Msg::Batch(b) => {
                    let n = b.len() as u64;
                    importer.push_prepared(b).await?;
                    done += n;
                    if done >= next_note {
                        if !tty || done % 200_000 < n {
                            eprintln!("  … {done} hộ / households");
                        }
                        next_note += 50_000;
                    }
                }
                Msg::Reset => {
                    importer.abort().await?;
                    importer = Importer::begin(&db, spec.clone()).await?;
                    done = 0;
                    next_note = 50_000;
                }
            }
        }
        let mut read = reader.join().map_err(|_| anyhow::anyhow!("the reading thread panicked"))??;
        if !read.is_clean() && !args.skip_invalid {
            importer.abort().await?;
            report::write_errors(&read, &errors_path)?;
            report::print_refusal(&read, &errors_path);
            eprintln!("Cơ sở dữ liệu không thay đổi / The registry was not changed.");
            return Ok(ExitCode::from(2));
        }
        let summary = importer.finish().await?;
        add_registry_problems(&mut read, &summary, &source);
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
    if !s.unmapped_communes.is_empty() {
        eprintln!(
            "{} xã cũ chưa có xã mới tương ứng (vuonlen units unmapped) / 2024 communes without a 2025 successor: {}",
            s.unmapped_communes.len(),
            s.unmapped_communes.join(", ")
        );
    }
}

/// Conflicts (errors) and ID-number contradictions (warnings) as problems of the members file.
fn add_registry_problems(read: &mut ReadReport, s: &ImportSummary, source: &Source) {
    let file =
        source.paths().last().and_then(|p| p.file_name()).map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let sheet = matches!(source, Source::Xlsx { .. }).then(|| vuonlen_io::MEMBER_SHEETS[0].to_string());
    // The rows of the members involved that are in this file: a second pass over it (only
    // when there is something to report).
    let mut wanted: std::collections::HashSet<(String, u16)> = std::collections::HashSet::new();
    for c in &s.conflicts {
        for m in c.members.iter().filter(|m| m.3) {
            wanted.extend(u16::try_from(m.2).ok().map(|no| (m.1.clone(), no)));
        }
    }
    for w in &s.id_warnings {
        wanted.extend(u16::try_from(w.member_no).ok().map(|no| (w.household_code.clone(), no)));
    }
    let rows = vuonlen_io::locate_members(source, &wanted).unwrap_or_default();
    let linked: std::collections::HashSet<String> = s
        .conflicts
        .iter()
        .filter(|c| c.kind == ConflictKind::LinkedAway)
        .flat_map(|c| c.members.iter().map(|m| m.1.clone()))
        .collect();
    let household_rows = vuonlen_io::locate_households(source, &linked).unwrap_or_default();
    let household_file = source
        .paths()
        .first()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let row_of = |code: &str, no: i64| {
        u16::try_from(no).ok().and_then(|no| rows.get(&(code.to_string(), no)).copied()).unwrap_or(0)
    };
    for c in s.conflicts.iter().filter(|c| c.kind == ConflictKind::LinkedAway) {
        for m in &c.members {
            let (kind, year) = c.value.split_once(' ').unwrap_or((c.value.as_str(), ""));
            let (vi, en) = if kind == "merge" {
                (
                    format!("Hộ đã nhập vào hộ khác từ kỳ {year}: không thể có phiếu rà soát kỳ {}", s.period),
                    format!(
                        "The household merged into another in period {year}: it cannot have answers in {}",
                        s.period
                    ),
                )
            } else {
                (
                    format!("Hộ tách ra từ kỳ {year}: không thể có phiếu rà soát kỳ {} trước đó", s.period),
                    format!(
                        "The household split off in period {year}: it cannot have answers in the earlier {}",
                        s.period
                    ),
                )
            };
            read.errors.push(Problem {
                kind: ProblemKind::LinkContradiction,
                file: household_file.clone(),
                sheet: matches!(source, Source::Xlsx { .. }).then(|| vuonlen_io::HOUSEHOLD_SHEETS[0].to_string()),
                row: household_rows.get(&m.1).copied().unwrap_or(0),
                column: "household_id".into(),
                value: m.1.clone(),
                household_id: Some(m.1.clone()),
                message_vi: vi,
                message_en: en,
            });
        }
    }
    for c in &s.conflicts {
        let others = |me: &(String, String, i64, bool)| {
            c.members
                .iter()
                .filter(|m| m.1 != me.1 || m.0 != me.0)
                .map(|m| format!("{}/{} (STT {})", m.0, m.1, m.2))
                .collect::<Vec<_>>()
                .join(", ")
        };
        for m in &c.members {
            let (kind, column, vi, en) = match c.kind {
                ConflictKind::SameIdNumber => (
                    ProblemKind::DuplicateIdNumber,
                    "id_number",
                    format!("Số định danh trùng với thành viên của hộ khác trong kỳ: {}", others(m)),
                    format!("The same ID number is in another household of the period: {}", others(m)),
                ),
                ConflictKind::SamePerson => (
                    ProblemKind::DuplicatePerson,
                    "full_name",
                    format!("Cùng họ tên và ngày sinh với thành viên hộ khác trong xã: {}", others(m)),
                    format!("Same name and birth date as a member of another household in the commune: {}", others(m)),
                ),
                // Reported above, against the households file.
                ConflictKind::LinkedAway => continue,
            };
            read.errors.push(Problem {
                kind,
                file: file.clone(),
                sheet: sheet.clone(),
                row: if m.3 { row_of(&m.1, m.2) } else { 0 },
                column: column.into(),
                value: if c.kind == ConflictKind::SameIdNumber { c.value.clone() } else { String::new() },
                household_id: Some(format!("{} (STT {})", m.1, m.2)),
                message_vi: vi,
                message_en: en,
            });
        }
    }
    for w in &s.id_warnings {
        let (vi, en): (Vec<&str>, Vec<&str>) = w.contradictions.iter().map(|c| c.message()).unzip();
        read.warnings.push(Problem {
            kind: ProblemKind::IdNumberMismatch,
            file: file.clone(),
            sheet: sheet.clone(),
            row: row_of(&w.household_code, w.member_no),
            column: "id_number".into(),
            value: String::new(),
            household_id: Some(format!("{} (STT {})", w.household_code, w.member_no)),
            message_vi: format!("Số định danh: {}", vi.join("; ")),
            message_en: format!("ID number: {}", en.join("; ")),
        });
    }
}
