//! The figures of a unit's dashboard (*bảng điều khiển*): households, poor and near-poor counts
//! and rates in the latest period and the one before, the movements between them, deprivation
//! rates by indicator, and the same for every sub-unit. Shared by the page and the API.

use crate::auth::Viewer;
use crate::cache::DashboardKey;
use crate::error::AppError;
use crate::state::AppState;
use serde::Serialize;
use std::sync::Arc;
use vuonlen_core::Class;
use vuonlen_core::movement::MovementTally;
use vuonlen_core::report::UnitTally;
use vuonlen_core::units::AdminUnits;
use vuonlen_store::Selection;
use vuonlen_store::period::{self, Period};

/// Counts of one unit in one period.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Counts {
    /// Households reviewed (with answers in the period).
    pub households: u64,
    pub persons: u64,
    /// Resident households recorded for the unit (`vuonlen totals import`), the base of the
    /// rates; `None` when a commune of it lacks them (the rates are then not given).
    pub residents: Option<u64>,
    pub poor: u64,
    pub near_poor: u64,
    /// Households deprived in each indicator, among poor and among near-poor households
    /// (indicator order of the standard).
    pub poor_deprived: Vec<u64>,
    pub near_poor_deprived: Vec<u64>,
}

impl Counts {
    fn of(t: &UnitTally, indicators: usize, residents: Option<u64>) -> Counts {
        Counts {
            households: t.households,
            persons: t.persons,
            residents,
            poor: t.households_in(Class::Poor),
            near_poor: t.households_in(Class::NearPoor),
            poor_deprived: t.groups[0].deprived[..indicators].to_vec(),
            near_poor_deprived: t.groups[1].deprived[..indicators].to_vec(),
        }
    }

    /// Poor households per 100 resident households (a review surveys the listed households and
    /// the applicants only: a rate over them would be inflated); `None` without residents.
    pub fn poor_rate(&self) -> Option<f64> {
        rate(self.poor, self.residents?)
    }

    pub fn near_poor_rate(&self) -> Option<f64> {
        rate(self.near_poor, self.residents?)
    }
}

fn rate(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

/// Movements of households between the two periods (reports 2 and 3).
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Movements {
    /// Poor households that escaped poverty (columns 2 and 3 of report 2).
    pub escaped_poverty: u64,
    /// Near-poor households that escaped near-poverty (columns 2 and 3 of report 3).
    pub escaped_near_poverty: u64,
    /// Newly poor (*phát sinh mới*, column 7).
    pub newly_poor: u64,
    /// Poor again (*tái nghèo*, column 6).
    pub re_poor: u64,
    /// Near-poor households that became poor (column 5).
    pub near_poor_to_poor: u64,
    /// Newly near-poor (column 7 of report 3).
    pub newly_near_poor: u64,
}

impl Movements {
    fn of(t: &MovementTally) -> Movements {
        let (p, n) = (&t.poor.households, &t.near_poor.households);
        Movements {
            escaped_poverty: p[1] + p[2],
            escaped_near_poverty: n[1] + n[2],
            newly_poor: p[6],
            re_poor: p[5],
            near_poor_to_poor: p[4],
            newly_near_poor: n[6],
        }
    }
}

/// A sub-unit's row.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubUnit {
    pub code: String,
    pub name: String,
    /// Whether the dashboard can drill down into it (a province or commune).
    pub drill: bool,
    pub current: Counts,
    pub previous: Option<Counts>,
}

/// An indicator's names.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IndicatorName {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
}

/// Everything a dashboard shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    pub unit_code: String,
    pub unit_name: String,
    pub period: i64,
    pub previous_period: Option<i64>,
    pub standard_id: String,
    pub indicators: Vec<IndicatorName>,
    pub current: Counts,
    pub previous: Option<Counts>,
    pub movements: Option<Movements>,
    pub sub_units: Vec<SubUnit>,
    /// Communes with answers in the period but no resident totals: their rates are not given.
    pub missing_residents: Vec<String>,
    /// 2024 communes with answers in the period (or the one before) that no 2025 commune
    /// succeeds: their households are in no province's figures, only in the country's.
    pub unmapped: Vec<String>,
}

/// The unit a user starts from: its own, or the country.
pub fn home_unit(v: &Viewer) -> String {
    v.user.unit_code.clone().unwrap_or_else(|| "VN".into())
}

/// Refuses a unit outside what the user may read (a commune of a readable province is
/// readable; the country only with a national scope).
pub fn check_unit(v: &Viewer, unit: &str) -> Result<(), AppError> {
    let ok = match v.access.read.codes() {
        None => true,
        Some(codes) => codes.iter().any(|c| {
            c == unit
                || (unit.len() == 5
                    && c.len() == 2
                    && AdminUnits::get().y2025.province_of_commune(unit).is_some_and(|p| p.code == c))
        }),
    };
    if ok { Ok(()) } else { Err(AppError::NotFound) }
}

/// The latest period (or `year`) and the one before it.
pub async fn periods(state: &AppState, year: Option<i64>) -> Result<(Period, Option<Period>), AppError> {
    let all = period::list(&state.db).await?;
    let current = match year {
        Some(y) => all.iter().find(|p| p.year == y).cloned().ok_or(AppError::NotFound)?,
        None => all.iter().max_by_key(|p| p.year).cloned().ok_or_else(|| {
            AppError::Invalid("chưa có kỳ rà soát nào / no review period yet: import one first".into())
        })?,
    };
    let previous = all.iter().filter(|p| p.year < current.year).max_by_key(|p| p.year).cloned();
    Ok((current, previous))
}

/// The dashboard of `unit` for the viewer, computed once per version of its periods.
pub async fn build(state: &AppState, v: &Viewer, unit: &str, year: Option<i64>) -> Result<Arc<Dashboard>, AppError> {
    check_unit(v, unit)?;
    let sel = Selection::parse(unit)?;
    let (cur, prev) = periods(state, year).await?;
    let key = DashboardKey {
        scope: format!("{:?}", v.access.read),
        unit: sel.code.clone(),
        current: (cur.year, state.db.period_version(cur.year).await?),
        previous: match &prev {
            Some(p) => Some((p.year, state.db.period_version(p.year).await?)),
            None => None,
        },
    };
    if let Some(d) = state.cache.dashboard(&key) {
        return Ok(d);
    }
    let d = Arc::new(compute(state, v, &sel, &cur, prev.as_ref()).await?);
    state.cache.keep_dashboard(key, d.clone());
    Ok(d)
}

async fn compute(
    state: &AppState,
    v: &Viewer,
    sel: &Selection,
    cur: &Period,
    prev: Option<&Period>,
) -> Result<Dashboard, AppError> {
    let reg = v.registry(state);
    let std = state.standards.get(&cur.standard_id).map_err(|e| AppError::Invalid(e.to_string()))?;
    let n = std.indicators.len();
    let rows_now = reg.tally(cur, &cur.standard_id, sel).await?;
    let rows_before = match prev {
        Some(p) => Some(reg.tally(p, &p.standard_id, sel).await?),
        None => None,
    };
    // Rates over the residents recorded, never over the households reviewed.
    let cov_now = reg.coverage(cur, sel).await?;
    let cov_before = match prev {
        Some(p) => Some(reg.coverage(p, sel).await?),
        None => None,
    };
    let mut unmapped = reg.unmapped_in(cur).await?;
    if let Some(p) = prev {
        unmapped.extend(reg.unmapped_in(p).await?);
        unmapped.sort_unstable();
        unmapped.dedup();
    }
    let residents = |c: &vuonlen_store::coverage::Coverage, key: &str| c.of(key).map(|r| r.households);
    let mut total_now = UnitTally::new();
    let mut sub_units = Vec::with_capacity(rows_now.len());
    let drill = matches!(sel.rows, vuonlen_store::RowKey::CurrentProvince | vuonlen_store::RowKey::CurrentCommune);
    for (key, t) in &rows_now {
        total_now.merge(t);
        let before = rows_before
            .as_ref()
            .and_then(|r| r.iter().find(|(k, _)| k == key))
            .map(|(_, t)| Counts::of(t, n, cov_before.as_ref().and_then(|c| residents(c, key))));
        sub_units.push(SubUnit {
            name: sel.rows.name(key),
            code: key.clone(),
            drill,
            current: Counts::of(t, n, residents(&cov_now, key)),
            previous: before,
        });
    }
    let previous = rows_before.as_ref().map(|rows| {
        let mut total = UnitTally::new();
        for (_, t) in rows {
            total.merge(t);
        }
        Counts::of(&total, n, cov_before.as_ref().and_then(|c| c.total.map(|r| r.households)))
    });
    let movements = match prev {
        Some(p) => {
            let mut t = MovementTally::new();
            for path in reg.paths(p, cur, sel).await? {
                t.add_restructured(&path.path, &path.restructuring);
            }
            Some(Movements::of(&t))
        }
        None => None,
    };
    Ok(Dashboard {
        unit_code: sel.code.clone(),
        unit_name: sel.name.clone(),
        period: cur.year,
        previous_period: prev.map(|p| p.year),
        standard_id: cur.standard_id.clone(),
        indicators: std
            .indicators
            .iter()
            .map(|i| IndicatorName { code: i.code.clone(), name_vi: i.name_vi.clone(), name_en: i.name_en.clone() })
            .collect(),
        current: Counts::of(&total_now, n, cov_now.total.map(|r| r.households)),
        previous,
        movements,
        sub_units,
        missing_residents: cov_now.missing,
        unmapped,
    })
}
