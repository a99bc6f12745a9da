-- Bringing an organization in (issue 13). A unit's number (编号) is the
-- code the organization gives it, kept by imports to match a row of a
-- sheet to the unit it updates; empty for units without one.
-- A set-password link lets a person imported without a password choose
-- one: only the token's hash is kept, and the row goes once it is used.
ALTER TABLE units ADD COLUMN code TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX units_code ON units(code) WHERE code <> '';

CREATE TABLE password_links (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX password_links_user ON password_links(user_id);
