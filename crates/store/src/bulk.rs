//! Bulk inserts: multi-row `INSERT … VALUES` statements on SQLite, `COPY … FROM STDIN` on
//! PostgreSQL — the two fastest ways each engine offers (docs/benchmarks.md §4).
//!
//! Rows are encoded as they are pushed, straight into the text each engine reads (SQL literals,
//! COPY text), so a million-household import allocates nothing per value.

use crate::db::{Engine, Tx, TxConn, on_conn};
use crate::error::Result;
use std::borrow::Cow;

/// Rows per SQLite statement (a statement is compiled once for its rows).
const SQLITE_ROWS_PER_STATEMENT: usize = 500;
/// Bytes sent to PostgreSQL per COPY message.
const COPY_CHUNK: usize = 4 << 20;

/// One value of a row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val<'a> {
    Int(i64),
    OptInt(Option<i64>),
    Real(f64),
    Text(Cow<'a, str>),
    OptText(Option<Cow<'a, str>>),
}

impl From<i64> for Val<'_> {
    fn from(v: i64) -> Self {
        Val::Int(v)
    }
}
impl From<Option<i64>> for Val<'_> {
    fn from(v: Option<i64>) -> Self {
        Val::OptInt(v)
    }
}
impl From<bool> for Val<'_> {
    fn from(v: bool) -> Self {
        Val::Int(i64::from(v))
    }
}
impl From<Option<bool>> for Val<'_> {
    fn from(v: Option<bool>) -> Self {
        Val::OptInt(v.map(i64::from))
    }
}
impl From<f64> for Val<'_> {
    fn from(v: f64) -> Self {
        Val::Real(v)
    }
}
impl From<String> for Val<'_> {
    fn from(v: String) -> Self {
        Val::Text(Cow::Owned(v))
    }
}
impl<'a> From<&'a str> for Val<'a> {
    fn from(v: &'a str) -> Self {
        Val::Text(Cow::Borrowed(v))
    }
}
impl<'a> From<&'a String> for Val<'a> {
    fn from(v: &'a String) -> Self {
        Val::Text(Cow::Borrowed(v.as_str()))
    }
}
impl From<Option<String>> for Val<'_> {
    fn from(v: Option<String>) -> Self {
        Val::OptText(v.map(Cow::Owned))
    }
}
impl<'a> From<Option<&'a str>> for Val<'a> {
    fn from(v: Option<&'a str>) -> Self {
        Val::OptText(v.map(Cow::Borrowed))
    }
}
impl<'a> From<&'a Option<String>> for Val<'a> {
    fn from(v: &'a Option<String>) -> Self {
        Val::OptText(v.as_deref().map(Cow::Borrowed))
    }
}

/// Rows waiting to be inserted into one table, already encoded for the engine.
pub(crate) struct TableBuffer {
    engine: Engine,
    table: &'static str,
    columns: &'static [&'static str],
    /// SQLite: complete `INSERT` statements; PostgreSQL: unused.
    statements: Vec<String>,
    /// SQLite: the rows of the statement being filled, as `(…),(…)`; PostgreSQL: COPY text.
    text: String,
    /// Rows in `text`.
    open_rows: usize,
    /// Rows buffered in all.
    rows: usize,
}

impl TableBuffer {
    pub(crate) fn new(engine: Engine, table: &'static str, columns: &'static [&'static str]) -> Self {
        TableBuffer { engine, table, columns, statements: Vec::new(), text: String::new(), open_rows: 0, rows: 0 }
    }

    /// Adds one row (as many values as columns).
    pub(crate) fn push<'v>(&mut self, row: impl IntoIterator<Item = Val<'v>>) {
        let mut width = 0;
        match self.engine {
            Engine::Sqlite => {
                self.text.push_str(if self.open_rows == 0 { "(" } else { ",(" });
                for (i, v) in row.into_iter().enumerate() {
                    if i > 0 {
                        self.text.push(',');
                    }
                    sql_literal(&mut self.text, &v);
                    width += 1;
                }
                self.text.push(')');
                self.open_rows += 1;
                if self.open_rows == SQLITE_ROWS_PER_STATEMENT {
                    self.close_statement();
                }
            }
            Engine::Postgres => {
                for (i, v) in row.into_iter().enumerate() {
                    if i > 0 {
                        self.text.push('\t');
                    }
                    copy_text(&mut self.text, &v);
                    width += 1;
                }
                self.text.push('\n');
            }
        }
        debug_assert_eq!(width, self.columns.len(), "row width of {}", self.table);
        self.rows += 1;
    }

    fn close_statement(&mut self) {
        if self.open_rows == 0 {
            return;
        }
        let mut sql = String::with_capacity(self.text.len() + 200);
        sql.push_str("INSERT INTO ");
        sql.push_str(self.table);
        sql.push_str(" (");
        sql.push_str(&self.columns.join(", "));
        sql.push_str(") VALUES ");
        sql.push_str(&self.text);
        self.text.clear();
        self.open_rows = 0;
        self.statements.push(sql);
    }

    pub(crate) fn rows(&self) -> usize {
        self.rows
    }

    /// Writes every buffered row.
    pub(crate) async fn flush(&mut self, tx: &mut Tx) -> Result<()> {
        match self.take() {
            Some(w) => Writes(vec![w]).apply(tx).await,
            None => Ok(()),
        }
    }

    /// Takes the buffered rows out, encoded, to be written later (possibly by another task).
    pub(crate) fn take(&mut self) -> Option<Write> {
        if self.rows == 0 {
            return None;
        }
        self.rows = 0;
        Some(match self.engine {
            Engine::Sqlite => {
                self.close_statement();
                Write::Sql(std::mem::take(&mut self.statements))
            }
            Engine::Postgres => Write::Copy {
                statement: format!("COPY {} ({}) FROM STDIN", self.table, self.columns.join(", ")),
                text: std::mem::take(&mut self.text),
            },
        })
    }
}

/// Encoded rows of one table, ready to be written.
pub(crate) enum Write {
    /// SQLite `INSERT` statements.
    Sql(Vec<String>),
    /// A PostgreSQL `COPY` and its text.
    Copy { statement: String, text: String },
}

/// Writes of several tables, in order (parents first).
pub(crate) struct Writes(pub(crate) Vec<Write>);

impl Writes {
    pub(crate) async fn apply(self, tx: &mut Tx) -> Result<()> {
        match &mut tx.conn {
            TxConn::Sqlite(conn) => {
                for w in self.0 {
                    let Write::Sql(statements) = w else { continue };
                    for sql in statements {
                        // Every value is an encoded literal (see `sql_literal`).
                        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut **conn).await?;
                    }
                }
            }
            TxConn::Postgres(conn) => {
                for w in self.0 {
                    let Write::Copy { statement, text } = w else { continue };
                    let mut copy = conn.copy_in_raw(&statement).await?;
                    let bytes = text.as_bytes();
                    let mut start = 0;
                    while start < bytes.len() {
                        // Whole lines per message.
                        let mut end = (start + COPY_CHUNK).min(bytes.len());
                        while end < bytes.len() && bytes[end - 1] != b'\n' {
                            end += 1;
                        }
                        copy.send(&bytes[start..end]).await?;
                        start = end;
                    }
                    copy.finish().await?;
                }
            }
        }
        Ok(())
    }
}

/// Appends a value as an SQLite literal: integers and reals as written, text quoted with `'`
/// doubled (a NUL character, which would end the statement, goes in as `char(0)`).
fn sql_literal(buf: &mut String, v: &Val<'_>) {
    use std::fmt::Write as _;
    match v {
        Val::Int(x) | Val::OptInt(Some(x)) => buf.push_str(itoa::Buffer::new().format(*x)),
        Val::Real(x) if x.is_finite() => {
            let _ = write!(buf, "{x:?}");
        }
        Val::Real(_) | Val::OptInt(None) | Val::OptText(None) => buf.push_str("NULL"),
        Val::Text(s) | Val::OptText(Some(s)) => {
            buf.push('\'');
            let mut rest: &str = s;
            while let Some(i) = rest.find(['\'', '\0']) {
                buf.push_str(&rest[..i]);
                buf.push_str(if rest.as_bytes()[i] == b'\'' { "''" } else { "'||char(0)||'" });
                rest = &rest[i + 1..];
            }
            buf.push_str(rest);
            buf.push('\'');
        }
    }
}

/// Appends a value in COPY's text format.
fn copy_text(buf: &mut String, v: &Val<'_>) {
    use std::fmt::Write as _;
    match v {
        Val::Int(x) | Val::OptInt(Some(x)) => buf.push_str(itoa::Buffer::new().format(*x)),
        Val::Real(x) => {
            let _ = write!(buf, "{x:?}");
        }
        Val::Text(s) | Val::OptText(Some(s)) => escape_copy(buf, s),
        Val::OptInt(None) | Val::OptText(None) => buf.push_str("\\N"),
    }
}

/// Escapes a value for COPY's text format.
fn escape_copy(buf: &mut String, s: &str) {
    let mut rest = s;
    while let Some(i) = rest.find(['\\', '\t', '\n', '\r']) {
        buf.push_str(&rest[..i]);
        buf.push_str(match rest.as_bytes()[i] {
            b'\\' => "\\\\",
            b'\t' => "\\t",
            b'\n' => "\\n",
            _ => "\\r",
        });
        rest = &rest[i + 1..];
    }
    buf.push_str(rest);
}

/// Executes one statement without results on either engine.
pub(crate) async fn execute(tx: &mut Tx, sql: impl sqlx::SqlSafeStr, binds: Vec<Val<'_>>) -> Result<u64> {
    let sql = sql.into_sql_str();
    let n = on_conn!(tx, c => {
        let mut q = sqlx::query(sql.clone());
        for v in binds {
            q = match v {
                Val::Int(x) => q.bind(x),
                Val::OptInt(x) => q.bind(x),
                Val::Real(x) => q.bind(x),
                Val::Text(x) => q.bind(x.into_owned()),
                Val::OptText(x) => q.bind(x.map(Cow::into_owned)),
            };
        }
        q.execute(c).await?.rows_affected()
    });
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::Val;

    #[test]
    fn copy_text_is_escaped() {
        let mut b = String::new();
        super::escape_copy(&mut b, "a\tb\\c\nd\re");
        assert_eq!(b, "a\\tb\\\\c\\nd\\re");
    }

    #[test]
    fn sql_literals_are_quoted() {
        let mut b = String::new();
        for v in [
            Val::from("Đ'Ắc\0x"),
            Val::from(-3i64),
            Val::OptInt(None),
            Val::from(2.5f64),
            Val::from(f64::NAN),
            Val::OptText(None),
        ] {
            super::sql_literal(&mut b, &v);
            b.push(',');
        }
        assert_eq!(b, "'Đ''Ắc'||char(0)||'x',-3,NULL,2.5,NULL,NULL,");
    }
}
