//! The same configuration gives the same households; a household does not depend on how many
//! others are generated.

use chrono::NaiveDate;
use std::collections::HashMap;
use vuonlen_synth::{SynthConfig, Synthetic, generate};

fn run(cfg: &SynthConfig) -> Vec<Synthetic> {
    generate(cfg).expect("generator starts").collect()
}

#[test]
fn same_seed_same_output() {
    let cfg = SynthConfig { households: 3_000, seed: 11, ..SynthConfig::default() };
    let a = run(&cfg);
    let b = run(&cfg);
    assert_eq!(a.len(), 3_000);
    assert_eq!(a, b);
    // Byte for byte, including every string and float.
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
}

#[test]
fn different_seed_different_output() {
    let a = run(&SynthConfig { households: 500, seed: 1, ..SynthConfig::default() });
    let b = run(&SynthConfig { households: 500, seed: 2, ..SynthConfig::default() });
    // Same communes and ids (the allocation does not depend on the seed) …
    let ids = |v: &[Synthetic]| v.iter().map(|s| s.record.household_code.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&a), ids(&b));
    // … but different households.
    let same = a.iter().zip(&b).filter(|(x, y)| x.record == y.record).count();
    assert_eq!(same, 0);
}

#[test]
fn households_do_not_depend_on_the_run_size() {
    let small = run(&SynthConfig { households: 800, seed: 5, province: Some("14".into()), ..SynthConfig::default() });
    let large = run(&SynthConfig { households: 2_000, seed: 5, province: Some("14".into()), ..SynthConfig::default() });
    let by_id: HashMap<&str, &Synthetic> = large.iter().map(|s| (s.record.household_code.as_str(), s)).collect();
    for s in &small {
        let other = by_id.get(s.record.household_code.as_str()).expect("the larger run has every smaller-run id");
        assert_eq!(*other, s);
    }
}

/// The registry refuses an import where two households share an ID number, or share a person
/// (folded name and full birth date) in one commune — the 2025 commune it places the recorded
/// one in: synthetic data must never do either, before and after the 2025 reorganisation.
#[test]
fn no_shared_id_numbers_or_people() {
    // A small province, so that communes are crowded (about 2,000 households each), and Hà Nội,
    // where many 2024 wards merged.
    for (province, n) in [("11", 60_000), ("01", 150_000)] {
        for as_of in [(2024, 12, 31), (2025, 12, 31)] {
            let as_of = NaiveDate::from_ymd_opt(as_of.0, as_of.1, as_of.2).expect("date");
            let cfg = SynthConfig { households: n, seed: 3, province: Some(province.into()), as_of };
            no_shared_people(&run(&cfg));
        }
    }
}

fn no_shared_people(all: &[Synthetic]) {
    use std::collections::HashSet;
    use vuonlen_core::BirthDate;
    use vuonlen_core::text::fold;
    use vuonlen_core::units::AdminUnits;
    let units = AdminUnits::get();
    let mut ids = HashSet::new();
    let mut people = HashSet::new();
    let (mut with_id, mut dated) = (0, 0);
    for s in all {
        let recorded = s.record.commune_code.as_str();
        let placed = if s.commune_2025 == recorded {
            recorded
        } else {
            units.successors(recorded).iter().min().copied().unwrap_or(recorded)
        };
        for (m, p) in s.record.members() {
            if let Some(id) = &p.id_number {
                with_id += 1;
                assert!(ids.insert(id.clone()), "ID number {id} given twice");
            }
            if let BirthDate::Date(d) = m.birth {
                dated += 1;
                let who = (placed, fold(&p.full_name), d);
                assert!(people.insert(who), "{}: a namesake born the same day in the commune", s.record.household_code);
            }
        }
    }
    // Most people have both (so the checks above are not vacuous).
    let members: usize = all.iter().map(|s| s.record.members.len()).sum();
    assert!(with_id * 10 > members * 8 && dated * 10 > members * 7, "{with_id} IDs, {dated} dates of {members}");
}
