//! The audit chain (*chuỗi băm nhật ký thay đổi*): every row of `audit` carries `seq` (1, 2, …
//! without gaps), `prev_hash` (the hash of row `seq - 1`, [`GENESIS`] for the first) and `hash`,
//! SHA-256 over a canonical encoding of `prev_hash`, `seq` and every column of the row
//! ([`seal`]). `audit_head` holds the last `seq` and `hash`. Changing, removing, inserting or
//! cutting off rows — even with the append-only triggers dropped or disabled — breaks the chain
//! or its agreement with the head, and [`Db::verify_audit_chain`] names the first broken row.
//! Rewriting the whole chain from some row on (with the head) is caught by comparing the head
//! an operator recorded elsewhere ([`Db::verify_audit_chain_from`]).
//!
//! Rows are sealed inside the writing transaction ([`Tx`]): the first sealed row loads the head
//! (PostgreSQL: `SELECT … FOR UPDATE`, SQLite: writes are already serialized), later rows
//! continue from it in memory, and [`Tx::commit`] writes the new head. Two transactions never
//! chain to the same predecessor.

use crate::db::{Db, Engine, Pool, Tx, TxConn, on_conn, on_pool};
use crate::error::{Result, StoreError};
use crate::sql::{Arg, Sql, bound};
use futures_util::TryStreamExt;
use sha2::{Digest, Sha256};
use std::fmt;

/// The `prev_hash` of the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What the encoding is of; changing the encoding changes this.
const DOMAIN: &[u8] = b"vuonlen-audit-v1\0";

/// The end of the chain inside one transaction.
#[derive(Debug, Clone)]
pub(crate) struct Link {
    seq: i64,
    hash: String,
    /// Whether this transaction sealed rows (then `audit_head` is written at commit).
    moved: bool,
}

/// The content of one audit row, every column but `id` and the seal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Content<'a> {
    pub at: &'a str,
    pub actor: &'a str,
    pub command: &'a str,
    pub entity: &'a str,
    pub household_id: Option<i64>,
    pub period: Option<i64>,
    pub member_no: Option<i64>,
    pub field: &'a str,
    pub old_value: Option<&'a str>,
    pub new_value: Option<&'a str>,
}

/// The seal of one row: its place in the chain and its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Seal {
    pub seq: i64,
    pub prev_hash: String,
    pub hash: String,
}

/// SHA-256, as lowercase hex, of the canonical encoding: [`DOMAIN`], `prev_hash`, `seq` (8 bytes
/// big-endian), then each column in table order — text as 1, its length (8 bytes big-endian)
/// and its UTF-8 bytes; an integer as 1 and 8 bytes big-endian; NULL as 0.
pub(crate) fn seal(prev_hash: &str, seq: i64, c: &Content<'_>) -> String {
    fn text(h: &mut Sha256, s: Option<&str>) {
        match s {
            Some(s) => {
                h.update([1u8]);
                h.update((s.len() as u64).to_be_bytes());
                h.update(s.as_bytes());
            }
            None => h.update([0u8]),
        }
    }
    fn int(h: &mut Sha256, v: Option<i64>) {
        match v {
            Some(v) => {
                h.update([1u8]);
                h.update(v.to_be_bytes());
            }
            None => h.update([0u8]),
        }
    }
    let mut h = Sha256::new();
    h.update(DOMAIN);
    text(&mut h, Some(prev_hash));
    h.update(seq.to_be_bytes());
    text(&mut h, Some(c.at));
    text(&mut h, Some(c.actor));
    text(&mut h, Some(c.command));
    text(&mut h, Some(c.entity));
    int(&mut h, c.household_id);
    int(&mut h, c.period);
    int(&mut h, c.member_no);
    text(&mut h, Some(c.field));
    text(&mut h, c.old_value);
    text(&mut h, c.new_value);
    hex(&h.finalize())
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// Loads (and on PostgreSQL locks until the end of the transaction) the head of the chain.
async fn load_head(tx: &mut Tx) -> Result<Link> {
    let sql = match tx.engine() {
        Engine::Sqlite => "SELECT seq, hash FROM audit_head WHERE id = 1",
        Engine::Postgres => "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE",
    };
    let head: Option<(i64, String)> = on_conn!(tx, c => sqlx::query_as(sql).fetch_optional(c).await?);
    match head {
        Some((seq, hash)) => Ok(Link { seq, hash, moved: false }),
        None => Err(StoreError::Chain(
            "bảng audit_head không có dòng đầu chuỗi / the audit_head table has no head row".into(),
        )),
    }
}

/// Seals the next row of the chain in `tx`.
pub(crate) async fn next(tx: &mut Tx, c: &Content<'_>) -> Result<Seal> {
    Ok(advance(link(tx).await?, c))
}

/// The end of the chain in `tx`, loaded (and locked) if this is its first sealed row.
pub(crate) async fn link(tx: &mut Tx) -> Result<&mut Link> {
    if tx.chain.is_none() {
        tx.chain = Some(load_head(tx).await?);
    }
    match tx.chain.as_mut() {
        Some(link) => Ok(link),
        None => unreachable!("loaded above"),
    }
}

/// Seals `c` as the row after `link` (imports: one lock, hashing in memory).
pub(crate) fn seal_next(link: &mut Link, c: &Content<'_>) -> Seal {
    advance(link, c)
}

fn advance(link: &mut Link, c: &Content<'_>) -> Seal {
    let seq = link.seq + 1;
    let hash = seal(&link.hash, seq, c);
    let prev_hash = std::mem::replace(&mut link.hash, hash.clone());
    link.seq = seq;
    link.moved = true;
    Seal { seq, prev_hash, hash }
}

/// Moves `audit_head` to the last row `tx` sealed (from [`Tx::commit`]).
pub(crate) async fn write_head(tx: &mut Tx) -> Result<()> {
    let Some(link) = tx.chain.take() else { return Ok(()) };
    if !link.moved {
        return Ok(());
    }
    on_conn!(tx, c => sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(link.seq)
        .bind(&link.hash)
        .execute(c)
        .await?
        .rows_affected());
    Ok(())
}

/// The row type read back for checks and sealing.
#[derive(sqlx::FromRow)]
struct Stored {
    id: i64,
    seq: Option<i64>,
    prev_hash: Option<String>,
    hash: Option<String>,
    at: String,
    actor: String,
    command: String,
    entity: String,
    household_id: Option<i64>,
    period: Option<i64>,
    member_no: Option<i64>,
    field: String,
    old_value: Option<String>,
    new_value: Option<String>,
}

impl Stored {
    fn content(&self) -> Content<'_> {
        Content {
            at: &self.at,
            actor: &self.actor,
            command: &self.command,
            entity: &self.entity,
            household_id: self.household_id,
            period: self.period,
            member_no: self.member_no,
            field: &self.field,
            old_value: self.old_value.as_deref(),
            new_value: self.new_value.as_deref(),
        }
    }
}

const STORED: &str = "id, seq, prev_hash, hash, at, actor, command, entity, household_id, period, member_no, field, old_value, new_value";

/// Rows sealed per statement when sealing the log written before version 6.
const LEGACY_BATCH: i64 = 5_000;

/// Seals, once, the rows written before the chain existed (migration 0006 marks them), in id
/// order, before anything else is written.
pub(crate) async fn seal_legacy(db: &Db) -> Result<()> {
    let done: bool = on_pool!(db, p => sqlx::query_scalar("SELECT legacy_sealed FROM audit_head WHERE id = 1")
        .fetch_optional(p)
        .await?)
    .unwrap_or(true);
    if done {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    tx.chain = Some(load_head(&mut tx).await?);
    // Another process may have sealed them while this one waited for the lock.
    let done: bool = on_conn!(&mut tx, c => sqlx::query_scalar("SELECT legacy_sealed FROM audit_head WHERE id = 1")
        .fetch_one(c)
        .await?);
    if done {
        return tx.rollback().await;
    }
    let mut after = i64::MIN;
    loop {
        let mut sql = Sql::with_args([Arg::Int(after), Arg::Int(LEGACY_BATCH)]);
        sql.push("SELECT ").push(STORED).push(" FROM audit WHERE seq IS NULL AND id > $1 ORDER BY id LIMIT $2");
        let rows: Vec<Stored> = on_conn!(&mut tx, c => bound!(query_as, sql).fetch_all(c).await?);
        let Some(last) = rows.last() else { break };
        after = last.id;
        let (mut ids, mut seqs, mut prevs, mut hashes) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let Some(link) = tx.chain.as_mut() else { unreachable!("loaded above") };
        for r in &rows {
            let s = advance(link, &r.content());
            ids.push(r.id);
            seqs.push(s.seq);
            prevs.push(s.prev_hash);
            hashes.push(s.hash);
        }
        match &mut tx.conn {
            crate::db::TxConn::Postgres(c) => {
                sqlx::query(
                    "UPDATE audit a SET seq = u.seq, prev_hash = u.prev_hash, hash = u.hash \
                     FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::TEXT[], $4::TEXT[]) AS u (id, seq, prev_hash, hash) \
                     WHERE a.id = u.id",
                )
                .bind(&ids)
                .bind(&seqs)
                .bind(&prevs)
                .bind(&hashes)
                .execute(&mut **c)
                .await?;
            }
            crate::db::TxConn::Sqlite(c) => {
                for i in 0..ids.len() {
                    sqlx::query("UPDATE audit SET seq = $1, prev_hash = $2, hash = $3 WHERE id = $4")
                        .bind(seqs[i])
                        .bind(&prevs[i])
                        .bind(&hashes[i])
                        .bind(ids[i])
                        .execute(&mut **c)
                        .await?;
                }
            }
        }
    }
    on_conn!(&mut tx, c => sqlx::query("UPDATE audit_head SET legacy_sealed = $1 WHERE id = 1")
        .bind(true)
        .execute(c)
        .await?
        .rows_affected());
    tx.commit().await
}

/// A point of the chain: a row's `seq` and `hash`, written `SEQ:HASH` (what an operator records
/// elsewhere and gives back to `vuonlen db check --audit-head`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    pub seq: i64,
    pub hash: String,
}

impl fmt::Display for ChainHead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

impl std::str::FromStr for ChainHead {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self> {
        let bad = || {
            StoreError::Invalid(format!(
                "'{s}' không phải đầu chuỗi SỐ:MÃ_BĂM / is not a chain head SEQ:HASH (64 hex digits)"
            ))
        };
        let (seq, hash) = s.trim().split_once(':').ok_or_else(bad)?;
        let seq: i64 = seq.parse().map_err(|_| bad())?;
        let hash = hash.to_ascii_lowercase();
        if seq < 0 || hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        Ok(ChainHead { seq, hash })
    }
}

/// Why the chain is broken at a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BreakKind {
    /// The row's content or seal no longer matches its hash: it was changed.
    Changed,
    /// The row does not follow the row before it (its `prev_hash` differs): it, or the one
    /// before it, was forged or replaced.
    Forged,
    /// No row has this `seq` although later rows exist: removed.
    Missing,
    /// The chain ends before the recorded head: this row and every later one were removed.
    Truncated,
    /// Rows go beyond the head, or the head's hash is not the last row's: rows were added or
    /// the head was changed outside the application.
    HeadMismatch,
    /// A row without a seal (`seq` is NULL), inserted outside the application.
    Unsealed { id: i64 },
    /// The head recorded by the operator is no longer in the chain: it was rewritten from this
    /// row on (or before).
    Rewritten { recorded: String },
}

impl fmt::Display for BreakKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BreakKind::Changed => f.write_str("nội dung đã bị sửa / the row was changed"),
            BreakKind::Forged => {
                f.write_str("không nối tiếp dòng trước (giả mạo hoặc bị thay) / does not follow the row before it (forged or replaced)")
            }
            BreakKind::Missing => f.write_str("dòng đã bị xoá / the row was deleted"),
            BreakKind::Truncated => {
                f.write_str("đuôi nhật ký đã bị cắt từ dòng này / the log's tail was cut off from this row on")
            }
            BreakKind::HeadMismatch => {
                f.write_str("không khớp đầu chuỗi audit_head (thêm dòng hoặc sửa đầu chuỗi) / does not match audit_head (rows added or the head changed)")
            }
            BreakKind::Unsealed { id } => {
                write!(f, "dòng id {id} không có dấu niêm phong (chèn ngoài ứng dụng) / row id {id} has no seal (inserted outside the application)")
            }
            BreakKind::Rewritten { recorded } => write!(
                f,
                "đầu chuỗi đã ghi {recorded} không còn trong chuỗi (viết lại) / the recorded head {recorded} is no longer in the chain (rewritten)"
            ),
        }
    }
}

/// The first broken row of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// The `seq` of the first row found broken (for [`BreakKind::Unsealed`], the `seq` it would
    /// have had after the last sealed row).
    pub seq: i64,
    pub kind: BreakKind,
    /// Rows found intact before it.
    pub rows_checked: u64,
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dòng / row seq {}: {}", self.seq, self.kind)
    }
}

/// The result of [`Db::verify_audit_chain`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainCheck {
    /// Every row is in its place, unchanged, and the chain ends at `head`.
    Intact {
        rows: u64,
        head: ChainHead,
    },
    Broken(ChainBreak),
}

impl Db {
    /// Checks the whole audit chain against its rows and `audit_head` (`vuonlen db check`).
    pub async fn verify_audit_chain(&self) -> Result<ChainCheck> {
        self.verify_audit_chain_from(None).await
    }

    /// [`Db::verify_audit_chain`], and that `recorded` (a head noted earlier, `SEQ:HASH`) is
    /// still a row of the chain: a chain rewritten from an earlier row on, head included, is
    /// otherwise consistent.
    pub async fn verify_audit_chain_from(&self, recorded: Option<&ChainHead>) -> Result<ChainCheck> {
        // One snapshot: rows committed meanwhile are not half seen (SQLite: a read transaction,
        // which does not keep writers out in WAL mode).
        let conn = match &self.pool {
            Pool::Sqlite(p) => TxConn::Sqlite(p.begin_with("BEGIN DEFERRED").await?),
            Pool::Postgres(p) => {
                TxConn::Postgres(p.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?)
            }
        };
        let mut tx = Tx { conn, chain: None };
        let checked = check_in(&mut tx, recorded).await;
        tx.rollback().await?;
        checked
    }
}

/// [`Db::verify_audit_chain_from`] in the snapshot of `tx`.
async fn check_in(tx: &mut Tx, recorded: Option<&ChainHead>) -> Result<ChainCheck> {
    let head: Option<(i64, String)> = on_conn!(tx, p => sqlx::query_as(
        "SELECT seq, hash FROM audit_head WHERE id = 1",
    )
    .fetch_optional(p)
    .await?);
    let Some((head_seq, head_hash)) = head else {
        return Err(StoreError::Chain(
            "bảng audit_head không có dòng đầu chuỗi / the audit_head table has no head row".into(),
        ));
    };
    let mut sql = Sql::new();
    sql.push("SELECT ").push(STORED).push(" FROM audit WHERE seq IS NOT NULL ORDER BY seq");
    let walked = on_conn!(tx, c => walk(bound!(query_as::<_, Stored>, sql).fetch(c)).await?);
    let (rows, last_seq, last_hash) = match walked {
        Walk::Broken(b) => return Ok(ChainCheck::Broken(b)),
        Walk::End { rows, last_seq, last_hash } => (rows, last_seq, last_hash),
    };
    let broken = |seq: i64, kind: BreakKind| Ok(ChainCheck::Broken(ChainBreak { seq, kind, rows_checked: rows }));
    if last_seq < head_seq {
        return broken(last_seq + 1, BreakKind::Truncated);
    }
    if last_seq > head_seq {
        return broken(head_seq + 1, BreakKind::HeadMismatch);
    }
    if last_hash != head_hash {
        return broken(head_seq, BreakKind::HeadMismatch);
    }
    let unsealed: Option<i64> = on_conn!(tx, p => sqlx::query_scalar(
        "SELECT MIN(id) FROM audit WHERE seq IS NULL",
    )
    .fetch_one(p)
    .await?);
    if let Some(id) = unsealed {
        return broken(last_seq + 1, BreakKind::Unsealed { id });
    }
    if let Some(r) = recorded {
        let at: Option<String> = if r.seq == 0 {
            Some(GENESIS.to_string())
        } else {
            on_conn!(tx, p => sqlx::query_scalar("SELECT hash FROM audit WHERE seq = $1")
                .bind(r.seq)
                .fetch_optional(p)
                .await?)
            .flatten()
        };
        if at.as_deref() != Some(r.hash.as_str()) {
            return broken(r.seq, BreakKind::Rewritten { recorded: r.to_string() });
        }
    }
    Ok(ChainCheck::Intact { rows, head: ChainHead { seq: head_seq, hash: head_hash } })
}

enum Walk {
    End { rows: u64, last_seq: i64, last_hash: String },
    Broken(ChainBreak),
}

/// Walks the sealed rows in `seq` order and stops at the first broken one.
async fn walk<S>(mut rows: S) -> Result<Walk>
where
    S: futures_util::Stream<Item = std::result::Result<Stored, sqlx::Error>> + Unpin,
{
    let (mut n, mut prev_seq, mut prev_hash) = (0u64, 0i64, GENESIS.to_string());
    while let Some(r) = rows.try_next().await? {
        let seq = r.seq.unwrap_or_default();
        let broken = |seq: i64, kind: BreakKind| Ok(Walk::Broken(ChainBreak { seq, kind, rows_checked: n }));
        if seq > prev_seq + 1 {
            return broken(prev_seq + 1, BreakKind::Missing);
        }
        if seq <= prev_seq {
            // Only a second row with one seq (the unique index was dropped).
            return broken(seq, BreakKind::Forged);
        }
        let (Some(stored_prev), Some(stored_hash)) = (r.prev_hash.as_deref(), r.hash.as_deref()) else {
            return broken(seq, BreakKind::Changed);
        };
        if seal(stored_prev, seq, &r.content()) != stored_hash {
            return broken(seq, BreakKind::Changed);
        }
        if stored_prev != prev_hash {
            return broken(seq, BreakKind::Forged);
        }
        n += 1;
        prev_seq = seq;
        prev_hash = stored_hash.to_string();
    }
    Ok(Walk::End { rows: n, last_seq: prev_seq, last_hash: prev_hash })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content<'a>(new_value: Option<&'a str>) -> Content<'a> {
        Content {
            at: "2025-01-01T00:00:00.000Z",
            actor: "cán bộ",
            command: "test",
            entity: "survey",
            household_id: Some(7),
            period: Some(2025),
            member_no: None,
            field: "created",
            old_value: None,
            new_value,
        }
    }

    #[test]
    fn the_seal_covers_every_column_and_the_link() {
        let a = seal(GENESIS, 1, &content(None));
        assert_eq!(a.len(), 64);
        assert_ne!(a, seal(GENESIS, 1, &content(Some(""))), "NULL and empty text differ");
        assert_ne!(a, seal(GENESIS, 2, &content(None)), "the seq is sealed");
        assert_ne!(a, seal(&a, 1, &content(None)), "the previous hash is sealed");
        let mut c = content(None);
        c.household_id = Some(8);
        assert_ne!(a, seal(GENESIS, 1, &c));
        // Field boundaries are encoded: moving a character between two columns changes the hash.
        let (mut x, mut y) = (content(None), content(None));
        x.actor = "ab";
        x.command = "c";
        y.actor = "a";
        y.command = "bc";
        assert_ne!(seal(GENESIS, 1, &x), seal(GENESIS, 1, &y));
        assert_eq!(a, seal(GENESIS, 1, &content(None)), "deterministic");
    }

    #[test]
    fn heads_parse_and_print() {
        let h: ChainHead = format!("12:{}", "AB".repeat(32)).parse().expect("head");
        assert_eq!(h.seq, 12);
        assert_eq!(h.to_string(), format!("12:{}", "ab".repeat(32)));
        assert!("12".parse::<ChainHead>().is_err());
        assert!("x:00".parse::<ChainHead>().is_err());
        assert!(format!("-1:{}", "0".repeat(64)).parse::<ChainHead>().is_err());
    }
}
