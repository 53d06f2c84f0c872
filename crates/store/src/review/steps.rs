//! The household steps of a round: the list (Phụ lục I), applications (Mẫu 01, Mẫu 04, the
//! village's proposals), screening (Phiếu A), survey (Phiếu B), the village meeting, posting and
//! complaints. Each bulk step checks every row first and writes nothing when one is refused; the
//! refusals name every row.

use super::{Round, date_of, refused, round_audit};
use crate::audit::{self, Change};
use crate::db::{Engine, Tx, on_conn};
use crate::error::Result;
use crate::scope::Registry;
use chrono::NaiveDate;
use vuonlen_core::classify::Class;
use vuonlen_core::review::{
    Case, ComplaintOutcome, Origin, PostingDates, Refusal, ReviewProcedure, RoundKind, Screening, Stage, Vote,
    check_posting,
};

/// A refused row: its index in the input and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowRefusal {
    pub index: usize,
    pub refusal: Refusal,
}

/// An application or proposal to review a household.
#[derive(Debug, Clone)]
pub struct Application {
    /// The commune code as recorded with the household (2024 or 2025 list).
    pub commune_code: String,
    pub household_code: String,
    pub origin: Origin,
    pub applied_on: NaiveDate,
}

/// A Phiếu A result.
#[derive(Debug, Clone)]
pub struct ScreeningRow {
    pub commune_code: String,
    pub household_code: String,
    pub outcome: Screening,
    /// A screening reason of the procedure (when screened out).
    pub reason: Option<String>,
    pub note: Option<String>,
    pub screened_on: NaiveDate,
}

/// A household whose Phiếu B answers are in the period's registry.
#[derive(Debug, Clone)]
pub struct SurveyRow {
    pub commune_code: String,
    pub household_code: String,
}

/// A household's vote in a village meeting.
#[derive(Debug, Clone)]
pub struct MeetingRow {
    pub commune_code: String,
    pub household_code: String,
    pub held_on: NaiveDate,
    pub vote: Vote,
}

/// A complaint lodged during posting, with the re-check's outcome when known.
#[derive(Debug, Clone)]
pub struct ComplaintRow {
    pub commune_code: String,
    pub household_code: String,
    pub lodged_on: NaiveDate,
    pub content: String,
    pub outcome: Option<ComplaintOutcome>,
    pub recheck_class: Option<Class>,
    pub resolved_on: Option<NaiveDate>,
}

/// A bulk step of a round.
#[derive(Debug, Clone)]
pub enum Steps {
    Applications(Vec<Application>),
    Screening(Vec<ScreeningRow>),
    Surveys(Vec<SurveyRow>),
    Meetings(Vec<MeetingRow>),
    Complaints(Vec<ComplaintRow>),
}

impl Steps {
    fn name(&self) -> &'static str {
        match self {
            Steps::Applications(_) => "apply",
            Steps::Screening(_) => "screening",
            Steps::Surveys(_) => "survey",
            Steps::Meetings(_) => "meeting",
            Steps::Complaints(_) => "complaint",
        }
    }
}

/// A household's case as the rules need it.
struct Found {
    household_id: i64,
    commune: String,
    province: String,
    case: Option<(Case, Option<String>)>,
}

impl Registry {
    /// Lists the households to review in the round's communes within the caller's write area
    /// (or `only` that commune): the poor and near-poor households of the last period before the
    /// round's (their last decision), and the applications received outside any round up to its
    /// last day, besides the applications already recorded in it. Idempotent; returns the
    /// households added.
    pub async fn list_round(&self, round: &Round, only: Option<&str>, actor: &str, command: &str) -> Result<u64> {
        let communes = self.round_communes_writable(round, only).await?;
        let at = crate::now();
        let mut tx = self.db.begin().await?;
        let previous: Option<i64> = on_conn!(tx, c => sqlx::query_scalar(
            "SELECT MAX(year) FROM review_period WHERE year < $1",
        )
        .bind(round.period)
        .fetch_one(c)
        .await?);
        let mut added = 0;
        for commune in &communes {
            if round.kind == RoundKind::Annual
                && let Some(prev) = previous
            {
                added += on_conn!(tx, c => sqlx::query(
                    "INSERT INTO review_case (round_id, household_id, current_commune, current_province, origin, stage, \
                         previous_class, updated_at) \
                     SELECT $1, h.id, h.commune_code, h.province_code, 'listed', 'listed', c.class, $4 \
                     FROM household h \
                     JOIN classification c ON c.household_id = h.id AND c.period = $2 \
                     JOIN review_period p ON p.year = c.period AND p.standard_id = c.standard_id \
                     WHERE h.commune_code = $3 AND h.province_code = $5 AND c.class IN ('poor', 'near_poor') \
                       AND NOT EXISTS (SELECT 1 FROM review_case x WHERE x.round_id = $1 AND x.household_id = h.id)",
                )
                .bind(round.id)
                .bind(prev)
                .bind(commune.as_str())
                .bind(at.as_str())
                .bind(round.province_code.as_str())
                .execute(c)
                .await?
                .rows_affected());
            }
            // Applications received since, waiting for a round of the commune.
            added += super::applications::take_up(&mut tx, round, commune, &at).await?;
            on_conn!(tx, c => sqlx::query(
                "UPDATE review_commune SET listed_at = $3 WHERE round_id = $1 AND current_commune = $2",
            )
            .bind(round.id)
            .bind(commune.as_str())
            .bind(at.as_str())
            .execute(c)
            .await?
            .rows_affected());
        }
        let what = format!("{} xã, {added} hộ thêm vào danh sách", communes.len());
        round_audit(&mut tx, actor, command, round.period, "list", &round.id.to_string(), &what, &at).await?;
        crate::tally::bump(&mut tx, round.period, &crate::tally::Changed::Nothing).await?;
        tx.commit().await?;
        Ok(added)
    }

    /// The round's communes the caller may write (or just `only`, refused when it may not).
    pub(crate) async fn round_communes_writable(&self, round: &Round, only: Option<&str>) -> Result<Vec<String>> {
        let all: Vec<String> = crate::db::on_pool!(self.db, p => sqlx::query_scalar(
            "SELECT current_commune FROM review_commune WHERE round_id = $1 ORDER BY current_commune",
        )
        .bind(round.id)
        .fetch_all(p)
        .await?);
        if let Some(c) = only {
            if !all.iter().any(|x| x == c) {
                return Err(refused(Refusal::new(
                    format!("Xã {c} không tham gia đợt rà soát này."),
                    format!("Commune {c} does not take part in this round."),
                )));
            }
            if !self.write.contains(&round.province_code, c) {
                return Err(refused(Refusal::new(
                    format!("Xã {c} ngoài địa bàn được ghi của người dùng."),
                    format!("Commune {c} is outside the user's write area."),
                )));
            }
            return Ok(vec![c.to_string()]);
        }
        Ok(all.into_iter().filter(|c| self.write.contains(&round.province_code, c)).collect())
    }

    /// Records one bulk step: every row checked against the procedure first; all written in
    /// one transaction, or none with every refusal.
    pub async fn record_steps(
        &self,
        round: &Round,
        procedure: &ReviewProcedure,
        steps: &Steps,
        actor: &str,
        command: &str,
    ) -> Result<std::result::Result<u64, Vec<RowRefusal>>> {
        let at = crate::now();
        let mut tx = self.db.begin().await?;
        if tx.engine() == Engine::Postgres {
            on_conn!(tx, c => sqlx::query("SELECT id FROM review_round WHERE id = $1 FOR UPDATE")
                .bind(round.id)
                .execute(c)
                .await?
                .rows_affected());
        }
        let mut refusals = Vec::new();
        let mut writes: Vec<Write> = Vec::new();
        match steps {
            Steps::Applications(rows) => {
                for (index, r) in rows.iter().enumerate() {
                    match self.application(&mut tx, round, r).await? {
                        Ok(w) => writes.push(w),
                        Err(refusal) => refusals.push(RowRefusal { index, refusal }),
                    }
                }
            }
            Steps::Screening(rows) => {
                for (index, r) in rows.iter().enumerate() {
                    match self.screening(&mut tx, round, procedure, r).await? {
                        Ok(w) => writes.push(w),
                        Err(refusal) => refusals.push(RowRefusal { index, refusal }),
                    }
                }
            }
            Steps::Surveys(rows) => {
                for (index, r) in rows.iter().enumerate() {
                    match self.survey(&mut tx, round, r).await? {
                        Ok(w) => writes.push(w),
                        Err(refusal) => refusals.push(RowRefusal { index, refusal }),
                    }
                }
            }
            Steps::Meetings(rows) => {
                for (index, r) in rows.iter().enumerate() {
                    match self.meeting(&mut tx, round, procedure, r).await? {
                        Ok(w) => writes.push(w),
                        Err(refusal) => refusals.push(RowRefusal { index, refusal }),
                    }
                }
            }
            Steps::Complaints(rows) => {
                for (index, r) in rows.iter().enumerate() {
                    match self.complaint(&mut tx, round, r).await? {
                        Ok(w) => writes.push(w),
                        Err(refusal) => refusals.push(RowRefusal { index, refusal }),
                    }
                }
            }
        }
        // Two rows for one household in one step: the second is refused.
        let mut seen = std::collections::HashSet::new();
        for (index, w) in writes.iter().enumerate() {
            if !matches!(steps, Steps::Complaints(_)) && !seen.insert(w.household_id) {
                refusals.push(RowRefusal {
                    index,
                    refusal: Refusal::new(
                        "Hộ này đã có ở một dòng trước trong cùng tệp.",
                        "This household is on an earlier row of the same file.",
                    ),
                });
            }
        }
        if !refusals.is_empty() {
            refusals.sort_by_key(|r| r.index);
            tx.rollback().await?;
            return Ok(Err(refusals));
        }
        let n = writes.len() as u64;
        for w in &writes {
            w.apply(&mut tx, round, &at, actor).await?;
            let field = format!("review.{}", steps.name());
            let change = Change {
                actor,
                command,
                entity: "review_case",
                household_id: Some(w.household_id),
                period: Some(round.period),
                member_no: None,
                field: &field,
                old_value: w.old_stage.map(Stage::key),
                new_value: Some(&w.summary),
            };
            audit::record_now(&mut tx, &change, &at).await?;
        }
        crate::tally::bump(&mut tx, round.period, &crate::tally::Changed::Nothing).await?;
        tx.commit().await?;
        Ok(Ok(n))
    }

    /// Marks every listed (or sent-back) household of a commune whose Phiếu B answers are in the
    /// period as surveyed (applicants only once screened in). Returns how many.
    pub async fn record_surveyed_all(&self, round: &Round, commune: &str, actor: &str, command: &str) -> Result<u64> {
        self.round_communes_writable(round, Some(commune)).await?;
        let at = crate::now();
        let mut tx = self.db.begin().await?;
        let n = on_conn!(tx, c => sqlx::query(
            "UPDATE review_case SET stage = 'surveyed', surveys = surveys + 1, updated_at = $4 \
             WHERE round_id = $1 AND current_commune = $2 AND stage IN ('listed', 'resurvey') \
               AND (origin NOT IN ('applied', 'village_proposed') OR screened_on IS NOT NULL) \
               AND EXISTS (SELECT 1 FROM survey s WHERE s.period = $3 AND s.household_id = review_case.household_id)",
        )
        .bind(round.id)
        .bind(commune)
        .bind(round.period)
        .bind(at.as_str())
        .execute(c)
        .await?
        .rows_affected());
        let what = format!("{n} hộ đã điều tra (Phiếu B)");
        round_audit(&mut tx, actor, command, round.period, "survey", commune, &what, &at).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Records one village meeting agreeing on every surveyed household of a commune with the
    /// same vote (a meeting that voted on the list as a whole). Returns how many.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_meeting_all(
        &self,
        round: &Round,
        procedure: &ReviewProcedure,
        commune: &str,
        held_on: NaiveDate,
        vote: Vote,
        actor: &str,
        command: &str,
    ) -> Result<u64> {
        self.round_communes_writable(round, Some(commune)).await?;
        check_in_round(round, held_on).map_err(refused)?;
        let next = Case { origin: Origin::Listed, stage: Stage::Surveyed }
            .meeting(vote, procedure.meeting.min_agreeing_pct.value)
            .map_err(refused)?;
        let at = crate::now();
        let mut tx = self.db.begin().await?;
        let n = on_conn!(tx, c => sqlx::query(
            "UPDATE review_case SET stage = $3, meeting_on = $4, attendees = $5, agreeing = $6, meetings = meetings + 1, \
                 updated_at = $7 WHERE round_id = $1 AND current_commune = $2 AND stage = 'surveyed'",
        )
        .bind(round.id)
        .bind(commune)
        .bind(next.key())
        .bind(held_on.to_string())
        .bind(i64::from(vote.attendees))
        .bind(i64::from(vote.agreeing))
        .bind(at.as_str())
        .execute(c)
        .await?
        .rows_affected());
        let what = format!("họp dân {held_on}: {n} hộ, {}/{} đồng ý", vote.agreeing, vote.attendees);
        round_audit(&mut tx, actor, command, round.period, "meeting", commune, &what, &at).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Records a commune's public posting; every household must have been agreed (or screened
    /// out) first, and the posting must last the statutory days.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_posting(
        &self,
        round: &Round,
        procedure: &ReviewProcedure,
        commune: &str,
        posting: PostingDates,
        places: &str,
        actor: &str,
        command: &str,
    ) -> Result<()> {
        self.round_communes_writable(round, Some(commune)).await?;
        check_posting(procedure, posting).map_err(refused)?;
        check_in_round(round, posting.starts_on).map_err(refused)?;
        let at = crate::now();
        let mut tx = self.db.begin().await?;
        let (waiting, decided): (i64, Option<String>) = on_conn!(tx, c => sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM review_case WHERE round_id = $1 AND current_commune = $2 \
                       AND stage IN ('listed', 'surveyed', 'resurvey')), \
                    (SELECT decision_number FROM review_commune WHERE round_id = $1 AND current_commune = $2)",
        )
        .bind(round.id)
        .bind(commune)
        .fetch_one(c)
        .await?);
        if decided.is_some() {
            return Err(refused(Refusal::new(
                "Xã đã có quyết định công nhận: không niêm yết lại.",
                "The commune has decided already: no new posting.",
            )));
        }
        if waiting > 0 {
            return Err(refused(Refusal::new(
                format!("{waiting} hộ chưa được họp dân thống nhất: chưa niêm yết được."),
                format!("{waiting} households not yet agreed by a village meeting: nothing to post yet."),
            )));
        }
        on_conn!(tx, c => sqlx::query(
            "UPDATE review_commune SET posting_starts = $3, posting_ends = $4, posting_places = $5 \
             WHERE round_id = $1 AND current_commune = $2",
        )
        .bind(round.id)
        .bind(commune)
        .bind(posting.starts_on.to_string())
        .bind(posting.ends_on.to_string())
        .bind(places)
        .execute(c)
        .await?
        .rows_affected());
        let what = format!("niêm yết {} – {} tại {places}", posting.starts_on, posting.ends_on);
        round_audit(&mut tx, actor, command, round.period, "posting", commune, &what, &at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records the re-check's outcome of a complaint (by its id).
    #[allow(clippy::too_many_arguments)]
    pub async fn resolve_complaint(
        &self,
        round: &Round,
        complaint_id: i64,
        outcome: ComplaintOutcome,
        recheck_class: Option<Class>,
        resolved_on: NaiveDate,
        actor: &str,
        command: &str,
    ) -> Result<()> {
        check_outcome(Some(outcome), recheck_class).map_err(refused)?;
        let mut tx = self.db.begin().await?;
        let row: Option<(i64, String, Option<String>)> = on_conn!(tx, c => sqlx::query_as(
            "SELECT k.household_id, r.current_commune, k.outcome FROM review_complaint k \
             JOIN review_case r ON r.round_id = k.round_id AND r.household_id = k.household_id \
             WHERE k.id = $1 AND k.round_id = $2",
        )
        .bind(complaint_id)
        .bind(round.id)
        .fetch_optional(c)
        .await?);
        let Some((household_id, commune, old)) = row.filter(|r| self.write.contains(&round.province_code, &r.1)) else {
            return Err(crate::error::StoreError::NotFound(format!("complaint {complaint_id}")));
        };
        if old.is_some() {
            return Err(refused(Refusal::new("Khiếu nại đã có kết quả.", "The complaint has an outcome already.")));
        }
        let at = crate::now();
        on_conn!(tx, c => sqlx::query(
            "UPDATE review_complaint SET outcome = $2, recheck_class = $3, resolved_on = $4 WHERE id = $1",
        )
        .bind(complaint_id)
        .bind(outcome.key())
        .bind(recheck_class.map(Class::key))
        .bind(resolved_on.to_string())
        .execute(c)
        .await?
        .rows_affected());
        let what = format!("phúc tra {}: {}", outcome.key(), recheck_class.map(Class::key).unwrap_or("-"));
        let change = Change {
            actor,
            command,
            entity: "review_case",
            household_id: Some(household_id),
            period: Some(round.period),
            member_no: None,
            field: "review.recheck",
            old_value: None,
            new_value: Some(&what),
        };
        audit::record_now(&mut tx, &change, &at).await?;
        let _ = commune;
        tx.commit().await?;
        Ok(())
    }

    /// The household of a row and its case in the round, or why the row cannot be used.
    async fn find_case_household(
        &self,
        tx: &mut Tx,
        round: &Round,
        commune_code: &str,
        household_code: &str,
    ) -> Result<std::result::Result<Found, Refusal>> {
        let row: Option<(i64, String, String)> = on_conn!(tx, c => sqlx::query_as(
            "SELECT h.id, h.commune_code, h.province_code FROM household_alias a JOIN household h ON h.id = a.household_id \
             WHERE a.commune_code = $1 AND a.household_code = $2",
        )
        .bind(commune_code)
        .bind(household_code)
        .fetch_optional(c)
        .await?);
        let Some((household_id, commune, province)) = row else {
            return Ok(Err(Refusal::new(
                format!(
                    "Không có hộ {household_code} của xã {commune_code} trong cơ sở dữ liệu (nhập phiếu của hộ trước)."
                ),
                format!(
                    "No household {household_code} of commune {commune_code} in the registry (import its form first)."
                ),
            )));
        };
        if !self.write.contains(&province, &commune) {
            return Ok(Err(Refusal::new(
                format!("Hộ {household_code} ngoài địa bàn được ghi của người dùng."),
                format!("Household {household_code} is outside the user's write area."),
            )));
        }
        let taking_part: Option<Option<String>> = on_conn!(tx, c => sqlx::query_scalar(
            "SELECT decision_number FROM review_commune WHERE round_id = $1 AND current_commune = $2",
        )
        .bind(round.id)
        .bind(commune.as_str())
        .fetch_optional(c)
        .await?);
        match taking_part {
            None => {
                return Ok(Err(Refusal::new(
                    format!("Xã {commune} của hộ {household_code} không tham gia đợt rà soát này."),
                    format!("Commune {commune} of household {household_code} does not take part in this round."),
                )));
            }
            Some(Some(number)) => {
                return Ok(Err(Refusal::new(
                    format!("Xã {commune} đã có quyết định công nhận số {number}: danh sách đã khóa."),
                    format!("Commune {commune} has decided (decision {number}): its lists are locked."),
                )));
            }
            Some(None) => {}
        }
        let case: Option<(String, String, Option<String>)> = on_conn!(tx, c => sqlx::query_as(
            "SELECT origin, stage, screened_on FROM review_case WHERE round_id = $1 AND household_id = $2",
        )
        .bind(round.id)
        .bind(household_id)
        .fetch_optional(c)
        .await?);
        let case = case.and_then(|(o, s, screened)| {
            Some((Case { origin: Origin::parse(&o)?, stage: Stage::parse(&s)? }, screened))
        });
        Ok(Ok(Found { household_id, commune, province, case }))
    }

    async fn application(
        &self,
        tx: &mut Tx,
        round: &Round,
        r: &Application,
    ) -> Result<std::result::Result<Write, Refusal>> {
        if r.origin == Origin::Listed {
            return Ok(Err(Refusal::new(
                "Nguồn \"listed\" chỉ do hệ thống lập từ danh sách kỳ trước.",
                "Origin \"listed\" is made from the last period's lists only.",
            )));
        }
        let f = match self.find_case_household(tx, round, &r.commune_code, &r.household_code).await? {
            Ok(f) => f,
            Err(e) => return Ok(Err(e)),
        };
        let kind = match (&f.case, r.origin) {
            (None, _) => WriteKind::NewCase { origin: r.origin, commune: f.commune, province: f.province },
            (Some((c, _)), Origin::AppliedEscape) if c.origin == Origin::Listed && c.stage == Stage::Listed => {
                WriteKind::Origin(Origin::AppliedEscape)
            }
            (Some(_), _) => {
                return Ok(Err(Refusal::new(
                    format!("Hộ {} đã có trong danh sách rà soát của đợt.", r.household_code),
                    format!("Household {} is on the round's list already.", r.household_code),
                )));
            }
        };
        Ok(Ok(Write {
            household_id: f.household_id,
            old_stage: None,
            summary: format!("{} ngày {}", r.origin.key(), r.applied_on),
            kind,
            applied_on: Some(r.applied_on),
        }))
    }

    async fn screening(
        &self,
        tx: &mut Tx,
        round: &Round,
        procedure: &ReviewProcedure,
        r: &ScreeningRow,
    ) -> Result<std::result::Result<Write, Refusal>> {
        let (f, case, _) = match self.case_of(tx, round, &r.commune_code, &r.household_code).await? {
            Ok(x) => x,
            Err(e) => return Ok(Err(e)),
        };
        if let Err(e) = check_in_round(round, r.screened_on) {
            return Ok(Err(e));
        }
        let next = match case.screen(r.outcome) {
            Ok(s) => s,
            Err(e) => return Ok(Err(e)),
        };
        let reason = match (r.outcome, r.reason.as_deref()) {
            (Screening::Out, None) => {
                return Ok(Err(Refusal::new(
                    "Loại qua Phiếu A phải có lý do.",
                    "A household screened out needs a reason.",
                )));
            }
            (Screening::Out, Some(code)) if procedure.screening_reason(code).is_none() => {
                let known: Vec<&str> = procedure.screening_reasons.iter().map(|r| r.code.as_str()).collect();
                return Ok(Err(Refusal::new(
                    format!("Lý do \"{code}\" không có trong quy trình (có: {}).", known.join(", ")),
                    format!("Reason \"{code}\" is not one of the procedure's ({}).", known.join(", ")),
                )));
            }
            (_, reason) => reason.map(str::to_string),
        };
        Ok(Ok(Write {
            household_id: f,
            old_stage: Some(case.stage),
            summary: format!("{} {}", next.key(), reason.as_deref().unwrap_or("")).trim().to_string(),
            kind: WriteKind::Screened { stage: next, on: r.screened_on, reason, note: r.note.clone() },
            applied_on: None,
        }))
    }

    async fn survey(&self, tx: &mut Tx, round: &Round, r: &SurveyRow) -> Result<std::result::Result<Write, Refusal>> {
        let (f, case, screened) = match self.case_of(tx, round, &r.commune_code, &r.household_code).await? {
            Ok(x) => x,
            Err(e) => return Ok(Err(e)),
        };
        if case.origin.is_screened() && screened.is_none() && case.stage == Stage::Listed {
            return Ok(Err(Refusal::new(
                format!("Hộ {} chưa qua nhận dạng nhanh (Phiếu A).", r.household_code),
                format!("Household {} has not been screened (Phiếu A).", r.household_code),
            )));
        }
        let next = match case.survey() {
            Ok(s) => s,
            Err(e) => return Ok(Err(e)),
        };
        let surveyed: Option<i64> = on_conn!(tx, c => sqlx::query_scalar(
            "SELECT household_id FROM survey WHERE period = $1 AND household_id = $2",
        )
        .bind(round.period)
        .bind(f)
        .fetch_optional(c)
        .await?);
        if surveyed.is_none() {
            return Ok(Err(Refusal::new(
                format!("Hộ {} chưa có Phiếu B trong kỳ {}: nhập phiếu trước.", r.household_code, round.period),
                format!(
                    "Household {} has no Phiếu B answers in period {}: import them first.",
                    r.household_code, round.period
                ),
            )));
        }
        Ok(Ok(Write {
            household_id: f,
            old_stage: Some(case.stage),
            summary: next.key().to_string(),
            kind: WriteKind::Surveyed,
            applied_on: None,
        }))
    }

    async fn meeting(
        &self,
        tx: &mut Tx,
        round: &Round,
        procedure: &ReviewProcedure,
        r: &MeetingRow,
    ) -> Result<std::result::Result<Write, Refusal>> {
        let (f, case, _) = match self.case_of(tx, round, &r.commune_code, &r.household_code).await? {
            Ok(x) => x,
            Err(e) => return Ok(Err(e)),
        };
        if let Err(e) = check_in_round(round, r.held_on) {
            return Ok(Err(e));
        }
        let next = match case.meeting(r.vote, procedure.meeting.min_agreeing_pct.value) {
            Ok(s) => s,
            Err(e) => return Ok(Err(e)),
        };
        Ok(Ok(Write {
            household_id: f,
            old_stage: Some(case.stage),
            summary: format!("{} ({}/{} đồng ý, {})", next.key(), r.vote.agreeing, r.vote.attendees, r.held_on),
            kind: WriteKind::Met { stage: next, on: r.held_on, vote: r.vote },
            applied_on: None,
        }))
    }

    async fn complaint(
        &self,
        tx: &mut Tx,
        round: &Round,
        r: &ComplaintRow,
    ) -> Result<std::result::Result<Write, Refusal>> {
        let (f, case, _) = match self.case_of(tx, round, &r.commune_code, &r.household_code).await? {
            Ok(x) => x,
            Err(e) => return Ok(Err(e)),
        };
        let posting: (Option<String>, Option<String>) = on_conn!(tx, c => sqlx::query_as(
            "SELECT rc.posting_starts, rc.posting_ends FROM review_commune rc JOIN review_case r \
                 ON r.round_id = rc.round_id AND r.current_commune = rc.current_commune \
             WHERE rc.round_id = $1 AND r.household_id = $2",
        )
        .bind(round.id)
        .bind(f)
        .fetch_one(c)
        .await?);
        let (Some(starts), Some(ends)) = posting else {
            return Ok(Err(Refusal::new(
                "Kết quả của xã chưa được niêm yết: chưa nhận khiếu nại.",
                "The commune's results have not been posted: no complaint yet.",
            )));
        };
        let (starts, ends) = (date_of(&starts)?, date_of(&ends)?);
        if r.lodged_on < starts || r.lodged_on > ends {
            return Ok(Err(Refusal::new(
                format!("Ngày khiếu nại {} ngoài thời gian niêm yết ({starts} – {ends}).", r.lodged_on),
                format!("Complaint lodged {} outside the posting ({starts} – {ends}).", r.lodged_on),
            )));
        }
        if let Err(e) = check_outcome(r.outcome, r.recheck_class) {
            return Ok(Err(e));
        }
        if r.content.trim().is_empty() {
            return Ok(Err(Refusal::new("Khiếu nại phải có nội dung.", "A complaint needs its content.")));
        }
        Ok(Ok(Write {
            household_id: f,
            old_stage: Some(case.stage),
            summary: format!(
                "khiếu nại {}{}",
                r.lodged_on,
                r.outcome.map(|o| format!(", {}", o.key())).unwrap_or_default()
            ),
            kind: WriteKind::Complaint(r.clone()),
            applied_on: None,
        }))
    }

    /// The household and its case for a step on an existing case.
    pub(super) async fn case_of(
        &self,
        tx: &mut Tx,
        round: &Round,
        commune_code: &str,
        household_code: &str,
    ) -> Result<std::result::Result<(i64, Case, Option<String>), Refusal>> {
        let f = match self.find_case_household(tx, round, commune_code, household_code).await? {
            Ok(f) => f,
            Err(e) => return Ok(Err(e)),
        };
        match f.case {
            Some((case, screened)) => Ok(Ok((f.household_id, case, screened))),
            None => Ok(Err(Refusal::new(
                format!("Hộ {household_code} không có trong danh sách rà soát của đợt."),
                format!("Household {household_code} is not on the round's list."),
            ))),
        }
    }
}

fn check_in_round(round: &Round, day: NaiveDate) -> std::result::Result<(), Refusal> {
    if day < round.starts_on || day > round.ends_on {
        return Err(Refusal::new(
            format!("Ngày {day} ngoài đợt rà soát ({} – {}).", round.starts_on, round.ends_on),
            format!("Day {day} is outside the round ({} – {}).", round.starts_on, round.ends_on),
        ));
    }
    Ok(())
}

fn check_outcome(outcome: Option<ComplaintOutcome>, recheck: Option<Class>) -> std::result::Result<(), Refusal> {
    match (outcome, recheck) {
        (Some(ComplaintOutcome::Upheld), None) => Err(Refusal::new(
            "Khiếu nại được chấp nhận phải có kết quả phúc tra (phân loại sau phúc tra).",
            "An upheld complaint needs the re-check's class.",
        )),
        (Some(ComplaintOutcome::Rejected) | None, Some(_)) => Err(Refusal::new(
            "Chỉ khiếu nại được chấp nhận mới có phân loại sau phúc tra.",
            "Only an upheld complaint has a re-check class.",
        )),
        _ => Ok(()),
    }
}

/// A checked row, to write.
struct Write {
    household_id: i64,
    old_stage: Option<Stage>,
    /// What the audit records (no names).
    summary: String,
    kind: WriteKind,
    applied_on: Option<NaiveDate>,
}

enum WriteKind {
    NewCase { origin: Origin, commune: String, province: String },
    Origin(Origin),
    Screened { stage: Stage, on: NaiveDate, reason: Option<String>, note: Option<String> },
    Surveyed,
    Met { stage: Stage, on: NaiveDate, vote: Vote },
    Complaint(ComplaintRow),
}

impl Write {
    async fn apply(&self, tx: &mut Tx, round: &Round, at: &str, actor: &str) -> Result<()> {
        let id = self.household_id;
        match &self.kind {
            WriteKind::NewCase { origin, commune, province } => {
                on_conn!(tx, c => sqlx::query(
                    "INSERT INTO review_case (round_id, household_id, current_commune, current_province, origin, stage, \
                         previous_class, applied_on, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, 'listed', \
                         (SELECT c.class FROM classification c JOIN review_period p ON p.year = c.period \
                            AND p.standard_id = c.standard_id WHERE c.household_id = $2 AND c.period < $6 \
                          ORDER BY c.period DESC LIMIT 1), $7, $8)",
                )
                .bind(round.id)
                .bind(id)
                .bind(commune.as_str())
                .bind(province.as_str())
                .bind(origin.key())
                .bind(round.period)
                .bind(self.applied_on.map(|d| d.to_string()))
                .bind(at)
                .execute(c)
                .await?
                .rows_affected());
            }
            WriteKind::Origin(origin) => {
                on_conn!(tx, c => sqlx::query(
                    "UPDATE review_case SET origin = $3, applied_on = $4, updated_at = $5 WHERE round_id = $1 AND household_id = $2",
                )
                .bind(round.id)
                .bind(id)
                .bind(origin.key())
                .bind(self.applied_on.map(|d| d.to_string()))
                .bind(at)
                .execute(c)
                .await?
                .rows_affected());
            }
            WriteKind::Screened { stage, on, reason, note } => {
                on_conn!(tx, c => sqlx::query(
                    "UPDATE review_case SET stage = $3, screened_on = $4, screening_reason = $5, screening_note = $6, \
                         updated_at = $7 WHERE round_id = $1 AND household_id = $2",
                )
                .bind(round.id)
                .bind(id)
                .bind(stage.key())
                .bind(on.to_string())
                .bind(reason.as_deref())
                .bind(note.as_deref())
                .bind(at)
                .execute(c)
                .await?
                .rows_affected());
            }
            WriteKind::Surveyed => {
                on_conn!(tx, c => sqlx::query(
                    "UPDATE review_case SET stage = 'surveyed', surveys = surveys + 1, updated_at = $3 \
                     WHERE round_id = $1 AND household_id = $2",
                )
                .bind(round.id)
                .bind(id)
                .bind(at)
                .execute(c)
                .await?
                .rows_affected());
            }
            WriteKind::Met { stage, on, vote } => {
                on_conn!(tx, c => sqlx::query(
                    "UPDATE review_case SET stage = $3, meeting_on = $4, attendees = $5, agreeing = $6, \
                         meetings = meetings + 1, updated_at = $7 WHERE round_id = $1 AND household_id = $2",
                )
                .bind(round.id)
                .bind(id)
                .bind(stage.key())
                .bind(on.to_string())
                .bind(i64::from(vote.attendees))
                .bind(i64::from(vote.agreeing))
                .bind(at)
                .execute(c)
                .await?
                .rows_affected());
            }
            WriteKind::Complaint(r) => {
                on_conn!(tx, c => sqlx::query(
                    "INSERT INTO review_complaint (round_id, household_id, lodged_on, content, outcome, recheck_class, \
                         resolved_on, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(round.id)
                .bind(id)
                .bind(r.lodged_on.to_string())
                .bind(r.content.as_str())
                .bind(r.outcome.map(ComplaintOutcome::key))
                .bind(r.recheck_class.map(Class::key))
                .bind(r.resolved_on.map(|d| d.to_string()))
                .bind(actor)
                .bind(at)
                .execute(c)
                .await?
                .rows_affected());
            }
        }
        Ok(())
    }
}
