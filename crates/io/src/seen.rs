//! The household ids a join has met, with the row of each, to find duplicates and members
//! whose household went by.
//!
//! Files written by our tools list households in increasing order of id, so the ids are kept in
//! a sorted list while they come in order (adding one is a push, looking one up a binary
//! search); the first id out of order moves them to a hash map. Either way an id costs about
//! 24 bytes. The sorted list is kept in chunks of a fixed size, so that it grows without
//! copying what it holds.

use crate::key::{IdKey, KeyBuild};
use std::collections::HashMap;
use std::collections::hash_map::Entry;

/// Ids per chunk of [`SeenIds::Sorted`].
const CHUNK: usize = 8192;

/// Ids met so far, each with the (first) row where it was met.
pub(crate) enum SeenIds {
    /// Every id came in increasing [`IdKey::order`]: `(key, row)`, sorted, in chunks of
    /// [`CHUNK`] (none empty).
    Sorted(Vec<Vec<(IdKey, u32)>>),
    /// Some id came out of order.
    Hashed(HashMap<IdKey, u32, KeyBuild>),
}

impl Default for SeenIds {
    fn default() -> Self {
        SeenIds::Sorted(Vec::new())
    }
}

/// The greatest key of a sorted list of chunks.
fn last(chunks: &[Vec<(IdKey, u32)>]) -> Option<IdKey> {
    chunks.last().and_then(|c| c.last()).map(|e| e.0)
}

impl SeenIds {
    /// Whether `key` was met.
    pub fn contains(&self, key: IdKey) -> bool {
        match self {
            SeenIds::Sorted(chunks) => {
                let order = key.order();
                if last(chunks).is_none_or(|l| order > l.order()) {
                    return false;
                }
                // The first chunk whose last key is not below `key`.
                let i = chunks.partition_point(|c| c.last().is_some_and(|e| e.0.order() < order));
                chunks.get(i).is_some_and(|c| c.binary_search_by_key(&order, |e| e.0.order()).is_ok())
            }
            SeenIds::Hashed(m) => m.contains_key(&key),
        }
    }

    /// Records `key` met at `row`; when it was met before, returns the row of the first time
    /// (and keeps that one).
    pub fn insert(&mut self, key: IdKey, row: u32) -> Option<u32> {
        if let SeenIds::Sorted(chunks) = self {
            let order = key.order();
            if last(chunks).is_none_or(|l| order > l.order()) {
                match chunks.last_mut() {
                    Some(c) if c.len() < CHUNK => c.push((key, row)),
                    _ => {
                        let mut c = Vec::with_capacity(CHUNK);
                        c.push((key, row));
                        chunks.push(c);
                    }
                }
                return None;
            }
            let map: HashMap<IdKey, u32, KeyBuild> = chunks.iter().flatten().copied().collect();
            *self = SeenIds::Hashed(map);
        }
        match self {
            SeenIds::Hashed(m) => match m.entry(key) {
                Entry::Occupied(e) => Some(*e.get()),
                Entry::Vacant(e) => {
                    e.insert(row);
                    None
                }
            },
            SeenIds::Sorted(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_in_order_then_out_of_order() {
        let mut s = SeenIds::default();
        assert!(!s.contains(IdKey::of("H1")));
        assert_eq!(s.insert(IdKey::of("H1"), 2), None);
        assert_eq!(s.insert(IdKey::of("H3"), 3), None);
        assert!(matches!(s, SeenIds::Sorted(_)));
        assert!(s.contains(IdKey::of("H1")) && s.contains(IdKey::of("H3")));
        assert!(!s.contains(IdKey::of("H2")) && !s.contains(IdKey::of("H4")));
        // A duplicate of the last id is out of order too.
        assert_eq!(s.insert(IdKey::of("H3"), 4), Some(3));
        assert!(matches!(s, SeenIds::Hashed(_)));
        assert_eq!(s.insert(IdKey::of("H2"), 5), None);
        assert_eq!(s.insert(IdKey::of("H1"), 6), Some(2));
        let long = "a household id longer than fifteen bytes";
        assert_eq!(s.insert(IdKey::of(long), 7), None);
        assert!(s.contains(IdKey::of(long)) && s.contains(IdKey::of("H2")));
    }

    #[test]
    fn long_ids_survive_the_move_to_the_map() {
        let mut s = SeenIds::default();
        let ids: Vec<String> = (0..50).map(|i| format!("{i:03} and a long tail to be hashed")).collect();
        for (row, id) in ids.iter().enumerate() {
            s.insert(IdKey::of(id), row as u32);
        }
        assert_eq!(s.insert(IdKey::of("000"), 99), None);
        for (row, id) in ids.iter().enumerate() {
            assert_eq!(s.insert(IdKey::of(id), 100), Some(row as u32), "{id}");
        }
    }

    #[test]
    fn ids_across_chunks_are_found() {
        let mut s = SeenIds::default();
        let n = CHUNK as u32 * 2 + 17;
        for i in 0..n {
            assert_eq!(s.insert(IdKey::of(&format!("H{:07}", i * 2)), i), None);
        }
        assert!(matches!(&s, SeenIds::Sorted(c) if c.len() == 3));
        for i in [0, 1, CHUNK as u32 - 1, CHUNK as u32, CHUNK as u32 + 1, n - 1] {
            assert!(s.contains(IdKey::of(&format!("H{:07}", i * 2))), "{i}");
            assert!(!s.contains(IdKey::of(&format!("H{:07}", i * 2 + 1))), "{i}");
        }
        assert_eq!(s.insert(IdKey::of(&format!("H{:07}", CHUNK * 2)), 0), Some(CHUNK as u32));
        assert!(matches!(s, SeenIds::Hashed(_)));
    }
}
