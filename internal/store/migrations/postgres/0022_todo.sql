-- The to-do (待办) reads what waits on a person from indexes and counters,
-- never by scanning the items. Verifying items and deciding extensions are
-- decided on the level that raised the finding (0018), which the item
-- roll-ups (0012, counted along the item's unit) cannot tell apart: a
-- county's subtree holds items the city raised, which the county may not
-- verify. So items awaiting verification and pending extension requests
-- are also counted along the raising level's ancestor path, in the
-- transaction of every change: a supervisor's figure is one row per cycle.
CREATE TABLE rollup_raised (
    unit_id    BIGINT  NOT NULL REFERENCES units(id),
    cycle_id   BIGINT  NOT NULL REFERENCES cycles(id),
    awaiting   INTEGER NOT NULL DEFAULT 0,
    extensions INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, cycle_id)
);

WITH RECURSIVE up (unit_id, ancestor_id) AS (
    SELECT id, id FROM units
    UNION ALL
    SELECT up.unit_id, u.parent_id FROM up JOIN units u ON u.id = up.ancestor_id WHERE u.parent_id IS NOT NULL
), own AS (
    SELECT f.raised_by AS unit_id, r.cycle_id, 1 AS awaiting, 0 AS extensions
    FROM rectifications r JOIN findings f ON f.id = r.finding_id WHERE r.status = 'awaiting_verification' AND f.raised_by IS NOT NULL
    UNION ALL
    SELECT f.raised_by, r.cycle_id, 0, 1
    FROM extensions e JOIN rectifications r ON r.id = e.rectification_id JOIN findings f ON f.id = r.finding_id
    WHERE e.status = 'pending' AND f.raised_by IS NOT NULL
)
INSERT INTO rollup_raised (unit_id, cycle_id, awaiting, extensions)
SELECT up.ancestor_id, own.cycle_id, SUM(own.awaiting), SUM(own.extensions)
FROM own JOIN up ON up.unit_id = own.unit_id
GROUP BY up.ancestor_id, own.cycle_id;

-- A cycle's reports awaiting review are counted by status, not by reading
-- every participant's report.
CREATE INDEX reports_cycle_status ON reports(cycle_id, status);

-- The extension requests still waiting for a decision, which the to-do
-- lists one by one: few at any time, however many were ever made.
CREATE INDEX extensions_pending ON extensions(rectification_id) WHERE status = 'pending';
