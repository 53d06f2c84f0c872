//! Producing an official report form (*lập biểu báo cáo*) for a unit and period: the registry's
//! tallies, movements or detailed lists as the caller may read them, laid out by
//! `vuonlen_io::forms`. The command line writes the workbook to a file, the pages and the API to
//! the response body; the reading is async, the writing runs on a blocking thread.

use crate::AppError;
use std::io::Cursor;
use std::path::PathBuf;
use std::sync::Arc;
use vuonlen_core::codes::{Relation, Sex};
use vuonlen_core::movement::MovementTally;
use vuonlen_core::report::UnitTally;
use vuonlen_core::{Class, Standard};
use vuonlen_io::forms::{
    Destination, DetailedListWriter, Form, FormKind, FormMeta, FormRow, ListHousehold, ListMember, ProfileTally,
    RateBase, write_form, write_movement_form, write_profile_form,
};
use vuonlen_store::classification::subgroups_from_bits;
use vuonlen_store::period::Period;
use vuonlen_store::reads::Listed;
use vuonlen_store::{Registry, Selection, StoreError};

/// A report to produce.
#[derive(Debug, Clone, Copy)]
pub struct ReportRequest<'a> {
    pub form: Form,
    pub selection: &'a Selection,
    pub period: &'a Period,
    /// The start period of a movement form (2, 3; required) or of forms 12–13 (their old / new /
    /// re-entered columns; optional); ignored by the others.
    pub from: Option<&'a Period>,
    /// The standard whose classification is reported (the period's own, or a what-if).
    pub standard: &'a Arc<Standard>,
}

/// A produced report: the households it counts (forms 1–13) or lists (14, 15).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Produced {
    pub households: u64,
}

/// Writes the report to the file `out` (under a temporary name, then renamed).
pub async fn to_file(reg: &Registry, req: ReportRequest<'_>, out: PathBuf) -> Result<Produced, AppError> {
    let body = gather(reg, req).await?;
    blocking(move || body.write(Destination::File(&out))).await
}

/// Writes the report to memory: the workbook's bytes, for a response body.
pub async fn to_bytes(reg: &Registry, req: ReportRequest<'_>) -> Result<(Vec<u8>, Produced), AppError> {
    let body = gather(reg, req).await?;
    let mut buf = Cursor::new(Vec::new());
    let produced = blocking(move || {
        let p = body.write(Destination::Stream(&mut buf))?;
        Ok((buf.into_inner(), p))
    })
    .await?;
    Ok(produced)
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, AppError> + Send + 'static) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| AppError::Internal(e.to_string()))?
}

/// Movement tallies by report row, and their total, from the registry's movement cache.
async fn movement_rows(
    reg: &Registry,
    from: &Period,
    to: &Period,
    sel: &Selection,
) -> Result<(Vec<FormRow<MovementTally>>, MovementTally), AppError> {
    let mut total = MovementTally::new();
    let rows = reg
        .movements(from, to, sel)
        .await?
        .into_iter()
        .map(|(k, t)| {
            total.merge(&t);
            FormRow { name: sel.rows.name(&k), code: k, tally: t, residents: None }
        })
        .collect();
    Ok((rows, total))
}

/// What a form prints, read from the registry.
enum Content {
    Tally(Vec<FormRow<UnitTally>>, Box<UnitTally>),
    Movement(Vec<FormRow<MovementTally>>, Box<MovementTally>),
    Profile(Vec<FormRow<ProfileTally>>, Box<ProfileTally>),
    List(Vec<Listed>),
}

struct Body {
    form: Form,
    meta: FormMeta,
    standard: Arc<Standard>,
    content: Content,
}

async fn gather(reg: &Registry, req: ReportRequest<'_>) -> Result<Body, AppError> {
    let (sel, p, std) = (req.selection, req.period, req.standard);
    let mut meta = FormMeta {
        unit_code: sel.code.clone(),
        unit_name: sel.name.clone(),
        period: p.year.to_string(),
        start_period: None,
        standard_id: std.id.clone(),
        as_of: p.reference_date,
        base: RateBase::Counted,
        unverified: std
            .unverified_provisions()
            .into_iter()
            .map(|(what, citation, status)| format!("{what} — {citation} ({})", status.marker_vi()))
            .collect(),
        unclassified: None,
        unmapped: Vec::new(),
    };
    // Figures that depend on communes the lineage does not place say so.
    meta.unmapped = reg.unmapped_in(p).await?;
    if let Some(from) = req.from {
        meta.unmapped.extend(reg.unmapped_in(from).await?);
        meta.unmapped.sort_unstable();
        meta.unmapped.dedup();
    }
    // A what-if form (another standard than the period's) says what it leaves out.
    if std.id != p.standard_id {
        let u = reg.unclassified(p, &std.id, sel).await?;
        let mut why = Vec::new();
        if u.no_waste_treatment > 0
            && std.reads_household_flag(vuonlen_core::standard::HouseholdFlagField::WasteTreatment)
        {
            why.push(format!("{} hộ thiếu câu trả lời về xử lý rác thải mà chuẩn này đọc", u.no_waste_treatment));
        }
        if u.score_a_only > 0 && std.score_a.is_none() {
            why.push(format!("{} hộ chỉ có điểm A mà chuẩn này không quy đổi điểm A", u.score_a_only));
        }
        if why.is_empty() {
            why.push("thiếu câu trả lời mà chuẩn này cần".into());
        }
        meta.unclassified = Some((u.households, why.join("; ")));
    }
    let content = match req.form.kind() {
        FormKind::Movement => {
            let from = req.from.ok_or_else(|| {
                StoreError::Invalid("biểu biến động cần kỳ đầu / a movement form needs a start period".into())
            })?;
            meta.start_period = Some(from.year.to_string());
            let (rows, total) = movement_rows(reg, from, p, sel).await?;
            Content::Movement(rows, Box::new(total))
        }
        FormKind::Profile => {
            // Where the households come from (old, new, re-entered) is a movement of the
            // recognised lists: known with a start period and for the period's own standard.
            let mut moves = std::collections::BTreeMap::new();
            let mut total = ProfileTally::default();
            if let Some(from) = req.from.filter(|_| std.id == p.standard_id) {
                meta.start_period = Some(from.year.to_string());
                let (rows, t) = movement_rows(reg, from, p, sel).await?;
                moves = rows.into_iter().map(|r| (r.code, r.tally)).collect();
                total.movement = Some(t);
            }
            let known = total.movement.is_some();
            let mut rows: Vec<FormRow<ProfileTally>> = Vec::new();
            for (key, t) in reg.tally(p, &std.id, sel).await? {
                total.tally.merge(&t);
                let movement = known.then(|| moves.remove(&key).unwrap_or_default());
                rows.push(FormRow {
                    name: sel.rows.name(&key),
                    residents: None,
                    code: key,
                    tally: ProfileTally { tally: t, movement },
                });
            }
            // Units whose group left entirely still have movements (their old households left).
            for (key, m) in moves {
                let tally = ProfileTally { tally: UnitTally::new(), movement: Some(m) };
                rows.push(FormRow { name: sel.rows.name(&key), residents: None, code: key, tally });
            }
            rows.sort_by(|a, b| a.code.cmp(&b.code));
            Content::Profile(rows, Box::new(total))
        }
        FormKind::List => {
            let class = if req.form == Form::F15 { Class::Poor } else { Class::NearPoor };
            Content::List(reg.listed(p, &std.id, sel, class).await?)
        }
        _ => {
            // Rates over the residents recorded for the period, never over the households reviewed.
            let coverage = reg.coverage(p, sel).await?;
            let mut total = UnitTally::new();
            let rows = reg
                .tally(p, &std.id, sel)
                .await?
                .into_iter()
                .map(|(key, t)| {
                    total.merge(&t);
                    FormRow { name: sel.rows.name(&key), residents: coverage.of(&key), code: key, tally: t }
                })
                .collect();
            meta.base = RateBase::Residents { total: coverage.total, missing: coverage.missing };
            Content::Tally(rows, Box::new(total))
        }
    };
    Ok(Body { form: req.form, meta, standard: Arc::clone(std), content })
}

impl Body {
    /// Lays the content out (CPU and writing: on a blocking thread).
    fn write(self, out: Destination<'_>) -> Result<Produced, AppError> {
        let (form, meta, std) = (self.form, &self.meta, &*self.standard);
        let households = match self.content {
            Content::Movement(rows, total) => {
                write_movement_form(out, form, meta, &rows, &total)?;
                total.poor.households[8] + total.near_poor.households[8]
            }
            Content::Profile(rows, total) => {
                write_profile_form(out, form, meta, &rows, &total)?;
                let g = if form == Form::F12 { Class::Poor } else { Class::NearPoor };
                total.tally.households_in(g)
            }
            Content::Tally(rows, total) => {
                write_form(out, form, std, meta, &rows, &total)?;
                Class::ALL.iter().map(|c| total.households_in(*c)).sum()
            }
            Content::List(list) => {
                let mut w = DetailedListWriter::create(out, form, std, meta)?;
                for h in &list {
                    push_listed(&mut w, h)?;
                }
                let n = w.households();
                w.finish()?;
                n
            }
        };
        Ok(Produced { households })
    }
}

fn push_listed(w: &mut DetailedListWriter<'_>, h: &Listed) -> Result<(), AppError> {
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
    let members = h
        .members
        .iter()
        .map(|m| -> Result<ListMember<'_>, AppError> {
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
        .collect::<Result<Vec<_>, _>>()?;
    Ok(w.push(&hh, &members)?)
}
