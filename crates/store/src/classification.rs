//! Classification results as stored: one row per (period, standard, household), with what the
//! reports read (class, deprivations, subgroups, persons, head's ethnicity, causes, children).

use crate::bulk::Val;
use chrono::NaiveDate;
use vuonlen_core::classify::Subgroups;
use vuonlen_core::{Classification, Household};

/// Columns of `classification`, in [`values`] order.
pub(crate) const COLUMNS: &[&str] = &[
    "period",
    "household_id",
    "standard_id",
    "class",
    "income_test",
    "compared_value",
    "line",
    "deprived",
    "deprivation_count",
    "subgroups",
    "persons",
    "head_ethnicity",
    "causes",
    "children",
    "children_no_insurance",
    "children_malnourished",
    "children_not_in_school",
    "children_schooling_deprived",
    "computed_at",
];

/// Subgroup flags as bits: no labour capacity, ethnic-minority head, merit, children, elderly, disabled.
pub fn subgroup_bits(s: &Subgroups) -> i64 {
    [s.no_labour_capacity, s.ethnic_minority, s.merit, s.children, s.elderly, s.disabled]
        .iter()
        .enumerate()
        .fold(0, |m, (i, f)| if *f { m | (1 << i) } else { m })
}

/// The inverse of [`subgroup_bits`].
pub fn subgroups_from_bits(b: i64) -> Subgroups {
    Subgroups {
        no_labour_capacity: b & 1 != 0,
        ethnic_minority: b & 2 != 0,
        merit: b & 4 != 0,
        children: b & 8 != 0,
        elderly: b & 16 != 0,
        disabled: b & 32 != 0,
    }
}

/// Children of a household at `as_of` for report 11.
pub fn child_counts(h: &Household, as_of: NaiveDate) -> vuonlen_core::report::ChildCounts {
    vuonlen_core::report::ChildCounts::of(h, as_of)
}

/// One row of [`COLUMNS`].
#[allow(clippy::too_many_arguments)]
pub(crate) fn values<'a>(
    period: i64,
    household_id: i64,
    standard_id: &'a str,
    c: &Classification,
    h: &Household,
    causes: i64,
    as_of: NaiveDate,
    now: &'a str,
) -> [Val<'a>; 19] {
    let kids = child_counts(h, as_of);
    let head_ethnicity = h.head().map(|m| i64::from(m.ethnicity.0)).unwrap_or(0);
    [
        period.into(),
        household_id.into(),
        standard_id.into(),
        c.class.key().into(),
        c.income_test.key().into(),
        c.compared_value.into(),
        c.line.into(),
        i64::from(c.deprived.0).into(),
        i64::from(c.deprived.len()).into(),
        subgroup_bits(&c.subgroups).into(),
        i64::from(c.persons).into(),
        head_ethnicity.into(),
        causes.into(),
        i64::from(kids.children).into(),
        i64::from(kids.no_health_insurance).into(),
        i64::from(kids.malnourished).into(),
        i64::from(kids.not_in_school).into(),
        i64::from(kids.schooling_deprived).into(),
        now.into(),
    ]
}

/// The tally group of a household classified as `c` (see `crate::tally`), and its sums.
pub(crate) fn tally_group(
    place: (&str, &str, &str, &'static str, Option<i64>),
    c: &Classification,
    h: &Household,
    causes: i64,
    form8: u8,
    nlndn: bool,
    as_of: NaiveDate,
) -> (crate::tally::GroupKey, crate::tally::GroupSums) {
    use vuonlen_core::Class;
    let grp = matches!(c.class, Class::Poor | Class::NearPoor);
    let kids = child_counts(h, as_of);
    let key = (
        place.0.to_string(),
        place.1.to_string(),
        place.2.to_string(),
        place.3,
        place.4,
        c.class.key(),
        if grp { i64::from(c.deprived.0) } else { 0 },
        match c.class {
            Class::Poor | Class::NearPoor => {
                subgroup_bits(&c.subgroups) | (i64::from(form8) << crate::tally::FORM8_SHIFT)
            }
            Class::Middle if nlndn => crate::tally::NLNDN_BIT,
            _ => 0,
        },
        if grp { causes } else { 0 },
        h.head().map(|m| i64::from(m.ethnicity.0)).unwrap_or(0),
    );
    let sums = [
        1,
        i64::from(c.persons),
        i64::from(kids.children),
        i64::from(kids.no_health_insurance),
        i64::from(kids.malnourished),
        i64::from(kids.not_in_school),
        i64::from(kids.schooling_deprived),
    ];
    (key, sums)
}
