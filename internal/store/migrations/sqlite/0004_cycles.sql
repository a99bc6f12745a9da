-- Review cycles: their areas, participating units and duty reports.
CREATE TABLE cycles (
    id         INTEGER PRIMARY KEY,
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    year       INTEGER NOT NULL,
    title      TEXT    NOT NULL,
    status     TEXT    NOT NULL DEFAULT 'planning',
    deadline   TEXT    NOT NULL DEFAULT '',
    version    INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (unit_id, year)
);

CREATE TABLE cycle_areas (
    id       INTEGER PRIMARY KEY,
    cycle_id INTEGER NOT NULL REFERENCES cycles(id),
    position INTEGER NOT NULL,
    name     TEXT    NOT NULL
);
CREATE INDEX cycle_areas_cycle ON cycle_areas(cycle_id, position);

-- position orders the on-the-spot reports; excused holds the reason a unit
-- need not submit, '' when it must.
CREATE TABLE participants (
    cycle_id INTEGER NOT NULL REFERENCES cycles(id),
    unit_id  INTEGER NOT NULL REFERENCES units(id),
    mode     TEXT    NOT NULL,
    position INTEGER NOT NULL,
    excused  TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (cycle_id, unit_id)
);
CREATE INDEX participants_unit ON participants(unit_id);
