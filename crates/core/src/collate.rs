//! Vietnamese alphabetical order (*thứ tự chữ cái tiếng Việt*) as sort keys that order by plain
//! byte comparison, so a database can sort and index them (`ORDER BY key`, `COLLATE "C"` on
//! PostgreSQL).
//!
//! Letters: a ă â b c d đ e ê (f) g h i (j) k l m n o ô ơ p q r s t u ư v (w) x y (z) — the
//! foreign letters f, j, w, z sit in their Latin places. Tones are compared only when the
//! letters are equal, in dictionary order: ngang, huyền (`à`), hỏi (`ả`), ngã (`ã`), sắc (`á`),
//! nặng (`ạ`). Case is ignored.
//!
//! Personal names are ordered by given name (*tên*), then by the rest of the name (*họ*, *tên
//! đệm*), as Vietnamese lists are: [`person_sort_key`].

use unicode_normalization::UnicodeNormalization;

/// Base letters in order; a letter with its modifier is its own letter.
const LETTERS: [(char, Modifier); 33] = [
    ('a', Modifier::None),
    ('a', Modifier::Breve),
    ('a', Modifier::Circumflex),
    ('b', Modifier::None),
    ('c', Modifier::None),
    ('d', Modifier::None),
    ('đ', Modifier::None),
    ('e', Modifier::None),
    ('e', Modifier::Circumflex),
    ('f', Modifier::None),
    ('g', Modifier::None),
    ('h', Modifier::None),
    ('i', Modifier::None),
    ('j', Modifier::None),
    ('k', Modifier::None),
    ('l', Modifier::None),
    ('m', Modifier::None),
    ('n', Modifier::None),
    ('o', Modifier::None),
    ('o', Modifier::Circumflex),
    ('o', Modifier::Horn),
    ('p', Modifier::None),
    ('q', Modifier::None),
    ('r', Modifier::None),
    ('s', Modifier::None),
    ('t', Modifier::None),
    ('u', Modifier::None),
    ('u', Modifier::Horn),
    ('v', Modifier::None),
    ('w', Modifier::None),
    ('x', Modifier::None),
    ('y', Modifier::None),
    ('z', Modifier::None),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Modifier {
    None,
    Breve,
    Circumflex,
    Horn,
}

/// Ranks (each written as two base-36 digits): 1 = word break, 2–11 = digits, then letters,
/// then anything else.
const SPACE: u32 = 1;
const FIRST_DIGIT: u32 = 2;
const FIRST_LETTER: u32 = 12;
const OTHER: u32 = 1295;

fn push_rank(out: &mut String, rank: u32) {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    out.push(char::from(DIGITS[(rank / 36 % 36) as usize]));
    out.push(char::from(DIGITS[(rank % 36) as usize]));
}

/// One letter with its tone (0 = ngang … 5 = nặng).
fn letters(s: &str) -> Vec<(u32, u8)> {
    let mut out: Vec<(u32, u8)> = Vec::with_capacity(s.len());
    let mut last_was_space = true;
    for c in s.nfd().flat_map(char::to_lowercase) {
        match c {
            // Modifiers change the letter just read.
            '\u{306}' | '\u{302}' | '\u{31b}' => {
                let m = match c {
                    '\u{306}' => Modifier::Breve,
                    '\u{302}' => Modifier::Circumflex,
                    _ => Modifier::Horn,
                };
                if let Some(last) = out.last_mut()
                    && let Some(i) = last.0.checked_sub(FIRST_LETTER)
                    && let Some(&(base, Modifier::None)) = LETTERS.get(i as usize)
                    && let Some(j) = LETTERS.iter().position(|&(b, mm)| b == base && mm == m)
                {
                    last.0 = FIRST_LETTER + j as u32;
                }
            }
            '\u{300}' | '\u{309}' | '\u{303}' | '\u{301}' | '\u{323}' => {
                let tone = match c {
                    '\u{300}' => 1,
                    '\u{309}' => 2,
                    '\u{303}' => 3,
                    '\u{301}' => 4,
                    _ => 5,
                };
                if let Some(last) = out.last_mut() {
                    last.1 = tone;
                }
            }
            c if unicode_normalization::char::is_combining_mark(c) => {}
            c if c.is_whitespace() || c == '-' => {
                if !last_was_space {
                    out.push((SPACE, 0));
                    last_was_space = true;
                }
                continue;
            }
            c if c.is_ascii_digit() => out.push((FIRST_DIGIT + (c as u32 - '0' as u32), 0)),
            c => {
                let rank = LETTERS
                    .iter()
                    .position(|&(b, m)| b == c && m == Modifier::None)
                    .map_or(OTHER, |i| FIRST_LETTER + i as u32);
                out.push((rank, 0));
            }
        }
        last_was_space = false;
    }
    if out.last().is_some_and(|l| l.0 == SPACE) {
        out.pop();
    }
    out
}

/// A key whose byte order is the Vietnamese alphabetical order of `s`: letters first, tones
/// only between otherwise equal strings. ASCII digits and letters only.
///
/// ```
/// use vuonlen_core::collate::sort_key;
/// let mut words = vec!["đào", "dao", "ăn", "an", "ân", "bà", "ba", "bá"];
/// words.sort_by_key(|w| sort_key(w));
/// assert_eq!(words, ["an", "ăn", "ân", "ba", "bà", "bá", "dao", "đào"]);
/// ```
pub fn sort_key(s: &str) -> String {
    let ls = letters(s);
    let mut out = String::with_capacity(ls.len() * 3 + 2);
    for &(rank, _) in &ls {
        push_rank(&mut out, rank);
    }
    // "00" ends the letters: a shorter string sorts first whatever its tones.
    out.push_str("00");
    for &(_, tone) in &ls {
        out.push(char::from(b'0' + tone));
    }
    out
}

/// A key for a place name with numbers (*Tổ dân phố 2*, *Thôn 10*): Vietnamese alphabetical
/// order, the numbers in it compared as numbers.
///
/// ```
/// use vuonlen_core::collate::place_sort_key;
/// let mut places = vec!["Tổ dân phố 10", "Tổ dân phố 2", "Bản Áng", "Thôn 1"];
/// places.sort_by_key(|p| place_sort_key(p));
/// assert_eq!(places, ["Bản Áng", "Thôn 1", "Tổ dân phố 2", "Tổ dân phố 10"]);
/// ```
pub fn place_sort_key(s: &str) -> String {
    let mut padded = String::with_capacity(s.len() + 8);
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if !digits.is_empty() {
            out.push_str(&format!("{digits:0>9}"));
            digits.clear();
        }
    };
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut padded);
            padded.push(c);
        }
    }
    flush(&mut digits, &mut padded);
    sort_key(&padded)
}

/// A key for a personal name: given name (the last word) first, then the rest in order.
///
/// ```
/// use vuonlen_core::collate::person_sort_key;
/// let mut names = vec!["Nguyễn Văn Bình", "Trần Thị An", "Lê Văn An"];
/// names.sort_by_key(|n| person_sort_key(n));
/// assert_eq!(names, ["Lê Văn An", "Trần Thị An", "Nguyễn Văn Bình"]);
/// ```
pub fn person_sort_key(name: &str) -> String {
    let name = name.trim();
    match name.rsplit_once(char::is_whitespace) {
        Some((rest, given)) => sort_key(&format!("{given} {rest}")),
        None => sort_key(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(words: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        v.sort_by_key(|w| sort_key(w));
        v
    }

    #[test]
    fn the_alphabet_is_in_vietnamese_order() {
        let alphabet = ["a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "g", "h", "i", "k", "l", "m", "n", "o", "ô", "ơ"];
        let mut shuffled = alphabet.to_vec();
        shuffled.reverse();
        assert_eq!(sorted(&shuffled), alphabet);
        assert_eq!(
            sorted(&["y", "x", "v", "ư", "u", "t", "s", "r", "q", "p"]),
            ["p", "q", "r", "s", "t", "u", "ư", "v", "x", "y"]
        );
    }

    #[test]
    fn tones_break_ties_in_dictionary_order() {
        assert_eq!(sorted(&["mạ", "má", "mã", "mả", "mà", "ma"]), ["ma", "mà", "mả", "mã", "má", "mạ"]);
        // Letters decide before tones: "mà" < "mac" although "à" has a tone.
        assert_eq!(sorted(&["mac", "mà"]), ["mà", "mac"]);
        // "đ" comes after every "d…" word.
        assert_eq!(sorted(&["đa", "dz", "du"]), ["du", "dz", "đa"]);
    }

    #[test]
    fn case_and_normalisation_do_not_matter() {
        let nfd: String = "Nguyễn".nfd().collect();
        assert_eq!(sort_key(&nfd), sort_key("Nguyễn"));
        assert_eq!(sort_key("NGUYỄN"), sort_key("nguyễn"));
        assert_eq!(sort_key("  Văn   An "), sort_key("văn an"));
    }

    #[test]
    fn shorter_words_come_first() {
        assert_eq!(sorted(&["anh", "an", "an b"]), ["an", "an b", "anh"]);
    }

    #[test]
    fn keys_are_plain_ascii_alphanumerics() {
        for w in ["Đặng Thị Ngọc Ánh", "x-y 12", "Ö"] {
            assert!(sort_key(w).bytes().all(|b| b.is_ascii_alphanumeric()), "{w}");
        }
    }

    #[test]
    fn names_sort_by_given_name_first() {
        let mut names = vec!["Phạm Văn Ân", "Nguyễn Thị An", "Đỗ An", "An"];
        names.sort_by_key(|n| person_sort_key(n));
        assert_eq!(names, ["An", "Đỗ An", "Nguyễn Thị An", "Phạm Văn Ân"]);
    }
}
