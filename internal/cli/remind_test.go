package cli

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"zeren/internal/store/storetest"
)

// zeren remind: a usage mistake is one line and exit 2; a dry run counts
// and changes nothing; a real run tells, and a second run of the same day
// tells no one again.
func TestRemind(t *testing.T) {
	db, data := storetest.DSN(t)
	for _, args := range [][]string{{"remind"}, {"remind", "--day", "2026-13-01"}, {"remind", "--day", "tomorrow"},
		{"remind", "--day", "2026-12-02", "--tz", "Mars/Olympus"}, {"remind", "--day", "2026-12-02", "--base-url", "ftp://x"}} {
		if code, _, stderr := zeren(t, db, data, "", args...); code != 2 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, %q", args, code, stderr)
		}
	}
	if code, _, stderr := zeren(t, db, data, "", "bench", "gen", "--units", "40", "--items", "300", "--seed", "2"); code != 0 {
		t.Fatal(stderr)
	}
	code, out, stderr := zeren(t, db, data, "", "bench", "run", "--n", "2")
	if code != 0 || !strings.Contains(out, "reminder sweep of a day (dry run)") {
		t.Fatalf("bench run: exit %d\n%s\n%s", code, out, stderr)
	}
	day := time.Now().In(shanghai(t)).Format(time.DateOnly)
	told := regexp.MustCompile(`: (\d+) (notified|would notify)`)
	// A mail server is named (the dry run sends nothing), so that the
	// digests count on the e-mail channel.
	code, out, stderr = zeren(t, db, data, "", "remind", "--day", day, "--dry-run", "--smtp-url", "smtp://127.0.0.1:1", "--smtp-from", "zeren@example.org")
	m := told.FindStringSubmatch(out)
	if code != 0 || m == nil || m[1] == "0" || !strings.Contains(out, "kind     item_due") || !strings.Contains(out, "channel  email") {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, out, stderr)
	}
	dry := m[1]
	code, out, stderr = zeren(t, db, data, "", "remind", "--day", day, "--wait", "0")
	if m = told.FindStringSubmatch(out); code != 0 || m == nil || m[1] != dry {
		t.Fatalf("sweep told other than the dry run's %s: exit %d\n%s\n%s", dry, code, out, stderr)
	}
	code, out, stderr = zeren(t, db, data, "", "remind", "--day", day, "--wait", "0")
	if m = told.FindStringSubmatch(out); code != 0 || m == nil || m[1] != "0" {
		t.Fatalf("second sweep of the day: exit %d\n%s\n%s", code, out, stderr)
	}
}

func shanghai(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
