-- Applications received at any time (issue 12, regular review: Decision 24/2021/QĐ-TTg art. 5):
-- Mẫu 01 (to be recognised poor or near-poor) and Mẫu 04 (to be recognised as escaped), kept
-- until a round of their commune takes them up (`round_id`); each must be decided, or refused in
-- writing, by the deadline of the regular review that follows it.
CREATE TABLE review_application (
    id               INTEGER PRIMARY KEY,
    household_id     INTEGER NOT NULL REFERENCES household(id),
    current_commune  TEXT NOT NULL,
    current_province TEXT NOT NULL,
    origin           TEXT NOT NULL CHECK (origin IN ('applied', 'applied_escape', 'village_proposed')),
    applied_on       TEXT NOT NULL,
    recorded_by      TEXT NOT NULL,
    recorded_at      TEXT NOT NULL,
    round_id         INTEGER REFERENCES review_round(id)
) STRICT;
CREATE INDEX review_application_place ON review_application (current_province, current_commune, round_id);
