package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var staticFS embed.FS

// assets serves the embedded static files under content-hash URLs
// (/static/HASH/app.css), so they can be cached for a year and a new
// release is fetched at once.
type assets struct {
	files map[string][]byte // name → content
	hash  map[string]string // name → short content hash
}

func loadAssets() (*assets, error) {
	a := &assets{files: map[string][]byte{}, hash: map[string]string{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(b)
		a.files[name] = b
		a.hash[name] = hex.EncodeToString(sum[:6])
		return nil
	})
	return a, err
}

// url returns the cacheable URL of a static file; an unknown name panics at
// template parse time checks, see pages_test.
func (a *assets) url(name string) string {
	h, ok := a.hash[name]
	if !ok {
		return "/static/missing/" + name
	}
	return "/static/" + h + "/" + name
}

func (a *assets) serve(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	b, ok := a.files[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if r.PathValue("hash") == a.hash[name] {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("ETag", `"`+a.hash[name]+`"`)
	if r.Header.Get("If-None-Match") == `"`+a.hash[name]+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(b)
}
