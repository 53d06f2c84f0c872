//! Aggregates of classified households for a unit (commune, province, country): the numbers
//! of official reports 1 and 4–7 (*biểu tổng hợp*) and the Alkire–Foster measures.

use crate::classify::{Class, Classification};
use crate::measures::AlkireFoster;
use crate::standard::Standard;
use serde::Serialize;

/// Counts for one unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tally {
    pub households: u64,
    pub persons: u64,
    /// Households by class, indexed like [`Class::ALL`].
    pub households_by_class: [u64; 4],
    pub persons_by_class: [u64; 4],
    /// Deprivation counts among poor households, per indicator (report 4).
    pub deprived_poor: Vec<u64>,
    /// Deprivation counts among near-poor households, per indicator (report 6).
    pub deprived_near_poor: Vec<u64>,
    /// Total deprivations of poor / near-poor households.
    pub deprivations_poor: u64,
    pub deprivations_near_poor: u64,
    /// Alkire–Foster measures over households and over persons.
    pub af_households: AlkireFoster,
    pub af_persons: AlkireFoster,
}

impl Tally {
    pub fn new(std: &Standard) -> Self {
        let d = std.indicators.len();
        Tally {
            households: 0,
            persons: 0,
            households_by_class: [0; 4],
            persons_by_class: [0; 4],
            deprived_poor: vec![0; d],
            deprived_near_poor: vec![0; d],
            deprivations_poor: 0,
            deprivations_near_poor: 0,
            af_households: AlkireFoster::new(std),
            af_persons: AlkireFoster::new(std),
        }
    }

    pub fn add(&mut self, c: &Classification) {
        let p = u64::from(c.persons);
        self.households += 1;
        self.persons += p;
        let ci = c.class as usize;
        self.households_by_class[ci] += 1;
        self.persons_by_class[ci] += p;
        let (counts, total) = match c.class {
            Class::Poor => (&mut self.deprived_poor, &mut self.deprivations_poor),
            Class::NearPoor => (&mut self.deprived_near_poor, &mut self.deprivations_near_poor),
            _ => (&mut Vec::new(), &mut 0),
        };
        for j in c.deprived.iter() {
            if let Some(x) = counts.get_mut(j) {
                *x += 1;
                *total += 1;
            }
        }
        self.af_households.add(c, 1.0);
        self.af_persons.add(c, p as f64);
    }

    pub fn merge(&mut self, o: &Tally) {
        self.households += o.households;
        self.persons += o.persons;
        for i in 0..4 {
            self.households_by_class[i] += o.households_by_class[i];
            self.persons_by_class[i] += o.persons_by_class[i];
        }
        for (a, b) in self.deprived_poor.iter_mut().zip(&o.deprived_poor) {
            *a += b;
        }
        for (a, b) in self.deprived_near_poor.iter_mut().zip(&o.deprived_near_poor) {
            *a += b;
        }
        self.deprivations_poor += o.deprivations_poor;
        self.deprivations_near_poor += o.deprivations_near_poor;
        self.af_households.merge(&o.af_households);
        self.af_persons.merge(&o.af_persons);
    }

    pub fn households_in(&self, c: Class) -> u64 {
        self.households_by_class[c as usize]
    }

    pub fn persons_in(&self, c: Class) -> u64 {
        self.persons_by_class[c as usize]
    }

    /// Percentage `a / b × 100`, 0 when `b` is 0.
    pub fn percent(a: u64, b: u64) -> f64 {
        if b == 0 { 0.0 } else { a as f64 * 100.0 / b as f64 }
    }
}
