//! Authorization in the data layer: every read of households goes through a [`Registry`], the
//! scoped store a caller gets from [`Db::scoped`] with the area it may read (lldap's pattern).
//! There is no other public way to read households, members or classifications.

use crate::db::Db;
use crate::error::{Result, StoreError};

/// The area a user may read: today's (2025-list) provinces and communes, or everything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The national office and command-line administration.
    All,
    /// Province codes (2 digits) and commune codes (5 digits) of the 2025 list.
    Units(Vec<String>),
}

impl Scope {
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
        Ok(Scope::Units(codes))
    }

    /// Whether a household placed in `province`/`commune` today is readable.
    pub fn contains(&self, province: &str, commune: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Units(u) => u.iter().any(|c| c == province || c == commune),
        }
    }

    /// SQL predicate on a `survey` alias. The codes are digits only (checked by [`Scope::units`]),
    /// so they can be written as literals.
    pub(crate) fn sql(&self, alias: &str) -> String {
        match self {
            Scope::All => "1 = 1".to_string(),
            Scope::Units(u) if u.is_empty() => "1 = 0".to_string(),
            Scope::Units(u) => {
                let list = |len: usize| {
                    u.iter().filter(|c| c.len() == len).map(|c| format!("'{c}'")).collect::<Vec<_>>().join(", ")
                };
                let (p, c) = (list(2), list(5));
                let mut parts = Vec::new();
                if !p.is_empty() {
                    parts.push(format!("{alias}.current_province IN ({p})"));
                }
                if !c.is_empty() {
                    parts.push(format!("{alias}.current_commune IN ({c})"));
                }
                format!("({})", parts.join(" OR "))
            }
        }
    }

    /// No area at all.
    pub fn none() -> Scope {
        Scope::Units(Vec::new())
    }

    /// Whether the scope holds no area.
    pub fn is_none(&self) -> bool {
        matches!(self, Scope::Units(u) if u.is_empty())
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
    /// The registry restricted to `scope`, for reading and changing (command-line
    /// administration).
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
        let s = Scope::units(["01", "00004"]).expect("valid");
        assert_eq!(s.sql("s"), "(s.current_province IN ('01') OR s.current_commune IN ('00004'))");
        assert!(s.contains("01", "00097"));
        assert!(s.contains("14", "00004"));
        assert!(!s.contains("14", "04000"));
        assert_eq!(Scope::Units(vec![]).sql("s"), "1 = 0");
    }
}
