package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	netmail "net/mail"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wneessen/go-mail"
)

// EmailConfig is where and as whom mail is sent: the --smtp-url and
// --smtp-from flags, parsed by ParseSMTP.
type EmailConfig struct {
	Host     string
	Port     int
	Username string // empty: no SMTP AUTH
	Password string
	From     string // "name <address>" or an address
	// ImplicitTLS is smtps://: TLS from the first byte. Otherwise STARTTLS
	// is used when the server offers it, and required when credentials
	// would be sent.
	ImplicitTLS bool
	// AllowPlain lets credentials go without TLS, for a test server on
	// the loopback; no flag sets it.
	AllowPlain bool
	TLSConfig  *tls.Config   // nil: the system's roots for Host
	Timeout    time.Duration // of the connection and each command; 0: Timeout
}

// String is the configuration as it may be logged, without the password.
func (c EmailConfig) String() string {
	u := url.URL{Scheme: "smtp", Host: c.Host + ":" + strconv.Itoa(c.Port)}
	if c.ImplicitTLS {
		u.Scheme = "smtps"
	}
	if c.Username != "" {
		u.User = url.UserPassword(c.Username, "xxx")
	}
	return u.String() + " from " + c.From
}

// ParseSMTP reads --smtp-url (smtp://user:pass@host:port, or smtps:// for
// implicit TLS; the port defaults to 587 and 465) and --smtp-from. Its
// errors name the flag and the reason and never show the password.
func ParseSMTP(raw, from string) (EmailConfig, error) {
	var c EmailConfig
	bad := func(reason string) (EmailConfig, error) {
		return c, fmt.Errorf("--smtp-url %q: %s", redactURL(raw), reason)
	}
	if strings.TrimSpace(raw) == "" {
		return c, errors.New("--smtp-url is empty: expected smtp://USER:PASSWORD@HOST:PORT or smtps://…")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return bad("not a URL (a password with special characters must be percent-encoded)")
	}
	switch strings.ToLower(u.Scheme) {
	case "smtp":
		c.Port = 587
	case "smtps":
		c.Port, c.ImplicitTLS = 465, true
	default:
		return bad("the scheme must be smtp or smtps")
	}
	if c.Host = u.Hostname(); c.Host == "" {
		return bad("no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return bad("the port must be a number from 1 to 65535")
		}
		c.Port = n
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return bad("unexpected path or query after the port")
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
		if c.Username == "" || c.Password == "" {
			return bad("a user needs a password, and a password a user")
		}
	}
	if strings.TrimSpace(from) == "" {
		return c, errors.New("--smtp-from is empty: expected the sender's address, e.g. 'zeren <noreply@example.org>'")
	}
	if _, err := netmail.ParseAddress(from); err != nil {
		return c, fmt.Errorf("--smtp-from %q: not an email address", from)
	}
	c.From = from
	return c, nil
}

// redactURL hides the password of a URL that is printed.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		// Unparsable: keep what comes after the last '@', which holds no password.
		if i := strings.LastIndex(raw, "@"); i >= 0 {
			scheme, _, _ := strings.Cut(raw, "://")
			return scheme + "://xxx@" + raw[i+1:]
		}
		return raw
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxx")
		}
	}
	return u.String()
}

// Email sends mail through one SMTP server.
type Email struct {
	Config EmailConfig
}

// Send delivers the message to m.To.Email, with the text and the link as
// a plain text body in UTF-8.
func (e Email) Send(ctx context.Context, m Message) error {
	msg, err := e.message(m)
	if err != nil {
		return permanent(ChannelEmail, err)
	}
	client, err := e.client()
	if err != nil {
		return permanent(ChannelEmail, err)
	}
	ctx, cancel := context.WithTimeout(ctx, e.timeout())
	defer cancel()
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return classifySMTP(err)
	}
	return nil
}

func (e Email) timeout() time.Duration {
	if e.Config.Timeout > 0 {
		return e.Config.Timeout
	}
	return Timeout
}

func (e Email) message(m Message) (*mail.Msg, error) {
	if m.To.Email == "" {
		return nil, errors.New("the recipient has no email address")
	}
	msg := mail.NewMsg()
	if err := msg.From(e.Config.From); err != nil {
		return nil, fmt.Errorf("--smtp-from: %w", err)
	}
	if err := msg.AddToFormat(m.To.Name, m.To.Email); err != nil {
		return nil, fmt.Errorf("recipient: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetBodyString(mail.TypeTextPlain, m.plain())
	return msg, nil
}

func (e Email) client() (*mail.Client, error) {
	c := e.Config
	tc := &tls.Config{ServerName: c.Host, MinVersion: tls.VersionTLS12}
	if c.TLSConfig != nil {
		tc = c.TLSConfig.Clone()
		if tc.ServerName == "" {
			tc.ServerName = c.Host
		}
	}
	opts := []mail.Option{mail.WithPort(c.Port), mail.WithTimeout(e.timeout()), mail.WithTLSConfig(tc)}
	switch {
	case c.ImplicitTLS:
		opts = append(opts, mail.WithSSL())
	case c.Username != "" && !c.AllowPlain:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory)) // never a password in clear
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	}
	if c.Username != "" {
		auth := mail.SMTPAuthAutoDiscover
		if c.AllowPlain {
			auth = mail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, mail.WithSMTPAuth(auth), mail.WithUsername(c.Username), mail.WithPassword(c.Password))
	}
	return mail.NewClient(c.Host, opts...)
}

// classifySMTP wraps an SMTP failure: a 5xx answer (a refused recipient,
// sender or password) is permanent; a 4xx answer, a refused or broken
// connection and a timeout are temporary.
func classifySMTP(err error) error {
	code := 0
	var se *mail.SendError
	var te *textproto.Error
	switch {
	case errors.As(err, &se):
		code = se.ErrorCode()
	case errors.As(err, &te):
		code = te.Code
	}
	var ce *tls.CertificateVerificationError
	if code >= 500 || errors.As(err, &ce) {
		return permanent(ChannelEmail, err)
	}
	return temporary(ChannelEmail, err)
}
