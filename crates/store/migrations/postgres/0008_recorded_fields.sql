-- Recorded fields of the household schema (crates/core/src/schema.rs, `Storage::Recorded`):
-- read by no standard, recorded for the review forms and the plans (issue 11). One column per
-- field, named by its key; yes/no as 1/0, codes as text; NULL when not answered.
ALTER TABLE survey ADD COLUMN nlndn BIGINT;
ALTER TABLE survey ADD COLUMN local_ethnic_minority BIGINT;
ALTER TABLE survey ADD COLUMN moved_in_from TEXT;
ALTER TABLE survey ADD COLUMN support_health BIGINT;
ALTER TABLE survey ADD COLUMN support_education BIGINT;
ALTER TABLE survey ADD COLUMN support_production BIGINT;
ALTER TABLE survey ADD COLUMN support_credit BIGINT;
ALTER TABLE survey ADD COLUMN support_housing BIGINT;
ALTER TABLE survey ADD COLUMN support_other BIGINT;
