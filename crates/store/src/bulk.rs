//! Bulk inserts: multi-row `INSERT … VALUES` statements with bound values on SQLite, `COPY …
//! FROM STDIN` on PostgreSQL — the two fastest ways each engine offers (docs/benchmarks.md §4).
//!
//! Rows are encoded as they are pushed, straight into what each engine reads: the arguments of
//! a prepared statement (SQLite: no value is ever written into a statement's text, and the
//! statement is compiled once for every batch of the same size) or COPY text (PostgreSQL).

use crate::db::{Engine, Tx, TxConn, on_conn};
use crate::error::{Result, StoreError};
use sqlx::Arguments as _;
use sqlx::sqlite::SqliteArguments;
use std::borrow::Cow;
use std::sync::Arc;

/// Rows per SQLite statement, at most (fewer for wide tables: see [`SQLITE_MAX_PARAMS`]).
const SQLITE_ROWS_PER_STATEMENT: usize = 500;
/// Parameters one SQLite statement may have (`SQLITE_MAX_VARIABLE_NUMBER`'s default).
const SQLITE_MAX_PARAMS: usize = 32_766;
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

/// Rows of one SQLite `INSERT`: how many, and their values in order.
pub(crate) struct Batch {
    rows: usize,
    args: SqliteArguments,
}

/// Rows waiting to be inserted into one table, already encoded for the engine.
pub(crate) struct TableBuffer {
    engine: Engine,
    table: &'static str,
    columns: &'static [&'static str],
    /// SQLite: complete batches; PostgreSQL: unused.
    batches: Vec<Batch>,
    /// SQLite: the values of the batch being filled; PostgreSQL: unused.
    args: SqliteArguments,
    /// PostgreSQL: COPY text; SQLite: unused.
    text: String,
    /// Rows in `args`.
    open_rows: usize,
    /// Rows per SQLite statement.
    rows_per_statement: usize,
    /// Rows buffered in all.
    rows: usize,
}

impl TableBuffer {
    pub(crate) fn new(engine: Engine, table: &'static str, columns: &'static [&'static str]) -> Self {
        TableBuffer {
            engine,
            table,
            columns,
            batches: Vec::new(),
            args: SqliteArguments::default(),
            text: String::new(),
            open_rows: 0,
            rows_per_statement: SQLITE_ROWS_PER_STATEMENT.min(SQLITE_MAX_PARAMS / columns.len().max(1)).max(1),
            rows: 0,
        }
    }

    /// Adds one row (as many values as columns).
    pub(crate) fn push<'v>(&mut self, row: impl IntoIterator<Item = Val<'v>>) {
        let mut width = 0;
        match self.engine {
            Engine::Sqlite => {
                for v in row {
                    sqlite_arg(&mut self.args, v);
                    width += 1;
                }
                self.open_rows += 1;
                if self.open_rows == self.rows_per_statement {
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
        let args = std::mem::take(&mut self.args);
        self.batches.push(Batch { rows: self.open_rows, args });
        self.open_rows = 0;
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
                Write::Insert { table: self.table, columns: self.columns, batches: std::mem::take(&mut self.batches) }
            }
            Engine::Postgres => Write::Copy {
                // SQL shape only: the table and column names (`&'static str`); the values go as COPY data.
                statement: format!("COPY {} ({}) FROM STDIN", self.table, self.columns.join(", ")),
                text: std::mem::take(&mut self.text),
            },
        })
    }
}

/// Encoded rows of one table, ready to be written.
pub(crate) enum Write {
    /// SQLite `INSERT` statements of rows into `table`.
    Insert { table: &'static str, columns: &'static [&'static str], batches: Vec<Batch> },
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
                    let Write::Insert { table, columns, batches } = w else { continue };
                    for b in batches {
                        if b.args.len() != b.rows * columns.len() {
                            return Err(StoreError::Invalid(format!("a value of {table} could not be encoded")));
                        }
                        let sql = insert_sql(table, columns, b.rows);
                        // SQL shape only: table and column names (`&'static str`) and the placeholders
                        // of `rows` rows; the values are bound.
                        sqlx::query_with(sqlx::AssertSqlSafe(sql), b.args).execute(&mut **conn).await?;
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

/// `INSERT INTO table (columns) VALUES (?, …), …` for `rows` rows. The placeholders are
/// SQLite's anonymous ones, bound in order: numbered or named ones (`$n`) cost SQLite (and
/// sqlx) a lookup through the statement's list of names for each, quadratic in a batch.
fn insert_sql(table: &'static str, columns: &'static [&'static str], rows: usize) -> String {
    let mut sql = String::with_capacity(64 + rows * columns.len() * 3);
    sql.push_str("INSERT INTO ");
    sql.push_str(table);
    sql.push_str(" (");
    sql.push_str(&columns.join(", "));
    sql.push_str(") VALUES ");
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..columns.len() {
            sql.push_str(if c == 0 { "?" } else { ", ?" });
        }
        sql.push(')');
    }
    sql
}

/// Appends a value to a SQLite statement's arguments: integers and text as they are, finite
/// reals as reals, other reals as NULL. (Encoding these types cannot fail; a count check at
/// write time would catch a value left out.)
fn sqlite_arg(args: &mut SqliteArguments, v: Val<'_>) {
    let _ = match v {
        Val::Int(x) => args.add(x),
        Val::OptInt(x) => args.add(x),
        Val::Real(x) => args.add(x.is_finite().then_some(x)),
        Val::Text(s) => args.add(Arc::<str>::from(s.as_ref())),
        Val::OptText(s) => args.add(s.map(|s| Arc::<str>::from(s.as_ref()))),
    };
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
    fn insert_statements_have_one_placeholder_per_value() {
        assert_eq!(super::insert_sql("t", &["a", "b"], 2), "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)");
        let wide: Vec<&'static str> = (0..100).map(|_| "c").collect();
        let wide: &'static [&'static str] = wide.leak();
        let buf = super::TableBuffer::new(crate::Engine::Sqlite, "t", wide);
        assert_eq!(buf.rows_per_statement, 327, "at most SQLITE_MAX_PARAMS parameters");
    }

    /// Values bound by the SQLite bulk insert read back as they were, a quote, a NUL character
    /// and the extreme integers included.
    #[tokio::test]
    async fn sqlite_rows_read_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = crate::Db::connect_sqlite(&dir.path().join("t.db")).await.expect("open");
        db.execute_admin("CREATE TABLE t (a TEXT, b INTEGER, c REAL, d TEXT, e INTEGER)").await.expect("table");
        let mut buf = super::TableBuffer::new(crate::Engine::Sqlite, "t", &["a", "b", "c", "d", "e"]);
        let rows = 1_234i64;
        for i in 0..rows {
            buf.push([
                Val::from(format!("Đ'Ắc\0x{i}")),
                Val::from(if i == 0 {
                    i64::MIN
                } else if i == 1 {
                    i64::MAX
                } else {
                    -i
                }),
                Val::from(if i == 2 { f64::NAN } else { 2.5 }),
                Val::OptText(None),
                Val::OptInt((i % 2 == 0).then_some(i)),
            ]);
        }
        let mut tx = db.begin().await.expect("begin");
        buf.flush(&mut tx).await.expect("write");
        tx.commit().await.expect("commit");
        let crate::db::Pool::Sqlite(p) = &db.pool else { unreachable!("sqlite") };
        type Row = (String, i64, Option<f64>, Option<String>, Option<i64>);
        let got: Vec<Row> =
            sqlx::query_as("SELECT a, b, c, d, e FROM t ORDER BY rowid").fetch_all(p).await.expect("read");
        assert_eq!(got.len(), 1_234);
        assert_eq!(got[0], ("Đ'Ắc\0x0".to_string(), i64::MIN, Some(2.5), None, Some(0)));
        assert_eq!(got[1].1, i64::MAX);
        assert_eq!(got[2].2, None, "a NaN is stored as NULL");
        assert_eq!(got[1233], ("Đ'Ắc\0x1233".to_string(), -1233, Some(2.5), None, None));
    }
}
