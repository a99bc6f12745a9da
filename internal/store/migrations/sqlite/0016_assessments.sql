-- The assessment of a cycle (考核): its scheme as the organizer edited it
-- (JSON of assessment.Scheme), the scores entered by hand, the adjustments
-- with their reasons, and the computed results, one row per unit, which a
-- unit sees once published.
CREATE TABLE assessments (
    id           INTEGER PRIMARY KEY,
    cycle_id     INTEGER NOT NULL UNIQUE REFERENCES cycles(id),
    scheme       TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'draft',
    computed_at  INTEGER,
    published_at INTEGER,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

CREATE TABLE assessment_manual (
    assessment_id INTEGER NOT NULL REFERENCES assessments(id),
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    indicator     TEXT    NOT NULL,
    score         REAL    NOT NULL,
    PRIMARY KEY (assessment_id, unit_id, indicator)
);

CREATE TABLE assessment_adjustments (
    assessment_id INTEGER NOT NULL REFERENCES assessments(id),
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    points        REAL    NOT NULL,
    reason        TEXT    NOT NULL,
    PRIMARY KEY (assessment_id, unit_id)
);

CREATE TABLE assessment_scores (
    assessment_id INTEGER NOT NULL REFERENCES assessments(id),
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    final         REAL    NOT NULL,
    grade         TEXT    NOT NULL,
    peer_group    TEXT    NOT NULL,
    rank          INTEGER NOT NULL,
    result        TEXT    NOT NULL,
    PRIMARY KEY (assessment_id, unit_id)
);
CREATE INDEX assessment_scores_unit ON assessment_scores(unit_id);
