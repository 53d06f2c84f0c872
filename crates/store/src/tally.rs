//! The report tallies cache (`tally`): a period's classification under a standard grouped by
//! every column reports select or group on. A cache must never change an answer:
//!
//! - every write to a period bumps its `registry_version` and records which of today's communes
//!   it touched (`tally_change`, [`bump`]);
//! - the first report after a change rebuilds the tally ([`ensure`]) — one rebuild at a time per
//!   period (an advisory lock on PostgreSQL, the write lock on SQLite), re-checking the version
//!   once it holds the lock, so readers arriving together rebuild once; only the changed
//!   communes' groups when every version since the last build says which they are;
//! - the table has one row per group (`tally_group`): a rebuild that ran twice fails rather
//!   than doubling the figures;
//! - `vuonlen db check` compares every current tally with its data ([`Db::check_tallies`]).

use crate::bulk::execute;
use crate::db::{Db, Engine, Tx, on_conn, on_pool};
use crate::error::Result;
use std::collections::BTreeSet;

/// The groups of the tally computed from the data (`classification ⋈ survey`), without its
/// `FROM`: deprivations, subgroups and causes count only for poor and near-poor households.
/// The tally's `subgroups` holds the classification's six subgroup bits and, above them
/// ([`FORM8_SHIFT`]), the recorded answers form 8 counts by, in the order of
/// `vuonlen_core::report::form8_fields` (a test checks the order).
/// (Macros, so that statements are put together by `concat!` at compile time.)
macro_rules! group_columns {
    () => {
        "SELECT s.period, c.standard_id, s.current_province, s.current_commune, s.commune_code, \
         s.unit_list, s.village_id, c.class, \
         CASE WHEN c.class IN ('poor', 'near_poor') THEN c.deprived ELSE 0 END, \
         CASE WHEN c.class IN ('poor', 'near_poor') THEN c.subgroups \
             + 64 * (CASE WHEN s.local_ethnic_minority = 1 THEN 1 ELSE 0 END) \
             + 128 * (CASE WHEN s.support_health = 1 OR (COALESCE(m.mask, 0) & 1) <> 0 THEN 1 ELSE 0 END) \
             + 256 * (CASE WHEN s.support_education = 1 OR (COALESCE(m.mask, 0) & 2) <> 0 THEN 1 ELSE 0 END) \
             + 512 * (CASE WHEN s.support_production = 1 OR (COALESCE(m.mask, 0) & 4) <> 0 THEN 1 ELSE 0 END) \
             + 1024 * (CASE WHEN s.support_credit = 1 OR (COALESCE(m.mask, 0) & 8) <> 0 THEN 1 ELSE 0 END) \
             + 2048 * (CASE WHEN s.support_housing = 1 OR (COALESCE(m.mask, 0) & 16) <> 0 THEN 1 ELSE 0 END) \
             + 4096 * (CASE WHEN s.support_other = 1 OR (COALESCE(m.mask, 0) & 32) <> 0 THEN 1 ELSE 0 END) \
             WHEN c.class = 'middle' AND s.nlndn = 1 THEN 8192 ELSE 0 END, \
         CASE WHEN c.class IN ('poor', 'near_poor') THEN c.causes ELSE 0 END, \
         c.head_ethnicity, COUNT(*), SUM(c.persons), SUM(c.children), SUM(c.children_no_insurance), \
         SUM(c.children_malnourished), SUM(c.children_not_in_school), SUM(c.children_schooling_deprived) "
    };
}

/// Every household of period `$1` under standard `$2`.
macro_rules! from_period {
    () => {
        "FROM classification c JOIN survey s ON s.period = c.period AND s.household_id = c.household_id \
         LEFT JOIN support_mask m ON m.period = s.period AND m.household_id = s.household_id \
         WHERE c.period = $1 AND c.standard_id = $2 "
    };
}

/// The communes of period `$1` changed after version `$3` up to `$4`.
macro_rules! changed_communes {
    () => {
        "SELECT DISTINCT current_province, current_commune FROM tally_change \
         WHERE period = $1 AND version > $3 AND version <= $4"
    };
}

/// The households of those communes under standard `$2` (`survey_scope` leads with the place).
macro_rules! from_changed {
    () => {
        concat!(
            "FROM (",
            changed_communes!(),
            ") d JOIN survey s ON s.current_province = d.current_province \
             AND s.current_commune = d.current_commune AND s.period = $1 \
             JOIN classification c ON c.period = s.period AND c.standard_id = $2 AND c.household_id = s.household_id \
             LEFT JOIN support_mask m ON m.period = s.period AND m.household_id = s.household_id "
        )
    };
}

macro_rules! group_by {
    () => {
        "GROUP BY s.period, c.standard_id, s.current_province, s.current_commune, s.commune_code, \
         s.unit_list, s.village_id, c.class, 9, 10, 11, c.head_ethnicity"
    };
}

/// The cached groups of period `$1` under standard `$2`, in the order of [`group_columns!`].
macro_rules! cached_groups {
    () => {
        "SELECT period, standard_id, current_province, current_commune, commune_code, unit_list, \
         village_id, class, deprived, subgroups, causes, head_ethnicity, households, persons, children, \
         children_no_insurance, children_malnourished, children_not_in_school, children_schooling_deprived \
         FROM tally WHERE period = $1 AND standard_id = $2"
    };
}

mod rollup;
use rollup::{Communes, Rollup};
pub(crate) use rollup::{StoredGroup, add_group, parse as parse_rollup};

/// Where the form-8 answers start in the tally's `subgroups` (above the six subgroup bits).
pub(crate) const FORM8_SHIFT: u32 = 6;
/// The bit of the tally's `subgroups` saying a middle-living household works in agriculture,
/// forestry, fishery or salt making (`nlndn`): form 1 counts only those as middle-living.
pub(crate) const NLNDN_BIT: i64 = 8192;

/// What a write changed in a period, for its caches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Changed {
    /// Households of these (today's province, today's commune).
    Communes(BTreeSet<(String, String)>),
    /// Anything (units re-placed, a re-classification).
    Everything,
    /// Splits and merges (*tách hộ, nhập hộ*): nothing the tally reads, but the households'
    /// paths between periods (the movement cache).
    Lineage,
    /// Answers of households of these communes that only the report cache reads (support
    /// received): its groups there are rebuilt; the households' paths did not change.
    Answers(BTreeSet<(String, String)>),
    /// Nothing either cache reads (review steps, resident totals, a decision recognising the
    /// computed classes); the period's version still moves: dashboards read more.
    Nothing,
}

/// Past this many communes a change is recorded as [`Changed::Everything`]: a full rebuild is
/// then as quick as the partial one, and `tally_change` stays small.
const MAX_COMMUNES: usize = 400;

/// Marks a period as changed: its tallies are rebuilt by the next report, where `what` says,
/// and its movement version moves unless nothing a path reads changed. Returns the period's new
/// version.
pub(crate) async fn bump(tx: &mut Tx, period: i64, what: &Changed) -> Result<i64> {
    let paths = i64::from(!matches!(what, Changed::Nothing | Changed::Answers(_)));
    let v: i64 = on_conn!(tx, c => sqlx::query_scalar(
        "INSERT INTO registry_version (period, version, movement_version) VALUES ($1, 1, $2) \
         ON CONFLICT (period) DO UPDATE SET version = registry_version.version + 1, \
         movement_version = registry_version.movement_version + $2 RETURNING version",
    )
    .bind(period)
    .bind(paths)
    .fetch_one(c)
    .await?);
    let everything = [("*".to_string(), "*".to_string())].into_iter().collect();
    let nothing = [("-".to_string(), "-".to_string())].into_iter().collect();
    let places: &BTreeSet<(String, String)> = match what {
        Changed::Communes(c) | Changed::Answers(c) if c.len() <= MAX_COMMUNES => c,
        Changed::Communes(_) | Changed::Answers(_) | Changed::Everything => &everything,
        Changed::Lineage | Changed::Nothing => &nothing,
    };
    for (province, commune) in places {
        execute(
            tx,
            "INSERT INTO tally_change (period, version, current_province, current_commune) VALUES ($1, $2, $3, $4)",
            vec![period.into(), v.into(), province.as_str().into(), commune.as_str().into()],
        )
        .await?;
    }
    Ok(v)
}

/// Marks every period as changed in everything (units re-placed).
pub(crate) async fn bump_all(tx: &mut Tx) -> Result<()> {
    execute(tx, "UPDATE registry_version SET version = version + 1, movement_version = movement_version + 1", vec![])
        .await?;
    execute(
        tx,
        "INSERT INTO tally_change (period, version, current_province, current_commune) \
         SELECT period, version, '*', '*' FROM registry_version",
        vec![],
    )
    .await?;
    Ok(())
}

/// The PostgreSQL advisory lock of a period's tallies: a namespace in the high half, the
/// year in the low half.
fn lock_key(period: i64) -> i64 {
    (0x7461_6c79_i64 << 32) | (period & 0xffff_ffff)
}

/// Waits for the period's tally lock, held until the transaction ends (PostgreSQL; on SQLite
/// the transaction holds the database's write lock already).
async fn lock(tx: &mut Tx, period: i64) -> Result<()> {
    if tx.engine() == Engine::Postgres {
        execute(tx, "SELECT pg_advisory_xact_lock($1)", vec![lock_key(period).into()]).await?;
    }
    Ok(())
}

/// The period's version and the one its tally under `standard_id` was built from.
async fn versions(tx: &mut Tx, period: i64, standard_id: &str) -> Result<(i64, Option<i64>)> {
    let (current, built): (Option<i64>, Option<i64>) = on_conn!(tx, c => sqlx::query_as(
        "SELECT (SELECT version FROM registry_version WHERE period = $1), \
                (SELECT version FROM tally_state WHERE period = $1 AND standard_id = $2)",
    )
    .bind(period)
    .bind(standard_id)
    .fetch_one(c)
    .await?);
    Ok((current.unwrap_or(0), built))
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
        lock(tx, period).await?;
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
        Rollup::of_groups(&self.groups)?.replace(tx, period, standard_id, Communes::All).await?;
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

/// One rebuild's lock: held by the task that rebuilds, awaited by the readers that need it.
type RebuildLock = std::sync::Arc<tokio::sync::Mutex<()>>;

/// The rebuilds of one process: a lock per (period, standard).
#[derive(Debug, Clone, Default)]
pub(crate) struct Rebuilds(std::sync::Arc<std::sync::Mutex<std::collections::HashMap<(i64, String), RebuildLock>>>);

impl Rebuilds {
    /// The lock of one cache's rebuilds in this process, by (period, what).
    pub(crate) fn of(&self, period: i64, what: &str) -> RebuildLock {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        m.entry((period, what.to_string())).or_default().clone()
    }
}

/// Makes the tally of (`period`, `standard_id`) current, from a task of its own: a reader that
/// gives up (a request past its deadline) does not cancel a rebuild others will need. Readers
/// of one process wait for the same rebuild without holding a connection.
pub(crate) async fn current(db: &Db, period: i64, standard_id: &str) -> Result<()> {
    if is_current(db, period, standard_id).await? {
        return Ok(());
    }
    let guard = db.rebuilds.of(period, standard_id).lock_owned().await;
    let (db, standard_id) = (db.clone(), standard_id.to_string());
    let task = tokio::spawn(async move {
        let r = ensure(&db, period, &standard_id).await;
        drop(guard);
        r
    });
    task.await.map_err(|e| crate::StoreError::Invalid(format!("the report cache task failed: {e}")))?
}

/// Whether the tally of (`period`, `standard_id`) was built from the period's current version.
async fn is_current(db: &Db, period: i64, standard_id: &str) -> Result<bool> {
    let (current, built): (Option<i64>, Option<i64>) = on_pool!(db, p => sqlx::query_as(
        "SELECT (SELECT version FROM registry_version WHERE period = $1), \
                (SELECT version FROM tally_state WHERE period = $1 AND standard_id = $2)",
    )
    .bind(period)
    .bind(standard_id)
    .fetch_one(p)
    .await?);
    Ok(built == Some(current.unwrap_or(0)))
}

/// Rebuilds the tally of (`period`, `standard_id`) unless it is current. Whole period,
/// whatever the caller's scope: readers filter the cache by scope.
pub(crate) async fn ensure(db: &Db, period: i64, standard_id: &str) -> Result<()> {
    if is_current(db, period, standard_id).await? {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    lock(&mut tx, period).await?;
    if tx.engine() == Engine::Postgres {
        // A rebuild of a national period may outlast a server's statement timeout; it is one
        // at a time and needed by every report.
        execute(&mut tx, "SET LOCAL statement_timeout = 0", vec![]).await?;
    }
    // Read again under the lock: another reader may have rebuilt it while we waited. The
    // version is read before the data: a write committed while we build makes the cache newer
    // than its label, and the next report rebuilds again — never the other way round.
    let (current, built) = versions(&mut tx, period, standard_id).await?;
    if built == Some(current) {
        return tx.commit().await;
    }
    let partial = match built {
        Some(b) => only_communes_changed(&mut tx, period, b, current).await?,
        None => None,
    };
    if partial == Some(false) {
        // Only writes that change nothing the tally reads: the groups are current as they are.
    } else if partial == Some(true) {
        let binds = || vec![period.into(), standard_id.into(), built.unwrap_or(0).into(), current.into()];
        execute(
            &mut tx,
            concat!(
                "DELETE FROM tally WHERE period = $1 AND standard_id = $2 AND (current_province, current_commune) IN (",
                changed_communes!(),
                ")"
            ),
            binds(),
        )
        .await?;
        execute(&mut tx, concat!("INSERT INTO tally ", group_columns!(), from_changed!(), group_by!()), binds())
            .await?;
        Rollup::rebuild(&mut tx, period, standard_id, Communes::ChangedBetween(built.unwrap_or(0), current)).await?;
    } else {
        let binds = || vec![period.into(), standard_id.into()];
        execute(&mut tx, "DELETE FROM tally WHERE period = $1 AND standard_id = $2", binds()).await?;
        execute(&mut tx, concat!("INSERT INTO tally ", group_columns!(), from_period!(), group_by!()), binds()).await?;
        Rollup::rebuild(&mut tx, period, standard_id, Communes::All).await?;
    }
    execute(
        &mut tx,
        "INSERT INTO tally_state (period, standard_id, version) VALUES ($1, $2, $3) \
         ON CONFLICT (period, standard_id) DO UPDATE SET version = $3",
        vec![period.into(), standard_id.into(), current.into()],
    )
    .await?;
    // What every built tally of the period has seen is no longer needed (a standard without a
    // tally yet is built whole).
    execute(
        &mut tx,
        "DELETE FROM tally_change WHERE period = $1 \
         AND version <= (SELECT MIN(version) FROM tally_state WHERE period = $1)",
        vec![period.into()],
    )
    .await?;
    tx.commit().await
}

/// Whether every version of the period after `built` up to `current` recorded the communes it
/// changed (none said "everything"): then only those communes' groups need rebuilding —
/// `Some(true)`, or `Some(false)` when no version changed any commune (nothing to rebuild);
/// `None`: rebuild the whole period.
async fn only_communes_changed(tx: &mut Tx, period: i64, built: i64, current: i64) -> Result<Option<bool>> {
    let (versions, everything, communes): (i64, i64, i64) = on_conn!(tx, c => sqlx::query_as(
        "SELECT COUNT(DISTINCT version), COUNT(CASE WHEN current_province = '*' THEN 1 END), \
         COUNT(CASE WHEN current_province <> '-' THEN 1 END) FROM tally_change \
         WHERE period = $1 AND version > $2 AND version <= $3",
    )
    .bind(period)
    .bind(built)
    .bind(current)
    .fetch_one(c)
    .await?);
    Ok((everything == 0 && built < current && versions == current - built).then_some(communes > 0))
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

/// The cached tally of a period and standard compared with its data (`vuonlen db check`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TallyCheck {
    pub period: i64,
    pub standard_id: String,
    /// Built from an older version of the period: rebuilt by the next report, not compared.
    pub stale: bool,
    /// Households the cache counts, and households classified in the data.
    pub households_cached: i64,
    pub households_data: i64,
    /// Groups of the data missing from the cache, groups of the cache not in the data, and
    /// rows of the cache beyond one per group.
    pub groups_missing: i64,
    pub groups_extra: i64,
    pub rows_duplicated: i64,
    /// Recorded communes whose rollup (what forms of a province or the country add up) differs
    /// from their groups.
    pub rollups_differing: i64,
}

impl TallyCheck {
    /// The cache gives the same answers as the data.
    pub fn holds(&self) -> bool {
        self.stale
            || (self.households_cached == self.households_data
                && self.groups_missing == 0
                && self.groups_extra == 0
                && self.rows_duplicated == 0
                && self.rollups_differing == 0)
    }
}

impl Db {
    /// Rebuilds every report tally whole from its data (`vuonlen db check --rebuild-caches`).
    /// Returns how many were rebuilt.
    pub async fn rebuild_tallies(&self) -> Result<usize> {
        let built: Vec<(i64, String)> = on_pool!(self, p => sqlx::query_as(
            "SELECT period, standard_id FROM tally_state ORDER BY period, standard_id",
        )
        .fetch_all(p)
        .await?);
        for (period, standard_id) in &built {
            let mut tx = self.begin().await?;
            lock(&mut tx, *period).await?;
            execute(
                &mut tx,
                "DELETE FROM tally_state WHERE period = $1 AND standard_id = $2",
                vec![(*period).into(), standard_id.as_str().into()],
            )
            .await?;
            tx.commit().await?;
            ensure(self, *period, standard_id).await?;
        }
        Ok(built.len())
    }

    /// Compares every current report tally with the data it was built from (see [`TallyCheck`]).
    pub async fn check_tallies(&self) -> Result<Vec<TallyCheck>> {
        let built: Vec<(i64, String, i64, i64)> = on_pool!(self, p => sqlx::query_as(
            "SELECT t.period, t.standard_id, t.version, COALESCE(v.version, 0) FROM tally_state t \
             LEFT JOIN registry_version v ON v.period = t.period ORDER BY t.period, t.standard_id",
        )
        .fetch_all(p)
        .await?);
        let mut out = Vec::with_capacity(built.len());
        for (period, standard_id, version, current) in built {
            let mut check = TallyCheck {
                period,
                standard_id,
                stale: version != current,
                households_cached: 0,
                households_data: 0,
                groups_missing: 0,
                groups_extra: 0,
                rows_duplicated: 0,
                rollups_differing: 0,
            };
            if !check.stale {
                let sql = concat!(
                    "SELECT (SELECT CAST(COALESCE(SUM(households), 0) AS BIGINT) FROM tally WHERE period = $1 AND standard_id = $2), \
                       (SELECT COUNT(*) FROM classification WHERE period = $1 AND standard_id = $2), \
                       (SELECT COUNT(*) FROM (",
                    group_columns!(),
                    from_period!(),
                    group_by!(),
                    " EXCEPT ",
                    cached_groups!(),
                    ") m), (SELECT COUNT(*) FROM (",
                    cached_groups!(),
                    " EXCEPT ",
                    group_columns!(),
                    from_period!(),
                    group_by!(),
                    ") e), (SELECT COUNT(*) FROM tally WHERE period = $1 AND standard_id = $2) - \
                       (SELECT COUNT(*) FROM (SELECT DISTINCT * FROM (",
                    cached_groups!(),
                    ") d) u)"
                );
                let (a, b, m, e, dup): (i64, i64, i64, i64, i64) = on_pool!(self, p => sqlx::query_as(sql)
                    .bind(period)
                    .bind(&check.standard_id)
                    .fetch_one(p)
                    .await?);
                (
                    check.households_cached,
                    check.households_data,
                    check.groups_missing,
                    check.groups_extra,
                    check.rows_duplicated,
                ) = (a, b, m, e, dup);
                check.rollups_differing = rollup::differing(self, period, &check.standard_id).await?;
            }
            out.push(check);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    /// The SQL packs form 8's answers in the order `form8_fields` gives them.
    #[test]
    fn the_form8_bits_follow_the_schema() {
        let sql = group_columns!();
        let keys: Vec<&str> = vuonlen_core::report::form8_fields().iter().map(|f| f.key).collect();
        assert_eq!(keys.len(), 7, "{keys:?}");
        for (j, key) in keys.iter().enumerate() {
            let term = format!("{} * (CASE WHEN s.{key} = 1", 1u32 << (super::FORM8_SHIFT + j as u32));
            assert!(sql.contains(&term), "{term} missing from the tally SQL");
        }
    }
}
