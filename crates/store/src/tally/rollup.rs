//! The tally's rollup (`tally_commune`): each recorded commune's groups folded into the counts
//! the forms print ([`UnitTally`]), so that a form of a province or of the country adds up one
//! row per commune rather than every group of every village. Built in the same transaction as
//! the groups it folds, for the same communes ([`Rollup::rebuild`], [`Rollup::of_groups`]);
//! `vuonlen db check` folds the groups again and compares ([`differing`]).
//!
//! Reports whose rows are villages read the groups themselves.

use super::{GroupKey, GroupSums};
use crate::bulk::{TableBuffer, execute};
use crate::classification::subgroups_from_bits;
use crate::db::{Db, Tx, on_conn};
use crate::error::{Result, StoreError};
use std::collections::BTreeMap;
use vuonlen_core::Class;
use vuonlen_core::classify::IndicatorSet;
use vuonlen_core::ethnicity::Ethnicity;
use vuonlen_core::report::{ChildCounts, ChildTotals, HouseholdFacts, UnitTally};

/// One group of the tally without its place: class, deprived, subgroups (the form-8 answers
/// and NLNDN above them), head ethnicity, causes, then households, persons and the five child
/// counts.
pub(crate) struct StoredGroup<'a> {
    pub class: &'a str,
    pub deprived: i64,
    pub subgroups: i64,
    pub head_ethnicity: i64,
    pub causes: i64,
    pub sums: GroupSums,
}

/// Adds a stored group to a unit's counts: the one place that reads the tally's packed columns.
pub(crate) fn add_group(t: &mut UnitTally, g: &StoredGroup<'_>) -> Result<()> {
    let class =
        Class::parse(g.class).ok_or_else(|| StoreError::Invalid(format!("stored class '{}' is not valid", g.class)))?;
    let facts = HouseholdFacts {
        class,
        persons: 0,
        deprived: IndicatorSet(u32::try_from(g.deprived).unwrap_or(0)),
        subgroups: subgroups_from_bits(g.subgroups),
        form8: u8::try_from((g.subgroups >> super::FORM8_SHIFT) & 0x7f).unwrap_or(0),
        nlndn: g.subgroups & super::NLNDN_BIT != 0,
        head_ethnicity: Ethnicity(u8::try_from(g.head_ethnicity).unwrap_or(0)),
        causes: u16::try_from(g.causes).unwrap_or(0),
        children: ChildCounts::default(),
    };
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    let s = &g.sums;
    let children = ChildTotals {
        children: n(s[2]),
        no_health_insurance: n(s[3]),
        malnourished: n(s[4]),
        not_in_school: n(s[5]),
        schooling_deprived: n(s[6]),
    };
    t.add_many(&facts, n(s[0]), n(s[1]), &children);
    Ok(())
}

/// Where a rollup row is: today's province and commune, the commune as recorded and its list.
pub(crate) type Place = (String, String, String, String);

/// The counts of each recorded commune.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Rollup(BTreeMap<Place, UnitTally>);

/// A group as the rollup reads it back: place, class, packed columns and sums.
type GroupRow = (String, String, String, String, String, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64);

/// The stored groups of (`$1`, `$2`), villages added together.
macro_rules! groups_by_commune {
    () => {
        "SELECT current_province, current_commune, commune_code, unit_list, class, deprived, subgroups, \
         head_ethnicity, causes, CAST(SUM(households) AS BIGINT), CAST(SUM(persons) AS BIGINT), \
         CAST(SUM(children) AS BIGINT), CAST(SUM(children_no_insurance) AS BIGINT), \
         CAST(SUM(children_malnourished) AS BIGINT), CAST(SUM(children_not_in_school) AS BIGINT), \
         CAST(SUM(children_schooling_deprived) AS BIGINT) FROM tally t \
         WHERE t.period = $1 AND t.standard_id = $2 "
    };
}

macro_rules! by_commune {
    () => {
        " GROUP BY current_province, current_commune, commune_code, unit_list, class, deprived, subgroups, \
         head_ethnicity, causes"
    };
}

/// Only the communes changed after version `$3` up to `$4` (of `changed_communes!`).
macro_rules! in_changed {
    () => {
        concat!("AND (t.current_province, t.current_commune) IN (", changed_communes!(), ")")
    };
}

/// Which communes a rebuild covers: all, or those changed between two versions.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Communes {
    All,
    ChangedBetween(i64, i64),
}

impl Rollup {
    fn add(&mut self, place: Place, g: &StoredGroup<'_>) -> Result<()> {
        add_group(self.0.entry(place).or_default(), g)
    }

    /// The rollup of a tally built in memory (an import into an empty period).
    pub(crate) fn of_groups<'a>(groups: impl IntoIterator<Item = (&'a GroupKey, &'a GroupSums)>) -> Result<Rollup> {
        let mut r = Rollup::default();
        for (k, s) in groups {
            let place = (k.0.clone(), k.1.clone(), k.2.clone(), k.3.to_string());
            let g =
                StoredGroup { class: k.5, deprived: k.6, subgroups: k.7, causes: k.8, head_ethnicity: k.9, sums: *s };
            r.add(place, &g)?;
        }
        Ok(r)
    }

    /// Folds the stored groups of (`period`, `standard_id`) of `communes`.
    async fn read(tx: &mut Tx, period: i64, standard_id: &str, communes: Communes) -> Result<Rollup> {
        let rows: Vec<GroupRow> = match communes {
            Communes::All => on_conn!(tx, c => sqlx::query_as(concat!(groups_by_commune!(), by_commune!()))
                .bind(period)
                .bind(standard_id)
                .fetch_all(c)
                .await?),
            Communes::ChangedBetween(built, current) => {
                on_conn!(tx, c => sqlx::query_as(concat!(groups_by_commune!(), in_changed!(), by_commune!()))
                    .bind(period)
                    .bind(standard_id)
                    .bind(built)
                    .bind(current)
                    .fetch_all(c)
                    .await?)
            }
        };
        let mut r = Rollup::default();
        for row in rows {
            let g = StoredGroup {
                class: &row.4,
                deprived: row.5,
                subgroups: row.6,
                head_ethnicity: row.7,
                causes: row.8,
                sums: [row.9, row.10, row.11, row.12, row.13, row.14, row.15],
            };
            r.add((row.0.clone(), row.1.clone(), row.2.clone(), row.3.clone()), &g)?;
        }
        Ok(r)
    }

    /// Folds the stored groups of `communes` again and replaces their rollup rows.
    pub(crate) async fn rebuild(tx: &mut Tx, period: i64, standard_id: &str, communes: Communes) -> Result<()> {
        let r = Rollup::read(tx, period, standard_id, communes).await?;
        r.replace(tx, period, standard_id, communes).await
    }

    /// Replaces the rollup rows of `communes` of (`period`, `standard_id`) with these.
    pub(crate) async fn replace(self, tx: &mut Tx, period: i64, standard_id: &str, communes: Communes) -> Result<()> {
        match communes {
            Communes::All => {
                execute(
                    tx,
                    "DELETE FROM tally_commune WHERE period = $1 AND standard_id = $2",
                    vec![period.into(), standard_id.into()],
                )
                .await?;
            }
            Communes::ChangedBetween(built, current) => {
                execute(
                    tx,
                    concat!(
                        "DELETE FROM tally_commune WHERE period = $1 AND standard_id = $2 \
                         AND (current_province, current_commune) IN (",
                        changed_communes!(),
                        ")"
                    ),
                    vec![period.into(), standard_id.into(), built.into(), current.into()],
                )
                .await?;
            }
        }
        let mut buf = TableBuffer::new(tx.engine(), "tally_commune", COLUMNS);
        for (place, t) in self.0 {
            let body = serde_json::to_string(&t)
                .map_err(|e| StoreError::Invalid(format!("the report rollup could not be written: {e}")))?;
            buf.push([
                period.into(),
                standard_id.into(),
                place.0.into(),
                place.1.into(),
                place.2.into(),
                place.3.into(),
                body.into(),
            ]);
        }
        buf.flush(tx).await
    }
}

const COLUMNS: &[&str] =
    &["period", "standard_id", "current_province", "current_commune", "commune_code", "unit_list", "tally"];

/// A stored rollup row's counts.
pub(crate) fn parse(body: &str) -> Result<UnitTally> {
    serde_json::from_str(body).map_err(|e| StoreError::Invalid(format!("a stored report rollup is not valid: {e}")))
}

/// How many recorded communes' stored rollup differs from their groups folded again (missing
/// or extra rows count too): 0 when the rollup gives the same answers as the tally.
pub(crate) async fn differing(db: &Db, period: i64, standard_id: &str) -> Result<i64> {
    let mut tx = db.begin().await?;
    let folded = Rollup::read(&mut tx, period, standard_id, Communes::All).await?;
    let rows: Vec<(String, String, String, String, String)> = on_conn!(tx, c => sqlx::query_as(
        "SELECT current_province, current_commune, commune_code, unit_list, tally FROM tally_commune \
         WHERE period = $1 AND standard_id = $2",
    )
    .bind(period)
    .bind(standard_id)
    .fetch_all(c)
    .await?);
    tx.rollback().await?;
    let mut stored = Rollup::default();
    let mut n = 0i64;
    for (p, c, code, list, body) in rows {
        match parse(&body) {
            Ok(t) => {
                if stored.0.insert((p, c, code, list), t).is_some() {
                    n += 1;
                }
            }
            Err(_) => n += 1,
        }
    }
    let places: std::collections::BTreeSet<&Place> = folded.0.keys().chain(stored.0.keys()).collect();
    n += places.into_iter().filter(|p| folded.0.get(*p) != stored.0.get(*p)).count() as i64;
    Ok(n)
}
