// Package blobstore stores opaque blobs (Tock's encrypted screenshot
// envelopes) by key, either on local disk (Local) or in an S3-compatible
// object store (S3). Both implement Store and pass the same conformance
// tests.
package blobstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// ErrNotFound is returned (wrapped) by Get and Stat when no blob has the key.
var ErrNotFound = errors.New("blobstore: not found")

// ErrInvalidKey is returned (wrapped) by every method given a malformed key
// or List prefix.
var ErrInvalidKey = errors.New("blobstore: invalid key")

// Info describes a stored blob.
type Info struct {
	Key     string
	Size    int64
	ModTime time.Time
}

// Store holds opaque blobs by key. Keys are slash-separated relative paths
// of [A-Za-z0-9._-] segments; "", "..", ".", absolute paths, backslashes and
// empty segments are rejected with an error wrapping ErrInvalidKey.
type Store interface {
	// Put stores exactly size bytes from r under key, atomically: a reader
	// sees the whole blob or nothing, never a partial one, even if the
	// process dies mid-write. Overwriting an existing key is allowed
	// (idempotent re-upload of the same bytes). If r yields fewer or more
	// than size bytes, Put fails and stores nothing.
	Put(ctx context.Context, key string, r io.Reader, size int64) error
	// Get opens the blob; ErrNotFound if missing. The caller closes it.
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	// Stat describes the blob; ErrNotFound if missing.
	Stat(ctx context.Context, key string) (Info, error)
	// Delete removes the blob; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// List calls fn for every blob whose key starts with prefix, in
	// lexical (byte) order of keys; it stops and returns fn's error if fn
	// returns one.
	List(ctx context.Context, prefix string, fn func(Info) error) error
	// ListAfter is List of the keys that sort after after only, so that a
	// long listing can be resumed where an earlier one stopped.
	ListAfter(ctx context.Context, prefix, after string, fn func(Info) error) error
}

// TempSweeper is a Store whose writes in flight keep temporary files, which
// a crash (kill -9, power loss) leaves behind.
type TempSweeper interface {
	// SweepTemp removes the temporary files last written before cutoff and
	// says how many it removed. A write younger than cutoff may be in flight
	// and is kept.
	SweepTemp(ctx context.Context, cutoff time.Time) (int, error)
}

// BatchDeleter is a Store that removes many blobs for less than one Delete
// each: retention removes a day's blobs, which share a directory.
type BatchDeleter interface {
	// DeleteAll removes every key as Delete does (missing keys are not an
	// error); when it returns nil every removal is durable. It tries every
	// key and returns the errors of those it could not remove.
	DeleteAll(ctx context.Context, keys []string) error
}

// MaxKeyLen bounds key length (S3 allows 1024 bytes; leave headroom for a
// Local directory prefix).
const MaxKeyLen = 512

// ValidateKey reports whether key is a well-formed blob key. The error wraps
// ErrInvalidKey.
func ValidateKey(key string) error {
	if key == "" {
		return fmt.Errorf("%w: empty", ErrInvalidKey)
	}
	if len(key) > MaxKeyLen {
		return fmt.Errorf("%w: longer than %d bytes", ErrInvalidKey, MaxKeyLen)
	}
	for _, seg := range strings.Split(key, "/") {
		if err := validSegment(seg, false); err != nil {
			return fmt.Errorf("%w: %q: %s", ErrInvalidKey, key, err)
		}
	}
	return nil
}

// validatePrefix accepts "" and any prefix of a valid key: every complete
// segment must be valid; the last (partial) segment may be empty or any run
// of allowed characters.
func validatePrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	if len(prefix) > MaxKeyLen {
		return fmt.Errorf("%w: prefix longer than %d bytes", ErrInvalidKey, MaxKeyLen)
	}
	segs := strings.Split(prefix, "/")
	for i, seg := range segs {
		if err := validSegment(seg, i == len(segs)-1); err != nil {
			return fmt.Errorf("%w: prefix %q: %s", ErrInvalidKey, prefix, err)
		}
	}
	return nil
}

type segErr string

func (e segErr) Error() string { return string(e) }

func validSegment(seg string, partial bool) error {
	if !partial {
		switch seg {
		case "":
			return segErr("empty segment (leading, trailing or double slash)")
		case ".", "..":
			return segErr("dot segment")
		}
	}
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '.', c == '_', c == '-':
		default:
			return segErr(fmt.Sprintf("character %q not allowed", c))
		}
	}
	return nil
}

// ErrSizeMismatch is returned (wrapped) by Put when the reader yields fewer
// or more bytes than the declared size.
var ErrSizeMismatch = errors.New("blobstore: reader size does not match declared size")

// exactReader yields exactly size bytes from r and fails if r has fewer or
// more. The last bytes are withheld until r has been probed for extra data,
// so a consumer never sees a clean EOF for a too-long reader (even one using
// io.ReadFull, which drops an error that comes with a full buffer).
type exactReader struct {
	ctx    context.Context
	r      io.Reader
	remain int64
	probed bool // r has been checked for bytes beyond size
	err    error
}

func newExactReader(ctx context.Context, r io.Reader, size int64) *exactReader {
	return &exactReader{ctx: ctx, r: r, remain: size}
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	if err := e.ctx.Err(); err != nil {
		e.err = err
		return 0, err
	}
	if e.remain == 0 {
		if !e.probed { // size 0: nothing read yet
			if err := e.probe(); err != nil {
				e.err = err
				return 0, err
			}
		}
		e.err = io.EOF
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	if int64(len(p)) < e.remain {
		n, err := e.r.Read(p)
		e.remain -= int64(n)
		if err == io.EOF {
			if e.remain > 0 {
				e.err = fmt.Errorf("%w: short by %d bytes", ErrSizeMismatch, e.remain)
				if n > 0 {
					return n, nil // report the error on the next call
				}
				return 0, e.err
			}
			err = nil
		} else if err != nil {
			e.err = err
		}
		return n, err
	}
	// This read can finish the blob: read the rest, then probe for more.
	want := int(e.remain)
	n, err := io.ReadFull(e.r, p[:want])
	if err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			err = fmt.Errorf("%w: short by %d bytes", ErrSizeMismatch, e.remain-int64(n))
		}
		e.err = err
		return 0, err
	}
	if err := e.probe(); err != nil {
		e.err = err
		return 0, err
	}
	e.remain = 0
	return n, nil
}

// probe fails if r has at least one more byte.
func (e *exactReader) probe() error {
	e.probed = true
	var b [1]byte
	m, err := io.ReadFull(e.r, b[:])
	if m > 0 {
		return fmt.Errorf("%w: reader has more than the declared size", ErrSizeMismatch)
	}
	if err != nil && err != io.EOF {
		return err
	}
	return nil
}

// drainEmpty checks a size-0 reader (which an uploader may never read).
func (e *exactReader) drainEmpty() error {
	if _, err := e.Read(nil); err != io.EOF {
		return err
	}
	return nil
}
