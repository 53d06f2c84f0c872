-- Review rounds (issue 12): the review as the law runs it (Decision 24/2021/QĐ-TTg). A round
-- (đợt rà soát) of a province in a review period lists households (Phụ lục I), screens
-- applicants (Phiếu A), records their survey (Phiếu B), the village meeting's vote, the public
-- posting with complaints and re-checks (phúc tra), and ends in each commune chair's decision
-- (Mẫu 02), which locks the commune's lists for the period. Every step is also in `audit`.
CREATE TABLE review_round (
    id            INTEGER PRIMARY KEY,
    period        INTEGER NOT NULL REFERENCES review_period(year),
    kind          TEXT NOT NULL CHECK (kind IN ('annual', 'regular')),
    province_code TEXT NOT NULL,
    starts_on     TEXT NOT NULL,
    ends_on       TEXT NOT NULL,
    list_year     INTEGER NOT NULL,             -- the year whose lists it establishes
    standard_id   TEXT NOT NULL,
    procedure_id  TEXT NOT NULL,
    opened_by     TEXT NOT NULL,
    opened_at     TEXT NOT NULL,
    UNIQUE (period, kind, province_code, starts_on)
) STRICT;

-- The round's calendar: each step's due day (the procedure's default or the province plan's).
CREATE TABLE review_deadline (
    round_id INTEGER NOT NULL REFERENCES review_round(id),
    step     TEXT NOT NULL,
    due_on   TEXT NOT NULL,
    source   TEXT NOT NULL,                      -- procedure | plan
    PRIMARY KEY (round_id, step)
) STRICT;

-- The communes taking part (today's communes), with their posting and decision.
CREATE TABLE review_commune (
    round_id         INTEGER NOT NULL REFERENCES review_round(id),
    current_commune  TEXT NOT NULL,
    current_province TEXT NOT NULL,
    listed_at        TEXT,
    posting_starts   TEXT,
    posting_ends     TEXT,
    posting_places   TEXT,
    decision_number  TEXT,
    decided_on       TEXT,
    signer           TEXT,
    decided_by       TEXT,
    PRIMARY KEY (round_id, current_commune)
) STRICT;

-- One household's review in a round.
CREATE TABLE review_case (
    round_id          INTEGER NOT NULL REFERENCES review_round(id),
    household_id      INTEGER NOT NULL REFERENCES household(id),
    current_commune   TEXT NOT NULL,
    current_province  TEXT NOT NULL,
    origin            TEXT NOT NULL,             -- listed | applied | applied_escape | village_proposed
    stage             TEXT NOT NULL,             -- listed | screened_out | surveyed | resurvey | agreed | decided
    previous_class    TEXT,                      -- the status it is reviewed from (last decision)
    applied_on        TEXT,
    screened_on       TEXT,
    screening_reason  TEXT,
    screening_note    TEXT,
    surveys           INTEGER NOT NULL DEFAULT 0,
    meeting_on        TEXT,
    attendees         INTEGER,
    agreeing          INTEGER,
    meetings          INTEGER NOT NULL DEFAULT 0,
    computed_class    TEXT,                      -- the standard's class when decided
    recognised_class  TEXT,                      -- what the decision recognised
    updated_at        TEXT NOT NULL,
    PRIMARY KEY (round_id, household_id)
) STRICT;
CREATE INDEX review_case_place ON review_case (round_id, current_province, current_commune, stage);
CREATE INDEX review_case_household ON review_case (household_id);

-- Complaints lodged during posting, and the re-check's outcome.
CREATE TABLE review_complaint (
    id            INTEGER PRIMARY KEY,
    round_id      INTEGER NOT NULL REFERENCES review_round(id),
    household_id  INTEGER NOT NULL REFERENCES household(id),
    lodged_on     TEXT NOT NULL,
    content       TEXT NOT NULL,
    outcome       TEXT CHECK (outcome IN ('upheld', 'rejected')),
    recheck_class TEXT,
    resolved_on   TEXT,
    recorded_by   TEXT NOT NULL,
    recorded_at   TEXT NOT NULL
) STRICT;
CREATE INDEX review_complaint_case ON review_complaint (round_id, household_id);

-- A commune's lists for a period, locked by its chair's decision: the official class is the
-- recognised one; later changes only through a regular round's decision.
CREATE TABLE period_lock (
    period           INTEGER NOT NULL REFERENCES review_period(year),
    current_commune  TEXT NOT NULL,
    current_province TEXT NOT NULL,
    round_id         INTEGER NOT NULL REFERENCES review_round(id),
    decision_number  TEXT NOT NULL,
    locked_at        TEXT NOT NULL,
    PRIMARY KEY (period, current_commune)
) STRICT;
