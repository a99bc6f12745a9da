package store

import (
	"context"

	"zeren/internal/unit"
)

// ExecForTest runs raw SQL, for tests that tamper with the database.
func (s *Store) ExecForTest(ctx context.Context, query string) error {
	_, err := s.write.ExecContext(ctx, query)
	return err
}

// UpdateUnitUnauditedForBench does what UpdateUnit does minus the audit
// event, to measure what the event costs.
func (s *Store) UpdateUnitUnauditedForBench(ctx context.Context, id, version int64, name string) error {
	return s.Tx(ctx, func(tx *Tx) error {
		before, err := tx.unitForUpdate(ctx, id)
		if err != nil {
			return err
		}
		if before.Version != version {
			return staleVersion()
		}
		_, err = tx.exec(ctx, `UPDATE units SET name = ?, kind = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			name, string(unit.Committee), unix(s.Now()), id)
		if err != nil {
			return err
		}
		_, err = tx.unitForUpdate(ctx, id)
		return err
	})
}
