//! Beneficiary lists (`beneficiary_list`, `beneficiary`, issue 14): a commune's households a
//! support is for, chosen in one statement from a period's classification by the list's rule,
//! each with its class and deprivations (the reason it is there). Made by who may change the
//! commune; read within the reader's area; audited.

use crate::audit::{self, Change};
use crate::db::{on_conn, on_pool};
use crate::error::{Result, StoreError};
use crate::scope::{Registry, province_of};
use crate::sql::{Arg, Sql, bound};

/// A list to make.
#[derive(Debug, Clone, PartialEq)]
pub struct NewList {
    pub period: i64,
    pub standard_id: String,
    /// A 2025 commune.
    pub commune: String,
    pub title: String,
    pub project_code: Option<String>,
    /// The source of funds' key (`central`, …) support delivered against the list names.
    pub source: Option<String>,
    pub support_kind: String,
    /// The rule as JSON (kept with the list).
    pub rule_json: String,
    /// The classes' keys and the deprivations' bits of the rule (0: any).
    pub classes: Vec<String>,
    pub deprived_mask: i64,
}

/// A list as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct BeneficiaryList {
    pub id: i64,
    pub period: i64,
    pub standard_id: String,
    pub commune: String,
    pub title: String,
    pub project_code: Option<String>,
    /// The source of funds' key.
    pub source: Option<String>,
    pub support_kind: String,
    pub rule_json: String,
    pub households: i64,
    pub created_by: String,
    pub created_at: String,
}

/// A household of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Beneficiary {
    pub household_id: i64,
    pub household_code: String,
    /// Personal data: shown within the reader's area only.
    pub head_name: String,
    pub village: String,
    pub class: String,
    pub deprived: i64,
    /// Support records delivered against the list to the household.
    pub delivered: i64,
}

/// A household of a list as read: id, code, head, village, class, deprivations, deliveries.
type BeneficiaryRow = (i64, String, String, Option<String>, String, i64, i64);

type ListRow = (i64, i64, String, String, String, Option<String>, Option<String>, String, String, i64, String, String);

macro_rules! select_lists {
    () => {
        "SELECT l.id, l.period, l.standard_id, l.current_commune, l.title, l.project_code, l.source, l.support_kind, l.rule, \
         (SELECT COUNT(*) FROM beneficiary b WHERE b.list_id = l.id), l.created_by, l.created_at \
         FROM beneficiary_list l WHERE "
    };
}

fn list(r: ListRow) -> BeneficiaryList {
    BeneficiaryList {
        id: r.0,
        period: r.1,
        standard_id: r.2,
        commune: r.3,
        title: r.4,
        project_code: r.5,
        source: r.6,
        support_kind: r.7,
        rule_json: r.8,
        households: r.9,
        created_by: r.10,
        created_at: r.11,
    }
}

impl Registry {
    /// Makes the list and chooses its households, in one transaction; its id. Forbidden when the
    /// commune is outside what the writer may change.
    pub async fn create_beneficiary_list(&self, l: &NewList, actor: &str, command: &str) -> Result<i64> {
        let province = province_of(&l.commune);
        if !self.may_change(province, &l.commune) {
            return Err(StoreError::Forbidden(format!(
                "xã {0} ngoài phạm vi được giao / commune {0} is outside your area",
                l.commune
            )));
        }
        let at = crate::now();
        let mut tx = self.db.begin().await?;
        let id: i64 = on_conn!(tx, c => sqlx::query_scalar(
            "INSERT INTO beneficiary_list (period, standard_id, current_province, current_commune, title, project_code, \
                 support_kind, rule, created_by, created_at, source) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                 RETURNING id",
        )
        .bind(l.period)
        .bind(l.standard_id.as_str())
        .bind(province)
        .bind(l.commune.as_str())
        .bind(l.title.as_str())
        .bind(l.project_code.as_deref())
        .bind(l.support_kind.as_str())
        .bind(l.rule_json.as_str())
        .bind(actor)
        .bind(at.as_str())
        .bind(l.source.as_deref())
        .fetch_one(c)
        .await?);
        let mut q = Sql::with_args([
            Arg::Int(id),
            Arg::Int(l.period),
            Arg::from(l.standard_id.as_str()),
            Arg::from(province),
            Arg::from(l.commune.as_str()),
        ]);
        q.push(
            "INSERT INTO beneficiary (list_id, household_id, class, deprived) \
             SELECT $1, c.household_id, c.class, c.deprived FROM survey s JOIN classification c \
             ON c.period = s.period AND c.household_id = s.household_id AND c.standard_id = $3 \
             WHERE s.period = $2 AND s.current_province = $4 AND s.current_commune = $5 AND c.class IN (",
        )
        .bind_list(l.classes.iter().map(String::as_str))
        .push(")");
        if l.deprived_mask != 0 {
            q.push(" AND (c.deprived & ").bind(l.deprived_mask).push(") <> 0");
        }
        let chosen = on_conn!(tx, c => bound!(query, q).execute(c).await?.rows_affected());
        let field = format!("{id}");
        let new_value = format!("{} ({chosen} hộ / households): {}", l.title, l.rule_json);
        let change = Change {
            actor,
            command,
            entity: "beneficiary_list",
            household_id: None,
            period: Some(l.period),
            member_no: None,
            field: &field,
            old_value: None,
            new_value: Some(&new_value),
        };
        audit::record_now(&mut tx, &change, &at).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The lists of `unit` — a commune, a province's communes — (all of the reader's area when
    /// `None` or `VN`), newest first.
    pub async fn beneficiary_lists(&self, unit: Option<&str>) -> Result<Vec<BeneficiaryList>> {
        let mut q = Sql::new();
        q.push(select_lists!()).append(&self.scope.sql("l"));
        match unit {
            Some(c) if c.len() == 5 => {
                q.push(" AND l.current_commune = ").bind(c);
            }
            Some(p) if p.len() == 2 => {
                q.push(" AND l.current_province = ").bind(p);
            }
            _ => {}
        }
        q.push(" ORDER BY l.id DESC");
        let rows: Vec<ListRow> = on_pool!(self.db, p => bound!(query_as, q).fetch_all(p).await?);
        Ok(rows.into_iter().map(list).collect())
    }

    /// The list `id`, if the reader may read it.
    pub async fn beneficiary_list(&self, id: i64) -> Result<Option<BeneficiaryList>> {
        let mut q = Sql::with_args([Arg::Int(id)]);
        q.push(select_lists!()).push("l.id = $1 AND ").append(&self.scope.sql("l"));
        let row: Option<ListRow> = on_pool!(self.db, p => bound!(query_as, q).fetch_optional(p).await?);
        Ok(row.map(list))
    }

    /// The households of list `id` (its period's survey: code, head, village), in the order of
    /// their codes — none when the reader may not read the list.
    pub async fn beneficiaries(&self, id: i64) -> Result<Vec<Beneficiary>> {
        let Some(l) = self.beneficiary_list(id).await? else { return Ok(Vec::new()) };
        let rows: Vec<BeneficiaryRow> = on_pool!(self.db, p => sqlx::query_as(
            "SELECT b.household_id, s.household_code, s.head_name, v.name, b.class, b.deprived, \
                 (SELECT COUNT(*) FROM support_record r WHERE r.list_id = b.list_id AND r.household_id = b.household_id) \
             FROM beneficiary b JOIN survey s ON s.period = $2 AND s.household_id = b.household_id \
             LEFT JOIN village v ON v.id = s.village_id \
             WHERE b.list_id = $1 ORDER BY s.household_code",
        )
        .bind(id)
        .bind(l.period)
        .fetch_all(p)
        .await?);
        Ok(rows
            .into_iter()
            .map(|r| Beneficiary {
                household_id: r.0,
                household_code: r.1,
                head_name: r.2,
                village: r.3.unwrap_or_default(),
                class: r.4,
                deprived: r.5,
                delivered: r.6,
            })
            .collect())
    }
}
