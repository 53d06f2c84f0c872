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
    /// beginning, at least 3 digits) or a household code.
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

/// A condition with its bound values.
struct Where {
    sql: Vec<String>,
    texts: Vec<String>,
}

impl Where {
    fn text(&mut self, v: String) -> String {
        self.texts.push(v);
        // $1 is the period, $2 the standard; texts follow.
        format!("${}", self.texts.len() + 2)
    }
}

impl Registry {
    fn list_where(&self, f: &HouseholdFilter) -> Result<Where> {
        let mut w = Where { sql: vec!["s.period = $1".into(), self.scope.sql("s")], texts: Vec::new() };
        if let Some(u) = &f.unit {
            let col = match u.len() {
                2 => "s.current_province",
                5 => "s.current_commune",
                _ => {
                    return Err(StoreError::Invalid(format!(
                        "'{u}' không phải mã tỉnh/xã / is not a province or commune code"
                    )));
                }
            };
            if !u.bytes().all(|b| b.is_ascii_digit()) {
                return Err(StoreError::Invalid(format!(
                    "'{u}' không phải mã tỉnh/xã / is not a province or commune code"
                )));
            }
            w.sql.push(format!("{col} = '{u}'"));
        }
        if let Some(c) = f.class {
            w.sql.push(format!("c.class = '{}'", c.key()));
        }
        if let Some(v) = f.village_id {
            w.sql.push(format!("s.village_id = {v}"));
        }
        if let Some(i) = f.deprived {
            if i >= 32 {
                return Err(StoreError::Invalid(format!("chỉ số {i} không có / no indicator {i}")));
            }
            w.sql.push(format!("(c.deprived & {}) <> 0", 1u64 << i));
        }
        if f.ethnic_minority {
            w.sql.push("(c.subgroups & 2) <> 0".into());
        }
        if f.no_labour_capacity {
            w.sql.push("(c.subgroups & 1) <> 0".into());
        }
        if let Some(q) = f.query.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let collate = if self.db.engine() == Engine::Postgres { " COLLATE \"C\"" } else { "" };
            if q.bytes().all(|b| b.is_ascii_digit()) && q.len() >= 3 {
                let lo = w.text(q.to_string());
                let hi = w.text(format!("{q}\u{7f}"));
                let code = w.text(q.to_string());
                w.sql.push(format!(
                    "(s.household_code = {code} OR s.household_id IN (SELECT m.household_id FROM member m \
                     WHERE m.id_number >= {lo} AND m.id_number < {hi} AND m.period = $1))"
                ));
            } else {
                let key = fold(q);
                let code = w.text(q.to_string());
                let lo = w.text(key.clone());
                let hi = w.text(format!("{key}\u{10ffff}"));
                w.sql.push(format!(
                    "(s.household_code = {code} OR s.household_id IN (SELECT m.household_id FROM member m \
                     WHERE m.name_key{collate} >= {lo} AND m.name_key{collate} < {hi} AND m.period = $1))"
                ));
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
        let w = self.list_where(filter)?;
        let from = "FROM survey s LEFT JOIN classification c ON c.period = s.period AND c.standard_id = $2 \
                    AND c.household_id = s.household_id";
        let cond = w.sql.join(" AND ");
        let collate = if self.db.engine() == Engine::Postgres { " COLLATE \"C\"" } else { "" };
        let sql = format!(
            "SELECT s.household_id, s.commune_code, s.current_commune, s.household_code, COALESCE(v.name, ''), s.head_name, \
                    c.class, COALESCE(c.persons, 0), COALESCE(c.deprived, 0), COALESCE(c.subgroups, 0), s.income_per_capita \
             {from} LEFT JOIN village v ON v.id = s.village_id WHERE {cond} \
             ORDER BY s.head_sort{collate}, s.household_code{collate}, s.household_id LIMIT {limit} OFFSET {offset}",
            limit = limit.min(500),
        );
        let count_sql = format!("SELECT COUNT(*) FROM (SELECT 1 {from} WHERE {cond} LIMIT {COUNT_CAP}) AS x");
        type Row = (i64, String, String, String, String, String, Option<String>, i64, i64, i64, Option<i64>);
        let rows: Vec<Row> = on_pool!(self.db, p => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(period).bind(standard_id);
            for t in &w.texts {
                q = q.bind(t);
            }
            q.fetch_all(p).await?
        });
        let total: i64 = on_pool!(self.db, p => {
            let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql.clone())).bind(period).bind(standard_id);
            for t in &w.texts {
                q = q.bind(t);
            }
            q.fetch_one(p).await?
        });
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
        Ok(Page { items, total, total_capped: total >= COUNT_CAP })
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
