//! The household list (*danh sách hộ*): filters, search with or without diacritics, pages in
//! Vietnamese alphabetical order.

use crate::auth::Viewer;
use crate::error::PageError;
use crate::households::{ListQuery, PAGE_SIZE, class_label, list};
use crate::pages::{Chrome, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use vuonlen_core::Class;
use vuonlen_core::units::AdminUnits;

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
