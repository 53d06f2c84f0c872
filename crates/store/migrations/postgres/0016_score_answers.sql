-- Phiếu B's score A in the registry (issue 12): the score tables an administrator loads
-- (Circular 07/2021 Phụ lục III/IV are not public: none is shipped; purpose 'test' marks a table
-- with invented points), and each household's scored answers of a period — region, every
-- variable's category and points, the total — kept beside the survey's score_a.
CREATE TABLE score_table (
    id        TEXT PRIMARY KEY,
    title     TEXT NOT NULL,
    purpose   TEXT NOT NULL CHECK (purpose IN ('official', 'test')),
    body      TEXT NOT NULL,
    sha256    TEXT NOT NULL,
    loaded_by TEXT NOT NULL,
    loaded_at TEXT NOT NULL
);

CREATE TABLE score_answer (
    period       BIGINT NOT NULL,
    household_id BIGINT NOT NULL REFERENCES household(id),
    round_id     BIGINT REFERENCES review_round(id),
    table_id     TEXT NOT NULL REFERENCES score_table(id),
    region       TEXT NOT NULL,
    score_a      BIGINT NOT NULL,
    parts        TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    PRIMARY KEY (period, household_id)
);
