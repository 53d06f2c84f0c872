//! `--province`: only that province's communes, all of them, with the requested count.

use std::collections::HashSet;
use vuonlen_core::codes::Area;
use vuonlen_core::units::AdminUnits;
use vuonlen_synth::{Region, SynthConfig, generate};

#[test]
fn only_the_provinces_communes() {
    let units = AdminUnits::get();
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
            let c = &s.record.commune_code;
            let p = units.y2025.province_of_commune(c).expect("a 2025 commune");
            assert_eq!(p.code, code, "{c}");
            let unit = &units.y2025.communes[c.as_str()];
            assert_eq!(s.record.household.area == Area::Urban, unit.is_urban(), "{c}");
            assert!(s.record.address.contains(unit.name), "{}", s.record.address);
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
    let codes: Vec<String> = generate(&cfg).expect("starts").map(|s| s.record.commune_code).collect();
    assert!(codes.windows(2).all(|w| w[0] <= w[1]));
}
