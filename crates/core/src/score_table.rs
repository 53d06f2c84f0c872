//! Score tables of Phiếu B (*bảng điểm Phiếu B*, Circular 07/2021/TT-BLĐTBXH, Phụ lục III–IV):
//! the points each answer of the questionnaire gives in a region, summed into score A (*điểm
//! A*, alias "B1"), the income proxy the standard's anchors compare (140 rural, 175 urban).
//!
//! The official tables — one urban and six rural regions — are **not public in any source the
//! project has**, so none is shipped: a table is a data file an operator loads (`kind =
//! "score_table"`, docs/score-tables.md), with its citation and status, and a table made for
//! testing says so (`purpose = "test"`) wherever it is shown. Nothing here knows a point value.
//!
//! A table has regions (an area, with the provinces — or communes, which win — it covers),
//! variables (a question of Phiếu B) and each variable's categories (the possible answers) with
//! their points per region. A variable applies in a region when one of its categories has
//! points there; a household answers every variable that applies in its region and no other.

use crate::codes::Area;
use crate::provision::Status;
use crate::text::{fold, nfc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a table is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Loaded from the official text (its status says how far it was checked).
    Official,
    /// Invented for tests: never an official figure; shown with [`TEST_MARKER_VI`].
    Test,
}

/// Printed before the title of a test table wherever it is shown.
pub const TEST_MARKER_VI: &str = "[BẢNG THỬ NGHIỆM, KHÔNG PHẢI SỐ LIỆU CHÍNH THỨC]";

/// A region of a table (*vùng*): urban, or one of the rural regions NT1–NT6.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    pub code: String,
    pub name_vi: String,
    /// `urban` or `rural` (as the household's `area`).
    pub area: String,
    /// Province codes it covers; empty: every province (of its area).
    #[serde(default)]
    pub provinces: Vec<String>,
    /// Commune codes it covers whatever their province (merged provinces can span regions).
    #[serde(default)]
    pub communes: Vec<String>,
    /// Points every household of the region starts from.
    #[serde(default)]
    pub intercept: i32,
}

/// One answer of a variable and its points per region code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub code: String,
    pub name_vi: String,
    #[serde(default)]
    pub name_en: Option<String>,
    pub points: BTreeMap<String, i32>,
}

/// A question of Phiếu B.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variable {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    #[serde(default)]
    pub note: Option<String>,
    pub categories: Vec<Category>,
}

impl Variable {
    /// Whether the variable is asked in `region`.
    pub fn applies_in(&self, region: &str) -> bool {
        self.categories.iter().any(|c| c.points.contains_key(region))
    }

    /// The category an answer names: its code (any case) or its Vietnamese name, with or
    /// without diacritics.
    pub fn category(&self, answer: &str) -> Option<&Category> {
        let a = fold(nfc(answer.trim()).as_ref());
        self.categories.iter().find(|c| fold(&c.code) == a || fold(&c.name_vi) == a)
    }
}

/// A loaded score table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreTable {
    pub kind: String,
    pub id: String,
    /// The standard whose score-A anchors the score is compared with.
    pub standard: String,
    pub title_vi: String,
    pub title_en: String,
    pub citation: String,
    pub status: Status,
    pub purpose: Purpose,
    #[serde(default)]
    pub note: Option<String>,
    pub regions: Vec<Region>,
    pub variables: Vec<Variable>,
}

/// A household's score A and how it was reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScoreA {
    pub table_id: String,
    pub region: String,
    pub total: i32,
    /// (variable, category, points), in the table's order; the intercept first when not 0.
    pub parts: Vec<(String, String, i32)>,
}

/// Why an answer cannot be scored (in Vietnamese and English), naming the variable and value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerProblem {
    pub variable: String,
    pub value: String,
    pub vi: String,
    pub en: String,
}

impl ScoreTable {
    /// Every problem of the table, at once (empty: usable).
    pub fn validate(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.kind != "score_table" {
            out.push(format!("kind must be \"score_table\", not {:?}", self.kind));
        }
        if self.id.trim().is_empty() {
            out.push("id is empty".into());
        }
        if self.purpose == Purpose::Test && !self.title_vi.to_uppercase().contains("THỬ NGHIỆM") {
            out.push("a test table's title_vi must say THỬ NGHIỆM".into());
        }
        let mut codes = std::collections::HashSet::new();
        let mut places: BTreeMap<(String, String), &str> = BTreeMap::new();
        for r in &self.regions {
            if !codes.insert(r.code.as_str()) {
                out.push(format!("region {} is defined twice", r.code));
            }
            let Some(area) = Area::parse(&r.area) else {
                out.push(format!("region {}: area {:?} is neither urban nor rural", r.code, r.area));
                continue;
            };
            let keys = if r.provinces.is_empty() { vec![String::new()] } else { r.provinces.clone() };
            for p in keys {
                if !p.is_empty() && (p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit())) {
                    out.push(format!("region {}: province {p:?} is not a 2-digit code", r.code));
                }
                if let Some(other) = places.insert((area_key(area).into(), p.clone()), &r.code) {
                    out.push(format!("province {p:?} ({}) is in regions {other} and {}", r.area, r.code));
                }
            }
            for c in &r.communes {
                if c.len() != 5 || !c.bytes().all(|b| b.is_ascii_digit()) {
                    out.push(format!("region {}: commune {c:?} is not a 5-digit code", r.code));
                }
                if let Some(other) = places.insert((area_key(area).into(), format!("c{c}")), &r.code) {
                    out.push(format!("commune {c} ({}) is in regions {other} and {}", r.area, r.code));
                }
            }
        }
        if self.regions.is_empty() {
            out.push("no region".into());
        }
        if self.variables.is_empty() {
            out.push("no variable".into());
        }
        let mut vars = std::collections::HashSet::new();
        for v in &self.variables {
            if !vars.insert(v.code.as_str()) {
                out.push(format!("variable {} is defined twice", v.code));
            }
            if v.categories.is_empty() {
                out.push(format!("variable {} has no category", v.code));
            }
            let mut cats = std::collections::HashSet::new();
            for c in &v.categories {
                if !cats.insert(c.code.as_str()) {
                    out.push(format!("variable {}: category {} is defined twice", v.code, c.code));
                }
                for region in c.points.keys() {
                    if !codes.contains(region.as_str()) {
                        out.push(format!("variable {} category {}: unknown region {region}", v.code, c.code));
                    }
                }
            }
            // Where a variable is asked, every one of its answers has points.
            for r in &self.regions {
                let with = v.categories.iter().filter(|c| c.points.contains_key(&r.code)).count();
                if with > 0 && with < v.categories.len() {
                    out.push(format!(
                        "variable {} is asked in region {} but {} of its categories have no points there",
                        v.code,
                        r.code,
                        v.categories.len() - with
                    ));
                }
            }
        }
        out
    }

    /// The title as shown: a test table's with [`TEST_MARKER_VI`] before it.
    pub fn shown_title(&self) -> String {
        match self.purpose {
            Purpose::Test => format!("{TEST_MARKER_VI} {}", self.title_vi),
            Purpose::Official => self.title_vi.clone(),
        }
    }

    pub fn is_test(&self) -> bool {
        self.purpose == Purpose::Test
    }

    /// The region of a household of `area` in `province` and `commune` (today's codes): a
    /// region naming the commune, else one of the area naming the province, else one of the
    /// area naming no province.
    pub fn region_for(&self, area: Area, province: &str, commune: &str) -> Option<&Region> {
        let of_area = |r: &&Region| Area::parse(&r.area) == Some(area);
        self.regions
            .iter()
            .filter(of_area)
            .find(|r| r.communes.iter().any(|c| c == commune))
            .or_else(|| self.regions.iter().filter(of_area).find(|r| r.provinces.iter().any(|p| p == province)))
            .or_else(|| self.regions.iter().filter(of_area).find(|r| r.provinces.is_empty() && r.communes.is_empty()))
    }

    /// Score A of `answers` (variable code → answer) in `region`; every problem at once.
    pub fn score(&self, region: &Region, answers: &BTreeMap<String, String>) -> Result<ScoreA, Vec<AnswerProblem>> {
        let mut problems = Vec::new();
        let mut parts = Vec::new();
        if region.intercept != 0 {
            parts.push(("intercept".to_string(), String::new(), region.intercept));
        }
        for v in &self.variables {
            let answer = answers.get(&v.code).map(|s| s.trim()).filter(|s| !s.is_empty());
            let applies = v.applies_in(&region.code);
            match (applies, answer) {
                (true, None) => problems.push(AnswerProblem {
                    variable: v.code.clone(),
                    value: String::new(),
                    vi: format!("Thiếu câu trả lời \"{}\" ({}).", v.name_vi, v.code),
                    en: format!("No answer to \"{}\" ({}).", v.name_en, v.code),
                }),
                (false, Some(a)) => problems.push(AnswerProblem {
                    variable: v.code.clone(),
                    value: a.to_string(),
                    vi: format!("Câu \"{}\" không được hỏi ở vùng {} của hộ.", v.name_vi, region.code),
                    en: format!("\"{}\" is not asked in the household's region {}.", v.name_en, region.code),
                }),
                (false, None) => {}
                (true, Some(a)) => match v.category(a).and_then(|c| Some((c, *c.points.get(&region.code)?))) {
                    Some((c, points)) => parts.push((v.code.clone(), c.code.clone(), points)),
                    None => {
                        let allowed: Vec<&str> = v.categories.iter().map(|c| c.code.as_str()).collect();
                        problems.push(AnswerProblem {
                            variable: v.code.clone(),
                            value: a.to_string(),
                            vi: format!(
                                "Câu trả lời \"{a}\" không có trong bảng điểm cho \"{}\" (được: {}).",
                                v.name_vi,
                                allowed.join(", ")
                            ),
                            en: format!(
                                "Answer \"{a}\" is not in the score table for \"{}\" (allowed: {}).",
                                v.name_en,
                                allowed.join(", ")
                            ),
                        });
                    }
                },
            }
        }
        let known: std::collections::HashSet<&str> = self.variables.iter().map(|v| v.code.as_str()).collect();
        for (k, a) in answers {
            if !known.contains(k.as_str()) && !a.trim().is_empty() {
                problems.push(AnswerProblem {
                    variable: k.clone(),
                    value: a.clone(),
                    vi: format!("Bảng điểm {} không có câu \"{k}\".", self.id),
                    en: format!("Score table {} has no variable \"{k}\".", self.id),
                });
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(ScoreA {
            table_id: self.id.clone(),
            region: region.code.clone(),
            total: parts.iter().map(|p| p.2).sum(),
            parts,
        })
    }
}

fn area_key(a: Area) -> &'static str {
    match a {
        Area::Rural => "rural",
        Area::Urban => "urban",
    }
}
