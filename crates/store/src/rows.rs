//! The rows of `survey` and `member` as typed values, built from an interchange record or
//! read back from the database, with one canonical text form used for the content hash
//! (idempotent imports) and for the audit log's old and new values.

use crate::bulk::Val;
use crate::error::{Result, StoreError};
use chrono::NaiveDate;
use vuonlen_core::codes::{Area, Disability, Education, Employment, Latrine, PovertyCause, Relation, Sex, WaterSource};
use vuonlen_core::ethnicity::Ethnicity;
use vuonlen_core::schema::{HOUSEHOLD_FIELDS, Kind, RECORDED_COUNT, Recorded, Storage, recorded_fields};
use vuonlen_core::text::fold;
use vuonlen_core::{BirthDate, Household, Member};
use vuonlen_io::HouseholdRecord;

/// The answers of a household in a period, as stored (without placement columns).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SurveyRow {
    pub household_code: String,
    pub commune_code: String,
    pub village: String,
    pub head_name: String,
    pub address: String,
    pub area: String,
    pub income_per_capita: Option<i64>,
    pub score_a: Option<i64>,
    pub durable_structures: i64,
    pub floor_area_m2: f64,
    pub water_source: String,
    pub latrine: String,
    pub internet_user: i64,
    pub info_devices: i64,
    pub waste_treatment: Option<i64>,
    pub poverty_causes: String,
    /// The recorded fields, one column each ([`vuonlen_core::schema::Storage::Recorded`]).
    #[sqlx(flatten)]
    pub recorded: RecordedColumns,
}

/// The recorded fields of a survey row, read from their columns (named by their keys): yes/no
/// as integers, the others as text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordedColumns(pub Recorded);

impl<'r, R: sqlx::Row> sqlx::FromRow<'r, R> for RecordedColumns
where
    &'r str: sqlx::ColumnIndex<R>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    fn from_row(row: &'r R) -> std::result::Result<Self, sqlx::Error> {
        let mut out = Recorded::default();
        for (i, f) in recorded_fields().enumerate() {
            let v = match f.kind {
                Kind::YesNo => {
                    row.try_get::<Option<i64>, _>(f.key)?.map(|v| if v != 0 { "1" } else { "0" }.to_string())
                }
                _ => row.try_get::<Option<String>, _>(f.key)?,
            };
            out.set(i, v);
        }
        Ok(RecordedColumns(out))
    }
}

impl RecordedColumns {
    /// The values to insert, in [`RECORDED_KEYS`] order.
    pub(crate) fn values(&self) -> impl Iterator<Item = Val<'_>> {
        recorded_fields().enumerate().map(|(i, f)| match f.kind {
            Kind::YesNo => Val::from(self.0.flag(i).map(i64::from)),
            _ => Val::from(self.0.get(i)),
        })
    }
}

/// A date of birth as the member table stores it: `YYYY-MM-DD`, or its year when
/// `year_only` is not 0.
pub(crate) fn stored_birth(date: &str, year_only: i64) -> Option<BirthDate> {
    if year_only != 0 {
        Some(BirthDate::Year(date.get(..4)?.parse().ok()?))
    } else {
        NaiveDate::parse_from_str(date, "%Y-%m-%d").ok().map(BirthDate::Date)
    }
}

/// One member in a period, as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct MemberRow {
    pub member_no: i64,
    pub full_name: String,
    pub relation: String,
    pub sex: String,
    pub birth_date: String,
    pub birth_year_only: i64,
    pub ethnicity: String,
    pub id_number: Option<String>,
    pub health_insurance: i64,
    pub employment: String,
    pub able_to_work: i64,
    pub education: String,
    pub in_school: i64,
    pub school_on_track: Option<i64>,
    pub malnourished: Option<i64>,
    pub disability: String,
    pub social_allowance: i64,
    pub merit: i64,
}

/// Columns of `member`, in [`MemberRow::values`] order after the key columns.
pub(crate) const MEMBER_COLUMNS: &[&str] = &[
    "period",
    "household_id",
    "member_no",
    "full_name",
    "name_key",
    "relation",
    "sex",
    "birth_date",
    "birth_year_only",
    "ethnicity",
    "id_number",
    "health_insurance",
    "employment",
    "able_to_work",
    "education",
    "in_school",
    "school_on_track",
    "malnourished",
    "disability",
    "social_allowance",
    "merit",
    "current_province",
    "current_commune",
    "head_sort",
    "household_code",
];

/// The household's place, list order and code, copied into each of its member rows (migration
/// 0003) so that a name search reads, sorts and scopes its matches from one index.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MemberContext<'a> {
    pub current_province: &'a str,
    pub current_commune: &'a str,
    pub head_sort: &'a str,
    pub household_code: &'a str,
}

/// Columns of `survey` before the recorded fields'.
const SURVEY_BASE_COLUMNS: [&str; 24] = [
    "period",
    "household_id",
    "commune_code",
    "unit_list",
    "current_commune",
    "current_province",
    "household_code",
    "village_id",
    "head_name",
    "address",
    "area",
    "income_per_capita",
    "score_a",
    "durable_structures",
    "floor_area_m2",
    "water_source",
    "latrine",
    "internet_user",
    "info_devices",
    "waste_treatment",
    "poverty_causes",
    "content_hash",
    "import_batch",
    "head_sort",
];

/// The recorded fields' columns, in [`Recorded`] order, from the schema.
pub(crate) const RECORDED_KEYS: [&str; RECORDED_COUNT] = {
    let mut out = [""; RECORDED_COUNT];
    let mut i = 0;
    while i < HOUSEHOLD_FIELDS.len() {
        if let Storage::Recorded(r) = HOUSEHOLD_FIELDS[i].storage {
            out[r] = HOUSEHOLD_FIELDS[i].key;
        }
        i += 1;
    }
    out
};

/// Columns of `survey`: [`SURVEY_BASE_COLUMNS`], then [`RECORDED_KEYS`].
pub(crate) const SURVEY_COLUMNS: &[&str] = &{
    let mut out = [""; SURVEY_BASE_COLUMNS.len() + RECORDED_COUNT];
    let mut i = 0;
    while i < out.len() {
        out[i] = if i < SURVEY_BASE_COLUMNS.len() {
            SURVEY_BASE_COLUMNS[i]
        } else {
            RECORDED_KEYS[i - SURVEY_BASE_COLUMNS.len()]
        };
        i += 1;
    }
    out
};

/// `SELECT` list reading a [`SurveyRow`] from `survey s` joined with `village v`: the columns
/// of the core fields, then `s.KEY` for each recorded field.
pub(crate) const SURVEY_SELECT: &str = {
    const BASE: &str = "s.household_code, s.commune_code, COALESCE(v.name, '') AS village, s.head_name, \
         s.address, s.area, s.income_per_capita, s.score_a, s.durable_structures, s.floor_area_m2, s.water_source, \
         s.latrine, s.internet_user, s.info_devices, s.waste_treatment, s.poverty_causes";
    const LEN: usize = {
        let mut n = BASE.len();
        let mut i = 0;
        while i < RECORDED_KEYS.len() {
            n += ", s.".len() + RECORDED_KEYS[i].len();
            i += 1;
        }
        n
    };
    const BYTES: [u8; LEN] = {
        let mut out = [0u8; LEN];
        let mut at = 0;
        let mut push = [BASE.as_bytes(), &[]];
        let mut k = 0;
        // BASE, then ", s." and each key.
        while k <= RECORDED_KEYS.len() {
            let mut part = 0;
            while part < 2 {
                let bytes = push[part];
                let mut j = 0;
                while j < bytes.len() {
                    out[at] = bytes[j];
                    at += 1;
                    j += 1;
                }
                part += 1;
            }
            if k < RECORDED_KEYS.len() {
                push = [b", s.", RECORDED_KEYS[k].as_bytes()];
            }
            k += 1;
        }
        out
    };
    match std::str::from_utf8(&BYTES) {
        Ok(s) => s,
        Err(_) => panic!("SURVEY_SELECT is ASCII"),
    }
};

/// `SELECT` list reading a [`MemberRow`] from `member m`.
pub(crate) const MEMBER_SELECT: &str = "m.member_no, m.full_name, m.relation, m.sex, m.birth_date, m.birth_year_only, \
     m.ethnicity, m.id_number, m.health_insurance, m.employment, m.able_to_work, m.education, m.in_school, \
     m.school_on_track, m.malnourished, m.disability, m.social_allowance, m.merit";

fn b(v: bool) -> i64 {
    i64::from(v)
}

fn ob(v: Option<bool>) -> Option<i64> {
    v.map(i64::from)
}

impl SurveyRow {
    /// The household part of a record.
    pub fn from_record(r: &HouseholdRecord) -> SurveyRow {
        let h = &r.household;
        SurveyRow {
            household_code: r.household_code.clone(),
            commune_code: r.commune_code.clone(),
            village: r.village.clone(),
            head_name: r.head_name.clone(),
            address: r.address.clone(),
            area: h.area.key().to_string(),
            income_per_capita: h.income_per_capita,
            score_a: h.score_a.map(i64::from),
            durable_structures: i64::from(h.durable_structures),
            floor_area_m2: h.floor_area_m2,
            water_source: h.water_source.key().to_string(),
            latrine: h.latrine.key().to_string(),
            internet_user: b(h.internet_user),
            info_devices: b(h.info_devices),
            waste_treatment: ob(h.waste_treatment),
            poverty_causes: r.poverty_causes.iter().map(|c| c.key()).collect::<Vec<_>>().join(";"),
            recorded: RecordedColumns(r.recorded.clone()),
        }
    }

    /// Field names and canonical values, in table order.
    pub fn fields(&self) -> Vec<(&'static str, Option<String>)> {
        let s = |v: &str| Some(v.to_string());
        let i = |v: i64| Some(v.to_string());
        let oi = |v: Option<i64>| v.map(|x| x.to_string());
        vec![
            ("village", s(&self.village)),
            ("head_name", s(&self.head_name)),
            ("address", s(&self.address)),
            ("area", s(&self.area)),
            ("income_per_capita", oi(self.income_per_capita)),
            ("score_a", oi(self.score_a)),
            ("durable_structures", i(self.durable_structures)),
            ("floor_area_m2", Some(canonical_f64(self.floor_area_m2))),
            ("water_source", s(&self.water_source)),
            ("latrine", s(&self.latrine)),
            ("internet_user", i(self.internet_user)),
            ("info_devices", i(self.info_devices)),
            ("waste_treatment", oi(self.waste_treatment)),
            ("poverty_causes", s(&self.poverty_causes)),
        ]
        .into_iter()
        .chain(self.recorded.0.iter().map(|(f, v)| (f.key, v.map(str::to_string))))
        .collect()
    }

    /// Poverty causes as a bit mask over [`PovertyCause::ALL`].
    pub fn causes_mask(&self) -> i64 {
        let causes: Vec<PovertyCause> = self.poverty_causes.split(';').filter_map(PovertyCause::parse).collect();
        i64::from(vuonlen_core::report::causes_mask(&causes))
    }
}

impl MemberRow {
    /// A member of a record with its personal fields.
    pub fn from_member(m: &Member, full_name: &str, id_number: Option<&str>, ethnicity_name: &str) -> MemberRow {
        let (birth_date, year_only) = match m.birth {
            BirthDate::Date(d) => (d.format("%Y-%m-%d").to_string(), 0),
            BirthDate::Year(y) => (format!("{y:04}-01-01"), 1),
        };
        let ethnicity = if ethnicity_name.is_empty() {
            m.ethnicity.name().unwrap_or_default().to_string()
        } else {
            ethnicity_name.to_string()
        };
        MemberRow {
            member_no: i64::from(m.member_no),
            full_name: full_name.to_string(),
            relation: m.relation.key().to_string(),
            sex: m.sex.key().to_string(),
            birth_date,
            birth_year_only: year_only,
            ethnicity,
            id_number: id_number.map(str::to_string),
            health_insurance: b(m.health_insurance),
            employment: m.employment.key().to_string(),
            able_to_work: b(m.able_to_work),
            education: m.education.key().to_string(),
            in_school: b(m.in_school),
            school_on_track: ob(m.school_on_track),
            malnourished: ob(m.malnourished),
            disability: m.disability.key().to_string(),
            social_allowance: b(m.social_allowance),
            merit: b(m.merit),
        }
    }

    /// Field names and canonical values (after `member_no`).
    pub fn fields(&self) -> Vec<(&'static str, Option<String>)> {
        let s = |v: &str| Some(v.to_string());
        let i = |v: i64| Some(v.to_string());
        let oi = |v: Option<i64>| v.map(|x| x.to_string());
        vec![
            ("full_name", s(&self.full_name)),
            ("relation", s(&self.relation)),
            ("sex", s(&self.sex)),
            ("birth_date", Some(self.birth_text())),
            ("ethnicity", s(&self.ethnicity)),
            ("id_number", self.id_number.clone()),
            ("health_insurance", i(self.health_insurance)),
            ("employment", s(&self.employment)),
            ("able_to_work", i(self.able_to_work)),
            ("education", s(&self.education)),
            ("in_school", i(self.in_school)),
            ("school_on_track", oi(self.school_on_track)),
            ("malnourished", oi(self.malnourished)),
            ("disability", s(&self.disability)),
            ("social_allowance", i(self.social_allowance)),
            ("merit", i(self.merit)),
        ]
    }

    /// The birth date as written in the interchange format (`YYYY` for a year only).
    pub fn birth_text(&self) -> String {
        if self.birth_year_only != 0 {
            self.birth_date[..4.min(self.birth_date.len())].to_string()
        } else {
            self.birth_date.clone()
        }
    }

    /// The key that finds the same person in two households: folded name and full birth date
    /// (`None` for a year-only birth, too weak to match people on).
    pub fn person_key(&self) -> Option<String> {
        (self.birth_year_only == 0).then(|| format!("{}|{}", fold(&self.full_name), self.birth_date))
    }

    /// The row's values for [`MEMBER_COLUMNS`].
    /// `name_key` is `fold(&self.full_name)`, computed once by the caller.
    pub(crate) fn values<'a>(
        &'a self,
        period: i64,
        household_id: i64,
        name_key: &'a str,
        ctx: MemberContext<'a>,
    ) -> [Val<'a>; 25] {
        [
            period.into(),
            household_id.into(),
            self.member_no.into(),
            (&self.full_name).into(),
            name_key.into(),
            (&self.relation).into(),
            (&self.sex).into(),
            (&self.birth_date).into(),
            self.birth_year_only.into(),
            (&self.ethnicity).into(),
            (&self.id_number).into(),
            self.health_insurance.into(),
            (&self.employment).into(),
            self.able_to_work.into(),
            (&self.education).into(),
            self.in_school.into(),
            self.school_on_track.into(),
            self.malnourished.into(),
            (&self.disability).into(),
            self.social_allowance.into(),
            self.merit.into(),
            ctx.current_province.into(),
            ctx.current_commune.into(),
            ctx.head_sort.into(),
            ctx.household_code.into(),
        ]
    }

    /// The member the classifier reads.
    pub fn to_member(&self) -> Result<Member> {
        let bad =
            |field: &str, v: &str| StoreError::Invalid(format!("stored member field {field} = '{v}' is not valid"));
        let birth =
            stored_birth(&self.birth_date, self.birth_year_only).ok_or_else(|| bad("birth_date", &self.birth_date))?;
        Ok(Member {
            member_no: u16::try_from(self.member_no).map_err(|_| bad("member_no", &self.member_no.to_string()))?,
            relation: Relation::parse(&self.relation).ok_or_else(|| bad("relation", &self.relation))?,
            sex: Sex::parse(&self.sex).ok_or_else(|| bad("sex", &self.sex))?,
            birth,
            ethnicity: Ethnicity::parse(&self.ethnicity).unwrap_or(Ethnicity::UNLISTED),
            health_insurance: self.health_insurance != 0,
            employment: Employment::parse(&self.employment).ok_or_else(|| bad("employment", &self.employment))?,
            able_to_work: self.able_to_work != 0,
            education: Education::parse(&self.education).ok_or_else(|| bad("education", &self.education))?,
            in_school: self.in_school != 0,
            school_on_track: self.school_on_track.map(|v| v != 0),
            malnourished: self.malnourished.map(|v| v != 0),
            disability: Disability::parse(&self.disability).ok_or_else(|| bad("disability", &self.disability))?,
            social_allowance: self.social_allowance != 0,
            merit: self.merit != 0,
        })
    }
}

impl SurveyRow {
    /// The household the classifier reads.
    pub fn to_household(&self, members: &[MemberRow]) -> Result<Household> {
        let bad =
            |field: &str, v: &str| StoreError::Invalid(format!("stored survey field {field} = '{v}' is not valid"));
        Ok(Household {
            area: Area::parse(&self.area).ok_or_else(|| bad("area", &self.area))?,
            income_per_capita: self.income_per_capita,
            score_a: self.score_a.and_then(|v| i32::try_from(v).ok()),
            durable_structures: u8::try_from(self.durable_structures).unwrap_or(0),
            floor_area_m2: self.floor_area_m2,
            water_source: WaterSource::parse(&self.water_source)
                .ok_or_else(|| bad("water_source", &self.water_source))?,
            latrine: Latrine::parse(&self.latrine).ok_or_else(|| bad("latrine", &self.latrine))?,
            internet_user: self.internet_user != 0,
            info_devices: self.info_devices != 0,
            waste_treatment: self.waste_treatment.map(|v| v != 0),
            members: members.iter().map(MemberRow::to_member).collect::<Result<_>>()?,
        })
    }
}

/// A float as text without noise: `45` for 45.0, `45.5` for 45.5.
fn canonical_f64(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 { format!("{}", v as i64) } else { format!("{v}") }
}

/// The members of a record as rows.
pub fn member_rows(r: &HouseholdRecord) -> Vec<MemberRow> {
    r.members()
        .map(|(m, p)| MemberRow::from_member(m, &p.full_name, p.id_number.as_deref(), &p.ethnicity_name))
        .collect()
}

/// A stable 64-bit content hash (FNV-1a) of a household's answers and members: equal content,
/// equal hash, whatever the file it came from.
pub fn content_hash(s: &SurveyRow, members: &[MemberRow]) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for &x in bytes {
            h ^= u64::from(x);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    };
    for (k, v) in s.fields() {
        // A blank recorded field leaves the hash of the answers without it unchanged.
        if v.is_none() && RECORDED_KEYS.contains(&k) {
            continue;
        }
        eat(k.as_bytes());
        eat(v.as_deref().unwrap_or("\u{0}").as_bytes());
    }
    for m in members {
        eat(m.member_no.to_string().as_bytes());
        for (k, v) in m.fields() {
            eat(k.as_bytes());
            eat(v.as_deref().unwrap_or("\u{0}").as_bytes());
        }
    }
    h as i64
}
