//! Poverty standards (*chuẩn nghèo*) as versioned data.
//!
//! A standard is a TOML file under `standards/` (see `docs/standards.md`): income lines per
//! area, the deprivation cutoff, the score-A anchors, and the indicator list, each indicator
//! with a [`Rule`] — a *kind* of rule implemented here, with its thresholds as data. Adding a
//! standard is adding a file; only a genuinely new kind of rule needs code.

use crate::codes::{Area, Education, Employment, Latrine, WaterSource};
use crate::labour::WorkingAge;
use crate::provision::{Provision, Status};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_standards.rs"));
}

/// Errors while loading or choosing a standard.
#[derive(Debug, thiserror::Error)]
pub enum StandardError {
    #[error("{file}: not a valid standard file: {message}")]
    Parse { file: String, message: String },
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    #[error("no poverty standard is in force on {date} (known: {known})")]
    NoneInForce { date: NaiveDate, known: String },
    #[error("unknown standard '{id}' (known: {known})")]
    Unknown { id: String, known: String },
    #[error("standards {a} and {b} are both in force on {date}")]
    Overlap { a: String, b: String, date: NaiveDate },
    /// A Phiếu B score table with problems, every one listed.
    #[error("{file}: bảng điểm không hợp lệ / not a valid score table: {}", join_problems(problems))]
    ScoreTable { file: String, problems: Vec<crate::score_table::ScoreTableError> },
}

fn join_problems(problems: &[crate::score_table::ScoreTableError]) -> String {
    problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

/// The classification logic of a standard. 2022–2030 use one kind; the 2016–2020 standard
/// (income *or* deprivations between two lines) would be a second variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Logic {
    /// Poor: income at or below the line AND at least `deprivation_cutoff` deprivations;
    /// near-poor: at or below the line with fewer.
    IncomeAndDeprivation,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Validity {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub citation: String,
    pub status: Status,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreB {
    pub points_per_indicator: u32,
    pub citation: String,
    pub status: Status,
}

/// Income lines of one area, VND per person per month.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaLines {
    /// Poverty line (*chuẩn nghèo*): at or below it a household is poor or near-poor.
    pub poverty: Provision<i64>,
    /// Upper bound of the middle-living band (*mức sống trung bình*), when the standard has one.
    #[serde(default)]
    pub middle_upper: Option<Provision<i64>>,
    /// Upper bound for low-income workers (Decree 30/2025), when the standard has one.
    #[serde(default)]
    pub low_income_upper: Option<Provision<i64>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lines {
    pub rural: AreaLines,
    pub urban: AreaLines,
}

impl Lines {
    pub fn for_area(&self, area: Area) -> &AreaLines {
        match area {
            Area::Rural => &self.rural,
            Area::Urban => &self.urban,
        }
    }
}

/// Score-A anchors (*điểm A tương đương chuẩn nghèo*).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreAnchors {
    pub rural: Provision<i32>,
    pub urban: Provision<i32>,
}

impl ScoreAnchors {
    pub fn for_area(&self, area: Area) -> &Provision<i32> {
        match area {
            Area::Rural => &self.rural,
            Area::Urban => &self.urban,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dimension {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
}

/// Household fields a rule may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HouseholdFlagField {
    InternetUser,
    InfoDevices,
    WasteTreatment,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountField {
    DurableStructures,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CategoricalField {
    WaterSource,
    Latrine,
}

/// Member fields a condition may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberFlag {
    HealthInsurance,
    Malnourished,
    SchoolOnTrack,
    InSchool,
    AbleToWork,
    SocialAllowance,
}

/// What makes one member count towards "at least one member …".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum MemberCondition {
    /// Main activity is one of these.
    EmploymentIn { values: Vec<Employment> },
    /// The flag has this value (a missing answer never matches).
    Flag { field: MemberFlag, value: bool },
    /// Highest level is none of `required` (and, if `unless_in_school`, not studying).
    EducationBelow { required: Vec<Education>, unless_in_school: bool },
}

/// A kind of deprivation rule; its parameters are the thresholds of the law.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Rule {
    /// At least one member in the age range (`age_from` ≤ age < `age_below`, full years;
    /// optionally of working age) satisfies the condition.
    AnyMember {
        #[serde(default)]
        age_from: Option<i32>,
        #[serde(default)]
        age_below: Option<i32>,
        #[serde(default)]
        working_age: bool,
        condition: MemberCondition,
    },
    /// Deprived when any of the rules is.
    AnyOf { rules: Vec<Rule> },
    /// Dependants are more than `above` of members. Dependants: children under
    /// `child_age_below`, and members on a monthly social allowance who are elderly
    /// (age ≥ `elderly_age_from`) or disabled.
    DependantShare { above: f64, child_age_below: i32, elderly_age_from: i32 },
    /// A count field is at most `max`.
    AtMost { field: CountField, max: u8 },
    /// Floor area per member below `min_m2`.
    AreaPerPersonBelow { min_m2: f64 },
    /// A categorical field is not one of `allowed`.
    ValueNotIn { field: CategoricalField, allowed: Vec<String> },
    /// A household flag has the value `deprived_when` (a missing answer never matches).
    HouseholdFlag { field: HouseholdFlagField, deprived_when: bool },
}

/// One deprivation indicator (*chỉ số thiếu hụt*).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub code: String,
    pub dimension: String,
    pub name_vi: String,
    pub name_en: String,
    /// Lower-case name used inside sentences.
    pub short_vi: String,
    pub deprived_when_vi: String,
    pub deprived_when_en: String,
    pub citation: String,
    pub status: Status,
    /// What of the rule has no source (shown with the status).
    #[serde(default)]
    pub note: Option<String>,
    pub rule: Rule,
    /// Compiled form of `rule`, filled at load.
    #[serde(skip)]
    pub(crate) compiled: Option<crate::rules::Compiled>,
}

/// A poverty standard, loaded from its file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Standard {
    pub kind: String,
    pub id: String,
    pub title_vi: String,
    pub title_en: String,
    pub legal_basis: String,
    /// Id of the working-age file (`kind = "working_age"`) this standard reads.
    #[serde(rename = "working_age")]
    pub working_age_id: String,
    pub logic: Logic,
    pub validity: Validity,
    pub deprivation_cutoff: Provision<u32>,
    pub score_b: ScoreB,
    pub lines: Lines,
    #[serde(default)]
    pub score_a: Option<ScoreAnchors>,
    pub dimensions: Vec<Dimension>,
    pub indicators: Vec<Indicator>,
    #[serde(skip)]
    pub(crate) working_age: Option<Arc<WorkingAge>>,
}

impl Standard {
    /// The household and member fields (schema keys, [`crate::schema`]) this standard reads:
    /// the income test's and each indicator rule's.
    pub fn fields_read(&self) -> Vec<&'static str> {
        fn member_flag(f: MemberFlag) -> &'static str {
            match f {
                MemberFlag::HealthInsurance => "health_insurance",
                MemberFlag::Malnourished => "malnourished",
                MemberFlag::SchoolOnTrack => "school_on_track",
                MemberFlag::InSchool => "in_school",
                MemberFlag::AbleToWork => "able_to_work",
                MemberFlag::SocialAllowance => "social_allowance",
            }
        }
        fn walk(rule: &Rule, out: &mut Vec<&'static str>) {
            match rule {
                Rule::AnyMember { condition, working_age, .. } => {
                    out.push("birth_date");
                    if *working_age {
                        out.push("sex");
                    }
                    match condition {
                        MemberCondition::EmploymentIn { .. } => out.push("employment"),
                        MemberCondition::Flag { field, .. } => out.push(member_flag(*field)),
                        MemberCondition::EducationBelow { unless_in_school, .. } => {
                            out.push("education");
                            if *unless_in_school {
                                out.push("in_school");
                            }
                        }
                    }
                }
                Rule::AnyOf { rules } => rules.iter().for_each(|r| walk(r, out)),
                Rule::DependantShare { .. } => out.extend(["birth_date", "social_allowance", "disability"]),
                Rule::AtMost { field: CountField::DurableStructures, .. } => out.push("durable_structures"),
                Rule::AreaPerPersonBelow { .. } => out.push("floor_area_m2"),
                Rule::ValueNotIn { field: CategoricalField::WaterSource, .. } => out.push("water_source"),
                Rule::ValueNotIn { field: CategoricalField::Latrine, .. } => out.push("latrine"),
                Rule::HouseholdFlag { field, .. } => out.push(match field {
                    HouseholdFlagField::InternetUser => "internet_user",
                    HouseholdFlagField::InfoDevices => "info_devices",
                    HouseholdFlagField::WasteTreatment => "waste_treatment",
                }),
            }
        }
        let mut out = vec!["area", "income_per_capita", "score_a"];
        for i in &self.indicators {
            walk(&i.rule, &mut out);
        }
        let mut seen = std::collections::HashSet::new();
        out.retain(|k| seen.insert(*k));
        out
    }

    /// Whether the standard is in force on `date`.
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        self.validity.from <= date && date <= self.validity.to
    }

    /// Position of an indicator by code.
    pub fn indicator_index(&self, code: &str) -> Option<usize> {
        self.indicators.iter().position(|i| i.code == code)
    }

    /// The working-age law the standard reads.
    pub fn working_age(&self) -> &WorkingAge {
        // Set by `Standards::add_*` before a standard is handed out.
        self.working_age.as_deref().expect("standard linked to its working-age law at load")
    }

    /// Whether any indicator reads this household flag (so input must carry it).
    pub fn reads_household_flag(&self, field: HouseholdFlagField) -> bool {
        fn reads(rule: &Rule, field: HouseholdFlagField) -> bool {
            match rule {
                Rule::HouseholdFlag { field: f, .. } => *f == field,
                Rule::AnyOf { rules } => rules.iter().any(|r| reads(r, field)),
                _ => false,
            }
        }
        self.indicators.iter().any(|i| reads(&i.rule, field))
    }

    /// Every provision that is not verified, as (what, citation, status), for display.
    pub fn unverified_provisions(&self) -> Vec<(String, String, Status)> {
        let mut out = Vec::new();
        let mut push = |what: String, citation: &str, status: Status| {
            if !status.is_verified() {
                out.push((what, citation.to_string(), status));
            }
        };
        push("validity".into(), &self.validity.citation, self.validity.status);
        push("deprivation_cutoff".into(), &self.deprivation_cutoff.citation, self.deprivation_cutoff.status);
        push("score_b".into(), &self.score_b.citation, self.score_b.status);
        for (area, l) in [("rural", &self.lines.rural), ("urban", &self.lines.urban)] {
            push(format!("lines.{area}.poverty"), &l.poverty.citation, l.poverty.status);
            if let Some(p) = &l.middle_upper {
                push(format!("lines.{area}.middle_upper"), &p.citation, p.status);
            }
            if let Some(p) = &l.low_income_upper {
                push(format!("lines.{area}.low_income_upper"), &p.citation, p.status);
            }
        }
        if let Some(s) = &self.score_a {
            push("score_a.rural".into(), &s.rural.citation, s.rural.status);
            push("score_a.urban".into(), &s.urban.citation, s.urban.status);
        }
        for i in &self.indicators {
            let what = match &i.note {
                Some(n) => format!("indicator {} ({n})", i.code),
                None => format!("indicator {}", i.code),
            };
            push(what, &i.citation, i.status);
        }
        push("working_age.min_age".into(), &self.working_age().min_age.citation, self.working_age().min_age.status);
        push(
            "working_age.retirement".into(),
            &self.working_age().retirement.citation,
            self.working_age().retirement.status,
        );
        out
    }

    fn validate(&mut self, file: &str) -> Result<(), StandardError> {
        let invalid = |message: String| StandardError::Invalid { file: file.to_string(), message };
        if self.kind != "poverty_standard" {
            return Err(invalid(format!("kind must be \"poverty_standard\", found {:?}", self.kind)));
        }
        if self.validity.from > self.validity.to {
            return Err(invalid("validity.from is after validity.to".into()));
        }
        if self.indicators.is_empty() || self.indicators.len() > 32 {
            return Err(invalid(format!("a standard has 1 to 32 indicators, found {}", self.indicators.len())));
        }
        let n = self.indicators.len() as u32;
        if self.deprivation_cutoff.value == 0 || self.deprivation_cutoff.value > n {
            return Err(invalid(format!("deprivation_cutoff must be between 1 and {n}")));
        }
        for area in [&self.lines.rural, &self.lines.urban] {
            if area.poverty.value <= 0 {
                return Err(invalid("poverty lines must be positive".into()));
            }
            if let Some(m) = &area.middle_upper
                && m.value <= area.poverty.value
            {
                return Err(invalid("middle_upper must be above the poverty line".into()));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for ind in &mut self.indicators {
            if !seen.insert(ind.code.clone()) {
                return Err(invalid(format!("indicator code {} appears twice", ind.code)));
            }
            if !self.dimensions.iter().any(|d| d.code == ind.dimension) {
                return Err(invalid(format!("indicator {}: unknown dimension {}", ind.code, ind.dimension)));
            }
            let compiled =
                crate::rules::compile(&ind.rule).map_err(|m| invalid(format!("indicator {}: {m}", ind.code)))?;
            ind.compiled = Some(compiled);
        }
        Ok(())
    }
}

/// Which standard to apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StandardSelection {
    /// The standard in force on the reference date.
    Auto,
    /// A standard by id, e.g. `2027-2030` (a what-if when it is not in force).
    Id(String),
}

impl std::str::FromStr for StandardSelection {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(if s.eq_ignore_ascii_case("auto") { StandardSelection::Auto } else { StandardSelection::Id(s.to_string()) })
    }
}

/// Every known standard and working-age law.
#[derive(Debug, Clone, Default)]
pub struct Standards {
    standards: Vec<Arc<Standard>>,
    working_ages: Vec<Arc<WorkingAge>>,
    procedures: Vec<Arc<crate::review::ReviewProcedure>>,
    pending: Vec<(String, Standard)>,
    /// Phiếu B score tables loaded (none is shipped: docs/score-tables.md).
    score_tables: Vec<(String, Arc<crate::score_table::ScoreTable>)>,
    /// The programmes' result indicators (`kind = "indicator_framework"`).
    frameworks: Vec<Arc<crate::indicators::IndicatorFramework>>,
    /// The monitoring cycle (`kind = "monitoring_cycle"`).
    monitoring: Option<Arc<crate::monitoring::MonitoringCycle>>,
    /// The programmes' component projects (`kind = "project_catalogue"`).
    catalogues: Vec<Arc<crate::projects::ProjectCatalogue>>,
}

#[derive(Deserialize)]
struct KindOnly {
    kind: String,
}

impl Standards {
    /// The monitoring cycle's reports and due days (the latest loaded).
    pub fn monitoring(&self) -> Option<Arc<crate::monitoring::MonitoringCycle>> {
        self.monitoring.clone()
    }

    /// The indicator framework covering `year` (the latest loaded if several do).
    pub fn framework_for(&self, year: i64) -> Option<Arc<crate::indicators::IndicatorFramework>> {
        self.frameworks.iter().rev().find(|f| f.covers(year)).cloned()
    }

    /// The project catalogue covering `year` (the latest loaded if several do).
    pub fn projects_for(&self, year: i64) -> Option<Arc<crate::projects::ProjectCatalogue>> {
        self.catalogues.iter().rev().find(|c| c.covers(year)).cloned()
    }

    /// Every project catalogue loaded, earliest period first.
    pub fn catalogues(&self) -> Vec<Arc<crate::projects::ProjectCatalogue>> {
        let mut v = self.catalogues.clone();
        v.sort_by_key(|c| c.from_year);
        v
    }

    /// The standards shipped in `standards/` (compiled into the binary).
    pub fn embedded() -> Result<Standards, StandardError> {
        let mut r = Standards::default();
        for (name, text) in embedded::EMBEDDED {
            r.add_toml(name, text)?;
        }
        r.link()?;
        Ok(r)
    }

    /// Adds one file's contents (a standard, a working-age law, a review procedure or a Phiếu B
    /// score table), dispatching on its `kind`. Call [`Standards::link`] after the last file.
    pub fn add_toml(&mut self, file: &str, text: &str) -> Result<(), StandardError> {
        let parse_err = |e: toml::de::Error| StandardError::Parse { file: file.to_string(), message: e.to_string() };
        let kind: KindOnly = toml::from_str(text).map_err(parse_err)?;
        match kind.kind.as_str() {
            "working_age" => {
                let w: WorkingAge = toml::from_str(text).map_err(parse_err)?;
                w.validate().map_err(|message| StandardError::Invalid { file: file.to_string(), message })?;
                self.working_ages.retain(|x| x.id != w.id);
                self.working_ages.push(Arc::new(w));
            }
            "review_procedure" => {
                let p: crate::review::ReviewProcedure = toml::from_str(text).map_err(parse_err)?;
                p.validate().map_err(|e| StandardError::Invalid { file: file.to_string(), message: e.0 })?;
                self.procedures.retain(|x| x.id != p.id);
                self.procedures.push(Arc::new(p));
            }
            "score_table" => {
                let t: crate::score_table::ScoreTable = toml::from_str(text).map_err(parse_err)?;
                let problems = t.validate();
                if !problems.is_empty() {
                    return Err(StandardError::ScoreTable { file: file.to_string(), problems });
                }
                // A table of the same id is replaced: the latest loaded wins.
                self.score_tables.retain(|(_, x)| x.id != t.id);
                self.score_tables.push((file.to_string(), Arc::new(t)));
            }
            "monitoring_cycle" => {
                let c: crate::monitoring::MonitoringCycle = toml::from_str(text).map_err(parse_err)?;
                c.validate().map_err(|message| StandardError::Invalid { file: file.to_string(), message })?;
                self.monitoring = Some(Arc::new(c));
            }
            "indicator_framework" => {
                let f: crate::indicators::IndicatorFramework = toml::from_str(text).map_err(parse_err)?;
                f.validate().map_err(|message| StandardError::Invalid { file: file.to_string(), message })?;
                self.frameworks.retain(|x| x.id != f.id);
                self.frameworks.push(Arc::new(f));
            }
            "project_catalogue" => {
                let c: crate::projects::ProjectCatalogue = toml::from_str(text).map_err(parse_err)?;
                // Indicator codes are checked against the standards in `link`.
                c.validate(&[]).map_err(|message| StandardError::Invalid { file: file.to_string(), message })?;
                self.catalogues.retain(|x| x.id != c.id);
                self.catalogues.push(Arc::new(c));
            }
            "poverty_standard" => {
                let mut s: Standard = toml::from_str(text).map_err(parse_err)?;
                s.validate(file)?;
                self.pending.push((file.to_string(), s));
            }
            other => {
                return Err(StandardError::Invalid {
                    file: file.to_string(),
                    message: format!(
                        "unknown kind {other:?} (expected \"poverty_standard\", \"working_age\", \"review_procedure\", \"score_table\", \"indicator_framework\", \"monitoring_cycle\" or \"project_catalogue\")"
                    ),
                });
            }
        }
        Ok(())
    }

    /// Resolves each pending standard's working-age law, checks that no two standards are in
    /// force on the same day, and checks each score table against its standard.
    pub fn link(&mut self) -> Result<(), StandardError> {
        for (file, mut s) in std::mem::take(&mut self.pending) {
            let wa = self.working_ages.iter().find(|w| w.id == s.working_age_id).cloned().ok_or_else(|| {
                StandardError::Invalid {
                    file: file.clone(),
                    message: format!("unknown working_age {:?}", s.working_age_id),
                }
            })?;
            s.working_age = Some(wa);
            self.standards.retain(|x| x.id != s.id);
            self.standards.push(Arc::new(s));
        }
        self.standards.sort_by_key(|s| s.validity.from);
        for w in self.standards.windows(2) {
            if w[1].validity.from <= w[0].validity.to {
                return Err(StandardError::Overlap {
                    a: w[0].id.clone(),
                    b: w[1].id.clone(),
                    date: w[1].validity.from,
                });
            }
        }
        // The projects' indicators are deprivation indicators of a loaded standard.
        let codes: Vec<&str> =
            self.standards.iter().flat_map(|s| s.indicators.iter().map(|i| i.code.as_str())).collect();
        for c in &self.catalogues {
            c.validate(&codes).map_err(|message| StandardError::Invalid { file: c.id.clone(), message })?;
        }
        self.link_score_tables()
    }

    /// Checks each score table against its standard: the standard is loaded and has score-A
    /// anchors, and no other table (another id) scores for it. A table that fails is dropped
    /// from the registry (the first loaded of two for one standard stays) and the error returned.
    fn link_score_tables(&mut self) -> Result<(), StandardError> {
        let mut per_standard: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
        let mut refused = None;
        for (file, t) in &self.score_tables {
            let invalid = |message: String| StandardError::Invalid { file: file.clone(), message };
            let problem = match self.standards.iter().find(|s| s.id == t.standard) {
                None => Some(invalid(format!(
                    "bảng điểm {} dùng cho chuẩn nghèo không có {:?} / score table {} is for unknown standard {:?} (known: {})",
                    t.id,
                    t.standard,
                    t.id,
                    t.standard,
                    self.known()
                ))),
                Some(s) if s.score_a.is_none() => Some(invalid(format!(
                    "chuẩn nghèo {} không có mốc điểm A cho bảng điểm {} / standard {} has no score-A anchors for score table {}",
                    s.id, t.id, s.id, t.id
                ))),
                Some(_) => per_standard.insert(t.standard.as_str(), t.id.as_str()).map(|other| {
                    invalid(format!(
                        "chuẩn nghèo {} có hai bảng điểm: {other} và {} / standard {} has two score tables: {other} and {}",
                        t.standard, t.id, t.standard, t.id
                    ))
                }),
            };
            if let Some(e) = problem {
                refused = Some((t.id.clone(), e));
                break;
            }
        }
        match refused {
            Some((id, e)) => {
                self.score_tables.retain(|(_, t)| t.id != id);
                Err(e)
            }
            None => Ok(()),
        }
    }

    pub fn standards(&self) -> &[Arc<Standard>] {
        &self.standards
    }

    /// The Phiếu B score table (*bảng điểm Phiếu B*) loaded for a standard, if any: at most one
    /// per standard ([`Standards::link`] refuses a second id for it; loading a table of the same
    /// id again replaces it). None is shipped (docs/score-tables.md).
    pub fn score_table(&self, standard_id: &str) -> Option<Arc<crate::score_table::ScoreTable>> {
        self.score_tables.iter().find(|(_, t)| t.standard == standard_id).map(|(_, t)| Arc::clone(t))
    }

    /// Every score table loaded.
    pub fn score_tables(&self) -> impl Iterator<Item = &Arc<crate::score_table::ScoreTable>> {
        self.score_tables.iter().map(|(_, t)| t)
    }

    fn known(&self) -> String {
        self.standards.iter().map(|s| s.id.as_str()).collect::<Vec<_>>().join(", ")
    }

    pub fn get(&self, id: &str) -> Result<Arc<Standard>, StandardError> {
        self.standards
            .iter()
            .find(|s| s.id == id)
            .cloned()
            .ok_or_else(|| StandardError::Unknown { id: id.to_string(), known: self.known() })
    }

    /// The standard in force on `date`.
    pub fn in_force(&self, date: NaiveDate) -> Result<Arc<Standard>, StandardError> {
        self.standards
            .iter()
            .find(|s| s.in_force_on(date))
            .cloned()
            .ok_or_else(|| StandardError::NoneInForce { date, known: self.known() })
    }

    /// The review procedure in force (the latest loaded; one ships: Decision 24/2021/QĐ-TTg).
    pub fn review_procedure(&self) -> Option<Arc<crate::review::ReviewProcedure>> {
        self.procedures.iter().max_by_key(|p| p.validity.from).cloned()
    }

    /// The standard a review of `year` applies: the one in force in the year whose lists it
    /// establishes, the following one. The review at the end of 2021 recognised the 2022 lists
    /// under the 2022–2025 standard, and a certificate issued in a review is for the year after it
    /// (domain reference §3.2); the review of 2026 applies the 2027–2030 standard.
    pub fn for_review(&self, year: i64) -> Result<Arc<Standard>, StandardError> {
        let first_day = i32::try_from(year + 1).ok().and_then(|y| NaiveDate::from_ymd_opt(y, 1, 1));
        match first_day {
            Some(d) => self.in_force(d),
            None => Err(StandardError::NoneInForce { date: NaiveDate::MIN, known: self.known() }),
        }
    }

    /// [`Standards::select`] for a review of `year`: `auto` is [`Standards::for_review`].
    pub fn select_for_review(&self, sel: &StandardSelection, year: i64) -> Result<Arc<Standard>, StandardError> {
        match sel {
            StandardSelection::Auto => self.for_review(year),
            StandardSelection::Id(id) => self.get(id),
        }
    }

    pub fn select(&self, sel: &StandardSelection, date: NaiveDate) -> Result<Arc<Standard>, StandardError> {
        match sel {
            StandardSelection::Auto => self.in_force(date),
            StandardSelection::Id(id) => self.get(id),
        }
    }
}

/// Parses a water source or latrine key for a `value_not_in` rule; returns its bit.
pub(crate) fn categorical_bit(field: CategoricalField, key: &str) -> Option<u32> {
    match field {
        CategoricalField::WaterSource => WaterSource::parse(key).map(|v| 1 << (v as u32)),
        CategoricalField::Latrine => Latrine::parse(key).map(|v| 1 << (v as u32)),
    }
}
