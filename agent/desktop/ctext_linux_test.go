package desktop

import (
	"testing"
	"unicode/utf8"
)

// ctExt is an extended segment (ESC % / 1 M L name STX text) of COMPOUND_TEXT.
func ctExt(name, text string) string {
	n := len(name) + 1 + len(text)
	return "\x1b%/1" + string([]byte{0x80 | byte(n>>7), 0x80 | byte(n&0x7f)}) + name + "\x02" + text
}

func TestDecodeCompoundText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"ascii", "xterm: ~/src", "xterm: ~/src"},
		{"xterm's UTF-8 segment", "Tock wiki \x1b%G—\x1b%@ https://wiki.example.com/tock", "Tock wiki — https://wiki.example.com/tock"},
		{"several UTF-8 segments", "\x1b%G日本\x1b%@ and \x1b%Gü\x1b%@!", "日本 and ü!"},
		{"UTF-8 segment left open", "a \x1b%Gçà", "a çà"},
		{"invalid UTF-8 in a segment", "\x1b%Ga\xffb\x1b%@", "a\uFFFDb"},
		{"Latin-1 by default in the right half", "caf\xe9 na\xefve", "café naïve"},
		{"ISO 8859-5 (Cyrillic)", "\x1b-L\xbf\xe0\xd8\xd2\xd5\xe2", "Привет"},
		{"ISO 8859-7 (Greek)", "\x1b-F\xe1\xe2\xe3", "αβγ"},
		{"ISO 8859-15 (euro)", "\x1b-b\xa4 5", "€ 5"},
		{"back to Latin-1", "\x1b-L\xbf\x1b-A\xe9", "Пé"},
		{"JIS X 0208 in the left half", "\x1b$(BF|K\\8l\x1b(B.txt", "日本語.txt"},
		{"JIS X 0208, short designation", "\x1b$BF|K\\\x1b(B", "日本"},
		{"JIS X 0208 with a space", "\x1b$(BF| K\\\x1b(B", "日 本"},
		{"JIS X 0208 in the right half", "\x1b$)B\xc6\xfc\xcb\xdc", "日本"},
		{"KS C 5601", "\x1b$)C\xc7\xd1", "한"},
		{"GB 2312", "\x1b$)A\xd6\xd0", "中"},
		{"JIS X 0201 katakana", "\x1b)I\xb1\xb2", "ｱｲ"},
		{"JIS X 0201 Roman", "\x1b(J\\100\x1b(B\\", "¥100\\"},
		{"half a double-byte character", "\x1b$)B\xc6", "\uFFFD"},
		{"unknown 96-set", "\x1b-Z\xe9x", "\uFFFDx"},
		{"extended segment in UTF-8", "a" + ctExt("iso10646-1", "ß") + "b", "aßb"},
		{"extended segment in KOI8-R", ctExt("koi8-r", "\xf0\xd2\xc9"), "При"},
		{"extended segment in an unknown encoding", ctExt("no-such-0", "xyz") + "!", "\uFFFD!"},
		{"extended segment cut short", "\x1b%/1\x80", ""},
		{"direction changes dropped", "\x9b1]abc\x9b]", "abc"},
		{"truncated escape", "abc\x1b", "abc"},
		{"malformed escape", "a\x1b(\x01b", "ab"},
		{"controls dropped, tab and newline kept", "a\x01\x85b\tc\nd", "ab\tc\nd"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := decodeCompoundText([]byte(tt.in))
			if got != tt.want {
				t.Errorf("decodeCompoundText(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if !utf8.ValidString(got) {
				t.Errorf("decodeCompoundText(%q) is not valid UTF-8", tt.in)
			}
		})
	}
}

// FuzzDecodeCompoundText: any bytes a client sets give valid UTF-8, without panics.
func FuzzDecodeCompoundText(f *testing.F) {
	for _, s := range []string{"\x1b%Gé\x1b%@", "\x1b$)B\xc6\xfc", ctExt("koi8-r", "\xf0"), "\x9b1]"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if s := decodeCompoundText(b); !utf8.ValidString(s) {
			t.Errorf("decodeCompoundText(%q) = %q: not UTF-8", b, s)
		}
	})
}
