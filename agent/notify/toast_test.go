package notify

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"
)

// TestXMLTextEscapes: markup, quotes and line breaks become references,
// non-ASCII too (the script stays ASCII), controls XML can't hold go.
func TestXMLTextEscapes(t *testing.T) {
	for in, want := range map[string]string{
		`a<b>&c`:            "a&lt;b&gt;&amp;c",
		`it's "so"`:         "it&apos;s &quot;so&quot;",
		"two\nlines\r\n":    "two&#10;lines&#10;",
		"tab\there\x00\x1b": "tab&#9;here",
		"café ‘q’ 😀":        "caf&#xE9; &#x2018;q&#x2019; &#x1F600;",
		"$(calc) `x` @{}":   "$(calc) `x` @{}",
	} {
		if got := xmlText(in); got != want {
			t.Errorf("xmlText(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestToastScriptCarriesTextOnlyAsData: whatever the title and body hold,
// the script has exactly its fixed lines, the text sits inside the one
// single-quoted literal with no quote that could end it, and the XML reads
// back as the text given.
func TestToastScriptCarriesTextOnlyAsData(t *testing.T) {
	for _, m := range []Message{
		{Summary: "Screenshot taken", Body: "at 10:42"},
		{Summary: `'); Remove-Item C:\ -Recurse; ('`, Body: "’); calc; (‘\n$(calc)\r\n`\"<x/>&amp;"},
		{Summary: "You were idle for 12m0s", Body: "Keep it?", Actions: []Action{{Key: "keep", Label: "Keep"}, {Key: "discard", Label: "Discard"}}},
	} {
		script := toastScript(m, 90*time.Second)
		lines := strings.Split(strings.TrimSuffix(script, "\n"), "\n")
		if len(lines) != 8 {
			t.Fatalf("%q: the script has %d lines, want 8:\n%s", m.Summary, len(lines), script)
		}
		load := lines[4]
		literal, ok := strings.CutPrefix(load, "$xml.LoadXml('")
		if !ok || !strings.HasSuffix(literal, "')") {
			t.Fatalf("%q: unexpected line %q", m.Summary, load)
		}
		literal = strings.TrimSuffix(literal, "')")
		if strings.ContainsAny(literal, "'‘’‚‛\r\n") {
			t.Fatalf("%q: a quote or line break inside the literal: %q", m.Summary, literal)
		}
		for _, r := range literal {
			if r > 0x7e {
				t.Fatalf("%q: non-ASCII %q in the script", m.Summary, r)
			}
		}
		var doc struct {
			Texts []string `xml:"visual>binding>text"`
		}
		if err := xml.Unmarshal([]byte(literal), &doc); err != nil {
			t.Fatalf("%q: the toast XML doesn't parse: %v", m.Summary, err)
		}
		body := strings.ReplaceAll(m.Body, "\r", "")
		if len(doc.Texts) != 2 || doc.Texts[0] != m.Summary || !strings.HasPrefix(doc.Texts[1], body) {
			t.Errorf("%q: the toast reads %q, want the summary and the body", m.Summary, doc.Texts)
		}
		if len(m.Actions) > 0 && !strings.Contains(doc.Texts[1], "Keep or Discard") {
			t.Errorf("the question's toast doesn't name its answers: %q", doc.Texts[1])
		}
		if !strings.Contains(script, "AddSeconds(90)") {
			t.Errorf("the toast doesn't expire:\n%s", script)
		}
	}
	if strings.Contains(toastScript(Message{Summary: "x"}, 0), "ExpirationTime") {
		t.Error("a toast without expiry sets one")
	}
}
