//! The audit log (*nhật ký thay đổi*): who changed what, when, from which value to which,
//! through which command. Append-only: the database refuses updates and deletes of it, and every
//! row is sealed in a hash chain ([`crate::chain`]) so that a rewrite made around the refusal
//! shows in `vuonlen db check`.

use crate::bulk::{TableBuffer, Val, execute};
use crate::chain::{self, Content, Seal};
use crate::db::{Db, Tx, on_pool};
use crate::error::Result;

/// One change to record.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    pub actor: &'a str,
    pub command: &'a str,
    /// `household`, `survey`, `member`, `unit_lineage`, `village`, `household_link`.
    pub entity: &'a str,
    pub household_id: Option<i64>,
    pub period: Option<i64>,
    pub member_no: Option<i64>,
    /// The field changed, or `created` / `deleted` for a whole row.
    pub field: &'a str,
    pub old_value: Option<&'a str>,
    pub new_value: Option<&'a str>,
}

/// The columns of `audit` the application writes, in [`sealed_row`] order.
pub(crate) const COLUMNS: &[&str] = &[
    "at",
    "actor",
    "command",
    "entity",
    "household_id",
    "period",
    "member_no",
    "field",
    "old_value",
    "new_value",
    "seq",
    "prev_hash",
    "hash",
];

impl<'a> Change<'a> {
    /// The columns the chain seals ([`crate::chain::seal`]).
    pub(crate) fn content(&self, at: &'a str) -> Content<'a> {
        Content {
            at,
            actor: self.actor,
            command: self.command,
            entity: self.entity,
            household_id: self.household_id,
            period: self.period,
            member_no: self.member_no,
            field: self.field,
            old_value: self.old_value,
            new_value: self.new_value,
        }
    }
}

/// A sealed row of [`COLUMNS`].
pub(crate) fn sealed_row<'a>(c: &Content<'a>, seal: Seal) -> [Val<'a>; 13] {
    [
        c.at.into(),
        c.actor.into(),
        c.command.into(),
        c.entity.into(),
        c.household_id.into(),
        c.period.into(),
        c.member_no.into(),
        c.field.into(),
        c.old_value.into(),
        c.new_value.into(),
        seal.seq.into(),
        seal.prev_hash.into(),
        seal.hash.into(),
    ]
}

/// Records one change inside a transaction, sealed as the next row of the chain.
pub(crate) async fn record_now(tx: &mut Tx, c: &Change<'_>, at: &str) -> Result<()> {
    let content = c.content(at);
    let seal = chain::next(tx, &content).await?;
    execute(
        tx,
        "INSERT INTO audit (at, actor, command, entity, household_id, period, member_no, field, old_value, new_value, \
         seq, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        sealed_row(&content, seal).into(),
    )
    .await?;
    Ok(())
}

/// A change of an import waiting for its seal: the import's actor, command and time are the
/// same for all of its rows.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub entity: &'static str,
    pub household_id: Option<i64>,
    pub period: Option<i64>,
    pub member_no: Option<i64>,
    pub field: &'static str,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// Seals `pending` in order as the next rows of the chain of `tx` and adds them to `out`.
pub(crate) async fn seal_into(
    tx: &mut Tx,
    pending: &mut Vec<Pending>,
    actor: &str,
    command: &str,
    at: &str,
    out: &mut TableBuffer,
) -> Result<()> {
    if pending.is_empty() {
        return Ok(());
    }
    let link = chain::link(tx).await?;
    for p in pending.iter() {
        let c = Content {
            at,
            actor,
            command,
            entity: p.entity,
            household_id: p.household_id,
            period: p.period,
            member_no: p.member_no,
            field: p.field,
            old_value: p.old_value.as_deref(),
            new_value: p.new_value.as_deref(),
        };
        let seal = chain::seal_next(link, &c);
        out.push(sealed_row(&c, seal));
    }
    pending.clear();
    Ok(())
}

/// One entry of the log.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Entry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub command: String,
    pub entity: String,
    pub household_id: Option<i64>,
    pub period: Option<i64>,
    pub member_no: Option<i64>,
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// The log of one household, oldest first.
pub async fn for_household_unscoped(db: &Db, household_id: i64) -> Result<Vec<Entry>> {
    Ok(on_pool!(db, p => sqlx::query_as(
        "SELECT id, at, actor, command, entity, household_id, period, member_no, field, old_value, new_value \
         FROM audit WHERE household_id = $1 ORDER BY id",
    )
    .bind(household_id)
    .fetch_all(p)
    .await?))
}
