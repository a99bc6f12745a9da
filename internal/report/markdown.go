package report

import (
	"bytes"
	"html/template"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// renderer turns report Markdown into HTML, then through a sanitizer that
// keeps only what user content may hold: no script, iframes, event handlers
// or javascript: links, whatever the Markdown smuggles in.
var renderer = sync.OnceValue(func() func(string) template.HTML {
	md := goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough))
	policy := bluemonday.UGCPolicy()
	return func(src string) template.HTML {
		var buf bytes.Buffer
		if err := md.Convert([]byte(src), &buf); err != nil {
			return template.HTML(template.HTMLEscapeString(src))
		}
		return template.HTML(policy.SanitizeBytes(buf.Bytes()))
	}
})

// HTML renders Markdown as safe HTML.
func HTML(src string) template.HTML { return renderer()(src) }
