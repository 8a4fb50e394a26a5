package agent

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tock-app/tock/agent/session"
	tt "github.com/tock-app/tock/internal/tocktest"
)

// routedTo makes clients that reach the real server at addr whatever host a
// URL names, so a login to http://tock.example.test really happens, on
// loopback; dials counts the connections.
func routedTo(addr string, dials *atomic.Int32) func(string) (*http.Client, error) {
	return func(caFile string) (*http.Client, error) {
		c, err := session.HTTPClient(caFile)
		if err != nil {
			return nil, err
		}
		tr := c.Transport.(*http.Transport)
		tr.Proxy = nil
		tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
			dials.Add(1)
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}
		return c, nil
	}
}

// TestLoginOverPlainHTTP: plain http to another computer needs
// --allow-insecure-http, and then warns; this computer needs nothing.
func TestLoginOverPlainHTTP(t *testing.T) {
	tock := tockServer(t)
	u, _ := url.Parse(tock)
	port := u.Port()
	cases := []struct {
		name, server string
		allow        bool
		wantErr      string
		wantWarning  string
	}{
		{"another computer, refused", "http://tock.example.test:" + port, false,
			"Plain http to tock.example.test:" + port + " would carry your password and session unencrypted: use https://, or add --allow-insecure-http if you accept that.", ""},
		{"a LAN address, refused", "http://192.168.1.20:" + port, false,
			"Plain http to 192.168.1.20:" + port + " would carry your password and session unencrypted: use https://, or add --allow-insecure-http if you accept that.", ""},
		{"another computer, allowed with a warning", "http://tock.example.test:" + port, true,
			"", "Warning: plain http to tock.example.test:" + port + " carries your password and session unencrypted.\n"},
		{"127.0.0.1", "http://127.0.0.1:" + port, false, "", ""},
		{"localhost", "http://localhost:" + port, false, "", ""},
		{"::1", "http://[::1]:" + port, false, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var dials atomic.Int32
			dir := t.TempDir()
			o := &options{httpClient: routedTo(u.Host, &dials)}
			cmd := o.command()
			args := []string{"--state-dir", dir, "login", "--server", c.server, "--email", carol, "--password-stdin"}
			if c.allow {
				args = append(args, "--allow-insecure-http")
			}
			var stdout, stderr bytes.Buffer
			cmd.SetArgs(args)
			cmd.SetIn(strings.NewReader(tt.Password + "\n"))
			cmd.SetOut(&stdout)
			cmd.SetErr(&stderr)
			err := cmd.Execute()
			_, statErr := os.Stat(filepath.Join(dir, "session.json"))
			if c.wantErr != "" {
				if err == nil || Explain(err) != c.wantErr {
					t.Fatalf("err %v, want %q", err, c.wantErr)
				}
				if dials.Load() != 0 || statErr == nil {
					t.Errorf("refused, yet %d connections made and session stored: %v", dials.Load(), statErr == nil)
				}
				return
			}
			if err != nil {
				t.Fatalf("login: %v", err)
			}
			if stderr.String() != c.wantWarning {
				t.Errorf("stderr %q, want %q", stderr.String(), c.wantWarning)
			}
			if dials.Load() == 0 || statErr != nil || !strings.Contains(stdout.String(), "Signed in to "+c.server) {
				t.Errorf("not signed in through %s: %d connections, %v, %q", c.server, dials.Load(), statErr, stdout.String())
			}
		})
	}
}
