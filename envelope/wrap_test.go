package envelope

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"testing"
)

func TestWrapUnwrap(t *testing.T) {
	var master, otherMaster [32]byte
	newDet("master").Read(master[:])
	newDet("other master").Read(otherMaster[:])
	kp := mustKeyPair(t, "org key")
	label := "org:org_acme:key:" + KeyID(kp.Public)

	wrapped, err := Wrap(rand.Reader, master, label, kp.Private[:])
	if err != nil {
		t.Fatal(err)
	}
	if want := 4 + 24 + 32 + 16; len(wrapped) != want || string(wrapped[:4]) != "TKW1" {
		t.Fatalf("wrapped = %x (len %d), want TKW1 prefix and len %d", wrapped, len(wrapped), want)
	}
	if bytes.Contains(wrapped, kp.Private[:]) {
		t.Fatal("wrapped output contains the secret")
	}
	flip := func(i int) []byte { b := bytes.Clone(wrapped); b[i] ^= 1; return b }

	tests := []struct {
		name    string
		master  [32]byte
		label   string
		wrapped []byte
		ok      bool
	}{
		{"round trip", master, label, wrapped, true},
		{"wrong label", master, "org:org_evil:key:" + KeyID(kp.Public), wrapped, false},
		{"empty label", master, "", wrapped, false},
		{"wrong master", otherMaster, label, wrapped, false},
		{"tampered magic", master, label, flip(0), false},
		{"tampered nonce", master, label, flip(4), false},
		{"tampered ciphertext", master, label, flip(30), false},
		{"tampered tag", master, label, flip(len(wrapped) - 1), false},
		{"truncated", master, label, wrapped[:len(wrapped)-1], false},
		{"appended", master, label, append(bytes.Clone(wrapped), 0), false},
		{"too short", master, label, wrapped[:4+24+15], false},
		{"nil", master, label, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Unwrap(tc.master, tc.label, tc.wrapped)
			if tc.ok {
				if err != nil || !bytes.Equal(got, kp.Private[:]) {
					t.Fatalf("Unwrap = (%x, %v), want the private key", got, err)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) || got != nil {
				t.Fatalf("Unwrap = (%x, %v), want ErrInvalid", got, err)
			}
		})
	}
}

func TestWrapEmptySecretAndRandErrors(t *testing.T) {
	var master [32]byte
	w, err := Wrap(rand.Reader, master, "l", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := Unwrap(master, "l", w); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("empty secret round trip = (%v, %v)", got, err)
	}
	for _, r := range []io.Reader{nil, bytes.NewReader(make([]byte, 23))} {
		if _, err := Wrap(r, master, "l", []byte("s")); err == nil {
			t.Errorf("Wrap with bad rand %v: want error", r)
		}
	}
}

func TestWrapNonceIsRandom(t *testing.T) {
	var master [32]byte
	a, errA := Wrap(rand.Reader, master, "l", []byte("secret"))
	b, errB := Wrap(rand.Reader, master, "l", []byte("secret"))
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if bytes.Equal(a[4:28], b[4:28]) {
		t.Fatal("nonce reused across Wrap calls")
	}
}
