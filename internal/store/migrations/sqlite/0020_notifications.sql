-- What pushes the loop: each person's contact and chosen outside channels,
-- the days without progress after which a cycle's overdue items get urge
-- notices from the system, and the notifications (the in-app inbox, and
-- the outbox the delivery jobs read).
ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN channels TEXT NOT NULL DEFAULT 'email';
ALTER TABLE cycles ADD COLUMN stall_days INTEGER NOT NULL DEFAULT 0;

-- One row per person, object and day (key), so that a sweep run twice, on
-- two processes or after a crash, tells each person once. queued_at is set
-- in the transaction that hands the row to a delivery job, to the batch
-- stamp its digest job reads.
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    link       TEXT    NOT NULL,
    params     TEXT    NOT NULL DEFAULT '{}',
    urgent     INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    read_at    INTEGER,
    queued_at  INTEGER,
    UNIQUE (user_id, key)
);
CREATE INDEX notifications_inbox ON notifications(user_id, id);
CREATE INDEX notifications_unread ON notifications(user_id) WHERE read_at IS NULL;
CREATE INDEX notifications_outbox ON notifications(id) WHERE queued_at IS NULL;

-- The sweep finds unanswered urge notices by their reply-by day.
CREATE INDEX urges_open ON urges(reply_by) WHERE replied_at IS NULL;
