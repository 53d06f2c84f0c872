//! The coverage of support (*độ bao phủ hỗ trợ*): a unit's poor and near-poor households and
//! persons of the list in force, and how many received each kind of support in a year — the
//! unit's total by kind, then its rows (a province's communes, a commune's villages); the whole
//! table downloads. Everyone signed in reads their own area.

use crate::auth::Viewer;
use crate::error::PageError;
use crate::pages::{Chrome, XLSX_TYPE, render, written_attachment};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use vuonlen_app::support_coverage::{Coverage, coverage, coverage_table};

#[derive(Template, Default)]
#[template(path = "coverage.html")]
struct CoveragePage {
    c: Chrome,
    unit_code: String,
    unit_name: String,
    year: i64,
    list_period: Option<i64>,
    poor: u64,
    near_poor: u64,
    persons: u64,
    /// Kind, households reached, % of households, persons reached, % of persons, records, amount.
    kinds: Vec<[String; 7]>,
    /// Code, name, poor, near-poor, persons, % any support, % persons with a card.
    rows: Vec<[String; 7]>,
}

#[derive(Deserialize)]
pub struct CoverageQuery {
    pub unit: Option<String>,
    pub year: Option<i64>,
}

fn page(v: &Viewer, uri: &Uri, c: &Coverage) -> CoveragePage {
    let l = v.lang;
    let money = |d: u64| if d == 0 { String::new() } else { l.int(d) };
    let pct = |r: Option<f64>| crate::pages::percent(r, l);
    CoveragePage {
        c: Chrome::of(v, uri),
        unit_code: c.unit_code.clone(),
        unit_name: c.unit_name.clone(),
        year: c.year,
        list_period: c.list_period,
        poor: c.total.households[0],
        near_poor: c.total.households[1],
        persons: c.total.list_persons(),
        kinds: c
            .total
            .lines()
            .iter()
            .map(|line| {
                let per_person = line.kind.is_some_and(|k| k.per_person);
                [
                    line.kind.map_or_else(
                        || l.s("Ít nhất một chính sách", "Any support").to_string(),
                        |k| l.s(k.label_vi, k.label_en).to_string(),
                    ),
                    line.reach.households.to_string(),
                    pct(line.households_pct),
                    if per_person { line.reach.persons.to_string() } else { String::new() },
                    if per_person { pct(line.persons_pct) } else { String::new() },
                    if line.kind.is_some() { line.reach.records.to_string() } else { String::new() },
                    money(line.reach.amount),
                ]
            })
            .collect(),
        rows: c
            .rows
            .iter()
            .map(|r| {
                let s = &r.coverage;
                [
                    r.key.clone(),
                    r.name.clone(),
                    s.households[0].to_string(),
                    s.households[1].to_string(),
                    s.list_persons().to_string(),
                    pct(s.households_pct("any")),
                    pct(s.persons_pct("health_insurance_card")),
                ]
            })
            .collect(),
    }
}

pub async fn show(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<CoverageQuery>,
) -> Result<Response, PageError> {
    let reg = v.registry(&state);
    let unit = crate::pages::readable_admin_unit(&v, &reg, q.unit.as_deref()).await?;
    let year = q.year.unwrap_or_else(crate::pages::this_year);
    let c = coverage(&reg, year, &unit.code).await.map_err(crate::households::app_error)?;
    Ok(render(&page(&v, &uri, &c))?.into_response())
}

pub async fn download(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<CoverageQuery>,
) -> Result<Response, PageError> {
    let reg = v.registry(&state);
    let unit = crate::pages::readable_admin_unit(&v, &reg, q.unit.as_deref()).await?;
    let year = q.year.unwrap_or_else(crate::pages::this_year);
    let c = coverage(&reg, year, &unit.code).await.map_err(crate::households::app_error)?;
    let (head, rows) = coverage_table(&c, false);
    let name = format!("bao-phu-ho-tro-{}-{year}.xlsx", unit.code);
    Ok(written_attachment(&name, XLSX_TYPE, |path| vuonlen_io::write_plain_table(path, "bao-phu", &head, &rows))?)
}
