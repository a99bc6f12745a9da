package web

import (
	"net/http"
	"strconv"
	"strings"

	"zeren/internal/apperr"
)

// pathID reads the {id} path value; a malformed id is simply not found.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.NotFound, "err.not_found")
	}
	return id, nil
}

// formInt reads an integer form field, naming the field when it is malformed.
// An empty field reads as 0.
func formInt(r *http.Request, field string) (int64, error) {
	v := strings.TrimSpace(r.Form.Get(field))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, apperr.Field(field, "err.not_a_number")
	}
	return n, nil
}

// requiredInt is formInt for fields that must be present.
func requiredInt(r *http.Request, field string) (int64, error) {
	n, err := formInt(r, field)
	if err == nil && n == 0 {
		err = apperr.Field(field, "err.required")
	}
	return n, err
}
