//! `vuonlen jobs` — the labour-market link (*kết nối việc làm*, DA4): `seeker` registers a
//! working-age member who wants work or training, `vacancy` records a job centre's vacancy,
//! `vacancies` lists a province's, `match` prints (or writes) a vacancy's matching list, `place`
//! records a placement (support of kind job placement).

use crate::commands::registry::Ctx;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use std::path::PathBuf;
use std::process::ExitCode;
use vuonlen_app::jobs::{add_vacancy, matches, matches_table, place, register_seeker};
use vuonlen_store::jobs::{NewJobSeeker, NewPlacement, NewVacancy, Refusals};
use vuonlen_store::targets::TargetUnit;

#[derive(Debug, clap::Subcommand)]
pub enum JobsCommand {
    /// Register (or update) a member who wants work or training.
    Seeker(SeekerArgs),
    /// Record a vacancy of a province (its job centre) or a commune.
    Vacancy(Box<VacancyArgs>),
    /// A province's vacancies.
    Vacancies(VacanciesArgs),
    /// A vacancy's matching list (printed, or --out F.xlsx|F.csv).
    Match(MatchArgs),
    /// Record a placement (it counts as support).
    Place(PlaceArgs),
}

#[derive(Debug, clap::Args)]
pub struct Person {
    /// The commune the household was recorded in.
    #[arg(long)]
    pub commune: String,
    #[arg(long)]
    pub household: String,
    #[arg(long)]
    pub member: i64,
}

#[derive(Debug, clap::Args)]
pub struct SeekerArgs {
    #[command(flatten)]
    pub person: Person,
    #[arg(long, default_value = "")]
    pub skills: String,
    #[arg(long)]
    pub training: Option<String>,
    #[arg(long)]
    pub job: Option<String>,
    #[arg(long)]
    pub abroad: bool,
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub on: NaiveDate,
}

#[derive(Debug, clap::Args)]
pub struct VacancyArgs {
    #[arg(long)]
    pub unit: String,
    #[arg(long)]
    pub employer: String,
    #[arg(long)]
    pub title: String,
    /// Skills asked, separated by commas.
    #[arg(long, default_value = "")]
    pub skills: String,
    #[arg(long, default_value_t = 1)]
    pub positions: i64,
    #[arg(long)]
    pub min_age: Option<i64>,
    #[arg(long)]
    pub max_age: Option<i64>,
    /// Đồng a month.
    #[arg(long)]
    pub wage: Option<i64>,
    #[arg(long)]
    pub workplace: Option<String>,
    #[arg(long)]
    pub abroad: bool,
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub opens_on: NaiveDate,
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub closes_on: Option<NaiveDate>,
}

#[derive(Debug, clap::Args)]
pub struct VacanciesArgs {
    #[arg(long)]
    pub province: String,
}

#[derive(Debug, clap::Args)]
pub struct MatchArgs {
    #[arg(long)]
    pub vacancy: i64,
    /// The day ages are taken on (today by default).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub on: Option<NaiveDate>,
    #[arg(long, value_name = "F.xlsx|F.csv")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct PlaceArgs {
    #[command(flatten)]
    pub person: Person,
    #[arg(long)]
    pub vacancy: Option<i64>,
    #[arg(long)]
    pub employer: Option<String>,
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub on: NaiveDate,
    #[arg(long)]
    pub note: Option<String>,
}

fn outcome(what_vi: &str, what_en: &str, done: Result<i64, Refusals>) -> ExitCode {
    match done {
        Ok(id) => {
            eprintln!("Đã ghi {what_vi} số {id} / Recorded {what_en} {id}.");
            ExitCode::SUCCESS
        }
        Err(why) => {
            eprintln!("Không ghi {what_vi} / {what_en} not recorded:");
            for (vi, en) in why {
                eprintln!("  - {vi} / {en}");
            }
            ExitCode::FAILURE
        }
    }
}

async fn household(reg: &vuonlen_store::Registry, p: &Person) -> Result<i64> {
    reg.household_id_of(&p.commune, &p.household)
        .await?
        .with_context(|| format!("không có hộ {0} của xã {1} / no household {0} of {1}", p.household, p.commune))
}

pub fn run(ctx: Ctx, cmd: JobsCommand) -> Result<ExitCode> {
    let standards = vuonlen_core::Standards::embedded()?;
    match cmd {
        JobsCommand::Seeker(a) => {
            let actor = ctx.actor()?;
            ctx.block_on(async {
                let db = ctx.open().await?;
                let reg = db.unscoped();
                let s = NewJobSeeker {
                    household_id: household(&reg, &a.person).await?,
                    member_no: a.person.member,
                    skills: a.skills,
                    training_wanted: a.training,
                    job_wanted: a.job,
                    wants_abroad: a.abroad,
                    registered_on: Some(a.on),
                };
                let done = register_seeker(&reg, &standards, &s, &actor, "jobs seeker").await?;
                Ok(outcome("người tìm việc", "job seeker", done))
            })
        }
        JobsCommand::Vacancy(a) => {
            let a = *a;
            let actor = ctx.actor()?;
            ctx.block_on(async {
                let db = ctx.open().await?;
                let unit = TargetUnit::parse(&a.unit)
                    .with_context(|| format!("'{}' không phải mã đơn vị / is not a unit code", a.unit))?;
                let v = NewVacancy {
                    employer: a.employer,
                    title: a.title,
                    skills: a.skills.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
                    positions: a.positions,
                    min_age: a.min_age,
                    max_age: a.max_age,
                    wage: a.wage,
                    workplace: a.workplace,
                    abroad: a.abroad,
                    opens_on: Some(a.opens_on),
                    closes_on: a.closes_on,
                };
                let done = add_vacancy(&db.unscoped(), &unit, &v, &actor, "jobs vacancy").await?;
                Ok(outcome("tin tuyển dụng", "vacancy", done))
            })
        }
        JobsCommand::Vacancies(a) => ctx.block_on(async {
            let db = ctx.open().await?;
            println!("id\tunit\temployer\ttitle\tskills\tpositions\tplaced\tages\topens_on\tabroad");
            for v in db.unscoped().vacancies_public(&a.province, None).await? {
                let x = &v.vacancy;
                let age = |a: Option<i64>| a.map(|a| a.to_string()).unwrap_or_default();
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}–{}\t{}\t{}",
                    v.id,
                    v.unit_code,
                    x.employer,
                    x.title,
                    x.skills.join(", "),
                    x.positions,
                    v.placed,
                    age(x.min_age),
                    age(x.max_age),
                    x.opens_on.map(|d| d.to_string()).unwrap_or_default(),
                    if x.abroad { "x" } else { "" }
                );
            }
            Ok(ExitCode::SUCCESS)
        }),
        JobsCommand::Match(a) => ctx.block_on(async {
            let db = ctx.open().await?;
            let on = a.on.unwrap_or_else(|| chrono::Utc::now().date_naive());
            let Some((v, list)) = matches(&db.unscoped(), &standards, a.vacancy, on).await? else {
                anyhow::bail!("không có tin tuyển dụng số {0} / no vacancy {0}", a.vacancy);
            };
            let (header, rows) = matches_table(&list);
            match &a.out {
                Some(out) => {
                    vuonlen_io::write_plain_table(out, "ket-noi", &header, &rows)?;
                    eprintln!("Đã ghi {} người vào {} / wrote {} persons.", rows.len(), out.display(), rows.len());
                }
                None => crate::report::print_plain_table(&header, &rows),
            }
            eprintln!(
                "{}: {} — {} người phù hợp / {} matching.",
                v.vacancy.employer,
                v.vacancy.title,
                list.len(),
                list.len()
            );
            Ok(ExitCode::SUCCESS)
        }),
        JobsCommand::Place(a) => {
            let actor = ctx.actor()?;
            ctx.block_on(async {
                let db = ctx.open().await?;
                let reg = db.unscoped();
                let p = NewPlacement {
                    vacancy_id: a.vacancy,
                    household_id: household(&reg, &a.person).await?,
                    member_no: a.person.member,
                    placed_on: Some(a.on),
                    employer: a.employer,
                    note: a.note,
                };
                let done = place(&reg, &standards, &p, &actor, "jobs place").await?;
                Ok(outcome("việc làm", "placement", done))
            })
        }
    }
}
