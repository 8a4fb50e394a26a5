package desktop

import "testing"

func TestDecodeText(t *testing.T) {
	tests := []struct {
		name string
		enc  textEncoding
		in   []byte
		want string
	}{
		{"utf8", encUTF8, []byte("Übersicht — Notes"), "Übersicht — Notes"},
		{"utf8 trailing NULs", encUTF8, []byte("title\x00\x00"), "title"},
		{"utf8 invalid bytes", encUTF8, []byte("a\xffb"), "a\uFFFDb"},
		{"latin1", encLatin1, []byte("caf\xe9 na\xefve"), "café naïve"},
		{"latin1 ascii", encLatin1, []byte("xterm"), "xterm"},
		{"other, valid utf8", encOther, []byte("日本語"), "日本語"},
		{"other, latin1 bytes", encOther, []byte("se\xf1or"), "señor"},
		{"empty", encUTF8, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := decodeText(tt.enc, tt.in); got != tt.want {
				t.Errorf("decodeText = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDecodeWMClass(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"Navigator\x00firefox\x00", "firefox"},
		{"xterm\x00XTerm\x00", "XTerm"},
		{"code\x00Code", "Code"}, // no trailing NUL
		{"only-instance\x00", "only-instance"},
		{"only-instance", "only-instance"},
		{"\x00Class\x00", "Class"},
		{"", ""},
		{"inst\x00Caf\xe9\x00", "Café"}, // STRING is Latin-1
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := decodeWMClass([]byte(tt.in)); got != tt.want {
				t.Errorf("decodeWMClass(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestDecodeWindow(t *testing.T) {
	tests := []struct {
		name   string
		format byte
		value  []byte
		want   uint32
		ok     bool
	}{
		{"window", 32, []byte{0x0d, 0x05, 0x40, 0x00}, 0x0040050d, true},
		{"extra items ignored", 32, []byte{1, 0, 0, 0, 2, 0, 0, 0}, 1, true},
		{"None", 32, []byte{0, 0, 0, 0}, 0, false},
		{"absent", 0, nil, 0, false},
		{"wrong format", 8, []byte{1, 2, 3, 4}, 0, false},
		{"short", 32, []byte{1, 2}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := decodeWindow(tt.format, tt.value)
			if got != tt.want || ok != tt.ok {
				t.Errorf("decodeWindow = 0x%x, %v; want 0x%x, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}
