//! Administrative units in the registry: both official lists with their validity dates, the
//! 2024 → 2025 commune lineage (official rows plus administrator mappings), villages, and the
//! mapping of a commune code *as recorded* to today's commune and province.

use crate::bulk::{TableBuffer, Val, execute};
use crate::db::{Db, on_pool};
use crate::error::{Result, StoreError};
use chrono::NaiveDate;
use std::collections::HashMap;
use vuonlen_core::units::{AdminUnits, Level, List, UnitList};

/// Last day of the 2024 list.
pub const LIST_2024_VALID_TO: &str = "2025-06-30";
/// First day of the 2025 list.
pub const LIST_2025_VALID_FROM: &str = "2025-07-01";
/// First day the registry knows the 2024 list for (it was in force long before).
pub const LIST_2024_VALID_FROM: &str = "2020-01-01";

/// The key of a list in the database.
pub fn list_key(l: UnitList) -> &'static str {
    match l {
        UnitList::Y2024 => "2024",
        UnitList::Y2025 => "2025",
    }
}

fn level_key(l: Level) -> &'static str {
    match l {
        Level::Province => "province",
        Level::District => "district",
        Level::Commune => "commune",
    }
}

/// Loads the official lists and lineage when the database has no units yet.
pub(crate) async fn seed(db: &Db) -> Result<()> {
    let n: i64 = on_pool!(db, p => sqlx::query_scalar("SELECT COUNT(*) FROM admin_unit").fetch_one(p).await?);
    if n > 0 {
        return Ok(());
    }
    let units = AdminUnits::get();
    let mut tx = db.begin().await?;
    let mut buf = TableBuffer::new(
        tx.engine(),
        "admin_unit",
        &["list", "code", "level", "name", "division_type", "parent_code", "province_code", "valid_from", "valid_to"],
    );
    for (l, from, to) in [
        (UnitList::Y2024, LIST_2024_VALID_FROM, Some(LIST_2024_VALID_TO)),
        (UnitList::Y2025, LIST_2025_VALID_FROM, None),
    ] {
        let list = units.list(l);
        let mut all: Vec<_> = list.provinces.iter().collect();
        all.extend(list.districts.values());
        all.extend(list.communes.values());
        all.sort_by_key(|u| (u.level as u8, u.code));
        for u in all {
            let province = province_of(list, u.level, u.code, u.parent_code);
            buf.push([
                Val::from(list_key(l)),
                u.code.into(),
                level_key(u.level).into(),
                u.name.into(),
                u.division_type.into(),
                Val::from((!u.parent_code.is_empty()).then_some(u.parent_code)),
                province.into(),
                from.into(),
                Val::from(to),
            ]);
        }
    }
    buf.flush(&mut tx).await?;
    let mut lin =
        TableBuffer::new(tx.engine(), "unit_lineage", &["old_code", "new_code", "source", "added_by", "added_at"]);
    let mut olds: Vec<&str> = units.y2024.communes.keys().copied().collect();
    olds.sort_unstable();
    for old in olds {
        for new in units.successors(old) {
            lin.push([old.into(), (*new).into(), "official".into(), Val::OptText(None), Val::OptText(None)]);
        }
    }
    lin.flush(&mut tx).await?;
    tx.commit().await
}

fn province_of<'a>(list: &'a List, level: Level, code: &'a str, parent: &'a str) -> &'a str {
    match level {
        Level::Province => code,
        Level::District => parent,
        Level::Commune => list.province_of_commune(code).map(|p| p.code).unwrap_or(parent),
    }
}

/// Where a commune code recorded on a survey belongs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// The list the recorded code is read in (by the period's reference date).
    pub list: UnitList,
    /// Today's (2025-list) commune, or the recorded code when the lineage lacks it.
    pub current_commune: String,
    /// Today's province, or `""` when unknown.
    pub current_province: String,
    /// The recorded 2024 commune has no successor in the lineage.
    pub unmapped: bool,
}

/// Maps recorded commune codes to today's units, with the lineage as stored (administrator
/// mappings first).
#[derive(Debug, Default)]
pub struct Placer {
    lineage: HashMap<String, Vec<String>>,
}

impl Placer {
    /// Loads the lineage from the database.
    pub async fn load(db: &Db) -> Result<Placer> {
        let rows: Vec<(String, String)> = on_pool!(db, p => sqlx::query_as(
            "SELECT old_code, new_code FROM unit_lineage ORDER BY old_code, \
                 CASE WHEN source = 'admin' THEN 0 WHEN new_code = old_code THEN 1 ELSE 2 END, new_code",
        )
        .fetch_all(p)
        .await?);
        let mut lineage: HashMap<String, Vec<String>> = HashMap::new();
        for (o, n) in rows {
            lineage.entry(o).or_default().push(n);
        }
        Ok(Placer { lineage })
    }

    /// The predecessors of each 2025 commune (old codes in order), from the same lineage.
    pub fn predecessors(&self) -> HashMap<String, Vec<String>> {
        let mut out: HashMap<String, Vec<String>> = HashMap::new();
        for (old, news) in &self.lineage {
            for new in news {
                out.entry(new.clone()).or_default().push(old.clone());
            }
        }
        for olds in out.values_mut() {
            olds.sort_unstable();
            olds.dedup();
        }
        out
    }

    /// The successors of a 2024 commune, administrator mappings first.
    pub fn successors(&self, old: &str) -> &[String] {
        self.lineage.get(old).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Places a commune code recorded at `date`; `None` when it is in neither list.
    pub fn place(&self, code: &str, date: NaiveDate) -> Option<Placement> {
        let units = AdminUnits::get();
        let r = units.resolve(code, date)?;
        Some(match r.list {
            UnitList::Y2025 => Placement {
                list: r.list,
                current_commune: code.to_string(),
                current_province: r.province.code.to_string(),
                unmapped: false,
            },
            UnitList::Y2024 => match self.successors(code).first() {
                Some(new) => Placement {
                    list: r.list,
                    current_commune: new.clone(),
                    current_province: units
                        .y2025
                        .province_of_commune(new)
                        .map(|p| p.code.to_string())
                        .unwrap_or_default(),
                    unmapped: false,
                },
                None => Placement {
                    list: r.list,
                    current_commune: code.to_string(),
                    current_province: String::new(),
                    unmapped: true,
                },
            },
        })
    }
}

/// A 2024 commune without any 2025 successor in the lineage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmapped {
    pub code: String,
    pub name: String,
    pub province_code: String,
    /// Surveys recorded under it, all periods.
    pub surveys: i64,
}

/// Lists the 2024 communes that have no successor (`vuonlen units unmapped`).
pub async fn unmapped(db: &Db) -> Result<Vec<Unmapped>> {
    let rows: Vec<(String, String, String, i64)> = on_pool!(db, p => sqlx::query_as(
        "SELECT u.code, u.name, u.province_code, \
                (SELECT COUNT(*) FROM survey s WHERE s.commune_code = u.code AND s.unit_list = '2024') \
         FROM admin_unit u \
         WHERE u.list = '2024' AND u.level = 'commune' \
           AND NOT EXISTS (SELECT 1 FROM unit_lineage l WHERE l.old_code = u.code) \
         ORDER BY u.code",
    )
    .fetch_all(p)
    .await?);
    Ok(rows
        .into_iter()
        .map(|(code, name, province_code, surveys)| Unmapped { code, name, province_code, surveys })
        .collect())
}

/// Adds an administrator mapping from a 2024 commune to a 2025 commune, re-places the surveys
/// recorded under the old commune, and records it in the audit log.
pub async fn add_mapping(db: &Db, old: &str, new: &str, actor: &str, command: &str) -> Result<u64> {
    let units = AdminUnits::get();
    let Some(old_unit) = units.y2024.communes.get(old) else {
        return Err(StoreError::Invalid(format!(
            "'{old}' không phải mã xã trong danh mục 2024 / is not a commune of the 2024 list"
        )));
    };
    let Some(new_province) = units.y2025.province_of_commune(new) else {
        return Err(StoreError::Invalid(format!(
            "'{new}' không phải mã xã trong danh mục 2025 / is not a commune of the 2025 list"
        )));
    };
    let _ = old_unit;
    let now = crate::now();
    let mut tx = db.begin().await?;
    execute(
        &mut tx,
        "INSERT INTO unit_lineage (old_code, new_code, source, added_by, added_at) VALUES ($1, $2, 'admin', $3, $4) \
         ON CONFLICT (old_code, new_code) DO NOTHING",
        vec![old.into(), new.into(), actor.into(), now.clone().into()],
    )
    .await?;
    // Surveys recorded under the old commune now count in the first successor.
    let placer_first: Option<String> = {
        let mut p = Placer::default();
        let rows: Vec<(String, String)> = crate::db::on_conn!(&mut tx, c => sqlx::query_as(
            "SELECT old_code, new_code FROM unit_lineage WHERE old_code = $1 \
             ORDER BY CASE source WHEN 'admin' THEN 0 ELSE 1 END, new_code",
        )
        .bind(old)
        .fetch_all(c)
        .await?);
        for (o, n) in rows {
            p.lineage.entry(o).or_default().push(n);
        }
        p.successors(old).first().cloned()
    };
    let first = placer_first.unwrap_or_else(|| new.to_string());
    let first_province =
        units.y2025.province_of_commune(&first).map(|p| p.code.to_string()).unwrap_or(new_province.code.to_string());
    let moved = execute(
        &mut tx,
        "UPDATE survey SET current_commune = $1, current_province = $2 WHERE commune_code = $3 AND unit_list = '2024'",
        vec![first.clone().into(), first_province.clone().into(), old.into()],
    )
    .await?;
    // The members carry their household's place (search reads it from their index).
    execute(
        &mut tx,
        "UPDATE member SET current_commune = $1, current_province = $2 WHERE EXISTS (SELECT 1 FROM survey s \
         WHERE s.period = member.period AND s.household_id = member.household_id \
           AND s.commune_code = $3 AND s.unit_list = '2024')",
        vec![first.clone().into(), first_province.clone().into(), old.into()],
    )
    .await?;
    execute(
        &mut tx,
        "UPDATE household SET commune_code = $1, province_code = $2 \
         WHERE id IN (SELECT household_id FROM household_alias WHERE commune_code = $3) AND commune_code = $3",
        vec![first.into(), first_province.into(), old.into()],
    )
    .await?;
    crate::audit::record_now(
        &mut tx,
        &crate::audit::Change {
            actor,
            command,
            entity: "unit_lineage",
            household_id: None,
            period: None,
            member_no: None,
            field: old,
            old_value: None,
            new_value: Some(new),
        },
        &now,
    )
    .await?;
    // Answers recorded under the old commune now count in another one.
    crate::tally::bump_all(&mut tx).await?;
    tx.commit().await?;
    Ok(moved)
}

/// A village (*thôn/tổ dân phố*).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Village {
    pub id: i64,
    pub commune_code: String,
    pub name: String,
}

/// Villages of a commune, in Vietnamese alphabetical order of their folded names.
pub async fn villages(db: &Db, commune: &str) -> Result<Vec<Village>> {
    let rows: Vec<(i64, String, String)> = on_pool!(db, p => sqlx::query_as(
        "SELECT id, commune_code, name FROM village WHERE commune_code = $1 ORDER BY name_key, name",
    )
    .bind(commune)
    .fetch_all(p)
    .await?);
    Ok(rows.into_iter().map(|(id, commune_code, name)| Village { id, commune_code, name }).collect())
}

/// Creates a village under a commune (or returns the existing one with the same folded name).
pub async fn add_village(db: &Db, commune: &str, name: &str, actor: &str, command: &str) -> Result<Village> {
    if !AdminUnits::get().is_commune(commune) {
        return Err(StoreError::Invalid(format!("'{commune}' không phải mã xã / is not a commune code")));
    }
    let name = vuonlen_core::text::nfc(name.trim()).into_owned();
    if name.is_empty() {
        return Err(StoreError::Invalid("tên thôn trống / the village name is empty".into()));
    }
    let mut tx = db.begin().await?;
    let id = crate::import::village_id(&mut tx, commune, &name, actor, command).await?;
    tx.commit().await?;
    Ok(Village { id, commune_code: commune.to_string(), name })
}
