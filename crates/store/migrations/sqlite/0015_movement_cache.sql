-- The movement forms' cache (issue 12: forms from the recognised lists as fast as form 1): for a
-- pair of periods, the households' movement tallies (forms 2 and 3) grouped by where they were at
-- the start and where they are at the end, each group in three views (both ends seen, start only,
-- end only: crates/store/src/movement_cache.rs). Labelled with a stamp of every period's
-- registry_version up to the end: rebuilt whole by the first report after any change.
CREATE TABLE movement_state (
    from_period INTEGER NOT NULL,
    to_period   INTEGER NOT NULL,
    stamp       TEXT NOT NULL,
    PRIMARY KEY (from_period, to_period)
) STRICT;

CREATE TABLE movement_group (
    id INTEGER PRIMARY KEY,
    from_period        INTEGER NOT NULL,
    to_period          INTEGER NOT NULL,
    has_start          INTEGER NOT NULL,
    start_province     TEXT NOT NULL,
    start_commune      TEXT NOT NULL,
    start_commune_code TEXT NOT NULL,
    start_unit_list    TEXT NOT NULL,
    start_village_id   INTEGER,
    has_end            INTEGER NOT NULL,
    end_province       TEXT NOT NULL,
    end_commune        TEXT NOT NULL,
    end_commune_code   TEXT NOT NULL,
    end_unit_list      TEXT NOT NULL,
    end_village_id     INTEGER,
    tally_both         TEXT NOT NULL,
    tally_start        TEXT NOT NULL,
    tally_end          TEXT NOT NULL
) STRICT;

-- One row per group: a rebuild that ran twice fails instead of doubling the figures.
CREATE UNIQUE INDEX movement_group_key ON movement_group (from_period, to_period,
    has_start, start_province, start_commune, start_commune_code, start_unit_list, COALESCE(start_village_id, 0),
    has_end, end_province, end_commune, end_commune_code, end_unit_list, COALESCE(end_village_id, 0));
