//! Locks (*khóa danh sách*): a commune chair's decision locks the commune's lists of the period;
//! imports and edits of its households are refused ([`crate::import::ConflictKind::Locked`],
//! 409 on the web) unless the household is on the list of an open regular round.

use crate::db::{Tx, on_conn, on_pool};
use crate::error::Result;
use crate::period::Period;
use crate::scope::Registry;
use std::collections::{HashMap, HashSet};

/// A commune's locked lists for a period.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PeriodLock {
    pub period: i64,
    pub commune_code: String,
    pub province_code: String,
    pub round_id: i64,
    pub decision_number: String,
    pub locked_at: String,
}

/// What a refused change says (Vietnamese), with how to proceed.
pub fn locked_vi(commune: &str, period: i64, number: &str) -> String {
    format!(
        "Danh sách hộ nghèo, hộ cận nghèo của xã {commune} kỳ {period} đã được công nhận theo quyết định số {number} \
         và đã khóa: không sửa trực tiếp. Thay đổi qua rà soát thường xuyên (mở đợt rà soát thường xuyên, đưa hộ vào \
         danh sách, ra quyết định mới có lý do)."
    )
}

/// What a refused change says (English), with how to proceed.
pub fn locked_en(commune: &str, period: i64, number: &str) -> String {
    format!(
        "The lists of commune {commune} for period {period} were recognised by decision {number} and are locked: no \
         direct changes. Change them through a regular review (open a regular round, list the household, decide anew \
         with the reason)."
    )
}

/// The locked communes of a period (today's code → decision number) and the households open
/// in a regular round of it, which may still change.
pub(crate) async fn load(tx: &mut Tx, period: i64) -> Result<(HashMap<String, String>, HashSet<i64>)> {
    let locks: Vec<(String, String)> = on_conn!(tx, c => sqlx::query_as(
        "SELECT current_commune, decision_number FROM period_lock WHERE period = $1",
    )
    .bind(period)
    .fetch_all(c)
    .await?);
    if locks.is_empty() {
        return Ok((HashMap::new(), HashSet::new()));
    }
    let open: Vec<i64> = on_conn!(tx, c => sqlx::query_scalar(
        "SELECT r.household_id FROM review_case r JOIN review_round o ON o.id = r.round_id \
         JOIN review_commune rc ON rc.round_id = r.round_id AND rc.current_commune = r.current_commune \
         WHERE o.period = $1 AND o.kind = 'regular' AND rc.decision_number IS NULL \
           AND r.stage IN ('listed', 'surveyed', 'resurvey')",
    )
    .bind(period)
    .fetch_all(c)
    .await?);
    Ok((locks.into_iter().collect(), open.into_iter().collect()))
}

impl Registry {
    /// The locks of `period` within the caller's area.
    pub async fn locks(&self, period: &Period) -> Result<Vec<PeriodLock>> {
        type Row = (String, String, i64, String, String);
        let rows: Vec<Row> = on_pool!(self.db, p => sqlx::query_as(
            "SELECT current_commune, current_province, round_id, decision_number, locked_at FROM period_lock \
             WHERE period = $1 ORDER BY current_commune",
        )
        .bind(period.year)
        .fetch_all(p)
        .await?);
        Ok(rows
            .into_iter()
            .filter(|r| self.scope.contains(&r.1, &r.0))
            .map(|(commune_code, province_code, round_id, decision_number, locked_at)| PeriodLock {
                period: period.year,
                commune_code,
                province_code,
                round_id,
                decision_number,
                locked_at,
            })
            .collect())
    }
}
