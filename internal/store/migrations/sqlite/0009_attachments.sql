-- Evidence files, kept in the database with the report they support.
CREATE TABLE attachments (
    id          INTEGER PRIMARY KEY,
    report_id   INTEGER NOT NULL REFERENCES reports(id),
    name        TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    mime        TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    sha256      TEXT    NOT NULL,
    data        BLOB    NOT NULL,
    uploaded_by INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX attachments_report ON attachments(report_id);
