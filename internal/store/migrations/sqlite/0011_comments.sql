-- The chair's comment on each report: drafted while the chair speaks,
-- published once; on publishing each problem becomes a finding of the unit.
CREATE TABLE comments (
    report_id    INTEGER NOT NULL PRIMARY KEY REFERENCES reports(id),
    affirmations TEXT    NOT NULL DEFAULT '',
    requirements TEXT    NOT NULL DEFAULT '',
    direction    TEXT    NOT NULL DEFAULT '',
    published_at INTEGER,
    version      INTEGER NOT NULL DEFAULT 1,
    updated_at   INTEGER NOT NULL
);

CREATE TABLE comment_problems (
    id         INTEGER PRIMARY KEY,
    report_id  INTEGER NOT NULL REFERENCES comments(report_id),
    position   INTEGER NOT NULL,
    area       TEXT    NOT NULL DEFAULT '',
    severity   TEXT    NOT NULL,
    text       TEXT    NOT NULL,
    finding_id INTEGER REFERENCES findings(id)
);
CREATE INDEX comment_problems_report ON comment_problems(report_id, position);

-- A finding remembers the report it was pointed out on, and how serious it is.
ALTER TABLE findings ADD COLUMN report_id INTEGER REFERENCES reports(id);
ALTER TABLE findings ADD COLUMN severity TEXT NOT NULL DEFAULT '';
