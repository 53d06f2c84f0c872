//! `vuonlen review` — a review round (*đợt rà soát*) as Decision 24/2021/QĐ-TTg runs it: open a
//! round, list the households (Phụ lục I), record each step from files or for a whole commune,
//! post the results, resolve complaints, decide (Mẫu 02) and lock; `status` shows each
//! commune's step and what is late.

use crate::commands::registry::Ctx;
use crate::report;
use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use std::path::PathBuf;
use std::process::ExitCode;
use vuonlen_core::Class;
use vuonlen_core::review::{ComplaintOutcome, Origin, PostingDates, ReviewProcedure, RoundKind, Stage, Step, Vote};
use vuonlen_io::review_tables::StepTable;
use vuonlen_store::Registry;
use vuonlen_store::review::{Application, DecisionInput, Round, RoundSpec};

#[derive(Debug, clap::Subcommand)]
pub enum ReviewCommand {
    /// Open a round of a province in a review period (every commune of the province unless
    /// `--communes`).
    Open(OpenArgs),
    /// The rounds, newest first.
    Rounds {
        #[arg(long)]
        period: Option<i64>,
    },
    /// List the households to review (last period's poor and near-poor, with the applications),
    /// and write Phụ lục I per village.
    List(ListArgs),
    /// Record applications (Mẫu 01, Mẫu 04) and the village's proposals from a file:
    /// commune_code, household_code, origin (mau_01|mau_04|village), applied_on.
    Apply(FileArgs),
    /// Record Phiếu A results: commune_code, household_code, result (proceeds|out), reason,
    /// note, screened_on.
    Screen(FileArgs),
    /// Record surveyed households (Phiếu B answers imported): from a file (commune_code,
    /// household_code) or `--commune C --all`.
    Survey(BulkArgs),
    /// Score A of Phiếu B answers with a score table loaded into the registry (`vuonlen
    /// standards load`): household_id, commune_code, area and a column per variable; each
    /// household's score goes into its survey (re-classified) and its answers are kept.
    Score(ScoreArgs),
    /// Record Phiếu C (actual income over 12 months, social allowances excluded) from a file:
    /// commune_code, household_code, nlndn (1|0), income_12m, allowances_12m, surveyed_on. The
    /// income per person per month and the NLNDN answer go into each household's survey.
    Income(FileArgs),
    /// Record village-meeting votes: from a file (commune_code, household_code, held_on,
    /// attendees, agreeing), or one vote for every surveyed household of `--commune`.
    Meeting(MeetingArgs),
    /// Record a commune's public posting.
    Post(PostArgs),
    /// Record complaints from a file: commune_code, household_code, lodged_on, content,
    /// [outcome, recheck_class, resolved_on].
    Complaints(FileArgs),
    /// Record the re-check's outcome of a complaint.
    Resolve(ResolveArgs),
    /// The commune chair's decision recognising the lists; locks the commune's period.
    Decide(DecideArgs),
    /// Each commune's step, counts and late steps.
    Status(StatusArgs),
    /// Print a commune's decision (Mẫu 02 with its lists) and certificates (Mẫu 03) as PDF.
    Print(PrintArgs),
    /// Record one application received outside any round (regular review): the next round of
    /// its commune takes it up.
    Application(ApplicationArgs),
    /// The applications with the day each must be decided by (overdue ones marked).
    Applications(ApplicationsArgs),
    /// The monthly roll-up of a province's regular review as a workbook.
    Monthly(MonthlyArgs),
}

#[derive(Debug, clap::Args)]
pub struct ApplicationArgs {
    /// Commune code as recorded with the household.
    #[arg(long)]
    pub commune: String,
    #[arg(long)]
    pub household: String,
    /// mau_01 (to be recognised poor or near-poor), mau_04 (to be recognised as escaped), village.
    #[arg(long, default_value = "mau_01")]
    pub origin: String,
    /// The day it was received (YYYY-MM-DD).
    #[arg(long)]
    pub on: NaiveDate,
}

#[derive(Debug, clap::Args)]
pub struct ApplicationsArgs {
    #[arg(long)]
    pub province: Option<String>,
    /// Only those no round has taken up yet.
    #[arg(long)]
    pub waiting: bool,
    /// The day lateness is judged on (default: today).
    #[arg(long)]
    pub today: Option<NaiveDate>,
}

#[derive(Debug, clap::Args)]
pub struct MonthlyArgs {
    #[arg(long)]
    pub province: String,
    /// The month, YYYY-MM.
    #[arg(long)]
    pub month: String,
    /// The day the province wants the roll-up by (its plan's), printed on the sheet.
    #[arg(long)]
    pub due: Option<NaiveDate>,
    #[arg(long, value_name = "F.xlsx")]
    pub out: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct PrintArgs {
    #[arg(long)]
    pub round: i64,
    #[arg(long)]
    pub commune: String,
    /// The decision, Mẫu 02, with its annexed lists.
    #[arg(long, value_name = "F.pdf")]
    pub decision: Option<PathBuf>,
    /// The certificates, Mẫu 03, a page per poor or near-poor household.
    #[arg(long, value_name = "F.pdf")]
    pub certificates: Option<PathBuf>,
    /// The written replies to the applicants not granted what they asked, with the reason.
    #[arg(long, value_name = "F.pdf")]
    pub replies: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct OpenArgs {
    #[arg(long)]
    pub period: i64,
    /// Province code (2025 list).
    #[arg(long)]
    pub province: String,
    /// annual (định kỳ) or regular (thường xuyên).
    #[arg(long, default_value = "annual")]
    pub kind: String,
    /// First day (default: the procedure's window, 1 September for an annual round).
    #[arg(long)]
    pub starts: Option<NaiveDate>,
    /// Communes taking part (comma-separated 2025 codes).
    #[arg(long, value_delimiter = ',')]
    pub communes: Vec<String>,
    /// A step's due day from the province plan, `step=YYYY-MM-DD` (steps: list, screening,
    /// survey, meeting, posting, decision); repeat for several.
    #[arg(long = "due")]
    pub due: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[arg(long)]
    pub round: i64,
    #[arg(long)]
    pub commune: Option<String>,
    /// Write the list (Phụ lục I) of `--commune`: `.xlsx` (a sheet per village) or `.csv`.
    #[arg(long, value_name = "F.xlsx")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct FileArgs {
    #[arg(long)]
    pub round: i64,
    #[arg(long, value_name = "F.csv|F.xlsx")]
    pub file: PathBuf,
    /// Error file (CSV or XLSX). Default: `review-STEP.errors.csv`.
    #[arg(long, value_name = "E.csv")]
    pub errors_out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ScoreArgs {
    #[arg(long)]
    pub round: i64,
    /// The id of a score table loaded with `vuonlen standards load`.
    #[arg(long)]
    pub table: String,
    #[arg(long, value_name = "F.csv|F.xlsx")]
    pub file: PathBuf,
    /// Error file (CSV or XLSX). Default: `review-score.errors.csv`.
    #[arg(long, value_name = "E.csv")]
    pub errors_out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct BulkArgs {
    #[arg(long)]
    pub round: i64,
    #[arg(long, value_name = "F.csv|F.xlsx", conflicts_with = "all")]
    pub file: Option<PathBuf>,
    #[arg(long)]
    pub errors_out: Option<PathBuf>,
    #[arg(long, requires = "all")]
    pub commune: Option<String>,
    /// Every listed household of `--commune` whose answers are in the period.
    #[arg(long, requires = "commune")]
    pub all: bool,
}

#[derive(Debug, clap::Args)]
pub struct MeetingArgs {
    #[command(flatten)]
    pub bulk: BulkArgs,
    #[arg(long)]
    pub held_on: Option<NaiveDate>,
    #[arg(long)]
    pub attendees: Option<u32>,
    #[arg(long)]
    pub agreeing: Option<u32>,
}

#[derive(Debug, clap::Args)]
pub struct PostArgs {
    #[arg(long)]
    pub round: i64,
    #[arg(long)]
    pub commune: String,
    #[arg(long)]
    pub from: NaiveDate,
    #[arg(long)]
    pub to: NaiveDate,
    /// Where the lists are posted.
    #[arg(long, default_value = "Trụ sở UBND xã và nhà văn hóa các thôn")]
    pub places: String,
}

#[derive(Debug, clap::Args)]
pub struct ResolveArgs {
    #[arg(long)]
    pub round: i64,
    #[arg(long)]
    pub complaint: i64,
    /// upheld | rejected
    #[arg(long)]
    pub outcome: String,
    /// The class after the re-check (upheld only): poor, near_poor, middle, not_poor.
    #[arg(long)]
    pub class: Option<String>,
    #[arg(long)]
    pub on: NaiveDate,
}

#[derive(Debug, clap::Args)]
pub struct DecideArgs {
    #[arg(long)]
    pub round: i64,
    #[arg(long)]
    pub commune: String,
    /// The decision's number, e.g. 125/QĐ-UBND.
    #[arg(long)]
    pub number: String,
    #[arg(long)]
    pub date: NaiveDate,
    /// Who signs.
    #[arg(long)]
    pub signer: String,
}

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    #[arg(long)]
    pub round: i64,
    /// The day lateness is judged on (default: today).
    #[arg(long)]
    pub today: Option<NaiveDate>,
}

fn procedure() -> Result<std::sync::Arc<ReviewProcedure>> {
    vuonlen_core::Standards::embedded()?.review_procedure().context("no review procedure in standards/")
}

async fn round_of(reg: &Registry, id: i64) -> Result<Round> {
    reg.round(id).await?.with_context(|| format!("không có đợt rà soát {id} / no review round {id}"))
}

pub fn run(ctx: Ctx, cmd: ReviewCommand) -> Result<ExitCode> {
    let reading = matches!(
        cmd,
        ReviewCommand::Rounds { .. }
            | ReviewCommand::Status(_)
            | ReviewCommand::Print(_)
            | ReviewCommand::Applications(_)
            | ReviewCommand::Monthly(_)
    );
    let actor = if reading { String::new() } else { ctx.actor()? };
    let procedure = procedure()?;
    ctx.block_on(async {
        let db = ctx.open().await?;
        // The command line administers the whole registry.
        let reg = db.unscoped();
        match cmd {
            ReviewCommand::Open(a) => {
                let period = vuonlen_store::period::get(&db, a.period)
                    .await?
                    .with_context(|| format!("không có kỳ {0} / no period {0} in the registry", a.period))?;
                let kind = RoundKind::parse(&a.kind).with_context(|| format!("--kind {}: annual | regular", a.kind))?;
                let mut calendar = Vec::new();
                for d in &a.due {
                    let (s, day) = d.split_once('=').with_context(|| format!("--due {d}: step=YYYY-MM-DD"))?;
                    let step = Step::parse(s).with_context(|| format!("--due {d}: unknown step {s}"))?;
                    calendar.push((step, day.parse::<NaiveDate>().with_context(|| format!("--due {d}: a day"))?));
                }
                let spec = RoundSpec {
                    period: &period,
                    kind,
                    province_code: &a.province,
                    starts_on: a.starts,
                    communes: &a.communes,
                    calendar: &calendar,
                    procedure: &procedure,
                };
                let r = reg.open_round(&spec, &actor, "review open").await?;
                println!("{}", r.id);
                eprintln!(
                    "Đã mở đợt rà soát {} (kỳ {}, danh sách năm {}, {} – {}) / Opened round {}.",
                    r.id, r.period, r.list_year, r.starts_on, r.ends_on, r.id
                );
            }
            ReviewCommand::Rounds { period } => {
                println!("id\tperiod\tkind\tprovince\tstarts_on\tends_on\tlist_year\tstandard");
                for r in reg.rounds(period).await? {
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        r.id,
                        r.period,
                        r.kind.key(),
                        r.province_code,
                        r.starts_on,
                        r.ends_on,
                        r.list_year,
                        r.standard_id
                    );
                }
            }
            ReviewCommand::List(a) => {
                let round = round_of(&reg, a.round).await?;
                let added = reg.list_round(&round, a.commune.as_deref(), &actor, "review list").await?;
                eprintln!("Đã thêm {added} hộ vào danh sách rà soát / Listed {added} households.");
                if let Some(out) = a.out {
                    let commune = a.commune.context("--out needs --commune")?;
                    vuonlen_app::review::write_list(&reg, &round, &commune, out.clone()).await?;
                    eprintln!("Phụ lục I: {}", out.display());
                }
            }
            ReviewCommand::Apply(a) => return file_step(&reg, &procedure, StepTable::Applications, a, &actor).await,
            ReviewCommand::Screen(a) => return file_step(&reg, &procedure, StepTable::Screening, a, &actor).await,
            ReviewCommand::Complaints(a) => {
                return file_step(&reg, &procedure, StepTable::Complaints, a, &actor).await;
            }
            ReviewCommand::Score(a) => {
                let round = round_of(&reg, a.round).await?;
                let (period, standard) = round_period(&db, &round).await?;
                let errors_path = a.errors_out.unwrap_or_else(|| PathBuf::from("review-score.errors.csv"));
                let done = vuonlen_app::score::record_scores(
                    &reg,
                    &round,
                    &period,
                    standard,
                    &a.table,
                    a.file,
                    &actor,
                    "review score",
                )
                .await?;
                eprintln!("Bảng điểm / score table: {}", done.table_title);
                let read = &done.file.report;
                if !read.errors.is_empty() {
                    report::write_errors(read, &errors_path)?;
                    report::print_refusal_whole(read, &errors_path);
                    return Ok(ExitCode::FAILURE);
                }
                let n = done.recorded.unwrap_or(0);
                eprintln!("Đã ghi điểm A của {n} hộ / Recorded score A of {n} households.");
            }
            ReviewCommand::Income(a) => {
                let round = round_of(&reg, a.round).await?;
                let (period, standard) = round_period(&db, &round).await?;
                let errors_path = a.errors_out.unwrap_or_else(|| PathBuf::from("review-income_survey.errors.csv"));
                let done = vuonlen_app::income::record_income_surveys(
                    &reg,
                    &round,
                    &period,
                    standard,
                    a.file,
                    &actor,
                    "review income",
                )
                .await?;
                let read = &done.file.report;
                if !read.is_clean() {
                    report::write_errors(read, &errors_path)?;
                    report::print_refusal_whole(read, &errors_path);
                    return Ok(ExitCode::FAILURE);
                }
                let n = done.recorded.unwrap_or(0);
                eprintln!("Đã ghi Phiếu C của {n} hộ / Recorded Phiếu C of {n} households.");
            }
            ReviewCommand::Survey(b) => {
                let round = round_of(&reg, b.round).await?;
                match (b.file, b.commune) {
                    (Some(file), _) => {
                        let a = FileArgs { round: b.round, file, errors_out: b.errors_out };
                        return file_step(&reg, &procedure, StepTable::Surveys, a, &actor).await;
                    }
                    (None, Some(commune)) => {
                        let n = reg.record_surveyed_all(&round, &commune, &actor, "review survey").await?;
                        eprintln!("Đã ghi {n} hộ đã điều tra (Phiếu B) / Recorded {n} households surveyed.");
                    }
                    (None, None) => bail!("--file F or --commune C --all"),
                }
            }
            ReviewCommand::Meeting(m) => {
                let round = round_of(&reg, m.bulk.round).await?;
                match (m.bulk.file, m.bulk.commune) {
                    (Some(file), _) => {
                        let a = FileArgs { round: m.bulk.round, file, errors_out: m.bulk.errors_out };
                        return file_step(&reg, &procedure, StepTable::Meetings, a, &actor).await;
                    }
                    (None, Some(commune)) => {
                        let held_on = m.held_on.context("--held-on")?;
                        let vote = Vote {
                            attendees: m.attendees.context("--attendees")?,
                            agreeing: m.agreeing.context("--agreeing")?,
                        };
                        let n = reg
                            .record_meeting_all(&round, &procedure, &commune, held_on, vote, &actor, "review meeting")
                            .await?;
                        eprintln!("Đã ghi kết quả họp dân cho {n} hộ / Recorded the meeting for {n} households.");
                    }
                    (None, None) => bail!("--file F or --commune C --all"),
                }
            }
            ReviewCommand::Post(a) => {
                let round = round_of(&reg, a.round).await?;
                let posting = PostingDates { starts_on: a.from, ends_on: a.to };
                reg.record_posting(&round, &procedure, &a.commune, posting, &a.places, &actor, "review post").await?;
                eprintln!("Đã ghi niêm yết {} – {} / Recorded the posting.", a.from, a.to);
            }
            ReviewCommand::Resolve(a) => {
                let round = round_of(&reg, a.round).await?;
                let outcome =
                    ComplaintOutcome::parse(&a.outcome).with_context(|| format!("--outcome {}: upheld | rejected", a.outcome))?;
                let class = a
                    .class
                    .as_deref()
                    .map(|c| Class::parse(c).with_context(|| format!("--class {c}: poor | near_poor | middle | not_poor")))
                    .transpose()?;
                reg.resolve_complaint(&round, a.complaint, outcome, class, a.on, &actor, "review resolve").await?;
                eprintln!("Đã ghi kết quả phúc tra / Recorded the re-check.");
            }
            ReviewCommand::Decide(a) => {
                let round = round_of(&reg, a.round).await?;
                let input = DecisionInput { commune: &a.commune, number: &a.number, decided_on: a.date, signer: &a.signer };
                match reg.decide(&round, &input, &actor, "review decide").await? {
                    Ok(d) => {
                        eprintln!(
                            "Quyết định {} ngày {}: công nhận {} hộ — {} hộ nghèo, {} hộ cận nghèo; {} hộ thoát nghèo, {} hộ thoát cận nghèo; danh sách kỳ {} của xã {} đã khóa.",
                            d.number, d.decided_on, d.recognised, d.poor, d.near_poor, d.escaped_poor, d.escaped_near_poor, round.period, d.commune
                        );
                        if d.carried_forward > 0 {
                            eprintln!(
                                "{} hộ không được rà soát giữ nguyên kết quả lần công nhận trước / households not reviewed keep their last decision's class.",
                                d.carried_forward
                            );
                        }
                        for (code, computed, recognised) in &d.differences {
                            eprintln!("  {code}: tính {computed} → công nhận {recognised} (phúc tra) / computed {computed}, recognised {recognised}");
                        }
                    }
                    Err(refusals) => {
                        eprintln!("Chưa ra được quyết định / No decision yet:");
                        for r in refusals {
                            eprintln!("  - {} / {}", r.vi, r.en);
                        }
                        return Ok(ExitCode::FAILURE);
                    }
                }
            }
            ReviewCommand::Print(a) => {
                use vuonlen_app::review::{Document, document};
                let round = round_of(&reg, a.round).await?;
                if a.decision.is_none() && a.certificates.is_none() && a.replies.is_none() {
                    bail!("--decision F.pdf, --certificates F.pdf and/or --replies F.pdf");
                }
                for (path, which) in [
                    (a.decision, Document::Decision),
                    (a.certificates, Document::Certificates),
                    (a.replies, Document::Replies),
                ] {
                    let Some(path) = path else { continue };
                    let pdf = document(&reg, &round, &procedure, &a.commune, which).await?;
                    std::fs::write(&path, pdf).with_context(|| format!("{}", path.display()))?;
                    eprintln!("{}", path.display());
                }
            }
            ReviewCommand::Application(a) => {
                let origin = Origin::parse(&a.origin)
                    .filter(|o| *o != Origin::Listed)
                    .with_context(|| format!("--origin {}: mau_01 | mau_04 | village", a.origin))?;
                let app = Application {
                    commune_code: a.commune.clone(),
                    household_code: a.household.clone(),
                    origin,
                    applied_on: a.on,
                };
                let today = chrono::Local::now().date_naive();
                match reg.record_application(&app, today, &actor, "review application").await? {
                    Ok(id) => {
                        println!("{id}");
                        eprintln!(
                            "Đã ghi đơn; rà soát thường xuyên từ {}, hạn giải quyết {} / Recorded; reviewed from {}, due by {}.",
                            procedure.regular_start_for(a.on),
                            procedure.application_due(a.on),
                            procedure.regular_start_for(a.on),
                            procedure.application_due(a.on)
                        );
                    }
                    Err(r) => {
                        eprintln!("{} / {}", r.vi, r.en);
                        return Ok(ExitCode::FAILURE);
                    }
                }
            }
            ReviewCommand::Applications(a) => {
                let today = a.today.unwrap_or_else(|| chrono::Local::now().date_naive());
                println!("id\tcommune\thousehold\torigin\tapplied_on\treview_starts\tdue_on\tround\tstage\trecognised\toverdue");
                for x in reg.applications(&procedure, a.province.as_deref(), a.waiting).await? {
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        x.id,
                        x.commune_code,
                        x.household_code,
                        x.origin.key(),
                        x.applied_on,
                        x.review_starts,
                        x.due_on,
                        x.round_id.map(|r| r.to_string()).unwrap_or_default(),
                        x.stage.as_deref().unwrap_or(""),
                        x.recognised_class.as_deref().unwrap_or(""),
                        if x.overdue(today) { "yes" } else { "" }
                    );
                }
            }
            ReviewCommand::Monthly(a) => {
                let (y, m) = a
                    .month
                    .split_once('-')
                    .and_then(|(y, m)| Some((y.parse::<i32>().ok()?, m.parse::<u32>().ok()?)))
                    .filter(|(_, m)| (1..=12).contains(m))
                    .with_context(|| format!("--month {}: YYYY-MM", a.month))?;
                let bytes = vuonlen_app::review::month_workbook(&reg, &procedure, &a.province, y, m, a.due).await?;
                std::fs::write(&a.out, bytes).with_context(|| format!("writing {}", a.out.display()))?;
                eprintln!("Tổng hợp rà soát thường xuyên tháng {m:02}/{y}: {}", a.out.display());
            }
            ReviewCommand::Status(a) => {
                let round = round_of(&reg, a.round).await?;
                let today = a.today.unwrap_or_else(|| chrono::Local::now().date_naive());
                println!("commune\tname\treached\tlisted\tscreened_out\tsurveyed\tresurvey\tagreed\tdecided\tcomplaints_open\tdecision\tlate");
                for s in reg.round_status(&round, today).await? {
                    let late: Vec<&str> = s.late.iter().map(|x| x.key()).collect();
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        s.commune_code,
                        s.commune_name,
                        s.reached.map_or("-", Step::key),
                        s.count(Stage::Listed),
                        s.count(Stage::ScreenedOut),
                        s.count(Stage::Surveyed),
                        s.count(Stage::Resurvey),
                        s.count(Stage::Agreed),
                        s.count(Stage::Decided),
                        s.open_complaints,
                        s.decision_number.as_deref().unwrap_or(""),
                        late.join(",")
                    );
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// The round's period and the standard it is classified with (steps that change answers).
async fn round_period(
    db: &vuonlen_store::Db,
    round: &Round,
) -> Result<(vuonlen_store::period::Period, std::sync::Arc<vuonlen_core::Standard>)> {
    let period = vuonlen_store::period::get(db, round.period)
        .await?
        .with_context(|| format!("không có kỳ {0} / no period {0}", round.period))?;
    let standard = crate::input::registry(&[])?.get(&period.standard_id)?;
    Ok((period, standard))
}

async fn file_step(
    reg: &Registry,
    procedure: &ReviewProcedure,
    table: StepTable,
    a: FileArgs,
    actor: &str,
) -> Result<ExitCode> {
    let round = round_of(reg, a.round).await?;
    let errors_path = a.errors_out.unwrap_or_else(|| PathBuf::from(format!("review-{}.errors.csv", table.key())));
    let command = format!("review {}", table.key());
    let done = vuonlen_app::review::record_file(reg, &round, procedure, table, a.file, actor, &command).await?;
    let read = &done.file.report;
    if !read.is_clean() {
        report::write_errors(read, &errors_path)?;
        report::print_refusal_whole(read, &errors_path);
        return Ok(ExitCode::FAILURE);
    }
    let n = done.recorded.unwrap_or(0);
    eprintln!("Đã ghi {n} hộ ({}) / Recorded {n} households.", table.key());
    Ok(ExitCode::SUCCESS)
}
