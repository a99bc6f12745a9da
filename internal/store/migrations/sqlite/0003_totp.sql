-- The optional second factor (TOTP, RFC 6238) and system settings.
-- A session's stage is '' once fully logged in, 'totp' while the code is
-- due, 'enroll' while a user whose role requires the factor must set it up.
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT '';
CREATE TABLE settings (
    key     TEXT    PRIMARY KEY,
    value   TEXT    NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
