//! The audit log (*nhật ký thay đổi*): who changed what, when, from which value to which,
//! through which command. Append-only: the database refuses updates and deletes of it.

use crate::bulk::{Val, execute};
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

/// The columns of `audit`, in [`row`] order.
pub(crate) const COLUMNS: &[&str] =
    &["at", "actor", "command", "entity", "household_id", "period", "member_no", "field", "old_value", "new_value"];

/// A change as a row of [`COLUMNS`].
pub(crate) fn row<'a>(c: &Change<'a>, at: &'a str) -> [Val<'a>; 10] {
    [
        at.into(),
        c.actor.into(),
        c.command.into(),
        c.entity.into(),
        c.household_id.into(),
        c.period.into(),
        c.member_no.into(),
        c.field.into(),
        c.old_value.into(),
        c.new_value.into(),
    ]
}

/// Records one change inside a transaction.
pub(crate) async fn record_now(tx: &mut Tx, c: &Change<'_>, at: &str) -> Result<()> {
    execute(
        tx,
        "INSERT INTO audit (at, actor, command, entity, household_id, period, member_no, field, old_value, new_value) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        row(c, at).into(),
    )
    .await?;
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
pub async fn for_household(db: &Db, household_id: i64) -> Result<Vec<Entry>> {
    Ok(on_pool!(db, p => sqlx::query_as(
        "SELECT id, at, actor, command, entity, household_id, period, member_no, field, old_value, new_value \
         FROM audit WHERE household_id = $1 ORDER BY id",
    )
    .bind(household_id)
    .fetch_all(p)
    .await?))
}
