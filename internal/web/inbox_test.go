package web

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"zeren/internal/audit"
)

// TestInboxPages reads the inbox, opens a notification and marks all read,
// and checks that another person's notification is refused and stays
// unread.
func TestInboxPages(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	own, theirs := f.notes["leadera"], f.notes["member-b"]
	unread := func(login string) int {
		n, err := f.st.Unread(ctx, f.users[login].ID)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	resp, body := f.do("leadera", "GET", "/inbox", "")
	if resp.StatusCode != 200 || !strings.Contains(body, `href="/inbox/`+strconv.FormatInt(own, 10)+`"`) ||
		!strings.Contains(body, "2018年度述职评议：民主测评已开始，请投票") ||
		strings.Contains(body, `href="/inbox/`+strconv.FormatInt(theirs, 10)+`"`) {
		t.Fatalf("inbox: %d\n%s", resp.StatusCode, excerpt(body))
	}
	if !strings.Contains(body, `class="unread"`) || !strings.Contains(body, `<mark class="badge unread-badge"`) {
		t.Errorf("unread not marked\n%s", excerpt(body))
	}

	// Another person's notification: not found, and still unread.
	for _, path := range []string{"/inbox/" + strconv.FormatInt(theirs, 10), "/inbox/999999", "/inbox/abc"} {
		if resp, _ := f.do("leadera", "GET", path, ""); resp.StatusCode != 404 {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
	}
	if n := unread("member-b"); n != 1 {
		t.Fatalf("member-b's unread after leadera's attempt: %d", n)
	}

	resp, _ = f.do("leadera", "GET", "/inbox/"+strconv.FormatInt(own, 10), "")
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/cycles" {
		t.Fatalf("open: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if n := unread("leadera"); n != 0 {
		t.Fatalf("unread after open: %d", n)
	}
	_, body = f.do("leadera", "GET", "/inbox", "")
	if strings.Contains(body, `class="unread"`) || strings.Contains(body, `<mark class="badge unread-badge"`) {
		t.Errorf("read still marked unread\n%s", excerpt(body))
	}

	f.notify(f.users["leadera"].ID, "/ledger")
	f.notify(f.users["leadera"].ID, "/ledger")
	if resp, _ := f.do("leadera", "POST", "/inbox/read", ""); resp.StatusCode != 303 {
		t.Fatalf("read all: %d", resp.StatusCode)
	}
	if unread("leadera") != 0 || unread("member-b") != 1 {
		t.Fatalf("after read all: %d %d", unread("leadera"), unread("member-b"))
	}
	if resp, body := f.do("leadera", "GET", "/inbox?before=abc", ""); resp.StatusCode != 400 || !strings.Contains(body, "before") {
		t.Errorf("bad cursor: %d", resp.StatusCode)
	}
}

// TestInboxPaging walks the older pages by the cursor.
func TestInboxPaging(t *testing.T) {
	f := newFixture(t)
	id := f.users["observer"].ID
	for range inboxPage + 5 {
		f.notify(id, "/cycles")
	}
	_, body := f.do("observer", "GET", "/inbox", "")
	i := strings.Index(body, `href="/inbox?before=`)
	if i < 0 || strings.Count(body, `href="/inbox/`) != inboxPage {
		t.Fatalf("first page: %d rows\n%s", strings.Count(body, `href="/inbox/`), excerpt(body))
	}
	next := body[i+len(`href="`) : i+strings.IndexByte(body[i+len(`href="`):], '"')+len(`href="`)]
	_, body = f.do("observer", "GET", next, "")
	if n := strings.Count(body, `href="/inbox/`); n != 6 || strings.Contains(body, `href="/inbox?before=`) {
		t.Fatalf("older page: %d rows\n%s", n, excerpt(body))
	}
}

// TestInboxRedirectStaysOnSite checks that a stored link that is not a
// path on this site leads to the inbox instead.
func TestInboxRedirectStaysOnSite(t *testing.T) {
	f := newFixture(t)
	id := f.users["observer"].ID
	for link, want := range map[string]string{
		"/rectifications/5":      "/rectifications/5",
		"/reports/1?tab=x":       "/reports/1?tab=x",
		"//evil.example/x":       "/inbox",
		`/\evil.example`:         "/inbox",
		"https://evil.example/":  "/inbox",
		"javascript:alert(1)":    "/inbox",
		"evil.example":           "/inbox",
		"":                       "/inbox",
		"/x\r\nLocation: //evil": "/inbox",
		"\t//evil.example":       "/inbox",
	} {
		note := f.notify(id, link)
		resp, _ := f.do("observer", "GET", "/inbox/"+strconv.FormatInt(note, 10), "")
		if resp.StatusCode != 303 || resp.Header.Get("Location") != want {
			t.Errorf("%q: %d %q, want %q", link, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
}

// TestInboxMenuCount checks the menu's unread count on other pages, and
// that it follows reading.
func TestInboxMenuCount(t *testing.T) {
	f := newFixture(t)
	f.notify(f.users["leadera"].ID, "/cycles")
	for _, path := range []string{"/cycles", "/profile", "/units"} {
		_, body := f.do("leadera", "GET", path, "")
		if !strings.Contains(body, `<mark class="badge unread-badge" aria-label="2 条未读消息">2</mark>`) {
			t.Errorf("%s: no count of 2\n%s", path, body[:min(len(body), 3000)])
		}
	}
	f.do("leadera", "POST", "/inbox/read", "")
	if _, body := f.do("leadera", "GET", "/cycles", ""); strings.Contains(body, `unread-badge`) || !strings.Contains(body, `href="/inbox"`) {
		t.Errorf("count after reading all\n%s", body[:min(len(body), 3000)])
	}
	if _, body := f.do("", "GET", "/login", ""); strings.Contains(body, `href="/inbox"`) {
		t.Error("the inbox link shows to anonymous visitors")
	}
}

// TestInboxAPI lists, reads one and reads all through the API, in the
// token user's language; another person's id is 404 and stays unread.
func TestInboxAPI(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.st.SetLocale(ctx, audit.System, f.users["leadera"].ID, "en"); err != nil {
		t.Fatal(err)
	}
	f.notify(f.users["leadera"].ID, "/ledger")
	type item struct {
		ID     int64   `json:"id"`
		Kind   string  `json:"kind"`
		Text   string  `json:"text"`
		Link   string  `json:"link"`
		Urgent *bool   `json:"urgent"`
		Read   *string `json:"read_at"`
	}
	var out struct {
		Items  []item `json:"items"`
		Next   *int64 `json:"next"`
		Unread int    `json:"unread"`
	}
	resp, body := f.do("leadera", "GET", "/api/v1/me/notifications?limit=1", "")
	if err := json.Unmarshal([]byte(body), &out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %v\n%s", resp.StatusCode, err, body)
	}
	if len(out.Items) != 1 || out.Next == nil || out.Unread != 2 || out.Items[0].Link != "/ledger" || out.Items[0].Kind != "ballot_open" ||
		out.Items[0].Read != nil || out.Items[0].Urgent == nil || !strings.Contains(out.Items[0].Text, "ballot") ||
		!strings.Contains(body, `"read_at":null`) {
		t.Fatalf("first page: %s", body)
	}
	resp, body = f.do("leadera", "GET", "/api/v1/me/notifications?limit=1&before="+strconv.FormatInt(*out.Next, 10), "")
	out.Items, out.Next = nil, nil
	_ = json.Unmarshal([]byte(body), &out)
	if resp.StatusCode != 200 || len(out.Items) != 1 || out.Items[0].ID != f.notes["leadera"] || out.Next != nil || !strings.Contains(body, `"next":null`) {
		t.Fatalf("older page: %s", body)
	}
	for _, q := range []string{"?limit=0", "?limit=abc", "?before=-1", "?before=x"} {
		if resp, _ := f.do("leadera", "GET", "/api/v1/me/notifications"+q, ""); resp.StatusCode != 400 {
			t.Errorf("%s: %d", q, resp.StatusCode)
		}
	}
	theirs := strconv.FormatInt(f.notes["member-b"], 10)
	if resp, body := f.do("leadera", "POST", "/api/v1/me/notifications/"+theirs+"/read", ""); resp.StatusCode != 404 || !strings.Contains(body, `"not_found"`) {
		t.Fatalf("another's: %d %s", resp.StatusCode, body)
	}
	if n, _ := f.st.Unread(ctx, f.users["member-b"].ID); n != 1 {
		t.Fatalf("member-b's unread: %d", n)
	}
	own := strconv.FormatInt(f.notes["leadera"], 10)
	if resp, body := f.do("leadera", "POST", "/api/v1/me/notifications/"+own+"/read", ""); resp.StatusCode != 200 || strings.Contains(body, `"read_at":null`) {
		t.Fatalf("own: %d %s", resp.StatusCode, body)
	}
	if resp, body := f.do("leadera", "POST", "/api/v1/me/notifications/read", ""); resp.StatusCode != 200 || body != `{"read":1,"unread":0}`+"\n" {
		t.Fatalf("read all: %d %q", resp.StatusCode, body)
	}
	if n, _ := f.st.Unread(ctx, f.users["member-b"].ID); n != 1 {
		t.Fatalf("member-b's unread after read all: %d", n)
	}
}
