package session

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tt "github.com/tock-app/tock/internal/tocktest"
)

var fixture = sync.OnceValues(func() (*tt.Fixture, error) { return tt.NewFixture(tt.Matrix) })

// server is a real Tock router on loopback HTTP.
func server(t *testing.T) string {
	t.Helper()
	fx, err := fixture()
	if err != nil {
		t.Fatal(err)
	}
	_, srv := tt.Loopback(t, fx)
	return srv.URL
}

func TestLogin(t *testing.T) {
	url := server(t)
	c, _ := HTTPClient("")
	cases := []struct {
		name, email, password, org string
		wantOrg, wantErr           string
	}{
		{"the only organization is picked", "usrcarol0000001@example.test", tt.Password, "", tt.Acme, ""},
		{"an organization by name", "usrdave00000001@example.test", tt.Password, "globex", tt.Globex, ""},
		{"no organization yet", "usrerin00000001@example.test", tt.Password, "", "", "not a member of any organization"},
		{"someone else's organization", "usrcarol0000001@example.test", tt.Password, "Globex", "", "not a member of an organization"},
		{"wrong password", "usrcarol0000001@example.test", "nope", "", "", "sign in"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sess, err := Login(context.Background(), c, url, tc.email, tc.password, tc.org)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if sess.Org != tc.wantOrg || sess.Token == "" || sess.UserID == "" || sess.Server != url {
				t.Fatalf("session %+v", sess)
			}
		})
	}
	if _, err := Login(context.Background(), c, "ftp://x", "a", "b", ""); err == nil {
		t.Fatal("a non-HTTP server URL was accepted")
	}
}

func TestStoreKeepsTheTokenPrivate(t *testing.T) {
	s := &Store{Path: filepath.Join(t.TempDir(), "tock", "session.json")}
	if _, err := s.Load(); !errors.Is(err, ErrSignedOut) {
		t.Fatalf("empty store: %v", err)
	}
	want := Session{Server: "https://x", Token: "t", UserID: "u", Org: "o"}
	if err := s.Save(want); err != nil {
		t.Fatal(err)
	}
	info, _ := os.Stat(s.Path)
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("mode %o", info.Mode().Perm())
	}
	if got, err := s.Load(); err != nil || got != want {
		t.Fatalf("load: %+v %v", got, err)
	}
	os.Chmod(s.Path, 0o644)
	if _, err := s.Load(); err == nil || !strings.Contains(err.Error(), "readable by others") {
		t.Fatalf("a world-readable session was used: %v", err)
	}
	if err := s.Delete(); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(); err != nil {
		t.Fatal("second logout failed")
	}
}

func TestFreshRefreshesBeforeExpiry(t *testing.T) {
	url := server(t)
	c, _ := HTTPClient("")
	sess, err := Login(context.Background(), c, url, "usrcarol0000001@example.test", tt.Password, "")
	if err != nil {
		t.Fatal(err)
	}
	s := &Store{Path: filepath.Join(t.TempDir(), "session.json")}
	s.Save(sess)
	exp, err := Expiry(sess.Token)
	if err != nil || time.Until(exp) < time.Hour {
		t.Fatalf("expiry %v %v", exp, err)
	}
	// Long before expiry nothing changes.
	if got, err := s.Fresh(context.Background(), c, time.Minute); err != nil || got.Token != sess.Token {
		t.Fatalf("refreshed early: %v", err)
	}
	// Within the margin the token is refreshed and stored.
	time.Sleep(1100 * time.Millisecond) // a new token needs a new issue second
	got, err := s.Fresh(context.Background(), c, time.Until(exp)+time.Hour)
	if err != nil || got.Token == sess.Token {
		t.Fatalf("not refreshed: %v", err)
	}
	if stored, _ := s.Load(); stored.Token != got.Token {
		t.Fatal("refreshed token not stored")
	}
}

func TestPrivateCA(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{}`) }))
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600)

	plain, _ := HTTPClient("")
	if err := Call(context.Background(), plain, "GET", srv.URL, "/", "", nil, nil); err == nil {
		t.Fatal("an unknown certificate was trusted")
	}
	withCA, err := HTTPClient(ca)
	if err != nil {
		t.Fatal(err)
	}
	if err := Call(context.Background(), withCA, "GET", srv.URL, "/", "", nil, nil); err != nil {
		t.Fatalf("private CA not trusted: %v", err)
	}
	os.WriteFile(ca, []byte("not a certificate"), 0o600)
	if _, err := HTTPClient(ca); err == nil {
		t.Fatal("a CA file without a certificate was accepted")
	}
}
