package envelope

import (
	"bytes"
	"errors"
	"testing"
)

// buildHeader makes an envelope-shaped buffer with a chosen key id and
// ciphertext length, so each ParseHeader check can be hit in isolation.
func buildHeader(kid string, ctLen int) []byte {
	var eph [32]byte
	var nonce [24]byte
	for i := range eph {
		eph[i] = byte(i + 1)
	}
	for i := range nonce {
		nonce[i] = byte(0xA0 + i)
	}
	b := appendHeader(nil, kid, eph, nonce)
	return append(b, make([]byte, ctLen)...)
}

func TestParseHeader(t *testing.T) {
	valid := buildHeader("0123456789abcdef", 16)
	mod := func(f func([]byte) []byte) []byte { return f(bytes.Clone(valid)) }

	tests := []struct {
		name    string
		env     []byte
		wantErr error
		wantLen int
	}{
		{"valid", valid, nil, 4 + 1 + 1 + 16 + 32 + 24},
		{"valid kid len 1", buildHeader("k", 16), nil, 4 + 1 + 1 + 1 + 32 + 24},
		{"valid kid len 64", buildHeader(string(bytes.Repeat([]byte{'k'}, 64)), 100), nil, 4 + 1 + 1 + 64 + 32 + 24},
		{"nil", nil, errTooShort, 0},
		{"five bytes", []byte("TOCK\x01"), errTooShort, 0},
		{"bad magic", mod(func(b []byte) []byte { b[0] = 't'; return b }), errBadMagic, 0},
		{"png magic", mod(func(b []byte) []byte { copy(b, pngMagic); return b }), errBadMagic, 0},
		{"version 0", mod(func(b []byte) []byte { b[4] = 0; return b }), errBadVersion, 0},
		{"version 2", mod(func(b []byte) []byte { b[4] = 2; return b }), errBadVersion, 0},
		{"kidLen 0", mod(func(b []byte) []byte { b[5] = 0; return b }), errBadKeyIDLen, 0},
		{"kidLen 65", buildHeader(string(bytes.Repeat([]byte{'k'}, 65)), 16), errBadKeyIDLen, 0},
		{"kidLen 255", mod(func(b []byte) []byte { b[5] = 255; return b }), errBadKeyIDLen, 0},
		{"kid not printable", mod(func(b []byte) []byte { b[6] = 0; return b }), errBadKeyID, 0},
		{"kid space", mod(func(b []byte) []byte { b[6] = ' '; return b }), errBadKeyID, 0},
		{"truncated in nonce", valid[:4+1+1+16+32+10], errTooShort, 0},
		{"header only", valid[:4+1+1+16+32+24], errNoTag, 0},
		{"15 byte ciphertext", valid[:len(valid)-1], errNoTag, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, n, err := ParseHeader(tc.env)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				if n != 0 || h != (Header{}) {
					t.Fatalf("error with non-zero result: %+v, %d", h, n)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if n != tc.wantLen {
				t.Fatalf("header len = %d, want %d", n, tc.wantLen)
			}
			if h.Version != Version || h.Ephemeral[0] != 1 || h.Nonce[0] != 0xA0 || h.Nonce[23] != 0xA0+23 {
				t.Fatalf("bad header fields: %+v", h)
			}
			if got := tc.env[6 : 6+len(h.KeyID)]; string(got) != h.KeyID {
				t.Fatalf("KeyID = %q, want %q", h.KeyID, got)
			}
		})
	}
	// The server logs these to explain rejected uploads, so they must differ.
	seen := map[error]bool{}
	for _, e := range []error{errTooShort, errBadMagic, errBadVersion, errBadKeyIDLen, errBadKeyID, errNoTag} {
		for other := range seen {
			if other.Error() == e.Error() {
				t.Errorf("duplicate message %q", e)
			}
		}
		seen[e] = true
	}
}

func TestParseHeaderOfSealed(t *testing.T) {
	kp := mustKeyPair(t, "parse sealed")
	env, err := Seal(newDet("parse sealed"), kp.Public, testMeta(), []byte("abc"))
	if err != nil {
		t.Fatal(err)
	}
	h, n, err := ParseHeader(env)
	if err != nil {
		t.Fatal(err)
	}
	if h.KeyID != KeyID(kp.Public) || n != len(env)-3-16 {
		t.Fatalf("header = %+v, len %d", h, n)
	}
}

func TestHasImageMagic(t *testing.T) {
	rnd := make([]byte, 64)
	newDet("not an image").Read(rnd)
	tests := []struct {
		name string
		b    []byte
		want bool
	}{
		{"jpeg", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10}, true},
		{"jpeg exact", []byte{0xFF, 0xD8, 0xFF}, true},
		{"png", []byte{0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D}, true},
		{"png exact", pngMagic, true},
		{"random", rnd, false},
		{"envelope", buildHeader("k", 16), false},
		{"nil", nil, false},
		{"short jpeg", []byte{0xFF, 0xD8}, false},
		{"short png", pngMagic[:7], false},
		{"jpeg at offset 1", []byte{0, 0xFF, 0xD8, 0xFF}, false},
		{"png bad last byte", []byte{0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0B}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := HasImageMagic(tc.b); got != tc.want {
				t.Fatalf("HasImageMagic(%x) = %v, want %v", tc.b, got, tc.want)
			}
		})
	}
}

// FuzzParseHeader checks ParseHeader never panics and that whatever it
// accepts re-encodes to exactly the bytes it parsed.
func FuzzParseHeader(f *testing.F) {
	f.Add(buildHeader("0123456789abcdef", 16))
	f.Add(buildHeader("k", 0))
	f.Add([]byte("TOCK\x01\x00"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, env []byte) {
		h, n, err := ParseHeader(env)
		if err != nil {
			return
		}
		if n > len(env)-tagSize {
			t.Fatalf("accepted header of %d bytes with only %d total", n, len(env))
		}
		if got := appendHeader(nil, h.KeyID, h.Ephemeral, h.Nonce); !bytes.Equal(got, env[:n]) {
			t.Fatalf("re-encoded header differs:\n%x\n%x", got, env[:n])
		}
	})
}
