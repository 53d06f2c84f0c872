//! What the poor and near-poor households of a review's list received in a year
//! (`support_record` ⋈ the list's `survey` and `classification`), by report row: the numerators
//! of the coverage of support; the list's households and persons (its denominators) come from
//! the report cache. Read within the reader's area.

use crate::db::on_pool;
use crate::error::Result;
use crate::period::Period;
use crate::scope::Registry;
use crate::select::{RowKey, Selection};
use crate::sql::{Arg, Sql, bound};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use vuonlen_core::Class;
use vuonlen_core::report::Group;
use vuonlen_core::support::{Reach, SupportCoverage};

fn group_of(class: &str) -> Option<usize> {
    let c = Class::ALL.into_iter().find(|c| c.key() == class)?;
    Group::of(c).map(|g| g as usize)
}

fn count(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

impl Registry {
    /// For each row of `sel` (as the report of `list` has them): what the households `list`
    /// classed poor or near-poor received in `year` (up to `until`, when given) — by kind and
    /// any —, with the list's households and persons left at zero for the caller to fill.
    pub async fn support_reach(
        &self,
        list: &Period,
        year: i64,
        until: Option<NaiveDate>,
        sel: &Selection,
    ) -> Result<BTreeMap<String, SupportCoverage>> {
        let mut out: BTreeMap<String, SupportCoverage> = BTreeMap::new();
        // The list's poor and near-poor households' records, joined once (materialised), then
        // counted by kind and, once per household, for any support. Rows of provinces and
        // communes read the record's own place (today's, as written): no join to the survey;
        // rows of villages, or of the 2024 list, need the list's survey.
        let own_place = matches!(sel.rows, RowKey::CurrentProvince | RowKey::CurrentCommune);
        // The record is `s` when its place stands for the survey's (the selection's and the
        // scope's predicates are on `s`), else `r` beside the list's survey `s`.
        let mut q = Sql::with_args([Arg::Int(list.year), Arg::from(list.standard_id.as_str()), Arg::Int(year)]);
        q.push("WITH x AS MATERIALIZED (SELECT ").push(sel.rows.sql());
        if own_place {
            q.push(
                " AS k, c.class AS class, s.kind AS kind, s.household_id AS h, s.member_no AS m, s.amount AS a \
                 FROM classification c \
                 JOIN support_record s ON s.household_id = c.household_id AND s.period = $3",
            );
        } else {
            q.push(
                " AS k, c.class AS class, r.kind AS kind, r.household_id AS h, r.member_no AS m, r.amount AS a \
                 FROM classification c \
                 JOIN support_record r ON r.household_id = c.household_id AND r.period = $3 \
                 JOIN survey s ON s.period = $1 AND s.household_id = r.household_id \
                 LEFT JOIN village v ON v.id = s.village_id",
            );
        }
        q.push(" WHERE c.period = $1 AND c.standard_id = $2 AND c.class IN ('poor', 'near_poor')");
        if let Some(d) = until {
            q.push(if own_place { " AND s.delivered_on <= " } else { " AND r.delivered_on <= " })
                .bind(d.format("%Y-%m-%d").to_string());
        }
        q.push(" AND ").append(&sel.filter).push(" AND ").append(&self.scope.sql("s"));
        q.push(
            ") SELECT k, class, kind, COUNT(*), COUNT(DISTINCT h), \
                 COUNT(DISTINCT CASE WHEN m IS NULL THEN NULL ELSE h * 1000 + m END), \
                 CAST(COALESCE(SUM(a), 0) AS BIGINT) FROM x GROUP BY k, class, kind \
             UNION ALL SELECT k, class, '', 0, COUNT(DISTINCT h), 0, 0 FROM x GROUP BY k, class",
        );
        let rows: Vec<(String, String, String, i64, i64, i64, i64)> =
            on_pool!(self.db, p => bound!(query_as, q).fetch_all(p).await?);
        for (key, class, kind, records, households, persons, amount) in rows {
            let Some(g) = group_of(&class) else { continue };
            let c = out.entry(key).or_default();
            if kind.is_empty() {
                c.reached_any[g] = count(households);
                continue;
            }
            let Some(k) = SupportCoverage::kind_index(&kind) else { continue };
            c.reached[k][g] = Reach {
                households: count(households),
                persons: count(persons),
                records: count(records),
                amount: count(amount),
            };
        }
        Ok(out)
    }
}
