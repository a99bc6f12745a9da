package i18n

import "testing"

func TestLoadAndMatch(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ header, want string }{
		{"", "zh-CN"},
		{"en-US,en;q=0.9", "en"},
		{"zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"},
		{"zh-TW", "zh-CN"},
		{"fr-FR", "zh-CN"},
		{"de, en;q=0.5", "en"},
		{";;;garbage", "zh-CN"},
	} {
		if got := c.Match(tc.header); got != tc.want {
			t.Errorf("Match(%q) = %s, want %s", tc.header, got, tc.want)
		}
	}
	if c.T("en", "app.name") == c.T("zh-CN", "app.name") {
		t.Error("app.name not translated")
	}
	if got := c.T("en", "err.too_long", 100); got == "err.too_long" || got == c.T("en", "err.too_long") {
		t.Errorf("args not applied: %q", got)
	}
	if c.T("xx", "no.such.key") != "no.such.key" {
		t.Error("unknown key should come back as is")
	}
}

func TestDiff(t *testing.T) {
	if diff(map[string]string{"a": "", "b": ""}, map[string]string{"a": "", "c": ""}) != "extra c, missing b" {
		t.Error("diff")
	}
}

func FuzzMatch(f *testing.F) {
	c, err := Load()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"en", "zh-CN,zh;q=0.9", "*", ";q=", "en-US;q=abc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		if Supported(c.Match(header)) == "" {
			t.Fatalf("Match(%q) = %q, not a supported locale", header, c.Match(header))
		}
	})
}
