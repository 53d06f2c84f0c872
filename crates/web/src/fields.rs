//! How each interchange field is shown and entered on a page: its label in both languages and
//! its input (text, number, a list of codes, yes/no).

use crate::i18n::Lang;
use vuonlen_core::codes::{Area, Disability, Education, Employment, Latrine, PovertyCause, Relation, Sex, WaterSource};
use vuonlen_io::header::{HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};

/// How a field is entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Text,
    Number,
    Date,
    /// (key, Vietnamese label) of each code.
    Choice(Vec<(&'static str, &'static str)>),
    /// Yes/no; optional ones may be left empty.
    YesNo {
        optional: bool,
    },
}

macro_rules! choices {
    ($t:ty) => {
        <$t>::ALL.iter().map(|c| (c.key(), c.label_vi())).collect()
    };
}

/// The input of a households-file field.
pub fn household_input(key: &str) -> Input {
    match key {
        "area" => Input::Choice(choices!(Area)),
        "water_source" => Input::Choice(choices!(WaterSource)),
        "latrine" => Input::Choice(choices!(Latrine)),
        "income_per_capita" | "score_a" | "durable_structures" | "floor_area_m2" => Input::Number,
        "internet_user" | "info_devices" => Input::YesNo { optional: false },
        "waste_treatment" => Input::YesNo { optional: true },
        _ => Input::Text,
    }
}

/// The input of a members-file field.
pub fn member_input(key: &str) -> Input {
    match key {
        "relation" => Input::Choice(choices!(Relation)),
        "sex" => Input::Choice(choices!(Sex)),
        "employment" => Input::Choice(choices!(Employment)),
        "education" => Input::Choice(choices!(Education)),
        "disability" => Input::Choice(choices!(Disability)),
        "birth_date" => Input::Date,
        "health_insurance" | "able_to_work" | "in_school" | "social_allowance" | "merit" => {
            Input::YesNo { optional: false }
        }
        "school_on_track" | "malnourished" => Input::YesNo { optional: true },
        _ => Input::Text,
    }
}

/// Poverty causes, for the hint under their field.
pub fn cause_hint() -> String {
    PovertyCause::ALL.iter().map(|c| format!("{} ({})", c.key(), c.label_vi())).collect::<Vec<_>>().join("; ")
}

/// A field's label: the format's Vietnamese label, or its English key made readable.
pub fn label(lang: Lang, key: &str, member: bool) -> String {
    let cols: &[vuonlen_io::header::ColumnSpec] = if member { &MEMBER_COLUMNS } else { &HOUSEHOLD_COLUMNS };
    match (lang, cols.iter().find(|c| c.key == key)) {
        (Lang::Vi, Some(c)) => c.label_vi.to_string(),
        _ => {
            let s = key.replace('_', " ");
            let mut c = s.chars();
            c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
        }
    }
}

/// One field as a page shows it.
#[derive(Debug, Clone)]
pub struct FieldView {
    /// The form field's name (`h.KEY`, `m.I.KEY`).
    pub name: String,
    pub key: &'static str,
    pub label: String,
    pub input: Input,
    pub value: String,
    pub error: Option<String>,
    pub readonly: bool,
}

impl FieldView {
    pub fn is_text(&self) -> bool {
        matches!(self.input, Input::Text)
    }
    pub fn is_number(&self) -> bool {
        matches!(self.input, Input::Number)
    }
    pub fn is_date(&self) -> bool {
        matches!(self.input, Input::Date)
    }
    pub fn choices(&self) -> Vec<(&'static str, &'static str)> {
        match &self.input {
            Input::Choice(c) => c.clone(),
            _ => Vec::new(),
        }
    }
    pub fn is_choice(&self) -> bool {
        matches!(self.input, Input::Choice(_))
    }
    pub fn is_yes_no(&self) -> bool {
        matches!(self.input, Input::YesNo { .. })
    }
    pub fn optional(&self) -> bool {
        matches!(self.input, Input::YesNo { optional: true })
    }
    /// The value as a yes/no selection: "1", "0" or "".
    pub fn yes_no(&self) -> &'static str {
        match self.value.trim().to_lowercase().as_str() {
            "1" | "true" | "có" | "co" | "x" | "yes" => "1",
            "0" | "false" | "không" | "khong" | "no" => "0",
            _ => "",
        }
    }
    /// A value not among the choices (kept so nothing typed is lost).
    pub fn unlisted(&self) -> bool {
        self.is_choice() && !self.value.is_empty() && !self.choices().iter().any(|(k, _)| *k == self.value)
    }
}
