-- The audit trail (internal/audit): append-only and hash-chained. seq is the
-- position in the chain; audit_head records the last event apart, so that
-- removing events from the end is detected too. at is Unix microseconds.
CREATE TABLE audit_events (
    seq         INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    login       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    object_type TEXT    NOT NULL,
    object_id   INTEGER NOT NULL,
    unit_id     INTEGER NOT NULL,
    unit_path   TEXT    NOT NULL,
    before_json TEXT    NOT NULL,
    after_json  TEXT    NOT NULL,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL
);
CREATE INDEX audit_events_unit ON audit_events(unit_path, seq);
CREATE INDEX audit_events_user ON audit_events(user_id, seq);
CREATE INDEX audit_events_object ON audit_events(object_type, object_id, seq);

CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT    NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Failed logins, per account ("login:NAME") and per address ("addr:IP"), for
-- rate limiting across every process.
CREATE TABLE login_failures (
    id  INTEGER PRIMARY KEY,
    key TEXT    NOT NULL,
    at  INTEGER NOT NULL
);
CREATE INDEX login_failures_key ON login_failures(key, at);
