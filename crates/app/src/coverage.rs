//! Recording a period's resident totals (*nhập số hộ dân cư, nhân khẩu*) from a file: read and
//! checked off the async threads, then checked against the registry (the caller's area, the
//! households already reviewed) and recorded in one transaction — or refused whole, every
//! problem located by file, row, column and value.

use crate::AppError;
use crate::import::Finish;
use std::path::PathBuf;
use vuonlen_io::{ProblemKind, ResidentTotals, read_resident_totals};
use vuonlen_store::Registry;
use vuonlen_store::coverage::ResidentTotal;
use vuonlen_store::period::Period;

/// What became of a totals file.
#[derive(Debug, Clone)]
pub struct TotalsRecorded {
    /// The file as read, with every problem (the registry's refusals among them).
    pub totals: ResidentTotals,
    /// Communes recorded (`None`: refused, or only checked).
    pub recorded: Option<u64>,
}

/// Reads `path` and records its totals for `period` as `reg` may, or only checks them.
pub async fn record_totals(
    reg: &Registry,
    period: &Period,
    path: PathBuf,
    actor: &str,
    command: &str,
    finish: Finish,
) -> Result<TotalsRecorded, AppError> {
    let mut totals = tokio::task::spawn_blocking(move || read_resident_totals(&path))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    if !totals.report.is_clean() {
        return Ok(TotalsRecorded { totals, recorded: None });
    }
    let rows: Vec<ResidentTotal> = totals
        .rows
        .iter()
        .map(|r| ResidentTotal {
            commune_code: r.commune_code.clone(),
            households: r.households,
            persons: r.persons,
            source: r.source.clone(),
        })
        .collect();
    let outcome = match finish {
        Finish::Commit => reg.record_resident_totals(period, &rows, actor, command).await?,
        Finish::CheckOnly => reg.check_resident_totals(period, &rows).await?.map(|()| 0),
    };
    match outcome {
        Ok(n) => Ok(TotalsRecorded { recorded: (finish == Finish::Commit).then_some(n), totals }),
        Err(refusals) => {
            for r in refusals {
                let Some(row) = totals.rows.get(r.index) else { continue };
                let kind = if r.outside { ProblemKind::OutOfScope } else { ProblemKind::OutOfRange };
                let p = totals.problem(kind, row.row, "commune_code", &row.commune_code, r.message_vi, r.message_en);
                totals.report.errors.push(p);
            }
            totals.report.errors.sort_by_key(|p| p.row);
            totals.report.valid_households = 0;
            Ok(TotalsRecorded { totals, recorded: None })
        }
    }
}
