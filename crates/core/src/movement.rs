//! Movements of poor and near-poor households between two periods (*diễn biến hộ nghèo, hộ cận
//! nghèo*): reports 2 and 3, columns 1–9 of domain reference §3.5.
//!
//! For each household present in either period the registry builds a [`HouseholdPath`] (class
//! and persons at the start and at the end, and whether it was poor or near-poor in an earlier
//! period), and adds it to a [`MovementTally`]. Each report is counted for households (*hộ*) and
//! persons (*nhân khẩu*), and for any input the end of period is
//! `col 9 = col 1 − col 2 − col 3 − col 4 + col 5 + col 6 + col 7 + col 8`.
//!
//! The columns are transcribed from provincial templates that look like the Circular 07/2021
//! report templates ([U] that they are the official ones); the exact definitions of *tái nghèo*
//! and *tái cận nghèo* are [U] too. The precedence rules below are ours: each household falls in
//! exactly one column of each report.
//!
//! Splits and merges recorded in the registry (*tách hộ*, *nhập hộ*) come in as a
//! [`Restructuring`]: members who join a group together with a household that was already in it
//! count as an other increase (column 8), never as re-poor or newly arising
//! ([`MovementTally::add_restructured`]).

use crate::classify::Class;
use crate::report::Group;
use chrono::{Months, NaiveDate};
use serde::Serialize;

/// One household across two periods (*đầu kỳ* → *cuối kỳ*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HouseholdPath {
    /// Class at the start; `None`: the household did not exist there (new by a split, moved in).
    pub start: Option<Class>,
    /// Class at the end; `None`: gone (moved away, dissolved, merged into another household,
    /// single-person household deceased).
    pub end: Option<Class>,
    /// Persons at the start (ignored when `start` is `None`).
    pub persons_start: u32,
    /// Persons at the end (ignored when `end` is `None`).
    pub persons_end: u32,
    /// Poor in some period before the start and not poor at the start (it had escaped poverty):
    /// makes a return to poverty *tái nghèo* rather than *phát sinh mới*.
    pub was_poor_before_start: bool,
    /// Near-poor in some period before the start and not near-poor at the start: makes a return
    /// to near-poverty *tái cận nghèo*.
    pub was_near_poor_before_start: bool,
    /// Came into the commune between the two periods — moved in from another commune, or formed
    /// by a split. Only such a household absent at the start is an *other increase*: a review
    /// surveys the listed households and the applicants, so any other household absent from the
    /// start was simply not poor nor near-poor then (issue 12).
    pub arrived: bool,
}

impl HouseholdPath {
    /// A path from the classes of earlier periods (any order; `None` where the household was
    /// absent), the start `(class, persons)` and the end `(class, persons)`.
    pub fn with_history(before: &[Option<Class>], start: (Option<Class>, u32), end: (Option<Class>, u32)) -> Self {
        HouseholdPath {
            start: start.0,
            end: end.0,
            persons_start: start.1,
            persons_end: end.1,
            was_poor_before_start: start.0 != Some(Class::Poor) && before.contains(&Some(Class::Poor)),
            was_near_poor_before_start: start.0 != Some(Class::NearPoor) && before.contains(&Some(Class::NearPoor)),
            arrived: false,
        }
    }

    /// The same path for a household that moved in or split off between the periods.
    pub fn arrived(mut self, arrived: bool) -> Self {
        self.arrived = arrived;
        self
    }

    /// The class at the start as the movement reports read it: a household absent from the
    /// start that did not arrive since was not on the lists, so neither poor nor near-poor.
    fn start_as_listed(&self) -> Option<Class> {
        match self.start {
            None if !self.arrived => Some(Class::NotPoor),
            s => s,
        }
    }
}

/// Splits and merges (*tách hộ*, *nhập hộ*) recorded for a household between the two periods
/// (effective in a period after the start and up to the end).
///
/// Only the two increase flags change a column: a household that joins a group because members
/// came to it, by a split or a merge, from a household that was in that group at the start is
/// an *other increase* (column 8), not a re-poor or newly arising household (columns 6–7): the
/// templates list splits under columns 4 and 8 (*giảm khác … tách, nhập hộ*, *tăng khác …
/// tách hộ*, *nhập với hộ khác*; domain reference §3.5, column text [V], templates [U] official).
/// A household formed by a split is absent at the start, so it is column 8 in any case; the flags
/// keep it there should it have answers at the start. The other flags only describe the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Restructuring {
    /// Formed by splitting off another household (*tách hộ*, the new household).
    pub split_off: bool,
    /// A household split off from this one (it stays, with fewer members).
    pub split_origin: bool,
    /// Another household merged into this one (*nhập hộ*, the receiving household).
    pub absorbed: bool,
    /// Merged into another household: gone at the end.
    pub merged_away: bool,
    /// The household it split off from, or one it absorbed, was poor at the start.
    pub from_poor: bool,
    /// The household it split off from, or one it absorbed, was near-poor at the start.
    pub from_near_poor: bool,
}

impl Restructuring {
    /// Members joined this household from another one (it split off, or absorbed one).
    pub fn joined(&self) -> bool {
        self.split_off || self.absorbed
    }

    /// Whether nothing was recorded.
    pub fn is_none(&self) -> bool {
        *self == Restructuring::default()
    }

    /// The recorded changes as keys (`split_off`, `split_origin`, `absorbed`, `merged_away`),
    /// separated by `;`, for per-household files.
    pub fn keys(&self) -> String {
        [
            (self.split_off, "split_off"),
            (self.split_origin, "split_origin"),
            (self.absorbed, "absorbed"),
            (self.merged_away, "merged_away"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, k)| *k)
        .collect::<Vec<_>>()
        .join(";")
    }
}

/// Where a household falls in the poor-household movement report (report 2, *tổng hợp diễn
/// biến hộ nghèo*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PoorMovement {
    /// Not poor at the start nor at the end.
    Outside,
    /// Poor at the start and at the end: no household column; a change of persons goes to
    /// column 4 (fewer) or 8 (more).
    Stayed,
    /// Column 2: poor → near-poor (*thoát nghèo – trở thành hộ cận nghèo*).
    EscapedToNearPoor,
    /// Column 3: poor → middle-living or not poor (*thoát nghèo – vượt chuẩn cận nghèo*).
    EscapedAboveNearPoor,
    /// Column 4: poor at the start and gone at the end (*giảm khác*: moved away, merged,
    /// single-person household deceased).
    OtherDecrease,
    /// Column 5: near-poor at the start, poor at the end (*hộ cận nghèo trở thành hộ nghèo*),
    /// whatever its earlier history.
    FromNearPoor,
    /// Column 6: middle-living or not poor at the start, poor at the end, poor in an earlier
    /// period (*tái nghèo*).
    RePoor,
    /// Column 7: middle-living or not poor at the start, poor at the end, never poor before
    /// (*phát sinh mới*).
    NewlyArising,
    /// Column 8: poor at the end, having moved in or split off since the start (*tăng khác*); a
    /// household merely absent from the start was not on the lists: column 6 or 7.
    OtherIncrease,
}

/// Where a household falls in the near-poor movement report (report 3, *tổng hợp diễn biến hộ
/// cận nghèo*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NearPoorMovement {
    /// Not near-poor at the start nor at the end.
    Outside,
    /// Near-poor at the start and at the end: a change of persons goes to column 4 or 8.
    Stayed,
    /// Column 2: near-poor → middle-living or not poor (*thoát cận nghèo*).
    Escaped,
    /// Column 3: near-poor → poor (*hộ cận nghèo trở thành hộ nghèo*).
    ToPoor,
    /// Column 4: near-poor at the start and gone at the end (*giảm khác*).
    OtherDecrease,
    /// Column 5: poor at the start, near-poor at the end (*hộ nghèo trở thành hộ cận nghèo*).
    FromPoor,
    /// Column 6: middle-living or not poor at the start, near-poor at the end, near-poor in an
    /// earlier period (*tái cận nghèo*).
    ReNearPoor,
    /// Column 7: middle-living or not poor at the start, near-poor at the end, never near-poor
    /// before (*phát sinh mới*).
    NewlyArising,
    /// Column 8: near-poor at the end, having moved in or split off since the start (*tăng khác*:
    /// split, moved in, merged with another household).
    OtherIncrease,
}

impl PoorMovement {
    /// Classifies a path. Exactly one column for any household that leaves or joins.
    pub fn of(p: &HouseholdPath) -> PoorMovement {
        use Class::*;
        match (p.start_as_listed(), p.end) {
            (Some(Poor), Some(Poor)) => PoorMovement::Stayed,
            (Some(Poor), Some(NearPoor)) => PoorMovement::EscapedToNearPoor,
            (Some(Poor), Some(Middle | NotPoor)) => PoorMovement::EscapedAboveNearPoor,
            (Some(Poor), None) => PoorMovement::OtherDecrease,
            (None, Some(Poor)) => PoorMovement::OtherIncrease,
            (Some(NearPoor), Some(Poor)) => PoorMovement::FromNearPoor,
            (Some(Middle | NotPoor), Some(Poor)) if p.was_poor_before_start => PoorMovement::RePoor,
            (Some(Middle | NotPoor), Some(Poor)) => PoorMovement::NewlyArising,
            _ => PoorMovement::Outside,
        }
    }

    /// Classifies a path with the splits and merges recorded between the periods: joining the
    /// poor with members of a household that was poor at the start is column 8, not 6 or 7.
    pub fn of_restructured(p: &HouseholdPath, r: &Restructuring) -> PoorMovement {
        match Self::of(p) {
            PoorMovement::RePoor | PoorMovement::NewlyArising if r.joined() && r.from_poor => {
                PoorMovement::OtherIncrease
            }
            PoorMovement::RePoor | PoorMovement::NewlyArising if p.start.is_none() && r.split_off => {
                PoorMovement::OtherIncrease
            }
            m => m,
        }
    }

    /// The report column (2–8) of a household that leaves or joins the poor.
    pub fn column(self) -> Option<usize> {
        match self {
            PoorMovement::Outside | PoorMovement::Stayed => None,
            PoorMovement::EscapedToNearPoor => Some(2),
            PoorMovement::EscapedAboveNearPoor => Some(3),
            PoorMovement::OtherDecrease => Some(4),
            PoorMovement::FromNearPoor => Some(5),
            PoorMovement::RePoor => Some(6),
            PoorMovement::NewlyArising => Some(7),
            PoorMovement::OtherIncrease => Some(8),
        }
    }
}

impl NearPoorMovement {
    /// Classifies a path. Exactly one column for any household that leaves or joins.
    pub fn of(p: &HouseholdPath) -> NearPoorMovement {
        use Class::*;
        match (p.start_as_listed(), p.end) {
            (Some(NearPoor), Some(NearPoor)) => NearPoorMovement::Stayed,
            (Some(NearPoor), Some(Middle | NotPoor)) => NearPoorMovement::Escaped,
            (Some(NearPoor), Some(Poor)) => NearPoorMovement::ToPoor,
            (Some(NearPoor), None) => NearPoorMovement::OtherDecrease,
            (None, Some(NearPoor)) => NearPoorMovement::OtherIncrease,
            (Some(Poor), Some(NearPoor)) => NearPoorMovement::FromPoor,
            (Some(Middle | NotPoor), Some(NearPoor)) if p.was_near_poor_before_start => NearPoorMovement::ReNearPoor,
            (Some(Middle | NotPoor), Some(NearPoor)) => NearPoorMovement::NewlyArising,
            _ => NearPoorMovement::Outside,
        }
    }

    /// Classifies a path with the splits and merges recorded between the periods: joining the
    /// near-poor with members of a household that was near-poor at the start is column 8.
    pub fn of_restructured(p: &HouseholdPath, r: &Restructuring) -> NearPoorMovement {
        match Self::of(p) {
            NearPoorMovement::ReNearPoor | NearPoorMovement::NewlyArising if r.joined() && r.from_near_poor => {
                NearPoorMovement::OtherIncrease
            }
            NearPoorMovement::ReNearPoor | NearPoorMovement::NewlyArising if p.start.is_none() && r.split_off => {
                NearPoorMovement::OtherIncrease
            }
            m => m,
        }
    }

    /// The report column (2–8) of a household that leaves or joins the near-poor.
    pub fn column(self) -> Option<usize> {
        match self {
            NearPoorMovement::Outside | NearPoorMovement::Stayed => None,
            NearPoorMovement::Escaped => Some(2),
            NearPoorMovement::ToPoor => Some(3),
            NearPoorMovement::OtherDecrease => Some(4),
            NearPoorMovement::FromPoor => Some(5),
            NearPoorMovement::ReNearPoor => Some(6),
            NearPoorMovement::NewlyArising => Some(7),
            NearPoorMovement::OtherIncrease => Some(8),
        }
    }
}

/// Vietnamese headings of columns 1–9 of the movement report of `g` (report 2 for
/// [`Group::Poor`], report 3 for [`Group::NearPoor`]).
pub fn column_labels_vi(g: Group) -> [&'static str; 9] {
    match g {
        Group::Poor => [
            "Tổng số hộ nghèo đầu kỳ",
            "Thoát nghèo – trở thành hộ cận nghèo",
            "Thoát nghèo – vượt chuẩn cận nghèo",
            "Giảm khác (thay đổi thành viên, chuyển đi, tách, nhập hộ…)",
            "Hộ cận nghèo trở thành hộ nghèo",
            "Tái nghèo",
            "Phát sinh mới",
            "Tăng khác (thay đổi thành viên, chuyển đến, tách hộ…)",
            "Tổng số hộ nghèo cuối kỳ",
        ],
        Group::NearPoor => [
            "Tổng số hộ cận nghèo đầu kỳ",
            "Thoát cận nghèo",
            "Hộ cận nghèo trở thành hộ nghèo",
            "Giảm khác (thay đổi thành viên, chuyển đi, tách, nhập hộ…)",
            "Hộ nghèo trở thành hộ cận nghèo",
            "Tái cận nghèo",
            "Phát sinh mới",
            "Tăng khác (thay đổi thành viên, chuyển đến, tách, nhập với hộ khác…)",
            "Tổng số hộ cận nghèo cuối kỳ",
        ],
    }
}

/// Columns 1–9 of one movement report, for households and for persons; index `i` is column
/// `i + 1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct MovementCounts {
    pub households: [u64; 9],
    pub persons: [u64; 9],
}

impl MovementCounts {
    /// Adds a household that is in the group at the start (`at_start`) and/or at the end
    /// (`at_end`), leaving or joining through `column`.
    fn add(&mut self, at_start: bool, at_end: bool, column: Option<usize>, p: &HouseholdPath) {
        let (ps, pe) = (u64::from(p.persons_start), u64::from(p.persons_end));
        if at_start {
            self.households[0] += 1;
            self.persons[0] += ps;
        }
        if at_end {
            self.households[8] += 1;
            self.persons[8] += pe;
        }
        match column {
            Some(c) => {
                self.households[c - 1] += 1;
                // Leaving: the persons it had; joining: the persons it has.
                self.persons[c - 1] += if at_start { ps } else { pe };
            }
            None if at_start && at_end => {
                // Stayed in the group: members left (column 4) or joined (column 8).
                if pe < ps {
                    self.persons[3] += ps - pe;
                } else {
                    self.persons[7] += pe - ps;
                }
            }
            None => {}
        }
    }

    fn merge(&mut self, o: &MovementCounts) {
        for (a, b) in self.households.iter_mut().zip(&o.households) {
            *a += b;
        }
        for (a, b) in self.persons.iter_mut().zip(&o.persons) {
            *a += b;
        }
    }

    /// Column `n` (1–9) for households and for persons; zeros outside 1–9.
    pub fn column(&self, n: usize) -> (u64, u64) {
        match n {
            1..=9 => (self.households[n - 1], self.persons[n - 1]),
            _ => (0, 0),
        }
    }

    /// `col 1 − col 2 − col 3 − col 4 + col 5 + col 6 + col 7 + col 8` of a row.
    pub fn computed_end(row: &[u64; 9]) -> i128 {
        let c = |i: usize| i128::from(row[i - 1]);
        c(1) - c(2) - c(3) - c(4) + c(5) + c(6) + c(7) + c(8)
    }

    /// Whether column 9 equals [`MovementCounts::computed_end`] for households and for persons.
    /// It does for every tally built by [`MovementTally::add`] and [`MovementTally::merge`].
    pub fn identity_holds(&self) -> bool {
        Self::computed_end(&self.households) == i128::from(self.households[8])
            && Self::computed_end(&self.persons) == i128::from(self.persons[8])
    }
}

/// Reports 2 and 3 of one unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct MovementTally {
    /// Report 2: poor households.
    pub poor: MovementCounts,
    /// Report 3: near-poor households.
    pub near_poor: MovementCounts,
}

impl MovementTally {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one household.
    pub fn add(&mut self, p: &HouseholdPath) {
        self.add_restructured(p, &Restructuring::default());
    }

    /// Adds one household with the splits and merges recorded for it between the periods.
    pub fn add_restructured(&mut self, p: &HouseholdPath, r: &Restructuring) {
        let m = PoorMovement::of_restructured(p, r);
        self.poor.add(p.start == Some(Class::Poor), p.end == Some(Class::Poor), m.column(), p);
        let m = NearPoorMovement::of_restructured(p, r);
        self.near_poor.add(p.start == Some(Class::NearPoor), p.end == Some(Class::NearPoor), m.column(), p);
    }

    /// Adds the counts of another unit.
    pub fn merge(&mut self, o: &MovementTally) {
        self.poor.merge(&o.poor);
        self.near_poor.merge(&o.near_poor);
    }

    /// The report of `g`.
    pub fn of(&self, g: Group) -> &MovementCounts {
        match g {
            Group::Poor => &self.poor,
            Group::NearPoor => &self.near_poor,
        }
    }
}

/// How long a household that escaped poverty or near-poverty stays "newly escaped" (*hộ mới
/// thoát nghèo*, *hộ mới thoát cận nghèo*), a target group of the National Target Programme.
/// 36 months per the Decision 90/QĐ-TTg beneficiary definitions — **not verified** against the
/// text (domain reference §3.5 [U]).
pub const NEWLY_ESCAPED_MONTHS: u32 = 36;

/// Whether a household that escaped on `escape_date` (the date of the commune chair's decision)
/// is still newly escaped at `at`: `escape_date ≤ at < escape_date + 36 months` (calendar
/// months; an escape on 31 December 2022 lasts until 30 December 2025 inclusive).
pub fn newly_escaped(escape_date: NaiveDate, at: NaiveDate) -> bool {
    if at < escape_date {
        return false;
    }
    match escape_date.checked_add_months(Months::new(NEWLY_ESCAPED_MONTHS)) {
        Some(until) => at < until,
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Class::*;

    fn path(start: Option<Class>, end: Option<Class>, ps: u32, pe: u32) -> HouseholdPath {
        HouseholdPath { start, end, persons_start: ps, persons_end: pe, ..HouseholdPath::default() }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    /// Issue 12: a household absent from the last lists was not poor nor near-poor — newly
    /// arising (col 7), or re-poor (col 6) when poor before — unless it moved in or split off.
    #[test]
    fn absence_from_the_last_lists_is_not_an_other_increase() {
        use Class::*;
        assert_eq!(PoorMovement::of(&path(None, Some(Poor), 0, 4)), PoorMovement::NewlyArising);
        let was_poor = HouseholdPath::with_history(&[Some(Poor)], (None, 0), (Some(Poor), 4));
        assert_eq!(PoorMovement::of(&was_poor), PoorMovement::RePoor);
        assert_eq!(PoorMovement::of(&path(None, Some(Poor), 0, 4).arrived(true)), PoorMovement::OtherIncrease);
        assert_eq!(NearPoorMovement::of(&path(None, Some(NearPoor), 0, 2)), NearPoorMovement::NewlyArising);
        let split = Restructuring { split_off: true, ..Restructuring::default() };
        assert_eq!(PoorMovement::of_restructured(&path(None, Some(Poor), 0, 2), &split), PoorMovement::OtherIncrease);
        assert_eq!(
            NearPoorMovement::of_restructured(&path(None, Some(NearPoor), 0, 2), &split),
            NearPoorMovement::OtherIncrease
        );
        // Gone at the end is still an other decrease; absent at both ends counts nowhere.
        assert_eq!(PoorMovement::of(&path(Some(Poor), None, 3, 0)), PoorMovement::OtherDecrease);
        assert_eq!(PoorMovement::of(&path(None, Some(NotPoor), 0, 3)), PoorMovement::Outside);
    }

    /// One household per column of each report, persons chosen so every cell is distinct.
    #[test]
    fn every_column_of_both_reports() {
        let mut t = MovementTally::new();
        let paths = [
            // Poor report.
            path(Some(Poor), Some(Poor), 5, 3),       // stayed: 2 persons to col 4
            path(Some(Poor), Some(Poor), 2, 6),       // stayed: 4 persons to col 8
            path(Some(Poor), Some(NearPoor), 7, 7),   // col 2 (and near-poor col 5)
            path(Some(Poor), Some(Middle), 11, 10),   // col 3
            path(Some(Poor), Some(NotPoor), 13, 12),  // col 3
            path(Some(Poor), None, 17, 0),            // col 4
            path(Some(NearPoor), Some(Poor), 19, 20), // col 5 (and near-poor col 3)
            HouseholdPath { was_poor_before_start: true, ..path(Some(Middle), Some(Poor), 23, 24) }, // col 6
            path(Some(NotPoor), Some(Poor), 29, 30),  // col 7
            path(None, Some(Poor), 0, 31).arrived(true), // col 8: moved in
            // Near-poor report.
            path(Some(NearPoor), Some(NearPoor), 37, 36), // stayed: 1 person to col 4
            path(Some(NearPoor), Some(Middle), 41, 40),   // col 2
            path(Some(NearPoor), None, 43, 0),            // col 4
            HouseholdPath { was_near_poor_before_start: true, ..path(Some(NotPoor), Some(NearPoor), 47, 48) }, // col 6
            path(Some(Middle), Some(NearPoor), 53, 54),   // col 7
            path(None, Some(NearPoor), 0, 59).arrived(true), // col 8: moved in
            // Neither: ignored.
            path(Some(Middle), Some(NotPoor), 61, 61),
            path(None, None, 3, 3),
            path(Some(NotPoor), None, 4, 0),
        ];
        for p in &paths {
            t.add(p);
        }
        assert_eq!(t.poor.households, [6, 1, 2, 1, 1, 1, 1, 1, 6]);
        assert_eq!(
            t.poor.persons,
            [5 + 2 + 7 + 11 + 13 + 17, 7, 24, 17 + 2, 20, 24, 30, 31 + 4, 3 + 6 + 20 + 24 + 30 + 31]
        );
        assert_eq!(t.near_poor.households, [4, 1, 1, 1, 1, 1, 1, 1, 5]);
        assert_eq!(t.near_poor.persons, [19 + 37 + 41 + 43, 41, 19, 43 + 1, 7, 48, 54, 59, 7 + 36 + 48 + 54 + 59]);
        assert!(t.poor.identity_holds());
        assert!(t.near_poor.identity_holds());
        assert_eq!(t.poor.column(9), (6, 114));
        assert_eq!(t.poor.column(0), (0, 0));
    }

    #[test]
    fn precedence_between_columns() {
        // Near-poor at the start with a poor past: column 5, not re-poor.
        let p = HouseholdPath { was_poor_before_start: true, ..path(Some(NearPoor), Some(Poor), 3, 3) };
        assert_eq!(PoorMovement::of(&p), PoorMovement::FromNearPoor);
        // Absent at the start with a poor past: moved back in, other increase; else re-poor.
        let p = HouseholdPath { was_poor_before_start: true, ..path(None, Some(Poor), 0, 3) };
        assert_eq!(PoorMovement::of(&p.arrived(true)), PoorMovement::OtherIncrease);
        assert_eq!(PoorMovement::of(&p), PoorMovement::RePoor);
        // Poor at the start with a near-poor past: column 5 of the near-poor report.
        let p = HouseholdPath { was_near_poor_before_start: true, ..path(Some(Poor), Some(NearPoor), 3, 3) };
        assert_eq!(NearPoorMovement::of(&p), NearPoorMovement::FromPoor);
        // A poor past does not make a near-poor return "re-near-poor".
        let p = HouseholdPath { was_poor_before_start: true, ..path(Some(NotPoor), Some(NearPoor), 3, 3) };
        assert_eq!(NearPoorMovement::of(&p), NearPoorMovement::NewlyArising);
    }

    #[test]
    fn history_sets_the_flags() {
        let p = HouseholdPath::with_history(&[Some(Poor), None], (Some(NearPoor), 4), (Some(Poor), 4));
        assert!(p.was_poor_before_start && !p.was_near_poor_before_start);
        let p = HouseholdPath::with_history(&[Some(Poor)], (Some(Poor), 4), (Some(Poor), 4));
        assert!(!p.was_poor_before_start, "still poor at the start: it never escaped");
        let p = HouseholdPath::with_history(&[Some(NearPoor), Some(Middle)], (Some(Middle), 2), (Some(NearPoor), 2));
        assert_eq!(NearPoorMovement::of(&p), NearPoorMovement::ReNearPoor);
    }

    #[test]
    fn members_from_a_poor_household_are_not_newly_poor() {
        let from_poor = Restructuring { split_off: true, from_poor: true, ..Restructuring::default() };
        // Formed by a split of a poor household: absent at the start, column 8.
        let p = path(None, Some(Poor), 0, 2);
        assert_eq!(PoorMovement::of_restructured(&p, &from_poor), PoorMovement::OtherIncrease);
        // Even with answers at the start (not poor), it stays in column 8, not 7 or 6.
        let p = path(Some(NotPoor), Some(Poor), 2, 2);
        assert_eq!(PoorMovement::of(&p), PoorMovement::NewlyArising);
        assert_eq!(PoorMovement::of_restructured(&p, &from_poor), PoorMovement::OtherIncrease);
        let p = HouseholdPath { was_poor_before_start: true, ..p };
        assert_eq!(PoorMovement::of_restructured(&p, &from_poor), PoorMovement::OtherIncrease);
        // A household that absorbed a poor household and is poor at the end.
        let absorbed = Restructuring { absorbed: true, from_poor: true, ..Restructuring::default() };
        let p = path(Some(Middle), Some(Poor), 2, 5);
        assert_eq!(PoorMovement::of_restructured(&p, &absorbed), PoorMovement::OtherIncrease);
        // Near-poor at the start: still column 5 (the two reports keep agreeing on columns 5 and 3).
        let p = path(Some(NearPoor), Some(Poor), 2, 5);
        assert_eq!(PoorMovement::of_restructured(&p, &absorbed), PoorMovement::FromNearPoor);
        // Split off a household that was not poor: newly poor.
        let from_middle = Restructuring { split_off: true, ..Restructuring::default() };
        let p = path(Some(Middle), Some(Poor), 2, 2);
        assert_eq!(PoorMovement::of_restructured(&p, &from_middle), PoorMovement::NewlyArising);
        // The near-poor report, the same way.
        let r = Restructuring { absorbed: true, from_near_poor: true, ..Restructuring::default() };
        let p = path(Some(NotPoor), Some(NearPoor), 2, 4);
        assert_eq!(NearPoorMovement::of_restructured(&p, &r), NearPoorMovement::OtherIncrease);
        assert_eq!(NearPoorMovement::of_restructured(&p, &from_poor), NearPoorMovement::NewlyArising);
        // Describing flags alone change nothing.
        let r = Restructuring { split_origin: true, merged_away: true, from_poor: true, ..Restructuring::default() };
        assert_eq!(PoorMovement::of_restructured(&p, &r), PoorMovement::of(&p));
        assert_eq!(r.keys(), "split_origin;merged_away");
        let mut t = MovementTally::new();
        t.add_restructured(&path(Some(NotPoor), Some(Poor), 2, 5), &absorbed);
        assert_eq!(t.poor.households, [0, 0, 0, 0, 0, 0, 0, 1, 1]);
        assert!(t.poor.identity_holds());
    }

    #[test]
    fn newly_escaped_lasts_36_months() {
        let e = d(2022, 12, 31);
        assert!(!newly_escaped(e, d(2022, 12, 30)));
        assert!(newly_escaped(e, e));
        assert!(newly_escaped(e, d(2025, 12, 30)));
        assert!(!newly_escaped(e, d(2025, 12, 31)));
        // Month ends clamp: 36 months after 29 February 2024 is 28 February 2027.
        assert!(newly_escaped(d(2024, 2, 29), d(2027, 2, 27)));
        assert!(!newly_escaped(d(2024, 2, 29), d(2027, 2, 28)));
    }
}
