package pbpublic

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"testing"
)

func TestFSHasIndex(t *testing.T) {
	b, err := fs.ReadFile(FS(), "index.html")
	if err != nil {
		t.Fatalf("index.html not embedded: %v", err)
	}
	if !strings.Contains(string(b), "<title>Tock</title>") {
		t.Fatalf("unexpected index.html: %.100s", b)
	}
}

// TestVendoredSDK: the SDK is the npm release vendor/README.md names, unchanged.
func TestVendoredSDK(t *testing.T) {
	readme, err := fs.ReadFile(FS(), "vendor/README.md")
	if err != nil {
		t.Fatal(err)
	}
	want := regexp.MustCompile(`sha256 ([0-9a-f]{64})`).FindSubmatch(readme)
	if want == nil {
		t.Fatal("vendor/README.md names no sha256")
	}
	sdk, err := fs.ReadFile(FS(), "vendor/pocketbase.es.mjs")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(sdk)
	if got := hex.EncodeToString(sum[:]); got != string(want[1]) {
		t.Errorf("vendor/pocketbase.es.mjs has sha256 %s, README says %s", got, want[1])
	}
}

var (
	importRe = regexp.MustCompile(`(?m)^import .* from "([^"]+)";|^\} from "([^"]+)";|\bimport\("([^"]+)"\)`)
	assetRe  = regexp.MustCompile(`(?:href|src)="(/[^"]*)"`)
	remoteRe = regexp.MustCompile(`(?i)(?:src|href|url\()\s*=?\s*["']?(?:https?:)?//`)
)

// TestEveryModuleIsEmbedded: each import and each asset of the page is in
// the binary, and none is fetched from another host (the appliance works on
// a closed LAN).
func TestEveryModuleIsEmbedded(t *testing.T) {
	index, _ := fs.ReadFile(FS(), "index.html")
	for _, m := range assetRe.FindAllStringSubmatch(string(index), -1) {
		if _, err := fs.Stat(FS(), strings.TrimPrefix(m[1], "/")); err != nil && m[1] != "/_/" {
			t.Errorf("index.html refers to %s, which is not embedded", m[1])
		}
	}
	n := 0
	fs.WalkDir(FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".js") && !strings.HasSuffix(p, ".css") && !strings.HasSuffix(p, ".html") {
			return err
		}
		b, _ := fs.ReadFile(FS(), p)
		if remoteRe.Match(b) {
			t.Errorf("%s refers to another host: %s", p, remoteRe.Find(b))
		}
		for _, m := range importRe.FindAllStringSubmatch(string(b), -1) {
			spec := m[1] + m[2] + m[3]
			if _, err := fs.Stat(FS(), path.Join(path.Dir(p), spec)); err != nil {
				t.Errorf("%s imports %s, which is not embedded", p, spec)
			}
			n++
		}
		return nil
	})
	if n < 10 {
		t.Errorf("found only %d imports: is the pattern still right?", n)
	}
}

// TestEveryModuleIsPreloaded: index.html names every module of the app's
// core (what app.js imports, directly or not) as a modulepreload, so the
// browser fetches them all at once instead of one level of imports after
// another, and no other: a page's own module loads when it is shown.
func TestEveryModuleIsPreloaded(t *testing.T) {
	index, _ := fs.ReadFile(FS(), "index.html")
	core := map[string]bool{}
	var walk func(p string)
	walk = func(p string) {
		b, err := fs.ReadFile(FS(), p)
		if err != nil {
			t.Fatalf("read %s: %v", p, err)
		}
		for _, m := range importRe.FindAllStringSubmatch(string(b), -1) {
			if dep := path.Join(path.Dir(p), m[1]+m[2]); m[3] == "" && !core[dep] {
				core[dep] = true
				walk(dep)
			}
		}
	}
	walk("js/app.js")
	if len(core) < 5 || core["js/views/settings.js"] {
		t.Fatalf("the app's core is %v", core)
	}
	fs.WalkDir(FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || p == "js/app.js" || !strings.HasSuffix(p, ".js") && !strings.HasSuffix(p, ".mjs") {
			return err
		}
		preloaded := strings.Contains(string(index), `<link rel="modulepreload" href="/`+p+`">`)
		if core[p] && !preloaded {
			t.Errorf("index.html doesn't preload %s", p)
		}
		if !core[p] && preloaded {
			t.Errorf("index.html preloads %s, which the app's core doesn't import", p)
		}
		return nil
	})
}
