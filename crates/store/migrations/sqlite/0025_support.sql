-- Support received (issue 14): what a household, or one of its members, received — a kind of
-- vuonlen_core::support (its group one of the review forms' six), when, how much — with the
-- project and source of funds that paid for it and the beneficiary list it was delivered against,
-- when known. Its place (today's province and commune of the household) scopes it.
CREATE TABLE support_record (
    id               INTEGER PRIMARY KEY,
    household_id     INTEGER NOT NULL,          -- → household (id)
    member_no        INTEGER,
    delivered_on     TEXT NOT NULL,
    -- The review period it counts in (form 8 of that period): the year delivered.
    period           INTEGER NOT NULL,
    kind             TEXT NOT NULL,
    support_group    TEXT NOT NULL,
    -- The group's bit (vuonlen_core::support::SupportGroup::bit): a household's groups are
    -- SUM(DISTINCT group_bit).
    group_bit        INTEGER NOT NULL,
    amount           INTEGER CHECK (amount >= 0),
    project_code     TEXT,
    source           TEXT,
    list_id          INTEGER,
    note             TEXT,
    current_province TEXT NOT NULL,
    current_commune  TEXT NOT NULL,
    recorded_by      TEXT NOT NULL,
    recorded_at      TEXT NOT NULL
) STRICT;
CREATE INDEX support_record_household ON support_record (household_id, period);
CREATE INDEX support_record_place ON support_record (period, current_province, current_commune);

-- The groups of support each household received in a period, as a bit mask: what the report
-- cache adds to the recorded answers form 8 counts. Kept by the writes of support_record.
CREATE TABLE support_mask (
    period       INTEGER NOT NULL,
    household_id INTEGER NOT NULL,
    mask         INTEGER NOT NULL,
    PRIMARY KEY (period, household_id)
) STRICT;
