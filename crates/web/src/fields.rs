//! How each interchange field is shown and entered on a page: its label in both languages and
//! its input (text, number, a list of codes, yes/no).

use crate::i18n::Lang;
use vuonlen_core::codes::PovertyCause;
use vuonlen_core::schema::{self, Field, Kind, Presence};

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

/// How a field of the schema is entered, from its kind.
fn input_of(field: Option<&Field>) -> Input {
    let Some(f) = field else { return Input::Text };
    match f.kind {
        Kind::Choice(_) => Input::Choice(f.kind.choices()),
        Kind::Amount | Kind::Whole { .. } | Kind::Decimal => Input::Number,
        Kind::Date => Input::Date,
        Kind::YesNo => Input::YesNo { optional: f.presence != Presence::Required },
        Kind::Text | Kind::HouseholdCode | Kind::CommuneCode | Kind::IdNumber | Kind::ChoiceList(_) => Input::Text,
    }
}

/// The input of a households-file field.
pub fn household_input(key: &str) -> Input {
    input_of(schema::household_field(key))
}

/// The input of a members-file field.
pub fn member_input(key: &str) -> Input {
    input_of(schema::member_field(key))
}

/// Poverty causes, for the hint under their field.
pub fn cause_hint() -> String {
    PovertyCause::ALL.iter().map(|c| format!("{} ({})", c.key(), c.label_vi())).collect::<Vec<_>>().join("; ")
}

/// A field's label in the page's language, from the schema (its key made readable for a field
/// outside it).
pub fn label(lang: Lang, key: &str, member: bool) -> String {
    let field = if member { schema::member_field(key) } else { schema::household_field(key) };
    match field {
        Some(f) => f.label(lang == Lang::En).to_string(),
        None => {
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
