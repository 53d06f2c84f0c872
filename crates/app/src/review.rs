//! A review round's household steps from files (*nhập kết quả các bước rà soát*): applications,
//! Phiếu A results, households surveyed, village-meeting votes, complaints. The file is read off
//! the async threads with every problem located; then the registry checks each row against the
//! procedure and records all of them in one transaction — or none, each refusal located at
//! its row.

use crate::AppError;
use std::path::PathBuf;
use vuonlen_core::Class;
use vuonlen_core::review::{ComplaintOutcome, Origin, ReviewProcedure, Screening, Vote};
use vuonlen_io::review_tables::{StepFile, StepRecord, StepTable, read_step_file};
use vuonlen_store::Registry;
use vuonlen_store::review::{Application, ComplaintRow, MeetingRow, Round, ScreeningRow, Steps, SurveyRow};

/// What became of a step file.
#[derive(Debug, Clone)]
pub struct StepsRecorded {
    /// The file as read, with every problem (the registry's refusals among them).
    pub file: StepFile,
    /// Households recorded (`None`: refused).
    pub recorded: Option<u64>,
}

/// Reads `path` as a `table` file and records its rows in `round`.
pub async fn record_file(
    reg: &Registry,
    round: &Round,
    procedure: &ReviewProcedure,
    table: StepTable,
    path: PathBuf,
    actor: &str,
    command: &str,
) -> Result<StepsRecorded, AppError> {
    let mut file = tokio::task::spawn_blocking(move || read_step_file(table, &path))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    if !file.report.is_clean() {
        return Ok(StepsRecorded { file, recorded: None });
    }
    let Some(steps) = to_steps(table, &file.rows) else {
        return Err(AppError::Internal(
            "Phiếu C changes the households' answers: vuonlen_app::income::record_income_surveys records it".into(),
        ));
    };
    match reg.record_steps(round, procedure, &steps, actor, command).await? {
        Ok(n) => Ok(StepsRecorded { file, recorded: Some(n) }),
        Err(refusals) => {
            for r in refusals {
                let Some(row) = file.rows.get(r.index) else { continue };
                let code = row.get(table, "household_code").text().unwrap_or_default().to_string();
                let mut p = file.problem(row.row, "household_code", &code, r.refusal.vi, r.refusal.en);
                p.household_code = Some(code);
                file.report.errors.push(p);
            }
            file.report.errors.sort_by_key(|p| p.row);
            file.report.valid_households = 0;
            Ok(StepsRecorded { file, recorded: None })
        }
    }
}

/// The registry's rows of a file read clean (every required cell is present and typed); `None`
/// for Phiếu C, which changes answers (crate::income).
fn to_steps(table: StepTable, rows: &[StepRecord]) -> Option<Steps> {
    let text = |r: &StepRecord, k: &str| r.get(table, k).text().unwrap_or_default().to_string();
    let opt = |r: &StepRecord, k: &str| r.get(table, k).text().map(str::to_string);
    let date = |r: &StepRecord, k: &str| r.get(table, k).date().unwrap_or_default();
    let count = |r: &StepRecord, k: &str| u32::try_from(r.get(table, k).count().unwrap_or(0)).unwrap_or(u32::MAX);
    Some(match table {
        StepTable::IncomeSurvey => return None,
        StepTable::Applications => Steps::Applications(
            rows.iter()
                .map(|r| Application {
                    commune_code: text(r, "commune_code"),
                    household_code: text(r, "household_code"),
                    origin: Origin::parse(&text(r, "origin")).unwrap_or(Origin::Applied),
                    applied_on: date(r, "applied_on"),
                })
                .collect(),
        ),
        StepTable::Screening => Steps::Screening(
            rows.iter()
                .map(|r| ScreeningRow {
                    commune_code: text(r, "commune_code"),
                    household_code: text(r, "household_code"),
                    outcome: if text(r, "result") == "out" { Screening::Out } else { Screening::Proceeds },
                    reason: opt(r, "reason"),
                    note: opt(r, "note"),
                    screened_on: date(r, "screened_on"),
                })
                .collect(),
        ),
        StepTable::Surveys => Steps::Surveys(
            rows.iter()
                .map(|r| SurveyRow { commune_code: text(r, "commune_code"), household_code: text(r, "household_code") })
                .collect(),
        ),
        StepTable::Meetings => Steps::Meetings(
            rows.iter()
                .map(|r| MeetingRow {
                    commune_code: text(r, "commune_code"),
                    household_code: text(r, "household_code"),
                    held_on: date(r, "held_on"),
                    vote: Vote { attendees: count(r, "attendees"), agreeing: count(r, "agreeing") },
                })
                .collect(),
        ),
        StepTable::Complaints => Steps::Complaints(
            rows.iter()
                .map(|r| ComplaintRow {
                    commune_code: text(r, "commune_code"),
                    household_code: text(r, "household_code"),
                    lodged_on: date(r, "lodged_on"),
                    content: text(r, "content"),
                    outcome: opt(r, "outcome").as_deref().and_then(ComplaintOutcome::parse),
                    recheck_class: opt(r, "recheck_class").as_deref().and_then(Class::parse),
                    resolved_on: r.get(table, "resolved_on").date(),
                })
                .collect(),
        ),
    })
}

/// The documents of a commune's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    /// Mẫu 02 with its annexed lists.
    Decision,
    /// Mẫu 03, one page per poor or near-poor household.
    Certificates,
    /// The written replies to the applicants not granted what they asked (art. 5), with the
    /// reason: the Phiếu A reason, or the class the decision recognised.
    Replies,
}

/// Typesets a commune's decision or its certificates as PDF (the decision must have been made).
pub async fn document(
    reg: &Registry,
    round: &Round,
    procedure: &ReviewProcedure,
    commune: &str,
    which: Document,
) -> Result<Vec<u8>, AppError> {
    let today = round.ends_on;
    let state = reg
        .round_status(round, today)
        .await?
        .into_iter()
        .find(|s| s.commune_code == commune)
        .ok_or_else(|| vuonlen_store::StoreError::NotFound(format!("xã / commune {commune}")))?;
    let (Some(number), Some(decided_on)) = (state.decision_number.clone(), state.decided_on) else {
        return Err(vuonlen_store::StoreError::Refused {
            vi: format!("Xã {commune} chưa có quyết định công nhận trong đợt này."),
            en: format!("Commune {commune} has no decision in this round yet."),
        }
        .into());
    };
    let units = vuonlen_core::units::AdminUnits::get();
    let unit = units.y2025.communes.get(commune);
    let full = unit.map(|u| u.name).unwrap_or(commune);
    let kind = unit.map(|u| u.division_type).unwrap_or("Xã");
    // "Phường Tô Hiệu" of type "phường": the name without its type.
    let short = full.split_whitespace().skip(kind.split_whitespace().count()).collect::<Vec<_>>().join(" ");
    let province = units.y2025.province(&round.province_code).map(|p| p.name).unwrap_or_default().to_string();
    let authority = vuonlen_pdf::Authority {
        province_name: province.clone(),
        commune_name: short.clone(),
        commune_kind: kind.to_uppercase(),
        place_name: short,
    };
    let signer = vuonlen_pdf::Signer {
        title: "CHỦ TỊCH".into(),
        on_behalf: None,
        name: state.signer.clone().unwrap_or_default(),
    };
    let cases = reg.round_cases(round, commune).await?;
    let list_year = i32::try_from(round.list_year).unwrap_or_default();
    match which {
        Document::Decision => {
            let listed = |rows: Vec<&vuonlen_store::review::CaseRow>| -> Vec<vuonlen_pdf::ListedHousehold> {
                rows.into_iter()
                    .map(|c| vuonlen_pdf::ListedHousehold {
                        household_code: c.household_code.clone(),
                        head_name: c.head_name.clone(),
                        village: c.village.clone(),
                        persons: u32::try_from(c.persons).unwrap_or(0),
                        note: String::new(),
                    })
                    .collect()
            };
            let [poor, near_poor, escaped_poor, escaped_near_poor] = vuonlen_store::review::annexes(&cases);
            let d = vuonlen_pdf::Decision {
                authority,
                number,
                signed_on: decided_on,
                list_year,
                legal_bases: procedure.bases_for(&round.standard_id).into_iter().map(|b| b.text.clone()).collect(),
                poor: listed(poor),
                near_poor: listed(near_poor),
                escaped_poor: listed(escaped_poor),
                escaped_near_poor: listed(escaped_near_poor),
                recipients: procedure.recipients.iter().map(|r| r.replace("{province}", &province)).collect(),
                signer,
            };
            blocking(move || vuonlen_pdf::decision_pdf(&d)).await
        }
        Document::Certificates => {
            let mut households = Vec::new();
            let (mut poor_no, mut near_no) = (0, 0);
            for c in cases.iter().filter(|c| c.stage == "decided") {
                let kind = match c.recognised_class.as_deref() {
                    Some("poor") => vuonlen_pdf::CertificateKind::Poor,
                    Some("near_poor") => vuonlen_pdf::CertificateKind::NearPoor,
                    _ => continue,
                };
                let n = if kind == vuonlen_pdf::CertificateKind::Poor {
                    poor_no += 1;
                    format!("{poor_no}/GCN-HN")
                } else {
                    near_no += 1;
                    format!("{near_no}/GCN-HCN")
                };
                let detail = reg.survey_detail(c.household_id, round.period).await?;
                let head = detail.members.iter().find(|m| m.relation == "head");
                households.push(vuonlen_pdf::Certificate {
                    number: n,
                    kind,
                    head_name: detail.survey.head_name.clone(),
                    id_number: head.and_then(|m| m.id_number.clone()),
                    address: [detail.survey.address.as_str(), detail.survey.village.as_str(), full]
                        .into_iter()
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                        .join(", "),
                    members: detail
                        .members
                        .iter()
                        .map(|m| vuonlen_pdf::CertificateMember {
                            full_name: m.full_name.clone(),
                            ethnicity: m.ethnicity.clone(),
                            relation: vuonlen_core::codes::Relation::parse(&m.relation)
                                .map(|r| r.label_vi().to_string())
                                .unwrap_or_else(|| m.relation.clone()),
                            birth_year: m.birth_date.get(..4).and_then(|y| y.parse().ok()).unwrap_or_default(),
                            female: m.sex == "F",
                            note: String::new(),
                        })
                        .collect(),
                });
            }
            let c = vuonlen_pdf::Certificates {
                authority,
                list_year,
                decision_number: number,
                decision_date: decided_on,
                signed_on: decided_on,
                signer,
                households,
            };
            blocking(move || vuonlen_pdf::certificates_pdf(&c)).await
        }
        Document::Replies => {
            use vuonlen_core::review::{ApplicationOutcome, application_outcome};
            let mut replies = Vec::new();
            for c in cases.iter().filter(|c| matches!(c.stage.as_str(), "decided" | "screened_out")) {
                let Some(origin) = Origin::parse(&c.origin).filter(|o| *o != Origin::Listed) else { continue };
                let class = |k: &Option<String>| k.as_deref().and_then(Class::parse);
                if application_outcome(origin, class(&c.previous_class), class(&c.recognised_class))
                    != ApplicationOutcome::Refused
                {
                    continue;
                }
                let reason = match (c.stage.as_str(), c.screening_reason.as_deref()) {
                    ("screened_out", Some(code)) => procedure
                        .screening_reason(code)
                        .map_or_else(|| code.to_string(), |r| format!("{} (Phiếu A).", r.text_vi)),
                    _ => format!(
                        "Kết quả rà soát đã được họp dân thống nhất và niêm yết công khai: hộ {}.",
                        class(&c.recognised_class).map_or("không thuộc diện", |k| k.label_vi()).to_lowercase()
                    ),
                };
                replies.push(vuonlen_pdf::Reply {
                    number: format!("{}/UBND", replies.len() + 1),
                    head_name: c.head_name.clone(),
                    address: [c.village.as_str(), full]
                        .into_iter()
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                        .join(", "),
                    form: if origin == Origin::AppliedEscape {
                        vuonlen_pdf::ApplicationForm::Mau04
                    } else {
                        vuonlen_pdf::ApplicationForm::Mau01
                    },
                    applied_on: c.applied_on.as_deref().and_then(|d| d.parse().ok()).unwrap_or(decided_on),
                    reason,
                });
            }
            if replies.is_empty() {
                return Err(vuonlen_store::StoreError::Refused {
                    vi: format!("Xã {commune} không có đơn nào cần trả lời bằng văn bản trong đợt này."),
                    en: format!("Commune {commune} has no application to refuse in writing in this round."),
                }
                .into());
            }
            let r = vuonlen_pdf::Replies {
                authority,
                signed_on: decided_on,
                signer,
                recipients: vec!["Như trên;".into(), "Lưu: VT.".into()],
                replies,
            };
            blocking(move || vuonlen_pdf::replies_pdf(&r)).await
        }
    }
}

async fn blocking(
    f: impl FnOnce() -> Result<Vec<u8>, vuonlen_pdf::PdfError> + Send + 'static,
) -> Result<Vec<u8>, AppError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(format!("PDF: {e}")))
}

/// Writes a commune's list to review (Phụ lục I) to `path` (`.xlsx`: a sheet per village; else
/// CSV), in list order.
pub async fn write_list(reg: &Registry, round: &Round, commune: &str, path: PathBuf) -> Result<(), AppError> {
    use vuonlen_io::review_list::{ListedRow, write_review_list};
    let cases = reg.round_cases(round, commune).await?;
    let mut villages: Vec<(String, Vec<ListedRow>)> = Vec::new();
    for c in cases {
        let village = if c.village.is_empty() { "Chưa có thôn".to_string() } else { c.village.clone() };
        let row = ListedRow {
            household_code: c.household_code.clone(),
            head_name: c.head_name.clone(),
            origin: Origin::parse(&c.origin).map(Origin::label_vi).unwrap_or_default().to_string(),
            current: c.previous_class.as_deref().and_then(Class::parse).map(Class::label_vi).unwrap_or("").to_string(),
            note: String::new(),
        };
        match villages.iter_mut().find(|v| v.0 == village) {
            Some(v) => v.1.push(row),
            None => villages.push((village, vec![row])),
        }
    }
    let name = vuonlen_core::units::AdminUnits::get()
        .y2025
        .communes
        .get(commune)
        .map(|u| u.name.to_string())
        .unwrap_or_else(|| commune.to_string());
    let year = round.period;
    tokio::task::spawn_blocking(move || write_review_list(&path, &name, year, &villages))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// The monthly roll-up of a province's regular review (`vuonlen_io::review_month`) as workbook
/// bytes: the applications of the caller's area received, decided and waiting in `year`-`month`.
pub async fn month_workbook(
    reg: &Registry,
    procedure: &ReviewProcedure,
    province: &str,
    year: i32,
    month: u32,
    due_on: Option<chrono::NaiveDate>,
) -> Result<Vec<u8>, AppError> {
    use vuonlen_io::review_month::{MonthMeta, MonthRow, write_month};
    let first = chrono::NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(|| {
        vuonlen_store::StoreError::Invalid(format!("tháng không hợp lệ / invalid month {year}-{month}"))
    })?;
    let last = first.checked_add_months(chrono::Months::new(1)).and_then(|d| d.pred_opt()).unwrap_or(first);
    let lines = reg.regular_month(procedure, province, first, last).await?;
    let units = vuonlen_core::units::AdminUnits::get().list(vuonlen_core::units::UnitList::Y2025);
    let rows: Vec<MonthRow> = lines
        .into_iter()
        .map(|l| MonthRow {
            name: units.communes.get(l.commune_code.as_str()).map(|u| u.name.to_string()).unwrap_or_default(),
            values: [
                l.received,
                l.received_escape,
                l.decided,
                l.poor,
                l.near_poor,
                l.escaped,
                l.refused,
                l.waiting,
                l.overdue,
            ],
            code: l.commune_code,
        })
        .collect();
    let meta = MonthMeta {
        province_code: province.to_string(),
        province_name: units
            .provinces
            .iter()
            .find(|u| u.code == province)
            .map(|u| u.name.to_string())
            .unwrap_or_default(),
        year,
        month,
        due_on,
    };
    tokio::task::spawn_blocking(move || {
        let mut buf = std::io::Cursor::new(Vec::new());
        write_month(vuonlen_io::forms::Destination::Stream(&mut buf), &meta, &rows)?;
        Ok(buf.into_inner())
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

/// One province's line of the national review roll-up (*tổng hợp tiến độ rà soát theo tỉnh*).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProvinceProgress {
    pub province_code: String,
    pub rounds: u64,
    /// Communes taking part in a round of the period, decided, and late in some step.
    pub communes: u64,
    pub decided: u64,
    pub late: u64,
    /// Households by stage, indexed like [`vuonlen_core::review::Stage::ALL`].
    pub stages: [u64; 6],
}

/// The review rounds of a period rolled up by province, within the caller's area (each round's
/// communes with their step, lateness on `today` and counts, as the round's page shows them).
pub async fn progress_by_province(
    reg: &Registry,
    period: i64,
    today: chrono::NaiveDate,
) -> Result<Vec<ProvinceProgress>, AppError> {
    use vuonlen_core::review::Stage;
    let mut by: std::collections::BTreeMap<String, ProvinceProgress> = Default::default();
    for round in reg.rounds(Some(period)).await? {
        let states = reg.round_status(&round, today).await?;
        let line = by
            .entry(round.province_code.clone())
            .or_insert_with(|| ProvinceProgress { province_code: round.province_code.clone(), ..Default::default() });
        line.rounds += 1;
        for s in &states {
            line.communes += 1;
            line.decided += u64::from(s.decision_number.is_some());
            line.late += u64::from(!s.late.is_empty());
            for (i, stage) in Stage::ALL.iter().enumerate() {
                line.stages[i] += s.count(*stage);
            }
        }
    }
    Ok(by.into_values().collect())
}
