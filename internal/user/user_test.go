package user

import (
	"strings"
	"testing"

	"zeren/internal/apperr"
)

func TestDraftNormalize(t *testing.T) {
	for _, tc := range []struct {
		d     Draft
		field string
	}{
		{Draft{Login: " ZhangSan ", Name: "张三"}, ""},
		{Draft{Login: "", Name: "张三"}, "login"},
		{Draft{Login: "a", Name: "张三"}, "login"},
		{Draft{Login: "zhang san", Name: "张三"}, "login"},
		{Draft{Login: "-zs", Name: "张三"}, "login"},
		{Draft{Login: "zs", Name: " "}, "name"},
		{Draft{Login: "zs", Name: strings.Repeat("张", MaxNameLen+1)}, "name"},
		{Draft{Login: "zs", Name: "张三", Locale: "fr"}, "locale"},
		{Draft{Login: "zs", Name: "张三", Locale: "en"}, ""},
	} {
		err := tc.d.Normalize()
		if tc.field == "" {
			if err != nil {
				t.Errorf("%+v: %v", tc.d, err)
			}
			continue
		}
		if e, ok := apperr.As(err); !ok || e.Field != tc.field {
			t.Errorf("%+v: got %v, want field %s", tc.d, err, tc.field)
		}
	}
	d := Draft{Login: " ZhangSan ", Name: "张三"}
	_ = d.Normalize()
	if d.Login != "zhangsan" {
		t.Errorf("login not normalized: %q", d.Login)
	}
}
