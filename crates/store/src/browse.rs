//! Looking households up for people (the web application's lists and pages): filtered,
//! searched and paginated lists in Vietnamese alphabetical order, one household's answers and
//! members in a period, its audit log. Every query carries the [`Registry`]'s scope.

use crate::audit::{self, Entry};
use crate::db::{Engine, on_pool};
use crate::error::{Result, StoreError};
use crate::reads::HouseholdView;
use crate::rows::{MEMBER_SELECT, MemberRow, SURVEY_SELECT, SurveyRow};
use crate::scope::Registry;
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

/// Households a name search counts one by one; past them it says "more than" (a name as
/// common as "Nguyễn Văn Hùng" in a province: nobody pages through thousands, they type more).
pub const SEARCH_COUNT_CAP: u64 = 500;

/// Distinct names a query may begin for the ordered merge of PostgreSQL's name search (a full
/// name begins one to a few; a family name alone, thousands: those take the sorting way).
const SEARCH_NAMES: u64 = 64;

/// A name search's question.
struct NameSearch<'a> {
    period: i64,
    /// The folded name and the end of its prefix range (`$2`, `$3`).
    lo: &'a str,
    hi: &'a str,
    /// The scope and unit condition on the member rows (`m`).
    area: &'a str,
    offset: u64,
    limit: u64,
    /// Member rows read in list order (at least `offset + limit`).
    fetch: u64,
}

impl NameSearch<'_> {
    /// The count's branch: distinct households among the first matching members (one more
    /// than twice the cap: enough to pass the cap unless households average two matches).
    fn count_sql(&self, c: &str) -> String {
        format!(
            "SELECT CAST(1 AS BIGINT), COUNT(DISTINCT y.household_id), COUNT(*), NULL, NULL, NULL FROM ( \
               SELECT m.household_id FROM member m WHERE m.name_key{c} >= $2 AND m.name_key{c} < $3 \
               AND m.period = $1 AND {area} LIMIT {rows} \
             ) AS y",
            area = self.area,
            rows = Self::COUNT_ROWS,
        )
    }

    const COUNT_ROWS: u64 = 2 * SEARCH_COUNT_CAP + 2;
}

/// What a name search's statement returned.
struct NameRows {
    /// Member rows in list order once sorted: (head sort key, household code, household id,
    /// member number, full name).
    page: Vec<(String, String, i64, i64, String)>,
    /// Distinct households and member rows among the first `COUNT_ROWS` matches.
    households: u64,
    members: u64,
    /// Names begun (merge) or member rows matched up to the cap (sort).
    extra: u64,
}

impl NameRows {
    /// The page and the total, or what to do instead.
    fn page(mut self, s: &NameSearch<'_>) -> Outcome {
        let (total, capped) = if self.members < NameSearch::COUNT_ROWS {
            (self.households, false)
        } else if self.households > SEARCH_COUNT_CAP {
            (SEARCH_COUNT_CAP, true)
        } else {
            // Households with many matching members each (a family name): counted the usual way.
            return Outcome::Usual;
        };
        // List order (byte order of the sort keys: `COLLATE "C"` and SQLite's binary); a
        // household's members share its key, so they come together.
        let fetched = self.page.len() as u64;
        self.page.sort_unstable();
        let cut = (fetched == s.fetch).then(|| self.page.last().map(|r| r.2)).flatten();
        // One entry per household, with the members it was found by.
        let mut found: Vec<(i64, Vec<String>)> = Vec::new();
        for (_, _, id, _, name) in self.page {
            match found.last_mut() {
                Some((last, names)) if *last == id => names.push(name),
                _ => found.push((id, vec![name])),
            }
        }
        if (found.len() as u64) < s.offset + s.limit && cut.is_some() {
            // Households with several matching members filled the rows read.
            return Outcome::ReadMore;
        }
        let skip = usize::try_from(s.offset).unwrap_or(usize::MAX);
        let page: Vec<(i64, Vec<String>)> =
            found.into_iter().skip(skip).take(usize::try_from(s.limit).unwrap_or(usize::MAX)).collect();
        if cut.is_some_and(|c| page.iter().any(|(id, _)| *id == c)) {
            // The rows read end inside a household of the page: some of its members may be missing.
            return Outcome::ReadMore;
        }
        let (ids, matched) = page.into_iter().unzip();
        Outcome::Page(NamePage { ids, matched, total, capped })
    }
}

/// What a name search's statement leads to.
enum Outcome {
    Page(NamePage),
    /// Read more member rows in list order.
    ReadMore,
    /// The usual way (the filter's semi-join and count).
    Usual,
}

/// A page of a name search.
struct NamePage {
    ids: Vec<i64>,
    /// The members (full names, in member order) each household was found by.
    matched: Vec<Vec<String>>,
    total: u64,
    /// The total is [`SEARCH_COUNT_CAP`] and there are more.
    capped: bool,
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
    ) -> Result<Option<NamePage>> {
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
        let mut area = vec![self.scope.sql("m")];
        if let Some(u) = &f.unit {
            area.push(unit_sql("m", u)?);
        }
        let area = area.join(" AND ");
        // Member rows read for a page: its households, those before it, and room for
        // households with several matching members; more when they filled it.
        let mut fetch = offset + 2 * limit;
        loop {
            let search = NameSearch { period, lo: &lo, hi: &hi, area: &area, offset, limit, fetch };
            let merged = match self.db.engine() {
                Engine::Postgres => self.name_search_merged(&search).await?,
                Engine::Sqlite => None,
            };
            let outcome = match merged {
                Some(o) => o,
                None => self.name_search_sorted(&search).await?,
            };
            match outcome {
                Outcome::Page(page) => return Ok(Some(page)),
                Outcome::Usual => return Ok(None),
                Outcome::ReadMore if fetch <= NAME_SEARCH_MEMBERS => fetch *= 4,
                Outcome::ReadMore => return Ok(None),
            }
        }
    }

    /// The name search on PostgreSQL: the distinct names the query begins (a skip through the
    /// index, at most [`SEARCH_NAMES`]), for each the first members in list order (the index
    /// keeps each name's members in that order), merged; with the count. `None` when the query
    /// begins more names.
    async fn name_search_merged(&self, s: &NameSearch<'_>) -> Result<Option<Outcome>> {
        let c = " COLLATE \"C\"";
        let fetch = s.fetch;
        let sql = format!(
            "WITH RECURSIVE k(name, n) AS ( \
               (SELECT m.name_key{c}, 1 FROM member m WHERE m.name_key{c} >= $2 AND m.name_key{c} < $3 \
                AND m.period = $1 ORDER BY m.name_key{c} LIMIT 1) \
               UNION ALL \
               SELECT (SELECT m.name_key{c} FROM member m WHERE m.name_key{c} > k.name AND m.name_key{c} < $3 \
                       AND m.period = $1 ORDER BY m.name_key{c} LIMIT 1), k.n + 1 \
               FROM k WHERE k.name IS NOT NULL AND k.n <= {names} \
             ) \
             SELECT CAST(0 AS BIGINT), t.household_id, t.member_no, t.head_sort, t.household_code, t.full_name FROM ( \
               SELECT r.household_id, r.member_no, r.head_sort, r.household_code, r.full_name FROM k, LATERAL ( \
                 SELECT m.household_id, m.member_no, m.head_sort, m.household_code, m.full_name FROM member m \
                 WHERE m.name_key{c} = k.name AND m.period = $1 AND {area} \
                 ORDER BY m.head_sort{c}, m.household_code{c}, m.household_id LIMIT {fetch} \
               ) AS r WHERE k.name IS NOT NULL \
               ORDER BY r.head_sort{c}, r.household_code{c}, r.household_id LIMIT {fetch} \
             ) AS t \
             UNION ALL {count} \
             UNION ALL SELECT CAST(2 AS BIGINT), COUNT(k.name), CAST(0 AS BIGINT), NULL, NULL, NULL FROM k",
            names = SEARCH_NAMES,
            area = s.area,
            count = s.count_sql(c),
        );
        let rows = self.name_search_rows(s, sql).await?;
        if rows.extra > SEARCH_NAMES {
            return Ok(None);
        }
        Ok(Some(rows.page(s)))
    }

    /// The name search on either engine: every match (up to [`NAME_SEARCH_MEMBERS`]) sorted
    /// into list order (a top-N sort), with the count.
    async fn name_search_sorted(&self, s: &NameSearch<'_>) -> Result<Outcome> {
        let c = if self.db.engine() == Engine::Postgres { " COLLATE \"C\"" } else { "" };
        let scan = |cols: &str| {
            format!(
                "SELECT {cols} FROM member m WHERE m.name_key{c} >= $2 AND m.name_key{c} < $3 AND m.period = $1 \
                 AND {area} LIMIT {cap}",
                area = s.area,
                cap = NAME_SEARCH_MEMBERS + 1
            )
        };
        let sql = format!(
            "SELECT CAST(0 AS BIGINT), p.household_id, p.member_no, p.head_sort, p.household_code, p.full_name FROM ( \
               SELECT x.household_id, x.member_no, x.head_sort, x.household_code, x.full_name FROM ({page}) AS x \
               ORDER BY x.head_sort{c}, x.household_code{c}, x.household_id LIMIT {fetch} \
             ) AS p \
             UNION ALL {count} \
             UNION ALL SELECT CAST(2 AS BIGINT), COUNT(*), CAST(0 AS BIGINT), NULL, NULL, NULL FROM ({all}) AS z",
            page = scan("m.household_id, m.member_no, m.head_sort, m.household_code, m.full_name"),
            all = scan("m.household_id"),
            fetch = s.fetch,
            count = s.count_sql(c),
        );
        let rows = self.name_search_rows(s, sql).await?;
        if rows.extra > NAME_SEARCH_MEMBERS {
            return Ok(Outcome::Usual);
        }
        Ok(rows.page(s))
    }

    async fn name_search_rows(&self, s: &NameSearch<'_>, sql: String) -> Result<NameRows> {
        type Row = (i64, i64, i64, Option<String>, Option<String>, Option<String>);
        let rows: Vec<Row> = on_pool!(self.db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(s.period)
            .bind(s.lo)
            .bind(s.hi)
            .fetch_all(p)
            .await?);
        let mut out = NameRows { page: Vec::new(), households: 0, members: 0, extra: 0 };
        for (kind, a, b, hs, hc, name) in rows {
            let n = u64::try_from(a).unwrap_or(0);
            match kind {
                // a: household id, b: member number.
                0 => out.page.push((hs.unwrap_or_default(), hc.unwrap_or_default(), a, b, name.unwrap_or_default())),
                1 => (out.households, out.members) = (n, u64::try_from(b).unwrap_or(0)),
                _ => out.extra = n,
            }
        }
        Ok(out)
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
        // On PostgreSQL the keys are one array parameter (one prepared statement for every
        // search, not one per list of keys); SQLite gets them as literals.
        let pg = self.db.engine() == Engine::Postgres;
        let ids_array = w
            .ids
            .as_ref()
            .filter(|_| pg)
            .map(|ids| format!("{{{}}}", ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")));
        let survey = match &w.ids {
            Some(_) if pg => format!(
                "(SELECT * FROM survey WHERE period = $1 AND household_id = ANY(CAST(${} AS BIGINT[])) OFFSET 0)",
                w.texts.len() + 3
            ),
            Some(ids) => format!(
                "(SELECT * FROM survey WHERE period = $1 AND household_id IN ({}) LIMIT -1 OFFSET 0)",
                ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
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
            "SELECT p.household_id, p.commune_code, p.current_commune, p.household_code, \
                    COALESCE((SELECT v.name FROM village v WHERE v.id = p.village_id), ''), p.head_name, \
                    c.class, COALESCE(c.persons, 0), COALESCE(c.deprived, 0), COALESCE(c.subgroups, 0), p.income_per_capita, \
                    p.total \
             FROM (SELECT s.household_id, s.commune_code, s.current_commune, s.household_code, s.village_id, s.head_name, \
                          s.income_per_capita, s.head_sort, {total_col} AS total \
                   {from} WHERE {cond} \
                   ORDER BY s.head_sort{collate}, s.household_code{collate}, s.household_id \
                   LIMIT {limit} OFFSET {offset}) AS p \
             LEFT JOIN classification c ON c.period = $1 AND c.standard_id = $2 AND c.household_id = p.household_id \
             ORDER BY p.head_sort{collate}, p.household_code{collate}, p.household_id",
        );
        type Row = (i64, String, String, String, String, String, Option<String>, i64, i64, i64, Option<i64>, i64);
        let rows: Vec<Row> = on_pool!(self.db, p => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(period).bind(standard_id);
            for t in w.texts.iter().chain(&ids_array) {
                q = q.bind(t);
            }
            q.fetch_all(p).await?
        });
        let total: i64 = match rows.first() {
            _ if known_total.is_some() => 0,
            Some(r) if w.ids.is_some() => r.11,
            _ => {
                // One past the cap: exactly 10,000 is not "more than 10,000".
                let count_sql =
                    format!("SELECT COUNT(*) FROM (SELECT 1 {from} WHERE {cond} LIMIT {}) AS x", COUNT_CAP + 1);
                on_pool!(self.db, p => {
                    // `$2` is bound even where no condition reads it: the texts are `$3` on.
                    let mut q =
                        sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql.clone())).bind(period).bind(standard_id);
                    for t in w.texts.iter().chain(&ids_array) {
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

    /// Fills `matched` of a search's page: the members of its households whose name (folded)
    /// or ID number begins with the query, as the search matched them.
    async fn add_matched_members(&self, period: i64, q: &str, items: &mut [HouseholdRow]) -> Result<()> {
        if items.is_empty() {
            return Ok(());
        }
        let pg = self.db.engine() == Engine::Postgres;
        let collate = if pg { " COLLATE \"C\"" } else { "" };
        let (column, lo, hi) = if q.bytes().all(|b| b.is_ascii_digit()) && q.len() >= 6 {
            ("m.id_number".to_string(), q.to_string(), format!("{q}\u{7f}"))
        } else {
            let key = fold(q);
            (format!("m.name_key{collate}"), key.clone(), format!("{key}\u{10ffff}"))
        };
        let ids: Vec<String> = items.iter().map(|h| h.household_id.to_string()).collect();
        // On PostgreSQL one array parameter (one prepared statement for every page).
        let (households, array) = if pg {
            ("m.household_id = ANY(CAST($4 AS BIGINT[]))".to_string(), Some(format!("{{{}}}", ids.join(","))))
        } else {
            (format!("m.household_id IN ({})", ids.join(",")), None)
        };
        let sql = format!(
            "SELECT m.household_id, m.full_name FROM member m WHERE m.period = $1 AND {households} \
             AND {column} >= $2 AND {column} < $3 ORDER BY m.household_id, m.member_no"
        );
        let rows: Vec<(i64, String)> = on_pool!(self.db, p => {
            let mut qy = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(period).bind(&lo).bind(&hi);
            if let Some(a) = &array {
                qy = qy.bind(a);
            }
            qy.fetch_all(p).await?
        });
        for (id, name) in rows {
            if let Some(h) = items.iter_mut().find(|h| h.household_id == id) {
                h.matched.push(name);
            }
        }
        Ok(())
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
