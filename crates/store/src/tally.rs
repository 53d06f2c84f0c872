//! The report tallies cache (`tally`): a period's classification under a standard grouped by
//! every column reports select or group on. Writers bump the period's `registry_version`
//! ([`bump`]); the first report after a change rebuilds the period's tally ([`ensure`]).

use crate::bulk::execute;
use crate::db::{Db, Tx, on_conn, on_pool};
use crate::error::Result;

/// Marks a period as changed: its tallies are rebuilt by the next report.
pub(crate) async fn bump(tx: &mut Tx, period: i64) -> Result<()> {
    execute(
        tx,
        "INSERT INTO registry_version (period, version) VALUES ($1, 1) \
         ON CONFLICT (period) DO UPDATE SET version = registry_version.version + 1",
        vec![period.into()],
    )
    .await?;
    Ok(())
}

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
