package desktop

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// COMPOUND_TEXT is the X Consortium's ISO 2022 subset that older X clients
// (xterm among them) still use for WM_NAME. Text starts in ISO 8859-1
// (ASCII in the left half, bytes 0x20–0x7F; Latin-1's upper half in the
// right half, 0xA0–0xFF); escape sequences designate other character sets
// for either half, and ESC % G … ESC % @ encloses plain UTF-8. Shown raw, a
// title such as "Tock wiki — https://…" arrives as "Tock wiki \x1b%G—\x1b%@
// https://…", so it is decoded here.

// ctSet is a character set designated to one half of COMPOUND_TEXT.
type ctSet struct {
	wide bool            // two bytes a character (the 94×94 sets)
	one  func(byte) rune // one-byte sets: the character of a byte (either half)
	dec  encoding.Encoding
}

// The default sets are ISO 8859-1's halves: ASCII on the left, Latin-1's
// upper half on the right. ctUnknown is a set this decoder doesn't know,
// whose characters become U+FFFD. A set is used in either half: its byte
// function maps a byte of the other half as if it were in its own.
var (
	ctASCII   = ctSet{one: func(b byte) rune { return rune(b & 0x7f) }}
	ctLatin1  = ctSet{one: func(b byte) rune { return rune(b | 0x80) }}
	ctUnknown = ctSet{one: func(byte) rune { return utf8.RuneError }}
)

// decodeCompoundText turns a COMPOUND_TEXT value into UTF-8. Sets it
// doesn't know, and malformed sequences, become U+FFFD; it never fails.
func decodeCompoundText(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	gl, gr := ctASCII, ctLatin1
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == 0x1b: // ESC
			i = ctEscape(b, i, &sb, &gl, &gr)
		case c == 0x9b: // CSI: only direction changes, which a title can do without
			i = skipCSI(b, i+1)
		case c == '\n' || c == '\t':
			sb.WriteByte(c)
			i++
		case c < 0x20 || (c >= 0x7f && c < 0xa0): // other controls aren't text
			i++
		default:
			set := gl
			if c >= 0x80 {
				set = gr
			}
			i = ctChar(b, i, set, &sb)
		}
	}
	return sb.String()
}

// ctChar decodes the character at b[i] in set and returns where the next one starts.
func ctChar(b []byte, i int, set ctSet, sb *strings.Builder) int {
	if !set.wide {
		sb.WriteRune(set.one(b[i]))
		return i + 1
	}
	if i+1 >= len(b) {
		sb.WriteRune(utf8.RuneError)
		return len(b)
	}
	// The 94×94 sets decode in their EUC form: both bytes with the high bit.
	out, err := set.dec.NewDecoder().Bytes([]byte{b[i] | 0x80, b[i+1] | 0x80})
	if err != nil || len(out) == 0 {
		sb.WriteRune(utf8.RuneError)
	} else {
		sb.Write(out)
	}
	return i + 2
}

// ctEscape applies the escape sequence at b[i] (designating a set, or a
// UTF-8 or extended segment, whose text it writes) and returns where the
// text goes on.
func ctEscape(b []byte, i int, sb *strings.Builder, gl, gr *ctSet) int {
	// ESC, intermediate bytes (0x20–0x2F), a final byte (0x30–0x7E).
	j := i + 1
	for j < len(b) && b[j] >= 0x20 && b[j] <= 0x2f {
		j++
	}
	if j >= len(b) || b[j] < 0x30 || b[j] > 0x7e {
		return j // truncated or malformed: dropped
	}
	inter, final := string(b[i+1:j]), b[j]
	next := j + 1
	switch inter {
	case "%":
		if final == 'G' { // UTF-8 until ESC % @
			end := bytes.Index(b[next:], []byte("\x1b%@"))
			if end < 0 {
				end = len(b) - next
			}
			sb.WriteString(strings.ToValidUTF8(string(b[next:next+end]), "\uFFFD"))
			return next + end
		}
		return next // ESC % @ closing a segment, or an unknown one
	case "%/":
		return ctExtended(b, next, sb)
	case "(":
		*gl = ctLeft(final)
	case ")":
		*gr = ct94(final)
	case "-":
		*gr = ct96(final)
	case "$", "$(":
		*gl = ct9494(final)
	case "$)":
		*gr = ct9494(final)
	}
	return next
}

// ctLeft is a 94-character set designated to the left half: ASCII, or
// JIS X 0201's Roman half (ASCII with a yen sign and an overline).
func ctLeft(final byte) ctSet {
	switch final {
	case 'B':
		return ctASCII
	case 'J':
		return ctSet{one: func(b byte) rune {
			switch b & 0x7f {
			case 0x5c:
				return '¥'
			case 0x7e:
				return '‾'
			}
			return rune(b & 0x7f)
		}}
	case 'I':
		return ct94('I')
	}
	return ctUnknown
}

// ct94 is a 94-character set designated to the right half.
func ct94(final byte) ctSet {
	switch final {
	case 'I': // JIS X 0201 katakana: half-width forms
		return ctSet{one: func(b byte) rune {
			if b |= 0x80; b >= 0xa1 && b <= 0xdf {
				return rune(0xff61 + int(b) - 0xa1)
			}
			return utf8.RuneError
		}}
	case 'B':
		return ctASCII
	}
	return ctUnknown
}

// ct96 is a 96-character set (an ISO 8859 upper half) for the right half.
func ct96(final byte) ctSet {
	var cm *charmap.Charmap
	switch final {
	case 'A':
		return ctLatin1
	case 'B':
		cm = charmap.ISO8859_2
	case 'C':
		cm = charmap.ISO8859_3
	case 'D':
		cm = charmap.ISO8859_4
	case 'F':
		cm = charmap.ISO8859_7
	case 'G':
		cm = charmap.ISO8859_6
	case 'H':
		cm = charmap.ISO8859_8
	case 'L':
		cm = charmap.ISO8859_5
	case 'M':
		cm = charmap.ISO8859_9
	case 'V':
		cm = charmap.ISO8859_10
	case 'Y':
		cm = charmap.ISO8859_13
	case '_':
		cm = charmap.ISO8859_14
	case 'b':
		cm = charmap.ISO8859_15
	case 'f':
		cm = charmap.ISO8859_16
	case 'T':
		cm = charmap.Windows874 // TIS-620 and its Windows superset agree on 0xA0–0xFF
	default:
		return ctUnknown
	}
	return ctSet{one: func(b byte) rune { return cm.DecodeByte(b | 0x80) }}
}

// ct9494 is a 94×94 set: GB 2312, JIS X 0208 or KS C 5601.
func ct9494(final byte) ctSet {
	switch final {
	case 'A':
		return ctSet{wide: true, dec: simplifiedchinese.GBK}
	case 'B':
		return ctSet{wide: true, dec: japanese.EUCJP}
	case 'C':
		return ctSet{wide: true, dec: korean.EUCKR}
	}
	return ctUnknown
}

// ctExtended reads an extended segment (ESC % / F M L name STX text): M and
// L give its length; the name says its encoding. UTF-8 and what the IANA
// registry names are decoded, anything else becomes U+FFFD.
func ctExtended(b []byte, i int, sb *strings.Builder) int {
	if i+2 > len(b) {
		return len(b)
	}
	n := int(b[i]&0x7f)<<7 | int(b[i+1]&0x7f)
	seg := b[i+2 : min(len(b), i+2+n)]
	end := i + 2 + len(seg)
	name, text, ok := bytes.Cut(seg, []byte{0x02})
	if !ok {
		sb.WriteRune(utf8.RuneError)
		return end
	}
	lower := strings.ToLower(string(name))
	if lower == "iso10646-1" || lower == "utf-8" {
		sb.WriteString(strings.ToValidUTF8(string(text), "\uFFFD"))
		return end
	}
	// X names charsets "registry-encoding" (big5-0, koi8-r).
	for _, n := range []string{lower, strings.TrimSuffix(lower, "-0")} {
		if enc, err := ianaindex.IANA.Encoding(n); err == nil && enc != nil {
			if out, err := enc.NewDecoder().Bytes(text); err == nil {
				sb.Write(out)
				return end
			}
		}
	}
	sb.WriteRune(utf8.RuneError)
	return end
}

// skipCSI skips a control sequence's parameters, intermediates and final byte.
func skipCSI(b []byte, i int) int {
	for i < len(b) && b[i] >= 0x20 && b[i] <= 0x3f {
		i++
	}
	return min(i+1, len(b))
}
