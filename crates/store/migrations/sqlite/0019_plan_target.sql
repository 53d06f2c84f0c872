-- Poverty-reduction targets by unit and year (issue 13): what a plan sets for a unit — its
-- households and poor households at the start of the year, the reduction to reach, the end
-- figures — as the plan's target table gives them (columns: vuonlen_core::targets). A unit's
-- row is set by its own plan or by its parent's table (parent_code).
CREATE TABLE plan_target (
    year             INTEGER NOT NULL,
    -- 'VN', a 2025 province (2 digits) or a 2025 commune (5 digits).
    unit_code        TEXT NOT NULL,
    -- Where the unit is, for the readers' scope: the province ('' for the country) and the
    -- commune ('' above the commune).
    current_province TEXT NOT NULL,
    current_commune  TEXT NOT NULL,
    unit_name        TEXT NOT NULL,
    -- The unit whose table set these figures (NULL: set for the unit itself).
    parent_code      TEXT,
    -- The figures by column key, as JSON ({"households": 2845, "poor_rate_pct": 1.51, …}).
    figures          TEXT NOT NULL,
    source_file      TEXT,
    recorded_by      TEXT NOT NULL,
    recorded_at      TEXT NOT NULL,
    PRIMARY KEY (year, unit_code)
) STRICT;
CREATE INDEX plan_target_parent ON plan_target (year, parent_code);
