-- vuonlen registry, SQLite, version 2: the web application. Same tables as ../postgres.

-- Vietnamese alphabetical order of the head's name (given name first): vuonlen_core::collate.
ALTER TABLE survey ADD COLUMN head_sort TEXT NOT NULL DEFAULT '';
-- Search by name (folded, from its beginning) and by personal ID number.
CREATE INDEX member_name ON member (name_key, period);
CREATE INDEX member_id_number ON member (id_number) WHERE id_number IS NOT NULL;

-- People who sign in. role: commune_officer (unit = commune), province_officer (unit = province),
-- national_viewer, auditor (unit optional), admin (users and roles).
CREATE TABLE app_user (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,        -- lower case
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,               -- Argon2id, PHC string
    role          TEXT NOT NULL CHECK (role IN ('commune_officer', 'province_officer', 'national_viewer', 'auditor', 'admin')),
    unit_code     TEXT,
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL
);

-- Signed-in browsers: the cookie holds a random token, the table its SHA-256.
CREATE TABLE user_session (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES app_user (id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX user_session_user ON user_session (user_id);

-- Tokens of machine clients (Authorization: Bearer), stored as SHA-256.
CREATE TABLE api_token (
    id         INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id    INTEGER NOT NULL REFERENCES app_user (id),
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
