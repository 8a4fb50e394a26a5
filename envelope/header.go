package envelope

import (
	"bytes"
	"errors"
	"fmt"
)

const (
	fixedPrefix = 4 + 1 + 1 // magic, version, kidLen
	maxKeyIDLen = 64
)

var (
	errTooShort    = errors.New("envelope: too short for header")
	errBadMagic    = errors.New("envelope: bad magic")
	errBadVersion  = errors.New("envelope: unsupported version")
	errBadKeyIDLen = errors.New("envelope: key id length out of range (1..64)")
	errBadKeyID    = errors.New("envelope: key id is not printable ASCII")
	errNoTag       = errors.New("envelope: ciphertext shorter than authentication tag")
)

// Header is the cleartext part of an envelope.
type Header struct {
	Version   byte
	KeyID     string
	Ephemeral [32]byte
	Nonce     [24]byte
}

// ParseHeader checks an envelope is well-formed (magic, version, lengths,
// minimum ciphertext length = 16-byte tag) without any key, so the server can
// reject junk at upload time. Returns the header and the header's byte length.
func ParseHeader(env []byte) (Header, int, error) {
	if len(env) < fixedPrefix {
		return Header{}, 0, fmt.Errorf("%w: %d bytes", errTooShort, len(env))
	}
	if !bytes.Equal(env[:4], []byte(magic)) {
		return Header{}, 0, errBadMagic
	}
	if env[4] != Version {
		return Header{}, 0, fmt.Errorf("%w: %d", errBadVersion, env[4])
	}
	n := int(env[5])
	if n < 1 || n > maxKeyIDLen {
		return Header{}, 0, fmt.Errorf("%w: %d", errBadKeyIDLen, n)
	}
	hdrLen := fixedPrefix + n + 32 + nonceSize
	if len(env) < hdrLen {
		return Header{}, 0, fmt.Errorf("%w: %d bytes, header needs %d", errTooShort, len(env), hdrLen)
	}
	kid := env[fixedPrefix : fixedPrefix+n]
	for _, c := range kid {
		// Printable only: the id ends up in logs and error messages.
		if c < 0x21 || c > 0x7e {
			return Header{}, 0, errBadKeyID
		}
	}
	if len(env)-hdrLen < tagSize {
		return Header{}, 0, fmt.Errorf("%w: %d bytes", errNoTag, len(env)-hdrLen)
	}
	h := Header{Version: env[4], KeyID: string(kid)}
	copy(h.Ephemeral[:], env[fixedPrefix+n:])
	copy(h.Nonce[:], env[fixedPrefix+n+32:])
	return h, hdrLen, nil
}

var (
	jpegMagic = []byte{0xFF, 0xD8, 0xFF}
	pngMagic  = []byte{0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A}
)

// HasImageMagic reports whether b starts with a JPEG (FF D8 FF) or PNG
// (89 50 4E 47 0D 0A 1A 0A) signature; tests use it to prove only ciphertext
// is stored.
func HasImageMagic(b []byte) bool {
	return bytes.HasPrefix(b, jpegMagic) || bytes.HasPrefix(b, pngMagic)
}
