//! Property tests of the classification rules over random households.

use chrono::NaiveDate;
use proptest::prelude::*;
use vuonlen_core::codes::*;
use vuonlen_core::ethnicity::Ethnicity;
use vuonlen_core::measures::AlkireFoster;
use vuonlen_core::{BirthDate, Household, Member, Standard, Standards, classify};

fn at() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 12, 31).expect("date")
}

fn standards() -> Vec<std::sync::Arc<Standard>> {
    let r = Standards::embedded().expect("load");
    r.standards().to_vec()
}

fn pick<T: Copy + std::fmt::Debug + 'static>(all: &'static [T]) -> impl Strategy<Value = T> {
    (0..all.len()).prop_map(move |i| all[i])
}

fn member_strategy() -> impl Strategy<Value = Member> {
    (
        (0i32..95, 1u32..365, pick(Sex::ALL), pick(Employment::ALL), pick(Education::ALL), any::<bool>()),
        (
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            pick(Disability::ALL),
            any::<bool>(),
            any::<bool>(),
        ),
        (0u8..5, any::<bool>()),
    )
        .prop_map(
            |(
                (age, doy, sex, employment, education, ins),
                (able, school, on_track, maln, dis, allow, merit),
                (eth, year_only),
            )| {
                let birth = if year_only {
                    BirthDate::Year(2024 - age)
                } else {
                    let date = NaiveDate::from_yo_opt(2024 - age, doy).expect("day of year");
                    BirthDate::Date(date)
                };
                Member {
                    member_no: 0,
                    relation: Relation::Child,
                    sex,
                    birth,
                    ethnicity: [Ethnicity::KINH, Ethnicity(2), Ethnicity(8), Ethnicity(5), Ethnicity::UNLISTED]
                        [eth as usize],
                    health_insurance: ins,
                    employment,
                    able_to_work: able,
                    education,
                    in_school: school,
                    school_on_track: Some(on_track),
                    malnourished: Some(maln),
                    disability: dis,
                    social_allowance: allow,
                    merit,
                }
            },
        )
}

fn household_strategy() -> impl Strategy<Value = Household> {
    (
        (pick(Area::ALL), 0i64..4_000_000, proptest::option::of(60i32..250), any::<bool>(), 0u8..4, 0.0f64..120.0),
        (pick(WaterSource::ALL), pick(Latrine::ALL), any::<bool>(), any::<bool>(), proptest::option::of(any::<bool>())),
        proptest::collection::vec(member_strategy(), 1..9),
    )
        .prop_map(
            |((area, income, score, use_income, durable, area_m2), (water, latrine, net, info, waste), mut members)| {
                for (i, m) in members.iter_mut().enumerate() {
                    m.member_no = i as u16 + 1;
                    m.relation = if i == 0 { Relation::Head } else { Relation::Child };
                }
                Household {
                    area,
                    income_per_capita: if use_income || score.is_none() { Some(income) } else { None },
                    score_a: score,
                    durable_structures: durable,
                    floor_area_m2: (area_m2 * 10.0).round() / 10.0,
                    water_source: water,
                    latrine,
                    internet_user: net,
                    info_devices: info,
                    waste_treatment: waste,
                    members,
                }
            },
        )
}

/// Ways to make a household worse off in exactly one answer.
fn worsen(hh: &mut Household, op: u8, member: usize) {
    let m = member % hh.members.len();
    match op % 10 {
        0 => hh.water_source = WaterSource::Surface,
        1 => hh.latrine = Latrine::None,
        2 => hh.internet_user = false,
        3 => hh.info_devices = false,
        4 => hh.durable_structures = hh.durable_structures.saturating_sub(1),
        5 => hh.floor_area_m2 /= 2.0,
        6 => hh.members[m].health_insurance = false,
        7 => hh.members[m].employment = Employment::Unemployed,
        8 => hh.members[m].malnourished = Some(true),
        _ => hh.waste_treatment = Some(false),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn more_income_never_makes_the_class_worse(hh in household_strategy(), extra in 0i64..3_000_000) {
        for std in standards() {
            let mut hh = hh.clone();
            hh.score_a = None;
            let base = hh.income_per_capita.unwrap_or(0);
            hh.income_per_capita = Some(base);
            let Ok(before) = classify(&std, &hh, at()) else { continue };
            hh.income_per_capita = Some(base + extra);
            let after = classify(&std, &hh, at()).expect("still classifiable");
            prop_assert!(after.class >= before.class, "{}: {:?} -> {:?}", std.id, before.class, after.class);
        }
    }

    #[test]
    fn a_higher_score_a_never_makes_the_class_worse(hh in household_strategy(), extra in 0i32..100) {
        let std = Standards::embedded().expect("load").get("2022-2025").expect("exists");
        let mut hh = hh;
        hh.income_per_capita = None;
        let s = hh.score_a.unwrap_or(100);
        hh.score_a = Some(s);
        let before = classify(&std, &hh, at()).expect("classifiable");
        hh.score_a = Some(s + extra);
        let after = classify(&std, &hh, at()).expect("classifiable");
        prop_assert!(after.class >= before.class);
    }

    #[test]
    fn a_worse_answer_never_improves_the_class(hh in household_strategy(), op in 0u8..10, m in 0usize..9) {
        for std in standards() {
            let Ok(before) = classify(&std, &hh, at()) else { continue };
            let mut worse = hh.clone();
            worsen(&mut worse, op, m);
            let after = classify(&std, &worse, at()).expect("still classifiable");
            prop_assert!(after.class <= before.class, "{}: {:?} -> {:?}", std.id, before.class, after.class);
            prop_assert_eq!(after.deprived.0 & before.deprived.0, before.deprived.0, "deprivations only grow");
        }
    }

    #[test]
    fn member_order_does_not_matter(hh in household_strategy(), seed in any::<u64>()) {
        let mut shuffled = hh.clone();
        // Deterministic Fisher–Yates from the seed.
        let mut x = seed | 1;
        for i in (1..shuffled.members.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            let j = (x % (i as u64 + 1)) as usize;
            shuffled.members.swap(i, j);
        }
        for std in standards() {
            let a = classify(&std, &hh, at());
            let b = classify(&std, &shuffled, at());
            prop_assert_eq!(a, b);
        }
    }

    #[test]
    fn alkire_foster_identities(hhs in proptest::collection::vec(household_strategy(), 1..40)) {
        let std = Standards::embedded().expect("load").get("2022-2025").expect("exists");
        let mut af = AlkireFoster::new(&std);
        for hh in &hhs {
            if let Ok(c) = classify(&std, hh, at()) {
                af.add(&c, 1.0);
            }
        }
        prop_assert!((af.m0() - af.h() * af.a()).abs() < 1e-12);
        prop_assert!(af.h() <= 1.0 && af.a() <= 1.0);
        if af.m0() > 0.0 {
            let sum: f64 = (0..std.indicators.len()).map(|j| af.contribution(j)).sum();
            prop_assert!((sum - 1.0).abs() < 1e-9, "contributions sum to {}", sum);
            prop_assert!(af.a() >= 3.0 / 12.0);
        }
        for j in 0..std.indicators.len() {
            prop_assert!(af.censored_headcount(j) <= af.uncensored_headcount(j) + 1e-12);
        }
    }
}

#[test]
fn alkire_foster_on_a_known_set() {
    let std = Standards::embedded().expect("load").get("2022-2025").expect("exists");
    // Four households: deprived in 0, 3, 4 and 6 indicators.
    let mut af = AlkireFoster::new(&std);
    for mask in [0u32, 0b111, 0b1111, 0b11_1111] {
        let c = vuonlen_core::Classification {
            class: vuonlen_core::Class::NotPoor,
            income_test: vuonlen_core::IncomeTest::Income,
            compared_value: 0,
            line: 0,
            middle_upper: None,
            deprived: vuonlen_core::IndicatorSet(mask),
            score_b: 0,
            low_income: false,
            subgroups: Default::default(),
            persons: 1,
            area: Area::Rural,
        };
        af.add(&c, 1.0);
    }
    // q = 3 of n = 4; A = (3 + 4 + 6) / 12 / 3; M0 = 13 / 48.
    assert!((af.h() - 0.75).abs() < 1e-12);
    assert!((af.a() - 13.0 / 36.0).abs() < 1e-12);
    assert!((af.m0() - 13.0 / 48.0).abs() < 1e-12);
    assert!((af.censored_headcount(0) - 0.75).abs() < 1e-12);
    assert!((af.censored_headcount(5) - 0.25).abs() < 1e-12);
}
