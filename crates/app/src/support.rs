//! Support received (*hỗ trợ đã nhận*): entered on the household's page or imported in bulk
//! from the lists agencies keep (CSV, XLSX), every problem located by row, column and value, all
//! or nothing. Each record's kind sets its group (form 8's columns); the project and source that
//! paid for it are checked against the catalogue of its year.

use crate::AppError;
use crate::budgets::project_in;
use crate::import::Finish;
use std::path::PathBuf;
use vuonlen_core::Standards;
use vuonlen_core::budget::FundSource;
use vuonlen_core::support::{SUPPORT_KINDS, support_kind};
use vuonlen_io::ProblemKind;
use vuonlen_io::review_tables::{ColumnFile, read_column_file};
use vuonlen_io::support_table::SUPPORT_COLUMNS;
use vuonlen_store::Registry;
use vuonlen_store::support::NewSupport;

/// One support entry as a form or an API body gives it.
#[derive(Debug, Clone, Default)]
pub struct SupportEntry {
    pub kind: String,
    pub member_no: Option<i64>,
    pub delivered_on: Option<chrono::NaiveDate>,
    pub amount: Option<u64>,
    pub project_code: Option<String>,
    pub source: Option<String>,
    pub list_id: Option<i64>,
    /// The plan activity that delivered it.
    pub activity_id: Option<i64>,
    pub note: Option<String>,
}

/// Why an entry was refused: every reason, Vietnamese then English.
#[derive(Debug, Clone, PartialEq)]
pub struct SupportRefused(pub Vec<(String, String)>);

/// A reason an entry cannot be recorded: the column it is about, Vietnamese, English.
type Why = (&'static str, String, String);

/// The record of `e` for `household_id`, or every reason it cannot be one.
fn record_of(standards: &Standards, household_id: i64, e: &SupportEntry) -> Result<NewSupport, Vec<Why>> {
    let mut why = Vec::new();
    let kind = support_kind(&e.kind);
    if kind.is_none() {
        let known: Vec<&str> = SUPPORT_KINDS.iter().map(|k| k.key).collect();
        why.push((
            "kind",
            format!("'{}' không phải loại hỗ trợ (có: {}).", e.kind, known.join(", ")),
            format!("'{}' is not a kind of support (known: {}).", e.kind, known.join(", ")),
        ));
    }
    let Some(day) = e.delivered_on else {
        why.push(("delivered_on", "Thiếu ngày hỗ trợ.".into(), "The day delivered is missing.".into()));
        return Err(why);
    };
    use chrono::Datelike;
    let project = match e.project_code.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => match project_in(standards, i64::from(day.year()), p) {
            Ok(code) => Some(code),
            Err((vi, en)) => {
                why.push(("project_code", vi, en));
                None
            }
        },
        None => None,
    };
    let source = match e.source.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => match FundSource::parse(s) {
            Some(f) => Some(f),
            None => {
                why.push((
                    "source",
                    format!("'{s}' không phải nguồn vốn."),
                    format!("'{s}' is not a source of funds."),
                ));
                None
            }
        },
        None => None,
    };
    match kind {
        Some(kind) if why.is_empty() => Ok(NewSupport {
            household_id,
            member_no: e.member_no,
            delivered_on: day,
            kind,
            amount: e.amount,
            project_code: project,
            source,
            list_id: e.list_id,
            activity_id: e.activity_id,
            note: e
                .note
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(|n| vuonlen_core::text::nfc(n).into_owned()),
        }),
        _ => Err(why),
    }
}

/// Records one support entry for `household_id` (the household page, the API).
pub async fn record_support_entry(
    reg: &Registry,
    standards: &Standards,
    household_id: i64,
    e: &SupportEntry,
    actor: &str,
    command: &str,
) -> Result<Result<u64, SupportRefused>, AppError> {
    let r = match record_of(standards, household_id, e) {
        Ok(r) => r,
        Err(why) => return Ok(Err(SupportRefused(why.into_iter().map(|(_, vi, en)| (vi, en)).collect()))),
    };
    match reg.record_support(&[r], actor, command).await? {
        Ok(n) => Ok(Ok(n)),
        Err(refused) => Ok(Err(SupportRefused(refused.into_iter().map(|(_, vi, en)| (vi, en)).collect()))),
    }
}

/// What became of a support table.
#[derive(Debug, Clone)]
pub struct SupportTableRecorded {
    pub file: ColumnFile,
    /// Records written (`None`: refused, or only checked).
    pub recorded: Option<u64>,
    pub records: usize,
}

/// Reads the support table at `path` and records it as `reg` may — or only checks the file —
/// all or nothing, every problem located.
pub async fn record_support_table(
    reg: &Registry,
    standards: &Standards,
    path: PathBuf,
    actor: &str,
    command: &str,
    finish: Finish,
) -> Result<SupportTableRecorded, AppError> {
    let mut file = tokio::task::spawn_blocking(move || read_column_file(SUPPORT_COLUMNS, &path))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    let mut found = Vec::new();
    let mut records = Vec::new();
    let mut rows = Vec::new();
    let key = |r: &vuonlen_io::review_tables::StepRecord| {
        let text = |k: &str| file.get(r, k).text().unwrap_or_default().to_string();
        (text("commune_code"), text("household_code"))
    };
    let keys: Vec<(String, String)> =
        file.rows.iter().map(key).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    let households = reg.household_ids_of(&keys).await?;
    for r in &file.rows {
        let text = |k: &str| file.get(r, k).text().unwrap_or_default().to_string();
        let (commune, code) = key(r);
        let Some(&household_id) = households.get(&(commune.clone(), code.clone())) else {
            found.push(file.problem(
                r.row,
                "household_code",
                &code,
                format!("Không có hộ {code} của xã {commune} trong sổ hộ (trong phạm vi được giao)."),
                format!("No household {code} of commune {commune} in the registry (within your area)."),
            ));
            continue;
        };
        let e = SupportEntry {
            kind: text("kind"),
            member_no: file.get(r, "member_no").count().map(|n| n as i64),
            delivered_on: file.get(r, "delivered_on").date(),
            amount: file.get(r, "amount").count(),
            project_code: Some(text("project_code")),
            source: Some(text("source")),
            list_id: None,
            activity_id: file.get(r, "activity_id").count().map(|n| n as i64),
            note: Some(text("note")),
        };
        match record_of(standards, household_id, &e) {
            Ok(rec) => {
                records.push(rec);
                rows.push(r.row);
            }
            Err(why) => {
                for (column, vi, en) in why {
                    found.push(file.problem(r.row, column, &text(column), vi, en));
                }
            }
        }
    }
    for mut p in found {
        p.kind = ProblemKind::Refused;
        file.report.errors.push(p);
    }
    if file.report.is_clean() && finish == Finish::Commit && !records.is_empty() {
        match reg.record_support(&records, actor, command).await? {
            Ok(n) => return Ok(SupportTableRecorded { file, recorded: Some(n), records: records.len() }),
            Err(refused) => {
                for (k, vi, en) in refused {
                    let row = rows.get(k).copied().unwrap_or(0);
                    // The column the refusal is about: the activity's, else the member's.
                    let (column, value) = if en.contains("ctivity") {
                        ("activity_id", records[k].activity_id.map(|a| a.to_string()).unwrap_or_default())
                    } else {
                        ("member_no", records[k].member_no.map(|m| m.to_string()).unwrap_or_default())
                    };
                    file.report.errors.push(file.problem(row, column, &value, vi, en));
                }
            }
        }
    }
    file.report.errors.sort_by_key(|p| p.row);
    if !file.report.is_clean() {
        file.report.valid_households = 0;
    }
    let n = records.len();
    Ok(SupportTableRecorded { file, recorded: None, records: n })
}

/// The support records of `unit` (a province or a commune) delivered in `year`, within what
/// `reg` may read, as a support table in the layout the import reads ([`SUPPORT_COLUMNS`], in
/// their order): Vietnamese headers and names of kinds and sources, or the keys when `english`.
/// The file reads back through [`record_support_table`].
pub async fn support_table(
    reg: &Registry,
    unit: &vuonlen_store::targets::TargetUnit,
    year: i64,
    english: bool,
) -> Result<(Vec<String>, Vec<vuonlen_io::PlainRow>), AppError> {
    use vuonlen_io::{PlainCell, PlainRow};
    let list = reg.support_records_in(unit, year).await?;
    let header = SUPPORT_COLUMNS.iter().map(|c| if english { c.key } else { c.label_vi }.to_string()).collect();
    let t = |s: &str| PlainCell::Text(s.to_string());
    let int = |v: Option<i64>| PlainCell::Int(v);
    let rows = list
        .iter()
        .map(|r| {
            let kind = match support_kind(&r.kind) {
                Some(k) if !english => k.label_vi.to_string(),
                _ => r.kind.clone(),
            };
            let source = match r.source.as_deref().and_then(FundSource::parse) {
                Some(s) if !english => s.label_vi().to_string(),
                _ => r.source.clone().unwrap_or_default(),
            };
            // One cell per column of SUPPORT_COLUMNS, in its order.
            let cells = SUPPORT_COLUMNS
                .iter()
                .map(|c| match c.key {
                    "commune_code" => t(&r.commune_code),
                    "household_code" => t(&r.household_code),
                    "member_no" => int(r.member_no),
                    "kind" => t(&kind),
                    "delivered_on" => t(&r.delivered_on),
                    "amount" => int(r.amount.map(|a| i64::try_from(a).unwrap_or(i64::MAX))),
                    "project_code" => t(r.project_code.as_deref().unwrap_or_default()),
                    "source" => t(&source),
                    "activity_id" => int(r.activity_id),
                    "note" => t(r.note.as_deref().unwrap_or_default()),
                    _ => t(""),
                })
                .collect();
            PlainRow { cells, highlight: false }
        })
        .collect();
    Ok((header, rows))
}
