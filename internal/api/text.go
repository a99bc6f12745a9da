package api

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"zeren/internal/apperr"
)

// StorableText reports whether s is text that both engines store alike:
// valid UTF-8 without NUL. SQLite keeps anything; PostgreSQL refuses NUL
// and invalid UTF-8 in text columns, so such input is refused at the edge
// (here for JSON, in the web middleware for paths, queries and forms).
func StorableText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// BadText is the 400 error naming a field that holds such text.
func BadText(field string) error { return apperr.Field(field, "err.bad_text") }

// jsonFrame is an object or array being read by checkJSONText.
type jsonFrame struct {
	obj     bool
	key     string // the member being read, in an object
	wantKey bool   // the next string is a member name
}

// checkJSONText finds the first string of a JSON body, value or member name,
// that holds NUL (written \u0000) or bytes that are not UTF-8, and names its
// field as encoding/json names fields: member names joined by dots, without
// array indices; a bad member name names the object holding it. Bodies that
// are not well-formed are left to the decoder to report.
func checkJSONText(body []byte) error {
	if utf8.Valid(body) && !bytes.Contains(body, []byte(`\u0000`)) {
		return nil // the common case, without a second pass
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var stack []jsonFrame
	var prev int64
	done := func() { // a value has ended
		if n := len(stack); n > 0 && stack[n-1].obj {
			stack[n-1].wantKey = true
		}
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		// The bytes since the previous token: separators, then this token
		// as written, before unquoting hides invalid bytes.
		raw := body[prev:dec.InputOffset()]
		prev = dec.InputOffset()
		switch t := tok.(type) {
		case json.Delim:
			if t == '{' || t == '[' {
				stack = append(stack, jsonFrame{obj: t == '{', wantKey: t == '{'})
				continue
			}
			stack = stack[:len(stack)-1]
			done()
		case string:
			bad := !utf8.Valid(raw) || strings.IndexByte(t, 0) >= 0
			if n := len(stack); n > 0 && stack[n-1].obj && stack[n-1].wantKey {
				if bad {
					return BadText(jsonPath(stack, "body"))
				}
				stack[n-1].key, stack[n-1].wantKey = t, false
				continue
			}
			if bad {
				return BadText(jsonPath(stack, "body"))
			}
			done()
		default:
			done()
		}
	}
}

// jsonPath names the value being read: its member names joined by dots.
func jsonPath(stack []jsonFrame, root string) string {
	var names []string
	for _, f := range stack {
		if f.obj && !f.wantKey {
			names = append(names, f.key)
		}
	}
	if len(names) == 0 {
		return root
	}
	return strings.Join(names, ".")
}
