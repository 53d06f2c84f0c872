//! What the official reports (*biểu báo cáo*) count, per unit: forms 1 and 4–11 of the review
//! (*rà soát hộ nghèo, hộ cận nghèo*) in the layouts of domain reference §3.7.
//!
//! The registry reduces each classified household to a [`HouseholdFacts`] (from a
//! [`Classification`] and its [`Household`], or straight from stored columns: every field is
//! public), and adds the facts into one [`UnitTally`] per sub-unit; tallies of sub-units
//! [`merge`](UnitTally::merge) into the tally of their parent. A tally is a few kilobytes of
//! fixed arrays: adding a household allocates nothing and is a few dozen additions.
//!
//! The form numbering and layouts come from provincial templates seen in field use, not from the
//! appendix of Circular 07/2021/TT-BLĐTBXH itself (domain reference §3.7, numbering [U]).
//!
//! Movements between two periods (forms 2 and 3) are in [`crate::movement`].

use crate::classify::{Class, Classification, IndicatorSet, Subgroups};
use crate::codes::PovertyCause;
use crate::ethnicity::Ethnicity;
use crate::household::Household;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A standard has at most this many indicators (`Standard` validation enforces it).
pub const MAX_INDICATORS: usize = 32;

/// Slots of the per-ethnicity counts: ethnicity codes `0..ETHNICITY_SLOTS` (0 = unlisted,
/// 1 = Kinh, 2–54 the other listed groups). A code outside the range counts as unlisted.
pub const ETHNICITY_SLOTS: usize = 64;

/// Ages below this are children (*trẻ em*, under 16: Law on Children 2016, art. 1) for
/// [`ChildCounts`], as in the subgroup flags of classification.
pub const CHILD_AGE_BELOW: i32 = 16;

/// Ages from this are counted by [`ChildCounts::not_in_school`]: the primary-school entry age
/// (*tuổi vào lớp 1*, Education Law 2019 art. 28). Which ages report 11 means by "not attending
/// school" is **not verified** against the Circular 07/2021 appendix.
pub const SCHOOL_AGE_FROM: i32 = 6;

/// Ages from this are counted by [`ChildCounts::schooling_deprived`], as in the child-schooling
/// indicator of Decree 07/2021 (*trẻ em từ 3 đến dưới 16 tuổi*).
pub const SCHOOLING_INDICATOR_AGE_FROM: i32 = 3;

/// The bit of one cause in [`HouseholdFacts::causes`]: its position in [`PovertyCause::ALL`].
pub fn cause_bit(c: PovertyCause) -> u16 {
    1 << (c as u16)
}

/// The bit mask of a list of causes of poverty (*nguyên nhân nghèo*); duplicates are harmless.
pub fn causes_mask(causes: &[PovertyCause]) -> u16 {
    causes.iter().fold(0, |m, c| m | cause_bit(*c))
}

/// The causes in a mask, in [`PovertyCause::ALL`] order.
pub fn causes_of(mask: u16) -> impl Iterator<Item = PovertyCause> {
    PovertyCause::ALL.iter().copied().filter(move |c| mask & cause_bit(*c) != 0)
}

/// Children of one household and their deprivations (report 11, *trẻ em thuộc hộ nghèo, hộ cận
/// nghèo*).
///
/// Definitions (ages in completed years at the reference date; members not yet born at that
/// date are not counted). The report's column definitions are **not verified** against the
/// Circular 07/2021 appendix:
/// - `children`: under [`CHILD_AGE_BELOW`] (16);
/// - `no_health_insurance` (*không có thẻ BHYT*): a child without a valid card, at any age under
///   16 (children under 6 are entitled to a free card, so a missing card is still a gap);
/// - `malnourished` (*suy dinh dưỡng*): a child recorded as stunted or underweight; an
///   unanswered question does not count;
/// - `not_in_school` (*không đi học*): a child from [`SCHOOL_AGE_FROM`] (6) to under 16 not
///   attending school;
/// - `schooling_deprived` (*không được đi học đúng cấp*): a child from 3 to under 16 recorded as not
///   attending the level right for the age — the child-schooling indicator's own test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ChildCounts {
    pub children: u32,
    pub no_health_insurance: u32,
    pub malnourished: u32,
    pub not_in_school: u32,
    pub schooling_deprived: u32,
}

impl ChildCounts {
    /// Counts the children of `hh` at `as_of`.
    pub fn of(hh: &Household, as_of: NaiveDate) -> ChildCounts {
        let mut c = ChildCounts::default();
        for m in &hh.members {
            let age = m.birth.age_years(as_of);
            if !(0..CHILD_AGE_BELOW).contains(&age) {
                continue;
            }
            c.children += 1;
            c.no_health_insurance += u32::from(!m.health_insurance);
            c.malnourished += u32::from(m.malnourished == Some(true));
            c.not_in_school += u32::from(age >= SCHOOL_AGE_FROM && !m.in_school);
            c.schooling_deprived += u32::from(age >= SCHOOLING_INDICATOR_AGE_FROM && m.school_on_track == Some(false));
        }
        c
    }
}

/// Sums of [`ChildCounts`] over households.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ChildTotals {
    pub children: u64,
    pub no_health_insurance: u64,
    pub malnourished: u64,
    pub not_in_school: u64,
    pub schooling_deprived: u64,
}

impl ChildTotals {
    pub fn add(&mut self, c: &ChildCounts) {
        self.children += u64::from(c.children);
        self.no_health_insurance += u64::from(c.no_health_insurance);
        self.malnourished += u64::from(c.malnourished);
        self.not_in_school += u64::from(c.not_in_school);
        self.schooling_deprived += u64::from(c.schooling_deprived);
    }

    pub fn merge(&mut self, o: &ChildTotals) {
        self.children += o.children;
        self.no_health_insurance += o.no_health_insurance;
        self.malnourished += o.malnourished;
        self.not_in_school += o.not_in_school;
        self.schooling_deprived += o.schooling_deprived;
    }
}

/// Everything the reports need of one classified household. Public fields: the registry can
/// fill them from stored columns without rebuilding a [`Household`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HouseholdFacts {
    pub class: Class,
    /// *Số nhân khẩu*.
    pub persons: u32,
    /// Deprived indicators, in the standard's order.
    pub deprived: IndicatorSet,
    pub subgroups: Subgroups,
    /// Ethnicity of the head (*dân tộc của chủ hộ*).
    pub head_ethnicity: Ethnicity,
    /// Causes of poverty (*nguyên nhân nghèo*): bit `i` is `PovertyCause::ALL[i]`; see
    /// [`causes_mask`].
    pub causes: u16,
    pub children: ChildCounts,
    /// The recorded answers form 8 counts by (local ethnic minority, the six groups of support
    /// received): bit `j` is [`form8_fields`]`()[j]`; see [`form8_bits`].
    pub form8: u8,
    /// The household works in agriculture, forestry, fishery or salt making (*NLNDN*, recorded
    /// answer `nlndn`): a middle-living household counts in form 1 only then.
    pub nlndn: bool,
}

/// The recorded household fields form 8 counts by, in the schema's order: the local ethnic
/// minority (*dân tộc tại chỗ*) and the six groups of support received (health, education,
/// production, credit, housing, other) — the review software's export fields.
pub fn form8_fields() -> Vec<&'static crate::schema::Field> {
    crate::schema::recorded_fields().filter(|f| f.forms.contains(&8)).collect()
}

/// The [`HouseholdFacts::form8`] bits of a household's recorded answers.
pub fn form8_bits(recorded: &crate::schema::Recorded) -> u8 {
    form8_fields()
        .iter()
        .enumerate()
        .filter(|(_, f)| f.recorded_index().and_then(|i| recorded.flag(i)) == Some(true))
        .fold(0u8, |b, (j, _)| b | (1 << j))
}

impl HouseholdFacts {
    /// The facts of `hh`, classified as `c`, with ages at `as_of` (the reference date of the
    /// classification).
    pub fn new(c: &Classification, hh: &Household, causes: &[PovertyCause], as_of: NaiveDate) -> HouseholdFacts {
        HouseholdFacts {
            class: c.class,
            persons: c.persons,
            deprived: c.deprived,
            subgroups: c.subgroups,
            head_ethnicity: hh.head().map_or(Ethnicity::UNLISTED, |h| h.ethnicity),
            causes: causes_mask(causes),
            form8: 0,
            nlndn: false,
            children: ChildCounts::of(hh, as_of),
        }
    }
}

/// The two groups the reports break down: poor (*hộ nghèo*) and near-poor (*hộ cận nghèo*)
/// households.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Poor,
    NearPoor,
}

impl Group {
    pub const ALL: [Group; 2] = [Group::Poor, Group::NearPoor];

    /// The group of a class, if it is one.
    pub fn of(c: Class) -> Option<Group> {
        match c {
            Class::Poor => Some(Group::Poor),
            Class::NearPoor => Some(Group::NearPoor),
            Class::Middle | Class::NotPoor => None,
        }
    }

    pub fn class(self) -> Class {
        match self {
            Group::Poor => Class::Poor,
            Group::NearPoor => Class::NearPoor,
        }
    }

    /// "Hộ nghèo" / "Hộ cận nghèo".
    pub fn label_vi(self) -> &'static str {
        self.class().label_vi()
    }
}

/// The subgroup flags of report 8 (*phân tích hộ nghèo, hộ cận nghèo theo các nhóm đối
/// tượng*), in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Subgroup {
    /// *Hộ không có khả năng lao động*.
    NoLabourCapacity,
    /// *Hộ có thành viên là người có công với cách mạng*.
    Merit,
    /// *Chủ hộ là người dân tộc thiểu số*.
    EthnicMinority,
    /// *Hộ có trẻ em dưới 16 tuổi*.
    Children,
    /// *Hộ có người cao tuổi (từ 60 tuổi)*.
    Elderly,
    /// *Hộ có người khuyết tật*.
    Disabled,
}

impl Subgroup {
    pub const ALL: [Subgroup; 6] = [
        Subgroup::NoLabourCapacity,
        Subgroup::Merit,
        Subgroup::EthnicMinority,
        Subgroup::Children,
        Subgroup::Elderly,
        Subgroup::Disabled,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Subgroup::NoLabourCapacity => "no_labour_capacity",
            Subgroup::Merit => "merit",
            Subgroup::EthnicMinority => "ethnic_minority",
            Subgroup::Children => "children",
            Subgroup::Elderly => "elderly",
            Subgroup::Disabled => "disabled",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Subgroup::NoLabourCapacity => "Hộ không có khả năng lao động",
            Subgroup::Merit => "Hộ có người có công với cách mạng",
            Subgroup::EthnicMinority => "Chủ hộ là người dân tộc thiểu số",
            Subgroup::Children => "Hộ có trẻ em dưới 16 tuổi",
            Subgroup::Elderly => "Hộ có người cao tuổi",
            Subgroup::Disabled => "Hộ có người khuyết tật",
        }
    }

    /// Whether a household with these flags is in the subgroup.
    pub fn of(self, s: &Subgroups) -> bool {
        match self {
            Subgroup::NoLabourCapacity => s.no_labour_capacity,
            Subgroup::Merit => s.merit,
            Subgroup::EthnicMinority => s.ethnic_minority,
            Subgroup::Children => s.children,
            Subgroup::Elderly => s.elderly,
            Subgroup::Disabled => s.disabled,
        }
    }
}

fn slot(e: Ethnicity) -> usize {
    let i = usize::from(e.0);
    if i < ETHNICITY_SLOTS { i } else { 0 }
}

fn add_all<const N: usize>(a: &mut [u64; N], b: &[u64; N]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

/// Counts of the poor or of the near-poor households of a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupTally {
    pub households: u64,
    pub persons: u64,
    /// Households deprived in indicator `j` (standard order); reports 4–7.
    #[serde(with = "serde_arrays")]
    pub deprived: [u64; MAX_INDICATORS],
    /// Deprivations summed over households (*tổng số chỉ số thiếu hụt*).
    pub deprivations: u64,
    /// Households and persons in each [`Subgroup`], indexed like [`Subgroup::ALL`]; report 8.
    pub subgroup_households: [u64; 6],
    pub subgroup_persons: [u64; 6],
    /// Households with each recorded answer of form 8 ([`form8_fields`]); report 8.
    pub form8_households: [u64; 8],
    /// Households and persons by ethnicity of the head (index: ethnicity code); report 9.
    #[serde(with = "serde_arrays")]
    pub ethnicity_households: [u64; ETHNICITY_SLOTS],
    #[serde(with = "serde_arrays")]
    pub ethnicity_persons: [u64; ETHNICITY_SLOTS],
    /// Households citing each cause, indexed like [`PovertyCause::ALL`]; report 10. A household
    /// may cite several.
    pub cause_households: [u64; 8],
    /// Households citing no cause.
    pub no_cause_households: u64,
    /// Children of these households; report 11.
    pub children: ChildTotals,
}

impl Default for GroupTally {
    fn default() -> Self {
        GroupTally {
            households: 0,
            persons: 0,
            deprived: [0; MAX_INDICATORS],
            deprivations: 0,
            subgroup_households: [0; 6],
            subgroup_persons: [0; 6],
            form8_households: [0; 8],
            ethnicity_households: [0; ETHNICITY_SLOTS],
            ethnicity_persons: [0; ETHNICITY_SLOTS],
            cause_households: [0; 8],
            no_cause_households: 0,
            children: ChildTotals::default(),
        }
    }
}

impl GroupTally {
    /// Adds `households` households that share `f`'s class, deprivations, subgroups, head
    /// ethnicity and causes, with `persons` persons and `children` in all.
    fn add_many(&mut self, f: &HouseholdFacts, households: u64, persons: u64, children: &ChildTotals) {
        let (n, p) = (households, persons);
        self.households += n;
        self.persons += p;
        let mut bits = f.deprived.0;
        self.deprivations += u64::from(bits.count_ones()) * n;
        while bits != 0 {
            let j = bits.trailing_zeros() as usize;
            self.deprived[j] += n;
            bits &= bits - 1;
        }
        for j in 0..8 {
            if f.form8 & (1 << j) != 0 {
                self.form8_households[j] += n;
            }
        }
        for (i, g) in Subgroup::ALL.iter().enumerate() {
            if g.of(&f.subgroups) {
                self.subgroup_households[i] += n;
                self.subgroup_persons[i] += p;
            }
        }
        let e = slot(f.head_ethnicity);
        self.ethnicity_households[e] += n;
        self.ethnicity_persons[e] += p;
        let causes = f.causes & ((1 << PovertyCause::ALL.len()) - 1);
        if causes == 0 {
            self.no_cause_households += n;
        }
        for (i, c) in self.cause_households.iter_mut().enumerate() {
            *c += u64::from(causes >> i & 1) * n;
        }
        self.children.merge(children);
    }

    fn merge(&mut self, o: &GroupTally) {
        self.households += o.households;
        self.persons += o.persons;
        add_all(&mut self.deprived, &o.deprived);
        self.deprivations += o.deprivations;
        add_all(&mut self.subgroup_households, &o.subgroup_households);
        add_all(&mut self.form8_households, &o.form8_households);
        add_all(&mut self.subgroup_persons, &o.subgroup_persons);
        add_all(&mut self.ethnicity_households, &o.ethnicity_households);
        add_all(&mut self.ethnicity_persons, &o.ethnicity_persons);
        add_all(&mut self.cause_households, &o.cause_households);
        self.no_cause_households += o.no_cause_households;
        self.children.merge(&o.children);
    }

    /// Households of the group in subgroup `g`.
    pub fn in_subgroup(&self, g: Subgroup) -> u64 {
        self.subgroup_households[g as usize]
    }

    /// Households of the group citing cause `c`.
    pub fn citing(&self, c: PovertyCause) -> u64 {
        self.cause_households[c as usize]
    }

    /// Households of the group whose head is of ethnicity `e`.
    pub fn with_head(&self, e: Ethnicity) -> u64 {
        self.ethnicity_households[slot(e)]
    }

    /// Households whose head is not Kinh (*dân tộc thiểu số*, unlisted names included).
    pub fn minority_households(&self) -> u64 {
        self.households - self.ethnicity_households[usize::from(Ethnicity::KINH.0)]
    }
}

/// A unit's resident households and persons (*số hộ dân cư, nhân khẩu*): the base of form 1's
/// rates. A review surveys listed households and applicants only, so these are an input, not a
/// count of surveys.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Residents {
    pub households: u64,
    pub persons: u64,
}

impl Residents {
    /// The sum of two units' residents.
    #[must_use]
    pub fn plus(self, o: Residents) -> Residents {
        Residents { households: self.households + o.households, persons: self.persons + o.persons }
    }
}

/// Every count of reports 1 and 4–11 for one unit (*đơn vị*: commune, district, province,
/// country). Build one per sub-unit with [`UnitTally::add`], then [`UnitTally::merge`] upwards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitTally {
    /// *Tổng số hộ dân cư*.
    pub households: u64,
    /// *Tổng số nhân khẩu*.
    pub persons: u64,
    /// Households and persons by class, indexed like [`Class::ALL`]; report 1.
    pub households_by_class: [u64; 4],
    pub persons_by_class: [u64; 4],
    /// All households by ethnicity of the head (index: ethnicity code); report 9.
    #[serde(with = "serde_arrays")]
    pub ethnicity_households: [u64; ETHNICITY_SLOTS],
    /// Middle-living households working in agriculture, forestry, fishery or salt making
    /// (*hộ NLNDN có mức sống trung bình*) and their persons; report 1, columns 7 and 13.
    pub nlndn_middle_households: u64,
    pub nlndn_middle_persons: u64,
    /// Poor and near-poor households, indexed like [`Group::ALL`].
    pub groups: [GroupTally; 2],
}

impl Default for UnitTally {
    fn default() -> Self {
        UnitTally {
            households: 0,
            persons: 0,
            households_by_class: [0; 4],
            persons_by_class: [0; 4],
            ethnicity_households: [0; ETHNICITY_SLOTS],
            nlndn_middle_households: 0,
            nlndn_middle_persons: 0,
            groups: [GroupTally::default(), GroupTally::default()],
        }
    }
}

impl UnitTally {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one household.
    pub fn add(&mut self, f: &HouseholdFacts) {
        let mut children = ChildTotals::default();
        children.add(&f.children);
        self.add_many(f, 1, u64::from(f.persons), &children);
    }

    /// Adds `households` households that share `f`'s class, deprivations, subgroups, head
    /// ethnicity and causes, with `persons` persons and `children` in all (`f.persons` and
    /// `f.children` are not read): what a `GROUP BY` over those columns gives.
    pub fn add_many(&mut self, f: &HouseholdFacts, households: u64, persons: u64, children: &ChildTotals) {
        self.households += households;
        self.persons += persons;
        self.households_by_class[f.class as usize] += households;
        self.persons_by_class[f.class as usize] += persons;
        self.ethnicity_households[slot(f.head_ethnicity)] += households;
        if f.class == Class::Middle && f.nlndn {
            self.nlndn_middle_households += households;
            self.nlndn_middle_persons += persons;
        }
        if let Some(g) = Group::of(f.class) {
            self.groups[g as usize].add_many(f, households, persons, children);
        }
    }

    /// Adds the counts of another unit (a sub-unit of this one).
    pub fn merge(&mut self, o: &UnitTally) {
        self.households += o.households;
        self.persons += o.persons;
        add_all(&mut self.households_by_class, &o.households_by_class);
        add_all(&mut self.persons_by_class, &o.persons_by_class);
        add_all(&mut self.ethnicity_households, &o.ethnicity_households);
        self.nlndn_middle_households += o.nlndn_middle_households;
        self.nlndn_middle_persons += o.nlndn_middle_persons;
        for (a, b) in self.groups.iter_mut().zip(&o.groups) {
            a.merge(b);
        }
    }

    pub fn households_in(&self, c: Class) -> u64 {
        self.households_by_class[c as usize]
    }

    pub fn persons_in(&self, c: Class) -> u64 {
        self.persons_by_class[c as usize]
    }

    pub fn group(&self, g: Group) -> &GroupTally {
        &self.groups[g as usize]
    }

    /// All households whose head is of ethnicity `e`.
    pub fn with_head(&self, e: Ethnicity) -> u64 {
        self.ethnicity_households[slot(e)]
    }

    /// Ethnicities of the head present among all households of the unit, in code order
    /// (Kinh first, unlisted names last).
    pub fn ethnicities_present(&self) -> Vec<Ethnicity> {
        let mut v: Vec<Ethnicity> =
            (1..ETHNICITY_SLOTS).filter(|&i| self.ethnicity_households[i] > 0).map(|i| Ethnicity(i as u8)).collect();
        if self.ethnicity_households[0] > 0 {
            v.push(Ethnicity::UNLISTED);
        }
        v
    }
}

/// Percentage `a / b × 100` rounded to two decimals, as the reports print rates (*tỷ lệ %*);
/// 0 when `b` is 0.
pub fn percent_2dp(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { (a as f64 * 10_000.0 / b as f64).round() / 100.0 }
}

/// Serde for arrays longer than 32 (serde implements only up to 32).
mod serde_arrays {
    use serde::de::Error;
    use serde::ser::SerializeTuple;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn deserialize<'de, D: Deserializer<'de>, const N: usize>(d: D) -> Result<[u64; N], D::Error> {
        let v = Vec::<u64>::deserialize(d)?;
        let n = v.len();
        v.try_into().map_err(|_| D::Error::invalid_length(n, &"as many counts as the array holds"))
    }

    pub fn serialize<S: Serializer, const N: usize>(a: &[u64; N], s: S) -> Result<S::Ok, S::Error> {
        let mut t = s.serialize_tuple(N)?;
        for x in a {
            t.serialize_element(x)?;
        }
        t.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::*;
    use crate::household::{BirthDate, Member};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    fn member(no: u16, birth: BirthDate) -> Member {
        Member {
            member_no: no,
            relation: if no == 1 { Relation::Head } else { Relation::Child },
            sex: Sex::Female,
            birth,
            ethnicity: Ethnicity::KINH,
            health_insurance: true,
            employment: Employment::SelfEmployed,
            able_to_work: true,
            education: Education::Primary,
            in_school: false,
            school_on_track: None,
            malnourished: None,
            disability: Disability::None,
            social_allowance: false,
            merit: false,
        }
    }

    fn household(members: Vec<Member>) -> Household {
        Household {
            area: Area::Rural,
            income_per_capita: Some(1_000_000),
            score_a: None,
            durable_structures: 3,
            floor_area_m2: 40.0,
            water_source: WaterSource::Piped,
            latrine: Latrine::Septic,
            internet_user: true,
            info_devices: true,
            waste_treatment: None,
            members,
        }
    }

    #[test]
    fn child_counts_follow_the_documented_ages() {
        let at = d(2025, 12, 31);
        let mut head = member(1, BirthDate::Year(1980));
        head.health_insurance = false; // an adult: not counted
        // 15 years old, turns 16 on 1 January 2026: a child, not in school, no card.
        let mut a = member(2, BirthDate::Date(d(2010, 1, 1)));
        a.health_insurance = false;
        a.school_on_track = Some(false);
        // Turned 16 on 31 December 2025: not a child.
        let mut b = member(3, BirthDate::Date(d(2009, 12, 31)));
        b.health_insurance = false;
        // 5 years old, out of school: a child, below school age; malnourished.
        let mut c = member(4, BirthDate::Year(2020));
        c.malnourished = Some(true);
        c.school_on_track = Some(false);
        // 7 years old, at school.
        let mut e = member(5, BirthDate::Year(2018));
        e.in_school = true;
        e.school_on_track = Some(true);
        e.malnourished = Some(false);
        // Born after the reference date: not counted.
        let f = member(6, BirthDate::Date(d(2026, 3, 1)));
        // 2 years old with no schooling answer.
        let g = member(7, BirthDate::Date(d(2023, 5, 5)));
        let hh = household(vec![head, a, b, c, e, f, g]);
        assert_eq!(
            ChildCounts::of(&hh, at),
            ChildCounts {
                children: 4,
                no_health_insurance: 1,
                malnourished: 1,
                not_in_school: 1,
                schooling_deprived: 2,
            }
        );
    }

    #[test]
    fn causes_round_trip_through_the_mask() {
        let m = causes_mask(&[PovertyCause::Illness, PovertyCause::NoLand, PovertyCause::Illness]);
        assert_eq!(m, 0b0100_0001);
        assert_eq!(causes_of(m).collect::<Vec<_>>(), vec![PovertyCause::NoLand, PovertyCause::Illness]);
    }

    fn facts(class: Class, persons: u32, deprived: u32, eth: u8, causes: u16) -> HouseholdFacts {
        HouseholdFacts {
            class,
            persons,
            deprived: IndicatorSet(deprived),
            subgroups: Subgroups { merit: eth == 1, ethnic_minority: eth != 1, ..Subgroups::default() },
            head_ethnicity: Ethnicity(eth),
            causes,
            children: ChildCounts { children: 1, no_health_insurance: 1, ..ChildCounts::default() },
            form8: 0,
            nlndn: false,
        }
    }

    #[test]
    fn tally_counts_a_known_set() {
        let mut t = UnitTally::new();
        t.add(&facts(Class::Poor, 4, 0b1011, 1, 0b11));
        t.add(&facts(Class::Poor, 2, 0b0011, 2, 0));
        t.add(&facts(Class::NearPoor, 3, 0b0100, 2, 0b1000_0000));
        t.add(&facts(Class::Middle, 5, 0, 1, 0));
        t.add(&facts(Class::NotPoor, 1, 0b1, 200, 0));
        assert_eq!(t.households, 5);
        assert_eq!(t.persons, 15);
        assert_eq!(t.households_by_class, [2, 1, 1, 1]);
        assert_eq!(t.persons_by_class, [6, 3, 5, 1]);
        let p = t.group(Group::Poor);
        assert_eq!((p.households, p.persons, p.deprivations), (2, 6, 5));
        assert_eq!(&p.deprived[..4], &[2, 2, 0, 1]);
        assert_eq!(p.in_subgroup(Subgroup::Merit), 1);
        assert_eq!(p.subgroup_persons[Subgroup::EthnicMinority as usize], 2);
        assert_eq!(p.with_head(Ethnicity::KINH), 1);
        assert_eq!(p.minority_households(), 1);
        assert_eq!(p.citing(PovertyCause::NoLand), 1);
        assert_eq!(p.citing(PovertyCause::NoCapital), 1);
        assert_eq!(p.no_cause_households, 1);
        assert_eq!(p.children.children, 2);
        let n = t.group(Group::NearPoor);
        assert_eq!(n.citing(PovertyCause::Other), 1);
        assert_eq!(n.deprived[2], 1);
        // Code 200 is out of range: counted as unlisted.
        assert_eq!(t.with_head(Ethnicity::UNLISTED), 1);
        assert_eq!(t.ethnicities_present(), vec![Ethnicity(1), Ethnicity(2), Ethnicity::UNLISTED]);
    }

    #[test]
    fn merging_equals_adding_everything_once() {
        let all = [
            facts(Class::Poor, 4, 0b1011, 1, 0b11),
            facts(Class::NearPoor, 3, 0b0100, 2, 0b1000_0000),
            facts(Class::Poor, 2, 0b0011, 9, 0),
            facts(Class::Middle, 5, 0, 1, 0),
        ];
        let mut whole = UnitTally::new();
        let (mut a, mut b) = (UnitTally::new(), UnitTally::new());
        for (i, f) in all.iter().enumerate() {
            whole.add(f);
            if i % 2 == 0 { a.add(f) } else { b.add(f) }
        }
        a.merge(&b);
        assert_eq!(a, whole);
    }

    #[test]
    fn percentages_have_two_decimals() {
        assert_eq!(percent_2dp(1, 3), 33.33);
        assert_eq!(percent_2dp(2, 3), 66.67);
        assert_eq!(percent_2dp(0, 0), 0.0);
        assert_eq!(percent_2dp(5, 5), 100.0);
    }
}
