//! Looking households up for people (the web application's lists and pages): filtered,
//! searched and paginated lists in Vietnamese alphabetical order, one household's answers and
//! members in a period, its audit log. Every query carries the [`Registry`]'s scope.

use crate::audit::{self, Entry};
use crate::db::{Engine, on_pool};
use crate::error::{Result, StoreError};
use crate::reads::HouseholdView;
use crate::rows::{MEMBER_SELECT, MemberRow, SURVEY_SELECT, SurveyRow};
use crate::scope::Registry;
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
}

/// A page of a list, and how many rows there are (counted up to [`COUNT_CAP`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    /// The total is at least [`COUNT_CAP`].
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

/// The households a search names, as SQL selecting `household_id` with placeholders from
/// `$first` on (`$1` is the period), and the values to bind: members by the beginning of their
/// ID number (6 digits or more: fewer name little more than a birth province) or of their folded
/// name, and — when the query has a digit, as
/// household codes do and names do not — the household of that code.
fn search_sql(engine: Engine, q: &str, first: usize) -> (String, Vec<String>) {
    let collate = if engine == Engine::Postgres { " COLLATE \"C\"" } else { "" };
    let (lo, hi) = (format!("${first}"), format!("${}", first + 1));
    let (mut sql, mut binds) = if q.bytes().all(|b| b.is_ascii_digit()) && q.len() >= 6 {
        (
            format!(
                "SELECT m.household_id FROM member m WHERE m.id_number >= {lo} AND m.id_number < {hi} AND m.period = $1"
            ),
            vec![q.to_string(), format!("{q}\u{7f}")],
        )
    } else {
        let key = fold(q);
        (
            format!(
                "SELECT m.household_id FROM member m \
                 WHERE m.name_key{collate} >= {lo} AND m.name_key{collate} < {hi} AND m.period = $1"
            ),
            vec![key.clone(), format!("{key}\u{10ffff}")],
        )
    };
    if q.bytes().any(|b| b.is_ascii_digit()) {
        sql.push_str(&format!(
            " UNION SELECT k.household_id FROM survey k WHERE k.period = $1 AND k.household_code = ${}",
            first + 2
        ));
        binds.push(q.to_string());
    }
    (sql, binds)
}

/// The condition that a row of `alias` (survey or member: same place columns) is in `unit`, a
/// province (2 digits) or a commune (5 digits, with its province: see `Scope::contains`).
fn unit_sql(alias: &str, unit: &str) -> Result<String> {
    let bad = || StoreError::Invalid(format!("'{unit}' không phải mã tỉnh/xã / is not a province or commune code"));
    if !unit.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    match unit.len() {
        2 => Ok(format!("{alias}.current_province = '{unit}'")),
        5 => Ok(format!(
            "({alias}.current_province = '{}' AND {alias}.current_commune = '{unit}')",
            crate::scope::province_of(unit)
        )),
        _ => Err(bad()),
    }
}

/// Member rows in the reader's area a name search reads at most from its index before taking the slower way
/// (a name prefix as broad as a family name).
const NAME_SEARCH_MEMBERS: u64 = 40_000;

/// A condition with its bound values (`$3` on).
struct Where {
    sql: Vec<String>,
    texts: Vec<String>,
    /// The households a search found, when few enough to read by key.
    ids: Option<Vec<i64>>,
    /// A condition reads the classification (`c`).
    reads_class: bool,
}

impl Registry {
    async fn list_where(&self, period: i64, f: &HouseholdFilter) -> Result<Where> {
        let mut w = Where {
            sql: vec!["s.period = $1".into(), self.scope.sql("s")],
            texts: Vec::new(),
            ids: None,
            reads_class: false,
        };
        if let Some(u) = &f.unit {
            w.sql.push(unit_sql("s", u)?);
        }
        if let Some(c) = f.class {
            w.sql.push(format!("c.class = '{}'", c.key()));
            w.reads_class = true;
        }
        if let Some(v) = f.village_id {
            w.sql.push(format!("s.village_id = {v}"));
        }
        if let Some(i) = f.deprived {
            if i >= 32 {
                return Err(StoreError::Invalid(format!("chỉ số {i} không có / no indicator {i}")));
            }
            w.sql.push(format!("(c.deprived & {}) <> 0", 1u64 << i));
            w.reads_class = true;
        }
        if f.ethnic_minority {
            w.sql.push("(c.subgroups & 2) <> 0".into());
            w.reads_class = true;
        }
        if f.no_labour_capacity {
            w.sql.push("(c.subgroups & 1) <> 0".into());
            w.reads_class = true;
        }
        if let Some(q) = f.query.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            // First the households the query names, straight from the member and code indexes
            // (one round trip). Up to the count cap they are read by key and sorted, so the page
            // never depends on the planner's guess of how common a name is (a guess of "common"
            // walked the whole province in name order: seconds). Past the cap the query stays a
            // semi-join, read in name order.
            let (sql, binds) = search_sql(self.db.engine(), q, 2);
            // Member rows, not households: a few per household; deduplicated here.
            let fetch = 4 * (COUNT_CAP + 1);
            let capped = format!("SELECT f.household_id FROM ({sql}) AS f LIMIT {fetch}");
            let rows: Vec<i64> = on_pool!(self.db, p => {
                let mut qy = sqlx::query_scalar(sqlx::AssertSqlSafe(capped.clone())).bind(period);
                for b in &binds {
                    qy = qy.bind(b);
                }
                qy.fetch_all(p).await?
            });
            let complete = (rows.len() as u64) < fetch;
            let mut ids = rows;
            ids.sort_unstable();
            ids.dedup();
            if complete && ids.len() as u64 <= COUNT_CAP {
                w.ids = Some(ids);
            } else {
                let (sql, binds) = search_sql(self.db.engine(), q, w.texts.len() + 3);
                w.texts.extend(binds);
                w.sql.push(format!("s.household_id IN ({sql})"));
            }
        }
        Ok(w)
    }

    /// A search by name with no other filter than the unit, from the member search index alone:
    /// the households of the page (in list order) and how many there are. `None` when the
    /// filter is not of that kind or the name is too common to read this way.
    async fn name_search_page(
        &self,
        period: i64,
        f: &HouseholdFilter,
        offset: u64,
        limit: u64,
    ) -> Result<Option<(Vec<i64>, i64)>> {
        let Some(q) = f.query.as_deref().map(str::trim).filter(|q| !q.is_empty()) else { return Ok(None) };
        let other_filters = f.class.is_some()
            || f.village_id.is_some()
            || f.deprived.is_some()
            || f.ethnic_minority
            || f.no_labour_capacity;
        if other_filters || q.bytes().any(|b| b.is_ascii_digit()) {
            return Ok(None);
        }
        let key = fold(q);
        let (lo, hi) = (key.clone(), format!("{key}\u{10ffff}"));
        let collate = if self.db.engine() == Engine::Postgres { " COLLATE \"C\"" } else { "" };
        let mut cond = vec![
            format!("m.name_key{collate} >= $2 AND m.name_key{collate} < $3 AND m.period = $1"),
            self.scope.sql("m"),
        ];
        if let Some(u) = &f.unit {
            cond.push(unit_sql("m", u)?);
        }
        // One index-only range scan, capped; the matching members grouped by household (a hash
        // on the id), then the page taken in list order (a top-N sort), with how many households
        // and member rows there were.
        let sql = format!(
            "SELECT g.household_id, g.total, g.raw FROM ( \
               SELECT x.household_id, MIN(x.head_sort{collate}) AS hs, MIN(x.household_code{collate}) AS hc, \
                      COUNT(*) OVER () AS total, CAST(SUM(COUNT(*)) OVER () AS BIGINT) AS raw FROM ( \
                 SELECT m.household_id, m.head_sort, m.household_code FROM member m WHERE {cond} LIMIT {cap} \
               ) AS x GROUP BY x.household_id \
             ) AS g ORDER BY g.hs{collate}, g.hc{collate}, g.household_id LIMIT {limit} OFFSET {offset}",
            cond = cond.join(" AND "),
            cap = NAME_SEARCH_MEMBERS + 1,
        );
        let rows: Vec<(i64, i64, i64)> = on_pool!(self.db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(period)
            .bind(&lo)
            .bind(&hi)
            .fetch_all(p)
            .await?);
        let total = match rows.first() {
            Some(r) if u64::try_from(r.2).unwrap_or(u64::MAX) > NAME_SEARCH_MEMBERS => return Ok(None),
            Some(r) => r.1,
            None if offset == 0 => 0,
            // Past the end (or capped): the usual way.
            None => return Ok(None),
        };
        Ok(Some((rows.into_iter().map(|r| r.0).collect(), total)))
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
        let (w, offset, known_total) = match self.name_search_page(period, filter, offset, limit).await? {
            Some((page, total)) => {
                let rest = HouseholdFilter { query: None, ..filter.clone() };
                let mut w = self.list_where(period, &rest).await?;
                w.ids = Some(page);
                (w, 0, Some(total))
            }
            None => (self.list_where(period, filter).await?, offset, None),
        };
        if w.ids.as_ref().is_some_and(Vec::is_empty) {
            // Nothing found (or a page past the end of a name search).
            let total = known_total.unwrap_or(0);
            return Ok(Page { items: Vec::new(), total: u64::try_from(total).unwrap_or(0), total_capped: false });
        }
        // A search's households are read by key in a subquery the planner keeps apart
        // (`OFFSET 0`), then sorted: walking the list index in name order and testing each
        // household against a few thousand keys looked cheaper to it and was 10× slower.
        let survey = match &w.ids {
            Some(ids) => format!(
                "(SELECT * FROM survey WHERE period = $1 AND household_id IN ({}) {fence})",
                ids.iter().map(i64::to_string).collect::<Vec<_>>().join(","),
                fence = if self.db.engine() == Engine::Postgres { "OFFSET 0" } else { "LIMIT -1 OFFSET 0" },
            ),
            None => "survey".to_string(),
        };
        // The page is chosen on the survey alone (joined with the classification only when a
        // filter reads it); the classification and village are then read for its rows only.
        let class_join = "LEFT JOIN classification c ON c.period = s.period AND c.standard_id = $2 \
                          AND c.household_id = s.household_id";
        let from = format!("FROM {survey} s {}", if w.reads_class { class_join } else { "" });
        let cond = w.sql.join(" AND ");
        let collate = if self.db.engine() == Engine::Postgres { " COLLATE \"C\"" } else { "" };
        // With a search's few thousand households, the total comes with the page.
        let total_col = if w.ids.is_some() { "COUNT(*) OVER ()" } else { "CAST(0 AS BIGINT)" };
        let sql = format!(
            "SELECT p.household_id, p.commune_code, p.current_commune, p.household_code, COALESCE(v.name, ''), p.head_name, \
                    c.class, COALESCE(c.persons, 0), COALESCE(c.deprived, 0), COALESCE(c.subgroups, 0), p.income_per_capita, \
                    p.total \
             FROM (SELECT s.household_id, s.commune_code, s.current_commune, s.household_code, s.village_id, s.head_name, \
                          s.income_per_capita, s.head_sort, {total_col} AS total \
                   {from} WHERE {cond} \
                   ORDER BY s.head_sort{collate}, s.household_code{collate}, s.household_id \
                   LIMIT {limit} OFFSET {offset}) AS p \
             LEFT JOIN classification c ON c.period = $1 AND c.standard_id = $2 AND c.household_id = p.household_id \
             LEFT JOIN village v ON v.id = p.village_id \
             ORDER BY p.head_sort{collate}, p.household_code{collate}, p.household_id",
        );
        type Row = (i64, String, String, String, String, String, Option<String>, i64, i64, i64, Option<i64>, i64);
        let rows: Vec<Row> = on_pool!(self.db, p => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(period).bind(standard_id);
            for t in &w.texts {
                q = q.bind(t);
            }
            q.fetch_all(p).await?
        });
        let total: i64 = match rows.first() {
            _ if known_total.is_some() => known_total.unwrap_or(0),
            Some(r) if w.ids.is_some() => r.11,
            _ => {
                let count_sql = format!("SELECT COUNT(*) FROM (SELECT 1 {from} WHERE {cond} LIMIT {COUNT_CAP}) AS x");
                on_pool!(self.db, p => {
                    // `$2` is bound even where no condition reads it: the texts are `$3` on.
                    let mut q =
                        sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql.clone())).bind(period).bind(standard_id);
                    for t in &w.texts {
                        q = q.bind(t);
                    }
                    q.fetch_one(p).await?
                })
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
            });
        }
        let total = u64::try_from(total).unwrap_or(0);
        Ok(Page { items, total, total_capped: known_total.is_none() && w.ids.is_none() && total >= COUNT_CAP })
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
        let sql = format!(
            "SELECT {SURVEY_SELECT}, s.current_commune, s.current_province, s.content_hash \
             FROM survey s LEFT JOIN village v ON v.id = s.village_id WHERE s.period = $1 AND s.household_id = $2"
        );
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            survey: SurveyRow,
            current_commune: String,
            current_province: String,
            content_hash: i64,
        }
        let row: Option<Row> = on_pool!(self.db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(period)
            .bind(id)
            .fetch_optional(p)
            .await?);
        let row = row.ok_or_else(|| StoreError::NotFound(format!("hộ / household #{id}, kỳ / period {period}")))?;
        let msql = format!(
            "SELECT {MEMBER_SELECT} FROM member m WHERE m.period = $1 AND m.household_id = $2 ORDER BY m.member_no"
        );
        let members: Vec<MemberRow> = on_pool!(self.db, p => sqlx::query_as(sqlx::AssertSqlSafe(msql.clone()))
            .bind(period)
            .bind(id)
            .fetch_all(p)
            .await?);
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
        audit::for_household(&self.db, id).await
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
