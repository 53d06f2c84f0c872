-- Helpers and commitments (issue 14): the cadre (cán bộ, đảng viên giúp đỡ) of an agency (cơ
-- quan, đơn vị) a province assigns to a poor or near-poor household for a period, the visits
-- the cadre makes (thăm hỏi: what was discussed, what the household needs), the household's
-- registration to escape poverty in a year (đăng ký thoát nghèo) and its signed commitment (bản
-- cam kết). Each row's place (today's province and commune of the household, copied as
-- support_record does) scopes it.
CREATE TABLE helper_assignment (
    id               INTEGER PRIMARY KEY,
    household_id     INTEGER NOT NULL,          -- → household (id)
    cadre_name       TEXT NOT NULL,
    cadre_position   TEXT,
    agency           TEXT NOT NULL,
    starts_on        TEXT NOT NULL,
    ends_on          TEXT,
    -- 1 for the household's current assignment (at most one: a new one ends it), else 0.
    active           INTEGER NOT NULL CHECK (active IN (0, 1)),
    current_province TEXT NOT NULL,
    current_commune  TEXT NOT NULL,
    recorded_by      TEXT NOT NULL,
    recorded_at      TEXT NOT NULL,
    CHECK (ends_on IS NULL OR ends_on >= starts_on)
) STRICT;
CREATE UNIQUE INDEX helper_assignment_current ON helper_assignment (household_id) WHERE active = 1;
CREATE INDEX helper_assignment_household ON helper_assignment (household_id, starts_on);
CREATE INDEX helper_assignment_place ON helper_assignment (current_province, current_commune);

CREATE TABLE helper_visit (
    id               INTEGER PRIMARY KEY,
    assignment_id    INTEGER NOT NULL REFERENCES helper_assignment (id),
    household_id     INTEGER NOT NULL,          -- → household (id)
    visited_on       TEXT NOT NULL,
    note             TEXT NOT NULL,
    needs            TEXT,
    current_province TEXT NOT NULL,
    current_commune  TEXT NOT NULL,
    recorded_by      TEXT NOT NULL,
    recorded_at      TEXT NOT NULL
) STRICT;
CREATE INDEX helper_visit_assignment ON helper_visit (assignment_id, visited_on);
CREATE INDEX helper_visit_household ON helper_visit (household_id, visited_on);

-- One registration per household and year.
CREATE TABLE escape_registration (
    household_id     INTEGER NOT NULL,          -- → household (id)
    year             INTEGER NOT NULL CHECK (year BETWEEN 2021 AND 2035),
    planned_measures TEXT NOT NULL,
    current_province TEXT NOT NULL,
    current_commune  TEXT NOT NULL,
    recorded_by      TEXT NOT NULL,
    recorded_at      TEXT NOT NULL,
    PRIMARY KEY (household_id, year)
) STRICT;
CREATE INDEX escape_registration_place ON escape_registration (year, current_province, current_commune);

-- One signed commitment per household and year (a registration of the year is not required).
CREATE TABLE escape_commitment (
    household_id     INTEGER NOT NULL,          -- → household (id)
    year             INTEGER NOT NULL CHECK (year BETWEEN 2021 AND 2035),
    signed_on        TEXT NOT NULL,
    content          TEXT NOT NULL,
    current_province TEXT NOT NULL,
    current_commune  TEXT NOT NULL,
    recorded_by      TEXT NOT NULL,
    recorded_at      TEXT NOT NULL,
    PRIMARY KEY (household_id, year)
) STRICT;
CREATE INDEX escape_commitment_place ON escape_commitment (year, current_province, current_commune);
