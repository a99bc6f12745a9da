-- The level that raised a finding (DESIGN.md section 3): its edits, its
-- extensions and the verification of its items are decided there, not on
-- the unit the finding is about, so that a county cannot rewrite or close
-- what the city pointed out to it. Findings recorded before are given the
-- cycle's unit, or the unit itself for self-examination.
ALTER TABLE findings ADD COLUMN raised_by BIGINT REFERENCES units(id);

UPDATE findings SET raised_by = CASE WHEN source = 'self_examination' THEN unit_id
    ELSE (SELECT c.unit_id FROM cycles c WHERE c.id = findings.cycle_id) END;
