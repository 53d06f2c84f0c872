//! Calibration: the official 2024 review figures the generator reproduces, and the modelling
//! assumptions that fill what is not published. `docs/synthetic-data.md` explains each number.
//!
//! Official figures are from the domain reference (`poverty-domain.md` §7), tagged there
//! `[V]`; everything named *assumption* below is ours.

use crate::region::Region;
use std::sync::OnceLock;

/// 2024 review, poor + near-poor households and their rate, by region (§7.2, \[V\]).
const PNP_2024: [(f64, f64); 6] = [
    (486_623.0, 0.1498),
    (97_755.0, 0.0140),
    (360_614.0, 0.0624),
    (152_970.0, 0.0945),
    (7_585.0, 0.0015),
    (153_450.0, 0.0314),
];

/// Official 2024 poor rates where published (§7.2, \[V\]): NMM and RRD only.
const POOR_2024_OFFICIAL: [Option<f64>; 6] = [Some(0.0872), Some(0.0050), None, None, None, None];

/// For the other regions: (poor rate, PNP rate) of the latest year with both (§7.2, \[V\]):
/// 2023 for NCCC and CH, 2022 for SE and Mekong. Their ratio is the poor share of PNP.
const POOR_SHARE_SOURCE: [(f64, f64); 6] =
    [(0.0, 1.0), (0.0, 1.0), (0.0383, 0.0803), (0.0640, 0.1246), (0.0021, 0.0034), (0.0226, 0.0573)];

/// National poor households, 2024 review (Decision 217/QĐ-BLĐTBXH, §7.1, \[V\]).
pub const NATIONAL_POOR_2024: f64 = 599_608.0;
/// National poor rate, 2024 review (§7.1, \[V\]); on a larger denominator than the regions'.
pub const NATIONAL_POOR_RATE_2024: f64 = 0.0193;
/// National PNP households, 2024 review (§7.1, \[V\]).
pub const NATIONAL_PNP_2024: f64 = 1_258_997.0;
/// Poor-household rate among ethnic-minority households, end 2024 (§7.3, \[V\]).
pub const EM_POOR_RATE_2024: f64 = 0.1255;
/// Average household size, census 2019 (§7.3, \[V\]).
pub const MEAN_HOUSEHOLD_SIZE: f64 = 3.6;
/// Average household size of the poorest quintile, VHLSS 2018 (§7.3, \[V\]); used for poor
/// households.
pub const MEAN_HOUSEHOLD_SIZE_POOR: f64 = 4.0;
/// Mean income, VND per person per month, VHLSS 2022 (§7.3, \[V\]).
pub const MEAN_INCOME_2022: f64 = 4_670_000.0;

/// Assumption: share of households with an ethnic-minority head, by region (rough 2019
/// census proportions).
const EM_SHARE: [f64; 6] = [0.56, 0.02, 0.10, 0.38, 0.05, 0.08];

/// Assumption: weight of a ward (*phường*) against a commune (*xã*, *đặc khu*) when spreading
/// a region's households over its units.
pub const WARD_WEIGHT: f64 = 1.5;

/// Assumption: the ethnic-minority share in wards is this fraction of the region's share
/// (the rural share rises so that the region's share is kept).
pub const EM_URBAN_FACTOR: f64 = 0.4;

/// Assumption: the poor and near-poor rates in wards are this fraction of the rural rates of
/// the same (region, ethnic group) cell, with the cell's rate kept (Phú Thọ 2025: 0.39% urban
/// vs 3.17% rural, §7.2).
pub const URBAN_POVERTY_FACTOR: f64 = 0.25;

/// Assumption: share of middle-living households (income above the line, within the
/// middle band) = `MIDDLE_SLOPE` × (poor + near-poor rate) + `MIDDLE_BASE`, per cell.
pub const MIDDLE_SLOPE: f64 = 1.2;
/// See [`MIDDLE_SLOPE`].
pub const MIDDLE_BASE: f64 = 0.03;

/// Assumption: share of households whose living standard was assessed by score A instead of
/// a measured income: poor and near-poor, and not-poor (middle households always carry an
/// income: the standard has no score band for them).
pub const SCORE_A_SHARE_PNP: f64 = 0.55;
/// See [`SCORE_A_SHARE_PNP`].
pub const SCORE_A_SHARE_NOT_POOR: f64 = 0.30;

/// The targets of one region.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionTarget {
    pub region: Region,
    /// Households implied by the 2024 review: PNP count ÷ PNP rate.
    pub households: f64,
    /// Official 2024 PNP households.
    pub pnp_count: f64,
    /// Official 2024 PNP rate.
    pub pnp_rate: f64,
    /// Poor rate: official for NMM and RRD, derived and scaled for the others.
    pub poor_rate: f64,
    /// Whether `poor_rate` is the official figure.
    pub poor_rate_official: bool,
    /// Near-poor rate = PNP rate − poor rate.
    pub near_poor_rate: f64,
    /// Middle-living rate (assumption, see [`MIDDLE_SLOPE`]), averaged over the region.
    pub middle_rate: f64,
    /// Share of households with an ethnic-minority head (assumption).
    pub em_share: f64,
    /// Poor rate among ethnic-minority-headed households.
    pub poor_rate_em: f64,
    /// Poor rate among Kinh-headed households.
    pub poor_rate_kinh: f64,
    /// Near-poor rate among ethnic-minority-headed households.
    pub near_poor_rate_em: f64,
    /// Near-poor rate among Kinh-headed households.
    pub near_poor_rate_kinh: f64,
}

/// Every target the generator is calibrated to.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationTargets {
    /// One row per region, in [`Region::ALL`] order.
    pub regions: [RegionTarget; 6],
    /// Factor applied to the derived poor rates of NCCC, CH, SE and Mekong so that the
    /// national poor count is the official one.
    pub derived_poor_scale: f64,
    /// Relative poverty risk of an ethnic-minority household against a Kinh household in the
    /// same region, solved so that the national EM poor rate is [`EM_POOR_RATE_2024`].
    pub em_relative_risk_poor: f64,
    /// The same for near-poverty (assumption: the square root of the poor one).
    pub em_relative_risk_near_poor: f64,
}

impl CalibrationTargets {
    /// The row of a region.
    pub fn region(&self, r: Region) -> &RegionTarget {
        &self.regions[r.index()]
    }

    /// Total households of the 2024 universe (sum over regions).
    pub fn households(&self) -> f64 {
        self.regions.iter().map(|r| r.households).sum()
    }

    fn weighted(&self, f: impl Fn(&RegionTarget) -> f64) -> f64 {
        self.regions.iter().map(|r| r.households * f(r)).sum::<f64>() / self.households()
    }

    /// National poor rate in this universe (= official count ÷ summed regional households).
    pub fn poor_rate(&self) -> f64 {
        self.weighted(|r| r.poor_rate)
    }

    /// National near-poor rate in this universe.
    pub fn near_poor_rate(&self) -> f64 {
        self.weighted(|r| r.near_poor_rate)
    }

    /// National middle-living rate in this universe.
    pub fn middle_rate(&self) -> f64 {
        self.weighted(|r| r.middle_rate)
    }

    /// National share of ethnic-minority-headed households.
    pub fn em_share(&self) -> f64 {
        self.weighted(|r| r.em_share)
    }

    /// National poor rate among ethnic-minority-headed households (≈ [`EM_POOR_RATE_2024`]).
    pub fn em_poor_rate(&self) -> f64 {
        self.weighted(|r| r.em_share * r.poor_rate_em) / self.em_share()
    }

    /// National near-poor rate among ethnic-minority-headed households.
    pub fn em_near_poor_rate(&self) -> f64 {
        self.weighted(|r| r.em_share * r.near_poor_rate_em) / self.em_share()
    }

    /// Share of poor households that have an ethnic-minority head.
    pub fn em_share_of_poor(&self) -> f64 {
        self.weighted(|r| r.em_share * r.poor_rate_em) / self.poor_rate()
    }
}

/// The targets (computed once).
pub fn calibration_targets() -> &'static CalibrationTargets {
    static T: OnceLock<CalibrationTargets> = OnceLock::new();
    T.get_or_init(compute)
}

fn em_split(rate: f64, s: f64, rr: f64) -> (f64, f64) {
    let kinh = rate / (s * rr + 1.0 - s);
    (kinh * rr, kinh)
}

fn compute() -> CalibrationTargets {
    let households: [f64; 6] = std::array::from_fn(|i| PNP_2024[i].0 / PNP_2024[i].1);
    // Poor rates: official where published, else PNP rate × poor share of PNP, scaled.
    let raw: [f64; 6] = std::array::from_fn(|i| match POOR_2024_OFFICIAL[i] {
        Some(p) => p,
        None => PNP_2024[i].1 * POOR_SHARE_SOURCE[i].0 / POOR_SHARE_SOURCE[i].1,
    });
    let fixed: f64 = (0..6).filter(|&i| POOR_2024_OFFICIAL[i].is_some()).map(|i| raw[i] * households[i]).sum();
    let derived: f64 = (0..6).filter(|&i| POOR_2024_OFFICIAL[i].is_none()).map(|i| raw[i] * households[i]).sum();
    let scale = (NATIONAL_POOR_2024 - fixed) / derived;
    let poor: [f64; 6] = std::array::from_fn(|i| if POOR_2024_OFFICIAL[i].is_some() { raw[i] } else { raw[i] * scale });

    // Relative risk of ethnic-minority households, by bisection on the national EM poor rate.
    let em_rate = |rr: f64| {
        let (mut em_poor, mut em_hh) = (0.0, 0.0);
        for i in 0..6 {
            let s = EM_SHARE[i];
            em_poor += households[i] * s * em_split(poor[i], s, rr).0;
            em_hh += households[i] * s;
        }
        em_poor / em_hh
    };
    let (mut lo, mut hi) = (1.0_f64, 1000.0_f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if em_rate(mid) < EM_POOR_RATE_2024 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let rr_poor = 0.5 * (lo + hi);
    let rr_near = rr_poor.sqrt();

    let regions = std::array::from_fn(|i| {
        let s = EM_SHARE[i];
        let near = PNP_2024[i].1 - poor[i];
        let (p_em, p_k) = em_split(poor[i], s, rr_poor);
        let (q_em, q_k) = em_split(near, s, rr_near);
        let middle = s * middle_rate(p_em + q_em) + (1.0 - s) * middle_rate(p_k + q_k);
        RegionTarget {
            region: Region::ALL[i],
            households: households[i],
            pnp_count: PNP_2024[i].0,
            pnp_rate: PNP_2024[i].1,
            poor_rate: poor[i],
            poor_rate_official: POOR_2024_OFFICIAL[i].is_some(),
            near_poor_rate: near,
            middle_rate: middle,
            em_share: s,
            poor_rate_em: p_em,
            poor_rate_kinh: p_k,
            near_poor_rate_em: q_em,
            near_poor_rate_kinh: q_k,
        }
    });
    CalibrationTargets {
        regions,
        derived_poor_scale: scale,
        em_relative_risk_poor: rr_poor,
        em_relative_risk_near_poor: rr_near,
    }
}

/// Middle-living rate for a cell with the given poor + near-poor rate (assumption).
pub(crate) fn middle_rate(pnp: f64) -> f64 {
    (MIDDLE_SLOPE * pnp + MIDDLE_BASE).min((1.0 - pnp).max(0.0))
}

/// Class probabilities of one (region, area, ethnic group) cell.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct ClassRates {
    pub poor: f64,
    pub near_poor: f64,
    pub middle: f64,
}

/// Per region and area (0 rural, 1 urban): the EM share and the class rates of EM (index 1)
/// and Kinh (index 0) households.
#[derive(Debug, Clone)]
pub(crate) struct Cells {
    pub em_share: [[f64; 2]; 6],
    pub rates: [[[ClassRates; 2]; 2]; 6],
}

/// Splits the regional targets by area, given each region's share of households in wards.
pub(crate) fn cells(t: &CalibrationTargets, urban_share: [f64; 6]) -> Cells {
    let mut c = Cells { em_share: [[0.0; 2]; 6], rates: [[[ClassRates::default(); 2]; 2]; 6] };
    for (i, rt) in t.regions.iter().enumerate() {
        let u = urban_share[i].clamp(0.0, 0.999);
        let s = rt.em_share;
        let s_urban = EM_URBAN_FACTOR * s;
        let s_rural = ((s - u * s_urban) / (1.0 - u)).min(1.0);
        c.em_share[i] = [s_rural, s_urban];
        // Urban fraction within the EM and the Kinh households of the region.
        let u_em = u * EM_URBAN_FACTOR;
        let u_kinh = if s < 1.0 { u * (1.0 - s_urban) / (1.0 - s) } else { 0.0 };
        for (e, (p, q, uu)) in
            [(rt.poor_rate_kinh, rt.near_poor_rate_kinh, u_kinh), (rt.poor_rate_em, rt.near_poor_rate_em, u_em)]
                .into_iter()
                .enumerate()
        {
            let g_rural = 1.0 / (1.0 - uu * (1.0 - URBAN_POVERTY_FACTOR));
            for (a, g) in [g_rural, g_rural * URBAN_POVERTY_FACTOR].into_iter().enumerate() {
                let poor = (p * g).min(1.0);
                let near_poor = (q * g).min(1.0 - poor);
                let middle = middle_rate(poor + near_poor);
                c.rates[i][a][e] = ClassRates { poor, near_poor, middle };
            }
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_reproduce_the_official_counts() {
        let t = calibration_targets();
        let poor: f64 = t.regions.iter().map(|r| r.households * r.poor_rate).sum();
        assert!((poor - NATIONAL_POOR_2024).abs() < 1e-6 * NATIONAL_POOR_2024);
        let pnp: f64 = t.regions.iter().map(|r| r.households * (r.poor_rate + r.near_poor_rate)).sum();
        assert!((pnp - NATIONAL_PNP_2024).abs() < 1.0);
        assert!((t.em_poor_rate() - EM_POOR_RATE_2024).abs() < 1e-9);
        for r in &t.regions {
            let back = r.em_share * r.poor_rate_em + (1.0 - r.em_share) * r.poor_rate_kinh;
            assert!((back - r.poor_rate).abs() < 1e-12);
            assert!(r.near_poor_rate > 0.0 && r.poor_rate > 0.0);
        }
        assert_eq!(t.region(Region::NorthernMidlandsMountains).poor_rate, 0.0872);
    }

    #[test]
    fn area_split_keeps_the_region_rates() {
        let t = calibration_targets();
        let u = [0.15, 0.35, 0.25, 0.2, 0.6, 0.25];
        let c = cells(t, u);
        for (i, rt) in t.regions.iter().enumerate() {
            let mut poor = 0.0;
            let mut em = 0.0;
            for a in 0..2 {
                let w = if a == 1 { u[i] } else { 1.0 - u[i] };
                let s = c.em_share[i][a];
                em += w * s;
                poor += w * (s * c.rates[i][a][1].poor + (1.0 - s) * c.rates[i][a][0].poor);
            }
            assert!((em - rt.em_share).abs() < 1e-12, "{i}");
            assert!((poor - rt.poor_rate).abs() < 1e-12, "{i}");
        }
    }
}
