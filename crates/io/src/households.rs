//! Parses rows of the households file, sent in flat batches ([`HhBatch`]) to the joining
//! thread, which makes the records' strings (so that it allocates what the sink frees).

use crate::check::Check;
use crate::fields::{self, is_digits, pad_number_cell};
use crate::header::{Columns, HOUSEHOLD_COLUMNS, h};
use crate::key::{IdKey, KeyBuild};
use crate::pipeline::{Packet, Side};
use crate::problems::{Collector, FileCtx, ProblemKind};
use crate::read::ReadOptions;
use crate::record::HouseholdRecord;
use crate::rows::{RowHandler, RowView, Start};
use crate::split::split_exact;
use std::borrow::Cow;
use std::collections::HashSet;
use std::ops::ControlFlow;
use std::sync::mpsc::SyncSender;
use vuonlen_core::codes::{Area, Latrine, PovertyCause, WaterSource};
use vuonlen_core::text::nfc;
use vuonlen_core::units::AdminUnits;
use vuonlen_core::{Household, Member};

/// Households per batch sent to the joining thread.
const BATCH: usize = 256;

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
    /// The header has every column of the format, in its order, and nothing else.
    in_order: bool,
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
        if id.is_empty() {
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

        let id = nfc(id);
        let id_range = self.batch.put(&id);
        let commune_code = self.batch.put(commune);
        let village = v[h::VILLAGE];
        let village = if self.nfc_villages.contains(village) {
            self.batch.put(village)
        } else {
            let n = nfc(village);
            if matches!(n, Cow::Borrowed(_)) && self.nfc_villages.len() < VILLAGES {
                self.nfc_villages.insert(village.to_string());
            }
            self.batch.put(&n)
        };
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
        self.in_order = complete
            && cols.width == HOUSEHOLD_COLUMNS.len()
            && cols.index.iter().enumerate().all(|(i, c)| *c == Some(i));
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
        let mut v = [""; HOUSEHOLD_COLUMNS.len()];
        if !(self.in_order && split_exact(line, &mut v)) {
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
    fn resolved(p: &HouseholdParser<'_>, w: &Wire) -> (Vec<String>, IdKey, bool, Vec<PovertyCause>, Household) {
        let texts = w.texts.iter().map(|&(a, b)| p.batch.text[a..b].to_string()).collect();
        (texts, w.key, w.valid, w.causes.clone(), w.household.clone())
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
        for keep_personal in [false, true] {
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
}
