package notify

import (
	"strings"
	"testing"

	"zeren/internal/apperr"
)

func TestDraftApply(t *testing.T) {
	ding := "https://oapi.dingtalk.com/robot/send?access_token=abcdef123456"
	saved := Channels{UnitID: 7, DingTalkURL: ding, DingTalkSecret: "SECold0123456789", Version: 3}
	str := func(s string) *string { return &s }
	for _, tc := range []struct {
		name   string
		d      Draft
		secret string
		field  string // of the error, "" for none
	}{
		{"keep the secret", Draft{DingTalkURL: " " + ding + " "}, "SECold0123456789", ""},
		{"new secret", Draft{DingTalkURL: ding, DingTalkSecret: str("SECnew")}, "SECnew", ""},
		{"remove the secret", Draft{DingTalkURL: ding, DingTalkSecret: str("")}, "", ""},
		{"no URL, no secret", Draft{WeComURL: "https://qyapi.weixin.qq.com/x"}, "", ""},
		{"a secret without a URL", Draft{DingTalkSecret: str("SECx")}, "", "dingtalk_url"},
		{"bad secret", Draft{DingTalkURL: ding, DingTalkSecret: str("SEC x")}, "", "dingtalk_secret"},
		{"http", Draft{DingTalkURL: ding, WebhookURL: "http://h/"}, "", "webhook_url"},
	} {
		got, err := tc.d.Apply(saved)
		if tc.field != "" {
			if e, ok := apperr.As(err); !ok || e.Field != tc.field || got != saved {
				t.Errorf("%s: %v, %+v", tc.name, err, got)
			}
			continue
		}
		if err != nil || got.DingTalkSecret != tc.secret || got.UnitID != 7 || strings.Contains(got.DingTalkURL, " ") {
			t.Errorf("%s: %+v %v", tc.name, got, err)
		}
	}
	a := saved.Audited()
	if a["dingtalk_secret_set"] != true || a["dingtalk_url"] != "https://oapi.dingtalk.com/robot/send?access_token=...3456" {
		t.Errorf("audited: %v", a)
	}
	if MaskSecret("") != "" || MaskSecret("short") != "••••••" || MaskSecret("SEC0123456789ab") != "SEC••••••ab" {
		t.Error("MaskSecret")
	}
	if n := len(saved.Senders(nil)); n != 1 || (Channels{}).Senders(nil) != nil || !(Channels{}).Empty() {
		t.Errorf("senders: %d", n)
	}
}
