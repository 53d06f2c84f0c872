//! Looking households up for people (the web application's lists and pages): filtered,
//! searched and paginated lists in Vietnamese alphabetical order, one household's answers and
//! members in a period, its audit log. Every query carries the [`Registry`]'s scope.

use crate::audit::{self, Entry};
use crate::db::{Engine, on_pool};
use crate::error::{Result, StoreError};
pub use crate::name_search::SEARCH_COUNT_CAP;
use crate::reads::HouseholdView;
use crate::rows::{MEMBER_SELECT, MemberRow, SURVEY_SELECT, SurveyRow};
use crate::scope::Registry;
use crate::sql::{Arg, Sql, bound};
use std::collections::HashMap;
use vuonlen_core::Class;
use vuonlen_core::classify::IndicatorSet;
use vuonlen_core::text::fold;

/// What a household list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HouseholdFilter {
    /// A province (2 digits) or commune (5 digits) of the 2025 list, within the scope.
    pub unit: Option<String>,
    pub class: Option<Class>,
    pub village_id: Option<i64>,
    /// Deprived in the indicator with this index in the period's standard.
    pub deprived: Option<u32>,
    /// Ethnic-minority head.
    pub ethnic_minority: bool,
    /// No member able to work.
    pub no_labour_capacity: bool,
    /// A name (with or without diacritics, from its beginning), a personal ID number (from its
    /// beginning, at least 6 digits) or a household code.
    pub query: Option<String>,
}

/// One household of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct HouseholdRow {
    pub household_id: i64,
    pub commune_code: String,
    pub current_commune: String,
    pub household_code: String,
    pub village: String,
    pub head_name: String,
    pub class: Option<Class>,
    pub persons: u32,
    pub deprived: IndicatorSet,
    pub subgroups_bits: i64,
    pub income_per_capita: Option<i64>,
    /// The members a search found this household by (their names, in member order): a name
    /// search can match a member who is not the head. Empty without a search, or when the
    /// household code matched.
    pub matched: Vec<String>,
}

/// A page of a list, and how many rows there are (counted up to [`COUNT_CAP`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    /// There are more than `total` rows: counting stopped at [`COUNT_CAP`] (a list) or at
    /// [`SEARCH_COUNT_CAP`] (a search by name).
    pub total_capped: bool,
}

/// Lists count their rows up to this many ("more than 10,000").
pub const COUNT_CAP: u64 = 10_000;

/// One household's answers in a period.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyDetail {
    pub household_id: i64,
    pub period: i64,
    pub current_commune: String,
    pub current_province: String,
    pub survey: SurveyRow,
    pub members: Vec<MemberRow>,
    /// The answers' content hash: the version an edit must start from.
    pub content_hash: i64,
}

/// The households a search names, as SQL selecting `household_id` (`$1` is the period), its
/// values bound: members by the beginning of their ID number (6 digits or more: fewer name
/// little more than a birth province) or of their folded name, and — when the query has a
/// digit, as household codes do and names do not — the household of that code.
fn search_sql(engine: Engine, q: &str) -> Sql {
    let collate = if engine == Engine::Postgres { " COLLATE \"C\"" } else { "" };
    let mut sql = Sql::new();
    if q.bytes().all(|b| b.is_ascii_digit()) && q.len() >= 6 {
        sql.push("SELECT m.household_id FROM member m WHERE m.id_number >= ")
            .bind(q)
            .push(" AND m.id_number < ")
            .bind(format!("{q}\u{7f}"))
            .push(" AND m.period = $1");
    } else {
        let key = fold(q);
        sql.push("SELECT m.household_id FROM member m WHERE m.name_key")
            .push(collate)
            .push(" >= ")
            .bind(&key)
            .push(" AND m.name_key")
            .push(collate)
            .push(" < ")
            .bind(format!("{key}\u{10ffff}"))
            .push(" AND m.period = $1");
    }
    if q.bytes().any(|b| b.is_ascii_digit()) {
        sql.push(" UNION SELECT k.household_id FROM survey k WHERE k.period = $1 AND k.household_code = ").bind(q);
    }
    sql
}

/// The condition that a row of `alias` (survey or member: same place columns) is in `unit`, a
/// province (2 digits) or a commune (5 digits, with its province: see `Scope::contains`).
pub(crate) fn unit_sql(alias: &'static str, unit: &str) -> Result<Sql> {
    let bad = || StoreError::Invalid(format!("'{unit}' không phải mã tỉnh/xã / is not a province or commune code"));
    if !unit.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let mut q = Sql::new();
    match unit.len() {
        2 => q.push(alias).push(".current_province = ").bind(unit),
        5 => q
            .push("(")
            .push(alias)
            .push(".current_province = ")
            .bind(crate::scope::province_of(unit))
            .push(" AND ")
            .push(alias)
            .push(".current_commune = ")
            .bind(unit)
            .push(")"),
        _ => return Err(bad()),
    };
    Ok(q)
}

/// A list's conditions, their values bound (`$1` the period, `$2` the standard).
struct Where {
    /// Conditions on `s` (and `c`), all of which hold.
    sql: Vec<Sql>,
    /// The households a search found, when few enough to read by key.
    ids: Option<Vec<i64>>,
    /// A condition reads the classification (`c`).
    reads_class: bool,
}

/// A piece of fixed text.
fn text(t: &'static str) -> Sql {
    let mut q = Sql::new();
    q.push(t);
    q
}

impl Registry {
    async fn list_where(&self, period: i64, f: &HouseholdFilter) -> Result<Where> {
        let mut w = Where { sql: vec![text("s.period = $1"), self.scope.sql("s")], ids: None, reads_class: false };
        if let Some(u) = &f.unit {
            w.sql.push(unit_sql("s", u)?);
        }
        if let Some(c) = f.class {
            let mut q = Sql::new();
            q.push("c.class = ").bind(c.key());
            w.sql.push(q);
            w.reads_class = true;
        }
        if let Some(v) = f.village_id {
            let mut q = Sql::new();
            q.push("s.village_id = ").bind(v);
            w.sql.push(q);
        }
        if let Some(i) = f.deprived {
            if i >= 32 {
                return Err(StoreError::Invalid(format!("chỉ số {i} không có / no indicator {i}")));
            }
            let mut q = Sql::new();
            q.push("(c.deprived & ").bind(1i64 << i).push(") <> 0");
            w.sql.push(q);
            w.reads_class = true;
        }
        if f.ethnic_minority {
            w.sql.push(text("(c.subgroups & 2) <> 0"));
            w.reads_class = true;
        }
        if f.no_labour_capacity {
            w.sql.push(text("(c.subgroups & 1) <> 0"));
            w.reads_class = true;
        }
        if let Some(q) = f.query.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            // First the households the query names, straight from the member and code indexes
            // (one round trip). Up to the count cap they are read by key and sorted, so the page
            // never depends on the planner's guess of how common a name is (a guess of "common"
            // walked the whole province in name order: seconds). Past the cap the query stays a
            // semi-join, read in name order.
            let search = search_sql(self.db.engine(), q);
            // Member rows, not households: a few per household; deduplicated here.
            let fetch = 4 * (COUNT_CAP + 1);
            let mut capped = Sql::with_args([Arg::Int(period)]);
            capped.push("SELECT f.household_id FROM (").append(&search).push(") AS f LIMIT ").bind(fetch);
            let rows: Vec<i64> = on_pool!(self.db, p => bound!(query_scalar, capped).fetch_all(p).await?);
            let complete = (rows.len() as u64) < fetch;
            let mut ids = rows;
            ids.sort_unstable();
            ids.dedup();
            if complete && ids.len() as u64 <= COUNT_CAP {
                w.ids = Some(ids);
            } else {
                let mut q = Sql::new();
                q.push("s.household_id IN (").append(&search).push(")");
                w.sql.push(q);
            }
        }
        Ok(w)
    }

    /// Households of `period` (classes under `standard_id`) that pass `filter`, in Vietnamese
    /// alphabetical order of the head's name (given name first), then household code.
    pub async fn households(
        &self,
        period: i64,
        standard_id: &str,
        filter: &HouseholdFilter,
        offset: u64,
        limit: u64,
    ) -> Result<Page<HouseholdRow>> {
        let limit = limit.min(500);
        let mut matched: Option<HashMap<i64, Vec<String>>> = None;
        let (w, offset, known_total) = match self.name_search_page(period, filter, offset, limit).await? {
            Some(found) => {
                let rest = HouseholdFilter { query: None, ..filter.clone() };
                let mut w = self.list_where(period, &rest).await?;
                matched = Some(found.ids.iter().copied().zip(found.matched).collect());
                w.ids = Some(found.ids);
                (w, 0, Some((found.total, found.capped)))
            }
            None => (self.list_where(period, filter).await?, offset, None),
        };
        if w.ids.as_ref().is_some_and(Vec::is_empty) {
            // Nothing found (or a page past the end of a name search).
            let (total, total_capped) = known_total.unwrap_or((0, false));
            return Ok(Page { items: Vec::new(), total, total_capped });
        }
        // A search's households are read by key in a subquery the planner keeps apart
        // (`OFFSET 0`), then sorted: walking the list index in name order and testing each
        // household against a few thousand keys looked cheaper to it and was 10× slower.
        // The keys are one parameter, an array (PostgreSQL) or a JSON array (SQLite): one
        // prepared statement for every search, not one per list of keys.
        let pg = self.db.engine() == Engine::Postgres;
        let mut survey = Sql::new();
        match &w.ids {
            Some(ids) => {
                survey
                    .push("(SELECT * FROM survey WHERE period = $1 AND household_id")
                    .append(&crate::sql::in_ids(self.db.engine(), ids.iter().copied()))
                    .push(if pg { " OFFSET 0)" } else { " LIMIT -1 OFFSET 0)" });
            }
            None => {
                survey.push("survey");
            }
        }
        // The page is chosen on the survey alone (joined with the classification only when a
        // filter reads it); the classification and village are then read for its rows only.
        let class_join = " LEFT JOIN classification c ON c.period = s.period AND c.standard_id = $2 \
                          AND c.household_id = s.household_id";
        let mut from = Sql::new();
        from.push("FROM ").append(&survey).push(" s").push(if w.reads_class { class_join } else { "" });
        let mut cond = Sql::new();
        cond.append_joined(&w.sql, " AND ");
        let collate = if self.db.engine() == Engine::Postgres { " COLLATE \"C\"" } else { "" };
        // With a search's few thousand households, the total comes with the page.
        let total_col = if w.ids.is_some() { "COUNT(*) OVER ()" } else { "CAST(0 AS BIGINT)" };
        // `$2` is bound even where no condition reads it.
        let args = [Arg::Int(period), Arg::from(standard_id)];
        let mut sql = Sql::with_args(args.clone());
        sql.push(
            "SELECT p.household_id, p.commune_code, p.current_commune, p.household_code, \
                    COALESCE((SELECT v.name FROM village v WHERE v.id = p.village_id), ''), p.head_name, \
                    c.class, COALESCE(c.persons, 0), COALESCE(c.deprived, 0), COALESCE(c.subgroups, 0), p.income_per_capita, \
                    p.total \
             FROM (SELECT s.household_id, s.commune_code, s.current_commune, s.household_code, s.village_id, s.head_name, \
                          s.income_per_capita, s.head_sort, ",
        )
        .push(total_col)
        .push(" AS total ")
        .append(&from)
        .push(" WHERE ")
        .append(&cond)
        .push(" ORDER BY s.head_sort")
        .push(collate)
        .push(", s.household_code")
        .push(collate)
        .push(", s.household_id LIMIT ")
        .bind(limit)
        .push(" OFFSET ")
        .bind(offset)
        .push(
            ") AS p \
             LEFT JOIN classification c ON c.period = $1 AND c.standard_id = $2 AND c.household_id = p.household_id \
             ORDER BY p.head_sort",
        )
        .push(collate)
        .push(", p.household_code")
        .push(collate)
        .push(", p.household_id");
        type Row = (i64, String, String, String, String, String, Option<String>, i64, i64, i64, Option<i64>, i64);
        let rows: Vec<Row> = on_pool!(self.db, p => bound!(query_as, sql).fetch_all(p).await?);
        let total: i64 = match rows.first() {
            _ if known_total.is_some() => 0,
            Some(r) if w.ids.is_some() => r.11,
            _ => {
                // One past the cap: exactly 10,000 is not "more than 10,000".
                let mut count_sql = Sql::with_args(args);
                count_sql
                    .push("SELECT COUNT(*) FROM (SELECT 1 ")
                    .append(&from)
                    .push(" WHERE ")
                    .append(&cond)
                    .push(" LIMIT ")
                    .bind(COUNT_CAP + 1)
                    .push(") AS x");
                on_pool!(self.db, p => bound!(query_scalar, count_sql).fetch_one(p).await?)
            }
        };
        let mut items = Vec::with_capacity(rows.len());
        for r in rows {
            items.push(HouseholdRow {
                household_id: r.0,
                commune_code: r.1,
                current_commune: r.2,
                household_code: r.3,
                village: r.4,
                head_name: r.5,
                class: r.6.as_deref().and_then(Class::parse),
                persons: u32::try_from(r.7).unwrap_or(0),
                deprived: IndicatorSet(u32::try_from(r.8).unwrap_or(0)),
                subgroups_bits: r.9,
                income_per_capita: r.10,
                matched: Vec::new(),
            });
        }
        match (matched, filter.query.as_deref().map(str::trim).filter(|q| !q.is_empty())) {
            (Some(mut m), _) => {
                for h in &mut items {
                    h.matched = m.remove(&h.household_id).unwrap_or_default();
                }
            }
            (None, Some(q)) => self.add_matched_members(period, q, &mut items).await?,
            (None, None) => {}
        }
        let total = u64::try_from(total).unwrap_or(0);
        Ok(match known_total {
            Some((total, total_capped)) => Page { items, total, total_capped },
            None if w.ids.is_none() && total > COUNT_CAP => Page { items, total: COUNT_CAP, total_capped: true },
            None => Page { items, total, total_capped: false },
        })
    }

    /// Where the household `id` is today, if the scope reads it (else `NotFound`: outside the
    /// scope looks the same as absent).
    pub(crate) async fn placed(&self, id: i64) -> Result<(String, String, String)> {
        match crate::reads::placement(&self.db, id).await? {
            Some((commune, province, code)) if self.scope.contains(&province, &commune) => {
                Ok((commune, province, code))
            }
            _ => Err(StoreError::NotFound(format!("hộ / household #{id}"))),
        }
    }

    /// The household `id` with its class in every period.
    pub async fn household_by_id(&self, id: i64) -> Result<HouseholdView> {
        self.placed(id).await?;
        // The latest code it was recorded under finds it like the command line does.
        let (commune, code): (String, String) = on_pool!(self.db, p => sqlx::query_as(
            "SELECT commune_code, household_code FROM household_alias WHERE household_id = $1 \
             ORDER BY commune_code DESC LIMIT 1",
        )
        .bind(id)
        .fetch_one(p)
        .await?);
        let view = self.household(&commune, &code).await?;
        if view.id != id {
            return Err(StoreError::NotFound(format!("hộ / household #{id}")));
        }
        Ok(view)
    }

    /// The answers and members of household `id` in `period`.
    pub async fn survey_detail(&self, id: i64, period: i64) -> Result<SurveyDetail> {
        self.placed(id).await?;
        let mut sql = Sql::with_args([Arg::Int(period), Arg::Int(id)]);
        sql.push("SELECT ").push(SURVEY_SELECT).push(
            ", s.current_commune, s.current_province, s.content_hash \
             FROM survey s LEFT JOIN village v ON v.id = s.village_id WHERE s.period = $1 AND s.household_id = $2",
        );
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            survey: SurveyRow,
            current_commune: String,
            current_province: String,
            content_hash: i64,
        }
        let row: Option<Row> = on_pool!(self.db, p => bound!(query_as, sql).fetch_optional(p).await?);
        let row = row.ok_or_else(|| StoreError::NotFound(format!("hộ / household #{id}, kỳ / period {period}")))?;
        let mut msql = Sql::with_args([Arg::Int(period), Arg::Int(id)]);
        msql.push("SELECT ")
            .push(MEMBER_SELECT)
            .push(" FROM member m WHERE m.period = $1 AND m.household_id = $2 ORDER BY m.member_no");
        let members: Vec<MemberRow> = on_pool!(self.db, p => bound!(query_as, msql).fetch_all(p).await?);
        Ok(SurveyDetail {
            household_id: id,
            period,
            current_commune: row.current_commune,
            current_province: row.current_province,
            survey: row.survey,
            members,
            content_hash: row.content_hash,
        })
    }

    /// The audit log of household `id`, oldest first.
    pub async fn household_audit(&self, id: i64) -> Result<Vec<Entry>> {
        self.placed(id).await?;
        audit::for_household_unscoped(&self.db, id).await
    }
}

/// The `n` communes of `province` with the most households (demo accounts, benchmarks).
pub async fn largest_communes(db: &crate::Db, province: &str, n: i64) -> Result<Vec<String>> {
    Ok(on_pool!(db, p => sqlx::query_scalar(
        "SELECT commune_code FROM household WHERE province_code = $1 GROUP BY commune_code \
         ORDER BY COUNT(*) DESC, commune_code LIMIT $2",
    )
    .bind(province)
    .bind(n)
    .fetch_all(p)
    .await?))
}
