-- Findings: the problems pointed out to a unit (the rectification
-- capability builds on this table), and the answers a unit's next report
-- gives to each finding still open from an earlier cycle.
CREATE TABLE findings (
    id         INTEGER PRIMARY KEY,
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    cycle_id   INTEGER NOT NULL REFERENCES cycles(id),
    source     TEXT    NOT NULL,
    area       TEXT    NOT NULL DEFAULT '',
    text       TEXT    NOT NULL,
    status     TEXT    NOT NULL DEFAULT 'open',
    version    INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX findings_unit ON findings(unit_id, status);
CREATE INDEX findings_cycle ON findings(cycle_id);

CREATE TABLE report_carryovers (
    report_id  INTEGER NOT NULL REFERENCES reports(id),
    finding_id INTEGER NOT NULL REFERENCES findings(id),
    response   TEXT    NOT NULL DEFAULT '',
    progress   TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (report_id, finding_id)
);
