//! Phiếu B's score A in the registry (*chấm điểm Phiếu B*): the score tables an administrator
//! loads (Circular 07/2021 Phụ lục III/IV — not public: none is shipped, a test table is marked
//! as such wherever shown; docs/score-tables.md), and each household's scored answers of a
//! round — the region, the category and points of every variable, the total — kept beside the
//! score A the survey carries.

use super::Round;
use super::steps::RowRefusal;
use crate::audit::{self, Change};
use crate::db::{Db, on_conn, on_pool};
use crate::error::Result;
use crate::scope::Registry;
use vuonlen_core::review::Refusal;

/// A score table as loaded into the registry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LoadedScoreTable {
    pub id: String,
    pub title: String,
    /// `official` or `test` (a test table's points are invented).
    pub purpose: String,
    /// The TOML text as loaded.
    #[serde(skip)]
    pub body: String,
    pub sha256: String,
    pub loaded_by: String,
    pub loaded_at: String,
    /// Households scored with it.
    pub households_scored: i64,
}

/// What loading a table did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableLoaded {
    New,
    Replaced,
    Unchanged,
}

/// One household's scored answers, to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoredAnswers {
    pub household_id: i64,
    pub table_id: String,
    pub region: String,
    pub score_a: i64,
    /// Each variable's `code=category:points`, `;`-separated, in the table's order.
    pub parts: String,
}

/// A household's scored answers as recorded.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredScore {
    pub table_id: String,
    pub test_table: bool,
    pub region: String,
    pub score_a: i64,
    pub parts: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

impl Db {
    /// Loads (or replaces) score table `id`, its text already checked by the caller
    /// (`vuonlen_core::score_table`). A table households were scored with is not replaced by a
    /// different text: load the new one under a new id.
    pub async fn load_score_table(
        &self,
        id: &str,
        title: &str,
        purpose: &str,
        body: &str,
        actor: &str,
        command: &str,
    ) -> Result<std::result::Result<TableLoaded, Refusal>> {
        let sha = sha256_hex(body);
        let at = crate::now();
        let mut tx = self.begin().await?;
        let old: Option<(String, i64)> = on_conn!(tx, c => sqlx::query_as(
            "SELECT t.sha256, (SELECT COUNT(*) FROM score_answer a WHERE a.table_id = t.id) FROM score_table t WHERE t.id = $1",
        )
        .bind(id)
        .fetch_optional(c)
        .await?);
        let loaded = match old {
            Some((s, _)) if s == sha => return Ok(Ok(TableLoaded::Unchanged)),
            Some((_, used)) if used > 0 => {
                return Ok(Err(Refusal::new(
                    format!("Bảng điểm {id} đã dùng để chấm {used} hộ: nạp bảng mới với mã khác."),
                    format!("Score table {id} has scored {used} households: load the new one under another id."),
                )));
            }
            Some(_) => TableLoaded::Replaced,
            None => TableLoaded::New,
        };
        on_conn!(tx, c => sqlx::query(
            "INSERT INTO score_table (id, title, purpose, body, sha256, loaded_by, loaded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (id) DO UPDATE SET title = $2, purpose = $3, body = $4, sha256 = $5, loaded_by = $6, loaded_at = $7",
        )
        .bind(id)
        .bind(title)
        .bind(purpose)
        .bind(body)
        .bind(&sha)
        .bind(actor)
        .bind(&at)
        .execute(c)
        .await?
        .rows_affected());
        let change = Change {
            actor,
            command,
            entity: "score_table",
            household_id: None,
            period: None,
            member_no: None,
            field: id,
            old_value: None,
            new_value: Some(&format!("{purpose} sha256 {sha}")),
        };
        audit::record_now(&mut tx, &change, &at).await?;
        tx.commit().await?;
        Ok(Ok(loaded))
    }

    /// The score tables loaded, by id.
    pub async fn score_tables_loaded(&self) -> Result<Vec<LoadedScoreTable>> {
        type Row = (String, String, String, String, String, String, String, i64);
        let rows: Vec<Row> = on_pool!(self, p => sqlx::query_as(
            "SELECT t.id, t.title, t.purpose, t.body, t.sha256, t.loaded_by, t.loaded_at, \
                    (SELECT COUNT(*) FROM score_answer a WHERE a.table_id = t.id) \
             FROM score_table t ORDER BY t.id",
        )
        .fetch_all(p)
        .await?);
        Ok(rows
            .into_iter()
            .map(|r| LoadedScoreTable {
                id: r.0,
                title: r.1,
                purpose: r.2,
                body: r.3,
                sha256: r.4,
                loaded_by: r.5,
                loaded_at: r.6,
                households_scored: r.7,
            })
            .collect())
    }
}

impl Registry {
    /// The score tables loaded (no personal data: every user may read them).
    pub async fn score_tables(&self) -> Result<Vec<LoadedScoreTable>> {
        self.db.score_tables_loaded().await
    }

    /// The household of each (commune, household code) when it is a case of `round` whose
    /// survey is open (listed, surveyed or sent back) in a commune the caller may write; else
    /// every refusal, by index.
    pub async fn open_survey_cases(
        &self,
        round: &Round,
        rows: &[(String, String)],
    ) -> Result<std::result::Result<Vec<i64>, Vec<RowRefusal>>> {
        let mut tx = self.db.begin().await?;
        let mut ids = Vec::with_capacity(rows.len());
        let mut refusals = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (index, (commune, code)) in rows.iter().enumerate() {
            if !self.write.contains(&round.province_code, commune) {
                refusals.push(RowRefusal {
                    index,
                    refusal: Refusal::new(
                        format!("Xã {commune} ngoài địa bàn được ghi của người dùng."),
                        format!("Commune {commune} is outside the user's write area."),
                    ),
                });
                continue;
            }
            match self.case_of(&mut tx, round, commune, code).await? {
                Ok((id, case, _)) => match case.survey() {
                    Ok(_) if !seen.insert(id) => refusals.push(RowRefusal {
                        index,
                        refusal: Refusal::new(
                            "Hộ này đã có ở một dòng trước trong cùng tệp.",
                            "This household is on an earlier row of the same file.",
                        ),
                    }),
                    Ok(_) => ids.push(id),
                    Err(refusal) => refusals.push(RowRefusal { index, refusal }),
                },
                Err(refusal) => refusals.push(RowRefusal { index, refusal }),
            }
        }
        tx.rollback().await?;
        Ok(if refusals.is_empty() { Ok(ids) } else { Err(refusals) })
    }

    /// Records the scored answers of households of `round` (their score A already saved in the
    /// survey), replacing earlier ones of the period; audited without names.
    pub async fn record_scores(
        &self,
        round: &Round,
        scores: &[ScoredAnswers],
        actor: &str,
        command: &str,
    ) -> Result<()> {
        let at = crate::now();
        let mut tx = self.db.begin().await?;
        for s in scores {
            on_conn!(tx, c => sqlx::query(
                "INSERT INTO score_answer (period, household_id, round_id, table_id, region, score_a, parts, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 ON CONFLICT (period, household_id) DO UPDATE SET round_id = $3, table_id = $4, region = $5, score_a = $6, \
                     parts = $7, recorded_by = $8, recorded_at = $9",
            )
            .bind(round.period)
            .bind(s.household_id)
            .bind(round.id)
            .bind(&s.table_id)
            .bind(&s.region)
            .bind(s.score_a)
            .bind(&s.parts)
            .bind(actor)
            .bind(&at)
            .execute(c)
            .await?
            .rows_affected());
            let value = format!("{} {} ({})", s.score_a, s.table_id, s.region);
            let change = Change {
                actor,
                command,
                entity: "score_answer",
                household_id: Some(s.household_id),
                period: Some(round.period),
                member_no: None,
                field: "score_a",
                old_value: None,
                new_value: Some(&value),
            };
            audit::record_now(&mut tx, &change, &at).await?;
        }
        tx.commit().await
    }

    /// The scored answers of a household in a period, when the caller may read it.
    pub async fn score_of(&self, period: i64, household_id: i64) -> Result<Option<StoredScore>> {
        let Some((commune, province, _)) = crate::reads::placement(&self.db, household_id).await? else {
            return Ok(None);
        };
        if !self.scope.contains(&province, &commune) {
            return Ok(None);
        }
        type Row = (String, String, String, i64, String, String, String);
        let row: Option<Row> = on_pool!(self.db, p => sqlx::query_as(
            "SELECT a.table_id, t.purpose, a.region, a.score_a, a.parts, a.recorded_by, a.recorded_at \
             FROM score_answer a JOIN score_table t ON t.id = a.table_id WHERE a.period = $1 AND a.household_id = $2",
        )
        .bind(period)
        .bind(household_id)
        .fetch_optional(p)
        .await?);
        Ok(row.map(|r| StoredScore {
            table_id: r.0,
            test_table: r.1 == "test",
            region: r.2,
            score_a: r.3,
            parts: r.4,
            recorded_by: r.5,
            recorded_at: r.6,
        }))
    }
}

/// One household's Phiếu C (actual income over 12 months), to record or as recorded.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IncomeSurvey {
    pub household_id: i64,
    /// Works in agriculture, forestry, fishery or salt making.
    pub nlndn: bool,
    /// Total income over the 12 months, VND.
    pub income_12m: i64,
    /// Social allowances and state social assistance in it, VND (excluded).
    pub allowances_12m: i64,
    pub persons: i64,
    /// (income − allowances) / 12 / persons, VND per person per month (rounded down).
    pub income_per_capita: i64,
    pub surveyed_on: chrono::NaiveDate,
}

impl IncomeSurvey {
    /// The income per person per month Phiếu C gives: (income − allowances) / 12 / persons,
    /// rounded down; `None` when the allowances exceed the income or there is no member.
    pub fn per_capita(income_12m: i64, allowances_12m: i64, persons: i64) -> Option<i64> {
        (allowances_12m <= income_12m && persons > 0).then(|| (income_12m - allowances_12m) / 12 / persons)
    }
}

impl Registry {
    /// Records the Phiếu C of households of `round` (their income already saved in the survey),
    /// replacing earlier ones of the period; audited without names.
    pub async fn record_income_surveys(
        &self,
        round: &Round,
        rows: &[IncomeSurvey],
        actor: &str,
        command: &str,
    ) -> Result<()> {
        let at = crate::now();
        let mut tx = self.db.begin().await?;
        for r in rows {
            on_conn!(tx, c => sqlx::query(
                "INSERT INTO income_survey (period, household_id, round_id, nlndn, income_12m, allowances_12m, persons, \
                     income_per_capita, surveyed_on, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                 ON CONFLICT (period, household_id) DO UPDATE SET round_id = $3, nlndn = $4, income_12m = $5, \
                     allowances_12m = $6, persons = $7, income_per_capita = $8, surveyed_on = $9, recorded_by = $10, recorded_at = $11",
            )
            .bind(round.period)
            .bind(r.household_id)
            .bind(round.id)
            .bind(i64::from(r.nlndn))
            .bind(r.income_12m)
            .bind(r.allowances_12m)
            .bind(r.persons)
            .bind(r.income_per_capita)
            .bind(r.surveyed_on.to_string())
            .bind(actor)
            .bind(&at)
            .execute(c)
            .await?
            .rows_affected());
            let value =
                format!("{} đ/người/tháng, NLNDN {}", r.income_per_capita, if r.nlndn { "có" } else { "không" });
            let change = Change {
                actor,
                command,
                entity: "income_survey",
                household_id: Some(r.household_id),
                period: Some(round.period),
                member_no: None,
                field: "phieu_c",
                old_value: None,
                new_value: Some(&value),
            };
            audit::record_now(&mut tx, &change, &at).await?;
        }
        tx.commit().await
    }

    /// The Phiếu C of a household in a period, when the caller may read it.
    pub async fn income_survey_of(&self, period: i64, household_id: i64) -> Result<Option<IncomeSurvey>> {
        let Some((commune, province, _)) = crate::reads::placement(&self.db, household_id).await? else {
            return Ok(None);
        };
        if !self.scope.contains(&province, &commune) {
            return Ok(None);
        }
        type Row = (i64, i64, i64, i64, i64, String);
        let row: Option<Row> = on_pool!(self.db, p => sqlx::query_as(
            "SELECT nlndn, income_12m, allowances_12m, persons, income_per_capita, surveyed_on \
             FROM income_survey WHERE period = $1 AND household_id = $2",
        )
        .bind(period)
        .bind(household_id)
        .fetch_optional(p)
        .await?);
        Ok(row.and_then(|r| {
            Some(IncomeSurvey {
                household_id,
                nlndn: r.0 != 0,
                income_12m: r.1,
                allowances_12m: r.2,
                persons: r.3,
                income_per_capita: r.4,
                surveyed_on: r.5.parse().ok()?,
            })
        }))
    }
}
