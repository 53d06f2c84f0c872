//! `--province`: only that province's communes, all of them, with the requested count.

use std::collections::HashSet;
use vuonlen_core::codes::Area;
use vuonlen_core::units::AdminUnits;
use vuonlen_synth::{Region, SynthConfig, generate};

#[test]
fn only_the_provinces_communes() {
    let units = AdminUnits::get();
    let continued: HashSet<&str> =
        units.y2024.communes.keys().flat_map(|old| units.successors(old).iter().copied()).collect();
    for (code, region) in
        [("14", Some(Region::NorthernMidlandsMountains)), ("79", None), ("96", Some(Region::MekongDelta))]
    {
        let cfg = SynthConfig { households: 20_000, seed: 3, province: Some(code.into()), ..SynthConfig::default() };
        let g = generate(&cfg).expect("generator starts");
        let planned: HashSet<&str> = g.plan().map(|(c, _)| c).collect();
        let mut seen = HashSet::new();
        let mut n = 0;
        for s in g {
            n += 1;
            let c = &s.commune_2025.to_string();
            let p = units.y2025.province_of_commune(c).expect("a 2025 commune");
            assert_eq!(p.code, code, "{c}");
            let unit = &units.y2025.communes[c.as_str()];
            assert_eq!(s.record.household.area == Area::Urban, unit.is_urban(), "{c}");
            // At the default date (2024-12-31) the recorded commune is a 2024 one the lineage
            // continues in the 2025 commune, named in the address.
            let recorded = s.record.commune_code.as_str();
            match units.y2024.communes.get(recorded) {
                Some(old) => {
                    // The lineage continues the recorded commune here, unless it continues no
                    // 2024 commune here at all (a few dozen 2025 communes).
                    assert!(
                        units.successors(recorded).contains(&s.commune_2025) || !continued.contains(s.commune_2025),
                        "{recorded} → {c}"
                    );
                    assert!(s.record.address.contains(old.name), "{}", s.record.address);
                }
                None => {
                    // A 2025 commune the lineage continues no 2024 commune in keeps its code.
                    assert_eq!(recorded, s.commune_2025);
                    assert!(!continued.contains(s.commune_2025), "{c}");
                    assert!(s.record.address.contains(unit.name), "{}", s.record.address);
                }
            }
            if let Some(r) = region {
                assert_eq!(s.region, r);
            }
            seen.insert(c.clone());
        }
        assert_eq!(n, 20_000);
        let all: HashSet<&str> = units
            .y2025
            .communes
            .keys()
            .copied()
            .filter(|c| units.y2025.province_of_commune(c).is_some_and(|p| p.code == code))
            .collect();
        assert_eq!(planned, all, "every commune of {code} is planned");
        assert_eq!(seen.len(), all.len(), "every commune of {code} gets households");
    }
}

#[test]
fn output_is_grouped_by_commune_in_code_order() {
    let cfg = SynthConfig { households: 10_000, seed: 8, ..SynthConfig::default() };
    let codes: Vec<&str> = generate(&cfg).expect("starts").map(|s| s.commune_2025).collect();
    assert!(codes.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn the_recorded_commune_follows_the_list_in_force() {
    let units = AdminUnits::get();
    let at = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).expect("date");
    let cfg = SynthConfig { households: 5_000, seed: 5, province: Some("01".into()), as_of: at(2025, 6, 30) };
    let (mut placed_here, mut n) = (0, 0);
    for s in generate(&cfg).expect("starts") {
        let recorded = s.record.commune_code.as_str();
        let r = units.resolve(recorded, cfg.as_of).expect("a known code");
        assert_eq!(r.list, vuonlen_core::units::UnitList::Y2024, "{recorded}: a 2024 commune on 30 June 2025");
        // The registry places a 2024 commune in its first successor (smallest code).
        if units.successors(recorded).iter().min() == Some(&s.commune_2025) {
            placed_here += 1;
        }
        n += 1;
    }
    assert!(placed_here * 100 >= n * 95, "{placed_here} of {n} placed in the commune they were built for");
    let cfg = SynthConfig { as_of: at(2025, 7, 1), ..cfg };
    for s in generate(&cfg).expect("starts") {
        assert_eq!(s.record.commune_code, s.commune_2025, "2025 list from 1 July 2025");
    }
}

/// Middle-living households carry the NLNDN answer (form 1's middle columns), far more often in
/// the countryside; no other household carries it.
#[test]
fn middle_living_households_answer_nlndn() {
    use vuonlen_core::Class;
    let i = vuonlen_core::schema::recorded_fields().find(|f| f.key == "nlndn").and_then(|f| f.recorded_index());
    let i = i.expect("nlndn is a recorded field");
    let cfg = SynthConfig { households: 20_000, seed: 5, province: Some("79".into()), ..SynthConfig::default() };
    // [rural, urban] × [yes, answered]
    let mut counts = [[0u64; 2]; 2];
    for s in generate(&cfg).expect("generator starts") {
        let answer = s.record.recorded.flag(i);
        if s.intended != Class::Middle {
            assert_eq!(answer, None, "{}", s.record.household_code);
            continue;
        }
        let a = usize::from(s.record.household.area == Area::Urban);
        let yes = answer.expect("a middle-living household answers");
        counts[a][0] += u64::from(yes);
        counts[a][1] += 1;
    }
    let share = |c: [u64; 2]| c[0] as f64 / c[1].max(1) as f64;
    assert!(counts[0][1] > 50 && counts[1][1] > 50, "{counts:?}");
    assert!((0.6..0.8).contains(&share(counts[0])), "rural {counts:?}");
    assert!((0.03..0.2).contains(&share(counts[1])), "urban {counts:?}");
}
