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

// ctSet is a character set designated to one half of COMPOUND_TEXT. A set
// is read the same in either half: a byte of the other half is taken as if
// it were in the set's own.
type ctSet struct {
	kind ctKind
	cm   *charmap.Charmap  // ctCharmap: an ISO 8859 upper half
	dec  encoding.Encoding // ctWide: decodes the set's EUC form
}

type ctKind int

const (
	ctASCII    ctKind = iota // the left half's default
	ctLatin1                 // the right half's default: ISO 8859-1's upper half
	ctRoman                  // JIS X 0201 Roman: ASCII with a yen sign and an overline
	ctKatakana               // JIS X 0201 katakana, as half-width forms
	ctCharmap                // another ISO 8859 upper half
	ctWide                   // a 94×94 set, two bytes a character
	ctUnknown                // a set this decoder doesn't know: U+FFFD
)

// char is the character of a one-byte set's byte b.
func (s ctSet) char(b byte) rune {
	switch s.kind {
	case ctASCII:
		return rune(b & 0x7f)
	case ctLatin1:
		return rune(b | 0x80)
	case ctRoman:
		switch b & 0x7f {
		case 0x5c:
			return '¥'
		case 0x7e:
			return '‾'
		}
		return rune(b & 0x7f)
	case ctKatakana:
		if b |= 0x80; b >= 0xa1 && b <= 0xdf {
			return rune(0xff61 + int(b) - 0xa1)
		}
	case ctCharmap:
		return s.cm.DecodeByte(b | 0x80)
	}
	return utf8.RuneError
}

// decodeCompoundText turns a COMPOUND_TEXT value into UTF-8. Sets it
// doesn't know, and malformed sequences, become U+FFFD; it never fails.
func decodeCompoundText(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	gl, gr := ctSet{kind: ctASCII}, ctSet{kind: ctLatin1}
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == 0x1b: // ESC
			i = ctEscape(b, i, &sb, &gl, &gr)
		case c == 0x9b: // CSI: only direction changes, which a title can do without
			i = skipCSI(b, i+1)
		case c == '\n' || c == '\t' || c == ' ': // a space is one whatever the set
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
	if set.kind != ctWide {
		sb.WriteRune(set.char(b[i]))
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

// ctLeft is a 94-character set designated to the left half.
func ctLeft(final byte) ctSet {
	switch final {
	case 'B':
		return ctSet{kind: ctASCII}
	case 'J':
		return ctSet{kind: ctRoman}
	}
	return ct94(final)
}

// ct94 is a 94-character set designated to the right half.
func ct94(final byte) ctSet {
	switch final {
	case 'I':
		return ctSet{kind: ctKatakana}
	case 'B':
		return ctSet{kind: ctASCII}
	case 'J':
		return ctSet{kind: ctRoman}
	}
	return ctSet{kind: ctUnknown}
}

// ct96 is a 96-character set (an ISO 8859 upper half) for the right half.
func ct96(final byte) ctSet {
	cm := map[byte]*charmap.Charmap{
		'B': charmap.ISO8859_2, 'C': charmap.ISO8859_3, 'D': charmap.ISO8859_4, 'F': charmap.ISO8859_7,
		'G': charmap.ISO8859_6, 'H': charmap.ISO8859_8, 'L': charmap.ISO8859_5, 'M': charmap.ISO8859_9,
		'V': charmap.ISO8859_10, 'Y': charmap.ISO8859_13, '_': charmap.ISO8859_14, 'b': charmap.ISO8859_15,
		'f': charmap.ISO8859_16,
		'T': charmap.Windows874, // TIS-620 and its Windows superset agree on 0xA0–0xFF
	}[final]
	switch {
	case final == 'A':
		return ctSet{kind: ctLatin1}
	case cm != nil:
		return ctSet{kind: ctCharmap, cm: cm}
	}
	return ctSet{kind: ctUnknown}
}

// ct9494 is a 94×94 set: GB 2312, JIS X 0208 or KS C 5601.
func ct9494(final byte) ctSet {
	switch final {
	case 'A':
		return ctSet{kind: ctWide, dec: simplifiedchinese.GBK}
	case 'B':
		return ctSet{kind: ctWide, dec: japanese.EUCJP}
	case 'C':
		return ctSet{kind: ctWide, dec: korean.EUCKR}
	}
	return ctSet{kind: ctUnknown}
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
