//! Columns of the interchange format and header matching.
//!
//! A header cell matches a column when, after NFC, trimming, folding (case and diacritics,
//! `đ → d`) and reading `_` as a space, it equals the column's English key, its Vietnamese
//! label or one of its aliases.

use crate::limits::{FieldLimit, field_limit};
use vuonlen_core::text::fold;

/// One column of the format.
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
}

const fn col(key: &'static str, label_vi: &'static str, aliases: &'static [&'static str]) -> ColumnSpec {
    ColumnSpec { key, label_vi, aliases, limit: field_limit(key) }
}

/// Columns of the households file, in the specification's order.
pub const HOUSEHOLD_COLUMNS: [ColumnSpec; 16] = [
    col("household_id", "Mã hộ", &["Mã hộ gia đình"]),
    col("commune_code", "Mã xã", &["Mã xã/phường", "Mã đơn vị hành chính"]),
    col("village", "Thôn/Tổ dân phố", &["Thôn", "Tổ dân phố", "Thôn/Tổ"]),
    col("area", "Khu vực", &[]),
    col("head_name", "Họ tên chủ hộ", &["Họ và tên chủ hộ", "Chủ hộ"]),
    col("address", "Địa chỉ", &[]),
    col(
        "income_per_capita",
        "Thu nhập bình quân đầu người/tháng",
        &["Thu nhập bình quân đầu người", "Thu nhập bình quân"],
    ),
    col("score_a", "Điểm A (B1)", &["Điểm A", "Điểm B1", "B1"]),
    col("durable_structures", "Số kết cấu chính bền chắc", &[]),
    col("floor_area_m2", "Diện tích nhà ở (m²)", &["Diện tích nhà ở (m2)", "Diện tích nhà ở", "floor_area"]),
    col("water_source", "Nguồn nước sinh hoạt", &[]),
    col("latrine", "Loại nhà tiêu", &["Nhà tiêu"]),
    col("internet_user", "Có thành viên sử dụng internet", &["Sử dụng internet"]),
    col("info_devices", "Có phương tiện tiếp cận thông tin", &["Phương tiện tiếp cận thông tin"]),
    col("waste_treatment", "Xử lý rác thải hợp vệ sinh", &["Xử lý rác thải"]),
    col("poverty_causes", "Nguyên nhân nghèo", &[]),
];

/// Indices into [`HOUSEHOLD_COLUMNS`].
pub(crate) mod h {
    pub const HOUSEHOLD_ID: usize = 0;
    pub const COMMUNE_CODE: usize = 1;
    pub const VILLAGE: usize = 2;
    pub const AREA: usize = 3;
    pub const HEAD_NAME: usize = 4;
    pub const ADDRESS: usize = 5;
    pub const INCOME: usize = 6;
    pub const SCORE_A: usize = 7;
    pub const DURABLE: usize = 8;
    pub const FLOOR_AREA: usize = 9;
    pub const WATER: usize = 10;
    pub const LATRINE: usize = 11;
    pub const INTERNET: usize = 12;
    pub const INFO_DEVICES: usize = 13;
    pub const WASTE: usize = 14;
    pub const CAUSES: usize = 15;
    /// Columns that must be present whatever the options.
    pub const REQUIRED: [usize; 10] =
        [HOUSEHOLD_ID, COMMUNE_CODE, AREA, HEAD_NAME, DURABLE, FLOOR_AREA, WATER, LATRINE, INTERNET, INFO_DEVICES];
}

/// Columns of the members file, in the specification's order.
pub const MEMBER_COLUMNS: [ColumnSpec; 18] = [
    col("household_id", "Mã hộ", &["Mã hộ gia đình"]),
    col("member_no", "STT", &["Số thứ tự"]),
    col("full_name", "Họ và tên", &["Họ tên"]),
    col("relation", "Quan hệ với chủ hộ", &["Quan hệ"]),
    col("sex", "Giới tính", &[]),
    col("birth_date", "Ngày sinh", &["Ngày tháng năm sinh", "Năm sinh"]),
    col("ethnicity", "Dân tộc", &[]),
    col("id_number", "Số định danh/CCCD", &["Số định danh", "Số CCCD", "CCCD", "Số định danh cá nhân"]),
    col("health_insurance", "Có thẻ BHYT", &["Thẻ BHYT", "BHYT"]),
    col("employment", "Việc làm", &[]),
    col("able_to_work", "Có khả năng lao động", &["Khả năng lao động"]),
    col("education", "Trình độ cao nhất", &["Trình độ học vấn", "Trình độ"]),
    col("in_school", "Đang đi học", &[]),
    col("school_on_track", "Học đúng cấp/bậc theo tuổi", &["Học đúng cấp theo tuổi"]),
    col("malnourished", "Suy dinh dưỡng (thấp còi/nhẹ cân)", &["Suy dinh dưỡng"]),
    col("disability", "Khuyết tật", &[]),
    col("social_allowance", "Hưởng trợ cấp xã hội hằng tháng", &["Trợ cấp xã hội", "Hưởng trợ cấp xã hội"]),
    col("merit", "Người có công với cách mạng", &["Người có công"]),
];

/// Indices into [`MEMBER_COLUMNS`].
pub(crate) mod m {
    pub const HOUSEHOLD_ID: usize = 0;
    pub const MEMBER_NO: usize = 1;
    pub const FULL_NAME: usize = 2;
    pub const RELATION: usize = 3;
    pub const SEX: usize = 4;
    pub const BIRTH: usize = 5;
    pub const ETHNICITY: usize = 6;
    pub const ID_NUMBER: usize = 7;
    pub const HEALTH_INSURANCE: usize = 8;
    pub const EMPLOYMENT: usize = 9;
    pub const ABLE_TO_WORK: usize = 10;
    pub const EDUCATION: usize = 11;
    pub const IN_SCHOOL: usize = 12;
    pub const SCHOOL_ON_TRACK: usize = 13;
    pub const MALNOURISHED: usize = 14;
    pub const DISABILITY: usize = 15;
    pub const SOCIAL_ALLOWANCE: usize = 16;
    pub const MERIT: usize = 17;
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
