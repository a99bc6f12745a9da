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

-- The findings recorded before, counted into every ancestor.
INSERT INTO rollup_findings (unit_id, cycle_id, source, area, total, closed)
SELECT a.id, f.cycle_id, f.source, f.area, COUNT(*), SUM(CASE WHEN f.status = 'closed' THEN 1 ELSE 0 END)
FROM findings f JOIN units un ON un.id = f.unit_id
JOIN units a ON substr(un.path, 1, length(a.path)) = a.path
GROUP BY a.id, f.cycle_id, f.source, f.area;
