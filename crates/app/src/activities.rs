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
    let why = check_activity(standards, &mut a);
    if !why.is_empty() {
        return Ok(Err(why));
    }
    match reg.record_activity(&unit, &a, actor, command).await {
        Ok(id) => Ok(Ok(id)),
        Err(vuonlen_store::StoreError::Forbidden(m)) => Ok(Err(vec![(m.clone(), m)])),
        Err(e) => Err(e.into()),
    }
}

/// Checks `a` (normalising its text to NFC and its status to a key): every reason it would be
/// refused — a project not of the catalogue of its year, no title or lead agency, a day that is
/// not one, an end before the start, an unknown status.
pub fn check_activity(standards: &Standards, a: &mut NewActivity) -> Vec<(String, String)> {
    let mut why = Vec::new();
    // A status may be written in Vietnamese (`Hoàn thành`).
    if let Some((k, _)) = STATUSES
        .iter()
        .find(|(k, vi)| vuonlen_core::text::fold(vi) == vuonlen_core::text::fold(&a.status) || *k == a.status.trim())
    {
        a.status = k.to_string();
    }
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
    why
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

/// What became of an activities table.
#[derive(Debug, Clone)]
pub struct ActivityTableRecorded {
    /// The file as read, with every problem (the application's refusals among them).
    pub file: vuonlen_io::review_tables::ColumnFile,
    /// Activities recorded (`None`: refused, or only checked).
    pub recorded: Option<u64>,
    /// Activities read and valid.
    pub activities: usize,
}

/// Reads the activities table at `path` and records its activities as `reg` may — or only
/// checks them — all or nothing, every problem located by row, column and value.
pub async fn record_activity_table(
    reg: &Registry,
    standards: &Standards,
    path: std::path::PathBuf,
    actor: &str,
    command: &str,
    finish: crate::import::Finish,
) -> Result<ActivityTableRecorded, AppError> {
    use crate::import::Finish;
    use vuonlen_io::activity_table::ACTIVITY_COLUMNS;
    let mut file =
        tokio::task::spawn_blocking(move || vuonlen_io::review_tables::read_column_file(ACTIVITY_COLUMNS, &path))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))??;
    let mut found = Vec::new();
    let mut list = Vec::new();
    for r in &file.rows {
        let text = |k: &str| file.get(r, k).text().unwrap_or_default().to_string();
        let opt = |k: &str| Some(text(k)).filter(|t| !t.trim().is_empty());
        let day = |k: &str| file.get(r, k).date().map(|d| d.format("%Y-%m-%d").to_string());
        let unit = match TargetUnit::parse(&text("unit_code")) {
            Some(u) if u.village().is_none() => {
                let may = if finish == Finish::Commit { reg.may_set_unit(&u) } else { reg.may_read_unit(&u) };
                if !may {
                    found.push(file.problem(
                        r.row,
                        "unit_code",
                        &u.code,
                        format!("{} ngoài phạm vi được giao cho tài khoản này.", u.name),
                        format!("{} is outside your area.", u.name),
                    ));
                }
                may.then_some(u)
            }
            _ => {
                let code = text("unit_code");
                found.push(file.problem(
                    r.row,
                    "unit_code",
                    &code,
                    format!("'{code}' không phải mã đơn vị (VN, mã tỉnh, mã xã)."),
                    format!("'{code}' is not a unit code (VN, province or commune code)."),
                ));
                None
            }
        };
        let mut a = NewActivity {
            year: file.get(r, "year").count().map_or(0, |y| y as i64),
            project_code: text("project_code"),
            title: text("title"),
            lead_agency: text("lead_agency"),
            lead_officer: opt("lead_officer"),
            partners: text("partners").split([';', '\n']).map(str::to_string).collect(),
            locations: opt("locations"),
            target_group: opt("target_group"),
            planned_output: opt("planned_output"),
            starts_on: day("starts_on"),
            ends_on: day("ends_on"),
            status: opt("status").unwrap_or_else(|| "planned".into()),
        };
        let why = check_activity(standards, &mut a);
        for (vi, en) in &why {
            // The column each reason is about, by what it names.
            let key = if en.contains("project") {
                "project_code"
            } else if en.contains("title") {
                "title"
            } else if en.contains("lead agency") {
                "lead_agency"
            } else if en.contains("status") {
                "status"
            } else {
                "ends_on"
            };
            found.push(file.problem(r.row, key, &text(key), vi.clone(), en.clone()));
        }
        if let (Some(u), true) = (unit, why.is_empty()) {
            list.push((u, a));
        }
    }
    for mut p in found {
        p.kind = vuonlen_io::ProblemKind::Refused;
        file.report.errors.push(p);
    }
    file.report.errors.sort_by_key(|p| p.row);
    file.report.valid_households = 0;
    let n = list.len();
    if !file.report.is_clean() || list.is_empty() || finish != Finish::Commit {
        return Ok(ActivityTableRecorded { file, recorded: None, activities: n });
    }
    match reg.record_activities(&list, actor, command).await? {
        Ok(k) => Ok(ActivityTableRecorded { file, recorded: Some(k), activities: n }),
        Err(refused) => {
            for (k, m) in refused {
                let row = file.rows.get(k).map_or(0, |r| r.row);
                file.report.errors.push(file.problem(row, "unit_code", &list[k].0.code, m.clone(), m));
            }
            Ok(ActivityTableRecorded { file, recorded: None, activities: n })
        }
    }
}

/// Activities as a table in the layout the import reads (Vietnamese headers, or the keys when
/// `english`): the export of the command line and the page.
pub fn activity_table(list: &[Activity], english: bool) -> (Vec<String>, Vec<vuonlen_io::PlainRow>) {
    use vuonlen_io::activity_table::ACTIVITY_COLUMNS;
    use vuonlen_io::{PlainCell, PlainRow};
    let header = ACTIVITY_COLUMNS.iter().map(|c| if english { c.key } else { c.label_vi }.to_string()).collect();
    let t = |s: &str| PlainCell::Text(s.to_string());
    let o = |s: &Option<String>| PlainCell::Text(s.clone().unwrap_or_default());
    let rows = list
        .iter()
        .map(|x| {
            let a = &x.activity;
            PlainRow {
                cells: vec![
                    PlainCell::Int(Some(a.year)),
                    t(&x.unit_code),
                    t(&a.project_code),
                    t(&a.title),
                    t(&a.lead_agency),
                    o(&a.lead_officer),
                    t(&a.partners.join("; ")),
                    o(&a.locations),
                    o(&a.target_group),
                    o(&a.planned_output),
                    o(&a.starts_on),
                    o(&a.ends_on),
                    t(&a.status),
                ],
                highlight: false,
            }
        })
        .collect();
    (header, rows)
}
