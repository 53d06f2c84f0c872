-- Jobs (issue 14; Decision 90/2022, project DA4: the labour-market link). Working-age members of
-- households who want work or training (job_seeker, scoped by the household's place), vacancies
-- the job centre or a commune enters (job_vacancy: no personal data), and placements (a person
-- placed in a job, which is also written as support of kind job_placement).
CREATE TABLE job_seeker (
    id               INTEGER PRIMARY KEY,
    household_id     INTEGER NOT NULL,          -- → household (id)
    member_no        INTEGER NOT NULL,
    -- What the person can do, the training and the job wanted: free text, matched folded.
    skills           TEXT NOT NULL,
    training_wanted  TEXT,
    job_wanted       TEXT,
    wants_abroad     INTEGER NOT NULL,
    registered_on    TEXT NOT NULL,
    current_province TEXT NOT NULL,
    current_commune  TEXT NOT NULL,
    recorded_by      TEXT NOT NULL,
    recorded_at      TEXT NOT NULL,
    UNIQUE (household_id, member_no)
) STRICT;
CREATE INDEX job_seeker_place ON job_seeker (current_province, current_commune);

CREATE TABLE job_vacancy (
    id               INTEGER PRIMARY KEY,
    -- The unit that entered it (a province's job centre, or a commune) and its place.
    unit_code        TEXT NOT NULL,
    current_province TEXT NOT NULL,
    current_commune  TEXT NOT NULL,
    employer         TEXT NOT NULL,
    title            TEXT NOT NULL,
    -- Skills asked, separated by commas.
    skills           TEXT NOT NULL,
    positions        INTEGER NOT NULL CHECK (positions > 0),
    min_age          INTEGER,
    max_age          INTEGER,
    wage             INTEGER CHECK (wage >= 0),   -- đồng a month
    workplace        TEXT,
    abroad           INTEGER NOT NULL,
    opens_on         TEXT NOT NULL,
    closes_on        TEXT,
    recorded_by      TEXT NOT NULL,
    recorded_at      TEXT NOT NULL
) STRICT;
CREATE INDEX job_vacancy_place ON job_vacancy (current_province, opens_on);

CREATE TABLE job_placement (
    id               INTEGER PRIMARY KEY,
    vacancy_id       INTEGER,                   -- → job_vacancy (id), when placed through one
    household_id     INTEGER NOT NULL,
    member_no        INTEGER NOT NULL,
    placed_on        TEXT NOT NULL,
    employer         TEXT NOT NULL,
    note             TEXT,
    current_province TEXT NOT NULL,
    current_commune  TEXT NOT NULL,
    recorded_by      TEXT NOT NULL,
    recorded_at      TEXT NOT NULL
) STRICT;
CREATE INDEX job_placement_vacancy ON job_placement (vacancy_id);
CREATE INDEX job_placement_place ON job_placement (current_province, current_commune);
