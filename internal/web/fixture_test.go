package web

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"zeren/internal/appraisal"
	"zeren/internal/audit"
	"zeren/internal/auth"
	"zeren/internal/cycle"
	"zeren/internal/i18n"
	"zeren/internal/remind"
	"zeren/internal/report"
	"zeren/internal/store"
	"zeren/internal/store/storetest"
	"zeren/internal/unit"
	"zeren/internal/user"
)

// fixture is a running server on a fresh database with a small tree
// (root → A → A1, A2; root → B → B1, B2), one user per kind of access, and
// review cycles under A and B.
type fixture struct {
	t       testing.TB
	st      *store.Store
	clock   *storetest.Clock
	ts      *httptest.Server
	units   map[string]unit.Unit
	users   map[string]user.User
	cookie  map[string]string        // login → session secret
	token   map[string]string        // login → API token
	grants  map[string]int64         // login → id of their first grant
	tokenID map[string]int64         // login → id of their API token
	cycles  map[string]cycle.Cycle   // "A": reporting under A, "pA": planning under A; same for B
	reports map[string]report.Report // "A": draft of A1 in cycles["A"], "sA": submitted of A2
	files   map[string]int64         // "A": an attachment of reports["A"]
	// "A": the open appraisal of cycles["vA"], a 2018 cycle under review
	// whose two reports (reports["vA"] of A1, "v2A" of A2) are handed in;
	// member-a and every role-* user are invited to A's, member-b to B's.
	appraisals map[string]appraisal.Appraisal
	codes      map[string]string // "A": an unused one-time code of appraisals["A"]
	logs       *lockedBuffer     // what the server logged
	rects      map[string]int64  // ids and versions of rectFixture's items, by placeholder name ("rect:A")
	notes      map[string]int64  // login → id of an unread notification of theirs
	notesMade  []string          // the keys of notify's notifications
	client     *http.Client
}

const testPassword = "a-long-test-password"

func newFixture(t testing.TB) *fixture {
	t.Helper()
	st, clock := storetest.NewWithClock(t)
	ctx := context.Background()
	f := &fixture{t: t, st: st, clock: clock, units: map[string]unit.Unit{}, users: map[string]user.User{},
		cookie: map[string]string{}, token: map[string]string{}, grants: map[string]int64{}, tokenID: map[string]int64{},
		cycles: map[string]cycle.Cycle{}, reports: map[string]report.Report{}, files: map[string]int64{},
		appraisals: map[string]appraisal.Appraisal{}, codes: map[string]string{}, notes: map[string]int64{}}
	mk := func(key, parent, name string) {
		var pid int64
		if parent != "" {
			pid = f.units[parent].ID
		}
		u, err := st.CreateUnit(ctx, audit.System, pid, unit.Draft{Name: name, Kind: unit.Committee})
		if err != nil {
			t.Fatal(err)
		}
		f.units[key] = u
	}
	mk("root", "", "中共绵阳市委")
	mk("A", "root", "中共涪城区委")
	mk("A1", "A", "城厢街道党工委")
	mk("A2", "A", "工区街道党工委")
	mk("B", "root", "中共游仙区委")
	mk("B1", "B", "游仙街道党工委")
	mk("B2", "B", "魏城镇党委")
	hash := testHash()
	type account struct {
		login string
		role  auth.Role
		unit  string
	}
	accounts := []account{
		{"admin", auth.Admin, "root"},
		{"admina", auth.Admin, "A"},
		{"leadera", auth.UnitLeader, "A"},
		{"observer", auth.Observer, "root"},
		{"nogrant", "", ""},
		{"member-a", auth.UnitStaff, "A"},
		{"member-b", auth.UnitStaff, "B"},
		{"below-a", auth.UnitStaff, "A1"}, // below A: A's admin manages and changes them
		{"below-b", auth.UnitStaff, "B1"},
	}
	// One user per role, granted that role on A, for the role matrix.
	for _, r := range auth.Roles {
		accounts = append(accounts, account{"role-" + string(r), r, "A"})
	}
	for _, u := range accounts {
		var gs []auth.Grant
		if u.role != "" {
			gs = []auth.Grant{{Role: u.role, UnitID: f.units[u.unit].ID}}
		}
		created, err := st.CreateUser(ctx, audit.System, user.Draft{Login: u.login, Name: "用户" + u.login, Locale: "zh-CN"}, hash, gs)
		if err != nil {
			t.Fatal(err)
		}
		f.users[u.login] = created
		if f.cookie[u.login], err = st.CreateSession(ctx, audit.Actor{UserID: created.ID, Login: created.Login}, ""); err != nil {
			t.Fatal(err)
		}
		if f.token[u.login], err = st.CreateAPIToken(ctx, audit.System, created.ID, "test"); err != nil {
			t.Fatal(err)
		}
		if toks, _ := st.APITokens(ctx, created.ID); len(toks) > 0 {
			f.tokenID[u.login] = toks[0].ID
		}
		if g, _ := st.Grants(ctx, created.ID); len(g) > 0 {
			f.grants[u.login] = g[0].ID
		}
		f.notes[u.login] = f.notify(created.ID, "/cycles")
	}
	// Per side (A, B): a cycle in planning with the first sub-unit taking
	// part, and one in reporting where the first sub-unit's report is a draft
	// and the second's is submitted.
	for _, side := range []string{"A", "B"} {
		by := audit.System
		parts := []cycle.Participant{{UnitID: f.units[side+"1"].ID, Mode: cycle.OnTheSpot}, {UnitID: f.units[side+"2"].ID, Mode: cycle.Written}}
		pc, err := st.CreateCycle(ctx, by, f.units[side].ID, cycle.Draft{Year: 2021, Title: "2021年度述职评议"})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SetParticipants(ctx, by, pc.ID, pc.Version, parts[:1]); err != nil {
			t.Fatal(err)
		}
		rc, _ := st.CreateCycle(ctx, by, f.units[side].ID, cycle.Draft{Year: 2020, Title: "2020年度述职评议"})
		if err := st.SetParticipants(ctx, by, rc.ID, rc.Version, parts); err != nil {
			t.Fatal(err)
		}
		rc, _ = st.Cycle(ctx, rc.ID)
		if rc, err = st.AdvanceCycle(ctx, by, rc.ID, rc.Version, cycle.Reporting); err != nil {
			t.Fatal(err)
		}
		reports, _ := st.CycleReports(ctx, rc.ID, []string{f.units[side].Path})
		sub, err := st.MoveReport(ctx, by, reports[1].ID, reports[1].Version, report.Submit, "")
		if err != nil {
			t.Fatal(err)
		}
		f.cycles[side], f.cycles["p"+side] = rc, mustCycle(t, st, pc.ID)
		draft, err := st.Report(ctx, reports[0].ID) // with its sections
		if err != nil {
			t.Fatal(err)
		}
		f.reports[side], f.reports["s"+side] = draft, sub
		file, err := st.AddAttachment(ctx, by, draft.ID, "佐证.pdf", []byte("%PDF-1.4 evidence"), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		f.files[side] = file.ID
		f.appraisalFixture(side, parts)
		f.rectFixture(side)
	}
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	f.logs = &lockedBuffer{}
	srv, err := New(st, cat, slog.New(slog.NewJSONHandler(f.logs, nil)), Options{
		Sessions: store.SessionTimeouts{Idle: time.Hour, Absolute: 2 * time.Hour}, MaxBody: 64 << 10, HTTPClient: offlineClient})
	if err != nil {
		t.Fatal(err)
	}
	f.ts = httptest.NewServer(srv.Handler())
	t.Cleanup(f.ts.Close)
	// The server's own transport, not the default one: another parallel test
	// closing its server closes the default transport's idle connections.
	f.client = &http.Client{Transport: f.ts.Client().Transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return f
}

// appraisalFixture makes the side's 2018 cycle under review with its open
// appraisal.
func (f *fixture) appraisalFixture(side string, parts []cycle.Participant) {
	t, st, ctx, by := f.t, f.st, context.Background(), audit.System
	vc, err := st.CreateCycle(ctx, by, f.units[side].ID, cycle.Draft{Year: 2018, Title: "2018年度述职评议"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetParticipants(ctx, by, vc.ID, vc.Version, parts); err != nil {
		t.Fatal(err)
	}
	vc, _ = st.Cycle(ctx, vc.ID)
	if vc, err = st.AdvanceCycle(ctx, by, vc.ID, vc.Version, cycle.Reporting); err != nil {
		t.Fatal(err)
	}
	reports, _ := st.CycleReports(ctx, vc.ID, []string{f.units[side].Path})
	for _, r := range reports {
		if _, err := st.MoveReport(ctx, by, r.ID, r.Version, report.Submit, ""); err != nil {
			t.Fatal(err)
		}
	}
	if vc, err = st.AdvanceCycle(ctx, by, vc.ID, vc.Version, cycle.Reviewing); err != nil {
		t.Fatal(err)
	}
	f.cycles["v"+side] = vc
	f.reports["v"+side] = mustReport(t, st, reports[0].ID)
	f.reports["v2"+side] = mustReport(t, st, reports[1].ID)
	setup := appraisal.Default()
	setup.MinBallots = 1
	setup.Groups = []appraisal.RaterGroup{{Name: "市领导", Weight: 60}, {Name: "基层代表", Weight: 40}}
	a, err := st.CreateAppraisal(ctx, by, vc.ID, setup)
	if err != nil {
		t.Fatal(err)
	}
	var logins []string
	if side == "A" {
		logins = []string{"member-a"}
		for _, r := range auth.Roles {
			logins = append(logins, "role-"+string(r))
		}
	} else {
		logins = []string{"member-b"}
	}
	if _, err := st.AddVoters(ctx, by, a.ID, a.Groups[0].ID, logins, "", ""); err != nil {
		t.Fatal(err)
	}
	codes, err := st.CreateCodes(ctx, by, a.ID, a.Groups[1].ID, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	f.codes[side] = codes[0].Code
	if f.appraisals[side], err = st.MoveAppraisal(ctx, by, a.ID, a.Version, appraisal.Open); err != nil {
		t.Fatal(err)
	}
}

// notify gives a user a new unread notification (a ballot waiting) leading
// to link, and returns its id.
func (f *fixture) notify(userID int64, link string) int64 {
	f.t.Helper()
	ctx := context.Background()
	key := remind.Key(remind.BallotOpen, "test/"+strconv.Itoa(len(f.notesMade)), f.st.Now())
	f.notesMade = append(f.notesMade, key)
	if _, err := f.st.Notify(ctx, []remind.Notification{{UserID: userID, Kind: remind.BallotOpen, Key: key, Link: link,
		Args: []string{"2018年度述职评议"}}}); err != nil {
		f.t.Fatal(err)
	}
	ns, err := f.st.Inbox(ctx, userID, 0, 1)
	if err != nil || len(ns) == 0 {
		f.t.Fatalf("notify: %v", err)
	}
	return ns[0].ID
}

func mustReport(t testing.TB, st *store.Store, id int64) report.Report {
	t.Helper()
	r, err := st.Report(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// expand replaces {A} by unit A's id, {v:A} by its version, {user:x} by
// user x's id, {grant:x} by x's first grant's id.
func (f *fixture) expand(s string) string {
	s = f.expandRect(s)
	for k, u := range f.units {
		s = strings.ReplaceAll(s, "{"+k+"}", strconv.FormatInt(u.ID, 10))
		s = strings.ReplaceAll(s, "{v:"+k+"}", strconv.FormatInt(u.Version, 10))
	}
	for k, c := range f.cycles {
		s = strings.ReplaceAll(s, "{cycle:"+k+"}", strconv.FormatInt(c.ID, 10))
		s = strings.ReplaceAll(s, "{cv:"+k+"}", strconv.FormatInt(c.Version, 10))
	}
	for k, r := range f.reports {
		s = strings.ReplaceAll(s, "{report:"+k+"}", strconv.FormatInt(r.ID, 10))
		s = strings.ReplaceAll(s, "{rv:"+k+"}", strconv.FormatInt(r.Version, 10))
		if len(r.Sections) > 0 {
			s = strings.ReplaceAll(s, "{area:"+k+"}", strconv.FormatInt(r.Sections[0].AreaID, 10))
		}
	}
	for k, a := range f.appraisals {
		s = strings.ReplaceAll(s, "{appraisal:"+k+"}", strconv.FormatInt(a.ID, 10))
		s = strings.ReplaceAll(s, "{av:"+k+"}", strconv.FormatInt(a.Version, 10))
		s = strings.ReplaceAll(s, "{group:"+k+"}", strconv.FormatInt(a.Groups[0].ID, 10))
		s = strings.ReplaceAll(s, "{code:"+k+"}", f.codes[k])
	}
	for k, id := range f.files {
		s = strings.ReplaceAll(s, "{file:"+k+"}", strconv.FormatInt(id, 10))
	}
	for k, u := range f.users {
		s = strings.ReplaceAll(s, "{user:"+k+"}", strconv.FormatInt(u.ID, 10))
		s = strings.ReplaceAll(s, "{uv:"+k+"}", strconv.FormatInt(u.Version, 10))
		s = strings.ReplaceAll(s, "{grant:"+k+"}", strconv.FormatInt(f.grants[k], 10))
		s = strings.ReplaceAll(s, "{token:"+k+"}", strconv.FormatInt(f.tokenID[k], 10))
		s = strings.ReplaceAll(s, "{note:"+k+"}", strconv.FormatInt(f.notes[k], 10))
	}
	return s
}

// do sends a request as who ("" for anonymous): pages with the session
// cookie, /api/ with the bearer token. Redirects are not followed.
func (f *fixture) do(who, method, path, body string, header ...string) (*http.Response, string) {
	f.t.Helper()
	req, err := http.NewRequest(method, f.ts.URL+f.expand(path), strings.NewReader(f.expand(body)))
	if err != nil {
		f.t.Fatal(err)
	}
	api := strings.HasPrefix(path, "/api/")
	switch {
	case api:
		req.Header.Set("Content-Type", "application/json")
	case strings.HasPrefix(body, "--"+testBoundary):
		req.Header.Set("Content-Type", "multipart/form-data; boundary="+testBoundary)
	case body != "":
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if who != "" {
		if api {
			req.Header.Set("Authorization", "Bearer "+f.token[who])
		} else {
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: f.cookie[who]})
		}
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := f.client.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// testHash hashes the test password once: argon2id is slow by design, and
// every fixture needs it.
var testHash = sync.OnceValue(func() string { return auth.HashPassword(testPassword) })

const testBoundary = "zerenboundary"

// multipartFile is a request body uploading one file as the field "file".
func multipartFile(name, content string) string {
	return "--" + testBoundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name +
		"\"\r\nContent-Type: application/octet-stream\r\n\r\n" + content + "\r\n--" + testBoundary + "--\r\n"
}

func mustCycle(t testing.TB, st *store.Store, id int64) cycle.Cycle {
	c, err := st.Cycle(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustCatalog(t testing.TB) *i18n.Catalog {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// lockedBuffer collects a server's log lines; requests log concurrently.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
