-- The democratic appraisal of a cycle. Ballots and voter marks are kept
-- apart so that no row links a voter to a grade: ballots have random ids and
-- neither a voter nor a time; WITHOUT ROWID stores both tables in key order,
-- so that not even the storage order follows the order of voting.
CREATE TABLE appraisals (
    id          INTEGER PRIMARY KEY,
    cycle_id    INTEGER NOT NULL UNIQUE REFERENCES cycles(id),
    status      TEXT    NOT NULL DEFAULT 'setup',
    scale       TEXT    NOT NULL,
    area_grades INTEGER NOT NULL DEFAULT 0,
    min_ballots INTEGER NOT NULL,
    opened_at   INTEGER,
    closed_at   INTEGER,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE rater_groups (
    id           INTEGER PRIMARY KEY,
    appraisal_id INTEGER NOT NULL REFERENCES appraisals(id),
    position     INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    weight       INTEGER NOT NULL
);
CREATE INDEX rater_groups_appraisal ON rater_groups(appraisal_id, position);

CREATE TABLE appraisal_voters (
    appraisal_id INTEGER NOT NULL REFERENCES appraisals(id),
    user_id      INTEGER NOT NULL REFERENCES users(id),
    group_id     INTEGER NOT NULL REFERENCES rater_groups(id),
    PRIMARY KEY (appraisal_id, user_id)
);
CREATE INDEX appraisal_voters_user ON appraisal_voters(user_id);

-- One-time codes, by hash only; unit_id is the attendee's own unit.
CREATE TABLE appraisal_codes (
    hash         TEXT    PRIMARY KEY,
    appraisal_id INTEGER NOT NULL REFERENCES appraisals(id),
    group_id     INTEGER NOT NULL REFERENCES rater_groups(id),
    unit_id      INTEGER REFERENCES units(id)
) WITHOUT ROWID;
CREATE INDEX appraisal_codes_appraisal ON appraisal_codes(appraisal_id, group_id);

-- Who has voted: a user ('u:ID') or a code ('c:HASH'); submission is the
-- hash of the voting page's token, so that a retry is told apart from a
-- second vote.
CREATE TABLE voter_marks (
    appraisal_id INTEGER NOT NULL REFERENCES appraisals(id),
    voter        TEXT    NOT NULL,
    group_id     INTEGER NOT NULL REFERENCES rater_groups(id),
    submission   TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (appraisal_id, voter)
) WITHOUT ROWID;

CREATE TABLE ballots (
    id           TEXT    PRIMARY KEY,
    appraisal_id INTEGER NOT NULL REFERENCES appraisals(id),
    report_id    INTEGER NOT NULL REFERENCES reports(id),
    group_id     INTEGER NOT NULL REFERENCES rater_groups(id),
    grade        INTEGER NOT NULL,
    area_grades  TEXT    NOT NULL DEFAULT '',
    comment      TEXT    NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX ballots_appraisal ON ballots(appraisal_id, report_id, group_id, grade);
