package web

import (
	"context"
	"errors"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"zeren/internal/jobs"
	"zeren/internal/remind"
	"zeren/internal/store"
)

// TestJobsPageWithoutRunner checks the page when the job runner is not
// part of the process, and who may see it.
func TestJobsPageWithoutRunner(t *testing.T) {
	f := newFixture(t)
	resp, body := f.do("admin", "GET", "/jobs", "")
	if resp.StatusCode != 200 || !strings.Contains(body, "本进程未运行任务队列") {
		t.Fatalf("admin: %d\n%s", resp.StatusCode, excerpt(body))
	}
	if _, body := f.do("admin", "GET", "/cycles", ""); !strings.Contains(body, `href="/jobs"`) {
		t.Error("the admin's menu lacks the jobs page")
	}
	for _, who := range []string{"admina", "role-admin", "role-supervisor", "leadera", "observer", "nogrant"} {
		if resp, body := f.do(who, "GET", "/jobs", ""); resp.StatusCode != 403 || strings.Contains(body, "本进程未运行") {
			t.Errorf("%s: %d", who, resp.StatusCode)
		}
		if _, body := f.do(who, "GET", "/cycles", ""); strings.Contains(body, `href="/jobs"`) {
			t.Errorf("%s's menu shows the jobs page", who)
		}
		if resp, _ := f.do(who, "POST", "/jobs/1/retry", ""); resp.StatusCode != 403 {
			t.Errorf("%s retry: %d", who, resp.StatusCode)
		}
	}
	if resp, _ := f.do("admin", "POST", "/jobs/1/retry", ""); resp.StatusCode != 404 {
		t.Errorf("retry without a runner: %d", resp.StatusCode)
	}
}

// refusing is an outside channel whose server refuses every message for
// good (as an SMTP 550 would).
type refusing struct{}

func (refusing) Ready(remind.Channel, store.Recipient) bool { return true }
func (refusing) Send(context.Context, remind.Channel, store.Recipient, jobs.Message) error {
	return jobs.PermanentError{Err: errors.New("550 mailbox unavailable")}
}

// TestJobsPage runs the job queue with a channel that refuses, so that an
// urgent notification's delivery is cancelled: the admin sees it with its
// recipient, channel and error, and retries it; an unknown id is not found.
func TestJobsPage(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cat := mustCatalog(t)
	j, err := jobs.New(ctx, f.st, cat, jobs.Options{OutboxEvery: 50 * time.Millisecond, Poll: 200 * time.Millisecond, Sender: refusing{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop, done := context.WithTimeout(context.Background(), 5*time.Second)
		defer done()
		_ = j.Stop(stop)
	})
	srv, err := New(f.st, cat, discardLog(), Options{Sessions: store.SessionTimeouts{Idle: time.Hour, Absolute: 2 * time.Hour}, Jobs: j})
	if err != nil {
		t.Fatal(err)
	}
	f.ts = httptest.NewServer(srv.Handler())
	t.Cleanup(f.ts.Close)

	// An urgent one (an urge notice) to leadera, whose channel is e-mail by default.
	if _, err := f.st.Notify(ctx, []remind.Notification{{UserID: f.users["leadera"].ID, Kind: remind.UrgeIssued,
		Key: "urge_issued/test", Link: "/ledger", Args: []string{"blue", "涪城区委", "2021-01-15", "整改不到位"}}}); err != nil {
		t.Fatal(err)
	}
	var failed int
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		rows, err := j.Failed(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) > 0 {
			failed = int(rows[0].ID)
			break
		}
	}
	if failed == 0 {
		t.Fatal("no failed delivery appeared")
	}
	resp, body := f.do("admin", "GET", "/jobs", "")
	for _, s := range []string{"用户leadera", "电子邮件", "550 mailbox unavailable", "已取消", `action="/jobs/` + itoa(failed) + `/retry"`} {
		if !strings.Contains(body, s) {
			t.Errorf("jobs page lacks %q", s)
		}
	}
	if resp.StatusCode != 200 {
		t.Fatalf("admin: %d", resp.StatusCode)
	}
	if resp, _ := f.do("role-admin", "GET", "/jobs", ""); resp.StatusCode != 403 {
		t.Errorf("role-admin: %d", resp.StatusCode)
	}
	if resp, _ := f.do("admin", "POST", "/jobs/"+itoa(failed)+"/retry", ""); resp.StatusCode != 303 {
		t.Errorf("retry: %d", resp.StatusCode)
	}
	for _, id := range []string{"999999", "abc", "0"} {
		if resp, _ := f.do("admin", "POST", "/jobs/"+id+"/retry", ""); resp.StatusCode != 404 {
			t.Errorf("retry %s: %d", id, resp.StatusCode)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
