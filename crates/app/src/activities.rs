//! Activities of a unit's plan (*hoạt động*) and the agency responsibility matrix (*phân công
//! nhiệm vụ*): who leads what, who takes part, by project — as provincial plans assign their
//! agencies their parts.

use crate::AppError;
use crate::budgets::project_in;
use std::collections::BTreeMap;
use vuonlen_core::Standards;
use vuonlen_store::Registry;
use vuonlen_store::activities::{Activity, NewActivity};
use vuonlen_store::targets::TargetUnit;

/// The statuses of an activity: key, Vietnamese.
pub const STATUSES: [(&str, &str); 4] =
    [("planned", "Kế hoạch"), ("under_way", "Đang thực hiện"), ("done", "Hoàn thành"), ("cancelled", "Hủy")];

/// Records an activity in `unit_code`'s plan: `Ok(Err(reasons))` with every reason when refused (a
/// project not of the catalogue of its year, no title or lead agency, an end before the start, an
/// unknown status).
pub async fn add_activity(
    reg: &Registry,
    standards: &Standards,
    unit_code: &str,
    mut a: NewActivity,
    actor: &str,
    command: &str,
) -> Result<Result<i64, Vec<(String, String)>>, AppError> {
    let Some(unit) = TargetUnit::parse(unit_code) else {
        return Ok(Err(vec![(
            format!("'{unit_code}' không phải mã đơn vị."),
            format!("'{unit_code}' is not a unit code."),
        )]));
    };
    let mut why = Vec::new();
    match project_in(standards, a.year, &a.project_code) {
        Ok(code) => a.project_code = code,
        Err(w) => why.push(w),
    }
    let nfc = |s: &str| vuonlen_core::text::nfc(s.trim()).into_owned();
    a.title = nfc(&a.title);
    a.lead_agency = nfc(&a.lead_agency);
    a.partners = a.partners.iter().map(|p| nfc(p)).filter(|p| !p.is_empty()).collect();
    if a.title.is_empty() {
        why.push(("Thiếu tên hoạt động.".into(), "The activity's title is missing.".into()));
    }
    if a.lead_agency.is_empty() {
        why.push(("Thiếu cơ quan chủ trì.".into(), "The lead agency is missing.".into()));
    }
    let day = |s: &Option<String>| s.as_deref().map(|d| chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d"));
    match (day(&a.starts_on), day(&a.ends_on)) {
        (Some(Err(_)), _) | (_, Some(Err(_))) => {
            why.push(("Ngày phải có dạng YYYY-MM-DD.".into(), "Days must be YYYY-MM-DD.".into()));
        }
        (Some(Ok(s)), Some(Ok(e))) if e < s => why.push((
            format!("Ngày kết thúc {e} trước ngày bắt đầu {s}."),
            format!("The end {e} is before the start {s}."),
        )),
        _ => {}
    }
    if !STATUSES.iter().any(|(k, _)| *k == a.status) {
        why.push((
            format!("'{}' không phải tình trạng (planned, under_way, done, cancelled).", a.status),
            format!("'{}' is not a status (planned, under_way, done, cancelled).", a.status),
        ));
    }
    if !why.is_empty() {
        return Ok(Err(why));
    }
    match reg.record_activity(&unit, &a, actor, command).await {
        Ok(id) => Ok(Ok(id)),
        Err(vuonlen_store::StoreError::Forbidden(m)) => Ok(Err(vec![(m.clone(), m)])),
        Err(e) => Err(e.into()),
    }
}

/// The agency responsibility matrix of a set of activities: the agencies (lead or partner, in
/// Vietnamese order), the projects, and for each pair `C` (leads: chủ trì) or `P` (takes part:
/// phối hợp), with how many activities.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Matrix {
    pub agencies: Vec<String>,
    pub projects: Vec<String>,
    /// `cells[a][p]`: (activities led, activities taken part in).
    pub cells: Vec<Vec<(usize, usize)>>,
}

pub fn responsibility_matrix(activities: &[Activity]) -> Matrix {
    let mut cells: BTreeMap<(String, String), (usize, usize)> = BTreeMap::new();
    let mut agencies = std::collections::BTreeSet::new();
    let mut projects = std::collections::BTreeSet::new();
    for a in activities {
        let x = &a.activity;
        projects.insert(x.project_code.clone());
        agencies.insert(x.lead_agency.clone());
        cells.entry((x.lead_agency.clone(), x.project_code.clone())).or_default().0 += 1;
        for p in &x.partners {
            agencies.insert(p.clone());
            cells.entry((p.clone(), x.project_code.clone())).or_default().1 += 1;
        }
    }
    let mut agencies: Vec<String> = agencies.into_iter().collect();
    agencies.sort_by_cached_key(|a| vuonlen_core::collate::sort_key(a));
    let projects: Vec<String> = projects.into_iter().collect();
    let cells = agencies
        .iter()
        .map(|a| projects.iter().map(|p| cells.get(&(a.clone(), p.clone())).copied().unwrap_or_default()).collect())
        .collect();
    Matrix { agencies, projects, cells }
}

/// The matrix as a table: one row per agency, a column per project (`C` leads, `P` takes part,
/// with the count), for printing or download.
pub fn matrix_table(m: &Matrix) -> (Vec<String>, Vec<vuonlen_io::PlainRow>) {
    use vuonlen_io::{PlainCell, PlainRow};
    let mut header = vec!["Cơ quan, đơn vị".to_string()];
    header.extend(m.projects.iter().cloned());
    let cell = |(led, part): (usize, usize)| match (led, part) {
        (0, 0) => String::new(),
        (l, 0) => format!("C ({l})"),
        (0, p) => format!("P ({p})"),
        (l, p) => format!("C ({l}), P ({p})"),
    };
    let rows = m
        .agencies
        .iter()
        .zip(&m.cells)
        .map(|(a, row)| {
            let mut cells = vec![PlainCell::Text(a.clone())];
            cells.extend(row.iter().map(|c| PlainCell::Text(cell(*c))));
            PlainRow { cells, highlight: false }
        })
        .collect();
    (header, rows)
}
