//! Helpers and commitments (`helper_assignment`, `helper_visit`, `escape_registration`,
//! `escape_commitment`, issue 14): the cadre (*cán bộ, đảng viên giúp đỡ*) of an agency assigned
//! to a poor or near-poor household for a period, the cadre's visits (*thăm hỏi*), the
//! household's registration to escape poverty in a year (*đăng ký thoát nghèo*) and its signed
//! commitment (*bản cam kết*). Written for households the writer may change — every reason a
//! write is refused given at once, nothing kept — read within the reader's area, audited.
//! Each row carries the household's place of today, copied as `support_record` does.

use crate::audit::{self, Change};
use crate::db::{Tx, on_conn, on_pool};
use crate::error::Result;
use crate::scope::Registry;
use crate::sql::{Arg, Sql, bound};
use crate::targets::TargetUnit;
use chrono::NaiveDate;

/// The years a registration or a commitment may be for: the programme's two five-year
/// periods (2021–2025, 2026–2030) and the next.
pub const YEARS: std::ops::RangeInclusive<i64> = 2021..=2035;

/// Why a write was refused: every reason, Vietnamese then English.
pub type Refusals = Vec<(String, String)>;

/// A cadre to assign to a household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAssignment {
    pub household_id: i64,
    pub cadre_name: String,
    pub cadre_position: Option<String>,
    pub agency: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
}

/// An assignment as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub id: i64,
    pub household_id: i64,
    pub cadre_name: String,
    pub cadre_position: Option<String>,
    pub agency: String,
    pub starts_on: String,
    pub ends_on: Option<String>,
    /// The household's current assignment.
    pub active: bool,
}

/// A visit to record: made by the helper assigned on the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVisit {
    pub household_id: i64,
    pub visited_on: NaiveDate,
    /// What was discussed.
    pub note: String,
    /// What the household needs.
    pub needs: Option<String>,
}

/// A visit as recorded, with its helper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visit {
    pub id: i64,
    pub assignment_id: i64,
    pub visited_on: String,
    pub note: String,
    pub needs: Option<String>,
    pub cadre_name: String,
    pub agency: String,
}

/// A household's registration to escape poverty in `year`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub household_id: i64,
    pub year: i64,
    pub planned_measures: String,
}

/// A household's signed commitment for `year`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commitment {
    pub household_id: i64,
    pub year: i64,
    pub signed_on: NaiveDate,
    pub content: String,
}

/// A household's helpers, visits, registrations and commitments, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HouseholdHelp {
    pub assignments: Vec<Assignment>,
    pub visits: Vec<Visit>,
    pub registrations: Vec<Registration>,
    /// Signed on as `YYYY-MM-DD`.
    pub commitments: Vec<Commitment>,
}

/// One assignment in force during a year in a unit, with what its household did that year:
/// the rows progress per helper and per agency is added up from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelperYearRow {
    pub assignment_id: i64,
    pub household_id: i64,
    pub cadre_name: String,
    pub cadre_position: Option<String>,
    pub agency: String,
    /// The helper's visits to the household in the year.
    pub visits: i64,
    pub registered: bool,
    pub committed: bool,
    /// The household's official class in the review of the year and in the review before it.
    pub class: Option<String>,
    pub previous_class: Option<String>,
}

/// Today in Viet Nam (UTC+7): what "in the future" is measured against.
pub fn today() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive()
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Today's (province, commune) of household `id`, if it is in the registry.
async fn place_of(tx: &mut Tx, id: i64) -> Result<Option<(String, String)>> {
    Ok(on_conn!(tx, c => sqlx::query_as("SELECT province_code, commune_code FROM household WHERE id = $1")
        .bind(id)
        .fetch_optional(c)
        .await?))
}

/// The household's official class (the standard of the period) in its latest review.
async fn latest_class(tx: &mut Tx, id: i64) -> Result<Option<(i64, String)>> {
    Ok(on_conn!(tx, c => sqlx::query_as(
        "SELECT c.period, c.class FROM classification c JOIN review_period rp \
         ON rp.year = c.period AND rp.standard_id = c.standard_id \
         WHERE c.household_id = $1 ORDER BY c.period DESC LIMIT 1",
    )
    .bind(id)
    .fetch_optional(c)
    .await?))
}

fn class_vi(class: &str) -> &str {
    match class {
        "poor" => "hộ nghèo",
        "near_poor" => "hộ cận nghèo",
        "middle" => "hộ có mức sống trung bình",
        "not_poor" => "hộ không nghèo",
        other => other,
    }
}

fn nonempty(s: &str) -> bool {
    !s.trim().is_empty()
}

impl Registry {
    /// The household's place when the writer may change it; else the reason.
    async fn writable_place(
        &self,
        tx: &mut Tx,
        household_id: i64,
        why: &mut Refusals,
    ) -> Result<Option<(String, String)>> {
        match place_of(tx, household_id).await? {
            Some((p, c)) if self.may_change(&p, &c) => Ok(Some((p, c))),
            Some((p, c)) if self.scope.contains(&p, &c) => {
                why.push((
                    "Hộ ngoài phạm vi được giao cho tài khoản này.".into(),
                    "The household is outside your area.".into(),
                ));
                Ok(None)
            }
            // Outside what the reader may read looks the same as absent.
            _ => {
                why.push(("Hộ không có trong sổ hộ.".into(), "The household is not in the registry.".into()));
                Ok(None)
            }
        }
    }

    /// Assigns a cadre to a household: the household's current assignment ends the day before
    /// the new one starts. Refused, with every reason: a household not in the registry or
    /// outside what the writer may change, not poor or near-poor in its latest review, no cadre
    /// or agency, an end before the start, a start not after the current assignment's.
    pub async fn record_assignment(
        &self,
        a: &NewAssignment,
        actor: &str,
        command: &str,
    ) -> Result<std::result::Result<i64, Refusals>> {
        let mut why = Refusals::new();
        if !nonempty(&a.cadre_name) {
            why.push(("Thiếu họ tên cán bộ giúp đỡ.".into(), "The cadre's name is missing.".into()));
        }
        if !nonempty(&a.agency) {
            why.push(("Thiếu cơ quan, đơn vị của cán bộ.".into(), "The cadre's agency is missing.".into()));
        }
        if let Some(end) = a.ends_on
            && end < a.starts_on
        {
            why.push((
                format!("Ngày kết thúc {end} trước ngày bắt đầu {}.", a.starts_on),
                format!("The end {end} is before the start {}.", a.starts_on),
            ));
        }
        let at = crate::now();
        let mut tx = self.db.begin().await?;
        let place = self.writable_place(&mut tx, a.household_id, &mut why).await?;
        if place.is_some() {
            match latest_class(&mut tx, a.household_id).await? {
                Some((_, class)) if class == "poor" || class == "near_poor" => {}
                Some((period, class)) => why.push((
                    format!(
                        "Chỉ phân công cán bộ giúp đỡ hộ nghèo, hộ cận nghèo: kỳ rà soát {period} hộ là {}.",
                        class_vi(&class)
                    ),
                    format!(
                        "Helpers are assigned to poor and near-poor households only: in the {period} review the \
                         household is {}.",
                        class.replace('_', "-")
                    ),
                )),
                None => why.push((
                    "Hộ chưa được phân loại ở kỳ rà soát nào: chỉ phân công cán bộ giúp đỡ hộ nghèo, hộ cận nghèo."
                        .into(),
                    "The household has not been classified in any review: helpers are assigned to poor and \
                     near-poor households only."
                        .into(),
                )),
            }
            let current: Option<(i64, String)> = on_conn!(tx, c => sqlx::query_as(
                "SELECT id, starts_on FROM helper_assignment WHERE household_id = $1 AND active = 1",
            )
            .bind(a.household_id)
            .fetch_optional(c)
            .await?);
            if let Some((_, since)) = &current
                && day(a.starts_on) <= *since
            {
                why.push((
                    format!(
                        "Hộ đang có cán bộ giúp đỡ từ ngày {since}: phân công mới phải bắt đầu sau ngày đó (nó kết thúc \
                         phân công hiện tại)."
                    ),
                    format!(
                        "The household has a helper since {since}: a new assignment must start after that day (it ends \
                         the current one)."
                    ),
                ));
            }
            if why.is_empty()
                && let Some((id, _)) = current
            {
                let end = day(a.starts_on.pred_opt().unwrap_or(a.starts_on));
                on_conn!(tx, c => sqlx::query(
                    "UPDATE helper_assignment SET active = 0, \
                     ends_on = CASE WHEN ends_on IS NULL OR ends_on > $2 THEN $2 ELSE ends_on END WHERE id = $1",
                )
                .bind(id)
                .bind(end.as_str())
                .execute(c)
                .await?
                .rows_affected());
            }
        }
        let Some((province, commune)) = place.filter(|_| why.is_empty()) else {
            tx.rollback().await?;
            return Ok(Err(why));
        };
        let inserted = on_conn!(tx, c => sqlx::query_scalar::<_, i64>(
            "INSERT INTO helper_assignment (household_id, cadre_name, cadre_position, agency, starts_on, ends_on, active, \
                 current_province, current_commune, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $9, $10) RETURNING id",
        )
        .bind(a.household_id)
        .bind(a.cadre_name.trim())
        .bind(a.cadre_position.as_deref())
        .bind(a.agency.trim())
        .bind(day(a.starts_on))
        .bind(a.ends_on.map(day))
        .bind(province.as_str())
        .bind(commune.as_str())
        .bind(actor)
        .bind(at.as_str())
        .fetch_one(c)
        .await);
        let id = match inserted {
            Ok(id) => id,
            Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
                tx.rollback().await?;
                return Ok(Err(vec![(
                    "Hộ vừa được phân công cán bộ khác cùng lúc: xem lại rồi thử lại.".into(),
                    "Another helper was assigned to the household at the same time: look again and retry.".into(),
                )]));
            }
            Err(e) => return Err(e.into()),
        };
        let new_value = format!("{} — {} (từ / from {})", a.agency.trim(), a.cadre_name.trim(), a.starts_on);
        self.audit_help(
            &mut tx,
            actor,
            command,
            "helper_assignment",
            a.household_id,
            None,
            &id.to_string(),
            &new_value,
            &at,
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(id))
    }

    #[allow(clippy::too_many_arguments)]
    async fn audit_help(
        &self,
        tx: &mut Tx,
        actor: &str,
        command: &str,
        entity: &str,
        household_id: i64,
        period: Option<i64>,
        field: &str,
        new_value: &str,
        at: &str,
    ) -> Result<()> {
        let change = Change {
            actor,
            command,
            entity,
            household_id: Some(household_id),
            period,
            member_no: None,
            field,
            old_value: None,
            new_value: Some(new_value),
        };
        audit::record_now(tx, &change, at).await
    }

    /// Records a visit of the helper assigned to the household on the day. Refused, with every
    /// reason: the household not changeable, no note, a day in the future, no helper assigned
    /// on the day (before the assignment's start, after its end).
    pub async fn record_visit(
        &self,
        v: &NewVisit,
        actor: &str,
        command: &str,
    ) -> Result<std::result::Result<i64, Refusals>> {
        let mut why = Refusals::new();
        if !nonempty(&v.note) {
            why.push((
                "Thiếu nội dung thăm hỏi (đã trao đổi gì).".into(),
                "The visit's note (what was discussed) is missing.".into(),
            ));
        }
        let today = today();
        if v.visited_on > today {
            why.push((
                format!("Ngày thăm {} ở tương lai (hôm nay {today}).", v.visited_on),
                format!("The visit's day {} is in the future (today is {today}).", v.visited_on),
            ));
        }
        let at = crate::now();
        let mut tx = self.db.begin().await?;
        let place = self.writable_place(&mut tx, v.household_id, &mut why).await?;
        let mut assignment = None;
        if place.is_some() {
            let on = day(v.visited_on);
            assignment = on_conn!(tx, c => sqlx::query_scalar::<_, i64>(
                "SELECT id FROM helper_assignment WHERE household_id = $1 AND starts_on <= $2 \
                 AND (ends_on IS NULL OR ends_on >= $2) ORDER BY starts_on DESC LIMIT 1",
            )
            .bind(v.household_id)
            .bind(on.as_str())
            .fetch_optional(c)
            .await?);
            if assignment.is_none() {
                let first: Option<String> = on_conn!(tx, c => sqlx::query_scalar(
                    "SELECT MIN(starts_on) FROM helper_assignment WHERE household_id = $1",
                )
                .bind(v.household_id)
                .fetch_one(c)
                .await?);
                why.push(match first {
                    Some(first) if on < first => (
                        format!("Ngày thăm {on} trước ngày bắt đầu phân công cán bộ giúp đỡ ({first})."),
                        format!("The visit's day {on} is before the helper's assignment starts ({first})."),
                    ),
                    Some(_) => (
                        format!("Ngày {on} hộ không có cán bộ giúp đỡ được phân công."),
                        format!("No helper was assigned to the household on {on}."),
                    ),
                    None => (
                        "Hộ chưa được phân công cán bộ giúp đỡ: phân công trước khi ghi thăm hỏi.".into(),
                        "No helper is assigned to the household: assign one before recording visits.".into(),
                    ),
                });
            }
        }
        let (Some((province, commune)), Some(assignment)) = (place, assignment.filter(|_| why.is_empty())) else {
            tx.rollback().await?;
            return Ok(Err(why));
        };
        let id: i64 = on_conn!(tx, c => sqlx::query_scalar(
            "INSERT INTO helper_visit (assignment_id, household_id, visited_on, note, needs, current_province, \
                 current_commune, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(assignment)
        .bind(v.household_id)
        .bind(day(v.visited_on))
        .bind(v.note.trim())
        .bind(v.needs.as_deref())
        .bind(province.as_str())
        .bind(commune.as_str())
        .bind(actor)
        .bind(at.as_str())
        .fetch_one(c)
        .await?);
        let new_value = format!("thăm hỏi / visit {}", v.visited_on);
        self.audit_help(
            &mut tx,
            actor,
            command,
            "helper_visit",
            v.household_id,
            None,
            &id.to_string(),
            &new_value,
            &at,
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(id))
    }

    /// Records the household's registration to escape poverty in `year` (one a year). Refused,
    /// with every reason: the household not changeable, a year outside 2021–2035, no planned
    /// measures, already registered for the year.
    pub async fn record_registration(
        &self,
        r: &Registration,
        actor: &str,
        command: &str,
    ) -> Result<std::result::Result<(), Refusals>> {
        let mut why = Refusals::new();
        year_reasons(r.year, &mut why);
        if !nonempty(&r.planned_measures) {
            why.push((
                "Thiếu biện pháp, kế hoạch thoát nghèo của hộ.".into(),
                "The household's planned measures are missing.".into(),
            ));
        }
        let at = crate::now();
        let mut tx = self.db.begin().await?;
        let place = self.writable_place(&mut tx, r.household_id, &mut why).await?;
        if place.is_some() && self.registered(&mut tx, "escape_registration", r.household_id, r.year).await? {
            why.push((
                format!("Hộ đã đăng ký thoát nghèo năm {}.", r.year),
                format!("The household has already registered to escape poverty in {}.", r.year),
            ));
        }
        let Some((province, commune)) = place.filter(|_| why.is_empty()) else {
            tx.rollback().await?;
            return Ok(Err(why));
        };
        let written = on_conn!(tx, c => sqlx::query(
            "INSERT INTO escape_registration (household_id, year, planned_measures, current_province, current_commune, \
                 recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(r.household_id)
        .bind(r.year)
        .bind(r.planned_measures.trim())
        .bind(province.as_str())
        .bind(commune.as_str())
        .bind(actor)
        .bind(at.as_str())
        .execute(c)
        .await
        .map(|d| d.rows_affected()));
        if let Some(refused) = duplicate(written, r.year, "đăng ký thoát nghèo", "registered to escape poverty")? {
            tx.rollback().await?;
            return Ok(Err(refused));
        }
        let new_value = format!("đăng ký thoát nghèo / registered to escape poverty {}", r.year);
        self.audit_help(
            &mut tx,
            actor,
            command,
            "escape_registration",
            r.household_id,
            Some(r.year),
            "year",
            &new_value,
            &at,
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// Records the household's signed commitment for `year` (one a year; a registration of the
    /// year is not required). Refused, with every reason: the household not changeable, a year
    /// outside 2021–2035, signed in the future, no content, already committed for the year.
    pub async fn record_commitment(
        &self,
        k: &Commitment,
        actor: &str,
        command: &str,
    ) -> Result<std::result::Result<(), Refusals>> {
        let mut why = Refusals::new();
        year_reasons(k.year, &mut why);
        if !nonempty(&k.content) {
            why.push(("Thiếu nội dung bản cam kết.".into(), "The commitment's content is missing.".into()));
        }
        let today = today();
        if k.signed_on > today {
            why.push((
                format!("Ngày ký {} ở tương lai (hôm nay {today}).", k.signed_on),
                format!("The signing day {} is in the future (today is {today}).", k.signed_on),
            ));
        }
        let at = crate::now();
        let mut tx = self.db.begin().await?;
        let place = self.writable_place(&mut tx, k.household_id, &mut why).await?;
        if place.is_some() && self.registered(&mut tx, "escape_commitment", k.household_id, k.year).await? {
            why.push((
                format!("Hộ đã ký cam kết năm {}.", k.year),
                format!("The household has already signed its commitment for {}.", k.year),
            ));
        }
        let Some((province, commune)) = place.filter(|_| why.is_empty()) else {
            tx.rollback().await?;
            return Ok(Err(why));
        };
        let written = on_conn!(tx, c => sqlx::query(
            "INSERT INTO escape_commitment (household_id, year, signed_on, content, current_province, current_commune, \
                 recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(k.household_id)
        .bind(k.year)
        .bind(day(k.signed_on))
        .bind(k.content.trim())
        .bind(province.as_str())
        .bind(commune.as_str())
        .bind(actor)
        .bind(at.as_str())
        .execute(c)
        .await
        .map(|d| d.rows_affected()));
        if let Some(refused) = duplicate(written, k.year, "ký cam kết", "signed its commitment")? {
            tx.rollback().await?;
            return Ok(Err(refused));
        }
        let new_value = format!("cam kết ký ngày / commitment signed on {}", k.signed_on);
        self.audit_help(
            &mut tx,
            actor,
            command,
            "escape_commitment",
            k.household_id,
            Some(k.year),
            "year",
            &new_value,
            &at,
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// Whether `table` (a registration or commitment table) has the household's row of `year`.
    async fn registered(&self, tx: &mut Tx, table: &'static str, household_id: i64, year: i64) -> Result<bool> {
        let mut q = Sql::with_args([Arg::Int(household_id), Arg::Int(year)]);
        q.push("SELECT COUNT(*) FROM ").push(table).push(" WHERE household_id = $1 AND year = $2");
        let n: i64 = on_conn!(tx, c => bound!(query_scalar, q).fetch_one(c).await?);
        Ok(n > 0)
    }

    /// The household's assignments, visits, registrations and commitments, newest first (none
    /// when the reader may not read it).
    pub async fn help_of(&self, household_id: i64) -> Result<HouseholdHelp> {
        let mut q = Sql::with_args([Arg::Int(household_id)]);
        q.push(
            "SELECT a.id, a.household_id, a.cadre_name, a.cadre_position, a.agency, a.starts_on, a.ends_on, a.active \
             FROM helper_assignment a WHERE a.household_id = $1 AND ",
        )
        .append(&self.scope.sql("a"))
        .push(" ORDER BY a.starts_on DESC, a.id DESC");
        type Row = (i64, i64, String, Option<String>, String, String, Option<String>, i64);
        let rows: Vec<Row> = on_pool!(self.db, p => bound!(query_as, q).fetch_all(p).await?);
        let assignments = rows
            .into_iter()
            .map(|r| Assignment {
                id: r.0,
                household_id: r.1,
                cadre_name: r.2,
                cadre_position: r.3,
                agency: r.4,
                starts_on: r.5,
                ends_on: r.6,
                active: r.7 == 1,
            })
            .collect();
        let mut q = Sql::with_args([Arg::Int(household_id)]);
        q.push(
            "SELECT v.id, v.assignment_id, v.visited_on, v.note, v.needs, a.cadre_name, a.agency FROM helper_visit v \
             JOIN helper_assignment a ON a.id = v.assignment_id WHERE v.household_id = $1 AND ",
        )
        .append(&self.scope.sql("v"))
        .push(" ORDER BY v.visited_on DESC, v.id DESC");
        type VisitRow = (i64, i64, String, String, Option<String>, String, String);
        let rows: Vec<VisitRow> = on_pool!(self.db, p => bound!(query_as, q).fetch_all(p).await?);
        let visits = rows
            .into_iter()
            .map(|r| Visit {
                id: r.0,
                assignment_id: r.1,
                visited_on: r.2,
                note: r.3,
                needs: r.4,
                cadre_name: r.5,
                agency: r.6,
            })
            .collect();
        let mut q = Sql::with_args([Arg::Int(household_id)]);
        q.push("SELECT r.year, r.planned_measures FROM escape_registration r WHERE r.household_id = $1 AND ")
            .append(&self.scope.sql("r"))
            .push(" ORDER BY r.year DESC");
        let rows: Vec<(i64, String)> = on_pool!(self.db, p => bound!(query_as, q).fetch_all(p).await?);
        let registrations = rows
            .into_iter()
            .map(|(year, planned_measures)| Registration { household_id, year, planned_measures })
            .collect();
        let mut q = Sql::with_args([Arg::Int(household_id)]);
        q.push("SELECT k.year, k.signed_on, k.content FROM escape_commitment k WHERE k.household_id = $1 AND ")
            .append(&self.scope.sql("k"))
            .push(" ORDER BY k.year DESC");
        let rows: Vec<(i64, String, String)> = on_pool!(self.db, p => bound!(query_as, q).fetch_all(p).await?);
        let commitments = rows
            .into_iter()
            .filter_map(|(year, signed, content)| {
                let signed_on = NaiveDate::parse_from_str(&signed, "%Y-%m-%d").ok()?;
                Some(Commitment { household_id, year, signed_on, content })
            })
            .collect();
        Ok(HouseholdHelp { assignments, visits, registrations, commitments })
    }

    /// The assignments in force during `year` in `unit` (a commune, a province, the country),
    /// each with its visits in the year, whether its household registered and committed for the
    /// year, and the household's official class in the year's review and the review before it —
    /// none when the reader may not read the unit.
    pub async fn helper_year(&self, unit: &TargetUnit, year: i64) -> Result<Vec<HelperYearRow>> {
        if !self.may_read_unit(unit) || unit.village().is_some() {
            return Ok(Vec::new());
        }
        let (first, last) = (format!("{year:04}-01-01"), format!("{year:04}-12-31"));
        let mut q = Sql::with_args([Arg::Int(year), Arg::from(first.as_str()), Arg::from(last.as_str())]);
        q.push(
            "SELECT a.id, a.household_id, a.cadre_name, a.cadre_position, a.agency, \
             (SELECT COUNT(*) FROM helper_visit v WHERE v.assignment_id = a.id AND v.visited_on BETWEEN $2 AND $3), \
             (SELECT COUNT(*) FROM escape_registration r WHERE r.household_id = a.household_id AND r.year = $1), \
             (SELECT COUNT(*) FROM escape_commitment k WHERE k.household_id = a.household_id AND k.year = $1), \
             (SELECT c.class FROM classification c JOIN review_period rp ON rp.year = c.period \
                AND rp.standard_id = c.standard_id WHERE c.household_id = a.household_id AND c.period = $1), \
             (SELECT c.class FROM classification c JOIN review_period rp ON rp.year = c.period \
                AND rp.standard_id = c.standard_id WHERE c.household_id = a.household_id \
                AND c.period = (SELECT MAX(p.year) FROM review_period p WHERE p.year < $1)) \
             FROM helper_assignment a WHERE a.starts_on <= $3 AND (a.ends_on IS NULL OR a.ends_on >= $2) AND ",
        )
        .append(&self.scope.sql("a"));
        match unit.place() {
            ("", _) => {}
            (province, "") => {
                q.push(" AND a.current_province = ").bind(province);
            }
            (province, commune) => {
                q.push(" AND a.current_province = ").bind(province).push(" AND a.current_commune = ").bind(commune);
            }
        }
        q.push(" ORDER BY a.agency, a.cadre_name, a.id");
        type Row = (i64, i64, String, Option<String>, String, i64, i64, i64, Option<String>, Option<String>);
        let rows: Vec<Row> = on_pool!(self.db, p => bound!(query_as, q).fetch_all(p).await?);
        Ok(rows
            .into_iter()
            .map(|r| HelperYearRow {
                assignment_id: r.0,
                household_id: r.1,
                cadre_name: r.2,
                cadre_position: r.3,
                agency: r.4,
                visits: r.5,
                registered: r.6 > 0,
                committed: r.7 > 0,
                class: r.8,
                previous_class: r.9,
            })
            .collect())
    }
}

fn year_reasons(year: i64, why: &mut Refusals) {
    if !YEARS.contains(&year) {
        why.push((format!("Năm {year} ngoài giai đoạn 2021–2035."), format!("The year {year} is outside 2021–2035.")));
    }
}

/// A refusal when `written` failed because the household's row of `year` was written at the
/// same time; the error otherwise.
fn duplicate(
    written: std::result::Result<u64, sqlx::Error>,
    year: i64,
    what_vi: &str,
    what_en: &str,
) -> Result<Option<Refusals>> {
    match written {
        Ok(_) => Ok(None),
        Err(sqlx::Error::Database(d)) if d.is_unique_violation() => Ok(Some(vec![(
            format!("Hộ đã {what_vi} năm {year}."),
            format!("The household has already {what_en} for {year}."),
        )])),
        Err(e) => Err(e.into()),
    }
}
