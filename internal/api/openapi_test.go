package api

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// TestOpenAPIDocumentsEveryRoute fails when a route is added without its
// entry in openapi.json, or when the document refers to a missing schema.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	var doc struct {
		Paths      map[string]map[string]json.RawMessage
		Components struct {
			Schemas   map[string]json.RawMessage
			Responses map[string]json.RawMessage
		}
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	for _, rt := range (&API{}).Routes() {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		if path == "/api/v1/openapi.json" {
			continue
		}
		if _, ok := doc.Paths[strings.TrimPrefix(path, "/api/v1")][strings.ToLower(method)]; !ok {
			t.Errorf("route %q is not in openapi.json", rt.Pattern)
		}
	}
	for _, m := range regexp.MustCompile(`"#/components/(schemas|responses)/([^"]+)"`).FindAllStringSubmatch(string(openAPIDoc), -1) {
		have := doc.Components.Schemas
		if m[1] == "responses" {
			have = doc.Components.Responses
		}
		if _, ok := have[m[2]]; !ok {
			t.Errorf("openapi.json refers to a missing %s %q", m[1], m[2])
		}
	}
}
