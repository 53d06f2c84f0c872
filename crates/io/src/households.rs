//! Parses rows of the households file, sent in flat batches ([`HhBatch`]) to the joining
//! thread, which makes the records' strings (so that it allocates what the sink frees).

use crate::bytes::{flag, key_parsers};
use crate::check::Check;
use crate::fields::{self, is_digits, pad_number_cell};
use crate::header::{Columns, HOUSEHOLD_COLUMNS, HOUSEHOLD_CORE_COLUMNS, h};
use crate::key::{IdKey, KeyBuild};
use crate::limits::plain_text;
use crate::pipeline::{Packet, Side};
use crate::problems::{Collector, FileCtx, ProblemKind};
use crate::read::ReadOptions;
use crate::record::HouseholdRecord;
use crate::recorded::recorded_value;
use crate::rows::{RowHandler, RowView, Start, trim};
use crate::split::{LineFields, split_exact};
use std::borrow::Cow;
use std::collections::HashSet;
use std::ops::ControlFlow;
use std::sync::mpsc::SyncSender;
use vuonlen_core::codes::{Area, Latrine, PovertyCause, WaterSource};
use vuonlen_core::schema::{Kind, Recorded};
use vuonlen_core::text::nfc;
use vuonlen_core::units::AdminUnits;
use vuonlen_core::{Household, Member};

/// Households per batch sent to the joining thread.
const BATCH: usize = 256;

/// What the join needs of a row of the households file besides its record.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HhRow {
    pub row: u64,
    pub key: IdKey,
    /// False when the row has an error (the record then holds placeholders).
    pub valid: bool,
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
    recorded: Recorded,
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

    /// Row `i` (taken: its poverty causes are moved out), its record filled into `r` in place
    /// (every field is overwritten, `household_id` possibly with an empty id; members are
    /// cleared).
    pub fn take_row_into(&mut self, i: usize, r: &mut HouseholdRecord) -> HhRow {
        let w = &mut self.rows[i];
        let text = &self.text;
        for (k, s) in [&mut r.household_code, &mut r.commune_code, &mut r.village, &mut r.head_name, &mut r.address]
            .into_iter()
            .enumerate()
        {
            s.clear();
            let (a, b) = w.texts[k];
            if a < b {
                s.push_str(text.get(a..b).unwrap_or(""));
            }
        }
        r.poverty_causes.clear();
        r.poverty_causes.append(&mut w.causes);
        r.recorded = std::mem::take(&mut w.recorded);
        let mut members = std::mem::take(&mut r.household.members);
        members.clear();
        r.household = Household { members, ..w.household };
        r.members.clear();
        HhRow { row: w.row, key: w.key, valid: w.valid }
    }
}

/// Parses the households file; see [`RowHandler`].
pub(crate) struct HouseholdParser<'o> {
    opts: &'o ReadOptions,
    side: Side<HhBatch>,
    cols: Option<Columns>,
    /// All required columns are present.
    complete: bool,
    /// The header has the format's core columns in their order, then either nothing else or
    /// every recorded column in its order ([`HOUSEHOLD_CORE_COLUMNS`]).
    in_order: bool,
    /// With `in_order`: the file has the recorded columns.
    with_recorded: bool,
    batch: HhBatch,
    /// The last commune code found in the lists.
    last_commune: String,
    /// Villages known to be in NFC already.
    nfc_villages: HashSet<String, KeyBuild>,
}

/// Villages remembered by [`HouseholdParser::nfc_villages`].
const VILLAGES: usize = 4096;

impl<'o> HouseholdParser<'o> {
    pub fn new(opts: &'o ReadOptions, tx: SyncSender<Packet<HhBatch>>) -> Self {
        HouseholdParser {
            opts,
            side: Side::new(tx),
            cols: None,
            complete: false,
            in_order: false,
            with_recorded: false,
            batch: HhBatch::with_capacity(BATCH),
            last_commune: String::new(),
            nfc_villages: HashSet::default(),
        }
    }

    /// The usual row, every value valid and written as our own writer writes it, from its
    /// values by column of the format (all present), parsed without the bookkeeping of
    /// [`Check`]. `None` for anything else: the row then goes through
    /// [`HouseholdParser::parse`], which gives the same result for a valid row and reports the
    /// problems of an invalid one.
    fn fast(&mut self, row: u64, v: &[&str; HOUSEHOLD_COLUMNS.len()]) -> Option<Wire> {
        let opts = self.opts;
        let flag = |v: &str| match v {
            "1" => Some(true),
            "0" => Some(false),
            _ => None,
        };
        let id = v[h::HOUSEHOLD_ID];
        if id.is_empty() || !bounded(v) {
            return None;
        }
        let commune = v[h::COMMUNE_CODE];
        if commune.is_empty() || commune != self.last_commune {
            if !is_digits(commune, 5) || !AdminUnits::get().is_commune(commune) {
                return None;
            }
            self.last_commune.clear();
            self.last_commune.push_str(commune);
        }
        let area = Area::parse(v[h::AREA])?;
        if v[h::HEAD_NAME].is_empty() {
            return None;
        }
        let income = match v[h::INCOME] {
            "" => None,
            t => Some(fields::parse_amount(t)?),
        };
        let score = match v[h::SCORE_A] {
            "" => None,
            t => Some(fields::parse_uint(t).and_then(|n| i32::try_from(n).ok())?),
        };
        if income.is_none() && score.is_none() {
            return None;
        }
        let durable = fields::parse_uint(v[h::DURABLE]).filter(|n| *n <= 3)? as u8;
        let floor_area = fields::parse_decimal(v[h::FLOOR_AREA])?;
        let water = WaterSource::parse(v[h::WATER])?;
        let latrine = Latrine::parse(v[h::LATRINE])?;
        let internet = flag(v[h::INTERNET])?;
        let info = flag(v[h::INFO_DEVICES])?;
        let waste = match v[h::WASTE] {
            "" if opts.require_waste_treatment => return None,
            "" => None,
            t => Some(flag(t)?),
        };
        let mut causes = Vec::new();
        if !v[h::CAUSES].is_empty() {
            for part in v[h::CAUSES].split(';').map(str::trim).filter(|p| !p.is_empty()) {
                causes.push(PovertyCause::parse(part)?);
            }
        }
        let mut recorded = Recorded::default();
        for (spec, value) in v.iter().enumerate().skip(HOUSEHOLD_CORE_COLUMNS) {
            if !value.is_empty() {
                let col = &HOUSEHOLD_COLUMNS[spec];
                if !plain_text(value.as_bytes(), col.limit.max_chars) {
                    return None;
                }
                recorded.set(col.field.recorded_index()?, Some(recorded_value(col.field, value).ok()?));
            }
        }

        let id = nfc(id);
        let id_range = self.batch.put(&id);
        let commune_code = self.batch.put(commune);
        let village = self.village(v[h::VILLAGE]);
        let (head_name, address) = if opts.keep_personal {
            (self.batch.put(&nfc(v[h::HEAD_NAME])), self.batch.put(&nfc(v[h::ADDRESS])))
        } else {
            ((0, 0), (0, 0))
        };
        Some(Wire {
            row,
            key: IdKey::of(&id),
            valid: true,
            texts: [id_range, commune_code, village, head_name, address],
            causes,
            recorded,
            household: Household {
                area,
                income_per_capita: income,
                score_a: score,
                durable_structures: durable,
                floor_area_m2: floor_area,
                water_source: water,
                latrine,
                internet_user: internet,
                info_devices: info,
                waste_treatment: waste,
                members: Vec::<Member>::new(),
            },
        })
    }

    /// The usual line of a file with the format's columns in their order, read field by field
    /// where it is, without splitting it first: the same result as [`HouseholdParser::fast`] on
    /// the split line, for a line whose household id is ASCII, whose codes are written as keys
    /// and numbers and flags without spaces around them (as our own writer writes them). `None`
    /// for any other line, which the split paths then take.
    fn in_place(&mut self, row: u64, line: &str) -> Option<Wire> {
        let opts = self.opts;
        let b = line.as_bytes();
        let mut f = LineFields::new(b)?;
        // Quotes around whole text fields, which must account for every quote of the line (so
        // that none of these fields has a quote inside, nor any other field a quote at all).
        let mut paired = 0;
        let mut text = |(a, e): (usize, usize)| -> Option<&str> {
            let (a, e) = match b.get(a..e)? {
                [b'"', .., b'"'] => {
                    paired += 2;
                    (a + 1, e - 1)
                }
                _ => (a, e),
            };
            // Commas and quotes are ASCII: the bounds are character boundaries.
            line.get(a..e).map(trim)
        };
        let id = text(f.bounds()?)?;
        // An ASCII id is in NFC as it is.
        if id.is_empty() || !id.is_ascii() {
            return None;
        }
        let commune = f.next()?;
        if commune != self.last_commune.as_bytes() {
            let commune = std::str::from_utf8(commune).ok()?;
            if !is_digits(commune, 5) || !AdminUnits::get().is_commune(commune) {
                return None;
            }
            self.last_commune.clear();
            self.last_commune.push_str(commune);
        }
        let village = text(f.bounds()?)?;
        let area = match f.next()? {
            b"rural" => Area::Rural,
            b"urban" => Area::Urban,
            _ => return None,
        };
        let head_name = text(f.bounds()?)?;
        if head_name.is_empty() {
            return None;
        }
        let address = text(f.bounds()?)?;
        let income = match f.next()? {
            b"" => None,
            t => Some(i64::try_from(whole(t)?).ok()?),
        };
        let score = match f.next()? {
            b"" => None,
            t => Some(i32::try_from(whole(t)?).ok()?),
        };
        if income.is_none() && score.is_none() {
            return None;
        }
        let durable = match f.next()? {
            &[d @ b'0'..=b'3'] => d - b'0',
            _ => return None,
        };
        let floor_area = decimal(f.next()?)?;
        let water = water_key(f.next()?)?;
        let latrine = latrine_key(f.next()?)?;
        let internet = flag(f.next()?)?;
        let info = flag(f.next()?)?;
        let waste = match f.next()? {
            b"" if opts.require_waste_treatment => return None,
            b"" => None,
            t => Some(flag(t)?),
        };
        let causes_text = text(f.bounds()?)?;
        let mut recorded = Recorded::default();
        if self.with_recorded {
            for col in &HOUSEHOLD_COLUMNS[HOUSEHOLD_CORE_COLUMNS..] {
                let t = text(f.bounds()?)?;
                if !t.is_empty() {
                    if !plain_text(t.as_bytes(), col.limit.max_chars) {
                        return None;
                    }
                    recorded.set(col.field.recorded_index()?, Some(recorded_value(col.field, t).ok()?));
                }
            }
        }
        if !f.done() || paired != f.quotes() {
            return None;
        }
        let max = |spec: usize| HOUSEHOLD_COLUMNS[spec].limit.max_chars;
        if !(plain_text(id.as_bytes(), max(h::HOUSEHOLD_ID))
            && plain_text(village.as_bytes(), max(h::VILLAGE))
            && plain_text(head_name.as_bytes(), max(h::HEAD_NAME))
            && plain_text(address.as_bytes(), max(h::ADDRESS))
            && plain_text(causes_text.as_bytes(), max(h::CAUSES)))
        {
            return None;
        }
        let mut causes = Vec::new();
        if !causes_text.is_empty() {
            for part in causes_text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
                causes.push(PovertyCause::parse(part)?);
            }
        }

        let id_range = self.batch.put(id);
        let commune_code = self.batch.put(&self.last_commune);
        let village = self.village(village);
        let (head_name, address) = if opts.keep_personal {
            (self.batch.put(&nfc(head_name)), self.batch.put(&nfc(address)))
        } else {
            ((0, 0), (0, 0))
        };
        Some(Wire {
            row,
            key: IdKey::of(id),
            valid: true,
            texts: [id_range, commune_code, village, head_name, address],
            causes,
            recorded,
            household: Household {
                area,
                income_per_capita: income,
                score_a: score,
                durable_structures: durable,
                floor_area_m2: floor_area,
                water_source: water,
                latrine,
                internet_user: internet,
                info_devices: info,
                waste_treatment: waste,
                members: Vec::<Member>::new(),
            },
        })
    }

    /// Puts a village name in NFC into the batch, remembering the names found in NFC already.
    #[inline]
    fn village(&mut self, village: &str) -> (usize, usize) {
        if village.is_ascii() || self.nfc_villages.contains(village) {
            return self.batch.put(village);
        }
        let n = nfc(village);
        if matches!(n, Cow::Borrowed(_)) && self.nfc_villages.len() < VILLAGES {
            self.nfc_villages.insert(village.to_string());
        }
        self.batch.put(&n)
    }

    /// The values of a row by column of the format, when the file has them all, the row is
    /// complete and none of its cells needs more care than [`HouseholdParser::fast`] takes.
    fn values<'r>(&self, r: &RowView<'r>) -> Option<[&'r str; HOUSEHOLD_COLUMNS.len()]> {
        let cols = self.cols.as_ref()?;
        if !self.complete || r.len() != cols.width || !r.bad_utf8.is_empty() {
            return None;
        }
        let mut v = [""; HOUSEHOLD_COLUMNS.len()];
        for (value, index) in v.iter_mut().zip(&cols.index) {
            // A column the file lacks (`waste_treatment`, `score_a`, …) is read as empty.
            if let Some(i) = *index {
                if r.is_numeric(i) {
                    return None;
                }
                *value = r.get(i);
            }
        }
        Some(v)
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

        let mut recorded = Recorded::default();
        for (spec, col) in HOUSEHOLD_COLUMNS.iter().enumerate().skip(HOUSEHOLD_CORE_COLUMNS) {
            let Some(v) = c.optional(spec) else { continue };
            let field = col.field;
            let v = if c.is_numeric(spec) && matches!(field.kind, Kind::CommuneCode) {
                pad_number_cell(v, 5)
            } else {
                v.into()
            };
            match (recorded_value(field, &v), field.recorded_index()) {
                (Ok(value), Some(i)) => recorded.set(i, Some(value)),
                (Ok(_), None) => {}
                (Err(problem), _) => c.recorded_problem(spec, &v, problem),
            }
        }

        let valid = c.ok;
        Wire {
            row: r.row,
            key: IdKey::of(&id),
            valid,
            texts: [id_range, commune_code, village, head_name, address],
            causes,
            recorded,
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
        recorded: Recorded::default(),
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
        let core_in_order = cols.index[..HOUSEHOLD_CORE_COLUMNS].iter().enumerate().all(|(i, c)| *c == Some(i));
        let recorded = &cols.index[HOUSEHOLD_CORE_COLUMNS..];
        self.in_order = complete
            && core_in_order
            && ((cols.width == HOUSEHOLD_CORE_COLUMNS && recorded.iter().all(Option::is_none))
                || (cols.width == HOUSEHOLD_COLUMNS.len()
                    && recorded.iter().enumerate().all(|(i, c)| *c == Some(HOUSEHOLD_CORE_COLUMNS + i))));
        self.with_recorded = cols.width == HOUSEHOLD_COLUMNS.len();
        let names = cols.names.clone();
        self.cols = Some(cols);
        self.side.announce(usable, names)
    }

    fn row(&mut self, r: &RowView<'_>) -> ControlFlow<()> {
        let fast = self.values(r).and_then(|v| self.fast(r.row, &v));
        let row = match fast {
            Some(w) => w,
            None => self.parse(r),
        };
        self.add(row)
    }

    fn line(&mut self, row: u64, line: &str) -> Option<ControlFlow<()>> {
        if !self.in_order {
            return None;
        }
        if let Some(w) = self.in_place(row, line) {
            return Some(self.add(w));
        }
        let mut v = [""; HOUSEHOLD_COLUMNS.len()];
        if !self.with_recorded {
            let mut core = [""; HOUSEHOLD_CORE_COLUMNS];
            if !split_exact(line, &mut core) {
                return None;
            }
            v[..HOUSEHOLD_CORE_COLUMNS].copy_from_slice(&core);
        } else if !split_exact(line, &mut v) {
            return None;
        }
        let w = self.fast(row, &v)?;
        Some(self.add(w))
    }
}

impl HouseholdParser<'_> {
    /// Adds a parsed row to the batch, sending the batch when it is full.
    fn add(&mut self, row: Wire) -> ControlFlow<()> {
        self.side.rows += 1;
        self.batch.rows.push(row);
        if self.batch.rows.len() >= BATCH {
            let batch = std::mem::replace(&mut self.batch, HhBatch::with_capacity(BATCH));
            return self.side.send(batch);
        }
        ControlFlow::Continue(())
    }
}

key_parsers! {
    water_key -> WaterSource {
        b"piped" => Piped, b"drilled_well" => DrilledWell, b"protected_dug_well" => ProtectedDugWell,
        b"protected_spring" => ProtectedSpring, b"rainwater" => Rainwater, b"bottled" => Bottled,
        b"unprotected_dug_well" => UnprotectedDugWell, b"unprotected_spring" => UnprotectedSpring,
        b"surface" => Surface, b"other" => Other,
    }
    latrine_key -> Latrine {
        b"septic" => Septic, b"semi_septic" => SemiSeptic, b"pour_flush" => PourFlush,
        b"double_vault" => DoubleVault, b"ventilated_pit" => VentilatedPit, b"biogas" => Biogas,
        b"simple_pit" => SimplePit, b"hanging" => Hanging, b"none" => None, b"other" => Other,
    }
}

/// Whether the text fields of a row's values are within their bounds as the fast paths take
/// them (see [`plain_text`]); the codes, numbers and flags are read exactly, so bounded.
#[inline]
fn bounded(v: &[&str; HOUSEHOLD_COLUMNS.len()]) -> bool {
    [h::HOUSEHOLD_ID, h::VILLAGE, h::HEAD_NAME, h::ADDRESS, h::CAUSES]
        .into_iter()
        .all(|spec| plain_text(v[spec].as_bytes(), HOUSEHOLD_COLUMNS[spec].limit.max_chars))
}

/// A whole number of at most 18 digits (and nothing else), as [`fields::parse_uint`] reads it;
/// `None` for any other text.
#[inline]
fn whole(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > 18 {
        return None;
    }
    let mut v = 0u64;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u64::from(c - b'0');
    }
    Some(v)
}

/// Powers of ten exactly representable as `f64`.
const POW10: [f64; 16] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/// [`fields::parse_decimal`] of digits with at most one decimal point: up to 15 digits, the
/// value is the digits as a whole number divided by a power of ten, both exact in `f64`, so that
/// the one division rounds the exact quotient as parsing the text does. `None` for any other
/// text.
#[inline]
fn decimal(b: &[u8]) -> Option<f64> {
    if b.is_empty() || b.len() > 16 {
        return None;
    }
    let mut v = 0u64;
    let mut digits = 0;
    let mut point = None;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'0'..=b'9' => {
                v = v * 10 + u64::from(c - b'0');
                digits += 1;
            }
            b'.' if point.is_none() => point = Some(i),
            _ => return None,
        }
    }
    if digits == 0 || digits > 15 {
        return None;
    }
    let scale = point.map_or(0, |p| b.len() - 1 - p);
    Some(v as f64 / *POW10.get(scale)?)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::split::split_line;
    use std::sync::mpsc::sync_channel;

    /// The texts, key, validity and household of a parsed row.
    fn resolved(
        p: &HouseholdParser<'_>,
        w: &Wire,
    ) -> (Vec<String>, IdKey, bool, Vec<PovertyCause>, Recorded, Household) {
        let texts = w.texts.iter().map(|&(a, b)| p.batch.text[a..b].to_string()).collect();
        (texts, w.key, w.valid, w.causes.clone(), w.recorded.clone(), w.household.clone())
    }

    #[test]
    fn the_fast_path_reads_a_usual_row_as_the_general_path_does() {
        let header = "household_id,commune_code,village,area,head_name,address,income_per_capita,score_a,\
                      durable_structures,floor_area_m2,water_source,latrine,internet_user,info_devices,\
                      waste_treatment,poverty_causes";
        let rows = [
            "H1,00004,Tổ dân phố 4,urban,Trần Hưng,\"Số 1, Tổ 4\",5000000,,3,62,piped,septic,1,1,1,",
            "H2,00004,Thôn 1,rural,An,,1200000,,1,12.5,unprotected_dug_well,other,0,0,,no_land; illness",
            "H3,00004,,rural,Bình,Số 2,,35,0,40.25,rainwater,biogas,1,0,0,other",
            "H4,00004,Thôn 2,rural,Cúc,,0,12,2,0,bottled,septic,0,1,,",
        ];
        let recorded: Vec<&str> = HOUSEHOLD_COLUMNS[HOUSEHOLD_CORE_COLUMNS..].iter().map(|c| c.key).collect();
        let full = format!("{header},{}", recorded.join(","));
        let with_recorded: Vec<String> = rows.iter().map(|r| format!("{r},1,0,00001,có,,,,,1")).collect();
        let plain: Vec<String> = rows.iter().map(|r| r.to_string()).collect();
        for (keep_personal, header, rows) in
            [(false, header, &plain), (true, header, &plain), (true, full.as_str(), &with_recorded)]
        {
            let opts = ReadOptions { keep_personal, ..ReadOptions::new(chrono::NaiveDate::MIN) };
            let (tx, _rx) = sync_channel(4);
            let mut p = HouseholdParser::new(&opts, tx);
            let cells = header.split(',').map(str::to_string).collect();
            assert!(p.start(FileCtx::default(), Start::Header { row: 1, cells }).is_continue());
            assert!(p.in_order);
            let mut cuts = Vec::new();
            for (i, line) in rows.iter().enumerate() {
                assert!(split_line(line.as_bytes(), &mut cuts));
                let view = RowView::new(i as u64 + 2, line, &cuts, &[], &[]);
                let v = p.values(&view).expect("values");
                let fast = p.fast(view.row, &v).expect("a usual row");
                let general = p.parse(&view);
                assert_eq!(resolved(&p, &fast), resolved(&p, &general), "{line}");
                assert!(general.valid && p.side.problems.errors.is_empty(), "{line}");
            }
        }
    }

    /// Usual lines, and each with one field written otherwise: valid in another spelling, with
    /// spaces, quoted, empty, invalid.
    fn variants() -> Vec<String> {
        let base: [&str; 16] = [
            "00004-000001",
            "00004",
            "Tổ dân phố 4",
            "urban",
            "Trần Hoàng Hưng",
            "\"Số 214, Tổ dân phố 4, Phường Ba Đình\"",
            "5000000",
            "",
            "3",
            "62",
            "piped",
            "septic",
            "1",
            "1",
            "1",
            "",
        ];
        let other: [&[&str]; 16] = [
            &["H1", " H1", "H1 ", "", "\"H1\"", "Hộ 1", "\"H,1\"", "a\"b"],
            &["00001", "4", " 00004", "00004 ", "99999", "0000a", "", "\"00004\""],
            &["", "Thôn 1", " Thôn 1", "Thôn 1 ", "Ấp 3", "\u{a0}Bản", "Tho\u{302}n", "\"x, y\"", "\"a\"\"b\""],
            &["rural", "Rural", " urban", "nông thôn", "", "city"],
            &["", " ", "An", "\"An\""],
            &["", "Số 2", "\"\"", "x\"y"],
            &[
                "",
                "0",
                "1.500.000",
                "1,500,000",
                "015",
                " 5",
                "5 ",
                "-5",
                "1e6",
                "999999999999999999",
                "9999999999999999999",
                "99999999999999999999",
                "12.5",
            ],
            &["", "0", "35", "2147483647", "2147483648", " 35", "3.5", "0035"],
            &["0", "1", "2", "4", "03", " 3", "", "x"],
            &[
                "0",
                "12.5",
                "12,5",
                "\"12,5\"",
                ".5",
                "5.",
                ".",
                "",
                "1.2.3",
                "0.1",
                "123456789012345",
                "1234567890123456",
                "1.234567890123456",
                "12345678901234567",
                "56.55",
                "1e3",
                " 62",
                "00062.500",
            ],
            &["rainwater", "Nước máy", " piped", "", "tap"],
            &["none", "tự hoại", "septic ", "", "pit"],
            &["0", "", "có", "2"],
            &["0", "", "true", " 1"],
            &["0", "", "x", " 1"],
            &["other", "no_land; illness", ";", "no_land;;illness", "bad", " other", "\"no_land;illness\""],
        ];
        let mut out = vec![base.join(",")];
        for (i, alts) in other.iter().enumerate() {
            for alt in *alts {
                let mut f = base;
                f[i] = alt;
                out.push(f.join(","));
                // Without income, so that the score is the test.
                f[6] = "";
                f[7] = "12";
                if i != 6 && i != 7 {
                    out.push(f.join(","));
                }
            }
        }
        out.push(base[..15].join(","));
        out.push(format!("{},", base.join(",")));
        out.push(format!("{},\"", base.join(",")));
        out.push(format!("{}{}", base.join(","), "x".repeat(600)));
        out
    }

    #[test]
    fn lines_read_in_place_give_what_the_split_path_gives() {
        let core = "household_id,commune_code,village,area,head_name,address,income_per_capita,score_a,\
                    durable_structures,floor_area_m2,water_source,latrine,internet_user,info_devices,\
                    waste_treatment,poverty_causes";
        let recorded: Vec<&str> = HOUSEHOLD_COLUMNS[HOUSEHOLD_CORE_COLUMNS..].iter().map(|c| c.key).collect();
        let full = format!("{core},{}", recorded.join(","));
        // The same lines, then with recorded values: blank, valid, and one the fast paths refuse.
        let tails = ["", ",,,,,,,,,", ",1,0,00001,1,,,,,1", ",có,,,,,,,,", ",1,,99999,,,,,,"];
        for (header, tails) in [(core, &tails[..1]), (full.as_str(), &tails[1..])] {
            for tail in tails {
                let lines: Vec<String> = variants().into_iter().map(|l| format!("{l}{tail}")).collect();
                let taken = in_place_matches_split(header, &lines);
                assert!(
                    taken > lines.len() / 3 || tail.contains('9') || tail.contains('c'),
                    "{taken} of {}",
                    lines.len()
                );
            }
        }
    }

    /// Reads every line in place and split (the width of `header`); asserts that both give the
    /// same wherever the in-place reader takes a line; returns how many it took.
    fn in_place_matches_split(header: &str, lines: &[String]) -> usize {
        let mut taken = 0;
        for (keep_personal, require_waste_treatment) in [(false, false), (true, false), (false, true)] {
            let opts =
                ReadOptions { keep_personal, require_waste_treatment, ..ReadOptions::new(chrono::NaiveDate::MIN) };
            let (tx, _rx) = sync_channel(4);
            let mut p = HouseholdParser::new(&opts, tx);
            let cells: Vec<String> = header.split(',').map(str::to_string).collect();
            let width = cells.len();
            assert!(p.start(FileCtx::default(), Start::Header { row: 1, cells }).is_continue());
            assert!(p.in_order);
            for (i, line) in lines.iter().enumerate() {
                let row = i as u64 + 2;
                let mut v = [""; HOUSEHOLD_COLUMNS.len()];
                let split = split_exact(line, &mut v[..width]).then(|| p.fast(row, &v)).flatten();
                let split = split.map(|w| resolved(&p, &w));
                let in_place = p.in_place(row, line).map(|w| resolved(&p, &w));
                if in_place.is_some() {
                    taken += 1;
                    assert_eq!(in_place, split, "{line}");
                }
            }
        }
        taken / 3
    }

    #[test]
    fn numbers_read_in_place_are_read_as_the_fields_module_reads_them() {
        let texts = [
            "",
            "0",
            "00",
            "7",
            "62",
            "12.5",
            "12,5",
            ".5",
            "5.",
            ".",
            "1.2",
            "1..2",
            "0.1",
            "0.3",
            "2.675",
            "123456789012345",
            "1234567890123456",
            "12345678901234.5",
            "1.23456789012345",
            "9007199254740993",
            "0.000000000000001",
            "999999999999999",
            "99999999999999.9",
            "1e3",
            "-1",
            "+1",
            " 1",
            "1 ",
            "x",
            "18446744073709551615",
            "18446744073709551616",
            "999999999999999999",
            "1000000000000000000",
        ];
        let bits = |v: Option<f64>| v.map(f64::to_bits);
        for t in texts {
            if let Some(v) = decimal(t.as_bytes()) {
                assert_eq!(Some(v.to_bits()), bits(fields::parse_decimal(t)), "{t}");
            }
            if let Some(n) = whole(t.as_bytes()) {
                assert_eq!(Some(n), fields::parse_uint(t), "{t}");
            }
        }
        assert!(decimal(b"123456789012.345").is_some() && decimal(b"0.1").is_some() && whole(b"1").is_some());
        // Every decimal of up to three places below 1000.
        for n in 0..1_000_000u32 {
            let t = format!("{}.{:03}", n / 1000, n % 1000);
            assert_eq!(bits(decimal(t.as_bytes())), bits(fields::parse_decimal(&t)), "{t}");
        }
    }

    #[test]
    fn keys_read_in_place_are_the_keys_of_the_codes() {
        for &v in WaterSource::ALL {
            assert_eq!(water_key(v.key().as_bytes()), Some(v));
        }
        for &v in Latrine::ALL {
            assert_eq!(latrine_key(v.key().as_bytes()), Some(v));
        }
        assert_eq!(water_key(b"Piped"), None);
    }
}
