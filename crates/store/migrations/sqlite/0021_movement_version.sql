-- What the movement forms' cache is stamped with (crates/store/src/movement_cache.rs): a
-- period's version of what the households' paths read — classifications, places, splits and
-- merges — apart from `version`, which every write moves (review steps, resident totals and
-- decisions that recognise the computed classes do not change any path). Caches built before
-- this column are rebuilt once (their stamps named `version`).
ALTER TABLE registry_version ADD COLUMN movement_version INTEGER NOT NULL DEFAULT 0;
DELETE FROM movement_state;
