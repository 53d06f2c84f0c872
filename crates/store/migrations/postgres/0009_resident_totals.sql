-- Resident totals (issue 12): a commune's resident households and persons in a review period,
-- the base of every rate. A review surveys listed households and applicants only, so these are
-- an input (`vuonlen totals import`), not a count of surveys. Placed like a survey: the code as
-- recorded, the list it is read in, and today's commune and province (the scope and the report
-- selections apply to these columns as they do to `survey`).
CREATE TABLE resident_total (
    period           BIGINT NOT NULL REFERENCES review_period(year),
    commune_code     TEXT NOT NULL,
    unit_list        TEXT NOT NULL,
    current_commune  TEXT NOT NULL,
    current_province TEXT NOT NULL,
    households       BIGINT NOT NULL CHECK (households >= 0),
    persons          BIGINT NOT NULL CHECK (persons >= households),
    source           TEXT,
    recorded_by      TEXT NOT NULL,
    recorded_at      TEXT NOT NULL,
    PRIMARY KEY (period, commune_code)
);
CREATE INDEX resident_total_place ON resident_total (period, current_province, current_commune);
