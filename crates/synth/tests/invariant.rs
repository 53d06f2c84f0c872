//! The key invariant: the real classifier gives each generated household exactly the class
//! and the deprivations it was built with; plus structural consistency of every record.

use chrono::{Datelike, NaiveDate};
use std::collections::HashSet;
use vuonlen_core::codes::{Relation, Sex};
use vuonlen_core::text::nfc;
use vuonlen_core::{BirthDate, Standards, classify};
use vuonlen_synth::{STANDARD_ID, SynthConfig, Synthetic, generate};

fn check_run(cfg: &SynthConfig) -> usize {
    let std = Standards::embedded().expect("embedded standards").get(STANDARD_ID).expect("2022-2025 standard");
    let mut ids = HashSet::new();
    let mut n = 0;
    for s in generate(cfg).expect("generator starts") {
        n += 1;
        let c = classify(&std, &s.record.household, cfg.as_of).expect("generated households classify");
        assert_eq!(c.class, s.intended, "{}: class", s.record.household_code);
        assert_eq!(c.deprived, s.deprived, "{}: deprived set", s.record.household_code);
        assert!(ids.insert(s.record.household_code.clone()), "duplicate id {}", s.record.household_code);
        check_structure(&s, cfg.as_of);
    }
    n
}

fn check_structure(s: &Synthetic, as_of: NaiveDate) {
    let r = &s.record;
    let hh = &r.household;
    let id = &r.household_code;
    assert!(id.starts_with(s.commune_2025), "{id}");
    assert_eq!(hh.members.len(), r.members.len(), "{id}");
    assert!((1..=9).contains(&hh.members.len()), "{id}");
    assert_eq!(hh.members.iter().filter(|m| m.relation == Relation::Head).count(), 1, "{id}");
    assert_eq!(hh.members[0].relation, Relation::Head, "{id}");
    assert_eq!(r.head_name, r.members[0].full_name, "{id}");
    assert!(hh.income_per_capita.is_some() != hh.score_a.is_some(), "{id}: exactly one income test");
    assert!(!r.village.is_empty() && r.address.contains(&r.village), "{id}");
    assert_eq!(nfc(&r.address), r.address.as_str());
    let age = |b: BirthDate| b.age_years(as_of);
    let head = &hh.members[0];
    let head_age = age(head.birth);
    assert!(head_age >= 18, "{id}: head aged {head_age}");
    let spouse = hh.members.iter().find(|m| m.relation == Relation::Spouse);
    if let Some(sp) = spouse {
        assert!(age(sp.birth) >= 18, "{id}");
        assert_ne!(sp.sex, head.sex, "{id}");
    }
    let youngest_parent = spouse.map_or(head_age, |sp| head_age.min(age(sp.birth)));
    for (i, (m, p)) in r.members().enumerate() {
        assert_eq!(usize::from(m.member_no), i + 1, "{id}");
        let a = age(m.birth);
        assert!((0..=100).contains(&a), "{id}: age {a}");
        assert!(m.birth.as_date() <= as_of, "{id}");
        match m.relation {
            Relation::Child => assert!(a <= youngest_parent - 16, "{id}: child {a}, parent {youngest_parent}"),
            Relation::Parent => assert!(a >= head_age + 16, "{id}: parent {a}, head {head_age}"),
            Relation::Grandchild => assert!(a <= head_age - 30, "{id}: grandchild {a}, head {head_age}"),
            _ => {}
        }
        if m.relation == Relation::Spouse || m.relation == Relation::Head {
            assert!(a >= 18, "{id}");
        }
        assert!(!p.full_name.is_empty(), "{id}");
        assert_eq!(nfc(&p.full_name), p.full_name.as_str(), "{id}");
        assert_eq!(m.ethnicity.name(), Some(p.ethnicity_name.as_str()), "{id}");
        if let Some(n) = &p.id_number {
            assert_eq!(n.len(), 12, "{id}: {n}");
            assert!(n.bytes().all(|b| b.is_ascii_digit()), "{id}: {n}");
            let y = m.birth.year();
            let century = if y >= 2000 { 2 } else { 0 } + u8::from(m.sex == Sex::Female);
            assert_eq!(n.as_bytes()[3] - b'0', century, "{id}: {n}");
            assert_eq!(&n[4..6], format!("{:02}", y % 100), "{id}: {n}");
            assert_eq!(&n[0..1], "0", "{id}: {n}");
        }
        // Schooling answers are present for the ages the rules ask them.
        if (3..16).contains(&a) {
            assert!(m.school_on_track.is_some(), "{id}");
        }
        if a < 16 {
            assert!(m.malnourished.is_some(), "{id}");
        }
    }
}

#[test]
fn classifier_agrees_on_50_000_households() {
    let mut total = 0;
    for seed in [1, 2, 3, 4, 5] {
        total += check_run(&SynthConfig { households: 10_000, seed, ..SynthConfig::default() });
    }
    assert_eq!(total, 50_000);
}

#[test]
fn classifier_agrees_at_another_date_and_in_a_province() {
    let as_of = NaiveDate::from_ymd_opt(2025, 10, 1).expect("date");
    assert_eq!(as_of.year(), 2025);
    let n = check_run(&SynthConfig { households: 5_000, seed: 77, province: Some("66".into()), as_of });
    assert_eq!(n, 5_000);
    // A leap day.
    let as_of = NaiveDate::from_ymd_opt(2024, 2, 29).expect("date");
    assert_eq!(check_run(&SynthConfig { households: 3_000, seed: 5, province: None, as_of }), 3_000);
}
