package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"zeren/internal/audit"
)

// bulk collects rows for one multi-row INSERT statement after another.
type bulk struct {
	t     *Tx
	table string
	cols  string
	ncols int
	max   int
	args  []any
	n     int
	// the statement for n rows: a full batch and the last, shorter one
	queries map[int]string
}

func (t *Tx) bulk(table string, cols ...string) *bulk {
	limit := 32766 // SQLite's SQLITE_MAX_VARIABLE_NUMBER
	if t.s.engine == Postgres {
		limit = 65535
	}
	max := min(500, limit/len(cols))
	return &bulk{t: t, queries: map[int]string{}, table: table, cols: strings.Join(cols, ", "), ncols: len(cols), max: max,
		args: make([]any, 0, max*len(cols))}
}

func (b *bulk) add(ctx context.Context, vals ...any) error {
	if len(vals) != b.ncols {
		return fmt.Errorf("bulk %s: %d values for %d columns", b.table, len(vals), b.ncols)
	}
	b.args = append(b.args, vals...)
	b.n++
	if b.n >= b.max {
		return b.flush(ctx)
	}
	return nil
}

func (b *bulk) flush(ctx context.Context) error {
	if b.n == 0 {
		return nil
	}
	q, ok := b.queries[b.n]
	if !ok {
		var sb strings.Builder
		sb.WriteString("INSERT INTO " + b.table + " (" + b.cols + ") VALUES ")
		p := 0
		for i := range b.n {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteByte('(')
			for j := range b.ncols {
				if j > 0 {
					sb.WriteString(", ")
				}
				p++
				if b.t.s.engine == Postgres {
					sb.WriteString("$" + strconv.Itoa(p))
				} else {
					sb.WriteByte('?')
				}
			}
			sb.WriteByte(')')
		}
		q = sb.String()
		b.queries[b.n] = q
	}
	if _, err := b.t.tx.ExecContext(ctx, q, b.args...); err != nil {
		return fmt.Errorf("bulk insert into %s: %w", b.table, err)
	}
	b.args, b.n = b.args[:0], 0
	return nil
}

// chain seals audit events onto the chain whose head it read, and writes
// the new head when done.
type chain struct {
	rows *bulk
	seq  int64
	hash string
	n    int64
}

func (t *Tx) chain(ctx context.Context) (*chain, error) {
	c := &chain{rows: t.bulk("audit_events", "seq", "at", "user_id", "login", "action", "object_type", "object_id",
		"unit_id", "unit_path", "before_json", "after_json", "prev_hash", "hash")}
	if err := t.queryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`+t.forUpdate("")).Scan(&c.seq, &c.hash); err != nil {
		return nil, fmt.Errorf("audit head: %w", err)
	}
	return c, nil
}

func (c *chain) add(ctx context.Context, e audit.Event) error {
	e.Seal(c.seq, c.hash)
	c.seq, c.hash = e.Seq, e.Hash
	c.n++
	return c.rows.add(ctx, e.Seq, e.At.UnixMicro(), e.UserID, e.Login, e.Action, e.ObjectType, e.ObjectID,
		e.UnitID, e.UnitPath, string(e.Before), string(e.After), e.PrevHash, e.Hash)
}

func (c *chain) close(ctx context.Context, t *Tx) error {
	if err := c.rows.flush(ctx); err != nil {
		return err
	}
	_, err := t.exec(ctx, `UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`, c.seq, c.hash)
	return err
}
