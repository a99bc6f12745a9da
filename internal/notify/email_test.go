package notify

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// mailbox is a real SMTP server on the loopback that takes AUTH PLAIN
// and keeps what it receives.
type mailbox struct {
	addr     string
	mu       sync.Mutex
	mails    []received
	rcptCode int // when set, RCPT TO is answered with this code
}

type received struct {
	from string
	to   []string
	data []byte
}

const (
	smtpUser = "zeren@example.org"
	smtpPass = "p@ss:w/rd 密码"
)

func newMailbox(t *testing.T) *mailbox {
	t.Helper()
	mb := &mailbox{}
	s := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{mb: mb}, nil }))
	s.Domain = "localhost"
	s.AllowInsecureAuth = true
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mb.addr = l.Addr().String()
	go func() { _ = s.Serve(l) }()
	t.Cleanup(func() { s.Close() })
	return mb
}

type session struct {
	mb     *mailbox
	authed bool
	cur    received
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != smtpUser || pass != smtpPass {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		s.authed = true
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	s.cur.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.mb.mu.Lock()
	code := s.mb.rcptCode
	s.mb.mu.Unlock()
	if code != 0 {
		return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{code / 100, 1, 1}, Message: "no"}
	}
	s.cur.to = append(s.cur.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = b
	s.mb.mu.Lock()
	s.mb.mails = append(s.mb.mails, s.cur)
	s.mb.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.cur = received{} }
func (s *session) Logout() error { return nil }

func (mb *mailbox) config(t *testing.T, pass string) EmailConfig {
	t.Helper()
	u := url.URL{Scheme: "smtp", User: url.UserPassword(smtpUser, pass), Host: mb.addr}
	c, err := ParseSMTP(u.String(), "责任系统 <noreply@example.org>")
	if err != nil {
		t.Fatal(err)
	}
	c.AllowPlain, c.Timeout = true, 5*time.Second
	return c
}

var chineseMessage = Message{
	To:      Recipient{Name: "张三", Email: "zhangsan@example.org", Phone: "13800000000"},
	Subject: "督办通知：整改事项已逾期",
	Text:    "城厢街道党工委：\n“基层党建有短板”一项已逾期 3 天，请于 2021年1月20日前答复。",
	Link:    "https://zeren.example.org/rectifications/7",
}

func TestEmailDelivered(t *testing.T) {
	mb := newMailbox(t)
	if err := (Email{Config: mb.config(t, smtpPass)}).Send(context.Background(), chineseMessage); err != nil {
		t.Fatalf("send: %v", err)
	}
	mb.mu.Lock()
	defer mb.mu.Unlock()
	if len(mb.mails) != 1 {
		t.Fatalf("%d mails received", len(mb.mails))
	}
	got := mb.mails[0]
	if got.from != "noreply@example.org" || len(got.to) != 1 || got.to[0] != "zhangsan@example.org" {
		t.Errorf("envelope: from %q to %q", got.from, got.to)
	}
	msg, err := netmail.ReadMessage(strings.NewReader(string(got.data)))
	if err != nil {
		t.Fatal(err)
	}
	dec := new(mime.WordDecoder)
	header := func(name string) string {
		v, err := dec.DecodeHeader(msg.Header.Get(name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return v
	}
	from, _ := netmail.ParseAddress(header("From"))
	to, _ := netmail.ParseAddress(header("To"))
	if from == nil || from.Name != "责任系统" || from.Address != "noreply@example.org" {
		t.Errorf("From: %q", msg.Header.Get("From"))
	}
	if to == nil || to.Name != "张三" || to.Address != "zhangsan@example.org" {
		t.Errorf("To: %q", msg.Header.Get("To"))
	}
	if s := header("Subject"); s != chineseMessage.Subject {
		t.Errorf("Subject: %q", s)
	}
	if raw := msg.Header.Get("Subject"); !strings.HasPrefix(raw, "=?UTF-8?") {
		t.Errorf("the subject is not MIME-encoded: %q", raw)
	}
	if ct := msg.Header.Get("Content-Type"); !strings.Contains(strings.ToLower(ct), "charset=utf-8") {
		t.Errorf("Content-Type: %q", ct)
	}
	var body io.Reader = msg.Body
	if msg.Header.Get("Content-Transfer-Encoding") == "quoted-printable" {
		body = quotedprintable.NewReader(msg.Body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(b), "\r\n", "\n")
	if !strings.Contains(text, chineseMessage.Text) || !strings.Contains(text, chineseMessage.Link) {
		t.Errorf("body:\n%s", text)
	}
	for _, line := range strings.Split(string(got.data), "\n") {
		if len(line) > 1000 {
			t.Errorf("a line of %d bytes", len(line))
		}
	}
}

func TestEmailFailures(t *testing.T) {
	ctx := context.Background()
	mb := newMailbox(t)

	// A recipient refused for good, then for now.
	for _, tc := range []struct {
		code      int
		permanent bool
	}{{550, true}, {450, false}} {
		mb.mu.Lock()
		mb.rcptCode = tc.code
		mb.mu.Unlock()
		err := Email{Config: mb.config(t, smtpPass)}.Send(ctx, chineseMessage)
		if err == nil || Permanent(err) != tc.permanent {
			t.Errorf("RCPT refused with %d: %v, permanent %v", tc.code, err, Permanent(err))
		}
	}
	mb.mu.Lock()
	mb.rcptCode = 0
	mb.mu.Unlock()

	// A wrong password: permanent, and never in the error.
	err := Email{Config: mb.config(t, "wrong-secret-pw")}.Send(ctx, chineseMessage)
	if err == nil || !Permanent(err) || strings.Contains(err.Error(), "wrong-secret-pw") {
		t.Errorf("bad password: %v, permanent %v", err, Permanent(err))
	}

	// A closed server: temporary, and quick.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	c := mb.config(t, smtpPass)
	c.Host, c.Port = "127.0.0.1", portOf(t, closed)
	start := time.Now()
	err = Email{Config: c}.Send(ctx, chineseMessage)
	if err == nil || Permanent(err) || time.Since(start) > 5*time.Second {
		t.Errorf("closed server: %v, permanent %v, after %v", err, Permanent(err), time.Since(start))
	}
	var ne *Error
	if !errors.As(err, &ne) || ne.Channel != ChannelEmail {
		t.Errorf("not a notify error: %#v", err)
	}

	// A server that accepts and never answers: the timeout ends it.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			conn, err := silent.Accept()
			if err != nil {
				return
			}
			defer conn.Close()
		}
	}()
	c.Port, c.Timeout = portOf(t, silent.Addr().String()), 300*time.Millisecond
	start = time.Now()
	err = Email{Config: c}.Send(ctx, chineseMessage)
	if err == nil || Permanent(err) || time.Since(start) > 5*time.Second {
		t.Errorf("silent server: %v after %v", err, time.Since(start))
	}

	// No address: permanent, nothing sent.
	noMail := chineseMessage
	noMail.To.Email = ""
	if err := (Email{Config: mb.config(t, smtpPass)}).Send(ctx, noMail); !Permanent(err) {
		t.Errorf("no address: %v", err)
	}

	// Credentials are not sent in clear unless the test allows it: the
	// server offers no STARTTLS, so the send is refused before AUTH.
	c = mb.config(t, smtpPass)
	c.AllowPlain = false
	if err := (Email{Config: c}).Send(ctx, chineseMessage); err == nil {
		t.Error("a password was sent without TLS")
	}
}

func portOf(t *testing.T, addr string) int {
	t.Helper()
	_, p, _ := net.SplitHostPort(addr)
	var n int
	for _, r := range p {
		n = n*10 + int(r-'0')
	}
	return n
}

func TestParseSMTP(t *testing.T) {
	const from = "zeren <noreply@example.org>"
	for _, tc := range []struct {
		url, from string
		want      EmailConfig // zero: an error is expected
		errHas    string
	}{
		{"smtp://u:p@mail.example.org:2525", from, EmailConfig{Host: "mail.example.org", Port: 2525, Username: "u", Password: "p", From: from}, ""},
		{"smtp://mail.example.org", from, EmailConfig{Host: "mail.example.org", Port: 587, From: from}, ""},
		{"smtps://u%40x.org:s%3Acret@smtp.qq.com", "a@b.cn", EmailConfig{Host: "smtp.qq.com", Port: 465, Username: "u@x.org", Password: "s:cret", From: "a@b.cn", ImplicitTLS: true}, ""},
		{"", from, EmailConfig{}, "--smtp-url is empty"},
		{"http://u:topsecret@h", from, EmailConfig{}, "scheme"},
		{"smtp://u:topsecret@", from, EmailConfig{}, "no host"},
		{"smtp://u:topsecret@h:99999", from, EmailConfig{}, "port"},
		{"smtp://u:topsecret@h:x", from, EmailConfig{}, "--smtp-url"},
		{"smtp://u@h", from, EmailConfig{}, "password"},
		{"smtp://u:topsecret@h/path?x=1", from, EmailConfig{}, "path"},
		{"smtp://u:top%zzsecret@h", from, EmailConfig{}, "not a URL"},
		{"smtp://u:topsecret@h", "", EmailConfig{}, "--smtp-from is empty"},
		{"smtp://u:topsecret@h", "not an address", EmailConfig{}, "--smtp-from"},
	} {
		got, err := ParseSMTP(tc.url, tc.from)
		if tc.errHas == "" {
			if err != nil || got != tc.want {
				t.Errorf("%q: %+v %v", tc.url, got, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.errHas) {
			t.Errorf("%q %q: error %v, want one naming %q", tc.url, tc.from, err, tc.errHas)
			continue
		}
		if strings.Contains(err.Error(), "topsecret") || strings.Contains(err.Error(), "top%zzsecret") {
			t.Errorf("%q: the password is in the error %q", tc.url, err)
		}
	}
	c, _ := ParseSMTP("smtps://u:topsecret@h:465", from)
	if s := c.String(); strings.Contains(s, "topsecret") || !strings.Contains(s, "smtps://u:xxx@h:465") {
		t.Errorf("String: %q", s)
	}
}
