//! Problems found while reading: where (file, sheet, row, column, value), what, and a message
//! in Vietnamese and in English.

use std::fmt;

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    /// The row (and so its household) cannot be used.
    Error,
    /// Worth a look; the data was used.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn key(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// What kind of problem: a stable code beside the free-text messages, for programs and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProblemKind {
    /// The file or sheet has no header row.
    EmptyFile,
    /// The workbook has no sheet of that name.
    MissingSheet,
    /// A required column is absent from the header.
    MissingColumn,
    /// Two header cells name the same column; the first is used.
    DuplicateColumn,
    /// A header that is not part of the format; the column is ignored (warning).
    UnknownColumn,
    /// A CSV row with more or fewer fields than the header.
    RaggedRow,
    /// Bytes that are not UTF-8.
    InvalidUtf8,
    /// A value longer than its field allows (`FIELD_LIMITS`).
    TooLong,
    /// A control character (NUL, tab, a line break where none is allowed, …) in a value.
    ControlCharacter,
    /// A required value is empty.
    MissingValue,
    /// A value outside the column's list of codes.
    InvalidCode,
    /// Not a boolean.
    InvalidBool,
    /// Not a number of the expected kind.
    InvalidNumber,
    /// A number outside its allowed range.
    OutOfRange,
    /// Not a date in an accepted form.
    InvalidDate,
    /// Born after the reference date.
    BirthAfterReference,
    /// Older than 120 years at the reference date.
    ImplausibleAge,
    /// A commune code that is not 5 digits.
    InvalidCommuneCode,
    /// A 5-digit commune code in neither administrative-unit list.
    UnknownCommune,
    /// An identification number that is not 12 digits.
    InvalidIdNumber,
    /// Neither income per capita nor score A.
    NoIncomeTest,
    /// A household id seen before in the file.
    DuplicateHousehold,
    /// A member number seen before in the same household.
    DuplicateMemberNo,
    /// A household with no member whose relation is `head`.
    NoHead,
    /// A household with more than one `head`.
    SeveralHeads,
    /// A household with no members.
    NoMembers,
    /// A member whose household id is not in the households file.
    HouseholdNotFound,
    /// An ethnic group not in the list of 54; counted as an ethnic minority (warning).
    UnknownEthnicity,
    /// The members file is not in household order; it was joined in memory (warning).
    MembersOutOfOrder,
    /// Read correctly, but the standard cannot classify it (e.g. score A only under a standard
    /// with no score-A anchor).
    NotClassifiable,
    /// The same personal ID number in two households of a review period (registry import).
    DuplicateIdNumber,
    /// The same person (name without diacritics and birth date) in two households of one
    /// commune in a review period (registry import).
    DuplicatePerson,
    /// An ID number whose digits contradict the member's sex or birth year (warning).
    IdNumberMismatch,
    /// Answers for a household the registry says merged away before the period, or split off
    /// only after it (registry import).
    LinkContradiction,
    /// A household in an area the user may not change (registry import).
    OutOfScope,
    /// A household someone else changed since it was read, or that already exists although it
    /// was meant to be added (registry edit): nothing was overwritten.
    StaleEdit,
    /// A household of a commune whose lists for the period are locked by the commune chair's
    /// decision: changes go through a regular review round (registry import and edit).
    Locked,
    /// A row of a review step the registry refused (not on the list, a step out of order, …).
    Refused,
}

/// One problem, located as the user sees it in a spreadsheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// What kind of problem (stable, for programs).
    pub kind: ProblemKind,
    /// File name (without directories).
    pub file: String,
    /// Sheet name, for workbooks.
    pub sheet: Option<String>,
    /// 1-based row as a spreadsheet shows it: the header is row 1, the first data row is row 2.
    /// 0 for problems about the whole file.
    pub row: u64,
    /// Column header as written in the file, or the column key when the column is absent.
    pub column: String,
    /// The offending value as written (trimmed), or empty.
    pub value: String,
    /// The code of the household the row belongs to, when known.
    pub household_code: Option<String>,
    /// What is wrong and what is expected, in Vietnamese.
    pub message_vi: String,
    /// The same in English.
    pub message_en: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(s) = &self.sheet {
            write!(f, " [{s}]")?;
        }
        if self.row > 0 {
            write!(f, ", dòng/row {}", self.row)?;
        }
        if !self.column.is_empty() {
            write!(f, ", cột/column {}", self.column)?;
        }
        write!(f, ": {} / {}", self.message_vi, self.message_en)
    }
}

/// Where problems of one file (or sheet) are located.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct FileCtx {
    pub file: String,
    pub sheet: Option<String>,
}

/// At most this many errors, and as many warnings, are kept in a report; the rest are counted.
pub const MAX_PROBLEMS: usize = 100_000;

/// Collects problems up to [`MAX_PROBLEMS`] of each severity, counting the rest.
#[derive(Debug, Default)]
pub(crate) struct Collector {
    pub errors: Vec<Problem>,
    pub warnings: Vec<Problem>,
    pub errors_total: u64,
    pub warnings_total: u64,
}

impl Collector {
    /// Adds a problem; `make` runs only when the problem will be kept.
    pub fn push(&mut self, severity: Severity, make: impl FnOnce() -> Problem) {
        let (list, total) = match severity {
            Severity::Error => (&mut self.errors, &mut self.errors_total),
            Severity::Warning => (&mut self.warnings, &mut self.warnings_total),
        };
        *total += 1;
        if list.len() < MAX_PROBLEMS {
            list.push(make());
        }
    }

    pub fn append(&mut self, other: Collector) {
        self.errors_total += other.errors_total;
        self.warnings_total += other.warnings_total;
        self.errors.extend(other.errors);
        self.warnings.extend(other.warnings);
    }
}

/// A message in both languages.
pub(crate) struct Msg {
    pub vi: String,
    pub en: String,
}

/// Message texts. `label` is the Vietnamese column label, `key` the English key.
pub(crate) mod msg {
    use super::Msg;

    fn m(vi: String, en: String) -> Msg {
        Msg { vi, en }
    }

    pub fn empty_file() -> Msg {
        m("Tệp không có dòng tiêu đề (tệp rỗng).".into(), "The file has no header row (empty file).".into())
    }

    pub fn missing_sheet(names: &str) -> Msg {
        m(format!("Không tìm thấy trang tính {names}."), format!("No sheet named {names}."))
    }

    pub fn missing_column(label: &str, key: &str) -> Msg {
        m(format!("Thiếu cột bắt buộc: {label} ({key})."), format!("Missing required column: {key} ({label})."))
    }

    pub fn missing_income_columns() -> Msg {
        m(
            "Thiếu cột: cần ít nhất một trong hai cột Thu nhập bình quân đầu người/tháng (income_per_capita) hoặc Điểm A (score_a).".into(),
            "Missing column: at least one of income_per_capita or score_a is required.".into(),
        )
    }

    pub fn missing_age_column(label: &str, key: &str, ages: &str) -> Msg {
        m(
            format!("Thiếu cột {label} ({key}), bắt buộc với thành viên {ages} tuổi."),
            format!("Missing column {key} ({label}), required for members aged {ages}."),
        )
    }

    pub fn duplicate_column(key: &str, first: &str) -> Msg {
        m(
            format!("Cột {key} xuất hiện hai lần; dùng cột đầu tiên ('{first}')."),
            format!("Column {key} appears twice; the first ('{first}') is used."),
        )
    }

    pub fn unknown_column(name: &str) -> Msg {
        m(
            format!("Cột '{name}' không thuộc định dạng và bị bỏ qua."),
            format!("Column '{name}' is not part of the format and is ignored."),
        )
    }

    pub fn ragged_row(found: usize, expected: usize) -> Msg {
        m(
            format!("Dòng có {found} trường nhưng tiêu đề có {expected} cột."),
            format!("The row has {found} fields but the header has {expected} columns."),
        )
    }

    pub fn too_long(label: &str, key: &str, n: usize, max: usize) -> Msg {
        m(
            format!("Giá trị cột {label} dài {n} ký tự; tối đa {max} ký tự."),
            format!("The value of {key} is {n} characters long; at most {max} are allowed."),
        )
    }

    pub fn control_character(label: &str, key: &str, code: &str) -> Msg {
        m(
            format!("Giá trị cột {label} chứa ký tự điều khiển {code} (NUL, tab, xuống dòng…), không được phép."),
            format!(
                "The value of {key} contains the control character {code} (NUL, tab, line break…), which is not allowed."
            ),
        )
    }

    pub fn invalid_utf8(key: &str) -> Msg {
        m(
            format!("Giá trị cột {key} không phải văn bản UTF-8 (hãy lưu tệp dạng CSV UTF-8)."),
            format!("The value of {key} is not UTF-8 text (save the file as CSV UTF-8)."),
        )
    }

    pub fn missing_value(label: &str, key: &str) -> Msg {
        m(format!("Thiếu giá trị bắt buộc cho {label}."), format!("Missing required value for {key}."))
    }

    pub fn missing_value_for_age(label: &str, key: &str, ages: &str) -> Msg {
        m(
            format!("Thiếu giá trị cho {label} (bắt buộc với thành viên {ages} tuổi)."),
            format!("Missing value for {key} (required for members aged {ages})."),
        )
    }

    pub fn invalid_code(label: &str, key: &str, value: &str, expected: &str) -> Msg {
        m(
            format!("Giá trị không hợp lệ cho {label}: '{value}'. Giá trị hợp lệ: {expected}."),
            format!("Invalid value for {key}: '{value}'. Expected one of: {expected}."),
        )
    }

    pub fn invalid_bool(label: &str, key: &str, value: &str) -> Msg {
        m(
            format!(
                "Giá trị không hợp lệ cho {label}: '{value}'. Giá trị hợp lệ: 1/0, có/không, true/false, yes/no, x."
            ),
            format!("Invalid value for {key}: '{value}'. Expected a boolean: 1/0, có/không, true/false, yes/no, x."),
        )
    }

    pub fn invalid_number(label: &str, key: &str, value: &str, what_vi: &str, what_en: &str) -> Msg {
        m(
            format!("Giá trị không hợp lệ cho {label}: '{value}'. Cần {what_vi}."),
            format!("Invalid value for {key}: '{value}'. Expected {what_en}."),
        )
    }

    pub fn out_of_range(label: &str, key: &str, value: &str, range: &str) -> Msg {
        m(
            format!("Giá trị ngoài khoảng cho {label}: '{value}'. Khoảng hợp lệ: {range}."),
            format!("Value out of range for {key}: '{value}'. Allowed: {range}."),
        )
    }

    pub fn invalid_date(label: &str, key: &str, value: &str) -> Msg {
        m(
            format!("Ngày không hợp lệ cho {label}: '{value}'. Dạng hợp lệ: YYYY-MM-DD, DD/MM/YYYY hoặc năm YYYY."),
            format!("Invalid date for {key}: '{value}'. Accepted: YYYY-MM-DD, DD/MM/YYYY or a bare year YYYY."),
        )
    }

    pub fn birth_after_reference(value: &str, as_of: &str) -> Msg {
        m(
            format!("Ngày sinh '{value}' sau ngày tham chiếu {as_of}."),
            format!("Birth date '{value}' is after the reference date {as_of}."),
        )
    }

    pub fn implausible_age(value: &str, age: i32) -> Msg {
        m(
            format!("Ngày sinh '{value}' cho tuổi {age}, trên 120 tuổi: kiểm tra lại."),
            format!("Birth date '{value}' gives age {age}, over 120: please check."),
        )
    }

    pub fn invalid_commune_code(value: &str) -> Msg {
        m(
            format!("Mã xã '{value}' không hợp lệ: cần đúng 5 chữ số (ví dụ 00004)."),
            format!("Invalid commune_code '{value}': expected exactly 5 digits (e.g. 00004)."),
        )
    }

    pub fn unknown_commune(value: &str) -> Msg {
        m(
            format!("Mã xã '{value}' không có trong danh mục đơn vị hành chính (2024 hoặc 2025)."),
            format!("commune_code '{value}' is in neither administrative-unit list (2024 or 2025)."),
        )
    }

    pub fn invalid_id_number(value: &str) -> Msg {
        m(
            format!(
                "Số định danh/CCCD '{value}' không hợp lệ: cần đúng 12 chữ số (định dạng ô là Văn bản trong Excel)."
            ),
            format!("Invalid id_number '{value}': expected exactly 12 digits (format the column as Text in Excel)."),
        )
    }

    pub fn no_income_test() -> Msg {
        m(
            "Cần ít nhất một trong hai giá trị: Thu nhập bình quân đầu người/tháng hoặc Điểm A (B1).".into(),
            "At least one of income_per_capita or score_a is required.".into(),
        )
    }

    pub fn duplicate_household(id: &str, first_row: u64) -> Msg {
        m(
            format!("Mã hộ '{id}' bị trùng (đã có ở dòng {first_row})."),
            format!("Duplicate household_id '{id}' (first at row {first_row})."),
        )
    }

    pub fn duplicate_member_no(no: u16, id: &str) -> Msg {
        m(format!("STT {no} bị trùng trong hộ '{id}'."), format!("member_no {no} appears twice in household '{id}'."))
    }

    pub fn no_head(id: &str) -> Msg {
        m(
            format!("Hộ '{id}' không có thành viên nào là chủ hộ (head)."),
            format!("Household '{id}' has no member with relation 'head'."),
        )
    }

    pub fn several_heads(id: &str) -> Msg {
        m(
            format!("Hộ '{id}' có nhiều hơn một chủ hộ (head)."),
            format!("Household '{id}' has more than one member with relation 'head'."),
        )
    }

    pub fn no_members(id: &str) -> Msg {
        m(
            format!("Hộ '{id}' không có thành viên nào trong tệp thành viên."),
            format!("Household '{id}' has no members in the members file."),
        )
    }

    pub fn household_not_found(id: &str) -> Msg {
        m(format!("Không tìm thấy hộ '{id}' trong tệp hộ."), format!("Household '{id}' is not in the households file."))
    }

    pub fn unknown_ethnicity(value: &str) -> Msg {
        m(
            format!("Dân tộc '{value}' không có trong danh mục 54 dân tộc; được tính là dân tộc thiểu số."),
            format!("Ethnic group '{value}' is not one of the 54 listed groups; counted as an ethnic minority."),
        )
    }

    pub fn members_out_of_order() -> Msg {
        m(
            "Tệp thành viên không xếp theo thứ tự hộ như tệp hộ; đã ghép trong bộ nhớ (chậm hơn, tốn bộ nhớ hơn).".into(),
            "The members file is not grouped in the order of the households file; it was joined in memory (slower, uses more memory).".into(),
        )
    }
}
