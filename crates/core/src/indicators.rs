//! The programme's result indicators as data (`standards/indicators-*.toml`, `kind =
//! "indicator_framework"`): each computed from the registry ([`Computation`], over a unit's
//! [`UnitTally`]) or reported by units, with its legal citation, status and, where the law sets
//! one, the national target. [`values`] computes a unit's computed indicators.

use crate::provision::Status;
use crate::report::{ETHNICITY_SLOTS, Group, UnitTally};
use crate::standard::Standard;
use crate::support::SupportCoverage;
use crate::{Class, ethnicity::Ethnicity};
use serde::Deserialize;

/// What an indicator measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Percent,
    Households,
    Persons,
    Number,
}

/// Which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Down,
    Up,
}

/// A national target as the law states it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NationalTarget {
    /// Change per year (points for a percentage, % for a count).
    #[serde(default)]
    pub change_per_year: Option<f64>,
    /// Change over the programme, in % of the start.
    #[serde(default)]
    pub change_over_programme_pct: Option<f64>,
    /// A level to reach.
    #[serde(default)]
    pub value: Option<f64>,
    pub text_vi: String,
    pub text_en: String,
    pub citation: String,
    pub status: Status,
}

/// One result indicator.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorDef {
    pub id: String,
    pub name_vi: String,
    pub name_en: String,
    pub unit: Unit,
    pub direction: Direction,
    /// How the registry computes it ([`Computation::parse`]); absent for a reported one.
    #[serde(default)]
    pub computed: Option<String>,
    /// Entered by units: the registry cannot compute it.
    #[serde(default)]
    pub reported: bool,
    pub citation: String,
    pub status: Status,
    #[serde(default)]
    pub national_target: Option<NationalTarget>,
}

/// A framework of indicators for a programme period.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorFramework {
    pub kind: String,
    pub id: String,
    pub title_vi: String,
    pub title_en: String,
    pub legal_basis: String,
    pub from_year: i64,
    pub to_year: i64,
    #[serde(rename = "indicator")]
    pub indicators: Vec<IndicatorDef>,
}

/// What the registry computes for an indicator, from a unit's tally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Computation {
    /// Poor households over the unit's resident households, %.
    PoorRate,
    /// Near-poor households over the unit's resident households, %.
    NearPoorRate,
    PoorHouseholds,
    PoorNearPoorHouseholds,
    /// Poor households whose head belongs to an ethnic minority.
    PoorEmHouseholds,
    /// Poor and near-poor households not deprived in the standard's indicator of this code, %.
    NotDeprived(String),
    /// Children of poor and near-poor households in school, %.
    ChildrenInSchool,
    /// Poor and near-poor households deprived in each indicator of the standard, % (one value
    /// per indicator).
    DeprivedEach,
    /// Persons of the list's poor and near-poor households who received support of this kind
    /// (received by a person) in the year, % ([`SupportCoverage`]).
    SupportedPersons(String),
    /// Poor and near-poor households of the list that received support of this kind (`any`:
    /// any kind) in the year, %.
    SupportedHouseholds(String),
}

impl Computation {
    pub fn parse(s: &str) -> Option<Computation> {
        Some(match s {
            "poor_rate" => Computation::PoorRate,
            "near_poor_rate" => Computation::NearPoorRate,
            "poor_households" => Computation::PoorHouseholds,
            "poor_near_poor_households" => Computation::PoorNearPoorHouseholds,
            "poor_em_households" => Computation::PoorEmHouseholds,
            "children_in_school" => Computation::ChildrenInSchool,
            "deprived_each" => Computation::DeprivedEach,
            other => {
                if let Some(kind) = other.strip_prefix("supported_persons:") {
                    let k = crate::support::SUPPORT_KINDS.iter().find(|k| k.key == kind && k.per_person)?;
                    return Some(Computation::SupportedPersons(k.key.to_string()));
                }
                if let Some(kind) = other.strip_prefix("supported_households:") {
                    if kind != "any" && SupportCoverage::kind_index(kind).is_none() {
                        return None;
                    }
                    return Some(Computation::SupportedHouseholds(kind.to_string()));
                }
                Computation::NotDeprived(other.strip_prefix("not_deprived:")?.to_string())
            }
        })
    }
}

impl IndicatorFramework {
    /// Every problem of the file: a computation that is not known, an indicator both computed
    /// and reported or neither, two indicators of one id, a year span upside down.
    pub fn validate(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        if self.kind != "indicator_framework" {
            problems.push(format!("kind must be \"indicator_framework\", found {:?}", self.kind));
        }
        if self.from_year > self.to_year {
            problems.push(format!("from_year {} is after to_year {}", self.from_year, self.to_year));
        }
        let mut seen = std::collections::HashSet::new();
        for i in &self.indicators {
            if !seen.insert(i.id.as_str()) {
                problems.push(format!("indicator {:?} appears twice", i.id));
            }
            match (&i.computed, i.reported) {
                (Some(c), false) if Computation::parse(c).is_none() => {
                    problems.push(format!("indicator {:?}: unknown computation {c:?}", i.id));
                }
                (Some(_), true) => problems.push(format!("indicator {:?} is both computed and reported", i.id)),
                (None, false) => problems.push(format!("indicator {:?} is neither computed nor reported", i.id)),
                _ => {}
            }
        }
        if problems.is_empty() { Ok(()) } else { Err(problems.join("; ")) }
    }

    /// The framework in force in `year`.
    pub fn covers(&self, year: i64) -> bool {
        (self.from_year..=self.to_year).contains(&year)
    }
}

/// One computed value: the indicator's id (with the standard's indicator code for
/// [`Computation::DeprivedEach`]: `deprived_shares:housing_area`), a label, and the value
/// (`None`: not computable here, e.g. a rate without resident households).
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    pub id: String,
    pub name_vi: String,
    pub name_en: String,
    pub unit: Unit,
    pub value: Option<f64>,
}

fn pct(n: u64, d: u64) -> Option<f64> {
    (d > 0).then(|| n as f64 * 100.0 / d as f64)
}

/// What a unit's computed indicators are read from: its tally under `std`, its resident
/// households (`None`: not recorded, so rates over residents are not computed) and the
/// coverage of support in the year (`None`: not read, so support indicators are not computed).
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    pub tally: &'a UnitTally,
    pub residents: Option<u64>,
    pub support: Option<&'a SupportCoverage>,
}

/// The computed indicators of `fw` for a unit under `std`.
pub fn values(fw: &IndicatorFramework, std: &Standard, src: Sources<'_>) -> Vec<Value> {
    let (t, residents) = (src.tally, src.residents);
    let poor = t.households_in(Class::Poor);
    let near = t.households_in(Class::NearPoor);
    let groups = poor + near;
    let mut out = Vec::new();
    for def in &fw.indicators {
        let Some(c) = def.computed.as_deref().and_then(Computation::parse) else { continue };
        let one = |value: Option<f64>| Value {
            id: def.id.clone(),
            name_vi: def.name_vi.clone(),
            name_en: def.name_en.clone(),
            unit: def.unit,
            value,
        };
        match c {
            Computation::PoorRate => out.push(one(residents.and_then(|r| pct(poor, r)))),
            Computation::NearPoorRate => out.push(one(residents.and_then(|r| pct(near, r)))),
            Computation::PoorHouseholds => out.push(one(Some(poor as f64))),
            Computation::PoorNearPoorHouseholds => out.push(one(Some(groups as f64))),
            Computation::PoorEmHouseholds => {
                let g = t.group(Group::Poor);
                let em: u64 = (0..ETHNICITY_SLOTS)
                    .filter(|i| Ethnicity(*i as u8).is_minority() && *i != 0)
                    .map(|i| g.ethnicity_households[i])
                    .sum();
                out.push(one(Some(em as f64)));
            }
            Computation::NotDeprived(code) => {
                let j = std.indicators.iter().position(|i| i.code == code);
                let deprived = j.map(|j| t.group(Group::Poor).deprived[j] + t.group(Group::NearPoor).deprived[j]);
                out.push(one(deprived.and_then(|d| pct(groups - d, groups))));
            }
            Computation::ChildrenInSchool => {
                let kids = t.group(Group::Poor).children.children + t.group(Group::NearPoor).children.children;
                let out_of =
                    t.group(Group::Poor).children.not_in_school + t.group(Group::NearPoor).children.not_in_school;
                out.push(one(pct(kids - out_of.min(kids), kids)));
            }
            Computation::DeprivedEach => {
                for (j, ind) in std.indicators.iter().enumerate() {
                    let d = t.group(Group::Poor).deprived[j] + t.group(Group::NearPoor).deprived[j];
                    out.push(Value {
                        id: format!("{}:{}", def.id, ind.code),
                        name_vi: format!("{} — {}", def.name_vi, ind.name_vi),
                        name_en: format!("{} — {}", def.name_en, ind.name_en),
                        unit: def.unit,
                        value: pct(d, groups),
                    });
                }
            }
            Computation::SupportedPersons(kind) => out.push(one(src.support.and_then(|c| c.persons_pct(&kind)))),
            Computation::SupportedHouseholds(kind) => out.push(one(src.support.and_then(|c| c.households_pct(&kind)))),
        }
    }
    out
}

impl IndicatorFramework {
    /// The indicator an id names (`deprived_shares:water` names `deprived_shares`).
    pub fn def_of(&self, id: &str) -> Option<&IndicatorDef> {
        let base = id.split(':').next()?;
        self.indicators.iter().find(|i| i.id == base)
    }

    /// Why `value` cannot be a target for indicator `id` under `std` (`None`: it can): an id
    /// the framework does not have, a deprivation share without one of the standard's indicator
    /// codes, a percentage outside 0–100, a negative figure. Vietnamese, English.
    pub fn check_target(&self, std: &Standard, id: &str, value: f64) -> Option<(String, String)> {
        let Some(def) = self.def_of(id) else {
            return Some((
                format!("'{id}' không phải chỉ số của khung {}.", self.id),
                format!("'{id}' is not an indicator of framework {}.", self.id),
            ));
        };
        let expands = def.computed.as_deref().and_then(Computation::parse) == Some(Computation::DeprivedEach);
        match (expands, id.split_once(':')) {
            (true, Some((_, code))) if std.indicators.iter().any(|i| i.code == code) => {}
            (true, _) => {
                let codes: Vec<&str> = std.indicators.iter().map(|i| i.code.as_str()).collect();
                return Some((
                    format!("'{id}': ghi {}:<mã chỉ số> với một trong {}.", def.id, codes.join(", ")),
                    format!("'{id}': write {}:<indicator code> with one of {}.", def.id, codes.join(", ")),
                ));
            }
            (false, Some(_)) => {
                return Some((
                    format!("'{id}' không phải chỉ số của khung."),
                    format!("'{id}' is not an indicator of the framework."),
                ));
            }
            (false, None) => {}
        }
        let percent = def.unit == Unit::Percent;
        if !value.is_finite() || value < 0.0 || (percent && value > 100.0) {
            let range = if percent { "0–100 %" } else { "≥ 0" };
            return Some((
                format!("{}: {value} nằm ngoài khoảng {range}.", def.name_vi),
                format!("{}: {value} is outside {range}.", def.name_en),
            ));
        }
        None
    }
}

/// Whether `actual` reaches `target` for an indicator that should go `direction`.
pub fn reaches(direction: Direction, actual: f64, target: f64) -> bool {
    match direction {
        Direction::Up => actual >= target - 1e-9,
        Direction::Down => actual <= target + 1e-9,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Standards;

    fn framework() -> std::sync::Arc<IndicatorFramework> {
        Standards::embedded().expect("embedded").framework_for(2024).expect("a framework for 2024")
    }

    #[test]
    fn the_shipped_framework_is_valid_and_flags_what_is_unverified() {
        let fw = framework();
        assert_eq!(fw.validate(), Ok(()));
        let poor = fw.indicators.iter().find(|i| i.id == "poor_rate").expect("poor rate");
        assert_eq!(poor.status, Status::Verified);
        assert!(poor.national_target.as_ref().is_some_and(|t| t.change_per_year == Some(-1.0)));
        assert!(fw.indicators.iter().any(|i| i.status == Status::Unverified));
        assert!(fw.indicators.iter().any(|i| i.reported));
    }

    #[test]
    fn targets_are_checked_against_the_framework_and_the_standard() {
        let standards = Standards::embedded().expect("embedded");
        let std = standards.get("2022-2025").expect("standard");
        let fw = framework();
        assert_eq!(fw.check_target(&std, "health_insurance", 100.0), None);
        assert_eq!(fw.check_target(&std, "deprived_shares:water", 2.0), None);
        assert!(fw.check_target(&std, "deprived_shares", 2.0).is_some_and(|e| e.1.contains("indicator code")));
        assert!(fw.check_target(&std, "deprived_shares:magic", 2.0).is_some());
        assert!(fw.check_target(&std, "health_insurance", 120.0).is_some_and(|e| e.1.contains("0–100")));
        assert!(fw.check_target(&std, "workers_trained", -1.0).is_some());
        assert!(fw.check_target(&std, "nothing", 1.0).is_some());
        assert!(reaches(Direction::Up, 98.0, 98.0) && !reaches(Direction::Up, 97.9, 98.0));
        assert!(reaches(Direction::Down, 1.9, 2.0) && !reaches(Direction::Down, 2.1, 2.0));
    }

    #[test]
    fn a_bad_framework_lists_every_problem() {
        let mut fw = (*framework()).clone();
        fw.indicators[0].computed = Some("magic".into());
        fw.indicators[1].id = fw.indicators[2].id.clone();
        let e = fw.validate().expect_err("invalid");
        assert!(e.contains("unknown computation \"magic\"") && e.contains("appears twice"), "{e}");
    }

    #[test]
    fn values_follow_the_tally() {
        use crate::classify::IndicatorSet;
        use crate::report::{ChildCounts, HouseholdFacts};
        let standards = Standards::embedded().expect("embedded");
        let std = standards.get("2022-2025").expect("standard");
        let hi = std.indicators.iter().position(|i| i.code == "health_insurance").expect("health insurance");
        let facts = |class, deprived: u32, ethnicity| HouseholdFacts {
            class,
            persons: 3,
            deprived: IndicatorSet(deprived),
            subgroups: Default::default(),
            head_ethnicity: ethnicity,
            causes: 0,
            children: ChildCounts { children: 2, not_in_school: 1, ..Default::default() },
            form8: 0,
            nlndn: false,
        };
        let mut t = UnitTally::new();
        t.add(&facts(Class::Poor, 1 << hi, Ethnicity(2)));
        t.add(&facts(Class::Poor, 0, Ethnicity::KINH));
        t.add(&facts(Class::NearPoor, 0, Ethnicity::KINH));
        t.add(&facts(Class::NotPoor, 0, Ethnicity::KINH));
        let src = Sources { tally: &t, residents: Some(200), support: None };
        let v = values(&framework(), &std, src);
        let get = |id: &str| v.iter().find(|x| x.id == id).and_then(|x| x.value);
        assert_eq!(get("poor_rate"), Some(1.0), "2 of 200 residents");
        assert_eq!(get("near_poor_rate"), Some(0.5));
        assert_eq!(get("poor_near_poor_households"), Some(3.0));
        assert_eq!(get("poor_em_households"), Some(1.0));
        let insured = get("health_insurance").expect("computed");
        assert!((insured - 200.0 / 3.0).abs() < 1e-9, "2 of 3 households not deprived: {insured}");
        assert_eq!(get("children_in_school"), Some(50.0), "3 of 6 children");
        assert_eq!(get("deprived_shares:health_insurance").map(|x| (x * 100.0).round() / 100.0), Some(33.33));
        assert_eq!(get("insured_persons"), None, "no support read");
        let no_residents = values(&framework(), &std, Sources { residents: None, ..src });
        assert_eq!(no_residents.iter().find(|x| x.id == "poor_rate").and_then(|x| x.value), None);
        let card = SupportCoverage::kind_index("health_insurance_card").expect("a kind");
        let mut support =
            SupportCoverage { households: [2, 1], persons: [6, 3], reached_any: [2, 0], ..Default::default() };
        support.reached[card][0] = crate::support::Reach { households: 2, persons: 6, records: 6, amount: 0 };
        let with = values(&framework(), &std, Sources { support: Some(&support), ..src });
        let get = |id: &str| with.iter().find(|x| x.id == id).and_then(|x| x.value);
        let persons = get("insured_persons").expect("computed");
        assert!((persons - 200.0 / 3.0).abs() < 1e-9, "6 of 9 persons: {persons}");
        assert!((get("supported_households").expect("computed") - 200.0 / 3.0).abs() < 1e-9, "2 of 3 households");
    }

    #[test]
    fn support_computations_name_known_kinds() {
        assert_eq!(
            Computation::parse("supported_persons:health_insurance_card"),
            Some(Computation::SupportedPersons("health_insurance_card".into()))
        );
        assert_eq!(Computation::parse("supported_persons:policy_loan"), None, "a loan goes to a household");
        assert_eq!(
            Computation::parse("supported_households:any"),
            Some(Computation::SupportedHouseholds("any".into()))
        );
        assert_eq!(Computation::parse("supported_households:magic"), None);
    }
}
