//! Jobs (issue 14; Decision 90/2022, project DA4 — the labour-market link): working-age members
//! who want work or training (`job_seeker`, read within the reader's area, written for households
//! the writer may change), vacancies a job centre or a commune enters (`job_vacancy`: job ads, no
//! personal data — every signed-in reader sees them: [`Registry::vacancies_public`]), and
//! placements (`job_placement`), each also written as support of kind `job_placement` in the same
//! transaction, so that it counts in form 8 and the coverage of support. A person not of working
//! age on the day (the Labour Code's ages, `standards/labour-code-2019.toml`) is refused. Audited.

use crate::audit::{self, Change};
use crate::db::{Tx, on_conn, on_pool};
use crate::error::{Result, StoreError};
use crate::scope::Registry;
use crate::sql::{Arg, Sql, bound};
use crate::support::NewSupport;
use crate::targets::TargetUnit;
use chrono::{Datelike, NaiveDate};
use vuonlen_core::codes::Sex;
use vuonlen_core::household::BirthDate;
use vuonlen_core::labour::WorkingAge;

/// A person registered as wanting work or training (*người lao động có nhu cầu*).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewJobSeeker {
    pub household_id: i64,
    pub member_no: i64,
    pub skills: String,
    pub training_wanted: Option<String>,
    pub job_wanted: Option<String>,
    pub wants_abroad: bool,
    pub registered_on: Option<NaiveDate>,
}

/// A job seeker as the registry holds them, with the member's facts from the latest survey.
#[derive(Debug, Clone, PartialEq)]
pub struct JobSeeker {
    pub id: i64,
    pub household_id: i64,
    pub member_no: i64,
    /// The commune the household was recorded in and its code there.
    pub commune_code: String,
    pub household_code: String,
    pub current_commune: String,
    pub village: String,
    pub full_name: String,
    pub sex: Option<Sex>,
    pub birth: Option<BirthDate>,
    pub skills: String,
    pub training_wanted: Option<String>,
    pub job_wanted: Option<String>,
    pub wants_abroad: bool,
    pub registered_on: String,
    /// Placements recorded for the person.
    pub placements: u64,
}

#[derive(sqlx::FromRow)]
struct SeekerRow {
    id: i64,
    household_id: i64,
    member_no: i64,
    commune_code: Option<String>,
    household_code: Option<String>,
    current_commune: String,
    village: String,
    full_name: String,
    sex: String,
    birth_date: String,
    birth_year_only: i64,
    skills: String,
    training_wanted: Option<String>,
    job_wanted: Option<String>,
    wants_abroad: i64,
    registered_on: String,
    placements: i64,
}

/// A vacancy to record (*nhu cầu tuyển dụng*).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewVacancy {
    pub employer: String,
    pub title: String,
    /// Skills asked (none: anyone).
    pub skills: Vec<String>,
    pub positions: i64,
    pub min_age: Option<i64>,
    pub max_age: Option<i64>,
    /// Đồng a month.
    pub wage: Option<i64>,
    pub workplace: Option<String>,
    /// Work abroad under contract (DA4, sub-project 2).
    pub abroad: bool,
    pub opens_on: Option<NaiveDate>,
    pub closes_on: Option<NaiveDate>,
}

/// A vacancy as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vacancy {
    pub id: i64,
    pub unit_code: String,
    pub province: String,
    pub commune: String,
    pub vacancy: NewVacancy,
    /// Placements recorded against it.
    pub placed: i64,
}

/// A placement to record (*giới thiệu, giải quyết việc làm*).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewPlacement {
    pub vacancy_id: Option<i64>,
    pub household_id: i64,
    pub member_no: i64,
    pub placed_on: Option<NaiveDate>,
    /// The employer (the vacancy's when placed through one).
    pub employer: Option<String>,
    pub note: Option<String>,
}

/// Reasons a write was refused, Vietnamese and English, all at once.
pub type Refusals = Vec<(String, String)>;

fn refusal(vi: impl Into<String>, en: impl Into<String>) -> (String, String) {
    (vi.into(), en.into())
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// The household's place and the member's sex and birth in its latest survey up to `year`, if
/// the household is in the registry (`None`) and has the member (inner `None`).
async fn member_in(
    tx: &mut Tx,
    household_id: i64,
    member_no: i64,
    year: i64,
) -> Result<Option<((String, String), Option<(String, String, i64)>)>> {
    let place: Option<(String, String)> = on_conn!(tx, c => sqlx::query_as(
        "SELECT province_code, commune_code FROM household WHERE id = $1",
    )
    .bind(household_id)
    .fetch_optional(c)
    .await?);
    let Some(place) = place else { return Ok(None) };
    let member: Option<(String, String, i64)> = on_conn!(tx, c => sqlx::query_as(
        "SELECT sex, birth_date, birth_year_only FROM member WHERE household_id = $1 AND member_no = $2 AND period = \
         (SELECT MAX(period) FROM member WHERE household_id = $1 AND member_no = $2 AND period <= $3)",
    )
    .bind(household_id)
    .bind(member_no)
    .bind(year)
    .fetch_optional(c)
    .await?);
    Ok(Some((place, member)))
}

impl Registry {
    /// Checks the person (a household the writer may change, its member, of working age on
    /// `on`); the household's place, or why not.
    async fn working_person(
        &self,
        tx: &mut Tx,
        household_id: i64,
        member_no: i64,
        on: NaiveDate,
        law: &WorkingAge,
        refused: &mut Refusals,
    ) -> Result<Option<(String, String)>> {
        let Some((place, member)) = member_in(tx, household_id, member_no, i64::from(on.year())).await? else {
            refused.push(refusal("Hộ không có trong sổ hộ.", "The household is not in the registry."));
            return Ok(None);
        };
        if !self.may_change(&place.0, &place.1) {
            refused
                .push(refusal("Hộ ngoài phạm vi được giao cho tài khoản này.", "The household is outside your area."));
            return Ok(None);
        }
        let Some((sex, birth, year_only)) = member else {
            refused.push(refusal(
                format!("Hộ không có thành viên số {member_no} (phiếu rà soát gần nhất)."),
                format!("The household has no member {member_no} (latest survey)."),
            ));
            return Ok(None);
        };
        let facts = Sex::parse(&sex).zip(crate::rows::stored_birth(&birth, year_only));
        match facts {
            Some((sex, birth)) if law.is_working_age(sex, birth, on) => Ok(Some(place)),
            Some((_, birth)) => {
                let age = birth.age_years(on);
                refused.push(refusal(
                    format!(
                        "Thành viên số {member_no} ({age} tuổi ngày {}) không trong độ tuổi lao động.",
                        on.format("%d/%m/%Y")
                    ),
                    format!("Member {member_no} ({age} years old on {on}) is not of working age."),
                ));
                Ok(None)
            }
            None => {
                refused.push(refusal(
                    format!("Không đọc được giới tính, ngày sinh của thành viên số {member_no}."),
                    format!("Member {member_no}'s sex or date of birth cannot be read."),
                ));
                Ok(None)
            }
        }
    }

    /// Registers (or updates) a job seeker; its id, or every reason it was refused.
    pub async fn record_job_seeker(
        &self,
        s: &NewJobSeeker,
        law: &WorkingAge,
        actor: &str,
        command: &str,
    ) -> Result<std::result::Result<i64, Refusals>> {
        let mut refused = Refusals::new();
        if blank(&s.skills)
            && s.job_wanted.as_deref().is_none_or(blank)
            && s.training_wanted.as_deref().is_none_or(blank)
        {
            refused.push(refusal(
                "Ghi kỹ năng, nghề muốn học hoặc việc muốn làm.",
                "Give the skills, the training wanted or the job wanted.",
            ));
        }
        let Some(on) = s.registered_on else {
            refused.push(refusal("Thiếu ngày đăng ký.", "The registration date is missing."));
            return Ok(Err(refused));
        };
        let mut tx = self.db.begin().await?;
        let place = self.working_person(&mut tx, s.household_id, s.member_no, on, law, &mut refused).await?;
        let Some((province, commune)) = place.filter(|_| refused.is_empty()) else {
            tx.rollback().await?;
            return Ok(Err(refused));
        };
        let at = crate::now();
        let id: i64 = on_conn!(tx, c => sqlx::query_scalar(
            "INSERT INTO job_seeker (household_id, member_no, skills, training_wanted, job_wanted, wants_abroad, registered_on, \
                 current_province, current_commune, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (household_id, member_no) DO UPDATE SET skills = excluded.skills, \
                 training_wanted = excluded.training_wanted, job_wanted = excluded.job_wanted, \
                 wants_abroad = excluded.wants_abroad, registered_on = excluded.registered_on, \
                 recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at \
             RETURNING id",
        )
        .bind(s.household_id)
        .bind(s.member_no)
        .bind(s.skills.trim())
        .bind(s.training_wanted.as_deref().map(str::trim).filter(|t| !t.is_empty()))
        .bind(s.job_wanted.as_deref().map(str::trim).filter(|t| !t.is_empty()))
        .bind(i64::from(s.wants_abroad))
        .bind(on.format("%Y-%m-%d").to_string())
        .bind(province)
        .bind(commune)
        .bind(actor)
        .bind(at.as_str())
        .fetch_one(c)
        .await?);
        let change = Change {
            actor,
            command,
            entity: "job_seeker",
            household_id: Some(s.household_id),
            period: Some(i64::from(on.year())),
            member_no: Some(s.member_no),
            field: "registered",
            old_value: None,
            new_value: Some("đăng ký tìm việc / registered for work"),
        };
        audit::record_now(&mut tx, &change, &at).await?;
        tx.commit().await?;
        Ok(Ok(id))
    }

    /// The job seekers of the reader's area within `unit` (a province or a commune), by commune,
    /// household and member.
    pub async fn job_seekers(&self, unit: &TargetUnit) -> Result<Vec<JobSeeker>> {
        let (province, commune) = unit.place();
        let mut q = Sql::with_args([Arg::from(province)]);
        q.push(
            "SELECT j.id, j.household_id, j.member_no, \
                 (SELECT a.commune_code FROM household_alias a WHERE a.household_id = j.household_id \
                  ORDER BY a.commune_code DESC LIMIT 1) AS commune_code, \
                 (SELECT a.household_code FROM household_alias a WHERE a.household_id = j.household_id \
                  ORDER BY a.commune_code DESC LIMIT 1) AS household_code, \
                 j.current_commune, COALESCE(v.name, '') AS village, COALESCE(m.full_name, '') AS full_name, \
                 COALESCE(m.sex, '') AS sex, COALESCE(m.birth_date, '') AS birth_date, \
                 COALESCE(m.birth_year_only, 0) AS birth_year_only, j.skills, j.training_wanted, j.job_wanted, \
                 j.wants_abroad, j.registered_on, \
                 (SELECT COUNT(*) FROM job_placement p WHERE p.household_id = j.household_id AND p.member_no = j.member_no) \
                 AS placements \
             FROM job_seeker j \
             LEFT JOIN member m ON m.household_id = j.household_id AND m.member_no = j.member_no AND m.period = \
                 (SELECT MAX(period) FROM member x WHERE x.household_id = j.household_id AND x.member_no = j.member_no) \
             LEFT JOIN survey s ON s.household_id = j.household_id AND s.period = m.period \
             LEFT JOIN village v ON v.id = s.village_id \
             WHERE j.current_province = $1",
        );
        if !commune.is_empty() {
            q.push(" AND j.current_commune = ").bind(commune);
        }
        q.push(" AND ").append(&self.scope.sql("j")).push(" ORDER BY j.current_commune, j.household_id, j.member_no");
        let rows: Vec<SeekerRow> = on_pool!(self.db, p => bound!(query_as, q).fetch_all(p).await?);
        Ok(rows
            .into_iter()
            .map(|r| JobSeeker {
                sex: Sex::parse(&r.sex),
                birth: crate::rows::stored_birth(&r.birth_date, r.birth_year_only),
                id: r.id,
                household_id: r.household_id,
                member_no: r.member_no,
                commune_code: r.commune_code.unwrap_or_default(),
                household_code: r.household_code.unwrap_or_default(),
                current_commune: r.current_commune,
                village: r.village,
                full_name: r.full_name,
                skills: r.skills,
                training_wanted: r.training_wanted,
                job_wanted: r.job_wanted,
                wants_abroad: r.wants_abroad != 0,
                registered_on: r.registered_on,
                placements: u64::try_from(r.placements).unwrap_or(0),
            })
            .collect())
    }

    /// Records a vacancy of `unit` (a province's job centre or a commune); its id, or every
    /// reason it was refused. Forbidden outside what the writer may change.
    pub async fn record_vacancy(
        &self,
        unit: &TargetUnit,
        v: &NewVacancy,
        actor: &str,
        command: &str,
    ) -> Result<std::result::Result<i64, Refusals>> {
        if !self.may_set_unit(unit) || unit.village().is_some() || unit.code == "VN" {
            return Err(StoreError::Forbidden(format!(
                "{0} ngoài phạm vi được giao / {0} is outside your area",
                unit.name
            )));
        }
        let mut refused = Refusals::new();
        if blank(&v.employer) {
            refused.push(refusal("Thiếu tên đơn vị tuyển dụng.", "The employer is missing."));
        }
        if blank(&v.title) {
            refused.push(refusal("Thiếu tên công việc.", "The job title is missing."));
        }
        if !(1..=100_000).contains(&v.positions) {
            refused.push(refusal(
                format!("Số lượng tuyển {} phải từ 1 đến 100.000.", v.positions),
                format!("Positions {} must be 1 to 100,000.", v.positions),
            ));
        }
        for (label_vi, label_en, age) in [("từ", "minimum", v.min_age), ("đến", "maximum", v.max_age)] {
            if let Some(a) = age.filter(|a| !(15..=75).contains(a)) {
                refused.push(refusal(
                    format!("Tuổi {label_vi} {a} phải từ 15 đến 75."),
                    format!("The {label_en} age {a} must be 15 to 75."),
                ));
            }
        }
        if let (Some(lo), Some(hi)) = (v.min_age, v.max_age)
            && lo > hi
        {
            refused.push(refusal(
                format!("Tuổi từ {lo} lớn hơn tuổi đến {hi}."),
                format!("The minimum age {lo} is above the maximum {hi}."),
            ));
        }
        if v.wage.is_some_and(|w| w < 0) {
            refused.push(refusal("Mức lương không được âm.", "The wage cannot be negative."));
        }
        match (v.opens_on, v.closes_on) {
            (None, _) => refused.push(refusal("Thiếu ngày bắt đầu tuyển.", "The opening date is missing.")),
            (Some(o), Some(c)) if c < o => refused.push(refusal(
                format!("Hạn tuyển {} trước ngày bắt đầu {}.", c.format("%d/%m/%Y"), o.format("%d/%m/%Y")),
                format!("The closing date {c} is before the opening date {o}."),
            )),
            _ => {}
        }
        let Some(opens) = v.opens_on.filter(|_| refused.is_empty()) else { return Ok(Err(refused)) };
        let (province, commune) = unit.place();
        let at = crate::now();
        let mut tx = self.db.begin().await?;
        let id: i64 = on_conn!(tx, c => sqlx::query_scalar(
            "INSERT INTO job_vacancy (unit_code, current_province, current_commune, employer, title, skills, positions, \
                 min_age, max_age, wage, workplace, abroad, opens_on, closes_on, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
        )
        .bind(unit.code.as_str())
        .bind(province)
        .bind(commune)
        .bind(v.employer.trim())
        .bind(v.title.trim())
        .bind(v.skills.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(", "))
        .bind(v.positions)
        .bind(v.min_age)
        .bind(v.max_age)
        .bind(v.wage)
        .bind(v.workplace.as_deref().map(str::trim).filter(|t| !t.is_empty()))
        .bind(i64::from(v.abroad))
        .bind(opens.format("%Y-%m-%d").to_string())
        .bind(v.closes_on.map(|d| d.format("%Y-%m-%d").to_string()))
        .bind(actor)
        .bind(at.as_str())
        .fetch_one(c)
        .await?);
        let field = id.to_string();
        let new_value = format!("{}: {} ({})", v.employer.trim(), v.title.trim(), v.positions);
        let change = Change {
            actor,
            command,
            entity: "job_vacancy",
            household_id: None,
            period: Some(i64::from(opens.year())),
            member_no: None,
            field: &field,
            old_value: None,
            new_value: Some(&new_value),
        };
        audit::record_now(&mut tx, &change, &at).await?;
        tx.commit().await?;
        Ok(Ok(id))
    }

    /// Vacancies of `province` (every one, or one `id`), newest first. Job ads hold no personal
    /// data: every signed-in reader sees them, whatever their area — this read is not scoped.
    pub async fn vacancies_public(&self, province: &str, id: Option<i64>) -> Result<Vec<Vacancy>> {
        let mut q = Sql::with_args([Arg::from(province)]);
        q.push(
            "SELECT v.id, v.unit_code, v.current_province, v.current_commune, v.employer, v.title, v.skills, v.positions, \
                 v.min_age, v.max_age, v.wage, v.workplace, v.abroad, v.opens_on, v.closes_on, \
                 (SELECT COUNT(*) FROM job_placement p WHERE p.vacancy_id = v.id) \
             FROM job_vacancy v WHERE v.current_province = $1",
        );
        if let Some(id) = id {
            q.push(" AND v.id = ").bind(id);
        }
        q.push(" ORDER BY v.opens_on DESC, v.id DESC");
        type Row = (
            i64,
            String,
            String,
            String,
            String,
            String,
            String,
            i64,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<String>,
            i64,
            String,
            Option<String>,
            i64,
        );
        let rows: Vec<Row> = on_pool!(self.db, p => bound!(query_as, q).fetch_all(p).await?);
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        Ok(rows
            .into_iter()
            .map(|r| Vacancy {
                id: r.0,
                unit_code: r.1,
                province: r.2,
                commune: r.3,
                vacancy: NewVacancy {
                    employer: r.4,
                    title: r.5,
                    skills: r.6.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
                    positions: r.7,
                    min_age: r.8,
                    max_age: r.9,
                    wage: r.10,
                    workplace: r.11,
                    abroad: r.12 != 0,
                    opens_on: day(&r.13),
                    closes_on: r.14.as_deref().and_then(day),
                },
                placed: r.15,
            })
            .collect())
    }

    /// The province of vacancy `id`, if there is one.
    pub async fn vacancy_province(&self, id: i64) -> Result<Option<String>> {
        Ok(on_pool!(self.db, p => sqlx::query_scalar("SELECT current_province FROM job_vacancy WHERE id = $1")
            .bind(id)
            .fetch_optional(p)
            .await?))
    }

    /// Records a placement and, in the same transaction, the support it is (kind
    /// `job_placement`, received by the member); its id, or every reason it was refused — a
    /// person not of working age on the day among them.
    pub async fn record_placement(
        &self,
        pl: &NewPlacement,
        law: &WorkingAge,
        actor: &str,
        command: &str,
    ) -> Result<std::result::Result<i64, Refusals>> {
        let mut refused = Refusals::new();
        let vacancy = match pl.vacancy_id {
            Some(v) => {
                let found = self.vacancy_province(v).await?;
                let mut list = match found {
                    Some(p) => self.vacancies_public(&p, Some(v)).await?,
                    None => Vec::new(),
                };
                if list.is_empty() {
                    refused.push(refusal(format!("Không có tin tuyển dụng số {v}."), format!("No vacancy {v}.")));
                }
                list.pop()
            }
            None => None,
        };
        let employer =
            pl.employer.clone().filter(|e| !blank(e)).or_else(|| vacancy.as_ref().map(|v| v.vacancy.employer.clone()));
        if employer.is_none() {
            refused.push(refusal("Thiếu đơn vị tiếp nhận.", "The employer is missing."));
        }
        let Some(on) = pl.placed_on else {
            refused.push(refusal("Thiếu ngày nhận việc.", "The placement date is missing."));
            return Ok(Err(refused));
        };
        if let Some(v) = &vacancy {
            if v.placed >= v.vacancy.positions {
                refused.push(refusal(
                    format!("Tin tuyển dụng số {} đã đủ {} người.", v.id, v.vacancy.positions),
                    format!("Vacancy {} has its {} positions filled.", v.id, v.vacancy.positions),
                ));
            }
            if v.vacancy.opens_on.is_some_and(|o| on < o) {
                refused.push(refusal(
                    format!("Ngày nhận việc {} trước ngày bắt đầu tuyển.", on.format("%d/%m/%Y")),
                    format!("The placement date {on} is before the vacancy opened."),
                ));
            }
        }
        let mut tx = self.db.begin().await?;
        let place = self.working_person(&mut tx, pl.household_id, pl.member_no, on, law, &mut refused).await?;
        if let (Some(v), Some(_)) = (&vacancy, &place) {
            // Age limits of the vacancy.
            let facts = member_in(&mut tx, pl.household_id, pl.member_no, i64::from(on.year())).await?;
            let age = facts
                .and_then(|(_, m)| m)
                .and_then(|(_, b, y)| crate::rows::stored_birth(&b, y))
                .map(|b| i64::from(b.age_years(on)));
            if let Some(a) = age
                && (v.vacancy.min_age.is_some_and(|lo| a < lo) || v.vacancy.max_age.is_some_and(|hi| a > hi))
            {
                refused.push(refusal(
                    format!("Tin tuyển dụng số {} không nhận người {a} tuổi.", v.id),
                    format!("Vacancy {} does not take a person of {a}.", v.id),
                ));
            }
        }
        let (Some((province, commune)), Some(employer)) = (place, employer) else {
            tx.rollback().await?;
            return Ok(Err(refused));
        };
        if !refused.is_empty() {
            tx.rollback().await?;
            return Ok(Err(refused));
        }
        let kind = vuonlen_core::support::support_kind("job_placement")
            .ok_or_else(|| StoreError::Invalid("no support kind job_placement".into()))?;
        let support = NewSupport {
            household_id: pl.household_id,
            member_no: Some(pl.member_no),
            delivered_on: on,
            kind,
            amount: None,
            project_code: None,
            source: None,
            list_id: None,
            activity_id: None,
            note: Some(format!(
                "{employer}{}",
                vacancy.as_ref().map(|v| format!(" — {}", v.vacancy.title)).unwrap_or_default()
            )),
        };
        if let Err(why) = self.write_support(&mut tx, &[support], actor, command).await? {
            tx.rollback().await?;
            return Ok(Err(why.into_iter().map(|(_, vi, en)| (vi, en)).collect()));
        }
        let at = crate::now();
        let id: i64 = on_conn!(tx, c => sqlx::query_scalar(
            "INSERT INTO job_placement (vacancy_id, household_id, member_no, placed_on, employer, note, current_province, \
                 current_commune, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(pl.vacancy_id)
        .bind(pl.household_id)
        .bind(pl.member_no)
        .bind(on.format("%Y-%m-%d").to_string())
        .bind(employer.trim())
        .bind(pl.note.as_deref().map(str::trim).filter(|t| !t.is_empty()))
        .bind(province)
        .bind(commune)
        .bind(actor)
        .bind(at.as_str())
        .fetch_one(c)
        .await?);
        let change = Change {
            actor,
            command,
            entity: "job_placement",
            household_id: Some(pl.household_id),
            period: Some(i64::from(on.year())),
            member_no: Some(pl.member_no),
            field: "placed",
            old_value: None,
            new_value: Some(&employer),
        };
        audit::record_now(&mut tx, &change, &at).await?;
        tx.commit().await?;
        Ok(Ok(id))
    }
}
