//! An official report form as a workbook (`vuonlen report`, the web's reports page): the
//! registry's tallies, movements or detailed lists for a unit and period, through the layouts of
//! `vuonlen_io::forms`.

use crate::classification::subgroups_from_bits;
use crate::error::{Result, StoreError};
use crate::period::Period;
use crate::scope::Registry;
use crate::select::Selection;
use std::path::Path;
use vuonlen_core::codes::{Relation, Sex};
use vuonlen_core::movement::MovementTally;
use vuonlen_core::report::UnitTally;
use vuonlen_core::{Class, Standard};
use vuonlen_io::forms::{
    DetailedListWriter, Form, FormKind, FormMeta, FormRow, ListHousehold, ListMember, write_form, write_movement_form,
};

fn io(e: impl std::fmt::Display) -> StoreError {
    StoreError::Invalid(e.to_string())
}

/// Writes `form` for `sel` in period `p` (from period `from` for the movement forms) under
/// `std` into the workbook `out`, as `reg` may read it. Returns the households it counts.
pub async fn write_report(
    reg: &Registry,
    form: Form,
    sel: &Selection,
    p: &Period,
    from: Option<&Period>,
    std: &Standard,
    out: &Path,
) -> Result<u64> {
    let mut meta = FormMeta {
        unit_code: sel.code.clone(),
        unit_name: sel.name.clone(),
        period: p.year.to_string(),
        start_period: None,
        standard_id: std.id.clone(),
        as_of: p.reference_date,
    };
    let households = match form.kind() {
        FormKind::Movement => {
            let from = from.ok_or_else(|| {
                StoreError::Invalid("biểu biến động cần kỳ đầu / a movement form needs a start period".into())
            })?;
            meta.start_period = Some(from.year.to_string());
            let (rows, total) = movement_rows(&reg.paths(from, p, sel).await?, sel);
            write_movement_form(out, form, &meta, &rows, &total).map_err(io)?;
            total.poor.households[8] + total.near_poor.households[8]
        }
        FormKind::List => {
            let class = if form == Form::F15 { Class::Poor } else { Class::NearPoor };
            let list = reg.listed(p, &std.id, sel, class).await?;
            let mut w = DetailedListWriter::create(out, form, std, &meta).map_err(io)?;
            for h in &list {
                let hh = ListHousehold {
                    household_code: &h.household_code,
                    head_name: &h.head_name,
                    village: &h.village,
                    address: &h.address,
                    persons: h.persons,
                    income_per_capita: h.income_per_capita,
                    score_a: h.score_a.and_then(|v| i32::try_from(v).ok()),
                    deprived: h.deprived,
                    subgroups: subgroups_from_bits(h.subgroups_bits),
                    causes: h.causes,
                    note: "",
                };
                let members: Vec<ListMember<'_>> = h
                    .members
                    .iter()
                    .map(|m| -> Result<ListMember<'_>> {
                        let core = m.to_member()?;
                        Ok(ListMember {
                            member_no: core.member_no,
                            full_name: &m.full_name,
                            relation: Relation::parse(&m.relation).unwrap_or(Relation::Other),
                            sex: Sex::parse(&m.sex).unwrap_or(core.sex),
                            birth: core.birth,
                            ethnicity_name: &m.ethnicity,
                            id_number: m.id_number.as_deref(),
                        })
                    })
                    .collect::<Result<_>>()?;
                w.push(&hh, &members).map_err(io)?;
            }
            let n = w.households();
            w.finish().map_err(io)?;
            n
        }
        _ => {
            let tallies = reg.tally(p, &std.id, sel).await?;
            let mut total = UnitTally::new();
            let rows: Vec<FormRow<UnitTally>> = tallies
                .into_iter()
                .map(|(key, t)| {
                    total.merge(&t);
                    FormRow { name: sel.rows.name(&key), code: key, tally: t }
                })
                .collect();
            write_form(out, form, std, &meta, &rows, &total).map_err(io)?;
            Class::ALL.iter().map(|c| total.households_in(*c)).sum()
        }
    };
    Ok(households)
}

/// Movement tallies by report row, and their total.
pub fn movement_rows(paths: &[crate::reads::PathRow], sel: &Selection) -> (Vec<FormRow<MovementTally>>, MovementTally) {
    let mut by_key: std::collections::BTreeMap<String, MovementTally> = Default::default();
    let mut total = MovementTally::new();
    for p in paths {
        by_key.entry(p.key.clone()).or_default().add_restructured(&p.path, &p.restructuring);
        total.add_restructured(&p.path, &p.restructuring);
    }
    let rows = by_key.into_iter().map(|(k, t)| FormRow { name: sel.rows.name(&k), code: k, tally: t }).collect();
    (rows, total)
}
