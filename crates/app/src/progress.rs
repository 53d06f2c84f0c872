//! Progress against targets (*tiến độ thực hiện chỉ tiêu*): for each unit of a parent (the
//! communes of a province, the provinces of the country, or every commune of the country), the
//! year's target against the registry's figures — the review at the end of year Y (period Y)
//! measures year Y's reduction — with a forecast at the current pace when the year's review is
//! not in yet, the units off track marked, and the framework's computed indicators.
//!
//! Reads the report cache (one rollup row per commune), so a whole country costs a few reads.

use crate::AppError;
use std::collections::HashMap;
use std::sync::Arc;
use vuonlen_core::Standards;
use vuonlen_core::indicators::{IndicatorFramework, Sources, Value, reaches, values};
use vuonlen_core::report::UnitTally;
use vuonlen_core::targets::{Figures, col};
use vuonlen_core::{Class, units::AdminUnits};
use vuonlen_store::period::Period;
use vuonlen_store::targets::TargetUnit;
use vuonlen_store::{Registry, Selection};

/// Whether a unit reaches its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The year's review is in and the unit reached its end-of-year target (or the forecast
    /// does).
    OnTrack,
    /// It did not (or the forecast does not).
    OffTrack,
    /// No target for the year.
    NoTarget,
    /// A target, but no figures to compare (no review of the year and no pace).
    NoData,
}

impl Status {
    pub fn key(self) -> &'static str {
        match self {
            Status::OnTrack => "on_track",
            Status::OffTrack => "off_track",
            Status::NoTarget => "no_target",
            Status::NoData => "no_data",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Status::OnTrack => "Đạt / đúng tiến độ",
            Status::OffTrack => "Chậm tiến độ",
            Status::NoTarget => "Chưa giao chỉ tiêu",
            Status::NoData => "Chưa có số liệu",
        }
    }
}

/// One unit's progress in a year.
#[derive(Debug, Clone)]
pub struct UnitProgress {
    pub code: String,
    pub name: String,
    pub target: Option<Figures>,
    /// Poor households at the start of the year: the target table's, else the previous
    /// review's.
    pub start_poor: Option<u64>,
    /// The year's target for the end of the year (end, else start − reduction).
    pub target_end: Option<u64>,
    /// Poor households recognised by the year's review (period Y), if it is in.
    pub actual_end: Option<u64>,
    /// The end of the year at the pace of the year before (when the year's review is not in).
    pub forecast_end: Option<f64>,
    /// The base of the rates: the year's resident households, else the target's households.
    pub base_households: Option<u64>,
    pub poor_rate_now: Option<f64>,
    pub poor_rate_target_end: Option<f64>,
    pub status: Status,
    /// The framework's computed indicators from the latest review.
    pub indicators: Vec<Value>,
    /// The unit's indicator targets for the year against the computed values.
    pub indicator_targets: Vec<IndicatorProgress>,
}

/// One indicator target against the registry.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorProgress {
    pub id: String,
    pub target: f64,
    /// The computed value (`None`: reported, or not computable for the unit).
    pub actual: Option<f64>,
    /// Whether the actual value reaches the target (`None`: no actual value).
    pub met: Option<bool>,
}

impl UnitProgress {
    /// Indicator targets the registry shows missed.
    pub fn indicators_missed(&self) -> usize {
        self.indicator_targets.iter().filter(|t| t.met == Some(false)).count()
    }
}

/// The progress of a parent's units in a year.
#[derive(Debug, Clone)]
pub struct Progress {
    pub year: i64,
    /// The review the figures come from (period Y, else the latest before it).
    pub latest_period: Option<i64>,
    pub framework: Option<Arc<IndicatorFramework>>,
    pub units: Vec<UnitProgress>,
}

/// Which units of a parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// The parent's own units (a province's communes, the country's provinces).
    Children,
    /// Every commune of the country (the parent must be `VN`).
    AllCommunes,
}

async fn tallies(reg: &Registry, p: &Period, sel: &Selection) -> Result<HashMap<String, UnitTally>, AppError> {
    Ok(reg.tally(p, &p.standard_id, sel).await?.into_iter().collect())
}

/// The progress of `parent`'s units (`depth`) in `year`, as the reader may see it.
pub async fn progress(
    reg: &Registry,
    standards: &Standards,
    year: i64,
    parent: &TargetUnit,
    depth: Depth,
) -> Result<Progress, AppError> {
    let (sel, units): (Selection, Vec<TargetUnit>) = match depth {
        Depth::AllCommunes => {
            let u = AdminUnits::get();
            let mut all: Vec<TargetUnit> = u
                .y2025
                .communes
                .values()
                .map(|c| TargetUnit { code: c.code.to_string(), name: c.name.to_string() })
                .collect();
            all.sort_by(|a, b| a.code.cmp(&b.code));
            (Selection::country_by_commune(), all)
        }
        Depth::Children if parent.village().is_some() => {
            return Ok(Progress {
                year,
                latest_period: None,
                framework: standards.framework_for(year),
                units: Vec::new(),
            });
        }
        Depth::Children => (Selection::parse(&parent.code)?, reg.target_children(parent).await?),
    };
    let this = reg.period(year).await?;
    let before = reg.period(year - 1).await?;
    let two_before = reg.period(year - 2).await?;
    let now = match &this {
        Some(p) => Some(tallies(reg, p, &sel).await?),
        None => None,
    };
    let prev = match &before {
        Some(p) => Some(tallies(reg, p, &sel).await?),
        None => None,
    };
    let prev2 = match (&this, &two_before) {
        (None, Some(p)) => Some(tallies(reg, p, &sel).await?),
        _ => None,
    };
    let latest = this.as_ref().or(before.as_ref());
    let residents = match latest {
        Some(p) => Some(reg.coverage(p, &sel).await?),
        None => None,
    };
    let latest_tally = if this.is_some() { now.as_ref() } else { prev.as_ref() };
    let std = match latest {
        Some(p) => Some(standards.get(&p.standard_id).map_err(|e| AppError::Internal(e.to_string()))?),
        None => None,
    };
    let framework = standards.framework_for(year);
    let support = match crate::support_coverage::list_in_force(reg, year).await? {
        Some(list) => crate::support_coverage::coverage_by_row(reg, &list, year, None, &sel).await?,
        None => Default::default(),
    };
    let targets: HashMap<String, Figures> =
        reg.targets_of_year(year).await?.into_iter().map(|t| (t.unit_code, t.figures)).collect();
    let mut indicator_targets: HashMap<String, Vec<(String, f64)>> = HashMap::new();
    for t in reg.indicator_targets_of_year(year).await? {
        indicator_targets.entry(t.unit_code).or_default().push((t.indicator_id, t.value));
    }
    let poor_of = |m: &Option<HashMap<String, UnitTally>>, code: &str| {
        m.as_ref().map(|m| m.get(code).map_or(0, |t| t.households_in(Class::Poor)))
    };
    let mut out = Vec::with_capacity(units.len());
    for u in units {
        if !reg.may_read_unit(&u) {
            continue;
        }
        // The unit's row in the parent's reports: a commune's rows are its villages, by name.
        let key = u.row_key().to_string();
        let target = targets.get(&u.code).copied();
        let as_u64 = |v: Option<f64>| v.map(|x| x.max(0.0) as u64);
        let start_poor = as_u64(target.and_then(|t| t.get(col::POOR))).or_else(|| poor_of(&prev, &key));
        let target_end = as_u64(target.and_then(|t| t.get(col::POOR_END))).or_else(|| {
            let t = target?;
            Some((t.get(col::POOR)? - t.get(col::REDUCTION)?).max(0.0) as u64)
        });
        let actual_end = poor_of(&now, &key);
        let forecast_end = match (actual_end, start_poor, poor_of(&prev, &key), poor_of(&prev2, &key)) {
            (Some(a), _, _, _) => Some(a as f64),
            (None, Some(start), Some(p1), Some(p2)) => Some((start as f64 - (p2 as f64 - p1 as f64)).max(0.0)),
            _ => None,
        };
        let status = match (target_end, forecast_end) {
            (None, _) => Status::NoTarget,
            (Some(_), None) => Status::NoData,
            (Some(t), Some(f)) if f <= t as f64 => Status::OnTrack,
            _ => Status::OffTrack,
        };
        let resident = residents.as_ref().and_then(|c| c.of(&key)).map(|r| r.households);
        let base_households = resident.or_else(|| as_u64(target.and_then(|t| t.get(col::HOUSEHOLDS))));
        let tally = latest_tally.and_then(|m| m.get(&key));
        let poor_now = tally.map(|t| t.households_in(Class::Poor));
        let rate = |n: Option<u64>| match (n, base_households) {
            (Some(n), Some(b)) if b > 0 => Some(n as f64 * 100.0 / b as f64),
            _ => None,
        };
        let indicators = match (&framework, &std, tally) {
            (Some(fw), Some(s), Some(t)) => {
                let src = Sources { tally: t, residents: resident.or(base_households), support: support.get(&key) };
                values(fw, s, src)
            }
            _ => Vec::new(),
        };
        let indicator_targets = indicator_targets
            .get(&u.code)
            .map(|list| {
                list.iter()
                    .map(|(id, target)| {
                        let actual = indicators.iter().find(|v| &v.id == id).and_then(|v| v.value);
                        let direction = framework.as_ref().and_then(|f| f.def_of(id)).map(|d| d.direction);
                        let met = match (actual, direction) {
                            (Some(a), Some(d)) => Some(reaches(d, a, *target)),
                            _ => None,
                        };
                        IndicatorProgress { id: id.clone(), target: *target, actual, met }
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.push(UnitProgress {
            indicator_targets,
            poor_rate_now: rate(poor_now),
            poor_rate_target_end: rate(target_end),
            code: u.code,
            name: u.name,
            target,
            start_poor,
            target_end,
            actual_end,
            forecast_end,
            base_households,
            status,
            indicators,
        });
    }
    Ok(Progress { year, latest_period: latest.map(|p| p.year), framework, units: out })
}

/// The progress as a table (Vietnamese headers, or the keys when `english`): one row per unit,
/// off-track units highlighted, then each computed indicator. The one layout the command line,
/// the page's download and the tests use.
pub fn progress_table(p: &Progress, english: bool) -> (Vec<String>, Vec<vuonlen_io::PlainRow>) {
    use vuonlen_io::{PlainCell, PlainRow};
    let fixed: [(&str, &str); 13] = [
        ("unit_code", "Mã đơn vị"),
        ("unit_name", "Tên đơn vị"),
        ("start_poor", "Hộ nghèo đầu năm"),
        ("target_reduction", "Chỉ tiêu giảm (hộ)"),
        ("target_end", "Chỉ tiêu hộ nghèo cuối năm"),
        ("actual_end", "Hộ nghèo cuối năm (rà soát)"),
        ("forecast_end", "Dự báo cuối năm theo tốc độ năm trước"),
        ("base_households", "Số hộ dân cư (mẫu số)"),
        ("poor_rate_pct", "Tỷ lệ hộ nghèo hiện tại (%)"),
        ("poor_rate_target_end_pct", "Tỷ lệ hộ nghèo chỉ tiêu cuối năm (%)"),
        ("status", "Tình trạng"),
        ("status_key", "Mã tình trạng"),
        ("indicator_targets_missed", "Chỉ tiêu chỉ số chưa đạt"),
    ];
    let mut header: Vec<String> = fixed.iter().map(|(k, vi)| if english { k } else { vi }.to_string()).collect();
    let first = p.units.iter().find(|u| !u.indicators.is_empty());
    if let Some(u) = first {
        header.extend(u.indicators.iter().map(|v| if english { v.id.clone() } else { v.name_vi.clone() }));
    }
    let n = |v: Option<u64>| PlainCell::Int(v.map(|x| x as i64));
    let rows = p
        .units
        .iter()
        .map(|u| {
            let mut cells = vec![
                PlainCell::Text(u.code.clone()),
                PlainCell::Text(u.name.clone()),
                n(u.start_poor),
                PlainCell::Int(u.target.and_then(|t| t.get(col::REDUCTION)).map(|x| x as i64)),
                n(u.target_end),
                n(u.actual_end),
                PlainCell::Dec(if u.actual_end.is_some() { None } else { u.forecast_end }),
                n(u.base_households),
                PlainCell::Dec(u.poor_rate_now),
                PlainCell::Dec(u.poor_rate_target_end),
                PlainCell::Text(if english { u.status.key() } else { u.status.label_vi() }.to_string()),
                PlainCell::Text(u.status.key().to_string()),
                PlainCell::Int(Some(u.indicators_missed() as i64)),
            ];
            if let Some(f) = first {
                for v in &f.indicators {
                    cells.push(PlainCell::Dec(u.indicators.iter().find(|x| x.id == v.id).and_then(|x| x.value)));
                }
            }
            PlainRow { cells, highlight: u.status == Status::OffTrack }
        })
        .collect();
    (header, rows)
}
