-- Targets per result indicator (issue 13): what a plan sets beside the poverty counts — 100 % of
-- poor and near-poor households insured, 98 % of children at school, at most 2 % deprived of
-- clean water… — by indicator id of the framework (standards/indicators-*.toml; a deprivation
-- share as `deprived_shares:<indicator code>`), unit and year. Read and written like plan_target.
CREATE TABLE plan_indicator_target (
    year             INTEGER NOT NULL,
    unit_code        TEXT NOT NULL,
    current_province TEXT NOT NULL,
    current_commune  TEXT NOT NULL,
    indicator_id     TEXT NOT NULL,
    value            REAL NOT NULL,
    recorded_by      TEXT NOT NULL,
    recorded_at      TEXT NOT NULL,
    PRIMARY KEY (year, unit_code, indicator_id)
) STRICT;
