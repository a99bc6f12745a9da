package notify

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"zeren/internal/apperr"
	"zeren/internal/i18n"
)

func TestCheckRobotURL(t *testing.T) {
	for _, tc := range []struct {
		kind, url, key string // key "": accepted
	}{
		{ChannelDingTalk, "https://oapi.dingtalk.com/robot/send?access_token=abc123", ""},
		{ChannelWeCom, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx", ""},
		{ChannelWebhook, "https://hooks.example.org:8443/zeren", ""},
		{ChannelWebhook, "HTTPS://hooks.example.org/", ""},
		{ChannelWebhook, "", ""},
		{ChannelDingTalk, "http://oapi.dingtalk.com/robot/send?access_token=abc", "channels.err_url_https"},
		{ChannelWeCom, "ftp://qyapi.weixin.qq.com/x", "channels.err_url_https"},
		{ChannelWeCom, "qyapi.weixin.qq.com/cgi-bin/webhook/send", "channels.err_url_https"},
		{ChannelWebhook, "https:///path-only", "channels.err_url_host"},
		{ChannelWebhook, "https:opaque", "channels.err_url_host"},
		{ChannelWebhook, "https://user:pass@hooks.example.org/", "channels.err_url_userinfo"},
		{ChannelWebhook, "https://user@hooks.example.org/", "channels.err_url_userinfo"},
		{ChannelDingTalk, "https://oapi.dingtalk.com/" + strings.Repeat("a", MaxURL), "channels.err_url_too_long"},
		{ChannelDingTalk, "https://oapi.dingtalk.com/robot send", "channels.err_url_text"},
		{ChannelDingTalk, "https://oapi.dingtalk.com/\x00", "channels.err_url_text"},
		{ChannelDingTalk, "https://oapi.dingtalk.com/\xff\xfe", "channels.err_url_text"},
		{ChannelDingTalk, "https://oapi.dingtalk.com/\u200b\n", "channels.err_url_text"},
		{ChannelWebhook, "https://[::1/x", "channels.err_url_invalid"},
		{ChannelWebhook, "https://h/%zz", "channels.err_url_invalid"},
	} {
		err := CheckRobotURL(tc.kind, tc.url)
		if tc.key == "" {
			if err != nil {
				t.Errorf("%s %.60q: %v", tc.kind, tc.url, err)
			}
			continue
		}
		e, ok := apperr.As(err)
		if !ok || e.Kind != apperr.Invalid || e.Field != tc.kind+"_url" || e.Key != tc.key {
			t.Errorf("%s %.60q: %#v, want %s on %s_url", tc.kind, tc.url, err, tc.key, tc.kind)
		}
	}
	for secret, key := range map[string]string{
		"":                          "",
		dingSecret:                  "",
		"SEC abc":                   "channels.err_secret_text",
		"SEC密钥":                     "channels.err_secret_text",
		strings.Repeat("S", 201):    "channels.err_secret_too_long",
		"SEC\x00":                   "channels.err_secret_text",
		"SECabc\n":                  "channels.err_secret_text",
		"SEC0123456789ABCDEF+/=abc": "",
	} {
		err := CheckSecret(secret)
		if e, ok := apperr.As(err); (key == "" && err != nil) || (key != "" && (!ok || e.Key != key || e.Field != "dingtalk_secret")) {
			t.Errorf("secret %.30q: %v, want %q", secret, err, key)
		}
	}
}

// TestCatalogKeys: every catalog key this package names is in both
// catalogs, and so is the label of every field it names.
func TestCatalogKeys(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("check.go")
	if err != nil {
		t.Fatal(err)
	}
	keys := regexp.MustCompile(`"(channels\.[a-z_]+)"`).FindAllStringSubmatch(string(src), -1)
	if len(keys) < 8 {
		t.Fatalf("found %d keys", len(keys))
	}
	for _, k := range keys {
		if !cat.Has(k[1]) {
			t.Errorf("%s is not in the catalog", k[1])
		}
	}
	for _, f := range []string{Field(ChannelDingTalk), Field(ChannelWeCom), Field(ChannelWebhook), "dingtalk_secret"} {
		if !cat.Has("field." + f) {
			t.Errorf("field.%s is not in the catalog", f)
		}
	}
	// The messages read as a sentence with the field's label.
	msg := cat.Error("en", &apperr.Error{Kind: apperr.Invalid, Field: "wecom_url", Key: "channels.err_url_https"})
	if msg != "WeCom robot URL: must be an https:// address" {
		t.Errorf("en: %q", msg)
	}
}
