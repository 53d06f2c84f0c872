//! Compact keys for household ids, so that the reader can remember every id of a large file
//! (duplicates, "seen before") without keeping the strings.
//!
//! Ids of up to 15 bytes are stored exactly; longer ids by a 120-bit hash, so two different
//! ids collide with negligible probability (about n²/2¹²¹).

use std::hash::{BuildHasherDefault, Hash, Hasher};

/// A household id reduced to 16 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IdKey(u64, u64);

impl IdKey {
    pub fn of(id: &str) -> IdKey {
        let b = id.as_bytes();
        if b.len() < 16 {
            let mut buf = [0u8; 16];
            // A byte loop: cheaper than a call to `memcpy` for a few bytes.
            for (d, s) in buf.iter_mut().zip(b) {
                *d = *s;
            }
            buf[15] = b.len() as u8;
            let (lo, hi) = buf.split_at(8);
            let lo = u64::from_le_bytes(lo.try_into().unwrap_or([0; 8]));
            let hi = u64::from_le_bytes(hi.try_into().unwrap_or([0; 8]));
            return IdKey(lo, hi);
        }
        let mut a = std::hash::DefaultHasher::new();
        b.hash(&mut a);
        let mut c = std::hash::DefaultHasher::new();
        0xA5u8.hash(&mut c);
        b.hash(&mut c);
        // The top byte 0xFF marks a hashed key: exact keys end with a length below 16.
        IdKey(a.finish(), (c.finish() & 0x00FF_FFFF_FFFF_FFFF) | 0xFF00_0000_0000_0000)
    }
}

impl IdKey {
    /// A total order of keys: by bytes for ids of up to 15 bytes and of the same length, as a
    /// file sorted by id has them.
    pub fn order(self) -> u128 {
        (u128::from(self.0.swap_bytes()) << 64) | u128::from(self.1.swap_bytes())
    }
}

impl Hash for IdKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.0 ^ self.1.rotate_left(29));
    }
}

/// Mixes the single `u64` an [`IdKey`] feeds it.
#[derive(Default)]
pub(crate) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Eight bytes at a time (names are hashed this way), then byte by byte.
        let mut words = bytes.chunks_exact(8);
        for w in words.by_ref() {
            let w = u64::from_le_bytes(w.try_into().unwrap_or([0; 8]));
            self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
        for &b in words.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u64(&mut self, n: u64) {
        // A 64-bit finaliser (splitmix64).
        let mut z = n.wrapping_add(0x9e37_79b9_7f4a_7c15) ^ self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        self.0 = z ^ (z >> 31);
    }
}

/// Hash-map builder for [`IdKey`]s.
pub(crate) type KeyBuild = BuildHasherDefault<KeyHasher>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ids_are_exact_and_long_ids_differ() {
        assert_eq!(IdKey::of("H001"), IdKey::of("H001"));
        assert_ne!(IdKey::of("H001"), IdKey::of("H0010"));
        assert_ne!(IdKey::of(""), IdKey::of("\0"));
        assert_ne!(IdKey::of("0123456789abcdef"), IdKey::of("0123456789abcdeg"));
        assert_eq!(IdKey::of("0123456789abcdefXYZ"), IdKey::of("0123456789abcdefXYZ"));
        assert_ne!(IdKey::of("012345678901234"), IdKey::of("0123456789012345"));
    }
}
