//! Columns of the interchange format and header matching.
//!
//! A header cell matches a column when, after NFC, trimming, folding (case and diacritics,
//! `đ → d`) and reading `_` as a space, it equals the column's English key, its Vietnamese
//! label or one of its aliases.

use crate::limits::{FieldLimit, field_limit};
use vuonlen_core::schema::{Field, HOUSEHOLD_FIELDS, MEMBER_FIELDS, RECORDED_COUNT};
use vuonlen_core::text::fold;

/// One column of the format: a field of the schema ([`vuonlen_core::schema`]) with its bounds.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    /// English key, e.g. `water_source`.
    pub key: &'static str,
    /// Vietnamese label, e.g. `Nguồn nước sinh hoạt`.
    pub label_vi: &'static str,
    /// Other accepted headers.
    pub aliases: &'static [&'static str],
    /// Its length and characters ([`crate::limits::FIELD_LIMITS`]).
    pub limit: FieldLimit,
    /// The field the column carries.
    pub field: &'static Field,
}

/// The columns of a file, one per field of the schema, in the schema's order.
const fn columns<const N: usize>(fields: &'static [Field; N]) -> [ColumnSpec; N] {
    let mut out = [ColumnSpec { key: "", label_vi: "", aliases: &[], limit: field_limit(""), field: &fields[0] }; N];
    let mut i = 0;
    while i < N {
        let f = &fields[i];
        out[i] =
            ColumnSpec { key: f.key, label_vi: f.label_vi, aliases: f.aliases, limit: field_limit(f.key), field: f };
        i += 1;
    }
    out
}

/// Columns of the households file, in the specification's order (recorded fields last).
pub const HOUSEHOLD_COLUMNS: [ColumnSpec; HOUSEHOLD_FIELDS.len()] = columns(&HOUSEHOLD_FIELDS);

/// The columns the standards read and the registry keys: the fast paths' columns, before the
/// recorded ones.
pub const HOUSEHOLD_CORE_COLUMNS: usize = HOUSEHOLD_FIELDS.len() - RECORDED_COUNT;

/// Indices into [`HOUSEHOLD_COLUMNS`].
pub(crate) mod h {
    use vuonlen_core::schema::{HOUSEHOLD_FIELDS, index_of};
    const fn at(key: &str) -> usize {
        index_of(&HOUSEHOLD_FIELDS, key)
    }
    pub const HOUSEHOLD_ID: usize = at("household_id");
    pub const COMMUNE_CODE: usize = at("commune_code");
    pub const VILLAGE: usize = at("village");
    pub const AREA: usize = at("area");
    pub const HEAD_NAME: usize = at("head_name");
    pub const ADDRESS: usize = at("address");
    pub const INCOME: usize = at("income_per_capita");
    pub const SCORE_A: usize = at("score_a");
    pub const DURABLE: usize = at("durable_structures");
    pub const FLOOR_AREA: usize = at("floor_area_m2");
    pub const WATER: usize = at("water_source");
    pub const LATRINE: usize = at("latrine");
    pub const INTERNET: usize = at("internet_user");
    pub const INFO_DEVICES: usize = at("info_devices");
    pub const WASTE: usize = at("waste_treatment");
    pub const CAUSES: usize = at("poverty_causes");
    /// Columns that must be present whatever the options.
    pub const REQUIRED: [usize; 10] =
        [HOUSEHOLD_ID, COMMUNE_CODE, AREA, HEAD_NAME, DURABLE, FLOOR_AREA, WATER, LATRINE, INTERNET, INFO_DEVICES];
}

/// Columns of the members file, in the specification's order.
pub const MEMBER_COLUMNS: [ColumnSpec; MEMBER_FIELDS.len()] = columns(&MEMBER_FIELDS);

/// Indices into [`MEMBER_COLUMNS`].
pub(crate) mod m {
    use vuonlen_core::schema::{MEMBER_FIELDS, index_of};
    const fn at(key: &str) -> usize {
        index_of(&MEMBER_FIELDS, key)
    }
    pub const HOUSEHOLD_ID: usize = at("household_id");
    pub const MEMBER_NO: usize = at("member_no");
    pub const FULL_NAME: usize = at("full_name");
    pub const RELATION: usize = at("relation");
    pub const SEX: usize = at("sex");
    pub const BIRTH: usize = at("birth_date");
    pub const ETHNICITY: usize = at("ethnicity");
    pub const ID_NUMBER: usize = at("id_number");
    pub const HEALTH_INSURANCE: usize = at("health_insurance");
    pub const EMPLOYMENT: usize = at("employment");
    pub const ABLE_TO_WORK: usize = at("able_to_work");
    pub const EDUCATION: usize = at("education");
    pub const IN_SCHOOL: usize = at("in_school");
    pub const SCHOOL_ON_TRACK: usize = at("school_on_track");
    pub const MALNOURISHED: usize = at("malnourished");
    pub const DISABILITY: usize = at("disability");
    pub const SOCIAL_ALLOWANCE: usize = at("social_allowance");
    pub const MERIT: usize = at("merit");
    /// Columns that must be present.
    pub const REQUIRED: [usize; 11] = [
        HOUSEHOLD_ID,
        MEMBER_NO,
        FULL_NAME,
        RELATION,
        SEX,
        BIRTH,
        ETHNICITY,
        HEALTH_INSURANCE,
        EMPLOYMENT,
        EDUCATION,
        IN_SCHOOL,
    ];
}

/// The key used to compare headers.
fn header_key(s: &str) -> String {
    fold(s.trim_start_matches('\u{feff}')).replace('_', " ")
}

/// A header cell that was not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HeaderIssue {
    /// Not a column of the format.
    Unknown { name: String },
    /// A second header for `spec`.
    Duplicate { spec: usize, name: String },
}

/// Where each column of the format is in a file.
#[derive(Debug, Clone)]
pub(crate) struct Columns {
    /// Position of each spec column in the file's rows.
    pub index: Vec<Option<usize>>,
    /// Header of each spec column as written in the file, or its key when absent.
    pub names: Vec<String>,
    /// Number of header cells.
    pub width: usize,
}

impl Columns {
    /// Matches `headers` against `specs`.
    pub fn resolve(headers: &[String], specs: &[ColumnSpec]) -> (Columns, Vec<HeaderIssue>) {
        let keys: Vec<Vec<String>> = specs
            .iter()
            .map(|s| {
                let mut v = vec![header_key(s.key), header_key(s.label_vi)];
                v.extend(s.aliases.iter().map(|a| header_key(a)));
                v
            })
            .collect();
        let mut index = vec![None; specs.len()];
        let mut names: Vec<String> = specs.iter().map(|s| s.key.to_string()).collect();
        let mut issues = Vec::new();
        for (pos, raw) in headers.iter().enumerate() {
            let k = header_key(raw);
            if k.is_empty() {
                continue;
            }
            let name = vuonlen_core::text::nfc(raw.trim()).into_owned();
            match keys.iter().position(|ks| ks.contains(&k)) {
                Some(spec) if index[spec].is_none() => {
                    index[spec] = Some(pos);
                    names[spec] = name;
                }
                Some(spec) => issues.push(HeaderIssue::Duplicate { spec, name }),
                None => issues.push(HeaderIssue::Unknown { name }),
            }
        }
        (Columns { index, names, width: headers.len() }, issues)
    }

    pub fn has(&self, spec: usize) -> bool {
        self.index.get(spec).is_some_and(Option::is_some)
    }
}

/// For the small tables (resident totals, review steps): the file column of each wanted column
/// — the first header cell, folded, equal to one of `names[c]` (already folded) — or `None`.
pub(crate) fn match_columns(cells: &[String], names: &[Vec<String>]) -> Vec<Option<usize>> {
    let mut index = vec![None; names.len()];
    for (i, h) in cells.iter().enumerate() {
        let f = fold(h.trim());
        if let Some(c) = names.iter().position(|n| n.contains(&f)).filter(|c| index[*c].is_none()) {
            index[c] = Some(i);
        }
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_keys_and_labels_with_or_without_diacritics() {
        let headers: Vec<String> =
            ["\u{feff}Household_ID", "  MA XA ", "Nguồn nước sinh hoạt", "nguon nuoc sinh hoat", "Ghi chú", ""]
                .iter()
                .map(|s| s.to_string())
                .collect();
        let (cols, issues) = Columns::resolve(&headers, &HOUSEHOLD_COLUMNS);
        assert_eq!(cols.index[h::HOUSEHOLD_ID], Some(0));
        assert_eq!(cols.index[h::COMMUNE_CODE], Some(1));
        assert_eq!(cols.names[h::COMMUNE_CODE], "MA XA");
        assert_eq!(cols.index[h::WATER], Some(2));
        assert_eq!(cols.index[h::AREA], None);
        assert_eq!(cols.names[h::AREA], "area");
        assert_eq!(
            issues,
            vec![
                HeaderIssue::Duplicate { spec: h::WATER, name: "nguon nuoc sinh hoat".into() },
                HeaderIssue::Unknown { name: "Ghi chú".into() },
            ]
        );
    }

    #[test]
    fn every_label_and_key_is_distinct_within_a_file() {
        for specs in [&HOUSEHOLD_COLUMNS[..], &MEMBER_COLUMNS[..]] {
            let mut all: Vec<String> = specs
                .iter()
                .flat_map(|s| {
                    let mut v = vec![header_key(s.key), header_key(s.label_vi)];
                    v.extend(s.aliases.iter().map(|a| header_key(a)));
                    v
                })
                .collect();
            let n = all.len();
            all.sort();
            all.dedup();
            assert_eq!(all.len(), n);
        }
    }
}
