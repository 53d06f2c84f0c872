//! Coverage (*độ bao phủ*): a commune's resident households and persons in a review period, the
//! base of every rate. A review surveys listed households and applicants only; the registry
//! cannot count the residents, so they are recorded here, placed like a survey (code as
//! recorded, today's commune and province), read through the caller's scope.

use crate::audit::{self, Change};
use crate::db::on_conn;
use crate::db::on_pool;
use crate::error::{Result, StoreError};
use crate::period::Period;
use crate::scope::Registry;
use crate::select::{RowKey, Selection};
use crate::sql::{Arg, Sql, bound};
use crate::units::{Placement, Placer, list_key};
use std::collections::{BTreeMap, HashMap};

/// One commune's resident totals for a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResidentTotal {
    pub commune_code: String,
    pub households: u64,
    pub persons: u64,
    /// Where the figures come from.
    pub source: Option<String>,
}

pub use vuonlen_core::report::Residents;

/// The resident totals of a report's unit by report row, and the communes they are missing for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    /// By report row key (rows by village: none; only the commune's total exists).
    pub by_key: BTreeMap<String, Residents>,
    /// The sum over the unit, when no commune with surveys lacks its totals.
    pub total: Option<Residents>,
    /// Communes (codes as recorded) that have surveys in the period but no resident totals.
    pub missing: Vec<String>,
}

impl Coverage {
    /// The row's residents when known (and no commune of it lacks them: see [`Coverage::missing`]).
    pub fn of(&self, key: &str) -> Option<Residents> {
        self.by_key.get(key).copied()
    }
}

/// A commune's recorded totals, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedTotal {
    pub commune_code: String,
    pub current_province: String,
    pub residents: Residents,
    pub source: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// Why totals were refused: the row (by index in the input) and the reason, in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotalRefusal {
    pub index: usize,
    /// The commune is outside the caller's area (otherwise: unknown, or figures impossible).
    pub outside: bool,
    pub message_vi: String,
    pub message_en: String,
}

fn u64_of(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn i64_of(v: u64) -> Result<i64> {
    i64::try_from(v).map_err(|_| StoreError::Invalid(format!("{v}: số quá lớn / number too large")))
}

impl Registry {
    /// The totals recorded for `period` within the caller's area, by commune code.
    pub async fn resident_totals(&self, period: &Period) -> Result<Vec<RecordedTotal>> {
        let mut sql = Sql::with_args([Arg::Int(period.year)]);
        sql.push(
            "SELECT s.commune_code, s.current_province, s.households, s.persons, s.source, s.recorded_by, \
             s.recorded_at FROM resident_total s WHERE s.period = $1 AND ",
        )
        .append(&self.scope.sql("s"))
        .push(" ORDER BY s.commune_code");
        type Row = (String, String, i64, i64, Option<String>, String, String);
        let rows: Vec<Row> = on_pool!(self.db, p => bound!(query_as, sql).fetch_all(p).await?);
        Ok(rows
            .into_iter()
            .map(|(commune_code, current_province, h, p, source, recorded_by, recorded_at)| RecordedTotal {
                commune_code,
                current_province,
                residents: Residents { households: u64_of(h), persons: u64_of(p) },
                source,
                recorded_by,
                recorded_at,
            })
            .collect())
    }

    /// Households surveyed in `period`, by commune code as recorded, within the caller's area.
    pub async fn surveyed_by_commune(&self, period: &Period) -> Result<HashMap<String, u64>> {
        let mut sql = Sql::with_args([Arg::Int(period.year)]);
        sql.push("SELECT s.commune_code, COUNT(*) FROM survey s WHERE s.period = $1 AND ")
            .append(&self.scope.sql("s"))
            .push(" GROUP BY s.commune_code");
        let rows: Vec<(String, i64)> = on_pool!(self.db, p => bound!(query_as, sql).fetch_all(p).await?);
        Ok(rows.into_iter().map(|(c, n)| (c, u64_of(n))).collect())
    }

    /// Places each row, or every reason to refuse them.
    async fn place_totals<'r>(
        &self,
        period: &Period,
        rows: &'r [ResidentTotal],
    ) -> Result<std::result::Result<Vec<(&'r ResidentTotal, Placement)>, Vec<TotalRefusal>>> {
        let placer = Placer::load(&self.db).await?;
        let surveyed = self.surveyed_by_commune(period).await?;
        let mut refusals = Vec::new();
        let mut placed = Vec::with_capacity(rows.len());
        for (index, r) in rows.iter().enumerate() {
            let code = &r.commune_code;
            let Some(place) = placer.place(code, period.reference_date) else {
                refusals.push(TotalRefusal {
                    index,
                    outside: false,
                    message_vi: format!("Xã {code} không có trong danh mục đơn vị hành chính."),
                    message_en: format!("Commune {code} is in no list of administrative units."),
                });
                continue;
            };
            if !self.write.contains(&place.current_province, &place.current_commune) {
                refusals.push(TotalRefusal {
                    index,
                    outside: true,
                    message_vi: format!("Xã {code} ngoài địa bàn của người dùng: không được ghi."),
                    message_en: format!("Commune {code} is outside the user's area: not recorded."),
                });
                continue;
            }
            let listed = surveyed.get(code).copied().unwrap_or(0);
            if r.households < listed {
                refusals.push(TotalRefusal {
                    index,
                    outside: false,
                    message_vi: format!(
                        "Số hộ dân cư ({}) nhỏ hơn số hộ đã rà soát của xã trong kỳ {} ({listed}).",
                        r.households, period.year
                    ),
                    message_en: format!(
                        "Resident households ({}) fewer than the households reviewed in period {} ({listed}).",
                        r.households, period.year
                    ),
                });
                continue;
            }
            if r.persons < r.households {
                refusals.push(TotalRefusal {
                    index,
                    outside: false,
                    message_vi: format!("Số nhân khẩu ({}) nhỏ hơn số hộ ({}).", r.persons, r.households),
                    message_en: format!("Persons ({}) fewer than households ({}).", r.persons, r.households),
                });
                continue;
            }
            placed.push((r, place));
        }
        if refusals.is_empty() { Ok(Ok(placed)) } else { Ok(Err(refusals)) }
    }

    /// Checks resident totals for `period` as [`Registry::record_resident_totals`] would,
    /// writing nothing.
    pub async fn check_resident_totals(
        &self,
        period: &Period,
        rows: &[ResidentTotal],
    ) -> Result<std::result::Result<(), Vec<TotalRefusal>>> {
        Ok(self.place_totals(period, rows).await?.map(|_| ()))
    }

    /// Records resident totals for `period` (a commune's earlier totals are replaced), in one
    /// transaction, audited. Refuses them all — writing nothing — when any commune is unknown or
    /// outside the caller's area, or has more surveyed households than residents; the refusals
    /// name every such row.
    pub async fn record_resident_totals(
        &self,
        period: &Period,
        rows: &[ResidentTotal],
        actor: &str,
        command: &str,
    ) -> Result<std::result::Result<u64, Vec<TotalRefusal>>> {
        let placed = match self.place_totals(period, rows).await? {
            Ok(p) => p,
            Err(refusals) => return Ok(Err(refusals)),
        };
        let at = crate::now();
        let mut tx = self.db.begin().await?;
        for (r, place) in &placed {
            let old: Option<(i64, i64)> = on_conn!(tx, c => sqlx::query_as(
                "SELECT households, persons FROM resident_total WHERE period = $1 AND commune_code = $2",
            )
            .bind(period.year)
            .bind(r.commune_code.as_str())
            .fetch_optional(c)
            .await?);
            on_conn!(tx, c => sqlx::query(
                "INSERT INTO resident_total (period, commune_code, unit_list, current_commune, current_province, \
                     households, persons, source, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                 ON CONFLICT (period, commune_code) DO UPDATE SET unit_list = excluded.unit_list, \
                     current_commune = excluded.current_commune, current_province = excluded.current_province, \
                     households = excluded.households, persons = excluded.persons, source = excluded.source, \
                     recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
            )
            .bind(period.year)
            .bind(r.commune_code.as_str())
            .bind(list_key(place.list))
            .bind(place.current_commune.as_str())
            .bind(place.current_province.as_str())
            .bind(i64_of(r.households)?)
            .bind(i64_of(r.persons)?)
            .bind(r.source.as_deref())
            .bind(actor)
            .bind(at.as_str())
            .execute(c)
            .await?
            .rows_affected());
            let new_value = format!("{} hộ, {} nhân khẩu", r.households, r.persons);
            let old_value = old.map(|(h, p)| format!("{h} hộ, {p} nhân khẩu"));
            if old_value.as_deref() != Some(new_value.as_str()) {
                let change = Change {
                    actor,
                    command,
                    entity: "resident_total",
                    household_id: None,
                    period: Some(period.year),
                    member_no: None,
                    field: &r.commune_code,
                    old_value: old_value.as_deref(),
                    new_value: Some(&new_value),
                };
                audit::record_now(&mut tx, &change, &at).await?;
            }
        }
        // Dashboards are cached per version of the period: their rates change with the residents.
        crate::tally::bump(&mut tx, period.year, &crate::tally::Changed::Nothing).await?;
        tx.commit().await?;
        Ok(Ok(placed.len() as u64))
    }

    /// The resident totals of `sel` in `period` as the caller may read them, by report row, with
    /// the communes that have surveys but no totals. A row with such a commune has no residents
    /// (a partial sum would inflate its rates); rows by village never have any (residents are
    /// recorded per commune).
    pub async fn coverage(&self, period: &Period, sel: &Selection) -> Result<Coverage> {
        let key = match sel.rows {
            RowKey::Village => "''",
            other => other.sql(),
        };
        let mut sql = Sql::with_args([Arg::Int(period.year)]);
        sql.push("SELECT ")
            .push(key)
            .push(
                ", CAST(SUM(s.households) AS BIGINT), CAST(SUM(s.persons) AS BIGINT) \
                 FROM resident_total s WHERE s.period = $1 AND ",
            )
            .append(&sel.filter)
            .push(" AND ")
            .append(&self.scope.sql("s"))
            .push(" GROUP BY 1");
        let rows: Vec<(String, i64, i64)> = on_pool!(self.db, p => bound!(query_as, sql).fetch_all(p).await?);
        // The communes with households come from the report cache of the period's own standard
        // (its rollup: a row per recorded commune) rather than from every household's survey.
        crate::tally::current(&self.db, period.year, &period.standard_id).await?;
        let mut missing_sql = Sql::with_args([Arg::Int(period.year), Arg::from(&period.standard_id)]);
        missing_sql
            .push("SELECT DISTINCT ")
            .push(key)
            .push(", s.commune_code FROM tally_commune s WHERE s.period = $1 AND s.standard_id = $2 AND ")
            .append(&sel.filter)
            .push(" AND ")
            .append(&self.scope.sql("s"))
            .push(
                " AND NOT EXISTS (SELECT 1 FROM resident_total t \
                   WHERE t.period = s.period AND t.commune_code = s.commune_code)",
            );
        let gaps: Vec<(String, String)> = on_pool!(self.db, p => bound!(query_as, missing_sql).fetch_all(p).await?);
        let missing_keys: std::collections::BTreeSet<String> = gaps.iter().map(|(k, _)| k.clone()).collect();
        let mut missing: Vec<String> = gaps.into_iter().map(|(_, c)| c).collect();
        missing.sort_unstable();
        missing.dedup();
        let sum = rows.iter().fold(Residents::default(), |a, (_, h, p)| {
            a.plus(Residents { households: u64_of(*h), persons: u64_of(*p) })
        });
        let by_key = if sel.rows == RowKey::Village {
            BTreeMap::new()
        } else {
            rows.into_iter()
                .filter(|(k, _, _)| !missing_keys.contains(k))
                .map(|(k, h, p)| (k, Residents { households: u64_of(h), persons: u64_of(p) }))
                .collect()
        };
        let total = missing.is_empty().then_some(sum);
        Ok(Coverage { by_key, total, missing })
    }
}

/// Households of a period that a standard could not classify, by reason (what-if reports).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Unclassified {
    pub households: u64,
    /// Without an answer on waste treatment (*xử lý rác thải*), which the standard reads.
    pub no_waste_treatment: u64,
    /// With score A only, where the standard has no score-A anchor.
    pub score_a_only: u64,
}

impl Registry {
    /// The households of `sel` surveyed in `period` that `standard_id` left unclassified.
    pub async fn unclassified(&self, period: &Period, standard_id: &str, sel: &Selection) -> Result<Unclassified> {
        let mut sql = Sql::with_args([Arg::Int(period.year), Arg::from(standard_id)]);
        sql.push(
            "SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN s.waste_treatment IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT), \
                 CAST(COALESCE(SUM(CASE WHEN s.income_per_capita IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT) \
             FROM survey s WHERE s.period = $1 AND ",
        )
        .append(&sel.filter)
        .push(" AND ")
        .append(&self.scope.sql("s"))
        .push(
            " AND NOT EXISTS (SELECT 1 FROM classification c WHERE c.period = s.period \
               AND c.household_id = s.household_id AND c.standard_id = $2)",
        );
        let (n, waste, score): (i64, i64, i64) = on_pool!(self.db, p => bound!(query_as, sql).fetch_one(p).await?);
        Ok(Unclassified { households: u64_of(n), no_waste_treatment: u64_of(waste), score_a_only: u64_of(score) })
    }
}

impl Registry {
    /// The 2024 communes (codes as recorded) with answers in `period` that the lineage places in
    /// no 2025 commune: their households count in no province (and no report below the country
    /// says so unless it asks). Within the caller's area (a national reader sees them).
    /// Read from the report cache of the period's own standard.
    pub async fn unmapped_in(&self, period: &Period) -> Result<Vec<String>> {
        crate::tally::current(&self.db, period.year, &period.standard_id).await?;
        let mut sql = Sql::with_args([Arg::Int(period.year), Arg::from(&period.standard_id)]);
        sql.push(
            "SELECT DISTINCT s.commune_code FROM tally_commune s \
             WHERE s.period = $1 AND s.standard_id = $2 AND s.current_province = '' AND ",
        )
        .append(&self.scope.sql("s"))
        .push(" ORDER BY 1");
        let rows: Vec<String> = on_pool!(self.db, p => bound!(query_scalar, sql).fetch_all(p).await?);
        Ok(rows)
    }
}
