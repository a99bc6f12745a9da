package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"zeren/internal/apperr"
)

// PostgreSQL refuses text that SQLite stores: NUL and bytes that are not
// UTF-8 (SQLSTATE 22021 character_not_in_repertoire, "invalid byte sequence
// for encoding"), and \u0000 in jsonb (22P05 untranslatable_character). The
// web middleware and the API's decoder refuse such input with the field
// named; textConnector is the backstop behind them, so that any input they
// miss is still a 400, never a 500. It wraps the driver, so every query of
// the store goes through it.
type textConnector struct{ driver.Connector }

// pgConn is what the pgx stdlib connection offers database/sql.
type pgConn interface {
	driver.Conn
	driver.ConnPrepareContext
	driver.ConnBeginTx
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.NamedValueChecker
	driver.SessionResetter
}

// pgStmt is what a pgx stdlib prepared statement offers.
type pgStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

func (c textConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if pc, ok := conn.(pgConn); ok && err == nil {
		return textConn{pc}, nil
	}
	return conn, err
}

type textConn struct{ pgConn }

func (c textConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	res, err := c.pgConn.ExecContext(ctx, query, args)
	return res, textError(err)
}

func (c textConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	rows, err := c.pgConn.QueryContext(ctx, query, args)
	return rows, textError(err)
}

func (c textConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	st, err := c.pgConn.PrepareContext(ctx, query)
	if ps, ok := st.(pgStmt); ok && err == nil {
		return textStmt{ps}, nil
	}
	return st, err
}

type textStmt struct{ pgStmt }

func (s textStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	res, err := s.pgStmt.ExecContext(ctx, args)
	return res, textError(err)
}

func (s textStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	rows, err := s.pgStmt.QueryContext(ctx, args)
	return rows, textError(err)
}

// textError turns PostgreSQL's refusal of text into bad input; other
// errors pass unchanged (a unique violation stays a *pgconn.PgError).
func textError(err error) error {
	if err == nil {
		return nil
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) && (pg.Code == "22021" || pg.Code == "22P05") ||
		strings.Contains(err.Error(), "invalid byte sequence") {
		return &apperr.Error{Kind: apperr.Invalid, Key: "err.unstorable_text", Err: err}
	}
	return err
}
