//! The dashboard (*tổng quan*) of a unit.

use crate::auth::Viewer;
use crate::dashboard::{self, Dashboard, home_unit};
use crate::error::PageError;
use crate::i18n::Lang;
use crate::pages::{Chrome, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::sync::Arc;
use vuonlen_core::units::AdminUnits;

#[derive(Deserialize)]
pub struct DashQuery {
    unit: Option<String>,
    period: Option<i64>,
}

struct Cards {
    households: String,
    persons: String,
    poor: String,
    /// Resident households, when recorded.
    residents: Option<String>,
    poor_rate: String,
    poor_before: Option<String>,
    near_poor: String,
    near_poor_rate: String,
    near_poor_before: Option<String>,
}

struct Bar {
    y: u32,
    name: String,
    poor_w: u32,
    near_w: u32,
    poor_text: String,
    near_text: String,
}

struct Row {
    code: String,
    name: String,
    sort: String,
    drill: bool,
    households: String,
    households_n: u64,
    poor: String,
    poor_n: u64,
    poor_rate: String,
    poor_rate_n: String,
    near: String,
    near_n: u64,
    near_rate: String,
    near_rate_n: String,
    before: String,
    before_n: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    c: Chrome,
    d: Dashboard,
    crumbs: Vec<(String, String)>,
    periods: Vec<i64>,
    cards: Cards,
    movements: Option<(String, String, String, String, String, String)>,
    bars: Vec<Bar>,
    chart_height: u32,
    rows: Vec<Row>,
}

/// The units above `unit` the user may open, from the country down.
fn crumbs(v: &Viewer, unit: &str) -> Vec<(String, String)> {
    let u = AdminUnits::get();
    let mut out = Vec::new();
    if unit != "VN" && dashboard::check_unit(v, "VN").is_ok() {
        out.push(("VN".to_string(), "Toàn quốc".to_string()));
    }
    if unit.len() == 5
        && let Some(p) = u.y2025.province_of_commune(unit)
        && dashboard::check_unit(v, p.code).is_ok()
    {
        out.push((p.code.to_string(), vuonlen_store::select::province_name(p)));
    }
    out
}

/// A rate over the resident households, or a dash when they are not recorded.
fn rate_text(l: Lang, part: u64, residents: Option<u64>) -> String {
    residents.map_or_else(|| "–".into(), |r| l.pct(part, r))
}

fn page(c: Chrome, v: &Viewer, d: Dashboard, periods: Vec<i64>) -> DashboardPage {
    let l: Lang = c.lang;
    let cur = &d.current;
    let cards = Cards {
        households: l.int(cur.households),
        persons: l.int(cur.persons),
        residents: cur.residents.map(|r| l.int(r)),
        poor: l.int(cur.poor),
        poor_rate: rate_text(l, cur.poor, cur.residents),
        poor_before: d.previous.as_ref().map(|p| rate_text(l, p.poor, p.residents)),
        near_poor: l.int(cur.near_poor),
        near_poor_rate: rate_text(l, cur.near_poor, cur.residents),
        near_poor_before: d.previous.as_ref().map(|p| rate_text(l, p.near_poor, p.residents)),
    };
    let movements = d.movements.as_ref().map(|m| {
        (
            l.int(m.escaped_poverty),
            l.int(m.newly_poor),
            l.int(m.re_poor),
            l.int(m.near_poor_to_poor),
            l.int(m.escaped_near_poverty),
            l.int(m.newly_near_poor),
        )
    });
    let width = |part: u64, whole: u64| (part * 380).checked_div(whole).unwrap_or(0) as u32;
    let bars = d
        .indicators
        .iter()
        .enumerate()
        .map(|(i, ind)| {
            let (p, n) =
                (cur.poor_deprived.get(i).copied().unwrap_or(0), cur.near_poor_deprived.get(i).copied().unwrap_or(0));
            Bar {
                y: i as u32 * 26 + 4,
                name: l.s(&ind.name_vi, &ind.name_en).to_string(),
                poor_w: width(p, cur.poor),
                near_w: width(n, cur.near_poor),
                poor_text: l.pct(p, cur.poor),
                near_text: l.pct(n, cur.near_poor),
            }
        })
        .collect::<Vec<_>>();
    let chart_height = bars.len() as u32 * 26 + 8;
    let rows = d
        .sub_units
        .iter()
        .map(|s| Row {
            code: s.code.clone(),
            name: s.name.clone(),
            sort: vuonlen_core::collate::sort_key(&s.name),
            drill: s.drill && dashboard::check_unit(v, &s.code).is_ok(),
            households: l.int(s.current.households),
            households_n: s.current.households,
            poor: l.int(s.current.poor),
            poor_n: s.current.poor,
            poor_rate: rate_text(l, s.current.poor, s.current.residents),
            poor_rate_n: format!("{:.4}", s.current.poor_rate().unwrap_or(-1.0)),
            near: l.int(s.current.near_poor),
            near_n: s.current.near_poor,
            near_rate: rate_text(l, s.current.near_poor, s.current.residents),
            near_rate_n: format!("{:.4}", s.current.near_poor_rate().unwrap_or(-1.0)),
            before: s.previous.as_ref().map(|p| rate_text(l, p.poor, p.residents)).unwrap_or_else(|| "–".into()),
            before_n: s
                .previous
                .as_ref()
                .and_then(|p| p.poor_rate())
                .map(|r| format!("{r:.4}"))
                .unwrap_or_else(|| "-1".into()),
        })
        .collect();
    DashboardPage { crumbs: crumbs(v, &d.unit_code), c, d, periods, cards, movements, bars, chart_height, rows }
}

pub async fn show(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<DashQuery>,
) -> Result<Response, PageError> {
    let unit = q.unit.filter(|u| !u.is_empty()).unwrap_or_else(|| home_unit(&v));
    let d = dashboard::build(&state, &v, &unit, q.period).await?;
    let mut periods: Vec<i64> = vuonlen_store::period::list(&state.db).await?.into_iter().map(|p| p.year).collect();
    periods.sort_unstable_by(|a, b| b.cmp(a));
    Ok(render(&page(Chrome::of(&v, &uri), &v, Arc::unwrap_or_clone(d), periods))?.into_response())
}
