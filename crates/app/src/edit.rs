//! Editing or adding one household (*cập nhật phiếu hộ*): answers held in memory (a form, a JSON
//! body) are checked by the interchange reader's rules — the same checks and messages as a
//! file, without writing one — and saved in one transaction, refused when someone saved in
//! between.

use crate::error::AppError;
use std::collections::BTreeMap;
use vuonlen_io::header::{HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};
use vuonlen_io::{HouseholdRecord, HouseholdSink, ReadOptions, ReadReport, SinkError, Source, Table};
use vuonlen_store::Registry;
use vuonlen_store::import::{Conflict, ImportSpec};

/// Names of the two tables in the reader's problems.
pub const HOUSEHOLDS: &str = "households";
pub const MEMBERS: &str = "members";

/// Answers by field key (the schema's keys): the household's, and one map per member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answers<'a> {
    pub household: &'a BTreeMap<String, String>,
    pub members: &'a [BTreeMap<String, String>],
}

/// The stored answers of a household in a period, as the reader's fields: household fields by
/// key, one map per member (what an edit starts from).
pub fn stored_answers(
    d: &vuonlen_store::browse::SurveyDetail,
) -> (BTreeMap<String, String>, Vec<BTreeMap<String, String>>) {
    let mut household = BTreeMap::new();
    household.insert("household_id".into(), d.survey.household_code.clone());
    household.insert("commune_code".into(), d.survey.commune_code.clone());
    for (k, v) in d.survey.fields() {
        household.insert(k.to_string(), v.unwrap_or_default());
    }
    let members = d
        .members
        .iter()
        .map(|m| {
            let mut f = BTreeMap::new();
            f.insert("member_no".to_string(), m.member_no.to_string());
            for (k, v) in m.fields() {
                f.insert(k.to_string(), v.unwrap_or_default());
            }
            f
        })
        .collect();
    (household, members)
}

/// Reads answers with the interchange reader (on a blocking thread): the record when they have
/// no error, and every problem, located in table [`HOUSEHOLDS`] or [`MEMBERS`] (member `i` on
/// row `i + 2`).
pub async fn check(answers: Answers<'_>, opts: ReadOptions) -> Result<(Option<HouseholdRecord>, ReadReport), AppError> {
    let source = tables(answers);
    tokio::task::spawn_blocking(move || {
        let mut sink = One(None);
        let report = vuonlen_io::read(&source, &opts, &mut sink)?;
        let record = if report.errors.is_empty() { sink.0 } else { None };
        Ok((record, report))
    })
    .await
    .map_err(|e| AppError::Internal(format!("the reading thread failed: {e}")))?
}

/// The answers as the reader's two tables; a member without a number gets its position.
fn tables(a: Answers<'_>) -> Source {
    let id = a.household.get("household_id").cloned().unwrap_or_default();
    let text = |v: Option<&String>| v.map_or_else(String::new, |v| v.replace(['\r', '\n'], " "));
    let households = Table {
        name: HOUSEHOLDS.into(),
        header: HOUSEHOLD_COLUMNS.iter().map(|c| c.key.to_string()).collect(),
        rows: vec![HOUSEHOLD_COLUMNS.iter().map(|c| text(a.household.get(c.key))).collect()],
    };
    let members = Table {
        name: MEMBERS.into(),
        header: MEMBER_COLUMNS.iter().map(|c| c.key.to_string()).collect(),
        rows: a
            .members
            .iter()
            .enumerate()
            .map(|(i, member)| {
                MEMBER_COLUMNS
                    .iter()
                    .map(|c| match c.key {
                        "household_id" => id.clone(),
                        "member_no" => member
                            .get("member_no")
                            .filter(|v| !v.trim().is_empty())
                            .map_or_else(|| (i + 1).to_string(), String::clone),
                        k => text(member.get(k)),
                    })
                    .collect()
            })
            .collect(),
    };
    Source::Rows { households, members }
}

/// Keeps the one record read.
struct One(Option<HouseholdRecord>);

impl HouseholdSink for One {
    fn accept(&mut self, batch: Vec<HouseholdRecord>) -> Result<(), SinkError> {
        if let Some(r) = batch.into_iter().next() {
            self.0 = Some(r);
        }
        Ok(())
    }

    fn reset(&mut self) -> Result<(), SinkError> {
        self.0 = None;
        Ok(())
    }
}

/// The outcome of a save.
#[derive(Debug)]
pub enum Saved {
    /// Stored; the household's id.
    Done(i64),
    /// Nothing differed from what is stored.
    Unchanged(i64),
    /// Refused by the registry: nothing was written.
    Refused(Vec<Conflict>),
}

/// Saves a checked record into the period of `spec` (classified with its standard), in one
/// transaction that writes only what `registry` may change; `expected`: the version (content
/// hash) the edit started from, `None` for a new household.
pub async fn save(
    registry: &Registry,
    spec: ImportSpec,
    record: HouseholdRecord,
    expected: Option<i64>,
) -> Result<Saved, AppError> {
    let (commune, code) = (record.commune_code.clone(), record.household_code.clone());
    let mut imp = registry.begin_import(spec).await?;
    imp.expect(&commune, &code, expected);
    if let Err(e) = imp.push(&[record]).await {
        let _ = imp.abort().await;
        return Err(e.into());
    }
    let summary = imp.finish().await?;
    if !summary.conflicts.is_empty() {
        return Ok(Saved::Refused(summary.conflicts));
    }
    let id = registry.household(&commune, &code).await?.id;
    Ok(if summary.committed { Saved::Done(id) } else { Saved::Unchanged(id) })
}
