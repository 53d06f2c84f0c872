//! Households as both the pages and the API reach them: the list query, the class shown for a
//! record, saving an edit (through [`vuonlen_app::edit`]) with its refusals in the caller's
//! language. Neither the pages nor the API call each other; both call this.

use crate::auth::Viewer;
use crate::dashboard::{self, home_unit};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use vuonlen_core::{Class, Standard, classify};
use vuonlen_store::browse::{HouseholdFilter, HouseholdRow, Page};
use vuonlen_store::import::{ConflictKind, ImportSpec};
use vuonlen_store::period::Period;

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
pub async fn list(state: &AppState, v: &Viewer, q: &ListQuery) -> Result<Listing, AppError> {
    let unit = q.unit.clone().filter(|u| !u.is_empty()).unwrap_or_else(|| home_unit(v));
    dashboard::check_unit(v, &unit)?;
    let (period, _) = dashboard::periods(state, q.period).await?;
    let std = state.standards.get(&period.standard_id).map_err(|e| AppError::Invalid(e.to_string()))?;
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
        return Err(AppError::Invalid(format!("trang phải từ 1 đến {MAX_PAGE} / page must be from 1 to {MAX_PAGE}")));
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

/// The class of a record under a standard, as shown: (key, label, explanation, deprived names).
pub fn verdict(
    l: Lang,
    std: &Standard,
    h: &vuonlen_core::Household,
    as_of: chrono::NaiveDate,
) -> (&'static str, String, String, Vec<String>) {
    match classify(std, h, as_of) {
        Ok(c) => {
            let deprived = c
                .deprived
                .iter()
                .filter_map(|i| std.indicators.get(i))
                .map(|i| l.s(&i.name_vi, &i.name_en).to_string())
                .collect();
            (c.class.key(), class_label(l, Some(c.class)), vuonlen_core::classify::explain(std, &c), deprived)
        }
        Err(e) => ("none", class_label(l, None), e.to_string(), Vec::new()),
    }
}

/// What saving did.
pub enum Saved {
    /// The household's id.
    Done(i64),
    /// Nothing differed from what is stored.
    Unchanged(i64),
    /// Refused: messages (Vietnamese / English chosen by the caller's language).
    Refused(Vec<String>),
}

/// Saves a checked record into `period` ([`vuonlen_app::edit::save`]); `expected`: the version
/// the edit started from (`None` for a new household). Refusals are put in the viewer's language.
pub async fn save(
    state: &AppState,
    v: &Viewer,
    period: &Period,
    std: Arc<Standard>,
    record: vuonlen_io::HouseholdRecord,
    expected: Option<i64>,
    command: &str,
) -> Result<Saved, AppError> {
    let l = v.lang;
    let spec = ImportSpec {
        period: period.year,
        reference_date: period.reference_date,
        standard: std,
        actor: v.user.username.clone(),
        command: command.to_string(),
        files: "web".into(),
        file_hash: String::new(),
        scope: vuonlen_store::Scope::none(),
        expected_households: None,
    };
    Ok(match vuonlen_app::edit::save(&v.registry(state), spec, record, expected).await.map_err(app_error)? {
        vuonlen_app::edit::Saved::Done(id) => Saved::Done(id),
        vuonlen_app::edit::Saved::Unchanged(id) => Saved::Unchanged(id),
        vuonlen_app::edit::Saved::Refused(conflicts) => Saved::Refused(
            conflicts
                .iter()
                .map(|c| match c.kind {
                    ConflictKind::Stale => l
                        .s(
                            "Hộ đã được người khác cập nhật (hoặc đã có) sau khi bạn mở phiếu: không ghi đè. Hãy mở lại phiếu và sửa lại.",
                            "Someone else changed (or added) this household after you opened the form: nothing was overwritten. Open it again and redo the change.",
                        )
                        .to_string(),
                    ConflictKind::Locked => {
                        let (commune, number) = c.value.split_once(' ').unwrap_or((c.value.as_str(), ""));
                        l.s(
                            &vuonlen_store::review::locked_vi(commune, period.year, number),
                            &vuonlen_store::review::locked_en(commune, period.year, number),
                        )
                        .to_string()
                    }
                    ConflictKind::OutOfScope => l
                        .s("Xã này nằm ngoài địa bàn bạn được phép cập nhật.", "This commune is outside the area you may change.")
                        .to_string(),
                    ConflictKind::SameIdNumber => format!(
                        "{} {}",
                        l.s("Số định danh đã có ở hộ khác trong kỳ:", "The ID number is in another household of the period:"),
                        others(l, c)
                    ),
                    ConflictKind::SamePerson => format!(
                        "{} {}",
                        l.s("Người cùng họ tên và ngày sinh đã có ở hộ khác trong xã:", "The same person is in another household of the commune:"),
                        others(l, c)
                    ),
                    ConflictKind::LinkedAway => l
                        .s("Hộ đã nhập vào hộ khác hoặc chưa tách ra ở kỳ này.", "The household merged away or had not split off in this period.")
                        .to_string(),
                })
                .collect(),
        ),
    })
}

/// A use case's failure as the web answers it.
pub(crate) fn app_error(e: vuonlen_app::AppError) -> AppError {
    match e {
        vuonlen_app::AppError::Store(e) => e.into(),
        vuonlen_app::AppError::Read(e) => AppError::Invalid(e.to_string()),
        vuonlen_app::AppError::Report(e) => AppError::Internal(e.to_string()),
        vuonlen_app::AppError::Internal(m) => AppError::Internal(m),
    }
}

/// The other households of a conflict, as far as the editor may see them.
fn others(l: Lang, c: &vuonlen_store::import::Conflict) -> String {
    let (vi, en) = c.others(None, false);
    l.s(&vi, &en).to_string()
}
