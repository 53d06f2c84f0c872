//! The review (*rà soát*) pages: the rounds with each commune's step (late steps highlighted),
//! a province officer opening a round, and a commune's page where its officer records each
//! step — the list (Phụ lục I), applications, Phiếu A, survey, the village meeting, posting,
//! complaints and the re-check — and decides, prints the decision (Mẫu 02) and the
//! certificates (Mẫu 03) and so locks the commune's lists.

use crate::auth::Viewer;
use crate::error::{AppError, PageError};
use crate::households::app_error;
use crate::pages::import::{problem_rows, safe_name, save_upload};
use crate::pages::{Chrome, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use vuonlen_core::Class;
use vuonlen_core::review::{
    ComplaintOutcome, Origin, PostingDates, ReviewProcedure, RoundKind, Screening, Stage, Step, Vote,
};
use vuonlen_core::units::AdminUnits;
use vuonlen_io::review_tables::StepTable;
use vuonlen_store::review::{
    CommuneState, ComplaintRow, DecisionInput, MeetingRow, Round, RoundSpec, ScreeningRow, Steps, SurveyRow,
};
use vuonlen_store::{Registry, period};

fn procedure(state: &AppState) -> Result<std::sync::Arc<ReviewProcedure>, AppError> {
    state.standards.review_procedure().ok_or_else(|| AppError::Internal("no review procedure loaded".into()))
}

fn step_label(l: crate::i18n::Lang, s: Step) -> &'static str {
    match s {
        Step::List => l.s("Lập danh sách", "List"),
        Step::Screening => l.s("Phiếu A", "Screening"),
        Step::Survey => l.s("Phiếu B", "Survey"),
        Step::Meeting => l.s("Họp dân", "Meeting"),
        Step::Posting => l.s("Niêm yết", "Posting"),
        Step::Decision => l.s("Quyết định", "Decision"),
    }
}

fn class_label(l: crate::i18n::Lang, key: Option<&str>) -> String {
    key.and_then(Class::parse).map(|c| l.s(c.label_vi(), c.label_en()).to_string()).unwrap_or_default()
}

/// One commune's line on a round's dashboard.
pub struct CommuneLine {
    pub code: String,
    pub name: String,
    pub reached: String,
    pub counts: [String; 6],
    pub complaints_open: u64,
    pub decision: String,
    pub late: String,
    pub is_late: bool,
}

#[derive(Template, Default)]
#[template(path = "review_rounds.html")]
struct RoundsPage {
    c: Chrome,
    /// id, period, kind, province, window, list year.
    rounds: Vec<[String; 6]>,
    periods: Vec<i64>,
    may_open: bool,
    province: String,
    message: Option<String>,
    failed: bool,
    /// The period rolled up, and per province: name, rounds, communes, decided, late, then the
    /// households at each stage.
    summary_period: i64,
    summary: Vec<(String, [u64; 10], bool)>,
    stage_labels: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "review_round.html")]
struct RoundPage {
    c: Chrome,
    round: Round,
    kind: &'static str,
    province_name: String,
    /// (step label, due day, late communes).
    calendar: Vec<(String, String, u64)>,
    communes: Vec<CommuneLine>,
    totals: [String; 6],
    decided: u64,
    unverified: Vec<(String, String)>,
    today: String,
}

#[derive(Template)]
#[template(path = "review_commune.html")]
struct CommunePage {
    c: Chrome,
    round: Round,
    /// Where the step forms post (with the CSRF token: multipart bodies are not read for it).
    action: String,
    commune: String,
    commune_name: String,
    state: CommuneLine,
    may_write: bool,
    decided: bool,
    posting: String,
    /// One row per household.
    cases: Vec<CaseLine>,
    complaints: Vec<[String; 6]>,
    open_complaints: Vec<(i64, String)>,
    reasons: Vec<(String, String)>,
    steps: Vec<(&'static str, String, String)>,
    /// Score tables loaded into the registry: (id, title as shown).
    score_tables: Vec<(String, String)>,
    message: Option<String>,
    failed: bool,
    problems: Vec<Vec<String>>,
    min_pct: u32,
    posting_days: u32,
    unverified: Vec<(String, String)>,
}

pub struct CaseLine {
    pub code: String,
    pub head: String,
    pub village: String,
    pub origin: String,
    pub stage: String,
    pub stage_key: String,
    pub previous: String,
    pub vote: String,
    pub computed: String,
    pub recognised: String,
    pub differs: bool,
    pub screenable: bool,
    pub votable: bool,
    pub resurvey: bool,
}

/// `YYYY-MM-DD` as `dd/mm/yyyy`.
fn vi_day(iso: &str) -> String {
    iso.parse::<NaiveDate>().map_or_else(|_| iso.to_string(), |d| d.format("%d/%m/%Y").to_string())
}

fn commune_name(code: &str) -> String {
    AdminUnits::get().y2025.communes.get(code).map(|u| u.name.to_string()).unwrap_or_else(|| code.to_string())
}

fn line(l: crate::i18n::Lang, s: &CommuneState) -> CommuneLine {
    let n = |st: Stage| l.int(s.count(st));
    CommuneLine {
        code: s.commune_code.clone(),
        name: s.commune_name.clone(),
        reached: s.reached.map_or_else(|| l.s("Chưa bắt đầu", "Not started"), |x| step_label(l, x)).to_string(),
        counts: [
            l.int(s.households()),
            n(Stage::ScreenedOut),
            l.int(s.count(Stage::Surveyed) + s.count(Stage::Resurvey)),
            n(Stage::Resurvey),
            n(Stage::Agreed),
            n(Stage::Decided),
        ],
        complaints_open: s.open_complaints,
        decision: match (&s.decision_number, s.decided_on) {
            (Some(n), Some(d)) => format!("{n} ({})", d.format("%d/%m/%Y")),
            _ => String::new(),
        },
        late: s.late.iter().map(|x| step_label(l, *x)).collect::<Vec<_>>().join(", "),
        is_late: !s.late.is_empty(),
    }
}

fn unverified(p: &ReviewProcedure, standard_id: &str) -> Vec<(String, String)> {
    p.unverified_for(standard_id).into_iter().map(|(what, citation, _)| (what, citation)).collect()
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

async fn round_of(reg: &Registry, id: i64) -> Result<Round, AppError> {
    reg.round(id).await?.ok_or(AppError::NotFound)
}

async fn rounds_page(state: &AppState, v: &Viewer, uri: &Uri) -> Result<RoundsPage, AppError> {
    let reg = v.registry(state);
    let l = v.lang;
    let rounds = reg
        .rounds(None)
        .await?
        .into_iter()
        .map(|r| {
            [
                r.id.to_string(),
                r.period.to_string(),
                l.s(r.kind.label_vi(), if r.kind == RoundKind::Annual { "Annual review" } else { "Regular review" })
                    .to_string(),
                AdminUnits::get().y2025.province(&r.province_code).map(|p| p.name.to_string()).unwrap_or_default(),
                format!("{} – {}", r.starts_on.format("%d/%m/%Y"), r.ends_on.format("%d/%m/%Y")),
                r.list_year.to_string(),
            ]
        })
        .collect();
    let periods: Vec<i64> = period::list(&state.db).await?.into_iter().map(|p| p.year).rev().collect();
    let province = v.user.unit_code.clone().filter(|u| u.len() == 2).unwrap_or_default();
    let may_open = !province.is_empty() && reg.may_change(&province, "");
    // The latest period's rounds rolled up by province (the country's officers see every one).
    let summary_period = periods.first().copied().unwrap_or_default();
    let today = chrono::Local::now().date_naive();
    let summary = vuonlen_app::review::progress_by_province(&reg, summary_period, today)
        .await
        .map_err(app_error)?
        .into_iter()
        .map(|p| {
            let name = AdminUnits::get()
                .y2025
                .province(&p.province_code)
                .map(|u| u.name.to_string())
                .unwrap_or(p.province_code);
            let mut v = [0u64; 10];
            v[..4].copy_from_slice(&[p.rounds, p.communes, p.decided, p.late]);
            v[4..].copy_from_slice(&p.stages);
            (name, v, p.late > 0)
        })
        .collect();
    let stage_labels = Stage::ALL.iter().map(|s| l.s(s.label_vi(), s.key())).collect();
    Ok(RoundsPage {
        c: Chrome::of(v, uri),
        rounds,
        periods,
        may_open,
        province,
        summary_period,
        summary,
        stage_labels,
        ..Default::default()
    })
}

pub async fn rounds(State(state): State<AppState>, v: Viewer, uri: Uri) -> Result<Response, PageError> {
    Ok(render(&rounds_page(&state, &v, &uri).await?)?.into_response())
}

#[derive(Debug, serde::Deserialize)]
pub struct OpenForm {
    pub period: i64,
    pub kind: String,
    #[serde(default)]
    pub starts: String,
}

/// A province officer opens a round of its province.
pub async fn open(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    axum::Form(f): axum::Form<OpenForm>,
) -> Result<Response, PageError> {
    let l = v.lang;
    let reg = v.registry(&state);
    let mut page = rounds_page(&state, &v, &uri).await?;
    if !page.may_open {
        return Err(AppError::Forbidden(l.s("mở đợt rà soát", "opening a review round").into()).into());
    }
    let Some(per) = period::get(&state.db, f.period).await? else {
        page.message = Some(l.s("Kỳ này chưa có trong sổ.", "The registry has no such period.").into());
        page.failed = true;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    };
    let kind = RoundKind::parse(&f.kind).ok_or_else(|| AppError::BadRequest(format!("kind {}", f.kind)))?;
    let starts = match f.starts.trim() {
        "" => None,
        s => Some(s.parse::<NaiveDate>().map_err(|_| AppError::BadRequest(format!("starts {s}")))?),
    };
    let proc = procedure(&state)?;
    let spec = RoundSpec {
        period: &per,
        kind,
        province_code: &page.province,
        starts_on: starts,
        communes: &[],
        calendar: &[],
        procedure: &proc,
    };
    match reg.open_round(&spec, &v.user.username, "web").await {
        Ok(r) => Ok(Redirect::to(&format!("/ra-soat/{}", r.id)).into_response()),
        Err(e @ vuonlen_store::StoreError::Refused { .. }) => {
            page.message = Some(e.to_string());
            page.failed = true;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(AppError::from(e).into()),
    }
}

pub async fn round(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let l = v.lang;
    let reg = v.registry(&state);
    let round = round_of(&reg, id).await?;
    let today = today();
    let states = reg.round_status(&round, today).await?;
    let mut totals = [0u64; 6];
    for s in &states {
        let c = [
            s.households(),
            s.count(Stage::ScreenedOut),
            s.count(Stage::Surveyed) + s.count(Stage::Resurvey),
            s.count(Stage::Resurvey),
            s.count(Stage::Agreed),
            s.count(Stage::Decided),
        ];
        for (t, n) in totals.iter_mut().zip(c) {
            *t += n;
        }
    }
    let calendar = round
        .calendar
        .iter()
        .map(|(step, due)| {
            let late = states.iter().filter(|s| s.late.contains(step)).count() as u64;
            (step_label(l, *step).to_string(), due.format("%d/%m/%Y").to_string(), late)
        })
        .collect();
    let proc = procedure(&state)?;
    let page = RoundPage {
        c: Chrome::of(&v, &uri),
        kind: l
            .s(round.kind.label_vi(), if round.kind == RoundKind::Annual { "Annual review" } else { "Regular review" }),
        province_name: AdminUnits::get()
            .y2025
            .province(&round.province_code)
            .map(|p| p.name.to_string())
            .unwrap_or_default(),
        calendar,
        decided: states.iter().filter(|s| s.decision_number.is_some()).count() as u64,
        communes: states.iter().map(|s| line(l, s)).collect(),
        totals: totals.map(|n| l.int(n)),
        unverified: unverified(&proc, &round.standard_id),
        today: today.format("%d/%m/%Y").to_string(),
        round,
    };
    Ok(render(&page)?.into_response())
}

async fn commune_page(
    state: &AppState,
    v: &Viewer,
    uri: &Uri,
    round: Round,
    commune: &str,
) -> Result<CommunePage, AppError> {
    let l = v.lang;
    let reg = v.registry(state);
    let st = reg
        .round_status(&round, today())
        .await?
        .into_iter()
        .find(|s| s.commune_code == commune)
        .ok_or(AppError::NotFound)?;
    let proc = procedure(state)?;
    let cases = reg.round_cases(&round, commune).await?;
    let complaints = reg.complaints(&round, commune).await?;
    let may_write = reg.may_change(&round.province_code, commune) && st.decision_number.is_none();
    let origin = |o: &str| Origin::parse(o).map(|o| o.label_vi()).unwrap_or("").to_string();
    let stage_label = |s: &str| {
        Stage::parse(s)
            .map(|s| match l {
                crate::i18n::Lang::Vi => s.label_vi(),
                crate::i18n::Lang::En => s.key(),
            })
            .unwrap_or("")
            .to_string()
    };
    let lines = cases
        .iter()
        .map(|c| {
            let stage = Stage::parse(&c.stage);
            let screenable = stage == Some(Stage::Listed)
                && Origin::parse(&c.origin).is_some_and(Origin::is_screened)
                && c.screened_on.is_none();
            CaseLine {
                code: c.household_code.clone(),
                head: c.head_name.clone(),
                village: c.village.clone(),
                origin: origin(&c.origin),
                stage: stage_label(&c.stage),
                stage_key: c.stage.clone(),
                previous: class_label(l, c.previous_class.as_deref()),
                vote: match (c.attendees, c.agreeing) {
                    (Some(a), Some(g)) if a > 0 => format!("{g}/{a} ({}%)", g * 100 / a),
                    _ => String::new(),
                },
                computed: class_label(l, c.computed_class.as_deref().or(c.current_class.as_deref())),
                recognised: class_label(l, c.recognised_class.as_deref()),
                differs: c.recognised_class.is_some()
                    && c.computed_class.is_some()
                    && c.recognised_class != c.computed_class,
                screenable,
                votable: stage == Some(Stage::Surveyed),
                resurvey: stage == Some(Stage::Resurvey),
            }
        })
        .collect();
    let complaint_rows = complaints
        .iter()
        .map(|k| {
            [
                k.id.to_string(),
                k.household_code.clone(),
                vi_day(&k.lodged_on),
                k.content.clone(),
                k.outcome
                    .as_deref()
                    .map(|o| match o {
                        "upheld" => l.s("Chấp nhận", "Upheld"),
                        _ => l.s("Không chấp nhận", "Rejected"),
                    })
                    .unwrap_or_else(|| l.s("Chưa giải quyết", "Open"))
                    .to_string(),
                class_label(l, k.recheck_class.as_deref()),
            ]
        })
        .collect();
    let open_complaints =
        complaints.iter().filter(|k| k.outcome.is_none()).map(|k| (k.id, k.household_code.clone())).collect();
    let c = Chrome::of(v, uri);
    Ok(CommunePage {
        action: format!("/ra-soat/{}/xa/{commune}?_csrf={}", round.id, c.csrf),
        c,
        commune: commune.to_string(),
        commune_name: commune_name(commune),
        state: line(l, &st),
        may_write,
        decided: st.decision_number.is_some(),
        posting: st
            .posting
            .map(|(a, b)| format!("{} – {}", a.format("%d/%m/%Y"), b.format("%d/%m/%Y")))
            .unwrap_or_default(),
        cases: lines,
        complaints: complaint_rows,
        open_complaints,
        reasons: proc
            .screening_reasons
            .iter()
            .map(|r| (r.code.clone(), l.s(&r.text_vi, &r.text_en).to_string()))
            .collect(),
        steps: StepTable::ALL
            .iter()
            .filter(|t| **t != StepTable::Surveys)
            .map(|t| {
                let cols: Vec<&str> = t.columns().iter().map(|c| c.label_vi).collect();
                let label = match t {
                    StepTable::Applications => l.s("Đơn đề nghị (Mẫu 01, 04), thôn đề xuất", "Applications"),
                    StepTable::Screening => l.s("Kết quả Phiếu A", "Phiếu A results"),
                    StepTable::Meetings => l.s("Kết quả họp dân", "Meeting votes"),
                    StepTable::Complaints => l.s("Khiếu nại", "Complaints"),
                    StepTable::IncomeSurvey => {
                        l.s("Phiếu C (thu nhập thực tế 12 tháng, hộ NLNDN)", "Phiếu C (actual 12-month income, NLNDN)")
                    }
                    StepTable::Surveys => "",
                };
                (t.key(), label.to_string(), cols.join(", "))
            })
            .collect(),
        score_tables: reg
            .score_tables()
            .await?
            .into_iter()
            .map(|t| {
                let title = if t.purpose == "test" {
                    format!("{} — {}", t.title, l.s("BẢNG THỬ NGHIỆM, không chính thức", "TEST TABLE, not official"))
                } else {
                    t.title
                };
                (t.id, title)
            })
            .collect(),
        message: None,
        failed: false,
        problems: Vec::new(),
        min_pct: proc.meeting.min_agreeing_pct.value,
        posting_days: proc.posting.working_days.value,
        unverified: unverified(&proc, &round.standard_id),
        round,
    })
}

pub async fn commune(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path((id, commune)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    let reg = v.registry(&state);
    let round = round_of(&reg, id).await?;
    Ok(render(&commune_page(&state, &v, &uri, round, &commune).await?)?.into_response())
}

/// Every step a commune's officer records, from the commune's page (`action` says which).
pub async fn commune_action(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path((id, commune)): Path<(i64, String)>,
    mut mp: Multipart,
) -> Result<Response, PageError> {
    let l = v.lang;
    let reg = v.registry(&state);
    let round = round_of(&reg, id).await?;
    if !reg.may_change(&round.province_code, &commune) {
        return Err(AppError::Forbidden(l.s("ghi kết quả rà soát", "recording review steps").into()).into());
    }
    let dir = tempfile::tempdir().map_err(|e| AppError::Internal(e.to_string()))?;
    let mut f: HashMap<String, String> = HashMap::new();
    let mut file = None;
    while let Some(mut field) = mp.next_field().await.map_err(|e| AppError::BadRequest(e.to_string()))? {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let fname = safe_name(field.file_name().unwrap_or(""), "buoc.csv");
            let path = dir.path().join(&fname);
            if save_upload(state.upload_limit, 0, &mut field, &path, &mut Sha256::new()).await? > 0 {
                file = Some(path);
            }
        } else {
            let text = field.text().await.map_err(|e| AppError::BadRequest(e.to_string()))?;
            f.insert(name, text.trim().to_string());
        }
    }
    let proc = procedure(&state)?;
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or("");
    let date = |k: &str| -> Result<NaiveDate, AppError> {
        get(k).parse::<NaiveDate>().map_err(|_| AppError::Invalid(format!("{k}: {} / not a date: {}", get(k), get(k))))
    };
    let number = |k: &str| -> Result<u32, AppError> {
        get(k).parse::<u32>().map_err(|_| AppError::Invalid(format!("{k}: {} / not a whole number", get(k))))
    };
    let by = v.user.username.as_str();
    let code = get("household").to_string();
    let one = |steps: Steps| steps;
    let outcome: Result<String, Vec<String>> = match get("action") {
        "list" => {
            let n = reg.list_round(&round, Some(&commune), by, "web").await?;
            Ok(format!("{} {n} {}", l.s("Đã lập danh sách:", "Listed:"), l.s("hộ thêm mới.", "households added.")))
        }
        "upload" => {
            let table = StepTable::ALL
                .into_iter()
                .find(|t| t.key() == get("step"))
                .ok_or_else(|| AppError::BadRequest(format!("step {}", get("step"))))?;
            let Some(path) = file else {
                return refuse_page(
                    &state,
                    &v,
                    &uri,
                    round,
                    &commune,
                    l.s("Hãy chọn một tệp.", "Choose a file."),
                    Vec::new(),
                )
                .await;
            };
            let done = if table == StepTable::IncomeSurvey {
                let (p, std) = crate::api::review::round_period(&state, &round).await?;
                let d = vuonlen_app::income::record_income_surveys(&reg, &round, &p, std, path, by, "web")
                    .await
                    .map_err(app_error)?;
                vuonlen_app::review::StepsRecorded { file: d.file, recorded: d.recorded }
            } else {
                vuonlen_app::review::record_file(&reg, &round, &proc, table, path, by, "web")
                    .await
                    .map_err(app_error)?
            };
            match done.recorded {
                Some(n) => Ok(format!("{} {n} {}", l.s("Đã ghi", "Recorded"), l.s("hộ.", "households."))),
                None => {
                    let problems = problem_rows(&v, &done.file.report);
                    let m = l.s(
                        "Tệp có lỗi: không ghi gì. Sửa các dòng dưới đây rồi tải lên lại.",
                        "The file has problems: nothing was recorded. Fix the rows below and upload it again.",
                    );
                    return refuse_page(&state, &v, &uri, round, &commune, m, problems).await;
                }
            }
        }
        "score" => {
            let Some(path) = file else {
                return refuse_page(
                    &state,
                    &v,
                    &uri,
                    round,
                    &commune,
                    l.s("Hãy chọn một tệp.", "Choose a file."),
                    Vec::new(),
                )
                .await;
            };
            let (p, std) = crate::api::review::round_period(&state, &round).await?;
            let done = vuonlen_app::score::record_scores(&reg, &round, &p, std, get("table"), path, by, "web")
                .await
                .map_err(app_error)?;
            match done.recorded {
                Some(n) => Ok(format!(
                    "{} {n} {} ({})",
                    l.s("Đã ghi điểm A của", "Recorded score A of"),
                    l.s("hộ", "households"),
                    done.table_title
                )),
                None => {
                    let problems = problem_rows(&v, &done.file.report);
                    let m = l.s(
                        "Tệp có lỗi: không ghi gì. Sửa các dòng dưới đây rồi tải lên lại.",
                        "The file has problems: nothing was recorded. Fix the rows below and upload it again.",
                    );
                    return refuse_page(&state, &v, &uri, round, &commune, m, problems).await;
                }
            }
        }
        "screen" => {
            let out = get("result") == "out";
            let row = ScreeningRow {
                commune_code: commune.clone(),
                household_code: code.clone(),
                outcome: if out { Screening::Out } else { Screening::Proceeds },
                reason: Some(get("reason").to_string()).filter(|r| out && !r.is_empty()),
                note: Some(get("note").to_string()).filter(|n| !n.is_empty()),
                screened_on: date("on")?,
            };
            step(&reg, &round, &proc, one(Steps::Screening(vec![row])), by, l).await?
        }
        "survey" => {
            let row = SurveyRow { commune_code: commune.clone(), household_code: code.clone() };
            step(&reg, &round, &proc, Steps::Surveys(vec![row]), by, l).await?
        }
        "survey_all" => {
            let n = reg.record_surveyed_all(&round, &commune, by, "web").await?;
            Ok(format!("{} {n} {}", l.s("Đã ghi", "Recorded"), l.s("hộ đã điều tra.", "households surveyed.")))
        }
        "vote" => {
            let row = MeetingRow {
                commune_code: commune.clone(),
                household_code: code.clone(),
                held_on: date("on")?,
                vote: Vote { attendees: number("attendees")?, agreeing: number("agreeing")? },
            };
            step(&reg, &round, &proc, Steps::Meetings(vec![row]), by, l).await?
        }
        "meeting_all" => {
            let vote = Vote { attendees: number("attendees")?, agreeing: number("agreeing")? };
            match reg.record_meeting_all(&round, &proc, &commune, date("on")?, vote, by, "web").await {
                Ok(n) => Ok(format!(
                    "{} {n} {}",
                    l.s("Đã ghi kết quả họp dân cho", "Recorded the meeting for"),
                    l.s("hộ.", "households.")
                )),
                Err(e @ vuonlen_store::StoreError::Refused { .. }) => Err(vec![e.to_string()]),
                Err(e) => return Err(AppError::from(e).into()),
            }
        }
        "posting" => {
            let posting = PostingDates { starts_on: date("from")?, ends_on: date("to")? };
            match reg.record_posting(&round, &proc, &commune, posting, get("places"), by, "web").await {
                Ok(()) => Ok(l.s("Đã ghi niêm yết công khai.", "Recorded the public posting.").to_string()),
                Err(e @ vuonlen_store::StoreError::Refused { .. }) => Err(vec![e.to_string()]),
                Err(e) => return Err(AppError::from(e).into()),
            }
        }
        "complaint" => {
            let row = ComplaintRow {
                commune_code: commune.clone(),
                household_code: code.clone(),
                lodged_on: date("on")?,
                content: get("content").to_string(),
                outcome: None,
                recheck_class: None,
                resolved_on: None,
            };
            step(&reg, &round, &proc, Steps::Complaints(vec![row]), by, l).await?
        }
        "resolve" => {
            let id: i64 = get("complaint").parse().map_err(|_| AppError::BadRequest("complaint".into()))?;
            let outcome =
                ComplaintOutcome::parse(get("outcome")).ok_or_else(|| AppError::BadRequest("outcome".into()))?;
            let class = Class::parse(get("class")).filter(|_| outcome == ComplaintOutcome::Upheld);
            match reg.resolve_complaint(&round, id, outcome, class, date("on")?, by, "web").await {
                Ok(()) => Ok(l.s("Đã ghi kết quả phúc tra.", "Recorded the re-check.").to_string()),
                Err(e @ vuonlen_store::StoreError::Refused { .. }) => Err(vec![e.to_string()]),
                Err(e) => return Err(AppError::from(e).into()),
            }
        }
        "decide" => {
            let input = DecisionInput {
                commune: &commune,
                number: get("number"),
                decided_on: date("on")?,
                signer: get("signer"),
            };
            match reg.decide(&round, &input, by, "web").await {
                Ok(Ok(d)) => Ok(format!(
                    "{} {}: {} {} / {} {}; {} {}.",
                    l.s("Đã ra quyết định", "Decision"),
                    d.number,
                    d.poor,
                    l.s("hộ nghèo", "poor"),
                    d.near_poor,
                    l.s("hộ cận nghèo; danh sách đã khóa", "near-poor; the lists are locked"),
                    d.carried_forward,
                    l.s(
                        "hộ không được rà soát giữ nguyên kết quả lần công nhận trước",
                        "households not reviewed keep their last decision's class"
                    )
                )),
                Ok(Err(refusals)) => Err(refusals.into_iter().map(|r| l.s(&r.vi, &r.en).to_string()).collect()),
                Err(e @ vuonlen_store::StoreError::Refused { .. }) => Err(vec![e.to_string()]),
                Err(e) => return Err(AppError::from(e).into()),
            }
        }
        other => return Err(AppError::BadRequest(format!("action {other}")).into()),
    };
    match outcome {
        Ok(message) => {
            let mut page = commune_page(&state, &v, &uri, round, &commune).await?;
            page.message = Some(message);
            Ok(render(&page)?.into_response())
        }
        Err(reasons) => {
            let problems = reasons
                .into_iter()
                .map(|r| {
                    let mut row = vec![String::new(); 6];
                    row.push(r);
                    row
                })
                .collect();
            let m = l.s("Không ghi được:", "Not recorded:");
            refuse_page(&state, &v, &uri, round, &commune, m, problems).await
        }
    }
}

/// A single-household step: `Ok(message)` or the refusals.
async fn step(
    reg: &Registry,
    round: &Round,
    proc: &ReviewProcedure,
    steps: Steps,
    by: &str,
    l: crate::i18n::Lang,
) -> Result<Result<String, Vec<String>>, AppError> {
    Ok(match reg.record_steps(round, proc, &steps, by, "web").await? {
        Ok(_) => Ok(l.s("Đã ghi.", "Recorded.").to_string()),
        Err(refusals) => Err(refusals.into_iter().map(|r| l.s(&r.refusal.vi, &r.refusal.en).to_string()).collect()),
    })
}

async fn refuse_page(
    state: &AppState,
    v: &Viewer,
    uri: &Uri,
    round: Round,
    commune: &str,
    message: &str,
    problems: Vec<Vec<String>>,
) -> Result<Response, PageError> {
    let mut page = commune_page(state, v, uri, round, commune).await?;
    page.message = Some(message.to_string());
    page.failed = true;
    page.problems = problems;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

/// Phụ lục I (`phu-luc-1.xlsx`), the decision (`quyet-dinh.pdf`), the certificates
/// (`giay-chung-nhan.pdf`), the written replies to applications not granted (`tra-loi-don.pdf`).
pub async fn download(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, commune, file)): Path<(i64, String, String)>,
) -> Result<Response, PageError> {
    let reg = v.registry(&state);
    let round = round_of(&reg, id).await?;
    if !reg.scope().contains(&round.province_code, &commune) {
        return Err(AppError::NotFound.into());
    }
    let proc = procedure(&state)?;
    let (bytes, mime) = match file.as_str() {
        "phu-luc-1.xlsx" => (
            list_workbook(&reg, &round, &commune).await?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        "quyet-dinh.pdf" | "giay-chung-nhan.pdf" | "tra-loi-don.pdf" => {
            let which = match file.as_str() {
                "quyet-dinh.pdf" => vuonlen_app::review::Document::Decision,
                "giay-chung-nhan.pdf" => vuonlen_app::review::Document::Certificates,
                _ => vuonlen_app::review::Document::Replies,
            };
            (
                vuonlen_app::review::document(&reg, &round, &proc, &commune, which).await.map_err(app_error)?,
                "application/pdf",
            )
        }
        _ => return Err(AppError::NotFound.into()),
    };
    let name = format!("{commune}-{}-{file}", round.period);
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response())
}

async fn list_workbook(reg: &Registry, round: &Round, commune: &str) -> Result<Vec<u8>, AppError> {
    let dir = tempfile::tempdir().map_err(|e| AppError::Internal(e.to_string()))?;
    let path = dir.path().join("phu-luc-1.xlsx");
    vuonlen_app::review::write_list(reg, round, commune, path.clone()).await.map_err(app_error)?;
    tokio::fs::read(&path).await.map_err(|e| AppError::Internal(e.to_string()))
}

// ---------------------------------------------------------------------------------------------
// Applications received at any time (regular review) and the monthly roll-up.

#[derive(Template, Default)]
#[template(path = "review_applications.html")]
struct ApplicationsPage {
    c: Chrome,
    /// commune, name, household, origin, applied on, review starts, due on, what became of it, overdue.
    rows: Vec<([String; 8], bool)>,
    overdue: usize,
    may_record: bool,
    provinces: Vec<(String, String)>,
    month: String,
    message: Option<String>,
    failed: bool,
    form: ApplicationForm,
    unverified: Vec<(String, String)>,
}

#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct ApplicationForm {
    #[serde(default)]
    pub commune_code: String,
    #[serde(default)]
    pub household_code: String,
    #[serde(default)]
    pub origin: String,
    #[serde(default)]
    pub applied_on: String,
}

async fn applications_page(state: &AppState, v: &Viewer, uri: &Uri) -> Result<ApplicationsPage, AppError> {
    let l = v.lang;
    let reg = v.registry(state);
    let proc = procedure(state)?;
    let today = chrono::Local::now().date_naive();
    let rows: Vec<([String; 8], bool)> = reg
        .applications(&proc, None, false)
        .await?
        .into_iter()
        .map(|a| {
            let outcome = match (a.round_id, a.stage.as_deref(), a.recognised_class.as_deref()) {
                (None, _, _) => l.s("Chờ rà soát", "Waiting").to_string(),
                (Some(r), _, Some(class)) => format!("{} #{r}: {}", l.s("Đợt", "Round"), class_label(l, Some(class))),
                (Some(r), Some(stage), None) => format!(
                    "{} #{r}: {}",
                    l.s("Đợt", "Round"),
                    Stage::parse(stage).map_or(stage, |s| l.s(s.label_vi(), s.key()))
                ),
                (Some(r), None, None) => format!("{} #{r}", l.s("Đợt", "Round")),
            };
            let origin = match a.origin {
                Origin::AppliedEscape => l.s("Mẫu 04 (thoát nghèo)", "Mẫu 04 (escape)"),
                Origin::VillageProposed => l.s("Thôn đề xuất", "Village proposal"),
                _ => l.s("Mẫu 01", "Mẫu 01"),
            };
            let overdue = a.overdue(today);
            (
                [
                    a.commune_code.clone(),
                    commune_name(&a.commune_code),
                    a.household_code,
                    origin.to_string(),
                    a.applied_on.format("%d/%m/%Y").to_string(),
                    a.review_starts.format("%d/%m/%Y").to_string(),
                    a.due_on.format("%d/%m/%Y").to_string(),
                    outcome,
                ],
                overdue,
            )
        })
        .collect();
    let overdue = rows.iter().filter(|r| r.1).count();
    let provinces: Vec<(String, String)> = AdminUnits::get()
        .y2025
        .provinces
        .iter()
        .filter(|p| crate::dashboard::check_unit(v, p.code).is_ok())
        .map(|p| (p.code.to_string(), p.name.to_string()))
        .collect();
    let may_record = v.access.may_edit();
    let unverified = proc
        .unverified()
        .into_iter()
        .filter(|(what, _, _)| what.contains("regular"))
        .map(|(what, citation, _)| (what, citation))
        .collect();
    Ok(ApplicationsPage {
        c: Chrome::of(v, uri),
        rows,
        overdue,
        may_record,
        provinces,
        month: today.format("%Y-%m").to_string(),
        unverified,
        ..Default::default()
    })
}

/// The applications of the user's area with their deadlines; a commune officer records one.
pub async fn applications(State(state): State<AppState>, v: Viewer, uri: Uri) -> Result<Response, PageError> {
    Ok(render(&applications_page(&state, &v, &uri).await?)?.into_response())
}

pub async fn record_application(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    axum::Form(f): axum::Form<ApplicationForm>,
) -> Result<Response, PageError> {
    let l = v.lang;
    if !v.access.may_edit() {
        return Err(AppError::Forbidden(l.s("ghi đơn đề nghị", "recording applications").into()).into());
    }
    let reg = v.registry(&state);
    let proc = procedure(&state)?;
    let origin = Origin::parse(f.origin.trim()).filter(|o| *o != Origin::Listed);
    let day = f.applied_on.trim().parse::<NaiveDate>().ok();
    let outcome = match (origin, day) {
        (Some(origin), Some(applied_on)) => {
            let app = vuonlen_store::review::Application {
                commune_code: f.commune_code.trim().to_string(),
                household_code: f.household_code.trim().to_string(),
                origin,
                applied_on,
            };
            let today = chrono::Local::now().date_naive();
            match reg.record_application(&app, today, &v.user.username, "web").await? {
                Ok(_) => Ok(format!(
                    "{} {}: {} {}, {} {}.",
                    l.s("Đã ghi đơn của hộ", "Recorded the application of household"),
                    app.household_code,
                    l.s("rà soát từ", "reviewed from"),
                    proc.regular_start_for(applied_on).format("%d/%m/%Y"),
                    l.s("hạn giải quyết", "due by"),
                    proc.application_due(applied_on).format("%d/%m/%Y")
                )),
                Err(r) => Err(l.s(&r.vi, &r.en).to_string()),
            }
        }
        (None, _) => Err(format!("{}: {}", l.s("Nguồn đề nghị không hợp lệ", "Unknown origin"), f.origin)),
        (_, None) => Err(format!("{}: {}", l.s("Ngày nhận đơn không hợp lệ", "Invalid day"), f.applied_on)),
    };
    let mut page = applications_page(&state, &v, &uri).await?;
    let status = match outcome {
        Ok(m) => {
            page.message = Some(m);
            StatusCode::OK
        }
        Err(m) => {
            page.message = Some(m);
            page.failed = true;
            page.form = f;
            StatusCode::UNPROCESSABLE_ENTITY
        }
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Debug, serde::Deserialize)]
pub struct MonthQuery {
    pub province: String,
    pub month: String,
}

/// The monthly roll-up of a province's regular review (XLSX).
pub async fn monthly(
    State(state): State<AppState>,
    v: Viewer,
    axum::extract::Query(q): axum::extract::Query<MonthQuery>,
) -> Result<Response, PageError> {
    let (name, bytes) = crate::api::review::monthly_workbook(&state, &v, &q.province, &q.month).await?;
    Ok(crate::reports::xlsx_response(&name, bytes))
}
