package store

import (
	"context"
	"database/sql"
	"errors"

	"zeren/internal/audit"
	"zeren/internal/cycle"
	"zeren/internal/unit"
)

// Meeting returns a cycle's meeting; an empty one (version 0) if none yet.
func (s *Store) Meeting(ctx context.Context, cycleID int64) (cycle.Meeting, error) {
	var m cycle.Meeting
	err := s.rd(ctx).QueryRowContext(ctx, s.q(`SELECT held_on, place, chair, voting, non_voting, observers, version
		FROM meetings WHERE cycle_id = ?`), cycleID).Scan(&m.HeldOn, &m.Place, &m.Chair, &m.Voting, &m.NonVoting, &m.Observers, &m.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return cycle.Meeting{}, nil
	}
	return m, err
}

// SaveMeeting stores the meeting if m.Version is the one read (0 for a new one).
func (s *Store) SaveMeeting(ctx context.Context, by audit.Actor, cycleID int64, m cycle.Meeting) (cycle.Meeting, error) {
	if err := m.Normalize(); err != nil {
		return m, err
	}
	err := s.Tx(ctx, func(tx *Tx) error {
		c, err := tx.cycleForUpdate(ctx, cycleID, 0)
		if err != nil {
			return err
		}
		before, err := s.Meeting(ctx, cycleID)
		if err != nil {
			return err
		}
		if before.Version != m.Version {
			return staleVersion()
		}
		now := unix(s.Now())
		if before.Version == 0 {
			_, err = tx.exec(ctx, `INSERT INTO meetings (cycle_id, held_on, place, chair, voting, non_voting, observers, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, cycleID, m.HeldOn, m.Place, m.Chair, m.Voting, m.NonVoting, m.Observers, now)
		} else {
			_, err = tx.exec(ctx, `UPDATE meetings SET held_on = ?, place = ?, chair = ?, voting = ?, non_voting = ?, observers = ?,
				version = version + 1, updated_at = ? WHERE cycle_id = ? AND version = ?`,
				m.HeldOn, m.Place, m.Chair, m.Voting, m.NonVoting, m.Observers, now, cycleID, m.Version)
		}
		if err != nil {
			return err
		}
		u := unit.Unit{ID: c.UnitID, Path: c.UnitPath}
		return tx.audit(ctx, by, change{action: "meeting.save", objectType: "cycle", objectID: cycleID, unit: &u, before: before, after: m})
	})
	if err != nil {
		return m, err
	}
	return s.Meeting(ctx, cycleID)
}
