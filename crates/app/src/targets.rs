//! Plan targets (*chỉ tiêu giảm nghèo*): a unit's own targets for a year, and the target table
//! its plan annexes for its units (a province's communes, the country's provinces). A table is
//! read off the async threads, its rows matched to the parent's units (by code, or by name with
//! or without diacritics), checked whole ([`vuonlen_core::targets::check_table`]: rates against
//! their counts, columns against the total row, the units against the parent's targets) and
//! recorded in one transaction — or refused whole, every problem located by file, row, column,
//! value and unit. Nothing is ever corrected.

use crate::AppError;
use crate::import::Finish;
use std::collections::HashMap;
use std::path::PathBuf;
use vuonlen_core::targets::{At, Figures, Inconsistency, Parent, TARGET_COLUMNS, check_table, sum};
use vuonlen_core::text::fold;
use vuonlen_io::{ProblemKind, TargetTable, read_target_table};
use vuonlen_store::Registry;
use vuonlen_store::targets::{NewTarget, StoredTarget, TargetUnit};

/// What became of a target table.
#[derive(Debug, Clone)]
pub struct TableRecorded {
    /// The file as read, with every problem (the checks' findings among them).
    pub table: TargetTable,
    /// The units of its rows, matched (all of them when the table is clean).
    pub units: Vec<NewTarget>,
    /// The parent's targets the rows were compared with (`None`: it has none for the year).
    pub parent_targets: Option<Figures>,
    /// Units recorded (`None`: refused, or only checked).
    pub recorded: Option<u64>,
}

/// A unit's name without its type, folded: `Xã Mường Bú` → `muong bu`, and for villages
/// `Bản Ta` → `ta`.
fn bare_name(name: &str, villages: bool) -> String {
    let f = fold(name);
    let types: &[&str] = if villages {
        &["thon ", "ban ", "to dan pho ", "to ", "ap ", "khom ", "lang ", "soc "]
    } else {
        &["thanh pho ", "thi tran ", "dac khu ", "phuong ", "tinh ", "xa "]
    };
    for prefix in types {
        if let Some(rest) = f.strip_prefix(prefix) {
            return rest.trim().to_string();
        }
    }
    f
}

/// Reads the target table at `path` that `parent`'s plan annexes for `year` and records it as
/// `reg` may, or only checks it. Without a parent (`check` of a table on its own) the rows are
/// checked among themselves.
pub async fn record_target_table(
    reg: &Registry,
    year: i64,
    parent: Option<&TargetUnit>,
    path: PathBuf,
    actor: &str,
    command: &str,
    finish: Finish,
) -> Result<TableRecorded, AppError> {
    let mut table = tokio::task::spawn_blocking(move || read_target_table(&path))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    let parsed_whole = table.report.is_clean();
    let mut found = Vec::new();

    // The rows' units.
    let mut units = Vec::new();
    if let Some(parent) = parent {
        let children = reg.target_children(parent).await?;
        let villages = children.first().is_some_and(|u| u.village().is_some());
        let bare_name = |n: &str| bare_name(n, villages);
        let by_code: HashMap<&str, &TargetUnit> = children.iter().map(|u| (u.code.as_str(), u)).collect();
        let mut by_name: HashMap<String, Vec<&TargetUnit>> = HashMap::new();
        for u in &children {
            by_name.entry(bare_name(&u.name)).or_default().push(u);
        }
        let mut seen: HashMap<String, u64> = HashMap::new();
        for r in &table.rows {
            let shown =
                if r.unit_name.is_empty() { r.unit_code.clone().unwrap_or_default() } else { r.unit_name.clone() };
            let unit = match (&r.unit_code, r.unit_name.is_empty()) {
                (Some(code), _) => match by_code.get(code.as_str()) {
                    Some(u) if r.unit_name.is_empty() || bare_name(&r.unit_name) == bare_name(&u.name) => Ok(*u),
                    Some(u) => Err((
                        format!("Mã {code} là {} chứ không phải '{}'.", u.name, r.unit_name),
                        format!("Code {code} is {}, not '{}'.", u.name, r.unit_name),
                    )),
                    None => Err((
                        format!("Mã {code} không phải đơn vị trực thuộc {} (danh mục 2025).", parent.name),
                        format!("Code {code} is not a unit of {} (2025 list).", parent.name),
                    )),
                },
                (None, _) => match by_name.get(&bare_name(&r.unit_name)).map(Vec::as_slice) {
                    Some([u]) => Ok(*u),
                    Some(many) => Err((
                        format!(
                            "Có {} đơn vị tên '{}' thuộc {}: ghi mã đơn vị (cột Mã đơn vị).",
                            many.len(),
                            r.unit_name,
                            parent.name
                        ),
                        format!(
                            "{} units of {} are named '{}': give the unit code (column unit_code).",
                            many.len(),
                            parent.name,
                            r.unit_name
                        ),
                    )),
                    None => Err((
                        format!("Không tìm thấy '{}' trong các đơn vị trực thuộc {}.", r.unit_name, parent.name),
                        format!("'{}' is not a unit of {}.", r.unit_name, parent.name),
                    )),
                },
            };
            match unit {
                Ok(u) => {
                    if let Some(first) = seen.insert(u.code.clone(), r.row) {
                        let p = table.problem(
                            r.row,
                            None,
                            &shown,
                            &shown,
                            format!("{} đã có ở dòng {first}: mỗi đơn vị một dòng.", u.name),
                            format!("{} is already on row {first}: one row per unit.", u.name),
                        );
                        found.push((ProblemKind::DuplicateHousehold, p));
                    } else if !(if finish == Finish::Commit { reg.may_set_unit(u) } else { reg.may_read_unit(u) }) {
                        let p = table.problem(
                            r.row,
                            None,
                            &shown,
                            &shown,
                            format!("{} ngoài phạm vi được giao cho tài khoản này.", u.name),
                            format!("{} is outside your area.", u.name),
                        );
                        found.push((ProblemKind::OutOfScope, p));
                    }
                    units.push(NewTarget { unit: u.clone(), figures: r.figures });
                }
                Err((vi, en)) => {
                    found.push((ProblemKind::UnknownCommune, table.problem(r.row, None, &shown, &shown, vi, en)));
                }
            }
        }
    }

    // The figures: each row on its own always; the total and the parent when every row was read.
    let parent_targets = match parent {
        Some(p) => reg.target(year, p).await?.map(|t: StoredTarget| t.figures),
        None => None,
    };
    let rows: Vec<Figures> = table.rows.iter().map(|r| r.figures).collect();
    let total = table.total.map(|(_, f)| f);
    let parent_ref = match (parent, &parent_targets) {
        (Some(p), Some(f)) if parsed_whole => Some(Parent { name: &p.name, figures: f }),
        _ => None,
    };
    let findings = check_table(&rows, if parsed_whole { total.as_ref() } else { None }, parent_ref);
    for i in findings {
        found.push((ProblemKind::OutOfRange, locate(&table, parent, &i)));
    }
    for (kind, mut p) in found {
        p.kind = kind;
        table.report.errors.push(p);
    }
    table.report.errors.sort_by_key(|p| p.row);
    if !table.report.is_clean() {
        table.report.valid_households = 0;
        return Ok(TableRecorded { table, units, parent_targets, recorded: None });
    }
    let recorded = match (finish, parent) {
        (Finish::Commit, Some(p)) => {
            let file = table.file.clone();
            Some(reg.record_targets(year, Some(p), &units, Some(&file), actor, command).await?)
        }
        _ => None,
    };
    Ok(TableRecorded { table, units, parent_targets, recorded })
}

/// An inconsistency as a located problem: the unit's row, or the total row (or, without one,
/// the parent's comparison on no row).
fn locate(table: &TargetTable, parent: Option<&TargetUnit>, i: &Inconsistency) -> vuonlen_io::Problem {
    let value = i.value.map(vuonlen_core::targets::show).unwrap_or_default();
    let (row, unit) = match i.at {
        At::Row(k) => {
            let r = &table.rows[k];
            (r.row, if r.unit_name.is_empty() { r.unit_code.clone().unwrap_or_default() } else { r.unit_name.clone() })
        }
        At::Total => (
            table.total.map(|(row, _)| row).unwrap_or(0),
            parent.map(|p| p.name.clone()).unwrap_or_else(|| "Tổng cộng".into()),
        ),
    };
    table.problem(row, Some(i.column), &value, &unit, i.message_vi.clone(), i.message_en.clone())
}

/// Why a unit's own targets were refused.
#[derive(Debug, Clone, PartialEq)]
pub enum TargetsRefused {
    /// Not a unit of the 2025 list.
    UnknownUnit(String),
    /// Outside what the user may change.
    OutsideArea(String),
    /// A required figure is missing (its key).
    Missing(Vec<&'static str>),
    /// The figures disagree among themselves, or with the parent's targets.
    Inconsistent(Vec<Inconsistency>),
    /// Indicator targets the framework or the standard refuses (Vietnamese, English each).
    Indicators(Vec<(String, String)>),
    /// A plan's span or title refused (Vietnamese, English each).
    Plan(Vec<(String, String)>),
}

impl TargetsRefused {
    /// Every reason, Vietnamese then English, one per line.
    pub fn messages(&self) -> Vec<(String, String)> {
        match self {
            TargetsRefused::UnknownUnit(c) => vec![(
                format!(
                    "'{c}' không phải mã đơn vị (VN, tỉnh 2 số, xã 5 số, danh mục 2025, hoặc thôn: mã xã-tên thôn)."
                ),
                format!(
                    "'{c}' is not a unit code (VN, 2-digit province, 5-digit commune, 2025 list, or a village: commune-village-name)."
                ),
            )],
            TargetsRefused::OutsideArea(n) => {
                vec![(format!("{n} ngoài phạm vi được giao cho tài khoản này."), format!("{n} is outside your area."))]
            }
            TargetsRefused::Missing(keys) => keys
                .iter()
                .map(|k| {
                    let c = TARGET_COLUMNS.iter().find(|c| c.key == *k).map(|c| c.label_vi).unwrap_or(k);
                    (format!("Thiếu {c}."), format!("{k} is missing."))
                })
                .collect(),
            TargetsRefused::Inconsistent(found) => {
                found.iter().map(|i| (i.message_vi.clone(), i.message_en.clone())).collect()
            }
            TargetsRefused::Indicators(all) | TargetsRefused::Plan(all) => all.clone(),
        }
    }
}

/// Sets `unit`'s own targets for `year` (a province's "under 1 % by 2025"): the figures are
/// checked among themselves and against the targets the parent's table gave the unit, if any.
pub async fn set_targets(
    reg: &Registry,
    year: i64,
    unit_code: &str,
    figures: Figures,
    actor: &str,
    command: &str,
) -> Result<Result<TargetUnit, TargetsRefused>, AppError> {
    let Some(unit) = reg.target_unit(unit_code).await? else {
        return Ok(Err(TargetsRefused::UnknownUnit(unit_code.to_string())));
    };
    if !reg.may_set_unit(&unit) {
        return Ok(Err(TargetsRefused::OutsideArea(unit.name)));
    }
    let missing: Vec<&'static str> = TARGET_COLUMNS
        .iter()
        .enumerate()
        .filter(|(i, c)| c.required && figures.get(*i).is_none())
        .map(|(_, c)| c.key)
        .collect();
    if !missing.is_empty() {
        return Ok(Err(TargetsRefused::Missing(missing)));
    }
    let found = check_table(&[figures], None, None);
    if !found.is_empty() {
        return Ok(Err(TargetsRefused::Inconsistent(found)));
    }
    reg.record_targets(year, None, &[NewTarget { unit: unit.clone(), figures }], None, actor, command).await?;
    Ok(Ok(unit))
}

/// The table `parent`'s plan set for `year` as the reader may see it: the units' targets and
/// their sum (the total row).
pub async fn target_table(
    reg: &Registry,
    year: i64,
    parent: &TargetUnit,
) -> Result<(Vec<StoredTarget>, Figures), AppError> {
    let rows = reg.targets_set_by(year, parent).await?;
    let figures: Vec<Figures> = rows.iter().map(|r| r.figures).collect();
    Ok((rows, sum(&figures)))
}

/// Sets `unit`'s targets for result indicators in `year` (`health_insurance = 100`,
/// `deprived_shares:water = 2`, …): every id and value checked against the framework covering
/// the year and the standard in force on its first day, all refusals at once.
pub async fn set_indicator_targets(
    reg: &Registry,
    standards: &vuonlen_core::Standards,
    year: i64,
    unit_code: &str,
    values: &std::collections::BTreeMap<String, f64>,
    actor: &str,
    command: &str,
) -> Result<Result<TargetUnit, TargetsRefused>, AppError> {
    let Some(unit) = reg.target_unit(unit_code).await? else {
        return Ok(Err(TargetsRefused::UnknownUnit(unit_code.to_string())));
    };
    if !reg.may_set_unit(&unit) {
        return Ok(Err(TargetsRefused::OutsideArea(unit.name)));
    }
    let fw = standards
        .framework_for(year)
        .ok_or_else(|| AppError::Internal(format!("no indicator framework covers {year}")))?;
    let first_day = chrono::NaiveDate::from_ymd_opt(i32::try_from(year).unwrap_or(0), 1, 1)
        .ok_or_else(|| AppError::Internal(format!("no 1 January {year}")))?;
    let std = standards.in_force(first_day).map_err(|e| AppError::Internal(e.to_string()))?;
    let refused: Vec<(String, String)> = values.iter().filter_map(|(id, v)| fw.check_target(&std, id, *v)).collect();
    if !refused.is_empty() {
        return Ok(Err(TargetsRefused::Indicators(refused)));
    }
    let rows: Vec<(String, f64)> = values.iter().map(|(k, v)| (k.clone(), *v)).collect();
    reg.record_indicator_targets(year, &unit, &rows, actor, command).await?;
    Ok(Ok(unit))
}
