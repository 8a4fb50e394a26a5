package screenshots

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/migrations/schema"
)

// CheckMasterKey loads the master key, creating its file when there is none,
// and returns the one-line reason the server must not start when the key is
// unusable. `tock serve` calls it before anything else: without it a bad key
// would surface only later, as a failed upload or an unreadable screenshot.
// A key file missing from a database that already has wrapped keys is not
// replaced silently: that is a restore that forgot the key.
func (s *Server) CheckMasterKey(app core.App) error {
	if s.cfg.MasterKey == "" {
		if _, err := os.Lstat(s.cfg.MasterKeyFile); errors.Is(err, fs.ErrNotExist) {
			if n, _ := app.CountRecords(schema.OrgKeys); n > 0 {
				f := s.cfg.MasterKeyFile
				return fmt.Errorf("master key file %s is missing, but this database holds %d organization keys wrapped "+
					"by a master key: restore the file from your backup of the key (to start over with a new key and lose "+
					"every stored screenshot: (umask 077; openssl rand -base64 32 > %s))", f, n, f)
			}
		}
	}
	if _, err := s.master(); err != nil {
		return err
	}
	s.warnUnopenedKeys(app)
	return nil
}

// warnUnopenedKeys says loudly, on stderr, when the master key doesn't open
// organizations' current keys: their screenshots can't be viewed and their
// uploads fail until the right key is back or their owners rotate keys. It
// doesn't stop the server: a new key may be the operator's deliberate choice.
func (s *Server) warnUnopenedKeys(app core.App) {
	orgs, err := app.FindAllRecords(schema.Organizations)
	if err != nil {
		return // no organizations yet: nothing is wrapped
	}
	var unopened []string
	for _, org := range orgs {
		if org.GetString(schema.FieldKeyID) == "" {
			continue
		}
		priv, err := s.privateKey(app, org.Id, org.GetString(schema.FieldKeyID))
		clear(priv[:])
		if err != nil {
			unopened = append(unopened, org.Id)
		}
	}
	if len(unopened) > 0 {
		slog.Error("the master key doesn't open these organizations' keys: their screenshots can't be viewed and "+
			"their uploads fail; restore the master key they were wrapped with, or have their owners rotate keys",
			slog.Int("organizations", len(unopened)), slog.String("ids", strings.Join(unopened, ",")))
	}
}

// LoadMasterKey returns the 32-byte key that wraps organizations' private
// keys: from value when set (TOCK_MASTER_KEY), else from file, which is
// created with mode 0600 the first time. Every error is one line that names
// the key's source, what is wrong and what to do.
func loadMasterKey(value, file string) ([32]byte, error) {
	if value != "" {
		k, err := decodeKey(value)
		if err != nil {
			return k, fmt.Errorf("TOCK_MASTER_KEY is not a master key: %w; set it to the key you backed up (a new one comes from: openssl rand -base64 32)", err)
		}
		return k, nil
	}
	k, err := readMasterKeyFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return createMasterKeyFile(file)
	}
	return k, err
}

// readMasterKeyFile reads an existing key file; a file others could read is
// refused, as it would let them open every organization's screenshots.
func readMasterKeyFile(file string) ([32]byte, error) {
	var k [32]byte
	info, err := os.Stat(file)
	if errors.Is(err, fs.ErrNotExist) {
		return k, err
	}
	if err != nil {
		return k, fmt.Errorf("master key file %s can't be read (%w): make it readable by the user tock runs as, with mode 600", file, errors.Unwrap(err))
	}
	if !info.Mode().IsRegular() {
		return k, fmt.Errorf("master key file %s is not a regular file (%s): point --master-key-file at the key file", file, info.Mode().Type())
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return k, fmt.Errorf("master key file %s is open to group or others (mode %04o): run chmod 600 %s", file, perm, file)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return k, fmt.Errorf("master key file %s can't be read (%w): make it readable by the user tock runs as, with mode 600", file, errors.Unwrap(err))
	}
	k, err = decodeKey(strings.TrimSpace(string(b)))
	if err != nil {
		return k, fmt.Errorf("master key file %s doesn't hold a master key: %w; restore the file from your backup of the key", file, err)
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
	fail := func(step string, err error) ([32]byte, error) {
		return [32]byte{}, fmt.Errorf("master key file %s can't be created (%s: %w): make its directory writable by the user tock runs as, or set --master-key-file", file, step, err)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return fail("directory", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".tock-master-*")
	if err != nil {
		return fail("create", err)
	}
	defer os.Remove(tmp.Name())
	if err := writeKey(tmp, k); err != nil {
		return fail("write", err)
	}
	// Link, not rename: it fails if another process created the file first,
	// and then that file's key is the one to use. It is only read here, never
	// created again: a dangling symlink must fail, not loop.
	if err := os.Link(tmp.Name(), file); err != nil {
		if errors.Is(err, fs.ErrExist) {
			k, err := readMasterKeyFile(file)
			if errors.Is(err, fs.ErrNotExist) {
				return k, fmt.Errorf("master key file %s is a link to nothing: restore the key it pointed to, or remove the link", file)
			}
			return k, err
		}
		return fail("install", err)
	}
	if d, err := os.Open(filepath.Dir(file)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return k, nil
}

// writeKey writes k base64 encoded to a file only its owner may read, and
// syncs it so the key is on disk before anything is wrapped with it.
func writeKey(f *os.File, k [32]byte) error {
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(k[:]) + "\n"); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
