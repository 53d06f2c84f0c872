//! The thresholds of the 2022–2025 indicators, read from the standard's rules (not
//! hard-coded), so that the facts the generator writes sit on the right side of each rule.

use vuonlen_core::codes::{Education, Employment, Latrine, WaterSource};
use vuonlen_core::standard::{
    CategoricalField, CountField, HouseholdFlagField, MemberCondition, MemberFlag, Rule, Standard,
};

/// The twelve indicators of the 2022–2025 standard, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Ind {
    Employment,
    Dependants,
    Nutrition,
    HealthInsurance,
    AdultEducation,
    ChildSchooling,
    HousingQuality,
    HousingArea,
    Water,
    Latrine,
    Telecom,
    InfoDevices,
}

pub(crate) const N_IND: usize = 12;

impl Ind {
    pub const ALL: [Ind; N_IND] = [
        Ind::Employment,
        Ind::Dependants,
        Ind::Nutrition,
        Ind::HealthInsurance,
        Ind::AdultEducation,
        Ind::ChildSchooling,
        Ind::HousingQuality,
        Ind::HousingArea,
        Ind::Water,
        Ind::Latrine,
        Ind::Telecom,
        Ind::InfoDevices,
    ];

    /// The indicator code in the standard file.
    pub fn code(self) -> &'static str {
        match self {
            Ind::Employment => "employment",
            Ind::Dependants => "dependants",
            Ind::Nutrition => "nutrition",
            Ind::HealthInsurance => "health_insurance",
            Ind::AdultEducation => "adult_education",
            Ind::ChildSchooling => "child_schooling",
            Ind::HousingQuality => "housing_quality",
            Ind::HousingArea => "housing_area",
            Ind::Water => "water",
            Ind::Latrine => "latrine",
            Ind::Telecom => "telecom",
            Ind::InfoDevices => "info_devices",
        }
    }

    pub fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// An age band `from ≤ age < below` in completed years.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ages {
    pub from: i32,
    pub below: i32,
}

impl Ages {
    pub fn contains(self, age: i32) -> bool {
        age >= self.from && age < self.below
    }
}

/// An adult-education band: the levels that satisfy it (bit per [`Education`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EduBand {
    pub ages: Ages,
    pub required: u32,
}

/// Every threshold the generator needs.
#[derive(Debug, Clone)]
pub(crate) struct Thresholds {
    /// Position of each [`Ind`] in the standard.
    pub index: [usize; N_IND],
    /// Deprivations needed for "poor".
    pub cutoff: u32,
    pub employment_ages: Ages,
    /// Main activities that deprive a working-age member.
    pub employment_deprived: u32,
    pub dependants_above: f64,
    pub dependants_child_below: i32,
    pub dependants_elderly_from: i32,
    pub nutrition: Ages,
    pub health_insurance: Ages,
    pub adult_bands: Vec<EduBand>,
    pub schooling: Ages,
    pub durable_max: u8,
    pub area_min_m2: f64,
    /// Safe water sources (bit per [`WaterSource`]).
    pub water_safe: u32,
    /// Hygienic latrines (bit per [`Latrine`]).
    pub latrine_safe: u32,
    pub internet_deprived_when: bool,
    pub info_deprived_when: bool,
}

fn ages(from: Option<i32>, below: Option<i32>) -> Ages {
    Ages { from: from.unwrap_or(0), below: below.unwrap_or(i32::MAX) }
}

fn flag_rule(rule: &Rule, want: MemberFlag) -> Result<(Ages, bool), String> {
    match rule {
        Rule::AnyMember {
            age_from,
            age_below,
            working_age: false,
            condition: MemberCondition::Flag { field, value },
        } if *field == want => Ok((ages(*age_from, *age_below), *value)),
        _ => Err(format!("expected any_member with flag {want:?}")),
    }
}

fn edu_band(rule: &Rule) -> Result<EduBand, String> {
    match rule {
        Rule::AnyMember {
            age_from,
            age_below,
            working_age: false,
            condition: MemberCondition::EducationBelow { required, unless_in_school: true },
        } => Ok(EduBand {
            ages: ages(*age_from, *age_below),
            required: required.iter().fold(0, |m, e| m | 1 << (*e as u32)),
        }),
        _ => Err("expected any_member with education_below (unless_in_school)".into()),
    }
}

impl Thresholds {
    /// Reads the thresholds from a standard with the twelve 2022–2025 indicators.
    pub fn from_standard(std: &Standard) -> Result<Thresholds, String> {
        let mut index = [0; N_IND];
        for ind in Ind::ALL {
            index[ind as usize] = std
                .indicator_index(ind.code())
                .ok_or_else(|| format!("standard {} has no indicator {}", std.id, ind.code()))?;
        }
        let rule = |ind: Ind| &std.indicators[index[ind as usize]].rule;
        let ctx = |ind: Ind| move |m: String| format!("indicator {}: {m}", ind.code());

        let (employment_ages, employment_deprived) = match rule(Ind::Employment) {
            Rule::AnyMember {
                age_from,
                age_below,
                working_age: true,
                condition: MemberCondition::EmploymentIn { values },
            } => (ages(*age_from, *age_below), values.iter().fold(0u32, |m, v| m | 1 << (*v as u32))),
            _ => return Err(ctx(Ind::Employment)("expected any_member, working_age, employment_in".into())),
        };
        let (dependants_above, dependants_child_below, dependants_elderly_from) = match rule(Ind::Dependants) {
            Rule::DependantShare { above, child_age_below, elderly_age_from } => {
                (*above, *child_age_below, *elderly_age_from)
            }
            _ => return Err(ctx(Ind::Dependants)("expected dependant_share".into())),
        };
        let (nutrition, v) = flag_rule(rule(Ind::Nutrition), MemberFlag::Malnourished).map_err(ctx(Ind::Nutrition))?;
        if !v {
            return Err(ctx(Ind::Nutrition)("expected malnourished = true".into()));
        }
        let (health_insurance, v) =
            flag_rule(rule(Ind::HealthInsurance), MemberFlag::HealthInsurance).map_err(ctx(Ind::HealthInsurance))?;
        if v {
            return Err(ctx(Ind::HealthInsurance)("expected health_insurance = false".into()));
        }
        let (schooling, v) =
            flag_rule(rule(Ind::ChildSchooling), MemberFlag::SchoolOnTrack).map_err(ctx(Ind::ChildSchooling))?;
        if v {
            return Err(ctx(Ind::ChildSchooling)("expected school_on_track = false".into()));
        }
        let adult_bands = match rule(Ind::AdultEducation) {
            Rule::AnyOf { rules } => rules.iter().map(edu_band).collect::<Result<Vec<_>, _>>(),
            r => edu_band(r).map(|b| vec![b]),
        }
        .map_err(ctx(Ind::AdultEducation))?;
        let durable_max = match rule(Ind::HousingQuality) {
            Rule::AtMost { field: CountField::DurableStructures, max } if *max < 3 => *max,
            _ => return Err(ctx(Ind::HousingQuality)("expected at_most durable_structures (< 3)".into())),
        };
        let area_min_m2 = match rule(Ind::HousingArea) {
            Rule::AreaPerPersonBelow { min_m2 } => *min_m2,
            _ => return Err(ctx(Ind::HousingArea)("expected area_per_person_below".into())),
        };
        let water_safe = match rule(Ind::Water) {
            Rule::ValueNotIn { field: CategoricalField::WaterSource, allowed } => {
                allowed.iter().filter_map(|k| WaterSource::parse(k)).fold(0u32, |m, v| m | 1 << (v as u32))
            }
            _ => return Err(ctx(Ind::Water)("expected value_not_in water_source".into())),
        };
        let latrine_safe = match rule(Ind::Latrine) {
            Rule::ValueNotIn { field: CategoricalField::Latrine, allowed } => {
                allowed.iter().filter_map(|k| Latrine::parse(k)).fold(0u32, |m, v| m | 1 << (v as u32))
            }
            _ => return Err(ctx(Ind::Latrine)("expected value_not_in latrine".into())),
        };
        let internet_deprived_when = match rule(Ind::Telecom) {
            Rule::HouseholdFlag { field: HouseholdFlagField::InternetUser, deprived_when } => *deprived_when,
            _ => return Err(ctx(Ind::Telecom)("expected household_flag internet_user".into())),
        };
        let info_deprived_when = match rule(Ind::InfoDevices) {
            Rule::HouseholdFlag { field: HouseholdFlagField::InfoDevices, deprived_when } => *deprived_when,
            _ => return Err(ctx(Ind::InfoDevices)("expected household_flag info_devices".into())),
        };
        let t = Thresholds {
            index,
            cutoff: std.deprivation_cutoff.value,
            employment_ages,
            employment_deprived,
            dependants_above,
            dependants_child_below,
            dependants_elderly_from,
            nutrition,
            health_insurance,
            adult_bands,
            schooling,
            durable_max,
            area_min_m2,
            water_safe,
            latrine_safe,
            internet_deprived_when,
            info_deprived_when,
        };
        t.check()?;
        Ok(t)
    }

    /// The generator needs room on both sides of every rule.
    fn check(&self) -> Result<(), String> {
        let all_emp = Employment::ALL.iter().fold(0u32, |m, v| m | 1 << (*v as u32));
        if self.employment_deprived == 0 || self.employment_deprived == all_emp {
            return Err("employment: need both deprived and non-deprived activities".into());
        }
        if self.employment_deprived & (1 << Employment::Student as u32) != 0 {
            return Err("employment: students cannot count as deprived".into());
        }
        for b in &self.adult_bands {
            if b.required == 0 || b.required & (1 << Education::None as u32) != 0 {
                return Err("adult_education: a band must require some level above none".into());
            }
        }
        let all_water = WaterSource::ALL.iter().fold(0u32, |m, v| m | 1 << (*v as u32));
        let all_latrine = Latrine::ALL.iter().fold(0u32, |m, v| m | 1 << (*v as u32));
        if self.water_safe == 0 || self.water_safe == all_water {
            return Err("water: need both safe and unsafe sources".into());
        }
        if self.latrine_safe == 0 || self.latrine_safe == all_latrine {
            return Err("latrine: need both hygienic and unhygienic types".into());
        }
        if !(self.area_min_m2 > 0.0 && self.area_min_m2 < 1000.0) {
            return Err("housing_area: implausible min_m2".into());
        }
        if !(0.0..1.0).contains(&self.dependants_above) {
            return Err("dependants: share must be in [0, 1)".into());
        }
        Ok(())
    }

    /// The adult-education band of an age, if any.
    pub fn adult_band(&self, age: i32) -> Option<&EduBand> {
        self.adult_bands.iter().find(|b| b.ages.contains(age))
    }
}
