-- vuonlen registry, version 5: report tallies that cannot double (issue 15) and are rebuilt
-- only where the data changed. Same on both engines.

-- Caches made before this version may hold doubled groups (two rebuilds that ran at once):
-- dropped here, rebuilt by the next report.
DELETE FROM tally;
DELETE FROM tally_state;

-- One row per group: a second rebuild inserting the same groups fails instead of doubling the
-- figures. Replaces tally_scope (its prefix).
DROP INDEX tally_scope;
CREATE UNIQUE INDEX tally_group ON tally (period, standard_id, current_province, current_commune, commune_code,
    unit_list, COALESCE(village_id, 0), class, deprived, subgroups, causes, head_ethnicity);

-- What changed at each version of a period: the (today's) communes whose households were
-- written, so that a report rebuilds only their groups. ('*', '*'): anything may have changed
-- (units re-placed, a re-classification); ('-', '-'): nothing the tally reads (a household link).
CREATE TABLE tally_change (
    period           BIGINT NOT NULL,
    version          BIGINT NOT NULL,
    current_province TEXT NOT NULL,
    current_commune  TEXT NOT NULL,
    PRIMARY KEY (period, version, current_province, current_commune)
);
