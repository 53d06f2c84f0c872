//! The movement forms' cache (`movement_group`): forms 2 and 3 (and the movement columns of
//! forms 12 and 13) follow every household from one period to the next, which means reading
//! both periods whole. The cache keeps, for a pair of periods, the households' movement tallies
//! grouped by where they were at the start and where they are at the end — a few rows per
//! village — so a report adds up groups instead of households. A cache must never change an
//! answer:
//!
//! - a group keeps three tallies: its households seen at both ends, at the start only and at the
//!   end only — a report whose unit holds the start place but not the end place (a household
//!   that moved out of it) counts the household as gone, exactly as [`Registry::paths`] does;
//! - the cache of a pair is labelled with a stamp of every period's movement version up to the
//!   end (history and splits live in earlier and later periods) and the two standards; any
//!   write to any of them that a path reads (classifications, places, splits and merges — not
//!   review steps, resident totals or decisions recognising the computed classes:
//!   `crate::tally::Changed`) changes the stamp, and the next report rebuilds the pair whole —
//!   under the same one-at-a-time lock discipline as the tally cache (crate::tally), re-checking
//!   the stamp under the lock, the stamp read before the data;
//! - one row per group (`movement_group_key`): a rebuild that ran twice fails rather than
//!   doubling the figures.

use crate::bulk::{TableBuffer, execute};
use crate::db::{Db, Engine, Tx, on_conn, on_pool};
use crate::error::{Result, StoreError};
use crate::period::Period;
use crate::reads::{Official, Place};
use crate::scope::Registry;
use crate::select::Selection;
use crate::sql::{Arg, Sql, bound};
use std::collections::{BTreeMap, HashMap, HashSet};
use vuonlen_core::movement::{MovementCounts, MovementTally};

/// The three views of a group: (both ends seen, start only, end only).
type Views = [MovementTally; 3];
const BOTH: usize = 0;
const START_ONLY: usize = 1;
const END_ONLY: usize = 2;

const COLUMNS: &[&str] = &[
    "from_period",
    "to_period",
    "has_start",
    "start_province",
    "start_commune",
    "start_commune_code",
    "start_unit_list",
    "start_village_id",
    "has_end",
    "end_province",
    "end_commune",
    "end_commune_code",
    "end_unit_list",
    "end_village_id",
    "tally_both",
    "tally_start",
    "tally_end",
];

/// A tally as text: report 2's households and persons (columns 1–9 each), then report 3's.
fn encode(t: &MovementTally) -> String {
    let parts: Vec<String> = [&t.poor, &t.near_poor]
        .iter()
        .flat_map(|c| c.households.iter().chain(c.persons.iter()))
        .map(u64::to_string)
        .collect();
    parts.join(",")
}

fn decode(s: &str) -> Result<MovementTally> {
    let bad = || StoreError::Invalid(format!("a cached movement tally is malformed: '{s}'"));
    let n: Vec<u64> = s.split(',').map(|x| x.parse::<u64>().map_err(|_| bad())).collect::<Result<_>>()?;
    if n.len() != 36 {
        return Err(bad());
    }
    let counts = |o: usize| {
        let mut c = MovementCounts::default();
        c.households.copy_from_slice(&n[o..o + 9]);
        c.persons.copy_from_slice(&n[o + 9..o + 18]);
        c
    };
    Ok(MovementTally { poor: counts(0), near_poor: counts(18) })
}

/// What the cache of (`from`, `to`) is built from: every period's movement version up to `to`
/// and the two standards.
async fn stamp(db: &Db, from: &Period, to: &Period) -> Result<String> {
    let versions: Vec<(i64, i64)> = on_pool!(db, p => sqlx::query_as(
        "SELECT period, movement_version FROM registry_version WHERE period <= $1 ORDER BY period",
    )
    .bind(to.year)
    .fetch_all(p)
    .await?);
    let mut s = format!("{}:{} {}:{}", from.year, from.standard_id, to.year, to.standard_id);
    for (period, version) in versions {
        s.push_str(&format!(" {period}={version}"));
    }
    Ok(s)
}

async fn built(db: &Db, from: &Period, to: &Period) -> Result<Option<String>> {
    Ok(on_pool!(db, p => sqlx::query_scalar(
        "SELECT stamp FROM movement_state WHERE from_period = $1 AND to_period = $2",
    )
    .bind(from.year)
    .bind(to.year)
    .fetch_optional(p)
    .await?))
}

/// The PostgreSQL advisory lock of a pair's cache (a namespace apart from the tallies').
fn lock_key(from: i64, to: i64) -> i64 {
    (0x6d6f_7665_i64 << 32) | ((from & 0xffff) << 16) | (to & 0xffff)
}

async fn lock(tx: &mut Tx, from: i64, to: i64) -> Result<()> {
    if tx.engine() == Engine::Postgres {
        execute(tx, "SELECT pg_advisory_xact_lock($1)", vec![lock_key(from, to).into()]).await?;
    }
    Ok(())
}

/// Makes the cache of (`from`, `to`) current. Readers of one process wait for one rebuild.
async fn current(db: &Db, from: &Period, to: &Period) -> Result<()> {
    let stamp = stamp(db, from, to).await?;
    if built(db, from, to).await?.as_deref() == Some(stamp.as_str()) {
        return Ok(());
    }
    let guard = db.rebuilds.of(to.year, &format!("movement from {}", from.year)).lock_owned().await;
    let (db, from, to) = (db.clone(), from.clone(), to.clone());
    let task = tokio::spawn(async move {
        let r = rebuild(&db, &from, &to).await;
        drop(guard);
        r
    });
    task.await.map_err(|e| StoreError::Invalid(format!("the movement cache task failed: {e}")))?
}

/// Rebuilds the cache of (`from`, `to`) unless it is current: the whole registry, whatever the
/// reader's scope (readers filter the groups by scope).
async fn rebuild(db: &Db, from: &Period, to: &Period) -> Result<()> {
    // The stamp before the data: a write committed while we read makes the cache older than
    // its label says, and the next report rebuilds again — never the other way round.
    let stamp = stamp(db, from, to).await?;
    if built(db, from, to).await?.as_deref() == Some(stamp.as_str()) {
        return Ok(());
    }
    let groups = groups(&db.unscoped(), from, to).await?;
    let mut tx = db.begin().await?;
    lock(&mut tx, from.year, to.year).await?;
    let now: Option<String> = on_conn!(tx, c => sqlx::query_scalar(
        "SELECT stamp FROM movement_state WHERE from_period = $1 AND to_period = $2",
    )
    .bind(from.year)
    .bind(to.year)
    .fetch_optional(c)
    .await?);
    if now.as_deref() == Some(stamp.as_str()) {
        return tx.commit().await;
    }
    execute(
        &mut tx,
        "DELETE FROM movement_group WHERE from_period = $1 AND to_period = $2",
        vec![from.year.into(), to.year.into()],
    )
    .await?;
    let mut buf = TableBuffer::new(tx.engine(), "movement_group", COLUMNS);
    let absent = Place {
        province: String::new(),
        commune: String::new(),
        commune_code: String::new(),
        unit_list: String::new(),
        village_id: None,
    };
    for ((s, e), views) in &groups {
        let (sp, ep) = (s.as_ref().unwrap_or(&absent), e.as_ref().unwrap_or(&absent));
        buf.push([
            from.year.into(),
            to.year.into(),
            s.is_some().into(),
            sp.province.as_str().into(),
            sp.commune.as_str().into(),
            sp.commune_code.as_str().into(),
            sp.unit_list.as_str().into(),
            sp.village_id.into(),
            e.is_some().into(),
            ep.province.as_str().into(),
            ep.commune.as_str().into(),
            ep.commune_code.as_str().into(),
            ep.unit_list.as_str().into(),
            ep.village_id.into(),
            encode(&views[BOTH]).into(),
            encode(&views[START_ONLY]).into(),
            encode(&views[END_ONLY]).into(),
        ]);
    }
    buf.flush(&mut tx).await?;
    execute(
        &mut tx,
        "INSERT INTO movement_state (from_period, to_period, stamp) VALUES ($1, $2, $3) \
         ON CONFLICT (from_period, to_period) DO UPDATE SET stamp = $3",
        vec![from.year.into(), to.year.into(), stamp.as_str().into()],
    )
    .await?;
    tx.commit().await
}

/// Every household's path between the periods, grouped by (start place, end place), in the
/// three views.
async fn groups(all: &Registry, from: &Period, to: &Period) -> Result<HashMap<(Option<Place>, Option<Place>), Views>> {
    let parts = all.path_parts(from, to, &Selection::parse("VN")?).await?;
    let mut out: HashMap<(Option<Place>, Option<Place>), Views> = HashMap::new();
    let place = |o: Option<&Official>| o.map(|x| x.place.clone());
    for id in parts.ids() {
        let (s, e) = (parts.start.get(&id), parts.end.get(&id));
        let views = out.entry((place(s), place(e))).or_default();
        let (path, r) = parts.path(id, s, e);
        if s.is_some() && e.is_some() {
            views[BOTH].add_restructured(&path, &r);
            let (path, r) = parts.path(id, s, None);
            views[START_ONLY].add_restructured(&path, &r);
            let (path, r) = parts.path(id, None, e);
            views[END_ONLY].add_restructured(&path, &r);
        } else {
            // Seen at one end only: every view is that end's.
            for v in views.iter_mut() {
                v.add_restructured(&path, &r);
            }
        }
    }
    Ok(out)
}

/// One side of the cached groups as a `survey`-like row `s` (the columns selections and scopes
/// filter on), with the ids and tallies of the groups seen on that side.
fn side(sql: &mut Sql, end: bool) {
    if end {
        sql.push(
            "(SELECT id, tally_both, tally_end AS tally_side, end_province AS current_province, \
             end_commune AS current_commune, end_commune_code AS commune_code, end_unit_list AS unit_list, \
             end_village_id AS village_id FROM movement_group WHERE from_period = $1 AND to_period = $2 AND has_end = 1) s",
        );
    } else {
        sql.push(
            "(SELECT id, tally_both, tally_start AS tally_side, start_province AS current_province, \
             start_commune AS current_commune, start_commune_code AS commune_code, start_unit_list AS unit_list, \
             start_village_id AS village_id FROM movement_group WHERE from_period = $1 AND to_period = $2 AND has_start = 1) s",
        );
    }
}

/// (group id, report row key, tally of both ends, tally of this side only).
type SideRow = (i64, String, String, String);

impl Registry {
    /// Movement tallies (forms 2 and 3) of `sel` between `from` and `to`, by report row in key
    /// order — the same figures as adding up [`Registry::paths`], from the movement cache.
    pub async fn movements(&self, from: &Period, to: &Period, sel: &Selection) -> Result<Vec<(String, MovementTally)>> {
        current(&self.db, from, to).await?;
        let read = |end: bool| {
            let mut sql = Sql::with_args([Arg::Int(from.year), Arg::Int(to.year)]);
            sql.push("SELECT s.id, ").push(sel.rows.sql()).push(", s.tally_both, s.tally_side FROM ");
            side(&mut sql, end);
            sql.push(" LEFT JOIN village v ON v.id = s.village_id WHERE ")
                .append(&sel.filter)
                .push(" AND ")
                .append(&self.scope.sql("s"));
            sql
        };
        let (end_sql, start_sql) = (read(true), read(false));
        let ends: Vec<SideRow> = on_pool!(self.db, p => bound!(query_as, end_sql).fetch_all(p).await?);
        let starts: Vec<SideRow> = on_pool!(self.db, p => bound!(query_as, start_sql).fetch_all(p).await?);
        let start_seen: HashSet<i64> = starts.iter().map(|r| r.0).collect();
        let end_seen: HashSet<i64> = ends.iter().map(|r| r.0).collect();
        let mut by_key: BTreeMap<String, MovementTally> = BTreeMap::new();
        // A group seen at its end counts in the end's row: whole when its start is seen too
        // (or it has none), else as arrivals only; a group seen at its start only, in the
        // start's row as departures.
        for (id, key, both, end_only) in ends {
            let t = if start_seen.contains(&id) { decode(&both)? } else { decode(&end_only)? };
            by_key.entry(key).or_default().merge(&t);
        }
        for (id, key, _, start_only) in starts {
            if !end_seen.contains(&id) {
                by_key.entry(key).or_default().merge(&decode(&start_only)?);
            }
        }
        Ok(by_key.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tally_reads_back_as_written() {
        let mut t = MovementTally::new();
        for (i, v) in t.poor.households.iter_mut().enumerate() {
            *v = i as u64 + 1;
        }
        t.near_poor.persons[8] = 12_345_678_901;
        assert_eq!(decode(&encode(&t)).expect("decodes"), t);
        assert!(decode("1,2,3").is_err());
        assert!(decode(&encode(&t).replace('1', "x")).is_err());
    }
}
