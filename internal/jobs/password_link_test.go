package jobs_test

import (
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"zeren/internal/audit"
	"zeren/internal/auth"
	"zeren/internal/jobs"
	"zeren/internal/notify"
	"zeren/internal/user"
	"zeren/internal/web"
)

// readMail decodes a mail's subject and plain text body.
func readMail(t *testing.T, raw string) (subject, body string) {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	subject, err = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	r := m.Body
	switch strings.ToLower(m.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return subject, strings.ReplaceAll(string(b), "\r\n", "\n")
}

// Set-password mails go through a real SMTP server, once per person and
// day, in the person's language; people without an address, disabled or
// unknown are handed back; the token is never in the job table; and the
// mailed link sets the password over HTTP.
func TestMailPasswordLinks(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	mb, addr := newMailbox(t)
	srv, err := web.New(w.st, w.cat, slog.New(slog.DiscardHandler), web.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	none, err := jobs.New(ctx, w.st, w.cat, jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if none.CanMail() {
		t.Fatal("CanMail without a mail server")
	}
	if left, err := none.MailPasswordLinks(ctx, []int64{w.leader}); err != nil || !slices.Equal(left, []int64{w.leader}) {
		t.Fatalf("without a mail server: %v %v", left, err)
	}

	u, _ := w.st.User(ctx, w.cityLeader)
	if _, err := w.st.UpdateUser(ctx, audit.System, u.ID, u.Version, user.Draft{Login: u.Login, Name: u.Name, Locale: "en"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := notify.ParseSMTP("smtp://"+addr, "zeren <noreply@example.org>")
	if err != nil {
		t.Fatal(err)
	}
	j, err := jobs.New(ctx, w.st, w.cat, jobs.Options{Sender: jobs.Senders(w.st, &cfg, nil), BaseURL: ts.URL, Poll: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if !j.CanMail() {
		t.Fatal("CanMail with a mail server")
	}
	left, err := j.MailPasswordLinks(ctx, []int64{w.leader, w.staff, w.off, w.cityLeader, 999999})
	if err != nil || !slices.Equal(left, []int64{w.staff, w.off, 999999}) {
		t.Fatalf("unmailed: %v %v", left, err)
	}
	// In a store transaction (an import's), the jobs join it.
	if err := w.st.InTx(ctx, func(ctx context.Context) error {
		left, err := j.MailPasswordLinks(ctx, []int64{w.sup})
		if len(left) != 0 {
			t.Errorf("sup unmailed")
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	drain := func() {
		t.Helper()
		dctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if left, err := j.Drain(dctx); err != nil || left != 0 {
			t.Fatalf("drain: %d left, %v", left, err)
		}
	}
	drain()
	if mb.count() != 3 {
		t.Fatalf("%d mails, want 3", mb.count())
	}
	// Asked again the same day: no second mail.
	if _, err := j.MailPasswordLinks(ctx, []int64{w.leader}); err != nil {
		t.Fatal(err)
	}
	drain()
	if mb.count() != 3 {
		t.Fatalf("%d mails after asking again, want 3", mb.count())
	}

	var zh, en string
	for _, raw := range mb.mails {
		subject, body := readMail(t, raw)
		switch {
		case strings.Contains(raw, "leader@example.org"):
			if subject != "责任制：请设置您的登录密码" || !strings.Contains(body, "登录名 leader") {
				t.Errorf("zh mail: %q\n%s", subject, body)
			}
			zh = body
		case strings.Contains(raw, "city@example.org"):
			if subject != "zeren: choose your password" || !strings.Contains(body, "(login cityleader)") {
				t.Errorf("en mail: %q\n%s", subject, body)
			}
			en = body
		}
	}
	linkRE := regexp.MustCompile(regexp.QuoteMeta(ts.URL) + `/password/(zpl_[A-Za-z0-9_-]+)`)
	m := linkRE.FindStringSubmatch(zh)
	if m == nil || !linkRE.MatchString(en) {
		t.Fatalf("no link in the mails:\n%s\n%s", zh, en)
	}

	read, _ := w.st.DBs()
	rows, err := read.Query(`SELECT CAST(args AS TEXT) FROM river_job`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var args string
		if err := rows.Scan(&args); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(args, "zpl_") {
			t.Errorf("a job holds a token: %s", args)
		}
	}
	rows.Close()

	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(m[0])
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("open the mailed link: %v %v", resp, err)
	}
	resp.Body.Close()
	resp, err = client.PostForm(m[0], url.Values{"password": {"brand-new-secret-1"}, "confirm": {"brand-new-secret-1"}})
	if err != nil || resp.StatusCode != 303 {
		t.Fatalf("use the mailed link: %v %v", resp, err)
	}
	resp.Body.Close()
	_, hash, err := w.st.UserByLogin(ctx, "leader")
	if err != nil || !auth.VerifyPassword(hash, "brand-new-secret-1") {
		t.Fatalf("the mailed link did not set the password: %v", err)
	}
}
