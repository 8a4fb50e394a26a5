package desktop

import "testing"

func TestURLFromTitle(t *testing.T) {
	tests := []struct {
		title, want string
	}{
		// A URL with a scheme anywhere in the title.
		{"https://github.com/tock-app/tock/pulls — Mozilla Firefox", "https://github.com/tock-app/tock/pulls"},
		{"Sign in – http://localhost:8090/_/ – Chromium", "http://localhost:8090/_/"},
		{"Docs (see https://example.com/a?b=1&c=2#frag). - Google Chrome", "https://example.com/a?b=1&c=2#frag"},
		{"Wiki https://en.wikipedia.org/wiki/Go_(programming_language) - Firefox", "https://en.wikipedia.org/wiki/Go_(programming_language)"},
		{"HTTPS://EXAMPLE.COM/X - Chrome", "HTTPS://EXAMPLE.COM/X"},
		{"\"https://quoted.example/path\" - Chrome", "https://quoted.example/path"},
		{"two: http://a.example/1 and https://b.example/2", "http://a.example/1"},
		{"http:// - broken", ""},
		{"xhttps://not.a.url/ - x", ""},
		// A bare domain leading the title.
		{"github.com/x/y — Mozilla Firefox", "github.com/x/y"},
		{"github.com — Mozilla Firefox", "github.com"},
		{"  docs.google.com/document/d/1 - Google Chrome", "docs.google.com/document/d/1"},
		{"www.bbc.co.uk - BBC", "www.bbc.co.uk"},
		{"intranet.corp:8443/login - Chromium", "intranet.corp:8443/login"},
		{"example.org.", "example.org"},
		// Not URLs: file names and plain titles.
		{"main.go - tock - Visual Studio Code", ""},
		{"README.md — Typora", ""},
		{"backup.sh (~/bin) - GVIM", ""},
		{"report.pdf", ""},
		{"Terminal", ""},
		{"", ""},
		{"Inbox (3) - mail@example.com - Gmail", ""},
		{"v1.2.3 release notes", ""},
		{"-bad-.com/x", ""},
		{"localhost - page", ""},
		{"a.bc:port/x", ""},
		{"a.bc:123456/x", ""},
	}
	for _, tt := range tests {
		t.Run(tt.title, func(t *testing.T) {
			if got := URLFromTitle(tt.title); got != tt.want {
				t.Errorf("URLFromTitle(%q) = %q, want %q", tt.title, got, tt.want)
			}
		})
	}
}
