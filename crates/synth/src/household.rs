//! Building one household: class first, then a composition, then the chosen deprivations,
//! then facts that make exactly those indicators deprived under the standard's rules.

use crate::Synthetic;
use crate::calibration::{Cells, SCORE_A_SHARE_NOT_POOR, SCORE_A_SHARE_PNP};
use crate::geo::Commune;
use crate::names::{self, KINH, Style, groups};
use crate::region::Region;
use crate::rng::Rng;
use crate::thresholds::{Ind, N_IND, Thresholds};
use chrono::{Datelike, Days, NaiveDate};
use std::collections::{HashMap, HashSet};
use vuonlen_core::codes::{Area, Disability, Education, Employment, Latrine, PovertyCause, Relation, Sex, WaterSource};
use vuonlen_core::labour::WorkingAge;
use vuonlen_core::standard::Standard;
use vuonlen_core::text::fold;
use vuonlen_core::{BirthDate, Class, Household, IndicatorSet, Member};
use vuonlen_io::record::{HouseholdRecord, MemberPersonal};

/// Income lines of one area, from the standard.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lines {
    pub poverty: i64,
    pub middle_upper: i64,
    pub score_anchor: i32,
}

/// Everything fixed for a run.
pub(crate) struct Ctx {
    pub std: std::sync::Arc<Standard>,
    pub th: Thresholds,
    pub as_of: NaiveDate,
    pub seed: u64,
    /// The reference date falls while the 2024 unit list was in force: households record a
    /// 2024 commune ([`Commune::old_codes`]).
    pub era_2024: bool,
    /// Rural, urban.
    pub lines: [Lines; 2],
    pub cells: Cells,
}

impl Ctx {
    fn wa(&self) -> &WorkingAge {
        self.std.working_age()
    }
}

/// One member while the household is being built.
#[derive(Debug, Clone)]
struct P {
    rel: Relation,
    sex: Sex,
    age: i32,
    group: u8,
    family: &'static str,
    birth: BirthDate,
    wa: bool,
    disability: Disability,
    able: bool,
    allowance: bool,
    merit: bool,
    in_school: bool,
    on_track: Option<bool>,
    mal: Option<bool>,
    edu: Education,
    emp: Employment,
    hi: bool,
}

impl P {
    fn new(rel: Relation, sex: Sex, age: i32, group: u8) -> P {
        P {
            rel,
            sex,
            age,
            group,
            family: "",
            birth: BirthDate::Year(0),
            wa: false,
            disability: Disability::None,
            able: true,
            allowance: false,
            merit: false,
            in_school: false,
            on_track: None,
            mal: None,
            edu: Education::None,
            emp: Employment::NotInLabourForce,
            hi: true,
        }
    }
}

/// Reusable buffers.
#[derive(Default)]
pub(crate) struct Scratch {
    people: Vec<P>,
    /// What the commune's earlier households used; cleared when a commune starts.
    pub(crate) commune: CommuneLedger,
    /// In the 2024 era, the people of 2025 communes the registry places together
    /// ([`Commune::shares_placement_2024`]; a few dozen communes), by placement: kept for the run.
    shared_placements: HashMap<&'static str, HashSet<(String, NaiveDate)>>,
}

/// Per-commune record of what earlier households used, so that no two people of a commune
/// share an ID number or a (name, birth date). It depends only on the commune's earlier
/// households, so a household is the same whatever the run size. (In the 2024 era, the few
/// communes the registry places together also avoid each other's people, which can make a
/// household of those communes depend on how many households the others got.)
#[derive(Debug, Default)]
pub(crate) struct CommuneLedger {
    /// Serials handed out per (birth province, century-sex digit, two-digit year).
    serials: HashMap<(&'static str, u8, u8), u32>,
    /// Folded full name and full birth date of every member with a full birth date.
    people: HashSet<(String, NaiveDate)>,
}

impl CommuneLedger {
    pub(crate) fn clear(&mut self) {
        self.serials.clear();
        self.people.clear();
    }
}

fn rank(r: Relation) -> u8 {
    match r {
        Relation::Head => 0,
        Relation::Spouse => 1,
        Relation::Parent => 2,
        Relation::Child => 3,
        Relation::Grandchild => 4,
        Relation::Sibling => 5,
        Relation::Other => 6,
    }
}

/// Household size weights (×10) for sizes 1..=9, by class (assumption; means ≈ 4.0 poor,
/// 3.9 near-poor, 3.7 middle, 3.56 not poor).
const SIZE_POOR: [(u8, u32); 9] =
    [(1, 100), (2, 140), (3, 160), (4, 230), (5, 170), (6, 100), (7, 50), (8, 30), (9, 20)];
const SIZE_NEAR: [(u8, u32); 9] =
    [(1, 100), (2, 150), (3, 170), (4, 240), (5, 160), (6, 90), (7, 50), (8, 25), (9, 15)];
const SIZE_MIDDLE: [(u8, u32); 9] =
    [(1, 90), (2, 160), (3, 200), (4, 260), (5, 160), (6, 80), (7, 30), (8, 13), (9, 7)];
const SIZE_NOT_POOR: [(u8, u32); 9] =
    [(1, 95), (2, 175), (3, 210), (4, 280), (5, 135), (6, 63), (7, 26), (8, 11), (9, 5)];

/// Deprivation counts: poor as offsets above the cutoff {0: 45, 1: 30, 2: 15, 3+: 10}
/// (§7.5 assumption); near-poor 0..cutoff; others population-like (§7.4).
const COUNT_POOR: [(u32, u32); 6] = [(0, 450), (1, 300), (2, 150), (3, 60), (4, 30), (5, 10)];
///
/// A household whose dependants indicator is fixed by its composition (more than half
/// children) cannot have 0: it draws from the distribution conditional on ≥ 1, and the
/// others from one with more zeros, so that the overall distribution stays on target
/// (forced shares measured: ≈ 10% of near-poor, ≈ 8.5% of other households).
const COUNT_NEAR: [(u32, u32); 3] = [(0, 333), (1, 381), (2, 286)];
const COUNT_NEAR_FORCED: [(u32, u32); 2] = [(1, 40), (2, 30)];
const COUNT_OTHER: [(u32, u32); 6] = [(0, 656), (1, 232), (2, 86), (3, 19), (4, 5), (5, 2)];
const COUNT_OTHER_FORCED: [(u32, u32); 5] = [(1, 270), (2, 100), (3, 22), (4, 6), (5, 2)];

/// Lognormal (σ = 0.8, median 1) quantiles at p = 0.001, 1/64, …, 63/64, 0.999.
const LOGNORMAL_Q: [f64; 65] = [
    0.0844, 0.1785, 0.2253, 0.2616, 0.2931, 0.3217, 0.3484, 0.3739, 0.3984, 0.4223, 0.4458, 0.4689, 0.4918, 0.5146,
    0.5373, 0.5601, 0.5830, 0.6060, 0.6292, 0.6526, 0.6764, 0.7004, 0.7248, 0.7497, 0.7750, 0.8008, 0.8272, 0.8541,
    0.8817, 0.9101, 0.9392, 0.9691, 1.0000, 1.0318, 1.0647, 1.0988, 1.1341, 1.1708, 1.2090, 1.2488, 1.2903, 1.3339,
    1.3796, 1.4277, 1.4785, 1.5322, 1.5893, 1.6502, 1.7153, 1.7853, 1.8610, 1.9433, 2.0334, 2.1328, 2.2434, 2.3679,
    2.5100, 2.6748, 2.8703, 3.1088, 3.4120, 3.8219, 4.4379, 5.6019, 11.8483,
];

/// Median income above the middle-living line of not-poor households, VND (rural, urban),
/// and a factor per region (assumption, tuned to the VHLSS 2022 mean).
const NOT_POOR_MEDIAN: [f64; 2] = [1_520_000.0, 2_400_000.0];
const REGION_INCOME: [f64; 6] = [0.75, 1.15, 0.85, 0.85, 1.35, 0.85];

fn round_down_10k(v: i64) -> i64 {
    v / 10_000 * 10_000
}

/// Birth date that gives exactly `age` completed years at `as_of`.
fn birth_for_age(as_of: NaiveDate, age: i32, year_only: bool, rng: &mut Rng) -> BirthDate {
    if year_only {
        // Year-only births count from 1 January: age = as_of.year − year.
        return BirthDate::Year(as_of.year() - age);
    }
    // The same day `age` and `age + 1` years earlier (29 February → 28 February).
    let back = |years: i32| {
        let y = as_of.year() - years;
        NaiveDate::from_ymd_opt(y, as_of.month(), as_of.day())
            .or_else(|| NaiveDate::from_ymd_opt(y, as_of.month(), as_of.day() - 1))
    };
    let (Some(hi), Some(lo)) = (back(age), back(age + 1)) else { return BirthDate::Year(as_of.year() - age) };
    // Birth in (lo, hi]: hi − k days for k in 0..(hi − lo).
    let span = (hi - lo).num_days().max(1) as u32;
    let k = rng.below(span);
    let b = hi.checked_sub_days(Days::new(u64::from(k))).unwrap_or(hi);
    let bd = BirthDate::Date(b);
    if bd.age_years(as_of) == age { bd } else { BirthDate::Date(hi) }
}

/// Weights of the indicators for the selection (before feasibility).
fn indicator_weights(pnp: bool, region: Region, em: bool, urban: bool) -> [f64; N_IND] {
    let mut w = if pnp {
        [30.0, 35.0, 35.0, 25.0, 45.0, 25.0, 20.0, 45.0, 8.0, 45.0, 22.0, 18.0]
    } else {
        [30.0, 10.0, 8.0, 25.0, 15.0, 4.0, 4.0, 5.0, 3.0, 12.0, 4.0, 5.0]
    };
    let mut bump = |i: Ind, f: f64| w[i as usize] *= f;
    let highland = matches!(region, Region::NorthernMidlandsMountains | Region::CentralHighlands);
    if em || highland {
        let f = if em && highland { 1.25 } else { 1.0 };
        bump(Ind::Nutrition, 1.6 * f);
        bump(Ind::ChildSchooling, 1.6 * f);
        bump(Ind::AdultEducation, 1.5 * f);
        bump(Ind::HousingArea, 1.3 * f);
        bump(Ind::HousingQuality, 1.6 * f);
    }
    match region {
        Region::MekongDelta => {
            bump(Ind::Latrine, 1.8);
            bump(Ind::Water, 3.0);
        }
        Region::NorthCentralCentralCoast => {
            bump(Ind::Latrine, 1.2);
            bump(Ind::Water, 1.5);
        }
        _ => {}
    }
    if urban {
        bump(Ind::Water, 0.4);
        bump(Ind::Latrine, 0.4);
        bump(Ind::HousingArea, 1.5);
        bump(Ind::Telecom, 0.5);
        bump(Ind::InfoDevices, 0.5);
    }
    w
}

/// Chooses an index of `people` satisfying `ok`, weighted by `weight`; `None` if none does.
fn choose(people: &[P], rng: &mut Rng, ok: impl Fn(&P) -> bool, weight: impl Fn(&P) -> f64) -> Option<usize> {
    let mut w = [0.0; 16];
    let mut any = false;
    for (i, p) in people.iter().enumerate().take(16) {
        if ok(p) {
            w[i] = weight(p).max(1e-9);
            any = true;
        }
    }
    any.then(|| rng.weighted_index(&w[..people.len().min(16)]))
}

fn pick_bits<T: Copy + PartialEq>(all: &[T], mask_of: impl Fn(T) -> bool, prefs: &[(T, u32)], rng: &mut Rng) -> T {
    let mut buf = [(all[0], 0u32); 16];
    let mut n = 0;
    for &(v, w) in prefs {
        if mask_of(v) && n < buf.len() {
            buf[n] = (v, w);
            n += 1;
        }
    }
    if n == 0 {
        // No preferred value qualifies: any value of the right kind.
        for &v in all {
            if mask_of(v) && n < buf.len() {
                buf[n] = (v, 1);
                n += 1;
            }
        }
    }
    if n == 0 {
        return all[0];
    }
    rng.weighted(&buf[..n])
}

/// Builds household `seq` of `commune`.
pub(crate) fn build(ctx: &Ctx, commune: &Commune, seq: u64, village: &str, s: &mut Scratch) -> Synthetic {
    let mut rng = Rng::stream(ctx.seed, commune.code_num, seq);
    let rng = &mut rng;
    let th = &ctx.th;
    let region = commune.region;
    let ri = region.index();
    let urban = commune.urban;
    let ai = usize::from(urban);
    let area = if urban { Area::Urban } else { Area::Rural };

    // 1. Ethnic group of the head, then the class from the cell rates.
    let em = rng.chance(ctx.cells.em_share[ri][ai]);
    let head_group = if em { names::minority_group(region, commune.old_province, rng) } else { KINH };
    let rates = ctx.cells.rates[ri][ai][usize::from(em)];
    let u = rng.unit();
    let class = if u < rates.poor {
        Class::Poor
    } else if u < rates.poor + rates.near_poor {
        Class::NearPoor
    } else if u < rates.poor + rates.near_poor + rates.middle {
        Class::Middle
    } else {
        Class::NotPoor
    };
    let pnp = matches!(class, Class::Poor | Class::NearPoor);

    // 2. Composition.
    compose(class, em, head_group, region, commune.old_province, rng, &mut s.people);
    let people = &mut s.people;
    let n = people.len();
    for p in people.iter_mut() {
        let g = groups()[p.group as usize];
        let base = if p.age >= 60 {
            0.32
        } else if p.age < 6 {
            0.03
        } else {
            0.12
        };
        let yo = base + if g.style == Style::Kinh { 0.0 } else { 0.10 };
        p.birth = birth_for_age(ctx.as_of, p.age, rng.chance(yo), rng);
        p.wa = ctx.wa().is_working_age(p.sex, p.birth, ctx.as_of);
        let base = match p.age {
            a if a < 16 => 0.01,
            a if a < 60 => 0.025,
            a if a < 75 => 0.07,
            _ => 0.15,
        };
        let dp = base * if pnp { 1.5 } else { 1.0 };
        if rng.chance(dp) {
            p.disability =
                rng.weighted(&[(Disability::Mild, 50), (Disability::Severe, 35), (Disability::VerySevere, 15)]);
        }
        p.able = !matches!(p.disability, Disability::Severe | Disability::VerySevere) && p.age < 80;
        p.merit = p.age >= 65 && rng.chance(0.03);
    }

    // 3. Dependants: fixed by the composition, or reachable through social allowances.
    let above = th.dependants_above * n as f64;
    let children = people.iter().filter(|p| p.age < th.dependants_child_below).count();
    let eligible = people
        .iter()
        .filter(|p| {
            p.age >= th.dependants_child_below
                && (p.age >= th.dependants_elderly_from || p.disability != Disability::None)
        })
        .count();
    let forced = children as f64 > above;
    let possible = (children + eligible) as f64 > above;

    // 4. The deprivations: a count by class, then indicators among the feasible ones.
    let mut feasible = [true; N_IND];
    feasible[Ind::Employment as usize] =
        people.iter().any(|p| p.wa && p.age >= 16 && p.able && th.employment_ages.contains(p.age));
    feasible[Ind::Dependants as usize] = possible && !forced;
    feasible[Ind::Nutrition as usize] = people.iter().any(|p| th.nutrition.contains(p.age));
    feasible[Ind::HealthInsurance as usize] = people.iter().any(|p| th.health_insurance.contains(p.age));
    feasible[Ind::AdultEducation as usize] = people.iter().any(|p| th.adult_band(p.age).is_some());
    feasible[Ind::ChildSchooling as usize] = people.iter().any(|p| th.schooling.contains(p.age));
    let cutoff = th.cutoff;
    let mut k = match class {
        Class::Poor => cutoff + rng.weighted(&COUNT_POOR),
        Class::NearPoor if forced => rng.weighted(&COUNT_NEAR_FORCED).min(cutoff.saturating_sub(1)),
        Class::NearPoor => rng.weighted(&COUNT_NEAR).min(cutoff.saturating_sub(1)),
        Class::Middle | Class::NotPoor if forced => rng.weighted(&COUNT_OTHER_FORCED),
        Class::Middle | Class::NotPoor => rng.weighted(&COUNT_OTHER),
    };
    let mut chosen: u16 = 0;
    if forced {
        chosen |= Ind::Dependants.bit();
        k = k.max(1);
    }
    let mut weights = indicator_weights(pnp, region, em, urban);
    for (i, w) in weights.iter_mut().enumerate() {
        if !feasible[i] || chosen & (1 << i) != 0 {
            *w = 0.0;
        }
    }
    while chosen.count_ones() < k && weights.iter().any(|&w| w > 0.0) {
        let i = rng.weighted_index(&weights);
        chosen |= 1 << i;
        weights[i] = 0.0;
    }
    let has = |i: Ind| chosen & i.bit() != 0;

    // 5. Member facts.
    // Social allowances (dependants).
    {
        let mut need = if has(Ind::Dependants) && !forced {
            let mut m = 0;
            while (children + m) as f64 <= above {
                m += 1;
            }
            m
        } else {
            0
        };
        let cap = if has(Ind::Dependants) {
            usize::MAX
        } else {
            let mut m = 0;
            while ((children + m + 1) as f64) <= above {
                m += 1;
            }
            m
        };
        let mut given = 0;
        // Oldest and disabled first for the required ones.
        let mut order: [usize; 16] = std::array::from_fn(|i| i);
        let order = &mut order[..n.min(16)];
        order.sort_by_key(|&i| (people[i].disability == Disability::None, -people[i].age));
        for &i in order.iter() {
            let p = &mut people[i];
            let natural = match p.disability {
                Disability::Severe | Disability::VerySevere => 0.7,
                Disability::Mild => 0.15,
                Disability::None if p.age >= 80 => 0.85,
                Disability::None if p.age >= th.dependants_elderly_from && pnp => 0.25,
                Disability::None => 0.03,
            };
            if p.age < th.dependants_child_below {
                // Already a dependant: an allowance changes nothing.
                p.allowance = p.disability != Disability::None && rng.chance(natural);
                continue;
            }
            let elig = p.age >= th.dependants_elderly_from || p.disability != Disability::None;
            if !elig {
                continue;
            }
            if need > 0 {
                p.allowance = true;
                need -= 1;
                given += 1;
            } else if given < cap && rng.chance(natural) {
                p.allowance = true;
                given += 1;
            }
        }
    }

    // Targets for the member-level indicators.
    let emp_target = if has(Ind::Employment) {
        choose(
            people,
            rng,
            |p| p.wa && p.age >= 16 && p.able && th.employment_ages.contains(p.age),
            |p| if (18..56).contains(&p.age) { 3.0 } else { 1.0 },
        )
    } else {
        None
    };
    let edu_target = if has(Ind::AdultEducation) {
        choose(people, rng, |p| th.adult_band(p.age).is_some(), |p| if p.age >= 18 { 2.0 } else { 1.0 })
    } else {
        None
    };
    let school_target = if has(Ind::ChildSchooling) {
        choose(
            people,
            rng,
            |p| th.schooling.contains(p.age),
            |p| match p.age {
                a if a >= 11 => 3.0,
                a if a >= 6 => 1.5,
                _ => 1.0,
            },
        )
    } else {
        None
    };
    let nut_target = if has(Ind::Nutrition) {
        choose(people, rng, |p| th.nutrition.contains(p.age), |p| if p.age < 5 { 3.0 } else { 1.0 })
    } else {
        None
    };
    let hi_target = if has(Ind::HealthInsurance) {
        choose(
            people,
            rng,
            |p| th.health_insurance.contains(p.age),
            |p| if (18..60).contains(&p.age) { 3.0 } else { 1.0 },
        )
    } else {
        None
    };

    let disadvantaged = em || pnp;
    for (i, p) in people.iter_mut().enumerate() {
        let age = p.age;
        // Schooling of children.
        if th.schooling.contains(age) {
            let off = school_target == Some(i) || (has(Ind::ChildSchooling) && rng.chance(0.2));
            p.on_track = Some(!off);
            p.in_school = !off || rng.chance(0.5);
            p.edu = match age {
                a if a >= 15 => {
                    if off {
                        Education::Primary
                    } else {
                        Education::LowerSecondary
                    }
                }
                a if a >= 11 => {
                    if off {
                        Education::None
                    } else {
                        Education::Primary
                    }
                }
                _ => Education::None,
            };
        } else if let Some(band) = th.adult_band(age) {
            let required = band.required;
            let deficient = edu_target == Some(i) || (has(Ind::AdultEducation) && rng.chance(0.25));
            let in_school_p = match age {
                a if a < 18 => {
                    if disadvantaged {
                        0.55
                    } else {
                        0.8
                    }
                }
                a if a < 23 => {
                    if disadvantaged {
                        0.15
                    } else {
                        0.35
                    }
                }
                _ => 0.04,
            };
            if deficient {
                p.in_school = false;
                // The highest level that does not satisfy the band, usually.
                let highest = Education::ALL.iter().rev().copied().find(|e| required & (1 << (*e as u32)) == 0);
                p.edu = match highest {
                    Some(h) if rng.chance(0.7) => h,
                    _ => pick_bits(Education::ALL, |e| required & (1 << (e as u32)) == 0, &[], rng),
                };
            } else if emp_target != Some(i) && rng.chance(in_school_p) {
                p.in_school = true;
                p.edu = match age {
                    a if a < 18 => Education::LowerSecondary,
                    a if a < 22 => Education::UpperSecondary,
                    _ => {
                        if rng.chance(0.6) {
                            Education::CollegePlus
                        } else {
                            Education::UpperSecondary
                        }
                    }
                };
            } else {
                p.in_school = false;
                let prefs: &[(Education, u32)] = if age < 18 {
                    &[(Education::LowerSecondary, 85), (Education::Vocational, 15)]
                } else if age < 21 {
                    &[(Education::UpperSecondary, 75), (Education::Vocational, 25)]
                } else if disadvantaged {
                    &[(Education::UpperSecondary, 65), (Education::Vocational, 25), (Education::CollegePlus, 10)]
                } else {
                    &[(Education::UpperSecondary, 50), (Education::Vocational, 20), (Education::CollegePlus, 30)]
                };
                p.edu = pick_bits(Education::ALL, |e| required & (1 << (e as u32)) != 0, prefs, rng);
            }
        } else if age >= 16 {
            p.in_school = false;
            p.edu = adult_education_level(age, disadvantaged, urban, rng);
        } else {
            // Below school age.
            p.in_school = false;
            p.edu = Education::None;
        }

        // Main activity.
        let dep = th.employment_deprived;
        let dep_value = |rng: &mut Rng| {
            pick_bits(
                Employment::ALL,
                |e| dep & (1 << (e as u32)) != 0,
                &[(Employment::WageNoContract, 70), (Employment::Unemployed, 30)],
                rng,
            )
        };
        let counts = p.wa && th.employment_ages.contains(age);
        p.emp = if counts {
            if emp_target == Some(i)
                || (has(Ind::Employment) && age >= 16 && !p.in_school && p.able && rng.chance(0.25))
            {
                p.in_school = p.in_school && emp_target != Some(i);
                dep_value(rng)
            } else if p.in_school {
                Employment::Student
            } else if !p.able {
                Employment::NotInLabourForce
            } else {
                let prefs: &[(Employment, u32)] = if urban {
                    &[
                        (Employment::WageContract, 50),
                        (Employment::SelfEmployed, 38),
                        (Employment::NotInLabourForce, 12),
                    ]
                } else {
                    &[
                        (Employment::WageContract, 22),
                        (Employment::SelfEmployed, 65),
                        (Employment::NotInLabourForce, 13),
                    ]
                };
                pick_bits(Employment::ALL, |e| dep & (1 << (e as u32)) == 0, prefs, rng)
            }
        } else if age < 15 {
            if p.in_school { Employment::Student } else { Employment::NotInLabourForce }
        } else if p.in_school {
            Employment::Student
        } else if p.able && rng.chance(if urban { 0.15 } else { 0.35 }) {
            Employment::SelfEmployed
        } else {
            Employment::NotInLabourForce
        };

        // Health insurance.
        p.hi = if th.health_insurance.contains(age) {
            !(hi_target == Some(i) || (has(Ind::HealthInsurance) && rng.chance(0.35)))
        } else {
            rng.chance(0.98)
        };

        // Nutrition (asked for children).
        p.mal = if th.nutrition.contains(age) {
            Some(nut_target == Some(i) || (has(Ind::Nutrition) && rng.chance(0.25)))
        } else {
            None
        };
    }

    // 6. Household facts.
    let durable_structures = if has(Ind::HousingQuality) {
        rng.range(0, i32::from(th.durable_max)) as u8
    } else {
        let lo = i32::from(th.durable_max) + 1;
        if lo >= 3 || rng.chance(if pnp { 0.55 } else { 0.88 }) { 3 } else { rng.range(lo, 2) as u8 }
    };
    let threshold2 = 2.0 * th.area_min_m2 * n as f64; // in half square metres
    let area_half: i64 = if has(Ind::HousingArea) {
        let hi = (threshold2.ceil() as i64 - 1).max(1);
        let lo = ((threshold2 * 0.35).floor() as i64).clamp(1, hi);
        lo + i64::from(rng.below((hi - lo + 1) as u32))
    } else {
        let per_person = if pnp {
            th.area_min_m2 + 1.0 + 10.0 * rng.unit()
        } else {
            let u = rng.unit();
            th.area_min_m2 + 3.0 + 40.0 * u * u * if urban { 0.8 } else { 1.0 }
        };
        ((2.0 * per_person * n as f64).round() as i64).max(threshold2.ceil() as i64)
    };
    let floor_area_m2 = area_half as f64 / 2.0;

    let water_source = if has(Ind::Water) {
        let prefs: &[(WaterSource, u32)] = match region {
            Region::MekongDelta => {
                &[(WaterSource::Surface, 70), (WaterSource::UnprotectedDugWell, 20), (WaterSource::Other, 10)]
            }
            Region::NorthernMidlandsMountains | Region::CentralHighlands => &[
                (WaterSource::UnprotectedSpring, 45),
                (WaterSource::Surface, 25),
                (WaterSource::UnprotectedDugWell, 25),
                (WaterSource::Other, 5),
            ],
            _ => &[
                (WaterSource::UnprotectedDugWell, 55),
                (WaterSource::Surface, 25),
                (WaterSource::UnprotectedSpring, 10),
                (WaterSource::Other, 10),
            ],
        };
        pick_bits(WaterSource::ALL, |v| th.water_safe & (1 << (v as u32)) == 0, prefs, rng)
    } else {
        let prefs: &[(WaterSource, u32)] = if urban {
            &[(WaterSource::Piped, 85), (WaterSource::DrilledWell, 8), (WaterSource::Bottled, 7)]
        } else {
            match region {
                Region::NorthernMidlandsMountains => &[
                    (WaterSource::Piped, 35),
                    (WaterSource::ProtectedSpring, 30),
                    (WaterSource::ProtectedDugWell, 20),
                    (WaterSource::DrilledWell, 10),
                    (WaterSource::Rainwater, 5),
                ],
                Region::CentralHighlands => &[
                    (WaterSource::DrilledWell, 40),
                    (WaterSource::ProtectedDugWell, 30),
                    (WaterSource::Piped, 25),
                    (WaterSource::ProtectedSpring, 5),
                ],
                Region::MekongDelta => &[
                    (WaterSource::Piped, 60),
                    (WaterSource::DrilledWell, 20),
                    (WaterSource::Rainwater, 15),
                    (WaterSource::Bottled, 5),
                ],
                _ => &[
                    (WaterSource::Piped, 60),
                    (WaterSource::DrilledWell, 28),
                    (WaterSource::ProtectedDugWell, 4),
                    (WaterSource::Rainwater, 3),
                    (WaterSource::Bottled, 5),
                ],
            }
        };
        pick_bits(WaterSource::ALL, |v| th.water_safe & (1 << (v as u32)) != 0, prefs, rng)
    };
    let latrine = if has(Ind::Latrine) {
        let prefs: &[(Latrine, u32)] = match region {
            Region::MekongDelta => {
                &[(Latrine::Hanging, 55), (Latrine::SimplePit, 20), (Latrine::None, 20), (Latrine::Other, 5)]
            }
            Region::NorthernMidlandsMountains | Region::CentralHighlands => {
                &[(Latrine::SimplePit, 55), (Latrine::None, 30), (Latrine::Hanging, 5), (Latrine::Other, 10)]
            }
            _ => &[(Latrine::SimplePit, 60), (Latrine::None, 20), (Latrine::Hanging, 10), (Latrine::Other, 10)],
        };
        pick_bits(Latrine::ALL, |v| th.latrine_safe & (1 << (v as u32)) == 0, prefs, rng)
    } else {
        let prefs: &[(Latrine, u32)] = if urban {
            &[(Latrine::Septic, 80), (Latrine::SemiSeptic, 15), (Latrine::PourFlush, 5)]
        } else {
            &[
                (Latrine::Septic, 45),
                (Latrine::SemiSeptic, 25),
                (Latrine::PourFlush, 12),
                (Latrine::DoubleVault, 8),
                (Latrine::VentilatedPit, 4),
                (Latrine::Biogas, 6),
            ]
        };
        pick_bits(Latrine::ALL, |v| th.latrine_safe & (1 << (v as u32)) != 0, prefs, rng)
    };
    let internet_user = if has(Ind::Telecom) { th.internet_deprived_when } else { !th.internet_deprived_when };
    let info_devices = if has(Ind::InfoDevices) { th.info_deprived_when } else { !th.info_deprived_when };
    let waste_treatment = Some(rng.chance(if urban {
        0.92
    } else if pnp {
        0.45
    } else {
        0.65
    }));

    // 7. Living standard: income or score A, on the right side of the lines.
    let lines = ctx.lines[ai];
    let use_score = match class {
        Class::Poor | Class::NearPoor => rng.chance(SCORE_A_SHARE_PNP),
        Class::Middle => false,
        Class::NotPoor => rng.chance(SCORE_A_SHARE_NOT_POOR),
    };
    let (income_per_capita, score_a) = if use_score {
        let s = lines.score_anchor;
        let score = match class {
            Class::Poor => rng.range((s - 90).max(1), s),
            Class::NearPoor => rng.range((s - 45).max(1), s),
            _ => {
                let u = rng.unit();
                s + 1 + (170.0 * u * u) as i32
            }
        };
        (None, Some(score))
    } else {
        let line = lines.poverty;
        let v = match class {
            Class::Poor => round_down_10k(line / 4 + (rng.unit() * (line - line / 4) as f64) as i64),
            Class::NearPoor => round_down_10k(line * 11 / 20 + (rng.unit() * (line - line * 11 / 20) as f64) as i64),
            Class::Middle => {
                let span = lines.middle_upper - line;
                let v = line + 1 + (rng.unit() * span as f64) as i64;
                let r = (v + 9_999) / 10_000 * 10_000;
                if r <= lines.middle_upper { r } else { v.min(lines.middle_upper) }
            }
            Class::NotPoor => {
                let x = rng.quantile_draw(&LOGNORMAL_Q) * NOT_POOR_MEDIAN[ai] * REGION_INCOME[ri];
                let v = lines.middle_upper + 10_000 + x as i64;
                round_down_10k(v).max(lines.middle_upper + 10_000)
            }
        };
        (Some(v.max(10_000)), None)
    };

    // 8. Causes of poverty.
    let mut poverty_causes = Vec::new();
    if pnp {
        let no_labour = !people.iter().any(|p| p.wa && p.able);
        let ill = people.iter().any(|p| p.disability != Disability::None);
        let land = matches!(region, Region::NorthernMidlandsMountains | Region::MekongDelta | Region::CentralHighlands);
        let table = [
            (PovertyCause::NoLand, if land { 22 } else { 12 }),
            (PovertyCause::NoCapital, 35),
            (PovertyCause::NoLabour, if no_labour { 60 } else { 6 }),
            (PovertyCause::NoTools, 8),
            (PovertyCause::NoKnowledge, if em { 18 } else { 10 }),
            (PovertyCause::NoSkills, 12),
            (PovertyCause::Illness, if ill { 45 } else { 6 }),
            (PovertyCause::Other, 4),
        ];
        let count = rng.weighted(&[(1u32, 50), (2, 35), (3, 15)]);
        for _ in 0..count {
            let c = rng.weighted(&table);
            if !poverty_causes.contains(&c) {
                poverty_causes.push(c);
            }
        }
        poverty_causes.sort();
    }

    // 9. Order members, name them, number them.
    people.sort_by_key(|p| (rank(p.rel), -p.age));
    assign_families(people, region, rng);
    let mut members = Vec::with_capacity(n);
    let mut personal = Vec::with_capacity(n);
    let shared = (ctx.era_2024 && commune.shares_placement_2024).then(|| commune.placement_2024());
    for (i, p) in people.iter().enumerate() {
        let g = groups()[p.group as usize];
        let mut full_name = String::with_capacity(24);
        // No two members of a household share a full name, and no two people of a commune
        // share a full name and full birth date (the registry would take them for one
        // person). A few retries; a rare leftover clash only happens with year-only dates.
        for _ in 0..12 {
            names::full_name(&mut full_name, g.style, p.sex, p.birth.year(), p.family, rng);
            let in_household = personal.iter().any(|q: &MemberPersonal| q.full_name == full_name);
            let in_commune = match p.birth {
                BirthDate::Date(d) => {
                    let key = (fold(&full_name), d);
                    s.commune.people.contains(&key)
                        || shared
                            .as_ref()
                            .is_some_and(|k| s.shared_placements.get(k).is_some_and(|people| people.contains(&key)))
                }
                BirthDate::Year(_) => false,
            };
            if !in_household && !in_commune {
                break;
            }
        }
        if let BirthDate::Date(d) = p.birth {
            if let Some(k) = shared {
                s.shared_placements.entry(k).or_default().insert((fold(&full_name), d));
            }
            s.commune.people.insert((fold(&full_name), d));
        }
        let id_number = id_number(p, commune, region, rng, &mut s.commune.serials);
        personal.push(MemberPersonal { full_name, id_number, ethnicity_name: g.name.to_string() });
        members.push(Member {
            member_no: (i + 1) as u16,
            relation: p.rel,
            sex: p.sex,
            birth: p.birth,
            ethnicity: g.ethnicity,
            health_insurance: p.hi,
            employment: p.emp,
            able_to_work: p.able,
            education: p.edu,
            in_school: p.in_school,
            school_on_track: p.on_track,
            malnourished: p.mal,
            disability: p.disability,
            social_allowance: p.allowance,
            merit: p.merit,
        });
    }
    let head_name = personal.first().map(|m| m.full_name.clone()).unwrap_or_default();
    // The commune as recorded: a 2024 commune while the 2024 list was in force (chosen by the
    // household's position, not from the stream, so that the rest of the household is the same).
    let (commune_code, commune_name) = if ctx.era_2024 {
        let code = match commune.old_codes.len() {
            0 => commune.fallback_2024.0,
            n => {
                commune.old_codes
                    [(crate::rng::splitmix(ctx.seed ^ u64::from(commune.code_num) << 24 ^ seq) % n as u64) as usize]
            }
        };
        let name = vuonlen_core::units::AdminUnits::get().y2024.communes.get(code).map_or(commune.name, |u| u.name);
        (code, name)
    } else {
        (commune.code, commune.name)
    };
    let mut address = String::with_capacity(village.len() + commune_name.len() + commune.province_label.len() + 16);
    if urban {
        address.push_str("Số ");
        push_number(&mut address, u64::from(1 + rng.below(300)), 1);
        address.push_str(", ");
    }
    address.push_str(village);
    address.push_str(", ");
    address.push_str(commune_name);
    address.push_str(", ");
    address.push_str(&commune.province_label);

    let mut deprived = IndicatorSet::default();
    for ind in Ind::ALL {
        if has(ind) {
            deprived.insert(th.index[ind as usize]);
        }
    }

    let mut household_code = String::with_capacity(commune.code.len() + 8);
    household_code.push_str(commune.code);
    household_code.push('-');
    push_number(&mut household_code, seq, 6);
    Synthetic {
        record: HouseholdRecord {
            household_code,
            commune_code: commune_code.to_string(),
            village: village.to_string(),
            head_name,
            address,
            poverty_causes,
            recorded: nlndn_answer(class, area, ctx.seed, commune.code_num, seq),
            household: Household {
                area,
                income_per_capita,
                score_a,
                durable_structures,
                floor_area_m2,
                water_source,
                latrine,
                internet_user,
                info_devices,
                waste_treatment,
                members,
            },
            members: personal,
        },
        intended: class,
        region,
        commune_2025: commune.code,
        deprived,
    }
}

/// Highest level of an adult outside the adult-education bands, by cohort (assumption).
fn adult_education_level(age: i32, disadvantaged: bool, urban: bool, rng: &mut Rng) -> Education {
    use Education::*;
    let t: [(Education, u32); 6] = if age >= 70 {
        [(None, 30), (Primary, 35), (LowerSecondary, 20), (UpperSecondary, 10), (Vocational, 2), (CollegePlus, 3)]
    } else if age >= 51 {
        [(None, 10), (Primary, 30), (LowerSecondary, 35), (UpperSecondary, 15), (Vocational, 5), (CollegePlus, 5)]
    } else {
        [(None, 4), (Primary, 18), (LowerSecondary, 35), (UpperSecondary, 25), (Vocational, 8), (CollegePlus, 10)]
    };
    let mut t = t;
    if disadvantaged {
        t[0].1 *= 3;
        t[1].1 *= 2;
        t[4].1 /= 2;
        t[5].1 /= 3;
    }
    if urban {
        t[0].1 /= 2;
        t[1].1 /= 2;
        t[3].1 *= 2;
        t[5].1 *= 3;
    }
    rng.weighted(&t)
}

/// A 12-digit citizen ID (CCCD) whose province, century-sex and year digits agree with the
/// person. The six-digit serial is the commune's slot in its region (three digits) followed by
/// a counter per (birth province, century-sex, year) within the commune (three digits): birth
/// provinces are always of the commune's region, so no two synthetic people share a number.
/// A person past the 999th of a kind in one commune gets no number.
fn id_number(
    p: &P,
    commune: &Commune,
    region: Region,
    rng: &mut Rng,
    serials: &mut HashMap<(&'static str, u8, u8), u32>,
) -> Option<String> {
    let missing = if p.age < 14 { 0.25 } else { 0.04 };
    if rng.chance(missing) {
        return None;
    }
    let year = p.birth.year();
    let female = p.sex == Sex::Female;
    let century = match year {
        1900..=1999 => 0,
        2000..=2099 => 2,
        _ => return None,
    } + u8::from(female);
    // Most were born in the commune's old province; some elsewhere in the region.
    let prov = if p.age >= 18 && rng.chance(0.15) { rng.pick(region.old_provinces()) } else { commune.old_province };
    let yy = year.rem_euclid(100) as u8;
    let counter = serials.entry((prov, century, yy)).or_insert(0);
    if *counter >= 1000 || commune.region_slot >= 1000 {
        return None;
    }
    let serial = u32::from(commune.region_slot) * 1000 + *counter;
    *counter += 1;
    let mut s = String::with_capacity(12);
    s.push('0');
    s.push_str(prov);
    push_number(&mut s, u64::from(century), 1);
    push_number(&mut s, u64::from(yy), 2);
    push_number(&mut s, u64::from(serial), 6);
    Some(s)
}

/// Appends `v` in decimal, zero-padded to at least `width` digits.
fn push_number(out: &mut String, mut v: u64, width: usize) {
    let mut buf = [b'0'; 20];
    let mut i = buf.len();
    while v > 0 || buf.len() - i < width {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
    }
    for &b in &buf[i..] {
        out.push(char::from(b));
    }
}

/// Household composition (assumption, see the documentation): a head, maybe a spouse, then
/// children, parents, grandchildren, siblings or others, with ages consistent with the
/// relations.
fn compose(
    class: Class,
    em: bool,
    head_group: u8,
    region: Region,
    old_province: &str,
    rng: &mut Rng,
    people: &mut Vec<P>,
) {
    people.clear();
    let size_table: &[(u8, u32)] = match class {
        Class::Poor => &SIZE_POOR,
        Class::NearPoor => &SIZE_NEAR,
        Class::Middle => &SIZE_MIDDLE,
        Class::NotPoor => &SIZE_NOT_POOR,
    };
    let n = usize::from(rng.weighted(size_table));
    let head_age = match n {
        1 => rng.weighted(&[((20, 34), 15), ((35, 59), 30), ((60, 90), 55)]),
        2 => rng.weighted(&[((20, 34), 22), ((35, 54), 18), ((55, 85), 60)]),
        _ => rng.weighted(&[((22, 29), 10), ((30, 39), 27), ((40, 49), 28), ((50, 59), 20), ((60, 75), 15)]),
    };
    let head_age = rng.range(head_age.0, head_age.1);
    let female_head = rng.chance(if n == 1 { 0.55 } else { 0.22 });
    let head_sex = if female_head { Sex::Female } else { Sex::Male };
    people.push(P::new(Relation::Head, head_sex, head_age, head_group));

    let spouse_group = |rng: &mut Rng| -> u8 {
        if em {
            if rng.chance(0.88) {
                head_group
            } else if rng.chance(0.6) {
                KINH
            } else {
                names::minority_group(region, old_province, rng)
            }
        } else if rng.chance(0.97) {
            KINH
        } else {
            names::minority_group(region, old_province, rng)
        }
    };
    let mut youngest_parent = head_age;
    if n >= 2 && rng.chance(if n == 2 { 0.65 } else { 0.88 }) {
        let gap = rng.range(-2, 8);
        let age = if female_head { head_age + gap } else { head_age - gap }.clamp(18, 95);
        let sex = if female_head { Sex::Male } else { Sex::Female };
        let g = spouse_group(rng);
        people.push(P::new(Relation::Spouse, sex, age, g));
        youngest_parent = youngest_parent.min(age);
    }
    let mut kids = 0;
    let mut parents = 0;
    let mut parent_sex = if rng.chance(0.6) { Sex::Female } else { Sex::Male };
    while people.len() < n {
        let child_ok = kids < 7 && youngest_parent >= 18;
        let parent_ok = parents < 2 && head_age + 20 <= 95 && head_age <= 62;
        let grand_ok = youngest_parent >= 38;
        let w = [
            if child_ok { if head_age < 60 { 8.0 } else { 3.0 } } else { 0.0 },
            if parent_ok { if head_age < 45 { 1.5 } else { 0.8 } } else { 0.0 },
            if grand_ok { if youngest_parent >= 50 { 4.0 } else { 1.0 } } else { 0.0 },
            0.3,
            0.15,
        ];
        match rng.weighted_index(&w) {
            0 => {
                let age = rng.range((youngest_parent - 42).max(0), youngest_parent - 18);
                let sex = if rng.chance(0.51) { Sex::Male } else { Sex::Female };
                people.push(P::new(Relation::Child, sex, age, head_group));
                kids += 1;
            }
            1 => {
                let age = (head_age + rng.range(20, 35)).min(95);
                people.push(P::new(Relation::Parent, parent_sex, age, head_group));
                parent_sex = if parent_sex == Sex::Male { Sex::Female } else { Sex::Male };
                parents += 1;
            }
            2 => {
                let age = rng.range(0, (youngest_parent - 38).min(17));
                let sex = if rng.chance(0.51) { Sex::Male } else { Sex::Female };
                people.push(P::new(Relation::Grandchild, sex, age, head_group));
            }
            3 => {
                let age = (head_age + rng.range(-12, 12)).clamp(6, 90);
                let sex = if rng.chance(0.5) { Sex::Male } else { Sex::Female };
                people.push(P::new(Relation::Sibling, sex, age, head_group));
            }
            _ => {
                let age = rng.range(6, 80);
                let sex = if rng.chance(0.5) { Sex::Male } else { Sex::Female };
                people.push(P::new(Relation::Other, sex, age, head_group));
            }
        }
    }
    // Children take the father's group (the head's, or the spouse's when the head is a woman).
    if let Some(father_group) = people
        .iter()
        .find(|p| p.sex == Sex::Male && matches!(p.rel, Relation::Head | Relation::Spouse))
        .map(|p| p.group)
    {
        for p in people.iter_mut().filter(|p| p.rel == Relation::Child) {
            p.group = father_group;
        }
    }
}

/// Gives every member a family name (surname or clan): children take the father's (the
/// mother's for matrilineal groups), the head's parents and siblings share the head's line.
fn assign_families(people: &mut [P], region: Region, rng: &mut Rng) {
    let style = |g: u8| groups()[g as usize].style;
    let head = 0;
    people[head].family = names::family(style(people[head].group), region, rng);
    let spouse = people.iter().position(|p| p.rel == Relation::Spouse);
    if let Some(s) = spouse {
        people[s].family = names::family(style(people[s].group), region, rng);
    }
    let father = [Some(head), spouse].into_iter().flatten().find(|&i| people[i].sex == Sex::Male);
    let mother = [Some(head), spouse].into_iter().flatten().find(|&i| people[i].sex == Sex::Female);
    let mut child_family: Option<&'static str> = None;
    for i in 1..people.len() {
        let g = people[i].group;
        let st = style(g);
        let fam = match people[i].rel {
            Relation::Spouse => continue,
            Relation::Child => {
                let line = if st.matrilineal() { mother.or(father) } else { father.or(mother) };
                let f = match line {
                    Some(l) if people[l].group == g => people[l].family,
                    _ => names::family(st, region, rng),
                };
                child_family.get_or_insert(f);
                f
            }
            Relation::Parent => {
                // The parent through whom the head's family runs shares it.
                let lineal = if st.matrilineal() { Sex::Female } else { Sex::Male };
                if people[i].sex == lineal && people[head].group == g {
                    people[head].family
                } else {
                    names::family(st, region, rng)
                }
            }
            Relation::Grandchild => match child_family {
                Some(f) => f,
                None => {
                    let lineal = if st.matrilineal() { Sex::Female } else { Sex::Male };
                    if people[head].sex == lineal && people[head].group == g {
                        people[head].family
                    } else {
                        names::family(st, region, rng)
                    }
                }
            },
            Relation::Sibling if people[head].group == g => people[head].family,
            _ => names::family(st, region, rng),
        };
        people[i].family = fam;
    }
}

/// The NLNDN answer (*hộ làm nông, lâm, ngư, diêm nghiệp*, Phiếu C) of a synthetic household:
/// recorded for middle-living households only (the only ones it changes a form for), "yes" for
/// [`NLNDN_SHARE_RURAL`] of rural and [`NLNDN_SHARE_URBAN`] of urban ones — assumptions
/// (docs/synthetic-data.md §6), drawn from a hash of the household's place, not from its random
/// stream, so every other answer is what it was.
fn nlndn_answer(class: Class, area: Area, seed: u64, commune: u32, seq: u64) -> vuonlen_core::schema::Recorded {
    let mut r = vuonlen_core::schema::Recorded::default();
    if class != Class::Middle {
        return r;
    }
    let Some(i) = vuonlen_core::schema::recorded_fields().find(|f| f.key == "nlndn").and_then(|f| f.recorded_index())
    else {
        return r;
    };
    let share = if area == Area::Rural { NLNDN_SHARE_RURAL } else { NLNDN_SHARE_URBAN };
    let u = crate::rng::splitmix(seed ^ 0x4e4c_4e44_4e00 ^ u64::from(commune) << 24 ^ seq) % 1000;
    r.set(i, Some(if u < share { "1" } else { "0" }.to_string()));
    r
}

/// Shares (per mille) of middle-living households answering NLNDN "yes": an assumption, no
/// source gives them.
const NLNDN_SHARE_RURAL: u64 = 700;
const NLNDN_SHARE_URBAN: u64 = 100;
