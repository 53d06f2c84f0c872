//! Budgets (*kinh phí*): a unit's allocation for a project or sub-project of the programme's
//! catalogue, by year and source of funds, with commitments and disbursements — entered for
//! several years at once (a sub-project's four-year budget), imported from a table, read with
//! its units' roll-up and the disbursement against plan per unit. Every rule the registry keeps
//! (within the parent's allocation, sub-projects within their project, nothing disbursed above
//! the allocation) refuses the whole write with every reason.

use crate::AppError;
use crate::import::Finish;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use vuonlen_core::Standards;
use vuonlen_core::budget::{Amounts, FundSource};
use vuonlen_io::review_tables::{ColumnFile, read_column_file};
use vuonlen_io::{ProblemKind, budget_table::BUDGET_COLUMNS};
use vuonlen_store::Registry;
use vuonlen_store::budgets::{BudgetLine, NewBudgetLine, SupportPaid};
use vuonlen_store::targets::TargetUnit;

/// Why a budget was refused: every reason, Vietnamese then English.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetRefused(pub Vec<(String, String)>);

/// The catalogue's code of `code` in `year` (its own case), or why not.
pub fn project_in(standards: &Standards, year: i64, code: &str) -> Result<String, (String, String)> {
    let Some(cat) = standards.projects_for(year) else {
        return Err((
            format!("Không có danh mục dự án của chương trình cho năm {year}."),
            format!("No programme project catalogue covers {year}."),
        ));
    };
    cat.find(code).map(|p| p.code.to_string()).ok_or_else(|| {
        let known: Vec<&str> = cat.entries().iter().map(|e| e.code).collect();
        (
            format!("'{code}' không phải dự án của {} (có: {}).", cat.title_vi, known.join(", ")),
            format!("'{code}' is not a project of {} (known: {}).", cat.title_en, known.join(", ")),
        )
    })
}

/// A unit a budget can be kept for: the country, a province or a commune (2025 list).
fn budget_unit(code: &str) -> Result<TargetUnit, (String, String)> {
    TargetUnit::parse(code).ok_or_else(|| {
        (
            format!("'{code}' không phải mã đơn vị (VN, tỉnh 2 số, xã 5 số, danh mục 2025)."),
            format!("'{code}' is not a unit code (VN, 2-digit province, 5-digit commune, 2025 list)."),
        )
    })
}

/// One year's amounts of a multi-year budget.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct YearAmounts {
    pub year: i64,
    pub amounts: Amounts,
}

/// Sets `unit_code`'s budget for `project` from `source` for each of `years` (a sub-project's
/// four-year budget: 10 / 30 / 30 / 30 million), all or nothing.
#[allow(clippy::too_many_arguments)]
pub async fn set_budget(
    reg: &Registry,
    standards: &Standards,
    unit_code: &str,
    project: &str,
    source: FundSource,
    years: &[YearAmounts],
    note: Option<&str>,
    actor: &str,
    command: &str,
) -> Result<Result<u64, BudgetRefused>, AppError> {
    let unit = match budget_unit(unit_code) {
        Ok(u) => u,
        Err(why) => return Ok(Err(BudgetRefused(vec![why]))),
    };
    if !reg.may_set_unit(&unit) {
        return Ok(Err(BudgetRefused(vec![(
            format!("{} ngoài phạm vi được giao cho tài khoản này.", unit.name),
            format!("{} is outside your area.", unit.name),
        )])));
    }
    if years.is_empty() {
        return Ok(Err(BudgetRefused(vec![(
            "Chưa nhập số kinh phí của năm nào.".into(),
            "No year's amount was entered.".into(),
        )])));
    }
    let mut why = Vec::new();
    let mut lines = Vec::new();
    for y in years {
        match project_in(standards, y.year, project) {
            Ok(code) => lines.push(NewBudgetLine {
                unit: unit.clone(),
                year: y.year,
                project_code: code,
                source,
                amounts: y.amounts,
                note: note.map(str::trim).filter(|n| !n.is_empty()).map(|n| vuonlen_core::text::nfc(n).into_owned()),
            }),
            Err(w) => why.push(w),
        }
    }
    if !why.is_empty() {
        why.dedup();
        return Ok(Err(BudgetRefused(why)));
    }
    match reg.record_budget_lines(&lines, actor, command).await? {
        Ok(n) => Ok(Ok(n)),
        Err(refused) => Ok(Err(BudgetRefused(refused.into_iter().map(|(_, vi, en)| (vi, en)).collect()))),
    }
}

/// What became of a budget table.
#[derive(Debug, Clone)]
pub struct BudgetTableRecorded {
    /// The file as read, with every problem (the registry's refusals among them, at their row).
    pub file: ColumnFile,
    /// Lines recorded (`None`: refused, or only checked).
    pub recorded: Option<u64>,
    /// Lines checked.
    pub lines: usize,
}

/// Reads the budget table at `path` and records it as `reg` may — or only checks it, every rule
/// included — all or nothing, every problem located by row, column and value.
pub async fn record_budget_table(
    reg: &Registry,
    standards: &Standards,
    path: PathBuf,
    actor: &str,
    command: &str,
    finish: Finish,
) -> Result<BudgetTableRecorded, AppError> {
    let mut file = tokio::task::spawn_blocking(move || read_column_file(BUDGET_COLUMNS, &path))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    let mut found = Vec::new();
    let mut lines = Vec::new();
    let mut rows = Vec::new();
    let mut seen: HashMap<(i64, String, String, FundSource), u64> = HashMap::new();
    for r in &file.rows {
        let text = |k: &str| file.get(r, k).text().unwrap_or_default().to_string();
        let money = |k: &str| file.get(r, k).count();
        let year = file.get(r, "year").count().map_or(0, |y| y as i64);
        let mut ok = true;
        let unit = match budget_unit(&text("unit_code")) {
            Ok(u) if (if finish == Finish::Commit { reg.may_set_unit(&u) } else { reg.may_read_unit(&u) }) => Some(u),
            Ok(u) => {
                found.push(file.problem(
                    r.row,
                    "unit_code",
                    &u.code,
                    format!("{} ngoài phạm vi được giao cho tài khoản này.", u.name),
                    format!("{} is outside your area.", u.name),
                ));
                None
            }
            Err((vi, en)) => {
                found.push(file.problem(r.row, "unit_code", &text("unit_code"), vi, en));
                None
            }
        };
        let project = match project_in(standards, year, &text("project_code")) {
            Ok(p) => Some(p),
            Err((vi, en)) => {
                found.push(file.problem(r.row, "project_code", &text("project_code"), vi, en));
                None
            }
        };
        let source = FundSource::parse(&text("source"));
        if source.is_none() {
            let known: Vec<String> =
                FundSource::ALL.iter().map(|s| format!("{} ({})", s.key(), s.label_vi())).collect();
            found.push(file.problem(
                r.row,
                "source",
                &text("source"),
                format!("'{}' không phải nguồn vốn (có: {}).", text("source"), known.join(", ")),
                format!("'{}' is not a source of funds (known: {}).", text("source"), known.join(", ")),
            ));
            ok = false;
        }
        let amounts = Amounts {
            allocated: money("allocated").unwrap_or(0),
            committed: money("committed"),
            disbursed: money("disbursed"),
        };
        for (vi, en) in amounts.check() {
            let v = amounts.disbursed.or(amounts.committed).map(|v| v.to_string()).unwrap_or_default();
            found.push(file.problem(r.row, "disbursed", &v, vi, en));
            ok = false;
        }
        if let (Some(unit), Some(project), Some(source), true) = (unit, project, source, ok) {
            let key = (year, unit.code.clone(), project.clone(), source);
            if let Some(first) = seen.insert(key, r.row) {
                found.push(file.problem(
                    r.row,
                    "project_code",
                    &project,
                    format!(
                        "{} {project} {year} ({}) đã có ở dòng {first}: mỗi khoản một dòng.",
                        unit.name,
                        source.label_vi()
                    ),
                    format!(
                        "{} {project} {year} ({}) is already on row {first}: one row per line.",
                        unit.name,
                        source.label_en()
                    ),
                ));
                continue;
            }
            let note = file.get(r, "note").text().map(str::to_string);
            lines.push(NewBudgetLine { unit, year, project_code: project, source, amounts, note });
            rows.push(r.row);
        }
    }
    for mut p in found {
        p.kind = ProblemKind::Refused;
        file.report.errors.push(p);
    }
    if file.report.is_clean() && !lines.is_empty() {
        let done = if finish == Finish::Commit {
            reg.record_budget_lines(&lines, actor, command).await?
        } else {
            reg.check_budget_lines(&lines).await?
        };
        match done {
            Ok(n) => {
                let recorded = (finish == Finish::Commit).then_some(n);
                return Ok(BudgetTableRecorded { file, recorded, lines: lines.len() });
            }
            Err(refused) => {
                for (k, vi, en) in refused {
                    let row = rows.get(k).copied().unwrap_or(0);
                    let p = file.problem(row, "allocated", &lines[k].amounts.allocated.to_string(), vi, en);
                    file.report.errors.push(p);
                }
            }
        }
    }
    file.report.errors.sort_by_key(|p| p.row);
    file.report.valid_households = 0;
    let n = lines.len();
    Ok(BudgetTableRecorded { file, recorded: None, lines: n })
}

/// One unit's budget added up (its lines, or a child's lines under a parent).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BudgetSum {
    pub allocated: u64,
    pub committed: u64,
    pub disbursed: u64,
}

impl BudgetSum {
    fn add(&mut self, a: &Amounts) {
        self.allocated += a.allocated;
        self.committed += a.committed.unwrap_or(0);
        self.disbursed += a.disbursed.unwrap_or(0);
    }

    /// Disbursed over allocated, in %.
    pub fn disbursement_rate(&self) -> Option<f64> {
        (self.allocated > 0).then(|| self.disbursed as f64 * 100.0 / self.allocated as f64)
    }
}

/// A unit's budget with its units' roll-up.
#[derive(Debug, Clone)]
pub struct BudgetOverview {
    pub unit: TargetUnit,
    pub year: Option<i64>,
    /// The unit's own lines.
    pub own: Vec<BudgetLine>,
    /// For each of `own`, the support recorded under it: records and amount (đồng) of its
    /// unit's households in its year, under its project (or a sub-project of it), from its source.
    pub own_paid: Vec<(u64, u64)>,
    /// Per (project, source): the unit's own allocation, and what its units are allocated,
    /// have committed and disbursed.
    pub by_line: Vec<(String, FundSource, Option<u64>, BudgetSum)>,
    /// Per child unit (code, name): its lines added up — disbursement against plan per unit.
    pub children: Vec<(String, String, BudgetSum)>,
    pub total_own: BudgetSum,
}

/// The support recorded under `line` (records, amount): of its year and source, under its project
/// or one of the project's sub-projects.
fn paid_under(line: &BudgetLine, paid: &[SupportPaid]) -> (u64, u64) {
    let sub = format!("{}.", line.project_code);
    paid.iter()
        .filter(|p| {
            p.year == line.year
                && p.source == line.source.key()
                && (p.project_code == line.project_code || p.project_code.starts_with(&sub))
        })
        .fold((0, 0), |(r, a), p| (r + p.records, a + p.amount))
}

/// `unit`'s budget for `year` (or every year) as the reader may see it.
pub async fn budget_overview(reg: &Registry, unit: &TargetUnit, year: Option<i64>) -> Result<BudgetOverview, AppError> {
    let own = reg.budget_lines(unit, year).await?;
    let below = reg.budget_lines_below(unit, year).await?;
    let paid = reg.support_paid(unit, year).await?;
    let own_paid = own.iter().map(|l| paid_under(l, &paid)).collect();
    let mut total_own = BudgetSum::default();
    for l in &own {
        total_own.add(&l.amounts);
    }
    let mut by_line: BTreeMap<(String, FundSource), (Option<u64>, BudgetSum)> = BTreeMap::new();
    for l in &own {
        let e = by_line.entry((l.project_code.clone(), l.source)).or_default();
        e.0 = Some(e.0.unwrap_or(0) + l.amounts.allocated);
    }
    let mut children: BTreeMap<String, (String, BudgetSum)> = BTreeMap::new();
    for l in &below {
        by_line.entry((l.project_code.clone(), l.source)).or_default().1.add(&l.amounts);
        children
            .entry(l.unit_code.clone())
            .or_insert_with(|| (l.unit_name.clone(), BudgetSum::default()))
            .1
            .add(&l.amounts);
    }
    Ok(BudgetOverview {
        unit: unit.clone(),
        year,
        own,
        own_paid,
        by_line: by_line.into_iter().map(|((p, s), (own, sum))| (p, s, own, sum)).collect(),
        children: children.into_iter().map(|(code, (name, sum))| (code, name, sum)).collect(),
        total_own,
    })
}

/// The lines of `unit` and of its units as the budget table (the import's layout and headers:
/// Vietnamese, or the keys when `english`).
pub async fn budget_table(
    reg: &Registry,
    unit: &TargetUnit,
    year: Option<i64>,
    english: bool,
) -> Result<(Vec<String>, Vec<vuonlen_io::PlainRow>), AppError> {
    use vuonlen_io::{PlainCell, PlainRow};
    let mut lines = reg.budget_lines(unit, year).await?;
    lines.extend(reg.budget_lines_below(unit, year).await?);
    let header = BUDGET_COLUMNS.iter().map(|c| if english { c.key } else { c.label_vi }.to_string()).collect();
    let money = |v: Option<u64>| PlainCell::Int(v.map(|x| i64::try_from(x).unwrap_or(i64::MAX)));
    let rows = lines
        .into_iter()
        .map(|l| PlainRow {
            cells: vec![
                PlainCell::Int(Some(l.year)),
                PlainCell::Text(l.unit_code),
                PlainCell::Text(l.unit_name),
                PlainCell::Text(l.project_code),
                PlainCell::Text(l.source.key().to_string()),
                money(Some(l.amounts.allocated)),
                money(l.amounts.committed),
                money(l.amounts.disbursed),
                PlainCell::Text(l.note.unwrap_or_default()),
            ],
            highlight: false,
        })
        .collect();
    Ok((header, rows))
}

/// Records what a line has committed and disbursed (its allocation kept): refused when the unit
/// has no such line, or when either is above the allocation.
#[allow(clippy::too_many_arguments)]
pub async fn record_spending(
    reg: &Registry,
    unit_code: &str,
    project: &str,
    source: FundSource,
    year: i64,
    committed: Option<u64>,
    disbursed: Option<u64>,
    actor: &str,
    command: &str,
) -> Result<Result<u64, BudgetRefused>, AppError> {
    let unit = match budget_unit(unit_code) {
        Ok(u) => u,
        Err(why) => return Ok(Err(BudgetRefused(vec![why]))),
    };
    let lines = reg.budget_lines(&unit, Some(year)).await?;
    let Some(line) =
        lines.into_iter().find(|l| l.project_code.eq_ignore_ascii_case(project.trim()) && l.source == source)
    else {
        return Ok(Err(BudgetRefused(vec![(
            format!("{} chưa được giao kinh phí {project} năm {year} từ {}.", unit.name, source.label_vi()),
            format!("{} has no {year} allocation for {project} from {}.", unit.name, source.label_en()),
        )])));
    };
    let amounts = Amounts { allocated: line.amounts.allocated, committed, disbursed };
    let l = NewBudgetLine { unit, year, project_code: line.project_code, source, amounts, note: None };
    match reg.record_budget_lines(&[l], actor, command).await? {
        Ok(n) => Ok(Ok(n)),
        Err(refused) => Ok(Err(BudgetRefused(refused.into_iter().map(|(_, vi, en)| (vi, en)).collect()))),
    }
}
