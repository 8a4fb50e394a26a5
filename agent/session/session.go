// Package session keeps `tock agent`'s sign-in: the server, the token and the
// organization, in a file only its owner can read, refreshed before expiry.
package session

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// ErrSignedOut means there is no session: run `tock agent login`.
var ErrSignedOut = errors.New("not signed in: run `tock agent login --server URL --email E`")

// ErrBadCredentials is the server refusing the e-mail and password.
var ErrBadCredentials = errors.New("wrong e-mail or password")

// ErrSessionExpired is the server refusing to renew the stored token
// (expired, revoked, or the account is gone): log in again.
var ErrSessionExpired = errors.New("the session has expired")

// ErrNotTock is an answer that isn't what a Tock server says: the address
// is probably another web server's.
var ErrNotTock = errors.New("the answer is not a Tock server's")

// Session is what login stores.
type Session struct {
	Server string `json:"server"`
	Token  string `json:"token"`
	UserID string `json:"user_id"`
	Email  string `json:"email"`
	Org    string `json:"org"`
	// OrgName is the organization's name when it was chosen, for `status`.
	OrgName string `json:"org_name,omitempty"`
	CAFile  string `json:"ca_file,omitempty"`
}

// Store reads and writes the session file.
type Store struct {
	Path string
	mu   sync.Mutex
}

// DefaultPath is <user config dir>/tock/session.json.
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("config dir: %w", err)
	}
	return filepath.Join(dir, "tock", "session.json"), nil
}

// Load returns the stored session, ErrSignedOut when there is none. A file
// others can read is refused: it holds a bearer token.
func (s *Store) Load() (Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var sess Session
	info, err := os.Stat(s.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return sess, ErrSignedOut
	}
	if err != nil {
		return sess, fmt.Errorf("session %s: %w", s.Path, err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return sess, fmt.Errorf("session %s is readable by others (mode %o): run `tock agent logout` and log in again", s.Path, info.Mode().Perm())
	}
	b, err := os.ReadFile(s.Path)
	if err != nil {
		return sess, fmt.Errorf("read session: %w", err)
	}
	if err := json.Unmarshal(b, &sess); err != nil {
		return sess, fmt.Errorf("session %s is damaged (%v): log in again", s.Path, err)
	}
	return sess, nil
}

// Save writes the session atomically with mode 0600.
func (s *Store) Save(sess Session) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := json.MarshalIndent(sess, "", "  ")
	if err != nil {
		return err
	}
	return WriteFileAtomic(s.Path, b)
}

// Delete removes the session (logout); a missing one is not an error.
func (s *Store) Delete() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := os.Remove(s.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove session: %w", err)
	}
	return nil
}

// WriteFileAtomic writes b to path with mode 0600: temp file, fsync, rename,
// fsync of the directory. A crash leaves the old file or the new one.
func WriteFileAtomic(path string, b []byte) error { return writeFile(path, b, true) }

// ReplaceFile is WriteFileAtomic without the fsyncs, for state rewritten
// every second: a killed process leaves the old file or the new one (the
// kernel completes a write and a rename once they return), only a power loss
// may cost the last seconds.
func ReplaceFile(path string, b []byte) error { return writeFile(path, b, false) }

func writeFile(path string, b []byte, durable bool) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("mkdir %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if durable {
		if err := tmp.Sync(); err != nil {
			tmp.Close()
			return fmt.Errorf("sync %s: %w", path, err)
		}
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("rename %s: %w", path, err)
	}
	if !durable {
		return nil
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// HTTPClient verifies TLS always; caFile adds a private CA (self-hosted
// servers) to the system's roots.
func HTTPClient(caFile string) (*http.Client, error) {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("--ca-file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--ca-file %s holds no PEM certificate", caFile)
		}
		transport.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: transport, Timeout: 60 * time.Second}, nil
}

// apiError is PocketBase's error body.
type apiError struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
}

// Call sends a JSON request to the server and decodes a JSON answer into out.
func Call(ctx context.Context, c *http.Client, method, server, path, token string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(server, "/")+path, body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	res, err := c.Do(req)
	if err != nil {
		return &UnreachableError{Server: server, Err: fmt.Errorf("%s %s: %w", method, path, err)}
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if res.StatusCode/100 != 2 {
		var e apiError
		_ = json.Unmarshal(data, &e)
		if e.Message == "" {
			e.Message = http.StatusText(res.StatusCode)
		}
		return &StatusError{Server: server, Code: res.StatusCode, Message: e.Message}
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: decode: %w (%w)", method, path, ErrNotTock, err)
		}
	}
	return nil
}

// UnreachableError is a request that got no answer from Server: no
// connection, no name, a timeout, or a TLS handshake that failed (Err says
// which).
type UnreachableError struct {
	Server string
	Err    error
}

func (e *UnreachableError) Error() string { return e.Err.Error() }
func (e *UnreachableError) Unwrap() error { return e.Err }

// StatusError is a non-2xx answer of the server.
type StatusError struct {
	Server  string
	Code    int
	Message string
}

func (e *StatusError) Error() string { return fmt.Sprintf("server answered %d: %s", e.Code, e.Message) }

// ServerURL parses a server's address: an http or https URL with a host.
func ServerURL(server string) (*url.URL, error) {
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("the server's address %q is not a URL: write it in full, such as https://tock.example.com", server)
	}
	return u, nil
}

// Login signs in with email and password and picks the organization: org
// when given (id or name), else the only one the person belongs to.
func Login(ctx context.Context, c *http.Client, server, email, password, org string) (Session, error) {
	if _, err := ServerURL(server); err != nil {
		return Session{}, err
	}
	var auth struct {
		Token  string `json:"token"`
		Record struct {
			ID    string `json:"id"`
			Email string `json:"email"`
		} `json:"record"`
	}
	err := Call(ctx, c, http.MethodPost, server, "/api/collections/users/auth-with-password", "",
		map[string]string{"identity": email, "password": password}, &auth)
	var status *StatusError
	switch {
	case errors.As(err, &status) && status.Code == http.StatusBadRequest:
		// PocketBase says 400 "Failed to authenticate." for either mistake.
		return Session{}, fmt.Errorf("sign in: %w (%w)", ErrBadCredentials, err)
	case errors.As(err, &status) && status.Code == http.StatusNotFound:
		return Session{}, fmt.Errorf("sign in: %w (%w)", ErrNotTock, err)
	case err != nil:
		return Session{}, fmt.Errorf("sign in: %w", err)
	case auth.Token == "":
		return Session{}, fmt.Errorf("sign in: %w (no token)", ErrNotTock)
	}
	sess := Session{Server: strings.TrimRight(server, "/"), Token: auth.Token, UserID: auth.Record.ID, Email: email}
	sess.Org, sess.OrgName, err = pickOrg(ctx, c, sess, org)
	if err != nil {
		return Session{}, err
	}
	return sess, nil
}

// pickOrg returns the id and name of the organization wanted (id or name),
// or of the only one the person belongs to.
func pickOrg(ctx context.Context, c *http.Client, sess Session, want string) (id, name string, err error) {
	var list struct {
		Items []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"items"`
	}
	if err := Call(ctx, c, http.MethodGet, sess.Server, "/api/collections/organizations/records?perPage=200", sess.Token, nil, &list); err != nil {
		return "", "", fmt.Errorf("list organizations: %w", err)
	}
	var names []string
	for _, o := range list.Items {
		if want != "" && (o.ID == want || strings.EqualFold(o.Name, want)) {
			return o.ID, o.Name, nil
		}
		names = append(names, o.Name)
	}
	switch {
	case want != "":
		return "", "", fmt.Errorf("you're not a member of an organization %q (yours: %s)", want, strings.Join(names, ", "))
	case len(list.Items) == 1:
		return list.Items[0].ID, list.Items[0].Name, nil
	case len(list.Items) == 0:
		return "", "", errors.New("you're not a member of any organization yet: ask an owner to invite you")
	}
	return "", "", fmt.Errorf("you belong to several organizations: pick one with --org (%s)", strings.Join(names, ", "))
}

// Expiry reads a token's expiry without verifying it (the server does that).
func Expiry(token string) (time.Time, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}, errors.New("token: not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return time.Time{}, fmt.Errorf("token: %w", err)
	}
	var claims struct {
		Exp int64 `json:"exp"`
	}
	if err := json.Unmarshal(b, &claims); err != nil || claims.Exp == 0 {
		return time.Time{}, errors.New("token: no expiry")
	}
	return time.Unix(claims.Exp, 0), nil
}

// Fresh returns a token valid for at least margin more, refreshing the stored
// session through the server when it expires sooner.
func (s *Store) Fresh(ctx context.Context, c *http.Client, margin time.Duration) (Session, error) {
	sess, err := s.Load()
	if err != nil {
		return sess, err
	}
	exp, err := Expiry(sess.Token)
	if err == nil && time.Until(exp) > margin {
		return sess, nil
	}
	var auth struct {
		Token string `json:"token"`
	}
	err = Call(ctx, c, http.MethodPost, sess.Server, "/api/collections/users/auth-refresh", sess.Token, nil, &auth)
	var status *StatusError
	if errors.As(err, &status) && status.Code == http.StatusUnauthorized {
		return sess, fmt.Errorf("refresh session: %w (%w)", ErrSessionExpired, err)
	}
	if err != nil {
		return sess, fmt.Errorf("refresh session: %w", err)
	}
	sess.Token = auth.Token
	if err := s.Save(sess); err != nil {
		return sess, err
	}
	return sess, nil
}
