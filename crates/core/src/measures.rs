//! Alkire–Foster measures (*chỉ số nghèo đa chiều theo phương pháp Alkire–Foster*) over any set
//! of classified households.
//!
//! Indicators have equal weights `1/d` (the standard scores each deprivation 10 points), and a
//! household is multidimensionally poor when deprived in at least `k` of `d` indicators, `k`
//! being the standard's deprivation cutoff. The income test is *not* part of these measures:
//! they describe deprivations alone, as the OPHI tools do.
//!
//! - H (headcount ratio) = q / n
//! - A (intensity) = mean deprivation share c/d among the q poor
//! - M0 (adjusted headcount ratio) = H × A
//! - censored headcount of indicator j = share of all units that are poor and deprived in j
//! - contribution of j = (censored headcount j / d) / M0
//!
//! Every measure can be taken over households (weight 1) or persons (weight = household size).

use crate::classify::Classification;
use crate::standard::Standard;
use serde::Serialize;

/// Running sums for the Alkire–Foster measures; [`AlkireFoster::merge`] combines sub-totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlkireFoster {
    /// Number of indicators `d`.
    pub d: u32,
    /// Poverty cutoff `k` (deprivations).
    pub k: u32,
    /// Total weight `n`.
    pub n: f64,
    /// Weight of the multidimensionally poor `q`.
    pub q: f64,
    /// Σ c_i/d over the poor, weighted.
    sum_share_poor: f64,
    censored: Vec<f64>,
    uncensored: Vec<f64>,
}

impl AlkireFoster {
    pub fn new(std: &Standard) -> Self {
        Self::with_cutoff(std.indicators.len() as u32, std.deprivation_cutoff.value)
    }

    pub fn with_cutoff(d: u32, k: u32) -> Self {
        AlkireFoster {
            d,
            k,
            n: 0.0,
            q: 0.0,
            sum_share_poor: 0.0,
            censored: vec![0.0; d as usize],
            uncensored: vec![0.0; d as usize],
        }
    }

    /// Adds one unit with weight `w` (1 for households, the household size for persons).
    pub fn add(&mut self, c: &Classification, w: f64) {
        self.n += w;
        let count = c.deprived.len();
        let poor = count >= self.k;
        if poor {
            self.q += w;
            self.sum_share_poor += w * f64::from(count) / f64::from(self.d);
        }
        for j in c.deprived.iter() {
            if let Some(u) = self.uncensored.get_mut(j) {
                *u += w;
            }
            if poor && let Some(cz) = self.censored.get_mut(j) {
                *cz += w;
            }
        }
    }

    pub fn merge(&mut self, o: &AlkireFoster) {
        self.n += o.n;
        self.q += o.q;
        self.sum_share_poor += o.sum_share_poor;
        for (a, b) in self.censored.iter_mut().zip(&o.censored) {
            *a += b;
        }
        for (a, b) in self.uncensored.iter_mut().zip(&o.uncensored) {
            *a += b;
        }
    }

    fn ratio(a: f64, b: f64) -> f64 {
        if b > 0.0 { a / b } else { 0.0 }
    }

    /// Headcount ratio H.
    pub fn h(&self) -> f64 {
        Self::ratio(self.q, self.n)
    }
    /// Intensity A.
    pub fn a(&self) -> f64 {
        Self::ratio(self.sum_share_poor, self.q)
    }
    /// Adjusted headcount ratio M0 = H × A.
    pub fn m0(&self) -> f64 {
        Self::ratio(self.sum_share_poor, self.n)
    }
    /// Censored headcount ratio of indicator `j`.
    pub fn censored_headcount(&self, j: usize) -> f64 {
        Self::ratio(self.censored.get(j).copied().unwrap_or(0.0), self.n)
    }
    /// Uncensored (raw) headcount ratio of indicator `j`.
    pub fn uncensored_headcount(&self, j: usize) -> f64 {
        Self::ratio(self.uncensored.get(j).copied().unwrap_or(0.0), self.n)
    }
    /// Percentage contribution of indicator `j` to M0 (they sum to 1).
    pub fn contribution(&self, j: usize) -> f64 {
        Self::ratio(self.censored_headcount(j) / f64::from(self.d), self.m0())
    }
}
