// Package e2e drives real Chromium through the flows a person follows,
// against the real server on the test database engine.
package e2e

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"zeren/internal/appraisal"
	"zeren/internal/audit"
	"zeren/internal/auth"
	"zeren/internal/cycle"
	"zeren/internal/demo"
	"zeren/internal/finding"
	"zeren/internal/i18n"
	"zeren/internal/rectification"
	"zeren/internal/report"
	"zeren/internal/store"
	"zeren/internal/store/storetest"
	"zeren/internal/user"
	"zeren/internal/web"
)

// browser starts the demo server and a headless Chromium; it skips when no
// Chromium is installed, unless ZEREN_E2E=1 (scripts/test sets it).
func browser(t *testing.T, width, height int) (context.Context, string) {
	t.Helper()
	exe := os.Getenv("ZEREN_CHROMIUM")
	if exe == "" {
		exe, _ = exec.LookPath("chromium")
	}
	if exe == "" {
		if os.Getenv("ZEREN_E2E") == "1" {
			t.Fatal("ZEREN_E2E=1 but no Chromium found (set ZEREN_CHROMIUM)")
		}
		t.Skip("no Chromium; scripts/test installs it")
	}
	st := storetest.New(t)
	if _, err := demo.Load(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(st, cat, slog.New(slog.NewTextHandler(io.Discard, nil)),
		web.Options{Sessions: store.SessionTimeouts{Idle: time.Hour, Absolute: 2 * time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(width, height),
		chromedp.Flag("accept-lang", "zh-CN"))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	// The first action starts the browser and binds it to ctx, which has no timeout.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium %s: %v", exe, err)
	}
	t.Logf("chromium %s against %s on %s", exe, ts.URL, storetest.Engine())
	return context.WithValue(ctx, storeKey{}, st), ts.URL
}

type storeKey struct{}

// storeOf returns the test's database, for looking things up.
func storeOf(ctx context.Context) *store.Store { return ctx.Value(storeKey{}).(*store.Store) }

// shot saves a screenshot when ZEREN_SCREENSHOTS names a directory.
func shot(name string) chromedp.Action[chromedp.Void] {
	dir := os.Getenv("ZEREN_SCREENSHOTS")
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if dir == "" {
			return nil
		}
		b, err := chromedp.FullScreenshot(100)(ctx, t) // 100 makes a PNG
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644)
	})
}

// run runs steps and, on failure, stops the test with the page's URL and
// text, so that a failure in CI can be understood without a screenshot.
// The deadline only guards against a hang: under the race detector on
// PostgreSQL a long flow on a busy 2-core machine takes tens of seconds.
func run(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 120*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		url, _ := chromedp.Run(dctx, chromedp.Location())
		body, _ := chromedp.Run(dctx, chromedp.Text(chromedp.CSS("body")))
		_ = chromedp.Do(dctx, shot("failed-"+t.Name()))
		t.Fatalf("%v\nat %s\n%s", err, url, body)
	}
}

// text reads an element's text into *dst, as a step.
func text(sel string, dst *string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		v, err := chromedp.Text(chromedp.CSS(sel))(ctx, t)
		*dst = strings.TrimSpace(v)
		return err
	})
}

func login(base, who string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=login]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=login]`), who),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), demo.Password),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"]`)),
	)
}

// logout logs out and waits for the login page, so that the next
// navigation does not cut the redirect short.
func logout() chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name=login]`)),
	)
}

func TestAdminUnitsAndLanguage(t *testing.T) {
	ctx, base := browser(t, 1280, 900)
	var heading, tree, children, flash, created, nav string
	run(t, ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=login]`)),
		shot("login-zh"),
		login(base, "admin"),
		chromedp.Navigate(base+"/units"), // the home is the to-do
		chromedp.WaitVisible(chromedp.CSS(`#tree`)),
		text(`main h1`, &heading),
		text(`#tree`, &tree),
		// Expand the city committee: htmx loads its sub-units.
		chromedp.Click(chromedp.CSS(`#tree details > summary`)),
		chromedp.WaitVisible(chromedp.CSS(`#tree details ul.tree li.unit`)),
		text(`#tree details ul.tree`, &children),
		shot("units-zh"),
	)
	if heading != "组织机构" || !strings.Contains(tree, "中共绵阳市委") {
		t.Fatalf("tree page: heading %q, tree %q", heading, tree)
	}
	if !strings.Contains(children, "中共涪城区委") || !strings.Contains(children, "绵阳高新区党工委") {
		t.Fatalf("expanded children: %q", children)
	}

	// Create a unit under Fucheng.
	run(t, ctx,
		chromedp.Click(chromedp.Search(`//a[text()="中共涪城区委"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href^="/units/new"]`)),
		chromedp.Click(chromedp.CSS(`a[href^="/units/new"]`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name=name]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "科创园区党委"),
		chromedp.SetValue(chromedp.CSS(`select[name=kind]`), "park"),
		chromedp.SendKeys(chromedp.CSS(`input[name=leader]`), "周敏"),
		chromedp.Click(chromedp.CSS(`form[action="/units"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		text(`.flash`, &flash),
		text(`main h1`, &created),
		shot("unit-created-zh"),
	)
	if flash != "单位已创建。" || !strings.Contains(created, "科创园区党委") {
		t.Fatalf("after create: flash %q, heading %q", flash, created)
	}

	// An empty name is refused with the field named, and nothing is created.
	var fieldErr string
	run(t, ctx,
		chromedp.Navigate(base+"/units"),
		chromedp.Click(chromedp.Search(`//a[text()="中共绵阳市委"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href^="/units/new"]`)),
		chromedp.Click(chromedp.CSS(`a[href^="/units/new"]`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name=name]`)),
		chromedp.SetAttributeValue(chromedp.CSS(`input[name=name]`), "value", "   "),
		chromedp.RemoveAttribute(chromedp.CSS(`input[name=name]`), "required"),
		chromedp.Click(chromedp.CSS(`form[action="/units"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.field-error`)),
		text(`.field-error`, &fieldErr),
	)
	if fieldErr != "此项必填" {
		t.Fatalf("empty name: %q", fieldErr)
	}

	// Switch to English: the choice sticks on the next pages.
	run(t, ctx,
		chromedp.Navigate(base+"/units"),
		chromedp.WaitVisible(chromedp.CSS(`.locale-switch`)),
		chromedp.Click(chromedp.CSS(`.locale-switch button[value=en]`)),
		// Wait for the new page, not the old one's tree.
		chromedp.WaitVisible(chromedp.CSS(`html[lang=en] main h1`)),
		text(`main h1`, &heading),
		text(`header nav`, &nav),
		shot("units-en"),
	)
	if heading != "Units" || !strings.Contains(nav, "Users") || !strings.Contains(nav, "Log out") {
		t.Fatalf("after switching to English: heading %q, nav %q", heading, nav)
	}
	var search string
	run(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`input[name=q]`), "街道"),
		// htmx searches as one types; the button works with or without it.
		chromedp.Click(chromedp.CSS(`.unit-search button`)),
		chromedp.WaitVisible(chromedp.CSS(`ul.results`)),
		text(`#tree`, &search),
		shot("search-en"),
		chromedp.Navigate(base+"/users"),
		chromedp.WaitVisible(chromedp.CSS(`table`)),
		shot("users-en"),
	)
	if !strings.Contains(search, "城厢街道党工委") || strings.Contains(search, "太白镇党委") {
		t.Fatalf("search results: %q", search)
	}
}

func TestLeaderSeesOnlyOwnSubtree(t *testing.T) {
	ctx, base := browser(t, 390, 844)
	var tree, nav string
	run(t, ctx,
		login(base, "leader"),
		chromedp.Navigate(base+"/units"),
		chromedp.WaitVisible(chromedp.CSS(`#tree`)),
		text(`#tree`, &tree),
		text(`header nav`, &nav),
		shot("leader-phone-zh"),
	)
	if !strings.Contains(tree, "中共涪城区委") || strings.Contains(tree, "中共绵阳市委") || strings.Contains(tree, "游仙") {
		t.Fatalf("leader's tree: %q", tree)
	}
	if strings.Contains(nav, "用户管理") {
		t.Fatalf("leader offered user admin: %q", nav)
	}
}

func TestAdminCreatesUserWithGrant(t *testing.T) {
	ctx, base := browser(t, 1280, 900)
	var flash, grants string
	run(t, ctx,
		login(base, "admin"),
		chromedp.Navigate(base+"/users/new"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=login]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=login]`), "zhouming"),
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "周明"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "a-long-secret-2021"),
		chromedp.SetValue(chromedp.CSS(`select[name=role]`), "leader"),
		// The unit picker searches as one types (htmx) and offers radio buttons.
		chromedp.SendKeys(chromedp.CSS(`input[type=search][name=q]`), "游仙区"),
		chromedp.WaitVisible(chromedp.CSS(`.pick input[type=radio]`)),
		shot("user-new-zh"),
		chromedp.Click(chromedp.CSS(`.pick input[type=radio]`)),
		chromedp.Click(chromedp.CSS(`form[action="/users"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		text(`.flash`, &flash),
		text(`main table`, &grants),
		shot("user-zh"),
	)
	if flash != "用户已创建。" || !strings.Contains(grants, "单位书记") || !strings.Contains(grants, "中共游仙区委") {
		t.Fatalf("after creating: flash %q, grants %q", flash, grants)
	}
}

// A county's leader changes their password, logs out and back in with it,
// and cannot open another county's unit page.
func TestPasswordChangeAndCountyIsolation(t *testing.T) {
	ctx, base := browser(t, 1280, 900)
	var flash, heading, notFound string
	run(t, ctx,
		login(base, "leader"),
		chromedp.Click(chromedp.CSS(`.who a`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name=current]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=current]`), demo.Password),
		chromedp.SendKeys(chromedp.CSS(`form[action="/profile/password"] input[name=password]`), "fucheng-new-2021"),
		chromedp.SendKeys(chromedp.CSS(`input[name=confirm]`), "fucheng-new-2021"),
		chromedp.Click(chromedp.CSS(`form[action="/profile/password"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		text(`.flash`, &flash),
		shot("profile-zh"),
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name=login]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=login]`), "leader"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "fucheng-new-2021"),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"]`)),
		text(`main h1`, &heading),
	)
	if !strings.Contains(flash, "密码已修改") || heading != "待办" {
		t.Fatalf("flash %q, heading after login with the new password %q", flash, heading)
	}
	// Youxian is another county: its page does not exist for Fucheng's leader.
	youxian := unitID(t, ctx, base, "中共游仙区委")
	run(t, ctx,
		chromedp.Navigate(base+"/units/"+youxian),
		chromedp.WaitVisible(chromedp.CSS(`.error-page`)),
		text(`main`, &notFound),
		shot("other-county-zh"),
	)
	if !strings.Contains(notFound, "未找到") || strings.Contains(notFound, "游仙") {
		t.Fatalf("another county's page: %q", notFound)
	}
}

// unitID finds a unit's id by name through the API of a fresh admin token.
func unitID(t *testing.T, ctx context.Context, base, name string) string {
	t.Helper()
	st := storeOf(ctx)
	units, err := st.Units(context.Background(), store.UnitFilter{Scopes: []string{"/"}, Query: name, Limit: 1})
	if err != nil || len(units) != 1 {
		t.Fatalf("unit %s: %v %v", name, units, err)
	}
	return strconv.FormatInt(units[0].ID, 10)
}

// The second-factor set-up shows its QR code (a data: image the CSP must
// allow), and the audit page lists the demo's changes, in English.
func TestSetupAndAuditPages(t *testing.T) {
	ctx, base := browser(t, 1280, 900)
	var rows string
	run(t, ctx,
		login(base, "admin"),
		chromedp.Click(chromedp.CSS(`.locale-switch button[value=en]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang=en] main h1`)),
		chromedp.Navigate(base+"/profile/totp"),
		chromedp.WaitVisible(chromedp.CSS(`img.qr`)),
		shot("totp-setup-en"),
	)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	width, err := chromedp.Run(pctx, chromedp.Poll[int](`document.querySelector("img.qr").naturalWidth || null`))
	if err != nil || width != 240 {
		t.Fatalf("QR code not rendered: width %d, %v", width, err)
	}
	run(t, ctx,
		chromedp.Navigate(base+"/audit?action=unit."),
		chromedp.WaitVisible(chromedp.CSS(`table.audit`)),
		text(`table.audit tbody`, &rows),
		shot("audit-en"),
	)
	if !strings.Contains(rows, "unit.create") || !strings.Contains(rows, "中共涪城区委") {
		t.Fatalf("audit rows: %.300s", rows)
	}
}

// The report workflow: the leader writes (autosaved), submits; the
// organizer returns it with a reason; the leader fixes it and submits
// again; the organizer accepts it.
func TestReportWorkflow(t *testing.T) {
	ctx, base := browser(t, 1280, 900)
	st := storeOf(ctx)
	bg := context.Background()
	city, _ := st.Units(bg, store.UnitFilter{Scopes: []string{"/"}, Query: "中共绵阳市委", Limit: 1})
	fc, _ := st.Units(bg, store.UnitFilter{Scopes: []string{"/"}, Query: "中共涪城区委", Limit: 1})
	c, err := st.CreateCycle(bg, audit.System, city[0].ID, cycle.Draft{Year: 2021, Title: "2021年度述职评议"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetParticipants(bg, audit.System, c.ID, c.Version, []cycle.Participant{{UnitID: fc[0].ID, Mode: cycle.OnTheSpot}}); err != nil {
		t.Fatal(err)
	}
	c, _ = st.Cycle(bg, c.ID)
	if _, err := st.AdvanceCycle(bg, audit.System, c.ID, c.Version, cycle.Reporting); err != nil {
		t.Fatal(err)
	}
	reports, _ := st.CycleReports(bg, c.ID, []string{"/"})
	page := base + "/reports/" + strconv.FormatInt(reports[0].ID, 10)
	first := `textarea[name^="achievements_"]`

	pdfFile := filepath.Join(t.TempDir(), "党委会议纪要.pdf")
	if err := os.WriteFile(pdfFile, []byte("%PDF-1.4\n% evidence\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var saved, files, refusal, status, reason string
	run(t, ctx,
		login(base, "leader"),
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.CSS(first)),
		chromedp.SendKeys(chromedp.CSS(first), "**坚决扛起主体责任**，全年常委会研究党建工作12次。"),
		// Autosave: the status line changes without leaving the page.
		chromedp.WaitVisible(chromedp.Search(`//p[@id="save-status"][contains(., "已自动保存")]`)),
		text(`#save-status`, &saved),
		chromedp.WaitVisible(chromedp.CSS(`.preview strong`)),
		// Attach a PDF as evidence.
		chromedp.SetUploadFiles(chromedp.CSS(`input[type=file]`), []string{pdfFile}),
		chromedp.Click(chromedp.CSS(`form.upload button`)),
		chromedp.WaitVisible(chromedp.CSS(`section.files a[href^="/attachments/"]`)),
		text(`section.files ul`, &files),
		// Submitting before answering the finding carried over from 2019 is refused, naming it.
		chromedp.Click(chromedp.CSS(`button[formaction$="/submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.problem`)),
		text(`.problem`, &refusal),
		chromedp.SendKeys(chromedp.CSS(`textarea[name^="response_"]`), "已调整充实村党组织书记12名，储备后备力量36人。"),
		chromedp.SetValue(chromedp.CSS(`select[name^="progress_"]`), "in_progress"),
		// The other findings carried over (those of the 2020 comments) get an answer too.
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`(() => {
				document.querySelectorAll('textarea[name^="response_"]').forEach(t => { if (!t.value) t.value = '已制定整改方案并推进。'; });
				document.querySelectorAll('select[name^="progress_"]').forEach(s => { if (!s.value) s.value = 'in_progress'; });
				return true; })()`)(ctx, tg)
			return err
		}),
		shot("report-edit-zh"),
		chromedp.Click(chromedp.CSS(`button[formaction$="/submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		text(`h1 mark`, &status),
	)
	if !strings.Contains(files, "党委会议纪要.pdf") {
		t.Fatalf("attachments: %q", files)
	}
	if !strings.Contains(saved, "已自动保存") || !strings.Contains(refusal, "未说明整改情况") || !strings.Contains(refusal, "后备力量不足") || status != "已提交" {
		t.Fatalf("autosave %q, refusal %q, status after submit %q", saved, refusal, status)
	}
	stored, _ := st.Report(bg, reports[0].ID)
	if !strings.Contains(stored.Sections[0].Achievements, "坚决扛起主体责任") {
		t.Fatalf("text not stored: %+v", stored.Sections[0])
	}

	run(t, ctx,
		logout(),
		login(base, "organizer"),
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.CSS(`textarea[name=reason]`)),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=reason]`), "请补充问题整改时限"),
		chromedp.Click(chromedp.CSS(`form[action$="/return"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		logout(),
		login(base, "leader"),
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.CSS(`.problem`)),
		text(`.problem`, &reason),
		chromedp.SendKeys(chromedp.CSS(`textarea[name^="next_steps_"]`), "2021年6月底前完成整改。"),
		chromedp.Click(chromedp.CSS(`button[formaction$="/submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		logout(),
		login(base, "organizer"),
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/accept"] button`)),
		chromedp.Click(chromedp.CSS(`form[action$="/accept"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		text(`h1 mark`, &status),
		shot("report-accepted-zh"),
	)
	if !strings.Contains(reason, "请补充问题整改时限") || status != "已通过" {
		t.Fatalf("leader saw reason %q; final status %q", reason, status)
	}
	if vs, _ := st.ReportVersions(bg, reports[0].ID); len(vs) != 2 || !strings.Contains(vs[1].Sections[0].NextSteps, "2021年6月底前") {
		t.Fatalf("versions: %+v", vs)
	}
	// The two submissions compared: the added sentence is marked as inserted.
	var inserted string
	run(t, ctx,
		chromedp.Navigate(page+"/diff?a=1&b=2"),
		chromedp.WaitVisible(chromedp.CSS(`.diff-text ins`)),
		text(`.diff-text ins`, &inserted),
		shot("report-diff-zh"),
	)
	if !strings.Contains(inserted, "2021年6月底前完成整改") {
		t.Fatalf("inserted text: %q", inserted)
	}
}

// In the demo the organizer sees the 2020 cycle with every unit's report,
// and a county leader sees the cycle with only their own.
func TestDemoCycles(t *testing.T) {
	ctx, base := browser(t, 1280, 900)
	var rows, leaderRows string
	run(t, ctx,
		login(base, "organizer"),
		chromedp.Navigate(base+"/cycles"),
		chromedp.WaitVisible(chromedp.CSS(`table`)),
		shot("cycles-zh"),
		chromedp.Click(chromedp.Search(`//a[contains(., "2020年度县")]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.participants`)),
		text(`table.participants tbody`, &rows),
		shot("cycle-2020-zh"),
		chromedp.Click(chromedp.CSS(`.locale-switch button[value=en]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang=en] table.participants`)),
		shot("cycle-2020-en"),
		logout(),
		login(base, "leader"),
		chromedp.Navigate(base+"/cycles"),
		chromedp.Click(chromedp.Search(`//a[contains(., "2020年度县")]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.participants`)),
		text(`table.participants tbody`, &leaderRows),
	)
	if strings.Count(rows, "区委")+strings.Count(rows, "县委")+strings.Count(rows, "市委") < 9 || !strings.Contains(rows, "已通过") || !strings.Contains(rows, "免报") {
		t.Fatalf("organizer's view of 2020: %q", rows)
	}
	if !strings.Contains(leaderRows, "中共涪城区委") || strings.Contains(leaderRows, "游仙") {
		t.Fatalf("leader's view of 2020: %q", leaderRows)
	}
}

// The booklet prints as a PDF with a cover, a contents page and each
// report starting on a page of its own.
func TestBookletPrints(t *testing.T) {
	ctx, base := browser(t, 1280, 900)
	st := storeOf(ctx)
	bg := context.Background()
	by := audit.System
	city, _ := st.Units(bg, store.UnitFilter{Scopes: []string{"/"}, Query: "中共绵阳市委", Limit: 1})
	var parts []cycle.Participant
	for _, name := range []string{"中共涪城区委", "中共游仙区委"} {
		u, _ := st.Units(bg, store.UnitFilter{Scopes: []string{"/"}, Query: name, Limit: 1})
		parts = append(parts, cycle.Participant{UnitID: u[0].ID, Mode: cycle.OnTheSpot})
	}
	c, _ := st.CreateCycle(bg, by, city[0].ID, cycle.Draft{Year: 2022, Title: "2022年度述职评议"})
	if err := st.SetParticipants(bg, by, c.ID, c.Version, parts); err != nil {
		t.Fatal(err)
	}
	if err := st.SetAreas(bg, by, c.ID, c.Version+1, []string{"政治建设"}); err != nil {
		t.Fatal(err)
	}
	c, _ = st.Cycle(bg, c.ID)
	if _, err := st.AdvanceCycle(bg, by, c.ID, c.Version, cycle.Reporting); err != nil {
		t.Fatal(err)
	}
	reports, _ := st.CycleReports(bg, c.ID, []string{"/"})
	for _, r := range reports {
		full, _ := st.Report(bg, r.ID)
		var answers []store.Answer
		cs, _ := st.CarryOvers(bg, r.ID)
		for _, c := range cs {
			answers = append(answers, store.Answer{FindingID: c.Finding.ID, Response: "已整改。", Progress: finding.Rectified})
		}
		full, _ = st.SaveReport(bg, by, r.ID, full.Version, []report.Section{{AreaID: full.Sections[0].AreaID, Achievements: "简短的成绩。"}}, answers...)
		if _, err := st.MoveReport(bg, by, r.ID, full.Version, report.Submit, ""); err != nil {
			t.Fatal(err)
		}
	}
	run(t, ctx,
		login(base, "organizer"),
		chromedp.Navigate(base+"/cycles/"+strconv.FormatInt(c.ID, 10)+"/booklet"),
		chromedp.WaitVisible(chromedp.CSS(`.booklet-report`)),
		shot("booklet-zh"),
	)
	pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	pdf, err := chromedp.Run(pctx, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize()))
	if err != nil {
		t.Fatal(err)
	}
	pages := len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(pdf, -1))
	if pages != 4 {
		t.Fatalf("the booklet of 2 short reports printed on %d pages, want 4 (cover, contents, one per report)", pages)
	}
	if dir := os.Getenv("ZEREN_SCREENSHOTS"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "booklet.pdf"), pdf, 0o644)
	}
}

// The organizer sees the similarity figures of the demo's 2020 reports and
// the passages a county copied from its 2019 report.
func TestDemoSimilarityPage(t *testing.T) {
	ctx, base := browser(t, 1280, 900)
	var figure string
	run(t, ctx,
		login(base, "organizer"),
		chromedp.Navigate(base+"/cycles"),
		chromedp.Click(chromedp.Search(`//a[contains(., "2020年度县")]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.participants`)),
		chromedp.Click(chromedp.Search(`//tr[contains(., "中共盐亭县委")]//a[contains(@href, "/reports/")]`)),
		chromedp.WaitVisible(chromedp.CSS(`.similarity-check mark`)),
		text(`.similarity-check h2`, &figure),
		shot("similarity-zh"),
	)
	if !strings.Contains(figure, "文本相似度") || !strings.Contains(figure, "%") {
		t.Fatalf("figure: %q", figure)
	}
}

// The meeting on phones: the organizer sets the minimum to 3, makes three
// codes and opens voting; three attendees vote with them on phone-sized
// screens; the organizer closes and reads the results, then publishes the
// chair's comment on the first report with two problems, which the unit's
// leader then sees as two findings.
func TestAppraisalOnPhones(t *testing.T) {
	ctx, base := browser(t, 390, 844)
	st := storeOf(ctx)
	c := demoCycle(t, st, func(c cycle.Cycle) bool { return strings.Contains(c.Title, "乡镇") })
	a, err := st.CycleAppraisal(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	aPath := base + "/appraisals/" + strconv.FormatInt(a.ID, 10)
	var codes []string
	run(t, ctx,
		login(base, "organizer"),
		chromedp.Navigate(base+"/cycles/"+strconv.FormatInt(c.ID, 10)+"/appraisal"),
		chromedp.WaitVisible(chromedp.CSS(`form.appraisal-setup`)),
		chromedp.SetValue(chromedp.CSS(`input[name=min_ballots]`), "3"),
		chromedp.Click(chromedp.CSS(`form.appraisal-setup button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.flash`)),
		chromedp.SetValue(chromedp.CSS(`form[action$="/codes"] input[name=count]`), "3"),
		chromedp.Click(chromedp.CSS(`form[action$="/codes"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`.slip img`)),
		shot("codes-sheet-zh"),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			var err error
			codes, err = chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('.slip .code'), e => e.textContent)`)(ctx, tg)
			return err
		}),
		chromedp.Navigate(aPath),
		chromedp.Click(chromedp.CSS(`form[action$="/open"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/close"]`)),
		logout(),
	)
	if len(codes) != 3 {
		t.Fatalf("codes on the sheet: %q", codes)
	}
	reports, _ := st.Offered(context.Background(), mustAppraisal(t, st, a.ID), nil)
	for i, code := range codes {
		steps := []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(base + "/vote"),
			chromedp.SendKeys(chromedp.CSS(`input[name=code]`), strings.ToLower(code)),
			chromedp.Click(chromedp.CSS(`.vote-code button`)),
			chromedp.WaitVisible(chromedp.CSS(`form.ballot`)),
		}
		for j, r := range reports {
			grade := 1 + (i+j)%3 // good, fairly good, average
			steps = append(steps, chromedp.Click(chromedp.CSS(`input[name="grade_`+strconv.FormatInt(r.ID, 10)+`"][value="`+strconv.Itoa(grade)+`"]`)))
		}
		if i == 0 {
			steps = append(steps, shot("ballot-phone-zh"))
		}
		steps = append(steps, chromedp.Click(chromedp.CSS(`form.ballot button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(`.vote-done`)))
		run(t, ctx, steps...)
	}
	// A spent code is refused.
	var refused string
	run(t, ctx, chromedp.Navigate(base+"/vote?code="+codes[0]), chromedp.WaitVisible(chromedp.CSS(`.field-error`)), text(`.field-error`, &refused))
	if !strings.Contains(refused, "已经投过票") {
		t.Fatalf("spent code: %q", refused)
	}

	var results, commentPage, leaderView string
	var canvases []byte
	run(t, ctx,
		login(base, "organizer"),
		chromedp.Navigate(aPath),
		chromedp.Click(chromedp.CSS(`form[action$="/close"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href$="/results"]`)),
		chromedp.Click(chromedp.CSS(`a[href$="/results"]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.results`)),
		chromedp.WaitVisible(chromedp.CSS(`#results-chart canvas`)),
		text(`table.results tbody`, &results),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			// The chart is drawn: its canvas has dark pixels, not only white.
			v, err := chromedp.Evaluate[bool](`(() => { const c = document.querySelector('#results-chart canvas');
				const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
				let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i+3] > 0 && d[i] < 200) n++; return n > 500; })()`)(ctx, tg)
			if err == nil && v {
				canvases = []byte("drawn")
			}
			return err
		}),
		shot("results-phone-zh"),
		chromedp.Navigate(base+"/cycles/"+strconv.FormatInt(c.ID, 10)+"/comments"),
		chromedp.Click(chromedp.CSS(`a[href$="/comment"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form.comment-form`)),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=affirmations]`), "抓基层党建责任落实有力"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=problem_text_0]`), "村级后备干部培养不足"),
		chromedp.SetValue(chromedp.CSS(`select[name=problem_severity_0]`), "major"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=problem_text_1]`), "党员教育管理方式单一"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=requirements]`), "一个月内报送整改方案"),
		shot("comment-form-phone-zh"),
		chromedp.Click(chromedp.CSS(`button[formaction$="/comment/publish"]`)),
		chromedp.WaitVisible(chromedp.CSS(`section.comment ol.findings`)),
		text(`main`, &commentPage),
		logout(),
		login(base, "leader"),
		chromedp.Navigate(base+"/reports/"+strconv.FormatInt(reports[0].ID, 10)),
		chromedp.WaitVisible(chromedp.CSS(`section.chair-comment`)),
		text(`section.chair-comment`, &leaderView),
		shot("report-comment-leader-zh"),
	)
	// Three ballots per report, one each of good, fairly good and average:
	// shown since the minimum is 3, and each scores (100+80+60)/3.
	if strings.Contains(results, "不显示结果") || strings.Count(results, "80.00") != len(reports) {
		t.Fatalf("results: %q", results)
	}
	if canvases == nil {
		t.Fatal("the results chart is blank")
	}
	if !strings.Contains(commentPage, "已发布") {
		t.Fatalf("comment page after publishing: %q", commentPage)
	}
	if !strings.Contains(leaderView, "村级后备干部培养不足") || !strings.Contains(leaderView, "党员教育管理方式单一") {
		t.Fatalf("the leader sees: %q", leaderView)
	}
	fs, _ := st.ReportFindings(context.Background(), reports[0].ID)
	if len(fs) != 2 || fs[0].Source != finding.ChairComment || fs[0].Severity != finding.Major {
		t.Fatalf("findings: %+v", fs)
	}
}

// demoCycle finds the demo's cycle that matches.
func demoCycle(t *testing.T, st *store.Store, match func(cycle.Cycle) bool) cycle.Cycle {
	t.Helper()
	all, err := st.Cycles(context.Background(), []string{"/"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range all {
		if match(c) {
			return c
		}
	}
	t.Fatal("no such cycle in the demo")
	return cycle.Cycle{}
}

func mustAppraisal(t *testing.T, st *store.Store, id int64) appraisal.Appraisal {
	t.Helper()
	a, err := st.Appraisal(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// The demo's 2020 appraisal as the organizer sees it, in both languages,
// and Fucheng's comment and findings as its leader sees them.
func TestDemoAppraisalPages(t *testing.T) {
	ctx, base := browser(t, 1280, 900)
	st := storeOf(ctx)
	c := demoCycle(t, st, func(c cycle.Cycle) bool { return c.Year == 2020 && c.UnitName == "中共绵阳市委" })
	cid := strconv.FormatInt(c.ID, 10)
	var turnout, rowsZh, rowsEn, leader string
	run(t, ctx,
		login(base, "organizer"),
		chromedp.Navigate(base+"/cycles/"+cid),
		chromedp.Click(chromedp.CSS(`a[href$="/appraisal"]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.turnout`)),
		text(`table.turnout tbody`, &turnout),
		shot("appraisal-zh"),
		chromedp.Click(chromedp.CSS(`a[href$="/results"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#results-chart canvas`)),
		text(`table.results tbody`, &rowsZh),
		shot("results-zh"),
		chromedp.Click(chromedp.CSS(`.locale-switch button[value=en]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang=en] #results-chart canvas`)),
		text(`table.results tbody`, &rowsEn),
		shot("results-en"),
		chromedp.Navigate(base+"/cycles/"+cid+"/comments"),
		chromedp.WaitVisible(chromedp.CSS(`table`)),
		shot("comments-en"),
		chromedp.Click(chromedp.CSS(`.locale-switch button[value=zh-CN]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang=zh-CN] table`)),
		logout(),
		login(base, "leader"),
		chromedp.Navigate(base+"/cycles"),
		chromedp.Click(chromedp.Search(`//a[contains(., "2020年度县")]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.participants`)),
		chromedp.Click(chromedp.Search(`//table[contains(@class, "participants")]//a[contains(@href, "/reports/")]`)),
		chromedp.WaitVisible(chromedp.CSS(`section.chair-comment ol.findings`)),
		text(`section.chair-comment`, &leader),
		shot("leader-comment-zh"),
	)
	if !strings.Contains(turnout, "市级领导") || !strings.Contains(turnout, "12") {
		t.Fatalf("turnout: %q", turnout)
	}
	if strings.Count(rowsZh, "中共") < 9 || strings.Contains(rowsZh, "不显示结果") || !strings.Contains(rowsEn, "中共涪城区委") {
		t.Fatalf("results: %q / %q", rowsZh, rowsEn)
	}
	if !strings.Contains(leader, "涪城区委") || !strings.Contains(leader, "问题编号") {
		t.Fatalf("the leader's comment: %q", leader)
	}
}

// The closed loop in the browser: Fucheng's leader plans an item, records
// progress with evidence and submits it; a supervisor sends it back with a
// reason; the leader submits again; another supervisor verifies and the
// item shows closed. An overdue item shows red in the ledger; a supervisor
// urges it, and the leader sees the notice and answers it.
func TestRectificationLoop(t *testing.T) {
	ctx, base := browser(t, 1280, 900)
	st := storeOf(ctx)
	bg := context.Background()
	fc, _ := st.Units(bg, store.UnitFilter{Scopes: []string{"/"}, Query: "中共涪城区委", Limit: 1})
	c := demoCycle(t, st, func(c cycle.Cycle) bool { return c.Year == 2020 && c.UnitName == "中共绵阳市委" })
	f, err := st.CreateFinding(bg, audit.System, finding.Finding{UnitID: fc[0].ID, CycleID: c.ID, Source: finding.Supervision,
		Text: "村党组织书记队伍结构老化"})
	if err != nil {
		t.Fatal(err)
	}
	xs, _ := st.FindingRectifications(bg, f.ID)
	item := base + "/rectifications/" + strconv.FormatInt(xs[0].ID, 10)
	// A second supervisor, to verify what the first sent back: on the city,
	// which raised the finding (a county supervisor may not verify it).
	if _, err := st.CreateUser(bg, audit.System, user.Draft{Login: "supervisor2", Name: "纪委监委 周敏", Locale: "zh-CN"}, auth.HashPassword(demo.Password),
		[]auth.Grant{{Role: auth.Supervisor, UnitID: c.UnitID}}); err != nil {
		t.Fatal(err)
	}
	pdf := filepath.Join(t.TempDir(), "整改佐证.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n% evidence\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	deadline := st.Now().AddDate(0, 2, 0).Format(rectification.Date)
	var state, timeline, redRows, urgeText string
	run(t, ctx,
		login(base, "leader"),
		chromedp.Navigate(item),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/plan"]`)),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=measures]`), "逐村排查，调整不胜任的村党组织书记"),
		chromedp.SendKeys(chromedp.CSS(`input[name=owner]`), "区委组织部 李明"),
		chromedp.SendKeys(chromedp.CSS(`input[name=responsible_leader]`), "区委副书记 王强"),
		chromedp.SetValue(chromedp.CSS(`input[name=deadline]`), deadline),
		chromedp.SetValue(chromedp.CSS(`select[name=kind]`), "long_term"),
		// The start and progress forms are on the page before the plan
		// is saved: wait for each answer's notice, not for the forms.
		chromedp.Click(chromedp.CSS(`form[action$="/plan"] button`)),
		chromedp.WaitVisible(chromedp.Search(`//p[@class="flash" and contains(., "已保存")]`)),
		chromedp.Click(chromedp.CSS(`form[action$="/start"] button`)),
		chromedp.WaitVisible(chromedp.Search(`//p[@class="flash" and contains(., "整改已开始")]`)),
		chromedp.SendKeys(chromedp.CSS(`form[action$="/updates"] textarea[name=text]`), "已调整村党组织书记5名"),
		chromedp.SetUploadFiles(chromedp.CSS(`input[type=file][name=files]`), []string{pdf}),
		chromedp.Click(chromedp.CSS(`form[action$="/updates"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`.timeline a[href^="/evidence/"]`)),
		chromedp.Click(chromedp.CSS(`form[action$="/submit"] button`)),
		chromedp.WaitVisible(chromedp.Search(`//mark[contains(., "待验收")]`)),
		shot("rect-submitted-zh"),
		logout(),
		login(base, "supervisor"),
		chromedp.Navigate(item),
		chromedp.SendKeys(chromedp.CSS(`form[action$="/reject"] input[name=reason]`), "佐证材料不足，请补充调整名单"),
		chromedp.Click(chromedp.CSS(`form[action$="/reject"] button`)),
		chromedp.WaitVisible(chromedp.Search(`//mark[contains(., "整改中")]`)),
		logout(),
		login(base, "leader"),
		chromedp.Navigate(item),
		chromedp.Click(chromedp.CSS(`form[action$="/submit"] button`)),
		chromedp.WaitVisible(chromedp.Search(`//mark[contains(., "待验收")]`)),
		logout(),
		login(base, "supervisor2"),
		chromedp.Navigate(item),
		chromedp.Click(chromedp.CSS(`form[action$="/verify"] button`)),
		chromedp.WaitVisible(chromedp.Search(`//mark[contains(., "已销号")]`)),
		text(`.rect-state`, &state),
		text(`.timeline`, &timeline),
		shot("rect-closed-zh"),
		// The ledger's red items; urge the first.
		chromedp.Navigate(base+"/ledger?warning=red"),
		chromedp.WaitVisible(chromedp.CSS(`table.ledger`)),
		text(`table.ledger tbody`, &redRows),
		shot("ledger-red-zh"),
		logout(),
		login(base, "supervisor"),
	)
	if !strings.Contains(state, "销号") || !strings.Contains(timeline, "佐证材料不足") || !strings.Contains(timeline, "整改佐证.pdf") {
		t.Fatalf("closed item: %q\n%q", state, timeline)
	}
	if !strings.Contains(redRows, "红色预警") || !strings.Contains(redRows, "逾期") {
		t.Fatalf("red ledger rows: %q", redRows)
	}
	// Urge one of Fucheng's overdue items; the leader answers.
	reds, _, _ := st.Ledger(bg, store.LedgerFilter{Scopes: []string{fc[0].Path}, Warning: rectification.Red, Limit: 1})
	if len(reds) == 0 {
		t.Fatal("Fucheng has no overdue item")
	}
	red := base + "/rectifications/" + strconv.FormatInt(reds[0].ID, 10)
	run(t, ctx,
		chromedp.Navigate(red),
		chromedp.Click(chromedp.Search(`//summary[contains(., "发出督办")]`)),
		chromedp.SetValue(chromedp.CSS(`form[action$="/urges"] select[name=level]`), "red"),
		chromedp.SetValue(chromedp.CSS(`form[action$="/urges"] input[name=reply_by]`), st.Now().AddDate(0, 0, 3).Format(rectification.Date)),
		chromedp.SendKeys(chromedp.CSS(`form[action$="/urges"] textarea[name=text]`), "已逾期，请三日内报告"),
		chromedp.Click(chromedp.CSS(`form[action$="/urges"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`article.urge-red`)),
		logout(),
		login(base, "leader"),
		chromedp.Navigate(red),
		chromedp.WaitVisible(chromedp.CSS(`article.urge-red form[action$="/reply"]`)),
		chromedp.SendKeys(chromedp.CSS(`article.urge-red input[name=reply]`), "已成立专班推进"),
		chromedp.Click(chromedp.CSS(`article.urge-red form[action$="/reply"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`article.urge-red .reply`)),
		text(`article.urge-red`, &urgeText),
		shot("rect-urge-answered-zh"),
		chromedp.Click(chromedp.CSS(`.locale-switch button[value=en]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang=en] article.urge-red`)),
		shot("rect-urge-answered-en"),
		chromedp.Click(chromedp.CSS(`.locale-switch button[value=zh-CN]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang=zh-CN] article.urge-red`)),
	)
	if !strings.Contains(urgeText, "已逾期，请三日内报告") || !strings.Contains(urgeText, "已成立专班推进") {
		t.Fatalf("urge: %q", urgeText)
	}
}
