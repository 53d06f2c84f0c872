//! Test support (feature `testing`): the same tests on SQLite and, when `TEST_DATABASE_URL` is
//! set, on PostgreSQL in a schema of their own that is dropped when the test ends, also when it
//! fails. Used by the contract tests of this crate and the web application's tests.

use crate::Db;
use std::path::Path;
use std::str::FromStr;

pub struct Engines {
    dbs: std::vec::IntoIter<(&'static str, Db)>,
    _schema: Option<SchemaGuard>,
}

impl Iterator for Engines {
    type Item = (&'static str, Db);
    fn next(&mut self) -> Option<Self::Item> {
        self.dbs.next()
    }
}

/// Drops a test's PostgreSQL schema on a fresh connection, from its own thread and runtime (a
/// `Drop` cannot await, and the test's runtime may be the one unwinding). The test's own
/// connections carry the schema's name as `application_name` and are ended first, so a
/// transaction left open by a failed test cannot block the drop.
struct SchemaGuard {
    url: String,
    schema: String,
}

impl Drop for SchemaGuard {
    fn drop(&mut self) {
        let (url, schema) = (self.url.clone(), self.schema.clone());
        let dropped = std::thread::spawn(move || -> Result<(), String> {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
            rt.block_on(async {
                let admin = Db::connect(&url).await.map_err(|e| e.to_string())?;
                let r = async {
                    crate::db::on_pool!(admin, p => sqlx::query(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                         WHERE application_name = $1 AND pid <> pg_backend_pid()",
                    )
                    .bind(&schema)
                    .execute(p)
                    .await
                    .map_err(crate::StoreError::from)?
                    .rows_affected());
                    // SQL shape only: the schema's name (an identifier, from `schema_name`).
                    admin.execute_admin(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).await
                }
                .await;
                admin.close().await;
                r.map(|_| ()).map_err(|e| e.to_string())
            })
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("could not drop test schema {}: {e}", self.schema),
            Err(_) => eprintln!("could not drop test schema {}: the thread panicked", self.schema),
        }
    }
}

/// A name no other test of this run, nor of another run going on at the same time, uses: the
/// process id and a counter (`t<pid>_<n>_<dir>`; the temporary directory's name only helps to
/// recognise it).
fn schema_name(dir: &Path) -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tag: String = dir
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), ""))
        .unwrap_or_default()
        .chars()
        .take(20)
        .collect();
    format!("t{}_{n}_{tag}", std::process::id())
}

/// A SQLite database in `dir`, and a PostgreSQL one in a new schema when configured.
pub async fn engines(dir: &Path) -> Engines {
    let mut out =
        vec![("sqlite", Db::open(&format!("sqlite://{}", dir.join("t.db").display())).await.expect("sqlite"))];
    let mut guard = None;
    if let Ok(url) = std::env::var("TEST_DATABASE_URL") {
        let schema = schema_name(dir);
        let admin = Db::connect(&url).await.expect("postgres");
        // SQL shape only: the schema's name (an identifier, from `schema_name`).
        admin.execute_admin(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).await.expect("drop schema");
        admin.execute_admin(&format!("CREATE SCHEMA {schema}")).await.expect("create schema");
        admin.close().await;
        guard = Some(SchemaGuard { url: url.clone(), schema: schema.clone() });
        let opts = sqlx::postgres::PgConnectOptions::from_str(&url)
            .expect("url")
            .options([("search_path", schema.as_str())])
            .application_name(&schema);
        let db = Db::connect_postgres(opts).await.expect("postgres schema");
        db.migrate().await.expect("migrate postgres");
        out.push(("postgres", db));
    }
    Engines { dbs: out.into_iter(), _schema: guard }
}

/// A migrated PostgreSQL schema of its own when `TEST_DATABASE_URL` is set, for tests that
/// connect to it in other ways (through a proxy, from another process); dropped with the value.
pub struct PgSchema {
    /// The server's URL and the schema's name.
    pub url: String,
    pub schema: String,
    _guard: SchemaGuard,
}

impl PgSchema {
    /// Creates and migrates the schema, or `None` without `TEST_DATABASE_URL`.
    pub async fn create(dir: &Path) -> Option<PgSchema> {
        let url = std::env::var("TEST_DATABASE_URL").ok()?;
        let schema = schema_name(dir);
        let admin = Db::connect(&url).await.expect("postgres");
        // SQL shape only: the schema's name (an identifier, from `schema_name`).
        admin.execute_admin(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).await.expect("drop schema");
        admin.execute_admin(&format!("CREATE SCHEMA {schema}")).await.expect("create schema");
        admin.close().await;
        let guard = SchemaGuard { url: url.clone(), schema: schema.clone() };
        let pg = PgSchema { url, schema, _guard: guard };
        let db = pg.connect(None, crate::Timeouts::default()).await.expect("connect");
        db.migrate().await.expect("migrate postgres");
        db.close().await;
        Some(pg)
    }

    /// Connects to the schema, at `addr` (`host:port`) instead of the server's own address
    /// when given, with `timeouts`.
    pub async fn connect(&self, addr: Option<&str>, timeouts: crate::Timeouts) -> crate::Result<Db> {
        let mut opts = sqlx::postgres::PgConnectOptions::from_str(&self.url)
            .map_err(|_| crate::StoreError::Url(crate::redact(&self.url)))?
            .options([("search_path", self.schema.as_str())])
            .application_name(&self.schema);
        if let Some((host, port)) = addr.and_then(|a| a.rsplit_once(':')) {
            opts = opts.host(host).port(port.parse().unwrap_or(5432));
        }
        Db::connect_postgres_with(opts, timeouts).await
    }

    /// The server's address (`host:port`).
    pub fn server_addr(&self) -> String {
        let opts = sqlx::postgres::PgConnectOptions::from_str(&self.url).ok();
        opts.map(|o| format!("{}:{}", o.get_host(), o.get_port())).unwrap_or_else(|| "127.0.0.1:5432".into())
    }
}

/// The columns of `survey`, `member` and `classification` that carrying a household forward
/// (`review::carry`) would leave behind: every column must be copied or be one of the few the
/// copy sets itself. Empty when the copy and the schema agree.
pub async fn columns_not_carried(db: &Db) -> crate::Result<Vec<String>> {
    use crate::review::carry::{CLASSIFICATION_COPIED, MEMBER_COPIED, SURVEY_COPIED};
    let set = |s: &str| s.split(',').map(|c| c.trim().to_string()).collect::<std::collections::BTreeSet<_>>();
    let tables = [
        ("survey", SURVEY_COPIED, &["period", "carried_from", "moved_in_from"][..]),
        ("member", MEMBER_COPIED, &["period"][..]),
        ("classification", CLASSIFICATION_COPIED, &["period", "standard_id", "computed_at"][..]),
    ];
    let mut out = Vec::new();
    for (table, copied, set_by_copy) in tables {
        let columns: Vec<String> = match db.engine() {
            crate::db::Engine::Sqlite => crate::db::on_pool!(db, p => sqlx::query_scalar(
                "SELECT name FROM pragma_table_info($1)",
            )
            .bind(table)
            .fetch_all(p)
            .await?),
            crate::db::Engine::Postgres => crate::db::on_pool!(db, p => sqlx::query_scalar(
                "SELECT CAST(column_name AS TEXT) FROM information_schema.columns \
                 WHERE table_name = $1 AND table_schema = current_schema()",
            )
            .bind(table)
            .fetch_all(p)
            .await?),
        };
        let copied = set(copied);
        for c in columns {
            if !copied.contains(&c) && !set_by_copy.contains(&c.as_str()) {
                out.push(format!("{table}.{c}"));
            }
        }
        if copied.is_empty() {
            out.push(format!("{table}: nothing copied"));
        }
    }
    Ok(out)
}
