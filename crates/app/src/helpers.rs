//! Helpers and commitments (*phân công cán bộ giúp đỡ hộ nghèo; đăng ký thoát nghèo; cam kết*):
//! a cadre of an agency assigned to a poor or near-poor household, the cadre's visits, the
//! household's registration to escape poverty in a year and its signed commitment — recorded
//! from the household page, the API or `vuonlen helpers` — and the progress per helper and per
//! agency of a unit in a year: households helped, visits made, households registered and
//! committed, and how many of those registered left poverty by the year's review.

use crate::AppError;
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};
use vuonlen_store::Registry;
use vuonlen_store::helpers::{Commitment, HelperYearRow, NewAssignment, NewVisit, Refusals, Registration};
use vuonlen_store::targets::TargetUnit;

/// One thing to record about a household's help, as a form, an API body or the command line
/// gives it (a day that could not be read is `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpEntry {
    /// Assign a cadre of an agency from a day (ending the current assignment).
    Assign {
        cadre_name: String,
        cadre_position: Option<String>,
        agency: String,
        starts_on: Option<NaiveDate>,
        ends_on: Option<NaiveDate>,
    },
    /// A visit of the helper assigned on the day: what was discussed, what is needed.
    Visit { visited_on: Option<NaiveDate>, note: String, needs: Option<String> },
    /// The household registers to escape poverty in `year`, with its planned measures.
    Register { year: i64, planned_measures: String },
    /// The household's commitment for `year`, signed on a day.
    Commit { year: i64, signed_on: Option<NaiveDate>, content: String },
}

fn nfc(s: &str) -> String {
    vuonlen_core::text::nfc(s.trim()).into_owned()
}

fn nfc_opt(s: &Option<String>) -> Option<String> {
    s.as_deref().map(nfc).filter(|s| !s.is_empty())
}

fn missing_day(what_vi: &str, what_en: &str) -> (String, String) {
    (format!("Thiếu {what_vi} (YYYY-MM-DD)."), format!("The {what_en} is missing (YYYY-MM-DD)."))
}

/// Records `entry` for `household_id`: `Ok(Err(reasons))` with every reason when refused, nothing
/// kept (a day missing or unreadable is refused before the registry is asked).
pub async fn record_help(
    reg: &Registry,
    household_id: i64,
    entry: &HelpEntry,
    actor: &str,
    command: &str,
) -> Result<Result<(), Refusals>, AppError> {
    let done = match entry {
        HelpEntry::Assign { cadre_name, cadre_position, agency, starts_on, ends_on } => {
            let Some(starts_on) = *starts_on else {
                return Ok(Err(vec![missing_day("ngày bắt đầu giúp đỡ", "assignment's start")]));
            };
            let a = NewAssignment {
                household_id,
                cadre_name: nfc(cadre_name),
                cadre_position: nfc_opt(cadre_position),
                agency: nfc(agency),
                starts_on,
                ends_on: *ends_on,
            };
            reg.record_assignment(&a, actor, command).await?.map(|_| ())
        }
        HelpEntry::Visit { visited_on, note, needs } => {
            let Some(visited_on) = *visited_on else {
                return Ok(Err(vec![missing_day("ngày thăm hỏi", "visit's day")]));
            };
            let v = NewVisit { household_id, visited_on, note: nfc(note), needs: nfc_opt(needs) };
            reg.record_visit(&v, actor, command).await?.map(|_| ())
        }
        HelpEntry::Register { year, planned_measures } => {
            let r = Registration { household_id, year: *year, planned_measures: nfc(planned_measures) };
            reg.record_registration(&r, actor, command).await?
        }
        HelpEntry::Commit { year, signed_on, content } => {
            let Some(signed_on) = *signed_on else {
                return Ok(Err(vec![missing_day("ngày ký cam kết", "commitment's signing day")]));
            };
            let k = Commitment { household_id, year: *year, signed_on, content: nfc(content) };
            reg.record_commitment(&k, actor, command).await?
        }
    };
    Ok(done)
}

/// Whether a household of `previous` class in the review before the year and of `class` in the
/// year's review left what it registered to escape: a poor household is no longer poor, a
/// near-poor one neither poor nor near-poor.
pub fn left_poverty(previous: Option<&str>, class: Option<&str>) -> bool {
    match (previous, class) {
        (Some("poor"), Some(now)) => now != "poor",
        (Some("near_poor"), Some(now)) => now == "middle" || now == "not_poor",
        _ => false,
    }
}

/// Progress of one helper, one agency or the unit in a year.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Progress {
    pub agency: String,
    /// The cadre (`None`: an agency's or the unit's total).
    pub cadre_name: Option<String>,
    pub cadre_position: Option<String>,
    /// Households helped during the year (each once).
    pub households: usize,
    /// Visits made in the year.
    pub visits: i64,
    /// Households registered to escape poverty in the year.
    pub registered: usize,
    /// Households that signed a commitment for the year.
    pub committed: usize,
    /// Households registered that left poverty by the year's review (against the review before).
    pub left_poverty: usize,
}

/// A unit's progress in a year: per helper (by agency, then cadre, in Vietnamese order), per
/// agency, and the unit's total.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HelperProgress {
    pub unit_code: String,
    pub unit_name: String,
    pub year: i64,
    pub helpers: Vec<Progress>,
    pub agencies: Vec<Progress>,
    pub total: Progress,
}

#[derive(Default)]
struct Tally {
    households: BTreeSet<i64>,
    registered: BTreeSet<i64>,
    committed: BTreeSet<i64>,
    left: BTreeSet<i64>,
    visits: i64,
    position: Option<String>,
}

impl Tally {
    fn add(&mut self, r: &HelperYearRow) {
        self.households.insert(r.household_id);
        self.visits += r.visits;
        if r.registered {
            self.registered.insert(r.household_id);
            if left_poverty(r.previous_class.as_deref(), r.class.as_deref()) {
                self.left.insert(r.household_id);
            }
        }
        if r.committed {
            self.committed.insert(r.household_id);
        }
        if r.cadre_position.is_some() {
            self.position.clone_from(&r.cadre_position);
        }
    }

    fn progress(&self, agency: &str, cadre: Option<&str>) -> Progress {
        Progress {
            agency: agency.to_string(),
            cadre_name: cadre.map(str::to_string),
            cadre_position: cadre.and(self.position.clone()),
            households: self.households.len(),
            visits: self.visits,
            registered: self.registered.len(),
            committed: self.committed.len(),
            left_poverty: self.left.len(),
        }
    }
}

/// Adds up `rows` (the assignments in force during the year) per helper — a cadre of an agency
/// — per agency and for the unit; a household helped by two cadres in the year counts for each,
/// and once for their agency and the unit.
pub fn progress_of(rows: &[HelperYearRow]) -> (Vec<Progress>, Vec<Progress>, Progress) {
    let key = |s: &str| vuonlen_core::collate::sort_key(s);
    let mut helpers: BTreeMap<(String, String, String, String), Tally> = BTreeMap::new();
    let mut agencies: BTreeMap<(String, String), Tally> = BTreeMap::new();
    let mut total = Tally::default();
    for r in rows {
        let k = (key(&r.agency), key(&r.cadre_name), r.agency.clone(), r.cadre_name.clone());
        helpers.entry(k).or_default().add(r);
        agencies.entry((key(&r.agency), r.agency.clone())).or_default().add(r);
        total.add(r);
    }
    (
        helpers.iter().map(|((_, _, agency, cadre), t)| t.progress(agency, Some(cadre))).collect(),
        agencies.iter().map(|((_, agency), t)| t.progress(agency, None)).collect(),
        total.progress("", None),
    )
}

/// The progress per helper and per agency of `unit_code` in `year` — `None` when it is not a
/// unit the reader may read.
pub async fn helper_progress(reg: &Registry, unit_code: &str, year: i64) -> Result<Option<HelperProgress>, AppError> {
    let Some(unit) = TargetUnit::parse(unit_code) else { return Ok(None) };
    if !reg.may_read_unit(&unit) {
        return Ok(None);
    }
    let rows = reg.helper_year(&unit, year).await?;
    let (helpers, agencies, total) = progress_of(&rows);
    Ok(Some(HelperProgress { unit_code: unit.code, unit_name: unit.name, year, helpers, agencies, total }))
}

/// The progress as a table, for printing or download: for each agency its helpers, then the
/// agency's total; the unit's total last. A helper who made no visit in the year is
/// highlighted.
pub fn progress_table(p: &HelperProgress) -> (Vec<String>, Vec<vuonlen_io::PlainRow>) {
    use vuonlen_io::{PlainCell, PlainRow};
    let header = [
        "Cơ quan, đơn vị",
        "Cán bộ giúp đỡ",
        "Chức vụ",
        "Số hộ được giúp đỡ",
        "Số lần thăm hỏi",
        "Số hộ đăng ký thoát nghèo",
        "Số hộ ký cam kết",
        "Số hộ đã thoát nghèo",
    ]
    .map(str::to_string)
    .to_vec();
    let count = |n: usize| PlainCell::Int(Some(i64::try_from(n).unwrap_or(i64::MAX)));
    let row = |agency: &str, cadre: &str, x: &Progress, highlight: bool| PlainRow {
        cells: vec![
            PlainCell::Text(agency.to_string()),
            PlainCell::Text(cadre.to_string()),
            PlainCell::Text(x.cadre_position.clone().unwrap_or_default()),
            count(x.households),
            PlainCell::Int(Some(x.visits)),
            count(x.registered),
            count(x.committed),
            count(x.left_poverty),
        ],
        highlight,
    };
    let mut rows = Vec::new();
    for a in &p.agencies {
        for h in p.helpers.iter().filter(|h| h.agency == a.agency) {
            rows.push(row(&h.agency, h.cadre_name.as_deref().unwrap_or_default(), h, h.visits == 0));
        }
        rows.push(row(&a.agency, "Cộng", a, false));
    }
    rows.push(row("Tổng cộng", "", &p.total, false));
    (header, rows)
}
