package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"zeren/internal/audit"
	"zeren/internal/cycle"
	"zeren/internal/remind"
	"zeren/internal/store"
	"zeren/internal/unit"
)

// TestLeaderTodo: the county leader lands on the to-do, on a phone, and
// finds the report to write, the overdue item and the urge notice, with
// their count in the menu; answering the notice removes it.
func TestLeaderTodo(t *testing.T) {
	ctx, base := browser(t, 390, 844)
	st := storeOf(ctx)
	// The city starts its 2021 review with Fucheng taking part: its report
	// is a draft to write.
	bg := context.Background()
	find := func(name string) unit.Unit {
		us, err := st.Units(bg, store.UnitFilter{Scopes: []string{"/"}, Query: name, Limit: 5})
		if err != nil || len(us) == 0 {
			t.Fatalf("unit %s: %v %v", name, us, err)
		}
		return us[0]
	}
	city, fucheng := find("中共绵阳市委"), find("中共涪城区委")
	c, err := st.CreateCycle(bg, audit.System, city.ID, cycle.Draft{Year: 2021, Title: "2021年度述职评议", Deadline: "2022-01-10"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetParticipants(bg, audit.System, c.ID, c.Version, []cycle.Participant{{UnitID: fucheng.ID, Mode: cycle.Written}}); err != nil {
		t.Fatal(err)
	}
	c, _ = st.Cycle(bg, c.ID)
	if _, err := st.AdvanceCycle(bg, audit.System, c.ID, c.Version, cycle.Reporting); err != nil {
		t.Fatal(err)
	}
	var heading, list, badge string
	run(t, ctx,
		login(base, "leader"),
		chromedp.WaitVisible(chromedp.CSS(`ol.todo`)),
		text(`main h1`, &heading),
		text(`ol.todo`, &list),
		text(`header nav a[href="/todo"] mark.badge`, &badge),
		shot("todo-leader-phone-zh"),
	)
	entries, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("ol.todo li").length`))
	if err != nil {
		t.Fatal(err)
	}
	if heading != "待办" || badge != strconv.Itoa(entries) || entries < 3 {
		t.Fatalf("heading %q, badge %q, %d entries", heading, badge, entries)
	}
	for _, want := range []string{"撰写并提交述职报告", "整改事项已逾期", "答复督办通知", "中共涪城区委"} {
		if !strings.Contains(list, want) {
			t.Errorf("the to-do lacks %q:\n%s", want, list)
		}
	}
	// Overdue first: the item (deadline 2020-12-31) before the notice.
	if strings.Index(list, "整改事项已逾期") > strings.Index(list, "答复督办通知") {
		t.Errorf("not most urgent first:\n%s", list)
	}
	// The notice's notification waits in the inbox, as the action that
	// issues a notice leaves it (the demo's notices were loaded directly).
	var unread string
	attr, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`li[data-kind="urge_reply"] a`), "href"))
	if err != nil {
		t.Fatal(err)
	}
	href := attr.Value
	if _, err := st.NotifyUnit(bg, fucheng.ID, []string{"leader", "staff"}, remind.Notification{Kind: remind.UrgeIssued,
		Key: remind.Key(remind.UrgeIssued, "e2e", st.Now()), Link: strings.TrimPrefix(href, base),
		Args: []string{"yellow", "中共涪城区委", "2021-01-20", "村（社区）书记后备人选不足"}}); err != nil {
		t.Fatal(err)
	}
	run(t, ctx,
		chromedp.Navigate(base+"/todo"),
		chromedp.WaitVisible(chromedp.CSS(`ol.todo`)),
		text(`header nav a[href="/inbox"] mark.badge`, &unread),
	)
	before, _ := strconv.Atoi(unread)
	if before < 1 {
		t.Fatalf("inbox count %q", unread)
	}
	// Answer the notice from its entry.
	var after string
	run(t, ctx,
		chromedp.Click(chromedp.CSS(`li[data-kind="urge_reply"] a`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action^="/urges/"][action$="/reply"] input[name=reply]`)),
		chromedp.SendKeys(chromedp.CSS(`form[action^="/urges/"][action$="/reply"] input[name=reply]`), "已调整村（社区）书记后备人选，下周报送名单"),
		chromedp.Click(chromedp.CSS(`form[action^="/urges/"][action$="/reply"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`p.reply`)),
		chromedp.Navigate(base+"/todo"),
		chromedp.WaitVisible(chromedp.CSS(`ol.todo`)),
		text(`ol.todo`, &after),
		text(`header nav a[href="/todo"] mark.badge`, &badge),
	)
	if strings.Contains(after, "答复督办通知") || !strings.Contains(after, "整改事项已逾期") || badge != strconv.Itoa(entries-1) {
		t.Fatalf("after answering (badge %q):\n%s", badge, after)
	}
	// The inbox: the notification opens the item and is read; the count falls.
	var inbox string
	run(t, ctx,
		chromedp.Navigate(base+"/inbox"),
		chromedp.WaitVisible(chromedp.CSS(`.inbox`)),
		text(`.inbox`, &inbox),
		shot("inbox-leader-phone-zh"),
		chromedp.Click(chromedp.CSS(`.inbox tr.unread a`)),
		chromedp.WaitVisible(chromedp.CSS(`p.reply`)),
	)
	if !strings.Contains(inbox, "黄色督办") {
		t.Errorf("the inbox lacks the notice:\n%s", inbox)
	}
	n, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector('header nav a[href="/inbox"] mark.badge') || {textContent: "0"}).textContent`))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := strconv.Atoi(n); got != before-1 {
		t.Errorf("inbox count %d after reading one of %d", got, before)
	}
}
