//! Administrative units (*đơn vị hành chính*) of Viet Nam with their GSO codes: the 2024
//! three-level list (until 30 June 2025) and the 2025 two-level list (from 1 July 2025), plus
//! the partial commune lineage between them. Data from `data/admin-units/`, compiled in.
//!
//! A 2025 commune reuses the code of one of the communes it was formed from, so a code must be
//! read together with a date: [`AdminUnits::resolve`] does that.

use chrono::NaiveDate;
use std::collections::HashMap;
use std::sync::OnceLock;

static UNITS_2024: &str = include_str!("../../../data/admin-units/units-2024.csv");
static UNITS_2025: &str = include_str!("../../../data/admin-units/units-2025.csv");
static LINEAGE: &str = include_str!("../../../data/admin-units/commune-2024-to-2025.csv");

/// The two official lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UnitList {
    /// Three levels, in force until 30 June 2025.
    Y2024,
    /// Two levels, in force from 1 July 2025.
    Y2025,
}

impl UnitList {
    /// First day of the 2025 list.
    pub fn cutover() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 7, 1).unwrap_or(NaiveDate::MIN)
    }

    /// The list in force on `date`.
    pub fn in_force(date: NaiveDate) -> UnitList {
        if date >= Self::cutover() { UnitList::Y2025 } else { UnitList::Y2024 }
    }

    pub fn other(self) -> UnitList {
        match self {
            UnitList::Y2024 => UnitList::Y2025,
            UnitList::Y2025 => UnitList::Y2024,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Province,
    District,
    Commune,
}

/// One unit of one list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub level: Level,
    pub code: &'static str,
    /// Name with its type prefix, e.g. `Xã Cam Tuyền`.
    pub name: &'static str,
    pub division_type: &'static str,
    pub parent_code: &'static str,
}

impl Unit {
    /// Whether a commune-level unit is urban (*phường*, *thị trấn*) by its type prefix.
    pub fn is_urban(&self) -> bool {
        self.name.starts_with("Phường") || self.name.starts_with("Thị trấn")
    }
}

/// One list, indexed by code per level.
#[derive(Debug, Default)]
pub struct List {
    pub provinces: Vec<Unit>,
    pub districts: HashMap<&'static str, Unit>,
    pub communes: HashMap<&'static str, Unit>,
    provinces_by_code: HashMap<&'static str, usize>,
}

impl List {
    fn parse(csv: &'static str) -> List {
        let mut l = List::default();
        for line in csv.lines().skip(1) {
            let c: Vec<&'static str> = line.split(',').collect();
            if c.len() < 5 {
                continue;
            }
            let level = match c[0] {
                "province" => Level::Province,
                "district" => Level::District,
                "commune" => Level::Commune,
                _ => continue,
            };
            let u = Unit { level, code: c[1], name: c[2], division_type: c[3], parent_code: c[4] };
            match level {
                Level::Province => {
                    l.provinces_by_code.insert(u.code, l.provinces.len());
                    l.provinces.push(u);
                }
                Level::District => {
                    l.districts.insert(u.code, u);
                }
                Level::Commune => {
                    l.communes.insert(u.code, u);
                }
            }
        }
        l
    }

    pub fn province(&self, code: &str) -> Option<&Unit> {
        self.provinces_by_code.get(code).map(|i| &self.provinces[*i])
    }

    /// The province a commune belongs to (through its district in the 2024 list).
    pub fn province_of_commune(&self, commune: &str) -> Option<&Unit> {
        let c = self.communes.get(commune)?;
        match self.province(c.parent_code) {
            Some(p) => Some(p),
            None => self.districts.get(c.parent_code).and_then(|d| self.province(d.parent_code)),
        }
    }
}

/// A commune code read at a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedCommune<'a> {
    /// The list the code was found in.
    pub list: UnitList,
    pub commune: &'a Unit,
    /// Its province in that list.
    pub province: &'a Unit,
}

/// Both lists and the lineage.
#[derive(Debug)]
pub struct AdminUnits {
    pub y2024: List,
    pub y2025: List,
    lineage: HashMap<&'static str, Vec<&'static str>>,
}

impl AdminUnits {
    /// The compiled-in lists (parsed once).
    pub fn get() -> &'static AdminUnits {
        static U: OnceLock<AdminUnits> = OnceLock::new();
        U.get_or_init(|| {
            let mut lineage: HashMap<&'static str, Vec<&'static str>> = HashMap::new();
            for line in LINEAGE.lines().skip(1) {
                if let Some((old, new)) = line.split_once(',') {
                    lineage.entry(old).or_default().push(new);
                }
            }
            // A commune that kept its code among its successors is placed in it: its households
            // did not move (the others of a split commune are listed after it).
            for (old, news) in lineage.iter_mut() {
                news.sort_by_key(|n| (n != old, *n));
            }
            AdminUnits { y2024: List::parse(UNITS_2024), y2025: List::parse(UNITS_2025), lineage }
        })
    }

    pub fn list(&self, l: UnitList) -> &List {
        match l {
            UnitList::Y2024 => &self.y2024,
            UnitList::Y2025 => &self.y2025,
        }
    }

    /// Whether `code` is a commune of either list.
    pub fn is_commune(&self, code: &str) -> bool {
        self.y2025.communes.contains_key(code) || self.y2024.communes.contains_key(code)
    }

    /// Reads a commune code at `date`: in the list in force then, or else in the other list.
    pub fn resolve(&self, code: &str, date: NaiveDate) -> Option<ResolvedCommune<'_>> {
        let first = UnitList::in_force(date);
        [first, first.other()].into_iter().find_map(|l| {
            let list = self.list(l);
            let commune = list.communes.get(code)?;
            let province = list.province_of_commune(code)?;
            Some(ResolvedCommune { list: l, commune, province })
        })
    }

    /// The 2025 communes a 2024 commune became part of (empty when the lineage lacks it).
    pub fn successors(&self, old_code: &str) -> &[&'static str] {
        self.lineage.get(old_code).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The 2025 province for a commune code read at `date`: directly for a 2025 code, through
    /// the lineage for a 2024 code. `None` when the lineage has no mapping.
    pub fn current_province(&self, code: &str, date: NaiveDate) -> Option<&Unit> {
        let r = self.resolve(code, date)?;
        match r.list {
            UnitList::Y2025 => Some(r.province),
            UnitList::Y2024 => {
                let succ = self.successors(code).first()?;
                self.y2025.province_of_commune(succ)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    #[test]
    fn counts_match_the_official_lists() {
        let u = AdminUnits::get();
        assert_eq!(u.y2024.provinces.len(), 63);
        assert_eq!(u.y2024.districts.len(), 696);
        assert_eq!(u.y2024.communes.len(), 10_051);
        assert_eq!(u.y2025.provinces.len(), 34);
        assert_eq!(u.y2025.communes.len(), 3_321);
    }

    #[test]
    fn a_code_is_read_with_its_date() {
        let u = AdminUnits::get();
        // 00004 is Phường Trúc Bạch (district Ba Đình) in 2024 and Phường Ba Đình in 2025.
        let old = u.resolve("00004", d(2024, 12, 31)).expect("2024 code");
        assert_eq!(old.list, UnitList::Y2024);
        assert_eq!(old.commune.name, "Phường Trúc Bạch");
        assert_eq!(old.province.code, "01");
        let new = u.resolve("00004", d(2025, 7, 1)).expect("2025 code");
        assert_eq!(new.list, UnitList::Y2025);
        assert_eq!(new.commune.name, "Phường Ba Đình");
        assert!(new.commune.is_urban());
    }

    #[test]
    fn old_codes_map_to_current_provinces_through_the_lineage() {
        let u = AdminUnits::get();
        // 00001 Phường Phúc Xá became part of 00097.
        assert_eq!(u.successors("00001"), &["00097"]);
        assert_eq!(u.current_province("00001", d(2024, 6, 1)).map(|p| p.code), Some("01"));
        assert!(!u.is_commune("99999"));
    }
}
