//! Calibration: 200,000 households land on the targets within 4 binomial standard errors.

use vuonlen_core::Class;
use vuonlen_synth::{
    MEAN_HOUSEHOLD_SIZE, MEAN_HOUSEHOLD_SIZE_POOR, Region, SynthConfig, calibration_targets, generate,
};

/// |observed − p| ≤ 4 standard errors of a proportion over `n` trials.
fn within(name: &str, hits: u64, n: u64, p: f64) {
    let obs = hits as f64 / n as f64;
    let se = (p * (1.0 - p) / n as f64).sqrt();
    assert!((obs - p).abs() <= 4.0 * se + 0.5 / n as f64, "{name}: observed {obs:.5}, target {p:.5} ± {:.5}", 4.0 * se);
}

#[test]
fn rates_land_on_the_targets() {
    let cfg = SynthConfig { households: 200_000, seed: 2024, ..SynthConfig::default() };
    let t = calibration_targets();
    let (mut hh, mut poor, mut near, mut em, mut em_poor) = ([0u64; 6], [0u64; 6], [0u64; 6], [0u64; 6], [0u64; 6]);
    let (mut persons, mut poor_persons) = (0u64, 0u64);
    for s in generate(&cfg).expect("generator starts") {
        let r = s.region.index();
        let is_em = s.ethnic_minority();
        let n = s.record.household.members.len() as u64;
        hh[r] += 1;
        em[r] += u64::from(is_em);
        persons += n;
        match s.intended {
            Class::Poor => {
                poor[r] += 1;
                em_poor[r] += u64::from(is_em);
                poor_persons += n;
            }
            Class::NearPoor => near[r] += 1,
            _ => {}
        }
    }
    let total: u64 = hh.iter().sum();
    assert_eq!(total, 200_000);
    for reg in Region::ALL {
        let i = reg.index();
        let rt = t.region(reg);
        // Households per region follow the 2024 totals exactly (largest remainder).
        let expected_hh = 200_000.0 * rt.households / t.households();
        assert!((hh[i] as f64 - expected_hh).abs() < 1.0, "{reg:?}: {} vs {expected_hh}", hh[i]);
        within(&format!("{reg:?} poor"), poor[i], hh[i], rt.poor_rate);
        within(&format!("{reg:?} near-poor"), near[i], hh[i], rt.near_poor_rate);
        within(&format!("{reg:?} EM share"), em[i], hh[i], rt.em_share);
    }
    let sum = |a: &[u64; 6]| a.iter().sum::<u64>();
    within("national poor", sum(&poor), total, t.poor_rate());
    within("national near-poor", sum(&near), total, t.near_poor_rate());
    within("EM poor rate", sum(&em_poor), sum(&em), t.em_poor_rate());
    within("EM share of poor", sum(&em_poor), sum(&poor), t.em_share_of_poor());
    let size = persons as f64 / total as f64;
    assert!((size - MEAN_HOUSEHOLD_SIZE).abs() <= 0.05, "mean household size {size}");
    let poor_size = poor_persons as f64 / sum(&poor) as f64;
    assert!((poor_size - MEAN_HOUSEHOLD_SIZE_POOR).abs() <= 0.1, "mean poor household size {poor_size}");
}
