//! Authorization in the data layer: every read of households goes through a [`Registry`], the
//! scoped store a caller gets from [`Db::scoped`] with the area it may read (lldap's pattern).
//! There is no other public way to read households, members or classifications.

use crate::db::Db;
use crate::error::{Result, StoreError};
use crate::sql::Sql;

/// The area a user may read: today's (2025-list) provinces and communes, or everything. Made
/// only by [`Scope::units`] (codes checked), [`Scope::none`] and [`Scope::unscoped_all`] — the
/// one way to everything, named so that `grep unscoped` lists every place that reads the whole
/// registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope(Area);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Area {
    /// The national office and command-line administration.
    All,
    /// Province codes (2 digits) and commune codes (5 digits) of the 2025 list.
    Units(Vec<String>),
}

impl Scope {
    /// Everything: national users, the command line's administration, tests.
    pub fn unscoped_all() -> Scope {
        Scope(Area::All)
    }

    /// The codes of the scope; `None` for everything.
    pub fn codes(&self) -> Option<&[String]> {
        match &self.0 {
            Area::All => None,
            Area::Units(u) => Some(u),
        }
    }

    /// A scope of unit codes; each must be 2 or 5 ASCII digits.
    pub fn units<I: IntoIterator<Item = S>, S: Into<String>>(codes: I) -> Result<Scope> {
        let codes: Vec<String> = codes.into_iter().map(Into::into).collect();
        for c in &codes {
            if !(c.len() == 2 || c.len() == 5) || !c.bytes().all(|b| b.is_ascii_digit()) {
                return Err(StoreError::Invalid(format!(
                    "'{c}' không phải mã tỉnh/xã / is not a province or commune code"
                )));
            }
        }
        Ok(Scope(Area::Units(codes)))
    }

    /// Whether a household placed in `province`/`commune` today is readable. A commune of the
    /// scope is matched with its province: a 2024 commune the lineage does not place (no
    /// province) is not taken for the 2025 commune that reuses its code.
    pub fn contains(&self, province: &str, commune: &str) -> bool {
        match &self.0 {
            Area::All => true,
            Area::Units(u) => u.iter().any(|c| c == province || (c == commune && province_of(c) == province)),
        }
    }

    /// The predicate that a row of `alias` (a survey, a member or a tally row: the same place
    /// columns) is in the scope, its codes bound: `alias.current_province IN (…)` for the
    /// provinces, `(alias.current_province = … AND alias.current_commune IN (…))` for the
    /// communes of each province, joined by `OR` — so that the (province, commune, period)
    /// index serves every branch.
    pub(crate) fn sql(&self, alias: &'static str) -> Sql {
        let mut q = Sql::new();
        match &self.0 {
            Area::All => {
                q.push("1 = 1");
            }
            Area::Units(u) if u.is_empty() => {
                q.push("1 = 0");
            }
            Area::Units(u) => {
                let mut parts: Vec<Sql> = Vec::new();
                let provinces: Vec<&str> = u.iter().filter(|c| c.len() == 2).map(String::as_str).collect();
                if !provinces.is_empty() {
                    let mut p = Sql::new();
                    p.push(alias).push(".current_province IN (").bind_list(provinces).push(")");
                    parts.push(p);
                }
                // Communes with their province, so that the (province, commune, period) index
                // serves them (and see `contains`).
                let mut by_province: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
                for c in u.iter().filter(|c| c.len() == 5) {
                    by_province.entry(province_of(c)).or_default().push(c);
                }
                for (province, communes) in by_province {
                    let mut p = Sql::new();
                    p.push("(")
                        .push(alias)
                        .push(".current_province = ")
                        .bind(province)
                        .push(" AND ")
                        .push(alias)
                        .push(".current_commune IN (")
                        .bind_list(communes)
                        .push("))");
                    parts.push(p);
                }
                q.push("(").append_joined(&parts, " OR ").push(")");
            }
        }
        q
    }

    /// The scope's codes as one value to bind, `,01,00004,` (match a code `c` with
    /// `$n LIKE '%,' || c || ',%'`); `None` for everything.
    pub(crate) fn code_list(&self) -> Option<String> {
        match &self.0 {
            Area::All => None,
            Area::Units(u) => Some(format!(",{},", u.join(","))),
        }
    }

    /// No area at all.
    pub fn none() -> Scope {
        Scope(Area::Units(Vec::new()))
    }

    /// Whether the scope holds no area.
    pub fn is_none(&self) -> bool {
        matches!(&self.0, Area::Units(u) if u.is_empty())
    }
}

/// The registry as one user may read and change it.
#[derive(Debug, Clone)]
pub struct Registry {
    pub(crate) db: Db,
    /// What it may read.
    pub(crate) scope: Scope,
    /// What it may change (within what it may read).
    pub(crate) write: Scope,
}

impl Db {
    /// The whole registry, for reading and changing: the command line's administration and
    /// tests. Every use is listed by `grep -rn unscoped`.
    pub fn unscoped(&self) -> Registry {
        self.scoped(Scope::unscoped_all())
    }

    /// The registry restricted to `scope`, for reading and changing.
    pub fn scoped(&self, scope: Scope) -> Registry {
        Registry { db: self.clone(), write: scope.clone(), scope }
    }

    /// The registry a user sees: reads limited to `read`, changes to `write`.
    pub fn with_access(&self, read: Scope, write: Scope) -> Registry {
        Registry { db: self.clone(), scope: read, write }
    }
}

impl Registry {
    /// What it may read.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// What it may change.
    pub fn write_scope(&self) -> &Scope {
        &self.write
    }

    /// Whether the household placed in `province`/`commune` may be changed.
    pub fn may_change(&self, province: &str, commune: &str) -> bool {
        self.write.contains(province, commune) && self.scope.contains(province, commune)
    }
}

/// The province of a 2025 commune (empty for a code not in the 2025 list: placed households
/// always have one, so such a code matches nothing).
pub(crate) fn province_of(commune: &str) -> &'static str {
    vuonlen_core::units::AdminUnits::get().y2025.province_of_commune(commune).map_or("", |p| p.code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_digit_codes_make_a_scope() {
        assert!(Scope::units(["01", "00004"]).is_ok());
        assert!(Scope::units(["01' OR 1=1 --"]).is_err());
        assert!(Scope::units(["1"]).is_err());
    }

    #[test]
    fn the_predicate_names_provinces_and_communes() {
        let text = |q: Sql| q.args().map(|a| format!("{a:?}")).collect::<Vec<_>>();
        let s = Scope::units(["01", "00004"]).expect("valid");
        assert_eq!(
            s.sql("s").text(),
            "(s.current_province IN ($1) OR (s.current_province = $2 AND s.current_commune IN ($3)))"
        );
        assert_eq!(text(s.sql("s")), [r#"Text("01")"#, r#"Text("01")"#, r#"Text("00004")"#]);
        assert!(s.contains("01", "00097"));
        let commune = Scope::units(["00004", "04000"]).expect("valid");
        assert!(commune.contains("01", "00004"));
        assert!(commune.contains("14", "04000"), "04000 is a 2025 commune of Sơn La (14)");
        // An unplaced 2024 commune with a code the 2025 list reuses is not that commune.
        assert!(!commune.contains("", "00004"));
        assert!(!commune.contains("14", "00004"));
        assert_eq!(
            commune.sql("m").text(),
            "((m.current_province = $1 AND m.current_commune IN ($2)) OR \
             (m.current_province = $3 AND m.current_commune IN ($4)))"
        );
        assert_eq!(text(commune.sql("m")), [r#"Text("01")"#, r#"Text("00004")"#, r#"Text("14")"#, r#"Text("04000")"#]);
        let provinces = Scope::units(["01", "14"]).expect("valid");
        assert_eq!(provinces.sql("s").text(), "(s.current_province IN ($1, $2))");
        assert_eq!(Scope::none().sql("s").text(), "1 = 0");
        assert_eq!(Scope::none().sql("s").args().count(), 0);
        assert_eq!(Scope::unscoped_all().sql("s").text(), "1 = 1");
    }
}
