//! Phiếu B's score A computed by the registry (*chấm điểm Phiếu B*): a file of answers (the
//! format of `vuonlen score`: docs/score-tables.md) scored with a score table loaded into the
//! registry, for households of a review round whose survey is open. Each household's score A
//! goes into its survey — re-classifying it, in one import transaction that refuses a household
//! changed since it was read — and its answers (region, every variable's category and points)
//! are kept beside it. Every problem is located at its row; a file with one records nothing.

use crate::AppError;
use std::path::PathBuf;
use std::sync::Arc;
use vuonlen_core::Standards;
use vuonlen_core::score_table::ScoreTable;
use vuonlen_core::standard::Standard;
use vuonlen_io::score_answers::{ScoredFile, score_answers};
use vuonlen_io::{Problem, ProblemKind};
use vuonlen_store::Registry;
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
    let ids = match reg.open_survey_cases(round, &keys).await? {
        Ok(ids) => ids,
        Err(refusals) => {
            for r in refusals {
                let h = &file.scored[r.index];
                file.report.errors.push(problem(h.row, &h.household_id, r.refusal.vi, r.refusal.en));
            }
            return refused(file);
        }
    };
    // 2. Its stored answers with the new score A, saved in one import.
    let changes: Vec<crate::answers::Change> = file
        .scored
        .iter()
        .zip(&ids)
        .map(|(h, id)| crate::answers::Change { row: h.row, household_code: h.household_id.clone(), household_id: *id })
        .collect();
    let totals: std::collections::HashMap<i64, i32> =
        file.scored.iter().zip(&ids).map(|(h, id)| (*id, h.score.total)).collect();
    let mut fields = |c: &crate::answers::Change, _: &vuonlen_store::browse::SurveyDetail| {
        Ok(vec![("score_a", totals.get(&c.household_id).copied().unwrap_or_default().to_string())])
    };
    let origin = crate::answers::Origin { actor, command, file: &path };
    let problems = crate::answers::apply(reg, period, standard, &changes, &mut fields, origin).await?;
    if !problems.is_empty() {
        for (row, code, vi, en) in problems {
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
