//! Dashboards, costly to compute (two periods' tallies, the movements between them) and
//! unchanged while their periods' versions stay the same: kept per reader scope, unit and
//! period versions. Every write to a period bumps its version (`registry_version`), so an entry
//! is never served after a change.

use crate::dashboard::Dashboard;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What a cached dashboard is for: the reader's scope, the unit, and the current and previous
/// periods with their versions when computed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DashboardKey {
    pub scope: String,
    pub unit: String,
    pub current: (i64, i64),
    pub previous: Option<(i64, i64)>,
}

/// The most entries kept; past it the cache starts again (a few KB each).
const MAX_ENTRIES: usize = 5_000;

#[derive(Debug, Default)]
pub struct Cache {
    dashboards: Mutex<HashMap<DashboardKey, Arc<Dashboard>>>,
}

impl Cache {
    pub fn dashboard(&self, key: &DashboardKey) -> Option<Arc<Dashboard>> {
        self.dashboards.lock().unwrap_or_else(|e| e.into_inner()).get(key).cloned()
    }

    pub fn keep_dashboard(&self, key: DashboardKey, d: Arc<Dashboard>) {
        let mut m = self.dashboards.lock().unwrap_or_else(|e| e.into_inner());
        // Entries of older versions of the same periods are never asked for again.
        m.retain(|k, _| {
            !(k.scope == key.scope
                && k.unit == key.unit
                && k.current.0 == key.current.0
                && k.previous.map(|p| p.0) == key.previous.map(|p| p.0))
        });
        if m.len() >= MAX_ENTRIES {
            m.clear();
        }
        m.insert(key, d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(version: i64) -> DashboardKey {
        DashboardKey { scope: "All".into(), unit: "01".into(), current: (2025, version), previous: Some((2024, 3)) }
    }

    fn dashboard(period: i64) -> Arc<Dashboard> {
        Arc::new(Dashboard {
            unit_code: "01".into(),
            unit_name: "Hà Nội".into(),
            period,
            previous_period: None,
            standard_id: "2022-2025".into(),
            indicators: Vec::new(),
            current: Default::default(),
            previous: None,
            movements: None,
            sub_units: Vec::new(),
            missing_residents: Vec::new(),
            unmapped: Vec::new(),
        })
    }

    #[test]
    fn a_new_version_replaces_the_old_one() {
        let c = Cache::default();
        c.keep_dashboard(key(1), dashboard(1));
        assert_eq!(c.dashboard(&key(1)).map(|d| d.period), Some(1));
        assert!(c.dashboard(&key(2)).is_none(), "another version is not served");
        c.keep_dashboard(key(2), dashboard(2));
        assert!(c.dashboard(&key(1)).is_none(), "the old version is dropped");
        assert_eq!(c.dashboard(&key(2)).map(|d| d.period), Some(2));
        let other_scope = DashboardKey { scope: "Units([\"01\"])".into(), ..key(2) };
        assert!(c.dashboard(&other_scope).is_none(), "scopes do not share entries");
    }
}
