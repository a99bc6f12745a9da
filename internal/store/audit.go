package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"zeren/internal/audit"
	"zeren/internal/unit"
)

// change is what a mutation records: the action, the object, its unit and
// the state before and after.
type change struct {
	action     string
	objectType string
	objectID   int64
	unit       *unit.Unit // the unit the change belongs to, if any
	before     any
	after      any
}

// audit appends an event for the change to the chain, in the transaction of
// the change itself. Reading the head FOR UPDATE serializes appends across
// processes on PostgreSQL; on SQLite the write transaction already does.
func (t *Tx) audit(ctx context.Context, by audit.Actor, c change) error {
	lock := t.forUpdate("")
	var seq int64
	var hash string
	if err := t.queryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`+lock).Scan(&seq, &hash); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	e := audit.Event{At: t.s.Now(), UserID: by.UserID, Login: by.Login, Action: c.action,
		ObjectType: c.objectType, ObjectID: c.objectID, Before: audit.Snapshot(c.before), After: audit.Snapshot(c.after)}
	if c.unit != nil {
		e.UnitID, e.UnitPath = c.unit.ID, c.unit.Path
	}
	e.Seal(seq, hash)
	_, err := t.exec(ctx, `INSERT INTO audit_events (seq, at, user_id, login, action, object_type, object_id,
		unit_id, unit_path, before_json, after_json, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, e.At.UnixMicro(), e.UserID, e.Login, e.Action, e.ObjectType, e.ObjectID,
		e.UnitID, e.UnitPath, string(e.Before), string(e.After), e.PrevHash, e.Hash)
	if err != nil {
		return fmt.Errorf("audit append: %w", err)
	}
	if _, err := t.exec(ctx, `UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`, e.Seq, e.Hash); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	return nil
}

// Audit records an event that goes with no other change (a failed login).
func (s *Store) Audit(ctx context.Context, by audit.Actor, action, objectType string, objectID int64, detail any) error {
	return s.Tx(ctx, func(tx *Tx) error {
		return tx.audit(ctx, by, change{action: action, objectType: objectType, objectID: objectID, after: detail})
	})
}

const auditCols = `seq, at, user_id, login, action, object_type, object_id, unit_id, unit_path,
	before_json, after_json, prev_hash, hash`

func scanAudit(row interface{ Scan(...any) error }) (audit.Event, error) {
	var e audit.Event
	var at int64
	var before, after string
	err := row.Scan(&e.Seq, &at, &e.UserID, &e.Login, &e.Action, &e.ObjectType, &e.ObjectID, &e.UnitID, &e.UnitPath,
		&before, &after, &e.PrevHash, &e.Hash)
	e.At = time.UnixMicro(at).UTC()
	if before != "" {
		e.Before = json.RawMessage(before)
	}
	if after != "" {
		e.After = json.RawMessage(after)
	}
	return e, err
}

// VerifyAudit walks the whole chain in order and returns the number of
// events checked and the first problem, if any. It reads in pages, so
// memory stays flat however long the trail.
func (s *Store) VerifyAudit(ctx context.Context) (int64, *audit.Problem, error) {
	var headSeq int64
	var headHash string
	if err := s.rd(ctx).QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&headSeq, &headHash); err != nil {
		return 0, nil, fmt.Errorf("audit head: %w", err)
	}
	v := audit.NewVerifier(headSeq, headHash)
	after := int64(-1 << 62)
	for {
		rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT `+auditCols+` FROM audit_events WHERE seq > ? ORDER BY seq LIMIT 5000`), after)
		if err != nil {
			return v.Count(), nil, fmt.Errorf("read audit: %w", err)
		}
		n := 0
		for rows.Next() {
			e, err := scanAudit(rows)
			if err != nil {
				rows.Close()
				return v.Count(), nil, err
			}
			n++
			after = e.Seq
			if p := v.Next(e); p != nil {
				rows.Close()
				return v.Count(), p, nil
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return v.Count(), nil, err
		}
		if n == 0 {
			return v.Count(), v.End(), nil
		}
	}
}

// AuditFilter selects events for the audit page. Scopes are the subtrees the
// reader may audit; Unscoped also shows events that belong to no unit
// (logins, users), for readers whose scope is a whole tree.
type AuditFilter struct {
	Scopes     []string
	Unscoped   bool
	UnitPath   string // only this subtree
	UserID     int64
	ObjectType string
	ObjectID   int64
	Action     string // prefix, e.g. "unit." or "login.failure"
	From, To   time.Time
	Before     int64 // keyset: events with seq below this
	Limit      int
}

// AuditEvents lists events newest first.
func (s *Store) AuditEvents(ctx context.Context, f AuditFilter) ([]audit.Event, error) {
	var where []string
	var args []any
	switch {
	case len(f.Scopes) > 0 && f.Unscoped:
		scope, a := scopeClause("unit_path", f.Scopes)
		where, args = []string{"(" + scope + " OR unit_path = '')"}, a
	case len(f.Scopes) > 0:
		scope, a := scopeClause("unit_path", f.Scopes)
		where, args = []string{scope}, a
	case f.Unscoped:
		where = []string{"unit_path = ''"}
	default:
		return nil, nil
	}
	if f.UnitPath != "" {
		lo, hi := unit.SubtreeRange(f.UnitPath)
		where = append(where, "unit_path >= ? AND unit_path < ?")
		args = append(args, lo, hi)
	}
	if f.UserID != 0 {
		where = append(where, "user_id = ?")
		args = append(args, f.UserID)
	}
	if f.ObjectType != "" {
		where = append(where, "object_type = ?")
		args = append(args, f.ObjectType)
	}
	if f.ObjectID != 0 {
		where = append(where, "object_id = ?")
		args = append(args, f.ObjectID)
	}
	if f.Action != "" {
		where = append(where, "action LIKE ? ESCAPE '\\'")
		args = append(args, likeEscape(f.Action)+"%")
	}
	if !f.From.IsZero() {
		where = append(where, "at >= ?")
		args = append(args, f.From.UnixMicro())
	}
	if !f.To.IsZero() {
		where = append(where, "at < ?")
		args = append(args, f.To.UnixMicro())
	}
	if f.Before > 0 {
		where = append(where, "seq < ?")
		args = append(args, f.Before)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	args = append(args, f.Limit)
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT `+auditCols+` FROM audit_events WHERE `+
		strings.Join(where, " AND ")+` ORDER BY seq DESC LIMIT ?`), args...)
	if err != nil {
		return nil, fmt.Errorf("audit events: %w", err)
	}
	defer rows.Close()
	var out []audit.Event
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
