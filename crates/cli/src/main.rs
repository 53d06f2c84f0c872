//! `vuonlen` — Viet Nam's multidimensional poverty programme from the command line.

mod commands;
mod input;
mod pipeline;
mod progress;
mod report;

/// mimalloc instead of the system allocator: an import frees millions of small strings while
/// growing large buffers, which glibc's malloc turns into a third of the CPU time
/// (docs/benchmarks.md §4).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// vuonlen (Vươn Lên): hộ nghèo, hộ cận nghèo theo chuẩn nghèo đa chiều.
/// Multidimensional poverty classification, registry and reports for Viet Nam.
#[derive(Debug, Parser)]
#[command(name = "vuonlen", version, about, long_about = None)]
struct Cli {
    /// Registry database: sqlite://FILE (default vuonlen.db here) or postgres://USER@HOST/DB.
    #[arg(long, global = true, env = "VUONLEN_DB", default_value = vuonlen_store::DEFAULT_URL)]
    db: String,
    /// Who runs the command, for the audit log (default: the operating system's account).
    #[arg(long, global = true, env = "VUONLEN_USER")]
    actor: Option<String>,
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
    /// Chuẩn nghèo — list the poverty standards and show one with its legal citations;
    /// `standards load` puts a Phiếu B score table into the registry.
    Standards(commands::standards::Args),
    /// Chấm điểm A — score Phiếu B answers with a loaded score table (none official is shipped).
    Score(commands::score::Args),
    /// Nhập dữ liệu — import households into a review period of the registry.
    Import(commands::import::Args),
    /// Số dân cư — a period's resident households and persons per commune (the base of rates).
    #[command(subcommand)]
    Totals(commands::totals::TotalsCommand),
    /// Chỉ tiêu — a plan's poverty-reduction targets: check and import a target table, set,
    /// show and export.
    #[command(subcommand)]
    Targets(commands::targets::TargetsCommand),
    /// Kế hoạch — a unit's plans for a year or the programme's five years: set one, show them
    /// year by year against the review.
    #[command(subcommand)]
    Plans(commands::plans::PlansCommand),
    /// Kinh phí — budgets by year, project and source: set, show, check, import, export.
    #[command(subcommand)]
    Budget(commands::budget::BudgetCommand),
    /// Hoạt động — a plan's activities and the agency responsibility matrix.
    #[command(subcommand)]
    Activities(commands::activities::ActivitiesCommand),
    /// Việc làm — the labour-market link: job seekers, vacancies, matching, placements.
    #[command(subcommand)]
    Jobs(commands::jobs::JobsCommand),
    /// Giúp đỡ — cadres assigned to poor households, visits, escape registrations and
    /// commitments; progress per helper and per agency.
    #[command(subcommand)]
    Helpers(commands::helpers::HelpersCommand),
    /// Mô hình giảm nghèo — poverty-reduction models: add, list, join, replicate, case, show.
    #[command(subcommand)]
    Models(commands::models::ModelsCommand),
    /// Hỗ trợ — support received by households: check or import an agency's list, show one.
    #[command(subcommand)]
    Support(commands::support::SupportCommand),
    /// Giám sát — the monitoring cycle's 6-monthly and annual reports: draft, enter, submit,
    /// approve or return, roll-up.
    #[command(subcommand)]
    Monitoring(commands::monitoring::MonitoringCommand),
    /// Rà soát — a review round: list, screening, survey, meeting, posting, complaints, decision, lock.
    #[command(subcommand)]
    Review(commands::review::ReviewCommand),
    /// Tính lại — re-classify a period under its standard or another (what-if).
    Reclassify(commands::registry::ReclassifyArgs),
    /// Diễn biến — movements of households between two periods.
    Transitions(commands::form::TransitionsArgs),
    /// Biểu báo cáo — an official report form for a unit and period.
    Report(commands::form::ReportArgs),
    /// Hộ — one household's history (and audit log); `household link` records a split or a merge.
    Household(commands::registry::HouseholdArgs),
    /// Kỳ rà soát — list the review periods.
    Periods,
    /// Đơn vị hành chính — lineage, unmapped communes, villages.
    #[command(subcommand)]
    Units(commands::registry::UnitsCommand),
    /// Cơ sở dữ liệu — migrations.
    #[command(subcommand)]
    Db(commands::registry::DbCommand),
    /// Máy chủ web — serve the web application and the API.
    Serve(commands::web::ServeArgs),
    /// Chạy thử — a synthetic province with demo users, then the web application.
    Demo(commands::web::DemoArgs),
    /// Người dùng — add a user of the web application.
    #[command(subcommand)]
    User(commands::web::UserCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if std::env::var_os("VUONLEN_LOG").is_some() {
        commands::web::init_logs();
    }
    let ctx = commands::registry::Ctx { db_url: cli.db, actor: cli.actor };
    let result = match cli.command {
        Command::Classify(a) => commands::classify::run(a),
        Command::Summary(a) => commands::summary::run(a),
        Command::Synth(a) => commands::synth::run(a),
        Command::Standards(mut a) => match a.command.take() {
            Some(c) => commands::standards::run_registry(ctx, c),
            None => commands::standards::run(a),
        },
        Command::Score(a) => commands::score::run(a),
        Command::Import(a) => commands::import::run(ctx, a),
        Command::Totals(c) => commands::totals::run(ctx, c),
        Command::Review(c) => commands::review::run(ctx, c),
        Command::Targets(c) => commands::targets::run(ctx, c),
        Command::Plans(c) => commands::plans::run(ctx, c),
        Command::Budget(c) => commands::budget::run(ctx, c),
        Command::Activities(c) => commands::activities::run(ctx, c),
        Command::Helpers(c) => commands::helpers::run(ctx, c),
        Command::Models(c) => commands::models::run(ctx, c),
        Command::Support(c) => commands::support::run(ctx, c),
        Command::Jobs(c) => commands::jobs::run(ctx, c),
        Command::Monitoring(c) => commands::monitoring::run(ctx, c),
        Command::Reclassify(a) => commands::registry::reclassify(ctx, a),
        Command::Transitions(a) => commands::form::transitions(ctx, a),
        Command::Report(a) => commands::form::report(ctx, a),
        Command::Household(a) => commands::registry::household(ctx, a),
        Command::Periods => commands::registry::periods(ctx),
        Command::Units(c) => commands::registry::units(ctx, c),
        Command::Db(c) => commands::registry::db(ctx, c),
        Command::Serve(a) => commands::web::serve(ctx, a),
        Command::Demo(a) => commands::web::demo(ctx, a),
        Command::User(c) => commands::web::user(ctx, c),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("Lỗi / Error: {e:#}");
            ExitCode::from(1)
        }
    }
}
