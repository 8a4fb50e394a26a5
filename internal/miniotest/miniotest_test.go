package miniotest

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tock-app/tock/internal/component"
)

func TestFindBinary(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "explicit-minio")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	noexec := filepath.Join(dir, "noexec")
	if err := os.WriteFile(noexec, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	rootWith := filepath.Join(dir, "with")
	if err := os.MkdirAll(filepath.Join(rootWith, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(rootWith, "bin", "minio"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	rootWithout := filepath.Join(dir, "without")
	onPath := func(string) (string, error) { return "/usr/local/bin/minio", nil }
	notOnPath := func(string) (string, error) { return "", errors.New("not found") }

	tests := []struct {
		name     string
		explicit string
		root     string
		look     func(string) (string, error)
		want     string
		wantErr  string
	}{
		{"explicit wins", exe, rootWith, onPath, exe, ""},
		{"explicit missing is an error", filepath.Join(dir, "nope"), rootWith, onPath, "", EnvBin},
		{"explicit not executable", noexec, rootWith, onPath, "", "not an executable"},
		{"module bin", "", rootWith, onPath, filepath.Join(rootWith, "bin", "minio"), ""},
		{"PATH fallback", "", rootWithout, onPath, "/usr/local/bin/minio", ""},
		{"nothing", "", rootWithout, notOnPath, "", "no MinIO binary found"},
		{"no module root", "", "", notOnPath, "", "no bin/minio"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := findBinary(tc.explicit, tc.root, tc.look)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("findBinary = %q, %v; want error containing %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("findBinary = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestStartWithoutBinary(t *testing.T) {
	orig := locateBinary
	t.Cleanup(func() { locateBinary = orig })
	locateBinary = func() (string, error) { return "", errors.New("no MinIO binary found (test)") }

	tests := []struct {
		require   string
		wantSkip  bool
		wantFatal bool
	}{
		{"1", false, true},
		{"", true, false},
		{"0", true, false},
	}
	for _, tc := range tests {
		t.Run("TOCK_REQUIRE_S3="+tc.require, func(t *testing.T) {
			t.Setenv(EnvRequire, tc.require)
			rec := &component.Recorder{TB: t}
			returned := false
			rec.Run(func(tb testing.TB) {
				Start(tb)
				returned = true
			})
			if returned {
				t.Fatal("Start returned normally without a binary")
			}
			if (rec.SkipMessage() != "") != tc.wantSkip || (rec.FatalMessage() != "") != tc.wantFatal {
				t.Fatalf("skipped=%q fatal=%q; want skip=%v fatal=%v", rec.SkipMessage(), rec.FatalMessage(), tc.wantSkip, tc.wantFatal)
			}
			msg := rec.SkipMessage() + rec.FatalMessage()
			if !strings.Contains(msg, "scripts/test-deps") {
				t.Errorf("message %q does not name scripts/test-deps", msg)
			}
		})
	}
}

func TestStart(t *testing.T) {
	var first Config
	t.Run("server", func(t *testing.T) {
		cfg := Start(t)
		first = cfg
		if !regexp.MustCompile(`^127\.0\.0\.1:\d+$`).MatchString(cfg.Endpoint) {
			t.Errorf("Endpoint = %q, want 127.0.0.1:PORT", cfg.Endpoint)
		}
		if cfg.AccessKey != "tockminio" || len(cfg.SecretKey) < 8 || cfg.Region != "us-east-1" || cfg.UseTLS {
			t.Errorf("unexpected config %+v", cfg)
		}
		if !regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,62}$`).MatchString(cfg.Bucket) {
			t.Errorf("Bucket %q is not a valid S3 bucket name", cfg.Bucket)
		}
		resp, err := http.Get("http://" + cfg.Endpoint + "/minio/health/ready")
		if err != nil {
			t.Fatalf("health: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("health status %d", resp.StatusCode)
		}
		// An unauthenticated S3 request must be refused: a real server checks credentials.
		resp, err = http.Get("http://" + cfg.Endpoint + "/" + cfg.Bucket)
		if err != nil {
			t.Fatalf("anonymous GET: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
			t.Errorf("anonymous GET status %d, want 403 or 404", resp.StatusCode)
		}
		second := Start(t)
		if second.Endpoint == cfg.Endpoint || second.Bucket == cfg.Bucket {
			t.Errorf("two Starts share endpoint or bucket: %+v vs %+v", cfg, second)
		}
	})
	if first.Endpoint == "" {
		t.Skip("server subtest skipped")
	}
	// The subtest's cleanup must have stopped the server.
	client := &http.Client{Timeout: 2 * time.Second}
	if resp, err := client.Get("http://" + first.Endpoint + "/minio/health/ready"); err == nil {
		resp.Body.Close()
		t.Fatalf("server at %s still answers after cleanup (status %d)", first.Endpoint, resp.StatusCode)
	}
}
