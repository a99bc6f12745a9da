package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/rectification"
	"zeren/internal/unit"
)

// RequestExtension asks for a later deadline, with a reason; an organizer
// decides. One request at a time; the original deadline is kept.
func (s *Store) RequestExtension(ctx context.Context, by audit.Actor, id int64, deadline, reason string) error {
	reason, deadline = strings.TrimSpace(reason), strings.TrimSpace(deadline)
	if reason == "" {
		return apperr.Field("reason", "err.required")
	}
	if utf8.RuneCountInString(reason) > rectification.MaxTextLen {
		return apperr.Field("reason", "err.too_long", rectification.MaxTextLen)
	}
	d, err := time.Parse(rectification.Date, deadline)
	if err != nil {
		return apperr.Field("deadline", "err.bad_date")
	}
	return s.Tx(ctx, func(tx *Tx) error {
		x, err := tx.rectForUpdate(ctx, id, 0)
		if err != nil {
			return err
		}
		if x.Status != rectification.InProgress && x.Status != rectification.AwaitingVerification {
			return apperr.New(apperr.Conflict, "err.extension_state", string(x.Status))
		}
		if deadline <= x.Deadline || d.Before(rectification.Day(s.Now())) {
			return apperr.Field("deadline", "err.extension_later", x.Deadline)
		}
		var pending int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM extensions WHERE rectification_id = ? AND status = 'pending'`, id).Scan(&pending); err != nil {
			return err
		}
		if pending > 0 {
			return apperr.New(apperr.Conflict, "err.extension_pending")
		}
		if _, err := tx.exec(ctx, `INSERT INTO extensions (rectification_id, deadline, reason, requested_by, created_at) VALUES (?, ?, ?, ?, ?)`,
			id, deadline, reason, nullUser(by), unix(s.Now())); err != nil {
			return err
		}
		if err := tx.rollupRaised(ctx, x.Finding.RaisedByPath, x.CycleID, 0, 1); err != nil {
			return err
		}
		if err := tx.event(ctx, by, id, "extension_request", reason, deadline); err != nil {
			return err
		}
		return tx.audit(ctx, by, change{action: "rectification.extension_request", objectType: "rectification", objectID: id,
			unit: &unit.Unit{ID: x.UnitID, Path: x.UnitPath}, after: map[string]any{"deadline": deadline, "reason": reason}})
	})
}

func nullUser(by audit.Actor) any {
	if by.UserID == 0 {
		return nil
	}
	return by.UserID
}

// Extensions lists an item's extension requests, newest first.
func (s *Store) Extensions(ctx context.Context, id int64) ([]rectification.Extension, error) {
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT id, deadline, reason, status FROM extensions WHERE rectification_id = ? ORDER BY id DESC`), id)
	if err != nil {
		return nil, fmt.Errorf("extensions: %w", err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (rectification.Extension, error) {
		var e rectification.Extension
		return e, r.Scan(&e.ID, &e.Deadline, &e.Reason, &e.Status)
	})
}

// ExtensionItem returns the item an extension request belongs to.
func (s *Store) ExtensionItem(ctx context.Context, extID int64) (int64, error) {
	var id int64
	err := s.rd(ctx).QueryRowContext(ctx, s.q(`SELECT rectification_id FROM extensions WHERE id = ?`), extID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, apperr.New(apperr.NotFound, "err.not_found")
	}
	return id, err
}

// DecideExtension approves (moving the deadline) or refuses a pending request.
func (s *Store) DecideExtension(ctx context.Context, by audit.Actor, extID int64, approve bool) error {
	return s.Tx(ctx, func(tx *Tx) error {
		var id int64
		var deadline, status string
		err := tx.queryRow(ctx, `SELECT rectification_id, deadline, status FROM extensions WHERE id = ?`, extID).Scan(&id, &deadline, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "err.not_found")
		}
		if err != nil {
			return err
		}
		if status != "pending" {
			return apperr.New(apperr.Conflict, "err.extension_decided")
		}
		x, err := tx.rectForUpdate(ctx, id, 0)
		if err != nil {
			return err
		}
		decision, kind := "refused", "extension_refuse"
		if approve {
			decision, kind = "approved", "extension_approve"
			if x.Status == rectification.Closed {
				return apperr.New(apperr.Conflict, "err.rect_closed")
			}
			if _, err := tx.exec(ctx, `UPDATE rectifications SET deadline = ?, version = version + 1, updated_at = ? WHERE id = ?`,
				deadline, unix(s.Now()), id); err != nil {
				return err
			}
			after := *stateOf(x)
			after.deadline = deadline
			if err := tx.rollup(ctx, x.UnitPath, x.CycleID, stateOf(x), &after); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, `UPDATE extensions SET status = ?, decided_by = ? WHERE id = ?`, decision, nullUser(by), extID); err != nil {
			return err
		}
		if err := tx.rollupRaised(ctx, x.Finding.RaisedByPath, x.CycleID, 0, -1); err != nil {
			return err
		}
		if err := tx.event(ctx, by, id, kind, "", deadline); err != nil {
			return err
		}
		return tx.audit(ctx, by, change{action: "rectification." + kind, objectType: "rectification", objectID: id,
			unit: &unit.Unit{ID: x.UnitID, Path: x.UnitPath}, before: map[string]any{"deadline": x.Deadline},
			after: map[string]any{"deadline": deadline, "decision": decision}})
	})
}

const urgeCols = `u.id, u.rectification_id, u.level, u.text, u.reply_by, COALESCE(iu.name, ''), u.issued_at, u.reply,
	COALESCE(ru.name, ''), u.replied_at, u.escalated_to`

const urgeFrom = ` FROM urges u LEFT JOIN users iu ON iu.id = u.issued_by LEFT JOIN users ru ON ru.id = u.replied_by`

func scanUrge(row interface{ Scan(...any) error }) (rectification.Urge, error) {
	var u rectification.Urge
	var issued int64
	var replied, escalated sql.NullInt64
	err := row.Scan(&u.ID, &u.RectificationID, &u.Level, &u.Text, &u.ReplyBy, &u.IssuedBy, &issued, &u.Reply, &u.RepliedBy, &replied, &escalated)
	if errors.Is(err, sql.ErrNoRows) {
		return u, apperr.New(apperr.NotFound, "err.not_found")
	}
	u.IssuedAt, u.EscalatedTo = fromUnix(issued), escalated.Int64
	if replied.Valid {
		t := fromUnix(replied.Int64)
		u.RepliedAt = &t
	}
	return u, err
}

// Urges lists an item's urge notices, newest first.
func (s *Store) Urges(ctx context.Context, id int64) ([]rectification.Urge, error) {
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT `+urgeCols+urgeFrom+` WHERE u.rectification_id = ? ORDER BY u.id DESC`), id)
	if err != nil {
		return nil, fmt.Errorf("urges: %w", err)
	}
	return collect(rows, scanUrge)
}

// Urge returns one notice.
func (s *Store) Urge(ctx context.Context, id int64) (rectification.Urge, error) {
	return scanUrge(s.rd(ctx).QueryRowContext(ctx, s.q(`SELECT `+urgeCols+urgeFrom+` WHERE u.id = ?`), id))
}

// IssueUrge records a supervisor's notice on an open item.
func (s *Store) IssueUrge(ctx context.Context, by audit.Actor, id int64, u rectification.Urge) (int64, error) {
	if err := rectification.NormalizeUrge(&u, s.Now()); err != nil {
		return 0, err
	}
	var uid int64
	err := s.Tx(ctx, func(tx *Tx) error {
		var err error
		uid, err = tx.insertUrge(ctx, by, id, u)
		return err
	})
	return uid, err
}

func (t *Tx) insertUrge(ctx context.Context, by audit.Actor, id int64, u rectification.Urge) (int64, error) {
	x, err := t.rectForUpdate(ctx, id, 0)
	if err != nil {
		return 0, err
	}
	if x.Status == rectification.Closed {
		return 0, apperr.New(apperr.Conflict, "err.rect_closed")
	}
	var uid int64
	if err := t.queryRow(ctx, `INSERT INTO urges (rectification_id, level, text, reply_by, issued_by, issued_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		id, string(u.Level), u.Text, u.ReplyBy, nullUser(by), unix(t.s.Now())).Scan(&uid); err != nil {
		return 0, err
	}
	if err := t.event(ctx, by, id, "urge", u.Text, string(u.Level)); err != nil {
		return 0, err
	}
	return uid, t.audit(ctx, by, change{action: "rectification.urge", objectType: "rectification", objectID: id,
		unit: &unit.Unit{ID: x.UnitID, Path: x.UnitPath}, after: u})
}

// ReplyUrge records the unit's answer to a notice.
func (s *Store) ReplyUrge(ctx context.Context, by audit.Actor, urgeID int64, reply string) error {
	reply = strings.TrimSpace(reply)
	return s.Tx(ctx, func(tx *Tx) error {
		u, err := scanUrge(tx.queryRow(ctx, `SELECT `+urgeCols+urgeFrom+` WHERE u.id = ?`, urgeID))
		if err != nil {
			return err
		}
		if err := u.CheckReply(reply); err != nil {
			return err
		}
		x, err := tx.rectForUpdate(ctx, u.RectificationID, 0)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE urges SET reply = ?, replied_by = ?, replied_at = ? WHERE id = ?`, reply, nullUser(by), unix(s.Now()), urgeID); err != nil {
			return err
		}
		if err := tx.event(ctx, by, u.RectificationID, "urge_reply", reply, string(u.Level)); err != nil {
			return err
		}
		return tx.audit(ctx, by, change{action: "rectification.urge_reply", objectType: "rectification", objectID: u.RectificationID,
			unit: &unit.Unit{ID: x.UnitID, Path: x.UnitPath}, after: map[string]any{"urge_id": urgeID, "reply": reply}})
	})
}

// EscalateUrge replaces an unanswered notice with one of the next level.
func (s *Store) EscalateUrge(ctx context.Context, by audit.Actor, urgeID int64, text, replyBy string) (int64, error) {
	var newID int64
	err := s.Tx(ctx, func(tx *Tx) error {
		u, err := scanUrge(tx.queryRow(ctx, `SELECT `+urgeCols+urgeFrom+` WHERE u.id = ?`, urgeID))
		if err != nil {
			return err
		}
		if err := u.CheckEscalate(); err != nil {
			return err
		}
		next := rectification.Urge{Level: u.Level.Next(), Text: text, ReplyBy: replyBy}
		if err := rectification.NormalizeUrge(&next, s.Now()); err != nil {
			return err
		}
		if newID, err = tx.insertUrge(ctx, by, u.RectificationID, next); err != nil {
			return err
		}
		_, err = tx.exec(ctx, `UPDATE urges SET escalated_to = ? WHERE id = ?`, newID, urgeID)
		return err
	})
	return newID, err
}
