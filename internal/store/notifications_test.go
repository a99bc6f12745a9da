package store_test

import (
	"context"
	"testing"

	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/auth"
	"zeren/internal/cycle"
	"zeren/internal/remind"
	"zeren/internal/store/storetest"
	"zeren/internal/user"
)

// TestStallDaysRead checks that the cycle read carries the stall days the
// sweep uses, and that a value out of range changes nothing.
func TestStallDaysRead(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	by := audit.Actor{Login: "test"}
	city := mustUnit(t, st, 0, "中共绵阳市委")
	c, err := st.CreateCycle(ctx, by, city.ID, cycle.Draft{Year: 2020, Title: "2020年度述职评议"})
	if err != nil || c.StallDays != 0 {
		t.Fatalf("create: %+v %v", c, err)
	}
	if err := st.SetStallDays(ctx, by, c.ID, 14); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []int{-1, remind.MaxStallDays + 1} {
		if err := st.SetStallDays(ctx, by, c.ID, bad); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("%d: %v", bad, err)
		}
	}
	if c, err = st.Cycle(ctx, c.ID); err != nil || c.StallDays != 14 {
		t.Fatalf("read: %d %v", c.StallDays, err)
	}
}

// TestInboxOwn checks that a person reads and marks only their own
// notifications, newest first, with a cursor, and that the count follows.
func TestInboxOwn(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	city := mustUnit(t, st, 0, "中共绵阳市委")
	mk := func(login string) user.User {
		u, err := st.CreateUser(ctx, audit.System, user.Draft{Login: login, Name: login, Locale: "zh-CN"}, "x",
			[]auth.Grant{{Role: auth.UnitStaff, UnitID: city.ID}})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	a, b := mk("zhangsan"), mk("lisi")
	var ns []remind.Notification
	for _, k := range []string{"1", "2", "3"} {
		ns = append(ns, remind.Notification{UserID: a.ID, Kind: remind.BallotOpen, Key: "k" + k, Link: "/x", Args: []string{k}})
	}
	ns = append(ns, remind.Notification{UserID: b.ID, Kind: remind.BallotOpen, Key: "kb", Link: "/y", Args: []string{"b"}})
	if _, err := st.Notify(ctx, ns); err != nil {
		t.Fatal(err)
	}
	page, err := st.Inbox(ctx, a.ID, 0, 2)
	if err != nil || len(page) != 2 || page[0].ID < page[1].ID {
		t.Fatalf("page: %+v %v", page, err)
	}
	older, err := st.Inbox(ctx, a.ID, page[1].ID, 2)
	if err != nil || len(older) != 1 || older[0].ID >= page[1].ID {
		t.Fatalf("older: %+v %v", older, err)
	}
	theirs, _ := st.Inbox(ctx, b.ID, 0, 10)
	if _, err := st.ReadNotification(ctx, a.ID, theirs[0].ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("another's: %v", err)
	}
	if n, _ := st.Unread(ctx, b.ID); n != 1 {
		t.Fatalf("b's unread after a's attempt: %d", n)
	}
	if n, err := st.ReadNotification(ctx, a.ID, page[0].ID); err != nil || n.ReadAt == nil {
		t.Fatalf("read: %+v %v", n, err)
	}
	if n, _ := st.Unread(ctx, a.ID); n != 2 {
		t.Fatalf("unread: %d", n)
	}
	if n, err := st.ReadAll(ctx, a.ID); err != nil || n != 2 {
		t.Fatalf("read all: %d %v", n, err)
	}
	if n, _ := st.Unread(ctx, b.ID); n != 1 {
		t.Fatalf("b's unread after a's read all: %d", n)
	}
}
