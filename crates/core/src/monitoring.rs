//! The monitoring cycle (*giám sát, đánh giá*, Circular 10/2022/TT-BLĐTBXH) as data and rules:
//! which reports units make and when they are due (`standards/monitoring-*.toml`, `kind =
//! "monitoring_cycle"`), and the life of one report — drafted from the registry and the targets,
//! submitted, returned with comments or approved by the level above, then locked — as a state
//! machine ([`ReportState::apply`]) whose refusals say why in Vietnamese and English.

use crate::provision::Status;
use crate::review::Refusal;
use chrono::NaiveDate;
use serde::Deserialize;

/// A kind of report the cycle requires.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportKind {
    /// `six_monthly`, `annual`.
    pub kind: String,
    pub name_vi: String,
    pub name_en: String,
    /// Month and day it is due by, `MM-DD`.
    pub due: String,
    pub citation: String,
    pub status: Status,
}

impl ReportKind {
    /// The day a report of `year` is due by (the circular's; a province may set its own).
    pub fn due_on(&self, year: i64) -> Option<NaiveDate> {
        let (m, d) = self.due.split_once('-')?;
        NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, m.parse().ok()?, d.parse().ok()?)
    }
}

/// The cycle: its reports and the layout's citation.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitoringCycle {
    pub kind: String,
    pub id: String,
    pub title_vi: String,
    pub title_en: String,
    pub legal_basis: String,
    pub layout_citation: String,
    pub layout_status: Status,
    #[serde(rename = "report")]
    pub reports: Vec<ReportKind>,
}

impl MonitoringCycle {
    /// Every problem: the kind, a due day that is not `MM-DD`, a report kind given twice.
    pub fn validate(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        if self.kind != "monitoring_cycle" {
            problems.push(format!("kind must be \"monitoring_cycle\", found {:?}", self.kind));
        }
        let mut seen = std::collections::HashSet::new();
        for r in &self.reports {
            if !seen.insert(r.kind.as_str()) {
                problems.push(format!("report {:?} appears twice", r.kind));
            }
            if r.due_on(2024).is_none() {
                problems.push(format!("report {:?}: due {:?} is not MM-DD", r.kind, r.due));
            }
        }
        if problems.is_empty() { Ok(()) } else { Err(problems.join("; ")) }
    }

    pub fn report(&self, kind: &str) -> Option<&ReportKind> {
        self.reports.iter().find(|r| r.kind == kind)
    }
}

/// Where a report is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportState {
    /// Being prepared by the unit.
    Draft,
    /// Sent to the level above, waiting for its decision.
    Submitted,
    /// Sent back with comments: the unit corrects and submits again.
    Returned,
    /// Approved by the level above: locked, and counted in the level above's roll-up.
    Approved,
}

/// What someone does to a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportAction {
    /// (Re)fill the draft from the registry and the targets.
    Draft,
    /// Enter the figures the registry cannot compute.
    Enter,
    Submit,
    Approve,
    Return,
}

impl ReportState {
    pub const ALL: [ReportState; 4] =
        [ReportState::Draft, ReportState::Submitted, ReportState::Returned, ReportState::Approved];

    pub fn key(self) -> &'static str {
        match self {
            ReportState::Draft => "draft",
            ReportState::Submitted => "submitted",
            ReportState::Returned => "returned",
            ReportState::Approved => "approved",
        }
    }

    pub fn parse(s: &str) -> Option<ReportState> {
        ReportState::ALL.into_iter().find(|x| x.key() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            ReportState::Draft => "Đang soạn",
            ReportState::Submitted => "Đã nộp, chờ duyệt",
            ReportState::Returned => "Trả lại để sửa",
            ReportState::Approved => "Đã duyệt",
        }
    }

    /// The state after `action`, or why it is refused.
    pub fn apply(self, action: ReportAction) -> Result<ReportState, Refusal> {
        use ReportAction as A;
        use ReportState as S;
        let refuse = |vi: &str, en: &str| Err(Refusal { vi: vi.to_string(), en: en.to_string() });
        match (self, action) {
            (S::Draft | S::Returned, A::Draft | A::Enter) => Ok(self),
            (S::Draft | S::Returned, A::Submit) => Ok(S::Submitted),
            (S::Submitted, A::Approve) => Ok(S::Approved),
            (S::Submitted, A::Return) => Ok(S::Returned),
            (S::Approved, _) => refuse(
                "Báo cáo đã được duyệt và đã khóa: không sửa, nộp hay duyệt lại được.",
                "The report is approved and locked: it cannot be changed, submitted or decided again.",
            ),
            (S::Submitted, A::Draft | A::Enter | A::Submit) => refuse(
                "Báo cáo đã nộp, đang chờ cấp trên duyệt: chỉ sửa được khi bị trả lại.",
                "The report is submitted and waits for the level above: it can be changed only once returned.",
            ),
            (S::Draft | S::Returned, A::Approve | A::Return) => refuse(
                "Báo cáo chưa được nộp: chưa thể duyệt hay trả lại.",
                "The report has not been submitted: it cannot be approved or returned yet.",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_is_drafted_submitted_returned_then_approved_and_locked() {
        use ReportAction as A;
        let s = ReportState::Draft;
        let s = s.apply(A::Enter).expect("enter");
        let s = s.apply(A::Submit).expect("submit");
        assert!(s.apply(A::Enter).is_err(), "no change while it waits");
        let s = s.apply(A::Return).expect("return");
        assert_eq!(s, ReportState::Returned);
        let s = s.apply(A::Submit).and_then(|s| s.apply(A::Approve)).expect("approve");
        assert_eq!(s, ReportState::Approved);
        let again = s.apply(A::Submit).expect_err("after approval");
        assert!(again.en.contains("approved and locked"), "{again:?}");
        assert!(ReportState::Draft.apply(A::Approve).is_err());
    }

    #[test]
    fn the_shipped_cycle_is_due_by_1_june_and_1_december() {
        let c = crate::Standards::embedded().expect("embedded").monitoring().expect("a cycle");
        assert_eq!(c.validate(), Ok(()));
        let six = c.report("six_monthly").expect("six-monthly");
        assert_eq!(six.due_on(2026), NaiveDate::from_ymd_opt(2026, 6, 1));
        assert_eq!(c.report("annual").and_then(|r| r.due_on(2026)), NaiveDate::from_ymd_opt(2026, 12, 1));
        assert_eq!(c.layout_status, Status::Unverified);
    }
}
