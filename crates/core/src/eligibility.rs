//! Eligibility for a beneficiary list (*điều kiện thụ hưởng*): which households of the registry a
//! support reaches — "poor or near-poor households deprived of clean water" — as data: the classes
//! and the deprivations (any of them) a household must have in the period's classification. A
//! list keeps its rule with it; each household on it gets the reason it is there.

use crate::Class;
use crate::standard::Standard;
use serde::{Deserialize, Serialize};

/// A list's rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct EligibilityRule {
    /// Class keys (`poor`, `near_poor`, `middle`, `not_poor`): the household is of one of them.
    pub classes: Vec<String>,
    /// Indicator codes of the standard: the household is deprived in one of them (none: any
    /// household of the classes).
    #[serde(default)]
    pub deprived_any: Vec<String>,
}

impl EligibilityRule {
    /// The rule's problems against `std` (Vietnamese, English): no class, an unknown class or
    /// indicator.
    pub fn check(&self, std: &Standard) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if self.classes.is_empty() {
            out.push(("Chọn ít nhất một loại hộ.".into(), "Choose at least one class of household.".into()));
        }
        for c in &self.classes {
            if Class::parse(c).is_none() {
                out.push((format!("'{c}' không phải loại hộ."), format!("'{c}' is not a class of household.")));
            }
        }
        for i in &self.deprived_any {
            if std.indicator_index(i).is_none() {
                out.push((
                    format!("'{i}' không phải chỉ số thiếu hụt của chuẩn {}.", std.id),
                    format!("'{i}' is not a deprivation indicator of standard {}.", std.id),
                ));
            }
        }
        out
    }

    /// The classes, parsed.
    pub fn class_list(&self) -> Vec<Class> {
        self.classes.iter().filter_map(|c| Class::parse(c)).collect()
    }

    /// The deprivations' bits in a classification's `deprived` (0: any).
    pub fn mask(&self, std: &Standard) -> i64 {
        self.deprived_any.iter().filter_map(|i| std.indicator_index(i)).fold(0, |m, b| m | (1 << b))
    }

    /// The rule in words: `Hộ nghèo hoặc hộ cận nghèo thiếu hụt nước sinh hoạt`.
    pub fn describe_vi(&self, std: &Standard) -> String {
        let classes: Vec<&str> = self.class_list().iter().map(|c| c.label_vi()).collect();
        let mut s = classes.join(" hoặc ");
        let names: Vec<&str> = self
            .deprived_any
            .iter()
            .filter_map(|i| std.indicator_index(i).map(|k| std.indicators[k].short_vi.as_str()))
            .collect();
        if !names.is_empty() {
            s.push_str(" thiếu hụt ");
            s.push_str(&names.join(" hoặc "));
        }
        s
    }

    /// Why a household of `class` deprived in `deprived` (its bits) is on the list, or `None`
    /// when it does not meet the rule.
    pub fn reason(&self, std: &Standard, class: Class, deprived: i64) -> Option<String> {
        if !self.class_list().contains(&class) {
            return None;
        }
        let mask = self.mask(std);
        if mask != 0 && deprived & mask == 0 {
            return None;
        }
        let met: Vec<&str> = (0..std.indicators.len())
            .filter(|b| mask & (1 << b) != 0 && deprived & (1 << b) != 0)
            .map(|b| std.indicators[b].short_vi.as_str())
            .collect();
        Some(if met.is_empty() {
            class.label_vi().to_string()
        } else {
            format!("{}; thiếu hụt {}", class.label_vi(), met.join(", "))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Standards;

    #[test]
    fn a_rule_says_who_is_on_the_list_and_why() {
        let s = Standards::embedded().expect("standards");
        let std = s.get("2022-2025").expect("standard");
        let rule =
            EligibilityRule { classes: vec!["poor".into(), "near_poor".into()], deprived_any: vec!["water".into()] };
        assert!(rule.check(&std).is_empty());
        let water = 1i64 << std.indicator_index("water").expect("water");
        let reason = rule.reason(&std, Class::NearPoor, water).expect("on the list");
        assert!(reason.starts_with("Hộ cận nghèo; thiếu hụt"), "{reason}");
        assert!(rule.reason(&std, Class::Poor, 0).is_none(), "not deprived of water");
        assert!(rule.reason(&std, Class::Middle, water).is_none(), "not of the classes");
        assert!(
            rule.describe_vi(&std).starts_with("Hộ nghèo hoặc Hộ cận nghèo thiếu hụt"),
            "{}",
            rule.describe_vi(&std)
        );
        let bad = EligibilityRule { classes: vec![], deprived_any: vec!["moon".into()] };
        assert_eq!(bad.check(&std).len(), 2);
    }
}
