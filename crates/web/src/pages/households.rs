//! The household list (*danh sách hộ*): filters, search with or without diacritics, pages in
//! Vietnamese alphabetical order.

use crate::auth::Viewer;
use crate::dashboard::{self, home_unit};
use crate::error::PageError;
use crate::i18n::Lang;
use crate::pages::{Chrome, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use vuonlen_core::Class;
use vuonlen_core::units::AdminUnits;
use vuonlen_store::browse::{HouseholdFilter, HouseholdRow, Page};

pub const PAGE_SIZE: u64 = 50;

/// The last page a list may ask for (a commune has far fewer; an offset must fit the database's
/// integers).
pub const MAX_PAGE: u64 = 1_000_000;

/// The list's query string (shared with the API).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Province (2 digits) or commune (5 digits); default: the user's unit.
    pub unit: Option<String>,
    /// Review period; default: the latest.
    pub period: Option<i64>,
    /// `poor`, `near_poor`, `middle`, `not_poor`.
    #[serde(default)]
    pub class: String,
    /// Village id (from the commune's village list).
    #[serde(default)]
    pub village: String,
    /// A village by name (the dashboard's rows).
    #[serde(default)]
    pub village_name: String,
    /// Indicator code of the period's standard.
    #[serde(default)]
    pub deprived: String,
    #[serde(default)]
    pub minority: String,
    #[serde(default)]
    pub no_labour: String,
    /// Name (with or without diacritics), ID number or household code.
    #[serde(default)]
    pub q: String,
    /// 1-based page.
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<u64>,
}

/// What a list request resolves to.
pub struct Listing {
    pub unit: String,
    pub unit_name: String,
    pub period: i64,
    pub standard_id: String,
    pub filter: HouseholdFilter,
    pub page: u64,
    pub result: Page<HouseholdRow>,
}

fn unit_name(code: &str) -> String {
    if code == "VN" {
        return "Toàn quốc".into();
    }
    vuonlen_store::Selection::parse(code).map(|s| s.name).unwrap_or_else(|_| code.to_string())
}

/// Runs a list query for a viewer.
pub async fn list(state: &AppState, v: &Viewer, q: &ListQuery) -> Result<Listing, crate::error::AppError> {
    let unit = q.unit.clone().filter(|u| !u.is_empty()).unwrap_or_else(|| home_unit(v));
    dashboard::check_unit(v, &unit)?;
    let (period, _) = dashboard::periods(state, q.period).await?;
    let std = state.standards.get(&period.standard_id).map_err(|e| crate::error::AppError::Invalid(e.to_string()))?;
    let mut village_id = q.village.parse::<i64>().ok();
    if village_id.is_none() && !q.village_name.is_empty() && unit.len() == 5 {
        let key = vuonlen_core::text::fold(&q.village_name);
        village_id = vuonlen_store::units::villages(&state.db, &unit)
            .await?
            .into_iter()
            .find(|vl| vuonlen_core::text::fold(&vl.name) == key)
            .map(|vl| vl.id);
    }
    let filter = HouseholdFilter {
        unit: (unit != "VN").then(|| unit.clone()),
        class: Class::parse(&q.class),
        village_id,
        deprived: std.indicator_index(&q.deprived).and_then(|i| u32::try_from(i).ok()),
        ethnic_minority: !q.minority.is_empty(),
        no_labour_capacity: !q.no_labour.is_empty(),
        query: Some(q.q.clone()).filter(|s| !s.trim().is_empty()),
    };
    let page = q.page.unwrap_or(1).max(1);
    if page > MAX_PAGE {
        return Err(crate::error::AppError::Invalid(format!(
            "trang phải từ 1 đến {MAX_PAGE} / page must be from 1 to {MAX_PAGE}"
        )));
    }
    let result = v
        .registry(state)
        .households(period.year, &period.standard_id, &filter, (page - 1) * PAGE_SIZE, PAGE_SIZE)
        .await?;
    Ok(Listing {
        unit_name: unit_name(&unit),
        unit,
        period: period.year,
        standard_id: period.standard_id,
        filter,
        page,
        result,
    })
}

pub fn class_label(l: Lang, c: Option<Class>) -> String {
    match c {
        Some(c) => l.s(c.label_vi(), c.label_en()).to_string(),
        None => l.s("Chưa phân loại", "Not classified").to_string(),
    }
}

struct Item {
    id: i64,
    head: String,
    code: String,
    village: String,
    commune: String,
    persons: u32,
    class_key: &'static str,
    class_label: String,
    deprivations: u32,
    /// With a search: the members it matched other than the head, comma-separated.
    matched: String,
}

struct Shown {
    q: String,
    class: String,
    village: String,
    deprived: String,
    minority: bool,
    no_labour: bool,
}

#[derive(Template)]
#[template(path = "households.html")]
struct ListPage {
    c: Chrome,
    unit: String,
    unit_name: String,
    period: i64,
    f: Shown,
    classes: Vec<(String, String)>,
    villages: Vec<(String, String)>,
    indicators: Vec<(String, String)>,
    items: Vec<Item>,
    total_text: String,
    page: u64,
    prev_link: Option<String>,
    next_link: Option<String>,
    may_add: bool,
}

pub async fn show(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let l = v.lang;
    let listing = list(&state, &v, &q).await?;
    let std = state.standards.get(&listing.standard_id).map_err(|e| crate::error::AppError::Invalid(e.to_string()))?;
    let communes = &AdminUnits::get().y2025.communes;
    let items = listing
        .result
        .items
        .iter()
        .map(|h| Item {
            id: h.household_id,
            head: h.head_name.clone(),
            code: h.household_code.clone(),
            village: h.village.clone(),
            commune: communes
                .get(h.current_commune.as_str())
                .map(|c| c.name.to_string())
                .unwrap_or_else(|| h.current_commune.clone()),
            persons: h.persons,
            class_key: h.class.map_or("none", |c| c.key()),
            class_label: class_label(l, h.class),
            deprivations: h.deprived.len(),
            matched: h.matched.iter().filter(|n| **n != h.head_name).cloned().collect::<Vec<_>>().join(", "),
        })
        .collect();
    let villages = if listing.unit.len() == 5 {
        vuonlen_store::units::villages(&state.db, &listing.unit)
            .await?
            .into_iter()
            .map(|vl| (vl.id.to_string(), vl.name))
            .collect()
    } else {
        Vec::new()
    };
    let r = &listing.result;
    let total_text = if r.total_capped && listing.filter.query.is_some() {
        format!(
            "{} {} {} — {}",
            l.s("Hơn", "More than"),
            l.int(r.total),
            l.s("hộ", "households"),
            l.s("gõ thêm họ tên để thu hẹp", "type more of the name to narrow the search")
        )
    } else if r.total_capped {
        format!("{} {} {}", l.s("Hơn", "More than"), l.int(r.total), l.s("hộ", "households"))
    } else {
        format!("{} {}", l.int(r.total), l.s("hộ", "households"))
    };
    let link = |page: u64| {
        let mut q2 = q.clone();
        q2.page = Some(page);
        q2.unit = Some(listing.unit.clone());
        q2.period = Some(listing.period);
        format!("/ho?{}", serde_urlencoded::to_string(&q2).unwrap_or_default())
    };
    let shown = (listing.page - 1) * PAGE_SIZE + r.items.len() as u64;
    let page = ListPage {
        c: Chrome::of(&v, &uri),
        unit: listing.unit.clone(),
        unit_name: listing.unit_name.clone(),
        period: listing.period,
        f: Shown {
            q: q.q.clone(),
            class: listing.filter.class.map(|c| c.key().to_string()).unwrap_or_default(),
            village: listing.filter.village_id.map(|i| i.to_string()).unwrap_or_default(),
            deprived: q.deprived.clone(),
            minority: listing.filter.ethnic_minority,
            no_labour: listing.filter.no_labour_capacity,
        },
        classes: Class::ALL
            .iter()
            .map(|c| (c.key().to_string(), l.s(c.label_vi(), c.label_en()).to_string()))
            .collect(),
        villages,
        indicators: std.indicators.iter().map(|i| (i.code.clone(), l.s(&i.name_vi, &i.name_en).to_string())).collect(),
        items,
        total_text,
        page: listing.page,
        prev_link: (listing.page > 1).then(|| link(listing.page - 1)),
        next_link: (shown < r.total).then(|| link(listing.page + 1)),
        may_add: listing.unit.len() == 5
            && AdminUnits::get()
                .y2025
                .province_of_commune(&listing.unit)
                .is_some_and(|p| v.access.write.contains(p.code, &listing.unit)),
    };
    Ok(render(&page)?.into_response())
}
