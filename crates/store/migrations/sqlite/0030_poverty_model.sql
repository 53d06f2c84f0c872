-- Poverty-reduction models (mô hình giảm nghèo, issue 14): a commune's model under a project of
-- the catalogue (Decision 90/2022, project DA2), its host (đơn vị chủ trì: a cooperative, a
-- group, an agency), place, years, budget by source of funds, results and status; the
-- households taking part (of its commune, checked by the writer); its replications in other
-- communes; and the exemplary cases (gương điển hình) told for communication. The model's
-- commune is its scope: read within the reader's area, written by who may change the commune.
CREATE TABLE poverty_model (
    id               INTEGER PRIMARY KEY,
    current_province TEXT NOT NULL,
    current_commune  TEXT NOT NULL,
    name             TEXT NOT NULL,
    host             TEXT NOT NULL,
    -- cooperative | cooperative_group | community_group | agency | enterprise | other
    host_kind        TEXT NOT NULL,
    place            TEXT,
    project_code     TEXT NOT NULL,
    start_year       INTEGER NOT NULL,
    end_year         INTEGER,
    result           TEXT,
    -- planned | under_way | done | cancelled
    status           TEXT NOT NULL,
    recorded_by      TEXT NOT NULL,
    recorded_at      TEXT NOT NULL
) STRICT;
CREATE INDEX poverty_model_place ON poverty_model (current_province, current_commune, start_year);

-- The model's budget in đồng, one row per source of funds (vuonlen_core::budget::FundSource keys).
CREATE TABLE poverty_model_budget (
    model_id INTEGER NOT NULL REFERENCES poverty_model (id),
    source   TEXT NOT NULL,
    amount   INTEGER NOT NULL,
    PRIMARY KEY (model_id, source)
) STRICT;

CREATE TABLE poverty_model_household (
    model_id     INTEGER NOT NULL REFERENCES poverty_model (id),
    household_id INTEGER NOT NULL,             -- → household (id), of the model's commune
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    PRIMARY KEY (model_id, household_id)
) STRICT;
CREATE INDEX poverty_model_household_household ON poverty_model_household (household_id);

-- The model taken up by another commune (nhân rộng), recorded by the province or the model's commune.
CREATE TABLE poverty_model_replication (
    id            INTEGER PRIMARY KEY,
    model_id      INTEGER NOT NULL REFERENCES poverty_model (id),
    commune_code  TEXT NOT NULL,
    province_code TEXT NOT NULL,
    year          INTEGER NOT NULL,
    households    INTEGER NOT NULL,
    note          TEXT,
    recorded_by   TEXT NOT NULL,
    recorded_at   TEXT NOT NULL
) STRICT;
CREATE INDEX poverty_model_replication_model ON poverty_model_replication (model_id);

-- Exemplary households and cases (điển hình tiên tiến, gương thoát nghèo) for communication.
CREATE TABLE poverty_model_case (
    id           INTEGER PRIMARY KEY,
    model_id     INTEGER NOT NULL REFERENCES poverty_model (id),
    household_id INTEGER,                      -- → household (id), of the model's commune
    title        TEXT NOT NULL,
    story        TEXT,
    year         INTEGER NOT NULL,
    -- 1 when the household escaped poverty (gương thoát nghèo).
    escaped      INTEGER NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
) STRICT;
CREATE INDEX poverty_model_case_model ON poverty_model_case (model_id);
