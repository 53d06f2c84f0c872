//! Carrying forward (*giữ nguyên kết quả lần công nhận trước*): a review surveys the listed
//! households and the applicants, not everyone; the households of a decided commune it did not
//! survey keep the status of their last decision. Their last answers, members and class are
//! copied into the round's period, marked `survey.carried_from`, so that every form of the
//! period counts them where they are (not dropped, not "moved away").

use crate::db::{Tx, on_conn};
use crate::error::Result;

/// The columns of `survey` copied forward: all but `period`, `moved_in_from` (an arrival is
/// an event of its own period) and `carried_from`. A contract test compares them with the
/// table's columns, so a new column is never silently left behind.
macro_rules! survey_copied {
    () => {
        "household_id, commune_code, unit_list, current_commune, current_province, \
     household_code, village_id, head_name, address, area, income_per_capita, score_a, durable_structures, \
     floor_area_m2, water_source, latrine, internet_user, info_devices, waste_treatment, poverty_causes, \
     content_hash, import_batch, head_sort, nlndn, local_ethnic_minority, support_health, support_education, \
     support_production, support_credit, support_housing, support_other"
    };
}
#[cfg(feature = "testing")]
pub(crate) const SURVEY_COPIED: &str = survey_copied!();

/// The columns of `member` copied forward: all but `period`.
macro_rules! member_copied {
    () => {
        "household_id, member_no, full_name, name_key, relation, sex, birth_date, \
     birth_year_only, ethnicity, id_number, health_insurance, employment, able_to_work, education, in_school, \
     school_on_track, malnourished, disability, social_allowance, merit, current_province, current_commune, \
     head_sort, household_code"
    };
}
#[cfg(feature = "testing")]
pub(crate) const MEMBER_COPIED: &str = member_copied!();

/// The columns of `classification` copied forward: all but `period`, `standard_id` and
/// `computed_at`.
macro_rules! classification_copied {
    () => {
        "household_id, class, income_test, compared_value, line, deprived, \
     deprivation_count, subgroups, persons, head_ethnicity, causes, children, children_no_insurance, \
     children_malnourished, children_not_in_school, children_schooling_deprived"
    };
}
#[cfg(feature = "testing")]
pub(crate) const CLASSIFICATION_COPIED: &str = classification_copied!();

const COPY_SURVEYS: &str = concat!(
    "INSERT INTO survey (period, carried_from, ",
    survey_copied!(),
    ") SELECT $2, $1, ",
    survey_copied!(),
    " FROM survey s WHERE s.period = $1 AND s.current_province = $3 AND s.current_commune = $4 \
       AND NOT EXISTS (SELECT 1 FROM survey t WHERE t.period = $2 AND t.household_id = s.household_id)"
);

const COPY_MEMBERS: &str = concat!(
    "INSERT INTO member (period, ",
    member_copied!(),
    ") SELECT $2, ",
    member_copied!(),
    " FROM member m WHERE m.period = $1 AND m.household_id IN (SELECT household_id FROM survey t \
       WHERE t.period = $2 AND t.carried_from = $1 AND t.current_province = $3 AND t.current_commune = $4) \
       AND NOT EXISTS (SELECT 1 FROM member x WHERE x.period = $2 AND x.household_id = m.household_id)"
);

const COPY_CLASSES: &str = concat!(
    "INSERT INTO classification (period, standard_id, computed_at, ",
    classification_copied!(),
    ") SELECT $2, $6, $7, ",
    classification_copied!(),
    " FROM classification c WHERE c.period = $1 AND c.standard_id = $5 AND c.household_id IN \
       (SELECT household_id FROM survey t WHERE t.period = $2 AND t.carried_from = $1 \
          AND t.current_province = $3 AND t.current_commune = $4) \
       AND NOT EXISTS (SELECT 1 FROM classification x WHERE x.period = $2 AND x.standard_id = $6 \
          AND x.household_id = c.household_id)"
);

/// Copies into period `to` the answers, members and official class (of period `from`'s
/// standard, as `to`'s) of the households of a commune that have answers in `from` and none in
/// `to`. Returns how many households were carried forward.
pub(crate) async fn carry_forward(
    tx: &mut Tx,
    from: i64,
    to: i64,
    province: &str,
    commune: &str,
    at: &str,
) -> Result<u64> {
    let standards: Option<(String, String)> = on_conn!(tx, c => sqlx::query_as(
        "SELECT f.standard_id, t.standard_id FROM review_period f, review_period t WHERE f.year = $1 AND t.year = $2",
    )
    .bind(from)
    .bind(to)
    .fetch_optional(c)
    .await?);
    let Some((from_std, to_std)) = standards else { return Ok(0) };
    let n = on_conn!(tx, c => sqlx::query(COPY_SURVEYS)
        .bind(from)
        .bind(to)
        .bind(province)
        .bind(commune)
        .execute(c)
        .await?
        .rows_affected());
    if n == 0 {
        return Ok(0);
    }
    on_conn!(tx, c => sqlx::query(COPY_MEMBERS)
        .bind(from)
        .bind(to)
        .bind(province)
        .bind(commune)
        .execute(c)
        .await?
        .rows_affected());
    on_conn!(tx, c => sqlx::query(COPY_CLASSES)
        .bind(from)
        .bind(to)
        .bind(province)
        .bind(commune)
        .bind(from_std.as_str())
        .bind(to_std.as_str())
        .bind(at)
        .execute(c)
        .await?
        .rows_affected());
    Ok(n)
}
