-- vuonlen registry, SQLite. Same version numbers and tables as ../postgres.
-- Dates are ISO 'YYYY-MM-DD' text, booleans 0/1, money integer VND.

-- Administrative units of both official lists (đơn vị hành chính), effective-dated.
CREATE TABLE admin_unit (
    list          TEXT NOT NULL,              -- '2024' (three levels) | '2025' (two levels)
    code          TEXT NOT NULL,
    level         TEXT NOT NULL,              -- province | district | commune
    name          TEXT NOT NULL,
    division_type TEXT NOT NULL,
    parent_code   TEXT,
    province_code TEXT NOT NULL,
    valid_from    TEXT NOT NULL,
    valid_to      TEXT,
    PRIMARY KEY (list, code)
) STRICT;

-- 2024 commune -> 2025 commune(s).
CREATE TABLE unit_lineage (
    old_code  TEXT NOT NULL,
    new_code  TEXT NOT NULL,
    source    TEXT NOT NULL,                  -- official | admin
    added_by  TEXT,
    added_at  TEXT,
    PRIMARY KEY (old_code, new_code)
) STRICT;

-- Thôn / tổ dân phố under a commune.
CREATE TABLE village (
    id           INTEGER PRIMARY KEY,
    commune_code TEXT NOT NULL,
    name         TEXT NOT NULL,
    name_key     TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (commune_code, name_key)
) STRICT;

-- Kỳ rà soát.
CREATE TABLE review_period (
    year           INTEGER PRIMARY KEY,
    reference_date TEXT NOT NULL,
    standard_id    TEXT NOT NULL,
    unit_list      TEXT NOT NULL,
    created_at     TEXT NOT NULL
) STRICT;

-- A household's identity across periods.
CREATE TABLE household (
    id             INTEGER PRIMARY KEY,
    commune_code   TEXT NOT NULL,             -- current commune (2025 list where mapped)
    province_code  TEXT NOT NULL,             -- current province ('' when the lineage lacks it)
    household_code TEXT NOT NULL,
    created_at     TEXT NOT NULL
) STRICT;
CREATE INDEX household_scope ON household (province_code, commune_code);

-- The high-volume tables (household_alias, survey, member, classification) reference their
-- parents without declared foreign keys: a per-row check was two thirds of PostgreSQL's time in
-- a million-household import (docs/benchmarks.md §4). The importer writes parents first in the
-- same transaction, and `vuonlen db check` (Db::integrity) finds orphans; the contract tests
-- run it after every import.

-- Every (commune as recorded, household code) a household has been known by.
CREATE TABLE household_alias (
    commune_code   TEXT NOT NULL,
    household_code TEXT NOT NULL,
    household_id   INTEGER NOT NULL,             -- → household (id)
    PRIMARY KEY (commune_code, household_code)
) STRICT;
CREATE INDEX household_alias_household ON household_alias (household_id);

-- Tách hộ / nhập hộ, from a review period on. split: from = the household a new household split
-- off from, to = the new household; merge: from = the household that merged and ceased,
-- to = the household it joined. A household splits off one household only and merges into one.
CREATE TABLE household_link (
    from_id        INTEGER NOT NULL REFERENCES household (id),
    to_id          INTEGER NOT NULL REFERENCES household (id),
    kind           TEXT NOT NULL CHECK (kind IN ('split', 'merge')),
    period         INTEGER NOT NULL REFERENCES review_period (year),
    effective_date TEXT,                      -- date of the change, when known (within the period)
    actor          TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (from_id, to_id, kind),
    CHECK (from_id <> to_id)
) STRICT;
CREATE INDEX household_link_to ON household_link (to_id);
CREATE UNIQUE INDEX household_link_one_origin ON household_link (to_id) WHERE kind = 'split';
CREATE UNIQUE INDEX household_link_one_destination ON household_link (from_id) WHERE kind = 'merge';

CREATE TABLE import_batch (
    id          INTEGER PRIMARY KEY,
    period      INTEGER NOT NULL REFERENCES review_period (year),
    file_hash   TEXT NOT NULL,
    files       TEXT NOT NULL,
    actor       TEXT NOT NULL,
    at          TEXT NOT NULL,
    households  INTEGER NOT NULL,
    inserted    INTEGER NOT NULL,
    updated     INTEGER NOT NULL,
    unchanged   INTEGER NOT NULL
) STRICT;

-- The answers of one household in one period (phiếu rà soát), with the commune as recorded.
CREATE TABLE survey (
    period             INTEGER NOT NULL,          -- → review_period (year)
    household_id       INTEGER NOT NULL,          -- → household (id)
    commune_code       TEXT NOT NULL,
    unit_list          TEXT NOT NULL,
    current_commune    TEXT NOT NULL,
    current_province   TEXT NOT NULL,
    household_code     TEXT NOT NULL,
    village_id         INTEGER,                   -- → village (id)
    head_name          TEXT NOT NULL,
    address            TEXT NOT NULL,
    area               TEXT NOT NULL,
    income_per_capita  INTEGER,
    score_a            INTEGER,
    durable_structures INTEGER NOT NULL,
    floor_area_m2      REAL NOT NULL,
    water_source       TEXT NOT NULL,
    latrine            TEXT NOT NULL,
    internet_user      INTEGER NOT NULL,
    info_devices       INTEGER NOT NULL,
    waste_treatment    INTEGER,
    poverty_causes     TEXT NOT NULL,
    content_hash       INTEGER NOT NULL,
    import_batch       INTEGER NOT NULL,          -- → import_batch (id)
    PRIMARY KEY (period, household_id)
) STRICT;
CREATE INDEX survey_scope ON survey (period, current_province, current_commune);

-- Members of a household in one period, with their answers.
CREATE TABLE member (
    period           INTEGER NOT NULL,
    household_id     INTEGER NOT NULL,
    member_no        INTEGER NOT NULL,
    full_name        TEXT NOT NULL,
    name_key         TEXT NOT NULL,
    relation         TEXT NOT NULL,
    sex              TEXT NOT NULL,
    birth_date       TEXT NOT NULL,
    birth_year_only  INTEGER NOT NULL,
    ethnicity        TEXT NOT NULL,
    id_number        TEXT,
    health_insurance INTEGER NOT NULL,
    employment       TEXT NOT NULL,
    able_to_work     INTEGER NOT NULL,
    education        TEXT NOT NULL,
    in_school        INTEGER NOT NULL,
    school_on_track  INTEGER,
    malnourished     INTEGER,
    disability       TEXT NOT NULL,
    social_allowance INTEGER NOT NULL,
    merit            INTEGER NOT NULL,
    PRIMARY KEY (period, household_id, member_no)   -- (period, household_id) → survey
) STRICT;

-- Result of a standard on a period's answers; official = the standard in force for the period.
CREATE TABLE classification (
    period                 INTEGER NOT NULL,
    household_id           INTEGER NOT NULL,
    standard_id            TEXT NOT NULL,
    class                  TEXT NOT NULL,
    income_test            TEXT NOT NULL,
    compared_value         INTEGER NOT NULL,
    line                   INTEGER NOT NULL,
    deprived               INTEGER NOT NULL,   -- bit i = indicator i of the standard
    deprivation_count      INTEGER NOT NULL,
    subgroups              INTEGER NOT NULL,   -- bits: no labour, minority head, merit, children, elderly, disabled
    persons                INTEGER NOT NULL,
    head_ethnicity         INTEGER NOT NULL,
    causes                 INTEGER NOT NULL,
    children               INTEGER NOT NULL,
    children_no_insurance  INTEGER NOT NULL,
    children_malnourished  INTEGER NOT NULL,
    children_not_in_school INTEGER NOT NULL,
    children_schooling_deprived INTEGER NOT NULL,
    computed_at            TEXT NOT NULL,
    PRIMARY KEY (period, standard_id, household_id)  -- (period, household_id) → survey
) STRICT;

-- Report tallies (the shape of forms 1, 4–11): households of a period under a standard grouped by
-- every column reports select or group on, with their sums. Rebuilt from classification ⋈ survey
-- by the first report after the period changed (registry_version ≠ tally_state), so a million
-- households are grouped once, not for every report.
CREATE TABLE tally (
    period                      INTEGER NOT NULL,
    standard_id                 TEXT NOT NULL,
    current_province            TEXT NOT NULL,
    current_commune             TEXT NOT NULL,
    commune_code                TEXT NOT NULL,
    unit_list                   TEXT NOT NULL,
    village_id                  INTEGER,
    class                       TEXT NOT NULL,
    deprived                    INTEGER NOT NULL,   -- 0 unless poor or near-poor (likewise the next two)
    subgroups                   INTEGER NOT NULL,
    causes                      INTEGER NOT NULL,
    head_ethnicity              INTEGER NOT NULL,
    households                  INTEGER NOT NULL,
    persons                     INTEGER NOT NULL,
    children                    INTEGER NOT NULL,
    children_no_insurance       INTEGER NOT NULL,
    children_malnourished       INTEGER NOT NULL,
    children_not_in_school      INTEGER NOT NULL,
    children_schooling_deprived INTEGER NOT NULL
) STRICT;
CREATE INDEX tally_scope ON tally (period, standard_id, current_province, current_commune);

-- Bumped by every write to a period's answers, classifications or their units.
CREATE TABLE registry_version (
    period  INTEGER PRIMARY KEY,
    version INTEGER NOT NULL
) STRICT;

-- The registry_version each period's tally was built from, per standard.
CREATE TABLE tally_state (
    period      INTEGER NOT NULL,
    standard_id TEXT NOT NULL,
    version     INTEGER NOT NULL,
    PRIMARY KEY (period, standard_id)
) STRICT;

-- Append-only record of every change: who, when, what, through which command.
CREATE TABLE audit (
    id           INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    command      TEXT NOT NULL,
    entity       TEXT NOT NULL,               -- household | survey | member | unit_lineage | village | household_link
    household_id INTEGER,
    period       INTEGER,
    member_no    INTEGER,
    field        TEXT NOT NULL,
    old_value    TEXT,
    new_value    TEXT
) STRICT;
CREATE INDEX audit_household ON audit (household_id, id);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
