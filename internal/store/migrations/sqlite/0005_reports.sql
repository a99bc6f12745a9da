-- Duty reports: one per participating unit per cycle, a section per area,
-- and a copy of every submission.
CREATE TABLE reports (
    id            INTEGER PRIMARY KEY,
    cycle_id      INTEGER NOT NULL REFERENCES cycles(id),
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    status        TEXT    NOT NULL DEFAULT 'draft',
    return_reason TEXT    NOT NULL DEFAULT '',
    submissions   INTEGER NOT NULL DEFAULT 0,
    submitted_at  INTEGER,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (cycle_id, unit_id)
);
CREATE INDEX reports_unit ON reports(unit_id);

CREATE TABLE report_sections (
    report_id    INTEGER NOT NULL REFERENCES reports(id),
    area_id      INTEGER NOT NULL REFERENCES cycle_areas(id),
    achievements TEXT    NOT NULL DEFAULT '',
    problems     TEXT    NOT NULL DEFAULT '',
    next_steps   TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (report_id, area_id)
);

-- body is the report as submitted, JSON; n counts the submissions from 1.
CREATE TABLE report_versions (
    report_id    INTEGER NOT NULL REFERENCES reports(id),
    n            INTEGER NOT NULL,
    body         TEXT    NOT NULL,
    submitted_at INTEGER NOT NULL,
    submitted_by INTEGER NOT NULL,
    PRIMARY KEY (report_id, n)
);
