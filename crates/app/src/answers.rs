//! Changes to households' stored answers asked by a review step (score A from Phiếu B, income
//! from Phiếu C): each household's stored answers read back, changed, checked by the
//! interchange reader like an edit, and all saved through one import — re-classified, refused
//! when someone saved in between or the commune's lists are locked — or none, with every
//! problem at the row of the file that asked for it.

use crate::AppError;
use std::path::Path;
use std::sync::Arc;
use vuonlen_core::standard::{HouseholdFlagField, Standard};
use vuonlen_io::ReadOptions;
use vuonlen_store::Registry;
use vuonlen_store::browse::SurveyDetail;
use vuonlen_store::import::{Conflict, ConflictKind, ImportSpec};
use vuonlen_store::period::Period;

/// A problem of one row: (row, household code, Vietnamese, English).
pub type RowProblem = (u64, String, String, String);

/// One household whose answers a row changes.
pub struct Change {
    /// The row of the file (header = 1).
    pub row: u64,
    pub household_code: String,
    pub household_id: i64,
}

/// What the changed fields are, from the stored answers: (field key, new value), or why not.
pub type Fields<'a> =
    dyn FnMut(&Change, &SurveyDetail) -> Result<Vec<(&'static str, String)>, (String, String)> + Send + 'a;

/// Who saves, and from which file.
pub struct Origin<'a> {
    pub actor: &'a str,
    pub command: &'a str,
    pub file: &'a Path,
}

/// Saves the changes (`fields` says what each household's are); the problems when none was
/// saved (empty: all saved).
pub async fn apply(
    reg: &Registry,
    period: &Period,
    standard: Arc<Standard>,
    changes: &[Change],
    fields: &mut Fields<'_>,
    origin: Origin<'_>,
) -> Result<Vec<RowProblem>, AppError> {
    let mut problems = Vec::new();
    let mut records = Vec::with_capacity(changes.len());
    let mut expected = Vec::with_capacity(changes.len());
    for c in changes {
        let detail = match reg.survey_detail(c.household_id, period.year).await {
            Ok(d) => d,
            Err(vuonlen_store::StoreError::NotFound(_)) => {
                problems.push((
                    c.row,
                    c.household_code.clone(),
                    format!("Hộ {} chưa có Phiếu B trong kỳ {}: nhập phiếu hộ trước.", c.household_code, period.year),
                    format!(
                        "Household {} has no Phiếu B answers in period {}: import the household first.",
                        c.household_code, period.year
                    ),
                ));
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let changed = match fields(c, &detail) {
            Ok(f) => f,
            Err((vi, en)) => {
                problems.push((c.row, c.household_code.clone(), vi, en));
                continue;
            }
        };
        let (mut household, members) = crate::edit::stored_answers(&detail);
        for (k, v) in changed {
            household.insert(k.to_string(), v);
        }
        let mut opts = ReadOptions::new(period.reference_date);
        opts.keep_personal = true;
        opts.require_waste_treatment = standard.reads_household_flag(HouseholdFlagField::WasteTreatment);
        let answers = crate::edit::Answers { household: &household, members: &members };
        let (record, report) = crate::edit::check(answers, opts).await?;
        match record {
            Some(r) => {
                records.push(r);
                expected.push((
                    detail.survey.commune_code.clone(),
                    detail.survey.household_code.clone(),
                    detail.content_hash,
                ));
            }
            None => {
                for e in report.errors {
                    problems.push((
                        c.row,
                        c.household_code.clone(),
                        format!("Phiếu hộ không hợp lệ sau khi ghi ({}: {}): {}", e.column, e.value, e.message_vi),
                        format!("The answers are not valid once changed ({}: {}): {}", e.column, e.value, e.message_en),
                    ));
                }
            }
        }
    }
    if !problems.is_empty() {
        return Ok(problems);
    }
    let spec = ImportSpec {
        period: period.year,
        reference_date: period.reference_date,
        standard,
        actor: origin.actor.to_string(),
        command: origin.command.to_string(),
        files: origin.file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        file_hash: file_hash(origin.file).await?,
        scope: vuonlen_store::Scope::none(),
        expected_households: None,
    };
    let mut imp = reg.begin_import(spec).await?;
    for (commune, code, hash) in &expected {
        imp.expect(commune, code, Some(*hash));
    }
    if let Err(e) = imp.push(&records).await {
        let _ = imp.abort().await;
        return Err(e.into());
    }
    let summary = imp.finish().await?;
    for c in summary.conflicts {
        let code = c.members.first().map(|m| m.1.clone()).unwrap_or_default();
        let row = changes.iter().find(|x| x.household_code == code).map_or(0, |x| x.row);
        let (vi, en) = conflict_message(&c);
        problems.push((row, code, vi, en));
    }
    Ok(problems)
}

/// A conflict of the import as a row's message (no personal data: an ID number stays out).
fn conflict_message(c: &Conflict) -> (String, String) {
    match c.kind {
        ConflictKind::Stale => (
            "Phiếu hộ đã được cập nhật trong lúc ghi: không ghi đè, hãy làm lại.".into(),
            "The household's answers changed meanwhile: nothing overwritten, do it again.".into(),
        ),
        ConflictKind::Locked => (
            format!("Danh sách của xã đã khóa (quyết định {}): thay đổi qua rà soát thường xuyên.", c.value),
            format!("The commune's lists are locked (decision {}): changes go through a regular review.", c.value),
        ),
        ConflictKind::OutOfScope => (
            "Hộ ngoài địa bàn được ghi của người dùng.".into(),
            "The household is outside the user's write area.".into(),
        ),
        _ => {
            let (vi, en) = c.others(None, true);
            (
                format!("Phiếu hộ xung đột với hộ khác ({vi}): sửa phiếu hộ trước."),
                format!("The household's answers conflict with another household ({en}): fix them first."),
            )
        }
    }
}

async fn file_hash(path: &Path) -> Result<String, AppError> {
    use sha2::Digest;
    let bytes = tokio::fs::read(path).await.map_err(|e| AppError::Internal(format!("{}: {e}", path.display())))?;
    Ok(sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect())
}
