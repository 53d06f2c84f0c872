-- vuonlen registry, version 6: a tamper-evident audit log (issue 15, item 6). Every row is
-- sealed with a hash chained to the one before it (seq 1, 2, …; hash = SHA-256 over the row
-- and the previous hash, computed by the application, crate vuonlen-store, module chain), and
-- audit_head holds the last seq and hash, so that `vuonlen db check` sees a changed, removed,
-- forged or cut-off row even when the triggers below were dropped to make it.

ALTER TABLE audit ADD COLUMN seq INTEGER;
ALTER TABLE audit ADD COLUMN prev_hash TEXT;
ALTER TABLE audit ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_seq ON audit (seq);

-- One row: the end of the chain. legacy_sealed = 0 while rows written before this version wait
-- for their seal (done once, in id order, by the next open of the database).
CREATE TABLE audit_head (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    seq           INTEGER NOT NULL,
    hash          TEXT NOT NULL,
    legacy_sealed INTEGER NOT NULL
) STRICT;
INSERT INTO audit_head (id, seq, hash, legacy_sealed)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000',
        CASE WHEN EXISTS (SELECT 1 FROM audit) THEN 0 ELSE 1 END);

-- Updates stay refused, except the one-time seal of a row written before this version (its
-- content unchanged).
DROP TRIGGER audit_no_update;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
WHEN OLD.seq IS NOT NULL OR NEW.seq IS NULL OR NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at
  OR NEW.actor IS NOT OLD.actor OR NEW.command IS NOT OLD.command OR NEW.entity IS NOT OLD.entity
  OR NEW.household_id IS NOT OLD.household_id OR NEW.period IS NOT OLD.period
  OR NEW.member_no IS NOT OLD.member_no OR NEW.field IS NOT OLD.field
  OR NEW.old_value IS NOT OLD.old_value OR NEW.new_value IS NOT OLD.new_value
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;

-- The head only moves forward and is never removed.
CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head
WHEN NEW.seq < OLD.seq OR NEW.id IS NOT OLD.id
BEGIN SELECT RAISE(ABORT, 'audit head only moves forward'); END;
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN SELECT RAISE(ABORT, 'audit head only moves forward'); END;
