//! Household links (*tách hộ*, *nhập hộ*): a household keeps its identity across periods, and
//! the registry records when a new household split off from one (a married son setting up his
//! own household) or when a household merged into another and ceased, from a review period on.
//!
//! A link is written through a [`Registry`], so both households must be in the caller's scope
//! (outside it they look absent), in one transaction with its two audit rows. The checks:
//! both households exist, they are two, the link is not recorded yet, a household splits off
//! one household only and merges into one only, splits and merges form no cycle, and the
//! households' periods agree with the link (the new household of a split has no answers before
//! it, a merged household none from it on).
//!
//! Links are read back in the household view ([`Registry::household`]) and in the movements
//! between two periods ([`Registry::paths`], as a [`vuonlen_core::movement::Restructuring`]).

use crate::audit::{self, Change};
use crate::bulk::execute;
use crate::db::{Engine, Tx, on_conn, on_pool};
use crate::error::{Result, StoreError};
use crate::scope::Registry;
use chrono::NaiveDate;
use std::collections::HashSet;

/// What happened between two households.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkKind {
    /// *Tách hộ*: a new household formed from some members of an existing one, which stays.
    Split,
    /// *Nhập hộ*: a household joined another one and ceased.
    Merge,
}

impl LinkKind {
    /// The key stored in `household_link.kind`.
    pub fn key(self) -> &'static str {
        match self {
            LinkKind::Split => "split",
            LinkKind::Merge => "merge",
        }
    }

    pub fn parse(s: &str) -> Option<LinkKind> {
        match s {
            "split" => Some(LinkKind::Split),
            "merge" => Some(LinkKind::Merge),
            _ => None,
        }
    }
}

/// A household named as recorded: commune code and household code (*mã hộ*).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdRef {
    pub commune_code: String,
    pub household_code: String,
}

impl HouseholdRef {
    pub fn new(commune_code: impl Into<String>, household_code: impl Into<String>) -> Self {
        HouseholdRef { commune_code: commune_code.into(), household_code: household_code.into() }
    }
}

impl std::fmt::Display for HouseholdRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.commune_code, self.household_code)
    }
}

/// A link to record.
#[derive(Debug, Clone)]
pub struct LinkSpec {
    pub kind: LinkKind,
    /// Split: the household the new one split off from. Merge: the household that merges and
    /// ceases.
    pub from: HouseholdRef,
    /// Split: the new household. Merge: the household it joins.
    pub to: HouseholdRef,
    /// The first review period in which the households are as linked.
    pub period: i64,
    /// The date of the change, when known: after the previous period's reference date and not
    /// after this period's.
    pub effective_date: Option<NaiveDate>,
    /// Who records it, and through which command, for the audit log.
    pub actor: String,
    pub command: String,
}

/// A recorded link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub kind: LinkKind,
    pub from_id: i64,
    pub to_id: i64,
    pub period: i64,
    pub effective_date: Option<NaiveDate>,
}

/// A link as seen from one of its households.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRole {
    /// A new household split off from this one.
    SplitOrigin,
    /// This household split off from the other one (it is the new household).
    SplitOff,
    /// This household merged into the other one and ceased.
    MergedInto,
    /// The other household merged into this one.
    Absorbed,
}

impl LinkRole {
    fn of(kind: LinkKind, is_from: bool) -> LinkRole {
        match (kind, is_from) {
            (LinkKind::Split, true) => LinkRole::SplitOrigin,
            (LinkKind::Split, false) => LinkRole::SplitOff,
            (LinkKind::Merge, true) => LinkRole::MergedInto,
            (LinkKind::Merge, false) => LinkRole::Absorbed,
        }
    }

    /// A short Vietnamese phrase that reads before the other household: "Tách từ hộ …".
    pub fn label_vi(self) -> &'static str {
        match self {
            LinkRole::SplitOrigin => "Có hộ tách ra:",
            LinkRole::SplitOff => "Tách từ hộ",
            LinkRole::MergedInto => "Nhập vào hộ",
            LinkRole::Absorbed => "Nhận hộ nhập vào:",
        }
    }

    /// The same in English: "split off from …".
    pub fn label_en(self) -> &'static str {
        match self {
            LinkRole::SplitOrigin => "a household split off:",
            LinkRole::SplitOff => "split off from",
            LinkRole::MergedInto => "merged into",
            LinkRole::Absorbed => "absorbed household",
        }
    }
}

/// One line of a household's lineage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lineage {
    pub role: LinkRole,
    pub period: i64,
    pub effective_date: Option<NaiveDate>,
    /// The other household as last recorded (commune, code); `None` when it is outside the
    /// reader's scope (it is not named).
    pub other: Option<HouseholdRef>,
}

fn invalid(vi: String, en: String) -> StoreError {
    StoreError::Invalid(format!("{vi} / {en}"))
}

fn parse_date(s: Option<String>) -> Result<Option<NaiveDate>> {
    s.map(|d| {
        NaiveDate::parse_from_str(&d, "%Y-%m-%d")
            .map_err(|_| StoreError::Invalid(format!("stored date '{d}' is not valid")))
    })
    .transpose()
}

impl Registry {
    /// Records a split or a merge (`vuonlen household link`), with its audit rows, in one
    /// transaction. Either household outside the scope is reported as not found.
    pub async fn link(&self, spec: &LinkSpec) -> Result<Link> {
        let mut tx = self.db.begin().await?;
        if tx.engine() == Engine::Postgres {
            // One link at a time: the cycle and uniqueness checks read what others may write.
            execute(&mut tx, "LOCK TABLE household_link IN SHARE ROW EXCLUSIVE MODE", vec![]).await?;
        }
        let result = self.link_in(&mut tx, spec).await;
        match result {
            Ok(link) => {
                // The movements of the period change (dashboards read them); its tallies do not.
                crate::tally::bump(&mut tx, spec.period, &crate::tally::Changed::Lineage).await?;
                tx.commit().await?;
                Ok(link)
            }
            Err(e) => {
                tx.rollback().await?;
                Err(e)
            }
        }
    }

    async fn link_in(&self, tx: &mut Tx, spec: &LinkSpec) -> Result<Link> {
        let from = self.find(tx, &spec.from).await?;
        let to = self.find(tx, &spec.to).await?;
        let (f, t) = (&spec.from, &spec.to);
        if from == to {
            return Err(invalid(
                format!("{f} và {t} là cùng một hộ, không thể liên kết với chính nó"),
                format!("{f} and {t} are the same household; it cannot be linked to itself"),
            ));
        }
        let p = spec.period;
        let dates: Vec<(i64, String)> = on_conn!(tx, c => sqlx::query_as(
            "SELECT year, reference_date FROM review_period WHERE year <= $1 ORDER BY year DESC LIMIT 2",
        )
        .bind(p)
        .fetch_all(c)
        .await?);
        let Some((_, reference)) = dates.first().filter(|(y, _)| *y == p) else {
            return Err(invalid(format!("không có kỳ rà soát {p}"), format!("there is no review period {p}")));
        };
        if let Some(date) = spec.effective_date {
            let iso = date.format("%Y-%m-%d").to_string();
            let after_previous = dates.get(1).is_none_or(|(_, prev)| iso > *prev);
            if iso > *reference || !after_previous {
                let (vi, en) = match dates.get(1) {
                    Some((_, prev)) => {
                        (format!("sau {prev}, đến hết {reference}"), format!("after {prev}, up to {reference}"))
                    }
                    None => (format!("đến hết {reference}"), format!("up to {reference}")),
                };
                return Err(invalid(
                    format!("ngày {iso} không thuộc kỳ {p} ({vi})"),
                    format!("date {iso} is not within period {p} ({en})"),
                ));
            }
        }
        let kind = spec.kind;
        let existing: Option<i64> = on_conn!(tx, c => sqlx::query_scalar(
            "SELECT period FROM household_link WHERE from_id = $1 AND to_id = $2 AND kind = $3",
        )
        .bind(from)
        .bind(to)
        .bind(kind.key())
        .fetch_optional(c)
        .await?);
        if let Some(y) = existing {
            let (vi, en) = match kind {
                LinkKind::Split => ("tách", "split"),
                LinkKind::Merge => ("nhập", "merge"),
            };
            return Err(invalid(
                format!("liên kết {vi} hộ {f} → {t} đã được ghi nhận (kỳ {y})"),
                format!("the {en} {f} → {t} is already recorded (period {y})"),
            ));
        }
        // A household merges into one household only, and one that merged away in an earlier
        // period takes part in nothing afterwards.
        for (id, r) in [(from, f), (to, t)] {
            let merged: Option<i64> = on_conn!(tx, c => sqlx::query_scalar(
                "SELECT period FROM household_link WHERE from_id = $1 AND kind = 'merge'",
            )
            .bind(id)
            .fetch_optional(c)
            .await?);
            if let Some(y) = merged.filter(|y| (kind == LinkKind::Merge && id == from) || *y < p) {
                return Err(invalid(
                    format!("hộ {r} đã nhập vào một hộ khác (kỳ {y})"),
                    format!("household {r} has already merged into another household (period {y})"),
                ));
            }
        }
        let surveyed = |rows: &[i64], pred: &dyn Fn(i64) -> bool| rows.iter().copied().find(|y| pred(*y));
        let from_periods = self.survey_periods(tx, from).await?;
        let to_periods = self.survey_periods(tx, to).await?;
        match kind {
            LinkKind::Split => {
                let origin: Option<i64> = on_conn!(tx, c => sqlx::query_scalar(
                    "SELECT from_id FROM household_link WHERE to_id = $1 AND kind = 'split'",
                )
                .bind(to)
                .fetch_optional(c)
                .await?);
                if origin.is_some() {
                    return Err(invalid(
                        format!("hộ {t} đã được ghi nhận là tách từ một hộ khác"),
                        format!("household {t} is already recorded as split off from another household"),
                    ));
                }
                if self.reaches(tx, LinkKind::Split, from, to).await? {
                    return Err(invalid(
                        format!("hộ {f} lại tách ra từ hộ {t}: vòng lặp tách hộ"),
                        format!("household {f} itself descends from {t} by splits: a cycle"),
                    ));
                }
                if let Some(y) = surveyed(&to_periods, &|y| y < p) {
                    return Err(invalid(
                        format!("hộ mới {t} đã có phiếu kỳ {y}, trước kỳ tách {p}"),
                        format!("the new household {t} has answers in period {y}, before the split in {p}"),
                    ));
                }
                if surveyed(&from_periods, &|y| y <= p).is_none() {
                    return Err(invalid(
                        format!("hộ {f} chưa có phiếu đến kỳ {p}: không thể có hộ tách ra từ nó"),
                        format!("household {f} has no answers up to period {p}: nothing can split off from it"),
                    ));
                }
            }
            LinkKind::Merge => {
                if self.reaches(tx, LinkKind::Merge, from, to).await? {
                    return Err(invalid(
                        format!("hộ {t} đã nhập (trực tiếp hay gián tiếp) vào hộ {f}: vòng lặp nhập hộ"),
                        format!("household {t} has merged (directly or not) into {f}: a cycle"),
                    ));
                }
                if let Some(y) = surveyed(&from_periods, &|y| y >= p) {
                    return Err(invalid(
                        format!("hộ {f} còn phiếu kỳ {y}, từ kỳ nhập hộ {p} trở đi"),
                        format!("household {f} has answers in period {y}, at or after the merge in {p}"),
                    ));
                }
                if surveyed(&from_periods, &|y| y < p).is_none() {
                    return Err(invalid(
                        format!("hộ {f} không có phiếu trước kỳ {p}"),
                        format!("household {f} has no answers before period {p}"),
                    ));
                }
                if surveyed(&to_periods, &|y| y >= p).is_none() {
                    return Err(invalid(
                        format!("hộ nhận {t} không có phiếu từ kỳ {p} trở đi"),
                        format!("the receiving household {t} has no answers from period {p} on"),
                    ));
                }
            }
        }
        let now = crate::now();
        let date = spec.effective_date.map(|d| d.format("%Y-%m-%d").to_string());
        execute(
            tx,
            "INSERT INTO household_link (from_id, to_id, kind, period, effective_date, actor, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            vec![
                from.into(),
                to.into(),
                kind.key().into(),
                p.into(),
                date.clone().into(),
                spec.actor.as_str().into(),
                now.clone().into(),
            ],
        )
        .await?;
        // One row per household, naming the other one (codes, not personal data).
        let (from_field, to_field) = match kind {
            LinkKind::Split => ("split_off_into", "split_off_from"),
            LinkKind::Merge => ("merged_into", "absorbed"),
        };
        let (f_text, t_text) = (f.to_string(), t.to_string());
        for (id, field, other, old) in
            [(from, from_field, &t_text, date.as_deref()), (to, to_field, &f_text, date.as_deref())]
        {
            audit::record_now(
                tx,
                &Change {
                    actor: &spec.actor,
                    command: &spec.command,
                    entity: "household_link",
                    household_id: Some(id),
                    period: Some(p),
                    member_no: None,
                    field,
                    // The effective date, when given, in the old-value column (nothing was there).
                    old_value: old,
                    new_value: Some(other),
                },
                &now,
            )
            .await?;
        }
        tracing::debug!(kind = kind.key(), from, to, period = p, "household link recorded");
        Ok(Link { kind, from_id: from, to_id: to, period: p, effective_date: spec.effective_date })
    }

    /// The id of the household known by `r`, if it is in the scope.
    async fn find(&self, tx: &mut Tx, r: &HouseholdRef) -> Result<i64> {
        let found: Option<(i64, String, String)> = on_conn!(tx, c => sqlx::query_as(
            "SELECT h.id, h.commune_code, h.province_code FROM household_alias a JOIN household h ON h.id = a.household_id \
             WHERE a.commune_code = $1 AND a.household_code = $2",
        )
        .bind(&r.commune_code)
        .bind(&r.household_code)
        .fetch_optional(c)
        .await?);
        let Some((id, _, _)) = found else { return Err(StoreError::NotFound(format!("hộ / household {r}"))) };
        match crate::reads::placement(&self.db, id).await? {
            // Outside the area the user may change looks the same as absent.
            Some((commune, province, _)) if self.write.contains(&province, &commune) => Ok(id),
            _ => Err(StoreError::NotFound(format!("hộ / household {r}"))),
        }
    }

    async fn survey_periods(&self, tx: &mut Tx, id: i64) -> Result<Vec<i64>> {
        Ok(on_conn!(tx, c => sqlx::query_scalar("SELECT period FROM survey WHERE household_id = $1 ORDER BY period")
            .bind(id)
            .fetch_all(c)
            .await?))
    }

    /// Whether recording `from → to` as `kind` would close a cycle. Splits: walk up from the
    /// origin (`from`) through the households it split off from; a cycle when the new household
    /// is among them. Merges: walk on from the receiving household (`to`) through the households
    /// it merged into; a cycle when the merged household is among them. Each household has at
    /// most one link of each kind to follow.
    async fn reaches(&self, tx: &mut Tx, kind: LinkKind, from: i64, to: i64) -> Result<bool> {
        let (sql, mut at, goal) = match kind {
            LinkKind::Split => ("SELECT from_id FROM household_link WHERE to_id = $1 AND kind = 'split'", from, to),
            LinkKind::Merge => ("SELECT to_id FROM household_link WHERE from_id = $1 AND kind = 'merge'", to, from),
        };
        let mut seen = HashSet::new();
        while seen.insert(at) {
            if at == goal {
                return Ok(true);
            }
            let next: Option<i64> = on_conn!(tx, c => sqlx::query_scalar(sql).bind(at).fetch_optional(c).await?);
            match next {
                Some(n) => at = n,
                None => return Ok(false),
            }
        }
        Ok(false)
    }

    /// The splits and merges a household took part in, oldest first (for [`Registry::household`]).
    pub(crate) async fn lineage(&self, id: i64) -> Result<Vec<Lineage>> {
        type Row = (String, i64, i64, i64, Option<String>, String, String);
        let rows: Vec<Row> = on_pool!(self.db, p => sqlx::query_as(
            "SELECT l.kind, l.from_id, l.to_id, l.period, l.effective_date, h.commune_code, h.province_code \
             FROM household_link l JOIN household h ON h.id = CASE WHEN l.from_id = $1 THEN l.to_id ELSE l.from_id END \
             WHERE l.from_id = $1 OR l.to_id = $1 ORDER BY l.period, l.created_at, l.kind",
        )
        .bind(id)
        .fetch_all(p)
        .await?);
        let mut out = Vec::with_capacity(rows.len());
        for (kind, from_id, to_id, period, date, commune, province) in rows {
            let kind = LinkKind::parse(&kind)
                .ok_or_else(|| StoreError::Invalid(format!("stored link kind '{kind}' is not valid")))?;
            let other_id = if from_id == id { to_id } else { from_id };
            let other = if self.scope.contains(&province, &commune) {
                let last: Option<(String, String)> = on_pool!(self.db, p => sqlx::query_as(
                    "SELECT commune_code, household_code FROM survey WHERE household_id = $1 ORDER BY period DESC LIMIT 1",
                )
                .bind(other_id)
                .fetch_optional(p)
                .await?);
                last.map(|(c, h)| HouseholdRef::new(c, h))
            } else {
                None
            };
            out.push(Lineage {
                role: LinkRole::of(kind, from_id == id),
                period,
                effective_date: parse_date(date)?,
                other,
            });
        }
        Ok(out)
    }
}
