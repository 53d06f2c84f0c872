//! Re-classification of a period's stored answers under a standard (*tính lại*): the official
//! standard after a correction, or another one as a "what-if" (how many households would change
//! class if the 2027–2030 lines applied today). Results are stored beside the official ones,
//! keyed by standard.

use crate::bulk::{TableBuffer, execute};
use crate::classification;
use crate::db::on_pool;
use crate::error::{Result, StoreError};
use crate::period::Period;
use crate::rows::{MEMBER_SELECT, MemberRow, SURVEY_SELECT, SurveyRow};
use crate::scope::Registry;
use futures_util::TryStreamExt;
use vuonlen_core::{Class, Standard, classify};

/// Households by (official class, class under the standard), indexed like [`Class::ALL`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReclassifySummary {
    pub households: u64,
    /// Households the standard cannot classify (e.g. score A only, no anchor).
    pub unclassified: u64,
    pub matrix: [[u64; 4]; 4],
}

impl ReclassifySummary {
    /// Households whose class differs from the official one.
    pub fn changed(&self) -> u64 {
        (0..4).flat_map(|i| (0..4).map(move |j| (i, j))).filter(|(i, j)| i != j).map(|(i, j)| self.matrix[i][j]).sum()
    }
}

#[derive(Debug, sqlx::FromRow)]
struct SurveyWithId {
    hid: i64,
    #[sqlx(flatten)]
    survey: SurveyRow,
}

#[derive(Debug, sqlx::FromRow)]
struct MemberWithId {
    hid: i64,
    #[sqlx(flatten)]
    member: MemberRow,
}

impl Registry {
    /// Classifies every household of `period` in the scope under `std` at the period's
    /// reference date, replacing earlier results of that standard, in one transaction.
    pub async fn reclassify(&self, period: &Period, std: &Standard) -> Result<ReclassifySummary> {
        let scope = self.scope.sql("s");
        let ssql = format!(
            "SELECT s.household_id AS hid, {SURVEY_SELECT} FROM survey s LEFT JOIN village v ON v.id = s.village_id \
             WHERE s.period = $1 AND {scope} ORDER BY s.household_id"
        );
        let msql = format!(
            "SELECT m.household_id AS hid, {MEMBER_SELECT} FROM member m \
             JOIN survey s ON s.period = m.period AND s.household_id = m.household_id \
             WHERE m.period = $1 AND {scope} ORDER BY m.household_id, m.member_no"
        );
        let mut tx = self.db.begin().await?;
        execute(
            &mut tx,
            sqlx::AssertSqlSafe(format!(
                "DELETE FROM classification WHERE period = $1 AND standard_id = $2 AND household_id IN \
                 (SELECT s.household_id FROM survey s WHERE s.period = $1 AND {scope})"
            )),
            vec![period.year.into(), std.id.clone().into()],
        )
        .await?;
        let mut out = TableBuffer::new(tx.engine(), "classification", classification::COLUMNS);
        let mut summary = ReclassifySummary::default();
        let now = crate::now();
        on_pool!(self.db, p => {
            let mut surveys = sqlx::query_as::<_, SurveyWithId>(sqlx::AssertSqlSafe(ssql)).bind(period.year).fetch(p);
            let mut members = sqlx::query_as::<_, MemberWithId>(sqlx::AssertSqlSafe(msql)).bind(period.year).fetch(p);
            let mut pending: Option<MemberWithId> = None;
            let mut ms: Vec<MemberRow> = Vec::new();
            while let Some(s) = surveys.try_next().await? {
                ms.clear();
                loop {
                    let m = match pending.take() {
                        Some(m) => m,
                        None => match members.try_next().await? {
                            Some(m) => m,
                            None => break,
                        },
                    };
                    if m.hid < s.hid {
                        continue;
                    }
                    if m.hid > s.hid {
                        pending = Some(m);
                        break;
                    }
                    ms.push(m.member);
                }
                let hh = s.survey.to_household(&ms)?;
                summary.households += 1;
                match classify(std, &hh, period.reference_date) {
                    Ok(c) => {
                        out.push(classification::values(
                            period.year,
                            s.hid,
                            &std.id,
                            &c,
                            &hh,
                            s.survey.causes_mask(),
                            period.reference_date,
                            &now,
                        ));
                        if out.rows() >= 20_000 {
                            out.flush(&mut tx).await?;
                        }
                    }
                    Err(_) => summary.unclassified += 1,
                }
            }
        });
        out.flush(&mut tx).await?;
        let pairs: Vec<(String, String, i64)> = crate::db::on_conn!(&mut tx, c => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT a.class, b.class, COUNT(*) FROM classification a \
             JOIN classification b ON b.period = a.period AND b.household_id = a.household_id \
             JOIN survey s ON s.period = a.period AND s.household_id = a.household_id \
             WHERE a.period = $1 AND a.standard_id = $2 AND b.standard_id = $3 AND {scope} GROUP BY a.class, b.class"
        )))
        .bind(period.year)
        .bind(&period.standard_id)
        .bind(&std.id)
        .fetch_all(c)
        .await?);
        for (a, b, n) in pairs {
            let (Some(a), Some(b)) = (Class::parse(&a), Class::parse(&b)) else {
                return Err(StoreError::Invalid(format!("stored class '{a}'/'{b}' is not valid")));
            };
            summary.matrix[a as usize][b as usize] += u64::try_from(n).unwrap_or(0);
        }
        tx.commit().await?;
        Ok(summary)
    }
}
