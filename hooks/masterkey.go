package hooks

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// loadMasterKey returns the 32-byte key that wraps organizations' private
// keys: from value when set (TOCK_MASTER_KEY), else from file, which is
// created with mode 0600 the first time.
func loadMasterKey(value, file string) ([32]byte, error) {
	if value != "" {
		k, err := decodeKey(value)
		if err != nil {
			return k, fmt.Errorf("TOCK_MASTER_KEY: %w", err)
		}
		return k, nil
	}
	b, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return createMasterKeyFile(file)
	}
	if err != nil {
		return [32]byte{}, fmt.Errorf("read master key %s: %w", file, err)
	}
	info, err := os.Stat(file)
	if err != nil {
		return [32]byte{}, fmt.Errorf("stat master key %s: %w", file, err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return [32]byte{}, fmt.Errorf("master key %s is readable by others (mode %o): chmod 600 it", file, info.Mode().Perm())
	}
	k, err := decodeKey(strings.TrimSpace(string(b)))
	if err != nil {
		return k, fmt.Errorf("master key %s: %w", file, err)
	}
	return k, nil
}

func decodeKey(s string) ([32]byte, error) {
	var k [32]byte
	for _, decode := range []func(string) ([]byte, error){
		base64.StdEncoding.DecodeString, base64.RawStdEncoding.DecodeString, hex.DecodeString,
	} {
		if b, err := decode(s); err == nil && len(b) == len(k) {
			copy(k[:], b)
			return k, nil
		}
	}
	return k, errors.New("want 32 bytes, base64 or hex encoded")
}

// createMasterKeyFile writes a fresh key atomically: a crash leaves either no
// key file or a whole one, and two servers racing end up with the same key.
func createMasterKeyFile(file string) ([32]byte, error) {
	var k [32]byte
	if _, err := rand.Read(k[:]); err != nil {
		return k, fmt.Errorf("generate master key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return k, fmt.Errorf("master key dir: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".tock-master-*")
	if err != nil {
		return k, fmt.Errorf("create master key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return k, fmt.Errorf("chmod master key: %w", err)
	}
	if _, err := tmp.WriteString(base64.StdEncoding.EncodeToString(k[:]) + "\n"); err != nil {
		tmp.Close()
		return k, fmt.Errorf("write master key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return k, fmt.Errorf("sync master key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return k, fmt.Errorf("close master key: %w", err)
	}
	// Link, not rename: it fails if another process created the file first,
	// and then that file's key is the one to use.
	if err := os.Link(tmp.Name(), file); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return loadMasterKey("", file)
		}
		return k, fmt.Errorf("install master key %s: %w", file, err)
	}
	if d, err := os.Open(filepath.Dir(file)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return k, nil
}
