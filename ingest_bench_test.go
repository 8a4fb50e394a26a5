package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/tests"

	"github.com/tock-app/tock/agent/tracker"
	"github.com/tock-app/tock/envelope"
	"github.com/tock-app/tock/ingest"
	"github.com/tock-app/tock/internal/miniotest"
	"github.com/tock-app/tock/internal/steady"
	tt "github.com/tock-app/tock/internal/tocktest"
)

// BenchmarkIngest: 8 concurrent agents upload 200 KB envelopes to a real
// `tock serve` on loopback: with local storage on an empty database and on
// the steady-state one (internal/steady: 90 days of 100 members, 1.3 million
// screenshots), and the same two with MinIO; then the same bodies as plain file uploads
// to stock PocketBase (internal/pbref), side by side. Reports uploads/s,
// p50/p99 latency and the server's CPU time per upload; sealing happens
// before the clock starts.
func BenchmarkIngest(b *testing.B) {
	bin := os.Getenv("TOCK_BENCH_BIN") // another build of tock to measure, e.g. an older one
	if bin == "" {
		bin = tt.Binary(b)
	}
	zeroKey := "TOCK_MASTER_KEY=" + base64.StdEncoding.EncodeToString(make([]byte, 32))
	b.Run("local/empty", func(b *testing.B) {
		srv := tt.Serve(b, bin, tt.FreeAddr(b), "TOCK_DIR="+filepath.Join(b.TempDir(), "pb_data"), zeroKey)
		benchUploads(b, srv, agentUploads(b, srv.URL, newAgent(b, srv.URL)))
	})
	b.Run("local/steady", func(b *testing.B) {
		srv := tt.Serve(b, bin, tt.FreeAddr(b), "TOCK_DIR="+steadyData(b), "TOCK_MASTER_KEY="+tt.MasterKey)
		benchUploads(b, srv, agentUploads(b, srv.URL, steadyAgent(b, srv.URL)))
	})
	b.Run("s3/empty", func(b *testing.B) {
		env := append(s3Env(miniotest.Start(b)), "TOCK_DIR="+filepath.Join(b.TempDir(), "pb_data"), zeroKey)
		srv := tt.Serve(b, bin, tt.FreeAddr(b), env...)
		benchUploads(b, srv, agentUploads(b, srv.URL, newAgent(b, srv.URL)))
	})
	b.Run("s3/steady", func(b *testing.B) {
		env := append(s3Env(miniotest.Start(b)), "TOCK_DIR="+steadyData(b), "TOCK_MASTER_KEY="+tt.MasterKey)
		srv := tt.Serve(b, bin, tt.FreeAddr(b), env...)
		benchUploads(b, srv, agentUploads(b, srv.URL, steadyAgent(b, srv.URL)))
	})
	b.Run("pocketbase", func(b *testing.B) {
		srv := tt.Serve(b, tt.Build(b, "github.com/tock-app/tock/internal/pbref", "pbref"), tt.FreeAddr(b))
		benchUploads(b, srv, plainUploads(b, srv.URL))
	})
}

// steadyData is a copy of the steady-state fixture's data directory,
// removed when the benchmark ends, written to disk before the server
// starts: otherwise the kernel writes back its 1.5 GB while the uploads are
// timed, and every fsync and file creation of the run competes with that,
// which an installation that has grown to this size over months never sees.
func steadyData(b *testing.B) string {
	shape, dir := steady.Benchmarked()
	fx, err := steady.Fixture(shape, dir)
	if err != nil {
		b.Fatal(err)
	}
	data, err := tests.TempDirClone(fx.Dir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(data) })
	err = filepath.WalkDir(data, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		return f.Sync()
	})
	if err != nil {
		b.Fatalf("flush %s: %v", data, err)
	}
	return data
}

// s3Env has `tock serve` keep screenshots in the MinIO m.
func s3Env(m miniotest.Config) []string {
	return []string{"TOCK_STORAGE=s3", "TOCK_S3_ENDPOINT=" + m.Endpoint, "TOCK_S3_BUCKET=" + m.Bucket,
		"TOCK_S3_ACCESS_KEY=" + m.AccessKey, "TOCK_S3_SECRET_KEY=" + m.SecretKey, "TOCK_S3_TLS=false"}
}

// call is tt.API that fails the benchmark on anything but a 200.
func call(tb testing.TB, method, url, token string, body any, out any) {
	tb.Helper()
	if code := tt.API(tb, method, url, token, body, out); code != http.StatusOK {
		tb.Fatalf("%s %s: %d", method, url, code)
	}
}

// uploader is who uploads: a signed-in member, the organization, a project.
type uploader struct {
	token, user, org, project string
	pub                       [32]byte
}

// newAgent signs up, creates an organization and a project.
func newAgent(b testing.TB, base string) uploader {
	email := fmt.Sprintf("bench%d@example.test", time.Now().UnixNano())
	call(b, "POST", base+"/api/collections/users/records", "", map[string]any{"email": email, "password": "bench-password-1", "passwordConfirm": "bench-password-1"}, nil)
	a := signIn(b, base, email, "bench-password-1")
	var org struct {
		ID string `json:"id"`
	}
	call(b, "POST", base+"/api/collections/organizations/records", a.token, map[string]any{"name": "Bench"}, &org)
	var project struct {
		ID string `json:"id"`
	}
	call(b, "POST", base+"/api/collections/projects/records", a.token, map[string]any{"org": org.ID, "name": "P"}, &project)
	return orgOf(b, base, a, org.ID, project.ID)
}

// steadyAgent is a member of the steady-state organization, on its project.
func steadyAgent(b *testing.B, base string) uploader {
	a := signIn(b, base, steady.Member(2)+"@example.test", tt.Password)
	return orgOf(b, base, a, steady.Org, steady.Project)
}

func signIn(b testing.TB, base, email, password string) uploader {
	var auth struct {
		Token  string `json:"token"`
		Record struct {
			ID string `json:"id"`
		} `json:"record"`
	}
	call(b, "POST", base+"/api/collections/users/auth-with-password", "", map[string]any{"identity": email, "password": password}, &auth)
	return uploader{token: auth.Token, user: auth.Record.ID}
}

// orgOf completes a with the organization's public key and the project.
func orgOf(b testing.TB, base string, a uploader, org, project string) uploader {
	var rec struct {
		PublicKey string `json:"public_key"`
	}
	call(b, "GET", base+"/api/collections/organizations/records/"+org, a.token, nil, &rec)
	pk, _ := base64.StdEncoding.DecodeString(rec.PublicKey)
	copy(a.pub[:], pk)
	a.org, a.project = org, project
	return a
}

// upload is one prepared request body.
type upload struct {
	url, token  string
	body        []byte
	contentType string
}

// agentUploads seals b.N screenshots of 200 KB for a, with one activity per
// slot back in time (up to 500 screenshots each), as the agent sends them.
func agentUploads(b *testing.B, base string, a uploader) []upload {
	slot := time.Now().UTC().Truncate(10 * time.Minute).Add(-10 * time.Minute)
	plain := make([]byte, 200<<10)
	rand.Read(plain)
	uploads := make([]upload, b.N)
	for i := range uploads {
		start := slot.Add(-time.Duration(i/500) * 10 * time.Minute)
		act := fmt.Sprintf("bench-act-%d", start.Unix())
		if i%500 == 0 {
			call(b, "POST", base+ingest.ActivitiesRoute, a.token, ingest.Activity{
				ClientID: act, Org: a.org, Project: a.project, SlotStart: start, TrackedSeconds: 600, ActiveSeconds: 300,
			}, nil)
		}
		// Client ids as the agent makes them: hashes, scattered over the
		// index as an installation's are.
		moment := time.Duration(i%500) * time.Second
		meta := ingest.Screenshot{ClientID: tracker.ScreenshotID(a.user, a.project, start, moment, 0),
			Org: a.org, Activity: act, TakenAt: start.Add(moment), Width: 1920, Height: 1080}
		sealed, err := envelope.Seal(rand.Reader, a.pub, envelope.Metadata{ID: meta.ClientID, Org: a.org, User: a.user, TakenAt: meta.TakenAt, Screen: 0}, plain)
		if err != nil {
			b.Fatal(err)
		}
		m, _ := json.Marshal(meta)
		body, ct := multipartBody(b, map[string]string{"meta": string(m)}, "envelope", sealed)
		uploads[i] = upload{base + ingest.ScreenshotsRoute, a.token, body, ct}
	}
	return uploads
}

// plainUploads are the same sizes as plain PocketBase record creations: a
// text field and a 200 KB file.
func plainUploads(b *testing.B, base string) []upload {
	file := make([]byte, 200<<10+100) // an envelope's overhead on 200 KB
	rand.Read(file)
	uploads := make([]upload, b.N)
	for i := range uploads {
		body, ct := multipartBody(b, map[string]string{"meta": `{"client_id":"bench-shot-` + strconv.Itoa(i) + `"}`}, "file", file)
		uploads[i] = upload{base + "/api/collections/shots/records", "", body, ct}
	}
	return uploads
}

func multipartBody(b testing.TB, fields map[string]string, fileField string, file []byte) ([]byte, string) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	f, err := w.CreateFormFile(fileField, "e.tock")
	if err != nil {
		b.Fatal(err)
	}
	f.Write(file)
	w.Close()
	return body.Bytes(), w.FormDataContentType()
}

// cpuMeter is what benchUploads reads the server's processor time from: a
// `tock serve` process (tt.Server) or this process (processMeter).
type cpuMeter interface{ CPU() (time.Duration, error) }

// benchUploads sends the uploads from clients concurrent agents and reports
// uploads/s, p50/p99 latency and the server's CPU time per upload.
func benchUploads(b *testing.B, srv cpuMeter, uploads []upload) {
	clients := clientsFromEnv()
	lat := make([]time.Duration, len(uploads))
	var next sync.Mutex
	i := 0
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	cpu0, err := srv.CPU()
	if err != nil {
		b.Fatal(err)
	}
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
				if n >= len(uploads) {
					return
				}
				u := uploads[n]
				req, _ := http.NewRequestWithContext(context.Background(), "POST", u.url, bytes.NewReader(u.body))
				req.Header.Set("Content-Type", u.contentType)
				if u.token != "" {
					req.Header.Set("Authorization", u.token)
				}
				t0 := time.Now()
				res, err := client.Do(req)
				lat[n] = time.Since(t0)
				if err != nil {
					b.Error(err)
					return
				}
				msg, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != 200 {
					b.Errorf("upload %d: %d %.200s", n, res.StatusCode, msg)
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(began)
	b.StopTimer()
	cpu1, err := srv.CPU()
	if err != nil {
		b.Fatal(err)
	}
	sort.Slice(lat, func(a, c int) bool { return lat[a] < lat[c] })
	q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(float64(len(uploads))/elapsed.Seconds(), "uploads/s")
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(float64((cpu1-cpu0).Microseconds())/1000/float64(len(uploads)), "cpu-ms/upload")
}

// clientsFromEnv is the number of concurrent agents: TOCK_BENCH_CLIENTS, default 8.
func clientsFromEnv() int {
	if n, err := strconv.Atoi(os.Getenv("TOCK_BENCH_CLIENTS")); err == nil && n > 0 {
		return n
	}
	return 8
}
