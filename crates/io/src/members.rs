//! Parses rows of the members file, grouping consecutive rows of the same household, and sends
//! them in flat batches ([`MemBatch`]) to the joining thread.
//!
//! A batch holds all its rows in a few vectors, so this thread allocates per batch, not per row:
//! the per-household vectors of the records are made on the joining thread, which also frees
//! them (allocating on one thread and freeing on another is slow with the system allocator).

use crate::bytes::{flag, key_parsers};
use crate::check::Check;
use crate::fields::{self, is_digits, pad_number_cell};
use crate::header::{Columns, MEMBER_COLUMNS, m};
use crate::key::IdKey;
use crate::limits::plain_text;
use crate::pipeline::{Packet, Side};
use crate::problems::{Collector, FileCtx, Problem, ProblemKind, Severity, msg};
use crate::read::ReadOptions;
use crate::record::MemberPersonal;
use crate::rows::{RowHandler, RowView, Start, trim};
use crate::split::{comma_mask, split_exact};
use chrono::Datelike;
use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::mpsc::SyncSender;
use vuonlen_core::codes::{Disability, Education, Employment, Relation, Sex};
use vuonlen_core::ethnicity::Ethnicity;
use vuonlen_core::text::nfc;
use vuonlen_core::{BirthDate, Member};

/// Households (groups) per batch sent to the joining thread.
const BATCH: usize = 256;
/// Distinct ethnicity spellings remembered per file.
const ETHNICITY_CACHE: usize = 4096;
/// Oldest plausible age at the reference date.
const MAX_AGE: i32 = 120;

/// What the join checks about one row of the members file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct MemRow {
    pub row: u64,
    /// False when the row has an error (its member then holds placeholders).
    pub valid: bool,
    pub member_no: Option<u16>,
    pub relation: Option<Relation>,
}

/// Member rows of one household in file order: `rows[i]` describes `members[i]` and
/// `personal[i]`, kept apart so that the record takes the vectors as they are.
#[derive(Default)]
pub(crate) struct MemberRows {
    pub rows: Vec<MemRow>,
    pub members: Vec<Member>,
    pub personal: Vec<MemberPersonal>,
}

impl MemberRows {
    /// Adds rows found later in the file.
    pub fn append(&mut self, mut other: MemberRows) {
        if self.rows.is_empty() {
            *self = other;
            return;
        }
        self.rows.append(&mut other.rows);
        self.members.append(&mut other.members);
        self.personal.append(&mut other.personal);
    }

    /// Row of the first member, for ordering.
    pub fn first_row(&self) -> u64 {
        self.rows.first().map_or(0, |r| r.row)
    }
}

/// A parsed row: what the join checks, the member, and its personal fields when it has any.
type Parsed = (MemRow, Member, Option<MemberPersonal>);

/// Consecutive member rows of one household, owned.
pub(crate) struct MemGroup {
    pub id: String,
    pub rows: MemberRows,
}

/// Where one group is in its batch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct GroupRef {
    /// Byte range of the household id in [`MemBatch::ids`].
    id: (usize, usize),
    key: IdKey,
    /// Range of the group's rows.
    start: usize,
    end: usize,
    /// Range of the group's entries in [`MemBatch::personal`].
    personal: (usize, usize),
}

/// Groups of member rows, flat: group `g` has `rows[g.start..g.end]` (and the same range of
/// `members`); personal fields are kept only for the rows that have some (most have none
/// unless they are kept), by row.
#[derive(Default)]
pub(crate) struct MemBatch {
    ids: String,
    groups: Vec<GroupRef>,
    rows: Vec<MemRow>,
    members: Vec<Member>,
    personal: Vec<(usize, MemberPersonal)>,
}

impl MemBatch {
    fn with_capacity(groups: usize) -> Self {
        let rows = groups * 4;
        MemBatch {
            ids: String::with_capacity(groups * 16),
            groups: Vec::with_capacity(groups),
            rows: Vec::with_capacity(rows),
            members: Vec::with_capacity(rows),
            personal: Vec::new(),
        }
    }

    /// Number of groups.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// Group `i`.
    pub fn group(&mut self, i: usize) -> GroupView<'_> {
        let g = self.groups[i];
        GroupView {
            id: self.ids.get(g.id.0..g.id.1).unwrap_or(""),
            key: g.key,
            rows: &self.rows[g.start..g.end],
            members: &self.members[g.start..g.end],
            start: g.start,
            personal: &mut self.personal[g.personal.0..g.personal.1],
        }
    }
}

/// One group of a batch, borrowed.
pub(crate) struct GroupView<'a> {
    pub id: &'a str,
    pub key: IdKey,
    pub rows: &'a [MemRow],
    members: &'a [Member],
    /// Row of the batch where the group starts.
    start: usize,
    /// The group's personal fields that are not empty, by row of the batch.
    personal: &'a mut [(usize, MemberPersonal)],
}

impl GroupView<'_> {
    /// Appends the rows to `rows`, `members` and `personal` (the personal fields are taken).
    pub fn append_to(&mut self, rows: &mut Vec<MemRow>, members: &mut Vec<Member>, personal: &mut Vec<MemberPersonal>) {
        rows.extend_from_slice(self.rows);
        members.extend_from_slice(self.members);
        self.personal_to(personal);
    }

    /// Appends one entry per row to `personal`, taking the fields.
    fn personal_to(&mut self, personal: &mut Vec<MemberPersonal>) {
        let base = personal.len();
        personal.resize_with(base + self.rows.len(), MemberPersonal::default);
        for (row, p) in self.personal.iter_mut() {
            personal[base + *row - self.start] = std::mem::take(p);
        }
    }

    /// The rows, copied out (on the calling thread).
    pub fn take(&mut self) -> MemberRows {
        let mut personal = Vec::with_capacity(self.rows.len());
        self.personal_to(&mut personal);
        MemberRows { rows: self.rows.to_vec(), members: self.members.to_vec(), personal }
    }

    /// The whole group, owned.
    pub fn take_group(&mut self) -> MemGroup {
        MemGroup { id: self.id.to_string(), rows: self.take() }
    }
}

/// Parses the members file; see [`RowHandler`].
pub(crate) struct MemberParser<'o> {
    opts: &'o ReadOptions,
    side: Side<MemBatch>,
    cols: Option<Columns>,
    complete: bool,
    header_row: u64,
    /// Age-dependent columns already reported missing.
    missing_reported: [bool; 2],
    ethnicities: HashMap<String, Option<Ethnicity>>,
    /// The previous row's ethnicity as written, and what it is (members of a household
    /// usually share it).
    last_ethnicity: (String, Option<Ethnicity>),
    /// The group being read (its rows are the last of `batch`).
    current: Option<GroupRef>,
    /// The id of `current` is visible ASCII without a comma or quote, so that a line starting
    /// with it and a comma is of the same household.
    current_plain: bool,
    batch: MemBatch,
    /// Field of each spec column in a row ([`ABSENT`] when the file lacks it), for the fast
    /// path.
    fields: [usize; MEMBER_COLUMNS.len()],
    /// Number of header cells.
    width: usize,
    /// The header has every column of the format, in its order, and nothing else.
    in_order: bool,
    /// Year, month and day of the reference date.
    as_of: (i32, u32, u32),
    /// Lines may be read in place ([`MemberParser::in_place`]); off in tests that compare.
    read_in_place: bool,
}

/// [`MemberParser::fields`] of a column the file lacks.
const ABSENT: usize = usize::MAX;

impl<'o> MemberParser<'o> {
    pub fn new(opts: &'o ReadOptions, tx: SyncSender<Packet<MemBatch>>) -> Self {
        MemberParser {
            opts,
            side: Side::new(tx),
            cols: None,
            complete: false,
            header_row: 1,
            missing_reported: [false; 2],
            ethnicities: HashMap::new(),
            last_ethnicity: (String::new(), None),
            current: None,
            current_plain: false,
            batch: MemBatch::with_capacity(BATCH),
            fields: [ABSENT; MEMBER_COLUMNS.len()],
            width: 0,
            in_order: false,
            as_of: (opts.as_of.year(), opts.as_of.month(), opts.as_of.day()),
            read_in_place: true,
        }
    }

    /// Sends what is left; returns the problems found and the number of rows read.
    pub fn finish(mut self) -> (Collector, u64) {
        if let Some(g) = self.current.take() {
            self.batch.groups.push(g);
        }
        let batch = std::mem::take(&mut self.batch);
        if batch.len() > 0 {
            let _ = self.side.send(batch);
        }
        self.side.finish()
    }

    /// The ethnicity written `v`, through the caches; `None` for an unknown name.
    fn ethnicity(&mut self, v: &str) -> Option<Ethnicity> {
        lookup_ethnicity(&mut self.ethnicities, &mut self.last_ethnicity, v)
    }

    /// The values of a row by spec column (empty for a column the file lacks), when the
    /// fast path may take it.
    fn values<'r>(&self, r: &RowView<'r>) -> Option<[&'r str; MEMBER_COLUMNS.len()]> {
        if !self.complete || r.len() != self.width || !r.bad_utf8.is_empty() {
            return None;
        }
        let id = self.fields[m::ID_NUMBER];
        if id != ABSENT && r.is_numeric(id) && !r.get(id).is_empty() {
            return None;
        }
        let f = &self.fields;
        Some(std::array::from_fn(|spec| if f[spec] == ABSENT { "" } else { r.get(f[spec]) }))
    }

    /// The values of a line into `v`, when the file has every column in the order of the format
    /// (as our writer writes it) and the line is usual; false otherwise.
    fn line_values<'l>(&self, line: &'l str, v: &mut [&'l str; MEMBER_COLUMNS.len()]) -> bool {
        self.in_order && split_exact(line, v)
    }

    /// The usual row, every value valid and written as our own writer writes it, parsed
    /// without the bookkeeping of [`Check`] from its values by spec column. `None` for
    /// anything else (the row then goes through [`MemberParser::parse`], which gives the same
    /// result for a valid row and reports the problems of an invalid one).
    fn fast(&mut self, row: u64, v: &[&str; MEMBER_COLUMNS.len()]) -> Option<Parsed> {
        let flag = |v: &str| match v {
            "1" => Some(true),
            "0" => Some(false),
            _ => None,
        };
        // `None`: not the usual form; `Some(None)`: empty.
        let opt_flag = |v: &str| match v {
            "" => Some(None),
            "1" => Some(Some(true)),
            "0" => Some(Some(false)),
            _ => None,
        };
        if v[m::HOUSEHOLD_ID].is_empty()
            || ![m::HOUSEHOLD_ID, m::FULL_NAME, m::ETHNICITY]
                .into_iter()
                .all(|spec| plain_text(v[spec].as_bytes(), MEMBER_COLUMNS[spec].limit.max_chars))
        {
            return None;
        }
        let member_no = fields::parse_uint(v[m::MEMBER_NO]).filter(|n| (1..=u64::from(u16::MAX)).contains(n))? as u16;
        let full_name = v[m::FULL_NAME];
        if full_name.is_empty() {
            return None;
        }
        let relation = Relation::parse(v[m::RELATION])?;
        let sex = Sex::parse(v[m::SEX])?;
        // `BirthDate::as_date` and `BirthDate::age_years`, from the parts of the dates.
        let (birth, (by, bm, bd)) = fields::parse_birth_ymd(v[m::BIRTH])?;
        let (ay, am, ad) = self.as_of;
        if (by, bm, bd) > (ay, am, ad) {
            return None;
        }
        let age = ay - by - i32::from((am, ad) < (bm, bd));
        if age > MAX_AGE {
            return None;
        }
        let eth_text = v[m::ETHNICITY];
        if eth_text.is_empty() {
            return None;
        }
        let ethnicity = self.ethnicity(eth_text)?;
        let id_text = v[m::ID_NUMBER];
        let mut id_number = None;
        if !id_text.is_empty() {
            if !is_digits(id_text, 12) {
                return None;
            }
            id_number = Some(id_text);
        }
        let health_insurance = flag(v[m::HEALTH_INSURANCE])?;
        let employment = Employment::parse(v[m::EMPLOYMENT])?;
        let able_to_work = opt_flag(v[m::ABLE_TO_WORK])?.unwrap_or(true);
        let education = Education::parse(v[m::EDUCATION])?;
        let in_school = flag(v[m::IN_SCHOOL])?;
        let f = &self.fields;
        let age_dependent = |spec: usize, lo: i32, hi: i32| {
            let needed = (lo..=hi).contains(&age);
            if f[spec] == ABSENT {
                return if needed { None } else { Some(None) };
            }
            if needed && v[spec].is_empty() {
                return None;
            }
            opt_flag(v[spec])
        };
        let school_on_track = age_dependent(m::SCHOOL_ON_TRACK, 3, 15)?;
        let malnourished = age_dependent(m::MALNOURISHED, 0, 15)?;
        let disability = match v[m::DISABILITY] {
            "" => Disability::None,
            v => Disability::parse(v)?,
        };
        let social_allowance = opt_flag(v[m::SOCIAL_ALLOWANCE])?.unwrap_or(false);
        let merit = opt_flag(v[m::MERIT])?.unwrap_or(false);

        let personal = self.opts.keep_personal.then(|| MemberPersonal {
            full_name: nfc(full_name).into_owned(),
            ethnicity_name: nfc(eth_text).into_owned(),
            id_number: id_number.map(str::to_string),
        });
        let meta = MemRow { row, valid: true, member_no: Some(member_no), relation: Some(relation) };
        let member = Member {
            member_no,
            relation,
            sex,
            birth,
            ethnicity,
            health_insurance,
            employment,
            able_to_work,
            education,
            in_school,
            school_on_track,
            malnourished,
            disability,
            social_allowance,
            merit,
        };
        Some((meta, member, personal))
    }

    fn parse(&mut self, r: &RowView<'_>, cols: &Columns, id: &str) -> Parsed {
        let opts = self.opts;
        let ctx = &self.side.ctx;
        let mut c = Check::new(r, cols, &MEMBER_COLUMNS, ctx, &mut self.side.problems, id);
        c.ok = self.complete;
        let mut out = MemRow { row: r.row, valid: false, member_no: None, relation: None };
        let mut personal = MemberPersonal::default();
        if c.ragged() {
            return (out, placeholder(), None);
        }
        c.required(m::HOUSEHOLD_ID);
        out.member_no = c.integer(m::MEMBER_NO, true, 1, u64::from(u16::MAX)).map(|n| n as u16);
        if let Some(v) = c.required(m::FULL_NAME)
            && opts.keep_personal
        {
            personal.full_name = nfc(v).into_owned();
        }
        out.relation = c.code(m::RELATION, Relation::parse, Relation::expected);
        let sex = c.code(m::SEX, Sex::parse, Sex::expected);

        let mut age = None;
        let mut birth = None;
        if let Some(v) = c.required(m::BIRTH) {
            match fields::parse_birth(v) {
                None => {
                    let s = &MEMBER_COLUMNS[m::BIRTH];
                    c.error(m::BIRTH, ProblemKind::InvalidDate, v, msg::invalid_date(s.label_vi, s.key, v));
                }
                Some(b) if b.as_date() > opts.as_of => {
                    let text = msg::birth_after_reference(v, &opts.as_of.format("%Y-%m-%d").to_string());
                    c.error(m::BIRTH, ProblemKind::BirthAfterReference, v, text);
                }
                Some(b) => {
                    let a = b.age_years(opts.as_of);
                    if a > MAX_AGE {
                        c.error(m::BIRTH, ProblemKind::ImplausibleAge, v, msg::implausible_age(v, a));
                    } else {
                        age = Some(a);
                        birth = Some(b);
                    }
                }
            }
        }

        let ethnicity = match c.required(m::ETHNICITY) {
            Some(v) => {
                let e = lookup_ethnicity(&mut self.ethnicities, &mut self.last_ethnicity, v);
                match e {
                    Some(e) => {
                        if opts.keep_personal {
                            personal.ethnicity_name = nfc(v).into_owned();
                        }
                        Some(e)
                    }
                    None => {
                        c.problem(
                            Severity::Warning,
                            m::ETHNICITY,
                            ProblemKind::UnknownEthnicity,
                            v,
                            msg::unknown_ethnicity(v),
                        );
                        personal.ethnicity_name = nfc(v).into_owned();
                        Some(Ethnicity::UNLISTED)
                    }
                }
            }
            None => None,
        };

        if let Some(v) = c.optional(m::ID_NUMBER) {
            let v = if c.is_numeric(m::ID_NUMBER) { pad_number_cell(v, 12) } else { v.into() };
            if !is_digits(&v, 12) {
                c.error(m::ID_NUMBER, ProblemKind::InvalidIdNumber, &v, msg::invalid_id_number(&v));
            } else if opts.keep_personal {
                personal.id_number = Some(v.into_owned());
            }
        }
        let health_insurance = c.bool_required(m::HEALTH_INSURANCE);
        let employment = c.code(m::EMPLOYMENT, Employment::parse, Employment::expected);
        let able_to_work = c.bool_or(m::ABLE_TO_WORK, true);
        let education = c.code(m::EDUCATION, Education::parse, Education::expected);
        let in_school = c.bool_required(m::IN_SCHOOL);
        let header_row = self.header_row;
        let school_on_track =
            age_dependent(&mut c, m::SCHOOL_ON_TRACK, age, (3, 15, "3–15"), header_row, &mut self.missing_reported[0]);
        let malnourished =
            age_dependent(&mut c, m::MALNOURISHED, age, (0, 15, "0–15"), header_row, &mut self.missing_reported[1]);
        let disability = c.code_or(m::DISABILITY, Disability::parse, Disability::expected, Disability::None);
        let social_allowance = c.bool_or(m::SOCIAL_ALLOWANCE, false);
        let merit = c.bool_or(m::MERIT, false);

        out.valid = c.ok;
        let member = Member {
            member_no: out.member_no.unwrap_or(0),
            relation: out.relation.unwrap_or(Relation::Other),
            sex: sex.unwrap_or(Sex::Male),
            birth: birth.unwrap_or(BirthDate::Year(1900)),
            ethnicity: ethnicity.unwrap_or(Ethnicity::UNLISTED),
            health_insurance: health_insurance.unwrap_or(false),
            employment: employment.unwrap_or(Employment::NotInLabourForce),
            able_to_work,
            education: education.unwrap_or(Education::None),
            in_school: in_school.unwrap_or(false),
            school_on_track,
            malnourished,
            disability,
            social_allowance,
            merit,
        };
        let some =
            !personal.full_name.is_empty() || personal.id_number.is_some() || !personal.ethnicity_name.is_empty();
        (out, member, some.then_some(personal))
    }
}

/// A boolean asked only for ages `lo..=hi`: required then, optional otherwise. A missing
/// column is reported once, and only when some member needs it.
fn age_dependent(
    c: &mut Check<'_, '_>,
    spec: usize,
    age: Option<i32>,
    (lo, hi, ages): (i32, i32, &str),
    header_row: u64,
    reported: &mut bool,
) -> Option<bool> {
    let needed = age.is_some_and(|a| (lo..=hi).contains(&a));
    let s = &MEMBER_COLUMNS[spec];
    if !c.cols.has(spec) {
        if needed {
            c.ok = false;
            if !*reported {
                *reported = true;
                let msg = msg::missing_age_column(s.label_vi, s.key, ages);
                let ctx = c.ctx;
                c.problems.push(Severity::Error, || Problem {
                    kind: ProblemKind::MissingColumn,
                    file: ctx.file.clone(),
                    sheet: ctx.sheet.clone(),
                    row: header_row,
                    column: s.key.to_string(),
                    value: String::new(),
                    household_code: None,
                    message_vi: msg.vi,
                    message_en: msg.en,
                });
            }
        }
        return None;
    }
    if !needed {
        return c.bool_optional(spec);
    }
    if c.raw(spec).is_empty() {
        c.error(spec, ProblemKind::MissingValue, "", msg::missing_value_for_age(s.label_vi, s.key, ages));
        return None;
    }
    c.bool_optional(spec)
}

fn placeholder() -> Member {
    Member {
        member_no: 0,
        relation: Relation::Other,
        sex: Sex::Male,
        birth: BirthDate::Year(1900),
        ethnicity: Ethnicity::UNLISTED,
        health_insurance: false,
        employment: Employment::NotInLabourForce,
        able_to_work: true,
        education: Education::None,
        in_school: false,
        school_on_track: None,
        malnourished: None,
        disability: Disability::None,
        social_allowance: false,
        merit: false,
    }
}

impl RowHandler for MemberParser<'_> {
    fn start(&mut self, ctx: FileCtx, start: Start) -> ControlFlow<()> {
        let Some((row, cells)) = self.side.start_header(ctx, start) else {
            self.side.announce(false, Vec::new())?;
            return ControlFlow::Break(());
        };
        self.header_row = row;
        let (cols, issues) = Columns::resolve(&cells, &MEMBER_COLUMNS);
        for issue in issues {
            self.side.header_issue(row, &MEMBER_COLUMNS, &cols, issue);
        }
        let mut complete = true;
        for spec in m::REQUIRED {
            if !cols.has(spec) {
                complete = false;
                self.side.missing_column(row, &MEMBER_COLUMNS[spec]);
            }
        }
        let usable = cols.has(m::HOUSEHOLD_ID);
        self.complete = complete;
        for (f, i) in self.fields.iter_mut().zip(&cols.index) {
            *f = i.unwrap_or(ABSENT);
        }
        self.width = cols.width;
        self.in_order = cols.width == MEMBER_COLUMNS.len() && cols.index.iter().enumerate().all(|(i, c)| *c == Some(i));
        let names = cols.names.clone();
        self.cols = Some(cols);
        self.side.announce(usable, names)
    }

    fn row(&mut self, r: &RowView<'_>) -> ControlFlow<()> {
        let id_field = self.fields[m::HOUSEHOLD_ID];
        let id = nfc(if id_field == ABSENT { "" } else { r.get(id_field) });
        let fast = self.values(r).and_then(|v| self.fast(r.row, &v));
        let row = match fast {
            Some(row) => row,
            None => {
                let Some(cols) = self.cols.take() else { return ControlFlow::Break(()) };
                let row = self.parse(r, &cols, &id);
                self.cols = Some(cols);
                row
            }
        };
        self.add(&id, row)
    }

    fn line(&mut self, row: u64, line: &str) -> Option<ControlFlow<()>> {
        if !self.in_order {
            return None;
        }
        if self.read_in_place
            && let Some(flow) = self.in_place(row, line)
        {
            return Some(flow);
        }
        let mut v = [""; MEMBER_COLUMNS.len()];
        if !self.line_values(line, &mut v) {
            return None;
        }
        let parsed = self.fast(row, &v)?;
        Some(self.add(&nfc(v[m::HOUSEHOLD_ID]), parsed))
    }
}

/// The fields of a line without quotes, one after another, as bytes.
struct Fields<'l> {
    line: &'l [u8],
    /// Commas not yet passed, one bit per byte: bytes 0–63, then 64–127.
    commas: [u64; 2],
    /// Start of the next field (past the end when there is none).
    pos: usize,
}

impl<'l> Fields<'l> {
    fn new(line: &'l [u8]) -> Option<Self> {
        Some(Fields { line, commas: comma_mask(line)?, pos: 0 })
    }

    /// The bounds of the next field as written; `None` after the last.
    #[inline(always)]
    fn bounds(&mut self) -> Option<(usize, usize)> {
        let start = self.pos;
        if start > self.line.len() {
            return None;
        }
        let [lo, hi] = &mut self.commas;
        let end = if *lo != 0 {
            let at = lo.trailing_zeros() as usize;
            *lo &= *lo - 1;
            at
        } else if *hi != 0 {
            let at = 64 + hi.trailing_zeros() as usize;
            *hi &= *hi - 1;
            at
        } else {
            self.line.len()
        };
        self.pos = end + 1;
        Some((start, end))
    }

    /// The next field as written; `None` after the last.
    #[inline(always)]
    fn next(&mut self) -> Option<&'l [u8]> {
        let (a, b) = self.bounds()?;
        self.line.get(a..b)
    }

    /// True when the last field read ended the line.
    fn done(&self) -> bool {
        self.pos == self.line.len() + 1
    }
}

/// `s` when it needs no trimming and is not empty (its first and last bytes are visible ASCII);
/// `None` otherwise.
#[inline(always)]
fn plain(s: &[u8]) -> Option<&[u8]> {
    match s {
        [first, .., last] | [first @ last] if first.is_ascii_graphic() && last.is_ascii_graphic() => Some(s),
        _ => None,
    }
}

key_parsers! {
    relation_key -> Relation {
        b"head" => Head, b"spouse" => Spouse, b"child" => Child, b"parent" => Parent,
        b"grandchild" => Grandchild, b"sibling" => Sibling, b"other" => Other,
    }
    sex_key -> Sex { b"M" => Male, b"F" => Female }
    employment_key -> Employment {
        b"wage_contract" => WageContract, b"wage_no_contract" => WageNoContract,
        b"self_employed" => SelfEmployed, b"unemployed" => Unemployed,
        b"not_in_labour_force" => NotInLabourForce, b"student" => Student,
    }
    education_key -> Education {
        b"none" => None, b"primary" => Primary, b"lower_secondary" => LowerSecondary,
        b"upper_secondary" => UpperSecondary, b"vocational" => Vocational, b"college_plus" => CollegePlus,
    }
    disability_key -> Disability { b"none" => None, b"mild" => Mild, b"severe" => Severe, b"very_severe" => VerySevere }
}

/// A flag that may be empty: `None` when it is not written `0`, `1` or nothing.
#[inline(always)]
fn opt_flag(s: &[u8]) -> Option<Option<bool>> {
    if s.is_empty() { Some(None) } else { flag(s).map(Some) }
}

impl MemberParser<'_> {
    /// The usual line of a file with the format's columns in their order, read field by field
    /// where it is, without splitting it first: the same result as [`MemberParser::fast`] on
    /// the split line, for a line with no quote whose codes are written as keys and values
    /// without spaces around them (as our own writer writes them). `None` for any other line,
    /// which the split paths then take.
    fn in_place(&mut self, row: u64, line: &str) -> Option<ControlFlow<()>> {
        let b = line.as_bytes();
        let mut f = Fields::new(b)?;
        // Text of a field: commas are ASCII, so its bounds are character boundaries.
        let text = |(a, e): (usize, usize)| line.get(a..e);
        // Usually the household of the previous row.
        let cur = match self.current {
            Some(g) if self.current_plain => self.batch.ids.as_bytes().get(g.id.0..g.id.1),
            _ => None,
        };
        let id_bounds = f.bounds()?;
        let max = |spec: usize| MEMBER_COLUMNS[spec].limit.max_chars;
        if !plain_text(b.get(id_bounds.0..id_bounds.1)?, max(m::HOUSEHOLD_ID)) {
            return None;
        }
        let same = cur.is_some_and(|id| b.get(id_bounds.0..id_bounds.1) == Some(id));

        let digits = f.next()?;
        if digits.is_empty() || digits.len() > 19 {
            return None;
        }
        let mut member_no = 0u64;
        for &c in digits {
            if !c.is_ascii_digit() {
                return None;
            }
            member_no = member_no * 10 + u64::from(c - b'0');
        }
        if !(1..=u64::from(u16::MAX)).contains(&member_no) {
            return None;
        }
        let member_no = member_no as u16;
        let name_bounds = f.bounds()?;
        let name = b.get(name_bounds.0..name_bounds.1)?;
        if !plain_text(name, max(m::FULL_NAME)) {
            return None;
        }
        if plain(name).is_none() && trim(text(name_bounds)?).is_empty() {
            return None;
        }
        let relation = relation_key(f.next()?)?;
        let sex = sex_key(f.next()?)?;
        let birth_bounds = f.bounds()?;
        let (birth, (by, bm, bd)) = match b.get(birth_bounds.0..birth_bounds.1)? {
            &[y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] => {
                let mut ok = true;
                let mut num = |ds: &[u8]| {
                    ds.iter().fold(0u32, |v, &c| {
                        ok &= c.is_ascii_digit();
                        v * 10 + u32::from(c.wrapping_sub(b'0'))
                    })
                };
                let (y, m, d) = (num(&[y0, y1, y2, y3]), num(&[m0, m1]), num(&[d0, d1]));
                if !ok {
                    return None;
                }
                (BirthDate::Date(chrono::NaiveDate::from_ymd_opt(y as i32, m, d)?), (y as i32, m, d))
            }
            v => {
                plain(v)?;
                fields::parse_birth_ymd(text(birth_bounds)?)?
            }
        };
        let (ay, am, ad) = self.as_of;
        if (by, bm, bd) > (ay, am, ad) {
            return None;
        }
        let age = ay - by - i32::from((am, ad) < (bm, bd));
        if age > MAX_AGE {
            return None;
        }
        let eth_bounds = f.bounds()?;
        if !plain_text(b.get(eth_bounds.0..eth_bounds.1)?, max(m::ETHNICITY)) {
            return None;
        }
        let ethnicity = if b.get(eth_bounds.0..eth_bounds.1) == Some(self.last_ethnicity.0.as_bytes())
            && !self.last_ethnicity.0.is_empty()
            && plain(self.last_ethnicity.0.as_bytes()).is_some()
        {
            self.last_ethnicity.1?
        } else {
            let eth_text = trim(text(eth_bounds)?);
            if eth_text.is_empty() {
                return None;
            }
            self.ethnicity(eth_text)?
        };
        let id_bounds_no = f.bounds()?;
        let id_number = b.get(id_bounds_no.0..id_bounds_no.1)?;
        // Empty, or twelve digits (not spaces around them, nor anything else).
        if !(id_number.is_empty() || id_number.len() == 12 && id_number.iter().all(u8::is_ascii_digit)) {
            return None;
        }
        let health_insurance = flag(f.next()?)?;
        let employment = employment_key(f.next()?)?;
        let able_to_work = opt_flag(f.next()?)?.unwrap_or(true);
        let education = education_key(f.next()?)?;
        let in_school = flag(f.next()?)?;
        let school_on_track = opt_flag(f.next()?)?;
        if school_on_track.is_none() && (3..=15).contains(&age) {
            return None;
        }
        let malnourished = opt_flag(f.next()?)?;
        if malnourished.is_none() && (0..=15).contains(&age) {
            return None;
        }
        let disability = match f.next()? {
            b"" => Disability::None,
            v => disability_key(v)?,
        };
        let social_allowance = opt_flag(f.next()?)?.unwrap_or(false);
        let merit = opt_flag(f.next()?)?.unwrap_or(false);
        if !f.done() {
            return None;
        }

        let personal = if self.opts.keep_personal {
            Some(MemberPersonal {
                full_name: nfc(trim(text(name_bounds)?)).into_owned(),
                ethnicity_name: nfc(trim(text(eth_bounds)?)).into_owned(),
                id_number: (!id_number.is_empty()).then(|| text(id_bounds_no).unwrap_or_default().to_string()),
            })
        } else {
            None
        };
        let meta = MemRow { row, valid: true, member_no: Some(member_no), relation: Some(relation) };
        let member = Member {
            member_no,
            relation,
            sex,
            birth,
            ethnicity,
            health_insurance,
            employment,
            able_to_work,
            education,
            in_school,
            school_on_track,
            malnourished,
            disability,
            social_allowance,
            merit,
        };
        if same {
            self.side.rows += 1;
            self.push(meta, member, personal);
            return Some(ControlFlow::Continue(()));
        }
        let id = trim(text(id_bounds)?);
        if id.is_empty() {
            return None;
        }
        Some(self.add(&nfc(id), (meta, member, personal)))
    }
}

impl MemberParser<'_> {
    /// Adds a parsed row of household `id` to its group in the batch.
    fn add(&mut self, id: &str, row: Parsed) -> ControlFlow<()> {
        self.side.rows += 1;
        if id.is_empty() {
            // Reported as a missing value; the row belongs to no household.
            return ControlFlow::Continue(());
        }
        let same = self.current.is_some_and(|g| self.batch.ids.get(g.id.0..g.id.1) == Some(id));
        if !same {
            if let Some(done) = self.current.take() {
                self.batch.groups.push(done);
                if self.batch.len() >= BATCH {
                    let batch = std::mem::replace(&mut self.batch, MemBatch::with_capacity(BATCH));
                    self.side.send(batch)?;
                }
            }
            let start = self.batch.ids.len();
            self.batch.ids.push_str(id);
            self.current_plain = id.bytes().all(|c| c.is_ascii_graphic() && c != b'"' && c != b',');
            let n = self.batch.rows.len();
            let p = self.batch.personal.len();
            self.current = Some(GroupRef {
                id: (start, self.batch.ids.len()),
                key: IdKey::of(id),
                start: n,
                end: n,
                personal: (p, p),
            });
        }
        let (meta, member, personal) = row;
        self.push(meta, member, personal);
        ControlFlow::Continue(())
    }

    /// Adds a row to the current group.
    #[inline]
    fn push(&mut self, meta: MemRow, member: Member, personal: Option<MemberPersonal>) {
        let at = self.batch.rows.len();
        self.batch.rows.push(meta);
        self.batch.members.push(member);
        let some = personal.is_some();
        if let Some(personal) = personal {
            self.batch.personal.push((at, personal));
        }
        if let Some(g) = &mut self.current {
            g.end += 1;
            g.personal.1 += usize::from(some);
        }
    }
}

/// The ethnicity written `v`: the last one seen, else the cache of names, else a parse (cached).
fn lookup_ethnicity(
    cache: &mut HashMap<String, Option<Ethnicity>>,
    last: &mut (String, Option<Ethnicity>),
    v: &str,
) -> Option<Ethnicity> {
    if v == last.0 {
        return last.1;
    }
    let e = match cache.get(v) {
        Some(e) => *e,
        None => {
            let e = Ethnicity::parse(&nfc(v));
            if cache.len() < ETHNICITY_CACHE {
                cache.insert(v.to_string(), e);
            }
            e
        }
    };
    last.0.clear();
    last.0.push_str(v);
    last.1 = e;
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::split::split_line;
    use chrono::NaiveDate;
    use std::sync::mpsc::sync_channel;

    const HEADER: &str = "household_id,member_no,full_name,relation,sex,birth_date,ethnicity,id_number,\
                          health_insurance,employment,able_to_work,education,in_school,school_on_track,\
                          malnourished,disability,social_allowance,merit";

    /// Feeds `lines` as the CSV scanner does: the line first, else the split row.
    fn feed(p: &mut MemberParser<'_>, lines: &[String]) -> usize {
        let cells = HEADER.split(',').map(str::to_string).collect();
        assert!(p.start(FileCtx::default(), Start::Header { row: 1, cells }).is_continue());
        assert!(p.in_order);
        let mut cuts = Vec::new();
        let mut taken = 0;
        for (i, line) in lines.iter().enumerate() {
            let row = i as u64 + 2;
            if p.line(row, line).is_some() {
                taken += 1;
                continue;
            }
            if split_line(line.as_bytes(), &mut cuts) {
                let view = RowView::new(row, line, &cuts, &[], &[]);
                if !view.is_blank() {
                    let _ = p.row(&view);
                }
            }
        }
        if let Some(g) = p.current.take() {
            p.batch.groups.push(g);
        }
        taken
    }

    type Outcome = (String, Vec<GroupRef>, Vec<MemRow>, Vec<Member>, Vec<(usize, MemberPersonal)>, u64, u64, u64);

    fn outcome(p: &MemberParser<'_>) -> Outcome {
        let b = &p.batch;
        let pr = &p.side.problems;
        (
            b.ids.clone(),
            b.groups.clone(),
            b.rows.clone(),
            b.members.clone(),
            b.personal.clone(),
            p.side.rows,
            pr.errors_total,
            pr.warnings_total,
        )
    }

    /// Lines of the usual form, and each with one field written otherwise: valid in another
    /// spelling, with spaces, quoted, empty, invalid.
    fn lines() -> Vec<String> {
        let base: [&str; 18] = [
            "00004-000001",
            "1",
            "Trần Hoàng Hưng",
            "head",
            "M",
            "1995-07-28",
            "Kinh",
            "001095000000",
            "1",
            "wage_no_contract",
            "1",
            "college_plus",
            "0",
            "",
            "",
            "none",
            "0",
            "0",
        ];
        let child: [&str; 18] = [
            "00004-000001",
            "2",
            "Hoàng Thị Hà",
            "child",
            "F",
            "2015-03-21",
            "Ê Đê",
            "",
            "1",
            "student",
            "",
            "primary",
            "1",
            "1",
            "0",
            "",
            "",
            "",
        ];
        let other: [&[&str]; 18] = [
            &["00004-000002", " 00004-000001", "00004-000001 ", "", "\"00004-000001\"", "Hộ 1", "00004-0000011"],
            &["2", "01", "0", "65535", "65536", " 1", "1.0", "", "00000000000000000001", "99999999999999999999"],
            &[" Trần", "Hà ", "", " ", "\"Trần, Hà\"", "\u{a0}Hà"],
            &["Chủ hộ", "chu ho", " head", "head ", "boss", "", "HEAD"],
            &["F", "nam", "Nữ", "1", "m", "", " M", "X"],
            &[
                "1995",
                "28/07/1995",
                "1995-02-30",
                "2026-01-01",
                "1900-01-01",
                "1800-01-01",
                " 1995-07-28",
                "",
                "1995-7-28",
            ],
            &["Tày", "kinh", "Ê Đê", " Kinh", "Kinh ", "Martian", "", "Mường"],
            &["", "1234", "12345678901a", " 001095000000", "001095000000 ", "0010950000001"],
            &["0", "", "true", "có", " 1", "2"],
            &["self_employed", "Tự làm", "", "boss", "student "],
            &["0", "true", " ", "x", "2"],
            &["none", "THPT", "", "PhD", " none"],
            &["1", "", "không", " 0"],
            &["1", "0", "true", " ", "2"],
            &["1", "0", "no", " ", "2"],
            &["mild", "very_severe", "Nặng", " none", "nope"],
            &["1", "x", " ", "2"],
            &["1", "yes", " ", "2", "0,", "0,1"],
        ];
        let mut out = Vec::new();
        for fields in [base, child] {
            out.push(fields.join(","));
            for (i, alts) in other.iter().enumerate() {
                for alt in *alts {
                    let mut f = fields;
                    f[i] = alt;
                    out.push(f.join(","));
                }
            }
        }
        // Ragged, blank and quoted lines; a new household after one that did not end cleanly.
        out.push(base[..17].join(","));
        out.push(format!("{},", base.join(",")));
        out.push(",".repeat(17));
        out.push(base.iter().map(|f| format!("\"{f}\"")).collect::<Vec<_>>().join(","));
        out.push(format!("{},{}", "00004-000003", base[1..].join(",")));
        out.push(format!("{},{}", "00004-000003", base[1..].join(",")));
        out
    }

    #[test]
    fn lines_read_in_place_give_what_the_split_paths_give() {
        let lines = lines();
        for keep_personal in [false, true] {
            let as_of = NaiveDate::from_ymd_opt(2025, 12, 31).expect("date");
            let opts = ReadOptions { keep_personal, ..ReadOptions::new(as_of) };
            let (tx, _rx) = sync_channel(4);
            let mut in_place = MemberParser::new(&opts, tx.clone());
            let taken = feed(&mut in_place, &lines);
            let mut split = MemberParser::new(&opts, tx);
            split.read_in_place = false;
            let taken_split = feed(&mut split, &lines);
            assert_eq!(outcome(&in_place), outcome(&split));
            // Most lines are usual; both paths take the same ones as lines.
            assert_eq!(taken, taken_split);
            assert!(taken > lines.len() / 2, "{taken} of {}", lines.len());
        }
    }

    #[test]
    fn keys_read_in_place_are_the_keys_of_the_codes() {
        for &v in Relation::ALL {
            assert_eq!(relation_key(v.key().as_bytes()), Some(v));
        }
        for &v in Sex::ALL {
            assert_eq!(sex_key(v.key().as_bytes()), Some(v));
        }
        for &v in Employment::ALL {
            assert_eq!(employment_key(v.key().as_bytes()), Some(v));
        }
        for &v in Education::ALL {
            assert_eq!(education_key(v.key().as_bytes()), Some(v));
        }
        for &v in Disability::ALL {
            assert_eq!(disability_key(v.key().as_bytes()), Some(v));
        }
        assert_eq!(relation_key(b"Head"), None);
    }

    #[test]
    fn usual_lines_are_read_in_place() {
        let as_of = NaiveDate::from_ymd_opt(2025, 12, 31).expect("date");
        let opts = ReadOptions::new(as_of);
        let (tx, _rx) = sync_channel(4);
        let mut p = MemberParser::new(&opts, tx);
        let cells = HEADER.split(',').map(str::to_string).collect();
        assert!(p.start(FileCtx::default(), Start::Header { row: 1, cells }).is_continue());
        for (i, line) in [
            "00004-000001,1,Trần Hoàng Hưng,head,M,1995-07-28,Kinh,001095000000,1,wage_no_contract,1,college_plus,0,,,none,0,0",
            "00004-000001,2,Hoàng Thị Hà,child,F,2015-03-21,Ê Đê,,1,student,,primary,1,1,0,,,",
            "00004-000002,1,Lò Văn A,head,M,1960,Thái,,0,self_employed,0,none,0,,,mild,1,1",
        ]
        .iter()
        .enumerate()
        {
            assert!(p.in_place(i as u64 + 2, line).is_some(), "{line}");
        }
        assert_eq!(p.side.rows, 3);
        assert_eq!(p.batch.members.len(), 3);
        assert_eq!(p.batch.groups.len(), 1);
    }
}
