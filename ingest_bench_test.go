package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/tock-app/tock/envelope"
	"github.com/tock-app/tock/ingest"
	"github.com/tock-app/tock/internal/miniotest"
	tt "github.com/tock-app/tock/internal/tocktest"
)

// BenchmarkIngest: 8 concurrent agents upload 200 KB envelopes to a real
// `tock serve` on loopback, with local storage and with MinIO. Reports
// uploads/s and p50/p99 latency; sealing happens before the clock starts.
func BenchmarkIngest(b *testing.B) {
	bin := tt.Binary(b)
	for _, storage := range []string{"local", "s3"} {
		b.Run(storage, func(b *testing.B) {
			env := []string{"TOCK_DIR=" + filepath.Join(b.TempDir(), "pb_data"), "TOCK_MASTER_KEY=" + base64.StdEncoding.EncodeToString(make([]byte, 32))}
			if storage == "s3" {
				m := miniotest.Start(b)
				env = append(env, "TOCK_STORAGE=s3", "TOCK_S3_ENDPOINT="+m.Endpoint, "TOCK_S3_BUCKET="+m.Bucket,
					"TOCK_S3_ACCESS_KEY="+m.AccessKey, "TOCK_S3_SECRET_KEY="+m.SecretKey, "TOCK_S3_TLS=false")
			}
			base := tt.Serve(b, bin, tt.FreeAddr(b), env...).URL
			benchIngest(b, base, clientsFromEnv())
		})
	}
}

// call is tt.API that fails the benchmark on anything but a 200.
func call(b *testing.B, method, url, token string, body any, out any) {
	b.Helper()
	if code := tt.API(b, method, url, token, body, out); code != http.StatusOK {
		b.Fatalf("%s %s: %d", method, url, code)
	}
}

func benchIngest(b *testing.B, base string, clients int) {
	email := fmt.Sprintf("bench%d@example.test", time.Now().UnixNano())
	call(b, "POST", base+"/api/collections/users/records", "", map[string]any{"email": email, "password": "bench-password-1", "passwordConfirm": "bench-password-1"}, nil)
	var auth struct {
		Token  string `json:"token"`
		Record struct {
			ID string `json:"id"`
		} `json:"record"`
	}
	call(b, "POST", base+"/api/collections/users/auth-with-password", "", map[string]any{"identity": email, "password": "bench-password-1"}, &auth)
	var org struct {
		ID        string `json:"id"`
		PublicKey string `json:"public_key"`
	}
	call(b, "POST", base+"/api/collections/organizations/records", auth.Token, map[string]any{"name": "Bench"}, &org)
	var project struct {
		ID string `json:"id"`
	}
	call(b, "POST", base+"/api/collections/projects/records", auth.Token, map[string]any{"org": org.ID, "name": "P"}, &project)
	var pub [32]byte
	pk, _ := base64.StdEncoding.DecodeString(org.PublicKey)
	copy(pub[:], pk)

	// One activity per slot, back in time; up to 500 screenshots each.
	slot := time.Now().UTC().Truncate(10 * time.Minute).Add(-10 * time.Minute)
	plain := make([]byte, 200<<10)
	rand.Read(plain)
	type upload struct {
		body        []byte
		contentType string
	}
	uploads := make([]upload, b.N)
	for i := range uploads {
		start := slot.Add(-time.Duration(i/500) * 10 * time.Minute)
		act := fmt.Sprintf("bench-act-%d", start.Unix())
		if i%500 == 0 {
			call(b, "POST", base+ingest.ActivitiesRoute, auth.Token, ingest.Activity{
				ClientID: act, Org: org.ID, Project: project.ID, SlotStart: start, TrackedSeconds: 600, ActiveSeconds: 300,
			}, nil)
		}
		meta := ingest.Screenshot{ClientID: "bench-shot-" + strconv.Itoa(i) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36),
			Org: org.ID, Activity: act, TakenAt: start.Add(time.Duration(i%500) * time.Second), Width: 1920, Height: 1080}
		sealed, err := envelope.Seal(rand.Reader, pub, envelope.Metadata{ID: meta.ClientID, Org: org.ID, User: auth.Record.ID, TakenAt: meta.TakenAt, Screen: 0}, plain)
		if err != nil {
			b.Fatal(err)
		}
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		m, _ := json.Marshal(meta)
		w.WriteField("meta", string(m))
		f, _ := w.CreateFormFile("envelope", "e.tock")
		f.Write(sealed)
		w.Close()
		uploads[i] = upload{body.Bytes(), w.FormDataContentType()}
	}

	lat := make([]time.Duration, b.N)
	var next sync.Mutex
	i := 0
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	b.ResetTimer()
	began := time.Now()
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for {
				next.Lock()
				n := i
				i++
				next.Unlock()
				if n >= b.N {
					return
				}
				req, _ := http.NewRequestWithContext(context.Background(), "POST", base+ingest.ScreenshotsRoute, bytes.NewReader(uploads[n].body))
				req.Header.Set("Content-Type", uploads[n].contentType)
				req.Header.Set("Authorization", auth.Token)
				t0 := time.Now()
				res, err := client.Do(req)
				lat[n] = time.Since(t0)
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != 200 {
					b.Errorf("upload %d: %d", n, res.StatusCode)
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(began)
	b.StopTimer()
	sort.Slice(lat, func(a, c int) bool { return lat[a] < lat[c] })
	q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "uploads/s")
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
}

// clientsFromEnv is the number of concurrent agents: TOCK_BENCH_CLIENTS, default 8.
func clientsFromEnv() int {
	if n, err := strconv.Atoi(os.Getenv("TOCK_BENCH_CLIENTS")); err == nil && n > 0 {
		return n
	}
	return 8
}
