package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"zeren/internal/store"
)

// offlineClient is the robots' client of the test servers: the tests
// never reach the network, and a test message reports the refusal.
var offlineClient = &http.Client{Transport: offlineTransport{}}

type offlineTransport struct{}

func (offlineTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("no network in tests")
}

// useRobotClient restarts the fixture's server with c as the robots' client.
func (f *fixture) useRobotClient(c *http.Client) {
	srv, err := New(f.st, mustCatalog(f.t), discardLog(), Options{
		Sessions: store.SessionTimeouts{Idle: time.Hour, Absolute: 2 * time.Hour}, MaxBody: 64 << 10, HTTPClient: c})
	if err != nil {
		f.t.Fatal(err)
	}
	f.ts = httptest.NewServer(srv.Handler())
	f.t.Cleanup(f.ts.Close)
}

const (
	testDingSecret = "SECtest0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
	testDingPath   = "/robot/send?access_token=tok-root-0001"
)

// fakeRobots stands in for DingTalk and WeCom: DingTalk's signature is
// checked as DingTalk does (recomputed, within an hour).
type fakeRobots struct {
	*httptest.Server
	mu    sync.Mutex
	posts []string // path and body of each request
	fail  bool     // answer errcode 300001
}

func newFakeRobots(t *testing.T) *fakeRobots {
	fr := &fakeRobots{}
	fr.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fr.mu.Lock()
		defer fr.mu.Unlock()
		fr.posts = append(fr.posts, r.URL.Path+" "+string(b))
		if fr.fail {
			w.Write([]byte(`{"errcode":300001,"errmsg":"token is not exist"}`))
			return
		}
		if r.URL.Path == "/robot/send" {
			q := r.URL.Query()
			ms, _ := strconv.ParseInt(q.Get("timestamp"), 10, 64)
			mac := hmac.New(sha256.New, []byte(testDingSecret))
			mac.Write([]byte(q.Get("timestamp") + "\n" + testDingSecret))
			sign, _ := base64.StdEncoding.DecodeString(q.Get("sign"))
			if d := time.Since(time.UnixMilli(ms)); d > time.Hour || d < -time.Hour || !hmac.Equal(sign, mac.Sum(nil)) {
				w.Write([]byte(`{"errcode":310000,"errmsg":"sign not match"}`))
				return
			}
		}
		w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
	}))
	t.Cleanup(fr.Close)
	return fr
}

func formOf(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v.Encode()
}

// TestUnitChannelsPage: only admins of the unit or above see and save the
// robots; the secret is shown masked and never sent back; bad input names
// the field and changes nothing; the test button reports each robot.
func TestUnitChannelsPage(t *testing.T) {
	f := newFixture(t)
	robots := newFakeRobots(t)
	f.useRobotClient(robots.Client())
	ctx := context.Background()
	root, a := f.units["root"], f.units["A"]
	rootPath, aPath := "/units/"+strconv.FormatInt(root.ID, 10), "/units/"+strconv.FormatInt(a.ID, 10)

	// An http URL: 400 naming the field, nothing saved.
	resp, body := f.do("admin", "POST", rootPath+"/channels", formOf("version", "0", "dingtalk_url", "http://oapi.dingtalk.com/robot/send?access_token=x"))
	if resp.StatusCode != 400 || !strings.Contains(body, "钉钉机器人地址") || !strings.Contains(body, "https://") || !strings.Contains(body, `aria-invalid="true"`) {
		t.Fatalf("http URL: %d\n%s", resp.StatusCode, excerpt(body))
	}
	if c, _ := f.st.UnitChannels(ctx, root); c.Version != 0 {
		t.Fatalf("a refused save stored %+v", c)
	}

	// The root's admin saves the DingTalk robot with its secret and a WeCom robot.
	resp, body = f.do("admin", "POST", rootPath+"/channels", formOf("version", "0", "dingtalk_url", robots.URL+testDingPath,
		"dingtalk_secret", testDingSecret, "wecom_url", robots.URL+"/cgi-bin/webhook/send?key=k1"))
	if resp.StatusCode != 303 {
		t.Fatalf("save: %d\n%s", resp.StatusCode, excerpt(body))
	}
	_, body = f.do("admin", "GET", rootPath, "")
	if !strings.Contains(body, `id="channels"`) || strings.Contains(body, testDingSecret) || !strings.Contains(body, "SEC••••••89") {
		t.Errorf("the root's page as its admin:\n%s", excerpt(body))
	}

	// Saving again with the secret field empty keeps the secret.
	resp, _ = f.do("admin", "POST", rootPath+"/channels", formOf("version", "1", "dingtalk_url", robots.URL+testDingPath,
		"wecom_url", robots.URL+"/cgi-bin/webhook/send?key=k1"))
	if c, _ := f.st.UnitChannels(ctx, root); resp.StatusCode != 303 || c.Version != 2 || c.DingTalkSecret != testDingSecret {
		t.Fatalf("keep the secret: %d %+v", resp.StatusCode, c)
	}
	// A stale version: 409, nothing changed.
	resp, _ = f.do("admin", "POST", rootPath+"/channels", formOf("version", "1", "webhook_url", "https://hooks.example.org/x"))
	if c, _ := f.st.UnitChannels(ctx, root); resp.StatusCode != 409 || c.Version != 2 || c.WebhookURL != "" {
		t.Fatalf("stale: %d %+v", resp.StatusCode, c)
	}

	// Who sees the section: the admins at or above A, nobody else; A's
	// admin sees that the root's robots apply, not the root's settings.
	for who, want := range map[string]bool{"admin": true, "admina": true, "role-admin": true, "role-organizer": false,
		"role-supervisor": false, "role-leader": false, "role-staff": false, "role-observer": false, "observer": false} {
		resp, body := f.do(who, "GET", aPath, "")
		if resp.StatusCode != 200 || strings.Contains(body, `id="channels"`) != want {
			t.Errorf("%s on A: %d, section %v, want %v", who, resp.StatusCode, strings.Contains(body, `id="channels"`), want)
		}
		if strings.Contains(body, testDingSecret) || strings.Contains(body, "tok-root-0001") {
			t.Errorf("%s on A sees the root's secret or token", who)
		}
		if want && !strings.Contains(body, "使用“"+root.Name+"”的设置") {
			t.Errorf("%s on A: no word of the inherited robots", who)
		}
	}
	// A's admin can neither read nor set the root's.
	for _, req := range [][3]string{{"GET", "/api/v1/units/" + strconv.FormatInt(root.ID, 10) + "/channels", ""},
		{"PUT", "/api/v1/units/" + strconv.FormatInt(root.ID, 10) + "/channels", `{"version": 2}`},
		{"POST", rootPath + "/channels", formOf("version", "2")}, {"POST", rootPath + "/channels/test", ""}} {
		resp, body := f.do("admina", req[0], req[1], req[2])
		if resp.StatusCode != 404 || strings.Contains(body, "tok-root-0001") {
			t.Errorf("admina %s %s: %d", req[0], req[1], resp.StatusCode)
		}
	}
	if c, _ := f.st.UnitChannels(ctx, root); c.Version != 2 {
		t.Fatalf("changed by refused requests: %+v", c)
	}

	// The test button posts to both robots, signed, and reports each.
	resp, body = f.do("admin", "POST", rootPath+"/channels/test", "")
	if resp.StatusCode != 200 || strings.Count(body, "发送成功") != 2 {
		t.Fatalf("test message: %d\n%s", resp.StatusCode, excerpt(body))
	}
	robots.mu.Lock()
	n := len(robots.posts)
	robots.fail = true
	robots.mu.Unlock()
	if n != 2 {
		t.Errorf("%d posts", n)
	}
	resp, body = f.do("admin", "POST", rootPath+"/channels/test", "")
	if resp.StatusCode != 200 || strings.Count(body, "发送失败") != 2 || !strings.Contains(body, "300001") || !strings.Contains(body, "请检查设置") {
		t.Fatalf("failed test message: %d\n%s", resp.StatusCode, excerpt(body))
	}
	// No robot on A: the button says so.
	_, body = f.do("admina", "POST", aPath+"/channels/test", "")
	if !strings.Contains(body, "没有可测试的机器人") {
		t.Errorf("test with none:\n%s", excerpt(body))
	}
}

// TestUnitChannelsAPI: GET and PUT /api/v1/units/{id}/channels.
func TestUnitChannelsAPI(t *testing.T) {
	f := newFixture(t)
	a := f.units["A"]
	path := "/api/v1/units/" + strconv.FormatInt(a.ID, 10) + "/channels"
	get := func() map[string]any {
		t.Helper()
		resp, body := f.do("admina", "GET", path, "")
		var out map[string]any
		if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &out) != nil {
			t.Fatalf("GET: %d %s", resp.StatusCode, body)
		}
		return out
	}
	out := get()
	if out["version"] != 0.0 || out["dingtalk_url"] != nil || out["updated_at"] != nil || out["inherited_from"] != nil || out["dingtalk_secret_set"] != false {
		t.Errorf("none saved: %v", out)
	}
	for _, tc := range []struct {
		body, field string
		status      int
	}{
		{`{"version": 0, "wecom_url": "http://qyapi.weixin.qq.com/x"}`, "wecom_url", 400},
		{`{"version": 0, "webhook_url": "https://u:p@hooks.example.org/"}`, "webhook_url", 400},
		{`{"version": 0, "dingtalk_secret": "SECabc"}`, "dingtalk_url", 400},
		{`{"webhook_url": "https://hooks.example.org/"}`, "version", 400},
		{`{"version": 0, "secret": "x"}`, "secret", 400},
		{`{"version": 5, "webhook_url": "https://hooks.example.org/"}`, "", 409},
	} {
		resp, body := f.do("admina", "PUT", path, tc.body)
		if resp.StatusCode != tc.status || !strings.Contains(body, `"field":"`+tc.field+`"`) && tc.field != "" {
			t.Errorf("%s: %d %s", tc.body, resp.StatusCode, body)
		}
	}
	if out := get(); out["version"] != 0.0 {
		t.Fatalf("refused PUTs saved: %v", out)
	}
	resp, body := f.do("admina", "PUT", path, `{"version": 0, "dingtalk_url": "https://oapi.dingtalk.com/robot/send?access_token=t", "dingtalk_secret": "`+testDingSecret+`"}`)
	if resp.StatusCode != 200 || strings.Contains(body, testDingSecret) || !strings.Contains(body, `"dingtalk_secret_set":true`) || !strings.Contains(body, `"wecom_url":null`) {
		t.Fatalf("PUT: %d %s", resp.StatusCode, body)
	}
	// A PUT without the secret keeps it; A's subtree inherits.
	resp, body = f.do("admina", "PUT", path, `{"version": 1, "dingtalk_url": "https://oapi.dingtalk.com/robot/send?access_token=t"}`)
	if resp.StatusCode != 200 || !strings.Contains(body, `"dingtalk_secret_set":true`) || !strings.Contains(body, `"version":2`) {
		t.Fatalf("PUT keeping the secret: %d %s", resp.StatusCode, body)
	}
	resp, body = f.do("admin", "GET", "/api/v1/units/"+strconv.FormatInt(f.units["A1"].ID, 10)+"/channels", "")
	if resp.StatusCode != 200 || !strings.Contains(body, `"inherited_from":`+strconv.FormatInt(a.ID, 10)) {
		t.Errorf("A1: %d %s", resp.StatusCode, body)
	}
	// Not an admin: 403 inside, 404 outside.
	if resp, _ := f.do("role-organizer", "GET", path, ""); resp.StatusCode != 403 {
		t.Errorf("organizer: %d", resp.StatusCode)
	}
	if resp, _ := f.do("admina", "GET", "/api/v1/units/"+strconv.FormatInt(f.units["B"].ID, 10)+"/channels", ""); resp.StatusCode != 404 {
		t.Errorf("admina on B: %d", resp.StatusCode)
	}
}
