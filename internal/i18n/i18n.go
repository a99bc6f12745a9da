// Package i18n holds the message catalogs (Simplified Chinese, the default,
// and English) and picks a locale from a user's choice or Accept-Language.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"golang.org/x/text/language"

	"zeren/internal/apperr"
)

// Default is the locale used when nothing else decides.
const Default = "zh-CN"

// Locales are the supported locales, the default first.
var Locales = []string{"zh-CN", "en"}

//go:embed catalog/*.json
var files embed.FS

// Catalog translates message keys.
type Catalog struct {
	msgs    map[string]map[string]string
	matcher language.Matcher
}

// Load reads the embedded catalogs. Every locale must define exactly the
// default locale's keys, so a missing translation fails at start (and in tests).
func Load() (*Catalog, error) {
	c := &Catalog{msgs: map[string]map[string]string{}}
	tags := make([]language.Tag, len(Locales))
	for i, loc := range Locales {
		b, err := files.ReadFile("catalog/" + loc + ".json")
		if err != nil {
			return nil, fmt.Errorf("catalog %s: %w", loc, err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("catalog %s: %w", loc, err)
		}
		c.msgs[loc] = m
		tags[i] = language.MustParse(loc)
	}
	c.matcher = language.NewMatcher(tags)
	for _, loc := range Locales[1:] {
		if d := diff(c.msgs[Default], c.msgs[loc]); d != "" {
			return nil, fmt.Errorf("catalog %s differs from %s: %s", loc, Default, d)
		}
	}
	return c, nil
}

func diff(a, b map[string]string) string {
	var missing []string
	for k := range a {
		if _, ok := b[k]; !ok {
			missing = append(missing, "missing "+k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			missing = append(missing, "extra "+k)
		}
	}
	sort.Strings(missing)
	return strings.Join(missing, ", ")
}

// T returns the message for key in locale, formatted with args. An unknown
// key is returned as is, so that a mistake shows on the page instead of
// failing the request; the template test catches such keys.
func (c *Catalog) T(locale, key string, args ...any) string {
	m, ok := c.msgs[locale]
	if !ok {
		m = c.msgs[Default]
	}
	s, ok := m[key]
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Has reports whether key is in the catalog.
func (c *Catalog) Has(key string) bool {
	_, ok := c.msgs[Default][key]
	return ok
}

// Supported returns locale if it is supported, else "".
func Supported(locale string) string {
	for _, l := range Locales {
		if strings.EqualFold(l, locale) {
			return l
		}
	}
	return ""
}

// Match picks the supported locale that best fits an Accept-Language header.
func (c *Catalog) Match(acceptLanguage string) string {
	if acceptLanguage == "" {
		return Default
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, idx, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return Default
	}
	return Locales[idx]
}

// Error renders a typed error as one sentence naming the field, e.g.
// "名称: 此项必填" or "Name: is required".
func (c *Catalog) Error(locale string, e *apperr.Error) string {
	msg := c.T(locale, e.Key, e.Args...)
	if e.Field == "" {
		return msg
	}
	label := e.Field
	if c.Has("field." + e.Field) {
		label = c.T(locale, "field."+e.Field)
	}
	return label + ": " + msg
}
