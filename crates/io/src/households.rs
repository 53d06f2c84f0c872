//! Parses rows of the households file, sent in flat batches ([`HhBatch`]) to the joining
//! thread, which makes the records' strings (so that it allocates what the sink frees).

use crate::check::Check;
use crate::fields::{self, is_digits, pad_number_cell};
use crate::header::{Columns, HOUSEHOLD_COLUMNS, h};
use crate::key::IdKey;
use crate::pipeline::{Packet, Side};
use crate::problems::{Collector, FileCtx, ProblemKind};
use crate::read::ReadOptions;
use crate::record::HouseholdRecord;
use crate::rows::{RowHandler, RowView, Start};
use std::ops::ControlFlow;
use std::sync::mpsc::SyncSender;
use vuonlen_core::codes::{Area, Latrine, PovertyCause, WaterSource};
use vuonlen_core::text::nfc;
use vuonlen_core::units::AdminUnits;
use vuonlen_core::{Household, Member};

/// Households per batch sent to the joining thread.
const BATCH: usize = 1024;

/// One row of the households file.
pub(crate) struct HhRow {
    pub row: u64,
    pub key: IdKey,
    /// False when the row has an error (the record then holds placeholders).
    pub valid: bool,
    /// The record without members; `household_id` is always filled (possibly empty).
    pub record: HouseholdRecord,
}

/// A parsed row whose texts are in its batch.
struct Wire {
    row: u64,
    key: IdKey,
    valid: bool,
    /// Byte ranges in [`HhBatch::text`] of household_id, commune_code, village, head_name,
    /// address.
    texts: [(usize, usize); 5],
    causes: Vec<PovertyCause>,
    household: Household,
}

/// Parsed household rows with their texts in one string.
#[derive(Default)]
pub(crate) struct HhBatch {
    text: String,
    rows: Vec<Wire>,
}

impl HhBatch {
    fn with_capacity(n: usize) -> Self {
        HhBatch { text: String::with_capacity(n * 48), rows: Vec::with_capacity(n) }
    }

    fn put(&mut self, s: &str) -> (usize, usize) {
        let a = self.text.len();
        self.text.push_str(s);
        (a, self.text.len())
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Row `i` (taken: its poverty causes are moved out) into `out`, whose record is filled
    /// in place (every field is overwritten; members are cleared).
    pub fn take_row_into(&mut self, i: usize, out: &mut HhRow) {
        let w = &mut self.rows[i];
        let text = &self.text;
        let t = |k: usize| text.get(w.texts[k].0..w.texts[k].1).unwrap_or("");
        let r = &mut out.record;
        for (k, s) in [&mut r.household_id, &mut r.commune_code, &mut r.village, &mut r.head_name, &mut r.address]
            .into_iter()
            .enumerate()
        {
            s.clear();
            s.push_str(t(k));
        }
        r.poverty_causes.clear();
        r.poverty_causes.append(&mut w.causes);
        let mut members = std::mem::take(&mut r.household.members);
        members.clear();
        r.household = Household { members, ..w.household };
        r.members.clear();
        out.row = w.row;
        out.key = w.key;
        out.valid = w.valid;
    }
}

/// Parses the households file; see [`RowHandler`].
pub(crate) struct HouseholdParser<'o> {
    opts: &'o ReadOptions,
    side: Side<HhBatch>,
    cols: Option<Columns>,
    /// All required columns are present.
    complete: bool,
    batch: HhBatch,
}

impl<'o> HouseholdParser<'o> {
    pub fn new(opts: &'o ReadOptions, tx: SyncSender<Packet<HhBatch>>) -> Self {
        HouseholdParser { opts, side: Side::new(tx), cols: None, complete: false, batch: HhBatch::with_capacity(BATCH) }
    }

    /// Sends what is left; returns the problems found and the number of rows read.
    pub fn finish(mut self) -> (Collector, u64) {
        let batch = std::mem::take(&mut self.batch);
        if !batch.rows.is_empty() {
            let _ = self.side.send(batch);
        }
        self.side.finish()
    }

    fn parse(&mut self, r: &RowView<'_>) -> Wire {
        let Some(cols) = self.cols.as_ref() else {
            return placeholder(r.row, "", (0, 0));
        };
        let id_text = cols.index[h::HOUSEHOLD_ID].map_or("", |i| r.get(i));
        let id = nfc(id_text);
        let id_range = self.batch.put(&id);
        let ctx = &self.side.ctx;
        let mut c = Check::new(r, cols, &HOUSEHOLD_COLUMNS, ctx, &mut self.side.problems, &id);
        c.ok = self.complete;
        if c.ragged() {
            return placeholder(r.row, &id, id_range);
        }
        let opts = self.opts;
        c.required(h::HOUSEHOLD_ID);

        let mut commune_code = (0, 0);
        if let Some(v) = c.required(h::COMMUNE_CODE) {
            let v = if c.is_numeric(h::COMMUNE_CODE) { pad_number_cell(v, 5) } else { v.into() };
            if !is_digits(&v, 5) {
                c.error(
                    h::COMMUNE_CODE,
                    ProblemKind::InvalidCommuneCode,
                    &v,
                    crate::problems::msg::invalid_commune_code(&v),
                );
            } else if !AdminUnits::get().is_commune(&v) {
                c.error(h::COMMUNE_CODE, ProblemKind::UnknownCommune, &v, crate::problems::msg::unknown_commune(&v));
            } else {
                commune_code = self.batch.put(&v);
            }
        }
        let village = self.batch.put(&nfc(c.raw(h::VILLAGE)));
        let area = c.code(h::AREA, Area::parse, Area::expected);
        let head_name = c.required(h::HEAD_NAME);
        let head_name = match head_name {
            Some(v) if opts.keep_personal => self.batch.put(&nfc(v)),
            _ => (0, 0),
        };
        let address = if opts.keep_personal { self.batch.put(&nfc(c.raw(h::ADDRESS))) } else { (0, 0) };

        let mut income = None;
        let mut score = None;
        let mut income_bad = false;
        if let Some(v) = c.optional(h::INCOME) {
            income = fields::parse_amount(v);
            if income.is_none() {
                income_bad = true;
                c.bad_number(h::INCOME, v, "một số nguyên đồng ≥ 0", "a whole number of đồng ≥ 0");
            }
        }
        if let Some(v) = c.optional(h::SCORE_A) {
            score = fields::parse_uint(v).and_then(|n| i32::try_from(n).ok());
            if score.is_none() {
                income_bad = true;
                c.bad_number(h::SCORE_A, v, "một số nguyên ≥ 0", "a whole number ≥ 0");
            }
        }
        if income.is_none() && score.is_none() && !income_bad && (c.cols.has(h::INCOME) || c.cols.has(h::SCORE_A)) {
            let spec = if c.cols.has(h::INCOME) { h::INCOME } else { h::SCORE_A };
            c.error(spec, ProblemKind::NoIncomeTest, "", crate::problems::msg::no_income_test());
        }

        let durable = c.integer(h::DURABLE, true, 0, 3).map(|n| n as u8);
        let mut floor_area = None;
        if let Some(v) = c.required(h::FLOOR_AREA) {
            floor_area = fields::parse_decimal(v);
            if floor_area.is_none() {
                c.bad_number(h::FLOOR_AREA, v, "một số thập phân ≥ 0 (ví dụ 42,5)", "a decimal number ≥ 0 (e.g. 42.5)");
            }
        }
        let water = c.code(h::WATER, WaterSource::parse, WaterSource::expected);
        let latrine = c.code(h::LATRINE, Latrine::parse, Latrine::expected);
        let internet = c.bool_required(h::INTERNET);
        let info = c.bool_required(h::INFO_DEVICES);
        let waste = if opts.require_waste_treatment {
            // A missing column is reported once, from the header.
            c.bool_required(h::WASTE)
        } else {
            c.bool_optional(h::WASTE)
        };
        let mut causes = Vec::new();
        if let Some(v) = c.optional(h::CAUSES) {
            for part in v.split(';').map(str::trim).filter(|p| !p.is_empty()) {
                match PovertyCause::parse(part) {
                    Some(pc) => causes.push(pc),
                    None => {
                        let s = &HOUSEHOLD_COLUMNS[h::CAUSES];
                        let m = crate::problems::msg::invalid_code(s.label_vi, s.key, part, &PovertyCause::expected());
                        c.error(h::CAUSES, ProblemKind::InvalidCode, part, m);
                    }
                }
            }
        }

        let valid = c.ok;
        Wire {
            row: r.row,
            key: IdKey::of(&id),
            valid,
            texts: [id_range, commune_code, village, head_name, address],
            causes,
            household: Household {
                area: area.unwrap_or(Area::Rural),
                income_per_capita: income,
                score_a: score,
                durable_structures: durable.unwrap_or(0),
                floor_area_m2: floor_area.unwrap_or(0.0),
                water_source: water.unwrap_or(WaterSource::Other),
                latrine: latrine.unwrap_or(Latrine::Other),
                internet_user: internet.unwrap_or(false),
                info_devices: info.unwrap_or(false),
                waste_treatment: waste,
                members: Vec::<Member>::new(),
            },
        }
    }
}

/// An unusable row that still takes part in the join.
fn placeholder(row: u64, id: &str, id_range: (usize, usize)) -> Wire {
    Wire {
        row,
        key: IdKey::of(id),
        valid: false,
        texts: [id_range, (0, 0), (0, 0), (0, 0), (0, 0)],
        causes: Vec::new(),
        household: blank_household(),
    }
}

impl RowHandler for HouseholdParser<'_> {
    fn start(&mut self, ctx: FileCtx, start: Start) -> ControlFlow<()> {
        let Some((row, cells)) = self.side.start_header(ctx, start) else {
            self.side.announce(false, Vec::new())?;
            return ControlFlow::Break(());
        };
        let (cols, issues) = Columns::resolve(&cells, &HOUSEHOLD_COLUMNS);
        for issue in issues {
            self.side.header_issue(row, &HOUSEHOLD_COLUMNS, &cols, issue);
        }
        let mut complete = true;
        let mut required: Vec<usize> = h::REQUIRED.to_vec();
        if self.opts.require_waste_treatment {
            required.push(h::WASTE);
        }
        for spec in required {
            if !cols.has(spec) {
                complete = false;
                self.side.missing_column(row, &HOUSEHOLD_COLUMNS[spec]);
            }
        }
        if !cols.has(h::INCOME) && !cols.has(h::SCORE_A) {
            complete = false;
            self.side.missing_income_columns(row);
        }
        let usable = cols.has(h::HOUSEHOLD_ID);
        self.complete = complete;
        let names = cols.names.clone();
        self.cols = Some(cols);
        self.side.announce(usable, names)
    }

    fn row(&mut self, r: &RowView<'_>) -> ControlFlow<()> {
        let row = self.parse(r);
        self.side.rows += 1;
        self.batch.rows.push(row);
        if self.batch.rows.len() >= BATCH {
            let batch = std::mem::replace(&mut self.batch, HhBatch::with_capacity(BATCH));
            return self.side.send(batch);
        }
        ControlFlow::Continue(())
    }
}

/// A household with nothing in it yet, to be filled by a parser.
pub(crate) fn blank_household() -> Household {
    Household {
        area: Area::Rural,
        income_per_capita: None,
        score_a: None,
        durable_structures: 0,
        floor_area_m2: 0.0,
        water_source: WaterSource::Other,
        latrine: Latrine::Other,
        internet_user: false,
        info_devices: false,
        waste_treatment: None,
        members: Vec::new(),
    }
}
