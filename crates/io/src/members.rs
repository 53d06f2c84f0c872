//! Parses rows of the members file, grouping consecutive rows of the same household, and sends
//! them in flat batches ([`MemBatch`]) to the joining thread.
//!
//! A batch holds all its rows in a few vectors, so this thread allocates per batch, not per row:
//! the per-household vectors of the records are made on the joining thread, which also frees
//! them (allocating on one thread and freeing on another is slow with the system allocator).

use crate::check::Check;
use crate::fields::{self, is_digits, pad_number_cell};
use crate::header::{Columns, MEMBER_COLUMNS, m};
use crate::key::IdKey;
use crate::pipeline::{Packet, Side};
use crate::problems::{Collector, FileCtx, Problem, ProblemKind, Severity, msg};
use crate::read::ReadOptions;
use crate::record::MemberPersonal;
use crate::rows::{RowHandler, RowView, Start};
use crate::split::split_exact;
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
#[derive(Clone, Copy)]
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
#[derive(Clone, Copy)]
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
            batch: MemBatch::with_capacity(BATCH),
            fields: [ABSENT; MEMBER_COLUMNS.len()],
            width: 0,
            in_order: false,
            as_of: (opts.as_of.year(), opts.as_of.month(), opts.as_of.day()),
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
        if v[m::HOUSEHOLD_ID].is_empty() {
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
                    household_id: None,
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
        let mut v = [""; MEMBER_COLUMNS.len()];
        if !self.line_values(line, &mut v) {
            return None;
        }
        let parsed = self.fast(row, &v)?;
        Some(self.add(&nfc(v[m::HOUSEHOLD_ID]), parsed))
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
        ControlFlow::Continue(())
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
