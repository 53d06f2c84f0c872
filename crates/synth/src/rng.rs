//! The random source: one PCG-64 (MCG, `pcg64_fast`) stream per household, seeded from
//! (seed, commune, sequence number) so that a household does not depend on the ones before
//! it. Only integer and basic floating-point arithmetic is used on its output (no `ln`,
//! `exp`, `cos`), so results do not depend on the platform's maths library.

use rand::Rng as _;
use rand_pcg::Pcg64Mcg;

/// SplitMix64 finaliser: a bijective mix of 64 bits.
pub(crate) const fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A small wrapper with the few draws the generator needs.
pub(crate) struct Rng(Pcg64Mcg);

impl Rng {
    /// The stream of household `seq` (1-based) of commune `commune`; `seq = 0` is the
    /// commune's own stream (village names).
    pub fn stream(seed: u64, commune: u32, seq: u64) -> Rng {
        let a = splitmix(seed ^ splitmix(u64::from(commune) ^ 0x5EED_0FC0_1111_E5E5));
        let b = splitmix(a ^ splitmix(seq.wrapping_add(0xA5A5_0000_0000)));
        let c = splitmix(b ^ a.rotate_left(17));
        Rng(Pcg64Mcg::new((u128::from(b) << 64) | u128::from(c)))
    }

    #[inline]
    pub fn u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in `0..n` (Lemire's multiply-shift; the bias is below 2⁻³² for our `n`).
    #[inline]
    pub fn below(&mut self, n: u32) -> u32 {
        (((self.u64() >> 32) * u64::from(n)) >> 32) as u32
    }

    /// Uniform in `lo..=hi` (returns `lo` when `hi < lo`).
    #[inline]
    pub fn range(&mut self, lo: i32, hi: i32) -> i32 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo + 1) as u32) as i32
    }

    /// Uniform in `[0, 1)` with 53 bits.
    #[inline]
    pub fn unit(&mut self) -> f64 {
        (self.u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p`.
    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One element, uniformly.
    #[inline]
    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u32) as usize]
    }

    /// A value from `(value, weight)` pairs, with probability proportional to the weight.
    pub fn weighted<T: Copy>(&mut self, xs: &[(T, u32)]) -> T {
        let total: u32 = xs.iter().map(|x| x.1).sum();
        let mut r = self.below(total.max(1));
        for &(v, w) in xs {
            if r < w {
                return v;
            }
            r -= w;
        }
        xs[xs.len() - 1].0
    }

    /// An index with probability proportional to `weights` (non-negative; all zero → 0).
    pub fn weighted_index(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut r = self.unit() * total;
        let mut last = 0;
        for (i, &w) in weights.iter().enumerate() {
            if w > 0.0 {
                if r < w {
                    return i;
                }
                r -= w;
                last = i;
            }
        }
        last
    }

    /// A value from a quantile table by linear interpolation (`table` holds the quantiles at
    /// equally spaced probabilities from 0 to 1).
    pub fn quantile_draw(&mut self, table: &[f64]) -> f64 {
        let n = table.len() - 1;
        let x = self.unit() * n as f64;
        let i = (x as usize).min(n - 1);
        let f = x - i as f64;
        table[i] + (table[i + 1] - table[i]) * f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..4).map(|_| Rng::stream(7, 4, 1).u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(Rng::stream(7, 4, 1).u64(), Rng::stream(7, 4, 2).u64());
        assert_ne!(Rng::stream(7, 4, 1).u64(), Rng::stream(8, 4, 1).u64());
        assert_ne!(Rng::stream(7, 4, 1).u64(), Rng::stream(7, 5, 1).u64());
    }

    #[test]
    fn draws_stay_in_range() {
        let mut r = Rng::stream(1, 1, 1);
        for _ in 0..10_000 {
            let x = r.range(-3, 5);
            assert!((-3..=5).contains(&x));
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
            assert!(r.below(7) < 7);
        }
        assert_eq!(r.range(4, 4), 4);
        assert_eq!(r.weighted(&[("a", 0), ("b", 3)]), "b");
        assert_eq!(r.weighted_index(&[0.0, 0.0, 2.0]), 2);
    }
}
