package tocktest

import (
	"net/http"
	"path/filepath"
	"testing"
)

func TestServeStartsAndKillStops(t *testing.T) {
	bin := Binary(t)
	s := Serve(t, bin, FreeAddr(t), "TOCK_DIR="+filepath.Join(t.TempDir(), "pb_data"))
	var health struct{ Code int }
	if code := API(t, http.MethodGet, s.URL+"/api/health", "", nil, &health); code != 200 || health.Code != 200 {
		t.Fatalf("health: %d %+v\n%s", code, health, s.Logs())
	}
	s.Kill()
	if res, err := http.Get(s.URL + "/api/health"); err == nil {
		res.Body.Close()
		t.Fatal("the server still answers after Kill")
	}
	s.Kill() // idempotent
}
