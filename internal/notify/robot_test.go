package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// robot is an HTTPS test server standing in for a group robot: it keeps
// the requests and answers with the status and body set.
type robot struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []map[string]any
	urls   []string
	status int
	answer string
	check  func(r *http.Request) string // returns an errcode answer to refuse, "" to accept
}

func newRobot(t *testing.T) *robot {
	rb := &robot{status: 200, answer: `{"errcode":0,"errmsg":"ok"}`}
	rb.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var body map[string]any
		if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") || json.Unmarshal(b, &body) != nil {
			http.Error(w, "bad request", 400)
			return
		}
		rb.mu.Lock()
		defer rb.mu.Unlock()
		rb.bodies, rb.urls = append(rb.bodies, body), append(rb.urls, r.URL.String())
		if rb.check != nil {
			if refusal := rb.check(r); refusal != "" {
				w.Write([]byte(refusal))
				return
			}
		}
		w.WriteHeader(rb.status)
		w.Write([]byte(rb.answer))
	}))
	t.Cleanup(rb.Close)
	return rb
}

func (rb *robot) set(status int, answer string) {
	rb.mu.Lock()
	rb.status, rb.answer = status, answer
	rb.mu.Unlock()
}

func (rb *robot) last(t *testing.T) (map[string]any, string) {
	t.Helper()
	rb.mu.Lock()
	defer rb.mu.Unlock()
	if len(rb.bodies) == 0 {
		t.Fatal("the robot received nothing")
	}
	return rb.bodies[len(rb.bodies)-1], rb.urls[len(rb.urls)-1]
}

// dingTalkCheck verifies a request as DingTalk does for a robot secured
// with a secret: the timestamp is within an hour of now, and sign is the
// base64 HMAC-SHA256 of timestamp+"\n"+secret keyed with the secret.
func dingTalkCheck(secret string, now func() time.Time) func(r *http.Request) string {
	return func(r *http.Request) string {
		q := r.URL.Query()
		if q.Get("access_token") != "tok123" {
			return `{"errcode":300001,"errmsg":"token is not exist"}`
		}
		ms, err := strconv.ParseInt(q.Get("timestamp"), 10, 64)
		if err != nil {
			return `{"errcode":310000,"errmsg":"invalid timestamp"}`
		}
		if d := now().Sub(time.UnixMilli(ms)); d > time.Hour || d < -time.Hour {
			return `{"errcode":310000,"errmsg":"timestamp is stale"}`
		}
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(q.Get("timestamp") + "\n" + secret))
		want := mac.Sum(nil)
		got, err := base64.StdEncoding.DecodeString(q.Get("sign"))
		if err != nil || !hmac.Equal(got, want) {
			return `{"errcode":310000,"errmsg":"sign not match"}`
		}
		return ""
	}
}

const dingSecret = "SEC0123456789abcdef+/=0123456789abcdef0123456789abcdef0123456789ab"

func TestDingTalkSigned(t *testing.T) {
	rb := newRobot(t)
	rb.check = dingTalkCheck(dingSecret, time.Now)
	d := DingTalk{URL: rb.URL + "/robot/send?access_token=tok123", Secret: dingSecret, Client: rb.Client()}
	if err := d.Send(context.Background(), chineseMessage); err != nil {
		t.Fatalf("send: %v", err)
	}
	body, raw := rb.last(t)
	if !strings.Contains(raw, "sign=") || strings.Contains(raw, "+") {
		t.Errorf("the sign is not URL-encoded: %s", raw)
	}
	md, _ := body["markdown"].(map[string]any)
	if body["msgtype"] != "markdown" || md["title"] != chineseMessage.Subject {
		t.Errorf("body: %v", body)
	}
	text, _ := md["text"].(string)
	if !strings.Contains(text, chineseMessage.Text) || !strings.Contains(text, chineseMessage.Link) || !strings.Contains(text, "@13800000000") {
		t.Errorf("text: %q", text)
	}
	at, _ := body["at"].(map[string]any)
	if mobiles, _ := at["atMobiles"].([]any); len(mobiles) != 1 || mobiles[0] != "13800000000" {
		t.Errorf("at: %v", body["at"])
	}

	// A wrong secret, a clock two hours off: refused by the robot, for good.
	for name, s := range map[string]DingTalk{
		"wrong secret": {URL: d.URL, Secret: "SECwrong", Client: rb.Client()},
		"stale":        {URL: d.URL, Secret: dingSecret, Client: rb.Client(), Now: func() time.Time { return time.Now().Add(-2 * time.Hour) }},
	} {
		err := s.Send(context.Background(), chineseMessage)
		if err == nil || !Permanent(err) || !strings.Contains(err.Error(), "310000") {
			t.Errorf("%s: %v", name, err)
		}
		if strings.Contains(err.Error(), "tok123") || strings.Contains(err.Error(), dingSecret) {
			t.Errorf("%s: the error shows the token or the secret: %v", name, err)
		}
	}

	// No phone, no mention; no secret, no sign.
	rb.check = nil
	m := chineseMessage
	m.To.Phone = ""
	if err := (DingTalk{URL: d.URL, Client: rb.Client()}).Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	body, raw = rb.last(t)
	if strings.Contains(raw, "sign=") || strings.Contains(body["markdown"].(map[string]any)["text"].(string), "@") {
		t.Errorf("unsigned, unmentioned: %s %v", raw, body)
	}
}

func TestWeComAndWebhook(t *testing.T) {
	ctx := context.Background()
	rb := newRobot(t)
	if err := (WeCom{URL: rb.URL + "/cgi-bin/webhook/send?key=k", Client: rb.Client()}).Send(ctx, chineseMessage); err != nil {
		t.Fatal(err)
	}
	body, _ := rb.last(t)
	content, _ := body["markdown"].(map[string]any)["content"].(string)
	if body["msgtype"] != "markdown" || !strings.HasPrefix(content, "**"+chineseMessage.Subject+"**") ||
		!strings.Contains(content, chineseMessage.Text) || !strings.Contains(content, chineseMessage.Link) {
		t.Errorf("wecom body: %v", body)
	}
	long := chineseMessage
	long.Text = strings.Repeat("长", 3000)
	if err := (WeCom{URL: rb.URL, Client: rb.Client()}).Send(ctx, long); err != nil {
		t.Fatal(err)
	}
	body, _ = rb.last(t)
	if c := body["markdown"].(map[string]any)["content"].(string); len(c) > weComMaxText || !strings.HasSuffix(c, "长") {
		t.Errorf("wecom's limit: %d bytes, ends %q", len(c), c[len(c)-6:])
	}

	rb.set(200, "")
	m := chineseMessage
	m.To.Phone = ""
	m.Markdown = "**逾期** 3 天"
	if err := (Webhook{URL: rb.URL + "/hook", Client: rb.Client()}).Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	body, _ = rb.last(t)
	b, _ := json.Marshal(body)
	want := `{"link":"https://zeren.example.org/rectifications/7","markdown":"**逾期** 3 天","recipient":{"email":"zhangsan@example.org","name":"张三","phone":null},` +
		`"subject":"督办通知：整改事项已逾期","text":"城厢街道党工委：\n“基层党建有短板”一项已逾期 3 天，请于 2021年1月20日前答复。"}`
	if string(b) != want {
		t.Errorf("webhook body:\n%s\nwant\n%s", b, want)
	}
}

func TestRobotFailures(t *testing.T) {
	ctx := context.Background()
	rb := newRobot(t)
	send := map[string]func() error{
		ChannelDingTalk: func() error {
			return DingTalk{URL: rb.URL, Secret: "SECx", Client: rb.Client()}.Send(ctx, chineseMessage)
		},
		ChannelWeCom:   func() error { return WeCom{URL: rb.URL, Client: rb.Client()}.Send(ctx, chineseMessage) },
		ChannelWebhook: func() error { return Webhook{URL: rb.URL, Client: rb.Client()}.Send(ctx, chineseMessage) },
	}
	for _, tc := range []struct {
		status    int
		answer    string
		permanent bool
		robots    bool // only the robots read the answer
	}{
		{500, "", false, false},
		{503, "", false, false},
		{429, "", false, false},
		{404, "", true, false},
		{400, "", true, false},
		{302, "", true, false},
		{200, `{"errcode":300001,"errmsg":"token is not exist"}`, true, true},
		{200, `{"errcode":93000,"errmsg":"invalid webhook url"}`, true, true},
		{200, `{"errcode":130101,"errmsg":"send too fast"}`, false, true},
		{200, `{"errcode":45009,"errmsg":"api freq out of limit"}`, false, true},
		{200, `{"errcode":-1,"errmsg":"system busy"}`, false, true},
		{200, `<html>not a robot</html>`, true, true},
	} {
		rb.set(tc.status, tc.answer)
		for ch, fn := range send {
			err := fn()
			if ch == ChannelWebhook && tc.robots {
				if err != nil {
					t.Errorf("webhook, %d %s: %v", tc.status, tc.answer, err)
				}
				continue
			}
			if err == nil || Permanent(err) != tc.permanent {
				t.Errorf("%s, %d %s: %v, permanent %v", ch, tc.status, tc.answer, err, Permanent(err))
			}
		}
	}

	// Nobody answers: temporary. A client that does not trust the
	// certificate stands for a robot that is not what it claims.
	rb.Close()
	for ch, fn := range send {
		if err := fn(); err == nil || Permanent(err) {
			t.Errorf("%s, closed: %v", ch, err)
		}
	}
	if err := (WeCom{URL: "https://[::1", Client: rb.Client()}).Send(ctx, chineseMessage); !Permanent(err) {
		t.Errorf("bad URL: %v", err)
	}

	// A robot that hangs is cut off by the client's timeout.
	done := make(chan struct{})
	hang := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-done:
		}
	}))
	defer hang.Close()
	defer close(done)
	c := hang.Client()
	c.Timeout = 200 * time.Millisecond
	start := time.Now()
	if err := (Webhook{URL: hang.URL, Client: c}).Send(ctx, chineseMessage); err == nil || Permanent(err) || time.Since(start) > 3*time.Second {
		t.Errorf("hanging robot: %v after %v", err, time.Since(start))
	}
}

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{{"abc", 5, "abc"}, {"整改", 4, "整"}, {"整改", 3, "整"}, {"整改", 2, ""}, {"a整", 3, "a"}} {
		if got := truncate(tc.s, tc.n); got != tc.want {
			t.Errorf("truncate(%q, %d) = %q", tc.s, tc.n, got)
		}
	}
}
