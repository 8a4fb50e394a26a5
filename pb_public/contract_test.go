package pbpublic_test

import (
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	tt "github.com/tock-app/tock/internal/tocktest"
	pbpublic "github.com/tock-app/tock/pb_public"
	"github.com/tock-app/tock/perms"
)

// The web app names permissions and Tock's routes as plain strings; nothing
// in the browser says when one is misspelt: a permission that isn't a matrix
// row reads as "not allowed" and silently hides a page or a button, a route
// that doesn't exist fails only when someone clicks. These tests hold every
// such string of pb_public/js against the server's own lists.

// jsSources returns every JavaScript file of the web app but the vendored SDK.
func jsSources(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := fs.WalkDir(pbpublic.FS(), "js", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".js") {
			return err
		}
		b, err := fs.ReadFile(pbpublic.FS(), path)
		out[path] = string(b)
		return err
	})
	if err != nil || len(out) == 0 {
		t.Fatalf("read the web app's JavaScript: %d files, %v", len(out), err)
	}
	return out
}

var (
	// permCall is a call of one of api.js's permission reads (not its definition).
	permCall = regexp.MustCompile(`(^|[^\w.])(can|canAll|canOn|limited)\(`)
	// permList is a list of features handed whole to a permission read:
	// ["A", "B"].some(can).
	permList = regexp.MustCompile(`\[([^\[\]]*)\]\s*\.\s*(?:some|every|filter)\(\s*(?:can|canAll)\s*\)`)
	// jsString is a double- or single-quoted JavaScript string without escapes.
	jsString = regexp.MustCompile(`"([^"\\\n]*)"|'([^'\\\n]*)'`)
	jsIdent  = regexp.MustCompile(`^[A-Za-z_$][\w$]*$`)
)

// firstArgument is the text of a call's first argument, given the text just
// after its opening parenthesis.
func firstArgument(s string) string {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			if depth == 0 {
				return s[:i]
			}
			depth--
		case ',':
			if depth == 0 {
				return s[:i]
			}
		case '"', '\'', '`':
			if end := strings.IndexByte(s[i+1:], s[i]); end >= 0 {
				i += end + 1
			}
		}
	}
	return s
}

// stringsOf returns the string literals of an expression.
func stringsOf(expr string) []string {
	var out []string
	for _, m := range jsString.FindAllStringSubmatch(expr, -1) {
		out = append(out, m[1]+m[2])
	}
	return out
}

// permissionNames returns, per file and line, every feature name the web app
// asks about. An argument without a literal must be a constant of the same
// file (const NAME = "…"); anything else can't be checked and is reported.
func permissionNames(t *testing.T, sources map[string]string) map[string][]string {
	t.Helper()
	names := map[string][]string{} // "file:line" -> names
	for file, src := range sources {
		at := func(offset int) string { return fmt.Sprintf("%s:%d", file, strings.Count(src[:offset], "\n")+1) }
		for _, m := range permCall.FindAllStringSubmatchIndex(src, -1) {
			if strings.HasSuffix(strings.TrimRight(src[:m[4]], " "), "function") {
				continue // the definition in api.js
			}
			arg := strings.TrimSpace(firstArgument(src[m[1]:]))
			found := stringsOf(arg)
			if len(found) == 0 && jsIdent.MatchString(arg) {
				c := regexp.MustCompile(`const\s+` + regexp.QuoteMeta(arg) + `\s*=\s*("[^"\\\n]*")\s*;`).FindStringSubmatch(src)
				if c == nil {
					t.Errorf("%s: %s(%s): the feature is neither a string literal nor a string constant of this file, so it can't be checked", at(m[0]), src[m[4]:m[5]], arg)
					continue
				}
				found = stringsOf(c[1])
			}
			if len(found) == 0 {
				t.Errorf("%s: %s(%s): no feature name to check", at(m[0]), src[m[4]:m[5]], arg)
				continue
			}
			names[at(m[0])] = append(names[at(m[0])], found...)
		}
		for _, m := range permList.FindAllStringSubmatchIndex(src, -1) {
			names[at(m[0])] = append(names[at(m[0])], stringsOf(src[m[2]:m[3]])...)
		}
	}
	return names
}

// TestWebAppPermissionsAreMatrixFeatures fails on any permission the web app
// asks about that isn't a row of perms/permissions.tsv.
func TestWebAppPermissionsAreMatrixFeatures(t *testing.T) {
	features := map[string]bool{}
	for _, r := range perms.Default().Rows() {
		features[string(r.Feature)] = true
	}
	checked := 0
	for at, names := range permissionNames(t, jsSources(t)) {
		for _, name := range names {
			checked++
			if !features[name] {
				t.Errorf("%s: %q is not a feature of perms/permissions.tsv", at, name)
			}
		}
	}
	if checked < 50 {
		t.Errorf("found only %d permission names in pb_public/js: is the extraction still right?", checked)
	}
	t.Logf("%d permission names checked", checked)
}

// placeholder stands for a template's ${…} or a {name} in a URL.
const placeholder = "\x00"

// jsURL is one URL literal of the web app and where it is.
type jsURL struct{ at, url string }

// tockURLs returns every /api/tock/ URL the web app
// holds as a string or template literal, with each ${…} replaced by
// placeholder. A mention of /api/tock/ outside a literal must be in a
// comment; anything else is reported.
func tockURLs(t *testing.T, sources map[string]string) []jsURL {
	t.Helper()
	var urls []jsURL
	for file, src := range sources {
		for i := 0; ; {
			j := strings.Index(src[i:], "/api/tock/")
			if j < 0 {
				break
			}
			start := i + j
			i = start + 1
			at := fmt.Sprintf("%s:%d", file, strings.Count(src[:start], "\n")+1)
			lineStart := strings.LastIndexByte(src[:start], '\n') + 1
			quote := byte(0)
			if start > 0 {
				quote = src[start-1]
			}
			if quote != '"' && quote != '\'' && quote != '`' {
				if line := strings.TrimSpace(src[lineStart:start]); !strings.HasPrefix(line, "//") && !strings.HasPrefix(line, "*") &&
					!strings.Contains(line, "// ") {
					t.Errorf("%s: /api/tock/ outside a string literal and a comment: can't check it", at)
				}
				continue
			}
			alternatives, ok := literal(src[start:], quote)
			if !ok {
				t.Errorf("%s: unterminated literal", at)
				continue
			}
			for _, u := range alternatives {
				urls = append(urls, jsURL{at, u})
			}
		}
	}
	return urls
}

// choice is a template expression that picks one of two strings.
var choice = regexp.MustCompile(`^[^"'?]*\?\s*"([^"\\]*)"\s*:\s*"([^"\\]*)"$`)

// literal reads a literal's text up to its closing quote, each ${…} of a
// template replaced by placeholder, or, for a choice between two strings
// (${thumb ? "thumb" : "image"}), each of them: one URL per alternative.
func literal(s string, quote byte) ([]string, bool) {
	out := []string{""}
	add := func(parts ...string) {
		var next []string
		for _, u := range out {
			for _, p := range parts {
				next = append(next, u+p)
			}
		}
		out = next
	}
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == quote:
			return out, true
		case s[i] == '\n' && quote != '`':
			return nil, false
		case quote == '`' && strings.HasPrefix(s[i:], "${"):
			depth, start := 0, i+2
			for i += 2; i < len(s) && (s[i] != '}' || depth > 0); i++ {
				switch s[i] {
				case '{':
					depth++
				case '}':
					depth--
				}
			}
			if m := choice.FindStringSubmatch(strings.TrimSpace(s[start:min(i, len(s))])); m != nil {
				add(m[1], m[2])
			} else {
				add(placeholder)
			}
		default:
			add(s[i : i+1])
		}
	}
	return nil, false
}

var braceParam = regexp.MustCompile(`\{[A-Za-z_]\w*\}`)

// requestPath turns a URL of the web app into a path to route: its query
// dropped, each placeholder that fills a path segment (${id}, {id}) made an
// id, and one glued to the end of the last segment dropped as the query it
// adds (`…/dashboard/me${dayQuery(params)}`). A placeholder anywhere else is
// an error: its path can't be known.
func requestPath(u string) (string, error) {
	u = braceParam.ReplaceAllString(u, placeholder)
	if q := strings.IndexByte(u, '?'); q >= 0 {
		u = u[:q]
	}
	segments := strings.Split(u, "/")
	for i, seg := range segments {
		switch {
		case seg == placeholder:
			segments[i] = "p0placeholder0"
		case !strings.Contains(seg, placeholder):
		case i == len(segments)-1 && strings.Count(seg, placeholder) == 1 && strings.HasSuffix(seg, placeholder):
			segments[i] = strings.TrimSuffix(seg, placeholder)
		default:
			return "", fmt.Errorf("a ${…} inside the path segment %q", strings.ReplaceAll(seg, placeholder, "${…}"))
		}
	}
	return strings.Join(segments, "/"), nil
}

// TestWebAppCallsRegisteredRoutes fails on any /api/tock/ URL of the web app
// that no route of the real app serves, whatever the method: the router is
// the one `tock serve` builds (tocktest.Handler), asked which pattern each
// path would reach.
func TestWebAppCallsRegisteredRoutes(t *testing.T) {
	app := emptyFixture(t).App(t)
	h := tt.Handler(t, app)
	mux, ok := h.(*http.ServeMux)
	if !ok {
		t.Fatalf("the app's handler is a %T, not the *http.ServeMux this test reads patterns from", h)
	}
	methods := []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete}
	urls := tockURLs(t, jsSources(t))
	for _, j := range urls {
		at, u := j.at, j.url
		path, err := requestPath(u)
		if err != nil {
			t.Errorf("%s: %s", at, err)
			continue
		}
		var served []string
		for _, m := range methods {
			if _, pattern := mux.Handler(httptest.NewRequest(m, path, nil)); strings.HasPrefix(pattern, m+" /api/tock/") {
				served = append(served, pattern)
			}
		}
		if len(served) == 0 {
			t.Errorf("%s: %q: no /api/tock/ route of the app serves %s", at, strings.ReplaceAll(u, placeholder, "${…}"), path)
		}
	}
	if len(urls) < 30 {
		t.Errorf("found only %d /api/tock/ URLs in pb_public/js: is the extraction still right?", len(urls))
	}
	t.Logf("%d URLs checked", len(urls))
}
