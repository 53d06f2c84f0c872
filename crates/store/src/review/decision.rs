//! The commune chair's decision (*quyết định công nhận*, Mẫu 02): it recognises the agreed
//! results — the re-check's class after an upheld complaint, the standard's otherwise — makes
//! them the period's official class (the computed class kept beside it), and locks the
//! commune's lists for the period.

use super::{CaseRow, Round, refused, round_audit};
use crate::db::on_conn;
use crate::error::Result;
use crate::scope::Registry;
use crate::tally::{Changed, bump};
use chrono::NaiveDate;
use vuonlen_core::review::{DecisionReadiness, PostingDates, Refusal, Stage, decision_ready};

/// What a decision needs.
#[derive(Debug, Clone)]
pub struct DecisionInput<'a> {
    /// Today's commune code.
    pub commune: &'a str,
    /// The decision's number, e.g. `125/QĐ-UBND`.
    pub number: &'a str,
    pub decided_on: NaiveDate,
    /// Who signs (name), recorded with the decision.
    pub signer: &'a str,
}

/// What a decision recognised.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Decided {
    pub commune: String,
    pub number: String,
    pub decided_on: NaiveDate,
    /// Households whose result was recognised.
    pub recognised: u64,
    pub poor: u64,
    pub near_poor: u64,
    /// Poor before, not poor now (thoát nghèo).
    pub escaped_poor: u64,
    /// Near-poor before, neither now (thoát cận nghèo).
    pub escaped_near_poor: u64,
    /// Households recognised in another class than the standard computed (upheld complaints):
    /// (household code, computed, recognised).
    pub differences: Vec<(String, String, String)>,
    /// Households of the commune the round did not survey, kept at their last decision's
    /// class in the period (annual rounds; [`super::carry`]).
    pub carried_forward: u64,
}

impl Registry {
    /// Decides a commune's lists: refused with every reason when posting has not ended before
    /// the decision's day, a household is not agreed, or a complaint has no outcome.
    pub async fn decide(
        &self,
        round: &Round,
        input: &DecisionInput<'_>,
        actor: &str,
        command: &str,
    ) -> Result<std::result::Result<Decided, Vec<Refusal>>> {
        self.round_communes_writable(round, Some(input.commune)).await?;
        if input.number.trim().is_empty() {
            return Err(refused(Refusal::new("Quyết định phải có số.", "A decision needs its number.")));
        }
        if input.decided_on < round.starts_on {
            return Err(refused(Refusal::new(
                format!("Ngày quyết định {} trước khi đợt rà soát bắt đầu ({}).", input.decided_on, round.starts_on),
                format!("The decision's day {} is before the round starts ({}).", input.decided_on, round.starts_on),
            )));
        }
        let commune = input.commune;
        let at = crate::now();
        let mut tx = self.db.begin().await?;
        let (ps, pe, number): (Option<String>, Option<String>, Option<String>) = on_conn!(tx, c => sqlx::query_as(
            "SELECT posting_starts, posting_ends, decision_number FROM review_commune \
             WHERE round_id = $1 AND current_commune = $2",
        )
        .bind(round.id)
        .bind(commune)
        .fetch_one(c)
        .await?);
        if let Some(n) = number {
            return Ok(Err(vec![Refusal::new(
                format!("Xã {commune} đã có quyết định số {n} trong đợt này."),
                format!("Commune {commune} has decided in this round already (decision {n})."),
            )]));
        }
        let posting = match (ps, pe) {
            (Some(a), Some(b)) => Some(PostingDates { starts_on: super::date_of(&a)?, ends_on: super::date_of(&b)? }),
            _ => None,
        };
        let counts: Vec<(String, i64)> = on_conn!(tx, c => sqlx::query_as(
            "SELECT stage, COUNT(*) FROM review_case WHERE round_id = $1 AND current_commune = $2 GROUP BY stage",
        )
        .bind(round.id)
        .bind(commune)
        .fetch_all(c)
        .await?);
        let stages: Vec<(Stage, u64)> =
            counts.iter().filter_map(|(s, n)| Some((Stage::parse(s)?, u64::try_from(*n).unwrap_or(0)))).collect();
        let open_complaints: i64 = on_conn!(tx, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM review_complaint k JOIN review_case r ON r.round_id = k.round_id \
                 AND r.household_id = k.household_id \
             WHERE k.round_id = $1 AND r.current_commune = $2 AND k.outcome IS NULL",
        )
        .bind(round.id)
        .bind(commune)
        .fetch_one(c)
        .await?);
        let problems = decision_ready(&DecisionReadiness {
            posting,
            decided_on: input.decided_on,
            stages: &stages,
            open_complaints: u64::try_from(open_complaints).unwrap_or(0),
        });
        if !problems.is_empty() {
            tx.rollback().await?;
            return Ok(Err(problems));
        }
        // The standard's class, kept beside the recognised one.
        on_conn!(tx, c => sqlx::query(
            "UPDATE review_case SET computed_class = (SELECT c.class FROM classification c \
                 WHERE c.period = $3 AND c.standard_id = $4 AND c.household_id = review_case.household_id) \
             WHERE round_id = $1 AND current_commune = $2 AND stage = 'agreed'",
        )
        .bind(round.id)
        .bind(commune)
        .bind(round.period)
        .bind(round.standard_id.as_str())
        .execute(c)
        .await?
        .rows_affected());
        let recognised = on_conn!(tx, c => sqlx::query(
            "UPDATE review_case SET stage = 'decided', updated_at = $3, recognised_class = COALESCE( \
                 (SELECT k.recheck_class FROM review_complaint k WHERE k.round_id = review_case.round_id \
                    AND k.household_id = review_case.household_id AND k.outcome = 'upheld' ORDER BY k.id DESC LIMIT 1), \
                 computed_class) \
             WHERE round_id = $1 AND current_commune = $2 AND stage = 'agreed'",
        )
        .bind(round.id)
        .bind(commune)
        .bind(at.as_str())
        .execute(c)
        .await?
        .rows_affected());
        // Screened out: the household keeps the status of its last decision.
        on_conn!(tx, c => sqlx::query(
            "UPDATE review_case SET recognised_class = COALESCE(previous_class, 'not_poor'), updated_at = $3 \
             WHERE round_id = $1 AND current_commune = $2 AND stage = 'screened_out' AND recognised_class IS NULL",
        )
        .bind(round.id)
        .bind(commune)
        .bind(at.as_str())
        .execute(c)
        .await?
        .rows_affected());
        // The official class of the period is the recognised one.
        let reclassed = on_conn!(tx, c => sqlx::query(
            "UPDATE classification SET class = (SELECT r.recognised_class FROM review_case r \
                 WHERE r.round_id = $1 AND r.household_id = classification.household_id) \
             WHERE period = $3 AND standard_id = $4 AND household_id IN ( \
                 SELECT household_id FROM review_case WHERE round_id = $1 AND current_commune = $2 \
                   AND recognised_class IS NOT NULL AND recognised_class <> COALESCE(computed_class, ''))",
        )
        .bind(round.id)
        .bind(commune)
        .bind(round.period)
        .bind(round.standard_id.as_str())
        .execute(c)
        .await?
        .rows_affected());
        on_conn!(tx, c => sqlx::query(
            "UPDATE review_commune SET decision_number = $3, decided_on = $4, signer = $5, decided_by = $6 \
             WHERE round_id = $1 AND current_commune = $2",
        )
        .bind(round.id)
        .bind(commune)
        .bind(input.number)
        .bind(input.decided_on.to_string())
        .bind(input.signer)
        .bind(actor)
        .execute(c)
        .await?
        .rows_affected());
        on_conn!(tx, c => sqlx::query(
            "INSERT INTO period_lock (period, current_commune, current_province, round_id, decision_number, locked_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (period, current_commune) DO UPDATE SET \
                 round_id = excluded.round_id, decision_number = excluded.decision_number, locked_at = excluded.locked_at",
        )
        .bind(round.period)
        .bind(commune)
        .bind(round.province_code.as_str())
        .bind(round.id)
        .bind(input.number)
        .bind(at.as_str())
        .execute(c)
        .await?
        .rows_affected());
        let counts: (i64, i64, i64, i64) = on_conn!(tx, c => sqlx::query_as(
            "SELECT CAST(COALESCE(SUM(CASE WHEN recognised_class = 'poor' THEN 1 ELSE 0 END), 0) AS BIGINT), \
                    CAST(COALESCE(SUM(CASE WHEN recognised_class = 'near_poor' THEN 1 ELSE 0 END), 0) AS BIGINT), \
                    CAST(COALESCE(SUM(CASE WHEN previous_class = 'poor' AND recognised_class <> 'poor' THEN 1 ELSE 0 END), 0) AS BIGINT), \
                    CAST(COALESCE(SUM(CASE WHEN previous_class = 'near_poor' AND recognised_class NOT IN ('poor', 'near_poor') \
                        THEN 1 ELSE 0 END), 0) AS BIGINT) \
             FROM review_case WHERE round_id = $1 AND current_commune = $2 AND stage = 'decided'",
        )
        .bind(round.id)
        .bind(commune)
        .fetch_one(c)
        .await?);
        let differences: Vec<(String, String, String)> = on_conn!(tx, c => sqlx::query_as(
            "SELECT h.household_code, COALESCE(r.computed_class, ''), r.recognised_class FROM review_case r \
             JOIN household h ON h.id = r.household_id \
             WHERE r.round_id = $1 AND r.current_commune = $2 AND r.stage = 'decided' \
               AND r.recognised_class <> COALESCE(r.computed_class, '') ORDER BY h.household_code",
        )
        .bind(round.id)
        .bind(commune)
        .fetch_all(c)
        .await?);
        // The households the annual review did not survey keep their last decision's status.
        let mut carried = 0;
        if round.kind == super::RoundKind::Annual {
            let previous: Option<i64> = on_conn!(tx, c => sqlx::query_scalar(
                "SELECT MAX(year) FROM review_period WHERE year < $1",
            )
            .bind(round.period)
            .fetch_one(c)
            .await?);
            if let Some(prev) = previous {
                carried = super::carry::carry_forward(&mut tx, prev, round.period, &round.province_code, commune, &at)
                    .await?;
            }
        }
        let place = [(round.province_code.clone(), commune.to_string())].into_iter().collect();
        // The report cache changes only where a recognised class differs from the computed one
        // or households were carried forward.
        let changed = if reclassed > 0 || carried > 0 { Changed::Communes(place) } else { Changed::Nothing };
        bump(&mut tx, round.period, &changed).await?;
        let what = format!(
            "quyết định {} ngày {}: {recognised} hộ ({} nghèo, {} cận nghèo), {} khác kết quả tính, {carried} hộ giữ \
             nguyên kết quả lần công nhận trước",
            input.number,
            input.decided_on,
            counts.0,
            counts.1,
            differences.len()
        );
        round_audit(&mut tx, actor, command, round.period, "decision", commune, &what, &at).await?;
        tx.commit().await?;
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        Ok(Ok(Decided {
            commune: commune.to_string(),
            number: input.number.to_string(),
            decided_on: input.decided_on,
            recognised,
            poor: n(counts.0),
            near_poor: n(counts.1),
            escaped_poor: n(counts.2),
            escaped_near_poor: n(counts.3),
            differences,
            carried_forward: carried,
        }))
    }
}

/// The lists a decision annexes, from its commune's cases: (poor, near-poor, escaped poverty,
/// escaped near-poverty).
pub fn annexes(cases: &[CaseRow]) -> [Vec<&CaseRow>; 4] {
    let recognised = |c: &&CaseRow| c.stage == Stage::Decided.key();
    let is = |c: &CaseRow, k: &str| c.recognised_class.as_deref() == Some(k);
    let was = |c: &CaseRow, k: &str| c.previous_class.as_deref() == Some(k);
    [
        cases.iter().filter(recognised).filter(|c| is(c, "poor")).collect(),
        cases.iter().filter(recognised).filter(|c| is(c, "near_poor")).collect(),
        cases.iter().filter(recognised).filter(|c| was(c, "poor") && !is(c, "poor")).collect(),
        cases
            .iter()
            .filter(recognised)
            .filter(|c| was(c, "near_poor") && !is(c, "poor") && !is(c, "near_poor"))
            .collect(),
    ]
}
