package envelope

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/crypto/chacha20"
	"golang.org/x/crypto/poly1305" //nolint:staticcheck // the tag of XChaCha20-Poly1305 itself, not a MAC of our own
)

// Verify decides exactly as Open does whether env opens for md under kp (a
// pair from KeyPairOf), without decrypting. XChaCha20-Poly1305's tag
// authenticates the ciphertext, not the plaintext, so checking it takes the
// one-time Poly1305 key (the first ChaCha20 block) and one pass of Poly1305:
// no plaintext is made, kept or cleared. The server verifies every upload and
// never needs its pixels.
func Verify(kp KeyPair, md Metadata, env []byte) error {
	mdBytes, err := md.canonical()
	if err != nil {
		return fmt.Errorf("envelope: verify: %w", err)
	}
	o, err := kp.unseal(mdBytes, env)
	if err != nil {
		return err
	}
	// XChaCha20: HChaCha20 makes a subkey from the first 16 nonce bytes;
	// ChaCha20 runs under it with the last 8 (RFC draft-irtf-cfrg-xchacha).
	subKey, err := chacha20.HChaCha20(o.key[:], o.nonce[:16])
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	var nonce [chacha20.NonceSize]byte
	copy(nonce[4:], o.nonce[16:])
	stream, err := chacha20.NewUnauthenticatedCipher(subKey, nonce[:])
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	var polyKey [32]byte
	stream.XORKeyStream(polyKey[:], polyKey[:])
	defer clear(polyKey[:])

	ct, tag := o.body[:len(o.body)-tagSize], o.body[len(o.body)-tagSize:]
	mac := poly1305.New(&polyKey)
	writePadded(mac, o.ad)
	writePadded(mac, ct)
	var lengths [16]byte
	binary.LittleEndian.PutUint64(lengths[:8], uint64(len(o.ad)))
	binary.LittleEndian.PutUint64(lengths[8:], uint64(len(ct)))
	mac.Write(lengths[:])
	if !mac.Verify(tag) {
		return fmt.Errorf("%w: message authentication failed", ErrInvalid)
	}
	return nil
}

// writePadded feeds b and zeros up to a multiple of 16 bytes, as the AEAD
// construction (RFC 8439 §2.8) lays out its MAC input.
func writePadded(mac *poly1305.MAC, b []byte) {
	mac.Write(b)
	if rem := len(b) % 16; rem != 0 {
		var zeros [16]byte
		mac.Write(zeros[:16-rem])
	}
}
