//! Import of interchange records into a review period (`vuonlen import`).
//!
//! One transaction per import: a failure, a refusal or a killed process leaves the registry
//! exactly as it was. Households are matched by (commune as recorded, household code); a 2025
//! commune also finds a household recorded under one of its 2024 predecessors with the same
//! code (the household keeps its identity across the reorganisation). Each household's content
//! hash makes re-imports idempotent: unchanged households are not touched, changed ones are
//! rewritten with their differences in the audit log, and an import that changes nothing is
//! rolled back and says so.

use crate::audit::{self, Change};
use crate::bulk::{TableBuffer, Writes, execute};
use crate::classification;
use crate::db::{Db, Engine, Tx, TxConn, on_conn};
use crate::error::{Result, StoreError};
use crate::period::{self, Period};
use crate::rows::{self, MEMBER_COLUMNS, MEMBER_SELECT, MemberRow, SURVEY_COLUMNS, SURVEY_SELECT, SurveyRow};
use crate::scope::Scope;
use crate::sql::{Arg, Sql, bound};
use crate::units::{Placer, list_key};
use chrono::NaiveDate;
use rustc_hash::{FxHashMap, FxHasher};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use vuonlen_core::citizen_id::{self, Contradiction};
use vuonlen_core::text::fold;
use vuonlen_core::units::UnitList;
use vuonlen_core::{Classification, Standard, classify};
use vuonlen_io::HouseholdRecord;

/// What an import is.
#[derive(Debug, Clone)]
pub struct ImportSpec {
    /// The review period (a year); created on first import.
    pub period: i64,
    /// Reference date used when the period is created.
    pub reference_date: NaiveDate,
    /// The standard in force for the period (must be the period's when it exists).
    pub standard: Arc<Standard>,
    /// Who imports, and through which command, for the audit log.
    pub actor: String,
    pub command: String,
    /// The files, for the batch record.
    pub files: String,
    /// SHA-256 of the files' bytes.
    pub file_hash: String,
    /// The area the importer may write: a household placed outside it is refused
    /// ([`ConflictKind::OutOfScope`]). The command line imports with [`Scope::unscoped_all()`].
    pub scope: Scope,
    /// How many households the input holds, when known (lines of a CSV file). A load of at
    /// least [`BULK_MIN_HOUSEHOLDS`] into a new period that is at least half the size of the
    /// answers already stored is a bulk load: the search and list indexes are dropped and rebuilt
    /// once before commit instead of maintained row by row, which holds an exclusive lock on the
    /// member table for the import's duration. `None` (web forms and uploads) never does.
    pub expected_households: Option<u64>,
}

/// The smallest load that rebuilds the search indexes (see [`ImportSpec::expected_households`]).
pub const BULK_MIN_HOUSEHOLDS: u64 = 50_000;

/// The indexes of search and lists (migrations 0002–0004), dropped during a bulk load and
/// rebuilt before it commits.
const DROP_SEARCH_INDEXES: [&str; 5] = [
    "DROP INDEX IF EXISTS member_search",
    "DROP INDEX IF EXISTS member_id_number",
    "DROP INDEX IF EXISTS survey_list",
    "DROP INDEX IF EXISTS survey_code",
    "DROP INDEX IF EXISTS classification_class",
];

/// The same indexes as the migrations create them (0002–0004).
fn search_index_sql(engine: Engine) -> [&'static str; 5] {
    match engine {
        Engine::Postgres => [
            "CREATE INDEX member_search ON member ((name_key COLLATE \"C\"), period, (head_sort COLLATE \"C\"), \
             (household_code COLLATE \"C\"), household_id) INCLUDE (current_province, current_commune, member_no, full_name)",
            "CREATE INDEX member_id_number ON member (id_number) WHERE id_number IS NOT NULL",
            "CREATE INDEX survey_list ON survey (period, head_sort COLLATE \"C\", household_code COLLATE \"C\", household_id)",
            "CREATE INDEX survey_code ON survey (period, household_code)",
            "CREATE INDEX classification_class ON classification (period, standard_id, class)",
        ],
        Engine::Sqlite => [
            "CREATE INDEX member_search ON member (name_key, period)",
            "CREATE INDEX member_id_number ON member (id_number) WHERE id_number IS NOT NULL",
            "CREATE INDEX survey_list ON survey (period, head_sort, household_code, household_id)",
            "CREATE INDEX survey_code ON survey (period, household_code)",
            "CREATE INDEX classification_class ON classification (period, standard_id, class)",
        ],
    }
}

/// Whether a load of `expected` households is a bulk load (see [`ImportSpec::expected_households`]):
/// large, and at least half the size of the answers already stored (their rebuild is paid too).
async fn is_bulk(tx: &mut Tx, expected: Option<u64>) -> Result<bool> {
    let Some(expected) = expected.filter(|n| *n >= BULK_MIN_HOUSEHOLDS) else {
        return Ok(false);
    };
    let stored: i64 = match tx.engine() {
        // The planner's estimate: counting a national table would take longer than the decision is worth.
        Engine::Postgres => on_conn!(tx, c => sqlx::query_scalar(
            "SELECT GREATEST(reltuples, 0)::BIGINT FROM pg_class WHERE oid = 'survey'::regclass",
        )
        .fetch_one(c)
        .await?),
        Engine::Sqlite => on_conn!(tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM survey").fetch_one(c).await?),
    };
    Ok(expected.saturating_mul(2) >= u64::try_from(stored).unwrap_or(0))
}

/// Two households of a period that share a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub kind: ConflictKind,
    /// The shared value (ID number, or folded name and birth date). Personal data: for the
    /// error file only, never for logs.
    pub value: String,
    /// (commune as recorded, household code, member number, whether the household is in this
    /// import) of each member involved that the importer may see.
    pub members: Vec<(String, String, i64, bool)>,
    /// How many more members involved live in households outside the importer's area: they
    /// are counted, never located (an ID number typed into a form must not tell where its
    /// holder lives; the province office resolves such a conflict).
    pub elsewhere: usize,
}

impl Conflict {
    /// The households involved other than `me` (commune as recorded, household code) and not in
    /// this import unless `with_imported`, as `commune/code (STT n)`, and those outside the
    /// importer's area counted without a place: (Vietnamese, English).
    pub fn others(&self, me: Option<(&str, &str)>, with_imported: bool) -> (String, String) {
        let mut named: Vec<String> = self
            .members
            .iter()
            .filter(|m| (with_imported || !m.3) && me.is_none_or(|(c, h)| m.0 != c || m.1 != h))
            .map(|m| format!("{}/{} (STT {})", m.0, m.1, m.2))
            .collect();
        named.dedup();
        let (mut vi, mut en) = (named.join(", "), named.join(", "));
        if self.elsewhere > 0 {
            let sep = if named.is_empty() { "" } else { "; " };
            vi.push_str(&format!(
                "{sep}{} người ở hộ thuộc địa bàn khác (không hiển thị; liên hệ cơ quan cấp tỉnh để xử lý)",
                self.elsewhere
            ));
            en.push_str(&format!(
                "{sep}{} in a household of another area (not shown; the province office can resolve it)",
                self.elsewhere
            ));
        }
        (vi, en)
    }
}

/// The kinds of cross-household problems.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictKind {
    /// The same personal ID number in two households of the period.
    SameIdNumber,
    /// The same person (name without diacritics and full birth date) in two households of the
    /// same commune, unless each of them has an ID number and the numbers all differ.
    SamePerson,
    /// Answers for a household that merged into another before or in this period, or that
    /// split off only after it (`value`: `merge YEAR` or `split YEAR`; member number 0).
    LinkedAway,
    /// A household placed outside the area the importer may write (`value`: the commune as
    /// recorded; member number 0).
    OutOfScope,
    /// A household whose answers changed since the caller read them, or that exists although
    /// the caller meant to add it ([`Importer::expect`]; member number 0): someone else saved
    /// first, nothing is overwritten.
    Stale,
    /// A household of a commune whose lists for the period a decision has locked (`value`:
    /// `commune decision-number`; member number 0): changes go through a regular review round.
    Locked,
}

/// An ID number that contradicts its member's sex or birth year (a warning).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdWarning {
    pub commune_code: String,
    pub household_code: String,
    pub member_no: i64,
    pub contradictions: Vec<Contradiction>,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub period: i64,
    pub batch: Option<i64>,
    pub households: u64,
    pub members: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Households matched to one recorded under a predecessor commune.
    pub linked_across_units: u64,
    /// New household identities created.
    pub new_households: u64,
    /// Households whose answers the standard cannot classify (stored unclassified).
    pub unclassified: u64,
    /// 2024 communes with no successor in the lineage (counted under their own code).
    pub unmapped_communes: Vec<String>,
    pub conflicts: Vec<Conflict>,
    pub id_warnings: Vec<IdWarning>,
    /// The transaction was committed.
    pub committed: bool,
    /// Upkeep after the commit that did not run (the answers are stored all the same): what,
    /// and why (see [`AfterCommit`]).
    pub not_done: Vec<AfterCommit>,
}

/// Upkeep that runs after an import committed and failed: the import is stored; the registry
/// works, maybe slower, until it runs (`vuonlen db check` or the next large import runs it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AfterCommit {
    /// What did not run, in Vietnamese and English.
    pub what: &'static str,
    /// The database's error.
    pub error: String,
}

/// (entity, member number, field, old value, new value).
type FieldChange = (&'static str, Option<i64>, &'static str, Option<String>, Option<String>);

#[derive(Debug, Clone, Copy)]
struct Known {
    household_id: i64,
    hash: Option<i64>,
}

/// A record with everything an import computes without the database: its rows, content hash,
/// classification and ID-number warnings. Made by a [`Preparer`] on any thread, so that a
/// reading thread can do this work while the importer writes.
pub struct Prepared {
    record: HouseholdRecord,
    survey: SurveyRow,
    members: Vec<MemberRow>,
    /// Folded full name of each member (`member.name_key`).
    name_keys: Vec<String>,
    /// Vietnamese sort key of the head's name (`survey.head_sort`).
    head_sort: String,
    hash: i64,
    classification: Option<Classification>,
    causes: i64,
    id_warnings: Vec<(i64, Vec<Contradiction>)>,
    /// What it was prepared for.
    standard_id: String,
    reference_date: NaiveDate,
}

/// Prepares records for an import under a standard at a reference date (pure, `Send`).
#[derive(Clone)]
pub struct Preparer {
    standard: Arc<Standard>,
    reference_date: NaiveDate,
}

impl Preparer {
    /// For an import of `spec` (the period's standard and reference date, which the caller
    /// has checked; an importer re-prepares a record made for anything else).
    pub fn new(spec: &ImportSpec) -> Preparer {
        Preparer { standard: spec.standard.clone(), reference_date: spec.reference_date }
    }

    pub fn prepare(&self, record: HouseholdRecord) -> Prepared {
        let survey = SurveyRow::from_record(&record);
        let members = rows::member_rows(&record);
        let hash = rows::content_hash(&survey, &members);
        let name_keys = members.iter().map(|m| fold(&m.full_name)).collect();
        let head_sort = vuonlen_core::collate::person_sort_key(&survey.head_name);
        let mut id_warnings = Vec::new();
        for (m, row) in record.household.members.iter().zip(&members) {
            if let Some(id) = &row.id_number {
                let c = citizen_id::check(id, m.sex, m.birth.year());
                if !c.is_empty() {
                    id_warnings.push((row.member_no, c));
                }
            }
        }
        Prepared {
            classification: classify(&self.standard, &record.household, self.reference_date).ok(),
            causes: i64::from(vuonlen_core::report::causes_mask(&record.poverty_causes)),
            survey,
            members,
            name_keys,
            head_sort,
            hash,
            id_warnings,
            standard_id: self.standard.id.clone(),
            reference_date: self.reference_date,
            record,
        }
    }
}

/// An import in progress: feed it batches with [`Importer::push`], then [`Importer::finish`].
pub struct Importer {
    /// The transaction; `None` while a write of buffered rows holds it (`in_flight`).
    tx: Option<Tx>,
    /// A task writing buffered rows while the importer prepares the next ones.
    in_flight: Option<tokio::task::JoinHandle<(Tx, Result<()>)>>,
    spec: ImportSpec,
    /// Communes of the period locked by a decision (today's code → decision number), and the
    /// households an open regular round may still change.
    locked: HashMap<String, String>,
    reopened: HashSet<i64>,
    period: Period,
    db: Db,
    placer: Placer,
    predecessors: HashMap<String, Vec<String>>,
    now: String,
    batch_id: i64,
    next_household_id: i64,
    registry_empty: bool,
    known: HashMap<(String, String), Known>,
    loaded: HashSet<String>,
    seen: HashSet<i64>,
    villages: HashMap<(String, String), i64>,
    unmapped: HashSet<String>,
    households: TableBuffer,
    aliases: TableBuffer,
    surveys: TableBuffer,
    members: TableBuffer,
    classifications: TableBuffer,
    audits: TableBuffer,
    /// Audit rows waiting for their seal, given when the transaction is free ([`Importer::flush`]).
    pending_audits: Vec<audit::Pending>,
    summary: ImportSummary,
    /// Whether the period had answers before this import (then the final checks run in SQL
    /// over the whole period).
    period_had_answers: bool,
    /// A bulk load: the search indexes were dropped at begin and are rebuilt before commit.
    rebuild_search_indexes: bool,
    /// Households linked to a 2024 predecessor, to be recorded in their new commune and province.
    moved: Vec<(i64, String, String)>,
    people: PeopleSeen,
    /// The official tally, built as households come when the period was empty before.
    tally: Option<crate::tally::Building>,
    /// Content hashes callers expect households to have in the period (`None`: absent).
    expected: HashMap<(String, String), Option<i64>>,
    /// Today's (province, commune) of every household written, for the report tallies.
    changed_places: std::collections::BTreeSet<(String, String)>,
}

/// Who this import has seen, to tell whether the period-wide checks can find anything: a value
/// seen in two households makes the values suspect (the 64-bit keys can collide; SQL decides).
#[derive(Default)]
struct PeopleSeen {
    id_numbers: FxHashMap<u64, i64>,
    persons: FxHashMap<u64, i64>,
    suspect: bool,
}

impl PeopleSeen {
    fn note(&mut self, household_id: i64, m: &MemberRow, name_key: &str, current_commune: &str) {
        use std::hash::{Hash, Hasher};
        let mut seen = |map: &mut FxHashMap<u64, i64>, key: u64| {
            if *map.entry(key).or_insert(household_id) != household_id {
                self.suspect = true;
            }
        };
        if let Some(id) = &m.id_number {
            let mut h = FxHasher::default();
            id.hash(&mut h);
            seen(&mut self.id_numbers, h.finish());
        }
        if m.birth_year_only == 0 {
            let mut h = FxHasher::default();
            (current_commune, name_key, &m.birth_date).hash(&mut h);
            seen(&mut self.persons, h.finish());
        }
    }
}

impl Importer {
    /// Opens the transaction, creating the period if needed. The period's own standard and
    /// reference date win over the spec's when it already exists: the caller checks first.
    /// It writes wherever `spec.scope` allows, as the caller sets it: the command line's
    /// administration; users go through [`crate::Registry::begin_import`].
    pub async fn begin_unscoped(db: &Db, spec: ImportSpec) -> Result<Importer> {
        // The lineage is read once: placements and predecessors come from the same rows.
        let placer = Placer::load(db).await?;
        let predecessors = placer.predecessors();
        let mut tx = db.begin().await?;
        if tx.engine() == Engine::Postgres {
            // One import at a time assigns household ids.
            execute(&mut tx, "LOCK TABLE household IN SHARE ROW EXCLUSIVE MODE", vec![]).await?;
            // A bulk load's index builds outlast the server's statement timeout; an import is
            // bounded by its caller instead (the web's long deadline drops and rolls it back).
            execute(&mut tx, "SET LOCAL statement_timeout = 0", vec![]).await?;
        }
        let period = period::ensure(&mut tx, spec.period, spec.reference_date, &spec.standard.id).await?;
        if period.standard_id != spec.standard.id {
            return Err(StoreError::Invalid(format!(
                "kỳ {} dùng chuẩn {}, không phải {} / period {} uses standard {}, not {}",
                period.year, period.standard_id, spec.standard.id, period.year, period.standard_id, spec.standard.id
            )));
        }
        let engine = tx.engine();
        let period_had_answers: bool = on_conn!(&mut tx, c => sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM survey WHERE period = $1)",
        )
        .bind(spec.period)
        .fetch_one(c)
        .await?);
        let rebuild_search_indexes = !period_had_answers && is_bulk(&mut tx, spec.expected_households).await?;
        if rebuild_search_indexes {
            // Maintaining the search indexes row by row (random keys) costs a bulk load more than
            // the rest of it together (PostgreSQL, 1M households: 3–4×); they are rebuilt at the end.
            for sql in DROP_SEARCH_INDEXES {
                execute(&mut tx, sql, vec![]).await?;
            }
        }
        let (locked, reopened) = crate::review::load_locks(&mut tx, spec.period).await?;
        let max_id: Option<i64> =
            on_conn!(&mut tx, c => sqlx::query_scalar("SELECT MAX(id) FROM household").fetch_one(c).await?);
        let now = crate::now();
        let batch_id: i64 = on_conn!(&mut tx, c => sqlx::query_scalar(
            "INSERT INTO import_batch (period, file_hash, files, actor, at, households, inserted, updated, unchanged) \
             VALUES ($1, $2, $3, $4, $5, 0, 0, 0, 0) RETURNING id",
        )
        .bind(spec.period)
        .bind(&spec.file_hash)
        .bind(&spec.files)
        .bind(&spec.actor)
        .bind(&now)
        .fetch_one(c)
        .await?);
        Ok(Importer {
            tx: Some(tx),
            in_flight: None,
            db: db.clone(),
            period,
            placer,
            predecessors,
            now,
            batch_id,
            next_household_id: max_id.unwrap_or(0) + 1,
            registry_empty: max_id.is_none(),
            known: HashMap::new(),
            loaded: HashSet::new(),
            seen: HashSet::new(),
            villages: HashMap::new(),
            unmapped: HashSet::new(),
            households: TableBuffer::new(
                engine,
                "household",
                &["id", "commune_code", "province_code", "household_code", "created_at"],
            ),
            aliases: TableBuffer::new(engine, "household_alias", &["commune_code", "household_code", "household_id"]),
            surveys: TableBuffer::new(engine, "survey", SURVEY_COLUMNS),
            members: TableBuffer::new(engine, "member", MEMBER_COLUMNS),
            classifications: TableBuffer::new(engine, "classification", classification::COLUMNS),
            audits: TableBuffer::new(engine, "audit", audit::COLUMNS),
            pending_audits: Vec::new(),
            summary: ImportSummary { period: spec.period, ..Default::default() },
            period_had_answers,
            rebuild_search_indexes,
            moved: Vec::new(),
            people: PeopleSeen::default(),
            tally: (!period_had_answers).then(crate::tally::Building::default),
            expected: HashMap::new(),
            changed_places: Default::default(),
            locked,
            reopened,
            spec,
        })
    }

    /// Optimistic concurrency for edits: the household (`commune` as recorded, `code`) must
    /// have the answers whose content hash is `hash` in the period — or, with `None`, have no
    /// answers in it — when it is pushed; otherwise it is refused as [`ConflictKind::Stale`].
    pub fn expect(&mut self, commune: &str, code: &str, hash: Option<i64>) {
        self.expected.insert((commune.to_string(), code.to_string()), hash);
    }

    /// The period imported into.
    pub fn period(&self) -> &Period {
        &self.period
    }

    /// Adds a batch of valid records.
    pub async fn push(&mut self, records: &[HouseholdRecord]) -> Result<()> {
        let preparer = Preparer::new(&self.spec);
        let prepared: Vec<Prepared> = records.iter().map(|r| preparer.prepare(r.clone())).collect();
        self.push_prepared(prepared).await
    }

    /// Adds a batch of valid records prepared by a [`Preparer`] (for this import's spec).
    pub async fn push_prepared(&mut self, batch: Vec<Prepared>) -> Result<()> {
        for mut p in batch {
            if p.standard_id != self.spec.standard.id || p.reference_date != self.period.reference_date {
                let preparer =
                    Preparer { standard: self.spec.standard.clone(), reference_date: self.period.reference_date };
                p = preparer.prepare(p.record);
            }
            self.push_one(&p).await?;
        }
        if self.surveys.rows() + self.members.rows() >= 40_000 {
            self.flush().await?;
        }
        Ok(())
    }

    async fn push_one(&mut self, prepared: &Prepared) -> Result<()> {
        let Prepared { record: r, survey, members, name_keys, hash, .. } = prepared;
        let hash = *hash;
        self.summary.households += 1;
        self.summary.members += members.len() as u64;
        for (member_no, c) in &prepared.id_warnings {
            self.summary.id_warnings.push(IdWarning {
                commune_code: r.commune_code.clone(),
                household_code: r.household_code.clone(),
                member_no: *member_no,
                contradictions: c.clone(),
            });
        }
        let place = self.placer.place(&r.commune_code, self.period.reference_date).ok_or_else(|| {
            StoreError::Invalid(format!("'{}' không phải mã xã / is not a commune code", r.commune_code))
        })?;
        if place.unmapped {
            self.unmapped.insert(r.commune_code.clone());
        }
        let refuse = |kind: ConflictKind, value: &str| Conflict {
            kind,
            value: value.to_string(),
            members: vec![(r.commune_code.clone(), r.household_code.clone(), 0, true)],
            elsewhere: 0,
        };
        if !self.spec.scope.contains(&place.current_province, &place.current_commune) {
            self.summary.conflicts.push(refuse(ConflictKind::OutOfScope, &r.commune_code));
            return Ok(());
        }
        self.load_commune(&r.commune_code, place.list).await?;
        let key = (r.commune_code.clone(), r.household_code.clone());
        // A change to a household of a locked commune (the same answers again change nothing).
        if let Some(number) = self.locked.get(&place.current_commune)
            && !self.known.get(&key).is_some_and(|k| k.hash == Some(hash) || self.reopened.contains(&k.household_id))
        {
            let value = format!("{} {number}", place.current_commune);
            self.summary.conflicts.push(refuse(ConflictKind::Locked, &value));
            return Ok(());
        }
        if let Some(expected) = self.expected.get(&key)
            && self.known.get(&key).and_then(|k| k.hash) != *expected
        {
            self.summary.conflicts.push(refuse(ConflictKind::Stale, ""));
            return Ok(());
        }
        let id = match self.known.get(&key).copied() {
            Some(k) if k.hash == Some(hash) => {
                self.summary.unchanged += 1;
                self.seen.insert(k.household_id);
                return Ok(());
            }
            Some(k) if k.hash.is_some() => {
                self.replace(k.household_id, survey, members).await?;
                self.summary.updated += 1;
                k.household_id
            }
            Some(k) => {
                self.summary.inserted += 1;
                self.audit_created(k.household_id);
                k.household_id
            }
            None => {
                let id = match self.predecessor_match(&r.commune_code, &r.household_code, place.list) {
                    Some(id) => {
                        self.summary.linked_across_units += 1;
                        // The household now lives in the new commune (written with the next batch).
                        self.moved.push((id, place.current_commune.clone(), place.current_province.clone()));
                        id
                    }
                    None => {
                        let id = self.next_household_id;
                        self.next_household_id += 1;
                        self.summary.new_households += 1;
                        self.households.push([
                            id.into(),
                            (&place.current_commune).into(),
                            (&place.current_province).into(),
                            (&r.household_code).into(),
                            self.now.as_str().into(),
                        ]);
                        id
                    }
                };
                self.aliases.push([(&r.commune_code).into(), (&r.household_code).into(), id.into()]);
                self.known.insert(key, Known { household_id: id, hash: Some(hash) });
                self.summary.inserted += 1;
                self.audit_created(id);
                id
            }
        };
        self.seen.insert(id);
        if !self.changed_places.contains(&(place.current_province.clone(), place.current_commune.clone())) {
            self.changed_places.insert((place.current_province.clone(), place.current_commune.clone()));
        }
        let village_id =
            if r.village.trim().is_empty() { None } else { Some(self.village(&r.commune_code, &r.village).await?) };
        let p = self.period.year;
        self.surveys.push(
            [
                p.into(),
                id.into(),
                (&r.commune_code).into(),
                list_key(place.list).into(),
                (&place.current_commune).into(),
                (&place.current_province).into(),
                (&r.household_code).into(),
                village_id.into(),
                (&survey.head_name).into(),
                (&survey.address).into(),
                (&survey.area).into(),
                survey.income_per_capita.into(),
                survey.score_a.into(),
                survey.durable_structures.into(),
                survey.floor_area_m2.into(),
                (&survey.water_source).into(),
                (&survey.latrine).into(),
                survey.internet_user.into(),
                survey.info_devices.into(),
                survey.waste_treatment.into(),
                (&survey.poverty_causes).into(),
                hash.into(),
                self.batch_id.into(),
                prepared.head_sort.as_str().into(),
            ]
            .into_iter()
            .chain(survey.recorded.values()),
        );
        let ctx = rows::MemberContext {
            current_province: &place.current_province,
            current_commune: &place.current_commune,
            head_sort: &prepared.head_sort,
            household_code: &r.household_code,
        };
        for (m, name_key) in members.iter().zip(name_keys) {
            self.people.note(id, m, name_key, &place.current_commune);
            self.members.push(m.values(p, id, name_key, ctx));
        }
        let form8 = vuonlen_core::report::form8_bits(&survey.recorded.0);
        let nlndn = vuonlen_core::schema::household_field("nlndn")
            .and_then(|f| f.recorded_index())
            .and_then(|i| survey.recorded.0.flag(i))
            == Some(true);
        if let (Some(t), Some(c)) = (&mut self.tally, &prepared.classification) {
            let place = (
                place.current_province.as_str(),
                place.current_commune.as_str(),
                r.commune_code.as_str(),
                list_key(place.list),
                village_id,
            );
            let (key, sums) = classification::tally_group(
                place,
                c,
                &r.household,
                prepared.causes,
                form8,
                nlndn,
                self.period.reference_date,
            );
            let e = t.groups.entry(key).or_default();
            for (a, b) in e.iter_mut().zip(sums) {
                *a += b;
            }
        }
        match &prepared.classification {
            Some(c) => self.classifications.push(classification::values(
                p,
                id,
                &self.spec.standard.id,
                c,
                &r.household,
                prepared.causes,
                self.period.reference_date,
                &self.now,
            )),
            None => self.summary.unclassified += 1,
        }
        Ok(())
    }

    fn audit_created(&mut self, household_id: i64) {
        self.pending_audits.push(audit::Pending {
            entity: "survey",
            household_id: Some(household_id),
            period: Some(self.period.year),
            member_no: None,
            field: "created",
            old_value: None,
            new_value: Some(format!("import_batch {}", self.batch_id)),
        });
    }

    /// Loads the households known under a commune (and, for a 2025 commune, under its 2024
    /// predecessors) with their content hash in this period.
    async fn load_commune(&mut self, commune: &str, list: UnitList) -> Result<()> {
        if self.registry_empty || self.loaded.contains(commune) {
            return Ok(());
        }
        let mut codes = vec![commune.to_string()];
        if list == UnitList::Y2025 {
            codes.extend(self.predecessors.get(commune).cloned().unwrap_or_default());
        }
        for code in codes {
            if !self.loaded.insert(code.clone()) {
                continue;
            }
            self.settle().await?;
            let rows: Vec<(String, i64, Option<i64>)> = on_conn!(live(&mut self.tx)?, c => sqlx::query_as(
                // One primary-key lookup per household, whatever the planner believes about this
                // period: its statistics predate the rows this import is adding (a join planned
                // for an empty period rescanned them for every household: minutes at 1M).
                "SELECT a.household_code, a.household_id, \
                        (SELECT s.content_hash FROM survey s WHERE s.period = $1 AND s.household_id = a.household_id) \
                 FROM household_alias a WHERE a.commune_code = $2",
            )
            .bind(self.period.year)
            .bind(&code)
            .fetch_all(c)
            .await?);
            for (hh, id, hash) in rows {
                self.known.insert((code.clone(), hh), Known { household_id: id, hash });
            }
        }
        Ok(())
    }

    /// The one household recorded under a 2024 predecessor of `commune` with the same code and
    /// no answers in this period yet.
    fn predecessor_match(&self, commune: &str, code: &str, list: UnitList) -> Option<i64> {
        if list != UnitList::Y2025 {
            return None;
        }
        let mut found: Vec<i64> = self
            .predecessors
            .get(commune)?
            .iter()
            .filter_map(|old| self.known.get(&(old.clone(), code.to_string())))
            .filter(|k| k.hash.is_none() && !self.seen.contains(&k.household_id))
            .map(|k| k.household_id)
            .collect();
        found.sort_unstable();
        found.dedup();
        (found.len() == 1).then(|| found[0])
    }

    /// Rewrites a household's answers of this period, recording each changed field.
    async fn replace(&mut self, id: i64, survey: &SurveyRow, members: &[MemberRow]) -> Result<()> {
        self.flush().await?;
        let p = self.period.year;
        self.settle().await?;
        let mut sql = Sql::with_args([Arg::Int(p), Arg::Int(id)]);
        sql.push("SELECT ").push(SURVEY_SELECT).push(
            " FROM survey s LEFT JOIN village v ON v.id = s.village_id WHERE s.period = $1 AND s.household_id = $2",
        );
        let old: SurveyRow = on_conn!(live(&mut self.tx)?, c => bound!(query_as, sql).fetch_one(c).await?);
        let mut sql = Sql::with_args([Arg::Int(p), Arg::Int(id)]);
        sql.push("SELECT ")
            .push(MEMBER_SELECT)
            .push(" FROM member m WHERE m.period = $1 AND m.household_id = $2 ORDER BY m.member_no");
        let old_members: Vec<MemberRow> = on_conn!(live(&mut self.tx)?, c => bound!(query_as, sql).fetch_all(c).await?);
        let mut changes: Vec<FieldChange> = Vec::new();
        for ((f, a), (_, b)) in old.fields().into_iter().zip(survey.fields()) {
            if a != b {
                changes.push(("survey", None, f, a, b));
            }
        }
        let by_no: HashMap<i64, &MemberRow> = old_members.iter().map(|m| (m.member_no, m)).collect();
        let new_nos: HashSet<i64> = members.iter().map(|m| m.member_no).collect();
        for m in members {
            match by_no.get(&m.member_no) {
                Some(o) => {
                    for ((f, a), (_, b)) in o.fields().into_iter().zip(m.fields()) {
                        if a != b {
                            changes.push(("member", Some(m.member_no), f, a, b));
                        }
                    }
                }
                None => changes.push(("member", Some(m.member_no), "created", None, None)),
            }
        }
        for o in &old_members {
            if !new_nos.contains(&o.member_no) {
                changes.push(("member", Some(o.member_no), "deleted", None, None));
            }
        }
        for (entity, member_no, field, a, b) in changes {
            self.pending_audits.push(audit::Pending {
                entity,
                household_id: Some(id),
                period: Some(p),
                member_no,
                field,
                old_value: a,
                new_value: b,
            });
        }
        for sql in [
            "DELETE FROM classification WHERE period = $1 AND household_id = $2",
            "DELETE FROM member WHERE period = $1 AND household_id = $2",
            "DELETE FROM survey WHERE period = $1 AND household_id = $2",
        ] {
            execute(live(&mut self.tx)?, sql, vec![p.into(), id.into()]).await?;
        }
        Ok(())
    }

    async fn village(&mut self, commune: &str, name: &str) -> Result<i64> {
        let key = (commune.to_string(), fold(name));
        if let Some(id) = self.villages.get(&key) {
            return Ok(*id);
        }
        self.settle().await?;
        let id = village_id(live(&mut self.tx)?, commune, name, &self.spec.actor, &self.spec.command).await?;
        self.villages.insert(key, id);
        Ok(id)
    }

    /// Hands the buffered rows to a task that writes them while the importer goes on; the
    /// next use of the transaction waits for it ([`Importer::settle`]).
    async fn flush(&mut self) -> Result<()> {
        self.settle().await?;
        self.write_moves().await?;
        audit::seal_into(
            live(&mut self.tx)?,
            &mut self.pending_audits,
            &self.spec.actor,
            &self.spec.command,
            &self.now,
            &mut self.audits,
        )
        .await?;
        let writes = Writes(
            [
                &mut self.households,
                &mut self.aliases,
                &mut self.surveys,
                &mut self.members,
                &mut self.classifications,
                &mut self.audits,
            ]
            .into_iter()
            .filter_map(TableBuffer::take)
            .collect(),
        );
        if writes.0.is_empty() {
            return Ok(());
        }
        let Some(mut tx) = self.tx.take() else { return Err(gone()) };
        self.in_flight = Some(tokio::spawn(async move {
            let r = writes.apply(&mut tx).await;
            (tx, r)
        }));
        Ok(())
    }

    /// Records the households linked to a predecessor as living in their new commune, a few
    /// thousand per statement (one statement per household took most of a second period's import),
    /// bound as arrays (PostgreSQL) or one JSON array of `[id, commune, province]` (SQLite).
    async fn write_moves(&mut self) -> Result<()> {
        for chunk in std::mem::take(&mut self.moved).chunks(2_000) {
            match &mut live(&mut self.tx)?.conn {
                TxConn::Postgres(c) => {
                    let ids: Vec<i64> = chunk.iter().map(|m| m.0).collect();
                    let communes: Vec<&str> = chunk.iter().map(|m| m.1.as_str()).collect();
                    let provinces: Vec<&str> = chunk.iter().map(|m| m.2.as_str()).collect();
                    sqlx::query(
                        "UPDATE household SET commune_code = v.c, province_code = v.p \
                         FROM UNNEST($1::BIGINT[], $2::TEXT[], $3::TEXT[]) AS v (id, c, p) WHERE household.id = v.id",
                    )
                    .bind(&ids)
                    .bind(&communes)
                    .bind(&provinces)
                    .execute(&mut **c)
                    .await?;
                }
                TxConn::Sqlite(c) => {
                    let mut rows = String::with_capacity(chunk.len() * 24);
                    for (i, (id, commune, province)) in chunk.iter().enumerate() {
                        rows.push_str(if i == 0 { "[[" } else { ",[" });
                        rows.push_str(itoa::Buffer::new().format(*id));
                        rows.push(',');
                        crate::sql::json_string(&mut rows, commune);
                        rows.push(',');
                        crate::sql::json_string(&mut rows, province);
                        rows.push(']');
                    }
                    rows.push(']');
                    sqlx::query(
                        "UPDATE household SET commune_code = v.c, province_code = v.p \
                         FROM (SELECT value ->> 0 AS id, value ->> 1 AS c, value ->> 2 AS p FROM json_each($1)) AS v \
                         WHERE household.id = v.id",
                    )
                    .bind(rows)
                    .execute(&mut **c)
                    .await?;
                }
            }
        }
        Ok(())
    }

    /// Waits for the rows being written, and takes the transaction back.
    async fn settle(&mut self) -> Result<()> {
        if let Some(task) = self.in_flight.take() {
            let (tx, r) = task.await.map_err(|e| StoreError::Invalid(format!("the writing task failed: {e}")))?;
            self.tx = Some(tx);
            r?;
        }
        Ok(())
    }

    /// Checks the people of the period across households, then commits — or rolls back when a
    /// conflict is found or nothing changed.
    pub async fn finish(self) -> Result<ImportSummary> {
        self.end(true).await
    }

    /// Everything [`Importer::finish`] checks, then rolls back: what the import would do, and
    /// its conflicts, with the registry unchanged (`committed` is false).
    pub async fn check(self) -> Result<ImportSummary> {
        self.end(false).await
    }

    async fn end(mut self, commit: bool) -> Result<ImportSummary> {
        self.flush().await?;
        self.settle().await?;
        let Some(mut tx) = self.tx.take() else { return Err(gone()) };
        let mut summary = std::mem::take(&mut self.summary);
        let mut unmapped: Vec<String> = self.unmapped.drain().collect();
        unmapped.sort();
        summary.unmapped_communes = unmapped;
        if !summary.conflicts.is_empty() {
            // Households refused as they came (out of scope, stale): nothing is written.
            tx.rollback().await?;
            return Ok(summary);
        }
        if summary.inserted + summary.updated == 0 {
            tx.rollback().await?;
            return Ok(summary);
        }
        // On an empty period everything is in this import: when no value was seen twice, the
        // period-wide checks cannot find anything.
        if self.period_had_answers || self.people.suspect {
            let seen = &self.seen;
            summary.conflicts =
                conflicts(&mut tx, self.period.year, &self.spec.scope, |hid| seen.contains(&hid)).await?;
        }
        summary.conflicts.extend(link_contradictions(&mut tx, self.period.year, self.batch_id).await?);
        if !summary.conflicts.is_empty() || !commit {
            tx.rollback().await?;
            return Ok(summary);
        }
        execute(
            &mut tx,
            "UPDATE import_batch SET households = $1, inserted = $2, updated = $3, unchanged = $4 WHERE id = $5",
            vec![
                (summary.households as i64).into(),
                (summary.inserted as i64).into(),
                (summary.updated as i64).into(),
                (summary.unchanged as i64).into(),
                self.batch_id.into(),
            ],
        )
        .await?;
        if tx.engine() == Engine::Postgres {
            execute(
                &mut tx,
                "SELECT setval(pg_get_serial_sequence('household', 'id'), (SELECT MAX(id) FROM household))",
                vec![],
            )
            .await?;
        }
        if self.rebuild_search_indexes {
            if tx.engine() == Engine::Postgres {
                // Sorting a few million index entries in memory rather than in 64 MB runs on disk.
                execute(&mut tx, "SET LOCAL maintenance_work_mem = '1GB'", vec![]).await?;
            }
            for sql in search_index_sql(tx.engine()) {
                execute(&mut tx, sql, vec![]).await?;
            }
        }
        let changed = crate::tally::Changed::Communes(std::mem::take(&mut self.changed_places));
        let version = crate::tally::bump(&mut tx, self.period.year, &changed).await?;
        if let Some(t) = self.tally.take() {
            // Everything of the period is in this import: its tally is complete.
            t.write(&mut tx, self.period.year, &self.spec.standard.id, version).await?;
        }
        tx.commit().await?;
        summary.batch = Some(self.batch_id);
        summary.committed = true;
        if summary.inserted + summary.updated >= 10_000 {
            // Planner statistics for what changed a lot (otherwise reports read a million rows
            // through an index, estimated at a handful). The import is stored whatever happens here.
            if let Err(e) = self.db.analyze().await {
                summary.not_done.push(AfterCommit {
                    what: "cập nhật thống kê truy vấn (ANALYZE / PRAGMA optimize) / refreshing the planner's statistics",
                    error: e.to_string(),
                });
            }
        }
        Ok(summary)
    }

    /// Gives up: nothing of this import is kept.
    pub async fn abort(mut self) -> Result<()> {
        // A failed write leaves nothing to roll back but the transaction itself.
        let _ = self.settle().await;
        match self.tx.take() {
            Some(tx) => tx.rollback().await,
            None => Ok(()),
        }
    }
}

/// The transaction, when no write holds it.
fn live(tx: &mut Option<Tx>) -> Result<&mut Tx> {
    tx.as_mut().ok_or_else(gone)
}

fn gone() -> StoreError {
    StoreError::Invalid("the import's transaction is gone after a failed write".into())
}

/// The village of `name` under `commune`, created (and audited) if new.
pub(crate) async fn village_id(tx: &mut Tx, commune: &str, name: &str, actor: &str, command: &str) -> Result<i64> {
    let key = fold(name);
    let found: Option<i64> = on_conn!(tx, c => sqlx::query_scalar(
        "SELECT id FROM village WHERE commune_code = $1 AND name_key = $2",
    )
    .bind(commune)
    .bind(&key)
    .fetch_optional(c)
    .await?);
    if let Some(id) = found {
        return Ok(id);
    }
    let now = crate::now();
    let id: i64 = on_conn!(tx, c => sqlx::query_scalar(
        "INSERT INTO village (commune_code, name, name_key, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(commune)
    .bind(name)
    .bind(&key)
    .bind(&now)
    .fetch_one(c)
    .await?);
    audit::record_now(
        tx,
        &Change {
            actor,
            command,
            entity: "village",
            household_id: None,
            period: None,
            member_no: None,
            field: commune,
            old_value: None,
            new_value: Some(name),
        },
        &now,
    )
    .await?;
    Ok(id)
}

/// Households of this import whose answers the recorded splits and merges rule out: merged
/// into another household in or before the period, or split off only after it.
async fn link_contradictions(tx: &mut Tx, period: i64, batch: i64) -> Result<Vec<Conflict>> {
    let rows: Vec<(String, String, String, i64)> = on_conn!(tx, c => sqlx::query_as(
        "SELECT s.commune_code, s.household_code, l.kind, l.period FROM survey s JOIN household_link l \
         ON (l.kind = 'merge' AND l.from_id = s.household_id AND l.period <= s.period) \
         OR (l.kind = 'split' AND l.to_id = s.household_id AND l.period > s.period) \
         WHERE s.period = $1 AND s.import_batch = $2 ORDER BY s.commune_code, s.household_code",
    )
    .bind(period)
    .bind(batch)
    .fetch_all(c)
    .await?);
    Ok(rows
        .into_iter()
        .map(|(commune, code, kind, year)| Conflict {
            kind: ConflictKind::LinkedAway,
            value: format!("{kind} {year}"),
            members: vec![(commune, code, 0, true)],
            elsewhere: 0,
        })
        .collect())
}

/// People shared by two households of a period.
/// Members of households outside `scope` (and not in this import) are counted, not named.
async fn conflicts(tx: &mut Tx, period: i64, scope: &Scope, in_import: impl Fn(i64) -> bool) -> Result<Vec<Conflict>> {
    type IdRow = (String, String, String, i64, i64, String, String);
    let ids: Vec<IdRow> = on_conn!(tx, c => sqlx::query_as(
        "SELECT m.id_number, s.commune_code, s.household_code, m.member_no, m.household_id, \
         s.current_province, s.current_commune FROM member m \
         JOIN survey s ON s.period = m.period AND s.household_id = m.household_id \
         WHERE m.period = $1 AND m.id_number IN ( \
            SELECT id_number FROM member WHERE period = $1 AND id_number IS NOT NULL \
            GROUP BY id_number HAVING COUNT(DISTINCT household_id) > 1) \
         ORDER BY m.id_number, s.commune_code, s.household_code, m.member_no",
    )
    .bind(period)
    .fetch_all(c)
    .await?);
    /// (current commune, folded name and birth date, commune as recorded, household code,
    /// member number, ID number, household id, current province).
    type PersonRow = (String, String, String, String, i64, Option<String>, i64, String);
    let people: Vec<PersonRow> = on_conn!(tx, c => sqlx::query_as(
        "SELECT s.current_commune, m.name_key || ' ' || m.birth_date, s.commune_code, s.household_code, m.member_no, \
         m.id_number, m.household_id, s.current_province FROM member m JOIN survey s ON s.period = m.period AND s.household_id = m.household_id \
         JOIN ( \
            SELECT s2.current_commune AS cc, m2.name_key AS nk, m2.birth_date AS bd FROM member m2 \
            JOIN survey s2 ON s2.period = m2.period AND s2.household_id = m2.household_id \
            WHERE m2.period = $1 AND m2.birth_year_only = 0 \
            GROUP BY s2.current_commune, m2.name_key, m2.birth_date HAVING COUNT(DISTINCT m2.household_id) > 1 \
         ) d ON d.cc = s.current_commune AND d.nk = m.name_key AND d.bd = m.birth_date \
         WHERE m.period = $1 AND m.birth_year_only = 0 \
         ORDER BY 1, 2, 3, 4, 5",
    )
    .bind(period)
    .fetch_all(c)
    .await?);
    let mut out: Vec<Conflict> = Vec::new();
    for (value, commune, code, no, hid, province, current) in ids {
        let ours = in_import(hid);
        let visible = ours || scope.contains(&province, &current);
        let c = match out.last_mut() {
            Some(c) if c.value == value => c,
            _ => {
                out.push(Conflict { kind: ConflictKind::SameIdNumber, value, members: Vec::new(), elsewhere: 0 });
                out.last_mut().expect("just pushed")
            }
        };
        if visible {
            c.members.push((commune, code, no, ours));
        } else {
            c.elsewhere += 1;
        }
    }
    // Groups of (current commune, folded name, birth date).
    /// (shared value, members holding it with whether the importer may see them, their ID
    /// numbers).
    type Group = (String, Vec<((String, String, i64, bool), bool)>, Vec<Option<String>>);
    let mut groups: Vec<Group> = Vec::new();
    let mut last_key = String::new();
    for (cc, value, commune, code, no, id, hid, province) in people {
        let key = format!("{cc}|{value}");
        let ours = in_import(hid);
        let m = ((commune, code, no, ours), ours || scope.contains(&province, &cc));
        match groups.last_mut() {
            Some(g) if key == last_key => {
                g.1.push(m);
                g.2.push(id);
            }
            _ => groups.push((value, vec![m], vec![id])),
        }
        last_key = key;
    }
    for (value, all, ids) in groups {
        // Namesakes born the same day whose ID numbers all differ are different people.
        let mut known: Vec<&str> = ids.iter().flatten().map(String::as_str).collect();
        known.sort_unstable();
        known.dedup();
        if known.len() == ids.len() {
            continue;
        }
        let elsewhere = all.iter().filter(|(_, visible)| !visible).count();
        let members = all.into_iter().filter(|(_, visible)| *visible).map(|(m, _)| m).collect();
        out.push(Conflict { kind: ConflictKind::SamePerson, value, members, elsewhere });
    }
    Ok(out)
}

impl crate::scope::Registry {
    /// Starts an import (or an edit) that may write only what this registry may change:
    /// households placed elsewhere are refused as [`ConflictKind::OutOfScope`].
    pub async fn begin_import(&self, mut spec: ImportSpec) -> Result<Importer> {
        if self.write.is_none() {
            return Err(StoreError::Forbidden("cập nhật hộ / changing households".into()));
        }
        spec.scope = self.write.clone();
        Importer::begin_unscoped(&self.db, spec).await
    }
}
