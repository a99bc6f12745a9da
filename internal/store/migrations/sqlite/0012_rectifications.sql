-- Rectifications: the plan and work answering a finding, its timeline,
-- deadline extensions and urge notices; and the roll-up counters that let a
-- unit's figures for its whole subtree be read without scanning items.
ALTER TABLE findings ADD COLUMN root_cause TEXT NOT NULL DEFAULT '';

CREATE TABLE rectifications (
    id                 INTEGER PRIMARY KEY,
    finding_id         INTEGER NOT NULL REFERENCES findings(id),
    unit_id            INTEGER NOT NULL REFERENCES units(id),
    cycle_id           INTEGER NOT NULL REFERENCES cycles(id),
    status             TEXT    NOT NULL DEFAULT 'planning',
    measures           TEXT    NOT NULL DEFAULT '',
    owner              TEXT    NOT NULL DEFAULT '',
    responsible_leader TEXT    NOT NULL DEFAULT '',
    kind               TEXT    NOT NULL DEFAULT '',
    deadline           TEXT    NOT NULL DEFAULT '',
    original_deadline  TEXT    NOT NULL DEFAULT '',
    progress           TEXT    NOT NULL DEFAULT '',
    round              INTEGER NOT NULL DEFAULT 1,
    submitted_by       INTEGER,
    closed_on          TEXT    NOT NULL DEFAULT '',
    version            INTEGER NOT NULL DEFAULT 1,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX rectifications_finding ON rectifications(finding_id);
CREATE INDEX rectifications_unit ON rectifications(unit_id, cycle_id, status, deadline);
CREATE INDEX rectifications_cycle ON rectifications(cycle_id, status, deadline);

-- Every event of an item, for its timeline: plans, updates (with evidence),
-- moves, extensions, urge notices and replies.
CREATE TABLE rectification_events (
    id               INTEGER PRIMARY KEY,
    rectification_id INTEGER NOT NULL REFERENCES rectifications(id),
    at               INTEGER NOT NULL,
    user_id          INTEGER REFERENCES users(id),
    user_name        TEXT    NOT NULL DEFAULT '',
    kind             TEXT    NOT NULL,
    text             TEXT    NOT NULL DEFAULT '',
    detail           TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX rectification_events_item ON rectification_events(rectification_id, id);

-- Evidence files of an update, checked as a report's evidence is.
CREATE TABLE event_files (
    id          INTEGER PRIMARY KEY,
    event_id    INTEGER NOT NULL REFERENCES rectification_events(id),
    name        TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    mime        TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    sha256      TEXT    NOT NULL,
    data        BLOB    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX event_files_event ON event_files(event_id);

CREATE TABLE extensions (
    id               INTEGER PRIMARY KEY,
    rectification_id INTEGER NOT NULL REFERENCES rectifications(id),
    deadline         TEXT    NOT NULL,
    reason           TEXT    NOT NULL,
    requested_by     INTEGER REFERENCES users(id),
    decided_by       INTEGER REFERENCES users(id),
    status           TEXT    NOT NULL DEFAULT 'pending',
    created_at       INTEGER NOT NULL
);
CREATE INDEX extensions_item ON extensions(rectification_id);

CREATE TABLE urges (
    id               INTEGER PRIMARY KEY,
    rectification_id INTEGER NOT NULL REFERENCES rectifications(id),
    level            TEXT    NOT NULL,
    text             TEXT    NOT NULL,
    reply_by         TEXT    NOT NULL,
    issued_by        INTEGER REFERENCES users(id),
    issued_at        INTEGER NOT NULL,
    reply            TEXT    NOT NULL DEFAULT '',
    replied_by       INTEGER REFERENCES users(id),
    replied_at       INTEGER,
    escalated_to     INTEGER
);
CREATE INDEX urges_item ON urges(rectification_id);

-- Counters for each unit's whole subtree in a cycle, kept along the
-- ancestor path in the transaction of every change; open items are also
-- counted per deadline day, for the overdue and due-soon figures.
CREATE TABLE rollups (
    unit_id        INTEGER NOT NULL REFERENCES units(id),
    cycle_id       INTEGER NOT NULL REFERENCES cycles(id),
    total          INTEGER NOT NULL DEFAULT 0,
    planning       INTEGER NOT NULL DEFAULT 0,
    in_progress    INTEGER NOT NULL DEFAULT 0,
    awaiting       INTEGER NOT NULL DEFAULT 0,
    closed         INTEGER NOT NULL DEFAULT 0,
    closed_on_time INTEGER NOT NULL DEFAULT 0,
    days_to_close  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, cycle_id)
);

CREATE TABLE rollup_deadlines (
    unit_id  INTEGER NOT NULL REFERENCES units(id),
    cycle_id INTEGER NOT NULL REFERENCES cycles(id),
    day      TEXT    NOT NULL,
    open     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, cycle_id, day)
);
