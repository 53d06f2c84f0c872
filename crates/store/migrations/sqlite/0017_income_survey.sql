-- Phiếu C (issue 12; Decision 24/2021, Circular 07/2021): a household's actual income over the
-- 12 months before the review, social allowances and state social assistance excluded, which
-- identifies middle-living households working in agriculture, forestry, fishery or salt making
-- (NLNDN). The income per person per month it gives goes into the survey's income_per_capita.
CREATE TABLE income_survey (
    period            INTEGER NOT NULL,
    household_id      INTEGER NOT NULL REFERENCES household(id),
    round_id          INTEGER REFERENCES review_round(id),
    nlndn             INTEGER NOT NULL,
    income_12m        INTEGER NOT NULL,
    allowances_12m    INTEGER NOT NULL,
    persons           INTEGER NOT NULL,
    income_per_capita INTEGER NOT NULL,
    surveyed_on       TEXT NOT NULL,
    recorded_by       TEXT NOT NULL,
    recorded_at       TEXT NOT NULL,
    PRIMARY KEY (period, household_id)
) STRICT;
