package finding

import (
	"slices"
	"strings"
	"testing"

	"zeren/internal/apperr"
)

func TestCheckScale(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want []string
		key  string // the refusal's message key
	}{
		{in: nil, want: nil},
		{in: []string{"", "  "}, want: nil},
		{in: []string{" 严重 ", "", "一般"}, want: []string{"严重", "一般"}},
		{in: []string{"A", "B", "C", "D", "E", "F"}, want: []string{"A", "B", "C", "D", "E", "F"}},
		{in: []string{"严重"}, key: "err.scale_size"},
		{in: []string{"A", "B", "C", "D", "E", "F", "G"}, key: "err.scale_size"},
		{in: []string{"严重", "严重 "}, key: "err.severity_twice"},
		{in: []string{strings.Repeat("重", MaxSeverityLabel+1), "一般"}, key: "err.too_long"},
	} {
		got, err := CheckScale(c.in)
		if c.key != "" {
			e, ok := apperr.As(err)
			if !ok || e.Field != "severities" || e.Key != c.key {
				t.Errorf("%q: %v, want %s on severities", c.in, err, c.key)
			}
			continue
		}
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%q: %q %v, want %q", c.in, got, err, c.want)
		}
	}
}

func TestScale(t *testing.T) {
	if s := Scale(nil); !slices.Equal(s, Severities) || !Major.In(s) || Severity("较重").In(s) {
		t.Fatalf("default scale: %q", s)
	}
	s := Scale([]string{"较重", "一般"})
	if !Severity("较重").In(s) || Major.In(s) || Severity("").In(s) {
		t.Fatalf("own scale: %q", s)
	}
}
