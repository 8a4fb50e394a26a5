package agent

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tock-app/tock/agent/desktop"
	"github.com/tock-app/tock/agent/session"
	tt "github.com/tock-app/tock/internal/tocktest"
)

// fixture is the matrix seed, made once; each test gets its own copy.
var fixture = sync.OnceValues(func() (*tt.Fixture, error) { return tt.NewFixture(tt.Matrix) })

// tockServer is a real Tock router (the matrix seed) on loopback HTTP.
func tockServer(t *testing.T) string {
	t.Helper()
	fx, err := fixture()
	if err != nil {
		t.Fatal(err)
	}
	_, srv := tt.Loopback(t, fx)
	return srv.URL
}

// carol is a member of Acme only, in the matrix seed.
const carol = "usrcarol0000001@example.test"

// answering is a web server that answers every request with code and body.
func answering(t *testing.T, code int, body string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(code)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// caFile writes cert as a PEM file to trust with --ca-file.
func caFile(t *testing.T, der []byte) string {
	p := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// expiredServer is an HTTPS server on 127.0.0.1 whose certificate (its own
// CA, trusted through the returned file) expired yesterday.
func expiredServer(t *testing.T) (*httptest.Server, string) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:   time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:        true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, caFile(t, der)
}

// login signs in through the login command with state in dir, as a person would.
func login(dir, server, email, password string) error {
	return runIn(dir, strings.NewReader(password+"\n"), "login", "--server", server, "--email", email, "--password-stdin")
}

// runIn runs one agent command with its state in dir and returns its error.
func runIn(dir string, stdin io.Reader, args ...string) error {
	cmd := Command()
	cmd.SetArgs(append([]string{"--state-dir", dir}, args...))
	cmd.SetIn(stdin)
	cmd.SetOut(io.Discard)
	return cmd.Execute()
}

// TestExplain: each kind of failure a person meets is told in one plain
// sentence. The errors are the real ones: from a real Tock router, real
// TLS handshakes, a closed port.
func TestExplain(t *testing.T) {
	tock := tockServer(t)
	plain, _ := session.HTTPClient("")
	ctx := context.Background()
	closed := "http://" + tt.FreeAddr(t)

	untrusted := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(untrusted.Close)
	// httptest's certificate names 127.0.0.1 and example.com, not localhost.
	withTestCA, err := session.HTTPClient(caFile(t, untrusted.Certificate().Raw))
	if err != nil {
		t.Fatal(err)
	}
	wrongName := strings.Replace(untrusted.URL, "127.0.0.1", "localhost", 1)
	expired, expiredCA := expiredServer(t)
	withExpiredCA, err := session.HTTPClient(expiredCA)
	if err != nil {
		t.Fatal(err)
	}
	httpOnly := answering(t, 200, "{}")
	httpsToHTTP := strings.Replace(httpOnly.URL, "http://", "https://", 1)
	html := answering(t, 200, "<html>It works!</html>")
	missing := answering(t, 404, "not found")
	broken := answering(t, 502, "bad gateway")

	signedIn := t.TempDir()
	if err := login(signedIn, tock, carol, tt.Password); err != nil {
		t.Fatal(err)
	}
	revoked := &session.Store{Path: filepath.Join(t.TempDir(), "session.json")}
	if err := revoked.Save(session.Session{Server: tock, Token: "not-a-token", Org: tt.Acme}); err != nil {
		t.Fatal(err)
	}

	busy := t.TempDir()
	cases := []struct {
		name string
		err  func(t *testing.T) error
		want string
	}{
		{"signed out", func(t *testing.T) error {
			return runIn(t.TempDir(), nil, "projects")
		}, "Not signed in: run `tock agent enrol CODE --server URL` with the code from the web app (Me → Get the desktop app), or `tock agent login --server URL --email E`."},
		{"wrong password", func(t *testing.T) error {
			return login(t.TempDir(), tock, carol, "wrong")
		}, "Wrong e-mail or password."},
		{"unknown e-mail", func(t *testing.T) error {
			_, err := session.Login(ctx, plain, tock, "nobody@example.test", tt.Password, "")
			return err
		}, "Wrong e-mail or password."},
		{"session revoked", func(t *testing.T) error {
			_, err := revoked.Fresh(ctx, plain, time.Hour)
			return err
		}, "Your session has expired or was revoked: run `tock agent login --server URL --email E` again."},
		{"nothing listening", func(t *testing.T) error {
			_, err := session.Login(ctx, plain, closed, carol, tt.Password, "")
			return err
		}, "Can't reach " + closed + " — is the address right and the server up?"},
		{"certificate of an unknown authority", func(t *testing.T) error {
			_, err := session.Login(ctx, plain, untrusted.URL, carol, tt.Password, "")
			return err
		}, "The certificate of " + untrusted.URL + " isn't signed by an authority this computer trusts: if the server uses a private CA, log in again with --ca-file."},
		{"certificate for another name", func(t *testing.T) error {
			_, err := session.Login(ctx, withTestCA, wrongName, carol, tt.Password, "")
			return err
		}, "The certificate of " + wrongName + " is for another name (example.com, *.example.com, 127.0.0.1, ::1): check the address."},
		{"expired certificate", func(t *testing.T) error {
			_, err := session.Login(ctx, withExpiredCA, expired.URL, carol, tt.Password, "")
			return err
		}, "The certificate of " + expired.URL + " has expired, or this computer's clock is wrong."},
		{"https to a plain http server", func(t *testing.T) error {
			_, err := session.Login(ctx, plain, httpsToHTTP, carol, tt.Password, "")
			return err
		}, httpsToHTTP + " answers in plain HTTP, not HTTPS: check the address."},
		{"another web server", func(t *testing.T) error {
			_, err := session.Login(ctx, plain, html.URL, carol, tt.Password, "")
			return err
		}, "That address doesn't answer as a Tock server does: check --server (for example https://tock.example.com)."},
		{"no sign-in there", func(t *testing.T) error {
			_, err := session.Login(ctx, plain, missing.URL, carol, tt.Password, "")
			return err
		}, "That address doesn't answer as a Tock server does: check --server (for example https://tock.example.com)."},
		{"server failing", func(t *testing.T) error {
			_, err := session.Login(ctx, plain, broken.URL, carol, tt.Password, "")
			return err
		}, "The server " + broken.URL + " had a problem (502 Bad Gateway): try again later, or tell whoever runs it."},
		{"not a member of that organization", func(t *testing.T) error {
			_, err := session.Login(ctx, plain, tock, carol, tt.Password, "Globex")
			return err
		}, `You're not a member of an organization "Globex" (yours: Acme).`},
		{"project not found", func(t *testing.T) error {
			return runIn(signedIn, nil, "start", "--project", "No such project")
		}, "No project \"No such project\" that you can track to: see `tock agent projects`."},
		{"task not found", func(t *testing.T) error {
			return runIn(signedIn, nil, "start", "--project", "A", "--task", "task in B")
		}, `No task "task in B" in that project.`},
		{"already running", func(t *testing.T) error {
			lock, err := (&options{dir: busy}).lockRun()
			if err != nil {
				t.Fatal(err)
			}
			defer lock.Close()
			return runIn(busy, nil, "run")
		}, "Tock is already running with " + busy + ": its icon is in the tray, and `tock agent status` says what it does. Quit it before starting another (or give this one another --state-dir)."},
		{"plain http to another computer", func(t *testing.T) error {
			return checkServerURL("http://tock.example.com", false, io.Discard)
		}, "Plain http to tock.example.com would carry your password and session unencrypted: use https://, or add --allow-insecure-http if you accept that."},
		{"no desktop", func(t *testing.T) error {
			if runtime.GOOS != "linux" {
				t.Skip("DISPLAY names the desktop on Linux only")
			}
			t.Setenv("DISPLAY", "")
			_, err := desktop.Open()
			return fmt.Errorf("open the desktop: %w", err)
		}, "No desktop to track: DISPLAY is not set; tock agent needs the user's X11 session (start it from the desktop session, or export DISPLAY, e.g. DISPLAY=:0)."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.err(t)
			if err == nil {
				t.Fatal("no error")
			}
			if got := Explain(err); got != c.want {
				t.Errorf("Explain(%q)\n got %q\nwant %q", err, got, c.want)
			}
		})
	}
}

// TestMainPrintsASentence: `tock agent` commands fail with the sentence and
// exit code 1; --debug adds the error chain.
func TestMainPrintsASentence(t *testing.T) {
	var stderr bytes.Buffer
	dir := t.TempDir()
	code := runMain([]string{"agent", "--state-dir", dir, "projects"}, io.Discard, &stderr)
	if code != 1 || stderr.String() != "Not signed in: run `tock agent enrol CODE --server URL` with the code from the web app (Me → Get the desktop app), or `tock agent login --server URL --email E`.\n" {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
	stderr.Reset()
	code = runMain([]string{"agent", "--state-dir", dir, "--debug", "projects"}, io.Discard, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "(debug: not signed in:") {
		t.Errorf("--debug: exit %d, stderr %q", code, stderr.String())
	}
	if code := runMain([]string{"agent", "--state-dir", dir, "status"}, io.Discard, io.Discard); code != 0 {
		t.Errorf("status: exit %d", code)
	}
}
