package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

func TestEnvironmentHelpListsEveryVariable(t *testing.T) {
	help := environmentHelp()
	for _, v := range environment() {
		if !strings.Contains(help, v.name) || !strings.Contains(help, v.flag) {
			t.Errorf("help lacks %s (%s):\n%s", v.name, v.flag, help)
		}
	}
}

// TestServeEndToEnd follows the README on a real binary: create a superuser,
// serve on the embedded default (configured only through TOCK_* variables),
// and find every core collection in the admin API and the web app at /.
func TestServeEndToEnd(t *testing.T) {
	bin := tt.Binary(t)
	dataDir := filepath.Join(t.TempDir(), "pb_data")
	addr := tt.FreeAddr(t)
	env := append(os.Environ(), "TOCK_DIR="+dataDir, "TOCK_HTTP="+addr)

	help, err := exec.Command(bin, "serve", "--help").CombinedOutput()
	if err != nil {
		t.Fatalf("serve --help: %v\n%s", err, help)
	}
	wants := []string{"--http", "--https", "--origins", "--dir", "--encryptionEnv", "--dev", "--queryTimeout"}
	for _, v := range environment() {
		wants = append(wants, v.name)
		if f := strings.TrimPrefix(v.flag, "serve "); f != "" {
			wants = append(wants, f)
		}
	}
	for _, want := range wants {
		if !bytes.Contains(help, []byte(want)) {
			t.Errorf("serve --help does not document %s", want)
		}
	}

	upsert := exec.Command(bin, "superuser", "upsert", "root@example.test", "root-password-123")
	upsert.Env = env
	if out, err := upsert.CombinedOutput(); err != nil {
		t.Fatalf("superuser upsert: %v\n%s", err, out)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	serve := exec.CommandContext(ctx, bin, "serve")
	serve.Env = env
	var logs bytes.Buffer
	serve.Stdout, serve.Stderr = &logs, &logs
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); _ = serve.Wait() }()

	base := "http://" + addr
	waitHealthy(t, base, &logs)

	if _, err := os.Stat(filepath.Join(dataDir, "data.db")); err != nil {
		t.Errorf("TOCK_DIR not used for the database: %v", err)
	}

	token := superuserToken(t, base)
	req, _ := http.NewRequest(http.MethodGet, base+"/api/collections?perPage=200", nil)
	req.Header.Set("Authorization", token)
	body := do(t, req, http.StatusOK)
	for _, name := range schema.CoreCollections() {
		if !strings.Contains(body, `"name":"`+name+`"`) {
			t.Errorf("collection %s not visible to the superuser", name)
		}
	}

	page, _ := http.NewRequest(http.MethodGet, base+"/", nil)
	if html := do(t, page, http.StatusOK); !strings.Contains(html, "<title>Tock</title>") {
		t.Errorf("web app not served at /: %.200s", html)
	}
}

func waitHealthy(t *testing.T, base string, logs *bytes.Buffer) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get(base + "/api/health")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("server not healthy after 30s; output:\n%s", logs.String())
}

func superuserToken(t *testing.T, base string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/api/collections/_superusers/auth-with-password",
		strings.NewReader(`{"identity":"root@example.test","password":"root-password-123"}`))
	req.Header.Set("Content-Type", "application/json")
	var auth struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal([]byte(do(t, req, http.StatusOK)), &auth); err != nil || auth.Token == "" {
		t.Fatalf("superuser login: %v", err)
	}
	return auth.Token
}

func do(t *testing.T, req *http.Request, want int) string {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		t.Fatalf("%s %s = %d, want %d: %s", req.Method, req.URL, res.StatusCode, want, b)
	}
	return string(b)
}
