//! Evaluation of deprivation rules: [`Rule`]s compiled to bit masks once at load, then run
//! for every household with no allocation beyond the per-member age table.

use crate::household::{Household, Member};
use crate::standard::{
    CategoricalField, CountField, HouseholdFlagField, MemberCondition, MemberFlag, Rule, categorical_bit,
};

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Compiled {
    AnyMember { from: i32, below: i32, working_age: bool, cond: Cond, test: MemberTest },
    AnyOf(Vec<Compiled>),
    DependantShare { above: f64, child_below: i32, elderly_from: i32 },
    DurableAtMost(u8),
    AreaPerPersonBelow(f64),
    WaterNotIn(u32),
    LatrineNotIn(u32),
    Flag { field: HouseholdFlagField, deprived_when: bool },
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cond {
    EmploymentIn(u32),
    Flag(MemberFlag, bool),
    EducationBelow { required: u32, unless_in_school: bool },
}

pub(crate) fn compile(rule: &Rule) -> Result<Compiled, String> {
    Ok(match rule {
        Rule::AnyMember { age_from, age_below, working_age, condition } => {
            let cond = match condition {
                MemberCondition::EmploymentIn { values } => {
                    Cond::EmploymentIn(values.iter().fold(0, |m, v| m | 1 << (*v as u32)))
                }
                MemberCondition::Flag { field, value } => Cond::Flag(*field, *value),
                MemberCondition::EducationBelow { required, unless_in_school } => Cond::EducationBelow {
                    required: required.iter().fold(0, |m, v| m | 1 << (*v as u32)),
                    unless_in_school: *unless_in_school,
                },
            };
            let (from, below) = (age_from.unwrap_or(i32::MIN), age_below.unwrap_or(i32::MAX));
            if from >= below {
                return Err(format!("empty age range {from}..{below}"));
            }
            let test = MemberTest::of(&cond);
            Compiled::AnyMember { from, below, working_age: *working_age, cond, test }
        }
        Rule::AnyOf { rules } => {
            if rules.is_empty() {
                return Err("any_of needs at least one rule".into());
            }
            Compiled::AnyOf(rules.iter().map(compile).collect::<Result<_, _>>()?)
        }
        Rule::DependantShare { above, child_age_below, elderly_age_from } => {
            if !(0.0..1.0).contains(above) {
                return Err("dependant_share.above must be in [0, 1)".into());
            }
            Compiled::DependantShare { above: *above, child_below: *child_age_below, elderly_from: *elderly_age_from }
        }
        Rule::AtMost { field: CountField::DurableStructures, max } => Compiled::DurableAtMost(*max),
        Rule::AreaPerPersonBelow { min_m2 } => {
            if *min_m2 <= 0.0 {
                return Err("area_per_person_below.min_m2 must be positive".into());
            }
            Compiled::AreaPerPersonBelow(*min_m2)
        }
        Rule::ValueNotIn { field, allowed } => {
            let mut mask = 0;
            for key in allowed {
                mask |= categorical_bit(*field, key).ok_or_else(|| format!("unknown value {key:?} for {field:?}"))?;
            }
            match field {
                CategoricalField::WaterSource => Compiled::WaterNotIn(mask),
                CategoricalField::Latrine => Compiled::LatrineNotIn(mask),
            }
        }
        Rule::HouseholdFlag { field, deprived_when } => Compiled::Flag { field: *field, deprived_when: *deprived_when },
    })
}

/// Per-member facts computed once per household.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Facts {
    pub age: i32,
    pub working_age: bool,
    /// [`traits`] of the member.
    pub traits: u32,
}

/// Bits of [`traits`]: the main activity (`1 << employment`), the highest level
/// (`1 << (EDUCATION + education)`), and two bits for each [`MemberFlag`] ([`flag_bit`]).
const EDUCATION: u32 = 8;
const FLAGS: u32 = 16;
const ALL_FLAGS: [MemberFlag; 6] = [
    MemberFlag::HealthInsurance,
    MemberFlag::Malnourished,
    MemberFlag::SchoolOnTrack,
    MemberFlag::InSchool,
    MemberFlag::AbleToWork,
    MemberFlag::SocialAllowance,
];

/// The bit of [`traits`] set when the flag `f` of a member is `Some(v)`.
fn flag_bit(f: MemberFlag, v: bool) -> u32 {
    1 << (FLAGS + 2 * f as u32 + u32::from(!v))
}

/// What the member conditions of rules read of a member, as bits, so that a condition is one
/// test ([`MemberTest`]) however it is written.
#[inline]
pub(crate) fn traits(m: &Member) -> u32 {
    let mut t = (1 << m.employment as u32) | (1 << (EDUCATION + m.education as u32));
    for f in ALL_FLAGS {
        if let Some(v) = member_flag(m, f) {
            t |= flag_bit(f, v);
        }
    }
    t
}

/// A member condition as a test of the member's [`traits`]: some bit of `mask` is set (`any`),
/// or none is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MemberTest {
    mask: u32,
    any: bool,
}

impl MemberTest {
    fn of(c: &Cond) -> MemberTest {
        match *c {
            Cond::EmploymentIn(mask) => MemberTest { mask, any: true },
            Cond::Flag(f, v) => MemberTest { mask: flag_bit(f, v), any: true },
            // Highest level none of `required`, and not in school when that excuses it.
            Cond::EducationBelow { required, unless_in_school } => {
                let school = if unless_in_school { flag_bit(MemberFlag::InSchool, true) } else { 0 };
                MemberTest { mask: (required << EDUCATION) | school, any: false }
            }
        }
    }

    #[inline(always)]
    fn holds(self, traits: u32) -> bool {
        (traits & self.mask != 0) == self.any
    }
}

fn member_flag(m: &Member, f: MemberFlag) -> Option<bool> {
    match f {
        MemberFlag::HealthInsurance => Some(m.health_insurance),
        MemberFlag::Malnourished => m.malnourished,
        MemberFlag::SchoolOnTrack => m.school_on_track,
        MemberFlag::InSchool => Some(m.in_school),
        MemberFlag::AbleToWork => Some(m.able_to_work),
        MemberFlag::SocialAllowance => Some(m.social_allowance),
    }
}

#[cfg(test)]
fn cond_holds(c: &Cond, m: &Member) -> bool {
    match c {
        Cond::EmploymentIn(mask) => mask & (1 << (m.employment as u32)) != 0,
        Cond::Flag(f, v) => member_flag(m, *f) == Some(*v),
        Cond::EducationBelow { required, unless_in_school } => {
            required & (1 << (m.education as u32)) == 0 && !(*unless_in_school && m.in_school)
        }
    }
}

/// Whether `hh`, whose members have `facts`, is deprived under `rule`. (Inlined into the loop
/// over a standard's indicators; only `any_of` calls a function.)
#[inline(always)]
pub(crate) fn deprived(rule: &Compiled, hh: &Household, facts: &[Facts]) -> bool {
    match rule {
        Compiled::AnyMember { from, below, working_age, test, .. } => facts
            .iter()
            .any(|f| f.age >= *from && f.age < *below && (!working_age || f.working_age) && test.holds(f.traits)),
        Compiled::AnyOf(rules) => any_of(rules, hh, facts),
        Compiled::DependantShare { above, child_below, elderly_from } => {
            let n = hh.members.len();
            if n == 0 {
                return false;
            }
            let dependants = hh
                .members
                .iter()
                .zip(facts)
                .filter(|(m, f)| {
                    f.age < *child_below
                        || (m.social_allowance
                            && (f.age >= *elderly_from || m.disability != crate::codes::Disability::None))
                })
                .count();
            dependants as f64 > above * n as f64
        }
        Compiled::DurableAtMost(max) => hh.durable_structures <= *max,
        Compiled::AreaPerPersonBelow(min) => {
            let n = hh.members.len().max(1) as f64;
            // Compare area < min × n rather than area / n < min: exact at the boundary.
            hh.floor_area_m2 < min * n
        }
        Compiled::WaterNotIn(mask) => mask & (1 << (hh.water_source as u32)) == 0,
        Compiled::LatrineNotIn(mask) => mask & (1 << (hh.latrine as u32)) == 0,
        Compiled::Flag { field, deprived_when } => {
            let v = match field {
                HouseholdFlagField::InternetUser => Some(hh.internet_user),
                HouseholdFlagField::InfoDevices => Some(hh.info_devices),
                HouseholdFlagField::WasteTreatment => hh.waste_treatment,
            };
            v == Some(*deprived_when)
        }
    }
}

/// [`deprived`] under any of `rules`.
#[inline(never)]
fn any_of(rules: &[Compiled], hh: &Household, facts: &[Facts]) -> bool {
    rules.iter().any(|r| deprived(r, hh, facts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::{Disability, Education, Employment, Relation, Sex};
    use crate::ethnicity::Ethnicity;
    use crate::household::BirthDate;

    #[test]
    fn member_tests_are_the_conditions() {
        assert!(Employment::ALL.len() <= EDUCATION as usize && Education::ALL.len() <= (FLAGS - EDUCATION) as usize);
        assert!(FLAGS + 2 * ALL_FLAGS.len() as u32 <= 32);
        let opts = [None, Some(false), Some(true)];
        let mut conds = Vec::new();
        for mask in 0..(1u32 << Employment::ALL.len()) {
            conds.push(Cond::EmploymentIn(mask));
        }
        for f in ALL_FLAGS {
            conds.push(Cond::Flag(f, true));
            conds.push(Cond::Flag(f, false));
        }
        for required in 0..(1u32 << Education::ALL.len()) {
            for unless_in_school in [false, true] {
                conds.push(Cond::EducationBelow { required, unless_in_school });
            }
        }
        let mut n = 0;
        for &employment in Employment::ALL {
            for &education in Education::ALL {
                for bools in 0..16u32 {
                    for (malnourished, school_on_track) in opts.iter().flat_map(|a| opts.iter().map(move |b| (*a, *b)))
                    {
                        let m = Member {
                            member_no: 1,
                            relation: Relation::Head,
                            sex: Sex::Female,
                            birth: BirthDate::Year(2000),
                            ethnicity: Ethnicity::KINH,
                            health_insurance: bools & 1 != 0,
                            employment,
                            able_to_work: bools & 2 != 0,
                            education,
                            in_school: bools & 4 != 0,
                            school_on_track,
                            malnourished,
                            disability: Disability::None,
                            social_allowance: bools & 8 != 0,
                            merit: false,
                        };
                        let t = traits(&m);
                        for c in &conds {
                            assert_eq!(MemberTest::of(c).holds(t), cond_holds(c, &m), "{c:?} {m:?}");
                            n += 1;
                        }
                    }
                }
            }
        }
        assert!(n > 100_000);
    }
}
