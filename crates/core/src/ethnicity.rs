//! The 54 ethnic groups (*dân tộc*) of Viet Nam, from `data/ethnic-groups.csv`.

use crate::text::fold;
use std::collections::HashMap;
use std::sync::OnceLock;

static CSV: &str = include_str!("../../../data/ethnic-groups.csv");

/// An ethnic group by its GSO code (1 = Kinh). Code 0 stands for a name not in the list,
/// which is counted as an ethnic minority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ethnicity(pub u8);

impl Ethnicity {
    /// The majority group.
    pub const KINH: Ethnicity = Ethnicity(1);
    /// A name that is not one of the 54 listed groups.
    pub const UNLISTED: Ethnicity = Ethnicity(0);

    /// Looks a name up by its canonical name or a common spelling, ignoring case and
    /// diacritics. Returns `None` for an unknown name.
    pub fn parse(name: &str) -> Option<Ethnicity> {
        if name == "Kinh" {
            return Some(Ethnicity::KINH);
        }
        table().by_key.get(&fold(name)).copied().map(Ethnicity)
    }

    /// True for every group other than Kinh (*dân tộc thiểu số*).
    pub fn is_minority(self) -> bool {
        self != Ethnicity::KINH
    }

    /// Canonical Vietnamese name, or `None` for [`Ethnicity::UNLISTED`].
    pub fn name(self) -> Option<&'static str> {
        table().names.get(self.0 as usize).copied().flatten()
    }

    /// All listed groups in code order.
    pub fn all() -> impl Iterator<Item = Ethnicity> {
        (1..table().names.len() as u8).map(Ethnicity)
    }
}

struct Table {
    names: Vec<Option<&'static str>>,
    by_key: HashMap<String, u8>,
}

fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| {
        let mut names = vec![None];
        let mut by_key = HashMap::new();
        for line in CSV.lines().skip(1).filter(|l| !l.trim().is_empty()) {
            let mut cols = line.splitn(3, ',');
            let (Some(code), Some(name)) = (cols.next(), cols.next()) else { continue };
            let Ok(code) = code.parse::<u8>() else { continue };
            if names.len() <= code as usize {
                names.resize(code as usize + 1, None);
            }
            names[code as usize] = Some(name);
            by_key.insert(fold(name), code);
            by_key.insert(fold(&name.replace([' ', '-', '\''], "")), code);
            for alias in cols.next().unwrap_or("").split(';').filter(|a| !a.is_empty()) {
                by_key.insert(fold(alias), code);
                by_key.insert(fold(&alias.replace([' ', '-', '\''], "")), code);
            }
        }
        Table { names, by_key }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifty_four_groups() {
        assert_eq!(Ethnicity::all().count(), 54);
        assert!(Ethnicity::all().all(|e| e.name().is_some()));
    }

    #[test]
    fn spellings() {
        assert_eq!(Ethnicity::parse("Kinh"), Some(Ethnicity::KINH));
        assert_eq!(Ethnicity::parse("kinh"), Some(Ethnicity::KINH));
        let mong = Ethnicity::parse("H'Mông").expect("H'Mông is listed");
        assert_eq!(Ethnicity::parse("Mông"), Some(mong));
        assert_eq!(Ethnicity::parse("hmong"), Some(mong));
        assert_eq!(Ethnicity::parse("Ê-đê"), Ethnicity::parse("Ê Đê"));
        assert_eq!(Ethnicity::parse("Khơ-me").and_then(|e| e.name()), Some("Khmer"));
        assert!(Ethnicity::parse("Tày").is_some_and(|e| e.is_minority()));
        assert_eq!(Ethnicity::parse("Klingon"), None);
    }
}
