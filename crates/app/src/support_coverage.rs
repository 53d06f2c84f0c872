//! The coverage of support (*độ bao phủ chính sách hỗ trợ*): for each row of a unit (the
//! communes of a province, the villages of a commune, the provinces of the country), the poor
//! and near-poor households and persons of the list in force in a year, and how many of them
//! received each kind of support in that year — health-insurance cards for 100 % of poor
//! persons, loans, houses. The numerators are the support records, the denominators the
//! report cache's tally of the list.
//!
//! The list in force in year Y is the one the review before Y recognised (a review at the end
//! of Y − 1 decides who is poor in Y); with no earlier review in the registry, Y's own.

use crate::AppError;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use vuonlen_core::Class;
use vuonlen_core::report::UnitTally;
use vuonlen_core::support::SupportCoverage;
use vuonlen_store::period::Period;
use vuonlen_store::{Registry, Selection};

/// One row's coverage.
#[derive(Debug, Clone)]
pub struct CoverageRow {
    pub key: String,
    pub name: String,
    pub coverage: SupportCoverage,
}

/// A unit's coverage in a year.
#[derive(Debug, Clone)]
pub struct Coverage {
    pub year: i64,
    /// The review whose list the coverage is measured on (`None`: no review in the registry).
    pub list_period: Option<i64>,
    pub unit_code: String,
    pub unit_name: String,
    pub rows: Vec<CoverageRow>,
    pub total: SupportCoverage,
}

/// The review whose list is in force in `year`: the latest of the three before it, else the
/// year's own.
pub async fn list_in_force(reg: &Registry, year: i64) -> Result<Option<Period>, AppError> {
    for y in (year - 3..year).rev() {
        if let Some(p) = reg.period(y).await? {
            return Ok(Some(p));
        }
    }
    Ok(reg.period(year).await?)
}

/// For each row of `sel`: `list`'s poor and near-poor households and persons, and what they
/// received in `year` (up to `until`).
pub async fn coverage_by_row(
    reg: &Registry,
    list: &Period,
    year: i64,
    until: Option<NaiveDate>,
    sel: &Selection,
) -> Result<BTreeMap<String, SupportCoverage>, AppError> {
    let mut out = reg.support_reach(list, year, until, sel).await?;
    let tallies: Vec<(String, UnitTally)> = reg.tally(list, &list.standard_id, sel).await?;
    for (key, t) in tallies {
        let c = out.entry(key).or_default();
        c.households = [t.households_in(Class::Poor), t.households_in(Class::NearPoor)];
        c.persons = [t.persons_in(Class::Poor), t.persons_in(Class::NearPoor)];
    }
    Ok(out)
}

/// `sel`'s coverage in `year` (up to `until`) on the list in force, all rows together.
pub async fn coverage_total(
    reg: &Registry,
    year: i64,
    until: Option<NaiveDate>,
    sel: &Selection,
) -> Result<SupportCoverage, AppError> {
    let mut total = SupportCoverage::default();
    if let Some(list) = list_in_force(reg, year).await? {
        for c in coverage_by_row(reg, &list, year, until, sel).await?.values() {
            total.merge(c);
        }
    }
    Ok(total)
}

/// The coverage of `unit`'s rows in `year`, as the reader may see it.
pub async fn coverage(reg: &Registry, year: i64, unit: &str) -> Result<Coverage, AppError> {
    let sel = Selection::parse(unit)?;
    let list = list_in_force(reg, year).await?;
    let by_row = match &list {
        Some(p) => coverage_by_row(reg, p, year, None, &sel).await?,
        None => BTreeMap::new(),
    };
    let mut total = SupportCoverage::default();
    let mut rows: Vec<CoverageRow> = by_row
        .into_iter()
        .map(|(key, coverage)| {
            total.merge(&coverage);
            CoverageRow { name: sel.rows.name(&key), key, coverage }
        })
        .collect();
    // Villages by name, their numbers as numbers (Tổ 2 before Tổ 10); units by code.
    if sel.rows == vuonlen_store::RowKey::Village {
        rows.sort_by_cached_key(|r| vuonlen_core::collate::place_sort_key(&r.name));
    }
    Ok(Coverage {
        year,
        list_period: list.map(|p| p.year),
        unit_code: sel.code.clone(),
        unit_name: sel.name.clone(),
        rows,
        total,
    })
}

/// The coverage as a table, one row per row of the unit and a total: the list's households and
/// persons, households reached by any support, then for each kind the households reached (the
/// persons, for a kind received by a person) and their share. Vietnamese headers, or keys when
/// `english`. The one layout the command line, the page's download and the tests use.
pub fn coverage_table(c: &Coverage, english: bool) -> (Vec<String>, Vec<vuonlen_io::PlainRow>) {
    use vuonlen_core::support::SUPPORT_KINDS;
    use vuonlen_io::{PlainCell, PlainRow};
    let h = |key: &str, vi: &str| if english { key.to_string() } else { vi.to_string() };
    let mut header = vec![
        h("unit_code", "Mã đơn vị"),
        h("unit_name", "Tên đơn vị"),
        h("poor_households", "Hộ nghèo"),
        h("near_poor_households", "Hộ cận nghèo"),
        h("persons", "Nhân khẩu hộ nghèo, cận nghèo"),
        h("any_households", "Hộ được hỗ trợ (ít nhất một chính sách)"),
        h("any_pct", "Tỷ lệ hộ được hỗ trợ (%)"),
    ];
    for k in SUPPORT_KINDS {
        if k.per_person {
            header.push(h(&format!("{}_persons", k.key), &format!("{}: số người", k.label_vi)));
            header.push(h(&format!("{}_persons_pct", k.key), &format!("{}: % nhân khẩu", k.label_vi)));
        } else {
            header.push(h(&format!("{}_households", k.key), &format!("{}: số hộ", k.label_vi)));
            header.push(h(&format!("{}_households_pct", k.key), &format!("{}: % số hộ", k.label_vi)));
        }
    }
    let int = |v: u64| PlainCell::Int(Some(i64::try_from(v).unwrap_or(i64::MAX)));
    let row = |code: &str, name: &str, s: &SupportCoverage| {
        let lines = s.lines();
        let mut cells = vec![
            PlainCell::Text(code.to_string()),
            PlainCell::Text(name.to_string()),
            int(s.households[0]),
            int(s.households[1]),
            int(s.list_persons()),
            int(lines[0].reach.households),
            PlainCell::Dec(lines[0].households_pct),
        ];
        for l in &lines[1..] {
            let per_person = l.kind.is_some_and(|k| k.per_person);
            if per_person {
                cells.push(int(l.reach.persons));
                cells.push(PlainCell::Dec(l.persons_pct));
            } else {
                cells.push(int(l.reach.households));
                cells.push(PlainCell::Dec(l.households_pct));
            }
        }
        PlainRow { cells, highlight: false }
    };
    let mut rows: Vec<PlainRow> = c.rows.iter().map(|r| row(&r.key, &r.name, &r.coverage)).collect();
    rows.push(row(&c.unit_code, &format!("Tổng cộng: {}", c.unit_name), &c.total));
    (header, rows)
}
