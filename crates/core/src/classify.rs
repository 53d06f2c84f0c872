//! Classification of a household under a standard (*phân loại hộ*).

use crate::codes::{Area, Disability, Sex};
use crate::household::{BirthDate, Household};
use crate::rules::{Facts, deprived, traits};
use crate::standard::{Logic, Standard};
use crate::text::{push_int, push_vnd};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// The result class, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// *Hộ nghèo*.
    Poor,
    /// *Hộ cận nghèo*.
    NearPoor,
    /// *Hộ có mức sống trung bình*: above the poverty line, within the middle-living band.
    Middle,
    /// *Hộ không nghèo*.
    NotPoor,
}

impl Class {
    pub const ALL: [Class; 4] = [Class::Poor, Class::NearPoor, Class::Middle, Class::NotPoor];

    pub fn key(self) -> &'static str {
        match self {
            Class::Poor => "poor",
            Class::NearPoor => "near_poor",
            Class::Middle => "middle",
            Class::NotPoor => "not_poor",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Class::Poor => "Hộ nghèo",
            Class::NearPoor => "Hộ cận nghèo",
            Class::Middle => "Hộ có mức sống trung bình",
            Class::NotPoor => "Hộ không nghèo",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Class::Poor => "Poor",
            Class::NearPoor => "Near-poor",
            Class::Middle => "Middle-living",
            Class::NotPoor => "Not poor",
        }
    }

    pub fn parse(s: &str) -> Option<Class> {
        Class::ALL.into_iter().find(|c| c.key() == s || crate::text::fold(c.label_vi()) == crate::text::fold(s))
    }
}

/// Which test of living standard was applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IncomeTest {
    /// Monthly income per person, VND.
    Income,
    /// Income-proxy score A from Phiếu B.
    ScoreA,
}

impl IncomeTest {
    pub fn key(self) -> &'static str {
        match self {
            IncomeTest::Income => "income",
            IncomeTest::ScoreA => "score_a",
        }
    }
}

/// A set of indicators, as bits in the standard's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub struct IndicatorSet(pub u32);

impl IndicatorSet {
    pub fn contains(self, i: usize) -> bool {
        self.0 & (1 << i) != 0
    }
    pub fn insert(&mut self, i: usize) {
        self.0 |= 1 << i;
    }
    pub fn len(self) -> u32 {
        self.0.count_ones()
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn iter(self) -> impl Iterator<Item = usize> {
        (0..32).filter(move |i| self.contains(*i))
    }
}

/// Subgroups of official reports 8 and 11.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Subgroups {
    /// No member is of working age and able to work (*hộ không có khả năng lao động*).
    pub no_labour_capacity: bool,
    /// The head is not Kinh (*chủ hộ là người dân tộc thiểu số*).
    pub ethnic_minority: bool,
    /// A member is a person with revolutionary merit (*người có công*).
    pub merit: bool,
    /// A member is under 16.
    pub children: bool,
    /// A member is 60 or over.
    pub elderly: bool,
    /// A member has a disability.
    pub disabled: bool,
}

/// The outcome of classifying one household.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Classification {
    pub class: Class,
    pub income_test: IncomeTest,
    /// Income (VND) or score A, whichever was compared.
    pub compared_value: i64,
    /// The poverty line (VND) or score-A anchor it was compared with.
    pub line: i64,
    /// The middle-living upper bound that applied, if any.
    pub middle_upper: Option<i64>,
    pub deprived: IndicatorSet,
    pub score_b: u32,
    /// Low-income worker household under Decree 30/2025 (income test only).
    pub low_income: bool,
    pub subgroups: Subgroups,
    pub persons: u32,
    pub area: Area,
}

impl Classification {
    pub fn deprivation_count(&self) -> u32 {
        self.deprived.len()
    }
}

/// Why a household cannot be classified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClassifyError {
    #[error("neither income_per_capita nor score_a is given")]
    NoIncomeTest,
    #[error("standard {0} has no score-A anchor: give income_per_capita")]
    NoScoreAnchor(String),
    #[error("the household has no members")]
    NoMembers,
}

/// Ages below this count as children in the subgroup flags (reports 8 and 11).
const CHILD_AGE_BELOW: i32 = 16;
/// Ages from this count as elderly (Law on the Elderly 2009).
const ELDERLY_AGE_FROM: i32 = 60;

/// Classifies `hh` under `std` with ages taken at `at`.
///
/// The income test uses `income_per_capita` when present, else `score_a`.
pub fn classify(std: &Standard, hh: &Household, at: NaiveDate) -> Result<Classification, ClassifyError> {
    if hh.members.is_empty() {
        return Err(ClassifyError::NoMembers);
    }
    let lines = std.lines.for_area(hh.area);
    let (income_test, compared_value, line) = match (hh.income_per_capita, hh.score_a) {
        (Some(v), _) => (IncomeTest::Income, v, lines.poverty.value),
        (None, Some(s)) => {
            let anchors = std.score_a.as_ref().ok_or_else(|| ClassifyError::NoScoreAnchor(std.id.clone()))?;
            (IncomeTest::ScoreA, i64::from(s), i64::from(anchors.for_area(hh.area).value))
        }
        (None, None) => return Err(ClassifyError::NoIncomeTest),
    };

    let wa = std.working_age();
    let none = Facts { age: 0, working_age: false, traits: 0 };
    let mut facts_buf = [none; 16];
    let mut facts_vec = Vec::new();
    let facts: &mut [Facts] = if hh.members.len() <= facts_buf.len() {
        &mut facts_buf[..hh.members.len()]
    } else {
        facts_vec.resize(hh.members.len(), none);
        &mut facts_vec
    };
    let mut sub = Subgroups::default();
    let mut any_labour = false;
    // `WorkingAge::is_working_age`, with the reference date and the retirement ages of its
    // year taken apart once.
    let (at_y, at_m, at_d) = (at.year(), at.month() as i32, at.day() as i32);
    let min_age = wa.min_age.years;
    let retire_male = wa.retirement_months(Sex::Male, at_y);
    let retire_female = wa.retirement_months(Sex::Female, at_y);
    for (m, f) in hh.members.iter().zip(facts.iter_mut()) {
        let (b_y, b_m, b_d) = match m.birth {
            // `BirthDate::as_date` without making the date.
            BirthDate::Year(y) if (1..=9999).contains(&y) => (y, 1, 1),
            b => {
                let b = b.as_date();
                (b.year(), b.month() as i32, b.day() as i32)
            }
        };
        f.age = at_y - b_y - i32::from((at_m, at_d) < (b_m, b_d));
        let months = (at_y - b_y) * 12 + at_m - b_m - i32::from(at_d < b_d);
        let retire = match m.sex {
            Sex::Male => retire_male,
            Sex::Female => retire_female,
        };
        f.working_age = f.age >= min_age && months < retire;
        f.traits = traits(m);
        any_labour |= f.working_age && m.able_to_work;
        sub.merit |= m.merit;
        sub.children |= f.age < CHILD_AGE_BELOW;
        sub.elderly |= f.age >= ELDERLY_AGE_FROM;
        sub.disabled |= m.disability != Disability::None;
    }
    sub.no_labour_capacity = !any_labour;
    sub.ethnic_minority = hh.head().is_some_and(|h| h.ethnicity.is_minority());

    let mut set = IndicatorSet::default();
    for (i, ind) in std.indicators.iter().enumerate() {
        if let Some(rule) = &ind.compiled
            && deprived(rule, hh, facts)
        {
            set.insert(i);
        }
    }

    let middle_upper = match income_test {
        IncomeTest::Income => lines.middle_upper.as_ref().map(|p| p.value),
        IncomeTest::ScoreA => None,
    };
    let class = match std.logic {
        Logic::IncomeAndDeprivation => {
            if compared_value <= line {
                if set.len() >= std.deprivation_cutoff.value { Class::Poor } else { Class::NearPoor }
            } else if middle_upper.is_some_and(|m| compared_value <= m) {
                Class::Middle
            } else {
                Class::NotPoor
            }
        }
    };
    let low_income = income_test == IncomeTest::Income
        && matches!(class, Class::Middle | Class::NotPoor)
        && lines
            .low_income_upper
            .as_ref()
            .is_some_and(|p| compared_value <= p.value && p.from.is_none_or(|from| at >= from));

    Ok(Classification {
        class,
        income_test,
        compared_value,
        line,
        middle_upper,
        deprived: set,
        score_b: set.len() * std.score_b.points_per_indicator,
        low_income,
        subgroups: sub,
        persons: hh.members.len() as u32,
        area: hh.area,
    })
}

fn area_vi(a: Area) -> &'static str {
    match a {
        Area::Rural => "nông thôn",
        Area::Urban => "thành thị",
    }
}

/// The `;`-separated codes of the deprived indicators, in the standard's order.
pub fn deprived_codes(std: &Standard, set: IndicatorSet) -> String {
    let mut s = String::new();
    for i in set.iter() {
        if let Some(ind) = std.indicators.get(i) {
            if !s.is_empty() {
                s.push(';');
            }
            s.push_str(&ind.code);
        }
    }
    s
}

/// One Vietnamese sentence naming the line, the value compared and each deprivation, e.g.
/// "Hộ nghèo: thu nhập bình quân 1.200.000 đồng/người/tháng, không vượt chuẩn nghèo khu vực
/// nông thôn 1.500.000 đồng (chuẩn 2022-2025), thiếu hụt 4/12 chỉ số (từ 3 trở lên là hộ
/// nghèo): việc làm, bảo hiểm y tế, nguồn nước sinh hoạt, nhà tiêu hợp vệ sinh."
pub fn explain(std: &Standard, c: &Classification) -> String {
    let mut s = String::with_capacity(256);
    explain_into(std, c, &mut s);
    s
}

/// [`explain`] into a reused buffer (cleared first), for writers of millions of rows.
pub fn explain_into(std: &Standard, c: &Classification, s: &mut String) {
    s.clear();
    explain_head_into(c, s);
    explain_tail_into(std, c, s);
}

/// What the explanation of a classification depends on besides the value compared: under one
/// standard, classifications with equal keys have the same [`explain_tail_into`], so a writer
/// of many rows can make each tail once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExplainKey {
    class: Class,
    income_test: IncomeTest,
    area: Area,
    above: bool,
    line: i64,
    middle_upper: Option<i64>,
    deprived: IndicatorSet,
}

impl Classification {
    /// The key of this classification's [`explain_tail_into`].
    pub fn explain_key(&self) -> ExplainKey {
        ExplainKey {
            class: self.class,
            income_test: self.income_test,
            area: self.area,
            above: self.compared_value > self.line,
            line: self.line,
            middle_upper: self.middle_upper,
            deprived: self.deprived,
        }
    }
}

/// Appends the start of [`explain`]: the class and the value compared.
pub fn explain_head_into(c: &Classification, s: &mut String) {
    let (before, after) = explain_head_parts(c);
    s.push_str(before);
    push_compared_value(c, s);
    s.push_str(after);
}

/// The text of [`explain_head_into`] before and after the value compared, which depend only on
/// the class and the test applied (both in [`Classification::explain_key`]).
pub fn explain_head_parts(c: &Classification) -> (&'static str, &'static str) {
    let before = match (c.class, c.income_test) {
        (Class::Poor, IncomeTest::Income) => "Hộ nghèo: thu nhập bình quân ",
        (Class::NearPoor, IncomeTest::Income) => "Hộ cận nghèo: thu nhập bình quân ",
        (Class::Middle, IncomeTest::Income) => "Hộ có mức sống trung bình: thu nhập bình quân ",
        (Class::NotPoor, IncomeTest::Income) => "Hộ không nghèo: thu nhập bình quân ",
        (Class::Poor, IncomeTest::ScoreA) => "Hộ nghèo: điểm A ",
        (Class::NearPoor, IncomeTest::ScoreA) => "Hộ cận nghèo: điểm A ",
        (Class::Middle, IncomeTest::ScoreA) => "Hộ có mức sống trung bình: điểm A ",
        (Class::NotPoor, IncomeTest::ScoreA) => "Hộ không nghèo: điểm A ",
    };
    let after = match c.income_test {
        IncomeTest::Income => " đồng/người/tháng",
        IncomeTest::ScoreA => "",
    };
    (before, after)
}

/// Appends the value compared as [`explain_head_into`] writes it: income with Vietnamese digit
/// grouping, score A plain.
pub fn push_compared_value(c: &Classification, s: &mut String) {
    match c.income_test {
        IncomeTest::Income => push_vnd(s, c.compared_value),
        IncomeTest::ScoreA => push_int(s, c.compared_value),
    }
}

/// Appends the rest of [`explain`] after [`explain_head_into`]; it depends only on the
/// standard and [`Classification::explain_key`].
pub fn explain_tail_into(std: &Standard, c: &Classification, s: &mut String) {
    let area = area_vi(c.area);
    let above = c.compared_value > c.line;
    match c.income_test {
        IncomeTest::Income => {
            if above {
                s.push_str(", trên chuẩn nghèo khu vực ");
                s.push_str(area);
                s.push(' ');
                push_vnd(s, c.line);
                s.push_str(" đồng");
                match (c.class, c.middle_upper) {
                    (Class::Middle, Some(m)) => {
                        s.push_str(" và không quá mức sống trung bình ");
                        push_vnd(s, m);
                        s.push_str(" đồng");
                    }
                    (_, Some(m)) => {
                        s.push_str(" và trên mức sống trung bình ");
                        push_vnd(s, m);
                        s.push_str(" đồng");
                    }
                    _ => {}
                }
            } else {
                s.push_str(", không vượt chuẩn nghèo khu vực ");
                s.push_str(area);
                s.push(' ');
                push_vnd(s, c.line);
                s.push_str(" đồng");
            }
        }
        IncomeTest::ScoreA => {
            s.push_str(if above { ", trên mốc " } else { ", không vượt mốc " });
            push_int(s, c.line);
            s.push_str(" điểm tương đương chuẩn nghèo khu vực ");
            s.push_str(area);
        }
    }
    s.push_str(" (chuẩn ");
    s.push_str(&std.id);
    s.push(')');
    let n = c.deprived.len();
    let k = std.deprivation_cutoff.value;
    let total = std.indicators.len() as i64;
    if n == 0 {
        s.push_str(", không thiếu hụt chỉ số nào trong ");
        push_int(s, total);
        s.push_str(" chỉ số");
    } else {
        s.push_str(", thiếu hụt ");
        push_int(s, i64::from(n));
        s.push('/');
        push_int(s, total);
        s.push_str(" chỉ số");
        if !above {
            if n >= k {
                s.push_str(" (từ ");
                push_int(s, i64::from(k));
                s.push_str(" chỉ số trở lên là hộ nghèo)");
            } else {
                s.push_str(" (dưới ");
                push_int(s, i64::from(k));
                s.push_str(" chỉ số nên là hộ cận nghèo)");
            }
        }
        s.push_str(": ");
        for (j, i) in c.deprived.iter().enumerate() {
            if j > 0 {
                s.push_str(", ");
            }
            if let Some(ind) = std.indicators.get(i) {
                s.push_str(&ind.short_vi);
            }
        }
    }
    s.push('.');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_parts_name_the_class_and_the_test() {
        for class in Class::ALL {
            for (income_test, what) in [(IncomeTest::Income, "thu nhập bình quân "), (IncomeTest::ScoreA, "điểm A ")]
            {
                let c = Classification {
                    class,
                    income_test,
                    compared_value: 1_234_567,
                    line: 0,
                    middle_upper: None,
                    deprived: IndicatorSet::default(),
                    score_b: 0,
                    low_income: false,
                    subgroups: Subgroups::default(),
                    persons: 1,
                    area: Area::Rural,
                };
                let (before, _) = explain_head_parts(&c);
                assert_eq!(before, format!("{}: {what}", class.label_vi()));
                let mut s = String::new();
                explain_head_into(&c, &mut s);
                let want = match income_test {
                    IncomeTest::Income => format!("{before}1.234.567 đồng/người/tháng"),
                    IncomeTest::ScoreA => format!("{before}1234567"),
                };
                assert_eq!(s, want);
            }
        }
    }
}
