//! Search by name (*tìm theo họ tên*) at a province's scale, from the member search index alone
//! (migrations 0003–0004): the page of households in list order, how many there are, and the
//! members each was found by. Lists with other filters, and searches this way cannot answer,
//! take the usual semi-join of `browse`.

use crate::browse::{HouseholdFilter, HouseholdRow, unit_sql};
use crate::db::{Engine, on_pool};
use crate::error::Result;
use crate::scope::Registry;
use crate::sql::{Arg, Sql, bound};
use vuonlen_core::text::fold;

/// Member rows in the reader's area a name search reads at most from its index before taking the slower way
/// (a name prefix as broad as a family name).
const NAME_SEARCH_MEMBERS: u64 = 40_000;

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
    area: &'a Sql,
    offset: u64,
    limit: u64,
    /// Member rows read in list order (at least `offset + limit`).
    fetch: u64,
}

impl NameSearch<'_> {
    /// The count's branch: distinct households among the first matching members (one more
    /// than twice the cap: enough to pass the cap unless households average two matches).
    fn count_sql(&self, c: &'static str) -> Sql {
        let mut q = Sql::new();
        q.push(
            "SELECT CAST(1 AS BIGINT), COUNT(DISTINCT y.household_id), COUNT(*), NULL, NULL, NULL FROM ( \
               SELECT m.household_id FROM member m WHERE m.name_key",
        )
        .push(c)
        .push(" >= $2 AND m.name_key")
        .push(c)
        .push(" < $3 AND m.period = $1 AND ")
        .append(self.area)
        .push(" LIMIT ")
        .bind(Self::COUNT_ROWS)
        .push(") AS y");
        q
    }

    /// A statement with the search's leading arguments: `$1` the period, `$2` and `$3` the
    /// folded name and the end of its prefix range.
    fn statement(&self) -> Sql {
        Sql::with_args([Arg::Int(self.period), Arg::from(self.lo), Arg::from(self.hi)])
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
pub(crate) struct NamePage {
    pub(crate) ids: Vec<i64>,
    /// The members (full names, in member order) each household was found by.
    pub(crate) matched: Vec<Vec<String>>,
    pub(crate) total: u64,
    /// The total is [`SEARCH_COUNT_CAP`] and there are more.
    pub(crate) capped: bool,
}

impl Registry {
    /// A search by name with no other filter than the unit, from the member search index alone:
    /// the households of the page (in list order) and how many there are. `None` when the
    /// filter is not of that kind or the name is too common to read this way.
    pub(crate) async fn name_search_page(
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
        let mut area = self.scope.sql("m");
        if let Some(u) = &f.unit {
            area.push(" AND ").append(&unit_sql("m", u)?);
        }
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
        let mut sql = s.statement();
        sql.push(
            "WITH RECURSIVE k(name, n) AS ( \
               (SELECT m.name_key COLLATE \"C\", 1 FROM member m \
                WHERE m.name_key COLLATE \"C\" >= $2 AND m.name_key COLLATE \"C\" < $3 \
                AND m.period = $1 ORDER BY m.name_key COLLATE \"C\" LIMIT 1) \
               UNION ALL \
               SELECT (SELECT m.name_key COLLATE \"C\" FROM member m \
                       WHERE m.name_key COLLATE \"C\" > k.name AND m.name_key COLLATE \"C\" < $3 \
                       AND m.period = $1 ORDER BY m.name_key COLLATE \"C\" LIMIT 1), k.n + 1 \
               FROM k WHERE k.name IS NOT NULL AND k.n <= ",
        )
        .bind(SEARCH_NAMES)
        .push(
            " ) \
             SELECT CAST(0 AS BIGINT), t.household_id, t.member_no, t.head_sort, t.household_code, t.full_name FROM ( \
               SELECT r.household_id, r.member_no, r.head_sort, r.household_code, r.full_name FROM k, LATERAL ( \
                 SELECT m.household_id, m.member_no, m.head_sort, m.household_code, m.full_name FROM member m \
                 WHERE m.name_key COLLATE \"C\" = k.name AND m.period = $1 AND ",
        )
        .append(s.area)
        .push(" ORDER BY m.head_sort COLLATE \"C\", m.household_code COLLATE \"C\", m.household_id LIMIT ")
        .bind(s.fetch)
        .push(
            " ) AS r WHERE k.name IS NOT NULL \
               ORDER BY r.head_sort COLLATE \"C\", r.household_code COLLATE \"C\", r.household_id LIMIT ",
        )
        .bind(s.fetch)
        .push(" ) AS t UNION ALL ")
        .append(&s.count_sql(" COLLATE \"C\""))
        .push(" UNION ALL SELECT CAST(2 AS BIGINT), COUNT(k.name), CAST(0 AS BIGINT), NULL, NULL, NULL FROM k");
        let rows = self.name_search_rows(sql).await?;
        if rows.extra > SEARCH_NAMES {
            return Ok(None);
        }
        Ok(Some(rows.page(s)))
    }

    /// The name search on either engine: every match (up to [`NAME_SEARCH_MEMBERS`]) sorted
    /// into list order (a top-N sort), with the count.
    async fn name_search_sorted(&self, s: &NameSearch<'_>) -> Result<Outcome> {
        let c = if self.db.engine() == Engine::Postgres { " COLLATE \"C\"" } else { "" };
        let scan = |cols: &'static str| {
            let mut q = Sql::new();
            q.push("SELECT ")
                .push(cols)
                .push(" FROM member m WHERE m.name_key")
                .push(c)
                .push(" >= $2 AND m.name_key")
                .push(c)
                .push(" < $3 AND m.period = $1 AND ")
                .append(s.area)
                .push(" LIMIT ")
                .bind(NAME_SEARCH_MEMBERS + 1);
            q
        };
        let mut sql = s.statement();
        sql.push(
            "SELECT CAST(0 AS BIGINT), p.household_id, p.member_no, p.head_sort, p.household_code, p.full_name FROM ( \
               SELECT x.household_id, x.member_no, x.head_sort, x.household_code, x.full_name FROM (",
        )
        .append(&scan("m.household_id, m.member_no, m.head_sort, m.household_code, m.full_name"))
        .push(") AS x ORDER BY x.head_sort")
        .push(c)
        .push(", x.household_code")
        .push(c)
        .push(", x.household_id LIMIT ")
        .bind(s.fetch)
        .push(") AS p UNION ALL ")
        .append(&s.count_sql(c))
        .push(" UNION ALL SELECT CAST(2 AS BIGINT), COUNT(*), CAST(0 AS BIGINT), NULL, NULL, NULL FROM (")
        .append(&scan("m.household_id"))
        .push(") AS z");
        let rows = self.name_search_rows(sql).await?;
        if rows.extra > NAME_SEARCH_MEMBERS {
            return Ok(Outcome::Usual);
        }
        Ok(rows.page(s))
    }

    async fn name_search_rows(&self, sql: Sql) -> Result<NameRows> {
        type Row = (i64, i64, i64, Option<String>, Option<String>, Option<String>);
        let rows: Vec<Row> = on_pool!(self.db, p => bound!(query_as, sql).fetch_all(p).await?);
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
    /// Fills `matched` of a search's page: the members of its households whose name (folded)
    /// or ID number begins with the query, as the search matched them.
    pub(crate) async fn add_matched_members(&self, period: i64, q: &str, items: &mut [HouseholdRow]) -> Result<()> {
        if items.is_empty() {
            return Ok(());
        }
        let pg = self.db.engine() == Engine::Postgres;
        let (column, lo, hi) = if q.bytes().all(|b| b.is_ascii_digit()) && q.len() >= 6 {
            ("m.id_number", q.to_string(), format!("{q}\u{7f}"))
        } else {
            let key = fold(q);
            let column = if pg { "m.name_key COLLATE \"C\"" } else { "m.name_key" };
            (column, key.clone(), format!("{key}\u{10ffff}"))
        };
        let mut sql = Sql::with_args([Arg::Int(period), Arg::from(lo), Arg::from(hi)]);
        sql.push("SELECT m.household_id, m.full_name FROM member m WHERE m.period = $1 AND ");
        // The households as one parameter, an array (PostgreSQL) or a JSON array (SQLite): one
        // prepared statement for every page.
        sql.push("m.household_id").append(&crate::sql::in_ids(self.db.engine(), items.iter().map(|h| h.household_id)));
        sql.push(" AND ")
            .push(column)
            .push(" >= $2 AND ")
            .push(column)
            .push(" < $3 ORDER BY m.household_id, m.member_no");
        let rows: Vec<(i64, String)> = on_pool!(self.db, p => bound!(query_as, sql).fetch_all(p).await?);
        for (id, name) in rows {
            if let Some(h) = items.iter_mut().find(|h| h.household_id == id) {
                h.matched.push(name);
            }
        }
        Ok(())
    }
}
