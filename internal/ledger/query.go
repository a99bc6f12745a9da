package ledger

import (
	"net/url"
	"strconv"
	"strings"

	"zeren/internal/apperr"
	"zeren/internal/finding"
	"zeren/internal/rectification"
)

// Query is the ledger's filter as a query string gives it (the ledger page,
// its export and the API): unit, status, kind, warning, source, area, q and
// sort. The store checks the values; only the unit's id is parsed here.
type Query struct {
	UnitID  int64
	Status  rectification.Status
	Kind    rectification.Kind
	Warning rectification.Warning
	Source  finding.Source
	Area    string
	Text    string
	Sort    string
	Carried bool // with a cycle: also the items carried over into it
}

// Carried reads the "carried" switch of a ledger query: a checkbox's "on",
// or "1" or "true" from the API.
func Carried(v url.Values) bool {
	switch strings.TrimSpace(v.Get("carried")) {
	case "on", "1", "true":
		return true
	}
	return false
}

// ParseQuery reads the filter; a malformed unit id is an error naming "unit".
func ParseQuery(v url.Values) (Query, error) {
	q := Query{
		Status:  rectification.Status(strings.TrimSpace(v.Get("status"))),
		Kind:    rectification.Kind(strings.TrimSpace(v.Get("kind"))),
		Warning: rectification.Warning(strings.TrimSpace(v.Get("warning"))),
		Source:  finding.Source(strings.TrimSpace(v.Get("source"))),
		Area:    strings.TrimSpace(v.Get("area")),
		Text:    strings.TrimSpace(v.Get("q")),
		Sort:    strings.TrimSpace(v.Get("sort")),
		Carried: Carried(v),
	}
	if s := strings.TrimSpace(v.Get("unit")); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return q, apperr.Field("unit", "err.not_a_number")
		}
		q.UnitID = n
	}
	return q, nil
}
