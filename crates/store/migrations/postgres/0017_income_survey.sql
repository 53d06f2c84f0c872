-- Phiếu C (issue 12; Decision 24/2021, Circular 07/2021): a household's actual income over the
-- 12 months before the review, social allowances and state social assistance excluded, which
-- identifies middle-living households working in agriculture, forestry, fishery or salt making
-- (NLNDN). The income per person per month it gives goes into the survey's income_per_capita.
CREATE TABLE income_survey (
    period            BIGINT NOT NULL,
    household_id      BIGINT NOT NULL REFERENCES household(id),
    round_id          BIGINT REFERENCES review_round(id),
    nlndn             BIGINT NOT NULL,
    income_12m        BIGINT NOT NULL,
    allowances_12m    BIGINT NOT NULL,
    persons           BIGINT NOT NULL,
    income_per_capita BIGINT NOT NULL,
    surveyed_on       TEXT NOT NULL,
    recorded_by       TEXT NOT NULL,
    recorded_at       TEXT NOT NULL,
    PRIMARY KEY (period, household_id)
);
