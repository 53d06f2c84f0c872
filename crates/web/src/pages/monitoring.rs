//! The monitoring cycle (*báo cáo giám sát*, Circular 10/2022/TT-BLĐTBXH): a unit's 6-monthly or
//! annual report — drafted from the registry and the targets, the figures the registry cannot
//! compute entered, submitted — and, for a province or the country, its units' reports with the
//! late ones highlighted, each submitted one approved or returned with a comment, and the
//! roll-up downloaded.

use crate::auth::Viewer;
use crate::error::{AppError, PageError};
use crate::households::app_error;
use crate::pages::{Chrome, XLSX_TYPE, attachment, render, this_year, written_attachment};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::BTreeMap;
use vuonlen_app::monitoring::{
    decide_report, draft_report, due_for, enter_figures, report_pdf, report_table, rollup, rollup_table,
};
use vuonlen_core::monitoring::{ReportAction, ReportState};
use vuonlen_store::Registry;
use vuonlen_store::targets::TargetUnit;

/// One indicator of the report as shown.
pub struct Line {
    pub id: String,
    pub name: String,
    pub value: String,
    /// Entered by the unit (an input when the report is editable).
    pub reported: bool,
    pub raw: String,
    pub unverified: bool,
}

/// One unit of the roll-up as shown.
pub struct UnitLine {
    pub code: String,
    pub name: String,
    pub state: String,
    pub submitted: bool,
    pub due: String,
    pub late: bool,
}

#[derive(Template, Default)]
#[template(path = "monitoring.html")]
struct MonitoringPage {
    c: Chrome,
    kind: String,
    kinds: Vec<(String, String)>,
    year: i64,
    unit_code: String,
    unit_name: String,
    layout_citation: String,
    state: String,
    has_report: bool,
    editable: bool,
    may_act: bool,
    due: String,
    comment: Option<String>,
    lines: Vec<Line>,
    units: Vec<UnitLine>,
    may_decide: bool,
    approved: usize,
    late: usize,
    message: Option<String>,
    failed: bool,
}

#[derive(Debug, Deserialize)]
pub struct MonitoringQuery {
    pub kind: Option<String>,
    pub year: Option<i64>,
    pub unit: Option<String>,
    /// Downloads: `report` (the unit's own report) rather than the roll-up of its units.
    pub what: Option<String>,
    /// `pdf` or `xlsx` (the default).
    pub format: Option<String>,
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

async fn unit_for(v: &Viewer, reg: &Registry, code: Option<&str>) -> Result<TargetUnit, AppError> {
    crate::pages::readable_admin_unit(v, reg, code).await
}

async fn page(
    state: &AppState,
    v: &Viewer,
    uri: &Uri,
    kind: &str,
    year: i64,
    unit: &TargetUnit,
) -> Result<MonitoringPage, AppError> {
    let l = v.lang;
    let reg = v.registry(state);
    let cycle = state.standards.monitoring().ok_or_else(|| AppError::Internal("no monitoring cycle loaded".into()))?;
    let fw = state.standards.framework_for(year);
    let report = reg.monitoring_report(kind, year, unit).await?;
    let due = due_for(&reg, &state.standards, kind, year, unit).await.map_err(app_error)?;
    let editable = report.as_ref().is_none_or(|r| matches!(r.state, ReportState::Draft | ReportState::Returned));
    let may_act = v.access.may_edit() && reg.may_set_unit(unit);
    // In the framework's order; a deprivation indicator named as its standard names it.
    let indicator_name = |code: &str| {
        state
            .standards
            .standards()
            .iter()
            .rev()
            .find_map(|s| s.indicators.iter().find(|i| i.code == code))
            .map_or_else(|| code.to_string(), |i| l.s(&i.name_vi, &i.name_en).to_string())
    };
    let mut lines: Vec<(usize, Line)> = match (&report, &fw) {
        (Some(r), Some(fw)) => r
            .figures
            .iter()
            .map(|(id, value)| {
                let base = id.split(':').next().unwrap_or(id);
                let at = fw.indicators.iter().position(|i| i.id == base).unwrap_or(usize::MAX);
                let def = fw.indicators.get(at);
                let name = match (def, id.split_once(':')) {
                    (Some(d), Some((_, code))) => format!("{} — {}", l.s(&d.name_vi, &d.name_en), indicator_name(code)),
                    (Some(d), None) => l.s(&d.name_vi, &d.name_en).to_string(),
                    (None, _) => id.clone(),
                };
                let line = Line {
                    id: id.clone(),
                    name,
                    value: value.map(|x| vuonlen_core::text::format_decimal(x, 2)).unwrap_or_else(|| "—".into()),
                    reported: def.is_some_and(|d| d.reported),
                    raw: value.map(|x| x.to_string()).unwrap_or_default(),
                    unverified: def.is_some_and(|d| !d.status.is_verified()),
                };
                (at, line)
            })
            .collect(),
        _ => Vec::new(),
    };
    lines.sort_by_key(|(at, _)| *at);
    let lines: Vec<Line> = lines.into_iter().map(|(_, line)| line).collect();
    let mut p = MonitoringPage {
        c: Chrome::of(v, uri),
        kind: kind.to_string(),
        kinds: cycle.reports.iter().map(|r| (r.kind.clone(), l.s(&r.name_vi, &r.name_en).to_string())).collect(),
        year,
        unit_code: unit.code.clone(),
        unit_name: unit.name.clone(),
        layout_citation: if cycle.layout_status.is_verified() { String::new() } else { cycle.layout_citation.clone() },
        state: report.as_ref().map_or_else(
            || l.s("Chưa lập", "Not drafted").to_string(),
            |r| l.s(r.state.label_vi(), r.state.key()).to_string(),
        ),
        has_report: report.is_some(),
        editable,
        may_act,
        due: due.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default(),
        comment: report
            .as_ref()
            .and_then(|r| r.comment.clone())
            .filter(|_| report.as_ref().is_some_and(|r| r.state == ReportState::Returned)),
        lines,
        ..Default::default()
    };
    if !unit.children().is_empty() {
        let r = rollup(&reg, &state.standards, kind, year, unit, today()).await.map_err(app_error)?;
        p.approved = r.approved;
        p.late = r.units.iter().filter(|u| u.late).count();
        p.may_decide = v.access.may_edit() && reg.may_set_unit(unit);
        p.units = r
            .units
            .iter()
            .filter(|u| u.report.is_some() || u.late)
            .map(|u| UnitLine {
                code: u.unit.code.clone(),
                name: u.unit.name.clone(),
                state: u.report.as_ref().map_or_else(
                    || l.s("Chưa lập", "Not drafted").to_string(),
                    |x| l.s(x.state.label_vi(), x.state.key()).to_string(),
                ),
                submitted: u.report.as_ref().is_some_and(|x| x.state == ReportState::Submitted),
                due: u.due_on.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default(),
                late: u.late,
            })
            .collect();
    }
    Ok(p)
}

pub async fn show(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<MonitoringQuery>,
) -> Result<Response, PageError> {
    let reg = v.registry(&state);
    let unit = unit_for(&v, &reg, q.unit.as_deref()).await?;
    let kind = q.kind.unwrap_or_else(|| "six_monthly".into());
    Ok(render(&page(&state, &v, &uri, &kind, q.year.unwrap_or_else(this_year), &unit).await?)?.into_response())
}

/// The page's forms: `action` = draft, enter (fields `v_<indicator id>`), submit (the unit's
/// own report), approve or return (with `comment`; `unit` the unit whose report is decided).
pub async fn act(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let l = v.lang;
    if !v.access.may_edit() {
        return Err(AppError::Forbidden(l.s("lập báo cáo giám sát", "monitoring reports").into()).into());
    }
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, x)| x.trim().to_string());
    let kind = get("kind").unwrap_or_else(|| "six_monthly".into());
    let year = get("year").and_then(|y| y.parse().ok()).unwrap_or_else(this_year);
    let reg = v.registry(&state);
    let target = unit_for(&v, &reg, get("unit").as_deref()).await?;
    // The page to come back to: the unit's own, or the parent's when deciding a unit's report.
    let back = get("back")
        .and_then(|b| TargetUnit::parse(&b))
        .filter(|u| reg.may_read_unit(u))
        .unwrap_or_else(|| target.clone());
    let action = get("action").unwrap_or_default();
    let user = v.user.username.clone();
    let outcome: Result<ReportState, Vec<vuonlen_core::review::Refusal>> = match action.as_str() {
        "draft" => draft_report(&reg, &state.standards, &kind, year, &target, &user)
            .await
            .map_err(app_error)?
            .map_err(|r| vec![r]),
        "enter" => {
            let mut values = BTreeMap::new();
            let mut bad = Vec::new();
            for (name, text) in &pairs {
                let Some(id) = name.strip_prefix("v_") else { continue };
                let t = text.trim().replace(',', ".");
                if t.is_empty() {
                    continue;
                }
                match t.parse::<f64>() {
                    Ok(x) => {
                        values.insert(id.to_string(), x);
                    }
                    Err(_) => bad.push(vuonlen_core::review::Refusal {
                        vi: format!("{id}: '{}' không phải số.", text.trim()),
                        en: format!("{id}: '{}' is not a number.", text.trim()),
                    }),
                }
            }
            if bad.is_empty() {
                enter_figures(&reg, &state.standards, &kind, year, &target, &values, &user).await.map_err(app_error)?
            } else {
                Err(bad)
            }
        }
        "submit" | "approve" | "return" => {
            let a = match action.as_str() {
                "submit" => ReportAction::Submit,
                "approve" => ReportAction::Approve,
                _ => ReportAction::Return,
            };
            let comment = get("comment");
            decide_report(&reg, &kind, year, &target, a, comment.as_deref(), &user)
                .await
                .map_err(app_error)?
                .map_err(|r| vec![r])
        }
        _ => return Err(AppError::Invalid(l.s("Thao tác không hợp lệ.", "Unknown action.").into()).into()),
    };
    let mut p = page(&state, &v, &uri, &kind, year, &back).await?;
    match outcome {
        Ok(s) => {
            p.message = Some(format!("{}: {}", target.name, l.s(s.label_vi(), s.key())));
            Ok(render(&p)?.into_response())
        }
        Err(why) => {
            p.message = Some(why.iter().map(|r| l.s(&r.vi, &r.en).to_string()).collect::<Vec<_>>().join(" "));
            p.failed = true;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
        }
    }
}

/// The roll-up of a unit's units as a workbook (late units filled, a total row of the approved).
pub async fn download(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<MonitoringQuery>,
) -> Result<Response, PageError> {
    let reg = v.registry(&state);
    let unit = unit_for(&v, &reg, q.unit.as_deref()).await?;
    let kind = q.kind.unwrap_or_else(|| "six_monthly".into());
    let year = q.year.unwrap_or_else(this_year);
    if q.what.as_deref() == Some("report") {
        let base = format!("bao-cao-{kind}-{}-{year}", unit.code);
        if q.format.as_deref() == Some("pdf") {
            let pdf = report_pdf(&reg, &state.standards, &kind, year, &unit, today()).await.map_err(app_error)?;
            return Ok(attachment(&format!("{base}.pdf"), "application/pdf", pdf.ok_or(AppError::NotFound)?));
        }
        let (head, rows) = report_table(&reg, &state.standards, &kind, year, &unit)
            .await
            .map_err(app_error)?
            .ok_or(AppError::NotFound)?;
        let name = format!("{base}.xlsx");
        return Ok(written_attachment(&name, XLSX_TYPE, |path| {
            vuonlen_io::write_plain_table(path, "bao-cao", &head, &rows)
        })?);
    }
    let r = rollup(&reg, &state.standards, &kind, year, &unit, today()).await.map_err(app_error)?;
    let fw = state.standards.framework_for(year).ok_or_else(|| AppError::Internal("no indicator framework".into()))?;
    let (head, rows) = rollup_table(&r, &fw);
    let name = format!("tong-hop-{kind}-{}-{year}.xlsx", unit.code);
    Ok(written_attachment(&name, XLSX_TYPE, |path| vuonlen_io::write_plain_table(path, "tong-hop", &head, &rows))?)
}
