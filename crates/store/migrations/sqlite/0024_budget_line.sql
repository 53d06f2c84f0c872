-- Budgets (issue 14): what a unit — the country, a province, a commune — is allocated for a
-- project or sub-project of the programme's catalogue (standards/projects-*.toml) in a year from
-- one source of funds, with what it has committed and disbursed, in đồng. Rolled up the
-- hierarchy by the program; a unit's children never allocated more than the unit, a
-- sub-project's lines never more than its project's, nothing committed or disbursed above the
-- allocation (checked in the transaction that writes a line, the parent's line locked).
CREATE TABLE budget_line (
    year             INTEGER NOT NULL,
    unit_code        TEXT NOT NULL,
    current_province TEXT NOT NULL,
    current_commune  TEXT NOT NULL,
    unit_name        TEXT NOT NULL,
    -- DA3 or DA3.TDA1 (the catalogue's code).
    project_code     TEXT NOT NULL,
    -- central | local | counterpart | mobilised | policy_credit (vuonlen_core::budget::FundSource).
    source           TEXT NOT NULL,
    allocated        INTEGER NOT NULL CHECK (allocated >= 0),
    committed        INTEGER CHECK (committed >= 0),
    disbursed        INTEGER CHECK (disbursed >= 0),
    note             TEXT,
    recorded_by      TEXT NOT NULL,
    recorded_at      TEXT NOT NULL,
    PRIMARY KEY (year, unit_code, project_code, source)
) STRICT;
CREATE INDEX budget_line_place ON budget_line (year, project_code, source, current_province, current_commune);
