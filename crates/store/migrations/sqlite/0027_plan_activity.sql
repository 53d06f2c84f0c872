-- Activities of a unit's plan (issue 14): what will be done under a project or sub-project of the
-- catalogue, led by one agency and officer with partner agencies, where, for whom, what output,
-- when, and how far it has come. The agency responsibility matrix of a plan is read from them.
CREATE TABLE plan_activity (
    id               INTEGER PRIMARY KEY,
    unit_code        TEXT NOT NULL,
    current_province TEXT NOT NULL,
    current_commune  TEXT NOT NULL,
    year             INTEGER NOT NULL,
    project_code     TEXT NOT NULL,
    title            TEXT NOT NULL,
    lead_agency      TEXT NOT NULL,
    lead_officer     TEXT,
    -- Partner agencies, one per line.
    partners         TEXT NOT NULL,
    locations        TEXT,
    target_group     TEXT,
    planned_output   TEXT,
    starts_on        TEXT,
    ends_on          TEXT,
    -- planned | under_way | done | cancelled
    status           TEXT NOT NULL,
    recorded_by      TEXT NOT NULL,
    recorded_at      TEXT NOT NULL
) STRICT;
CREATE INDEX plan_activity_unit ON plan_activity (unit_code, year);
