//! Bulk inserts: multi-row `INSERT … VALUES` batches on SQLite, `COPY … FROM STDIN` on
//! PostgreSQL — the two fastest ways each engine offers (docs/benchmarks.md §4).

use crate::db::{Tx, on_conn};
use crate::error::Result;
use sqlx::QueryBuilder;
use std::fmt::Write as _;

/// SQLite's default limit of bound parameters per statement.
const SQLITE_MAX_PARAMS: usize = 32_766;

/// One value of a row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Int(i64),
    OptInt(Option<i64>),
    Real(f64),
    Text(String),
    OptText(Option<String>),
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::Int(v)
    }
}
impl From<Option<i64>> for Val {
    fn from(v: Option<i64>) -> Self {
        Val::OptInt(v)
    }
}
impl From<bool> for Val {
    fn from(v: bool) -> Self {
        Val::Int(i64::from(v))
    }
}
impl From<Option<bool>> for Val {
    fn from(v: Option<bool>) -> Self {
        Val::OptInt(v.map(i64::from))
    }
}
impl From<f64> for Val {
    fn from(v: f64) -> Self {
        Val::Real(v)
    }
}
impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::Text(v)
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::Text(v.to_string())
    }
}
impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Self {
        Val::OptText(v)
    }
}

/// Rows waiting to be inserted into one table.
pub(crate) struct TableBuffer {
    table: &'static str,
    columns: &'static [&'static str],
    values: Vec<Val>,
    /// Rows written so far.
    pub(crate) written: u64,
}

impl TableBuffer {
    pub(crate) fn new(table: &'static str, columns: &'static [&'static str]) -> Self {
        TableBuffer { table, columns, values: Vec::new(), written: 0 }
    }

    /// Adds one row (as many values as columns).
    pub(crate) fn push(&mut self, row: impl IntoIterator<Item = Val>) {
        let before = self.values.len();
        self.values.extend(row);
        debug_assert_eq!(self.values.len() - before, self.columns.len(), "row width of {}", self.table);
    }

    pub(crate) fn rows(&self) -> usize {
        self.values.len() / self.columns.len()
    }

    /// Writes every buffered row.
    pub(crate) async fn flush(&mut self, tx: &mut Tx) -> Result<()> {
        if self.values.is_empty() {
            return Ok(());
        }
        let rows = self.rows() as u64;
        match tx {
            Tx::Sqlite(t) => self.flush_sqlite(t).await?,
            Tx::Postgres(t) => self.flush_postgres(t).await?,
        }
        self.written += rows;
        Ok(())
    }

    async fn flush_sqlite(&mut self, conn: &mut sqlx::SqliteConnection) -> Result<()> {
        let width = self.columns.len();
        let per_statement = (SQLITE_MAX_PARAMS / width).max(1);
        let head = format!("INSERT INTO {} ({}) ", self.table, self.columns.join(", "));
        let values = std::mem::take(&mut self.values);
        let mut it = values.into_iter().peekable();
        while it.peek().is_some() {
            let mut qb = QueryBuilder::<sqlx::Sqlite>::new(head.clone());
            let chunk: Vec<Val> = it.by_ref().take(per_statement * width).collect();
            let n = chunk.len() / width;
            let mut vals = chunk.into_iter();
            qb.push_values(0..n, |mut b, _| {
                for v in vals.by_ref().take(width) {
                    match v {
                        Val::Int(x) => b.push_bind(x),
                        Val::OptInt(x) => b.push_bind(x),
                        Val::Real(x) => b.push_bind(x),
                        Val::Text(x) => b.push_bind(x),
                        Val::OptText(x) => b.push_bind(x),
                    };
                }
            });
            qb.build().execute(&mut *conn).await?;
        }
        Ok(())
    }

    async fn flush_postgres(&mut self, conn: &mut sqlx::PgConnection) -> Result<()> {
        let statement = format!("COPY {} ({}) FROM STDIN", self.table, self.columns.join(", "));
        let mut copy = conn.copy_in_raw(&statement).await?;
        let width = self.columns.len();
        let mut buf = String::with_capacity(1 << 20);
        for (i, v) in self.values.iter().enumerate() {
            if i % width != 0 {
                buf.push('\t');
            }
            match v {
                Val::Int(x) | Val::OptInt(Some(x)) => {
                    let _ = write!(buf, "{x}");
                }
                Val::Real(x) => {
                    let _ = write!(buf, "{x}");
                }
                Val::Text(s) | Val::OptText(Some(s)) => escape_copy(&mut buf, s),
                Val::OptInt(None) | Val::OptText(None) => buf.push_str("\\N"),
            }
            if i % width == width - 1 {
                buf.push('\n');
                if buf.len() > (4 << 20) {
                    copy.send(std::mem::take(&mut buf).into_bytes()).await?;
                    buf.reserve(1 << 20);
                }
            }
        }
        if !buf.is_empty() {
            copy.send(buf.into_bytes()).await?;
        }
        copy.finish().await?;
        self.values.clear();
        Ok(())
    }
}

/// Escapes a value for COPY's text format.
fn escape_copy(buf: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '\\' => buf.push_str("\\\\"),
            '\t' => buf.push_str("\\t"),
            '\n' => buf.push_str("\\n"),
            '\r' => buf.push_str("\\r"),
            c => buf.push(c),
        }
    }
}

/// Executes one statement without results on either engine.
pub(crate) async fn execute(tx: &mut Tx, sql: impl sqlx::SqlSafeStr, binds: Vec<Val>) -> Result<u64> {
    let sql = sql.into_sql_str();
    let n = on_conn!(tx, c => {
        let mut q = sqlx::query(sql.clone());
        for v in binds {
            q = match v {
                Val::Int(x) => q.bind(x),
                Val::OptInt(x) => q.bind(x),
                Val::Real(x) => q.bind(x),
                Val::Text(x) => q.bind(x),
                Val::OptText(x) => q.bind(x),
            };
        }
        q.execute(c).await?.rows_affected()
    });
    Ok(n)
}

#[cfg(test)]
mod tests {
    #[test]
    fn copy_text_is_escaped() {
        let mut b = String::new();
        super::escape_copy(&mut b, "a\tb\\c\nd");
        assert_eq!(b, "a\\tb\\\\c\\nd");
    }
}
