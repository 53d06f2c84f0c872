//! Plan targets by unit and year (`plan_target`, issue 13): what a plan sets for the country, a
//! province or a commune ([`vuonlen_core::targets`]'s figures). Read within the reader's area;
//! written only for units the writer may change, in one transaction, audited.

use crate::audit::{self, Change};
use crate::db::{on_conn, on_pool};
use crate::error::{Result, StoreError};
use crate::scope::{Registry, province_of};
use crate::sql::{Arg, Sql, bound};
use vuonlen_core::targets::{ColumnKind, Figures, TARGET_COLUMNS};
use vuonlen_core::units::AdminUnits;

/// A unit that can hold targets: the country, a 2025 province, a 2025 commune, or a village
/// (*thôn, bản, tổ dân phố*) of one where the commune's plan sets targets per village.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetUnit {
    /// `VN`, 2 or 5 digits, or a village: its commune's code, `-`, its folded name with `-` for
    /// spaces (`14112-ban-ta`) — the same on every machine that holds the village, and safe in
    /// a path or a file name.
    pub code: String,
    /// Its full name (`Tỉnh Sơn La`, `Xã Mường Bú`, `Toàn quốc`, `Bản Ta`).
    pub name: String,
}

/// A village code's commune and slug: five digits, `-`, the slug.
fn split_village(code: &str) -> Option<(&str, &str)> {
    code.split_once('-').filter(|(c, s)| c.len() == 5 && c.bytes().all(|b| b.is_ascii_digit()) && !s.is_empty())
}

/// A village's part of its target-unit code: its name folded, `-` for spaces.
pub fn village_slug(name: &str) -> String {
    vuonlen_core::text::fold(name).replace(' ', "-")
}

impl TargetUnit {
    /// The unit of `code` in the 2025 list, if it is one.
    pub fn parse(code: &str) -> Option<TargetUnit> {
        let u = AdminUnits::get();
        let code = code.trim();
        if code.eq_ignore_ascii_case("vn") {
            return Some(TargetUnit { code: "VN".into(), name: "Toàn quốc".into() });
        }
        match code.len() {
            2 => {
                u.y2025.province(code).map(|p| TargetUnit { code: code.into(), name: crate::select::province_name(p) })
            }
            5 => u.y2025.communes.get(code).map(|c| TargetUnit { code: code.into(), name: c.name.to_string() }),
            _ => None,
        }
    }

    /// A village's commune and slug (`None`: not a village).
    pub fn village(&self) -> Option<(&str, &str)> {
        split_village(&self.code)
    }

    /// The key of the unit's row in a report of its parent: a village's name (rows of a
    /// commune are its villages), else the code.
    pub fn row_key(&self) -> &str {
        if self.village().is_some() { self.name.as_str() } else { self.code.as_str() }
    }

    /// (province, commune) as the scope columns hold them (a village: its commune's).
    pub fn place(&self) -> (&str, &str) {
        if let Some((commune, _)) = self.village() {
            return (province_of(commune), commune);
        }
        match self.code.len() {
            2 => (self.code.as_str(), ""),
            5 => (province_of(&self.code), self.code.as_str()),
            _ => ("", ""),
        }
    }

    /// The administrative units a table of this unit's plan sets: the provinces of the
    /// country, the communes of a province (2025 list), with their names. A commune's villages
    /// are in the registry: [`Registry::target_children`].
    pub fn children(&self) -> Vec<TargetUnit> {
        let u = AdminUnits::get();
        match self.code.len() {
            2 if self.code != "VN" => {
                let mut v: Vec<TargetUnit> = u
                    .y2025
                    .communes
                    .values()
                    .filter(|c| u.y2025.province_of_commune(c.code).is_some_and(|p| p.code == self.code))
                    .map(|c| TargetUnit { code: c.code.to_string(), name: c.name.to_string() })
                    .collect();
                v.sort_by(|a, b| a.code.cmp(&b.code));
                v
            }
            _ if self.code == "VN" => {
                let mut v: Vec<TargetUnit> = u
                    .y2025
                    .provinces
                    .iter()
                    .map(|p| TargetUnit { code: p.code.to_string(), name: crate::select::province_name(p) })
                    .collect();
                v.sort_by(|a, b| a.code.cmp(&b.code));
                v
            }
            _ => Vec::new(),
        }
    }
}

/// A unit's targets for a year as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredTarget {
    pub year: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub parent_code: Option<String>,
    pub figures: Figures,
    pub source_file: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// The figures by column key, as JSON (`{"households":2845,"poor_rate_pct":1.51}`).
pub fn figures_json(f: &Figures) -> String {
    let map: serde_json::Map<String, serde_json::Value> = TARGET_COLUMNS
        .iter()
        .zip(f.0)
        .filter_map(|(c, v)| {
            let v = v?;
            let n = match c.kind {
                ColumnKind::Count => serde_json::Value::from(v as i64),
                ColumnKind::Rate { .. } => serde_json::Number::from_f64(v).map(serde_json::Value::Number)?,
            };
            Some((c.key.to_string(), n))
        })
        .collect();
    serde_json::Value::Object(map).to_string()
}

/// Figures from their JSON by column key; an unknown key or a value that is not a number is an
/// error naming it.
pub fn figures_from_json(text: &str) -> Result<Figures> {
    let bad = |m: String| StoreError::Invalid(m);
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| bad(format!("chỉ tiêu không hợp lệ / invalid targets: {e}")))?;
    let obj = v.as_object().ok_or_else(|| bad("chỉ tiêu phải là một đối tượng / targets must be an object".into()))?;
    let mut f = Figures::default();
    for (k, v) in obj {
        let i = TARGET_COLUMNS
            .iter()
            .position(|c| c.key == k)
            .ok_or_else(|| bad(format!("'{k}' không phải cột của bảng chỉ tiêu / is not a target column")))?;
        if !v.is_null() {
            f.0[i] = Some(v.as_f64().ok_or_else(|| bad(format!("{k}: '{v}' không phải số / is not a number")))?);
        }
    }
    Ok(f)
}

type TargetRow = (i64, String, String, Option<String>, String, Option<String>, String, String);

fn stored(r: TargetRow) -> Result<StoredTarget> {
    Ok(StoredTarget {
        year: r.0,
        unit_code: r.1,
        unit_name: r.2,
        parent_code: r.3,
        figures: figures_from_json(&r.4)?,
        source_file: r.5,
        recorded_by: r.6,
        recorded_at: r.7,
    })
}

/// The stored targets' columns, in [`TargetRow`]'s order, up to `WHERE`.
macro_rules! select_targets {
    () => {
        "SELECT t.year, t.unit_code, t.unit_name, t.parent_code, t.figures, t.source_file, \
         t.recorded_by, t.recorded_at FROM plan_target t WHERE "
    };
}

/// A unit's targets to record: which unit and its figures.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTarget {
    pub unit: TargetUnit,
    pub figures: Figures,
}

impl Registry {
    /// The target unit of `code`: [`TargetUnit::parse`], or a village of a 2025 commune as the
    /// registry holds it (its own villages and those recorded under its 2024 predecessors).
    /// Village names are not personal data: any reader may resolve one; reading its targets is
    /// scoped like its commune's.
    pub async fn target_unit(&self, code: &str) -> Result<Option<TargetUnit>> {
        let code = code.trim();
        let Some((commune, slug)) = split_village(code) else { return Ok(TargetUnit::parse(code)) };
        if !AdminUnits::get().y2025.communes.contains_key(commune) {
            return Ok(None);
        }
        let slug = village_slug(slug);
        Ok(self.villages_of(commune).await?.into_iter().find(|v| v.village().is_some_and(|(_, s)| s == slug)))
    }

    /// The villages of the 2025 commune `commune` as target units, in Vietnamese alphabetical
    /// order, one per folded name.
    async fn villages_of(&self, commune: &str) -> Result<Vec<TargetUnit>> {
        let rows: Vec<String> = on_pool!(self.db, p => sqlx::query_scalar(
            "SELECT v.name FROM village v WHERE v.commune_code = $1 \
                OR v.commune_code IN (SELECT l.old_code FROM unit_lineage l WHERE l.new_code = $1)",
        )
        .bind(commune)
        .fetch_all(p)
        .await?);
        let mut seen = std::collections::HashSet::new();
        let mut units: Vec<TargetUnit> = rows
            .into_iter()
            .filter(|name| seen.insert(village_slug(name)))
            .map(|name| TargetUnit { code: format!("{commune}-{}", village_slug(&name)), name })
            .collect();
        units.sort_by_cached_key(|u| vuonlen_core::collate::sort_key(&u.name));
        Ok(units)
    }

    /// The units a table of `unit`'s plan sets: [`TargetUnit::children`], and for a commune
    /// its villages.
    pub async fn target_children(&self, unit: &TargetUnit) -> Result<Vec<TargetUnit>> {
        if unit.village().is_none() && unit.code.len() == 5 {
            return self.villages_of(&unit.code).await;
        }
        Ok(unit.children())
    }

    /// Whether the reader may read `unit`'s targets (the country's: a national reader only).
    pub fn may_read_unit(&self, unit: &TargetUnit) -> bool {
        match unit.place() {
            ("", _) => self.scope.codes().is_none(),
            (p, c) => self.scope.contains(p, c),
        }
    }

    /// Whether the writer may set `unit`'s targets.
    pub fn may_set_unit(&self, unit: &TargetUnit) -> bool {
        match unit.place() {
            ("", _) => self.scope.codes().is_none() && self.write.codes().is_none(),
            (p, c) => self.may_change(p, c),
        }
    }

    /// `unit`'s targets for `year`, if recorded and readable.
    pub async fn target(&self, year: i64, unit: &TargetUnit) -> Result<Option<StoredTarget>> {
        if !self.may_read_unit(unit) {
            return Ok(None);
        }
        let row: Option<TargetRow> = on_pool!(self.db, p => sqlx::query_as(concat!(select_targets!(), "t.year = $1 AND t.unit_code = $2"))
            .bind(year)
            .bind(unit.code.as_str())
            .fetch_optional(p)
            .await?);
        row.map(stored).transpose()
    }

    /// Every unit's targets for `year` within the reader's area, by unit code.
    pub async fn targets_of_year(&self, year: i64) -> Result<Vec<StoredTarget>> {
        let mut sql = Sql::with_args([Arg::Int(year)]);
        sql.push(select_targets!()).push("t.year = $1 AND ").append(&self.scope.sql("t")).push(" ORDER BY t.unit_code");
        // The country's row has no place: only a national reader's scope (`1 = 1`) holds it.
        let rows: Vec<TargetRow> = on_pool!(self.db, p => bound!(query_as, sql).fetch_all(p).await?);
        rows.into_iter().map(stored).collect()
    }

    /// A review period (which periods exist is not personal data).
    pub async fn period(&self, year: i64) -> Result<Option<crate::period::Period>> {
        crate::period::get(&self.db, year).await
    }

    /// The targets `parent`'s table set for `year`, by unit code, within the reader's area.
    pub async fn targets_set_by(&self, year: i64, parent: &TargetUnit) -> Result<Vec<StoredTarget>> {
        let mut sql = Sql::with_args([Arg::Int(year), Arg::from(parent.code.as_str())]);
        sql.push(select_targets!())
            .push("t.year = $1 AND t.parent_code = $2 AND ")
            .append(&self.scope.sql("t"))
            .push(" ORDER BY t.unit_code");
        let rows: Vec<TargetRow> = on_pool!(self.db, p => bound!(query_as, sql).fetch_all(p).await?);
        rows.into_iter().map(stored).collect()
    }

    /// Records the targets of `rows` for `year` (a unit's earlier targets replaced), set by
    /// `parent`'s table (`None`: each for itself — a row its parent's table set stays in that
    /// table), in one transaction, audited. Refuses them
    /// all — writing nothing — when any unit is outside what the writer may change: the error
    /// names them.
    pub async fn record_targets(
        &self,
        year: i64,
        parent: Option<&TargetUnit>,
        rows: &[NewTarget],
        source_file: Option<&str>,
        actor: &str,
        command: &str,
    ) -> Result<u64> {
        let outside: Vec<&str> =
            rows.iter().filter(|r| !self.may_set_unit(&r.unit)).map(|r| r.unit.code.as_str()).collect();
        if !outside.is_empty() {
            return Err(StoreError::Forbidden(format!(
                "đơn vị ngoài phạm vi được giao: {0} / units outside your area: {0}",
                outside.join(", ")
            )));
        }
        let at = crate::now();
        let mut tx = self.db.begin().await?;
        for r in rows {
            let old: Option<String> = on_conn!(tx, c => sqlx::query_scalar(
                "SELECT figures FROM plan_target WHERE year = $1 AND unit_code = $2",
            )
            .bind(year)
            .bind(r.unit.code.as_str())
            .fetch_optional(c)
            .await?);
            let (province, commune) = r.unit.place();
            let new = figures_json(&r.figures);
            on_conn!(tx, c => sqlx::query(
                "INSERT INTO plan_target (year, unit_code, current_province, current_commune, unit_name, parent_code, \
                     figures, source_file, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                 ON CONFLICT (year, unit_code) DO UPDATE SET unit_name = excluded.unit_name, \
                     parent_code = COALESCE(excluded.parent_code, plan_target.parent_code), figures = excluded.figures, source_file = excluded.source_file, \
                     recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
            )
            .bind(year)
            .bind(r.unit.code.as_str())
            .bind(province)
            .bind(commune)
            .bind(r.unit.name.as_str())
            .bind(parent.map(|p| p.code.as_str()))
            .bind(new.as_str())
            .bind(source_file)
            .bind(actor)
            .bind(at.as_str())
            .execute(c)
            .await?
            .rows_affected());
            if old.as_deref() != Some(new.as_str()) {
                let field = format!("{year}:{}", r.unit.code);
                let change = Change {
                    actor,
                    command,
                    entity: "plan_target",
                    household_id: None,
                    period: Some(year),
                    member_no: None,
                    field: &field,
                    old_value: old.as_deref(),
                    new_value: Some(&new),
                };
                audit::record_now(&mut tx, &change, &at).await?;
            }
        }
        tx.commit().await?;
        Ok(rows.len() as u64)
    }
}

/// A unit's target for one result indicator in a year.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorTarget {
    pub unit_code: String,
    /// The framework's indicator id (`deprived_shares:water` for one deprivation's share).
    pub indicator_id: String,
    pub value: f64,
}

impl Registry {
    /// Records `unit`'s targets for `indicators` in `year` (each replaces the earlier one), in
    /// one transaction, audited. Forbidden outside what the writer may change.
    pub async fn record_indicator_targets(
        &self,
        year: i64,
        unit: &TargetUnit,
        indicators: &[(String, f64)],
        actor: &str,
        command: &str,
    ) -> Result<u64> {
        if !self.may_set_unit(unit) {
            return Err(StoreError::Forbidden(format!(
                "{0} ngoài phạm vi được giao / {0} is outside your area",
                unit.name
            )));
        }
        let at = crate::now();
        let (province, commune) = unit.place();
        let mut tx = self.db.begin().await?;
        for (id, value) in indicators {
            let old: Option<f64> = on_conn!(tx, c => sqlx::query_scalar(
                "SELECT value FROM plan_indicator_target WHERE year = $1 AND unit_code = $2 AND indicator_id = $3",
            )
            .bind(year)
            .bind(unit.code.as_str())
            .bind(id.as_str())
            .fetch_optional(c)
            .await?);
            on_conn!(tx, c => sqlx::query(
                "INSERT INTO plan_indicator_target (year, unit_code, current_province, current_commune, indicator_id, value, \
                     recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (year, unit_code, indicator_id) DO UPDATE SET value = excluded.value, \
                     recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
            )
            .bind(year)
            .bind(unit.code.as_str())
            .bind(province)
            .bind(commune)
            .bind(id.as_str())
            .bind(*value)
            .bind(actor)
            .bind(at.as_str())
            .execute(c)
            .await?
            .rows_affected());
            if old != Some(*value) {
                let field = format!("{year}:{}:{id}", unit.code);
                let (old_text, new_text) = (old.map(|v| v.to_string()), value.to_string());
                let change = Change {
                    actor,
                    command,
                    entity: "plan_indicator_target",
                    household_id: None,
                    period: Some(year),
                    member_no: None,
                    field: &field,
                    old_value: old_text.as_deref(),
                    new_value: Some(&new_text),
                };
                audit::record_now(&mut tx, &change, &at).await?;
            }
        }
        tx.commit().await?;
        Ok(indicators.len() as u64)
    }

    /// Every unit's indicator targets for `year` within the reader's area.
    pub async fn indicator_targets_of_year(&self, year: i64) -> Result<Vec<IndicatorTarget>> {
        let mut sql = Sql::with_args([Arg::Int(year)]);
        sql.push("SELECT t.unit_code, t.indicator_id, t.value FROM plan_indicator_target t WHERE t.year = $1 AND ")
            .append(&self.scope.sql("t"))
            .push(" ORDER BY t.unit_code, t.indicator_id");
        let rows: Vec<(String, String, f64)> = on_pool!(self.db, p => bound!(query_as, sql).fetch_all(p).await?);
        Ok(rows
            .into_iter()
            .map(|(unit_code, indicator_id, value)| IndicatorTarget { unit_code, indicator_id, value })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_round_trip_through_json_by_key() {
        let mut f = Figures::default();
        f.0[0] = Some(2845.0);
        f.0[3] = Some(1.51);
        let text = figures_json(&f);
        assert_eq!(text, r#"{"households":2845,"poor_rate_pct":1.51}"#);
        assert_eq!(figures_from_json(&text).expect("parse"), f);
        assert!(figures_from_json(r#"{"children": 3}"#).is_err());
    }

    #[test]
    fn units_are_the_country_provinces_and_communes_of_2025() {
        assert_eq!(TargetUnit::parse("vn").map(|u| u.code), Some("VN".into()));
        let son_la = TargetUnit::parse("14").expect("Sơn La");
        assert_eq!(son_la.name, "Tỉnh Sơn La");
        let communes = son_la.children();
        assert!(communes.len() > 50, "{}", communes.len());
        assert!(communes.iter().all(|c| province_of(&c.code) == "14"));
        assert_eq!(TargetUnit::parse("VN").expect("vn").children().len(), 34);
        assert!(TargetUnit::parse("001").is_none());
    }
}
