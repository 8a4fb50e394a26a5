package desktop_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
)

// TestDownloads: members get the listing with this server's own executable
// for its platform, the release directory's archive whose checksum holds,
// and the others as unavailable (one whose bytes don't match SHA256SUMS
// included); the bytes served are the ones listed; people in no
// organization and anonymous requests get nothing.
func TestDownloads(t *testing.T) {
	fx, _ := hookstest.Seeded(t)
	dir := t.TempDir()
	zip := []byte("PK windows archive")
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("tock_v1.2.3_windows_amd64.zip", zip)
	write("tock_v1.2.3_linux_arm64.tar.gz", []byte("tampered"))
	write("SHA256SUMS", []byte(fmt.Sprintf("%s  tock_v1.2.3_windows_amd64.zip\n%s  tock_v1.2.3_linux_arm64.tar.gz\n", hookstest.Sha256Hex(string(zip)), hookstest.Sha256Hex("the real arm64 archive"))))
	cfg := tt.Config()
	cfg.Downloads, cfg.Version = dir, "v1.2.3"
	app, _ := fx.AppWith(t, cfg)
	h := tt.Handler(t, app)

	for user, want := range map[string]int{tt.Erin: 403, "": 401} {
		token := ""
		if user != "" {
			token = fx.Token(t, user)
		}
		for _, url := range []string{api.DownloadsRoute, api.DownloadsRoute + "/windows-amd64"} {
			if st, _, body := tt.Send(h, tt.JSONRequest(http.MethodGet, url, "", token)); st != want {
				t.Errorf("%s as %q: %d %s, want %d", url, user, st, body, want)
			}
		}
	}

	st, _, body := tt.Send(h, tt.JSONRequest(http.MethodGet, api.DownloadsRoute, "", fx.Token(t, tt.Carol)))
	if st != 200 {
		t.Fatalf("listing: %d %s", st, body)
	}
	var list api.Downloads
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatal(err)
	}
	got := map[string]api.Download{}
	for _, f := range list.Files {
		got[f.Platform] = f
	}
	own := runtime.GOOS + "/" + runtime.GOARCH
	if list.Version != "v1.2.3" || len(list.Files) != 3 || !got[own].Available || got[own].Kind != "executable" {
		t.Fatalf("listing %s", body)
	}
	if w := got["windows/amd64"]; own != "windows/amd64" && (!w.Available || w.File != "tock_v1.2.3_windows_amd64.zip" || w.SHA256 != hookstest.Sha256Hex(string(zip)) || w.Size != int64(len(zip))) {
		t.Errorf("windows: %+v", w)
	}
	if a := got["linux/arm64"]; own != "linux/arm64" && (a.Available || a.URL != "" || a.SHA256 != "") {
		t.Errorf("an archive that doesn't match SHA256SUMS is offered: %+v", a)
	}

	for _, p := range []string{own, "windows/amd64"} {
		f := got[p]
		st, hdr, bytes := tt.Send(h, tt.JSONRequest(http.MethodGet, f.URL, "", fx.Token(t, tt.Carol)))
		sum := sha256.Sum256([]byte(bytes))
		if st != 200 || hex.EncodeToString(sum[:]) != f.SHA256 || int64(len(bytes)) != f.Size || hdr.Get("Content-Disposition") == "" {
			t.Errorf("%s: %d, %d bytes, sum %x, want %+v", p, st, len(bytes), sum, f)
		}
	}
	if st, _, body := tt.Send(h, tt.JSONRequest(http.MethodGet, api.DownloadsRoute+"/linux-arm64", "", fx.Token(t, tt.Carol))); own != "linux/arm64" && (st != 404 || !json.Valid([]byte(body))) {
		t.Errorf("an unavailable platform: %d %s", st, body)
	}
	if st, _, _ := tt.Send(h, tt.JSONRequest(http.MethodGet, api.DownloadsRoute+"/plan9-386", "", fx.Token(t, tt.Carol))); st != 404 {
		t.Errorf("an unknown platform: %d", st)
	}
}
