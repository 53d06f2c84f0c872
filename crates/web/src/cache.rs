//! Results that are costly to compute and change only when a period changes (movements between
//! two periods over a province), kept while the periods' versions stay the same.

use std::collections::HashMap;
use std::sync::Mutex;
use vuonlen_core::movement::MovementTally;

/// What a cached movement tally is for: the reader's scope, the unit, both periods and their
/// versions when computed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MovementKey {
    pub scope: String,
    pub unit: String,
    pub from: (i64, i64),
    pub to: (i64, i64),
}

#[derive(Debug, Default)]
pub struct Cache {
    movements: Mutex<HashMap<MovementKey, MovementTally>>,
}

impl Cache {
    pub fn movements(&self, key: &MovementKey) -> Option<MovementTally> {
        self.movements.lock().unwrap_or_else(|e| e.into_inner()).get(key).cloned()
    }

    pub fn keep_movements(&self, key: MovementKey, t: MovementTally) {
        let mut m = self.movements.lock().unwrap_or_else(|e| e.into_inner());
        // Entries of older versions are never asked for again.
        m.retain(|k, _| !(k.scope == key.scope && k.unit == key.unit && k.from.0 == key.from.0 && k.to.0 == key.to.0));
        if m.len() > 10_000 {
            m.clear();
        }
        m.insert(key, t);
    }
}
