//! Phiếu C (*phiếu thu thập thông tin thu nhập thực tế*): a household's actual income over the 12
//! months before the review, social allowances and state social assistance excluded, which
//! identifies the middle-living households working in agriculture, forestry, fishery or salt
//! making (NLNDN; Decision 24/2021/QĐ-TTg, Circular 07/2021/TT-BLĐTBXH; domain reference §3.6).
//! From a step file (`StepTable::IncomeSurvey`), for households of a round whose survey is open:
//! the income per person per month it gives and the NLNDN answer go into the survey (the
//! household re-classified: form 1 counts it middle-living NLNDN when its income falls in the
//! band), and the survey itself is kept. Every problem located; nothing recorded on refusal.

use crate::AppError;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use vuonlen_core::standard::Standard;
use vuonlen_io::review_tables::{StepFile, StepTable, read_step_file};
use vuonlen_store::Registry;
use vuonlen_store::period::Period;
use vuonlen_store::review::{IncomeSurvey, Round};

/// What became of a Phiếu C file.
#[derive(Debug, Clone)]
pub struct IncomeSurveysRecorded {
    pub file: StepFile,
    /// Households recorded (`None`: refused).
    pub recorded: Option<u64>,
}

/// Reads `path` as a Phiếu C file and records it for households of `round` (`period`, classified
/// with `standard`).
#[allow(clippy::too_many_arguments)] // the round's period and standard, the file, who
pub async fn record_income_surveys(
    reg: &Registry,
    round: &Round,
    period: &Period,
    standard: Arc<Standard>,
    path: PathBuf,
    actor: &str,
    command: &str,
) -> Result<IncomeSurveysRecorded, AppError> {
    let table = StepTable::IncomeSurvey;
    let read_path = path.clone();
    let mut file = tokio::task::spawn_blocking(move || read_step_file(table, &read_path))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    if !file.report.is_clean() {
        return Ok(IncomeSurveysRecorded { file, recorded: None });
    }
    let text =
        |r: &vuonlen_io::review_tables::StepRecord, k: &str| r.get(table, k).text().unwrap_or_default().to_string();
    let amount = |r: &vuonlen_io::review_tables::StepRecord, k: &str| {
        i64::try_from(r.get(table, k).count().unwrap_or(0)).unwrap_or(i64::MAX)
    };
    let keys: Vec<(String, String)> =
        file.rows.iter().map(|r| (text(r, "commune_code"), text(r, "household_code"))).collect();
    let ids = match reg.open_survey_cases(round, &keys).await? {
        Ok(ids) => ids,
        Err(refusals) => {
            for r in refusals {
                let Some(row) = file.rows.get(r.index) else { continue };
                let code = text(row, "household_code");
                let mut p = file.problem(row.row, "household_code", &code, r.refusal.vi, r.refusal.en);
                p.household_code = Some(code);
                file.report.errors.push(p);
            }
            file.report.errors.sort_by_key(|p| p.row);
            return Ok(IncomeSurveysRecorded { file, recorded: None });
        }
    };
    let changes: Vec<crate::answers::Change> = file
        .rows
        .iter()
        .zip(&ids)
        .map(|(r, id)| crate::answers::Change {
            row: r.row,
            household_code: text(r, "household_code"),
            household_id: *id,
        })
        .collect();
    // The surveys as recorded, once each household's persons are known.
    let by_row: HashMap<u64, &vuonlen_io::review_tables::StepRecord> = file.rows.iter().map(|r| (r.row, r)).collect();
    let mut surveys: Vec<IncomeSurvey> = Vec::new();
    let mut fields = |c: &crate::answers::Change, d: &vuonlen_store::browse::SurveyDetail| {
        let r = by_row[&c.row];
        let (income, allowances) = (amount(r, "income_12m"), amount(r, "allowances_12m"));
        let persons = i64::try_from(d.members.len()).unwrap_or(0);
        let Some(per_capita) = IncomeSurvey::per_capita(income, allowances, persons) else {
            return Err(if persons == 0 {
                ("Hộ không có nhân khẩu nào trong phiếu hộ.".to_string(), "The household has no members.".to_string())
            } else {
                (
                    format!("Trợ cấp ({allowances} đ) lớn hơn tổng thu nhập ({income} đ)."),
                    format!("Allowances ({allowances} VND) exceed the total income ({income} VND)."),
                )
            });
        };
        let nlndn = text(r, "nlndn") == "1";
        surveys.push(IncomeSurvey {
            household_id: c.household_id,
            nlndn,
            income_12m: income,
            allowances_12m: allowances,
            persons,
            income_per_capita: per_capita,
            surveyed_on: r.get(table, "surveyed_on").date().unwrap_or(period.reference_date),
        });
        Ok(vec![("income_per_capita", per_capita.to_string()), ("nlndn", if nlndn { "1" } else { "0" }.to_string())])
    };
    let origin = crate::answers::Origin { actor, command, file: &path };
    let problems = crate::answers::apply(reg, period, standard, &changes, &mut fields, origin).await?;
    if !problems.is_empty() {
        for (row, code, vi, en) in problems {
            let mut p = file.problem(row, "household_code", &code, vi, en);
            p.household_code = Some(code);
            file.report.errors.push(p);
        }
        file.report.errors.sort_by_key(|p| p.row);
        return Ok(IncomeSurveysRecorded { file, recorded: None });
    }
    reg.record_income_surveys(round, &surveys, actor, command).await?;
    Ok(IncomeSurveysRecorded { file, recorded: Some(surveys.len() as u64) })
}
