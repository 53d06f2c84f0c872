//! The language of the pages: Vietnamese by default, English on request (cookie `lang`,
//! switched by `/ngon-ngu?lang=en`). Strings stay beside each other in the code as
//! (Vietnamese, English) pairs, so a page can never show a key instead of a text.

/// A page's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn from_cookie(v: Option<&str>) -> Lang {
        match v {
            Some("en") => Lang::En,
            _ => Lang::Vi,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// The text in this language.
    pub fn s<'a>(self, vi: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    /// A count with Vietnamese digit grouping (dots) or English (commas).
    pub fn int(self, v: u64) -> String {
        let digits = v.to_string();
        let sep = if self == Lang::Vi { '.' } else { ',' };
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(sep);
            }
            out.push(c);
        }
        out
    }

    /// A percentage with two decimals (`3,45 %` / `3.45 %`) of `part` in `whole`.
    pub fn pct(self, part: u64, whole: u64) -> String {
        if whole == 0 {
            return "–".into();
        }
        let v = format!("{:.2}", part as f64 * 100.0 / whole as f64);
        match self {
            Lang::Vi => format!("{} %", v.replace('.', ",")),
            Lang::En => format!("{v} %"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_language() {
        assert_eq!(Lang::Vi.int(1_234_567), "1.234.567");
        assert_eq!(Lang::En.int(1_234_567), "1,234,567");
        assert_eq!(Lang::Vi.int(12), "12");
        assert_eq!(Lang::Vi.pct(1, 3), "33,33 %");
        assert_eq!(Lang::En.pct(1, 8), "12.50 %");
        assert_eq!(Lang::En.pct(1, 0), "–");
    }
}
