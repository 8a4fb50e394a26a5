// Package envelope implements Tock's screenshot encryption format, "envelope v1",
// shared by the agent (which seals) and the server (which opens, in memory only).
//
// Each image is sealed to an organization's X25519 public key with a fresh
// ephemeral key, so a device that is later compromised cannot read what it
// already uploaded, and the blob store never needs a key at all.
//
// Envelope v1 byte format:
//
//	magic   "TOCK"            4 bytes
//	version 0x01              1 byte
//	kidLen  n (1..64)         1 byte
//	keyID   n bytes (ASCII, the recipient key's KeyID)
//	eph     32 bytes          ephemeral X25519 public key
//	nonce   24 bytes          random
//	ct      len(plaintext)+16 XChaCha20-Poly1305 ciphertext and tag
//
// Key schedule and binding:
//
//	shared = X25519(ephPriv, recipientPub)          (all-zero result rejected)
//	key    = HKDF-SHA256(ikm=shared, salt=eph||recipientPub, info="tock envelope v1")
//	ad     = header bytes (magic..nonce) || canonical metadata
//	canonical metadata = "id=" ID "\norg=" Org "\nuser=" User
//	                     "\ntaken_at=" TakenAt.UTC() as RFC 3339 with nanoseconds
//	                     "\nscreen=" decimal Screen
//
// Binding the metadata means an envelope copied onto another screenshot record
// (other id, org, user, time or screen) fails to open instead of showing the
// wrong image. Seal draws from rand in a fixed order (32 bytes ephemeral
// scalar, then 24 bytes nonce) so known-answer tests are reproducible.
package envelope

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/curve25519"
	"golang.org/x/crypto/hkdf"
)

// Version is the envelope format version written by Seal and accepted by Open.
const Version byte = 1

const (
	magic     = "TOCK"
	hkdfInfo  = "tock envelope v1"
	keySize   = 32
	nonceSize = chacha20poly1305.NonceSizeX
	tagSize   = chacha20poly1305.Overhead
	// maxPayload stays under the AEAD's own limit (~256 GiB), where the
	// library would panic rather than return an error.
	maxPayload = 1 << 36
)

// ErrInvalid is returned for every envelope that cannot be authenticated.
// Callers get one error for tampering, wrong key and malformed input alike,
// so an attacker learns nothing from which check failed.
var ErrInvalid = errors.New("envelope: invalid or tampered")

var (
	errMetadata = errors.New("envelope: metadata field contains a newline")
	errLowOrder = errors.New("envelope: low-order public key (all-zero shared secret)")
	errNilRand  = errors.New("envelope: nil random source")
	errTooLarge = errors.New("envelope: payload too large")
	errWrongKey = errors.New("envelope: sealed for a different key")
)

// KeyPair is an X25519 key pair; Private is already clamped.
type KeyPair struct {
	Public, Private [32]byte
}

// GenerateKeyPair reads 32 bytes from rand (crypto/rand.Reader in production)
// and clamps them per RFC 7748.
func GenerateKeyPair(rand io.Reader) (KeyPair, error) {
	var kp KeyPair
	priv, err := readScalar(rand)
	if err != nil {
		return KeyPair{}, fmt.Errorf("envelope: generate key pair: %w", err)
	}
	pub, err := curve25519.X25519(priv[:], curve25519.Basepoint)
	if err != nil {
		return KeyPair{}, fmt.Errorf("envelope: generate key pair: %w", err)
	}
	kp.Private = priv
	copy(kp.Public[:], pub)
	return kp, nil
}

// readScalar clamps explicitly (X25519 would clamp internally anyway) so the
// stored private key is the canonical one and equal inputs give equal keys.
func readScalar(rand io.Reader) ([32]byte, error) {
	var s [32]byte
	if rand == nil {
		return s, errNilRand
	}
	if _, err := io.ReadFull(rand, s[:]); err != nil {
		return s, fmt.Errorf("read random: %w", err)
	}
	s[0] &= 248
	s[31] &= 127
	s[31] |= 64
	return s, nil
}

// KeyID is a short stable id of a public key: lowercase hex of the first 8
// bytes of SHA-256(pub) (16 chars).
func KeyID(pub [32]byte) string {
	sum := sha256.Sum256(pub[:])
	return hex.EncodeToString(sum[:8])
}

// Metadata is bound into the authenticated data, so an envelope can't be
// moved to another record unnoticed.
type Metadata struct {
	ID, Org, User string
	TakenAt       time.Time
	Screen        int
}

// canonical rejects newlines because they are the field separator; without
// that, ID "a\norg=b" and Org "b" could collide with another record.
func (md Metadata) canonical() ([]byte, error) {
	for _, f := range [...]struct{ name, v string }{{"id", md.ID}, {"org", md.Org}, {"user", md.User}} {
		if strings.Contains(f.v, "\n") {
			return nil, fmt.Errorf("%w: %s", errMetadata, f.name)
		}
	}
	s := "id=" + md.ID +
		"\norg=" + md.Org +
		"\nuser=" + md.User +
		"\ntaken_at=" + md.TakenAt.UTC().Format(time.RFC3339Nano) +
		"\nscreen=" + strconv.Itoa(md.Screen)
	return []byte(s), nil
}

// deriveKey salts with both public keys so the key is tied to this exact
// ephemeral/recipient pair, not just to the shared point.
func deriveKey(shared, eph, recipientPub [32]byte) ([keySize]byte, error) {
	var key [keySize]byte
	salt := make([]byte, 0, 64)
	salt = append(salt, eph[:]...)
	salt = append(salt, recipientPub[:]...)
	r := hkdf.New(sha256.New, shared[:], salt, []byte(hkdfInfo))
	if _, err := io.ReadFull(r, key[:]); err != nil {
		return key, fmt.Errorf("envelope: hkdf: %w", err)
	}
	return key, nil
}

// x25519 refuses an all-zero result: a low-order point would otherwise make
// the "shared secret" a public constant.
func x25519(scalar, point [32]byte) ([32]byte, error) {
	var out [32]byte
	b, err := curve25519.X25519(scalar[:], point[:])
	if err != nil {
		return out, fmt.Errorf("%w: %w", errLowOrder, err)
	}
	copy(out[:], b)
	var zero [32]byte
	if subtle.ConstantTimeCompare(out[:], zero[:]) == 1 {
		return out, errLowOrder
	}
	return out, nil
}

func appendHeader(dst []byte, kid string, eph [32]byte, nonce [nonceSize]byte) []byte {
	dst = append(dst, magic...)
	dst = append(dst, Version, byte(len(kid)))
	dst = append(dst, kid...)
	dst = append(dst, eph[:]...)
	return append(dst, nonce[:]...)
}

// Seal encrypts plaintext for the holder of pub.
func Seal(rand io.Reader, pub [32]byte, md Metadata, plaintext []byte) ([]byte, error) {
	mdBytes, err := md.canonical()
	if err != nil {
		return nil, fmt.Errorf("envelope: seal: %w", err)
	}
	if uint64(len(plaintext)) > maxPayload {
		return nil, fmt.Errorf("envelope: seal: %w", errTooLarge)
	}
	ephPriv, err := readScalar(rand)
	if err != nil {
		return nil, fmt.Errorf("envelope: seal: ephemeral key: %w", err)
	}
	var nonce [nonceSize]byte
	if _, err := io.ReadFull(rand, nonce[:]); err != nil {
		return nil, fmt.Errorf("envelope: seal: nonce: %w", err)
	}
	shared, err := x25519(ephPriv, pub)
	if err != nil {
		return nil, fmt.Errorf("envelope: seal: recipient key: %w", err)
	}
	ephPub, err := x25519(ephPriv, basepoint())
	if err != nil {
		return nil, fmt.Errorf("envelope: seal: ephemeral public key: %w", err)
	}
	key, err := deriveKey(shared, ephPub, pub)
	if err != nil {
		return nil, fmt.Errorf("envelope: seal: %w", err)
	}
	aead, err := chacha20poly1305.NewX(key[:])
	if err != nil {
		return nil, fmt.Errorf("envelope: seal: %w", err)
	}

	kid := KeyID(pub)
	hdrLen := 4 + 1 + 1 + len(kid) + 32 + nonceSize
	// One allocation for the whole envelope: screenshots are ~100s of KB.
	out := make([]byte, 0, hdrLen+len(plaintext)+tagSize)
	out = appendHeader(out, kid, ephPub, nonce)
	ad := make([]byte, 0, hdrLen+len(mdBytes))
	ad = append(ad, out...)
	ad = append(ad, mdBytes...)
	return aead.Seal(out, nonce[:], plaintext, ad), nil
}

// Open decrypts; any change to any byte of the envelope, or different
// metadata, or the wrong key -> error wrapping ErrInvalid. Metadata containing
// a newline is a caller bug and gets its own (non-ErrInvalid) error.
func Open(priv [32]byte, md Metadata, env []byte) ([]byte, error) {
	mdBytes, err := md.canonical()
	if err != nil {
		return nil, fmt.Errorf("envelope: open: %w", err)
	}
	kp, err := KeyPairOf(priv)
	if err != nil {
		return nil, fmt.Errorf("%w: private key: %w", ErrInvalid, err)
	}
	sealed, err := kp.unseal(mdBytes, env)
	if err != nil {
		return nil, err
	}
	aead, err := chacha20poly1305.NewX(sealed.key[:])
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	pt, err := aead.Open(nil, sealed.nonce[:], sealed.body, sealed.ad)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if pt == nil {
		// Keep "nil means failure" unambiguous for empty screenshots.
		pt = []byte{}
	}
	return pt, nil
}

// KeyPairOf derives priv's public key. Whoever opens or verifies many
// envelopes with one key keeps the pair and pays for that X25519 once.
func KeyPairOf(priv [32]byte) (KeyPair, error) {
	pub, err := x25519(priv, basepoint())
	if err != nil {
		return KeyPair{}, err
	}
	return KeyPair{Public: pub, Private: priv}, nil
}

// opened is what authenticating an envelope needs: its AEAD key and nonce,
// the additional data (header and metadata) and the ciphertext with its tag.
type opened struct {
	key      [keySize]byte
	nonce    [nonceSize]byte
	ad, body []byte
}

// unseal checks env's header against kp and derives the envelope's key; kp
// must be a pair KeyPairOf made (its public half is trusted, not recomputed).
func (kp KeyPair) unseal(mdBytes, env []byte) (opened, error) {
	h, hdrLen, err := ParseHeader(env)
	if err != nil {
		return opened{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if uint64(len(env)) > maxPayload {
		return opened{}, fmt.Errorf("%w: %w", ErrInvalid, errTooLarge)
	}
	// Compared before the DH with the ephemeral key so a rotated-away key gives
	// a clear failure rather than a generic tag mismatch.
	if subtle.ConstantTimeCompare([]byte(h.KeyID), []byte(KeyID(kp.Public))) != 1 {
		return opened{}, fmt.Errorf("%w: %w: envelope key id %q, ours %q", ErrInvalid, errWrongKey, h.KeyID, KeyID(kp.Public))
	}
	shared, err := x25519(kp.Private, h.Ephemeral)
	if err != nil {
		return opened{}, fmt.Errorf("%w: ephemeral key: %w", ErrInvalid, err)
	}
	key, err := deriveKey(shared, h.Ephemeral, kp.Public)
	if err != nil {
		return opened{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	ad := make([]byte, 0, hdrLen+len(mdBytes))
	ad = append(ad, env[:hdrLen]...)
	ad = append(ad, mdBytes...)
	return opened{key: key, nonce: h.Nonce, ad: ad, body: env[hdrLen:]}, nil
}

// basepoint returns a copy so no caller can mutate the package's
// curve25519.Basepoint slice through us.
func basepoint() [32]byte {
	var b [32]byte
	copy(b[:], curve25519.Basepoint)
	return b
}
