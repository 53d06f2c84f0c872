//! Jobs (*kết nối việc làm*, Decision 90/2022 project DA4): registering working-age members of
//! poor and near-poor households who want work or training, the vacancies a job centre enters,
//! the matching list of a vacancy (place, skill, age), and placements, which count as support.
//! The Labour Code's working age is the standard's (`standards/labour-code-2019.toml`).

use crate::AppError;
use chrono::NaiveDate;
use std::sync::Arc;
use vuonlen_core::Standards;
use vuonlen_core::labour::WorkingAge;
use vuonlen_core::text::fold;
use vuonlen_store::Registry;
use vuonlen_store::jobs::{JobSeeker, NewJobSeeker, NewPlacement, NewVacancy, Refusals, Vacancy};
use vuonlen_store::targets::TargetUnit;

/// The working-age law in force on `day` (the standard in force's).
pub fn working_age_on(standards: &Standards, day: NaiveDate) -> Result<Arc<WorkingAge>, AppError> {
    // A day no standard covers (between two, after the last): the latest standard's law.
    let std = match standards.in_force(day) {
        Ok(s) => s,
        Err(e) => standards.standards().last().cloned().ok_or_else(|| AppError::Internal(e.to_string()))?,
    };
    Ok(Arc::new(std.working_age().clone()))
}

/// Registers (or updates) a job seeker.
pub async fn register_seeker(
    reg: &Registry,
    standards: &Standards,
    s: &NewJobSeeker,
    actor: &str,
    command: &str,
) -> Result<Result<i64, Refusals>, AppError> {
    let day = s.registered_on.unwrap_or_else(today);
    let law = working_age_on(standards, day)?;
    Ok(reg.record_job_seeker(s, &law, actor, command).await?)
}

/// Records a placement (and the support it is).
pub async fn place(
    reg: &Registry,
    standards: &Standards,
    p: &NewPlacement,
    actor: &str,
    command: &str,
) -> Result<Result<i64, Refusals>, AppError> {
    let day = p.placed_on.unwrap_or_else(today);
    let law = working_age_on(standards, day)?;
    Ok(reg.record_placement(p, &law, actor, command).await?)
}

/// Records a vacancy of `unit`.
pub async fn add_vacancy(
    reg: &Registry,
    unit: &TargetUnit,
    v: &NewVacancy,
    actor: &str,
    command: &str,
) -> Result<Result<i64, Refusals>, AppError> {
    Ok(reg.record_vacancy(unit, v, actor, command).await?)
}

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// One person of the matching list of a vacancy.
#[derive(Debug, Clone)]
pub struct Match {
    pub seeker: JobSeeker,
    /// Age in years on the day matched.
    pub age: Option<i64>,
    /// The vacancy's skills the person has or wants.
    pub skills: Vec<String>,
    /// In the vacancy's commune (for a commune's vacancy).
    pub same_commune: bool,
}

/// A vacancy and the job seekers of the reader's area who fit it: of working age and within its
/// ages on `on` (its opening day, if later), with at least one of its skills (any, when it asks
/// none), wanting work abroad for work abroad — the most skills first, then those of its commune,
/// those not placed yet, and by place. `None`: no such vacancy.
pub async fn matches(
    reg: &Registry,
    standards: &Standards,
    vacancy_id: i64,
    on: NaiveDate,
) -> Result<Option<(Vacancy, Vec<Match>)>, AppError> {
    let Some(province) = reg.vacancy_province(vacancy_id).await? else { return Ok(None) };
    let Some(v) = reg.vacancies_public(&province, Some(vacancy_id)).await?.pop() else { return Ok(None) };
    let on = v.vacancy.opens_on.map_or(on, |o| o.max(on));
    let law = working_age_on(standards, on)?;
    let Some(unit) = TargetUnit::parse(&province) else { return Ok(None) };
    let wanted: Vec<(String, String)> = v.vacancy.skills.iter().map(|s| (s.clone(), fold(s))).collect();
    let mut out: Vec<Match> = reg
        .job_seekers(&unit)
        .await?
        .into_iter()
        .filter(|s| !v.vacancy.abroad || s.wants_abroad)
        .filter_map(|s| {
            let (sex, birth) = (s.sex?, s.birth?);
            if !law.is_working_age(sex, birth, on) {
                return None;
            }
            let age = i64::from(birth.age_years(on));
            if v.vacancy.min_age.is_some_and(|lo| age < lo) || v.vacancy.max_age.is_some_and(|hi| age > hi) {
                return None;
            }
            let text = fold(&format!(
                "{} {} {}",
                s.skills,
                s.job_wanted.as_deref().unwrap_or(""),
                s.training_wanted.as_deref().unwrap_or("")
            ));
            let skills: Vec<String> = wanted
                .iter()
                .filter(|(_, f)| !f.is_empty() && text.contains(f.as_str()))
                .map(|(s, _)| s.clone())
                .collect();
            if !wanted.is_empty() && skills.is_empty() {
                return None;
            }
            let same_commune = !v.commune.is_empty() && s.current_commune == v.commune;
            Some(Match { seeker: s, age: Some(age), skills, same_commune })
        })
        .collect();
    out.sort_by(|a, b| {
        b.skills
            .len()
            .cmp(&a.skills.len())
            .then(b.same_commune.cmp(&a.same_commune))
            .then(a.seeker.placements.cmp(&b.seeker.placements))
            .then(a.seeker.current_commune.cmp(&b.seeker.current_commune))
            .then(a.seeker.household_id.cmp(&b.seeker.household_id))
            .then(a.seeker.member_no.cmp(&b.seeker.member_no))
    });
    Ok(Some((v, out)))
}

/// The matching list as a table (Vietnamese headers): the one layout the command line, the
/// page's download and the tests use.
pub fn matches_table(list: &[Match]) -> (Vec<String>, Vec<vuonlen_io::PlainRow>) {
    use vuonlen_io::{PlainCell, PlainRow};
    let header = [
        "Mã xã",
        "Mã hộ",
        "Thôn",
        "Số thứ tự thành viên",
        "Họ và tên",
        "Tuổi",
        "Kỹ năng",
        "Việc muốn làm",
        "Nghề muốn học",
        "Kỹ năng phù hợp",
        "Cùng xã",
        "Đã được giới thiệu việc làm",
    ]
    .map(String::from)
    .to_vec();
    let rows = list
        .iter()
        .map(|m| {
            let s = &m.seeker;
            PlainRow {
                cells: vec![
                    PlainCell::Text(s.commune_code.clone()),
                    PlainCell::Text(s.household_code.clone()),
                    PlainCell::Text(s.village.clone()),
                    PlainCell::Int(Some(s.member_no)),
                    PlainCell::Text(s.full_name.clone()),
                    PlainCell::Int(m.age),
                    PlainCell::Text(s.skills.clone()),
                    PlainCell::Text(s.job_wanted.clone().unwrap_or_default()),
                    PlainCell::Text(s.training_wanted.clone().unwrap_or_default()),
                    PlainCell::Text(m.skills.join(", ")),
                    PlainCell::Text(if m.same_commune { "x" } else { "" }.into()),
                    PlainCell::Int(Some(i64::try_from(s.placements).unwrap_or(i64::MAX))),
                ],
                highlight: false,
            }
        })
        .collect();
    (header, rows)
}
