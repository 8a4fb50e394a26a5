package envelope

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"testing"
	"time"
)

// detReader is a deterministic byte stream: SHA-256(seed || counter) blocks.
// It makes Seal reproducible for the known-answer tests.
type detReader struct {
	seed string
	ctr  uint64
	buf  []byte
}

func newDet(seed string) *detReader { return &detReader{seed: seed} }

func (d *detReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(d.buf) == 0 {
			var c [8]byte
			binary.BigEndian.PutUint64(c[:], d.ctr)
			d.ctr++
			sum := sha256.Sum256(append([]byte(d.seed), c[:]...))
			d.buf = sum[:]
		}
		k := copy(p[n:], d.buf)
		d.buf = d.buf[k:]
		n += k
	}
	return n, nil
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex: %v", err)
	}
	return b
}

func mustKeyPair(t testing.TB, seed string) KeyPair {
	t.Helper()
	kp, err := GenerateKeyPair(newDet(seed))
	if err != nil {
		t.Fatalf("GenerateKeyPair: %v", err)
	}
	return kp
}

func testMeta() Metadata {
	return Metadata{
		ID:      "shot_0001",
		Org:     "org_acme",
		User:    "user_42",
		TakenAt: time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.UTC),
		Screen:  1,
	}
}

// Known-answer values. Derived once by running this implementation
// (recipient key = GenerateKeyPair(newDet("tock kat recipient")), Seal rand =
// newDet("tock kat seal"), metadata = testMeta(), plaintext "hello, tock"),
// and cross-checked: the public key with Python's cryptography X25519, the
// KeyID and HKDF values with Python hashlib/hmac (RFC 5869 by hand).
const (
	katPriv = "889e870bd8fef79a1ee8fedb13d3813f6ac268168564585875eb94e029e6d24e"
	katPub  = "cb28a3e7e718f44789c14eb8b251856adcd05a9251fe00bba16998a8fc651862"
	katKID  = "cc0da3958309a8a1"
	katEnv  = "544f434b011063633064613339353833303961386131" + // "TOCK" 01 10 "cc0da3958309a8a1"
		"c7e620451c6703e1e6a16cfe083e984943a06c1585edb2ab98cfc6bbf6601013" + // eph
		"ecbfe794f9eeee89af8574b6deb403396faee4e5086b1454" + // nonce
		"b3fb49ccb7b5048569862540a9ce18ba2e714365358c2f173f94b0" // ct+tag
	katPlain = "hello, tock"
)

func TestGenerateKeyPairKAT(t *testing.T) {
	tests := []struct {
		name      string
		rand      io.Reader
		priv, pub string
	}{
		{"det seed", newDet("tock kat recipient"), katPriv, katPub},
		// RFC 7748 §6.1 Alice: raw scalar in, clamped scalar stored.
		{"rfc7748 alice",
			bytes.NewReader(mustHex(t, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")),
			"70076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c6a",
			"8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kp, err := GenerateKeyPair(tc.rand)
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(kp.Private[:]); got != tc.priv {
				t.Errorf("private = %s, want %s", got, tc.priv)
			}
			if got := hex.EncodeToString(kp.Public[:]); got != tc.pub {
				t.Errorf("public = %s, want %s", got, tc.pub)
			}
		})
	}
}

func TestGenerateKeyPairErrors(t *testing.T) {
	tests := []struct {
		name string
		rand io.Reader
	}{
		{"nil reader", nil},
		{"short reader", bytes.NewReader(make([]byte, 31))},
		{"empty reader", bytes.NewReader(nil)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := GenerateKeyPair(tc.rand); err == nil {
				t.Fatal("want error")
			}
		})
	}
}

func TestKeyIDKAT(t *testing.T) {
	var seq [32]byte
	for i := range seq {
		seq[i] = byte(i)
	}
	var pub [32]byte
	copy(pub[:], mustHex(t, katPub))
	tests := []struct {
		name string
		pub  [32]byte
		want string
	}{
		// sha256(00 01 .. 1f)[:8], checked with Python hashlib.
		{"bytes 0..31", seq, "630dcd2966c43366"},
		{"kat public key", pub, katKID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := KeyID(tc.pub); got != tc.want {
				t.Errorf("KeyID = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestDeriveKeyKAT(t *testing.T) {
	var shared, eph, pub [32]byte
	for i := range 32 {
		shared[i], eph[i], pub[i] = byte(i), byte(0x40+i), byte(0x80+i)
	}
	// HKDF-SHA256(ikm=00..1f, salt=40..5f||80..9f, info="tock envelope v1"),
	// checked with Python hmac: PRK=HMAC(salt, ikm); OKM=HMAC(PRK, info||01).
	const want = "45ea9a0638e7c0124fafbe90af07bcce49bd1dca5da011c325094026500e0639"
	tests := []struct {
		name             string
		shared, eph, pub [32]byte
		want             bool
	}{
		{"exact", shared, eph, pub, true},
		{"salt order matters", shared, pub, eph, false},
		{"ikm matters", eph, eph, pub, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := deriveKey(tc.shared, tc.eph, tc.pub)
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(k[:]) == want; got != tc.want {
				t.Errorf("key %x: match=%v, want %v", k, got, tc.want)
			}
		})
	}
}

func TestSealKAT(t *testing.T) {
	var pub, priv [32]byte
	copy(pub[:], mustHex(t, katPub))
	copy(priv[:], mustHex(t, katPriv))

	env, err := Seal(newDet("tock kat seal"), pub, testMeta(), []byte(katPlain))
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(env); got != katEnv {
		t.Fatalf("Seal =\n%s\nwant\n%s", got, katEnv)
	}
	pt, err := Open(priv, testMeta(), mustHex(t, katEnv))
	if err != nil {
		t.Fatalf("Open(KAT): %v", err)
	}
	if string(pt) != katPlain {
		t.Fatalf("Open(KAT) = %q, want %q", pt, katPlain)
	}
}

func TestRoundTrip(t *testing.T) {
	kp := mustKeyPair(t, "round trip")
	tests := []struct {
		name string
		size int
	}{
		{"empty", 0},
		{"one byte", 1},
		{"1000 bytes", 1000},
		{"200 KB", 200 * 1024},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pt := make([]byte, tc.size)
			newDet(tc.name).Read(pt)
			env, err := Seal(rand.Reader, kp.Public, testMeta(), pt)
			if err != nil {
				t.Fatal(err)
			}
			if want := 4 + 1 + 1 + 16 + 32 + 24 + tc.size + 16; len(env) != want {
				t.Errorf("len(env) = %d, want %d", len(env), want)
			}
			got, err := Open(kp.Private, testMeta(), env)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil || !bytes.Equal(got, pt) {
				t.Fatalf("round trip mismatch (len %d vs %d)", len(got), len(pt))
			}
		})
	}
}

func TestSealIsRandomized(t *testing.T) {
	kp := mustKeyPair(t, "randomized")
	a, err := Seal(rand.Reader, kp.Public, testMeta(), []byte("same"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Seal(rand.Reader, kp.Public, testMeta(), []byte("same"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, b) {
		t.Fatal("two seals of the same plaintext are identical")
	}
}

func TestTamper(t *testing.T) {
	kp := mustKeyPair(t, "tamper")
	pt := make([]byte, 300)
	newDet("tamper pt").Read(pt)
	env, err := Seal(newDet("tamper seal"), kp.Public, testMeta(), pt)
	if err != nil {
		t.Fatal(err)
	}
	check := func(t *testing.T, what string, bad []byte) {
		t.Helper()
		got, err := Open(kp.Private, testMeta(), bad)
		if err == nil || got != nil {
			t.Fatalf("%s: Open succeeded (err=%v, %d bytes)", what, err, len(got))
		}
		if !errors.Is(err, ErrInvalid) {
			t.Fatalf("%s: err = %v, want ErrInvalid", what, err)
		}
	}
	t.Run("flip every byte", func(t *testing.T) {
		for i := range env {
			for _, mask := range []byte{0x01, 0x80, 0xff} {
				bad := bytes.Clone(env)
				bad[i] ^= mask
				check(t, "flip", bad)
			}
		}
	})
	t.Run("truncate at every length", func(t *testing.T) {
		for n := 0; n < len(env); n++ {
			check(t, "truncate", bytes.Clone(env[:n]))
		}
	})
	t.Run("append", func(t *testing.T) {
		for _, b := range []byte{0x00, 0xff} {
			check(t, "append", append(bytes.Clone(env), b))
		}
	})
	// Guard against a vacuous test: the untouched envelope must open.
	if _, err := Open(kp.Private, testMeta(), env); err != nil {
		t.Fatalf("original envelope: %v", err)
	}
}

func TestMetadataBinding(t *testing.T) {
	kp := mustKeyPair(t, "metadata")
	env, err := Seal(rand.Reader, kp.Public, testMeta(), []byte("pixels"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		mutate func(*Metadata)
		ok     bool
	}{
		{"unchanged", func(*Metadata) {}, true},
		// Same instant in another zone must still open: the encoding is UTC.
		{"same instant other zone", func(m *Metadata) { m.TakenAt = m.TakenAt.In(time.FixedZone("X", 3600)) }, true},
		{"id", func(m *Metadata) { m.ID = "shot_0002" }, false},
		{"org", func(m *Metadata) { m.Org = "org_evil" }, false},
		{"user", func(m *Metadata) { m.User = "user_43" }, false},
		{"taken_at +1ns", func(m *Metadata) { m.TakenAt = m.TakenAt.Add(time.Nanosecond) }, false},
		{"screen", func(m *Metadata) { m.Screen = 2 }, false},
		{"field shift", func(m *Metadata) { m.ID, m.Org = m.ID+"x", m.Org[1:] }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			md := testMeta()
			tc.mutate(&md)
			_, err := Open(kp.Private, md, env)
			if tc.ok && err != nil {
				t.Fatalf("want success, got %v", err)
			}
			if !tc.ok && !errors.Is(err, ErrInvalid) {
				t.Fatalf("want ErrInvalid, got %v", err)
			}
		})
	}
}

func TestMetadataNewlineRejected(t *testing.T) {
	kp := mustKeyPair(t, "newline")
	env, err := Seal(rand.Reader, kp.Public, testMeta(), []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		mutate func(*Metadata)
	}{
		{"id", func(m *Metadata) { m.ID = "a\norg=b" }},
		{"org", func(m *Metadata) { m.Org = "org\n" }},
		{"user", func(m *Metadata) { m.User = "\nuser" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			md := testMeta()
			tc.mutate(&md)
			if _, err := Seal(rand.Reader, kp.Public, md, []byte("x")); !errors.Is(err, errMetadata) {
				t.Errorf("Seal: err = %v, want errMetadata", err)
			}
			if _, err := Open(kp.Private, md, env); !errors.Is(err, errMetadata) {
				t.Errorf("Open: err = %v, want errMetadata", err)
			}
		})
	}
}

func TestWrongKey(t *testing.T) {
	kp := mustKeyPair(t, "right")
	other := mustKeyPair(t, "wrong")
	env, err := Seal(rand.Reader, kp.Public, testMeta(), []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	// Same KeyID but a different key must still fail on the tag, proving
	// the KeyID check is not the only defence.
	spoofed := bytes.Clone(env)
	copy(spoofed[6:22], KeyID(other.Public))

	tests := []struct {
		name     string
		priv     [32]byte
		env      []byte
		keyIDErr bool // caught by the KeyID comparison rather than the tag
	}{
		{"other private key", other.Private, env, true},
		{"zero private key", [32]byte{}, env, true},
		{"keyid rewritten to other key", other.Private, spoofed, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pt, err := Open(tc.priv, testMeta(), tc.env)
			if !errors.Is(err, ErrInvalid) || pt != nil {
				t.Fatalf("Open = (%q, %v), want ErrInvalid", pt, err)
			}
			if got := errors.Is(err, errWrongKey); got != tc.keyIDErr {
				t.Fatalf("errors.Is(err, errWrongKey) = %v, want %v (err: %v)", got, tc.keyIDErr, err)
			}
		})
	}
}

func TestSealLowOrderKey(t *testing.T) {
	point := func(s string) (p [32]byte) { copy(p[:], mustHex(t, s)); return p }
	tests := []struct {
		name string
		pub  [32]byte
	}{
		{"zero", [32]byte{}},
		{"one (order 4)", point("0100000000000000000000000000000000000000000000000000000000000000")},
		{"order 8", point("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")},
		{"order 8 other", point("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157")},
		{"p-1", point("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")},
		{"p", point("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env, err := Seal(rand.Reader, tc.pub, testMeta(), []byte("x"))
			if err == nil || env != nil {
				t.Fatalf("Seal to low-order point succeeded")
			}
			if !errors.Is(err, errLowOrder) {
				t.Fatalf("err = %v, want errLowOrder", err)
			}
		})
	}
}

func TestOpenLowOrderEphemeral(t *testing.T) {
	kp := mustKeyPair(t, "low order eph")
	env, err := Seal(rand.Reader, kp.Public, testMeta(), []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	clear(env[22:54]) // ephemeral key -> all-zero point
	if _, err := Open(kp.Private, testMeta(), env); !errors.Is(err, ErrInvalid) || !errors.Is(err, errLowOrder) {
		t.Fatalf("err = %v, want ErrInvalid wrapping errLowOrder", err)
	}
}

func TestSealRandErrors(t *testing.T) {
	kp := mustKeyPair(t, "rand errors")
	tests := []struct {
		name string
		rand io.Reader
	}{
		{"nil", nil},
		{"empty", bytes.NewReader(nil)},
		{"enough for scalar only", bytes.NewReader(make([]byte, 32))},
		{"one short of nonce", bytes.NewReader(make([]byte, 55))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Seal(tc.rand, kp.Public, testMeta(), []byte("x")); err == nil {
				t.Fatal("want error")
			}
		})
	}
}

func TestSealedJPEGHasNoImageMagic(t *testing.T) {
	kp := mustKeyPair(t, "jpeg")
	jpeg := append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00}, bytes.Repeat([]byte{0xFF, 0xD8, 0xFF}, 100)...)
	if !HasImageMagic(jpeg) {
		t.Fatal("test input should look like a JPEG")
	}
	for i := range 50 {
		env, err := Seal(rand.Reader, kp.Public, testMeta(), jpeg)
		if err != nil {
			t.Fatal(err)
		}
		for off := 0; off < 64 && off < len(env); off++ {
			if HasImageMagic(env[off:]) {
				t.Fatalf("seal %d: image magic at offset %d", i, off)
			}
		}
	}
}

// FuzzOpen feeds arbitrary bytes as an envelope: Open must not panic and
// must never return plaintext for anything but the one genuine envelope.
func FuzzOpen(f *testing.F) {
	kp := mustKeyPair(f, "fuzz")
	valid, err := Seal(newDet("fuzz seal"), kp.Public, testMeta(), []byte("genuine"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add(valid[:len(valid)-1])
	f.Add(mustHex(f, katEnv))
	f.Add([]byte("TOCK"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, env []byte) {
		pt, err := Open(kp.Private, testMeta(), env)
		if bytes.Equal(env, valid) {
			if err != nil || string(pt) != "genuine" {
				t.Fatalf("genuine envelope: (%q, %v)", pt, err)
			}
			return
		}
		if err == nil || pt != nil {
			t.Fatalf("Open accepted forged input: %q", pt)
		}
		if !errors.Is(err, ErrInvalid) {
			t.Fatalf("err = %v, want ErrInvalid", err)
		}
	})
}

const benchSize = 200 * 1024

func BenchmarkSeal(b *testing.B) {
	kp := mustKeyPair(b, "bench")
	pt := make([]byte, benchSize)
	b.SetBytes(benchSize)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Seal(rand.Reader, kp.Public, testMeta(), pt); err != nil {
			b.Fatal(err)
		}
	}
}

// benchEnvelope is a key pair and a benchSize envelope sealed for it.
func benchEnvelope(b *testing.B) (KeyPair, []byte) {
	kp := mustKeyPair(b, "bench")
	env, err := Seal(rand.Reader, kp.Public, testMeta(), make([]byte, benchSize))
	if err != nil {
		b.Fatal(err)
	}
	return kp, env
}

func BenchmarkOpen(b *testing.B) {
	kp, env := benchEnvelope(b)
	b.SetBytes(benchSize)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Open(kp.Private, testMeta(), env); err != nil {
			b.Fatal(err)
		}
	}
}
