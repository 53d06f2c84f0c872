//! The review as a procedure (*quy trình rà soát*, Decision 24/2021/QĐ-TTg): a round
//! (*đợt rà soát*) lists households, screens applicants (Phiếu A), surveys them (Phiếu B),
//! agrees the results in a village meeting (*họp dân*), posts them publicly (*niêm yết*) with
//! complaints and re-checks (*phúc tra*), and ends in the commune chair's decision recognising
//! the lists (Mẫu 02), after which they are locked.
//!
//! Pure: the procedure's provisions as data ([`ReviewProcedure`], `standards/review-*.toml`) and
//! the rules a step must satisfy ([`Case::screen`], [`Case::meeting`], [`decision_ready`], …),
//! each refusal a [`Refusal`] in Vietnamese and English.

use crate::classify::Class;
use crate::provision::{Provision, Status};
use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// The procedure's provisions (`kind = "review_procedure"`).
#[derive(Debug, Clone, Deserialize)]
pub struct ReviewProcedure {
    pub id: String,
    pub title_vi: String,
    pub title_en: String,
    pub legal_basis: String,
    pub validity: Validity,
    pub annual: Annual,
    pub regular: Regular,
    pub meeting: Meeting,
    pub posting: Posting,
    pub steps: Vec<StepRule>,
    pub screening_reasons: Vec<ScreeningReason>,
    /// What the decision (Mẫu 02) cites.
    pub decision_bases: Vec<DecisionBasis>,
    /// Where the decision is sent; `{province}` is the province's name.
    pub recipients: Vec<String>,
}

/// A legal basis a decision cites: always, or when it applies the standard `standard`.
#[derive(Debug, Clone, Deserialize)]
pub struct DecisionBasis {
    #[serde(default)]
    pub standard: Option<String>,
    pub text: String,
    pub citation: String,
    pub status: Status,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Validity {
    pub from: NaiveDate,
    pub citation: String,
    pub status: Status,
}

/// Annual review window, as `MM-DD` of the review year.
#[derive(Debug, Clone, Deserialize)]
pub struct Annual {
    pub starts: Provision<String>,
    pub ends: Provision<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Regular {
    pub starts_on_day: Provision<u32>,
    pub decision_within_days: Provision<u32>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Meeting {
    pub min_agreeing_pct: Provision<u32>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Posting {
    pub working_days: Provision<u32>,
}

/// One step of a round, in order.
#[derive(Debug, Clone, Deserialize)]
pub struct StepRule {
    pub code: Step,
    pub name_vi: String,
    pub name_en: String,
    pub form: String,
    /// Default due day (`MM-DD` of the review year) of the annual review.
    pub due: String,
    pub citation: String,
    pub status: Status,
}

/// A reason a household leaves the review at screening (Phiếu A).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ScreeningReason {
    pub code: String,
    pub text_vi: String,
    pub text_en: String,
    pub citation: String,
    pub status: Status,
    #[serde(default)]
    pub note: Option<String>,
}

/// The steps of a round, in the order of the procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    List,
    Screening,
    Survey,
    Meeting,
    Posting,
    Decision,
}

impl Step {
    pub const ALL: [Step; 6] =
        [Step::List, Step::Screening, Step::Survey, Step::Meeting, Step::Posting, Step::Decision];

    pub fn key(self) -> &'static str {
        match self {
            Step::List => "list",
            Step::Screening => "screening",
            Step::Survey => "survey",
            Step::Meeting => "meeting",
            Step::Posting => "posting",
            Step::Decision => "decision",
        }
    }

    pub fn parse(s: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|x| x.key() == s)
    }
}

/// Why a provision file is wrong.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct ProcedureError(pub String);

impl ReviewProcedure {
    /// Checks what the rules below rely on: every step once, in order; dates that parse.
    pub fn validate(&self) -> Result<(), ProcedureError> {
        let codes: Vec<Step> = self.steps.iter().map(|s| s.code).collect();
        if codes != Step::ALL {
            return Err(ProcedureError(format!("steps must be {:?} in that order, found {codes:?}", Step::ALL)));
        }
        for md in
            [&self.annual.starts.value, &self.annual.ends.value].into_iter().chain(self.steps.iter().map(|s| &s.due))
        {
            if month_day(2024, md).is_none() {
                return Err(ProcedureError(format!("{md:?} is not a day of the year as MM-DD")));
            }
        }
        if self.meeting.min_agreeing_pct.value > 100 {
            return Err(ProcedureError("meeting.min_agreeing_pct above 100".into()));
        }
        if self.screening_reasons.is_empty() {
            return Err(ProcedureError("no screening_reasons".into()));
        }
        Ok(())
    }

    /// The annual round's window in `year`.
    pub fn annual_window(&self, year: i32) -> (NaiveDate, NaiveDate) {
        let start = month_day(year, &self.annual.starts.value).unwrap_or_default();
        let end = month_day(year, &self.annual.ends.value).unwrap_or_default();
        (start, end)
    }

    /// The default calendar of an annual round in `year`: each step's due day.
    pub fn annual_calendar(&self, year: i32) -> Vec<(Step, NaiveDate)> {
        self.steps.iter().map(|s| (s.code, month_day(year, &s.due).unwrap_or_default())).collect()
    }

    /// The last day a regular review started on `start` may be decided.
    pub fn regular_deadline(&self, start: NaiveDate) -> NaiveDate {
        add_working_days(start, self.regular.decision_within_days.value)
    }

    /// The first day of the regular review that takes up an application received on `applied_on`:
    /// the month's regular review starts on its `starts_on_day` (the 15th), so an application
    /// received on or before that day is taken up that month, a later one the next month.
    pub fn regular_start_for(&self, applied_on: NaiveDate) -> NaiveDate {
        let day = self.regular.starts_on_day.value.clamp(1, 28);
        let this = applied_on.with_day(day).unwrap_or(applied_on);
        if applied_on <= this {
            this
        } else {
            let (y, m) = if applied_on.month() == 12 {
                (applied_on.year() + 1, 1)
            } else {
                (applied_on.year(), applied_on.month() + 1)
            };
            NaiveDate::from_ymd_opt(y, m, day).unwrap_or(this)
        }
    }

    /// The last day an application received on `applied_on` may be decided (or refused in
    /// writing): the deadline of the regular review that takes it up.
    pub fn application_due(&self, applied_on: NaiveDate) -> NaiveDate {
        self.regular_deadline(self.regular_start_for(applied_on))
    }

    /// The day posting from `start` ends (its last day).
    pub fn posting_ends(&self, start: NaiveDate) -> NaiveDate {
        add_working_days(start, self.posting.working_days.value.saturating_sub(1))
    }

    /// The bases a decision applying standard `standard_id` cites, in order.
    pub fn bases_for(&self, standard_id: &str) -> Vec<&DecisionBasis> {
        self.decision_bases.iter().filter(|b| b.standard.as_deref().is_none_or(|s| s == standard_id)).collect()
    }

    pub fn screening_reason(&self, code: &str) -> Option<&ScreeningReason> {
        self.screening_reasons.iter().find(|r| r.code == code)
    }

    /// The provisions of the procedure that are not verified, as (what, citation, status), for
    /// every output that relies on them.
    pub fn unverified(&self) -> Vec<(String, String, Status)> {
        self.unverified_where(|_| true)
    }

    /// [`ReviewProcedure::unverified`] for a round applying standard `standard_id` (the other
    /// standards' decision bases left out).
    pub fn unverified_for(&self, standard_id: &str) -> Vec<(String, String, Status)> {
        self.unverified_where(|b| b.standard.as_deref().is_none_or(|s| s == standard_id))
    }

    fn unverified_where(&self, basis: impl Fn(&DecisionBasis) -> bool) -> Vec<(String, String, Status)> {
        let mut out = Vec::new();
        let mut add = |what: &str, citation: &str, status: Status| {
            if !status.is_verified() {
                out.push((what.to_string(), citation.to_string(), status));
            }
        };
        add(
            "Thời hạn rà soát thường xuyên / regular review deadline",
            &self.regular.decision_within_days.citation,
            self.regular.decision_within_days.status,
        );
        add(
            "Số ngày niêm yết / days of posting",
            &self.posting.working_days.citation,
            self.posting.working_days.status,
        );
        for b in self.decision_bases.iter().filter(|b| basis(b)) {
            add(&format!("Căn cứ của quyết định: {}", b.citation), &b.citation, b.status);
        }
        for r in &self.screening_reasons {
            add(&format!("Lý do loại (Phiếu A): {}", r.text_vi), &r.citation, r.status);
        }
        out
    }
}

/// `MM-DD` in `year`.
pub fn month_day(year: i32, md: &str) -> Option<NaiveDate> {
    let (m, d) = md.split_once('-')?;
    NaiveDate::from_ymd_opt(year, m.parse().ok()?, d.parse().ok()?)
}

/// The day `n` working days (Monday–Friday; public holidays are not loaded) after `from`.
pub fn add_working_days(from: NaiveDate, n: u32) -> NaiveDate {
    let mut d = from;
    let mut left = n;
    while left > 0 {
        d = d.succ_opt().unwrap_or(d);
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    d
}

/// A round is annual (*định kỳ*) or regular (*thường xuyên*, monthly).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundKind {
    Annual,
    Regular,
}

impl RoundKind {
    pub fn key(self) -> &'static str {
        match self {
            RoundKind::Annual => "annual",
            RoundKind::Regular => "regular",
        }
    }
    pub fn parse(s: &str) -> Option<RoundKind> {
        match s {
            "annual" | "dinh_ky" => Some(RoundKind::Annual),
            "regular" | "thuong_xuyen" => Some(RoundKind::Regular),
            _ => None,
        }
    }
    pub fn label_vi(self) -> &'static str {
        match self {
            RoundKind::Annual => "Rà soát định kỳ",
            RoundKind::Regular => "Rà soát thường xuyên",
        }
    }
}

/// Why a household is on the list to review (Phụ lục I).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// On the poor or near-poor list the commune manages.
    Listed,
    /// Applied to be reviewed (Mẫu 01).
    Applied,
    /// Applied to be recognised as having escaped (Mẫu 04).
    AppliedEscape,
    /// Proposed by the village.
    VillageProposed,
}

impl Origin {
    pub const ALL: [Origin; 4] = [Origin::Listed, Origin::Applied, Origin::AppliedEscape, Origin::VillageProposed];
    pub fn key(self) -> &'static str {
        match self {
            Origin::Listed => "listed",
            Origin::Applied => "applied",
            Origin::AppliedEscape => "applied_escape",
            Origin::VillageProposed => "village_proposed",
        }
    }
    pub fn parse(s: &str) -> Option<Origin> {
        match s {
            "mau_01" | "01" => Some(Origin::Applied),
            "mau_04" | "04" => Some(Origin::AppliedEscape),
            "village" | "thon" => Some(Origin::VillageProposed),
            _ => Origin::ALL.into_iter().find(|o| o.key() == s),
        }
    }
    pub fn label_vi(self) -> &'static str {
        match self {
            Origin::Listed => "Đang trong danh sách",
            Origin::Applied => "Có giấy đề nghị (Mẫu 01)",
            Origin::AppliedEscape => "Đề nghị thoát nghèo (Mẫu 04)",
            Origin::VillageProposed => "Thôn đề xuất",
        }
    }
    /// Applicants are screened (Phiếu A); listed households go straight to the survey.
    pub fn is_screened(self) -> bool {
        matches!(self, Origin::Applied | Origin::VillageProposed)
    }
}

/// Where a household's review stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// On the list, not yet screened or surveyed.
    Listed,
    /// Left the review at Phiếu A screening.
    ScreenedOut,
    /// Surveyed (Phiếu B), to be agreed in the village meeting.
    Surveyed,
    /// Fewer than the required share agreed: to be surveyed again.
    Resurvey,
    /// Agreed by the village meeting.
    Agreed,
    /// Recognised by the commune chair's decision.
    Decided,
}

impl Stage {
    pub const ALL: [Stage; 6] =
        [Stage::Listed, Stage::ScreenedOut, Stage::Surveyed, Stage::Resurvey, Stage::Agreed, Stage::Decided];
    pub fn key(self) -> &'static str {
        match self {
            Stage::Listed => "listed",
            Stage::ScreenedOut => "screened_out",
            Stage::Surveyed => "surveyed",
            Stage::Resurvey => "resurvey",
            Stage::Agreed => "agreed",
            Stage::Decided => "decided",
        }
    }
    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|x| x.key() == s)
    }
    pub fn label_vi(self) -> &'static str {
        match self {
            Stage::Listed => "Trong danh sách rà soát",
            Stage::ScreenedOut => "Loại qua Phiếu A",
            Stage::Surveyed => "Đã điều tra (Phiếu B)",
            Stage::Resurvey => "Phải rà soát lại",
            Stage::Agreed => "Họp dân thống nhất",
            Stage::Decided => "Đã công nhận",
        }
    }
}

/// A refusal of a step, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("{vi} / {en}")]
pub struct Refusal {
    pub vi: String,
    pub en: String,
}

impl Refusal {
    pub fn new(vi: impl Into<String>, en: impl Into<String>) -> Refusal {
        Refusal { vi: vi.into(), en: en.into() }
    }
}

/// One household's review in a round, as far as the rules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub origin: Origin,
    pub stage: Stage,
}

/// The outcome of screening.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screening {
    /// Goes on to the survey.
    Proceeds,
    /// Leaves the review.
    Out,
}

/// A household's result in a village meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vote {
    pub attendees: u32,
    pub agreeing: u32,
}

impl Vote {
    /// The share agreeing, in percent (rounded down).
    pub fn agreeing_pct(self) -> u32 {
        if self.attendees == 0 { 0 } else { ((u64::from(self.agreeing) * 100) / u64::from(self.attendees)) as u32 }
    }
}

impl Case {
    fn not_now(&self, what_vi: &str, what_en: &str) -> Refusal {
        Refusal::new(
            format!("Không thể {what_vi}: hộ đang ở bước \"{}\".", self.stage.label_vi()),
            format!("Cannot {what_en}: the household is at step \"{}\".", self.stage.key()),
        )
    }

    /// Records Phiếu A screening: only for applicants and proposed households still listed.
    pub fn screen(&self, outcome: Screening) -> Result<Stage, Refusal> {
        if !self.origin.is_screened() {
            return Err(Refusal::new(
                format!(
                    "Hộ \"{}\" không qua nhận dạng nhanh (Phiếu A): chỉ hộ có giấy đề nghị hoặc do thôn đề xuất.",
                    self.origin.label_vi()
                ),
                format!(
                    "A household of origin \"{}\" is not screened (Phiếu A): only applicants and households the village proposes.",
                    self.origin.key()
                ),
            ));
        }
        if self.stage != Stage::Listed {
            return Err(self.not_now("ghi kết quả Phiếu A", "record a Phiếu A result"));
        }
        Ok(match outcome {
            Screening::Proceeds => Stage::Listed,
            Screening::Out => Stage::ScreenedOut,
        })
    }

    /// Records that the household has been surveyed (Phiếu B): from the list or after a meeting
    /// sent it back.
    pub fn survey(&self) -> Result<Stage, Refusal> {
        match self.stage {
            Stage::Listed | Stage::Resurvey | Stage::Surveyed => Ok(Stage::Surveyed),
            _ => Err(self.not_now("ghi kết quả điều tra", "record a survey")),
        }
    }

    /// Records the village meeting's vote on the household.
    pub fn meeting(&self, vote: Vote, min_agreeing_pct: u32) -> Result<Stage, Refusal> {
        if vote.attendees == 0 {
            return Err(Refusal::new("Số người dự họp phải lớn hơn 0.", "Attendees must be more than 0."));
        }
        if vote.agreeing > vote.attendees {
            return Err(Refusal::new(
                format!(
                    "Số người đồng ý ({}) lớn hơn số người dự họp ({}): tỷ lệ trên 100%.",
                    vote.agreeing, vote.attendees
                ),
                format!("Agreeing ({}) more than attendees ({}): a share over 100 %.", vote.agreeing, vote.attendees),
            ));
        }
        if self.stage != Stage::Surveyed {
            return Err(self.not_now("ghi kết quả họp dân", "record a meeting result"));
        }
        // Under the threshold: the share agreeing times 100 below threshold × attendees, exactly.
        if u64::from(vote.agreeing) * 100 < u64::from(min_agreeing_pct) * u64::from(vote.attendees) {
            Ok(Stage::Resurvey)
        } else {
            Ok(Stage::Agreed)
        }
    }
}

/// A complaint's outcome after the re-check (*phúc tra*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintOutcome {
    /// Upheld: the re-check's class is recognised.
    Upheld,
    /// Rejected: the meeting's result stands.
    Rejected,
}

impl ComplaintOutcome {
    pub fn key(self) -> &'static str {
        match self {
            ComplaintOutcome::Upheld => "upheld",
            ComplaintOutcome::Rejected => "rejected",
        }
    }
    pub fn parse(s: &str) -> Option<ComplaintOutcome> {
        match s {
            "upheld" | "chap_nhan" => Some(ComplaintOutcome::Upheld),
            "rejected" | "khong_chap_nhan" => Some(ComplaintOutcome::Rejected),
            _ => None,
        }
    }
}

/// A commune's posting, as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostingDates {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// Checks a posting's dates against the statutory days.
pub fn check_posting(proc: &ReviewProcedure, p: PostingDates) -> Result<(), Refusal> {
    let min_end = proc.posting_ends(p.starts_on);
    if p.ends_on < min_end {
        return Err(Refusal::new(
            format!(
                "Niêm yết từ {} đến {} chưa đủ {} ngày làm việc (kết thúc sớm nhất {}).",
                vi_date(p.starts_on),
                vi_date(p.ends_on),
                proc.posting.working_days.value,
                vi_date(min_end)
            ),
            format!(
                "Posting from {} to {} is shorter than {} working days (ends {} at the earliest).",
                p.starts_on, p.ends_on, proc.posting.working_days.value, min_end
            ),
        ));
    }
    Ok(())
}

/// What a commune's decision needs: a posting that has ended before the decision's day, every
/// listed household screened out or agreed, no complaint without an outcome.
pub struct DecisionReadiness<'a> {
    pub posting: Option<PostingDates>,
    pub decided_on: NaiveDate,
    /// Households by stage.
    pub stages: &'a [(Stage, u64)],
    pub open_complaints: u64,
}

/// Every reason the commune cannot decide yet (empty when it can).
pub fn decision_ready(r: &DecisionReadiness<'_>) -> Vec<Refusal> {
    let mut out = Vec::new();
    match r.posting {
        None => out.push(Refusal::new(
            "Chưa niêm yết công khai kết quả: chưa thể ra quyết định.",
            "The results have not been posted publicly: no decision yet.",
        )),
        Some(p) if r.decided_on <= p.ends_on => out.push(Refusal::new(
            format!(
                "Ngày quyết định {} không sau ngày kết thúc niêm yết {}.",
                vi_date(r.decided_on),
                vi_date(p.ends_on)
            ),
            format!("The decision's day {} is not after posting ends on {}.", r.decided_on, p.ends_on),
        )),
        Some(_) => {}
    }
    for &(stage, n) in r.stages {
        if n > 0 && matches!(stage, Stage::Listed | Stage::Surveyed | Stage::Resurvey) {
            out.push(Refusal::new(
                format!("{n} hộ ở bước \"{}\": chưa được họp dân thống nhất.", stage.label_vi()),
                format!("{n} households at step \"{}\": not agreed by a village meeting.", stage.key()),
            ));
        }
    }
    if r.open_complaints > 0 {
        out.push(Refusal::new(
            format!("{} khiếu nại chưa có kết quả phúc tra.", r.open_complaints),
            format!("{} complaints without a re-check outcome.", r.open_complaints),
        ));
    }
    if out.is_empty() && r.stages.iter().all(|&(s, n)| n == 0 || s == Stage::Decided) {
        out.push(Refusal::new("Không còn hộ nào chờ công nhận.", "No household is waiting to be recognised."));
    }
    out
}

/// The class a decision recognises: the re-check's after an upheld complaint, else the computed one.
pub fn recognised_class(computed: Class, recheck: Option<Class>) -> Class {
    recheck.unwrap_or(computed)
}

/// What became of an application (Mẫu 01, Mẫu 04, a village's proposal) once its commune
/// decided (*kết quả giải quyết đơn*).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplicationOutcome {
    /// Recognised poor or near-poor, as asked (Mẫu 01, a proposal).
    Recognised(Class),
    /// Recognised as having left the poor or near-poor list, as asked (Mẫu 04).
    Escaped,
    /// Not granted: the commune chair replies in writing with the reason (art. 5).
    Refused,
}

/// The outcome of an application of `origin` for a household whose last status was `previous`
/// and whom the decision recognised as `recognised` (`None`: screened out by Phiếu A, which
/// keeps the last status).
pub fn application_outcome(origin: Origin, previous: Option<Class>, recognised: Option<Class>) -> ApplicationOutcome {
    let listed = |c: Option<Class>| matches!(c, Some(Class::Poor | Class::NearPoor));
    match origin {
        Origin::AppliedEscape => match (previous, recognised) {
            (Some(p), Some(r)) if listed(Some(p)) && (r != p && r != Class::Poor) => ApplicationOutcome::Escaped,
            _ => ApplicationOutcome::Refused,
        },
        _ => match recognised {
            Some(c @ (Class::Poor | Class::NearPoor)) => ApplicationOutcome::Recognised(c),
            _ => ApplicationOutcome::Refused,
        },
    }
}

/// `dd/mm/yyyy`.
pub fn vi_date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_application_is_granted_only_when_the_decision_gives_what_it_asked() {
        use super::{ApplicationOutcome::*, Origin::*, application_outcome as out};
        use crate::Class::*;
        assert_eq!(out(Applied, Some(NotPoor), Some(Poor)), Recognised(Poor));
        assert_eq!(out(Applied, None, Some(NearPoor)), Recognised(NearPoor));
        assert_eq!(out(Applied, Some(NotPoor), Some(Middle)), Refused);
        assert_eq!(out(VillageProposed, Some(NotPoor), None), Refused, "screened out");
        assert_eq!(out(AppliedEscape, Some(Poor), Some(NearPoor)), Escaped, "out of poverty");
        assert_eq!(out(AppliedEscape, Some(NearPoor), Some(NotPoor)), Escaped);
        assert_eq!(out(AppliedEscape, Some(Poor), Some(Poor)), Refused);
        assert_eq!(out(AppliedEscape, Some(NearPoor), Some(Poor)), Refused, "worse is not an escape");
        assert_eq!(out(AppliedEscape, Some(NotPoor), Some(NotPoor)), Refused, "nothing to escape from");
    }

    #[test]
    fn an_application_is_taken_up_by_the_next_regular_review_and_due_15_working_days_later() {
        let p = crate::Standards::embedded().expect("standards").review_procedure().expect("procedure");
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("date");
        assert_eq!(p.regular_start_for(d(2027, 2, 3)), d(2027, 2, 15));
        assert_eq!(p.regular_start_for(d(2027, 2, 15)), d(2027, 2, 15));
        assert_eq!(p.regular_start_for(d(2027, 2, 16)), d(2027, 3, 15));
        assert_eq!(p.regular_start_for(d(2027, 12, 20)), d(2028, 1, 15));
        // Monday 15 February 2027 + 15 working days = Monday 8 March 2027.
        assert_eq!(p.application_due(d(2027, 2, 3)), d(2027, 3, 8));
    }

    use super::*;
    use crate::standard::Standards;

    fn procedure() -> std::sync::Arc<ReviewProcedure> {
        Standards::embedded().expect("embedded").review_procedure().expect("procedure shipped")
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn the_shipped_procedure_has_the_decree_window_and_flags_what_is_unverified() {
        let p = procedure();
        assert_eq!(p.annual_window(2026), (d(2026, 9, 1), d(2026, 12, 14)));
        assert_eq!(p.meeting.min_agreeing_pct.value, 50);
        let unverified: Vec<String> = p.unverified().into_iter().map(|u| u.0).collect();
        assert!(unverified.iter().any(|u| u.contains("niêm yết")), "{unverified:?}");
        assert!(unverified.iter().any(|u| u.contains("Phiếu A")), "{unverified:?}");
    }

    #[test]
    fn working_days_skip_weekends() {
        // Friday 4 December 2026 + 1 working day = Monday 7 December.
        assert_eq!(add_working_days(d(2026, 12, 4), 1), d(2026, 12, 7));
        assert_eq!(add_working_days(d(2026, 12, 4), 0), d(2026, 12, 4));
        // Posting of 3 working days from Thursday 3 December ends Monday 7 December.
        assert_eq!(procedure().posting_ends(d(2026, 12, 3)), d(2026, 12, 7));
    }

    #[test]
    fn a_meeting_under_half_sends_the_household_back_and_half_agrees() {
        let c = Case { origin: Origin::Listed, stage: Stage::Surveyed };
        assert_eq!(c.meeting(Vote { attendees: 40, agreeing: 19 }, 50), Ok(Stage::Resurvey));
        assert_eq!(c.meeting(Vote { attendees: 40, agreeing: 20 }, 50), Ok(Stage::Agreed));
        assert_eq!(c.meeting(Vote { attendees: 3, agreeing: 1 }, 50), Ok(Stage::Resurvey));
        let over = c.meeting(Vote { attendees: 10, agreeing: 11 }, 50).expect_err("over 100 %");
        assert!(over.vi.contains("trên 100%"), "{over}");
        let back = Case { origin: Origin::Listed, stage: Stage::Resurvey };
        assert!(back.meeting(Vote { attendees: 10, agreeing: 9 }, 50).is_err(), "must be surveyed again first");
        assert_eq!(back.survey(), Ok(Stage::Surveyed));
    }

    #[test]
    fn only_applicants_are_screened_and_only_once() {
        let listed = Case { origin: Origin::Listed, stage: Stage::Listed };
        assert!(listed.screen(Screening::Out).is_err());
        let applicant = Case { origin: Origin::Applied, stage: Stage::Listed };
        assert_eq!(applicant.screen(Screening::Out), Ok(Stage::ScreenedOut));
        let out = Case { origin: Origin::Applied, stage: Stage::ScreenedOut };
        assert!(out.screen(Screening::Proceeds).is_err());
        assert!(out.survey().is_err());
    }

    #[test]
    fn a_decision_waits_for_posting_agreement_and_complaints() {
        let p = PostingDates { starts_on: d(2026, 12, 1), ends_on: d(2026, 12, 3) };
        let stages = [(Stage::Agreed, 10), (Stage::ScreenedOut, 2)];
        let ready = |posting, decided_on, stages: &[(Stage, u64)], open_complaints| {
            decision_ready(&DecisionReadiness { posting, decided_on, stages, open_complaints })
        };
        assert!(ready(Some(p), d(2026, 12, 4), &stages, 0).is_empty());
        let early = ready(Some(p), d(2026, 12, 3), &stages, 0);
        assert_eq!(early.len(), 1);
        assert!(early[0].en.contains("not after posting ends"), "{early:?}");
        assert_eq!(ready(None, d(2026, 12, 4), &stages, 0).len(), 1);
        let waiting = ready(Some(p), d(2026, 12, 4), &[(Stage::Agreed, 3), (Stage::Resurvey, 1)], 1);
        assert_eq!(waiting.len(), 2, "{waiting:?}");
        assert_eq!(ready(Some(p), d(2026, 12, 4), &[(Stage::Decided, 3)], 0).len(), 1);
    }

    #[test]
    fn posting_shorter_than_the_statutory_days_is_refused() {
        let p = procedure();
        assert!(check_posting(&p, PostingDates { starts_on: d(2026, 12, 3), ends_on: d(2026, 12, 4) }).is_err());
        assert!(check_posting(&p, PostingDates { starts_on: d(2026, 12, 3), ends_on: d(2026, 12, 7) }).is_ok());
    }

    #[test]
    fn a_broken_procedure_file_is_refused() {
        let mut p = (*procedure()).clone();
        p.steps.swap(0, 1);
        assert!(p.validate().is_err());
    }
}
