package store

import (
	"context"
	"fmt"

	"zeren/internal/finding"
)

// FindingCount is how many findings of a cycle share a source, an area and
// a status.
type FindingCount struct {
	Source finding.Source
	Area   string
	Status finding.Status
	Count  int
}

// FindingCounts counts a cycle's findings within the reader's scopes by
// source, area and status, for the cycle's summary: one grouped query
// instead of reading every finding.
func (s *Store) FindingCounts(ctx context.Context, cycleID int64, scopes []string) ([]FindingCount, error) {
	if len(scopes) == 0 {
		return nil, nil
	}
	where, args := scopeClause("un.path", scopes)
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT f.source, f.area, f.status, COUNT(*) FROM findings f
		JOIN units un ON un.id = f.unit_id WHERE f.cycle_id = ? AND `+where+`
		GROUP BY f.source, f.area, f.status ORDER BY f.source, f.area, f.status`), append([]any{cycleID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("finding counts: %w", err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (FindingCount, error) {
		var c FindingCount
		return c, r.Scan(&c.Source, &c.Area, &c.Status, &c.Count)
	})
}
