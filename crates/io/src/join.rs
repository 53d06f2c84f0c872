//! Joins households with their members and checks what needs both: at least one member,
//! exactly one head, unique member numbers, unique household ids, members of known households.
//!
//! **Streaming merge** (normal case): members are grouped by household in the order of the
//! households file, as our writer and generator produce them. The join keeps a bounded window
//! of households read ahead ([`WINDOW`]) to tell a household without members (an error) from a
//! file out of order, and sets aside member groups whose household is not within reach
//! ([`ORPHAN_ROWS`] rows at most): they are reported as "household not found" at the end unless
//! their household turns up later, which means the file is out of order.
//!
//! **In-memory join** (fallback): when the members file turns out not to be in household order,
//! the caller resets the sink and reads again; this time all members are loaded into a map by
//! household id first, which finds every household's members wherever they are.

use crate::HouseholdSink;
use crate::error::ReadError;
use crate::header::{h, m};
use crate::households::{HhBatch, HhRow};
use crate::key::IdKey;
use crate::members::{GroupView, MemBatch, MemGroup, MemRow, MemberRows};
use crate::pipeline::Packet;
use crate::problems::{Collector, FileCtx, Msg, Problem, ProblemKind, Severity, msg};
use crate::record::HouseholdRecord;
use crate::seen::SeenIds;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::mpsc::Receiver;
use vuonlen_core::codes::Relation;

/// Households read ahead while looking for a member group's household.
pub(crate) const WINDOW: usize = 4096;
/// Member rows set aside (household not yet seen) before giving up on streaming.
pub(crate) const ORPHAN_ROWS: usize = 50_000;
/// Households per batch handed to the sink.
pub(crate) const SINK_BATCH: usize = 256;

/// How to join.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Streaming,
    InMemory,
}

/// Result of a join.
pub(crate) enum Outcome {
    Done(Joined),
    /// The members file is not in household order: read again with [`Mode::InMemory`].
    OutOfOrder,
}

/// Counts and problems of a finished join.
#[derive(Default)]
pub(crate) struct Joined {
    pub valid: u64,
    pub invalid: u64,
    /// Problems located in the households file, and in the members file.
    pub hh_problems: Collector,
    pub mem_problems: Collector,
}

/// What the first packet said.
struct Head {
    ctx: FileCtx,
    usable: bool,
    names: Vec<String>,
}

/// Receives the first packet of a parsing thread.
fn open<T>(rx: &Receiver<Packet<T>>) -> Option<Head> {
    match rx.recv() {
        Ok(Packet::Start { ctx, usable, names }) => Some(Head { ctx, usable, names }),
        _ => None,
    }
}

/// Household rows arriving from their parsing thread.
struct HhStream {
    rx: Receiver<Packet<HhBatch>>,
    batch: HhBatch,
    next: usize,
}

impl HhStream {
    /// The next row, its record filled into `out` in place; `None` at the end.
    fn next_into(&mut self, out: &mut HouseholdRecord) -> Option<HhRow> {
        while self.next >= self.batch.len() {
            match self.rx.recv() {
                Ok(Packet::Batch(b)) => {
                    self.batch = b;
                    self.next = 0;
                }
                Ok(Packet::Start { .. }) => {}
                Err(_) => return None,
            }
        }
        self.next += 1;
        Some(self.batch.take_row_into(self.next - 1, out))
    }
}

/// A record with nothing in it, to be filled.
fn empty_record() -> HouseholdRecord {
    HouseholdRecord {
        household_code: String::new(),
        commune_code: String::new(),
        village: String::new(),
        head_name: String::new(),
        address: String::new(),
        poverty_causes: Vec::new(),
        recorded: Default::default(),
        household: crate::households::blank_household(),
        members: Vec::new(),
    }
}

/// Member groups arriving from their parsing thread.
struct MemStream {
    rx: Receiver<Packet<MemBatch>>,
    batch: MemBatch,
    next: usize,
}

impl MemStream {
    fn next(&mut self) -> Option<GroupView<'_>> {
        while self.next >= self.batch.len() {
            match self.rx.recv() {
                Ok(Packet::Batch(b)) => {
                    self.batch = b;
                    self.next = 0;
                }
                Ok(Packet::Start { .. }) => {}
                Err(_) => return None,
            }
        }
        self.next += 1;
        Some(self.batch.group(self.next - 1))
    }
}

/// A household waiting for its members, which are added to its record as they come. The
/// record is [`Joiner::records`]`[slot]`.
struct Pending {
    slot: usize,
    hh: HhRow,
    /// Row of the first household with the same id, when this one is a duplicate.
    dup_of: Option<u64>,
    /// What the join checks about each member of the record.
    rows: Vec<MemRow>,
}

/// Where problems found by the join go.
struct Report {
    hh: Head,
    mem: Head,
    out: Joined,
}

struct Joiner<'s> {
    skip_invalid: bool,
    sink: &'s mut dyn HouseholdSink,
    report: Report,
    seen: SeenIds,
    /// Records, filled where they are so that they move as little as possible: `[0, done)` the
    /// valid households finished in order (the next batch of the sink); then, up to `used`,
    /// the records of the households waiting in the window (at the slots they name, in order)
    /// and of households finished without being handed on; then records to fill again.
    records: Vec<HouseholdRecord>,
    done: usize,
    used: usize,
    /// Records to fill again when `records` has none left.
    spare: Vec<HouseholdRecord>,
    /// Emptied vectors of [`Pending::rows`].
    spare_rows: Vec<Vec<MemRow>>,
    /// Stop handing households to the sink (an invalid one was met and `skip_invalid` is off).
    stop: bool,
}

/// Joins what the two parsing threads send, handing valid households to `sink`.
pub(crate) fn run(
    mode: Mode,
    skip_invalid: bool,
    sink: &mut dyn HouseholdSink,
    hh_rx: Receiver<Packet<HhBatch>>,
    mem_rx: Receiver<Packet<MemBatch>>,
) -> Result<Outcome, ReadError> {
    let hh_head = open(&hh_rx);
    let mem_head = open(&mem_rx);
    let mut hh = HhStream { rx: hh_rx, batch: HhBatch::default(), next: 0 };
    let mut mem = MemStream { rx: mem_rx, batch: MemBatch::default(), next: 0 };
    let (Some(hh_head), Some(mem_head)) = (hh_head, mem_head) else {
        // A thread stopped before its header (it reports why).
        return Ok(Outcome::Done(Joined::default()));
    };
    let usable = hh_head.usable && mem_head.usable;
    let mut j = Joiner {
        skip_invalid,
        sink,
        report: Report { hh: hh_head, mem: mem_head, out: Joined::default() },
        seen: SeenIds::default(),
        records: Vec::with_capacity(SINK_BATCH),
        done: 0,
        used: 0,
        spare: Vec::new(),
        spare_rows: Vec::new(),
        stop: false,
    };
    if !usable {
        // Without ids on both sides nothing can be joined; the header problems say why.
        let mut scratch = empty_record();
        while hh.next_into(&mut scratch).is_some() {
            j.report.out.invalid += 1;
        }
        while mem.next().is_some() {}
        return Ok(Outcome::Done(j.report.out));
    }
    let flow = match mode {
        Mode::Streaming => j.stream(&mut hh, &mut mem)?,
        Mode::InMemory => {
            j.in_memory(&mut hh, &mut mem)?;
            Flow::Done
        }
    };
    match flow {
        Flow::OutOfOrder => Ok(Outcome::OutOfOrder),
        Flow::Done => {
            j.flush(&mut VecDeque::new())?;
            Ok(Outcome::Done(j.report.out))
        }
    }
}

enum Flow {
    Done,
    OutOfOrder,
}

impl Joiner<'_> {
    fn stream(&mut self, hh: &mut HhStream, mem: &mut MemStream) -> Result<Flow, ReadError> {
        let mut window: VecDeque<Pending> = VecDeque::new();
        let mut orphans: HashMap<String, Vec<MemGroup>> = HashMap::new();
        let mut orphan_rows = 0usize;
        let mut hh_done = false;

        while let Some(mut g) = mem.next() {
            // Usually the front household (or the next one).
            if let Some(p) = window.iter().position(|w| self.matches(w, g.key, g.id)) {
                self.attach(&mut window, p, &mut g)?;
                continue;
            }
            // Its household went by already: the members file is out of order.
            if self.seen.contains(g.key) {
                return Ok(Flow::OutOfOrder);
            }
            let mut found = false;
            while !hh_done && window.len() < WINDOW {
                let Some(p) = self.read(hh, &mut window) else {
                    hh_done = true;
                    break;
                };
                if !orphans.is_empty() && orphans.contains_key(&self.records[p.slot].household_code) {
                    return Ok(Flow::OutOfOrder);
                }
                found = self.matches(&p, g.key, g.id);
                window.push_back(p);
                if found {
                    break;
                }
            }
            if found {
                let p = window.len() - 1;
                self.attach(&mut window, p, &mut g)?;
            } else if hh_done {
                // Every household has been read: this id is not in the file.
                self.report.not_found(g.id, g.rows);
            } else {
                orphan_rows += g.rows.len();
                if orphan_rows > ORPHAN_ROWS {
                    return Ok(Flow::OutOfOrder);
                }
                let g = g.take_group();
                orphans.entry(g.id.clone()).or_default().push(g);
            }
        }
        while let Some(p) = window.pop_front() {
            self.finish(p, &mut window)?;
        }
        while let Some(p) = self.read(hh, &mut window) {
            if !orphans.is_empty() && orphans.contains_key(&self.records[p.slot].household_code) {
                return Ok(Flow::OutOfOrder);
            }
            self.finish(p, &mut window)?;
        }
        let mut rest: Vec<MemGroup> = orphans.into_values().flatten().collect();
        rest.sort_by_key(|g| g.rows.first_row());
        for g in rest {
            self.report.not_found(&g.id, &g.rows.rows);
        }
        Ok(Flow::Done)
    }

    fn in_memory(&mut self, hh: &mut HhStream, mem: &mut MemStream) -> Result<(), ReadError> {
        let mut by_id: HashMap<String, MemberRows> = HashMap::new();
        while let Some(mut g) = mem.next() {
            match by_id.get_mut(g.id) {
                Some(rows) => rows.append(g.take()),
                None => {
                    by_id.insert(g.id.to_string(), g.take());
                }
            }
        }
        let mut window = VecDeque::new();
        while let Some(mut p) = self.read(hh, &mut window) {
            let rec = &mut self.records[p.slot];
            if p.dup_of.is_none()
                && let Some(rows) = by_id.remove(&rec.household_code)
            {
                p.rows.extend(rows.rows);
                rec.household.members.extend(rows.members);
                rec.members.extend(rows.personal);
            }
            self.finish(p, &mut window)?;
        }
        let mut rest: Vec<(String, MemberRows)> = by_id.into_iter().collect();
        rest.sort_by_key(|(_, rows)| rows.first_row());
        for (id, rows) in rest {
            self.report.not_found(&id, &rows.rows);
        }
        Ok(())
    }

    /// Whether the household waiting as `p` has the id `id` (whose key is `key`).
    fn matches(&self, p: &Pending, key: IdKey, id: &str) -> bool {
        p.hh.key == key && self.records.get(p.slot).is_some_and(|r| r.household_code == id)
    }

    /// Gives `g` to the household at `p`; the households before it have no members.
    fn attach(&mut self, window: &mut VecDeque<Pending>, p: usize, g: &mut GroupView<'_>) -> Result<(), ReadError> {
        for _ in 0..p {
            if let Some(w) = window.pop_front() {
                self.finish(w, window)?;
            }
        }
        if let Some(front) = window.front_mut()
            && let Some(rec) = self.records.get_mut(front.slot)
        {
            g.append_to(&mut front.rows, &mut rec.household.members, &mut rec.members);
        }
        Ok(())
    }

    /// Reads the next household into a free slot of `records` and registers its id; `None` at
    /// the end of the file. `window`: the households waiting (their slots may move).
    fn read(&mut self, hh: &mut HhStream, window: &mut VecDeque<Pending>) -> Option<Pending> {
        if self.used == self.records.len() {
            if self.used > self.done + window.len() {
                self.compact(window);
            }
            if self.used == self.records.len() {
                let r = self.spare.pop().unwrap_or_else(empty_record);
                self.records.push(r);
            }
        }
        let slot = self.used;
        let rec = self.records.get_mut(slot)?;
        let row = hh.next_into(rec)?;
        self.used += 1;
        let mut p = Pending { slot, hh: row, dup_of: None, rows: self.spare_rows.pop().unwrap_or_default() };
        // A second household with the same id is an error.
        if !rec.household_code.is_empty() {
            let row32 = u32::try_from(row.row).unwrap_or(u32::MAX);
            if let Some(first) = self.seen.insert(row.key, row32) {
                let first = u64::from(first);
                p.dup_of = Some(first);
                let id = &rec.household_code;
                let m = msg::duplicate_household(id, first);
                self.report.hh_problem(row.row, h::HOUSEHOLD_ID, ProblemKind::DuplicateHousehold, id, id, m);
            }
        }
        Some(p)
    }

    /// Moves the records of the households waiting to the slots right after `done`, freeing
    /// those of households finished without being handed on.
    fn compact(&mut self, window: &mut VecDeque<Pending>) {
        for (i, p) in window.iter_mut().enumerate() {
            // Slots grow along the window, so slot `done + i` is free or already moved.
            let to = self.done + i;
            self.records.swap(to, p.slot);
            p.slot = to;
        }
        self.used = self.done + window.len();
    }

    /// Checks a household with all its members and hands it on, or counts it as invalid.
    /// `window`: the households still waiting (their slots may move).
    fn finish(&mut self, p: Pending, window: &mut VecDeque<Pending>) -> Result<(), ReadError> {
        let Pending { slot, hh, dup_of, mut rows } = p;
        let id = self.records.get(slot).map_or("", |r| r.household_code.as_str());
        let mut valid = hh.valid && dup_of.is_none();
        if rows.is_empty() {
            if !id.is_empty() && dup_of.is_none() {
                self.report.hh_problem(hh.row, h::HOUSEHOLD_ID, ProblemKind::NoMembers, id, id, msg::no_members(id));
            }
            valid = false;
        } else {
            valid &= rows.iter().all(|r| r.valid);
            valid &= self.report.check_members(id, &rows);
        }
        rows.clear();
        self.spare_rows.push(rows);
        if !valid {
            self.report.out.invalid += 1;
            if !self.skip_invalid {
                // The caller discards the output of a file with errors: stop feeding it (what
                // was finished so far is dropped).
                self.stop = true;
                self.done = 0;
            }
            return Ok(());
        }
        self.report.out.valid += 1;
        if self.stop {
            return Ok(());
        }
        // The slots between `done` and the first waiting household are free.
        self.records.swap(self.done, slot);
        self.done += 1;
        if self.done >= SINK_BATCH {
            self.flush(window)?;
        }
        Ok(())
    }

    /// Hands the finished households to the sink; the records of the households waiting go
    /// to the front of the next batch.
    fn flush(&mut self, window: &mut VecDeque<Pending>) -> Result<(), ReadError> {
        if self.done == 0 || self.stop {
            return Ok(());
        }
        // The next batch: one the sink is done with (its records are filled again where they
        // are), or a new one.
        let mut next = self.sink.recycle().unwrap_or_else(|| Vec::with_capacity(SINK_BATCH));
        while next.len() < window.len() {
            next.push(self.spare.pop().unwrap_or_else(empty_record));
        }
        for (i, p) in window.iter_mut().enumerate() {
            if let (Some(a), Some(b)) = (self.records.get_mut(p.slot), next.get_mut(i)) {
                std::mem::swap(a, b);
            }
            p.slot = i;
        }
        let rest = self.records.len().saturating_sub(self.done);
        if self.spare.len() + rest <= SPARE {
            self.spare.extend(self.records.drain(self.done..));
        } else {
            self.records.truncate(self.done);
        }
        let batch = std::mem::replace(&mut self.records, next);
        self.done = 0;
        self.used = window.len();
        self.sink.accept(batch)?;
        Ok(())
    }
}

/// Records kept aside to fill again (beyond the sink's batches).
const SPARE: usize = 2 * SINK_BATCH;

impl Report {
    /// One head, distinct member numbers. Returns false when a problem was found.
    fn check_members(&mut self, id: &str, rows: &[MemRow]) -> bool {
        let mut ok = true;
        let heads = rows.iter().filter(|r| r.relation == Some(Relation::Head)).count();
        if heads == 0 && rows.iter().all(|r| r.relation.is_some()) {
            self.mem_problem(rows[0].row, m::RELATION, ProblemKind::NoHead, "", id, msg::no_head(id));
            ok = false;
        }
        if heads > 1 {
            for r in rows.iter().filter(|r| r.relation == Some(Relation::Head)).skip(1) {
                self.mem_problem(
                    r.row,
                    m::RELATION,
                    ProblemKind::SeveralHeads,
                    Relation::Head.key(),
                    id,
                    msg::several_heads(id),
                );
            }
            ok = false;
        }
        let mut dups: Vec<(u64, u16)> = Vec::new();
        if rows.len() <= 64 {
            for (i, r) in rows.iter().enumerate() {
                if let Some(no) = r.member_no
                    && rows[..i].iter().any(|q| q.member_no == Some(no))
                {
                    dups.push((r.row, no));
                }
            }
        } else {
            let mut seen = HashSet::new();
            for r in rows {
                if let Some(no) = r.member_no
                    && !seen.insert(no)
                {
                    dups.push((r.row, no));
                }
            }
        }
        for (row, no) in dups {
            self.mem_problem(
                row,
                m::MEMBER_NO,
                ProblemKind::DuplicateMemberNo,
                &no.to_string(),
                id,
                msg::duplicate_member_no(no, id),
            );
            ok = false;
        }
        ok
    }

    fn not_found(&mut self, id: &str, rows: &[MemRow]) {
        for r in rows {
            self.mem_problem(
                r.row,
                m::HOUSEHOLD_ID,
                ProblemKind::HouseholdNotFound,
                id,
                id,
                msg::household_not_found(id),
            );
        }
    }

    fn hh_problem(&mut self, row: u64, spec: usize, kind: ProblemKind, value: &str, id: &str, m: Msg) {
        let p = problem(&self.hh, row, spec, kind, value, id, m);
        self.out.hh_problems.push(Severity::Error, || p);
    }

    fn mem_problem(&mut self, row: u64, spec: usize, kind: ProblemKind, value: &str, id: &str, m: Msg) {
        let p = problem(&self.mem, row, spec, kind, value, id, m);
        self.out.mem_problems.push(Severity::Error, || p);
    }
}

fn problem(head: &Head, row: u64, spec: usize, kind: ProblemKind, value: &str, id: &str, m: Msg) -> Problem {
    Problem {
        kind,
        file: head.ctx.file.clone(),
        sheet: head.ctx.sheet.clone(),
        row,
        column: head.names.get(spec).cloned().unwrap_or_default(),
        value: value.to_string(),
        household_code: (!id.is_empty()).then(|| id.to_string()),
        message_vi: m.vi,
        message_en: m.en,
    }
}
