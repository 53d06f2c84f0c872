//! The report tallies cache (`tally`): a period's classification under a standard grouped by
//! every column reports select or group on. Writers bump the period's `registry_version`
//! ([`bump`]); the first report after a change rebuilds the period's tally ([`ensure`]).

use crate::bulk::execute;
use crate::db::{Db, Tx, on_conn, on_pool};
use crate::error::Result;

/// Marks a period as changed: its tallies are rebuilt by the next report. Returns the
/// period's new version.
pub(crate) async fn bump(tx: &mut Tx, period: i64) -> Result<i64> {
    let v: i64 = on_conn!(tx, c => sqlx::query_scalar(
        "INSERT INTO registry_version (period, version) VALUES ($1, 1) \
         ON CONFLICT (period) DO UPDATE SET version = registry_version.version + 1 RETURNING version",
    )
    .bind(period)
    .fetch_one(c)
    .await?);
    Ok(v)
}

/// One group of the tally: (current province, current commune, commune as recorded, unit
/// list, village, class, deprived, subgroups, causes, head ethnicity).
pub(crate) type GroupKey = (String, String, String, &'static str, Option<i64>, &'static str, i64, i64, i64, i64);

/// The sums of a group: households, persons, then the five child counts.
pub(crate) type GroupSums = [i64; 7];

/// A tally built while importing into an empty period: the same rows the rebuild would make.
#[derive(Default)]
pub(crate) struct Building {
    pub groups: rustc_hash::FxHashMap<GroupKey, GroupSums>,
}

impl Building {
    /// Writes the groups as the tally of (`period`, `standard_id`) at `version`.
    pub(crate) async fn write(self, tx: &mut Tx, period: i64, standard_id: &str, version: i64) -> Result<()> {
        execute(
            tx,
            "DELETE FROM tally WHERE period = $1 AND standard_id = $2",
            vec![period.into(), standard_id.into()],
        )
        .await?;
        let mut buf = crate::bulk::TableBuffer::new(tx.engine(), "tally", COLUMNS);
        for (k, s) in &self.groups {
            buf.push([
                period.into(),
                standard_id.into(),
                k.0.as_str().into(),
                k.1.as_str().into(),
                k.2.as_str().into(),
                k.3.into(),
                k.4.into(),
                k.5.into(),
                k.6.into(),
                k.7.into(),
                k.8.into(),
                k.9.into(),
                s[0].into(),
                s[1].into(),
                s[2].into(),
                s[3].into(),
                s[4].into(),
                s[5].into(),
                s[6].into(),
            ]);
        }
        buf.flush(tx).await?;
        execute(
            tx,
            "INSERT INTO tally_state (period, standard_id, version) VALUES ($1, $2, $3) \
             ON CONFLICT (period, standard_id) DO UPDATE SET version = $3",
            vec![period.into(), standard_id.into(), version.into()],
        )
        .await?;
        Ok(())
    }
}

const COLUMNS: &[&str] = &[
    "period",
    "standard_id",
    "current_province",
    "current_commune",
    "commune_code",
    "unit_list",
    "village_id",
    "class",
    "deprived",
    "subgroups",
    "causes",
    "head_ethnicity",
    "households",
    "persons",
    "children",
    "children_no_insurance",
    "children_malnourished",
    "children_not_in_school",
    "children_schooling_deprived",
];

/// Marks every period as changed (units re-placed).
pub(crate) async fn bump_all(tx: &mut Tx) -> Result<()> {
    execute(tx, "UPDATE registry_version SET version = version + 1", vec![]).await?;
    Ok(())
}

/// Rebuilds the tally of (`period`, `standard_id`) unless it is current. Whole period, whatever
/// the caller's scope: readers filter the cache by scope.
pub(crate) async fn ensure(db: &Db, period: i64, standard_id: &str) -> Result<()> {
    let (current, built): (Option<i64>, Option<i64>) = on_pool!(db, p => sqlx::query_as(
        "SELECT (SELECT version FROM registry_version WHERE period = $1), \
                (SELECT version FROM tally_state WHERE period = $1 AND standard_id = $2)",
    )
    .bind(period)
    .bind(standard_id)
    .fetch_one(p)
    .await?);
    let current = current.unwrap_or(0);
    if built == Some(current) {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    // The version first: a write committed while we build makes the cache newer than its
    // label, and the next report rebuilds again — never the other way round.
    let current: i64 = on_conn!(&mut tx, c => sqlx::query_scalar(
        "SELECT COALESCE((SELECT version FROM registry_version WHERE period = $1), 0)",
    )
    .bind(period)
    .fetch_one(c)
    .await?);
    execute(
        &mut tx,
        "DELETE FROM tally WHERE period = $1 AND standard_id = $2",
        vec![period.into(), standard_id.into()],
    )
    .await?;
    let grp = "c.class IN ('poor', 'near_poor')";
    execute(
        &mut tx,
        sqlx::AssertSqlSafe(format!(
            "INSERT INTO tally SELECT s.period, c.standard_id, s.current_province, s.current_commune, s.commune_code, \
                s.unit_list, s.village_id, c.class, CASE WHEN {grp} THEN c.deprived ELSE 0 END, \
                CASE WHEN {grp} THEN c.subgroups ELSE 0 END, CASE WHEN {grp} THEN c.causes ELSE 0 END, \
                c.head_ethnicity, COUNT(*), SUM(c.persons), SUM(c.children), SUM(c.children_no_insurance), \
                SUM(c.children_malnourished), SUM(c.children_not_in_school), SUM(c.children_schooling_deprived) \
             FROM classification c JOIN survey s ON s.period = c.period AND s.household_id = c.household_id \
             WHERE c.period = $1 AND c.standard_id = $2 \
             GROUP BY s.period, c.standard_id, s.current_province, s.current_commune, s.commune_code, s.unit_list, \
                s.village_id, c.class, 9, 10, 11, c.head_ethnicity"
        )),
        vec![period.into(), standard_id.into()],
    )
    .await?;
    execute(
        &mut tx,
        "INSERT INTO tally_state (period, standard_id, version) VALUES ($1, $2, $3) \
         ON CONFLICT (period, standard_id) DO UPDATE SET version = $3",
        vec![period.into(), standard_id.into(), current.into()],
    )
    .await?;
    tx.commit().await
}

impl Db {
    /// How many times the period's answers or classifications changed (0: never): a cache of
    /// anything computed from the period is valid while this stays the same.
    pub async fn period_version(&self, period: i64) -> Result<i64> {
        Ok(on_pool!(self, p => sqlx::query_scalar(
            "SELECT COALESCE((SELECT version FROM registry_version WHERE period = $1), 0)",
        )
        .bind(period)
        .fetch_one(p)
        .await?))
    }
}
