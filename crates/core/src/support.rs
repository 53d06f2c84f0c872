//! Support received (*hỗ trợ đã nhận*): what a household or one of its members received — a
//! health-insurance card, a tuition exemption, a policy loan, a house built — in the review
//! forms' six groups (health, education, production, credit, housing, other), which form 8 counts
//! and the coverage indicators read. The kinds and their group are defined once here.

/// The review forms' six groups of support, in the schema's order (`support_health` …
/// `support_other`: the form-8 fields after the local ethnic minority).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SupportGroup {
    Health,
    Education,
    Production,
    Credit,
    Housing,
    Other,
}

impl SupportGroup {
    pub const ALL: [SupportGroup; 6] = [
        SupportGroup::Health,
        SupportGroup::Education,
        SupportGroup::Production,
        SupportGroup::Credit,
        SupportGroup::Housing,
        SupportGroup::Other,
    ];

    pub fn key(self) -> &'static str {
        match self {
            SupportGroup::Health => "health",
            SupportGroup::Education => "education",
            SupportGroup::Production => "production",
            SupportGroup::Credit => "credit",
            SupportGroup::Housing => "housing",
            SupportGroup::Other => "other",
        }
    }

    /// The household field of the interchange format that records it (`support_health`).
    pub fn field(self) -> String {
        format!("support_{}", self.key())
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            SupportGroup::Health => "Y tế",
            SupportGroup::Education => "Giáo dục",
            SupportGroup::Production => "Sản xuất",
            SupportGroup::Credit => "Tín dụng",
            SupportGroup::Housing => "Nhà ở",
            SupportGroup::Other => "Khác",
        }
    }

    /// Its bit in a household's support mask (bit `i` for the `i`-th of [`SupportGroup::ALL`]).
    pub fn bit(self) -> i64 {
        1 << (self as u32)
    }
}

/// A kind of support.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SupportKind {
    pub key: &'static str,
    pub label_vi: &'static str,
    pub label_en: &'static str,
    pub group: SupportGroup,
    /// Received by a person (a member number is required): a card, an exemption, a course.
    pub per_person: bool,
    /// Has an amount of đồng (a loan, a house).
    pub amount: bool,
    /// Other spellings read in files.
    pub aliases: &'static [&'static str],
}

const fn kind(
    key: &'static str,
    label_vi: &'static str,
    label_en: &'static str,
    group: SupportGroup,
    per_person: bool,
    amount: bool,
    aliases: &'static [&'static str],
) -> SupportKind {
    SupportKind { key, label_vi, label_en, group, per_person, amount, aliases }
}

/// Every kind of support, by group. The group of training and job placement (education,
/// production) is this project's reading of the review forms' groups: unverified.
pub const SUPPORT_KINDS: &[SupportKind] = &[
    kind(
        "health_insurance_card",
        "Cấp thẻ bảo hiểm y tế",
        "Health-insurance card",
        SupportGroup::Health,
        true,
        false,
        &["thẻ bhyt", "bhyt", "bảo hiểm y tế"],
    ),
    kind(
        "medical_cost",
        "Hỗ trợ chi phí khám chữa bệnh",
        "Medical costs",
        SupportGroup::Health,
        true,
        true,
        &["khám chữa bệnh"],
    ),
    kind("nutrition", "Hỗ trợ dinh dưỡng", "Nutrition support", SupportGroup::Health, true, false, &["dinh dưỡng"]),
    kind(
        "tuition_exemption",
        "Miễn, giảm học phí",
        "Tuition exemption or reduction",
        SupportGroup::Education,
        true,
        false,
        &["miễn giảm học phí", "học phí"],
    ),
    kind(
        "study_cost",
        "Hỗ trợ chi phí học tập",
        "Study costs",
        SupportGroup::Education,
        true,
        true,
        &["chi phí học tập"],
    ),
    kind(
        "vocational_training",
        "Đào tạo nghề",
        "Vocational training course",
        SupportGroup::Education,
        true,
        false,
        &["học nghề", "đào tạo nghề"],
    ),
    kind(
        "production_support",
        "Hỗ trợ phát triển sản xuất (giống, vật tư, máy móc)",
        "Production support (seeds, livestock, inputs, tools)",
        SupportGroup::Production,
        false,
        true,
        &["phát triển sản xuất", "giống", "vật tư"],
    ),
    kind(
        "job_placement",
        "Giới thiệu, giải quyết việc làm",
        "Job placement",
        SupportGroup::Production,
        true,
        false,
        &["việc làm", "giải quyết việc làm"],
    ),
    kind(
        "policy_loan",
        "Vay vốn tín dụng chính sách",
        "Policy loan",
        SupportGroup::Credit,
        false,
        true,
        &["vay vốn", "tín dụng", "vay nhcsxh"],
    ),
    kind(
        "house_built",
        "Xây mới nhà ở",
        "House built",
        SupportGroup::Housing,
        false,
        true,
        &["xây nhà", "làm nhà mới"],
    ),
    kind("house_repaired", "Sửa chữa nhà ở", "House repaired", SupportGroup::Housing, false, true, &["sửa nhà"]),
    kind("legal_aid", "Trợ giúp pháp lý", "Legal aid", SupportGroup::Other, false, false, &["pháp lý"]),
    kind(
        "electricity",
        "Hỗ trợ tiền điện",
        "Electricity support",
        SupportGroup::Other,
        false,
        true,
        &["tiền điện", "điện"],
    ),
    kind(
        "information_access",
        "Hỗ trợ tiếp cận thông tin",
        "Access to information",
        SupportGroup::Other,
        false,
        false,
        &["thông tin"],
    ),
    kind("social_allowance", "Trợ cấp xã hội", "Social allowance", SupportGroup::Other, true, true, &["trợ cấp"]),
    kind("other", "Hỗ trợ khác", "Other support", SupportGroup::Other, false, true, &["khác"]),
];

/// The kind of `text`: its key, its Vietnamese name or an alias, with or without diacritics.
pub fn support_kind(text: &str) -> Option<&'static SupportKind> {
    let f = crate::text::fold(text);
    SUPPORT_KINDS.iter().find(|k| {
        f == k.key
            || f == crate::text::fold(k.label_vi)
            || f == crate::text::fold(k.label_en)
            || k.aliases.iter().any(|a| crate::text::fold(a) == f)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_groups_are_form_8_s_support_fields_in_their_order() {
        let fields: Vec<&str> = crate::report::form8_fields().iter().map(|f| f.key).collect();
        let groups: Vec<String> = SupportGroup::ALL.iter().map(|g| g.field()).collect();
        assert_eq!(fields[1..], groups.iter().map(String::as_str).collect::<Vec<_>>()[..]);
        assert_eq!(SupportGroup::Housing.bit(), 16);
    }

    #[test]
    fn kinds_are_read_by_key_name_or_alias() {
        assert_eq!(support_kind("Thẻ BHYT").map(|k| k.key), Some("health_insurance_card"));
        assert_eq!(support_kind("vay von").map(|k| k.group), Some(SupportGroup::Credit));
        assert_eq!(support_kind("policy_loan").map(|k| k.amount), Some(true));
        assert!(support_kind("phép màu").is_none());
        let keys: std::collections::HashSet<&str> = SUPPORT_KINDS.iter().map(|k| k.key).collect();
        assert_eq!(keys.len(), SUPPORT_KINDS.len());
    }
}
