//! What the poor and near-poor households of a review's list received in a year
//! (`support_record` ⋈ the list's `survey` and `classification`), by report row: the numerators
//! of the coverage of support; the list's households and persons (its denominators) come from
//! the report cache. Read within the reader's area.

use crate::db::on_pool;
use crate::error::Result;
use crate::period::Period;
use crate::scope::Registry;
use crate::select::Selection;
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
        let from = |q: &mut Sql| {
            q.push(
                " FROM support_record r \
                 JOIN survey s ON s.period = $1 AND s.household_id = r.household_id \
                 JOIN classification c ON c.period = $1 AND c.standard_id = $2 AND c.household_id = r.household_id \
                 LEFT JOIN village v ON v.id = s.village_id \
                 WHERE r.period = $3 AND c.class IN ('poor', 'near_poor')",
            );
            if let Some(d) = until {
                q.push(" AND r.delivered_on <= ").bind(d.format("%Y-%m-%d").to_string());
            }
            q.push(" AND ").append(&sel.filter).push(" AND ").append(&self.scope.sql("s"));
        };
        let args = || [Arg::Int(list.year), Arg::from(list.standard_id.as_str()), Arg::Int(year)];
        let mut q = Sql::with_args(args());
        q.push("SELECT ").push(sel.rows.sql()).push(
            ", c.class, r.kind, COUNT(*), COUNT(DISTINCT r.household_id), \
             COUNT(DISTINCT CASE WHEN r.member_no IS NULL THEN NULL ELSE r.household_id * 1000 + r.member_no END), \
             CAST(COALESCE(SUM(r.amount), 0) AS BIGINT)",
        );
        from(&mut q);
        q.push(" GROUP BY 1, 2, 3");
        let rows: Vec<(String, String, String, i64, i64, i64, i64)> =
            on_pool!(self.db, p => bound!(query_as, q).fetch_all(p).await?);
        for (key, class, kind, records, households, persons, amount) in rows {
            let (Some(g), Some(k)) = (group_of(&class), SupportCoverage::kind_index(&kind)) else { continue };
            out.entry(key).or_default().reached[k][g] = Reach {
                households: count(households),
                persons: count(persons),
                records: count(records),
                amount: count(amount),
            };
        }
        let mut q = Sql::with_args(args());
        q.push("SELECT ").push(sel.rows.sql()).push(", c.class, COUNT(DISTINCT r.household_id)");
        from(&mut q);
        q.push(" GROUP BY 1, 2");
        let rows: Vec<(String, String, i64)> = on_pool!(self.db, p => bound!(query_as, q).fetch_all(p).await?);
        for (key, class, households) in rows {
            if let Some(g) = group_of(&class) {
                out.entry(key).or_default().reached_any[g] = count(households);
            }
        }
        Ok(out)
    }
}
