package envelope

import (
	"bytes"
	"encoding/hex"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// protocolDoc is where the envelope format and its test vectors are written
// for people implementing it elsewhere; this test keeps them true.
const protocolDoc = "../docs/PROTOCOL.md"

// docVector is one ```text block of protocolDoc whose first line starts
// with "vector": "name = value" lines, a value either a Go-quoted string or
// hex (spaces allowed between bytes).
type docVector map[string][]byte

func readDocVectors(t *testing.T) []docVector {
	t.Helper()
	b, err := os.ReadFile(protocolDoc)
	if err != nil {
		t.Fatalf("read %s: %v", protocolDoc, err)
	}
	var out []docVector
	blocks := strings.Split(string(b), "```")
	// Odd pieces are inside fences.
	for i := 1; i < len(blocks); i += 2 {
		lines := strings.Split(blocks[i], "\n")
		if len(lines) < 2 || lines[0] != "text" || !strings.HasPrefix(lines[1], "vector") {
			continue
		}
		v := docVector{}
		for _, line := range lines[2:] {
			name, value, ok := strings.Cut(line, "=")
			if !ok {
				continue
			}
			name, value = strings.TrimSpace(name), strings.TrimSpace(value)
			if strings.HasPrefix(value, `"`) {
				s, err := strconv.Unquote(value)
				if err != nil {
					t.Fatalf("%s, %s: %v", lines[1], name, err)
				}
				v[name] = []byte(s)
				continue
			}
			h, err := hex.DecodeString(strings.ReplaceAll(value, " ", ""))
			if err != nil {
				t.Fatalf("%s, %s: %v", lines[1], name, err)
			}
			v[name] = h
		}
		out = append(out, v)
	}
	return out
}

// must returns the named value of v or fails the test.
func (v docVector) must(t *testing.T, name string) []byte {
	t.Helper()
	b, ok := v[name]
	if !ok {
		t.Fatalf("vector has no %q", name)
	}
	return b
}

// TestProtocolDocVectors seals each vector of docs/PROTOCOL.md with its fixed
// key and fixed randomness and checks every intermediate value and every
// byte of the envelope the document shows, then opens it again.
func TestProtocolDocVectors(t *testing.T) {
	vectors := readDocVectors(t)
	if len(vectors) == 0 {
		t.Fatalf("no test vectors in %s", protocolDoc)
	}
	for i, v := range vectors {
		kp, err := GenerateKeyPair(bytes.NewReader(v.must(t, "recipient_random")))
		if err != nil {
			t.Fatal(err)
		}
		check := func(name string, got []byte) {
			t.Helper()
			if want := v.must(t, name); !bytes.Equal(got, want) {
				t.Errorf("vector %d: %s = %x, the document says %x", i+1, name, got, want)
			}
		}
		check("recipient_private", kp.Private[:])
		check("recipient_public", kp.Public[:])
		check("key_id", []byte(KeyID(kp.Public)))

		taken, err := time.Parse(time.RFC3339Nano, string(v.must(t, "taken_at")))
		if err != nil {
			t.Fatal(err)
		}
		screen, err := strconv.Atoi(string(v.must(t, "screen")))
		if err != nil {
			t.Fatal(err)
		}
		md := Metadata{ID: string(v.must(t, "id")), Org: string(v.must(t, "org")), User: string(v.must(t, "user")), TakenAt: taken, Screen: screen}
		canon, err := md.canonical()
		if err != nil {
			t.Fatal(err)
		}
		check("metadata", canon)

		seal := v.must(t, "seal_random")
		var ephPriv, ephPub [32]byte
		copy(ephPriv[:], seal[:32])
		ephPriv[0] &= 248
		ephPriv[31] = ephPriv[31]&127 | 64
		if ephPub, err = x25519(ephPriv, basepoint()); err != nil {
			t.Fatal(err)
		}
		shared, err := x25519(ephPriv, kp.Public)
		if err != nil {
			t.Fatal(err)
		}
		check("shared", shared[:])
		key, err := deriveKey(shared, ephPub, kp.Public)
		if err != nil {
			t.Fatal(err)
		}
		check("key", key[:])

		plain := v.must(t, "plaintext")
		env, err := Seal(bytes.NewReader(seal), kp.Public, md, plain)
		if err != nil {
			t.Fatal(err)
		}
		var want []byte
		for _, part := range []string{"env.magic", "env.version", "env.key_id_len", "env.key_id", "env.ephemeral", "env.nonce", "env.ciphertext"} {
			want = append(want, v.must(t, part)...)
		}
		if !bytes.Equal(env, want) {
			t.Errorf("vector %d: Seal =\n%x\nthe document says\n%x", i+1, env, want)
		}
		got, err := Open(kp.Private, md, want)
		if err != nil || !bytes.Equal(got, plain) {
			t.Errorf("vector %d: Open = %q, %v; want %q", i+1, got, err, plain)
		}
	}
}
