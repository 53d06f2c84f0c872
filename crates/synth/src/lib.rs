//! vuonlen synth: a deterministic, streaming generator of synthetic household registries
//! (*sổ hộ tổng hợp giả lập*) in the interchange format, calibrated to the 2024 poverty review.
//!
//! ```
//! use vuonlen_synth::{SynthConfig, generate};
//!
//! let cfg = SynthConfig { households: 100, seed: 42, ..SynthConfig::default() };
//! let households: Vec<_> = generate(&cfg)?.collect();
//! assert_eq!(households.len(), 100);
//! # Ok::<(), vuonlen_synth::SynthError>(())
//! ```
//!
//! - **Streaming**: [`generate`] returns an iterator; memory does not grow with the number of
//!   households (30 million is fine).
//! - **Deterministic**: the same configuration gives the same households, byte for byte.
//!   Each household has its own random stream derived from (seed, commune, sequence number),
//!   and only basic arithmetic is applied to it.
//! - **Consistent**: every household is built for a class (*poor*, *near-poor*, *middle*,
//!   *not poor*) and a set of deprivations, and its facts are set so that the real classifier
//!   ([`vuonlen_core::classify()`], 2022–2025 standard, at [`SynthConfig::as_of`]) gives exactly
//!   that class and that set ([`Synthetic::intended`], [`Synthetic::deprived`]).
//! - **Calibrated**: household counts per region and class rates per region follow the 2024
//!   review; see [`calibration_targets`] and `docs/synthetic-data.md`.

mod calibration;
mod geo;
mod household;
mod names;
mod region;
mod rng;
mod thresholds;

pub use calibration::{
    CalibrationTargets, EM_POOR_RATE_2024, EM_URBAN_FACTOR, MEAN_HOUSEHOLD_SIZE, MEAN_HOUSEHOLD_SIZE_POOR,
    MEAN_INCOME_2022, MIDDLE_BASE, MIDDLE_SLOPE, NATIONAL_PNP_2024, NATIONAL_POOR_2024, NATIONAL_POOR_RATE_2024,
    RegionTarget, SCORE_A_SHARE_NOT_POOR, SCORE_A_SHARE_PNP, URBAN_POVERTY_FACTOR, WARD_WEIGHT, calibration_targets,
};
pub use region::Region;

use chrono::{Datelike, NaiveDate};
use std::sync::Arc;
use vuonlen_core::codes::Area;
use vuonlen_core::{Class, IndicatorSet, Standards};
use vuonlen_io::record::HouseholdRecord;

/// The standard the generator builds households for.
pub const STANDARD_ID: &str = "2022-2025";

/// Version of the generator's output: bumped whenever the households produced for a given
/// configuration change, so that a file can be traced to the generator that made it.
pub const GENERATOR_VERSION: u32 = 1;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthConfig {
    /// Number of households.
    pub households: u64,
    /// Random seed: the same seed gives the same output.
    pub seed: u64,
    /// Only this 2025 province (2-digit code, e.g. `"14"` for Sơn La); `None` for the whole
    /// country.
    pub province: Option<String>,
    /// Reference date: ages and working age are exact at this date, and the classifier gives
    /// the intended class at this date. Default 2024-12-31 (the 2024 review).
    pub as_of: NaiveDate,
}

impl SynthConfig {
    /// The default reference date, 31 December 2024.
    pub fn default_as_of() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 12, 31).unwrap_or(NaiveDate::MIN)
    }
}

impl Default for SynthConfig {
    fn default() -> Self {
        SynthConfig { households: 1_000, seed: 1, province: None, as_of: Self::default_as_of() }
    }
}

/// One generated household with what it was built to be.
#[derive(Debug, Clone, PartialEq)]
pub struct Synthetic {
    /// The household in the interchange format.
    pub record: HouseholdRecord,
    /// The class it was built for; the classifier gives exactly this at `as_of`.
    pub intended: Class,
    /// The region of its commune.
    pub region: Region,
    /// The 2025 commune it was generated for. The recorded `commune_code` is this one from
    /// 1 July 2025 on; before, while the 2024 list was in force, a 2024 commune the registry
    /// places here (for the few 2025 communes where the lineage places none, one continued
    /// partly here, placed in a neighbour).
    pub commune_2025: &'static str,
    /// The deprivations it was built with, as indices of the 2022–2025 standard's indicators;
    /// the classifier finds exactly this set.
    pub deprived: IndicatorSet,
}

impl Synthetic {
    /// Whether the head belongs to an ethnic minority.
    pub fn ethnic_minority(&self) -> bool {
        self.record.household.head().is_some_and(|h| h.ethnicity.is_minority())
    }
}

/// Why generation cannot start.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// The province code is not one of the 34 provinces of 2025.
    #[error("unknown province code '{code}' (2025 codes: {known})")]
    UnknownProvince { code: String, known: String },
    /// The reference date is outside the range the generator supports.
    #[error("reference date {0} is outside 2000-01-01..=2099-12-31")]
    AsOfOutOfRange(NaiveDate),
    /// The embedded standards could not be loaded.
    #[error(transparent)]
    Standard(#[from] vuonlen_core::StandardError),
    /// The standard's rules are not of the shape the generator knows how to satisfy.
    #[error("standard {id} is not supported by the generator: {message}")]
    UnsupportedStandard { id: String, message: String },
}

/// Starts generating. Households come commune by commune in 2025 commune-code order; the
/// ids are `{2025 commune code}-{seq:06}` with `seq` counting from 1 in each commune (see
/// [`Synthetic::commune_2025`] for the code recorded before 1 July 2025).
pub fn generate(cfg: &SynthConfig) -> Result<Generator, SynthError> {
    if !(2000..=2099).contains(&cfg.as_of.year()) {
        return Err(SynthError::AsOfOutOfRange(cfg.as_of));
    }
    let units = vuonlen_core::units::AdminUnits::get();
    let province = match &cfg.province {
        None => None,
        Some(code) => {
            let c = code.trim();
            let c = if c.len() == 1 { format!("0{c}") } else { c.to_string() };
            match units.y2025.province(&c) {
                Some(p) => Some(p.code),
                None => {
                    let known = units.y2025.provinces.iter().map(|p| p.code).collect::<Vec<_>>().join(", ");
                    return Err(SynthError::UnknownProvince { code: code.clone(), known });
                }
            }
        }
    };
    let std = Standards::embedded()?.get(STANDARD_ID)?;
    let unsupported = |message: String| SynthError::UnsupportedStandard { id: std.id.clone(), message };
    let th = thresholds::Thresholds::from_standard(&std).map_err(unsupported)?;
    let lines = [Area::Rural, Area::Urban].map(|a| {
        let l = std.lines.for_area(a);
        (l.poverty.value, l.middle_upper.as_ref().map(|m| m.value), std.score_a.as_ref().map(|s| s.for_area(a).value))
    });
    let mut ls = [household::Lines { poverty: 0, middle_upper: 0, score_anchor: 0 }; 2];
    for (i, (p, m, s)) in lines.into_iter().enumerate() {
        let (Some(m), Some(s)) = (m, s) else {
            return Err(unsupported("needs a middle-living band and score-A anchors".into()));
        };
        ls[i] = household::Lines { poverty: p, middle_upper: m, score_anchor: s };
    }
    let g = geo::geo();
    let cells = calibration::cells(calibration_targets(), g.urban_share);
    let plan = geo::allocate(g, cfg.households, province);
    let total = plan.iter().map(|x| x.1).sum();
    Ok(Generator {
        ctx: Arc::new(household::Ctx {
            std,
            th,
            as_of: cfg.as_of,
            seed: cfg.seed,
            era_2024: vuonlen_core::units::UnitList::in_force(cfg.as_of) == vuonlen_core::units::UnitList::Y2024,
            lines: ls,
            cells,
        }),
        plan,
        pos: 0,
        seq: 0,
        remaining: total,
        villages: Vec::new(),
        scratch: household::Scratch::default(),
    })
}

/// The household stream returned by [`generate`].
pub struct Generator {
    ctx: Arc<household::Ctx>,
    /// (commune index, households) in code order.
    plan: Vec<(usize, u64)>,
    pos: usize,
    /// Households already produced in the current commune.
    seq: u64,
    remaining: u64,
    villages: Vec<String>,
    scratch: household::Scratch,
}

impl std::fmt::Debug for Generator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Generator").field("remaining", &self.remaining).field("communes", &self.plan.len()).finish()
    }
}

impl Generator {
    /// Households per commune, as (2025 commune code, count) in output order.
    pub fn plan(&self) -> impl Iterator<Item = (&'static str, u64)> + '_ {
        let g = geo::geo();
        self.plan.iter().map(move |&(i, n)| (g.communes[i].code, n))
    }

    fn enter_commune(&mut self) {
        let c = &geo::geo().communes[self.plan[self.pos].0];
        let mut rng = rng::Rng::stream(self.ctx.seed, c.code_num, 0);
        let count = if c.urban { 5 + rng.below(20) } else { 4 + rng.below(14) };
        self.villages.clear();
        self.scratch.commune.clear();
        for i in 1..=count {
            let mut v = names::village_name(c.region, c.urban, i, &mut rng);
            if self.villages.contains(&v) {
                v = names::village_name(c.region, c.urban, i, &mut rng);
                if self.villages.contains(&v) {
                    v = format!("Thôn {i}");
                }
            }
            self.villages.push(v);
        }
    }
}

impl Iterator for Generator {
    type Item = Synthetic;

    fn next(&mut self) -> Option<Synthetic> {
        while self.pos < self.plan.len() && self.seq >= self.plan[self.pos].1 {
            self.pos += 1;
            self.seq = 0;
        }
        if self.pos >= self.plan.len() {
            return None;
        }
        if self.seq == 0 {
            self.enter_commune();
        }
        self.seq += 1;
        self.remaining -= 1;
        let c = &geo::geo().communes[self.plan[self.pos].0];
        // The village is a function of the household's own stream position only.
        let v = (rng::splitmix(self.ctx.seed ^ u64::from(c.code_num) << 20 ^ self.seq) % self.villages.len() as u64)
            as usize;
        Some(household::build(&self.ctx, c, self.seq, &self.villages[v], &mut self.scratch))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = usize::try_from(self.remaining).unwrap_or(usize::MAX);
        (n, usize::try_from(self.remaining).ok())
    }
}

impl ExactSizeIterator for Generator {}
impl std::iter::FusedIterator for Generator {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_run_and_errors() {
        let cfg = SynthConfig { households: 50, seed: 9, ..SynthConfig::default() };
        let g = generate(&cfg).expect("generator starts");
        assert_eq!(g.len(), 50);
        assert_eq!(g.count(), 50);
        let bad = SynthConfig { province: Some("99".into()), ..cfg.clone() };
        assert!(matches!(generate(&bad), Err(SynthError::UnknownProvince { .. })));
        let one_digit = SynthConfig { province: Some("1".into()), ..cfg.clone() };
        assert!(generate(&one_digit).expect("'1' means Hà Nội").all(|s| s.record.commune_code.len() == 5));
        let old = SynthConfig { as_of: NaiveDate::from_ymd_opt(1990, 1, 1).expect("date"), ..cfg };
        assert!(matches!(generate(&old), Err(SynthError::AsOfOutOfRange(_))));
        assert_eq!(generate(&SynthConfig { households: 0, ..SynthConfig::default() }).expect("ok").count(), 0);
    }

    #[test]
    fn generator_can_move_to_another_thread() {
        fn send<T: Send>(_: &T) {}
        let g = generate(&SynthConfig::default()).expect("generator starts");
        send(&g);
        let n = std::thread::spawn(move || g.count()).join().expect("thread");
        assert_eq!(n, 1_000);
    }
}
