//! Plan targets in the API: a unit's own targets for a year and the table its plan set for its
//! units (read), its own targets (set), and a target table (checked or recorded whole, each
//! problem at its row's index). The same use cases as `vuonlen targets` and the page.

use crate::api::extract::{ApiJson, ApiPath};
use crate::api::review::{Refused, file_refusals, refused};
use crate::auth::Viewer;
use crate::error::{ApiError, AppError};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use vuonlen_app::import::Finish;
use vuonlen_app::targets::{record_target_table, set_targets, target_table};
use vuonlen_core::review::Refusal;
use vuonlen_core::targets::{FIGURES, Figures, RATE_BASES_VERIFIED, TARGET_COLUMNS};
use vuonlen_store::Registry;
use vuonlen_store::targets::TargetUnit;

/// Figures by column key (`households`, `poor_households`, `poor_rate_pct`, …: the target
/// table's English headers).
pub type FiguresOut = BTreeMap<String, f64>;

pub(crate) fn figures_out(f: &Figures) -> FiguresOut {
    TARGET_COLUMNS.iter().zip(f.0).filter_map(|(c, v)| Some((c.key.to_string(), v?))).collect()
}

fn figures_in(m: &FiguresOut) -> Result<Figures, AppError> {
    let mut f = Figures::default();
    for (k, v) in m {
        let i = TARGET_COLUMNS.iter().position(|c| c.key == k).ok_or_else(|| {
            AppError::Invalid(format!("'{k}' không phải cột của bảng chỉ tiêu / is not a target column"))
        })?;
        f.0[i] = Some(*v);
    }
    Ok(f)
}

/// A unit's targets for a year and the table its plan set for its units.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TargetsOut {
    pub year: i64,
    pub unit_code: String,
    pub unit_name: String,
    /// The unit's own targets (`null`: none recorded).
    pub own: Option<FiguresOut>,
    /// The units' rows its table set (within the caller's area).
    pub table: Vec<TargetRowOut>,
    /// The rows added up (rates computed from the sums).
    pub total: FiguresOut,
    /// Whether the rates' bases come from a legal text (they are this project's reading).
    pub rate_bases_verified: bool,
    /// The unit's targets for result indicators: indicator id → value.
    pub indicators: BTreeMap<String, f64>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TargetRowOut {
    pub unit_code: String,
    pub unit_name: String,
    pub figures: FiguresOut,
}

/// The unit of the path, readable by the caller (404 otherwise: as for a household).
async fn readable(v: &Viewer, reg: &vuonlen_store::Registry, unit: &str) -> Result<TargetUnit, AppError> {
    crate::pages::readable_unit(v, reg, Some(unit)).await
}

/// The unit of the path, changeable by the caller.
async fn settable(v: &Viewer, reg: &Registry, unit: &str) -> Result<TargetUnit, AppError> {
    let u = readable(v, reg, unit).await?;
    if !reg.may_set_unit(&u) {
        return Err(AppError::Forbidden("đặt chỉ tiêu / setting targets".into()));
    }
    Ok(u)
}

#[utoipa::path(get, path = "/api/v1/targets/{year}/{unit}",
    params(("year" = i64, Path, description = "plan year"), ("unit" = String, Path, description = "VN, a province or a commune (2025 list)")),
    responses((status = 200, body = TargetsOut), (status = 404, description = "no such unit in the caller's area")))]
pub async fn get_targets(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((year, unit)): ApiPath<(i64, String)>,
) -> Result<Json<TargetsOut>, ApiError> {
    let reg = v.registry(&state);
    let unit = readable(&v, &reg, &unit).await?;
    let own = reg.target(year, &unit).await?.map(|t| figures_out(&t.figures));
    let indicators = reg
        .indicator_targets_of_year(year)
        .await?
        .into_iter()
        .filter(|t| t.unit_code == unit.code)
        .map(|t| (t.indicator_id, t.value))
        .collect();
    let (rows, total) = target_table(&reg, year, &unit).await.map_err(crate::households::app_error)?;
    Ok(Json(TargetsOut {
        year,
        unit_code: unit.code,
        unit_name: unit.name,
        own,
        table: rows
            .into_iter()
            .map(|r| TargetRowOut { unit_code: r.unit_code, unit_name: r.unit_name, figures: figures_out(&r.figures) })
            .collect(),
        total: figures_out(&total),
        rate_bases_verified: RATE_BASES_VERIFIED,
        indicators,
    }))
}

/// A unit's own targets: its figures, its result-indicator targets, or both.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SetTargetsRequest {
    #[serde(default)]
    pub figures: FiguresOut,
    /// Indicator id → target (`health_insurance`, `deprived_shares:water`, …).
    #[serde(default)]
    pub indicators: BTreeMap<String, f64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TargetsSet {
    pub unit_code: String,
    pub unit_name: String,
}

#[utoipa::path(put, path = "/api/v1/targets/{year}/{unit}", request_body = SetTargetsRequest,
    params(("year" = i64, Path, description = "plan year"), ("unit" = String, Path, description = "VN, a province or a commune")),
    responses((status = 200, body = TargetsSet), (status = 422, body = Refused, description = "figures missing or inconsistent, every reason"),
        (status = 403, description = "the caller may not set this unit's targets")))]
pub async fn put_targets(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((year, unit)): ApiPath<(i64, String)>,
    ApiJson(req): ApiJson<SetTargetsRequest>,
) -> Result<Response, ApiError> {
    let reg = v.registry(&state);
    let unit = settable(&v, &reg, &unit).await?;
    let app = crate::households::app_error;
    let no = |why: vuonlen_app::targets::TargetsRefused| {
        refused(why.messages().into_iter().map(|(vi, en)| (None, Refusal { vi, en })).collect())
    };
    if !req.indicators.is_empty() {
        let done = vuonlen_app::targets::set_indicator_targets(
            &reg,
            &state.standards,
            year,
            &unit.code,
            &req.indicators,
            &v.user.username,
            "api",
        )
        .await
        .map_err(app)?;
        if let Err(why) = done {
            return Ok(no(why));
        }
    }
    if !req.figures.is_empty() || req.indicators.is_empty() {
        let figures = figures_in(&req.figures)?;
        if let Err(why) = set_targets(&reg, year, &unit.code, figures, &v.user.username, "api").await.map_err(app)? {
            return Ok(no(why));
        }
    }
    Ok(Json(TargetsSet { unit_code: unit.code, unit_name: unit.name }).into_response())
}

/// A target table: its units' rows and, as plans print one, a total row.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TableRequest {
    /// Check only: record nothing.
    #[serde(default)]
    pub check_only: bool,
    pub rows: Vec<TableRowIn>,
    pub total: Option<FiguresOut>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TableRowIn {
    /// The unit's code (optional when the name is given).
    pub unit_code: Option<String>,
    #[serde(default)]
    pub unit_name: String,
    pub figures: FiguresOut,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TableRecorded {
    /// Units recorded (0 when only checked).
    pub recorded: u64,
    /// Rows checked.
    pub checked: usize,
    /// Whether the units were compared with the parent's own targets (it has some).
    pub compared_with_parent: bool,
}

#[utoipa::path(post, path = "/api/v1/targets/{year}/{unit}/table", request_body = TableRequest,
    params(("year" = i64, Path, description = "plan year"), ("unit" = String, Path, description = "VN or a province: the parent of the rows")),
    responses((status = 200, body = TableRecorded), (status = 422, body = Refused, description = "refused whole: every problem at its row's index (the total row after the units)"),
        (status = 403, description = "the caller may not set this unit's targets")))]
pub async fn post_table(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((year, unit)): ApiPath<(i64, String)>,
    ApiJson(req): ApiJson<TableRequest>,
) -> Result<Response, ApiError> {
    let reg = v.registry(&state);
    let parent = settable(&v, &reg, &unit).await?;
    if reg.target_children(&parent).await?.is_empty() {
        return Ok(refused(vec![(
            None,
            Refusal {
                vi: format!("{} không có đơn vị trực thuộc để giao chỉ tiêu.", parent.name),
                en: format!("{} has no units to set targets for.", parent.name),
            },
        )]));
    }
    // The rows as the file `vuonlen targets import` reads: one reader, one set of checks.
    let dir = tempfile::tempdir().map_err(|e| AppError::Internal(e.to_string()))?;
    let path = dir.path().join("chi-tieu.csv");
    let internal = |e: csv::Error| AppError::Internal(e.to_string());
    {
        let mut w = csv::Writer::from_path(&path).map_err(internal)?;
        let mut header = vec!["unit_code", "unit_name"];
        header.extend(TARGET_COLUMNS.iter().map(|c| c.key));
        w.write_record(&header).map_err(internal)?;
        let line = |code: &str, name: &str, f: &FiguresOut| -> Vec<String> {
            let mut rec = vec![code.to_string(), name.to_string()];
            rec.extend(TARGET_COLUMNS.iter().map(|c| f.get(c.key).map(|v| v.to_string()).unwrap_or_default()));
            rec
        };
        for r in &req.rows {
            w.write_record(line(r.unit_code.as_deref().unwrap_or(""), &r.unit_name, &r.figures)).map_err(internal)?;
        }
        if let Some(t) = &req.total {
            w.write_record(line("", "Tổng cộng", t)).map_err(internal)?;
        }
        w.flush().map_err(|e| AppError::Internal(e.to_string()))?;
    }
    let finish = if req.check_only { Finish::CheckOnly } else { Finish::Commit };
    let done = record_target_table(&reg, year, Some(&parent), path, &v.user.username, "api", finish)
        .await
        .map_err(crate::households::app_error)?;
    if !done.table.report.is_clean() {
        return Ok(refused(file_refusals(done.table.report.errors)));
    }
    debug_assert!(FIGURES == TARGET_COLUMNS.len());
    Ok(Json(TableRecorded {
        recorded: done.recorded.unwrap_or(0),
        checked: done.table.rows.len(),
        compared_with_parent: done.parent_targets.is_some(),
    })
    .into_response())
}

/// One unit's progress against its target.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UnitProgressOut {
    pub unit_code: String,
    pub unit_name: String,
    /// `on_track`, `off_track`, `no_target` or `no_data`.
    pub status: String,
    pub start_poor: Option<u64>,
    pub target_end: Option<u64>,
    /// Poor households recognised by the year's review, when it is in.
    pub actual_end: Option<u64>,
    /// At the pace of the year before, when the year's review is not in.
    pub forecast_end: Option<f64>,
    pub base_households: Option<u64>,
    pub poor_rate_pct: Option<f64>,
    pub poor_rate_target_end_pct: Option<f64>,
    /// The framework's computed indicators: id → value (`null`: not computable here).
    pub indicators: BTreeMap<String, Option<f64>>,
    /// The unit's indicator targets against those values.
    pub indicator_targets: Vec<IndicatorTargetOut>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IndicatorTargetOut {
    pub id: String,
    pub target: f64,
    pub actual: Option<f64>,
    /// `null` when the registry has no value to compare.
    pub met: Option<bool>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProgressOut {
    pub year: i64,
    /// The review period the figures come from.
    pub latest_period: Option<i64>,
    pub framework: Option<String>,
    pub units: Vec<UnitProgressOut>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ProgressQuery {
    /// With `VN`: every commune of the country instead of the provinces.
    #[serde(default)]
    pub communes: bool,
}

#[utoipa::path(get, path = "/api/v1/targets/{year}/{unit}/progress",
    params(("year" = i64, Path, description = "plan year"), ("unit" = String, Path, description = "VN or a province"), ProgressQuery),
    responses((status = 200, body = ProgressOut), (status = 404, description = "no such unit in the caller's area")))]
pub async fn get_progress(
    State(state): State<AppState>,
    v: Viewer,
    ApiPath((year, unit)): ApiPath<(i64, String)>,
    crate::api::extract::ApiQuery(q): crate::api::extract::ApiQuery<ProgressQuery>,
) -> Result<Json<ProgressOut>, ApiError> {
    use vuonlen_app::progress::{Depth, progress};
    let reg = v.registry(&state);
    let unit = readable(&v, &reg, &unit).await?;
    let depth = if q.communes && unit.code == "VN" { Depth::AllCommunes } else { Depth::Children };
    let p = progress(&reg, &state.standards, year, &unit, depth).await.map_err(crate::households::app_error)?;
    Ok(Json(ProgressOut {
        year,
        latest_period: p.latest_period,
        framework: p.framework.as_ref().map(|f| f.id.clone()),
        units: p
            .units
            .into_iter()
            .map(|u| UnitProgressOut {
                status: u.status.key().to_string(),
                start_poor: u.start_poor,
                target_end: u.target_end,
                actual_end: u.actual_end,
                forecast_end: u.forecast_end,
                base_households: u.base_households,
                poor_rate_pct: u.poor_rate_now,
                poor_rate_target_end_pct: u.poor_rate_target_end,
                indicators: u.indicators.into_iter().map(|i| (i.id, i.value)).collect(),
                indicator_targets: u
                    .indicator_targets
                    .into_iter()
                    .map(|t| IndicatorTargetOut { id: t.id, target: t.target, actual: t.actual, met: t.met })
                    .collect(),
                unit_code: u.code,
                unit_name: u.name,
            })
            .collect(),
    }))
}
