//! Plan targets (*chỉ tiêu giảm nghèo*): a unit's own targets for a year and the table its plan
//! set for its units. Everyone signed in sees those of their area; an officer who may change
//! the unit sets its own targets, and checks or records a target table (CSV or XLSX) — refused
//! whole with every problem located by row, column, value and unit — then downloads it.

use crate::auth::Viewer;
use crate::error::{AppError, PageError};
use crate::households::app_error;
use crate::pages::import::{safe_name, save_upload};
use crate::pages::{Chrome, XLSX_TYPE, render, this_year, written_attachment};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use vuonlen_app::import::Finish;
use vuonlen_app::plans::{plans_of, poor_households, set_plan};
use vuonlen_app::progress::{Depth, Status, progress, progress_table};
use vuonlen_app::targets::{record_target_table, set_targets, target_table};
use vuonlen_core::targets::{ColumnKind, FIGURES, Figures, RATE_BASES_VERIFIED, TARGET_COLUMNS};
use vuonlen_store::Registry;
use vuonlen_store::targets::TargetUnit;

/// A figure column as the page shows it: key, Vietnamese and English labels, whether a rate.
pub struct ColumnView {
    pub key: &'static str,
    pub label: &'static str,
    pub rate: bool,
    pub required: bool,
}

#[derive(Template, Default)]
#[template(path = "targets.html")]
struct TargetsPage {
    c: Chrome,
    year: i64,
    unit_code: String,
    unit_name: String,
    columns: Vec<ColumnView>,
    /// The unit's own figures, as shown, one per column (empty: not given).
    own: Vec<String>,
    has_own: bool,
    /// The own figures as the form's values (raw numbers).
    own_values: Vec<String>,
    /// The table's rows: code, name, then the figures as shown.
    rows: Vec<Vec<String>>,
    total: Vec<String>,
    may_set: bool,
    has_children: bool,
    message: Option<String>,
    failed: bool,
    /// Problems: row, column, value, unit, message.
    problems: Vec<[String; 5]>,
    rate_bases_verified: bool,
    /// Progress of the unit's units in the year.
    progress: Vec<ProgressView>,
    off_track: usize,
    latest_period: String,
    /// The unit's poor households over the review periods, and its end-of-year targets.
    trend: Trend,
    /// The result indicators a target can be set for: id, name, the unit's target (if any).
    indicator_inputs: Vec<(String, String, String)>,
    /// For the country: its provinces coloured by their poor rate, the off-track ones outlined.
    map: Option<crate::map::Choropleth>,
    /// The unit's plans, year by year.
    plans: Vec<PlanShown>,
}

/// A plan as the page shows it.
pub struct PlanShown {
    pub title: String,
    pub span: String,
    pub decision: String,
    /// Year, start, reduction, end target, the review's end, status; whether off track.
    pub years: Vec<([String; 6], bool)>,
    pub findings: Vec<String>,
}

/// One unit's progress as the page shows it.
pub struct ProgressView {
    pub code: String,
    pub name: String,
    pub start: String,
    pub target_end: String,
    pub actual_end: String,
    pub forecast_end: String,
    pub rate_now: String,
    pub rate_target: String,
    pub status: &'static str,
    pub off: bool,
    /// Indicator targets the registry shows missed.
    pub missed: usize,
}

/// A line chart drawn by the server (SVG coordinates computed here; no script).
#[derive(Default)]
pub struct Trend {
    /// `x,y x,y …` of the recognised poor households.
    pub line: String,
    /// (x, y, text) of each period's point and of each year's target.
    pub points: Vec<(i64, i64, String)>,
    pub targets: Vec<(i64, i64, String)>,
    /// (x, year) under the axis.
    pub years: Vec<(i64, i64)>,
    /// The largest value on the axis, as shown.
    pub top: String,
}

const CHART_W: f64 = 640.0;
const CHART_H: f64 = 180.0;

impl Trend {
    /// Periods' values and targets by year, scaled into the chart.
    fn of(actual: &[(i64, u64)], targets: &[(i64, u64)], lang: crate::i18n::Lang) -> Trend {
        let years: Vec<i64> = {
            let mut y: Vec<i64> = actual.iter().chain(targets).map(|(y, _)| *y).collect();
            y.sort_unstable();
            y.dedup();
            y
        };
        let Some((&first, &last)) = years.first().zip(years.last()) else { return Trend::default() };
        let top = actual.iter().chain(targets).map(|(_, v)| *v).max().unwrap_or(0).max(1);
        let x = |y: i64| {
            if last == first { 40 } else { 40 + ((y - first) as f64 * (CHART_W - 80.0) / (last - first) as f64) as i64 }
        };
        let y = |v: u64| 10 + ((1.0 - v as f64 / top as f64) * (CHART_H - 30.0)) as i64;
        Trend {
            line: actual.iter().map(|(yr, v)| format!("{},{}", x(*yr), y(*v))).collect::<Vec<_>>().join(" "),
            points: actual.iter().map(|(yr, v)| (x(*yr), y(*v), format!("{yr}: {}", lang.int(*v)))).collect(),
            targets: targets
                .iter()
                .map(|(yr, v)| (x(*yr), y(*v), format!("{} {yr}: {}", lang.s("Chỉ tiêu", "Target"), lang.int(*v))))
                .collect(),
            years: years.iter().map(|yr| (x(*yr), *yr)).collect(),
            top: lang.int(top),
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct TargetsQuery {
    pub year: Option<i64>,
    pub unit: Option<String>,
    pub format: Option<String>,
    pub english: Option<String>,
    /// `progress`: the progress table instead of the target table.
    pub what: Option<String>,
}

/// The unit asked for (the user's own by default), if the user may read it (404 otherwise).
async fn unit_for(v: &Viewer, reg: &Registry, code: Option<&str>) -> Result<TargetUnit, AppError> {
    crate::pages::readable_unit(v, reg, code).await
}

fn shown(f: &Figures) -> Vec<String> {
    f.0.iter().map(|v| v.map(vuonlen_core::targets::show).unwrap_or_default()).collect()
}

async fn page(state: &AppState, v: &Viewer, uri: &Uri, year: i64, unit: &TargetUnit) -> Result<TargetsPage, AppError> {
    let l = v.lang;
    let reg = v.registry(state);
    let own = reg.target(year, unit).await?;
    let (rows, total) = target_table(&reg, year, unit).await.map_err(app_error)?;
    // Progress of its units, and its own trend over the review periods.
    let mut progress_rows = Vec::new();
    let mut latest_period = String::new();
    let mut map = None;
    let children = reg.target_children(unit).await?;
    if !children.is_empty() {
        let p = progress(&reg, &state.standards, year, unit, Depth::Children).await.map_err(app_error)?;
        if unit.code == "VN" {
            let rates = p.units.iter().filter_map(|u| Some((u.code.clone(), u.poor_rate_now?))).collect();
            let flagged = p.units.iter().filter(|u| u.status == Status::OffTrack).map(|u| u.code.clone()).collect();
            let names = p.units.iter().map(|u| (u.code.clone(), u.name.clone())).collect();
            map = crate::map::poor_rate_map(&rates, &flagged, &names, l);
        }
        latest_period = p.latest_period.map(|y| y.to_string()).unwrap_or_default();
        let int = |v: Option<u64>| v.map(|x| l.int(x)).unwrap_or_default();
        let pct =
            |v: Option<f64>| v.map(|x| format!("{} %", vuonlen_core::text::format_decimal(x, 2))).unwrap_or_default();
        progress_rows = p
            .units
            .iter()
            .filter(|u| u.status != Status::NoTarget || u.actual_end.is_some() || u.start_poor.is_some())
            .map(|u| ProgressView {
                code: u.code.clone(),
                name: u.name.clone(),
                start: int(u.start_poor),
                target_end: int(u.target_end),
                actual_end: int(u.actual_end),
                forecast_end: if u.actual_end.is_none() {
                    u.forecast_end.map(|f| l.int(f.round() as u64)).unwrap_or_default()
                } else {
                    String::new()
                },
                rate_now: pct(u.poor_rate_now),
                rate_target: pct(u.poor_rate_target_end),
                status: l.s(u.status.label_vi(), u.status.key()),
                off: u.status == Status::OffTrack,
                missed: u.indicators_missed(),
            })
            .collect();
    }
    let mut actual = Vec::new();
    let mut goals = Vec::new();
    for per in vuonlen_store::period::list(&state.db).await? {
        actual.push((per.year, poor_households(&reg, &per, unit).await.map_err(app_error)?));
    }
    let first_year = actual.first().map_or(year, |(y, _)| *y);
    for y in first_year..=year.max(actual.last().map_or(year, |(y, _)| *y)) {
        if let Some(t) = reg.target(y, unit).await? {
            let end = t.figures.get(vuonlen_core::targets::col::POOR_END).or_else(|| {
                Some(
                    t.figures.get(vuonlen_core::targets::col::POOR)?
                        - t.figures.get(vuonlen_core::targets::col::REDUCTION)?,
                )
            });
            if let Some(e) = end {
                goals.push((y, e.max(0.0) as u64));
            }
        }
    }
    // The indicators a target can be set for: the framework's, a deprivation share per indicator
    // of the standard in force on the year's first day.
    let mut indicator_inputs = Vec::new();
    if let Some(fw) = state.standards.framework_for(year) {
        let mine: std::collections::HashMap<String, f64> = reg
            .indicator_targets_of_year(year)
            .await?
            .into_iter()
            .filter(|t| t.unit_code == unit.code)
            .map(|t| (t.indicator_id, t.value))
            .collect();
        let std = chrono::NaiveDate::from_ymd_opt(i32::try_from(year).unwrap_or(2026), 1, 1)
            .and_then(|d| state.standards.in_force(d).ok());
        for def in &fw.indicators {
            let ids: Vec<(String, String)> = match (def.computed.as_deref(), &std) {
                (Some("deprived_each"), Some(s)) => s
                    .indicators
                    .iter()
                    .map(|i| {
                        (
                            format!("{}:{}", def.id, i.code),
                            format!("{} — {}", l.s(&def.name_vi, &def.name_en), l.s(&i.name_vi, &i.name_en)),
                        )
                    })
                    .collect(),
                (Some("deprived_each"), None) => Vec::new(),
                _ => vec![(def.id.clone(), l.s(&def.name_vi, &def.name_en).to_string())],
            };
            for (id, name) in ids {
                let value = mine.get(&id).map(|v| v.to_string()).unwrap_or_default();
                indicator_inputs.push((id, name, value));
            }
        }
    }
    let plans = plans_of(&reg, unit)
        .await
        .map_err(app_error)?
        .into_iter()
        .map(|pv| PlanShown {
            title: pv.plan.title.clone(),
            span: format!("{}–{}", pv.plan.first_year, pv.plan.last_year),
            decision: match (&pv.plan.decision, &pv.plan.decided_on) {
                (Some(d), Some(on)) => format!("{d} {} {on}", l.s("ngày", "of")),
                (Some(d), None) => d.clone(),
                _ => String::new(),
            },
            years: pv
                .years
                .iter()
                .map(|y| {
                    let g =
                        |i: usize| y.target.and_then(|t| t.get(i)).map(vuonlen_core::targets::show).unwrap_or_default();
                    (
                        [
                            y.year.to_string(),
                            g(vuonlen_core::targets::col::POOR),
                            g(vuonlen_core::targets::col::REDUCTION),
                            y.target_end.map(|x| l.int(x)).unwrap_or_default(),
                            y.actual_end.map(|x| l.int(x)).unwrap_or_default(),
                            l.s(y.status.label_vi(), y.status.key()).to_string(),
                        ],
                        y.status == Status::OffTrack,
                    )
                })
                .collect(),
            findings: pv.findings.iter().map(|(vi, en)| l.s(vi, en).to_string()).collect(),
        })
        .collect();
    Ok(TargetsPage {
        plans,
        map,
        indicator_inputs,
        off_track: progress_rows.iter().filter(|r| r.off).count(),
        progress: progress_rows,
        latest_period,
        trend: Trend::of(&actual, &goals, l),
        c: Chrome::of(v, uri),
        year,
        unit_code: unit.code.clone(),
        unit_name: unit.name.clone(),
        columns: TARGET_COLUMNS
            .iter()
            .map(|c| ColumnView {
                key: c.key,
                label: l.s(c.label_vi, c.key),
                rate: matches!(c.kind, ColumnKind::Rate { .. }),
                required: c.required,
            })
            .collect(),
        has_own: own.is_some(),
        own: own.as_ref().map(|t| shown(&t.figures)).unwrap_or_else(|| vec![String::new(); FIGURES]),
        own_values: own
            .as_ref()
            .map(|t| t.figures.0.iter().map(|v| v.map(|x| x.to_string()).unwrap_or_default()).collect())
            .unwrap_or_else(|| vec![String::new(); FIGURES]),
        rows: rows
            .iter()
            .map(|r| {
                let mut line = vec![r.unit_code.clone(), r.unit_name.clone()];
                line.extend(shown(&r.figures));
                line
            })
            .collect(),
        total: shown(&total),
        may_set: v.access.may_edit() && reg.may_set_unit(unit),
        has_children: !children.is_empty(),
        rate_bases_verified: RATE_BASES_VERIFIED,
        ..Default::default()
    })
}

async fn show_page(
    state: &AppState,
    v: &Viewer,
    uri: &Uri,
    year: Option<i64>,
    unit: Option<&str>,
) -> Result<TargetsPage, AppError> {
    let unit = unit_for(v, &v.registry(state), unit).await?;
    page(state, v, uri, year.unwrap_or_else(this_year), &unit).await
}

pub async fn show(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<TargetsQuery>,
) -> Result<Response, PageError> {
    Ok(render(&show_page(&state, &v, &uri, q.year, q.unit.as_deref()).await?)?.into_response())
}

/// The page's forms: `action=set` (the unit's own figures, one field per column key),
/// `action=check` or `action=import` (a target table file).
pub async fn submit(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    mut mp: Multipart,
) -> Result<Response, PageError> {
    let l = v.lang;
    if !v.access.may_edit() {
        return Err(AppError::Forbidden(l.s("đặt chỉ tiêu", "setting targets").into()).into());
    }
    let dir = tempfile::tempdir().map_err(|e| AppError::Internal(e.to_string()))?;
    let (mut year, mut unit, mut action, mut file) = (None, None, String::new(), None);
    let mut fields: Vec<(String, String)> = Vec::new();
    while let Some(mut field) = mp.next_field().await.map_err(|e| AppError::Invalid(e.to_string()))? {
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "file" => {
                let fname = safe_name(field.file_name().unwrap_or(""), "chi-tieu.csv");
                let path = dir.path().join(&fname);
                if save_upload(state.upload_limit, 0, &mut field, &path, &mut Sha256::new()).await? > 0 {
                    file = Some(path);
                }
            }
            _ => {
                let text = field.text().await.map_err(|e| AppError::Invalid(e.to_string()))?;
                match name.as_str() {
                    "year" => year = text.trim().parse::<i64>().ok(),
                    "unit" => unit = Some(text.trim().to_string()),
                    "action" => action = text.trim().to_string(),
                    _ => fields.push((name, text)),
                }
            }
        }
    }
    let year = year.unwrap_or_else(this_year);
    let reg = v.registry(&state);
    let target = unit_for(&v, &reg, unit.as_deref()).await?;
    if !reg.may_set_unit(&target) {
        return Err(AppError::Forbidden(l.s("đặt chỉ tiêu", "setting targets").into()).into());
    }
    match action.as_str() {
        "set" => {
            let mut figures = Figures::default();
            let mut bad = Vec::new();
            for (key, text) in &fields {
                let Some(i) = TARGET_COLUMNS.iter().position(|c| c.key == key) else { continue };
                let t = text.trim().replace(',', ".");
                if t.is_empty() {
                    continue;
                }
                match t.parse::<f64>() {
                    Ok(x) if x.is_finite() && x >= 0.0 => figures.0[i] = Some(x),
                    _ => bad.push(format!("{}: '{}'", l.s(TARGET_COLUMNS[i].label_vi, key), text.trim())),
                }
            }
            let mut p = page(&state, &v, &uri, year, &target).await?;
            if !bad.is_empty() {
                p.message =
                    Some(format!("{} {}", l.s("Không phải số không âm:", "Not a number (0 or more):"), bad.join("; ")));
                p.failed = true;
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response());
            }
            match set_targets(&reg, year, &target.code, figures, &v.user.username, "web").await.map_err(app_error)? {
                Ok(u) => {
                    let mut p = page(&state, &v, &uri, year, &u).await?;
                    p.message =
                        Some(format!("{} {} {year}.", l.s("Đã ghi chỉ tiêu của", "Recorded the targets of"), u.name));
                    Ok(render(&p)?.into_response())
                }
                Err(why) => {
                    p.message = Some(
                        why.messages()
                            .into_iter()
                            .map(|(vi, en)| l.s(&vi, &en).to_string())
                            .collect::<Vec<_>>()
                            .join(" "),
                    );
                    p.failed = true;
                    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
                }
            }
        }
        "indicators" => {
            let mut values = std::collections::BTreeMap::new();
            let mut bad = Vec::new();
            for (key, text) in &fields {
                let Some(id) = key.strip_prefix("it_") else { continue };
                let t = text.trim().replace(',', ".");
                if t.is_empty() {
                    continue;
                }
                match t.parse::<f64>() {
                    Ok(x) => {
                        values.insert(id.to_string(), x);
                    }
                    Err(_) => bad.push(format!("{id}: '{}'", text.trim())),
                }
            }
            let mut p = page(&state, &v, &uri, year, &target).await?;
            if !bad.is_empty() || values.is_empty() {
                p.message = Some(if bad.is_empty() {
                    l.s("Chưa nhập chỉ tiêu nào.", "No target entered.").to_string()
                } else {
                    format!("{} {}", l.s("Không phải số:", "Not a number:"), bad.join("; "))
                });
                p.failed = true;
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response());
            }
            let done = vuonlen_app::targets::set_indicator_targets(
                &reg,
                &state.standards,
                year,
                &target.code,
                &values,
                &v.user.username,
                "web",
            )
            .await
            .map_err(app_error)?;
            match done {
                Ok(u) => {
                    let mut p = page(&state, &v, &uri, year, &u).await?;
                    p.message = Some(format!(
                        "{} {} {}.",
                        l.s("Đã ghi chỉ tiêu theo chỉ số của", "Recorded the indicator targets of"),
                        u.name,
                        year
                    ));
                    Ok(render(&p)?.into_response())
                }
                Err(why) => {
                    p.message = Some(
                        why.messages()
                            .into_iter()
                            .map(|(vi, en)| l.s(&vi, &en).to_string())
                            .collect::<Vec<_>>()
                            .join(" "),
                    );
                    p.failed = true;
                    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
                }
            }
        }
        "plan" => {
            let get =
                |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, t)| t.trim().to_string()).unwrap_or_default();
            let from = get("plan_from").parse::<i64>().ok();
            let to = get("plan_to").parse::<i64>().ok().or(from);
            let on = get("plan_decided_on");
            let decided_on = chrono::NaiveDate::parse_from_str(&on, "%Y-%m-%d").ok();
            let mut p = page(&state, &v, &uri, year, &target).await?;
            let bad = match (from, on.is_empty() || decided_on.is_some()) {
                (None, _) => {
                    Some(l.s("Năm đầu của kế hoạch phải là một năm.", "The plan's first year must be a year."))
                }
                (_, false) => {
                    Some(l.s("Ngày quyết định phải có dạng YYYY-MM-DD.", "The decision's date must be YYYY-MM-DD."))
                }
                _ => None,
            };
            if let Some(m) = bad {
                p.message = Some(m.to_string());
                p.failed = true;
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response());
            }
            let (from, to) = (from.unwrap_or(year), to.unwrap_or(year));
            let decision = get("plan_decision");
            let done = set_plan(
                &reg,
                &target.code,
                from,
                to,
                &get("plan_title"),
                Some(decision.as_str()).filter(|d| !d.is_empty()),
                decided_on,
                &v.user.username,
                "web",
            )
            .await
            .map_err(app_error)?;
            match done {
                Ok(plan) => {
                    let mut p = page(&state, &v, &uri, year, &target).await?;
                    p.message = Some(format!(
                        "{} {}–{} {} {}.",
                        l.s("Đã ghi kế hoạch", "Recorded the plan"),
                        plan.first_year,
                        plan.last_year,
                        l.s("của", "of"),
                        plan.unit_name
                    ));
                    Ok(render(&p)?.into_response())
                }
                Err(why) => {
                    p.message = Some(
                        why.messages()
                            .into_iter()
                            .map(|(vi, en)| l.s(&vi, &en).to_string())
                            .collect::<Vec<_>>()
                            .join(" "),
                    );
                    p.failed = true;
                    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
                }
            }
        }
        "check" | "import" => {
            let mut p = page(&state, &v, &uri, year, &target).await?;
            let Some(file) = file else {
                p.message = Some(l.s("Hãy chọn một tệp CSV hoặc Excel.", "Choose a CSV or Excel file.").into());
                p.failed = true;
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response());
            };
            let finish = if action == "import" { Finish::Commit } else { Finish::CheckOnly };
            let done = record_target_table(&reg, year, Some(&target), file, &v.user.username, "web", finish)
                .await
                .map_err(app_error)?;
            let mut p = page(&state, &v, &uri, year, &target).await?;
            if !done.table.report.is_clean() {
                p.problems = done
                    .table
                    .report
                    .errors
                    .iter()
                    .map(|e| {
                        [
                            if e.row > 0 { e.row.to_string() } else { String::new() },
                            e.column.clone(),
                            e.value.clone(),
                            e.household_code.clone().unwrap_or_default(),
                            l.s(&e.message_vi, &e.message_en).to_string(),
                        ]
                    })
                    .collect();
                p.message = Some(crate::pages::table_refused(l, p.problems.len()));
                p.failed = true;
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response());
            }
            let n = done.table.rows.len();
            let mut text = match done.recorded {
                Some(k) => format!(
                    "{} {k} {}",
                    l.s("Đã ghi chỉ tiêu của", "Recorded the targets of"),
                    l.s("đơn vị.", "units.")
                ),
                None => format!(
                    "{} {n} {}",
                    l.s("Bảng hợp lệ:", "The table is valid:"),
                    l.s("đơn vị; chưa ghi.", "units; nothing recorded.")
                ),
            };
            if done.parent_targets.is_none() {
                text.push(' ');
                text.push_str(l.s(
                    "Đơn vị chưa có chỉ tiêu của mình nên chưa so các đơn vị với chỉ tiêu đó.",
                    "The unit has no targets of its own: the units were not compared with them.",
                ));
            }
            p.message = Some(text);
            Ok(render(&p)?.into_response())
        }
        _ => Err(AppError::Invalid(l.s("Thao tác không hợp lệ.", "Unknown action.").into()).into()),
    }
}

/// The table a unit's plan set, with its total row: `format=xlsx` or `csv`, Vietnamese headers
/// (`english=1`: the keys).
pub async fn download(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<TargetsQuery>,
) -> Result<Response, PageError> {
    let reg = v.registry(&state);
    let unit = unit_for(&v, &reg, q.unit.as_deref()).await?;
    let year = q.year.unwrap_or_else(this_year);
    if q.what.as_deref() == Some("progress") {
        let p = progress(&reg, &state.standards, year, &unit, Depth::Children).await.map_err(app_error)?;
        let english = q.english.as_deref().is_some_and(|e| e == "1" || e == "true");
        let (head, rows) = progress_table(&p, english);
        let name = format!("tien-do-{}-{year}.xlsx", unit.code);
        return Ok(written_attachment(&name, XLSX_TYPE, |path| {
            vuonlen_io::write_plain_table(path, "tien-do", &head, &rows)
        })?);
    }
    let (rows, total) = target_table(&reg, year, &unit).await.map_err(app_error)?;
    let xlsx = q.format.as_deref() != Some("csv");
    let name = format!("chi-tieu-{}-{year}.{}", unit.code, if xlsx { "xlsx" } else { "csv" });
    let out: Vec<vuonlen_io::TargetOut<'_>> =
        rows.iter().map(|r| (r.unit_code.as_str(), r.unit_name.as_str(), &r.figures)).collect();
    let english = q.english.as_deref().is_some_and(|e| e == "1" || e == "true");
    let mime = if xlsx { XLSX_TYPE } else { "text/csv; charset=utf-8" };
    Ok(written_attachment(&name, mime, |path| vuonlen_io::write_target_table(path, &out, &total, english))?)
}
