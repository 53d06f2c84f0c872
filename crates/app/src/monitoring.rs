//! The monitoring cycle's use cases (Circular 10/2022/TT-BLĐTBXH): a unit's 6-monthly or annual
//! report drafted from the registry (the framework's computed indicators over the unit's latest
//! review) and its targets — a province's or the country's also from its units' approved
//! reports (the reported figures added up) —, the figures the registry cannot compute entered,
//! submitted, approved or returned by the level above; and the roll-up of a parent's units with
//! the late and missing ones.

use crate::AppError;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use vuonlen_core::Standards;
use vuonlen_core::indicators::{IndicatorFramework, Sources, values};
use vuonlen_core::monitoring::{ReportAction, ReportState};
use vuonlen_core::report::UnitTally;
use vuonlen_core::review::Refusal;
use vuonlen_store::monitoring::{ReportChange, ReportFigures, StoredReport, level_above};
use vuonlen_store::targets::{TargetUnit, figures_json};
use vuonlen_store::{Registry, Selection};

fn refusal(vi: String, en: String) -> Refusal {
    Refusal { vi, en }
}

fn cycle_kind(standards: &Standards, kind: &str) -> Result<vuonlen_core::monitoring::ReportKind, Refusal> {
    standards.monitoring().and_then(|c| c.report(kind).cloned()).ok_or_else(|| {
        refusal(
            format!("'{kind}' không phải loại báo cáo (six_monthly, annual)."),
            format!("'{kind}' is not a kind of report (six_monthly, annual)."),
        )
    })
}

fn framework(standards: &Standards, year: i64) -> Result<std::sync::Arc<IndicatorFramework>, AppError> {
    standards.framework_for(year).ok_or_else(|| AppError::Internal(format!("no indicator framework covers {year}")))
}

/// The review period a report of `kind` for `year` reads: the annual report the year's own
/// review when it is in, the 6-monthly one the review before the year.
async fn period_for(reg: &Registry, kind: &str, year: i64) -> Result<Option<vuonlen_store::period::Period>, AppError> {
    let last = if kind == "annual" { year } else { year - 1 };
    for y in (last - 2..=last).rev() {
        if let Some(p) = reg.period(y).await? {
            return Ok(Some(p));
        }
    }
    Ok(None)
}

/// The unit's computed indicators from its latest review.
async fn computed(
    reg: &Registry,
    standards: &Standards,
    kind: &str,
    year: i64,
    unit: &TargetUnit,
) -> Result<ReportFigures, AppError> {
    let fw = framework(standards, year)?;
    let Some(p) = period_for(reg, kind, year).await? else { return Ok(ReportFigures::new()) };
    let std = standards.get(&p.standard_id).map_err(|e| AppError::Internal(e.to_string()))?;
    let sel = Selection::parse(&unit.code)?;
    let mut t = UnitTally::new();
    for (_, row) in reg.tally(&p, &p.standard_id, &sel).await? {
        t.merge(&row);
    }
    let residents = reg.coverage(&p, &sel).await?.total.map(|r| r.households);
    // Support delivered in the report's months: to the end of June for a 6-monthly report.
    let until = (kind != "annual").then(|| NaiveDate::from_ymd_opt(year as i32, 6, 30)).flatten();
    let support = crate::support_coverage::coverage_total(reg, year, until, &sel).await?;
    let src = Sources { tally: &t, residents, support: Some(&support) };
    Ok(values(&fw, &std, src).into_iter().map(|v| (v.id, v.value)).collect())
}

/// Drafts (or refills) `unit`'s report: computed indicators, the targets, and the reported
/// figures — kept from the draft for a commune, added up from the approved reports of its units
/// for a province or the country.
pub async fn draft_report(
    reg: &Registry,
    standards: &Standards,
    kind: &str,
    year: i64,
    unit: &TargetUnit,
    actor: &str,
) -> Result<Result<ReportState, Refusal>, AppError> {
    if let Err(r) = cycle_kind(standards, kind) {
        return Ok(Err(r));
    }
    let fw = framework(standards, year)?;
    let mut figures = computed(reg, standards, kind, year, unit).await?;
    let existing = reg.monitoring_report(kind, year, unit).await?;
    let children = unit.children();
    let approved: Vec<StoredReport> = if children.is_empty() {
        Vec::new()
    } else {
        reg.monitoring_reports_under(kind, year, unit)
            .await?
            .into_iter()
            .filter(|r| r.state == ReportState::Approved)
            .collect()
    };
    for def in fw.indicators.iter().filter(|i| i.reported) {
        let value = if children.is_empty() {
            existing.as_ref().and_then(|r| r.figures.get(&def.id).copied().flatten())
        } else {
            let given: Vec<f64> = approved.iter().filter_map(|r| r.figures.get(&def.id).copied().flatten()).collect();
            (!given.is_empty()).then(|| given.iter().sum())
        };
        figures.insert(def.id.clone(), value);
    }
    let targets = reg.target(year, unit).await?.map(|t| figures_json(&t.figures));
    let change = ReportChange {
        action: ReportAction::Draft,
        figures: Some(&figures),
        targets: targets.as_deref(),
        comment: None,
    };
    Ok(reg.change_monitoring_report(kind, year, unit, &change, actor, "monitoring draft").await?)
}

/// Enters the figures the registry cannot compute (the framework's reported indicators):
/// every unknown or computed indicator and every negative value refused, all at once.
pub async fn enter_figures(
    reg: &Registry,
    standards: &Standards,
    kind: &str,
    year: i64,
    unit: &TargetUnit,
    entered: &BTreeMap<String, f64>,
    actor: &str,
) -> Result<Result<ReportState, Vec<Refusal>>, AppError> {
    let fw = framework(standards, year)?;
    let mut refused = Vec::new();
    for (id, v) in entered {
        match fw.indicators.iter().find(|i| &i.id == id) {
            None => refused.push(refusal(
                format!("'{id}' không phải chỉ số của khung."),
                format!("'{id}' is not an indicator of the framework."),
            )),
            Some(i) if !i.reported => refused.push(refusal(
                format!("{} do hệ thống tính từ sổ hộ, không nhập tay.", i.name_vi),
                format!("{} is computed from the registry, not entered.", i.name_en),
            )),
            Some(i) if !v.is_finite() || *v < 0.0 => refused.push(refusal(
                format!("{}: '{v}' phải là số không âm.", i.name_vi),
                format!("{}: '{v}' must be a number, 0 or more.", i.name_en),
            )),
            Some(_) => {}
        }
    }
    if !refused.is_empty() {
        return Ok(Err(refused));
    }
    let Some(existing) = reg.monitoring_report(kind, year, unit).await? else {
        return Ok(Err(vec![refusal(
            "Chưa có báo cáo: hãy lập dự thảo trước.".into(),
            "There is no report yet: draft it first.".into(),
        )]));
    };
    let mut figures = existing.figures;
    for (id, v) in entered {
        figures.insert(id.clone(), Some(*v));
    }
    let change = ReportChange { action: ReportAction::Enter, figures: Some(&figures), targets: None, comment: None };
    Ok(reg.change_monitoring_report(kind, year, unit, &change, actor, "monitoring enter").await?.map_err(|r| vec![r]))
}

/// Submits, approves or returns (with `comment`) `unit`'s report.
pub async fn decide_report(
    reg: &Registry,
    kind: &str,
    year: i64,
    unit: &TargetUnit,
    action: ReportAction,
    comment: Option<&str>,
    actor: &str,
) -> Result<Result<ReportState, Refusal>, AppError> {
    let change = ReportChange { action, figures: None, targets: None, comment };
    let command = match action {
        ReportAction::Submit => "monitoring submit",
        ReportAction::Approve => "monitoring approve",
        _ => "monitoring return",
    };
    Ok(reg.change_monitoring_report(kind, year, unit, &change, actor, command).await?)
}

/// One unit in a parent's roll-up.
#[derive(Debug, Clone)]
pub struct RolledUnit {
    pub unit: TargetUnit,
    pub report: Option<StoredReport>,
    pub due_on: Option<NaiveDate>,
    /// Due passed and not submitted (nor approved).
    pub late: bool,
}

/// A parent's units and their reports, with the reported figures of the approved ones added up.
#[derive(Debug, Clone)]
pub struct Rollup {
    pub kind: String,
    pub year: i64,
    pub parent: TargetUnit,
    pub units: Vec<RolledUnit>,
    /// Reported indicator id → the sum over approved reports (`None`: none gave it).
    pub sums: ReportFigures,
    pub approved: usize,
}

/// The due day of `unit`'s report: its province's own day for a commune, else the circular's.
pub async fn due_for(
    reg: &Registry,
    standards: &Standards,
    kind: &str,
    year: i64,
    unit: &TargetUnit,
) -> Result<Option<NaiveDate>, AppError> {
    if unit.code.len() == 5
        && let Some(p) = level_above(unit)
        && let Some(d) = reg.monitoring_due(kind, year, &p.code).await?
    {
        return Ok(Some(d));
    }
    Ok(standards.monitoring().and_then(|c| c.report(kind).and_then(|r| r.due_on(year))))
}

/// The roll-up of `parent`'s units for `kind` and `year` at `today`, within the reader's area.
pub async fn rollup(
    reg: &Registry,
    standards: &Standards,
    kind: &str,
    year: i64,
    parent: &TargetUnit,
    today: NaiveDate,
) -> Result<Rollup, AppError> {
    let fw = framework(standards, year)?;
    let reports: BTreeMap<String, StoredReport> =
        reg.monitoring_reports_under(kind, year, parent).await?.into_iter().map(|r| (r.unit_code.clone(), r)).collect();
    let mut units = Vec::new();
    let mut sums = ReportFigures::new();
    let mut approved = 0;
    for u in parent.children() {
        if !reg.may_read_unit(&u) {
            continue;
        }
        let report = reports.get(&u.code).cloned();
        let due_on = due_for(reg, standards, kind, year, &u).await?;
        let sent = report.as_ref().is_some_and(|r| matches!(r.state, ReportState::Submitted | ReportState::Approved));
        let late = !sent && due_on.is_some_and(|d| today > d);
        if let Some(r) = report.as_ref().filter(|r| r.state == ReportState::Approved) {
            approved += 1;
            for def in fw.indicators.iter().filter(|i| i.reported) {
                if let Some(v) = r.figures.get(&def.id).copied().flatten() {
                    *sums.entry(def.id.clone()).or_insert(Some(0.0)) =
                        Some(sums.get(&def.id).copied().flatten().unwrap_or(0.0) + v);
                }
            }
        }
        units.push(RolledUnit { unit: u, report, due_on, late });
    }
    for def in fw.indicators.iter().filter(|i| i.reported) {
        sums.entry(def.id.clone()).or_insert(None);
    }
    Ok(Rollup { kind: kind.to_string(), year, parent: parent.clone(), units, sums, approved })
}

/// The roll-up as a table (one row per unit, late ones highlighted, a total row of the approved
/// reports): the layout the command line and the page's download share.
pub fn rollup_table(r: &Rollup, fw: &IndicatorFramework) -> (Vec<String>, Vec<vuonlen_io::PlainRow>) {
    use vuonlen_io::{PlainCell, PlainRow};
    let reported: Vec<_> = fw.indicators.iter().filter(|i| i.reported).collect();
    let mut header: Vec<String> =
        ["Mã đơn vị", "Tên đơn vị", "Tình trạng", "Hạn nộp", "Ngày nộp", "Nộp muộn / chưa nộp quá hạn"]
            .map(String::from)
            .to_vec();
    header.extend(reported.iter().map(|i| i.name_vi.clone()));
    let mut rows: Vec<PlainRow> = r
        .units
        .iter()
        .map(|u| {
            let mut cells = vec![
                PlainCell::Text(u.unit.code.clone()),
                PlainCell::Text(u.unit.name.clone()),
                PlainCell::Text(u.report.as_ref().map_or("Chưa lập", |x| x.state.label_vi()).to_string()),
                PlainCell::Text(u.due_on.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default()),
                PlainCell::Text(
                    u.report
                        .as_ref()
                        .and_then(|x| x.submitted_at.clone())
                        .map(|s| s.get(..10).unwrap_or("").to_string())
                        .unwrap_or_default(),
                ),
                PlainCell::Text(if u.late { "x".into() } else { String::new() }),
            ];
            cells.extend(
                reported
                    .iter()
                    .map(|i| PlainCell::Dec(u.report.as_ref().and_then(|x| x.figures.get(&i.id).copied().flatten()))),
            );
            PlainRow { cells, highlight: u.late }
        })
        .collect();
    let mut total = vec![
        PlainCell::Text(String::new()),
        PlainCell::Text(format!("Tổng cộng ({} báo cáo đã duyệt)", r.approved)),
        PlainCell::Text(String::new()),
        PlainCell::Text(String::new()),
        PlainCell::Text(String::new()),
        PlainCell::Text(String::new()),
    ];
    total.extend(reported.iter().map(|i| PlainCell::Dec(r.sums.get(&i.id).copied().flatten())));
    rows.push(PlainRow { cells: total, highlight: false });
    (header, rows)
}

/// `unit`'s report as a table (indicator, value, where it comes from), in the framework's order:
/// the layout its XLSX and PDF share.
fn report_lines(standards: &Standards, r: &StoredReport) -> Vec<(vuonlen_pdf::ReportLine, Option<f64>)> {
    let Some(fw) = standards.framework_for(r.year) else { return Vec::new() };
    let indicator_name = |code: &str| {
        standards
            .standards()
            .iter()
            .rev()
            .find_map(|s| s.indicators.iter().find(|i| i.code == code))
            .map_or_else(|| code.to_string(), |i| i.name_vi.clone())
    };
    let mut lines: Vec<(usize, vuonlen_pdf::ReportLine, Option<f64>)> = r
        .figures
        .iter()
        .map(|(id, value)| {
            let at =
                fw.indicators.iter().position(|i| Some(i.id.as_str()) == id.split(':').next()).unwrap_or(usize::MAX);
            let def = fw.indicators.get(at);
            let name = match (def, id.split_once(':')) {
                (Some(d), Some((_, code))) => format!("{} — {}", d.name_vi, indicator_name(code)),
                (Some(d), None) => d.name_vi.clone(),
                (None, _) => id.clone(),
            };
            let unverified = def.is_some_and(|d| !d.status.is_verified());
            let source = match def {
                Some(d) if d.reported => "Đơn vị báo cáo",
                _ => "Sổ hộ (kết quả rà soát)",
            };
            let line = vuonlen_pdf::ReportLine {
                name: if unverified { format!("{name} (chưa kiểm chứng)") } else { name },
                value: value.map_or_else(|| "—".to_string(), |v| vuonlen_core::text::format_decimal(v, 2)),
                source: source.to_string(),
            };
            (at, line, *value)
        })
        .collect();
    lines.sort_by_key(|(at, _, _)| *at);
    lines.into_iter().map(|(_, l, v)| (l, v)).collect()
}

/// The committee that makes `unit`'s report (a commune's or a province's People's Committee).
fn authority(unit: &TargetUnit) -> Option<vuonlen_pdf::Authority> {
    let units = vuonlen_core::units::AdminUnits::get();
    let (full, kind, province) = match unit.code.len() {
        5 => {
            let c = units.y2025.communes.get(unit.code.as_str())?;
            let p = units.y2025.province_of_commune(&unit.code).map(|p| p.name.to_string()).unwrap_or_default();
            (c.name.to_string(), c.division_type.to_string(), p)
        }
        2 => {
            let p = units.y2025.province(&unit.code)?;
            let kind = if p.division_type.starts_with("thành phố") { "thành phố" } else { "tỉnh" };
            (format!("{kind} {}", p.name), kind.to_string(), p.name.to_string())
        }
        _ => return None,
    };
    let short = full.split_whitespace().skip(kind.split_whitespace().count()).collect::<Vec<_>>().join(" ");
    Some(vuonlen_pdf::Authority {
        province_name: province,
        commune_name: short.clone(),
        commune_kind: kind.to_uppercase(),
        place_name: short,
    })
}

/// `unit`'s report of `kind` for `year` as a table (TT, indicator, value, source) for its XLSX:
/// `None` when there is no report.
pub async fn report_table(
    reg: &Registry,
    standards: &Standards,
    kind: &str,
    year: i64,
    unit: &TargetUnit,
) -> Result<Option<(Vec<String>, Vec<vuonlen_io::PlainRow>)>, AppError> {
    let Some(r) = reg.monitoring_report(kind, year, unit).await? else { return Ok(None) };
    let header = ["TT", "Chỉ số", "Giá trị", "Nguồn"].map(String::from).to_vec();
    let rows = report_lines(standards, &r)
        .into_iter()
        .enumerate()
        .map(|(i, (l, v))| vuonlen_io::PlainRow {
            cells: vec![
                vuonlen_io::PlainCell::Int(Some(i as i64 + 1)),
                vuonlen_io::PlainCell::Text(l.name),
                vuonlen_io::PlainCell::Dec(v),
                vuonlen_io::PlainCell::Text(l.source),
            ],
            highlight: false,
        })
        .collect();
    Ok(Some((header, rows)))
}

/// `unit`'s report of `kind` for `year` as a PDF: the national heading of its People's
/// Committee (the country's: the Ministry of Agriculture and Environment's National Office for
/// Poverty Reduction, which owns the programme since the 2025 restructuring), the indicator
/// table, the layout's verification status, the signature block. `None` when there is no report.
pub async fn report_pdf(
    reg: &Registry,
    standards: &Standards,
    kind: &str,
    year: i64,
    unit: &TargetUnit,
    today: NaiveDate,
) -> Result<Option<Vec<u8>>, AppError> {
    let Some(r) = reg.monitoring_report(kind, year, unit).await? else { return Ok(None) };
    let national = unit.code == "VN";
    let authority = match authority(unit) {
        Some(a) => a,
        None if national => vuonlen_pdf::Authority {
            province_name: String::new(),
            commune_name: String::new(),
            commune_kind: String::new(),
            place_name: "Hà Nội".into(),
        },
        None => return Ok(None),
    };
    let issuer = national.then(|| vuonlen_pdf::Issuer {
        parent: "Bộ Nông nghiệp và Môi trường".into(),
        name: "Văn phòng Quốc gia về giảm nghèo".into(),
        place: "Hà Nội".into(),
    });
    let cycle = standards.monitoring();
    let title = cycle.as_ref().and_then(|c| c.report(kind)).map_or_else(|| kind.to_string(), |k| k.name_vi.clone());
    let note = cycle.map(|c| format!("Mẫu trình bày chưa kiểm chứng: {}.", c.layout_citation)).unwrap_or_default();
    let doc = vuonlen_pdf::MonitoringReport {
        authority,
        number: "      /BC-UBND".into(),
        date: today,
        title,
        year,
        unit: unit.name.clone(),
        state: r.state.label_vi().to_string(),
        lines: report_lines(standards, &r).into_iter().map(|(l, _)| l).collect(),
        note,
        signer: if national {
            vuonlen_pdf::Signer { title: "CHÁNH VĂN PHÒNG".into(), on_behalf: None, name: String::new() }
        } else {
            vuonlen_pdf::Signer {
                title: "CHỦ TỊCH".into(),
                on_behalf: Some("TM. ỦY BAN NHÂN DÂN".into()),
                name: String::new(),
            }
        },
        issuer,
    };
    let bytes = tokio::task::spawn_blocking(move || vuonlen_pdf::monitoring_report_pdf(&doc))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Some(bytes))
}
