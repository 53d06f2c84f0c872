//! `vuonlen models` — poverty-reduction models (*mô hình giảm nghèo*): `add` one to a commune
//! (host, place, project, years, budget by source, result, status, households), `list` a unit's
//! (or write them, XLSX/CSV), `join` households to one, record its replication in another
//! commune (`replicate`) or an exemplary case (`case`), `show` one with all of these.

use crate::commands::registry::Ctx;
use anyhow::{Context, Result};
use std::path::PathBuf;
use std::process::ExitCode;
use vuonlen_app::models::{
    CaseRequest, ModelRequest, Refusals, ReplicationRequest, add_case, add_model, class_vi, join_households,
    model_view, models_table, replicate,
};
use vuonlen_store::targets::TargetUnit;

#[derive(Debug, clap::Subcommand)]
pub enum ModelsCommand {
    /// Add a model to a commune.
    Add(Box<AddArgs>),
    /// List a unit's models (a commune, a province's communes, VN), or write them (--out).
    List(ListArgs),
    /// Add households of the model's commune to a model.
    Join(JoinArgs),
    /// Record a model's replication in another commune.
    Replicate(ReplicateArgs),
    /// Record an exemplary case (gương điển hình) of a model.
    Case(CaseArgs),
    /// A model with its households, replications and cases.
    Show(ShowArgs),
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// The model's commune (2025 list).
    #[arg(long)]
    pub commune: String,
    #[arg(long)]
    pub name: String,
    /// The host (đơn vị chủ trì).
    #[arg(long)]
    pub host: String,
    /// cooperative, cooperative_group, community_group, agency, enterprise or other.
    #[arg(long, default_value = "cooperative")]
    pub host_kind: String,
    /// Where (village, place).
    #[arg(long)]
    pub place: Option<String>,
    /// A project or sub-project of the catalogue covering the first year.
    #[arg(long, default_value = "DA2")]
    pub project: String,
    #[arg(long = "from")]
    pub start_year: i64,
    #[arg(long = "to")]
    pub end_year: Option<i64>,
    /// SOURCE=AMOUNT in đồng (`central=500.000.000`); repeat for each source.
    #[arg(long = "budget", allow_hyphen_values = true)]
    pub budget: Vec<String>,
    #[arg(long)]
    pub result: Option<String>,
    /// planned, under_way, done or cancelled.
    #[arg(long, default_value = "under_way")]
    pub status: String,
    /// A household of the commune taking part, by code; repeat for each.
    #[arg(long = "household")]
    pub households: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[arg(long)]
    pub unit: String,
    /// Models under way in this year (every year when omitted).
    #[arg(long)]
    pub year: Option<i64>,
    #[arg(long, value_name = "F.xlsx|F.csv")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct JoinArgs {
    #[arg(long)]
    pub model: i64,
    /// A household of the model's commune, by code; repeat for each.
    #[arg(long = "household", required = true)]
    pub households: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct ReplicateArgs {
    #[arg(long)]
    pub model: i64,
    /// The commune that took the model up (2025 list).
    #[arg(long)]
    pub commune: String,
    #[arg(long)]
    pub year: i64,
    /// Households taking part there.
    #[arg(long, allow_negative_numbers = true)]
    pub households: i64,
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct CaseArgs {
    #[arg(long)]
    pub model: i64,
    /// The household of the model's commune the case is about, by code.
    #[arg(long)]
    pub household: Option<String>,
    #[arg(long)]
    pub title: String,
    #[arg(long)]
    pub story: Option<String>,
    #[arg(long)]
    pub year: i64,
    /// The household escaped poverty (gương thoát nghèo).
    #[arg(long)]
    pub escaped: bool,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    #[arg(long)]
    pub model: i64,
}

fn refused(what_vi: &str, what_en: &str, why: Refusals) -> ExitCode {
    eprintln!("Không ghi {what_vi} / {what_en} not recorded:");
    for (vi, en) in why {
        eprintln!("  - {vi} / {en}");
    }
    ExitCode::FAILURE
}

fn cell_text(c: &vuonlen_io::PlainCell) -> String {
    match c {
        vuonlen_io::PlainCell::Text(t) => t.clone(),
        vuonlen_io::PlainCell::Int(Some(v)) => v.to_string(),
        vuonlen_io::PlainCell::Dec(Some(v)) => v.to_string(),
        _ => String::new(),
    }
}

pub fn run(ctx: Ctx, cmd: ModelsCommand) -> Result<ExitCode> {
    let actor = || ctx.actor();
    match cmd {
        ModelsCommand::Add(a) => {
            let a = *a;
            let standards = vuonlen_core::Standards::embedded()?;
            let actor = actor()?;
            ctx.block_on(async {
                let db = ctx.open().await?;
                let r = ModelRequest {
                    commune: a.commune,
                    name: a.name,
                    host: a.host,
                    host_kind: a.host_kind,
                    place: a.place,
                    project_code: a.project,
                    start_year: a.start_year,
                    end_year: a.end_year,
                    budget: a
                        .budget
                        .iter()
                        .map(|b| match b.split_once('=') {
                            Some((s, v)) => (s.to_string(), v.to_string()),
                            None => (b.clone(), String::new()),
                        })
                        .collect(),
                    result: a.result,
                    status: a.status,
                    household_codes: a.households,
                    household_ids: Vec::new(),
                };
                match add_model(&db.unscoped(), &standards, &r, &actor, "models add").await? {
                    Ok(id) => {
                        eprintln!("Đã ghi mô hình số {id} / Recorded model {id}.");
                        Ok(ExitCode::SUCCESS)
                    }
                    Err(why) => Ok(refused("mô hình", "Model", why)),
                }
            })
        }
        ModelsCommand::List(a) => ctx.block_on(async {
            let db = ctx.open().await?;
            let unit = TargetUnit::parse(&a.unit)
                .with_context(|| format!("'{}' không phải mã đơn vị / is not a unit code", a.unit))?;
            let models = db.unscoped().models_of(&unit, a.year).await?;
            match &a.out {
                Some(out) => {
                    let (header, rows) = models_table(&models);
                    vuonlen_io::write_plain_table(out, "mo-hinh", &header, &rows)?;
                    eprintln!("Đã ghi {} mô hình vào {} / wrote {} models.", rows.len(), out.display(), rows.len());
                }
                None => {
                    println!(
                        "id\tcommune\tname\thost\tproject\tfrom\tto\tbudget\thouseholds\treplications\tcases\tstatus"
                    );
                    for m in &models {
                        let x = &m.model;
                        println!(
                            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                            m.id,
                            x.commune,
                            x.name,
                            x.host,
                            x.project_code,
                            x.start_year,
                            x.end_year.map(|y| y.to_string()).unwrap_or_default(),
                            m.budget_total(),
                            m.households,
                            m.replications,
                            m.cases,
                            x.status
                        );
                    }
                    if let Some(y) = a.year {
                        eprintln!(
                            "{} mô hình đang thực hiện năm {y} ở {} / {} models under way in {y}.",
                            models.len(),
                            unit.name,
                            models.len()
                        );
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }),
        ModelsCommand::Join(a) => {
            let actor = actor()?;
            ctx.block_on(async {
                let db = ctx.open().await?;
                let reg = db.unscoped();
                let model =
                    reg.model(a.model).await?.with_context(|| format!("không có mô hình / no model {}", a.model))?;
                match join_households(&reg, &model, &a.households, &[], &actor, "models join").await? {
                    Ok(n) => {
                        eprintln!("Đã thêm {n} hộ vào mô hình {} / added {n} households.", a.model);
                        Ok(ExitCode::SUCCESS)
                    }
                    Err(why) => Ok(refused("hộ tham gia", "Households", why)),
                }
            })
        }
        ModelsCommand::Replicate(a) => {
            let actor = actor()?;
            ctx.block_on(async {
                let db = ctx.open().await?;
                let reg = db.unscoped();
                let model =
                    reg.model(a.model).await?.with_context(|| format!("không có mô hình / no model {}", a.model))?;
                let r = ReplicationRequest { commune: a.commune, year: a.year, households: a.households, note: a.note };
                match replicate(&reg, &model, &r, &actor, "models replicate").await? {
                    Ok(id) => {
                        eprintln!("Đã ghi nhân rộng số {id} / Recorded replication {id}.");
                        Ok(ExitCode::SUCCESS)
                    }
                    Err(why) => Ok(refused("nhân rộng", "Replication", why)),
                }
            })
        }
        ModelsCommand::Case(a) => {
            let actor = actor()?;
            ctx.block_on(async {
                let db = ctx.open().await?;
                let reg = db.unscoped();
                let model =
                    reg.model(a.model).await?.with_context(|| format!("không có mô hình / no model {}", a.model))?;
                let r = CaseRequest {
                    household_code: a.household,
                    title: a.title,
                    story: a.story,
                    year: a.year,
                    escaped: a.escaped,
                };
                match add_case(&reg, &model, &r, &actor, "models case").await? {
                    Ok(id) => {
                        eprintln!("Đã ghi gương điển hình số {id} / Recorded case {id}.");
                        Ok(ExitCode::SUCCESS)
                    }
                    Err(why) => Ok(refused("gương điển hình", "Case", why)),
                }
            })
        }
        ModelsCommand::Show(a) => ctx.block_on(async {
            let db = ctx.open().await?;
            let v = model_view(&db.unscoped(), a.model)
                .await?
                .with_context(|| format!("không có mô hình / no model {}", a.model))?;
            let (header, rows) = models_table(std::slice::from_ref(&v.model));
            for (h, c) in header.iter().zip(rows.iter().flat_map(|r| r.cells.iter())).skip(1) {
                println!("{h}\t{}", cell_text(c));
            }
            println!("\nHộ tham gia / households:\nhousehold_code\tperiod\tclass");
            for p in &v.households {
                let class = p.class.as_deref().map(class_vi).unwrap_or_default();
                println!("{}\t{}\t{class}", p.household_code, p.period.map(|y| y.to_string()).unwrap_or_default());
            }
            println!("\nNhân rộng / replications:\ncommune\tyear\thouseholds\tnote");
            for r in &v.replications {
                println!("{}\t{}\t{}\t{}", r.commune, r.year, r.households, r.note.clone().unwrap_or_default());
            }
            println!("\nGương điển hình / cases:\nyear\ttitle\thousehold_code\tescaped");
            for c in &v.cases {
                println!(
                    "{}\t{}\t{}\t{}",
                    c.year,
                    c.title,
                    c.household_code.clone().unwrap_or_default(),
                    if c.escaped { "thoát nghèo" } else { "" }
                );
            }
            Ok(ExitCode::SUCCESS)
        }),
    }
}
