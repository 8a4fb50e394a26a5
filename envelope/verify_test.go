package envelope

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"
	"time"
)

// verifyAgrees checks that Verify decides env as Open does.
func verifyAgrees(t *testing.T, what string, kp KeyPair, md Metadata, env []byte) {
	t.Helper()
	_, openErr := Open(kp.Private, md, env)
	verifyErr := Verify(kp, md, env)
	if (openErr == nil) != (verifyErr == nil) {
		t.Fatalf("%s: Open says %v, Verify says %v", what, openErr, verifyErr)
	}
	if verifyErr != nil && !errors.Is(verifyErr, ErrInvalid) {
		t.Fatalf("%s: Verify err = %v, want ErrInvalid", what, verifyErr)
	}
}

func TestVerifyKAT(t *testing.T) {
	var priv [32]byte
	copy(priv[:], mustHex(t, katPriv))
	kp, err := KeyPairOf(priv)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(kp.Public[:], mustHex(t, katPub)) {
		t.Fatalf("KeyPairOf public = %x, want %s", kp.Public, katPub)
	}
	if err := Verify(kp, testMeta(), mustHex(t, katEnv)); err != nil {
		t.Fatalf("known-answer envelope: %v", err)
	}
}

// TestVerifyAgreesWithOpen: every byte flipped, every truncation, every
// metadata field changed, another key, an empty and a 200 KB image: Verify
// accepts exactly what Open opens.
func TestVerifyAgreesWithOpen(t *testing.T) {
	kp := mustKeyPair(t, "verify")
	for _, size := range []int{0, 1, 15, 16, 17, 300, benchSize} {
		pt := make([]byte, size)
		newDet("verify pt").Read(pt)
		env, err := Seal(newDet("verify seal"), kp.Public, testMeta(), pt)
		if err != nil {
			t.Fatal(err)
		}
		if err := Verify(kp, testMeta(), env); err != nil {
			t.Fatalf("%d bytes: a good envelope fails: %v", size, err)
		}
		if size > 300 {
			continue // the byte-by-byte runs below are for small envelopes
		}
		for i := range env {
			bad := bytes.Clone(env)
			bad[i] ^= 0x01
			verifyAgrees(t, "flip", kp, testMeta(), bad)
		}
		for n := 0; n < len(env); n++ {
			verifyAgrees(t, "truncate", kp, testMeta(), env[:n])
		}
		verifyAgrees(t, "append", kp, testMeta(), append(bytes.Clone(env), 0))
	}

	env, err := Seal(rand.Reader, kp.Public, testMeta(), []byte("pixels"))
	if err != nil {
		t.Fatal(err)
	}
	for name, change := range map[string]func(*Metadata){
		"id": func(m *Metadata) { m.ID += "x" }, "org": func(m *Metadata) { m.Org += "x" },
		"user": func(m *Metadata) { m.User += "x" }, "screen": func(m *Metadata) { m.Screen++ },
		"taken_at": func(m *Metadata) { m.TakenAt = m.TakenAt.Add(time.Millisecond) },
	} {
		md := testMeta()
		change(&md)
		if err := Verify(kp, md, env); !errors.Is(err, ErrInvalid) {
			t.Fatalf("metadata %s changed: err = %v, want ErrInvalid", name, err)
		}
	}
	other := mustKeyPair(t, "verify other")
	if err := Verify(other, testMeta(), env); !errors.Is(err, errWrongKey) {
		t.Fatalf("another key: err = %v, want errWrongKey", err)
	}
	// Same key id, wrong private half: the tag, not the id, must decide.
	forged := KeyPair{Public: kp.Public, Private: other.Private}
	if err := Verify(forged, testMeta(), env); !errors.Is(err, ErrInvalid) {
		t.Fatalf("mismatched pair: err = %v, want ErrInvalid", err)
	}
	bad := testMeta()
	bad.User = "a\nb"
	if err := Verify(kp, bad, env); err == nil || errors.Is(err, ErrInvalid) {
		t.Fatalf("newline in metadata: err = %v, want a caller error", err)
	}
}

func BenchmarkVerify(b *testing.B) {
	kp, env := benchEnvelope(b)
	b.SetBytes(benchSize)
	b.ReportAllocs()
	for b.Loop() {
		if err := Verify(kp, testMeta(), env); err != nil {
			b.Fatal(err)
		}
	}
}
