//! Budgets (*kinh phí*): a unit's lines by year, project and source, its units' roll-up and the
//! disbursement against plan per unit. Everyone signed in sees those of their area; whoever may
//! change the unit enters a project's budget over several years, records what a line committed
//! and disbursed, and checks or records a budget table (refused whole, every problem located).

use crate::auth::Viewer;
use crate::error::{AppError, PageError};
use crate::households::app_error;
use crate::pages::{Chrome, Upload, XLSX_TYPE, problem_rows, render, written_attachment};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use vuonlen_app::budgets::{
    YearAmounts, budget_overview, budget_table, record_budget_table, record_spending, set_budget,
};
use vuonlen_app::import::Finish;
use vuonlen_core::budget::{Amounts, FundSource};
use vuonlen_store::targets::TargetUnit;

/// How many yearly amounts the multi-year form offers.
const YEARS_IN_FORM: usize = 5;

#[derive(Template, Default)]
#[template(path = "budget.html")]
struct BudgetPage {
    c: Chrome,
    unit_code: String,
    unit_name: String,
    /// The year shown (`None`: every year).
    year: Option<i64>,
    /// The year the entry form starts at.
    from_year: i64,
    year_slots: Vec<(usize, i64)>,
    /// The catalogue covering `from_year`: its title, its note, and its entries (code, name,
    /// unverified).
    catalogue_title: String,
    catalogue_note: Option<String>,
    projects: Vec<(String, String, bool)>,
    sources: Vec<(&'static str, &'static str)>,
    /// Own lines: year, project, project name, source, allocated, committed, disbursed, rate, and
    /// the support recorded under it (records, amount).
    own: Vec<[String; 10]>,
    /// By line: project, source, own allocation, units' allocation, units' disbursed.
    by_line: Vec<[String; 5]>,
    /// Units: code, name, allocated, disbursed, rate; whether nothing was disbursed.
    children: Vec<([String; 5], bool)>,
    total: [String; 3],
    may_set: bool,
    message: Option<String>,
    failed: bool,
    problems: Vec<[String; 4]>,
    /// What the forms show: the values last submitted (kept when refused), else the defaults.
    form: FormValues,
}

/// The forms' values.
#[derive(Default)]
struct FormValues {
    project: String,
    source: String,
    /// The multi-year form's amounts, one per year slot.
    amounts: Vec<String>,
    note: String,
    line_year: String,
    committed: String,
    disbursed: String,
}

#[derive(Deserialize)]
pub struct BudgetQuery {
    pub unit: Option<String>,
    pub year: Option<i64>,
    pub format: Option<String>,
    pub english: Option<String>,
}

async fn page(
    state: &AppState,
    v: &Viewer,
    uri: &Uri,
    unit: &TargetUnit,
    year: Option<i64>,
) -> Result<BudgetPage, AppError> {
    let l = v.lang;
    let money = |v: u64| l.int(v);
    let reg = v.registry(state);
    let o = budget_overview(&reg, unit, year).await.map_err(app_error)?;
    let from_year = year.unwrap_or_else(crate::pages::this_year);
    let cat = state.standards.projects_for(from_year);
    let name_of = |code: &str, y: i64| {
        state
            .standards
            .projects_for(y)
            .and_then(|c| c.find(code).map(|p| l.s(p.name_vi, p.name_en).to_string()))
            .unwrap_or_default()
    };
    Ok(BudgetPage {
        c: Chrome::of(v, uri),
        unit_code: unit.code.clone(),
        unit_name: unit.name.clone(),
        year,
        from_year,
        year_slots: (0..YEARS_IN_FORM).map(|i| (i, from_year + i as i64)).collect(),
        catalogue_title: cat.as_ref().map(|c| l.s(&c.title_vi, &c.title_en).to_string()).unwrap_or_default(),
        catalogue_note: cat.as_ref().and_then(|c| Some(l.s(c.note_vi.as_deref()?, c.note_en.as_deref()?).to_string())),
        projects: cat
            .as_ref()
            .map(|c| {
                c.entries()
                    .iter()
                    .map(|e| (e.code.to_string(), l.s(e.name_vi, e.name_en).to_string(), !e.status.is_verified()))
                    .collect()
            })
            .unwrap_or_default(),
        sources: FundSource::ALL.iter().map(|s| (s.key(), l.s(s.label_vi(), s.label_en()))).collect(),
        own: o
            .own
            .iter()
            .zip(&o.own_paid)
            .map(|(b, (records, amount))| {
                [
                    b.year.to_string(),
                    b.project_code.clone(),
                    name_of(&b.project_code, b.year),
                    l.s(b.source.label_vi(), b.source.label_en()).to_string(),
                    money(b.amounts.allocated),
                    b.amounts.committed.map(money).unwrap_or_default(),
                    b.amounts.disbursed.map(money).unwrap_or_default(),
                    crate::pages::percent(b.amounts.disbursement_rate(), l),
                    records.to_string(),
                    money(*amount),
                ]
            })
            .collect(),
        by_line: o
            .by_line
            .iter()
            .map(|(p, s, own, units)| {
                [
                    p.clone(),
                    l.s(s.label_vi(), s.label_en()).to_string(),
                    own.map(money).unwrap_or_default(),
                    money(units.allocated),
                    money(units.disbursed),
                ]
            })
            .collect(),
        children: o
            .children
            .iter()
            .map(|(code, name, s)| {
                (
                    [
                        code.clone(),
                        name.clone(),
                        money(s.allocated),
                        money(s.disbursed),
                        crate::pages::percent(s.disbursement_rate(), l),
                    ],
                    s.allocated > 0 && s.disbursed == 0,
                )
            })
            .collect(),
        total: [
            money(o.total_own.allocated),
            money(o.total_own.disbursed),
            crate::pages::percent(o.total_own.disbursement_rate(), l),
        ],
        may_set: v.access.may_edit() && reg.may_set_unit(unit),
        form: FormValues {
            amounts: vec![String::new(); YEARS_IN_FORM],
            line_year: from_year.to_string(),
            ..Default::default()
        },
        ..Default::default()
    })
}

/// The unit asked for (the user's own by default): the country, a province or a commune.
async fn unit_for(v: &Viewer, reg: &vuonlen_store::Registry, code: Option<&str>) -> Result<TargetUnit, AppError> {
    crate::pages::readable_admin_unit(v, reg, code).await
}

pub async fn show(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<BudgetQuery>,
) -> Result<Response, PageError> {
    let unit = unit_for(&v, &v.registry(&state), q.unit.as_deref()).await?;
    Ok(render(&page(&state, &v, &uri, &unit, q.year).await?)?.into_response())
}

/// The page's forms: `action=set` (a project's budget over several years), `action=spend` (a
/// line's commitments and disbursements), `action=check` or `action=import` (a budget table).
pub async fn submit(State(state): State<AppState>, v: Viewer, uri: Uri, mp: Multipart) -> Result<Response, PageError> {
    let l = v.lang;
    if !v.access.may_edit() {
        return Err(AppError::Forbidden(l.s("nhập kinh phí", "entering budgets").into()).into());
    }
    let upload = Upload::read(state.upload_limit, mp, "kinh-phi.csv").await?;
    let get = |k: &str| upload.get(k);
    let file = upload.file.clone();
    let reg = v.registry(&state);
    let unit = unit_for(&v, &reg, Some(get("unit").as_str()).filter(|u| !u.is_empty())).await?;
    if !reg.may_set_unit(&unit) {
        return Err(AppError::Forbidden(l.s("nhập kinh phí", "entering budgets").into()).into());
    }
    let year = get("year").parse::<i64>().ok();
    let mut p = page(&state, &v, &uri, &unit, year).await?;
    // A refused form shows what was submitted.
    let submitted = FormValues {
        project: get("project"),
        source: get("source"),
        amounts: (0..YEARS_IN_FORM).map(|i| get(&format!("amount_{i}"))).collect(),
        note: get("note"),
        line_year: get("line_year"),
        committed: get("committed"),
        disbursed: get("disbursed"),
    };
    if let Ok(from) = get("from").parse::<i64>() {
        p.from_year = from;
        p.year_slots = (0..YEARS_IN_FORM).map(|i| (i, from + i as i64)).collect();
    }
    p.form = submitted;
    let refuse = |mut p: BudgetPage, m: String| -> Result<Response, PageError> {
        p.message = Some(m);
        p.failed = true;
        Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
    };
    let messages = |why: Vec<(String, String)>| {
        why.into_iter().map(|(vi, en)| l.s(&vi, &en).to_string()).collect::<Vec<_>>().join(" ")
    };
    let amount = |k: &str| -> Result<Option<u64>, String> {
        let t = get(k);
        if t.is_empty() {
            return Ok(None);
        }
        vuonlen_io::review_tables::parse_money(&t)
            .map(Some)
            .ok_or_else(|| format!("'{t}' {}", l.s("không phải số tiền (đồng).", "is not an amount of đồng.")))
    };
    let source = FundSource::parse(&get("source"));
    match get("action").as_str() {
        "set" => {
            let Some(from) = get("from").parse::<i64>().ok() else {
                return refuse(p, l.s("Năm đầu phải là một năm.", "The first year must be a year.").into());
            };
            let Some(source) = source else {
                return refuse(p, l.s("Hãy chọn nguồn vốn.", "Choose a source of funds.").into());
            };
            let mut years = Vec::new();
            let mut bad = Vec::new();
            for i in 0..YEARS_IN_FORM {
                match amount(&format!("amount_{i}")) {
                    Ok(Some(a)) => years.push(YearAmounts {
                        year: from + i as i64,
                        amounts: Amounts { allocated: a, committed: None, disbursed: None },
                    }),
                    Ok(None) => {}
                    Err(m) => bad.push(format!("{}: {m}", from + i as i64)),
                }
            }
            if !bad.is_empty() {
                return refuse(p, bad.join("; "));
            }
            let note = get("note");
            let done = set_budget(
                &reg,
                &state.standards,
                &unit.code,
                &get("project"),
                source,
                &years,
                Some(note.as_str()),
                &v.user.username,
                "web",
            )
            .await
            .map_err(app_error)?;
            match done {
                Ok(n) => {
                    let mut p = page(&state, &v, &uri, &unit, year).await?;
                    p.message = Some(format!(
                        "{} {n} {} {} {}.",
                        l.s("Đã ghi", "Recorded"),
                        l.s("dòng kinh phí", "budget lines"),
                        l.s("cho", "for"),
                        get("project")
                    ));
                    Ok(render(&p)?.into_response())
                }
                Err(why) => refuse(p, messages(why.0)),
            }
        }
        "spend" => {
            let (Some(source), Some(line_year)) = (source, get("line_year").parse::<i64>().ok()) else {
                return refuse(p, l.s("Hãy chọn nguồn vốn và năm.", "Choose the source and the year.").into());
            };
            let (committed, disbursed) = match (amount("committed"), amount("disbursed")) {
                (Ok(c), Ok(d)) => (c, d),
                (Err(m), _) | (_, Err(m)) => return refuse(p, m),
            };
            let done = record_spending(
                &reg,
                &unit.code,
                &get("project"),
                source,
                line_year,
                committed,
                disbursed,
                &v.user.username,
                "web",
            )
            .await
            .map_err(app_error)?;
            match done {
                Ok(_) => {
                    let mut p = page(&state, &v, &uri, &unit, year).await?;
                    p.message = Some(format!(
                        "{} {} {line_year}.",
                        l.s("Đã ghi số giải ngân của", "Recorded the disbursement of"),
                        get("project")
                    ));
                    Ok(render(&p)?.into_response())
                }
                Err(why) => refuse(p, messages(why.0)),
            }
        }
        action @ ("check" | "import") => {
            let Some(file) = file else {
                return refuse(p, l.s("Hãy chọn một tệp CSV hoặc Excel.", "Choose a CSV or Excel file.").into());
            };
            let finish = if action == "import" { Finish::Commit } else { Finish::CheckOnly };
            let done = record_budget_table(&reg, &state.standards, file, &v.user.username, "web", finish)
                .await
                .map_err(app_error)?;
            p = page(&state, &v, &uri, &unit, year).await?;
            if !done.file.report.is_clean() {
                p.problems = problem_rows(l, &done.file.report.errors);
                let m = crate::pages::table_refused(l, p.problems.len());
                return refuse(p, m);
            }
            p.message = Some(match done.recorded {
                Some(k) => format!("{} {k} {}", l.s("Đã ghi", "Recorded"), l.s("dòng kinh phí.", "budget lines.")),
                None => format!(
                    "{} {} {}",
                    l.s("Bảng hợp lệ:", "The table is valid:"),
                    done.lines,
                    l.s("dòng; chưa ghi.", "lines; nothing recorded.")
                ),
            });
            Ok(render(&p)?.into_response())
        }
        _ => Err(AppError::Invalid(l.s("Thao tác không hợp lệ.", "Unknown action.").into()).into()),
    }
}

/// The unit's lines and its units' as a budget table (XLSX, or CSV), in the import's layout.
pub async fn download(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<BudgetQuery>,
) -> Result<Response, PageError> {
    let reg = v.registry(&state);
    let unit = unit_for(&v, &reg, q.unit.as_deref()).await?;
    let english = q.english.as_deref().is_some_and(|e| e == "1" || e == "true");
    let (head, rows) = budget_table(&reg, &unit, q.year, english).await.map_err(app_error)?;
    let xlsx = q.format.as_deref() != Some("csv");
    let name = format!("kinh-phi-{}.{}", unit.code, if xlsx { "xlsx" } else { "csv" });
    let mime = if xlsx { XLSX_TYPE } else { "text/csv; charset=utf-8" };
    Ok(written_attachment(&name, mime, |path| vuonlen_io::write_plain_table(path, "kinh-phi", &head, &rows))?)
}
