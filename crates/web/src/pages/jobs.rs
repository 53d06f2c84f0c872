//! The labour-market link (*kết nối việc làm*, DA4): a unit's job seekers (working-age members
//! who want work or training, registered by whoever may change their household), its province's
//! vacancies (entered by the job centre or a commune; job ads, seen by everyone signed in), and a
//! vacancy's matching list of the reader's area, with a placement form on each row (a placement
//! counts as support). Refused forms keep what was typed and say why.

use crate::auth::Viewer;
use crate::error::{AppError, PageError};
use crate::households::app_error;
use crate::pages::{Chrome, XLSX_TYPE, render, written_attachment};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use vuonlen_app::jobs::{Match, add_vacancy, matches, matches_table, place, register_seeker};
use vuonlen_store::jobs::{NewJobSeeker, NewPlacement, NewVacancy, Refusals, Vacancy};
use vuonlen_store::targets::TargetUnit;

/// What the two forms of the page hold (kept when refused).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct JobsForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    unit: String,
    // A job seeker.
    #[serde(default)]
    commune: String,
    #[serde(default)]
    household: String,
    #[serde(default)]
    member_no: String,
    #[serde(default)]
    skills: String,
    #[serde(default)]
    job_wanted: String,
    #[serde(default)]
    training_wanted: String,
    #[serde(default)]
    wants_abroad: Option<String>,
    #[serde(default)]
    registered_on: String,
    // A vacancy.
    #[serde(default)]
    employer: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    vacancy_skills: String,
    #[serde(default)]
    positions: String,
    #[serde(default)]
    min_age: String,
    #[serde(default)]
    max_age: String,
    #[serde(default)]
    wage: String,
    #[serde(default)]
    workplace: String,
    #[serde(default)]
    abroad: Option<String>,
    #[serde(default)]
    opens_on: String,
    #[serde(default)]
    closes_on: String,
}

#[derive(Template, Default)]
#[template(path = "jobs.html")]
struct JobsPage {
    c: Chrome,
    unit_code: String,
    unit_name: String,
    may_set: bool,
    may_edit: bool,
    /// Commune, household, village, member, name, age, skills, job wanted, training wanted, abroad, placements.
    seekers: Vec<[String; 11]>,
    /// Id, employer, title, skills, positions, placed, ages, wage, opens – closes, abroad.
    vacancies: Vec<[String; 10]>,
    form: JobsForm,
    message: Option<String>,
    failed: bool,
}

#[derive(Deserialize)]
pub struct JobsQuery {
    pub unit: Option<String>,
}

fn vacancy_cells(l: crate::i18n::Lang, v: &Vacancy) -> [String; 10] {
    let x = &v.vacancy;
    let age = |a: Option<i64>| a.map(|a| a.to_string()).unwrap_or_default();
    let day = |d: Option<NaiveDate>| d.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default();
    [
        v.id.to_string(),
        x.employer.clone(),
        x.title.clone(),
        x.skills.join(", "),
        x.positions.to_string(),
        v.placed.to_string(),
        if x.min_age.is_some() || x.max_age.is_some() {
            format!("{}–{}", age(x.min_age), age(x.max_age))
        } else {
            String::new()
        },
        x.wage.map(|w| l.int(u64::try_from(w).unwrap_or(0))).unwrap_or_default(),
        format!("{} – {}", day(x.opens_on), day(x.closes_on)),
        if x.abroad { l.s("Nước ngoài", "Abroad").to_string() } else { String::new() },
    ]
}

async fn page(state: &AppState, v: &Viewer, uri: &Uri, unit: &TargetUnit) -> Result<JobsPage, AppError> {
    let l = v.lang;
    let reg = v.registry(state);
    let today = chrono::Utc::now().date_naive();
    let seekers = reg.job_seekers(unit).await?;
    let (province, _) = unit.place();
    let vacancies = if province.is_empty() { Vec::new() } else { reg.vacancies_public(province, None).await? };
    Ok(JobsPage {
        c: Chrome::of(v, uri),
        unit_code: unit.code.clone(),
        unit_name: unit.name.clone(),
        may_set: v.access.may_edit() && reg.may_set_unit(unit) && unit.code != "VN",
        may_edit: v.access.may_edit(),
        seekers: seekers
            .iter()
            .map(|s| {
                [
                    s.commune_code.clone(),
                    s.household_code.clone(),
                    s.village.clone(),
                    s.member_no.to_string(),
                    s.full_name.clone(),
                    s.birth.map(|b| b.age_years(today).to_string()).unwrap_or_default(),
                    s.skills.clone(),
                    s.job_wanted.clone().unwrap_or_default(),
                    s.training_wanted.clone().unwrap_or_default(),
                    if s.wants_abroad { "x".into() } else { String::new() },
                    s.placements.to_string(),
                ]
            })
            .collect(),
        vacancies: vacancies.iter().map(|x| vacancy_cells(l, x)).collect(),
        form: JobsForm { registered_on: today.to_string(), opens_on: today.to_string(), ..Default::default() },
        ..Default::default()
    })
}

pub async fn show(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<JobsQuery>,
) -> Result<Response, PageError> {
    let reg = v.registry(&state);
    let unit = crate::pages::readable_admin_unit(&v, &reg, q.unit.as_deref()).await?;
    Ok(render(&page(&state, &v, &uri, &unit).await?)?.into_response())
}

/// A form's text as a number, or why not.
fn number(label_vi: &str, label_en: &str, text: &str, why: &mut Refusals) -> Option<i64> {
    let t = text.trim().replace(['.', ','], "");
    if t.is_empty() {
        return None;
    }
    t.parse()
        .map_err(|_| {
            why.push((format!("{label_vi}: '{text}' không phải số."), format!("{label_en}: '{text}' is not a number.")))
        })
        .ok()
}

fn date(label_vi: &str, label_en: &str, text: &str, why: &mut Refusals) -> Option<NaiveDate> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(t, "%d/%m/%Y"))
        .map_err(|_| {
            why.push((format!("{label_vi}: '{t}' không phải ngày."), format!("{label_en}: '{t}' is not a date.")))
        })
        .ok()
}

pub async fn submit(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    axum::Form(f): axum::Form<JobsForm>,
) -> Result<Response, PageError> {
    let l = v.lang;
    let reg = v.registry(&state);
    let unit = crate::pages::readable_admin_unit(&v, &reg, Some(&f.unit)).await?;
    if !v.access.may_edit() {
        return Err(AppError::Forbidden(l.s("ghi việc làm", "recording jobs").into()).into());
    }
    let mut why = Refusals::new();
    let done: Result<(&str, &str), Refusals> = match f.action.as_str() {
        "vacancy" => {
            if !reg.may_set_unit(&unit) || unit.code == "VN" {
                return Err(AppError::Forbidden(l.s("ghi tin tuyển dụng", "recording vacancies").into()).into());
            }
            let positions = number("Số lượng", "Positions", &f.positions, &mut why).unwrap_or(1);
            let nv = NewVacancy {
                employer: f.employer.clone(),
                title: f.title.clone(),
                skills: f.vacancy_skills.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
                positions,
                min_age: number("Tuổi từ", "Minimum age", &f.min_age, &mut why),
                max_age: number("Tuổi đến", "Maximum age", &f.max_age, &mut why),
                wage: number("Mức lương", "Wage", &f.wage, &mut why),
                workplace: Some(f.workplace.clone()),
                abroad: f.abroad.is_some(),
                opens_on: date("Ngày bắt đầu", "Opening date", &f.opens_on, &mut why),
                closes_on: date("Hạn tuyển", "Closing date", &f.closes_on, &mut why),
            };
            if !why.is_empty() {
                Err(why)
            } else {
                add_vacancy(&reg, &unit, &nv, &v.user.username, "web")
                    .await
                    .map_err(app_error)?
                    .map(|_| ("Đã ghi tin tuyển dụng.", "Vacancy recorded."))
            }
        }
        _ => {
            let member = number("Số thứ tự thành viên", "Member number", &f.member_no, &mut why);
            let on = date("Ngày đăng ký", "Registration date", &f.registered_on, &mut why);
            let household = reg.household_id_of(f.commune.trim(), f.household.trim()).await.map_err(AppError::from)?;
            if household.is_none() {
                why.push((
                    format!("Không có hộ {} của xã {} trong phạm vi của bạn.", f.household.trim(), f.commune.trim()),
                    format!("No household {} of {} in your area.", f.household.trim(), f.commune.trim()),
                ));
            }
            if f.member_no.trim().is_empty() {
                why.push(("Thiếu số thứ tự thành viên.".into(), "The member number is missing.".into()));
            }
            match (household, member) {
                (Some(household_id), Some(member_no)) if why.is_empty() => {
                    let s = NewJobSeeker {
                        household_id,
                        member_no,
                        skills: f.skills.clone(),
                        training_wanted: Some(f.training_wanted.clone()),
                        job_wanted: Some(f.job_wanted.clone()),
                        wants_abroad: f.wants_abroad.is_some(),
                        registered_on: on,
                    };
                    register_seeker(&reg, &state.standards, &s, &v.user.username, "web")
                        .await
                        .map_err(app_error)?
                        .map(|_| ("Đã ghi người có nhu cầu việc làm.", "Job seeker recorded."))
                }
                _ => Err(why),
            }
        }
    };
    let mut p = page(&state, &v, &uri, &unit).await?;
    match done {
        Ok((vi, en)) => {
            p.message = Some(l.s(vi, en).to_string());
            Ok(render(&p)?.into_response())
        }
        Err(why) => {
            p.message = Some(why.into_iter().map(|(vi, en)| l.s(&vi, &en).to_string()).collect::<Vec<_>>().join(" "));
            p.failed = true;
            p.form = f;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
        }
    }
}

#[derive(Template, Default)]
#[template(path = "vacancy.html")]
struct VacancyPage {
    c: Chrome,
    id: i64,
    /// As in the list: id, employer, title, skills, positions, placed, ages, wage, dates, abroad.
    vacancy: [String; 10],
    workplace: String,
    may_edit: bool,
    /// Household id, commune, household, village, member, name, age, skills, job wanted,
    /// skills matched, same commune, placements.
    rows: Vec<(i64, [String; 11])>,
    today: String,
    message: Option<String>,
    failed: bool,
}

#[derive(Deserialize)]
pub struct VacancyQuery {
    pub on: Option<NaiveDate>,
}

async fn vacancy_page(
    state: &AppState,
    v: &Viewer,
    uri: &Uri,
    id: i64,
    on: NaiveDate,
) -> Result<(VacancyPage, Vec<Match>), AppError> {
    let reg = v.registry(state);
    let (vacancy, list) =
        matches(&reg, &state.standards, id, on).await.map_err(app_error)?.ok_or(AppError::NotFound)?;
    let page = VacancyPage {
        c: Chrome::of(v, uri),
        id,
        vacancy: vacancy_cells(v.lang, &vacancy),
        workplace: vacancy.vacancy.workplace.clone().unwrap_or_default(),
        may_edit: v.access.may_edit(),
        rows: list
            .iter()
            .map(|m| {
                let s = &m.seeker;
                (
                    s.household_id,
                    [
                        s.commune_code.clone(),
                        s.household_code.clone(),
                        s.village.clone(),
                        s.member_no.to_string(),
                        s.full_name.clone(),
                        m.age.map(|a| a.to_string()).unwrap_or_default(),
                        s.skills.clone(),
                        s.job_wanted.clone().unwrap_or_default(),
                        m.skills.join(", "),
                        if m.same_commune { "x".into() } else { String::new() },
                        s.placements.to_string(),
                    ],
                )
            })
            .collect(),
        today: chrono::Utc::now().date_naive().to_string(),
        ..Default::default()
    };
    Ok((page, list))
}

pub async fn vacancy(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<i64>,
    Query(q): Query<VacancyQuery>,
) -> Result<Response, PageError> {
    let on = q.on.unwrap_or_else(|| chrono::Utc::now().date_naive());
    Ok(render(&vacancy_page(&state, &v, &uri, id, on).await?.0)?.into_response())
}

/// The matching list as a workbook.
pub async fn download(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<i64>,
    Query(q): Query<VacancyQuery>,
) -> Result<Response, PageError> {
    let on = q.on.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let (_, list) = vacancy_page(&state, &v, &uri, id, on).await?;
    let (head, rows) = matches_table(&list);
    let name = format!("ket-noi-viec-lam-{id}.xlsx");
    Ok(written_attachment(&name, XLSX_TYPE, |path| vuonlen_io::write_plain_table(path, "ket-noi", &head, &rows))?)
}

#[derive(Debug, Deserialize)]
pub struct PlacementForm {
    vacancy: i64,
    member_no: i64,
    placed_on: String,
    #[serde(default)]
    note: String,
}

/// A placement of a member of household `id` through a vacancy (from its matching list).
pub async fn place_submit(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<PlacementForm>,
) -> Result<Response, PageError> {
    let l = v.lang;
    let reg = v.registry(&state);
    let view = reg.household_by_id(id).await.map_err(AppError::from)?;
    if !v.access.may_edit() || !reg.may_change(&view.province_code, &view.commune_code) {
        return Err(AppError::Forbidden(l.s("ghi việc làm", "recording jobs").into()).into());
    }
    let mut why = Refusals::new();
    let on = date("Ngày nhận việc", "Placement date", &f.placed_on, &mut why);
    let p = NewPlacement {
        vacancy_id: Some(f.vacancy),
        household_id: id,
        member_no: f.member_no,
        placed_on: on,
        employer: None,
        note: Some(f.note.clone()),
    };
    let done = match on {
        Some(_) => place(&reg, &state.standards, &p, &v.user.username, "web").await.map_err(app_error)?,
        None => Err(why),
    };
    let (mut page, _) =
        vacancy_page(&state, &v, &uri, f.vacancy, on.unwrap_or_else(|| chrono::Utc::now().date_naive())).await?;
    match done {
        Ok(_) => {
            page.message = Some(
                l.s("Đã ghi giới thiệu việc làm (tính là hỗ trợ).", "Placement recorded (it counts as support).")
                    .to_string(),
            );
            Ok(render(&page)?.into_response())
        }
        Err(why) => {
            page.message =
                Some(why.into_iter().map(|(vi, en)| l.s(&vi, &en).to_string()).collect::<Vec<_>>().join(" "));
            page.failed = true;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}
