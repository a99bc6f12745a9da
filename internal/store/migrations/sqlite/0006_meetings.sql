-- The review meeting of a cycle. Attendee lists hold one name per line.
CREATE TABLE meetings (
    cycle_id   INTEGER PRIMARY KEY REFERENCES cycles(id),
    held_on    TEXT    NOT NULL DEFAULT '',
    place      TEXT    NOT NULL DEFAULT '',
    chair      TEXT    NOT NULL DEFAULT '',
    voting     TEXT    NOT NULL DEFAULT '',
    non_voting TEXT    NOT NULL DEFAULT '',
    observers  TEXT    NOT NULL DEFAULT '',
    version    INTEGER NOT NULL DEFAULT 1,
    updated_at INTEGER NOT NULL
);
