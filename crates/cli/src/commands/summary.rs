//! `vuonlen summary` — households classified and aggregated by country, province and commune.

use crate::input::{InputArgs, default_errors_path};
use crate::pipeline::{self, Consumer};
use crate::report;
use anyhow::Result;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use vuonlen_core::summary::Tally;
use vuonlen_core::units::AdminUnits;
use vuonlen_core::{Class, Classification, ClassifyError, Standard};
use vuonlen_io::HouseholdRecord;
use vuonlen_io::summary::{Level, SummaryMeta, UnitRow, write_summary};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output file: CSV (one wide table) or XLSX (one sheet per report) by extension.
    #[arg(long, value_name = "S.csv|S.xlsx")]
    pub out: PathBuf,
}

struct Tallies {
    std: Arc<Standard>,
    by_commune: BTreeMap<String, Tally>,
    failures: Vec<report::Failure>,
}

impl Consumer for Tallies {
    fn consume(&mut self, rec: &HouseholdRecord, result: Result<Classification, ClassifyError>) -> Result<()> {
        match result {
            Ok(c) => {
                let std = &self.std;
                self.by_commune.entry(rec.commune_code.clone()).or_insert_with(|| Tally::new(std)).add(&c);
            }
            Err(e) => self.failures.push(report::Failure { household_id: rec.household_code.clone(), error: e }),
        }
        Ok(())
    }

    fn reset(&mut self) -> Result<()> {
        self.by_commune.clear();
        self.failures.clear();
        Ok(())
    }
}

/// Country, then each province followed by its communes, in code order.
pub fn unit_rows(std: &Standard, as_of: chrono::NaiveDate, by_commune: BTreeMap<String, Tally>) -> Vec<UnitRow> {
    let units = AdminUnits::get();
    let mut country = Tally::new(std);
    let mut provinces: BTreeMap<String, (String, Tally, Vec<UnitRow>)> = BTreeMap::new();
    for (code, tally) in by_commune {
        country.merge(&tally);
        let (pcode, pname, cname) = match units.resolve(&code, as_of) {
            Some(r) => (r.province.code.to_string(), r.province.name.to_string(), r.commune.name.to_string()),
            None => ("??".to_string(), "Không xác định / unknown".to_string(), code.clone()),
        };
        let entry = provinces.entry(pcode.clone()).or_insert_with(|| (pname, Tally::new(std), Vec::new()));
        entry.1.merge(&tally);
        entry.2.push(UnitRow { level: Level::Commune, code, name: cname, province_code: pcode, tally });
    }
    let mut rows = vec![UnitRow {
        level: Level::Country,
        code: String::new(),
        name: "Tổng cộng".into(),
        province_code: String::new(),
        tally: country,
    }];
    for (pcode, (pname, tally, communes)) in provinces {
        rows.push(UnitRow { level: Level::Province, code: pcode.clone(), name: pname, province_code: pcode, tally });
        rows.extend(communes);
    }
    rows
}

pub fn run(args: Args) -> Result<ExitCode> {
    let std = args.input.standard()?;
    let source = args.input.source()?;
    let opts = args.input.read_options(&std);
    let tallies = Tallies { std: std.clone(), by_commune: BTreeMap::new(), failures: Vec::new() };
    let (mut read, tallies) = pipeline::run(&source, &opts, std.clone(), tallies, "Tổng hợp")?;
    report::add_failures(&mut read, &tallies.failures, &source);
    let errors_path = args.input.errors.clone().unwrap_or_else(|| default_errors_path(&args.out));
    if !read.is_clean() && !args.input.skip_invalid {
        report::write_errors(&read, &errors_path)?;
        report::print_refusal(&read, &errors_path);
        return Ok(ExitCode::from(2));
    }
    let rows = unit_rows(&std, args.input.as_of, tallies.by_commune);
    write_summary(&args.out, &std, &SummaryMeta { standard_id: std.id.clone(), as_of: args.input.as_of }, &rows)?;
    if let Some(total) = rows.first() {
        let t = &total.tally;
        let rate = |c: Class| Tally::percent(t.households_in(c), t.households);
        eprintln!(
            "{} hộ, {} nhân khẩu; hộ nghèo {} ({:.2}%), hộ cận nghèo {} ({:.2}%); H = {:.4}, A = {:.4}, M0 = {:.4}",
            t.households,
            t.persons,
            t.households_in(Class::Poor),
            rate(Class::Poor),
            t.households_in(Class::NearPoor),
            rate(Class::NearPoor),
            t.af_households.h(),
            t.af_households.a(),
            t.af_households.m0()
        );
    }
    eprintln!("Kết quả / output: {}", args.out.display());
    if !read.errors.is_empty() || !read.warnings.is_empty() {
        report::write_errors(&read, &errors_path)?;
    }
    report::print_remaining(&read, &errors_path);
    Ok(ExitCode::SUCCESS)
}
