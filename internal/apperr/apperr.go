// Package apperr holds the typed errors that every layer returns and that the
// web and API layers map to status codes. Messages are i18n catalog keys so the
// same error reads well in Chinese and English.
package apperr

import (
	"errors"
	"fmt"
)

// Kind classifies an error by what the caller should do about it.
type Kind int

// The kinds map one-to-one to HTTP statuses (see DESIGN.md section 5a).
const (
	Internal     Kind = iota // 500: a bug or an outage, logged once
	Invalid                  // 400: bad input, with the field named
	Unauthorized             // 401: no or bad credentials
	Forbidden                // 403: visible but not allowed
	NotFound                 // 404: absent or not visible
	Conflict                 // 409: stale version or wrong state
	TooLarge                 // 413
	RateLimited              // 429
)

// Error is an error with a kind, an optional field and a catalog key.
type Error struct {
	Kind  Kind
	Field string // form or JSON field at fault, if any
	Key   string // i18n catalog key of the message
	Args  []any  // arguments for the message
	Err   error  // wrapped cause, if any
}

func (e *Error) Error() string {
	s := e.Key
	if e.Field != "" {
		s = e.Field + ": " + s
	}
	if len(e.Args) > 0 {
		s += fmt.Sprint(e.Args...)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Field returns a bad-input error for one field.
func Field(field, key string, args ...any) *Error {
	return &Error{Kind: Invalid, Field: field, Key: key, Args: args}
}

// New returns an error of the given kind with a catalog key.
func New(kind Kind, key string, args ...any) *Error {
	return &Error{Kind: kind, Key: key, Args: args}
}

// KindOf reports the kind of err; errors that are not *Error are Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// As returns the *Error inside err, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Is reports whether err is of the given kind.
func Is(err error, kind Kind) bool { return KindOf(err) == kind }

// Status is the HTTP status for err.
func Status(err error) int {
	switch KindOf(err) {
	case Invalid:
		return 400
	case Unauthorized:
		return 401
	case Forbidden:
		return 403
	case NotFound:
		return 404
	case Conflict:
		return 409
	case TooLarge:
		return 413
	case RateLimited:
		return 429
	}
	return 500
}

// Code is the machine-readable error code used in API error bodies.
func Code(err error) string {
	return [...]string{"internal", "invalid", "unauthorized", "forbidden", "not_found", "conflict", "too_large", "rate_limited"}[KindOf(err)]
}
