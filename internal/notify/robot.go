package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Timeout bounds one delivery, over HTTP or SMTP, so that a dead server
// cannot hold a worker.
const Timeout = 15 * time.Second

// The robots' own limits on a markdown body, in bytes.
const (
	dingTalkMaxText = 20000
	weComMaxText    = 4096
)

// DingTalk posts to a DingTalk group's custom robot. With a secret, each
// request is signed as DingTalk's "加签" security setting requires.
type DingTalk struct {
	URL    string
	Secret string           // the robot's SEC… secret; empty when the robot uses keywords or IPs
	Client *http.Client     // nil: a client with Timeout
	Now    func() time.Time // nil: time.Now
}

// Send posts the message as markdown, mentioning the recipient by phone.
func (d DingTalk) Send(ctx context.Context, m Message) error {
	target := d.URL
	if d.Secret != "" {
		now := time.Now
		if d.Now != nil {
			now = d.Now
		}
		var err error
		if target, err = signDingTalk(d.URL, d.Secret, now()); err != nil {
			return permanent(ChannelDingTalk, err)
		}
	}
	text := m.markdown()
	var at struct {
		AtMobiles []string `json:"atMobiles,omitempty"`
	}
	if m.To.Phone != "" {
		// DingTalk mentions a member only if the text names the phone too.
		at.AtMobiles = []string{m.To.Phone}
		text += "\n\n@" + m.To.Phone
	}
	body := map[string]any{
		"msgtype":  "markdown",
		"markdown": map[string]string{"title": m.Subject, "text": truncate(text, dingTalkMaxText)},
		"at":       at,
	}
	return postRobot(ctx, d.Client, ChannelDingTalk, target, body)
}

// signDingTalk appends timestamp and sign to the robot URL: the sign is
// the HMAC-SHA256, keyed with the secret, of timestamp+"\n"+secret, in
// base64, with the timestamp in milliseconds.
func signDingTalk(raw, secret string, now time.Time) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", errors.New("bad URL") // not the parser's error, which quotes the token
	}
	ts := strconv.FormatInt(now.UnixMilli(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "\n" + secret))
	q := u.Query()
	q.Set("timestamp", ts)
	q.Set("sign", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// WeCom posts to a WeCom (企业微信) group robot.
type WeCom struct {
	URL    string
	Client *http.Client // nil: a client with Timeout
}

// Send posts the message as markdown, the subject in bold first. WeCom's
// markdown mentions members by user id only, which zeren does not keep.
func (w WeCom) Send(ctx context.Context, m Message) error {
	text := m.markdown()
	if m.Subject != "" {
		text = "**" + m.Subject + "**\n" + text
	}
	body := map[string]any{
		"msgtype":  "markdown",
		"markdown": map[string]string{"content": truncate(text, weComMaxText)},
	}
	return postRobot(ctx, w.Client, ChannelWeCom, w.URL, body)
}

// Webhook posts the message as a plain JSON document to any URL.
type Webhook struct {
	URL    string
	Client *http.Client // nil: a client with Timeout
}

// webhookDoc is what a webhook receives; absent values are null.
type webhookDoc struct {
	Recipient struct {
		Name  *string `json:"name"`
		Email *string `json:"email"`
		Phone *string `json:"phone"`
	} `json:"recipient"`
	Subject  *string `json:"subject"`
	Text     *string `json:"text"`
	Markdown *string `json:"markdown"`
	Link     *string `json:"link"`
}

func null(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Send posts the message; any 2xx answer is success.
func (h Webhook) Send(ctx context.Context, m Message) error {
	var doc webhookDoc
	doc.Recipient.Name, doc.Recipient.Email, doc.Recipient.Phone = null(m.To.Name), null(m.To.Email), null(m.To.Phone)
	doc.Subject, doc.Text, doc.Markdown, doc.Link = null(m.Subject), null(m.Text), null(m.Markdown), null(m.Link)
	_, err := post(ctx, h.Client, ChannelWebhook, h.URL, doc)
	return err
}

// robotAnswer is the JSON both robots answer with.
type robotAnswer struct {
	ErrCode *int   `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// Robot error codes that mean "later": busy (-1), DingTalk's and WeCom's
// rate limits (130101, 45009).
var retryCodes = map[int]bool{-1: true, 130101: true, 45009: true}

// postRobot posts body and reads the robot's answer: a non-zero errcode
// is an error, temporary only for the codes above.
func postRobot(ctx context.Context, c *http.Client, channel, target string, body any) error {
	answer, err := post(ctx, c, channel, target, body)
	if err != nil {
		return err
	}
	var a robotAnswer
	if err := json.Unmarshal(answer, &a); err != nil || a.ErrCode == nil {
		return permanent(channel, fmt.Errorf("the answer is not a robot's: %.100q", answer))
	}
	if *a.ErrCode != 0 {
		err := fmt.Errorf("errcode %d: %s", *a.ErrCode, a.ErrMsg)
		if retryCodes[*a.ErrCode] {
			return temporary(channel, err)
		}
		return permanent(channel, err)
	}
	return nil
}

// maxAnswer bounds what is read of an answer.
const maxAnswer = 64 << 10

// post sends body as JSON and returns the answer of a 2xx. A 429 or a 5xx
// is temporary, any other status permanent; a fault of the network is
// temporary. Redirects are not followed: a robot does not move.
func post(ctx context.Context, c *http.Client, channel, target string, body any) ([]byte, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, permanent(channel, err)
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(b))
	if err != nil {
		return nil, permanent(channel, errors.New("bad URL"))
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "zeren")
	resp, err := noRedirects(c).Do(req)
	if err != nil {
		return nil, temporary(channel, redactURLError(err))
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, temporary(channel, err)
	}
	switch s := resp.StatusCode; {
	case s >= 200 && s < 300:
		return answer, nil
	case s == http.StatusTooManyRequests || s >= 500:
		return nil, temporary(channel, fmt.Errorf("HTTP %d", s))
	default:
		return nil, permanent(channel, fmt.Errorf("HTTP %d", s))
	}
}

// noRedirects is a copy of c (or of a client with Timeout) that does not
// follow redirects.
func noRedirects(c *http.Client) *http.Client {
	out := http.Client{Timeout: Timeout}
	if c != nil {
		out = *c
	}
	out.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &out
}

// redactURLError keeps a network error's cause but drops the URL, whose
// query holds the robot's access token and signature.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
