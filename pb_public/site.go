package pbpublic

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"strings"
	"time"
)

// importMapMark is where index.html wants the import map.
const importMapMark = "<!-- importmap -->"

// Cache-Control values: a versioned URL names one content for ever, so the
// browser keeps it without asking again; anything else is asked for on each
// use (with its ETag, so an unchanged file costs a 304 and no body).
const (
	cacheForever    = "public, max-age=31536000, immutable"
	cacheRevalidate = "no-cache"
)

// Site is the web app as served. Its page names every file by a versioned
// URL (/js/api.js?v=<hash of its content>): modules imported by relative
// paths reach those URLs through an import map in the page. The browser
// then loads a page by asking for the page alone (a 304 when unchanged) and
// takes the modules and the style sheet from its cache; a file changed by an
// upgrade has a new hash, so the page names a URL the browser never cached.
type Site struct {
	files  fs.FS
	sums   map[string]string // file path → hash of its content (index.html: as served)
	index  []byte            // index.html as served
	inline string            // the Content-Security-Policy sources of the page's inline scripts
}

// NewSite prepares fsys (the web app's files, index.html at the root) to be
// served: it hashes every file once, since the files can't change while the
// server runs.
func NewSite(fsys fs.FS) (*Site, error) {
	s := &Site{files: fsys, sums: map[string]string{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return fmt.Errorf("read %s: %w", p, err)
		}
		s.sums[p] = sumOf(b)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("hash the web app: %w", err)
	}
	page, err := fs.ReadFile(fsys, "index.html")
	if err != nil {
		return nil, fmt.Errorf("web app page: %w", err)
	}
	if err := s.versionPage(page); err != nil {
		return nil, err
	}
	s.sums["index.html"] = sumOf(s.index)
	return s, nil
}

// sumOf is the hash that names a content: its ETag, and in part its version.
func sumOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
}

// assetRef is an attribute naming a file of the site by its absolute path.
var assetRef = regexp.MustCompile(`(href|src)="/([^"?#]+)"`)

// versionPage makes the page as served: each file it names by its versioned
// URL, and the import map that sends every module import there too.
func (s *Site) versionPage(page []byte) error {
	if !bytes.Contains(page, []byte(importMapMark)) {
		return fmt.Errorf("web app page: no %s to replace", importMapMark)
	}
	page = assetRef.ReplaceAllFunc(page, func(m []byte) []byte {
		sub := assetRef.FindSubmatch(m)
		url := s.URL(string(sub[2]))
		return []byte(fmt.Sprintf(`%s="%s"`, sub[1], url))
	})
	imports := map[string]string{}
	for p := range s.sums {
		if isModule(p) {
			imports["/"+p] = s.URL(p)
		}
	}
	// json.Marshal sorts the keys and escapes <, > and &: the map reads the
	// same on every start and can't close its script element.
	m, err := json.Marshal(map[string]any{"imports": imports})
	if err != nil {
		return fmt.Errorf("import map: %w", err)
	}
	script := append(append([]byte(`<script type="importmap">`), m...), "</script>"...)
	s.index = bytes.Replace(page, []byte(importMapMark), script, 1)
	s.inline = inlineSources(s.index)
	return nil
}

// inlineScript is a script element with its code in the page.
var inlineScript = regexp.MustCompile(`(?s)<script(?:\s+type="[a-z]+")?>(.*?)</script>`)

// inlineSources lists the hash of each inline script of page, as a
// Content-Security-Policy source: those scripts run, and no other inline one.
func inlineSources(page []byte) string {
	var sources []string
	for _, m := range inlineScript.FindAllSubmatch(page, -1) {
		sum := sha256.Sum256(m[1])
		sources = append(sources, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	return strings.Join(sources, " ")
}

func isModule(p string) bool { return strings.HasSuffix(p, ".js") || strings.HasSuffix(p, ".mjs") }

// URL is the versioned URL of the file at p (a path from the site root), or
// its plain path when the site has no such file.
func (s *Site) URL(p string) string {
	if v := s.version(p); v != "" {
		return "/" + p + "?v=" + v
	}
	return "/" + p
}

// version is the part of a file's hash its URL carries ("" for no file).
func (s *Site) version(p string) string {
	return s.sums[p][:min(16, len(s.sums[p]))]
}

// ScriptSource is the Content-Security-Policy source that lets the page's
// inline scripts (its import map, its early requests) run, and nothing
// else inline.
func (s *Site) ScriptSource() string { return s.inline }

// ServeHTTP answers with the file the path names, or with the page for any
// path that names none (the app's own routes are in the fragment). A
// version that is no longer the file's is not found: it is asked for by a
// page from before an upgrade, loading a page's module, and today's module
// mixed with that page's others could break it; the app loads the page
// afresh instead (app.js).
func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := path.Clean("/" + r.URL.Path)[1:]
	body, ok := s.file(name)
	if !ok {
		name, body = "index.html", s.index
	}
	h := w.Header()
	v := r.URL.Query().Get("v")
	switch {
	case v != "" && name != "index.html" && v != s.version(name):
		h.Set("Cache-Control", "no-store")
		http.Error(w, "this version of the file is gone: load the page again", http.StatusNotFound)
		return
	case v != "" && name != "index.html":
		h.Set("Cache-Control", cacheForever)
	default:
		// The page, or a file at its plain path: asked for on each use.
		h.Set("ETag", `"`+s.sums[name]+`"`) // ServeContent answers If-None-Match with 304
		h.Set("Cache-Control", cacheRevalidate)
	}
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(body))
}

// file is the content of the regular file at name; the page is served as
// rewritten by versionPage.
func (s *Site) file(name string) ([]byte, bool) {
	if name == "index.html" {
		return s.index, true
	}
	if _, ok := s.sums[name]; !ok {
		return nil, false
	}
	b, err := fs.ReadFile(s.files, name)
	return b, err == nil
}
