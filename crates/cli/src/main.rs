//! `vuonlen` — Viet Nam's multidimensional poverty programme from the command line.

mod commands;
mod input;
mod pipeline;
mod progress;
mod report;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// vuonlen (Vươn Lên): hộ nghèo, hộ cận nghèo theo chuẩn nghèo đa chiều.
/// Multidimensional poverty classification, registry and reports for Viet Nam.
#[derive(Debug, Parser)]
#[command(name = "vuonlen", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Phân loại hộ — classify every household of a file under a poverty standard.
    Classify(commands::classify::Args),
    /// Tổng hợp — aggregate classification by commune and province (reports 1, 4–7, H/A/M0).
    Summary(commands::summary::Args),
    /// Sinh dữ liệu mẫu — write a synthetic registry in the interchange format.
    Synth(commands::synth::Args),
    /// Chuẩn nghèo — list the poverty standards and show one with its legal citations.
    Standards(commands::standards::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Classify(a) => commands::classify::run(a),
        Command::Summary(a) => commands::summary::run(a),
        Command::Synth(a) => commands::synth::run(a),
        Command::Standards(a) => commands::standards::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("Lỗi / Error: {e:#}");
            ExitCode::from(1)
        }
    }
}
