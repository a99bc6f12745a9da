package jobs_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"zeren/internal/audit"
	"zeren/internal/i18n"
	"zeren/internal/jobs"
	"zeren/internal/notify"
	"zeren/internal/remind"
	"zeren/internal/user"
)

// inbox of a real SMTP server on the loopback.
type mailbox struct {
	mu    sync.Mutex
	mails []string
}

type smtpSession struct{ mb *mailbox }

func (s smtpSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s smtpSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s smtpSession) Reset()                               {}
func (s smtpSession) Logout() error                        { return nil }
func (s smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.mb.mu.Lock()
	s.mb.mails = append(s.mb.mails, string(b))
	s.mb.mu.Unlock()
	return err
}

func (mb *mailbox) count() int {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	return len(mb.mails)
}

func newMailbox(t *testing.T) (*mailbox, string) {
	mb := &mailbox{}
	s := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return smtpSession{mb}, nil }))
	s.Domain = "localhost"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.Serve(l) }()
	t.Cleanup(func() { s.Close() })
	return mb, l.Addr().String()
}

// A person who chose e-mail and DingTalk gets their digest by a real mail
// and through their unit's robot, whose signature is checked as DingTalk
// does; each once, in their language.
func TestDeliveredByMailAndRobot(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	mb, addr := newMailbox(t)
	const secret = "SEC0123456789abcdef"
	var mu sync.Mutex
	var robot []string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		ts, sign := r.URL.Query().Get("timestamp"), r.URL.Query().Get("sign")
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(ts + "\n" + secret))
		if sign != base64.StdEncoding.EncodeToString(mac.Sum(nil)) {
			_, _ = io.WriteString(rw, `{"errcode":310000,"errmsg":"sign not match"}`)
			return
		}
		var body struct {
			Markdown struct{ Title, Text string }
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		robot = append(robot, body.Markdown.Title+"\n"+body.Markdown.Text)
		mu.Unlock()
		_, _ = io.WriteString(rw, `{"errcode":0,"errmsg":"ok"}`)
	}))
	defer srv.Close()
	sec := secret
	if _, err := w.st.SaveUnitChannels(ctx, audit.System, w.county.ID, 0, notify.Draft{DingTalkURL: srv.URL + "/robot/send?access_token=abc", DingTalkSecret: &sec}); err != nil {
		t.Fatal(err)
	}
	if err := w.st.SetContact(ctx, audit.System, w.leader, user.Contact{Email: "leader@example.org",
		Channels: []remind.Channel{remind.Email, remind.DingTalk}}); err != nil {
		t.Fatal(err)
	}
	u, _ := w.st.User(ctx, w.leader)
	if _, err := w.st.UpdateUser(ctx, audit.System, w.leader, u.Version, user.Draft{Login: u.Login, Name: u.Name, Locale: "en"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := notify.ParseSMTP("smtp://"+addr, "zeren <noreply@example.org>")
	if err != nil {
		t.Fatal(err)
	}
	j, err := jobs.New(ctx, w.st, w.cat, jobs.Options{Sender: jobs.Senders(w.st, &cfg, srv.Client()),
		BaseURL: "https://zeren.example.org", Poll: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	c, err := j.Sweep(ctx, w.day(), false)
	if err != nil || c.Channels[remind.Email] != 1 || c.Channels[remind.DingTalk] != 1 {
		t.Fatalf("sweep: %v %v", c.Channels, err)
	}
	dctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if left, err := j.Drain(dctx); err != nil || left != 0 {
		t.Fatalf("drain: %d left, %v", left, err)
	}
	if mb.count() != 1 {
		t.Fatalf("%d mails", mb.count())
	}
	mail := mb.mails[0]
	if !strings.Contains(mail, "Subject: zeren: 3 things wait for you") || !strings.Contains(mail, "https://zeren.example.org/rectifications/") {
		t.Errorf("mail:\n%s", mail)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(robot) != 1 || !strings.Contains(robot[0], "https://zeren.example.org/todo") {
		t.Errorf("robot got %q", robot)
	}
}

// Every kind and phase has its text in both languages, with exactly the
// arguments the sweep and the actions give it.
func TestEveryMessageRenders(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	args := map[remind.Kind][]string{
		remind.ReportDue:      {"2020年度", "区委", "2020-12-01"},
		remind.ItemDue:        {"区委", "软弱涣散", "2020-12-01"},
		remind.UrgeDue:        {"blue", "2020-12-01"},
		remind.ReportReturned: {"区委", "请补充"},
		remind.ItemRejected:   {"区委", "软弱涣散", "佐证不足"},
		remind.UrgeIssued:     {"red", "区委", "2020-12-01", "软弱涣散"},
		remind.BallotOpen:     {"2020年度"},
		remind.ItemStalled:    {"yellow", "区委", "软弱涣散", "2020-12-01"},
	}
	for _, k := range remind.Kinds {
		for _, phase := range []string{"soon", "today", "overdue"} {
			a := args[k]
			switch k {
			case remind.ReportDue, remind.ItemDue, remind.UrgeDue:
				a = append([]string{phase}, a...)
			}
			n := remind.Notification{Kind: k, Args: a}
			for _, loc := range []string{"zh-CN", "en"} {
				line := jobs.Line(cat, loc, n)
				if !cat.Has(n.MessageKey()) || strings.Contains(line, "%!") || strings.Contains(line, "urge.") {
					t.Errorf("%s %s: %q", loc, n.MessageKey(), line)
				}
			}
		}
		if !cat.Has("remind.group." + string(k)) {
			t.Errorf("no group heading for %s", k)
		}
	}
	text := cat.T("en", "remind.system_urge", cat.T("en", "urge.blue"), 5)
	if strings.Contains(text, "%!") || !strings.Contains(text, "5 days") {
		t.Errorf("system urge: %q", text)
	}
}
