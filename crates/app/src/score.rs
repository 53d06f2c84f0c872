//! Phiếu B's score A computed by the registry (*chấm điểm Phiếu B*): a file of answers (the
//! format of `vuonlen score`: docs/score-tables.md) scored with a score table loaded into the
//! registry, for households of a review round whose survey is open. Each household's score A
//! goes into its survey — re-classifying it, in one import transaction that refuses a household
//! changed since it was read — and its answers (region, every variable's category and points)
//! are kept beside it. Every problem is located at its row; a file with one records nothing.

use crate::AppError;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use vuonlen_core::Standards;
use vuonlen_core::score_table::ScoreTable;
use vuonlen_core::standard::Standard;
use vuonlen_io::ReadOptions;
use vuonlen_io::score_answers::{ScoredFile, score_answers};
use vuonlen_io::{Problem, ProblemKind};
use vuonlen_store::Registry;
use vuonlen_store::import::ImportSpec;
use vuonlen_store::period::Period;
use vuonlen_store::review::{Round, ScoredAnswers};

/// What became of an answers file.
#[derive(Debug, Clone)]
pub struct ScoresRecorded {
    /// The file as read and scored, with every problem (the registry's refusals among them).
    pub file: ScoredFile,
    /// The table used, as its title is shown (a test table says so).
    pub table_title: String,
    /// Households whose score A was recorded (`None`: refused).
    pub recorded: Option<u64>,
}

/// Score table `id` as loaded into the registry, checked again as it is read.
pub async fn loaded_table(reg: &Registry, id: &str) -> Result<Arc<ScoreTable>, AppError> {
    let tables = reg.score_tables().await?;
    let t = tables.into_iter().find(|t| t.id == id).ok_or_else(|| {
        AppError::Store(vuonlen_store::StoreError::Invalid(format!(
            "chưa nạp bảng điểm '{id}' (vuonlen standards load) / score table '{id}' is not loaded"
        )))
    })?;
    parse_table(&t.id, &t.body)
}

/// Reads a score table's TOML text: the table, or every problem as one message.
pub fn parse_table(name: &str, body: &str) -> Result<Arc<ScoreTable>, AppError> {
    let invalid = |m: String| AppError::Store(vuonlen_store::StoreError::Invalid(m));
    let mut reg = Standards::embedded().map_err(|e| invalid(e.to_string()))?;
    reg.add_toml(name, body).map_err(|e| invalid(e.to_string()))?;
    reg.link().map_err(|e| invalid(e.to_string()))?;
    reg.score_tables()
        .next()
        .cloned()
        .ok_or_else(|| invalid(format!("{name} không phải bảng điểm / is not a score table (kind = \"score_table\")")))
}

/// Scores the answers of `path` with loaded table `table_id` and records them for households of
/// `round`, classified with `standard` (the period's, `period`).
#[allow(clippy::too_many_arguments)] // the round's period and standard, the table, the file, who
pub async fn record_scores(
    reg: &Registry,
    round: &Round,
    period: &Period,
    standard: Arc<Standard>,
    table_id: &str,
    path: PathBuf,
    actor: &str,
    command: &str,
) -> Result<ScoresRecorded, AppError> {
    let table = loaded_table(reg, table_id).await?;
    let table_title = table.shown_title();
    let scoring = Arc::clone(&table);
    let read_path = path.clone();
    let mut file = tokio::task::spawn_blocking(move || score_answers(&read_path, &scoring))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    let refused = |file: ScoredFile| Ok(ScoresRecorded { file, table_title: table_title.clone(), recorded: None });
    if !file.report.errors.is_empty() {
        return refused(file);
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let problem = |row: u64, code: &str, vi: String, en: String| Problem {
        kind: ProblemKind::Refused,
        file: name.clone(),
        sheet: None,
        row,
        column: "household_id".into(),
        value: code.to_string(),
        household_code: Some(code.to_string()),
        message_vi: vi,
        message_en: en,
    };
    // 1. Each household a case of the round whose survey is open, in the caller's write area.
    let keys: Vec<(String, String)> =
        file.scored.iter().map(|h| (h.commune_code.clone(), h.household_id.clone())).collect();
    let ids = match reg.score_targets(round, &keys).await? {
        Ok(ids) => ids,
        Err(refusals) => {
            for r in refusals {
                let h = &file.scored[r.index];
                file.report.errors.push(problem(h.row, &h.household_id, r.refusal.vi, r.refusal.en));
            }
            return refused(file);
        }
    };
    // 2. Its stored answers with the new score A, checked by the reader like an edit.
    let mut records = Vec::with_capacity(ids.len());
    let mut expected = Vec::with_capacity(ids.len());
    for (h, id) in file.scored.iter().zip(&ids) {
        let detail = match reg.survey_detail(*id, round.period).await {
            Ok(d) => d,
            Err(vuonlen_store::StoreError::NotFound(_)) => {
                file.report.errors.push(problem(
                    h.row,
                    &h.household_id,
                    format!("Hộ {} chưa có Phiếu B trong kỳ {}: nhập phiếu hộ trước.", h.household_id, round.period),
                    format!(
                        "Household {} has no Phiếu B answers in period {}: import the household first.",
                        h.household_id, round.period
                    ),
                ));
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let (mut household, members) = crate::edit::stored_answers(&detail);
        household.insert("score_a".into(), h.score.total.to_string());
        let mut opts = ReadOptions::new(period.reference_date);
        opts.keep_personal = true;
        opts.require_waste_treatment =
            standard.reads_household_flag(vuonlen_core::standard::HouseholdFlagField::WasteTreatment);
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
                    file.report.errors.push(problem(
                        h.row,
                        &h.household_id,
                        format!("Phiếu hộ đã lưu không hợp lệ ({}: {}): {}", e.column, e.value, e.message_vi),
                        format!("The stored answers are not valid ({}: {}): {}", e.column, e.value, e.message_en),
                    ));
                }
            }
        }
    }
    if !file.report.errors.is_empty() {
        return refused(file);
    }
    // 3. One import: every score A or none.
    let spec = ImportSpec {
        period: round.period,
        reference_date: period.reference_date,
        standard,
        actor: actor.to_string(),
        command: command.to_string(),
        files: name.clone(),
        file_hash: file_hash(&path).await?,
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
    if !summary.conflicts.is_empty() {
        for c in summary.conflicts {
            let code = c.members.first().map(|m| m.1.clone()).unwrap_or_default();
            let row = file.scored.iter().find(|h| h.household_id == code).map_or(0, |h| h.row);
            let (vi, en) = conflict_message(&c);
            file.report.errors.push(problem(row, &code, vi, en));
        }
        return refused(file);
    }
    // 4. The answers kept beside the score.
    let scores: Vec<ScoredAnswers> = file
        .scored
        .iter()
        .zip(&ids)
        .map(|(h, id)| ScoredAnswers {
            household_id: *id,
            table_id: table.id.clone(),
            region: h.score.region.clone(),
            score_a: i64::from(h.score.total),
            parts: h.score.parts.iter().map(|(v, c, p)| format!("{v}={c}:{p}")).collect::<Vec<_>>().join(";"),
        })
        .collect();
    reg.record_scores(round, &scores, actor, command).await?;
    Ok(ScoresRecorded { file, table_title, recorded: Some(scores.len() as u64) })
}

async fn file_hash(path: &Path) -> Result<String, AppError> {
    use sha2::Digest;
    let bytes = tokio::fs::read(path).await.map_err(|e| AppError::Internal(format!("{}: {e}", path.display())))?;
    Ok(sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect())
}

/// A conflict of the import as a row's message (no personal data: an ID number stays out).
fn conflict_message(c: &vuonlen_store::import::Conflict) -> (String, String) {
    use vuonlen_store::import::ConflictKind;
    match c.kind {
        ConflictKind::Stale => (
            "Phiếu hộ đã được cập nhật trong lúc chấm điểm: không ghi đè, hãy chấm lại.".into(),
            "The household's answers changed while scoring: nothing overwritten, score again.".into(),
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
