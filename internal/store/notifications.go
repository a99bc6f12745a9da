package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"zeren/internal/apperr"
	"zeren/internal/remind"
)

// Notify adds notifications, to active users only; one already given
// (same person and key) is left alone, so that a sweep run twice tells each
// person once. It returns how many were new, per kind. The rows go in a
// few hundred per statement, a kind at a time.
func (s *Store) Notify(ctx context.Context, ns []remind.Notification) (map[remind.Kind]int, error) {
	added := map[remind.Kind]int{}
	if len(ns) == 0 {
		return added, nil
	}
	ids := make([]int64, 0, len(ns))
	for _, n := range ns {
		ids = append(ids, n.UserID)
	}
	active, err := s.activeUsers(ctx, ids)
	if err != nil {
		return nil, err
	}
	byKind := map[remind.Kind][]remind.Notification{}
	for _, n := range ns {
		if active[n.UserID] {
			byKind[n.Kind] = append(byKind[n.Kind], n)
		}
	}
	now := unix(s.Now())
	err = s.Tx(ctx, func(tx *Tx) error {
		for k, list := range byKind {
			params := make([]string, len(list))
			for i, n := range list {
				b, err := json.Marshal(n.Args)
				if err != nil {
					return err
				}
				params[i] = string(b)
			}
			n, err := insertRowsThen(ctx, tx, `INSERT INTO notifications (user_id, kind, key, link, params, urgent, created_at) VALUES `,
				` ON CONFLICT (user_id, key) DO NOTHING`, 7, len(list), func(i int) []any {
					n := list[i]
					return []any{n.UserID, string(k), n.Key, n.Link, params[i], k.Urgent(), now}
				})
			if err != nil {
				return fmt.Errorf("notify: %w", err)
			}
			added[k] += int(n)
		}
		return nil
	})
	return added, err
}

// activeUsers returns which of the users exist and are not disabled.
func (s *Store) activeUsers(ctx context.Context, ids []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	seen := map[int64]bool{}
	uniq := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	for start := 0; start < len(uniq); start += 500 {
		part := uniq[start:min(start+500, len(uniq))]
		args := make([]any, 0, len(part)+1)
		for _, id := range part {
			args = append(args, id)
		}
		args = append(args, false)
		rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT id FROM users WHERE id IN (`+placeholders(len(part))+`) AND disabled = ?`), args...)
		if err != nil {
			return nil, err
		}
		list, err := collect(rows, func(r interface{ Scan(...any) error }) (int64, error) {
			var id int64
			return id, r.Scan(&id)
		})
		if err != nil {
			return nil, err
		}
		for _, id := range list {
			out[id] = true
		}
	}
	return out, nil
}

// NotifyUnit tells the people holding one of roles on the unit itself (not
// on an ancestor: a county leader is not told about each township's item)
// and returns how many were new.
func (s *Store) NotifyUnit(ctx context.Context, unitID int64, roles []string, n remind.Notification) (int, error) {
	ids, err := s.UnitPeople(ctx, []int64{unitID}, roles)
	if err != nil {
		return 0, err
	}
	ns := make([]remind.Notification, 0, len(ids[unitID]))
	for _, id := range ids[unitID] {
		x := n
		x.UserID = id
		ns = append(ns, x)
	}
	added, err := s.Notify(ctx, ns)
	return added[n.Kind], err
}

// UnitPeople returns, for each unit, the active users holding one of roles
// on that very unit.
func (s *Store) UnitPeople(ctx context.Context, unitIDs []int64, roles []string) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	if len(unitIDs) == 0 || len(roles) == 0 {
		return out, nil
	}
	const chunk = 500
	for start := 0; start < len(unitIDs); start += chunk {
		part := unitIDs[start:min(start+chunk, len(unitIDs))]
		args := make([]any, 0, len(part)+len(roles)+1)
		for _, id := range part {
			args = append(args, id)
		}
		for _, r := range roles {
			args = append(args, r)
		}
		args = append(args, false)
		rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT DISTINCT g.unit_id, g.user_id FROM grants g JOIN users u ON u.id = g.user_id
			WHERE g.unit_id IN (`+placeholders(len(part))+`) AND g.role IN (`+placeholders(len(roles))+`) AND u.disabled = ?
			ORDER BY g.unit_id, g.user_id`), args...)
		if err != nil {
			return nil, fmt.Errorf("unit people: %w", err)
		}
		for rows.Next() {
			var unitID, userID int64
			if err := rows.Scan(&unitID, &userID); err != nil {
				rows.Close()
				return nil, err
			}
			out[unitID] = append(out[unitID], userID)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

const notificationCols = `id, user_id, kind, key, link, params, urgent, created_at, read_at`

func scanNotification(r interface{ Scan(...any) error }) (remind.Notification, error) {
	var n remind.Notification
	var params string
	var created int64
	var read sql.NullInt64
	if err := r.Scan(&n.ID, &n.UserID, &n.Kind, &n.Key, &n.Link, &params, &n.Urgent, &created, &read); err != nil {
		return n, err
	}
	if err := json.Unmarshal([]byte(params), &n.Args); err != nil {
		return n, fmt.Errorf("notification %d: %w", n.ID, err)
	}
	n.CreatedAt = fromUnix(created)
	if read.Valid {
		t := fromUnix(read.Int64)
		n.ReadAt = &t
	}
	return n, nil
}

// Inbox lists a person's notifications, newest first, before the id given
// (0: from the newest), at most limit.
func (s *Store) Inbox(ctx context.Context, userID, before int64, limit int) ([]remind.Notification, error) {
	if before <= 0 {
		before = 1<<62 - 1
	}
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT `+notificationCols+` FROM notifications
		WHERE user_id = ? AND id < ? ORDER BY id DESC LIMIT ?`), userID, before, limit)
	if err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	return collect(rows, scanNotification)
}

// Unread counts a person's unread notifications.
func (s *Store) Unread(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.rd(ctx).QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL`), userID).Scan(&n)
	return n, err
}

// ReadNotification marks one of the person's notifications read and
// returns it; another person's is NotFound.
func (s *Store) ReadNotification(ctx context.Context, userID, id int64) (remind.Notification, error) {
	var n remind.Notification
	err := s.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ? AND read_at IS NULL`,
			unix(s.Now()), id, userID); err != nil {
			return err
		}
		var err error
		n, err = scanNotification(tx.queryRow(ctx, `SELECT `+notificationCols+` FROM notifications WHERE id = ? AND user_id = ?`, id, userID))
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "err.not_found")
		}
		return err
	})
	return n, err
}

// ReadAll marks every notification of the person read and returns how many.
func (s *Store) ReadAll(ctx context.Context, userID int64) (int, error) {
	var n int64
	err := s.Tx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL`, unix(s.Now()), userID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// Notification returns one notification by id, for its delivery job.
func (s *Store) Notification(ctx context.Context, id int64) (remind.Notification, error) {
	n, err := scanNotification(s.rd(ctx).QueryRowContext(ctx, s.q(`SELECT `+notificationCols+` FROM notifications WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return n, apperr.New(apperr.NotFound, "err.not_found")
	}
	return n, err
}

// Outbox is what waits to be handed to delivery jobs.
type Outbox struct {
	Urgent  map[int64]int64 // notification → person, each sent on its own
	Digests map[int64]int64 // person → notifications for their digest
	Batch   int64           // the stamp the rows are marked queued with
}

// TakeOutbox marks queued the notifications not yet handed to a job (the
// urgent ones, and with digests the rest too) and returns them; called in
// the transaction that inserts their jobs, so that a crash leaves them
// either queued with their jobs or waiting for the next run. Each row is
// taken by an UPDATE that rechecks it is still waiting, so two processes
// taking at once never take the same row.
func (s *Store) TakeOutbox(ctx context.Context, digests bool, limit int) (Outbox, error) {
	// A stamp of its own for each batch, so that a digest job reads exactly
	// the rows it was given, even with two batches in one second (in
	// microseconds: a job's arguments pass through JSON numbers, exact below 2⁵³).
	out := Outbox{Urgent: map[int64]int64{}, Digests: map[int64]int64{}, Batch: time.Now().UnixMicro()}
	err := s.Tx(ctx, func(tx *Tx) error {
		rows, err := tx.tx.QueryContext(ctx, s.q(`UPDATE notifications SET queued_at = ?
			WHERE queued_at IS NULL AND urgent = ? AND id IN (SELECT id FROM notifications WHERE queued_at IS NULL AND urgent = ? ORDER BY id LIMIT ?)
			RETURNING id, user_id`), out.Batch, true, true, limit)
		if err != nil {
			return err
		}
		taken, err := collect(rows, func(r interface{ Scan(...any) error }) ([2]int64, error) {
			var x [2]int64
			return x, r.Scan(&x[0], &x[1])
		})
		for _, x := range taken {
			out.Urgent[x[0]] = x[1]
		}
		if err != nil || !digests {
			return err
		}
		rows, err = tx.tx.QueryContext(ctx, s.q(`UPDATE notifications SET queued_at = ? WHERE queued_at IS NULL AND urgent = ? RETURNING user_id`), out.Batch, false)
		if err != nil {
			return err
		}
		users, err := collect(rows, func(r interface{ Scan(...any) error }) (int64, error) {
			var id int64
			return id, r.Scan(&id)
		})
		for _, u := range users {
			out.Digests[u]++
		}
		return err
	})
	return out, err
}

// Digest returns the notifications of a person's digest batch.
func (s *Store) Digest(ctx context.Context, userID, batch int64) ([]remind.Notification, error) {
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT `+notificationCols+` FROM notifications
		WHERE user_id = ? AND queued_at = ? AND urgent = ? ORDER BY id`), userID, batch, false)
	if err != nil {
		return nil, fmt.Errorf("digest: %w", err)
	}
	return collect(rows, scanNotification)
}

// Recipient is what delivery needs to know of a person.
type Recipient struct {
	ID       int64
	Name     string
	Locale   string
	Email    string
	Phone    string
	Channels []string
	Disabled bool
	UnitPath string // the unit of the person's first grant: where their robots are looked up
}

// Recipient loads a person for delivery.
func (s *Store) Recipient(ctx context.Context, userID int64) (Recipient, error) {
	rs, err := s.Recipients(ctx, []int64{userID})
	if err != nil {
		return Recipient{}, err
	}
	if len(rs) == 0 {
		return Recipient{}, apperr.New(apperr.NotFound, "err.not_found")
	}
	return rs[0], nil
}

// Recipients loads people for delivery, at most 500 at a time.
func (s *Store) Recipients(ctx context.Context, ids []int64) ([]Recipient, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT u.id, u.name, u.locale, u.email, u.phone, u.channels, u.disabled,
		(SELECT n.path FROM grants g JOIN units n ON n.id = g.unit_id WHERE g.user_id = u.id ORDER BY g.id LIMIT 1)
		FROM users u WHERE u.id IN (`+placeholders(len(ids))+`) ORDER BY u.id`), args...)
	if err != nil {
		return nil, fmt.Errorf("recipients: %w", err)
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (Recipient, error) {
		var r Recipient
		var channels string
		var path sql.NullString
		err := row.Scan(&r.ID, &r.Name, &r.Locale, &r.Email, &r.Phone, &channels, &r.Disabled, &path)
		r.Channels = SplitChannels(channels)
		r.UnitPath = path.String
		return r, err
	})
}

// SplitChannels reads the stored list of a person's outside channels.
func SplitChannels(s string) []string {
	var out []string
	for _, c := range strings.Split(s, ",") {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// SQLTx returns InTx's transaction, for the job queue to insert its jobs in it.
func (s *Store) SQLTx(ctx context.Context) *sql.Tx {
	if t, ok := ctx.Value(txKey{}).(*Tx); ok && t.s == s {
		return t.tx
	}
	return nil
}
