// Package route carries the matched route pattern from the innermost mux out
// to the logging and metrics middleware, which see a different *http.Request
// once other middleware has added context values.
package route

import (
	"context"
	"net/http"
)

type key struct{}

type holder struct{ pattern string }

// With returns a context that can record the route pattern.
func With(ctx context.Context) context.Context {
	return context.WithValue(ctx, key{}, &holder{})
}

// Record stores r.Pattern, set by the mux that served r. The innermost mux
// finishes first, so the first pattern recorded is the most specific one.
func Record(r *http.Request) {
	if h, ok := r.Context().Value(key{}).(*holder); ok && r.Pattern != "" && h.pattern == "" {
		h.pattern = r.Pattern
	}
}

// Pattern returns the recorded pattern, or "unmatched".
func Pattern(ctx context.Context) string {
	if h, ok := ctx.Value(key{}).(*holder); ok && h.pattern != "" {
		return h.pattern
	}
	return "unmatched"
}

// Recorder wraps a mux so that its matched pattern is recorded.
func Recorder(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		Record(r)
	})
}
