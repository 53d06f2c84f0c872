//! Support received (`support_record`, issue 14): what a household or one of its members
//! received, written all or nothing for households the writer may change, each record's member
//! checked against the household's survey; the household's groups of the period kept in
//! `support_mask`, which the report cache adds to the recorded answers form 8 counts (the changed
//! communes' groups rebuilt by the next report). Read within the reader's area; audited.

use crate::audit::{self, Change};
use crate::bulk::{TableBuffer, Val};
use crate::db::{Tx, TxConn, on_conn, on_pool};
use crate::error::Result;
use crate::scope::Registry;
use crate::sql::{Arg, Sql, bound, in_ids, in_texts};
use crate::targets::TargetUnit;
use chrono::{Datelike, NaiveDate};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use vuonlen_core::budget::FundSource;
use vuonlen_core::support::SupportKind;

/// A record to write.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSupport {
    pub household_id: i64,
    /// The member who received it (required for a kind received by a person).
    pub member_no: Option<i64>,
    pub delivered_on: NaiveDate,
    pub kind: &'static SupportKind,
    pub amount: Option<u64>,
    pub project_code: Option<String>,
    pub source: Option<FundSource>,
    /// The beneficiary list it was delivered against.
    pub list_id: Option<i64>,
    /// The plan activity that delivered it (*hoạt động*): of the year delivered, by a unit whose
    /// area holds the household, under the record's project (or its parent).
    pub activity_id: Option<i64>,
    pub note: Option<String>,
}

/// A record as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct SupportRecord {
    pub id: i64,
    pub household_id: i64,
    pub member_no: Option<i64>,
    pub delivered_on: String,
    pub period: i64,
    pub kind: String,
    pub group: String,
    pub amount: Option<u64>,
    pub project_code: Option<String>,
    pub source: Option<String>,
    pub list_id: Option<i64>,
    pub activity_id: Option<i64>,
    pub note: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// Reasons records were refused, each with the record's index.
pub type SupportRefusals = Vec<(usize, String, String)>;

/// Ids per statement of a set bound as one value ([`in_ids`]): a statement's text stays under
/// a megabyte.
const IDS_PER_STATEMENT: usize = 50_000;

/// Records encoded before they are written (the encoded rows of a million-record import would
/// otherwise all be held at once).
const ROWS_PER_WRITE: usize = 50_000;

/// Records written at once after which the planner's statistics are refreshed.
const ANALYZE_AFTER: usize = 10_000;

/// The columns of a support record as written (COPY on PostgreSQL, multi-row inserts on SQLite).
const RECORD_COLUMNS: &[&str] = &[
    "household_id",
    "member_no",
    "delivered_on",
    "period",
    "kind",
    "support_group",
    "group_bit",
    "amount",
    "project_code",
    "source",
    "list_id",
    "activity_id",
    "note",
    "current_province",
    "current_commune",
    "recorded_by",
    "recorded_at",
];

/// A plan activity as a support record is checked against it: year, project, province, commune
/// (empty for a province's).
type ActivityFacts = (i64, String, String, String);

/// The activities of `ids` that exist.
async fn activities_of(tx: &mut Tx, ids: &BTreeSet<i64>) -> Result<HashMap<i64, ActivityFacts>> {
    let mut out = HashMap::new();
    let ids: Vec<i64> = ids.iter().copied().collect();
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let mut q = Sql::new();
        q.push("SELECT id, year, project_code, current_province, current_commune FROM plan_activity WHERE id")
            .append(&in_ids(tx.engine(), chunk.iter().copied()));
        let rows: Vec<(i64, i64, String, String, String)> = on_conn!(tx, c => bound!(query_as, q).fetch_all(c).await?);
        out.extend(rows.into_iter().map(|(id, y, p, pr, c)| (id, (y, p, pr, c))));
    }
    Ok(out)
}

/// Today's (province, commune) of each of `ids` that is in the registry.
async fn places_of(tx: &mut Tx, ids: &[i64]) -> Result<HashMap<i64, (String, String)>> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let mut q = Sql::new();
        q.push("SELECT id, province_code, commune_code FROM household WHERE id")
            .append(&in_ids(tx.engine(), chunk.iter().copied()));
        let rows: Vec<(i64, String, String)> = on_conn!(tx, c => bound!(query_as, q).fetch_all(c).await?);
        out.extend(rows.into_iter().map(|(id, p, c)| (id, (p, c))));
    }
    Ok(out)
}

/// Each household's members by period (the periods in which it was surveyed), a period at a
/// time (the member key's order).
async fn members_of(tx: &mut Tx, ids: &[i64]) -> Result<HashMap<i64, BTreeMap<i64, BTreeSet<i64>>>> {
    let mut out: HashMap<i64, BTreeMap<i64, BTreeSet<i64>>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let periods: Vec<i64> = on_conn!(tx, c => sqlx::query_scalar("SELECT year FROM review_period ORDER BY year")
        .fetch_all(c)
        .await?);
    for period in periods {
        for chunk in ids.chunks(IDS_PER_STATEMENT) {
            let mut q = Sql::with_args([Arg::Int(period)]);
            q.push("SELECT household_id, period, member_no FROM member WHERE period = $1 AND household_id")
                .append(&in_ids(tx.engine(), chunk.iter().copied()));
            let rows: Vec<(i64, i64, i64)> = on_conn!(tx, c => bound!(query_as, q).fetch_all(c).await?);
            for (h, period, m) in rows {
                out.entry(h).or_default().entry(period).or_default().insert(m);
            }
        }
    }
    Ok(out)
}

/// The (list, household) pairs of `pairs` that are on their list.
async fn on_lists(tx: &mut Tx, pairs: &BTreeSet<(i64, i64)>) -> Result<BTreeSet<(i64, i64)>> {
    let mut out = BTreeSet::new();
    let lists: BTreeSet<i64> = pairs.iter().map(|(l, _)| *l).collect();
    for list in lists {
        let households: Vec<i64> = pairs.iter().filter(|(l, _)| *l == list).map(|(_, h)| *h).collect();
        for chunk in households.chunks(IDS_PER_STATEMENT) {
            let mut q = Sql::with_args([Arg::Int(list)]);
            q.push("SELECT list_id, household_id FROM beneficiary WHERE list_id = $1 AND household_id")
                .append(&in_ids(tx.engine(), chunk.iter().copied()));
            let rows: Vec<(i64, i64)> = on_conn!(tx, c => bound!(query_as, q).fetch_all(c).await?);
            out.extend(rows);
        }
    }
    Ok(out)
}

/// Adds `groups` (household, bits of its new records' groups) to the households' groups of
/// `period` in `support_mask`, as one statement: the pairs bound as two arrays (PostgreSQL) or
/// one JSON array (SQLite).
async fn add_groups(tx: &mut Tx, period: i64, groups: &[(i64, i64)]) -> Result<()> {
    match &mut tx.conn {
        TxConn::Postgres(c) => {
            let (households, bits): (Vec<i64>, Vec<i64>) = groups.iter().copied().unzip();
            sqlx::query(
                "INSERT INTO support_mask (period, household_id, mask) \
                 SELECT $1, u.household_id, u.mask FROM UNNEST(CAST($2 AS BIGINT[]), CAST($3 AS BIGINT[])) \
                 AS u (household_id, mask) \
                 ON CONFLICT (period, household_id) DO UPDATE SET mask = support_mask.mask | excluded.mask",
            )
            .bind(period)
            .bind(households)
            .bind(bits)
            .execute(&mut **c)
            .await?;
        }
        TxConn::Sqlite(c) => {
            let mut pairs = String::with_capacity(groups.len() * 16);
            for (i, (h, m)) in groups.iter().enumerate() {
                pairs.push_str(if i == 0 { "[[" } else { ",[" });
                pairs.push_str(itoa::Buffer::new().format(*h));
                pairs.push(',');
                pairs.push_str(itoa::Buffer::new().format(*m));
                pairs.push(']');
            }
            pairs.push_str(if groups.is_empty() { "[]" } else { "]" });
            sqlx::query(
                "INSERT INTO support_mask (period, household_id, mask) \
                 SELECT $1, value ->> 0, value ->> 1 FROM json_each($2) WHERE true \
                 ON CONFLICT (period, household_id) DO UPDATE SET mask = support_mask.mask | excluded.mask",
            )
            .bind(period)
            .bind(pairs)
            .execute(&mut **c)
            .await?;
        }
    }
    Ok(())
}

type SupportRow = (
    i64,
    i64,
    Option<i64>,
    String,
    i64,
    String,
    String,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    String,
    String,
);

/// A support record as the support table lists it: under the commune and household code of the
/// household, with what the table has of it.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedSupport {
    pub id: i64,
    pub household_id: i64,
    pub commune_code: String,
    pub household_code: String,
    pub member_no: Option<i64>,
    pub delivered_on: String,
    pub kind: String,
    pub amount: Option<u64>,
    pub project_code: Option<String>,
    pub source: Option<String>,
    pub activity_id: Option<i64>,
    pub note: Option<String>,
}

type ListedSupportRow = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    Option<i64>,
    String,
    String,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
);

impl Registry {
    /// Writes `records` in one transaction — or none: `Ok(Err(..))` names each record refused
    /// (a household not in the registry or outside what the writer may change, a member not of
    /// the household, a kind received by a person without one) with its index.
    pub async fn record_support(
        &self,
        records: &[NewSupport],
        actor: &str,
        command: &str,
    ) -> Result<std::result::Result<u64, SupportRefusals>> {
        let started = std::time::Instant::now();
        let mut tx = self.db.begin().await?;
        let done = self.write_support(&mut tx, records, actor, command).await?;
        match done {
            Ok(_) => tx.commit().await?,
            Err(_) => tx.rollback().await?,
        }
        tracing::debug!(ms = started.elapsed().as_millis(), "support: committed");
        // After a large import, the planner's statistics: without them PostgreSQL takes the new
        // records for a handful and joins them row by row (the coverage of a 1M-household
        // province: 3.7 s stale, 1.2 s analysed; docs/benchmarks.md §10.1).
        if done.is_ok() && records.len() >= ANALYZE_AFTER {
            self.db.analyze_support().await?;
            tracing::debug!(ms = started.elapsed().as_millis(), "support: statistics refreshed");
        }
        Ok(done)
    }

    /// [`Registry::record_support`] within `tx` (the caller commits, or drops it when refused).
    pub(crate) async fn write_support(
        &self,
        tx: &mut Tx,
        records: &[NewSupport],
        actor: &str,
        command: &str,
    ) -> Result<std::result::Result<u64, SupportRefusals>> {
        let at = crate::now();
        let started = std::time::Instant::now();
        let ids: Vec<i64> = records.iter().map(|r| r.household_id).collect::<BTreeSet<_>>().into_iter().collect();
        let places = places_of(tx, &ids).await?;
        let with_member: Vec<i64> = records
            .iter()
            .filter(|r| r.member_no.is_some())
            .map(|r| r.household_id)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let members = members_of(tx, &with_member).await?;
        let wanted: BTreeSet<(i64, i64)> = records.iter().filter_map(|r| Some((r.list_id?, r.household_id))).collect();
        let listed = on_lists(tx, &wanted).await?;
        let activities = activities_of(tx, &records.iter().filter_map(|r| r.activity_id).collect()).await?;
        tracing::debug!(
            records = records.len(),
            ms = started.elapsed().as_millis(),
            "support: households, members, lists and activities read"
        );
        let mut refused = Vec::new();
        let mut touched: BTreeMap<i64, BTreeMap<i64, i64>> = BTreeMap::new();
        let mut changed: HashMap<i64, BTreeSet<(String, String)>> = HashMap::new();
        for (k, r) in records.iter().enumerate() {
            let Some((province, commune)) = places.get(&r.household_id) else {
                refused.push((k, "Hộ không có trong sổ hộ.".into(), "The household is not in the registry.".into()));
                continue;
            };
            if !self.may_change(province, commune) {
                refused.push((
                    k,
                    "Hộ ngoài phạm vi được giao cho tài khoản này.".into(),
                    "The household is outside your area.".into(),
                ));
                continue;
            }
            let year = i64::from(r.delivered_on.year());
            if let Some(list) = r.list_id
                && !listed.contains(&(list, r.household_id))
            {
                refused.push((
                    k,
                    format!("Hộ không thuộc danh sách thụ hưởng số {list}: không đáp ứng điều kiện của danh sách."),
                    format!("The household is not on beneficiary list {list}: it does not meet the list's rule."),
                ));
                continue;
            }
            if let Some(a) = r.activity_id {
                let why = match activities.get(&a) {
                    None => Some((format!("Không có hoạt động số {a}."), format!("No activity {a}."))),
                    Some((y, ..)) if *y != year => Some((
                        format!("Hoạt động số {a} thuộc kế hoạch năm {y}, không phải năm {year} trao hỗ trợ."),
                        format!("Activity {a} is of the {y} plan, not of {year} when the support was delivered."),
                    )),
                    Some((_, _, p, c)) if *p != *province || (!c.is_empty() && c != commune) => Some((
                        format!("Hoạt động số {a} không thuộc đơn vị có hộ này."),
                        format!("Activity {a} is not of a unit the household is in."),
                    )),
                    Some((_, project, ..))
                        if r.project_code
                            .as_deref()
                            .is_some_and(|rp| rp != project && !rp.starts_with(&format!("{project}."))) =>
                    {
                        Some((
                            format!(
                                "Hoạt động số {a} thuộc dự án {project}, không phải {}.",
                                r.project_code.as_deref().unwrap_or_default()
                            ),
                            format!(
                                "Activity {a} is under {project}, not {}.",
                                r.project_code.as_deref().unwrap_or_default()
                            ),
                        ))
                    }
                    _ => None,
                };
                if let Some((vi, en)) = why {
                    refused.push((k, vi, en));
                    continue;
                }
            }
            match r.member_no {
                Some(m) => {
                    // The members of its latest survey up to the year delivered.
                    let latest = members.get(&r.household_id).and_then(|by| by.range(..=year).next_back());
                    if !latest.is_some_and(|(_, ms)| ms.contains(&m)) {
                        refused.push((
                            k,
                            format!("Hộ không có thành viên số {m} (phiếu rà soát gần nhất)."),
                            format!("The household has no member {m} (latest survey)."),
                        ));
                        continue;
                    }
                }
                None if r.kind.per_person => {
                    refused.push((
                        k,
                        format!("{} là hỗ trợ cho từng người: ghi số thứ tự thành viên.", r.kind.label_vi),
                        format!("{} is received by a person: give the member number.", r.kind.label_en),
                    ));
                    continue;
                }
                None => {}
            }
            *touched.entry(year).or_default().entry(r.household_id).or_default() |= r.kind.group.bit();
            changed.entry(year).or_default().insert((province.clone(), commune.clone()));
        }
        if !refused.is_empty() {
            return Ok(Err(refused));
        }
        tracing::debug!(ms = started.elapsed().as_millis(), "support: records checked");
        let i = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        let mut rows = TableBuffer::new(tx.engine(), "support_record", RECORD_COLUMNS);
        for r in records {
            let (province, commune) = &places[&r.household_id];
            rows.push([
                Val::from(r.household_id),
                Val::from(r.member_no),
                Val::from(r.delivered_on.format("%Y-%m-%d").to_string()),
                Val::from(i64::from(r.delivered_on.year())),
                Val::from(r.kind.key),
                Val::from(r.kind.group.key()),
                Val::from(r.kind.group.bit()),
                Val::from(r.amount.map(i)),
                Val::from(r.project_code.as_deref()),
                Val::from(r.source.map(|s| s.key())),
                Val::from(r.list_id),
                Val::from(r.activity_id),
                Val::from(r.note.as_deref()),
                Val::from(province),
                Val::from(commune),
                Val::from(actor),
                Val::from(at.as_str()),
            ]);
            if rows.rows() == ROWS_PER_WRITE {
                rows.flush(tx).await?;
            }
        }
        rows.flush(tx).await?;
        tracing::debug!(ms = started.elapsed().as_millis(), "support: records inserted");
        // The households' groups in each period: records are only ever added, so a household's
        // groups are what it had and those of its new records.
        for (period, masks) in &touched {
            let masks: Vec<(i64, i64)> = masks.iter().map(|(h, m)| (*h, *m)).collect();
            for chunk in masks.chunks(IDS_PER_STATEMENT) {
                add_groups(tx, *period, chunk).await?;
            }
        }
        tracing::debug!(ms = started.elapsed().as_millis(), "support: group masks rebuilt");
        for (period, communes) in changed {
            crate::tally::bump(tx, period, &crate::tally::Changed::Answers(communes)).await?;
        }
        tracing::debug!(ms = started.elapsed().as_millis(), "support: report cache marked");
        let one = records.len() == 1;
        let field = match records.first() {
            Some(r) if one => r.kind.key.to_string(),
            _ => format!("{} records", records.len()),
        };
        let change = Change {
            actor,
            command,
            entity: "support",
            household_id: records.first().filter(|_| one).map(|r| r.household_id),
            period: records.first().map(|r| i64::from(r.delivered_on.year())),
            member_no: records.first().filter(|_| one).and_then(|r| r.member_no),
            field: &field,
            old_value: None,
            new_value: Some(&format!("{} bản ghi hỗ trợ / support records", records.len())),
        };
        audit::record_now(tx, &change, &at).await?;
        Ok(Ok(records.len() as u64))
    }

    /// A household's support records, newest first (none when the reader may not read it).
    pub async fn support_of(&self, household_id: i64) -> Result<Vec<SupportRecord>> {
        let mut q = Sql::with_args([Arg::Int(household_id)]);
        q.push(
            "SELECT r.id, r.household_id, r.member_no, r.delivered_on, r.period, r.kind, r.support_group, r.amount, \
             r.project_code, r.source, r.list_id, r.activity_id, r.note, r.recorded_by, r.recorded_at FROM support_record r \
             WHERE r.household_id = $1 AND ",
        )
        .append(&self.scope.sql("r"))
        .push(" ORDER BY r.delivered_on DESC, r.id DESC");
        let rows: Vec<SupportRow> = on_pool!(self.db, p => bound!(query_as, q).fetch_all(p).await?);
        Ok(rows
            .into_iter()
            .map(|r| SupportRecord {
                id: r.0,
                household_id: r.1,
                member_no: r.2,
                delivered_on: r.3,
                period: r.4,
                kind: r.5,
                group: r.6,
                amount: r.7.map(|v| u64::try_from(v).unwrap_or(0)),
                project_code: r.8,
                source: r.9,
                list_id: r.10,
                activity_id: r.11,
                note: r.12,
                recorded_by: r.13,
                recorded_at: r.14,
            })
            .collect())
    }

    /// The support records delivered in `year` to households of `unit` (a province or a commune;
    /// a village: its commune's; the country: everything) within the reader's area, each with
    /// the commune and household code it is listed under (the alias of its current commune when
    /// it has one, else its latest), by commune, household, day and id: the support table's
    /// rows. Nothing when the reader may not read `unit`.
    pub async fn support_records_in(&self, unit: &TargetUnit, year: i64) -> Result<Vec<ListedSupport>> {
        if !self.may_read_unit(unit) {
            return Ok(Vec::new());
        }
        let (province, commune) = unit.place();
        let mut q = Sql::with_args([Arg::Int(year)]);
        q.push(
            "SELECT r.id, r.household_id, r.current_commune, \
             COALESCE((SELECT MIN(a.household_code) FROM household_alias a WHERE a.household_id = r.household_id \
                 AND a.commune_code = r.current_commune), ''), \
             COALESCE((SELECT a.commune_code FROM household_alias a WHERE a.household_id = r.household_id \
                 ORDER BY a.commune_code DESC LIMIT 1), ''), \
             COALESCE((SELECT a.household_code FROM household_alias a WHERE a.household_id = r.household_id \
                 ORDER BY a.commune_code DESC LIMIT 1), ''), \
             r.member_no, r.delivered_on, r.kind, r.amount, r.project_code, r.source, r.activity_id, r.note \
             FROM support_record r WHERE r.period = $1",
        );
        if !province.is_empty() && unit.code != "VN" {
            q.push(" AND r.current_province = ").bind(province);
        }
        if !commune.is_empty() {
            q.push(" AND r.current_commune = ").bind(commune);
        }
        q.push(" AND ")
            .append(&self.scope.sql("r"))
            .push(" ORDER BY r.current_commune, r.household_id, r.delivered_on, r.id");
        let rows: Vec<ListedSupportRow> = on_pool!(self.db, p => bound!(query_as, q).fetch_all(p).await?);
        Ok(rows
            .into_iter()
            .map(|r| {
                // Its code in its current commune, else the latest it was recorded under.
                let (commune_code, household_code) = if r.3.is_empty() { (r.4, r.5) } else { (r.2, r.3) };
                ListedSupport {
                    id: r.0,
                    household_id: r.1,
                    commune_code,
                    household_code,
                    member_no: r.6,
                    delivered_on: r.7,
                    kind: r.8,
                    amount: r.9.map(|v| u64::try_from(v).unwrap_or(0)),
                    project_code: r.10,
                    source: r.11,
                    activity_id: r.12,
                    note: r.13,
                }
            })
            .collect())
    }

    /// The households of `keys` (commune as recorded, household code) the reader may read, by key
    /// (a commune's codes at a time: the alias key's order).
    pub async fn household_ids_of(&self, keys: &[(String, String)]) -> Result<HashMap<(String, String), i64>> {
        let mut by_commune: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (commune, code) in keys {
            by_commune.entry(commune.as_str()).or_default().push(code.as_str());
        }
        let mut out = HashMap::new();
        let started = std::time::Instant::now();
        for (commune, codes) in by_commune {
            for chunk in codes.chunks(IDS_PER_STATEMENT) {
                let mut q = Sql::with_args([Arg::from(commune)]);
                q.push(
                    "SELECT a.household_code, h.id FROM household_alias a JOIN (SELECT id, \
                     province_code AS current_province, commune_code AS current_commune FROM household) h \
                     ON h.id = a.household_id WHERE a.commune_code = $1 AND a.household_code",
                )
                .append(&in_texts(self.db.engine(), chunk.iter().copied()))
                .push(" AND ")
                .append(&self.scope.sql("h"));
                let rows: Vec<(String, i64)> = on_pool!(self.db, p => bound!(query_as, q).fetch_all(p).await?);
                out.extend(rows.into_iter().map(|(k, id)| ((commune.to_string(), k), id)));
            }
        }
        tracing::debug!(keys = keys.len(), ms = started.elapsed().as_millis(), "households looked up by code");
        Ok(out)
    }

    /// The household of `(commune as recorded, household code)` in the registry, if the reader
    /// may read it.
    pub async fn household_id_of(&self, commune: &str, code: &str) -> Result<Option<i64>> {
        let mut q = Sql::with_args([Arg::from(commune), Arg::from(code)]);
        q.push(
            "SELECT h.id FROM household_alias a JOIN (SELECT id, province_code AS current_province, \
             commune_code AS current_commune FROM household) h ON h.id = a.household_id \
             WHERE a.commune_code = $1 AND a.household_code = $2 AND ",
        )
        .append(&self.scope.sql("h"));
        Ok(on_pool!(self.db, p => bound!(query_scalar, q).fetch_optional(p).await?))
    }
}
