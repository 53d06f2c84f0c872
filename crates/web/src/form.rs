//! A household as the edit form and the API carry it: interchange fields as text
//! (`household` keyed like the households file, one map per member keyed like the members
//! file), checked by the same reader as an imported file so that a form and a spreadsheet get
//! the same messages.

use crate::error::AppError;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use vuonlen_app::edit;
use vuonlen_io::{HouseholdRecord, ReadOptions};
use vuonlen_store::browse::SurveyDetail;

/// A household and its members as interchange text fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HouseholdFields {
    /// Households-file columns by English key (`household_id`, `commune_code`, `water_source`, …).
    pub household: BTreeMap<String, String>,
    /// Members-file columns by English key, one map per member (`household_id` may be left out).
    pub members: Vec<BTreeMap<String, String>>,
}

/// A problem with one field of the form.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    /// Index of the member (`None`: a household field).
    pub member: Option<usize>,
    /// The field's English key.
    pub field: String,
    pub value: String,
    pub message_vi: String,
    pub message_en: String,
    /// A warning does not stop saving.
    pub warning: bool,
}

/// A checked form: the record when it has no errors, and every problem.
#[derive(Debug, Clone)]
pub struct Checked {
    pub record: Option<HouseholdRecord>,
    pub problems: Vec<FieldProblem>,
}

impl Checked {
    pub fn errors(&self) -> impl Iterator<Item = &FieldProblem> {
        self.problems.iter().filter(|p| !p.warning)
    }
}

impl HouseholdFields {
    /// The stored answers of a household in a period.
    pub fn from_detail(d: &SurveyDetail) -> HouseholdFields {
        let (household, members) = edit::stored_answers(d);
        HouseholdFields { household, members }
    }

    /// Reads the fields of an HTML form: `h.KEY` for the household, `m.I.KEY` for member I.
    pub fn from_form(pairs: &[(String, String)]) -> HouseholdFields {
        let mut out = HouseholdFields::default();
        let mut members: BTreeMap<usize, BTreeMap<String, String>> = BTreeMap::new();
        for (k, v) in pairs {
            if let Some(key) = k.strip_prefix("h.") {
                out.household.insert(key.to_string(), v.clone());
            } else if let Some(rest) = k.strip_prefix("m.")
                && let Some((i, key)) = rest.split_once('.')
                && let Ok(i) = i.parse::<usize>()
                && i < 100
            {
                members.entry(i).or_default().insert(key.to_string(), v.clone());
            }
        }
        // Rows left entirely empty (the spare row of the form) are not members.
        out.members =
            members.into_values().filter(|m| m.iter().any(|(k, v)| k != "member_no" && !v.trim().is_empty())).collect();
        out
    }

    /// Checks the fields with the interchange reader, from memory (no file is written): the same
    /// checks and messages as an imported file ([`vuonlen_app::edit::check`]).
    pub async fn check(&self, as_of: NaiveDate, require_waste_treatment: bool) -> Result<Checked, AppError> {
        let mut opts = ReadOptions::new(as_of);
        opts.keep_personal = true;
        opts.require_waste_treatment = require_waste_treatment;
        let answers = edit::Answers { household: &self.household, members: &self.members };
        let (record, report) = edit::check(answers, opts).await.map_err(|e| AppError::Invalid(e.to_string()))?;
        let mut problems = Vec::new();
        for (p, warning) in report.errors.iter().map(|p| (p, false)).chain(report.warnings.iter().map(|p| (p, true))) {
            let member = (p.file == edit::MEMBERS && p.row >= 2).then(|| (p.row - 2) as usize);
            problems.push(FieldProblem {
                member,
                field: p.column.clone(),
                value: p.value.clone(),
                message_vi: p.message_vi.clone(),
                message_en: p.message_en.clone(),
                warning,
            });
        }
        Ok(Checked { record, problems })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(head_name: &str, full_name: &str) -> HouseholdFields {
        let household = [
            ("household_id", "W1"),
            ("commune_code", "00097"),
            ("village", "Tổ 1"),
            ("area", "rural"),
            ("head_name", head_name),
            ("income_per_capita", "1000000"),
            ("durable_structures", "3"),
            ("floor_area_m2", "40"),
            ("water_source", "piped"),
            ("latrine", "septic"),
            ("internet_user", "1"),
            ("info_devices", "1"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let member = [
            ("full_name", full_name),
            ("relation", "head"),
            ("sex", "M"),
            ("birth_date", "1970-01-01"),
            ("ethnicity", "Kinh"),
            ("health_insurance", "1"),
            ("employment", "self_employed"),
            ("education", "upper_secondary"),
            ("in_school", "0"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        HouseholdFields { household, members: vec![member] }
    }

    /// The form goes through the reader's bounds: the same problems as an imported file.
    #[tokio::test]
    async fn the_form_has_the_readers_bounds() {
        let as_of = NaiveDate::from_ymd_opt(2025, 12, 31).expect("date");
        let ok = fields("Người Một", &"ễ".repeat(200)).check(as_of, false).await.expect("checked");
        assert!(ok.record.is_some(), "{:?}", ok.problems);
        let bad = fields("Người\0Một", &"ễ".repeat(201)).check(as_of, false).await.expect("checked");
        assert!(bad.record.is_none());
        let found: Vec<(Option<usize>, &str, bool)> =
            bad.errors().map(|p| (p.member, p.field.as_str(), p.message_en.contains("U+0000"))).collect();
        assert_eq!(found, [(None, "head_name", true), (Some(0), "full_name", false)]);
        assert!(bad.errors().any(|p| p.message_en.contains("201 characters long; at most 200")));
    }
}
