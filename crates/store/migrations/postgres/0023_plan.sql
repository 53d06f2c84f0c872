-- Plans (issue 13): a unit's plan for a span of years — the year's plan (kế hoạch năm) or the
-- programme's five years (kế hoạch giai đoạn 2026–2030) — as the decision that issued it names
-- it. The targets it sets are plan_target and plan_indicator_target rows of the unit for each
-- year of the span; the plan says which decision holds them and what the span aims at.
CREATE TABLE plan (
    unit_code        TEXT NOT NULL,
    first_year       BIGINT NOT NULL,
    last_year        BIGINT NOT NULL CHECK (last_year >= first_year),
    current_province TEXT NOT NULL,
    current_commune  TEXT NOT NULL,
    unit_name        TEXT NOT NULL,
    title            TEXT NOT NULL,
    -- The issuing decision's number and date (số, ngày quyết định ban hành), if given.
    decision         TEXT,
    decided_on       TEXT,
    recorded_by      TEXT NOT NULL,
    recorded_at      TEXT NOT NULL,
    PRIMARY KEY (unit_code, first_year, last_year)
);
