//! Property tests of the report tallies: the movement identity (reports 2 and 3) for any input,
//! and merging of unit tallies (reports 1, 4–11).

use chrono::NaiveDate;
use proptest::prelude::*;
use vuonlen_core::classify::Subgroups;
use vuonlen_core::codes::PovertyCause;
use vuonlen_core::ethnicity::Ethnicity;
use vuonlen_core::movement::{
    HouseholdPath, MovementCounts, MovementTally, NearPoorMovement, PoorMovement, Restructuring,
};
use vuonlen_core::report::{ChildCounts, ChildTotals, Group, HouseholdFacts, Subgroup, UnitTally};
use vuonlen_core::{Class, IndicatorSet};

fn class() -> impl Strategy<Value = Class> {
    (0usize..4).prop_map(|i| Class::ALL[i])
}

fn path() -> impl Strategy<Value = HouseholdPath> {
    (
        proptest::option::of(class()),
        proptest::option::of(class()),
        0u32..40,
        0u32..40,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(start, end, persons_start, persons_end, was_poor_before_start, was_near_poor_before_start, arrived)| {
                HouseholdPath {
                    start,
                    end,
                    persons_start,
                    persons_end,
                    was_poor_before_start,
                    was_near_poor_before_start,
                    arrived,
                }
            },
        )
}

fn restructuring() -> impl Strategy<Value = Restructuring> {
    proptest::array::uniform6(any::<bool>()).prop_map(|b| Restructuring {
        split_off: b[0],
        split_origin: b[1],
        absorbed: b[2],
        merged_away: b[3],
        from_poor: b[4],
        from_near_poor: b[5],
    })
}

fn facts() -> impl Strategy<Value = HouseholdFacts> {
    (
        class(),
        1u32..15,
        any::<u32>(),
        proptest::array::uniform6(any::<bool>()),
        0u8..70,
        any::<u16>(),
        (0u32..6, 0u32..6, 0u32..6, 0u32..6, 0u32..6),
    )
        .prop_map(|(class, persons, bits, s, eth, causes, (children, a, b, c, e))| HouseholdFacts {
            class,
            persons,
            deprived: IndicatorSet(bits & 0xfff),
            subgroups: Subgroups {
                no_labour_capacity: s[0],
                ethnic_minority: s[1],
                merit: s[2],
                children: s[3],
                elderly: s[4],
                disabled: s[5],
            },
            head_ethnicity: Ethnicity(eth),
            causes,
            form8: 0,
            nlndn: false,
            children: ChildCounts {
                children,
                no_health_insurance: a.min(children),
                malnourished: b.min(children),
                not_in_school: c.min(children),
                schooling_deprived: e.min(children),
            },
        })
}

fn check_identity(m: &MovementCounts) -> Result<(), TestCaseError> {
    for row in [&m.households, &m.persons] {
        prop_assert_eq!(MovementCounts::computed_end(row), i128::from(row[8]), "row {:?}", row);
    }
    prop_assert!(m.identity_holds());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn movement_identity_holds_for_any_input(paths in proptest::collection::vec(path(), 0..60)) {
        let mut t = MovementTally::new();
        for p in &paths {
            t.add(p);
            check_identity(&t.poor)?;
            check_identity(&t.near_poor)?;
        }
        // Column 1 and 9 are the group at the start and at the end, counted directly.
        let count = |f: &dyn Fn(&HouseholdPath) -> bool| paths.iter().filter(|p| f(p)).count() as u64;
        prop_assert_eq!(t.poor.households[0], count(&|p| p.start == Some(Class::Poor)));
        prop_assert_eq!(t.poor.households[8], count(&|p| p.end == Some(Class::Poor)));
        prop_assert_eq!(t.near_poor.households[0], count(&|p| p.start == Some(Class::NearPoor)));
        prop_assert_eq!(t.near_poor.households[8], count(&|p| p.end == Some(Class::NearPoor)));
        let persons_end: u64 =
            paths.iter().filter(|p| p.end == Some(Class::Poor)).map(|p| u64::from(p.persons_end)).sum();
        prop_assert_eq!(t.poor.persons[8], persons_end);
        // The two reports agree on the households moving between them (persons may differ:
        // a leaving household counts its persons at the start, a joining one at the end).
        prop_assert_eq!(t.poor.households[1], t.near_poor.households[4]);
        prop_assert_eq!(t.poor.households[4], t.near_poor.households[2]);
    }

    /// What the registry does: GROUP BY the shared columns, then add each group at once.
    #[test]
    fn adding_grouped_households_equals_adding_them_one_by_one(
        kinds in proptest::collection::vec(facts(), 1..6),
        picks in proptest::collection::vec((0usize..6, 1u32..15, 0u32..4), 0..80),
    ) {
        let mut one_by_one = UnitTally::new();
        let mut groups: Vec<(u64, u64, ChildTotals)> = vec![(0, 0, ChildTotals::default()); kinds.len()];
        for (k, persons, children) in picks {
            let k = k % kinds.len();
            let f = HouseholdFacts {
                persons,
                children: ChildCounts { children, not_in_school: children.min(1), ..kinds[k].children },
                ..kinds[k]
            };
            one_by_one.add(&f);
            groups[k].0 += 1;
            groups[k].1 += u64::from(persons);
            groups[k].2.add(&f.children);
        }
        let mut grouped = UnitTally::new();
        for (f, (n, persons, children)) in kinds.iter().zip(&groups) {
            if *n > 0 {
                grouped.add_many(f, *n, *persons, children);
            }
        }
        prop_assert_eq!(grouped, one_by_one);
    }

    #[test]
    fn each_household_is_in_at_most_one_column(p in path()) {
        let poor = PoorMovement::of(&p);
        let in_start = p.start == Some(Class::Poor);
        let in_end = p.end == Some(Class::Poor);
        prop_assert_eq!(poor.column().is_some(), in_start != in_end);
        if let Some(c) = poor.column() {
            prop_assert_eq!(c <= 4, in_start, "columns 2–4 are decreases, 5–8 increases");
        }
        let near = NearPoorMovement::of(&p);
        let in_start = p.start == Some(Class::NearPoor);
        let in_end = p.end == Some(Class::NearPoor);
        prop_assert_eq!(near.column().is_some(), in_start != in_end);
        if let Some(c) = near.column() {
            prop_assert_eq!(c <= 4, in_start);
        }
    }

    #[test]
    fn splits_and_merges_keep_the_identity_and_one_column(
        paths in proptest::collection::vec((path(), restructuring()), 0..60)
    ) {
        let mut t = MovementTally::new();
        for (p, r) in &paths {
            t.add_restructured(p, r);
            let poor = PoorMovement::of_restructured(p, r);
            let base = PoorMovement::of(p);
            prop_assert_eq!(poor.column().is_some(), base.column().is_some());
            prop_assert_eq!(poor.column().map(|c| c <= 4), base.column().map(|c| c <= 4), "same side");
            let near = NearPoorMovement::of_restructured(p, r);
            let base = NearPoorMovement::of(p);
            prop_assert_eq!(near.column().map(|c| c <= 4), base.column().map(|c| c <= 4), "same side");
            if r.is_none() {
                prop_assert_eq!(poor, PoorMovement::of(p));
                prop_assert_eq!(near, base);
            }
        }
        check_identity(&t.poor)?;
        check_identity(&t.near_poor)?;
        // Columns 5 and 3, 2 and 5 still agree between the reports.
        prop_assert_eq!(t.poor.households[1], t.near_poor.households[4]);
        prop_assert_eq!(t.poor.households[4], t.near_poor.households[2]);
    }

    #[test]
    fn movement_merge_equals_one_pass(paths in proptest::collection::vec(path(), 0..60), cut in 0usize..60) {
        let cut = cut.min(paths.len());
        let (mut a, mut b, mut whole) = (MovementTally::new(), MovementTally::new(), MovementTally::new());
        for (i, p) in paths.iter().enumerate() {
            whole.add(p);
            if i < cut { a.add(p) } else { b.add(p) }
        }
        a.merge(&b);
        prop_assert_eq!(a, whole);
        check_identity(&a.poor)?;
        check_identity(&a.near_poor)?;
    }

    #[test]
    fn unit_tally_merge_and_totals(all in proptest::collection::vec(facts(), 0..80), cut in 0usize..80) {
        let cut = cut.min(all.len());
        let (mut a, mut b, mut whole) = (UnitTally::new(), UnitTally::new(), UnitTally::new());
        for (i, f) in all.iter().enumerate() {
            whole.add(f);
            if i < cut { a.add(f) } else { b.add(f) }
        }
        a.merge(&b);
        prop_assert_eq!(&a, &whole);
        let t = whole;
        prop_assert_eq!(t.households_by_class.iter().sum::<u64>(), t.households);
        prop_assert_eq!(t.persons_by_class.iter().sum::<u64>(), t.persons);
        prop_assert_eq!(t.ethnicity_households.iter().sum::<u64>(), t.households);
        for g in Group::ALL {
            let gt = t.group(g);
            prop_assert_eq!(gt.households, t.households_in(g.class()));
            prop_assert_eq!(gt.persons, t.persons_in(g.class()));
            prop_assert_eq!(gt.deprived.iter().sum::<u64>(), gt.deprivations);
            prop_assert_eq!(gt.ethnicity_households.iter().sum::<u64>(), gt.households);
            prop_assert_eq!(gt.ethnicity_persons.iter().sum::<u64>(), gt.persons);
            for s in Subgroup::ALL {
                prop_assert!(gt.in_subgroup(s) <= gt.households);
            }
            for c in PovertyCause::ALL {
                prop_assert!(gt.citing(*c) + gt.no_cause_households <= gt.households);
            }
            prop_assert!(gt.children.no_health_insurance <= gt.children.children);
        }
    }
}

#[test]
fn facts_from_a_classified_household() {
    use vuonlen_core::codes::*;
    use vuonlen_core::{BirthDate, Household, Member, Standards, classify};
    let at = NaiveDate::from_ymd_opt(2025, 12, 31).expect("date");
    let std = Standards::embedded().expect("load").get("2022-2025").expect("exists");
    let tay = Ethnicity::parse("Tày").expect("listed");
    let member = |no: u16, year: i32| Member {
        member_no: no,
        relation: if no == 1 { Relation::Head } else { Relation::Child },
        sex: Sex::Male,
        birth: BirthDate::Year(year),
        ethnicity: if no == 1 { tay } else { Ethnicity::KINH },
        health_insurance: no != 2,
        employment: if no == 1 { Employment::Unemployed } else { Employment::Student },
        able_to_work: true,
        education: Education::Primary,
        in_school: no == 3,
        school_on_track: Some(no == 3),
        malnourished: Some(no == 2),
        disability: Disability::None,
        social_allowance: false,
        merit: false,
    };
    let hh = Household {
        area: Area::Rural,
        income_per_capita: Some(900_000),
        score_a: None,
        durable_structures: 1,
        floor_area_m2: 12.0,
        water_source: WaterSource::Surface,
        latrine: Latrine::None,
        internet_user: false,
        info_devices: false,
        waste_treatment: None,
        members: vec![member(1, 1985), member(2, 2015), member(3, 2012)],
    };
    let c = classify(&std, &hh, at).expect("classifiable");
    assert_eq!(c.class, Class::Poor);
    let f = HouseholdFacts::new(&c, &hh, &[PovertyCause::NoCapital], at);
    assert_eq!(f.head_ethnicity, tay);
    assert_eq!(f.persons, 3);
    assert_eq!(f.deprived, c.deprived);
    assert!(f.subgroups.ethnic_minority);
    assert_eq!(f.causes, 1 << (PovertyCause::NoCapital as u16));
    assert_eq!(
        f.children,
        ChildCounts { children: 2, no_health_insurance: 1, malnourished: 1, not_in_school: 1, schooling_deprived: 1 }
    );
    let mut t = UnitTally::new();
    t.add(&f);
    assert_eq!(t.group(Group::Poor).with_head(tay), 1);
    assert_eq!(t.group(Group::Poor).minority_households(), 1);
}

/// Adds a million households; run with `--release --ignored` to time it.
#[test]
#[ignore]
fn a_million_households() {
    let mut t = UnitTally::new();
    let start = std::time::Instant::now();
    for i in 0..1_000_000u32 {
        t.add(&HouseholdFacts {
            class: Class::ALL[(i % 7 % 4) as usize],
            persons: 1 + i % 6,
            deprived: IndicatorSet(i.wrapping_mul(2_654_435_761) & 0xfff),
            subgroups: Subgroups { children: i % 3 == 0, ..Subgroups::default() },
            head_ethnicity: Ethnicity((i % 55) as u8),
            causes: (i % 256) as u16,
            form8: 0,
            nlndn: false,
            children: ChildCounts { children: i % 3, ..ChildCounts::default() },
        });
    }
    let elapsed = start.elapsed();
    assert_eq!(t.households, 1_000_000);
    eprintln!("1M households in {elapsed:?}");
}
