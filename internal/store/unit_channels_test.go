package store_test

import (
	"context"
	"strings"
	"testing"

	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/notify"
	"zeren/internal/store"
	"zeren/internal/store/storetest"
)

const (
	dingURL    = "https://oapi.dingtalk.com/robot/send?access_token=city0123456789abcdef"
	dingSecret = "SECcity0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
	weComURL   = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=county-key-0001"
)

func TestUnitChannels(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	city := mustUnit(t, st, 0, "中共绵阳市委")
	county := mustUnit(t, st, city.ID, "涪城区委")
	town := mustUnit(t, st, county.ID, "城厢街道党工委")
	other := mustUnit(t, st, city.ID, "游仙区委")
	by := audit.Actor{UserID: 0, Login: "admin"}

	// None anywhere.
	if c, err := st.UnitChannels(ctx, town); err != nil || c.Version != 0 || !c.Empty() || c.UnitID != town.ID {
		t.Fatalf("none saved: %+v %v", c, err)
	}
	if _, ok, err := st.NearestUnitChannels(ctx, town.Path); ok || err != nil {
		t.Fatalf("nearest of none: %v %v", ok, err)
	}

	// The city's robots reach the township.
	secret := dingSecret
	c, err := st.SaveUnitChannels(ctx, by, city.ID, 0, notify.Draft{DingTalkURL: dingURL, DingTalkSecret: &secret})
	if err != nil || c.Version != 1 || c.DingTalkSecret != dingSecret {
		t.Fatalf("save: %+v %v", c, err)
	}
	near, ok, err := st.NearestUnitChannels(ctx, town.Path)
	if err != nil || !ok || near.UnitID != city.ID || near.UnitPath != city.Path || near.DingTalkSecret != dingSecret {
		t.Fatalf("nearest: %+v %v %v", near, ok, err)
	}

	// The county's own robot wins for the county's subtree, not for its sibling.
	if _, err := st.SaveUnitChannels(ctx, by, county.ID, 0, notify.Draft{WeComURL: weComURL}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		want int64
	}{{town.Path, county.ID}, {county.Path, county.ID}, {other.Path, city.ID}, {city.Path, city.ID}} {
		if near, ok, err := st.NearestUnitChannels(ctx, tc.path); err != nil || !ok || near.UnitID != tc.want {
			t.Errorf("nearest of %s: %+v %v %v, want unit %d", tc.path, near, ok, err, tc.want)
		}
	}

	// A stale version is refused and changes nothing.
	_, err = st.SaveUnitChannels(ctx, by, city.ID, 0, notify.Draft{WeComURL: weComURL})
	if !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("stale: %v", err)
	}
	// Bad input names the field and changes nothing.
	_, err = st.SaveUnitChannels(ctx, by, city.ID, 1, notify.Draft{DingTalkURL: "http://oapi.dingtalk.com/robot/send"})
	wantField(t, err, "dingtalk_url")
	if after, _ := st.UnitChannels(ctx, city); after.Version != 1 || after.DingTalkURL != dingURL {
		t.Fatalf("refused changes saved: %+v", after)
	}

	// A nil secret keeps it; an empty URL set clears the county's robots,
	// so the city's reach the township again.
	c, err = st.SaveUnitChannels(ctx, by, city.ID, 1, notify.Draft{DingTalkURL: dingURL, WebhookURL: "https://hooks.example.org/zeren"})
	if err != nil || c.DingTalkSecret != dingSecret || c.Version != 2 || c.WebhookURL == "" {
		t.Fatalf("keep the secret: %+v %v", c, err)
	}
	if _, err := st.SaveUnitChannels(ctx, by, county.ID, 1, notify.Draft{}); err != nil {
		t.Fatal(err)
	}
	if near, _, _ := st.NearestUnitChannels(ctx, town.Path); near.UnitID != city.ID {
		t.Errorf("cleared county still nearest: %+v", near)
	}
	if _, err := st.SaveUnitChannels(ctx, by, 999999, 0, notify.Draft{}); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("no such unit: %v", err)
	}

	// The audit trail has every save, with the unit, and never the secret
	// nor the whole access token.
	events, err := st.AuditEvents(ctx, store.AuditFilter{Scopes: []string{city.Path}, Action: "unit.channels", Limit: 10})
	if err != nil || len(events) != 4 {
		t.Fatalf("events: %d %v", len(events), err)
	}
	for _, e := range events {
		all := string(e.Before) + string(e.After)
		if strings.Contains(all, dingSecret) || strings.Contains(all, "SECcity") || strings.Contains(all, "city0123456789abcdef") {
			t.Errorf("the audit event shows a secret: %s", all)
		}
		if e.ObjectType != "unit" || e.UnitID == 0 {
			t.Errorf("event %+v", e)
		}
	}
	if !strings.Contains(string(events[1].After), `"dingtalk_secret_set":true`) {
		t.Errorf("latest city event: %s", events[1].After)
	}
}
