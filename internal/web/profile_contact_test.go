package web

import (
	"context"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"zeren/internal/remind"
	"zeren/internal/user"
)

// TestProfileContact saves a contact, then sends bad input in every field:
// each is refused on the form naming the field, and nothing changes.
func TestProfileContact(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.users["leadera"].ID
	form := func(email, phone string, channels ...string) string {
		v := url.Values{"email": {email}, "phone": {phone}, "channels": channels}
		return v.Encode()
	}
	resp, _ := f.do("leadera", "POST", "/profile/contact", form(" zhang@example.org ", "+86 138-0000-0000", "email", "wecom", "email"))
	if resp.StatusCode != 303 {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	want := user.Contact{Email: "zhang@example.org", Phone: "+86 138-0000-0000", Channels: []remind.Channel{remind.Email, remind.WeCom}}
	if got, err := f.st.Contact(ctx, id); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("saved %+v %v", got, err)
	}
	_, body := f.do("leadera", "GET", "/profile", "")
	for _, s := range []string{`value="zhang@example.org"`, `value="wecom" checked`, `value="dingtalk" >`, "站内消息始终可用", "由您所在单位的管理员"} {
		if !strings.Contains(body, s) {
			t.Errorf("profile lacks %q", s)
		}
	}
	long := strings.Repeat("a", 250) + "@example.org"
	for _, c := range []struct{ name, body, field, msg string }{
		{"bad email", form("not-an-address", ""), "email", "电子邮件: 不是有效的电子邮箱地址"},
		{"email with a name", form("张三 <zhang@example.org>", ""), "email", "电子邮件: 不是有效的电子邮箱地址"},
		{"bad phone", form("", "call me"), "phone", "手机号码: 不是有效的电话号码"},
		{"too long phone", form("", strings.Repeat("1", 30)), "phone", "手机号码: 不是有效的电话号码"},
		{"unknown channel", form("", "", "fax"), "channels", "提醒渠道: 不是可选的渠道"},
		{"email without address", form("", "13800000000", "email"), "email", "电子邮件: 接收邮件需要填写邮箱地址"},
		{"too long email", form(long, ""), "email", "电子邮件: 不能超过 254 个字符"},
	} {
		resp, body := f.do("leadera", "POST", "/profile/contact", c.body)
		if resp.StatusCode != 400 {
			t.Errorf("%s: %d", c.name, resp.StatusCode)
			continue
		}
		if !strings.Contains(body, `<p class="problem" role="alert">`) || !strings.Contains(body, c.msg) {
			t.Errorf("%s: no message %q\n%s", c.name, c.msg, excerpt(body))
		}
		if !strings.Contains(body, `name="`+c.field+`"`) || !strings.Contains(body, `aria-invalid="true"`) {
			t.Errorf("%s: field %s not marked", c.name, c.field)
		}
		if got, _ := f.st.Contact(ctx, id); !reflect.DeepEqual(got, want) {
			t.Errorf("%s changed the contact: %+v", c.name, got)
		}
	}
	// Clearing everything is allowed: the inbox still works.
	if resp, _ := f.do("leadera", "POST", "/profile/contact", form("", "")); resp.StatusCode != 303 {
		t.Fatalf("clear: %d", resp.StatusCode)
	}
	if got, _ := f.st.Contact(ctx, id); got.Email != "" || len(got.Channels) != 0 {
		t.Fatalf("cleared: %+v", got)
	}
}

// TestProfileContactAPI reads and replaces the token user's contact: null
// for absent values, and bad input naming the field and changing nothing.
func TestProfileContactAPI(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	resp, body := f.do("member-a", "GET", "/api/v1/me/contact", "")
	if resp.StatusCode != 200 || body != `{"email":null,"phone":null,"channels":["email"]}`+"\n" {
		t.Fatalf("default: %d %s", resp.StatusCode, body)
	}
	resp, body = f.do("member-a", "PUT", "/api/v1/me/contact", `{"email": "li@example.org", "channels": ["dingtalk", "email"]}`)
	if resp.StatusCode != 200 || body != `{"email":"li@example.org","phone":null,"channels":["dingtalk","email"]}`+"\n" {
		t.Fatalf("put: %d %s", resp.StatusCode, body)
	}
	for _, c := range []struct{ body, field string }{
		{`{"email": "nope"}`, "email"},
		{`{"phone": "abc"}`, "phone"},
		{`{"channels": ["fax"]}`, "channels"},
		{`{"channels": ["email"]}`, "email"},
		{`{"email": "` + strings.Repeat("a", 250) + `@example.org"}`, "email"},
		{`{"email": 5}`, "email"},
		{`{"mail": "x@example.org"}`, "mail"},
	} {
		resp, body := f.do("member-a", "PUT", "/api/v1/me/contact", c.body)
		if resp.StatusCode != 400 || !strings.Contains(body, `"field":"`+c.field+`"`) {
			t.Errorf("%s: %d %s", c.body, resp.StatusCode, body)
		}
	}
	got, _ := f.st.Contact(ctx, f.users["member-a"].ID)
	if got.Email != "li@example.org" || len(got.Channels) != 2 {
		t.Fatalf("bad input changed the contact: %+v", got)
	}
	// One's own only: another's contact is untouched.
	if other, _ := f.st.Contact(ctx, f.users["member-b"].ID); other.Email != "" {
		t.Fatalf("member-b's contact: %+v", other)
	}
}
