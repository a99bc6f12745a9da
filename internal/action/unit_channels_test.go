package action_test

import (
	"context"
	"testing"

	"zeren/internal/action"
	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/notify"
)

// TestUnitChannelsDecisions: only an admin of the unit or above reads or
// sets its robots; a county admin neither reads the city's secret nor
// changes it, and a refused save changes nothing.
func TestUnitChannelsDecisions(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	cityAdmin := w.real(t, w.who(auth.Admin, relLevel))
	countyAdmin := w.real(t, w.who(auth.Admin, relParent))
	secret := "SECcity-secret-0123456789"
	saved, err := w.act.SaveUnitChannels(ctx, cityAdmin, w.city.ID, 0, notify.Draft{
		DingTalkURL: "https://oapi.dingtalk.com/robot/send?access_token=abc", DingTalkSecret: &secret})
	if err != nil {
		t.Fatal(err)
	}
	if _, c, err := w.act.UnitChannels(ctx, cityAdmin, w.city.ID); err != nil || c.DingTalkSecret != secret {
		t.Fatalf("the city's admin reads: %+v %v", c, err)
	}
	if _, c, err := w.act.UnitChannels(ctx, countyAdmin, w.city.ID); err == nil || c.DingTalkSecret != "" {
		t.Errorf("the county's admin read the city's channels: %+v %v", c, err)
	}
	_, err = w.act.SaveUnitChannels(ctx, countyAdmin, w.city.ID, saved.Version, notify.Draft{})
	if !apperr.Is(err, apperr.NotFound) && !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("the county's admin saves the city's channels: %v", err)
	}
	if _, c, _ := w.act.UnitChannels(ctx, cityAdmin, w.city.ID); c.Version != saved.Version || c.DingTalkURL == "" {
		t.Errorf("a refused save changed the channels: %+v", c)
	}
	// Down the tree: the county's admin sets the township's; the
	// township's leader may not read them.
	if _, err := w.act.SaveUnitChannels(ctx, countyAdmin, w.town.ID, 0, notify.Draft{WebhookURL: "https://hooks.example.org/x"}); err != nil {
		t.Errorf("the county's admin on the township: %v", err)
	}
	leader := w.who(auth.UnitLeader, relUnit)
	if _, _, err := w.act.UnitChannels(ctx, leader, w.town.ID); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("the township's leader reads its channels: %v", err)
	}
	if action.CanUnitChannels(leader, w.town.Path) || !action.CanUnitChannels(countyAdmin, w.town.Path) || action.CanUnitChannels(countyAdmin, w.city.Path) {
		t.Error("CanUnitChannels")
	}
}
