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
    // A key as written: no folding (an agency's list of a million rows names kinds by key).
    if let Some(k) = SUPPORT_KINDS.iter().find(|k| k.key == text) {
        return Some(k);
    }
    // Every name folded once, in the kinds' order (the first kind a name matches wins).
    static NAMES: std::sync::LazyLock<Vec<(String, &'static SupportKind)>> = std::sync::LazyLock::new(|| {
        SUPPORT_KINDS
            .iter()
            .flat_map(|k| {
                [k.key.to_string(), crate::text::fold(k.label_vi), crate::text::fold(k.label_en)]
                    .into_iter()
                    .chain(k.aliases.iter().map(|a| crate::text::fold(a)))
                    .map(move |name| (name, k))
            })
            .collect()
    });
    let f = crate::text::fold(text);
    NAMES.iter().find(|(name, _)| *name == f).map(|(_, k)| *k)
}

/// What the households of one group on a list received of one kind in a year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reach {
    /// Households that received it.
    pub households: u64,
    /// Persons who received it (a kind received by a household counts none).
    pub persons: u64,
    /// Records (a household repaired twice counts twice).
    pub records: u64,
    /// Đồng, the records' amounts added up.
    pub amount: u64,
}

impl Reach {
    fn add(&mut self, o: &Reach) {
        self.households += o.households;
        self.persons += o.persons;
        self.records += o.records;
        self.amount += o.amount;
    }
}

/// The coverage of support (*độ bao phủ chính sách hỗ trợ*) in a unit: the poor and near-poor
/// households and persons of the list in force (indexed like [`crate::report::Group::ALL`]),
/// and what they received in the year — by kind (indexed like [`SUPPORT_KINDS`]) and any.
/// Units add up: a household is counted in its own unit only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportCoverage {
    pub households: [u64; 2],
    pub persons: [u64; 2],
    /// Households that received any support in the year.
    pub reached_any: [u64; 2],
    pub reached: Vec<[Reach; 2]>,
}

impl Default for SupportCoverage {
    fn default() -> Self {
        SupportCoverage {
            households: [0; 2],
            persons: [0; 2],
            reached_any: [0; 2],
            reached: vec![[Reach::default(); 2]; SUPPORT_KINDS.len()],
        }
    }
}

/// One line of a coverage table: a kind (or any support) with its reach among the poor and the
/// near-poor together.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageLine {
    /// The kind, `None` for any support.
    pub kind: Option<&'static SupportKind>,
    pub reach: Reach,
    /// Households reached over the list's poor and near-poor households, %.
    pub households_pct: Option<f64>,
    /// Persons reached over the list's poor and near-poor persons, % (kinds received by a
    /// person).
    pub persons_pct: Option<f64>,
}

fn pct(n: u64, d: u64) -> Option<f64> {
    (d > 0).then(|| n as f64 * 100.0 / d as f64)
}

impl SupportCoverage {
    /// The index of `key` in [`SUPPORT_KINDS`].
    pub fn kind_index(key: &str) -> Option<usize> {
        SUPPORT_KINDS.iter().position(|k| k.key == key)
    }

    /// Adds another unit's coverage.
    pub fn merge(&mut self, o: &SupportCoverage) {
        for g in 0..2 {
            self.households[g] += o.households[g];
            self.persons[g] += o.persons[g];
            self.reached_any[g] += o.reached_any[g];
        }
        for (mine, theirs) in self.reached.iter_mut().zip(&o.reached) {
            for g in 0..2 {
                mine[g].add(&theirs[g]);
            }
        }
    }

    /// The poor and near-poor households of the list.
    pub fn list_households(&self) -> u64 {
        self.households[0] + self.households[1]
    }

    /// The persons of the list's poor and near-poor households.
    pub fn list_persons(&self) -> u64 {
        self.persons[0] + self.persons[1]
    }

    /// What the poor and near-poor together received of kind `i`.
    pub fn reach_of(&self, i: usize) -> Reach {
        let mut r = Reach::default();
        if let Some(both) = self.reached.get(i) {
            r.add(&both[0]);
            r.add(&both[1]);
        }
        r
    }

    /// Persons reached by `key` over the list's persons, % (`None`: no one on the list, or
    /// not a kind).
    pub fn persons_pct(&self, key: &str) -> Option<f64> {
        let i = Self::kind_index(key)?;
        pct(self.reach_of(i).persons, self.list_persons())
    }

    /// Households reached by `key` (`"any"`: any support) over the list's households, %.
    pub fn households_pct(&self, key: &str) -> Option<f64> {
        if key == "any" {
            return pct(self.reached_any[0] + self.reached_any[1], self.list_households());
        }
        let i = Self::kind_index(key)?;
        pct(self.reach_of(i).households, self.list_households())
    }

    /// The coverage table: any support first, then each kind in [`SUPPORT_KINDS`]' order.
    pub fn lines(&self) -> Vec<CoverageLine> {
        let any = Reach { households: self.reached_any[0] + self.reached_any[1], ..Reach::default() };
        let mut out = vec![CoverageLine {
            kind: None,
            reach: any,
            households_pct: pct(any.households, self.list_households()),
            persons_pct: None,
        }];
        for (i, k) in SUPPORT_KINDS.iter().enumerate() {
            let reach = self.reach_of(i);
            out.push(CoverageLine {
                kind: Some(k),
                reach,
                households_pct: pct(reach.households, self.list_households()),
                persons_pct: if k.per_person { pct(reach.persons, self.list_persons()) } else { None },
            });
        }
        out
    }
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

    #[test]
    fn coverage_adds_up_units_and_measures_persons_and_households() {
        let card = SupportCoverage::kind_index("health_insurance_card").expect("a kind");
        let mut a = SupportCoverage { households: [3, 1], persons: [12, 4], reached_any: [2, 0], ..Default::default() };
        a.reached[card][0] = Reach { households: 2, persons: 6, records: 6, amount: 0 };
        let mut b = SupportCoverage { households: [1, 0], persons: [4, 0], reached_any: [1, 0], ..Default::default() };
        b.reached[card][0] = Reach { households: 1, persons: 4, records: 4, amount: 0 };
        a.merge(&b);
        assert_eq!((a.list_households(), a.list_persons()), (5, 20));
        assert_eq!(a.persons_pct("health_insurance_card"), Some(50.0));
        assert_eq!(a.households_pct("health_insurance_card"), Some(60.0));
        assert_eq!(a.households_pct("any"), Some(60.0));
        assert_eq!(a.households_pct("policy_loan"), Some(0.0));
        assert_eq!(a.persons_pct("no_such_kind"), None);
        assert_eq!(SupportCoverage::default().households_pct("any"), None);
        let lines = a.lines();
        assert_eq!(lines.len(), SUPPORT_KINDS.len() + 1);
        assert!(lines[0].kind.is_none());
        let loan = lines.iter().find(|l| l.kind.is_some_and(|k| k.key == "policy_loan")).expect("loans");
        assert_eq!(loan.persons_pct, None, "a loan is received by a household");
    }
}
