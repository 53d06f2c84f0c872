//! References the schema does not declare (see the migration's note): rows of the high-volume
//! tables whose parent is missing, and member rows whose copy of their household's place, list
//! order or code differs from it. An import or an edit that leaves one is a bug.

use crate::db::{Db, on_pool};
use crate::error::Result;

/// One reference and how many rows break it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Orphans {
    /// What is checked, e.g. `member → survey`.
    pub reference: &'static str,
    pub rows: i64,
}

const CHECKS: &[(&str, &str)] = &[
    (
        "household_alias → household",
        "SELECT COUNT(*) FROM household_alias a WHERE NOT EXISTS (SELECT 1 FROM household h WHERE h.id = a.household_id)",
    ),
    (
        "survey → household",
        "SELECT COUNT(*) FROM survey s WHERE NOT EXISTS (SELECT 1 FROM household h WHERE h.id = s.household_id)",
    ),
    (
        "survey → review_period",
        "SELECT COUNT(*) FROM survey s WHERE NOT EXISTS (SELECT 1 FROM review_period p WHERE p.year = s.period)",
    ),
    (
        "survey → import_batch",
        "SELECT COUNT(*) FROM survey s WHERE NOT EXISTS (SELECT 1 FROM import_batch b WHERE b.id = s.import_batch)",
    ),
    (
        "survey → village",
        "SELECT COUNT(*) FROM survey s WHERE s.village_id IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM village v WHERE v.id = s.village_id)",
    ),
    (
        "member → survey",
        "SELECT COUNT(*) FROM member m WHERE NOT EXISTS \
         (SELECT 1 FROM survey s WHERE s.period = m.period AND s.household_id = m.household_id)",
    ),
    (
        "member = survey (place, list order, code)",
        "SELECT COUNT(*) FROM member m JOIN survey s ON s.period = m.period AND s.household_id = m.household_id \
         WHERE m.current_province <> s.current_province OR m.current_commune <> s.current_commune \
            OR m.head_sort <> s.head_sort OR m.household_code <> s.household_code",
    ),
    (
        "classification → survey",
        "SELECT COUNT(*) FROM classification c WHERE NOT EXISTS \
         (SELECT 1 FROM survey s WHERE s.period = c.period AND s.household_id = c.household_id)",
    ),
];

impl Db {
    /// Refreshes the planner's statistics of the registry tables (after a large import).
    pub async fn analyze(&self) -> Result<()> {
        match &self.pool {
            crate::db::Pool::Sqlite(p) => {
                sqlx::raw_sql("PRAGMA optimize").execute(p).await?;
            }
            crate::db::Pool::Postgres(p) => {
                sqlx::raw_sql("ANALYZE household, household_alias, survey, member, classification").execute(p).await?;
            }
        }
        Ok(())
    }

    /// Refreshes the planner's statistics of the support tables (after a large support import).
    pub async fn analyze_support(&self) -> Result<()> {
        match &self.pool {
            crate::db::Pool::Sqlite(p) => {
                sqlx::raw_sql("PRAGMA optimize").execute(p).await?;
            }
            crate::db::Pool::Postgres(p) => {
                sqlx::raw_sql("ANALYZE support_record, support_mask").execute(p).await?;
            }
        }
        Ok(())
    }

    /// Counts the rows of every undeclared reference whose parent is missing.
    pub async fn integrity(&self) -> Result<Vec<Orphans>> {
        let mut out = Vec::with_capacity(CHECKS.len());
        for (reference, sql) in CHECKS {
            let rows: i64 = on_pool!(self, p => sqlx::query_scalar(*sql).fetch_one(p).await?);
            out.push(Orphans { reference, rows });
        }
        Ok(out)
    }
}
