//! Support received (`support_record`, issue 14): what a household or one of its members
//! received, written all or nothing for households the writer may change, each record's member
//! checked against the household's survey; the household's groups of the period kept in
//! `support_mask`, which the report cache adds to the recorded answers form 8 counts (the changed
//! communes' groups rebuilt by the next report). Read within the reader's area; audited.

use crate::audit::{self, Change};
use crate::db::{Tx, on_conn, on_pool};
use crate::error::Result;
use crate::scope::Registry;
use crate::sql::{Arg, Sql, bound};
use chrono::{Datelike, NaiveDate};
use std::collections::{BTreeSet, HashMap};
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
    pub note: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// Reasons records were refused, each with the record's index.
pub type SupportRefusals = Vec<(usize, String, String)>;

/// Where a household is today and the members of its latest survey up to a year.
struct Place {
    province: String,
    commune: String,
}

async fn place_of(tx: &mut Tx, household_id: i64) -> Result<Option<Place>> {
    let r: Option<(String, String)> = on_conn!(tx, c => sqlx::query_as(
        "SELECT province_code, commune_code FROM household WHERE id = $1",
    )
    .bind(household_id)
    .fetch_optional(c)
    .await?);
    Ok(r.map(|(province, commune)| Place { province, commune }))
}

/// Whether `member_no` is a member of the household in its latest survey up to `year`.
async fn is_member(tx: &mut Tx, household_id: i64, year: i64, member_no: i64) -> Result<bool> {
    let found: Option<i64> = on_conn!(tx, c => sqlx::query_scalar(
        "SELECT m.member_no FROM member m WHERE m.household_id = $1 AND m.member_no = $3 AND m.period = \
         (SELECT MAX(s.period) FROM survey s WHERE s.household_id = $1 AND s.period <= $2)",
    )
    .bind(household_id)
    .bind(year)
    .bind(member_no)
    .fetch_optional(c)
    .await?);
    Ok(found.is_some())
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
    Option<String>,
    String,
    String,
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
        let at = crate::now();
        let mut tx = self.db.begin().await?;
        let mut refused = Vec::new();
        let mut places: HashMap<i64, Option<Place>> = HashMap::new();
        let mut touched: BTreeSet<(i64, i64)> = BTreeSet::new();
        let mut changed: HashMap<i64, BTreeSet<(String, String)>> = HashMap::new();
        for (k, r) in records.iter().enumerate() {
            if let std::collections::hash_map::Entry::Vacant(e) = places.entry(r.household_id) {
                e.insert(place_of(&mut tx, r.household_id).await?);
            }
            let Some(Some(place)) = places.get(&r.household_id) else {
                refused.push((k, "Hộ không có trong sổ hộ.".into(), "The household is not in the registry.".into()));
                continue;
            };
            if !self.may_change(&place.province, &place.commune) {
                refused.push((
                    k,
                    "Hộ ngoài phạm vi được giao cho tài khoản này.".into(),
                    "The household is outside your area.".into(),
                ));
                continue;
            }
            let year = i64::from(r.delivered_on.year());
            if let Some(list) = r.list_id {
                let on: Option<i64> = on_conn!(tx, c => sqlx::query_scalar(
                    "SELECT household_id FROM beneficiary WHERE list_id = $1 AND household_id = $2",
                )
                .bind(list)
                .bind(r.household_id)
                .fetch_optional(c)
                .await?);
                if on.is_none() {
                    refused.push((
                        k,
                        format!("Hộ không thuộc danh sách thụ hưởng số {list}: không đáp ứng điều kiện của danh sách."),
                        format!("The household is not on beneficiary list {list}: it does not meet the list's rule."),
                    ));
                    continue;
                }
            }
            match r.member_no {
                Some(m) if !is_member(&mut tx, r.household_id, year, m).await? => {
                    refused.push((
                        k,
                        format!("Hộ không có thành viên số {m} (phiếu rà soát gần nhất)."),
                        format!("The household has no member {m} (latest survey)."),
                    ));
                    continue;
                }
                None if r.kind.per_person => {
                    refused.push((
                        k,
                        format!("{} là hỗ trợ cho từng người: ghi số thứ tự thành viên.", r.kind.label_vi),
                        format!("{} is received by a person: give the member number.", r.kind.label_en),
                    ));
                    continue;
                }
                _ => {}
            }
            let i = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
            on_conn!(tx, c => sqlx::query(
                "INSERT INTO support_record (household_id, member_no, delivered_on, period, kind, support_group, group_bit, \
                     amount, project_code, source, list_id, note, current_province, current_commune, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            )
            .bind(r.household_id)
            .bind(r.member_no)
            .bind(r.delivered_on.format("%Y-%m-%d").to_string())
            .bind(year)
            .bind(r.kind.key)
            .bind(r.kind.group.key())
            .bind(r.kind.group.bit())
            .bind(r.amount.map(i))
            .bind(r.project_code.as_deref())
            .bind(r.source.map(|s| s.key()))
            .bind(r.list_id)
            .bind(r.note.as_deref())
            .bind(place.province.as_str())
            .bind(place.commune.as_str())
            .bind(actor)
            .bind(at.as_str())
            .execute(c)
            .await?
            .rows_affected());
            touched.insert((year, r.household_id));
            changed.entry(year).or_default().insert((place.province.clone(), place.commune.clone()));
        }
        if !refused.is_empty() {
            tx.rollback().await?;
            return Ok(Err(refused));
        }
        // The households' groups in each period, again from their records.
        for (period, household) in &touched {
            on_conn!(tx, c => sqlx::query(
                "INSERT INTO support_mask (period, household_id, mask) \
                 SELECT period, household_id, SUM(DISTINCT group_bit) FROM support_record \
                 WHERE period = $1 AND household_id = $2 GROUP BY period, household_id \
                 ON CONFLICT (period, household_id) DO UPDATE SET mask = excluded.mask",
            )
            .bind(*period)
            .bind(*household)
            .execute(c)
            .await?
            .rows_affected());
        }
        for (period, communes) in changed {
            crate::tally::bump(&mut tx, period, &crate::tally::Changed::Answers(communes)).await?;
        }
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
        audit::record_now(&mut tx, &change, &at).await?;
        tx.commit().await?;
        Ok(Ok(records.len() as u64))
    }

    /// A household's support records, newest first (none when the reader may not read it).
    pub async fn support_of(&self, household_id: i64) -> Result<Vec<SupportRecord>> {
        let mut q = Sql::with_args([Arg::Int(household_id)]);
        q.push(
            "SELECT r.id, r.household_id, r.member_no, r.delivered_on, r.period, r.kind, r.support_group, r.amount, \
             r.project_code, r.source, r.list_id, r.note, r.recorded_by, r.recorded_at FROM support_record r \
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
                note: r.11,
                recorded_by: r.12,
                recorded_at: r.13,
            })
            .collect())
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
