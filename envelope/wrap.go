package envelope

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"golang.org/x/crypto/chacha20poly1305"
)

const wrapMagic = "TKW1"

var errWrapTooShort = errors.New("envelope: wrapped secret too short")

// Wrap protects a secret (an organization's private key) under the server's
// 32-byte master key: XChaCha20-Poly1305 with a random 24-byte nonce and the
// label as additional data, output "TKW1" || nonce || ciphertext+tag. The
// label (e.g. "org:<id>:key:<keyid>") stops a wrapped key from being copied
// to another org's row and unwrapped there.
func Wrap(rand io.Reader, master [32]byte, label string, secret []byte) ([]byte, error) {
	if rand == nil {
		return nil, fmt.Errorf("envelope: wrap: %w", errNilRand)
	}
	if uint64(len(secret)) > maxPayload {
		return nil, fmt.Errorf("envelope: wrap: %w", errTooLarge)
	}
	aead, err := chacha20poly1305.NewX(master[:])
	if err != nil {
		return nil, fmt.Errorf("envelope: wrap: %w", err)
	}
	out := make([]byte, len(wrapMagic)+nonceSize, len(wrapMagic)+nonceSize+len(secret)+tagSize)
	copy(out, wrapMagic)
	nonce := out[len(wrapMagic):]
	if _, err := io.ReadFull(rand, nonce); err != nil {
		return nil, fmt.Errorf("envelope: wrap: nonce: %w", err)
	}
	return aead.Seal(out, nonce, secret, []byte(label)), nil
}

// Unwrap reverses Wrap; another label, another master key or any altered
// byte gives an error wrapping ErrInvalid.
func Unwrap(master [32]byte, label string, wrapped []byte) ([]byte, error) {
	if len(wrapped) < len(wrapMagic)+nonceSize+tagSize {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, errWrapTooShort)
	}
	if !bytes.Equal(wrapped[:len(wrapMagic)], []byte(wrapMagic)) {
		return nil, fmt.Errorf("%w: wrapped secret: %w", ErrInvalid, errBadMagic)
	}
	if uint64(len(wrapped)) > maxPayload {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, errTooLarge)
	}
	aead, err := chacha20poly1305.NewX(master[:])
	if err != nil {
		return nil, fmt.Errorf("envelope: unwrap: %w", err)
	}
	nonce := wrapped[len(wrapMagic) : len(wrapMagic)+nonceSize]
	secret, err := aead.Open(nil, nonce, wrapped[len(wrapMagic)+nonceSize:], []byte(label))
	if err != nil {
		return nil, fmt.Errorf("%w: unwrap: %w", ErrInvalid, err)
	}
	if secret == nil {
		secret = []byte{}
	}
	return secret, nil
}
