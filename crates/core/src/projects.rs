//! The programme's component projects as data (`standards/projects-*.toml`, `kind =
//! "project_catalogue"`): for a programme period, its projects (*dự án*) and sub-projects (*tiểu
//! dự án*) with their target groups and the deprivation indicators each addresses, every entry
//! with its citation and status (an unverified entry is shown as such wherever it is used).
//! Budgets, activities and support name a project or sub-project by its code (`DA3`,
//! `DA3.TDA1`).

use crate::provision::Status;
use serde::Deserialize;

/// A sub-project (*tiểu dự án*).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubProject {
    /// `DA3.TDA1`: the project's code, `.`, the sub-project's.
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub citation: String,
    pub status: Status,
    #[serde(default)]
    pub target_groups: Vec<String>,
    /// Codes of the deprivation indicators of the standards it addresses (`housing_quality`).
    #[serde(default)]
    pub indicators: Vec<String>,
}

/// A component project (*dự án thành phần*).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// `DA1` … `DA7`.
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub citation: String,
    pub status: Status,
    #[serde(default)]
    pub target_groups: Vec<String>,
    #[serde(default)]
    pub indicators: Vec<String>,
    #[serde(default, rename = "subproject")]
    pub subprojects: Vec<SubProject>,
}

/// A project or a sub-project, as budgets and activities name it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProjectRef<'a> {
    pub code: &'a str,
    pub name_vi: &'a str,
    pub name_en: &'a str,
    pub status: Status,
    /// The project a sub-project belongs to (`None`: a project).
    pub parent: Option<&'a str>,
}

/// The projects of a programme period.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectCatalogue {
    pub kind: String,
    pub id: String,
    pub title_vi: String,
    pub title_en: String,
    pub legal_basis: String,
    pub status: Status,
    pub from_year: i64,
    pub to_year: i64,
    /// What the catalogue does not hold, said where it is shown (Vietnamese, English).
    #[serde(default)]
    pub note_vi: Option<String>,
    #[serde(default)]
    pub note_en: Option<String>,
    #[serde(default, rename = "project")]
    pub projects: Vec<Project>,
}

impl ProjectCatalogue {
    /// Whether the catalogue's period holds `year`.
    pub fn covers(&self, year: i64) -> bool {
        (self.from_year..=self.to_year).contains(&year)
    }

    /// Every project, then its sub-projects, in the catalogue's order.
    pub fn entries(&self) -> Vec<ProjectRef<'_>> {
        let mut out = Vec::new();
        for p in &self.projects {
            out.push(ProjectRef {
                code: &p.code,
                name_vi: &p.name_vi,
                name_en: &p.name_en,
                status: p.status,
                parent: None,
            });
            for s in &p.subprojects {
                out.push(ProjectRef {
                    code: &s.code,
                    name_vi: &s.name_vi,
                    name_en: &s.name_en,
                    status: s.status,
                    parent: Some(&p.code),
                });
            }
        }
        out
    }

    /// The project or sub-project of `code` (compared without case).
    pub fn find(&self, code: &str) -> Option<ProjectRef<'_>> {
        let code = code.trim();
        self.entries().into_iter().find(|e| e.code.eq_ignore_ascii_case(code))
    }

    /// Checks the file: kind, years, codes unique, each sub-project's code under its project's,
    /// the indicators among `indicator_codes` (the standards' deprivation indicators).
    pub fn validate(&self, indicator_codes: &[&str]) -> Result<(), String> {
        let mut problems = Vec::new();
        if self.kind != "project_catalogue" {
            problems.push(format!("kind must be \"project_catalogue\", found {:?}", self.kind));
        }
        if self.from_year > self.to_year {
            problems.push(format!("from_year {} is after to_year {}", self.from_year, self.to_year));
        }
        let mut seen = std::collections::HashSet::new();
        let indicators = |code: &str, list: &[String], problems: &mut Vec<String>| {
            for i in list {
                if !indicator_codes.is_empty() && !indicator_codes.contains(&i.as_str()) {
                    problems.push(format!("{code}: unknown deprivation indicator {i:?}"));
                }
            }
        };
        for p in &self.projects {
            if !seen.insert(p.code.to_ascii_uppercase()) {
                problems.push(format!("project {:?} appears twice", p.code));
            }
            if p.code.contains('.') {
                problems.push(format!("project {:?}: a project's code has no '.'", p.code));
            }
            indicators(&p.code, &p.indicators, &mut problems);
            for s in &p.subprojects {
                if !seen.insert(s.code.to_ascii_uppercase()) {
                    problems.push(format!("sub-project {:?} appears twice", s.code));
                }
                if s.code.split_once('.').map(|(head, _)| head) != Some(p.code.as_str()) {
                    problems.push(format!("sub-project {:?} is not coded {}.…", s.code, p.code));
                }
                indicators(&s.code, &s.indicators, &mut problems);
            }
        }
        if problems.is_empty() { Ok(()) } else { Err(problems.join("; ")) }
    }
}

#[cfg(test)]
mod tests {
    use crate::Standards;

    #[test]
    fn the_2021_2025_catalogue_has_decision_90s_seven_projects_and_their_sub_projects() {
        let s = Standards::embedded().expect("standards");
        let c = s.projects_for(2024).expect("2021–2025");
        let codes: Vec<&str> = c.projects.iter().map(|p| p.code.as_str()).collect();
        assert_eq!(codes, ["DA1", "DA2", "DA3", "DA4", "DA5", "DA6", "DA7"]);
        let tda = c.find("da3.tda2").expect("nutrition");
        assert_eq!((tda.code, tda.parent), ("DA3.TDA2", Some("DA3")));
        assert!(tda.name_vi.contains("dinh dưỡng"));
        assert!(c.find("DA8").is_none());
        // The 2026–2030 programme is loaded too, its structure flagged unverified.
        let next = s.projects_for(2027).expect("2026–2030");
        assert_ne!(next.id, c.id);
        assert_eq!(next.status, crate::provision::Status::Unverified);
    }

    #[test]
    fn a_sub_project_coded_outside_its_project_and_an_unknown_indicator_are_refused() {
        let text = r#"
kind = "project_catalogue"
id = "x"
title_vi = "x"
title_en = "x"
legal_basis = "x"
status = "verified"
from_year = 2021
to_year = 2025
[[project]]
code = "DA1"
name_vi = "a"
name_en = "a"
citation = "c"
status = "verified"
indicators = ["moon"]
[[project.subproject]]
code = "DA2.TDA1"
name_vi = "b"
name_en = "b"
citation = "c"
status = "verified"
"#;
        let c: super::ProjectCatalogue = toml::from_str(text).expect("parse");
        let e = c.validate(&["water"]).expect_err("refused");
        assert!(e.contains("unknown deprivation indicator \"moon\""), "{e}");
        assert!(e.contains("\"DA2.TDA1\" is not coded DA1"), "{e}");
    }
}
