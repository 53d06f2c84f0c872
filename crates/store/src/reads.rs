//! What a [`Registry`] (a scoped store) reads: unit tallies for the reports, household paths
//! between two periods, one household's history, and the detailed lists of forms 14 and 15.
//! Every query carries the scope's predicate.

use crate::db::on_pool;
use crate::error::{Result, StoreError};
use crate::link::{Lineage, LinkKind};
use crate::period::Period;
use crate::rows::{MEMBER_SELECT, MemberRow};
use crate::scope::Registry;
use crate::select::{RowKey, Selection};
use crate::sql::{Arg, Sql, bound};
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};
use vuonlen_core::Class;
use vuonlen_core::classify::IndicatorSet;
use vuonlen_core::movement::{HouseholdPath, Restructuring};
use vuonlen_core::report::UnitTally;

/// Period, reference date, commune, household code, class, persons, deprivations.
type HistoryRow = (i64, String, String, String, Option<String>, Option<i64>, Option<i64>);

/// (row key, class, deprived, subgroups, head ethnicity, causes, households, persons, then the
/// five child sums) of one group of [`Registry::tally`].
type TallyRow = (String, String, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64);

fn class_of(s: &str) -> Result<Class> {
    Class::parse(s).ok_or_else(|| StoreError::Invalid(format!("stored class '{s}' is not valid")))
}

fn u32_of(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(0)
}

/// One household between two periods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathRow {
    /// The report row it counts in (by its end survey, else its start survey).
    pub key: String,
    pub household_id: i64,
    /// Commune as recorded and household code, at the end (else at the start).
    pub commune_code: String,
    pub household_code: String,
    pub path: HouseholdPath,
    /// Splits and merges recorded for it in a period after the start and up to the end.
    pub restructuring: Restructuring,
}

/// A household's class in one period (official standard).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodClass {
    pub year: i64,
    pub reference_date: NaiveDate,
    pub commune_code: String,
    pub household_code: String,
    pub class: Option<Class>,
    pub persons: u32,
    pub deprivations: u32,
}

/// Status derived from the periods (*diễn biến của hộ*).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Status {
    /// First period of the current poor spell.
    pub poor_since: Option<i64>,
    /// First period of the current near-poor spell.
    pub near_poor_since: Option<i64>,
    /// The period in which it last escaped poverty or near-poverty, and that period's
    /// reference date.
    pub escaped_in: Option<(i64, NaiveDate)>,
    /// Still "newly escaped" (*hộ mới thoát nghèo*) at the latest period's reference date:
    /// within 36 months of escaping.
    pub newly_escaped: bool,
}

/// One household with its history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdView {
    pub id: i64,
    pub commune_code: String,
    pub province_code: String,
    pub periods: Vec<PeriodClass>,
    pub status: Status,
    /// The splits and merges it took part in (*tách hộ*, *nhập hộ*), oldest first.
    pub lineage: Vec<Lineage>,
}

/// A household of a detailed list, with its members (personal data: for the file only).
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    pub key: String,
    pub household_id: i64,
    pub household_code: String,
    pub village: String,
    pub head_name: String,
    pub address: String,
    pub persons: u32,
    pub income_per_capita: Option<i64>,
    pub score_a: Option<i64>,
    pub deprived: IndicatorSet,
    pub subgroups_bits: i64,
    pub causes: u16,
    pub members: Vec<MemberRow>,
}

impl Registry {
    /// Tallies of `standard_id`'s classification of `period` over `sel`, by report row, in key
    /// order.
    pub async fn tally(&self, period: &Period, standard_id: &str, sel: &Selection) -> Result<Vec<(String, UnitTally)>> {
        // From the report cache (crate::tally): rows of provinces and communes add up its
        // commune rollup; rows of villages add up its groups (households of the same row, class
        // and report-relevant facts: UnitTally::add_many).
        crate::tally::current(&self.db, period.year, standard_id).await?;
        let mut by_key: BTreeMap<String, UnitTally> = BTreeMap::new();
        let mut sql = Sql::with_args([Arg::Int(period.year), Arg::from(standard_id)]);
        if sel.rows != RowKey::Village {
            sql.push("SELECT ")
                .push(sel.rows.sql())
                .push(", s.tally FROM tally_commune s WHERE s.period = $1 AND s.standard_id = $2 AND ")
                .append(&sel.filter)
                .push(" AND ")
                .append(&self.scope.sql("s"));
            let rows: Vec<(String, String)> = on_pool!(self.db, p => bound!(query_as, sql).fetch_all(p).await?);
            for (key, body) in rows {
                by_key.entry(key).or_default().merge(&crate::tally::parse_rollup(&body)?);
            }
            return Ok(by_key.into_iter().collect());
        }
        sql.push("SELECT ")
            .push(sel.rows.sql())
            .push(
                ", s.class, s.deprived, s.subgroups, s.head_ethnicity, s.causes, \
                    CAST(SUM(s.households) AS BIGINT), CAST(SUM(s.persons) AS BIGINT), \
                    CAST(SUM(s.children) AS BIGINT), CAST(SUM(s.children_no_insurance) AS BIGINT), \
                    CAST(SUM(s.children_malnourished) AS BIGINT), CAST(SUM(s.children_not_in_school) AS BIGINT), \
                    CAST(SUM(s.children_schooling_deprived) AS BIGINT) \
             FROM tally s LEFT JOIN village v ON v.id = s.village_id \
             WHERE s.period = $1 AND s.standard_id = $2 AND ",
            )
            .append(&sel.filter)
            .push(" AND ")
            .append(&self.scope.sql("s"))
            .push(" GROUP BY 1, 2, 3, 4, 5, 6");
        let rows: Vec<TallyRow> = on_pool!(self.db, p => bound!(query_as, sql).fetch_all(p).await?);
        for r in rows {
            let g = crate::tally::StoredGroup {
                class: &r.1,
                deprived: r.2,
                subgroups: r.3,
                head_ethnicity: r.4,
                causes: r.5,
                sums: [r.6, r.7, r.8, r.9, r.10, r.11, r.12],
            };
            crate::tally::add_group(by_key.entry(r.0).or_default(), &g)?;
        }
        Ok(by_key.into_iter().collect())
    }

    /// Official classes of the households of `sel` in `from` and `to`, with their earlier
    /// history, as paths for the movement reports (forms 2 and 3).
    pub async fn paths(&self, from: &Period, to: &Period, sel: &Selection) -> Result<Vec<PathRow>> {
        let parts = self.path_parts(from, to, sel).await?;
        let mut out = Vec::with_capacity(parts.start.len().max(parts.end.len()));
        for id in parts.ids() {
            let s = parts.start.get(&id);
            let e = parts.end.get(&id);
            let Some(label) = e.or(s) else { continue };
            let (path, restructuring) = parts.path(id, s, e);
            out.push(PathRow {
                key: label.key.clone(),
                household_id: id,
                commune_code: label.commune_code.clone(),
                household_code: label.household_code.clone(),
                path,
                restructuring,
            });
        }
        Ok(out)
    }

    /// What the paths of `sel` between `from` and `to` are made of.
    pub(crate) async fn path_parts(&self, from: &Period, to: &Period, sel: &Selection) -> Result<PathParts> {
        let start = self.official(from, sel).await?;
        let end = self.official(to, sel).await?;
        let mut before: HashMap<i64, Vec<Option<Class>>> = HashMap::new();
        let rows: Vec<(i64, String)> = on_pool!(self.db, p => sqlx::query_as(
            "SELECT c.household_id, c.class FROM classification c \
             JOIN review_period rp ON rp.year = c.period AND rp.standard_id = c.standard_id \
             WHERE c.period < $1 AND c.class IN ('poor', 'near_poor')",
        )
        .bind(from.year)
        .fetch_all(p)
        .await?);
        for (id, class) in rows {
            if start.contains_key(&id) || end.contains_key(&id) {
                before.entry(id).or_default().push(Some(class_of(&class)?));
            }
        }
        let restructured = self.restructurings(from, to).await?;
        Ok(PathParts { start, end, before, restructured })
    }

    /// The splits and merges effective after `from` and up to `to`, per household, with the
    /// class at the start (official standard of `from`) of the household members came from.
    /// Not limited to the scope: a household's columns must not depend on who reads them.
    async fn restructurings(&self, from: &Period, to: &Period) -> Result<HashMap<i64, Restructuring>> {
        let rows: Vec<(String, i64, i64, Option<String>)> = on_pool!(self.db, p => sqlx::query_as(
            "SELECT l.kind, l.from_id, l.to_id, c.class FROM household_link l \
             LEFT JOIN classification c ON c.household_id = l.from_id AND c.period = $1 AND c.standard_id = $3 \
             WHERE l.period > $1 AND l.period <= $2",
        )
        .bind(from.year)
        .bind(to.year)
        .bind(&from.standard_id)
        .fetch_all(p)
        .await?);
        let mut out: HashMap<i64, Restructuring> = HashMap::new();
        for (kind, from_id, to_id, class) in rows {
            let kind = LinkKind::parse(&kind)
                .ok_or_else(|| StoreError::Invalid(format!("stored link kind '{kind}' is not valid")))?;
            let class = class.as_deref().map(class_of).transpose()?;
            let origin = out.entry(from_id).or_default();
            match kind {
                LinkKind::Split => origin.split_origin = true,
                LinkKind::Merge => origin.merged_away = true,
            }
            let joined = out.entry(to_id).or_default();
            match kind {
                LinkKind::Split => joined.split_off = true,
                LinkKind::Merge => joined.absorbed = true,
            }
            joined.from_poor |= class == Some(Class::Poor);
            joined.from_near_poor |= class == Some(Class::NearPoor);
        }
        Ok(out)
    }

    async fn official(&self, period: &Period, sel: &Selection) -> Result<HashMap<i64, Official>> {
        let mut sql = Sql::with_args([Arg::Int(period.year), Arg::from(&period.standard_id)]);
        sql.push("SELECT c.household_id, ")
            .push(sel.rows.sql())
            .push(
                ", s.commune_code, s.household_code, c.class, c.persons, s.moved_in_from, \
                 s.current_province, s.current_commune, s.unit_list, s.village_id \
             FROM classification c JOIN survey s ON s.period = c.period AND s.household_id = c.household_id \
             LEFT JOIN village v ON v.id = s.village_id \
             WHERE c.period = $1 AND c.standard_id = $2 AND ",
            )
            .append(&sel.filter)
            .push(" AND ")
            .append(&self.scope.sql("s"));
        type Row = (i64, String, String, String, String, i64, Option<String>, String, String, String, Option<i64>);
        let rows: Vec<Row> = on_pool!(self.db, p => bound!(query_as, sql).fetch_all(p).await?);
        rows.into_iter()
            .map(|r| {
                let (id, key, commune_code, household_code, class, persons, moved_in_from) =
                    (r.0, r.1, r.2, r.3, r.4, r.5, r.6);
                let place = Place {
                    province: r.7,
                    commune: r.8,
                    commune_code: commune_code.clone(),
                    unit_list: r.9,
                    village_id: r.10,
                };
                Ok((
                    id,
                    Official {
                        key,
                        commune_code,
                        household_code,
                        class: class_of(&class)?,
                        persons: u32_of(persons),
                        moved_in: moved_in_from.is_some_and(|m| !m.trim().is_empty()),
                        place,
                    },
                ))
            })
            .collect()
    }

    /// The household known by `household_code` in `commune_code` (as recorded in any period),
    /// with its official class in every period — `NotFound` when it is outside the scope.
    pub async fn household(&self, commune_code: &str, household_code: &str) -> Result<HouseholdView> {
        let found: Option<(i64, String, String)> = on_pool!(self.db, p => sqlx::query_as(
            "SELECT h.id, h.commune_code, h.province_code FROM household_alias a JOIN household h ON h.id = a.household_id \
             WHERE a.commune_code = $1 AND a.household_code = $2",
        )
        .bind(commune_code)
        .bind(household_code)
        .fetch_optional(p)
        .await?);
        let not_found = || StoreError::NotFound(format!("hộ / household {commune_code}/{household_code}"));
        let (id, _, _) = found.ok_or_else(not_found)?;
        let (commune, province, _) = placement(&self.db, id).await?.ok_or_else(not_found)?;
        if !self.scope.contains(&province, &commune) {
            // Outside the scope looks the same as absent: no existence leak.
            return Err(not_found());
        }
        let rows: Vec<HistoryRow> = on_pool!(self.db, p => sqlx::query_as(
            "SELECT rp.year, rp.reference_date, s.commune_code, s.household_code, c.class, c.persons, c.deprivation_count \
             FROM survey s JOIN review_period rp ON rp.year = s.period \
             LEFT JOIN classification c ON c.period = s.period AND c.household_id = s.household_id AND c.standard_id = rp.standard_id \
             WHERE s.household_id = $1 ORDER BY rp.year",
        )
        .bind(id)
        .fetch_all(p)
        .await?);
        let mut periods = Vec::new();
        for (year, date, commune_code, household_code, class, persons, deps) in rows {
            periods.push(PeriodClass {
                year,
                reference_date: NaiveDate::parse_from_str(&date, "%Y-%m-%d")
                    .map_err(|_| StoreError::Invalid(format!("period {year}: bad reference date")))?,
                commune_code,
                household_code,
                class: class.as_deref().map(class_of).transpose()?,
                persons: u32_of(persons.unwrap_or(0)),
                deprivations: u32_of(deps.unwrap_or(0)),
            });
        }
        let status = status_of(&periods);
        let lineage = self.lineage(id).await?;
        Ok(HouseholdView { id, commune_code: commune, province_code: province, periods, status, lineage })
    }

    /// Households of `class` in `sel` under `standard_id` in `period`, with members, by report
    /// row then household code (forms 14 and 15).
    pub async fn listed(
        &self,
        period: &Period,
        standard_id: &str,
        sel: &Selection,
        class: Class,
    ) -> Result<Vec<Listed>> {
        let mut where_ = Sql::new();
        where_
            .push("c.period = $1 AND c.standard_id = $2 AND c.class = $3 AND ")
            .append(&sel.filter)
            .push(" AND ")
            .append(&self.scope.sql("s"));
        let args = [Arg::Int(period.year), Arg::from(standard_id), Arg::from(class.key())];
        let mut sql = Sql::with_args(args.clone());
        sql.push("SELECT ")
            .push(sel.rows.sql())
            .push(
                ", s.household_id, s.household_code, COALESCE(v.name, ''), s.head_name, s.address, c.persons, \
                    s.income_per_capita, s.score_a, c.deprived, c.subgroups, c.causes \
             FROM classification c JOIN survey s ON s.period = c.period AND s.household_id = c.household_id \
             LEFT JOIN village v ON v.id = s.village_id WHERE ",
            )
            .append(&where_)
            .push(" ORDER BY 1, s.household_code");
        type Row = (String, i64, String, String, String, String, i64, Option<i64>, Option<i64>, i64, i64, i64);
        let rows: Vec<Row> = on_pool!(self.db, p => bound!(query_as, sql).fetch_all(p).await?);
        let mut msql = Sql::with_args(args);
        msql.push("SELECT m.household_id AS hid, ")
            .push(MEMBER_SELECT)
            .push(
                " FROM member m \
             JOIN survey s ON s.period = m.period AND s.household_id = m.household_id \
             JOIN classification c ON c.period = s.period AND c.household_id = s.household_id \
             LEFT JOIN village v ON v.id = s.village_id WHERE ",
            )
            .append(&where_)
            .push(" ORDER BY m.household_id, m.member_no");
        let members: Vec<WithHousehold> = on_pool!(self.db, p => bound!(query_as, msql).fetch_all(p).await?);
        let mut by_household: HashMap<i64, Vec<MemberRow>> = HashMap::new();
        for m in members {
            by_household.entry(m.hid).or_default().push(m.member);
        }
        Ok(rows
            .into_iter()
            .map(|r| Listed {
                key: r.0,
                household_id: r.1,
                household_code: r.2,
                village: r.3,
                head_name: r.4,
                address: r.5,
                persons: u32_of(r.6),
                income_per_capita: r.7,
                score_a: r.8,
                deprived: IndicatorSet(u32::try_from(r.9).unwrap_or(0)),
                subgroups_bits: r.10,
                causes: u16::try_from(r.11).unwrap_or(0),
                members: by_household.remove(&r.1).unwrap_or_default(),
            })
            .collect())
    }

    /// The row key a report groups by, for names.
    pub fn row_name(&self, sel: &Selection, key: &str) -> String {
        sel.rows.name(key)
    }
}

#[derive(Debug, sqlx::FromRow)]
struct WithHousehold {
    hid: i64,
    #[sqlx(flatten)]
    member: MemberRow,
}

/// A household's official class in one period, and where its survey places it.
#[derive(Debug, Clone)]
pub(crate) struct Official {
    key: String,
    commune_code: String,
    household_code: String,
    class: Class,
    persons: u32,
    /// Its answers say it moved in from another commune (`moved_in_from`).
    moved_in: bool,
    pub(crate) place: Place,
}

/// Where a survey places a household: the columns reports select and group on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Place {
    pub province: String,
    pub commune: String,
    pub commune_code: String,
    pub unit_list: String,
    pub village_id: Option<i64>,
}

/// The households of a selection at the start and at the end of a movement, their earlier
/// classes and their splits and merges: each household's path is made from these by
/// [`PathParts::path`], whatever reads it (the paths, the movement cache).
pub(crate) struct PathParts {
    pub start: HashMap<i64, Official>,
    pub end: HashMap<i64, Official>,
    before: HashMap<i64, Vec<Option<Class>>>,
    restructured: HashMap<i64, Restructuring>,
}

impl PathParts {
    /// Every household at the start or at the end, in id order.
    pub fn ids(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self.start.keys().chain(self.end.keys()).copied().collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// The path of household `id` seen at the start as `s` and at the end as `e` (`None`:
    /// absent there, or outside the selection).
    pub fn path(&self, id: i64, s: Option<&Official>, e: Option<&Official>) -> (HouseholdPath, Restructuring) {
        let restructuring = self.restructured.get(&id).copied().unwrap_or_default();
        // Absent from the start: only a household that moved in or split off since is an
        // other increase; any other was not on the lists (not poor nor near-poor).
        let arrived = e.is_some_and(|x| x.moved_in) || restructuring.split_off;
        let path = HouseholdPath::with_history(
            self.before.get(&id).map(Vec::as_slice).unwrap_or(&[]),
            (s.map(|x| x.class), s.map_or(0, |x| x.persons)),
            (e.map(|x| x.class), e.map_or(0, |x| x.persons)),
        )
        .arrived(arrived);
        (path, restructuring)
    }
}

/// Where household `id` is today — (commune, province, household code) — for scope checks: as
/// its latest survey places it (the placement of a commune code depends on the period's unit
/// list), else as its identity row says.
pub(crate) async fn placement(db: &crate::Db, id: i64) -> Result<Option<(String, String, String)>> {
    let latest: Option<(String, String, String)> = on_pool!(db, p => sqlx::query_as(
        "SELECT current_commune, current_province, household_code FROM survey WHERE household_id = $1 \
         ORDER BY period DESC LIMIT 1",
    )
    .bind(id)
    .fetch_optional(p)
    .await?);
    if latest.is_some() {
        return Ok(latest);
    }
    Ok(on_pool!(db, p => sqlx::query_as(
        "SELECT commune_code, province_code, household_code FROM household WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(p)
    .await?))
}

/// Spells and escape from the classes of consecutive periods.
fn status_of(periods: &[PeriodClass]) -> Status {
    let mut st = Status::default();
    let mut prev: Option<Class> = None;
    for p in periods {
        match p.class {
            Some(Class::Poor) => {
                if prev != Some(Class::Poor) {
                    st.poor_since = Some(p.year);
                }
                st.near_poor_since = None;
            }
            Some(Class::NearPoor) => {
                if prev != Some(Class::NearPoor) {
                    st.near_poor_since = Some(p.year);
                }
                if prev == Some(Class::Poor) {
                    st.escaped_in = Some((p.year, p.reference_date));
                }
                st.poor_since = None;
            }
            Some(_) => {
                if matches!(prev, Some(Class::Poor | Class::NearPoor)) {
                    st.escaped_in = Some((p.year, p.reference_date));
                }
                st.poor_since = None;
                st.near_poor_since = None;
            }
            None => {}
        }
        prev = p.class.or(prev);
    }
    if let (Some((_, date)), Some(last)) = (st.escaped_in, periods.last()) {
        st.newly_escaped = vuonlen_core::movement::newly_escaped(date, last.reference_date);
    }
    st
}
