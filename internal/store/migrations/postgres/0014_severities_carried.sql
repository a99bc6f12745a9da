-- A cycle's own severity scale, most serious first, one label per line;
-- empty for the default scale (serious, major, minor).
ALTER TABLE cycles ADD COLUMN severities TEXT NOT NULL DEFAULT '';

-- Items still open when a later cycle of their unit starts reporting are
-- carried into it: they stay in their own cycle's ledger and figures, and
-- the later cycle's ledger can list them too.
CREATE TABLE carried_items (
    cycle_id         BIGINT  NOT NULL REFERENCES cycles(id),
    rectification_id BIGINT  NOT NULL REFERENCES rectifications(id),
    PRIMARY KEY (cycle_id, rectification_id)
);
CREATE INDEX carried_items_item ON carried_items(rectification_id);
