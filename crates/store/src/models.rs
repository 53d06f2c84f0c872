//! Poverty-reduction models (`poverty_model` and its households, replications and cases, issue
//! 14): a commune's model under a project of the catalogue, its host, place, years, budget by
//! source of funds, results and status; the households of its commune taking part; its
//! replications in other communes; its exemplary cases for communication. The model's commune is
//! its scope: read within the reader's area, written by who may change the commune (its own
//! commune or its province), every change audited.

use crate::audit::{self, Change};
use crate::db::{Tx, on_conn, on_pool};
use crate::error::{Result, StoreError};
use crate::scope::{Registry, province_of};
use crate::sql::{Arg, Sql, bound};
use crate::targets::TargetUnit;
use std::collections::{BTreeMap, HashMap};
use vuonlen_core::budget::FundSource;

/// A reason a write was refused: Vietnamese, English.
pub type Reason = (String, String);

/// A model to record (its fields already checked by the caller: `vuonlen_app::models`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewModel {
    /// A 2025 commune: the model's scope.
    pub commune: String,
    pub name: String,
    /// The host (*đơn vị chủ trì*).
    pub host: String,
    /// `cooperative`, `cooperative_group`, `community_group`, `agency`, `enterprise`, `other`.
    pub host_kind: String,
    /// Where: a village, a place.
    pub place: Option<String>,
    pub project_code: String,
    pub start_year: i64,
    pub end_year: Option<i64>,
    /// Đồng by source of funds (each source once).
    pub budget: Vec<(FundSource, u64)>,
    pub result: Option<String>,
    /// `planned`, `under_way`, `done`, `cancelled`.
    pub status: String,
}

/// A model as recorded, with how many households, replications and cases it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    pub id: i64,
    pub province: String,
    pub model: NewModel,
    pub households: i64,
    pub replications: i64,
    pub cases: i64,
}

impl Model {
    /// The budget from every source, in đồng.
    pub fn budget_total(&self) -> u64 {
        self.model.budget.iter().map(|(_, a)| a).sum()
    }
}

/// A household taking part, as of its latest survey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub household_id: i64,
    pub household_code: String,
    /// Personal data: read within the reader's area only.
    pub head_name: Option<String>,
    /// The period of its latest survey and its class then under the period's standard.
    pub period: Option<i64>,
    pub class: Option<String>,
}

/// A replication of a model in another commune.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replication {
    pub id: i64,
    pub commune: String,
    pub year: i64,
    pub households: i64,
    pub note: Option<String>,
}

/// An exemplary case (*gương điển hình*) of a model.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Case {
    pub id: i64,
    pub household_id: Option<i64>,
    pub household_code: Option<String>,
    pub title: String,
    pub story: Option<String>,
    pub year: i64,
    /// The household escaped poverty (*gương thoát nghèo*).
    pub escaped: bool,
}

type ModelRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    i64,
    Option<i64>,
    Option<String>,
    String,
    i64,
    i64,
    i64,
);

macro_rules! select_models {
    () => {
        "SELECT m.id, m.current_province, m.current_commune, m.name, m.host, m.host_kind, m.place, m.project_code, \
         m.start_year, m.end_year, m.result, m.status, \
         (SELECT COUNT(*) FROM poverty_model_household x WHERE x.model_id = m.id), \
         (SELECT COUNT(*) FROM poverty_model_replication x WHERE x.model_id = m.id), \
         (SELECT COUNT(*) FROM poverty_model_case x WHERE x.model_id = m.id) FROM poverty_model m WHERE "
    };
}

fn model(r: ModelRow, budget: Vec<(FundSource, u64)>) -> Model {
    Model {
        id: r.0,
        province: r.1,
        model: NewModel {
            commune: r.2,
            name: r.3,
            host: r.4,
            host_kind: r.5,
            place: r.6,
            project_code: r.7,
            start_year: r.8,
            end_year: r.9,
            budget,
            result: r.10,
            status: r.11,
        },
        households: r.12,
        replications: r.13,
        cases: r.14,
    }
}

fn outside(commune: &str) -> StoreError {
    StoreError::Forbidden(format!("xã {commune} ngoài phạm vi được giao / commune {commune} is outside your area"))
}

/// Of `ids`, those that are not households of `(province, commune)` — or are not in the
/// registry: the caller cannot tell them apart.
async fn not_of(tx: &mut Tx, ids: &[i64], province: &str, commune: &str) -> Result<Vec<i64>> {
    let mut of = std::collections::BTreeSet::new();
    for chunk in ids.chunks(200) {
        let mut q = Sql::with_args([Arg::from(province), Arg::from(commune)]);
        q.push("SELECT id FROM household WHERE province_code = $1 AND commune_code = $2 AND id IN (")
            .bind_list(chunk.iter().copied())
            .push(")");
        let found: Vec<i64> = on_conn!(tx, c => bound!(query_scalar, q).fetch_all(c).await?);
        of.extend(found);
    }
    Ok(ids.iter().copied().filter(|id| !of.contains(id)).collect())
}

fn audit_change<'a>(
    actor: &'a str,
    command: &'a str,
    entity: &'static str,
    field: &'a str,
    new_value: &'a str,
    household: Option<i64>,
) -> Change<'a> {
    Change {
        actor,
        command,
        entity,
        household_id: household,
        period: None,
        member_no: None,
        field,
        old_value: None,
        new_value: Some(new_value),
    }
}

impl Registry {
    /// Records `m` with the households of `households` taking part, all or nothing: its id, or
    /// every household refused (not of the model's commune). Forbidden when the commune is
    /// outside what the writer may change.
    pub async fn record_model(
        &self,
        m: &NewModel,
        households: &[i64],
        actor: &str,
        command: &str,
    ) -> Result<std::result::Result<i64, Vec<Reason>>> {
        let province = province_of(&m.commune);
        if !self.may_change(province, &m.commune) {
            return Err(outside(&m.commune));
        }
        let at = crate::now();
        let mut tx = self.db.begin().await?;
        let refused = not_of(&mut tx, households, province, &m.commune).await?;
        if !refused.is_empty() {
            return Ok(Err(refused.into_iter().map(|id| not_in_commune(id, &m.commune)).collect()));
        }
        let id: i64 = on_conn!(tx, c => sqlx::query_scalar(
            "INSERT INTO poverty_model (current_province, current_commune, name, host, host_kind, place, project_code, \
                 start_year, end_year, result, status, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        )
        .bind(province)
        .bind(m.commune.as_str())
        .bind(m.name.as_str())
        .bind(m.host.as_str())
        .bind(m.host_kind.as_str())
        .bind(m.place.as_deref())
        .bind(m.project_code.as_str())
        .bind(m.start_year)
        .bind(m.end_year)
        .bind(m.result.as_deref())
        .bind(m.status.as_str())
        .bind(actor)
        .bind(at.as_str())
        .fetch_one(c)
        .await?);
        for (source, amount) in &m.budget {
            let amount = i64::try_from(*amount)
                .map_err(|_| StoreError::Invalid(format!("{amount} đồng: quá lớn / too large")))?;
            on_conn!(tx, c => sqlx::query("INSERT INTO poverty_model_budget (model_id, source, amount) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(source.key())
                .bind(amount)
                .execute(c)
                .await?
                .rows_affected());
        }
        let field = format!("{id}");
        let budget: Vec<String> = m.budget.iter().map(|(s, a)| format!("{}={a}", s.key())).collect();
        let new_value = format!(
            "{} {} ({}, {}), {}–{}: {} [{}]",
            m.commune,
            m.name,
            m.host,
            m.project_code,
            m.start_year,
            m.end_year.map(|y| y.to_string()).unwrap_or_default(),
            m.status,
            budget.join(", ")
        );
        audit::record_now(&mut tx, &audit_change(actor, command, "poverty_model", &field, &new_value, None), &at)
            .await?;
        link(&mut tx, id, households, actor, command, &at).await?;
        tx.commit().await?;
        Ok(Ok(id))
    }

    /// Adds the households of `households` to model `id`, all or nothing: how many were added
    /// (those already taking part are left as they are), or every household refused.
    /// `NotFound` when the reader may not read the model; forbidden when it may not change its
    /// commune.
    pub async fn join_model(
        &self,
        id: i64,
        households: &[i64],
        actor: &str,
        command: &str,
    ) -> Result<std::result::Result<u64, Vec<Reason>>> {
        let m = self.writable_model(id).await?;
        let at = crate::now();
        let mut tx = self.db.begin().await?;
        let refused = not_of(&mut tx, households, &m.province, &m.model.commune).await?;
        if !refused.is_empty() {
            return Ok(Err(refused.into_iter().map(|h| not_in_commune(h, &m.model.commune)).collect()));
        }
        let added = link(&mut tx, id, households, actor, command, &at).await?;
        tx.commit().await?;
        Ok(Ok(added))
    }

    /// Records model `id`'s replication in `commune` (a 2025 commune, checked by the caller).
    #[allow(clippy::too_many_arguments)]
    pub async fn record_replication(
        &self,
        id: i64,
        commune: &str,
        year: i64,
        households: i64,
        note: Option<&str>,
        actor: &str,
        command: &str,
    ) -> Result<i64> {
        self.writable_model(id).await?;
        let at = crate::now();
        let mut tx = self.db.begin().await?;
        let rid: i64 = on_conn!(tx, c => sqlx::query_scalar(
            "INSERT INTO poverty_model_replication (model_id, commune_code, province_code, year, households, note, \
                 recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(id)
        .bind(commune)
        .bind(province_of(commune))
        .bind(year)
        .bind(households)
        .bind(note)
        .bind(actor)
        .bind(at.as_str())
        .fetch_one(c)
        .await?);
        let field = format!("{id}");
        let new_value = format!("{commune} {year}: {households}");
        audit::record_now(
            &mut tx,
            &audit_change(actor, command, "poverty_model_replication", &field, &new_value, None),
            &at,
        )
        .await?;
        tx.commit().await?;
        Ok(rid)
    }

    /// Records an exemplary case of model `id`: its id, or why the household was refused (not
    /// of the model's commune).
    pub async fn record_case(
        &self,
        id: i64,
        case: &Case,
        actor: &str,
        command: &str,
    ) -> Result<std::result::Result<i64, Vec<Reason>>> {
        let m = self.writable_model(id).await?;
        let at = crate::now();
        let mut tx = self.db.begin().await?;
        if let Some(h) = case.household_id
            && !not_of(&mut tx, &[h], &m.province, &m.model.commune).await?.is_empty()
        {
            return Ok(Err(vec![not_in_commune(h, &m.model.commune)]));
        }
        let cid: i64 = on_conn!(tx, c => sqlx::query_scalar(
            "INSERT INTO poverty_model_case (model_id, household_id, title, story, year, escaped, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(id)
        .bind(case.household_id)
        .bind(case.title.as_str())
        .bind(case.story.as_deref())
        .bind(case.year)
        .bind(i64::from(case.escaped))
        .bind(actor)
        .bind(at.as_str())
        .fetch_one(c)
        .await?);
        let field = format!("{id}");
        let new_value = format!("{} {}{}", case.year, case.title, if case.escaped { " (thoát nghèo)" } else { "" });
        audit::record_now(
            &mut tx,
            &audit_change(actor, command, "poverty_model_case", &field, &new_value, case.household_id),
            &at,
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(cid))
    }

    /// The household `code` of `commune` today (the household's current commune and code), if
    /// the reader may read it.
    pub async fn commune_household(&self, commune: &str, code: &str) -> Result<Option<i64>> {
        let mut q = Sql::with_args([Arg::from(commune), Arg::from(code)]);
        q.push(
            "SELECT h.id FROM (SELECT id, household_code, province_code AS current_province, \
             commune_code AS current_commune FROM household) h \
             WHERE h.current_commune = $1 AND h.household_code = $2 AND ",
        )
        .append(&self.scope.sql("h"))
        .push(" ORDER BY h.id");
        let ids: Vec<i64> = on_pool!(self.db, p => bound!(query_scalar, q).fetch_all(p).await?);
        Ok(ids.first().copied())
    }

    /// Of `ids`, those that are not households of the 2025 commune `commune` (or not in the
    /// registry) — the check the writing transaction makes again, for saying every reason at once.
    pub async fn not_of_commune(&self, commune: &str, ids: &[i64]) -> Result<Vec<i64>> {
        let mut of = std::collections::BTreeSet::new();
        for chunk in ids.chunks(200) {
            let mut q = Sql::with_args([Arg::from(province_of(commune)), Arg::from(commune)]);
            q.push("SELECT id FROM household WHERE province_code = $1 AND commune_code = $2 AND id IN (")
                .bind_list(chunk.iter().copied())
                .push(")");
            let found: Vec<i64> = on_pool!(self.db, p => bound!(query_scalar, q).fetch_all(p).await?);
            of.extend(found);
        }
        Ok(ids.iter().copied().filter(|id| !of.contains(id)).collect())
    }

    /// Model `id` when the reader may read it and the writer change its commune.
    async fn writable_model(&self, id: i64) -> Result<Model> {
        let m = self.model(id).await?.ok_or_else(|| StoreError::NotFound(format!("mô hình / model {id}")))?;
        if !self.may_change(&m.province, &m.model.commune) {
            return Err(outside(&m.model.commune));
        }
        Ok(m)
    }

    /// The models of `unit` — a commune's, a province's communes', the country's — within the
    /// reader's area, under way in `year` (started by then, not ended before) or of every year;
    /// by commune, start year and id.
    pub async fn models_of(&self, unit: &TargetUnit, year: Option<i64>) -> Result<Vec<Model>> {
        if !self.may_read_unit(unit) {
            return Ok(Vec::new());
        }
        let filter = |q: &mut Sql| {
            q.append(&self.scope.sql("m"));
            match unit.place() {
                ("", _) => {}
                (p, "") => {
                    q.push(" AND m.current_province = ").bind(p);
                }
                (p, c) => {
                    q.push(" AND m.current_province = ").bind(p).push(" AND m.current_commune = ").bind(c);
                }
            }
            if let Some(y) = year {
                q.push(" AND m.start_year <= ")
                    .bind(y)
                    .push(" AND (m.end_year IS NULL OR m.end_year >= ")
                    .bind(y)
                    .push(")");
            }
        };
        let mut q = Sql::new();
        q.push(select_models!());
        filter(&mut q);
        q.push(" ORDER BY m.current_commune, m.start_year, m.id");
        let rows: Vec<ModelRow> = on_pool!(self.db, p => bound!(query_as, q).fetch_all(p).await?);
        let mut b = Sql::new();
        b.push("SELECT b.model_id, b.source, b.amount FROM poverty_model_budget b JOIN poverty_model m ON m.id = b.model_id WHERE ");
        filter(&mut b);
        let lines: Vec<(i64, String, i64)> = on_pool!(self.db, p => bound!(query_as, b).fetch_all(p).await?);
        let mut budgets = budgets(lines);
        Ok(rows
            .into_iter()
            .map(|r| {
                let b = budgets.remove(&r.0).unwrap_or_default();
                model(r, b)
            })
            .collect())
    }

    /// Model `id`, if the reader may read it.
    pub async fn model(&self, id: i64) -> Result<Option<Model>> {
        let mut q = Sql::with_args([Arg::Int(id)]);
        q.push(select_models!()).push("m.id = $1 AND ").append(&self.scope.sql("m"));
        let Some(row): Option<ModelRow> = on_pool!(self.db, p => bound!(query_as, q).fetch_optional(p).await?) else {
            return Ok(None);
        };
        let lines: Vec<(i64, String, i64)> = on_pool!(self.db, p => sqlx::query_as(
            "SELECT model_id, source, amount FROM poverty_model_budget WHERE model_id = $1",
        )
        .bind(id)
        .fetch_all(p)
        .await?);
        let b = budgets(lines).remove(&id).unwrap_or_default();
        Ok(Some(model(row, b)))
    }

    /// The households taking part in model `id` with their latest survey's class, by code —
    /// none when the reader may not read the model.
    pub async fn model_households(&self, id: i64) -> Result<Vec<Participant>> {
        if self.model(id).await?.is_none() {
            return Ok(Vec::new());
        }
        let mut q = Sql::with_args([Arg::Int(id)]);
        q.push(
            "SELECT x.household_id, COALESCE(s.household_code, h.household_code), s.head_name, s.period, c.class \
             FROM poverty_model_household x JOIN (SELECT id, household_code, province_code AS current_province, \
                 commune_code AS current_commune FROM household) h ON h.id = x.household_id \
             LEFT JOIN survey s ON s.household_id = x.household_id \
                 AND s.period = (SELECT MAX(s2.period) FROM survey s2 WHERE s2.household_id = x.household_id) \
             LEFT JOIN review_period p ON p.year = s.period \
             LEFT JOIN classification c ON c.period = s.period AND c.household_id = x.household_id \
                 AND c.standard_id = p.standard_id \
             WHERE x.model_id = $1 AND ",
        )
        .append(&self.scope.sql("h"))
        .push(" ORDER BY 2, 1");
        type Row = (i64, String, Option<String>, Option<i64>, Option<String>);
        let rows: Vec<Row> = on_pool!(self.db, p => bound!(query_as, q).fetch_all(p).await?);
        Ok(rows
            .into_iter()
            .map(|r| Participant { household_id: r.0, household_code: r.1, head_name: r.2, period: r.3, class: r.4 })
            .collect())
    }

    /// Model `id`'s replications, by year and commune (none when the reader may not read it).
    pub async fn model_replications(&self, id: i64) -> Result<Vec<Replication>> {
        if self.model(id).await?.is_none() {
            return Ok(Vec::new());
        }
        let rows: Vec<(i64, String, i64, i64, Option<String>)> = on_pool!(self.db, p => sqlx::query_as(
            "SELECT id, commune_code, year, households, note FROM poverty_model_replication WHERE model_id = $1 \
             ORDER BY year, commune_code, id",
        )
        .bind(id)
        .fetch_all(p)
        .await?);
        Ok(rows
            .into_iter()
            .map(|r| Replication { id: r.0, commune: r.1, year: r.2, households: r.3, note: r.4 })
            .collect())
    }

    /// Model `id`'s exemplary cases, by year and id (none when the reader may not read it).
    pub async fn model_cases(&self, id: i64) -> Result<Vec<Case>> {
        if self.model(id).await?.is_none() {
            return Ok(Vec::new());
        }
        type Row = (i64, Option<i64>, Option<String>, String, Option<String>, i64, i64);
        let rows: Vec<Row> = on_pool!(self.db, p => sqlx::query_as(
            "SELECT k.id, k.household_id, h.household_code, k.title, k.story, k.year, k.escaped \
             FROM poverty_model_case k LEFT JOIN household h ON h.id = k.household_id \
             WHERE k.model_id = $1 ORDER BY k.year, k.id",
        )
        .bind(id)
        .fetch_all(p)
        .await?);
        Ok(rows
            .into_iter()
            .map(|r| Case {
                id: r.0,
                household_id: r.1,
                household_code: r.2,
                title: r.3,
                story: r.4,
                year: r.5,
                escaped: r.6 != 0,
            })
            .collect())
    }
}

/// Why household `household` cannot take part in a model of `commune`.
pub fn not_in_commune(household: i64, commune: &str) -> Reason {
    (
        format!("Hộ số {household} không phải hộ của xã {commune} (xã của mô hình) trong sổ hộ."),
        format!("Household {household} is not a household of commune {commune} (the model's commune) in the registry."),
    )
}

fn budgets(lines: Vec<(i64, String, i64)>) -> HashMap<i64, Vec<(FundSource, u64)>> {
    let mut by: HashMap<i64, BTreeMap<FundSource, u64>> = HashMap::new();
    for (id, source, amount) in lines {
        if let (Some(s), Ok(a)) = (FundSource::parse(&source), u64::try_from(amount)) {
            by.entry(id).or_default().insert(s, a);
        }
    }
    by.into_iter().map(|(id, b)| (id, b.into_iter().collect())).collect()
}

/// Links `households` to model `id` (those already linked left as they are), each audited on
/// the household; how many were added.
async fn link(tx: &mut Tx, id: i64, households: &[i64], actor: &str, command: &str, at: &str) -> Result<u64> {
    let mut added = 0;
    let field = format!("{id}");
    for &h in households {
        let there: Option<i64> = on_conn!(tx, c => sqlx::query_scalar(
            "SELECT household_id FROM poverty_model_household WHERE model_id = $1 AND household_id = $2",
        )
        .bind(id)
        .bind(h)
        .fetch_optional(c)
        .await?);
        if there.is_some() {
            continue;
        }
        on_conn!(tx, c => sqlx::query(
            "INSERT INTO poverty_model_household (model_id, household_id, recorded_by, recorded_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(h)
        .bind(actor)
        .bind(at)
        .execute(c)
        .await?
        .rows_affected());
        let new_value = format!("tham gia mô hình {id} / takes part in model {id}");
        audit::record_now(
            tx,
            &audit_change(actor, command, "poverty_model_household", &field, &new_value, Some(h)),
            at,
        )
        .await?;
        added += 1;
    }
    Ok(added)
}
