package pbpublic

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

// get asks site for target, with an ETag when etag isn't empty.
func get(site *Site, target, etag string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	rec := httptest.NewRecorder()
	site.ServeHTTP(rec, req)
	return rec
}

var importMapRe = regexp.MustCompile(`<script type="importmap">(.*?)</script>`)

// TestSiteVersionsEveryFile: the page as served names each file of the app
// by a URL with its content's hash, and its import map sends every module
// there; the policy source lets exactly its inline scripts run.
func TestSiteVersionsEveryFile(t *testing.T) {
	site, err := NewSite(FS())
	if err != nil {
		t.Fatal(err)
	}
	page := get(site, "/", "").Body.String()
	for _, m := range assetRe.FindAllStringSubmatch(page, -1) {
		if m[1] == "/_/" {
			continue
		}
		if !regexp.MustCompile(`\?v=[0-9a-f]{16}$`).MatchString(m[1]) {
			t.Errorf("the page names %s without its version", m[1])
		}
	}
	if strings.Contains(page, importMapMark) {
		t.Error("the page still has its import map mark")
	}
	m := importMapRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no import map in the page:\n%s", page)
	}
	var imports struct{ Imports map[string]string }
	if err := json.Unmarshal([]byte(m[1]), &imports); err != nil {
		t.Fatalf("import map %q: %v", m[1], err)
	}
	n := 0
	fs.WalkDir(FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isModule(p) {
			return err
		}
		n++
		if got := imports.Imports["/"+p]; got != site.URL(p) || !strings.HasPrefix(got, "/"+p+"?v=") {
			t.Errorf("import map sends /%s to %q, want %q", p, got, site.URL(p))
		}
		return nil
	})
	if len(imports.Imports) != n || n < 10 {
		t.Errorf("import map has %d modules, the app %d", len(imports.Imports), n)
	}
	// The policy source lets run the page's inline scripts (the map and
	// the early requests), each by its hash, and nothing else inline.
	var want []string
	for _, m := range regexp.MustCompile(`(?s)<script([^>]*)>(.*?)</script>`).FindAllStringSubmatch(page, -1) {
		if strings.Contains(m[1], "src=") {
			continue
		}
		sum := sha256.Sum256([]byte(m[2]))
		want = append(want, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	if len(want) != 2 || site.ScriptSource() != strings.Join(want, " ") {
		t.Errorf("script source %s, the page's inline scripts' hashes %s", site.ScriptSource(), want)
	}
}

// TestSiteCaching: a file at its current version is kept by the browser
// without asking again; the page, a plain path and a stale version are
// asked for each time (a 304 when the browser's copy is current).
func TestSiteCaching(t *testing.T) {
	site, err := NewSite(FS())
	if err != nil {
		t.Fatal(err)
	}
	current := site.URL("js/api.js")
	for _, c := range []struct {
		target, cache, content string
	}{
		{current, cacheForever, "export"},
		{site.URL("app.css"), cacheForever, "{"},
		{"/js/api.js", cacheRevalidate, "export"},
		{"/", cacheRevalidate, "<title>Tock</title>"},
		{"/index.html?v=" + site.version("index.html"), cacheRevalidate, "<title>Tock</title>"},
		{"/no/such/page", cacheRevalidate, "<title>Tock</title>"},
	} {
		rec := get(site, c.target, "")
		if rec.Code != 200 || rec.Header().Get("Cache-Control") != c.cache || !strings.Contains(rec.Body.String(), c.content) {
			t.Errorf("%s: %d, Cache-Control %q, body %.40q", c.target, rec.Code, rec.Header().Get("Cache-Control"), rec.Body.String())
		}
		if c.cache == cacheRevalidate {
			tag := rec.Header().Get("ETag")
			if again := get(site, c.target, tag); tag == "" || again.Code != http.StatusNotModified || again.Body.Len() != 0 {
				t.Errorf("%s with its ETag %q: %d, %d bytes; want 304 and none", c.target, tag, again.Code, again.Body.Len())
			}
		}
	}
	if stale := get(site, "/js/api.js?v=0123456789abcdef", ""); stale.Code != http.StatusNotFound || stale.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("a stale version: %d, Cache-Control %q; want 404, no-store", stale.Code, stale.Header().Get("Cache-Control"))
	}
	if ct := get(site, current, "").Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
		t.Errorf("a module served as %q", ct)
	}
}

// TestSiteNewVersion: when an upgrade changes a module, the page names it
// by a new URL (the browser has never kept it), the other files keep
// theirs, and a page from before the upgrade asking for the old URL gets
// a 404 rather than code that doesn't match its own.
func TestSiteNewVersion(t *testing.T) {
	files := func(ui string) fstest.MapFS {
		return fstest.MapFS{
			"index.html": {Data: []byte(`<head><!-- importmap --><link rel="stylesheet" href="/app.css"><script type="module" src="/js/app.js"></script></head>`)},
			"app.css":    {Data: []byte("body {}")},
			"js/app.js":  {Data: []byte(`import { version } from "./ui.js";`)},
			"js/ui.js":   {Data: []byte(ui)},
		}
	}
	before, err := NewSite(files(`export const version = 1;`))
	if err != nil {
		t.Fatal(err)
	}
	after, err := NewSite(files(`export const version = 2;`))
	if err != nil {
		t.Fatal(err)
	}
	if before.URL("js/ui.js") == after.URL("js/ui.js") {
		t.Errorf("the changed module keeps its URL %s", after.URL("js/ui.js"))
	}
	for _, p := range []string{"js/app.js", "app.css"} {
		if before.URL(p) != after.URL(p) {
			t.Errorf("unchanged %s moved from %s to %s", p, before.URL(p), after.URL(p))
		}
	}
	page := get(after, "/", "").Body.String()
	if !strings.Contains(page, `"/js/ui.js":"`+after.URL("js/ui.js")+`"`) || !strings.Contains(page, `src="`+after.URL("js/app.js")+`"`) {
		t.Errorf("the new page doesn't name the new versions:\n%s", page)
	}
	if rec := get(after, before.URL("js/ui.js"), ""); rec.Code != http.StatusNotFound {
		t.Errorf("old URL after the upgrade: %d %q", rec.Code, rec.Body.String())
	}
	if rec := get(after, after.URL("js/ui.js"), ""); rec.Body.String() != `export const version = 2;` {
		t.Errorf("new URL after the upgrade: %q", rec.Body.String())
	}
	if _, err := NewSite(fstest.MapFS{"index.html": {Data: []byte("<head></head>")}}); err == nil {
		t.Error("a page without the import map's place was accepted")
	}
}
