-- The report cache's rollup (issue 12: forms 1 and 4–13 under a second): each recorded commune's
-- tally groups folded into the counts the forms print (a serialized UnitTally), so that a
-- province's or the country's form adds up one row per commune instead of every group. Built
-- with the tally and from it (crates/store/src/tally/rollup.rs); `vuonlen db check` compares the two.
CREATE TABLE tally_commune (
    period           BIGINT NOT NULL,
    standard_id      TEXT NOT NULL,
    current_province TEXT NOT NULL,
    current_commune  TEXT NOT NULL,
    commune_code     TEXT NOT NULL,
    unit_list        TEXT NOT NULL,
    tally            TEXT NOT NULL,
    -- One row per recorded commune: a rollup built twice fails instead of doubling the figures.
    PRIMARY KEY (period, standard_id, current_province, current_commune, commune_code, unit_list)
);

-- Tallies built before this table have no rollup: the next report rebuilds them whole.
DELETE FROM tally_state;
