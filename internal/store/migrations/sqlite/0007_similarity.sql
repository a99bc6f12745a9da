-- Boilerplate detection: the MinHash signature of each submitted report
-- (internal/similarity) and its most similar other report, in the same
-- cycle or among the unit's earlier reports. score is 0 to 1.
CREATE TABLE report_similarity (
    report_id       INTEGER PRIMARY KEY REFERENCES reports(id),
    signature       BLOB    NOT NULL,
    score           REAL    NOT NULL DEFAULT 0,
    match_report_id INTEGER REFERENCES reports(id),
    computed_at     INTEGER NOT NULL
);
