//! Telling the user about problems: the error file and a short account on stderr.

use anyhow::Result;
use std::path::Path;
use vuonlen_core::ClassifyError;
use vuonlen_io::{OutputFormat, Problem, ProblemKind, ReadReport, Source};

/// A household that was read but could not be classified.
#[derive(Debug)]
pub struct Failure {
    pub household_id: String,
    pub error: ClassifyError,
}

/// Adds classification failures to the report's errors.
pub fn add_failures(read: &mut ReadReport, failures: &[Failure], source: &Source) {
    let file = source
        .paths()
        .first()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    for f in failures {
        let (vi, en) = match &f.error {
            ClassifyError::NoScoreAnchor(id) => (
                format!("Chuẩn {id} chưa có mốc điểm A: cần nhập thu nhập bình quân đầu người"),
                format!("Standard {id} has no score-A anchor: give income_per_capita"),
            ),
            ClassifyError::NoIncomeTest => (
                "Thiếu cả thu nhập bình quân lẫn điểm A".to_string(),
                "Neither income_per_capita nor score_a is given".to_string(),
            ),
            ClassifyError::NoMembers => {
                ("Hộ không có thành viên".to_string(), "The household has no members".to_string())
            }
        };
        read.errors.push(Problem {
            kind: ProblemKind::NotClassifiable,
            file: file.clone(),
            sheet: None,
            row: 0,
            column: "income_per_capita".into(),
            value: String::new(),
            household_code: Some(f.household_id.clone()),
            message_vi: vi,
            message_en: en,
        });
    }
    if !failures.is_empty() && read.skipped_households == 0 {
        read.skipped_households = failures.len() as u64;
    }
}

/// Writes every problem to `path` (CSV, or XLSX by extension).
pub fn write_errors(read: &ReadReport, path: &Path) -> Result<()> {
    vuonlen_io::write_problems(read, path, OutputFormat::from_path(path))?;
    Ok(())
}

const SHOWN: usize = 20;

fn print_some(read: &ReadReport) {
    for p in read.errors.iter().take(SHOWN) {
        eprintln!("  - {p}");
    }
    let more = read.errors.len().saturating_sub(SHOWN) as u64 + read.errors_omitted;
    if more > 0 {
        eprintln!("  … và {more} lỗi khác / and {more} more errors");
    }
}

/// The input was refused: nothing written.
pub fn print_refusal(read: &ReadReport, errors_path: &Path) {
    let n = read.errors.len() as u64 + read.errors_omitted;
    eprintln!("Dữ liệu có {n} lỗi, không ghi kết quả / The input has {n} errors; nothing was written.");
    print_some(read);
    eprintln!("Danh sách đầy đủ / full list: {}", errors_path.display());
    eprintln!("Sửa các lỗi rồi chạy lại, hoặc dùng --skip-invalid để bỏ qua các hộ lỗi.");
    eprintln!("Fix them and run again, or use --skip-invalid to leave the invalid households out.");
}

/// A refused file that is taken whole or not at all (no `--skip-invalid`).
pub fn print_refusal_whole(read: &ReadReport, errors_path: &Path) {
    let n = read.errors.len() as u64 + read.errors_omitted;
    eprintln!("Dữ liệu có {n} lỗi, không ghi kết quả / The input has {n} errors; nothing was written.");
    print_some(read);
    eprintln!("Danh sách đầy đủ / full list: {}", errors_path.display());
    eprintln!("Sửa các lỗi rồi chạy lại / Fix them and run again.");
}

/// Success, possibly with skipped households or warnings.
pub fn print_remaining(read: &ReadReport, errors_path: &Path) {
    if read.skipped_households > 0 {
        eprintln!(
            "Bỏ qua {} hộ có lỗi / Skipped {} invalid households:",
            read.skipped_households, read.skipped_households
        );
        print_some(read);
    }
    let w = read.warnings.len() as u64 + read.warnings_omitted;
    if w > 0 {
        eprintln!("{w} cảnh báo / warnings.");
    }
    if read.skipped_households > 0 || w > 0 {
        eprintln!("Chi tiết / details: {}", errors_path.display());
    }
}

/// A table of the application layer on standard output: a tab-separated header and rows
/// (decimals to two places).
pub fn print_plain_table(header: &[String], rows: &[vuonlen_io::PlainRow]) {
    println!("{}", header.join("\t"));
    for r in rows {
        let cells: Vec<String> = r
            .cells
            .iter()
            .map(|c| match c {
                vuonlen_io::PlainCell::Text(t) => t.clone(),
                vuonlen_io::PlainCell::Int(v) => v.map(|x| x.to_string()).unwrap_or_default(),
                vuonlen_io::PlainCell::Dec(v) => v.map(|x| format!("{x:.2}")).unwrap_or_default(),
            })
            .collect();
        println!("{}", cells.join("\t"));
    }
}

/// What a table command says once its file is read: the file's problems written to
/// `errors_path` and printed (a failure), or what was recorded — `noun` for what was recorded,
/// `valid_noun` for what a check found valid (Vietnamese, English).
pub fn table_outcome(
    read: &ReadReport,
    errors_path: &Path,
    recorded: Option<u64>,
    valid: usize,
    noun: (&str, &str),
    valid_noun: (&str, &str),
) -> Result<std::process::ExitCode> {
    if !read.is_clean() {
        write_errors(read, errors_path)?;
        print_refusal_whole(read, errors_path);
        return Ok(std::process::ExitCode::FAILURE);
    }
    match recorded {
        Some(k) => eprintln!("Đã ghi {k} {} / Recorded {k} {}.", noun.0, noun.1),
        None => eprintln!(
            "Bảng hợp lệ: {valid} {}; chưa ghi / The table is valid: {valid} {}; nothing recorded.",
            valid_noun.0, valid_noun.1
        ),
    }
    Ok(std::process::ExitCode::SUCCESS)
}
