//! `vuonlen report` — official report forms for a unit and period from the registry, and
//! `vuonlen transitions` — the movements between two periods.

use crate::commands::registry::Ctx;
use anyhow::{Context, Result, bail};
use std::path::PathBuf;
use std::process::ExitCode;
use vuonlen_app::report::ReportRequest;
use vuonlen_core::movement::{NearPoorMovement, PoorMovement};
use vuonlen_core::report::Group;
use vuonlen_io::forms::{Form, FormKind};
use vuonlen_store::period::{self, Period};
use vuonlen_store::{Db, Selection};

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Form number: 1–15.
    #[arg(long)]
    pub form: u8,
    /// Unit: VN (country), a province (2 digits), a 2024 district (3), a commune (5), `2024:CODE` for an old unit.
    #[arg(long, default_value = "VN")]
    pub unit: String,
    /// Review period (the end period for forms 2 and 3).
    #[arg(long)]
    pub period: i64,
    /// Start period of forms 2, 3 (default: the year before) and 12, 13 (default: the latest earlier period, if any).
    #[arg(long)]
    pub from: Option<i64>,
    /// Standard of the classification to report (default: the period's own; another one shows a what-if).
    #[arg(long)]
    pub standard: Option<String>,
    /// Output workbook (.xlsx).
    #[arg(long, value_name = "R.xlsx")]
    pub out: PathBuf,
}

async fn get_period(db: &Db, year: i64) -> Result<Period> {
    period::get(db, year).await?.with_context(|| format!("không có kỳ {year} / no period {year} in the registry"))
}

pub fn report(ctx: Ctx, a: ReportArgs) -> Result<ExitCode> {
    let form = Form::from_number(a.form).with_context(|| format!("biểu / form {} is not produced", a.form))?;
    let sel = Selection::parse(&a.unit)?;
    ctx.block_on(async {
        let db = ctx.open().await?;
        let reg = db.unscoped();
        let p = get_period(&db, a.period).await?;
        let standards = crate::input::registry(&[])?;
        let std = standards.get(a.standard.as_deref().unwrap_or(&p.standard_id))?;
        let from = match form.kind() {
            FormKind::Movement => Some(get_period(&db, a.from.unwrap_or(p.year - 1)).await?),
            // Forms 12–13: the old / new / re-entered columns when there is an earlier period.
            FormKind::Profile => match a.from {
                Some(y) => Some(get_period(&db, y).await?),
                None => period::list(&db).await?.into_iter().filter(|x| x.year < p.year).max_by_key(|x| x.year),
            },
            _ => None,
        };
        let req = ReportRequest { form, selection: &sel, period: &p, from: from.as_ref(), standard: &std };
        let households = vuonlen_app::report::to_file(&reg, req, a.out.clone()).await?.households;
        eprintln!("Biểu {} — {} — kỳ {} ({households} hộ): {}", form.number(), sel.name, p.year, a.out.display());
        Ok(ExitCode::SUCCESS)
    })
}

#[derive(Debug, clap::Args)]
pub struct TransitionsArgs {
    /// Start period.
    #[arg(long)]
    pub from: i64,
    /// End period.
    #[arg(long)]
    pub to: i64,
    /// Unit (as for `report`).
    #[arg(long, default_value = "VN")]
    pub unit: String,
    /// Per-household CSV: household, class at start and end, movement columns, splits and merges.
    #[arg(long, value_name = "FILE.csv")]
    pub out: Option<PathBuf>,
}

pub fn transitions(ctx: Ctx, a: TransitionsArgs) -> Result<ExitCode> {
    let sel = Selection::parse(&a.unit)?;
    if a.from >= a.to {
        bail!("--from phải trước --to / --from must be before --to");
    }
    ctx.block_on(async {
        let db = ctx.open().await?;
        let from = get_period(&db, a.from).await?;
        let to = get_period(&db, a.to).await?;
        let paths = db.unscoped().paths(&from, &to, &sel).await?;
        // Summed from every household's path, not from the movement cache the forms read: the
        // two are compared by the tests.
        let mut total = vuonlen_core::movement::MovementTally::new();
        for p in &paths {
            total.add_restructured(&p.path, &p.restructuring);
        }
        println!("group,unit,{}", (1..=9).map(|i| format!("col{i}")).collect::<Vec<_>>().join(","));
        for g in Group::ALL {
            let m = total.of(g);
            for (unit, row) in [("households", &m.households), ("persons", &m.persons)] {
                println!(
                    "{},{unit},{}",
                    if g == Group::Poor { "poor" } else { "near_poor" },
                    row.iter().map(u64::to_string).collect::<Vec<_>>().join(",")
                );
            }
        }
        if let Some(out) = &a.out {
            let mut w = csv::Writer::from_path(out).with_context(|| format!("writing {}", out.display()))?;
            w.write_record([
                "commune_code",
                "household_id",
                "class_start",
                "class_end",
                "persons_start",
                "persons_end",
                "poor_column",
                "near_poor_column",
                "restructuring",
            ])?;
            for p in &paths {
                let col = |c: Option<usize>| c.map(|x| x.to_string()).unwrap_or_default();
                w.write_record([
                    p.commune_code.clone(),
                    p.household_code.clone(),
                    p.path.start.map(|c| c.key().to_string()).unwrap_or_default(),
                    p.path.end.map(|c| c.key().to_string()).unwrap_or_default(),
                    p.path.persons_start.to_string(),
                    p.path.persons_end.to_string(),
                    col(PoorMovement::of_restructured(&p.path, &p.restructuring).column()),
                    col(NearPoorMovement::of_restructured(&p.path, &p.restructuring).column()),
                    p.restructuring.keys(),
                ])?;
            }
            w.flush()?;
        }
        eprintln!("{} hộ trong một hoặc cả hai kỳ / households in either period ({}).", paths.len(), sel.name);
        Ok(ExitCode::SUCCESS)
    })
}
