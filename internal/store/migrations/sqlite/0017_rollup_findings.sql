-- Findings counted per unit's whole subtree, cycle, source and area, kept
-- along the ancestor path in the transaction of every change, so that the
-- dashboards' "findings by source and area" never scan the findings.
CREATE TABLE rollup_findings (
    unit_id  INTEGER NOT NULL REFERENCES units(id),
    cycle_id INTEGER NOT NULL REFERENCES cycles(id),
    source   TEXT    NOT NULL,
    area     TEXT    NOT NULL,
    total    INTEGER NOT NULL DEFAULT 0,
    closed   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, cycle_id, source, area)
);

-- The findings recorded before, counted into every ancestor: each unit's
-- own counts first, then added to the unit and each of its ancestors
-- (found by the parent links, as a province's five levels take five steps).
WITH RECURSIVE up (unit_id, ancestor_id) AS (
    SELECT id, id FROM units
    UNION ALL
    SELECT up.unit_id, u.parent_id FROM up JOIN units u ON u.id = up.ancestor_id WHERE u.parent_id IS NOT NULL
), own AS (
    SELECT unit_id, cycle_id, source, area, COUNT(*) AS total, SUM(CASE WHEN status = 'closed' THEN 1 ELSE 0 END) AS closed
    FROM findings GROUP BY unit_id, cycle_id, source, area
)
INSERT INTO rollup_findings (unit_id, cycle_id, source, area, total, closed)
SELECT up.ancestor_id, own.cycle_id, own.source, own.area, SUM(own.total), SUM(own.closed)
FROM own JOIN up ON up.unit_id = own.unit_id
GROUP BY up.ancestor_id, own.cycle_id, own.source, own.area;
