//! Review rounds (*đợt rà soát*) in the registry: a province's round in a review period, the
//! communes taking part, each household's case through the steps of the procedure, the
//! decisions and the locks they put on a commune's lists (see `vuonlen_core::review` for the
//! rules). Reads and writes go through the caller's [`Registry`]: a round is visible to those
//! who may read any of its communes, a step is recorded only within the caller's write area.

mod applications;
pub(crate) mod carry;
mod decision;
mod lock;
mod score;
mod steps;

pub use applications::ApplicationRow;
pub use decision::{Decided, DecisionInput, annexes};
pub(crate) use lock::load as load_locks;
pub use lock::{PeriodLock, locked_en, locked_vi};
pub use score::{IncomeSurvey, LoadedScoreTable, ScoredAnswers, StoredScore, TableLoaded};
pub use steps::{Application, ComplaintRow, MeetingRow, RowRefusal, ScreeningRow, Steps, SurveyRow};
pub use vuonlen_core::review::RoundKind;

use crate::audit::{self, Change};
use crate::db::{Tx, on_conn, on_pool};
use crate::error::{Result, StoreError};
use crate::period::Period;
use crate::scope::Registry;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use vuonlen_core::review::{Refusal, ReviewProcedure, Stage, Step};

/// A round as recorded.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Round {
    pub id: i64,
    pub period: i64,
    pub kind: RoundKind,
    pub province_code: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// The year whose lists the round establishes.
    pub list_year: i64,
    pub standard_id: String,
    pub procedure_id: String,
    pub opened_by: String,
    pub opened_at: String,
    /// Each step's due day.
    pub calendar: Vec<(Step, NaiveDate)>,
}

/// What opening a round needs.
#[derive(Debug, Clone)]
pub struct RoundSpec<'a> {
    pub period: &'a Period,
    pub kind: RoundKind,
    pub province_code: &'a str,
    /// The first day; the procedure's window start for an annual round when `None`.
    pub starts_on: Option<NaiveDate>,
    /// Today's communes taking part; every commune of the province when empty.
    pub communes: &'a [String],
    /// Due days set by the province plan, replacing the procedure's defaults.
    pub calendar: &'a [(Step, NaiveDate)],
    pub procedure: &'a ReviewProcedure,
}

/// A commune's place in a round.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CommuneState {
    pub commune_code: String,
    pub commune_name: String,
    pub province_code: String,
    /// Households by stage.
    pub stages: BTreeMap<String, u64>,
    pub listed_at: Option<String>,
    pub posting: Option<(NaiveDate, NaiveDate)>,
    pub complaints: u64,
    pub open_complaints: u64,
    pub decision_number: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub signer: Option<String>,
    /// The last step the commune has completed (`None`: not started).
    pub reached: Option<Step>,
    /// Steps past their due day (as of `today`) that the commune has not completed.
    pub late: Vec<Step>,
}

impl CommuneState {
    pub fn count(&self, stage: Stage) -> u64 {
        self.stages.get(stage.key()).copied().unwrap_or(0)
    }
    pub fn households(&self) -> u64 {
        self.stages.values().sum()
    }
}

/// A complaint lodged during posting.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Complaint {
    pub id: i64,
    pub household_code: String,
    pub lodged_on: String,
    pub content: String,
    pub outcome: Option<String>,
    pub recheck_class: Option<String>,
    pub resolved_on: Option<String>,
}

/// One household of a round, for lists (Phụ lục I, the decision's annexes) and pages.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CaseRow {
    pub household_id: i64,
    pub household_code: String,
    pub head_name: String,
    pub village: String,
    pub persons: i64,
    pub commune_code: String,
    pub origin: String,
    pub stage: String,
    pub previous_class: Option<String>,
    pub screening_reason: Option<String>,
    /// When the household applied (Mẫu 01, Mẫu 04, a village's proposal), `YYYY-MM-DD`.
    pub applied_on: Option<String>,
    /// When Phiếu A was recorded (applicants).
    pub screened_on: Option<String>,
    pub meeting_on: Option<String>,
    pub attendees: Option<i64>,
    pub agreeing: Option<i64>,
    pub meetings: i64,
    pub computed_class: Option<String>,
    pub recognised_class: Option<String>,
    /// The round's standard's class of the household's answers in the period, as they stand
    /// (before the decision keeps it as `computed_class`).
    pub current_class: Option<String>,
}

pub(crate) fn date_of(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| StoreError::Invalid(format!("stored date {s:?}")))
}

pub(crate) fn refused(r: Refusal) -> StoreError {
    StoreError::Refused { vi: r.vi, en: r.en }
}

impl Registry {
    /// Opens a round of `spec.province_code` in a period (a province officer of it, or national):
    /// the communes taking part and the calendar, audited.
    pub async fn open_round(&self, spec: &RoundSpec<'_>, actor: &str, command: &str) -> Result<Round> {
        let province = spec.province_code;
        if !self.write.contains(province, "") {
            return Err(refused(Refusal::new(
                format!("Tỉnh {province} ngoài địa bàn được ghi của người dùng: không mở được đợt rà soát."),
                format!("Province {province} is outside the user's write area: no round opened."),
            )));
        }
        let year = i32::try_from(spec.period.year).map_err(|_| StoreError::Invalid("period".into()))?;
        let (window_start, window_end) = spec.procedure.annual_window(year);
        let starts_on = spec.starts_on.unwrap_or(window_start);
        let ends_on = match spec.kind {
            RoundKind::Annual => window_end,
            RoundKind::Regular => spec.procedure.regular_deadline(starts_on),
        };
        if starts_on > ends_on {
            return Err(refused(Refusal::new(
                format!("Ngày bắt đầu {starts_on} sau ngày kết thúc đợt {ends_on}."),
                format!("The round starts {starts_on}, after its end {ends_on}."),
            )));
        }
        let all: Vec<String> = on_pool!(self.db, p => sqlx::query_scalar(
            "SELECT code FROM admin_unit WHERE list = '2025' AND level = 'commune' AND province_code = $1 ORDER BY code",
        )
        .bind(province)
        .fetch_all(p)
        .await?);
        if all.is_empty() {
            return Err(refused(Refusal::new(
                format!("Tỉnh {province} không có trong danh mục đơn vị hành chính 2025."),
                format!("Province {province} is not in the 2025 list of units."),
            )));
        }
        let communes: Vec<String> = if spec.communes.is_empty() { all.clone() } else { spec.communes.to_vec() };
        if let Some(bad) = communes.iter().find(|c| !all.contains(c)) {
            return Err(refused(Refusal::new(
                format!("Xã {bad} không thuộc tỉnh {province} (danh mục 2025)."),
                format!("Commune {bad} is not a commune of province {province} (2025 list)."),
            )));
        }
        let mut calendar: Vec<(Step, NaiveDate, &str)> = match spec.kind {
            RoundKind::Annual => {
                spec.procedure.annual_calendar(year).into_iter().map(|(s, d)| (s, d, "procedure")).collect()
            }
            RoundKind::Regular => Step::ALL.iter().map(|&s| (s, ends_on, "procedure")).collect(),
        };
        for &(step, due) in spec.calendar {
            if due < starts_on || due > ends_on {
                return Err(refused(Refusal::new(
                    format!("Hạn bước {} ({due}) nằm ngoài đợt rà soát ({starts_on} – {ends_on}).", step.key()),
                    format!("Step {} due {due} is outside the round ({starts_on} – {ends_on}).", step.key()),
                )));
            }
            if let Some(c) = calendar.iter_mut().find(|c| c.0 == step) {
                *c = (step, due, "plan");
            }
        }
        let at = crate::now();
        let mut tx = self.db.begin().await?;
        let id: i64 = on_conn!(tx, c => sqlx::query_scalar(
            "INSERT INTO review_round (period, kind, province_code, starts_on, ends_on, list_year, standard_id, \
                 procedure_id, opened_by, opened_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(spec.period.year)
        .bind(spec.kind.key())
        .bind(province)
        .bind(starts_on.to_string())
        .bind(ends_on.to_string())
        .bind(spec.period.year + 1)
        .bind(spec.period.standard_id.as_str())
        .bind(spec.procedure.id.as_str())
        .bind(actor)
        .bind(at.as_str())
        .fetch_one(c)
        .await
        .map_err(|e| duplicate_round(e, spec))?);
        for (step, due, source) in &calendar {
            on_conn!(tx, c => sqlx::query(
                "INSERT INTO review_deadline (round_id, step, due_on, source) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(step.key())
            .bind(due.to_string())
            .bind(*source)
            .execute(c)
            .await?
            .rows_affected());
        }
        for commune in &communes {
            on_conn!(tx, c => sqlx::query(
                "INSERT INTO review_commune (round_id, current_commune, current_province) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(commune.as_str())
            .bind(province)
            .execute(c)
            .await?
            .rows_affected());
        }
        let what = format!(
            "{} {} – {}, {} xã, danh sách năm {}",
            spec.kind.key(),
            starts_on,
            ends_on,
            communes.len(),
            spec.period.year + 1
        );
        round_audit(&mut tx, actor, command, spec.period.year, "open", &id.to_string(), &what, &at).await?;
        tx.commit().await?;
        self.round(id).await?.ok_or_else(|| StoreError::NotFound(format!("round {id}")))
    }

    /// The rounds the caller may see (those with a commune in its area), newest first.
    pub async fn rounds(&self, period: Option<i64>) -> Result<Vec<Round>> {
        let ids: Vec<i64> = on_pool!(self.db, p => sqlx::query_scalar(
            "SELECT id FROM review_round WHERE ($1 IS NULL OR period = $1) ORDER BY period DESC, starts_on DESC, id DESC",
        )
        .bind(period)
        .fetch_all(p)
        .await?);
        let mut out = Vec::new();
        for id in ids {
            if let Some(r) = self.round(id).await? {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// A round, when the caller may read one of its communes.
    pub async fn round(&self, id: i64) -> Result<Option<Round>> {
        type Row = (i64, i64, String, String, String, String, i64, String, String, String, String);
        let row: Option<Row> = on_pool!(self.db, p => sqlx::query_as(
            "SELECT id, period, kind, province_code, starts_on, ends_on, list_year, standard_id, procedure_id, \
                 opened_by, opened_at FROM review_round WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(p)
        .await?);
        let Some((
            id,
            period,
            kind,
            province_code,
            starts_on,
            ends_on,
            list_year,
            standard_id,
            procedure_id,
            opened_by,
            opened_at,
        )) = row
        else {
            return Ok(None);
        };
        if !self.sees_round(id, &province_code).await? {
            return Ok(None);
        }
        let deadlines: Vec<(String, String)> = on_pool!(self.db, p => sqlx::query_as(
            "SELECT step, due_on FROM review_deadline WHERE round_id = $1",
        )
        .bind(id)
        .fetch_all(p)
        .await?);
        let mut calendar = Vec::new();
        for (step, due) in deadlines {
            if let Some(s) = Step::parse(&step) {
                calendar.push((s, date_of(&due)?));
            }
        }
        calendar.sort();
        Ok(Some(Round {
            id,
            period,
            kind: RoundKind::parse(&kind).unwrap_or(RoundKind::Annual),
            province_code,
            starts_on: date_of(&starts_on)?,
            ends_on: date_of(&ends_on)?,
            list_year,
            standard_id,
            procedure_id,
            opened_by,
            opened_at,
            calendar,
        }))
    }

    async fn sees_round(&self, id: i64, province: &str) -> Result<bool> {
        if self.scope.contains(province, "") {
            return Ok(true);
        }
        let communes: Vec<String> = on_pool!(self.db, p => sqlx::query_scalar(
            "SELECT current_commune FROM review_commune WHERE round_id = $1",
        )
        .bind(id)
        .fetch_all(p)
        .await?);
        Ok(communes.iter().any(|c| self.scope.contains(province, c)))
    }

    /// The state of each commune of a round the caller may read, as of `today`.
    pub async fn round_status(&self, round: &Round, today: NaiveDate) -> Result<Vec<CommuneState>> {
        type Row = (
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<Row> = on_pool!(self.db, p => sqlx::query_as(
            "SELECT current_commune, current_province, listed_at, posting_starts, posting_ends, decision_number, decided_on, \
                 signer \
             FROM review_commune WHERE round_id = $1 ORDER BY current_commune",
        )
        .bind(round.id)
        .fetch_all(p)
        .await?);
        let counts: Vec<(String, String, i64)> = on_pool!(self.db, p => sqlx::query_as(
            "SELECT current_commune, stage, COUNT(*) FROM review_case WHERE round_id = $1 GROUP BY current_commune, stage",
        )
        .bind(round.id)
        .fetch_all(p)
        .await?);
        let complaints: Vec<(String, i64, i64)> = on_pool!(self.db, p => sqlx::query_as(
            "SELECT r.current_commune, COUNT(*), CAST(SUM(CASE WHEN k.outcome IS NULL THEN 1 ELSE 0 END) AS BIGINT) \
             FROM review_complaint k JOIN review_case r ON r.round_id = k.round_id AND r.household_id = k.household_id \
             WHERE k.round_id = $1 GROUP BY r.current_commune",
        )
        .bind(round.id)
        .fetch_all(p)
        .await?);
        let names = &vuonlen_core::units::AdminUnits::get().list(vuonlen_core::units::UnitList::Y2025).communes;
        let mut out = Vec::new();
        for (commune, province, listed_at, ps, pe, number, decided, signer) in rows {
            if !self.scope.contains(&province, &commune) {
                continue;
            }
            let stages: BTreeMap<String, u64> = counts
                .iter()
                .filter(|c| c.0 == commune)
                .map(|c| (c.1.clone(), u64::try_from(c.2).unwrap_or(0)))
                .collect();
            let (complaints, open_complaints) = complaints
                .iter()
                .find(|c| c.0 == commune)
                .map(|c| (u64::try_from(c.1).unwrap_or(0), u64::try_from(c.2).unwrap_or(0)))
                .unwrap_or((0, 0));
            let posting = match (ps, pe) {
                (Some(a), Some(b)) => Some((date_of(&a)?, date_of(&b)?)),
                _ => None,
            };
            let decided_on = decided.as_deref().map(date_of).transpose()?;
            let mut s = CommuneState {
                commune_name: names.get(commune.as_str()).map(|u| u.name.to_string()).unwrap_or_default(),
                commune_code: commune,
                province_code: province,
                stages,
                listed_at,
                posting,
                complaints,
                open_complaints,
                decision_number: number,
                decided_on,
                signer,
                reached: None,
                late: Vec::new(),
            };
            let done = completed(&s);
            s.reached = Step::ALL.into_iter().filter(|st| done.contains(st)).max();
            s.late = round
                .calendar
                .iter()
                .filter(|(step, due)| *due < today && !done.contains(step))
                .map(|(step, _)| *step)
                .collect();
            out.push(s);
        }
        Ok(out)
    }

    /// The complaints of a round in one commune (today's code), oldest first.
    pub async fn complaints(&self, round: &Round, commune: &str) -> Result<Vec<Complaint>> {
        if !self.scope.contains(&round.province_code, commune) {
            return Ok(Vec::new());
        }
        type Row = (i64, String, String, String, Option<String>, Option<String>, Option<String>);
        let rows: Vec<Row> = on_pool!(self.db, p => sqlx::query_as(
            "SELECT k.id, h.household_code, k.lodged_on, k.content, k.outcome, k.recheck_class, k.resolved_on \
             FROM review_complaint k JOIN review_case r ON r.round_id = k.round_id AND r.household_id = k.household_id \
             JOIN household h ON h.id = k.household_id WHERE k.round_id = $1 AND r.current_commune = $2 ORDER BY k.id",
        )
        .bind(round.id)
        .bind(commune)
        .fetch_all(p)
        .await?);
        Ok(rows
            .into_iter()
            .map(|(id, household_code, lodged_on, content, outcome, recheck_class, resolved_on)| Complaint {
                id,
                household_code,
                lodged_on,
                content,
                outcome,
                recheck_class,
                resolved_on,
            })
            .collect())
    }

    /// The households of a round in one commune (today's code), in list order (village, code).
    pub async fn round_cases(&self, round: &Round, commune: &str) -> Result<Vec<CaseRow>> {
        let province = crate::scope::province_of(commune);
        if !self.scope.contains(province, commune) {
            return Ok(Vec::new());
        }
        #[derive(sqlx::FromRow)]
        struct Row {
            household_id: i64,
            household_code: String,
            head_name: Option<String>,
            village: Option<String>,
            persons: Option<i64>,
            commune_code: String,
            origin: String,
            stage: String,
            previous_class: Option<String>,
            screening_reason: Option<String>,
            meeting_on: Option<String>,
            attendees: Option<i64>,
            agreeing: Option<i64>,
            meetings: i64,
            computed_class: Option<String>,
            recognised_class: Option<String>,
            screened_on: Option<String>,
            applied_on: Option<String>,
            current_class: Option<String>,
        }
        let rows: Vec<Row> = on_pool!(self.db, p => sqlx::query_as(
            "SELECT r.household_id, h.household_code, s.head_name, v.name AS village, \
                 (SELECT COUNT(*) FROM member m WHERE m.period = s.period AND m.household_id = s.household_id) AS persons, \
                 h.commune_code, r.origin, r.stage, r.previous_class, r.screening_reason, r.meeting_on, r.attendees, \
                 r.agreeing, r.meetings, r.computed_class, r.recognised_class, r.screened_on, r.applied_on, \
                 (SELECT c.class FROM classification c WHERE c.period = $3 AND c.standard_id = $4 \
                    AND c.household_id = r.household_id) AS current_class \
             FROM review_case r JOIN household h ON h.id = r.household_id \
             LEFT JOIN survey s ON s.household_id = r.household_id AND s.period = ( \
                 SELECT MAX(s2.period) FROM survey s2 WHERE s2.household_id = r.household_id AND s2.period <= $3) \
             LEFT JOIN village v ON v.id = s.village_id \
             WHERE r.round_id = $1 AND r.current_commune = $2",
        )
        .bind(round.id)
        .bind(commune)
        .bind(round.period)
        .bind(round.standard_id.as_str())
        .fetch_all(p)
        .await?);
        let mut out: Vec<CaseRow> = rows
            .into_iter()
            .map(|r| CaseRow {
                household_id: r.household_id,
                household_code: r.household_code,
                head_name: r.head_name.unwrap_or_default(),
                village: r.village.unwrap_or_default(),
                persons: r.persons.unwrap_or(0),
                commune_code: r.commune_code,
                current_class: if r.stage == "decided" { r.computed_class.clone() } else { r.current_class },
                origin: r.origin,
                stage: r.stage,
                previous_class: r.previous_class,
                screening_reason: r.screening_reason,
                screened_on: r.screened_on,
                applied_on: r.applied_on,
                meeting_on: r.meeting_on,
                attendees: r.attendees,
                agreeing: r.agreeing,
                meetings: r.meetings,
                computed_class: r.computed_class,
                recognised_class: r.recognised_class,
            })
            .collect();
        out.sort_by(|a, b| {
            vuonlen_core::collate::sort_key(&a.village)
                .cmp(&vuonlen_core::collate::sort_key(&b.village))
                .then_with(|| a.household_code.cmp(&b.household_code))
        });
        Ok(out)
    }
}

/// The steps a commune has completed.
fn completed(s: &CommuneState) -> Vec<Step> {
    let mut done = Vec::new();
    if s.listed_at.is_some() {
        done.push(Step::List);
    }
    let total = s.households();
    let waiting_screening = 0; // applicants still listed are counted with the survey below
    let pending_survey = s.count(Stage::Listed) + s.count(Stage::Resurvey) + waiting_screening;
    if s.listed_at.is_some() && total > 0 {
        if pending_survey == 0 {
            done.push(Step::Screening);
            done.push(Step::Survey);
        }
        if pending_survey == 0 && s.count(Stage::Surveyed) == 0 {
            done.push(Step::Meeting);
        }
    }
    if s.posting.is_some() && s.open_complaints == 0 {
        done.push(Step::Posting);
    }
    if s.decision_number.is_some() {
        done.push(Step::Decision);
    }
    done
}

fn duplicate_round(e: sqlx::Error, spec: &RoundSpec<'_>) -> StoreError {
    if let sqlx::Error::Database(d) = &e
        && d.is_unique_violation()
    {
        return refused(Refusal::new(
            format!(
                "Tỉnh {} đã có đợt rà soát {} bắt đầu cùng ngày trong kỳ {}.",
                spec.province_code,
                spec.kind.label_vi().to_lowercase(),
                spec.period.year
            ),
            format!(
                "Province {} already has such a round starting that day in {}.",
                spec.province_code, spec.period.year
            ),
        ));
    }
    e.into()
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn round_audit(
    tx: &mut Tx,
    actor: &str,
    command: &str,
    period: i64,
    step: &str,
    target: &str,
    what: &str,
    at: &str,
) -> Result<()> {
    let field = format!("review.{step}:{target}");
    let change = Change {
        actor,
        command,
        entity: "review_round",
        household_id: None,
        period: Some(period),
        member_no: None,
        field: &field,
        old_value: None,
        new_value: Some(what),
    };
    audit::record_now(tx, &change, at).await
}
