package jobs_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"zeren/internal/action"
	"zeren/internal/audit"
	"zeren/internal/jobs"
	"zeren/internal/notify"
	"zeren/internal/roster"
)

// TestImportMailsLinks: a users import with a mail server mails the
// set-password link to each new user with an address, in the import's
// transaction, and shows the others' links to the importer; a refused
// import mails nobody.
func TestImportMailsLinks(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	mb, addr := newMailbox(t)
	cfg, err := notify.ParseSMTP("smtp://"+addr, "zeren <noreply@example.org>")
	if err != nil {
		t.Fatal(err)
	}
	j, err := jobs.New(ctx, w.st, w.cat, jobs.Options{Sender: jobs.Senders(w.st, &cfg, nil), BaseURL: "https://zeren.example.org", Poll: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	read := func(csv string) roster.UserSheet {
		sh, err := roster.ReadUsers(strings.NewReader("登录名,姓名,手机,邮箱,授权,启用\n"+csv), w.cat)
		if err != nil {
			t.Fatal(err)
		}
		return sh
	}
	unitRef := "staff@" + w.city.Name // a root: its name is its path
	sys := action.System(audit.System)
	opt := action.ImportOptions{MailLinks: j.MailPasswordLinks}
	// A bad second row: nothing saved, nothing mailed.
	res, err := action.New(w.st).ImportUsers(ctx, sys, read("m1,甲,,m1@example.org,"+unitRef+",是\nm2,乙,,,boss@x,是\n"), opt)
	if err != nil || res.OK() {
		t.Fatalf("a bad sheet: %v %v", err, res.Errors)
	}
	res, err = action.New(w.st).ImportUsers(ctx, sys, read("m1,甲,,m1@example.org,"+unitRef+",是\nm2,乙,,,"+unitRef+",是\n"), opt)
	if err != nil || !res.OK() {
		t.Fatalf("import: %v %v", err, res.Errors)
	}
	for _, c := range res.Changes {
		if (c.Name == "m1") != c.Mailed || (c.Name == "m1") == (c.Link != "") {
			t.Errorf("%s: mailed %v, link %q", c.Name, c.Mailed, c.Link)
		}
	}
	dctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if left, err := j.Drain(dctx); err != nil || left != 0 {
		t.Fatalf("drain: %d left, %v", left, err)
	}
	if mb.count() != 1 || !strings.Contains(mb.mails[0], "m1@example.org") || !strings.Contains(mb.mails[0], "https://zeren.example.org/password/zpl_") {
		t.Fatalf("%d mails: %v", mb.count(), mb.mails)
	}
}
