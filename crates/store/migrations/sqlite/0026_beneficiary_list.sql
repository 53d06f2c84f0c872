-- Beneficiary lists (issue 14): the households of a commune a support is for, chosen from a
-- period's classification by a rule kept with the list (vuonlen_core::eligibility: classes, and
-- deprivations any of which), for a project of the catalogue and a kind of support; each
-- household with its class and deprivations when chosen (the reason it is there). Support
-- delivered against a list (support_record.list_id) is only for its households.
CREATE TABLE beneficiary_list (
    id               INTEGER PRIMARY KEY,
    period           INTEGER NOT NULL,
    standard_id      TEXT NOT NULL,
    current_province TEXT NOT NULL,
    current_commune  TEXT NOT NULL,
    title            TEXT NOT NULL,
    project_code     TEXT,
    support_kind     TEXT NOT NULL,
    -- The rule, as JSON ({"classes": ["poor"], "deprived_any": ["water"]}).
    rule             TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    created_at       TEXT NOT NULL
) STRICT;
CREATE INDEX beneficiary_list_place ON beneficiary_list (current_province, current_commune);

CREATE TABLE beneficiary (
    list_id      INTEGER NOT NULL,              -- → beneficiary_list (id)
    household_id INTEGER NOT NULL,              -- → household (id)
    class        TEXT NOT NULL,
    deprived     INTEGER NOT NULL,
    PRIMARY KEY (list_id, household_id)
) STRICT;
