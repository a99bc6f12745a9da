package store

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/cycle"
	"zeren/internal/finding"
	"zeren/internal/ledger"
	"zeren/internal/unit"
)

// FindingsImport is a list of problems from inspection feedback to record
// as findings of a cycle.
type FindingsImport struct {
	CycleID int64
	Sheet   ledger.FindingSheet
	Read    []string // subtrees the importer sees (auth.ReadUnit): other units are unknown to them
	Record  []string // subtrees where the importer records findings (auth.RecordFinding)
	DryRun  bool     // check and report, change nothing
}

// ImportFindings records the sheet's problems as findings of the cycle with
// the source "inspection feedback", each with its item, audit events and
// counters, as every finding gets them (insertFinding). Every row is
// checked first: its unit (by full name or id) must lie in the cycle's
// subtree and in the importer's Record subtrees, its area must be one of
// the cycle's (when it has any), its severity a level of the cycle's scale.
// Nothing is recorded unless every row is valid, and then everything is,
// in one transaction. A row repeating a finding an earlier import recorded
// (same unit, same text) is skipped, so that importing a corrected file
// again records each problem once. A dry run reports what would be recorded.
func (s *Store) ImportFindings(ctx context.Context, by audit.Actor, in FindingsImport) (ledger.FindingsResult, error) {
	res := ledger.FindingsResult{Rows: len(in.Sheet.Rows) + len(in.Sheet.Errors), DryRun: in.DryRun,
		Errors: append([]ledger.RowError(nil), in.Sheet.Errors...)}
	err := s.Tx(ctx, func(tx *Tx) error {
		chk, err := tx.newFindingCheck(ctx, in)
		if err != nil {
			return err
		}
		if !RecordsIn(in.Record, chk.cycle) {
			return apperr.New(apperr.Forbidden, "err.forbidden")
		}
		var todo []ledger.NewFinding
		for _, row := range in.Sheet.Rows {
			nf, existing, err := chk.row(ctx, row)
			switch {
			case err != nil && apperr.KindOf(err) == apperr.Internal:
				return err
			case err != nil:
				res.Errors = append(res.Errors, ledger.RowError{Line: row.Line, Err: asAppErr(err)})
			case existing:
				res.Existing = append(res.Existing, nf)
			default:
				todo = append(todo, nf)
			}
		}
		res.Findings = todo
		if len(res.Errors) > 0 || in.DryRun || len(todo) == 0 {
			return errNothingToApply
		}
		for i := range todo {
			nf := &todo[i]
			if err := tx.insertFinding(ctx, by, &nf.Finding, chk.units[nf.UnitID]); err != nil {
				return fmt.Errorf("row %d: %w", nf.Line, err)
			}
			if err := tx.queryRow(ctx, `SELECT id FROM rectifications WHERE finding_id = ?`, nf.ID).Scan(&nf.RectificationID); err != nil {
				return fmt.Errorf("row %d: item: %w", nf.Line, err)
			}
		}
		return nil
	})
	if errors.Is(err, errNothingToApply) {
		err = nil
	}
	res.SortErrors()
	return res, err
}

// RecordsIn reports whether one of the subtrees where someone records
// findings (auth.RecordFinding) overlaps the cycle's: whether they may
// import findings into it at all. Their grant may lie above the cycle's
// unit or below it.
func RecordsIn(record []string, c cycle.Cycle) bool {
	for _, s := range record {
		if unit.Contains(s, c.UnitPath) || unit.Contains(c.UnitPath, s) {
			return true
		}
	}
	return false
}

// asAppErr is err as a row's error: checks return only typed ones.
func asAppErr(err error) *apperr.Error {
	if e, ok := apperr.As(err); ok {
		return e
	}
	return apperr.New(apperr.Invalid, "err.bad_form")
}

// findingCheck checks the rows of one import against its cycle.
type findingCheck struct {
	t     *Tx
	in    FindingsImport
	cycle cycle.Cycle
	areas []string
	cells map[string]unitCell // what each unit cell names, by the cell as written
	units map[int64]unit.Unit // the units named, locked
	seen  map[string]int      // unit id and text → the row that had them first
}

// unitCell is the unit a cell names, or why it names none.
type unitCell struct {
	id  int64
	err error
}

// newFindingCheck finds and locks the units the rows name, then locks the
// cycle and reads its areas. Locks are taken as CreateFinding takes them,
// units (in id order) before the cycle, so that the two cannot deadlock on
// PostgreSQL; the locked cycle keeps its areas and scale, and a concurrent
// import of the same file waits, then finds the findings recorded.
func (t *Tx) newFindingCheck(ctx context.Context, in FindingsImport) (*findingCheck, error) {
	c := &findingCheck{t: t, in: in, cells: map[string]unitCell{}, units: map[int64]unit.Unit{}, seen: map[string]int{}}
	var err error
	// Unlocked, only to prefer the units of its subtree among namesakes.
	c.cycle, err = scanCycle(t.queryRow(ctx, `SELECT `+cycleCols+` FROM cycles c JOIN units un ON un.id = c.unit_id WHERE c.id = ?`, in.CycleID))
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, row := range in.Sheet.Rows {
		if _, done := c.cells[row.Unit]; done {
			continue
		}
		cell, err := c.resolve(ctx, row)
		if err != nil {
			return nil, err
		}
		c.cells[row.Unit] = cell
		if cell.err == nil && !slices.Contains(ids, cell.id) {
			ids = append(ids, cell.id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		u, err := t.unitForUpdate(ctx, id)
		switch {
		case apperr.Is(err, apperr.NotFound):
			continue // reported as unknown by the rows naming it
		case err != nil:
			return nil, err
		}
		c.units[id] = u
	}
	if c.cycle, err = t.cycleForUpdate(ctx, in.CycleID, 0); err != nil {
		return nil, err
	}
	if c.areas, err = t.areaNames(ctx, in.CycleID); err != nil {
		return nil, err
	}
	return c, nil
}

// areaNames lists a cycle's areas in order.
func (t *Tx) areaNames(ctx context.Context, cycleID int64) ([]string, error) {
	rows, err := t.tx.QueryContext(ctx, t.s.q(`SELECT name FROM cycle_areas WHERE cycle_id = ? ORDER BY position`), cycleID)
	if err != nil {
		return nil, fmt.Errorf("areas: %w", err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (string, error) {
		var n string
		return n, r.Scan(&n)
	})
}

// resolve finds the unit a row's cell names: by id, or by full name among
// the units the importer sees. The error returned is a failure to read;
// a cell that names no unit, or several, says so in the unitCell.
func (c *findingCheck) resolve(ctx context.Context, row ledger.FindingRow) (unitCell, error) {
	if row.UnitID != 0 {
		return unitCell{id: row.UnitID}, nil
	}
	ids, err := c.unitsNamed(ctx, row.Unit)
	switch {
	case err != nil:
		return unitCell{}, err
	case len(ids) == 0:
		return unitCell{err: unknownUnit(row.Unit)}, nil
	case len(ids) > 1:
		return unitCell{err: apperr.Field(string(ledger.Unit), "err.findings_ambiguous_unit", len(ids), row.Unit)}, nil
	}
	return unitCell{id: ids[0]}, nil
}

func unknownUnit(cell string) error {
	return apperr.Field(string(ledger.Unit), "err.findings_unknown_unit", cell)
}

// unitsNamed returns the ids of the units the importer sees that bear the
// name: those in the cycle's subtree if there are any (names repeat across
// a province, less within one committee's units), else the others, which
// the rows will refuse as outside the cycle.
func (c *findingCheck) unitsNamed(ctx context.Context, name string) ([]int64, error) {
	rows, err := c.t.tx.QueryContext(ctx, c.t.s.q(`SELECT id, path FROM units WHERE name = ? ORDER BY path`), name)
	if err != nil {
		return nil, fmt.Errorf("units named %q: %w", name, err)
	}
	defer rows.Close()
	var inside, outside []int64
	for rows.Next() {
		var id int64
		var path string
		if err := rows.Scan(&id, &path); err != nil {
			return nil, err
		}
		switch {
		case !inScopes(path, c.in.Read):
		case unit.Contains(c.cycle.UnitPath, path):
			inside = append(inside, id)
		default:
			outside = append(outside, id)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(inside) > 0 {
		return inside, nil
	}
	return outside, nil
}

// row checks one row and returns the finding it asks for; existing is true
// when an earlier import recorded it.
func (c *findingCheck) row(ctx context.Context, row ledger.FindingRow) (nf ledger.NewFinding, existing bool, err error) {
	nf.Line = row.Line
	u, err := c.unit(row)
	if err != nil {
		return nf, false, err
	}
	f := finding.Finding{UnitID: u.ID, UnitName: u.Name, CycleID: c.cycle.ID, CycleYear: c.cycle.Year,
		Source: finding.InspectionFeedback, Severity: row.Severity, Text: row.Text, RootCause: row.RootCause, Status: finding.Open}
	if len(c.areas) > 0 {
		if f.Area, err = ledger.MatchArea(c.areas, row.Area); err != nil {
			return nf, false, err
		}
	} else {
		f.Area = row.Area // a cycle without areas takes any
	}
	if f.Severity != "" && !f.Severity.In(finding.Scale(c.cycle.Severities)) {
		return nf, false, apperr.Field(string(ledger.Severity), "err.findings_unknown_severity")
	}
	if err := f.Normalize(); err != nil {
		return nf, false, sheetField(err)
	}
	nf.Finding = f
	key := fmt.Sprintf("%d\x00%s", f.UnitID, f.Text)
	if first, dup := c.seen[key]; dup {
		return nf, false, apperr.Field(string(ledger.Problem), "err.findings_duplicate_row", first)
	}
	c.seen[key] = row.Line
	var n int
	if err := c.t.queryRow(ctx, `SELECT COUNT(*) FROM findings WHERE cycle_id = ? AND unit_id = ? AND source = ? AND text = ?`,
		f.CycleID, f.UnitID, string(finding.InspectionFeedback), f.Text).Scan(&n); err != nil {
		return nf, false, fmt.Errorf("earlier findings: %w", err)
	}
	return nf, n > 0, nil
}

// unit is the locked unit a row names, if findings may be recorded on it
// here: it lies in the cycle's subtree and in the importer's Record
// subtrees. Units the importer cannot see are unknown, whatever the cell says.
func (c *findingCheck) unit(row ledger.FindingRow) (unit.Unit, error) {
	cell := c.cells[row.Unit]
	if cell.err != nil {
		return unit.Unit{}, cell.err
	}
	u, ok := c.units[cell.id]
	field := string(ledger.Unit)
	switch {
	case !ok || !inScopes(u.Path, c.in.Read):
		return u, unknownUnit(row.Unit)
	case !unit.Contains(c.cycle.UnitPath, u.Path):
		return u, apperr.Field(field, "err.findings_outside_cycle", u.Name)
	case !inScopes(u.Path, c.in.Record):
		return u, apperr.Field(field, "err.findings_not_allowed", u.Name)
	}
	return u, nil
}

// sheetField renames the fields of a finding's errors to the sheet's
// columns: its text is the problem column.
func sheetField(err error) error {
	e, ok := apperr.As(err)
	if !ok || e.Field != "text" {
		return err
	}
	return apperr.Field(string(ledger.Problem), e.Key, e.Args...)
}
