package cli

import (
	"strings"
	"testing"
)

// TestSMTPFlags: a bad --smtp-url or --smtp-from stops serve at start with
// one line naming the flag, never the password.
func TestSMTPFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		flag string
	}{
		{[]string{"--smtp-url", "http://u:hunter2secret@mail.example.org", "--smtp-from", "a@example.org"}, "--smtp-url"},
		{[]string{"--smtp-url", "smtp://u:hunter2secret@", "--smtp-from", "a@example.org"}, "--smtp-url"},
		{[]string{"--smtp-url", "smtps://u:hunter2secret@mail.example.org"}, "--smtp-from"},
		{[]string{"--smtp-from", "a@example.org"}, "--smtp-url"},
		{[]string{"--smtp-url", "smtp://u:hunter2secret@mail.example.org", "--smtp-from", "nobody"}, "--smtp-from"},
	} {
		code, _, stderr := zeren(t, "", "", "", append([]string{"serve"}, tc.args...)...)
		if code != 2 || !strings.Contains(stderr, tc.flag) || strings.Contains(stderr, "hunter2secret") ||
			strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, %q", tc.args, code, stderr)
		}
	}
}
