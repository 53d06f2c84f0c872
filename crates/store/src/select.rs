//! Which households a report covers (`--unit CODE`) and how they break down into rows.
//!
//! - `VN` (or `country`): the country, rows by today's province;
//! - 2 digits: a 2025 province (rows by today's commune); a 2024-only province code reads the
//!   old list (rows by commune as recorded);
//! - 3 digits: a district of the 2024 list (rows by commune as recorded);
//! - 5 digits: a 2025 commune (everything counted in it today, including surveys recorded under
//!   its 2024 predecessors; rows by village); `2024:CODE` forces the 2024 commune.

use crate::error::{Result, StoreError};
use crate::sql::Sql;
use vuonlen_core::units::{AdminUnits, Level, UnitList};

/// What a row of a report groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKey {
    CurrentProvince,
    CurrentCommune,
    RecordedCommune,
    Village,
}

impl RowKey {
    /// SQL expression over `survey s` and `village v`.
    pub(crate) fn sql(self) -> &'static str {
        match self {
            RowKey::CurrentProvince => "s.current_province",
            RowKey::CurrentCommune => "s.current_commune",
            RowKey::RecordedCommune => "s.commune_code",
            RowKey::Village => "COALESCE(v.name, '')",
        }
    }

    /// Display name of a row key value.
    pub fn name(self, key: &str) -> String {
        let u = AdminUnits::get();
        let found = match self {
            RowKey::CurrentProvince => {
                return u.y2025.province(key).map(province_name).unwrap_or_else(|| format!("(mã {key})"));
            }
            RowKey::CurrentCommune => u.y2025.communes.get(key).map(|c| c.name),
            RowKey::RecordedCommune => u.y2024.communes.get(key).or_else(|| u.y2025.communes.get(key)).map(|c| c.name),
            RowKey::Village => return if key.is_empty() { "(không ghi thôn)".to_string() } else { key.to_string() },
        };
        found.map(str::to_string).unwrap_or_else(|| format!("(mã {key})"))
    }
}

/// A unit chosen for a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    pub code: String,
    /// Full name, e.g. `Tỉnh Sơn La`, `Xã Mường Bú`, `Toàn quốc`.
    pub name: String,
    /// The level's Vietnamese name for titles.
    pub level_vi: &'static str,
    /// SQL predicate on `survey s` (or a tally row `s`), its codes bound.
    pub(crate) filter: Sql,
    pub rows: RowKey,
}

/// A province's name with its type, as titles print it: `Tỉnh Sơn La`, `Thành phố Hà Nội`.
pub fn province_name(p: &vuonlen_core::units::Unit) -> String {
    if p.name.starts_with("Tỉnh") || p.name.starts_with("Thành phố") {
        p.name.to_string()
    } else if p.division_type.starts_with("thành phố") {
        format!("Thành phố {}", p.name)
    } else {
        format!("Tỉnh {}", p.name)
    }
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

impl Selection {
    /// The whole country with a row per commune of today's list (the progress of every
    /// commune of the country).
    pub fn country_by_commune() -> Selection {
        Selection {
            code: "VN".into(),
            name: "Toàn quốc".into(),
            level_vi: "toàn quốc",
            filter: piece(|q| q.push("1 = 1")),
            rows: RowKey::CurrentCommune,
        }
    }

    /// Parses `--unit`.
    pub fn parse(unit: &str) -> Result<Selection> {
        let u = AdminUnits::get();
        let bad = || {
            StoreError::Invalid(format!(
                "'{unit}' không phải mã đơn vị (VN, tỉnh 2 số, huyện 3 số, xã 5 số) / is not a unit code (VN, 2-digit province, 3-digit district, 5-digit commune)"
            ))
        };
        let t = unit.trim();
        if t.eq_ignore_ascii_case("vn") || t.eq_ignore_ascii_case("country") || t.is_empty() {
            return Ok(Selection {
                code: "VN".into(),
                name: "Toàn quốc".into(),
                level_vi: "toàn quốc",
                filter: piece(|q| q.push("1 = 1")),
                rows: RowKey::CurrentProvince,
            });
        }
        let (force_old, code) = match t.strip_prefix("2024:") {
            Some(c) => (true, c),
            None => (false, t),
        };
        if !digits(code) {
            return Err(bad());
        }
        match code.len() {
            2 => {
                if let Some(p) = u.y2025.province(code).filter(|_| !force_old) {
                    return Ok(Selection {
                        code: code.into(),
                        name: province_name(p),
                        level_vi: "tỉnh",
                        filter: piece(|q| q.push("s.current_province = ").bind(code)),
                        rows: RowKey::CurrentCommune,
                    });
                }
                let p = u.y2024.province(code).ok_or_else(bad)?;
                let communes = old_communes(|c| u.y2024.province_of_commune(c).is_some_and(|x| x.code == code));
                Ok(Selection {
                    code: format!("2024:{code}"),
                    name: p.name.into(),
                    level_vi: "tỉnh (danh mục 2024)",
                    filter: old_list(communes),
                    rows: RowKey::RecordedCommune,
                })
            }
            3 => {
                let d = u.y2024.districts.get(code).ok_or_else(bad)?;
                let communes = old_communes(|c| u.y2024.communes.get(c).is_some_and(|x| x.parent_code == code));
                Ok(Selection {
                    code: code.into(),
                    name: d.name.into(),
                    level_vi: "huyện (danh mục 2024)",
                    filter: old_list(communes),
                    rows: RowKey::RecordedCommune,
                })
            }
            5 => {
                if let Some(c) = u.y2025.communes.get(code).filter(|_| !force_old) {
                    return Ok(Selection {
                        code: code.into(),
                        name: c.name.into(),
                        level_vi: "xã",
                        filter: piece(|q| {
                            q.push("(s.current_province = ")
                                .bind(crate::scope::province_of(code))
                                .push(" AND s.current_commune = ")
                                .bind(code)
                                .push(")")
                        }),
                        rows: RowKey::Village,
                    });
                }
                let c = u.y2024.communes.get(code).ok_or_else(bad)?;
                Ok(Selection {
                    code: format!("2024:{code}"),
                    name: c.name.into(),
                    level_vi: "xã (danh mục 2024)",
                    filter: piece(|q| q.push("(s.unit_list = '2024' AND s.commune_code = ").bind(code).push(")")),
                    rows: RowKey::Village,
                })
            }
            _ => Err(bad()),
        }
    }
}

/// A predicate built by `build`.
fn piece(build: impl FnOnce(&mut Sql) -> &mut Sql) -> Sql {
    let mut q = Sql::new();
    build(&mut q);
    q
}

/// Surveys recorded under one of `communes` of the 2024 list.
fn old_list(communes: Vec<&'static str>) -> Sql {
    piece(|q| q.push("(s.unit_list = '2024' AND s.commune_code IN (").bind_list(communes).push("))"))
}

/// The 2024 commune codes matching `keep`, sorted (never empty: `""`, which matches none, if
/// none).
fn old_communes(keep: impl Fn(&str) -> bool) -> Vec<&'static str> {
    let list = AdminUnits::get().list(UnitList::Y2024);
    let mut codes: Vec<&'static str> =
        list.communes.values().filter(|c| c.level == Level::Commune && keep(c.code)).map(|c| c.code).collect();
    codes.sort_unstable();
    if codes.is_empty() {
        codes.push("");
    }
    codes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_select_levels() {
        assert_eq!(Selection::parse("VN").expect("country").rows, RowKey::CurrentProvince);
        let p = Selection::parse("14").expect("Sơn La");
        assert_eq!((p.name.as_str(), p.rows), ("Tỉnh Sơn La", RowKey::CurrentCommune));
        let d = Selection::parse("001").expect("Ba Đình");
        assert_eq!(d.rows, RowKey::RecordedCommune);
        assert!(d.filter.args().any(|a| *a == crate::sql::Arg::from("00004")));
        assert!(
            d.filter.text().starts_with("(s.unit_list = '2024' AND s.commune_code IN ($1, $2"),
            "{}",
            d.filter.text()
        );
        let c = Selection::parse("00004").expect("2025 commune");
        assert_eq!(c.name, "Phường Ba Đình");
        let old = Selection::parse("2024:00004").expect("2024 commune");
        assert_eq!(old.name, "Phường Trúc Bạch");
        assert!(Selection::parse("0x").is_err());
        assert!(Selection::parse("1234").is_err());
    }
}
