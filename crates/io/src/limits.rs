//! Lengths and characters of the format's fields (`docs/household-format.md`, "Lengths and
//! characters"): one table, checked by the reader on every path, so that both engines store the
//! same things and refuse the same things with a located problem.

/// The bounds of one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldLimit {
    /// The field's English key (households or members file).
    pub key: &'static str,
    /// At most this many characters (Unicode scalar values), counted after NFC and trimming.
    pub max_chars: usize,
    /// Whether line breaks (`\n`, `\r`) are allowed inside the value. No other control character
    /// (U+0000–U+001F, U+007F–U+009F: NUL, tab, …) is ever allowed.
    pub line_breaks: bool,
}

const fn limit(key: &'static str, max_chars: usize, line_breaks: bool) -> FieldLimit {
    FieldLimit { key, max_chars, line_breaks }
}

/// The limit of every field not in [`FIELD_LIMITS`]: codes, numbers, dates and flags, which
/// their own format bounds further (a commune code is 5 digits, an ID number 12).
pub const DEFAULT_MAX_CHARS: usize = 64;

/// Text fields and their bounds. Fields not listed have [`DEFAULT_MAX_CHARS`] and no line
/// breaks.
pub const FIELD_LIMITS: [FieldLimit; 7] = [
    limit("household_id", 64, false),
    limit("village", 200, false),
    limit("head_name", 200, false),
    limit("address", 500, true),
    limit("poverty_causes", 1000, false),
    limit("full_name", 200, false),
    limit("ethnicity", 100, false),
];

/// A CSV record (one row, with all its fields and quotes) may take at most this many bytes;
/// reading stops at a longer one, so that a hostile file cannot exhaust memory.
pub const MAX_RECORD_BYTES: usize = 1 << 20;

/// The bounds of field `key`.
pub const fn field_limit(key: &'static str) -> FieldLimit {
    let mut i = 0;
    while i < FIELD_LIMITS.len() {
        if vuonlen_core::schema::same(FIELD_LIMITS[i].key, key) {
            return FIELD_LIMITS[i];
        }
        i += 1;
    }
    limit(key, DEFAULT_MAX_CHARS, false)
}

/// What is wrong with a value, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// Longer than allowed: its length in characters after NFC.
    TooLong(usize),
    /// A character that is not allowed.
    Control(char),
}

/// Checks a trimmed value against its bounds (exactly: characters counted after NFC).
pub(crate) fn fault(value: &str, lim: &FieldLimit) -> Option<Fault> {
    if let Some(c) = value.chars().find(|&c| c.is_control() && !(lim.line_breaks && (c == '\n' || c == '\r'))) {
        return Some(Fault::Control(c));
    }
    // A value of at most `max_chars` bytes has at most as many characters.
    if value.len() > lim.max_chars {
        let n = vuonlen_core::text::nfc(value).chars().count();
        if n > lim.max_chars {
            return Some(Fault::TooLong(n));
        }
    }
    None
}

/// The fast paths' test: a value of at most `max` bytes with no byte that could start a
/// control character (bytes below 0x20, 0x7F, and 0xC2, which starts U+0080–U+00BF). Anything
/// else goes to the general path, which checks exactly with [`fault`].
#[inline(always)]
pub(crate) fn plain_text(s: &[u8], max: usize) -> bool {
    s.len() <= max && s.iter().all(|&c| c >= 0x20 && c != 0x7F && c != 0xC2)
}

/// At most 40 characters of `value`, with `…` when cut, for messages and error files.
pub(crate) fn shorten(value: &str) -> String {
    const SHOWN: usize = 40;
    match value.char_indices().nth(SHOWN) {
        None => value.to_string(),
        Some((i, _)) => format!("{}…", &value[..i]),
    }
}

/// A character as shown in a message: `U+0009`.
pub(crate) fn code_point(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_looked_up_by_key() {
        assert_eq!(field_limit("head_name").max_chars, 200);
        assert!(field_limit("address").line_breaks);
        assert_eq!(field_limit("water_source").max_chars, DEFAULT_MAX_CHARS);
    }

    #[test]
    fn values_are_checked_after_nfc() {
        let name = field_limit("full_name");
        assert_eq!(fault(&"ễ".repeat(200), &name), None);
        // Decomposed, 400 characters, 200 after NFC.
        assert_eq!(fault(&"e\u{0302}\u{0303}".repeat(200), &name), None);
        assert_eq!(fault(&"ễ".repeat(201), &name), Some(Fault::TooLong(201)));
        assert_eq!(fault("a\0b", &name), Some(Fault::Control('\0')));
        assert_eq!(fault("a\tb", &name), Some(Fault::Control('\t')));
        assert_eq!(fault("a\nb", &name), Some(Fault::Control('\n')));
        assert_eq!(fault("a\u{85}b", &name), Some(Fault::Control('\u{85}')));
        assert_eq!(fault("a\nb", &field_limit("address")), None);
        assert!(plain_text("Nguyễn Văn A".as_bytes(), 200));
        assert!(!plain_text(b"a\0", 200));
        assert!(!plain_text("a\u{85}".as_bytes(), 200));
        assert_eq!(shorten(&"x".repeat(100)).chars().count(), 41);
    }
}
