-- vuonlen registry, version 6: a tamper-evident audit log (issue 15, item 6). Every row is
-- sealed with a hash chained to the one before it (seq 1, 2, …; hash = SHA-256 over the row
-- and the previous hash, computed by the application, crate vuonlen-store, module chain), and
-- audit_head holds the last seq and hash, so that `vuonlen db check` sees a changed, removed,
-- forged or cut-off row even when the triggers below were disabled to make it. Writers lock
-- audit_head's row (SELECT … FOR UPDATE) before sealing: two transactions never chain to the
-- same predecessor. The runtime role (`vuonlen db migrate --create-roles`) does not own these
-- tables and cannot disable the triggers.

ALTER TABLE audit ADD COLUMN seq BIGINT, ADD COLUMN prev_hash TEXT, ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_seq ON audit (seq);

-- One row: the end of the chain. legacy_sealed is false while rows written before this version
-- wait for their seal (done once, in id order, by the next open of the database).
CREATE TABLE audit_head (
    id            SMALLINT PRIMARY KEY CHECK (id = 1),
    seq           BIGINT NOT NULL,
    hash          TEXT NOT NULL,
    legacy_sealed BOOLEAN NOT NULL
);
INSERT INTO audit_head (id, seq, hash, legacy_sealed)
SELECT 1, 0, repeat('0', 64), NOT EXISTS (SELECT 1 FROM audit);

-- Updates stay refused, except the one-time seal of a row written before this version (its
-- content unchanged); deletes and truncation as before.
DROP TRIGGER audit_no_change ON audit;
CREATE FUNCTION audit_seal_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.seq IS NULL AND NEW.seq IS NOT NULL
       AND (NEW.id, NEW.at, NEW.actor, NEW.command, NEW.entity, NEW.household_id, NEW.period, NEW.member_no,
            NEW.field, NEW.old_value, NEW.new_value)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.at, OLD.actor, OLD.command, OLD.entity, OLD.household_id, OLD.period, OLD.member_no,
            OLD.field, OLD.old_value, OLD.new_value)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit log is append-only';
END $$;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
FOR EACH ROW EXECUTE FUNCTION audit_seal_only();
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
FOR EACH ROW EXECUTE FUNCTION audit_append_only();

-- The head only moves forward and is never removed.
CREATE FUNCTION audit_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.seq >= OLD.seq AND NEW.id = OLD.id THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit head only moves forward';
END $$;
CREATE TRIGGER audit_head_forward BEFORE UPDATE OR DELETE ON audit_head
FOR EACH ROW EXECUTE FUNCTION audit_head_forward();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
FOR EACH STATEMENT EXECUTE FUNCTION audit_head_forward();
