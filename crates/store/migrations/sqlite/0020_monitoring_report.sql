-- The monitoring cycle's reports (issue 13; Circular 10/2022/TT-BLĐTBXH): one per kind
-- (six_monthly, annual), year and unit, drafted from the registry and the targets, submitted,
-- returned or approved by the level above (then locked), and rolled up.
CREATE TABLE monitoring_report (
    id INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL,
    year             INTEGER NOT NULL,
    -- 'VN', a 2025 province or a 2025 commune; its place for the readers' scope.
    unit_code        TEXT NOT NULL,
    current_province TEXT NOT NULL,
    current_commune  TEXT NOT NULL,
    unit_name        TEXT NOT NULL,
    -- draft, submitted, returned, approved (vuonlen_core::monitoring::ReportState).
    state            TEXT NOT NULL,
    -- Indicator id -> value (null: not computable), as JSON; the unit's targets when drafted.
    figures          TEXT NOT NULL,
    targets          TEXT,
    -- The level above's comments when it returned the report.
    comment          TEXT,
    drafted_by       TEXT NOT NULL,
    drafted_at       TEXT NOT NULL,
    submitted_at     TEXT,
    decided_by       TEXT,
    decided_at       TEXT,
    UNIQUE (kind, year, unit_code)
) STRICT;
CREATE INDEX monitoring_report_place ON monitoring_report (kind, year, current_province, current_commune);

-- A province's own due day for its communes' reports (the circular's by default).
CREATE TABLE monitoring_due (
    kind          TEXT NOT NULL,
    year          INTEGER NOT NULL,
    province_code TEXT NOT NULL,
    due_on        TEXT NOT NULL,
    recorded_by   TEXT NOT NULL,
    recorded_at   TEXT NOT NULL,
    PRIMARY KEY (kind, year, province_code)
) STRICT;
