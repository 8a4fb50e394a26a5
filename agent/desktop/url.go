package desktop

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// URLFromTitle returns the URL a browser window title reveals, else "".
//
// Two forms are recognised:
//   - an http:// or https:// URL anywhere in the title ("Login – https://x.io/a –
//     Chromium" → "https://x.io/a"), with trailing punctuation removed;
//   - a bare domain at the start of the title, as browsers show for pages
//     without a title ("github.com/x/y — Mozilla Firefox" → "github.com/x/y").
//     It is returned as shown, without inventing a scheme. So that file
//     names in editor titles ("main.go - vim", "README.md — Code") are not
//     mistaken for domains, a bare domain needs a path or port, or a
//     top-level domain from a list of common web ones.
func URLFromTitle(title string) string {
	if u := schemeURL(title); u != "" {
		return u
	}
	return leadingDomain(title)
}

// schemeURL finds the first http(s):// URL in s.
func schemeURL(s string) string {
	lower := strings.ToLower(s)
	best := -1
	for _, scheme := range []string{"https://", "http://"} {
		i := 0
		for {
			j := strings.Index(lower[i:], scheme)
			if j < 0 {
				break
			}
			j += i
			// Must not be glued to a preceding word ("xhttp://").
			if j == 0 || !isWordByte(lower[j-1]) {
				if best < 0 || j < best {
					best = j
				}
				break
			}
			i = j + 1
		}
	}
	if best < 0 {
		return ""
	}
	end := best
	for end < len(s) {
		r := rune(s[end])
		if r >= 0x80 {
			// Non-ASCII: decode properly; stop at spaces and typographic
			// separators (—, –, ·, «, », …) which titles use around URLs.
			rr, size := utf8.DecodeRuneInString(s[end:])
			if unicode.IsSpace(rr) || unicode.IsPunct(rr) || unicode.IsSymbol(rr) {
				break
			}
			end += size
			continue
		}
		if r <= ' ' || r == '"' || r == '<' || r == '>' || r == '`' || r == '\'' {
			break
		}
		end++
	}
	u := trimURLTail(s[best:end])
	// Nothing after the scheme ("http://") is not a URL.
	if i := strings.Index(u, "://"); i < 0 || len(u) <= i+3 {
		return ""
	}
	return u
}

func isWordByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// trimURLTail removes sentence punctuation that follows a URL in prose, and
// a closing bracket that has no opening one inside the URL.
func trimURLTail(u string) string {
	for len(u) > 0 {
		c := u[len(u)-1]
		switch {
		case strings.IndexByte(".,;:!?*", c) >= 0:
			u = u[:len(u)-1]
		case c == ')' && strings.Count(u, "(") < strings.Count(u, ")"),
			c == ']' && strings.Count(u, "[") < strings.Count(u, "]"),
			c == '}' && strings.Count(u, "{") < strings.Count(u, "}"):
			u = u[:len(u)-1]
		default:
			return u
		}
	}
	return u
}

// webTLDs are top-level domains accepted for a bare domain without a path.
// Deliberately missing: TLDs that are also common file extensions (ai, md,
// pl, py, rs, sh, so, ps, cc, mk, ...).
var webTLDs = map[string]bool{
	"com": true, "net": true, "org": true, "edu": true, "gov": true, "mil": true,
	"int": true, "io": true, "dev": true, "app": true, "co": true, "info": true,
	"biz": true, "me": true, "tv": true, "xyz": true, "cloud": true, "site": true,
	"online": true, "tech": true, "page": true, "blog": true, "news": true,
	"us": true, "uk": true, "ca": true, "de": true, "fr": true, "nl": true,
	"eu": true, "jp": true, "cn": true, "ru": true, "br": true, "in": true,
	"au": true, "es": true, "it": true, "ch": true, "se": true, "at": true,
	"be": true, "dk": true, "fi": true, "no": true, "nz": true, "ie": true,
	"cz": true, "kr": true, "mx": true, "ar": true, "za": true, "pt": true,
	"gr": true, "hu": true, "ro": true, "tr": true, "ua": true, "il": true,
	"sg": true, "hk": true, "tw": true,
}

// leadingDomain returns the bare domain (with any port and path) that
// starts title, or "".
func leadingDomain(title string) string {
	s := strings.TrimLeftFunc(title, unicode.IsSpace)
	end := strings.IndexFunc(s, func(r rune) bool {
		return r <= ' ' || r >= 0x80 || r == '"' || r == '<' || r == '>' || r == '\''
	})
	if end < 0 {
		end = len(s)
	}
	tok := trimURLTail(s[:end])
	host, rest := tok, ""
	if i := strings.IndexAny(tok, ":/?#"); i >= 0 {
		host, rest = tok[:i], tok[i:]
	}
	labels := strings.Split(host, ".")
	if len(labels) < 2 {
		return ""
	}
	for _, l := range labels {
		if !validLabel(l) {
			return ""
		}
	}
	tld := strings.ToLower(labels[len(labels)-1])
	for i := 0; i < len(tld); i++ {
		if tld[i] < 'a' || tld[i] > 'z' {
			return ""
		}
	}
	if len(tld) < 2 {
		return ""
	}
	if rest != "" {
		if rest[0] == ':' {
			// A port: digits, then the end or a path.
			p := rest[1:]
			n := 0
			for n < len(p) && p[n] >= '0' && p[n] <= '9' {
				n++
			}
			if n == 0 || n > 5 || (n < len(p) && strings.IndexByte("/?#", p[n]) < 0) {
				return ""
			}
		}
		return tok
	}
	if webTLDs[tld] {
		return tok
	}
	return ""
}

func validLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !(c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}
