//! The household and member schema (*cấu trúc phiếu hộ*), written once: every field of the
//! interchange format with its Vietnamese and English labels, accepted headers, kind of value
//! (and so its coded values), whether it is personal data, where it lives and which official
//! forms group by it.
//!
//! Everything else derives from these two tables: the interchange columns and header matching
//! (`vuonlen_io::header`), the readers' checks of [recorded](Storage::Recorded) fields, the
//! writer's cells, the store's column lists and canonical values, the web form's inputs and
//! labels, and the API's OpenAPI schema of a household's answers.
//!
//! Two kinds of field:
//! - [`Storage::Engine`] fields are read by the standards (`standards/*.toml` name them in their
//!   rules): they are typed members of [`crate::Household`] and [`crate::Member`], read by the
//!   compiled rules and by the readers' fast paths.
//! - [`Storage::Recorded`] fields are recorded for the review forms, plans and reports but read
//!   by no standard: they live in [`Recorded`] values, checked by their [`Kind`], stored in a
//!   column named by their key. **Adding one** takes a line in [`HOUSEHOLD_FIELDS`] and a
//!   migration adding its column (see docs/architecture.md, "Where do I add a field").

use crate::codes::{Area, Disability, Education, Employment, Latrine, PovertyCause, Relation, Sex, WaterSource};

/// Which file and record a field belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    /// The households file (*hộ*).
    Household,
    /// The members file (*thành viên*).
    Member,
}

/// One coded value: its key and Vietnamese label.
pub type Choice = (&'static str, &'static str);

/// The kind of a field's value, which fixes how it is read, checked, written and entered.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// Free text (bounds: `vuonlen_io::limits`).
    Text,
    /// A household code (*mã hộ*).
    HouseholdCode,
    /// A 5-digit commune code of the 2024 or 2025 list.
    CommuneCode,
    /// A whole number of đồng ≥ 0.
    Amount,
    /// A whole number in `min..=max`.
    Whole { min: u64, max: u64 },
    /// A decimal number ≥ 0.
    Decimal,
    /// A date, or a year alone.
    Date,
    /// A 12-digit personal ID number.
    IdNumber,
    /// Yes or no (`1`/`0`, `có`/`không`, …).
    YesNo,
    /// One of a list of codes.
    Choice(fn() -> Vec<Choice>),
    /// Several codes separated by `;`.
    ChoiceList(fn() -> Vec<Choice>),
}

impl Kind {
    /// The coded values of a choice, empty for other kinds.
    pub fn choices(self) -> Vec<Choice> {
        match self {
            Kind::Choice(f) | Kind::ChoiceList(f) => f(),
            _ => Vec::new(),
        }
    }
}

/// Whether a field must be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// Its column must be in the file and its cell filled.
    Required,
    /// Its column may be left out and its cell left empty.
    Optional,
    /// Required in some cases the reader knows (an age range, a standard that reads it, one of
    /// income and score).
    Conditional,
}

/// Where a field's value lives in memory and in the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    /// A key or registry field kept beside the facts (codes, village, names, causes).
    Registry,
    /// A typed field of [`crate::Household`] or [`crate::Member`] that the standards read.
    Engine,
    /// A recorded field (see the module documentation), at this index of [`Recorded`].
    Recorded(usize),
}

/// One field of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// English key: the interchange column, the API's JSON key and the store's column.
    pub key: &'static str,
    pub entity: Entity,
    /// Vietnamese label: the interchange header and the form's label.
    pub label_vi: &'static str,
    /// English label.
    pub label_en: &'static str,
    /// Other accepted headers.
    pub aliases: &'static [&'static str],
    pub kind: Kind,
    pub presence: Presence,
    /// Personal data (names, ID numbers, addresses): never logged, left out when a reader is
    /// asked not to keep personal data.
    pub personal: bool,
    pub storage: Storage,
    /// Official forms (Circular 07/2021, annex) that group or count by this field.
    pub forms: &'static [u8],
}

#[allow(clippy::too_many_arguments)] // one table row: every argument is a column of the table
const fn f(
    key: &'static str,
    entity: Entity,
    label_vi: &'static str,
    label_en: &'static str,
    aliases: &'static [&'static str],
    kind: Kind,
    presence: Presence,
    storage: Storage,
) -> Field {
    Field { key, entity, label_vi, label_en, aliases, kind, presence, personal: false, storage, forms: &[] }
}

impl Field {
    const fn personal(mut self) -> Field {
        self.personal = true;
        self
    }
    const fn forms(mut self, forms: &'static [u8]) -> Field {
        self.forms = forms;
        self
    }
    /// A label in English (`true`) or Vietnamese.
    pub fn label(&self, english: bool) -> &'static str {
        if english { self.label_en } else { self.label_vi }
    }
    /// Its index in [`Recorded`], for a recorded field.
    pub fn recorded_index(&self) -> Option<usize> {
        match self.storage {
            Storage::Recorded(i) => Some(i),
            _ => None,
        }
    }
}

macro_rules! choices_of {
    ($t:ty) => {{
        fn choices() -> Vec<Choice> {
            <$t>::ALL.iter().map(|c| (c.key(), c.label_vi())).collect()
        }
        choices
    }};
}

use Entity::{Household as H, Member as M};
use Presence::{Conditional, Optional, Required};
use Storage::{Engine, Recorded as R, Registry};

/// The households file, in the specification's order (`docs/household-format.md`); recorded
/// fields last.
pub const HOUSEHOLD_FIELDS: [Field; 25] = [
    f("household_id", H, "Mã hộ", "Household code", &["Mã hộ gia đình"], Kind::HouseholdCode, Required, Registry),
    f(
        "commune_code",
        H,
        "Mã xã",
        "Commune code",
        &["Mã xã/phường", "Mã đơn vị hành chính"],
        Kind::CommuneCode,
        Required,
        Registry,
    )
    .forms(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
    f("village", H, "Thôn/Tổ dân phố", "Village", &["Thôn", "Tổ dân phố", "Thôn/Tổ"], Kind::Text, Optional, Registry),
    f("area", H, "Khu vực", "Area", &[], Kind::Choice(choices_of!(Area)), Required, Engine),
    f(
        "head_name",
        H,
        "Họ tên chủ hộ",
        "Head of household",
        &["Họ và tên chủ hộ", "Chủ hộ"],
        Kind::Text,
        Required,
        Registry,
    )
    .personal(),
    f("address", H, "Địa chỉ", "Address", &[], Kind::Text, Optional, Registry).personal(),
    f(
        "income_per_capita",
        H,
        "Thu nhập bình quân đầu người/tháng",
        "Monthly income per person",
        &["Thu nhập bình quân đầu người", "Thu nhập bình quân"],
        Kind::Amount,
        Conditional,
        Engine,
    ),
    f(
        "score_a",
        H,
        "Điểm A (B1)",
        "Score A (B1)",
        &["Điểm A", "Điểm B1", "B1"],
        Kind::Whole { min: 0, max: i32::MAX as u64 },
        Conditional,
        Engine,
    ),
    f(
        "durable_structures",
        H,
        "Số kết cấu chính bền chắc",
        "Durable main structures",
        &[],
        Kind::Whole { min: 0, max: 3 },
        Required,
        Engine,
    ),
    f(
        "floor_area_m2",
        H,
        "Diện tích nhà ở (m²)",
        "Floor area (m²)",
        &["Diện tích nhà ở (m2)", "Diện tích nhà ở", "floor_area"],
        Kind::Decimal,
        Required,
        Engine,
    ),
    f(
        "water_source",
        H,
        "Nguồn nước sinh hoạt",
        "Water source",
        &[],
        Kind::Choice(choices_of!(WaterSource)),
        Required,
        Engine,
    ),
    f("latrine", H, "Loại nhà tiêu", "Latrine", &["Nhà tiêu"], Kind::Choice(choices_of!(Latrine)), Required, Engine),
    f(
        "internet_user",
        H,
        "Có thành viên sử dụng internet",
        "A member uses the internet",
        &["Sử dụng internet"],
        Kind::YesNo,
        Required,
        Engine,
    ),
    f(
        "info_devices",
        H,
        "Có phương tiện tiếp cận thông tin",
        "Has devices to access information",
        &["Phương tiện tiếp cận thông tin"],
        Kind::YesNo,
        Required,
        Engine,
    ),
    f(
        "waste_treatment",
        H,
        "Xử lý rác thải hợp vệ sinh",
        "Hygienic waste treatment",
        &["Xử lý rác thải"],
        Kind::YesNo,
        Conditional,
        Engine,
    ),
    f(
        "poverty_causes",
        H,
        "Nguyên nhân nghèo",
        "Causes of poverty",
        &[],
        Kind::ChoiceList(choices_of!(PovertyCause)),
        Optional,
        Registry,
    )
    .forms(&[7]),
    // Recorded fields (read by no standard).
    f(
        "nlndn",
        H,
        "Hộ làm nông, lâm, ngư nghiệp, diêm nghiệp",
        "Works in agriculture, forestry, fishery or salt making",
        &["Hộ làm nông lâm ngư nghiệp", "Hộ NLNDN"],
        Kind::YesNo,
        Optional,
        R(0),
    )
    .forms(&[1]),
    f(
        "local_ethnic_minority",
        H,
        "Dân tộc tại chỗ",
        "Local ethnic minority",
        &["Hộ dân tộc tại chỗ", "DTTC"],
        Kind::YesNo,
        Optional,
        R(1),
    )
    .forms(&[8]),
    f(
        "moved_in_from",
        H,
        "Chuyển đến từ xã",
        "Moved in from commune",
        &["Mã xã chuyển đến", "Chuyển đến từ"],
        Kind::CommuneCode,
        Optional,
        R(2),
    )
    .forms(&[2, 3]),
    f(
        "support_health",
        H,
        "Đã nhận hỗ trợ y tế",
        "Received health support",
        &["Hỗ trợ y tế"],
        Kind::YesNo,
        Optional,
        R(3),
    )
    .forms(&[8]),
    f(
        "support_education",
        H,
        "Đã nhận hỗ trợ giáo dục",
        "Received education support",
        &["Hỗ trợ giáo dục"],
        Kind::YesNo,
        Optional,
        R(4),
    )
    .forms(&[8]),
    f(
        "support_production",
        H,
        "Đã nhận hỗ trợ sản xuất",
        "Received production support",
        &["Hỗ trợ sản xuất"],
        Kind::YesNo,
        Optional,
        R(5),
    )
    .forms(&[8]),
    f(
        "support_credit",
        H,
        "Đã nhận hỗ trợ tín dụng",
        "Received credit support",
        &["Hỗ trợ tín dụng"],
        Kind::YesNo,
        Optional,
        R(6),
    )
    .forms(&[8]),
    f(
        "support_housing",
        H,
        "Đã nhận hỗ trợ nhà ở",
        "Received housing support",
        &["Hỗ trợ nhà ở"],
        Kind::YesNo,
        Optional,
        R(7),
    )
    .forms(&[8]),
    f(
        "support_other",
        H,
        "Đã nhận hỗ trợ khác",
        "Received other support",
        &["Hỗ trợ khác"],
        Kind::YesNo,
        Optional,
        R(8),
    )
    .forms(&[8]),
];

/// The members file, in the specification's order.
pub const MEMBER_FIELDS: [Field; 18] = [
    f("household_id", M, "Mã hộ", "Household code", &["Mã hộ gia đình"], Kind::HouseholdCode, Required, Registry),
    f("member_no", M, "STT", "Member number", &["Số thứ tự"], Kind::Whole { min: 1, max: 65535 }, Required, Engine),
    f("full_name", M, "Họ và tên", "Full name", &["Họ tên"], Kind::Text, Required, Registry).personal(),
    f(
        "relation",
        M,
        "Quan hệ với chủ hộ",
        "Relation to the head",
        &["Quan hệ"],
        Kind::Choice(choices_of!(Relation)),
        Required,
        Engine,
    ),
    f("sex", M, "Giới tính", "Sex", &[], Kind::Choice(choices_of!(Sex)), Required, Engine),
    f(
        "birth_date",
        M,
        "Ngày sinh",
        "Date of birth",
        &["Ngày tháng năm sinh", "Năm sinh"],
        Kind::Date,
        Required,
        Engine,
    ),
    f("ethnicity", M, "Dân tộc", "Ethnicity", &[], Kind::Text, Required, Engine).forms(&[8, 9, 10]),
    f(
        "id_number",
        M,
        "Số định danh/CCCD",
        "Personal ID number",
        &["Số định danh", "Số CCCD", "CCCD", "Số định danh cá nhân"],
        Kind::IdNumber,
        Optional,
        Registry,
    )
    .personal(),
    f(
        "health_insurance",
        M,
        "Có thẻ BHYT",
        "Has a health-insurance card",
        &["Thẻ BHYT", "BHYT"],
        Kind::YesNo,
        Required,
        Engine,
    ),
    f("employment", M, "Việc làm", "Employment", &[], Kind::Choice(choices_of!(Employment)), Required, Engine),
    f("able_to_work", M, "Có khả năng lao động", "Able to work", &["Khả năng lao động"], Kind::YesNo, Optional, Engine),
    f(
        "education",
        M,
        "Trình độ cao nhất",
        "Highest education",
        &["Trình độ học vấn", "Trình độ"],
        Kind::Choice(choices_of!(Education)),
        Required,
        Engine,
    ),
    f("in_school", M, "Đang đi học", "In school", &[], Kind::YesNo, Required, Engine),
    f(
        "school_on_track",
        M,
        "Học đúng cấp/bậc theo tuổi",
        "At the school level right for the age",
        &["Học đúng cấp theo tuổi"],
        Kind::YesNo,
        Conditional,
        Engine,
    ),
    f(
        "malnourished",
        M,
        "Suy dinh dưỡng (thấp còi/nhẹ cân)",
        "Malnourished (stunted or underweight)",
        &["Suy dinh dưỡng"],
        Kind::YesNo,
        Conditional,
        Engine,
    )
    .forms(&[4, 5]),
    f("disability", M, "Khuyết tật", "Disability", &[], Kind::Choice(choices_of!(Disability)), Optional, Engine),
    f(
        "social_allowance",
        M,
        "Hưởng trợ cấp xã hội hằng tháng",
        "Receives a monthly social allowance",
        &["Trợ cấp xã hội", "Hưởng trợ cấp xã hội"],
        Kind::YesNo,
        Optional,
        Engine,
    ),
    f(
        "merit",
        M,
        "Người có công với cách mạng",
        "Person with revolutionary merit",
        &["Người có công"],
        Kind::YesNo,
        Optional,
        Engine,
    ),
];

/// Number of recorded household fields.
pub const RECORDED_COUNT: usize = recorded_count(&HOUSEHOLD_FIELDS);

const fn recorded_count(fields: &[Field]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < fields.len() {
        if let Storage::Recorded(_) = fields[i].storage {
            n += 1;
        }
        i += 1;
    }
    n
}

/// Whether two strings are equal, in a constant (`==` on `str` is not `const`).
pub const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The index of field `key` in `fields`; a compile error (in a constant) when it is absent.
pub const fn index_of(fields: &[Field], key: &str) -> usize {
    let mut i = 0;
    while i < fields.len() {
        if same(fields[i].key, key) {
            return i;
        }
        i += 1;
    }
    panic!("no such field")
}

/// A household field by key.
pub fn household_field(key: &str) -> Option<&'static Field> {
    HOUSEHOLD_FIELDS.iter().find(|f| f.key == key)
}

/// A member field by key.
pub fn member_field(key: &str) -> Option<&'static Field> {
    MEMBER_FIELDS.iter().find(|f| f.key == key)
}

/// The recorded household fields, in [`Recorded`] order.
pub fn recorded_fields() -> impl Iterator<Item = &'static Field> {
    HOUSEHOLD_FIELDS.iter().filter(|f| f.recorded_index().is_some())
}

/// The values of a household's recorded fields, by [`Field::recorded_index`], in canonical
/// text: `1`/`0` for yes/no, the code for a commune, the NFC text for text; `None` when blank.
/// Empty (no allocation) when none is given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Recorded(Vec<Option<String>>);

impl Recorded {
    /// The value of recorded field `i`.
    pub fn get(&self, i: usize) -> Option<&str> {
        self.0.get(i).and_then(|v| v.as_deref())
    }

    /// A yes/no value of recorded field `i`.
    pub fn flag(&self, i: usize) -> Option<bool> {
        self.get(i).map(|v| v == "1")
    }

    /// Sets recorded field `i` (`None` clears it).
    pub fn set(&mut self, i: usize, v: Option<String>) {
        if v.is_none() && i >= self.0.len() {
            return;
        }
        if self.0.len() <= i {
            self.0.resize(i + 1, None);
        }
        self.0[i] = v;
        while self.0.last().is_some_and(Option::is_none) {
            self.0.pop();
        }
    }

    /// Whether no recorded field has a value.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Each recorded field with its value.
    pub fn iter(&self) -> impl Iterator<Item = (&'static Field, Option<&str>)> + '_ {
        recorded_fields().map(|f| (f, f.recorded_index().and_then(|i| self.get(i))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_fields_are_numbered_in_order_and_keys_are_unique() {
        let idx: Vec<usize> = recorded_fields().filter_map(|f| f.recorded_index()).collect();
        assert_eq!(idx, (0..RECORDED_COUNT).collect::<Vec<_>>());
        for fields in [&HOUSEHOLD_FIELDS[..], &MEMBER_FIELDS[..]] {
            let mut keys: Vec<&str> = fields.iter().map(|f| f.key).collect();
            keys.sort_unstable();
            let n = keys.len();
            keys.dedup();
            assert_eq!(keys.len(), n);
        }
        assert!(HOUSEHOLD_FIELDS.iter().all(|f| f.entity == Entity::Household));
        assert!(MEMBER_FIELDS.iter().all(|f| f.entity == Entity::Member));
    }

    #[test]
    fn every_field_a_standard_reads_is_an_engine_field() {
        let reg = crate::standard::Standards::embedded().expect("standards load");
        let mut checked = 0;
        for s in reg.standards() {
            for key in s.fields_read() {
                let field = household_field(key).or_else(|| member_field(key));
                let field = field.unwrap_or_else(|| panic!("standard {} reads '{key}', not in the schema", s.id));
                assert_eq!(field.storage, Storage::Engine, "{key}");
                checked += 1;
            }
        }
        assert!(checked > 10, "{checked}");
    }

    #[test]
    fn recorded_values_stay_empty_until_set_and_shrink_back() {
        let mut r = Recorded::default();
        assert!(r.is_empty());
        r.set(2, None);
        assert!(r.is_empty());
        r.set(2, Some("1".into()));
        assert_eq!(r.flag(2), Some(true));
        assert_eq!(r.get(0), None);
        r.set(2, None);
        assert!(r.is_empty());
        assert_eq!(r.iter().count(), RECORDED_COUNT);
    }
}
