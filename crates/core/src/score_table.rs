//! Score tables of Phiếu B (*bảng điểm Phiếu B*, Circular 07/2021/TT-BLĐTBXH, Phụ lục III–IV):
//! the points each answer of the questionnaire gives in a region, summed into score A (*điểm
//! A*, alias "B1"), the income proxy the standard's anchors compare (140 rural, 175 urban).
//!
//! The official tables — one urban (PL3b.0) and six rural regions NT1–NT6 — are **not public in
//! any source the project has**, so none is shipped: a table is a data file an operator loads
//! (`kind = "score_table"`, docs/score-tables.md) with its citation and status, and a table made
//! for testing says so (`purpose = "test"`, its id, titles and [`ScoreTable::shown_title`])
//! wherever it is shown. Nothing here knows a point value.
//!
//! A table has regions (*vùng*: an area, with the provinces — or communes, which win — it
//! covers), variables (*câu hỏi*, a question of Phiếu B) and each variable's categories (*phương
//! án trả lời*, the possible answers) with their points per region. A variable applies in a
//! region when its categories have points there (all of them, or none: a category without points
//! for a region means the variable is not asked there); a household answers every variable that
//! applies in its region and no other.

use crate::codes::Area;
use crate::provision::Status;
use crate::text::fold;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// One household's answers: variable (its code, any case) → answer (a category's code, any case,
/// or its Vietnamese name, with or without diacritics). A blank answer is no answer.
pub type Answers = BTreeMap<String, String>;

/// What a table is for (`purpose`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Loaded from the official text (its `status` says how far it was checked).
    Official,
    /// Invented for tests: never an official figure; shown with [`TEST_MARKER_VI`].
    Test,
}

/// Printed before the title of a test table wherever it is shown.
pub const TEST_MARKER_VI: &str = "[BẢNG THỬ NGHIỆM, KHÔNG PHẢI SỐ LIỆU CHÍNH THỨC]";

/// Name of the part of [`ScoreA::parts`] that holds a region's intercept (no variable may use it).
pub const INTERCEPT: &str = "intercept";

/// A region of a table (*vùng*): urban, or one of the rural regions NT1–NT6.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// Referenced by the categories' `points` (e.g. `urban`, `NT1`).
    pub code: String,
    pub name_vi: String,
    /// `urban` or `rural` (the household's *khu vực*).
    pub area: String,
    /// 2-digit province codes it covers; none (and no commune): every province of its area.
    #[serde(default)]
    pub provinces: Vec<String>,
    /// 5-digit commune codes it covers whatever their province (merged provinces since 2025 can
    /// span regions); a commune listed here wins over its province.
    #[serde(default)]
    pub communes: Vec<String>,
    /// Points every household of the region starts from (default 0).
    #[serde(default)]
    pub intercept: i32,
}

impl Region {
    /// The region's area, when `area` is `urban` or `rural`.
    fn area(&self) -> Option<Area> {
        match self.area.as_str() {
            "urban" => Some(Area::Urban),
            "rural" => Some(Area::Rural),
            _ => None,
        }
    }
}

/// One answer of a variable (*phương án trả lời*) and its points per region code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub code: String,
    pub name_vi: String,
    #[serde(default)]
    pub name_en: Option<String>,
    /// Region code → points; a region left out: the variable is not asked there.
    pub points: BTreeMap<String, i32>,
}

/// A question of Phiếu B (*câu hỏi*).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variable {
    /// snake_case, e.g. `household_size`.
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    #[serde(default)]
    pub note: Option<String>,
    pub categories: Vec<Category>,
}

impl Variable {
    /// Whether the variable is asked in the region `region` (a region code).
    pub fn applies_in(&self, region: &str) -> bool {
        self.categories.iter().any(|c| c.points.contains_key(region))
    }

    /// The category an answer names: its code (any case) or its Vietnamese name, with or
    /// without diacritics.
    pub fn category(&self, answer: &str) -> Option<&Category> {
        let answer = answer.trim();
        if let Some(c) = self.categories.iter().find(|c| c.code == answer || c.code.eq_ignore_ascii_case(answer)) {
            return Some(c);
        }
        let a = fold(answer);
        self.categories.iter().find(|c| fold(&c.code) == a || fold(&c.name_vi) == a)
    }
}

/// A Phiếu B score table (*bảng điểm*), as loaded from its file (`kind = "score_table"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreTable {
    pub kind: String,
    /// Unique among the loaded tables, e.g. `tt07-2021-phieu-b`.
    pub id: String,
    /// Id of the standard whose score-A anchors the score is compared with (e.g. `2022-2025`).
    pub standard: String,
    pub title_vi: String,
    pub title_en: String,
    pub citation: String,
    pub status: Status,
    pub purpose: Purpose,
    /// The table's version, as its source names it.
    #[serde(default)]
    pub version: Option<String>,
    /// The text that amended the table, if any.
    #[serde(default)]
    pub amended_by: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// At least one (missing: reported by [`ScoreTable::validate`] with the other problems).
    #[serde(default)]
    pub regions: Vec<Region>,
    /// At least one (missing: reported by [`ScoreTable::validate`] with the other problems).
    #[serde(default)]
    pub variables: Vec<Variable>,
}

/// A household's score A (*điểm A*) and how it was reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScoreA {
    /// The table's id.
    pub table_id: String,
    /// Whether the table is a test table (its points invented): never show such a score as
    /// official.
    pub test_table: bool,
    /// The region's code.
    pub region: String,
    pub total: i32,
    /// (variable, category, points), in the table's order; the region's intercept first, as
    /// ([`INTERCEPT`], "", points), when it is not 0.
    pub parts: Vec<(String, String, i32)>,
}

/// What is wrong with an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerProblemKind {
    /// No (or a blank) answer to a variable asked in the household's region.
    Missing,
    /// An answer that is no category of the variable (the message lists the allowed codes).
    UnknownCategory,
    /// An answer to a variable not asked in the household's region.
    NotAsked,
    /// An answer to a variable the table does not have.
    UnknownVariable,
    /// Two answers to one variable (keys that differ only in case or diacritics).
    Repeated,
}

/// Why an answer cannot be scored, in Vietnamese and English, naming the variable and value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{vi} / {en}")]
pub struct AnswerProblem {
    pub kind: AnswerProblemKind,
    /// The variable's code (the key as given when the table has no such variable).
    pub variable: String,
    /// The answer as given (empty when missing).
    pub value: String,
    pub vi: String,
    pub en: String,
}

/// A problem of a score table file; [`ScoreTable::validate`] reports every one at once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScoreTableError {
    #[error("kind phải là \"score_table\" / kind must be \"score_table\", not {0:?}")]
    WrongKind(String),
    #[error("{0} trống / {0} is empty")]
    EmptyField(&'static str),
    #[error("bảng thử nghiệm: {field} phải có chữ {word} / a test table's {field} must say {word}")]
    TestUnmarked { field: &'static str, word: &'static str },
    #[error("bảng thử nghiệm không thể có status \"verified\" / a test table cannot be verified")]
    TestVerified,
    #[error("bảng chính thức nhưng {field} ghi là thử nghiệm / an official table whose {field} says it is a test")]
    OfficialMarkedTest { field: &'static str },
    #[error("không có vùng nào / no region")]
    NoRegion,
    #[error("không có câu hỏi nào / no variable")]
    NoVariable,
    #[error("mã vùng {0:?} không hợp lệ / region code {0:?} is empty or has spaces")]
    BadRegionCode(String),
    #[error("vùng {0} khai báo hai lần / region {0} is defined twice")]
    DuplicateRegion(String),
    #[error(
        "vùng {region}: area {area:?} không phải urban/rural / region {region}: area {area:?} is neither urban nor rural"
    )]
    BadArea { region: String, area: String },
    #[error(
        "vùng {region}: tỉnh {province:?} không phải mã 2 chữ số / region {region}: province {province:?} is not a 2-digit code"
    )]
    BadProvince { region: String, province: String },
    #[error(
        "vùng {region}: xã {commune:?} không phải mã 5 chữ số / region {region}: commune {commune:?} is not a 5-digit code"
    )]
    BadCommune { region: String, commune: String },
    #[error(
        "tỉnh {province} ({area}) thuộc hai vùng {first} và {second} / province {province} ({area}) is in regions {first} and {second}"
    )]
    ProvinceInTwoRegions { area: String, province: String, first: String, second: String },
    #[error(
        "xã {commune} ({area}) thuộc hai vùng {first} và {second} / commune {commune} ({area}) is in regions {first} and {second}"
    )]
    CommuneInTwoRegions { area: String, commune: String, first: String, second: String },
    #[error(
        "hai vùng {first} và {second} cùng áp dụng cho mọi tỉnh ({area}) / regions {first} and {second} both cover every province ({area})"
    )]
    TwoDefaultRegions { area: String, first: String, second: String },
    #[error("không câu hỏi nào được hỏi ở vùng {0} / no variable is asked in region {0}")]
    RegionUnscored(String),
    #[error(
        "mã câu hỏi {0:?} không hợp lệ (chữ thường, số, _; không dùng \"intercept\") / variable code {0:?} is not snake_case or is reserved (\"intercept\")"
    )]
    BadVariableCode(String),
    #[error("câu hỏi {0} khai báo hai lần / variable {0} is defined twice")]
    DuplicateVariable(String),
    #[error("\"{key}\" chỉ cả câu hỏi {first} và {second} / \"{key}\" names both variables {first} and {second}")]
    AmbiguousVariable { key: String, first: String, second: String },
    #[error("câu hỏi {0} không có phương án trả lời / variable {0} has no category")]
    NoCategory(String),
    #[error(
        "câu hỏi {variable}: mã phương án {category:?} không hợp lệ / variable {variable}: category code {category:?} is empty or padded"
    )]
    BadCategoryCode { variable: String, category: String },
    #[error(
        "câu hỏi {variable}: phương án {category} khai báo hai lần / variable {variable}: category {category} is defined twice"
    )]
    DuplicateCategory { variable: String, category: String },
    #[error(
        "câu hỏi {variable}: \"{key}\" chỉ cả phương án {first} và {second} / variable {variable}: \"{key}\" names both categories {first} and {second}"
    )]
    AmbiguousCategory { variable: String, key: String, first: String, second: String },
    #[error(
        "câu hỏi {variable}, phương án {category}: không có vùng {region} / variable {variable}, category {category}: unknown region {region}"
    )]
    UnknownRegion { variable: String, category: String, region: String },
    #[error("câu hỏi {variable} được hỏi ở vùng {region} nhưng phương án {} không có điểm ở đó / variable {variable} is asked in region {region} but categories {} have no points there", missing.join(", "), missing.join(", "))]
    PartialPoints { variable: String, region: String, missing: Vec<String> },
}

fn is_digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_snake_case(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Folded, non-empty, distinct keys.
fn keys<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = names.into_iter().map(fold).filter(|k| !k.is_empty()).collect();
    out.sort();
    out.dedup();
    out
}

impl ScoreTable {
    /// Every problem of the table, at once (empty: usable). The registry
    /// ([`crate::Standards::add_toml`]) refuses a table with any.
    pub fn validate(&self) -> Vec<ScoreTableError> {
        use ScoreTableError as E;
        let mut out = Vec::new();
        if self.kind != "score_table" {
            out.push(E::WrongKind(self.kind.clone()));
        }
        for (field, value) in [
            ("id", &self.id),
            ("standard", &self.standard),
            ("title_vi", &self.title_vi),
            ("title_en", &self.title_en),
            ("citation", &self.citation),
        ] {
            if value.trim().is_empty() {
                out.push(E::EmptyField(field));
            }
        }
        self.validate_purpose(&mut out);
        self.validate_regions(&mut out);
        self.validate_variables(&mut out);
        out
    }

    /// A test table says so in its id and both titles and is never verified; an official one
    /// says nowhere that it is a test.
    fn validate_purpose(&self, out: &mut Vec<ScoreTableError>) {
        use ScoreTableError as E;
        let marked = [
            ("id", self.id.to_uppercase().contains("TEST"), "TEST"),
            ("title_vi", crate::text::nfc(&self.title_vi).to_uppercase().contains("THỬ NGHIỆM"), "THỬ NGHIỆM"),
            ("title_en", self.title_en.to_uppercase().contains("TEST"), "TEST"),
        ];
        match self.purpose {
            Purpose::Test => {
                for (field, says, word) in marked {
                    if !says {
                        out.push(E::TestUnmarked { field, word });
                    }
                }
                if self.status.is_verified() {
                    out.push(E::TestVerified);
                }
            }
            Purpose::Official => {
                for (field, says, _) in marked {
                    if says {
                        out.push(E::OfficialMarkedTest { field });
                    }
                }
            }
        }
    }

    fn validate_regions(&self, out: &mut Vec<ScoreTableError>) {
        use ScoreTableError as E;
        if self.regions.is_empty() {
            out.push(E::NoRegion);
        }
        let mut codes = HashSet::new();
        // (area, "p" + province | "c" + commune | "" for every province) → region.
        let mut places: HashMap<(&str, String), &str> = HashMap::new();
        for r in &self.regions {
            if r.code.is_empty() || r.code.contains(char::is_whitespace) {
                out.push(E::BadRegionCode(r.code.clone()));
            }
            if !codes.insert(r.code.as_str()) {
                out.push(E::DuplicateRegion(r.code.clone()));
            }
            if !self.variables.is_empty() && !self.variables.iter().any(|v| v.applies_in(&r.code)) {
                out.push(E::RegionUnscored(r.code.clone()));
            }
            if r.area().is_none() {
                out.push(E::BadArea { region: r.code.clone(), area: r.area.clone() });
                continue;
            }
            let mut place = |key: String| places.insert((r.area.as_str(), key), r.code.as_str()).map(str::to_string);
            let (area, second) = (|| r.area.clone(), || r.code.clone());
            if r.provinces.is_empty()
                && r.communes.is_empty()
                && let Some(first) = place(String::new())
            {
                out.push(E::TwoDefaultRegions { area: area(), first, second: second() });
            }
            for p in &r.provinces {
                if !is_digits(p, 2) {
                    out.push(E::BadProvince { region: r.code.clone(), province: p.clone() });
                } else if let Some(first) = place(format!("p{p}")) {
                    out.push(E::ProvinceInTwoRegions { area: area(), province: p.clone(), first, second: second() });
                }
            }
            for c in &r.communes {
                if !is_digits(c, 5) {
                    out.push(E::BadCommune { region: r.code.clone(), commune: c.clone() });
                } else if let Some(first) = place(format!("c{c}")) {
                    out.push(E::CommuneInTwoRegions { area: area(), commune: c.clone(), first, second: second() });
                }
            }
        }
    }

    fn validate_variables(&self, out: &mut Vec<ScoreTableError>) {
        use ScoreTableError as E;
        if self.variables.is_empty() {
            out.push(E::NoVariable);
        }
        let regions: HashSet<&str> = self.regions.iter().map(|r| r.code.as_str()).collect();
        let mut codes = HashSet::new();
        let mut names: HashMap<String, &str> = HashMap::new();
        for v in &self.variables {
            if !is_snake_case(&v.code) || v.code == INTERCEPT {
                out.push(E::BadVariableCode(v.code.clone()));
            }
            if !codes.insert(v.code.as_str()) {
                out.push(E::DuplicateVariable(v.code.clone()));
                continue;
            }
            for key in keys([v.code.as_str(), &v.name_vi, &v.name_en]) {
                if let Some(first) = names.get(&key) {
                    out.push(E::AmbiguousVariable { key, first: first.to_string(), second: v.code.clone() });
                } else {
                    names.insert(key, &v.code);
                }
            }
            if v.categories.is_empty() {
                out.push(E::NoCategory(v.code.clone()));
            }
            let mut cats = HashSet::new();
            let mut answers: HashMap<String, &str> = HashMap::new();
            for c in &v.categories {
                if c.code.is_empty() || c.code.trim() != c.code {
                    out.push(E::BadCategoryCode { variable: v.code.clone(), category: c.code.clone() });
                }
                if !cats.insert(c.code.as_str()) {
                    out.push(E::DuplicateCategory { variable: v.code.clone(), category: c.code.clone() });
                    continue;
                }
                for key in keys([c.code.as_str(), &c.name_vi]) {
                    if let Some(first) = answers.get(&key) {
                        out.push(E::AmbiguousCategory {
                            variable: v.code.clone(),
                            key,
                            first: first.to_string(),
                            second: c.code.clone(),
                        });
                    } else {
                        answers.insert(key, &c.code);
                    }
                }
                for region in c.points.keys().filter(|r| !regions.contains(r.as_str())) {
                    out.push(E::UnknownRegion {
                        variable: v.code.clone(),
                        category: c.code.clone(),
                        region: region.clone(),
                    });
                }
            }
            // Where a variable is asked, every one of its answers has points.
            for r in &self.regions {
                let missing: Vec<String> =
                    v.categories.iter().filter(|c| !c.points.contains_key(&r.code)).map(|c| c.code.clone()).collect();
                if !missing.is_empty() && missing.len() < v.categories.len() {
                    out.push(E::PartialPoints { variable: v.code.clone(), region: r.code.clone(), missing });
                }
            }
        }
    }

    /// The title as shown: a test table's with [`TEST_MARKER_VI`] before it.
    pub fn shown_title(&self) -> String {
        match self.purpose {
            Purpose::Test => format!("{TEST_MARKER_VI} {}", self.title_vi),
            Purpose::Official => self.title_vi.clone(),
        }
    }

    /// Whether the table was invented for tests (`purpose = "test"`).
    pub fn is_test(&self) -> bool {
        self.purpose == Purpose::Test
    }

    /// The region of a household of `area` in `province` (2 digits) and `commune` (5 digits):
    /// a region of the area naming the commune, else one naming the province, else the one of
    /// the area naming neither; `None` when no region covers it.
    pub fn region_for(&self, area: Area, province: &str, commune: &str) -> Option<&Region> {
        let (province, commune) = (province.trim(), commune.trim());
        let of_area = || self.regions.iter().filter(move |r| r.area() == Some(area));
        of_area()
            .find(|r| r.communes.iter().any(|c| c == commune))
            .or_else(|| of_area().find(|r| r.provinces.iter().any(|p| p == province)))
            .or_else(|| of_area().find(|r| r.provinces.is_empty() && r.communes.is_empty()))
    }

    /// The variable an answer key names: its code, in any case (also its Vietnamese or English
    /// name, with or without diacritics).
    pub fn variable(&self, key: &str) -> Option<&Variable> {
        let key = key.trim();
        if let Some(v) = self.variables.iter().find(|v| v.code == key) {
            return Some(v);
        }
        let k = fold(key);
        self.variables.iter().find(|v| fold(&v.code) == k || fold(&v.name_vi) == k || fold(&v.name_en) == k)
    }

    /// Score A of `answers` in `region` (a region of this table, from [`ScoreTable::region_for`]):
    /// the region's intercept plus the points of each answer. Every problem at once, those of the
    /// table's variables in its order, then answers to unknown variables and repeated answers.
    pub fn score(&self, region: &Region, answers: &Answers) -> Result<ScoreA, Vec<AnswerProblem>> {
        let mut problems = Vec::new();
        let mut extra = Vec::new();
        let mut given: Vec<Option<&str>> = vec![None; self.variables.len()];
        for (key, value) in answers {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            let Some(i) = self.variable(key).and_then(|v| self.variables.iter().position(|x| x.code == v.code)) else {
                extra.push(AnswerProblem {
                    kind: AnswerProblemKind::UnknownVariable,
                    variable: key.clone(),
                    value: value.to_string(),
                    vi: format!("Bảng điểm {} không có câu hỏi \"{key}\".", self.id),
                    en: format!("Score table {} has no variable \"{key}\".", self.id),
                });
                continue;
            };
            let v = &self.variables[i];
            match given[i] {
                None => given[i] = Some(value),
                Some(first) => extra.push(AnswerProblem {
                    kind: AnswerProblemKind::Repeated,
                    variable: v.code.clone(),
                    value: value.to_string(),
                    vi: format!("Câu \"{}\" ({}) được trả lời hai lần: \"{first}\" và \"{value}\".", v.name_vi, v.code),
                    en: format!("\"{}\" ({}) is answered twice: \"{first}\" and \"{value}\".", v.name_en, v.code),
                }),
            }
        }
        let mut parts = Vec::new();
        if region.intercept != 0 {
            parts.push((INTERCEPT.to_string(), String::new(), region.intercept));
        }
        for (v, answer) in self.variables.iter().zip(given) {
            let allowed = || v.categories.iter().map(|c| c.code.as_str()).collect::<Vec<_>>().join(", ");
            match (v.applies_in(&region.code), answer) {
                (false, None) => {}
                (true, None) => problems.push(AnswerProblem {
                    kind: AnswerProblemKind::Missing,
                    variable: v.code.clone(),
                    value: String::new(),
                    vi: format!(
                        "Thiếu câu trả lời \"{}\" ({}), được hỏi ở vùng {} (được: {}).",
                        v.name_vi,
                        v.code,
                        region.code,
                        allowed()
                    ),
                    en: format!(
                        "No answer to \"{}\" ({}), asked in region {} (allowed: {}).",
                        v.name_en,
                        v.code,
                        region.code,
                        allowed()
                    ),
                }),
                (false, Some(a)) => problems.push(AnswerProblem {
                    kind: AnswerProblemKind::NotAsked,
                    variable: v.code.clone(),
                    value: a.to_string(),
                    vi: format!(
                        "Câu \"{}\" ({}) không được hỏi ở vùng {} của hộ: bỏ câu trả lời \"{a}\" hoặc kiểm tra khu vực, tỉnh, xã.",
                        v.name_vi, v.code, region.code
                    ),
                    en: format!(
                        "\"{}\" ({}) is not asked in the household's region {}: drop the answer \"{a}\" or check the area, province and commune.",
                        v.name_en, v.code, region.code
                    ),
                }),
                (true, Some(a)) => match v.category(a).and_then(|c| Some((c, *c.points.get(&region.code)?))) {
                    Some((c, points)) => parts.push((v.code.clone(), c.code.clone(), points)),
                    None => problems.push(AnswerProblem {
                        kind: AnswerProblemKind::UnknownCategory,
                        variable: v.code.clone(),
                        value: a.to_string(),
                        vi: format!(
                            "Câu trả lời \"{a}\" không có trong bảng điểm cho \"{}\" ({}) (được: {}).",
                            v.name_vi,
                            v.code,
                            allowed()
                        ),
                        en: format!(
                            "Answer \"{a}\" is not in the score table for \"{}\" ({}) (allowed: {}).",
                            v.name_en,
                            v.code,
                            allowed()
                        ),
                    }),
                },
            }
        }
        problems.append(&mut extra);
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(ScoreA {
            table_id: self.id.clone(),
            test_table: self.is_test(),
            region: region.code.clone(),
            total: parts.iter().map(|p| p.2).sum(),
            parts,
        })
    }
}
