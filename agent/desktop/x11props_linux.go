package desktop

import (
	"encoding/binary"
	"strings"
	"unicode/utf8"
)

// Pure decoders for X11 window properties, kept apart from the connection
// code so they can be tested with fabricated values.

// textEncoding is how a text property's bytes are encoded, from its type.
type textEncoding int

const (
	encUTF8     textEncoding = iota // UTF8_STRING (_NET_WM_NAME)
	encLatin1                       // STRING: ISO-8859-1 by the ICCCM
	encCompound                     // COMPOUND_TEXT (xterm's WM_NAME)
	encOther                        // anything else: best effort
)

// decodeText turns a text property's value into a UTF-8 string, dropping
// trailing NULs and replacing invalid sequences.
func decodeText(enc textEncoding, b []byte) string {
	for len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	switch enc {
	case encUTF8:
		return strings.ToValidUTF8(string(b), "\uFFFD")
	case encLatin1:
		return latin1(b)
	case encCompound:
		return decodeCompoundText(b)
	default:
		// An unknown type: in practice such titles are UTF-8 or Latin-1.
		if utf8.Valid(b) {
			return string(b)
		}
		return latin1(b)
	}
}

func latin1(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	for _, c := range b {
		sb.WriteRune(rune(c))
	}
	return sb.String()
}

// decodeWMClass splits WM_CLASS ("instance\x00class\x00") and returns the
// class, or the instance when the class is missing.
func decodeWMClass(b []byte) string {
	parts := strings.Split(string(b), "\x00")
	instance, class := "", ""
	if len(parts) > 0 {
		instance = parts[0]
	}
	if len(parts) > 1 {
		class = parts[1]
	}
	if class == "" {
		class = instance
	}
	return decodeText(encLatin1, []byte(class))
}

// decodeWindow reads a WINDOW property value (format 32, one item, in the
// connection's byte order which xgb always makes little-endian). It returns
// false for an absent, malformed or None (0) window.
func decodeWindow(format byte, value []byte) (uint32, bool) {
	if format != 32 || len(value) < 4 {
		return 0, false
	}
	w := binary.LittleEndian.Uint32(value)
	return w, w != 0
}
