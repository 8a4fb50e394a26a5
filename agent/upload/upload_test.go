package upload

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tock-app/tock/agent/spool"
	"github.com/tock-app/tock/ingest"
)

const token = "tok-123"

// fixture is a spool with known contents.
type fixture struct {
	sp    *spool.Spool
	dir   string
	order []string // "kind/id" in spool order
	acts  map[string]ingest.Activity
	shots map[string]shot
}

type shot struct {
	meta     ingest.Screenshot
	envelope []byte
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	sp, err := spool.Open(dir, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{sp: sp, dir: dir, acts: map[string]ingest.Activity{}, shots: map[string]shot{}}
}

var slot0 = time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)

func (f *fixture) activity(t *testing.T, id string, i int) {
	t.Helper()
	a := ingest.Activity{
		ClientID: id, Org: "org1", Project: "proj1", Task: "task1",
		SlotStart: slot0.Add(time.Duration(i) * 10 * time.Minute), TrackedSeconds: 600 - i,
		KeyboardSeconds: 100 + i, MouseSeconds: 200 + i, ActiveSeconds: 300 + i,
		Apps: []ingest.AppSeconds{{App: "code", Title: fmt.Sprintf("file%d.go", i), URL: "", Seconds: 120}, {App: "firefox", Title: "docs", URL: "https://go.dev", Seconds: 60}},
	}
	b, err := spool.EncodeActivity(a)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.sp.Put(spool.KindActivity, id, b); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.acts[id]; !ok {
		f.order = append(f.order, spool.KindActivity+"/"+id)
	}
	f.acts[id] = a
}

func (f *fixture) screenshot(t *testing.T, id, activity string, i int) {
	t.Helper()
	env := make([]byte, 1000+i*37)
	for j := range env {
		env[j] = byte(j*7 + i)
	}
	m := ingest.Screenshot{
		ClientID: id, Org: "org1", Activity: activity,
		TakenAt: slot0.Add(time.Duration(i)*time.Minute + 123*time.Millisecond), Screen: i % 2,
		Width: 1920, Height: 1080, Blurred: i%2 == 1,
	}
	if err := f.sp.Put(spool.KindScreenshot, id, spool.EncodeScreenshot(m, env)); err != nil {
		t.Fatal(err)
	}
	f.order = append(f.order, spool.KindScreenshot+"/"+id)
	f.shots[id] = shot{m, env}
}

// mixed spools n items: an activity, then a screenshot of it, and so on.
func (f *fixture) mixed(t *testing.T, n int) {
	for i := range n {
		act := fmt.Sprintf("act-%03d", i/2)
		if i%2 == 0 {
			f.activity(t, act, i)
		} else {
			f.screenshot(t, fmt.Sprintf("shot-%03d", i), act, i)
		}
	}
}

func (f *fixture) queue() []string {
	var out []string
	for _, it := range f.sp.Items() {
		out = append(out, it.Kind+"/"+it.ID)
	}
	return out
}

func (f *fixture) rejected(t *testing.T) map[string]string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(f.dir, "rejected"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range ents {
		if name, ok := strings.CutSuffix(e.Name(), ".reason"); ok {
			b, _ := os.ReadFile(filepath.Join(f.dir, "rejected", e.Name()))
			parts := strings.SplitN(name, "-", 4)
			out[parts[2]+"/"+parts[3]] = string(b)
		}
	}
	return out
}

// server is a fake ingest server: it checks and decodes every request, and
// answers what respond says (default 200).
type server struct {
	t       *testing.T
	f       *fixture
	respond func(call int, key string) int // status for the call-th request (0-based)
	hang    func(call int) bool            // block until the client gives up

	mu       sync.Mutex
	calls    []string // key of every request
	stored   []string // key of every 2xx
	problems []string
	srv      *httptest.Server
}

func newServer(t *testing.T, f *fixture) *server {
	s := &server{t: t, f: f}
	s.srv = httptest.NewServer(http.HandlerFunc(s.handle))
	t.Cleanup(func() {
		// A handler that hangs until its client leaves would otherwise keep
		// Close waiting forever should a client not leave.
		s.srv.CloseClientConnections()
		s.srv.Close()
	})
	return s
}

func (s *server) problem(format string, args ...any) {
	s.problems = append(s.problems, fmt.Sprintf(format, args...))
}

func (s *server) handle(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	call := len(s.calls)
	s.mu.Unlock()
	if s.hang != nil && s.hang(call) {
		s.mu.Lock()
		s.calls = append(s.calls, "hung")
		s.mu.Unlock()
		io.Copy(io.Discard, r.Body) // so the server notices the client leaving
		<-r.Context().Done()
		return
	}
	key, err := s.decode(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, key)
	if err != nil {
		s.problem("call %d: %v", call, err)
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if got := r.Header.Get("Authorization"); got != token {
		s.problem("call %d: Authorization = %q", call, got)
	}
	status := http.StatusOK
	if s.respond != nil {
		status = s.respond(call, key)
	}
	if status == -1 { // drop the connection without an answer
		hj, _ := w.(http.Hijacker)
		conn, _, _ := hj.Hijack()
		conn.Close()
		return
	}
	if status/100 != 2 {
		writeError(w, status, fmt.Sprintf("scripted %d for %s", status, key))
		return
	}
	s.stored = append(s.stored, key)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, `{"id":"rec1"}`)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"status": status, "message": msg, "data": map[string]any{}})
}

// decode checks a request against what was spooled and returns its key.
func (s *server) decode(r *http.Request) (string, error) {
	if r.Method != http.MethodPost {
		return "", fmt.Errorf("method %s", r.Method)
	}
	switch r.URL.Path {
	case ingest.ActivitiesRoute:
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			return "", fmt.Errorf("activity Content-Type %q", ct)
		}
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		var a ingest.Activity
		if err := dec.Decode(&a); err != nil {
			return "", fmt.Errorf("activity body: %v", err)
		}
		want, ok := s.f.acts[a.ClientID]
		if !ok {
			return "", fmt.Errorf("unknown activity %q", a.ClientID)
		}
		if !a.SlotStart.Equal(want.SlotStart) || a.Org != want.Org || a.Project != want.Project || a.Task != want.Task ||
			a.TrackedSeconds != want.TrackedSeconds || a.KeyboardSeconds != want.KeyboardSeconds ||
			a.MouseSeconds != want.MouseSeconds || a.ActiveSeconds != want.ActiveSeconds || !slices.Equal(a.Apps, want.Apps) {
			return "", fmt.Errorf("activity %s = %+v, want %+v", a.ClientID, a, want)
		}
		return spool.KindActivity + "/" + a.ClientID, nil
	case ingest.ScreenshotsRoute:
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			return "", fmt.Errorf("multipart: %v", err)
		}
		var m ingest.Screenshot
		dec := json.NewDecoder(strings.NewReader(r.FormValue("meta")))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&m); err != nil {
			return "", fmt.Errorf("meta: %v", err)
		}
		f, _, err := r.FormFile("envelope")
		if err != nil {
			return "", fmt.Errorf("envelope file: %v", err)
		}
		env, _ := io.ReadAll(f)
		want, ok := s.f.shots[m.ClientID]
		if !ok {
			return "", fmt.Errorf("unknown screenshot %q", m.ClientID)
		}
		if !m.TakenAt.Equal(want.meta.TakenAt) {
			return "", fmt.Errorf("taken_at %v, want %v", m.TakenAt, want.meta.TakenAt)
		}
		m.TakenAt = want.meta.TakenAt
		if m != want.meta {
			return "", fmt.Errorf("meta %+v, want %+v", m, want.meta)
		}
		if !bytes.Equal(env, want.envelope) {
			return "", fmt.Errorf("envelope of %s differs (%d bytes, want %d)", m.ClientID, len(env), len(want.envelope))
		}
		return spool.KindScreenshot + "/" + m.ClientID, nil
	}
	return "", fmt.Errorf("path %s", r.URL.Path)
}

func (s *server) check(t *testing.T) (calls, stored []string) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.problems {
		t.Error("server:", p)
	}
	return slices.Clone(s.calls), slices.Clone(s.stored)
}

func (s *server) client() *Client {
	return &Client{BaseURL: s.srv.URL + "/", HTTP: s.srv.Client(), Token: func(context.Context) (string, error) { return token, nil }}
}

// sleeps records the uploader's backoff delays.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
	on func(d time.Duration) // runs inside Sleep
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	if s.on != nil {
		s.on(d)
	}
	return ctx.Err()
}

func (s *sleeps) delays() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.d)
}

func (f *fixture) uploader(sender Sender, sl *sleeps) *Uploader {
	return &Uploader{Spool: f.sp, Sender: sender, Base: time.Second, Max: time.Minute, Rand: func() float64 { return 0.5 }, Sleep: sl.sleep}
}

func TestSendWireFormat(t *testing.T) {
	f := newFixture(t)
	f.activity(t, "act-1", 3)
	f.screenshot(t, "shot-1", "act-1", 4)
	srv := newServer(t, f)
	c := srv.client()
	for _, it := range f.sp.Items() {
		b, err := f.sp.Read(it)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Send(context.Background(), it, b); err != nil {
			t.Fatalf("Send %s: %v", it.Name, err)
		}
	}
	_, stored := srv.check(t)
	if want := []string{"activity/act-1", "screenshot/shot-1"}; !slices.Equal(stored, want) {
		t.Fatalf("stored = %v, want %v", stored, want)
	}
	if c, _, _ := f.sp.Stats(); c != 2 {
		t.Fatalf("Send removed items from the spool: %d left", c)
	}
}

func TestSendClassifiesAnswers(t *testing.T) {
	tests := []struct {
		status    int
		body      string
		want      string // "ok", "permanent", "transient"
		inMessage string
	}{
		{200, `{}`, "ok", ""},
		{201, `{}`, "ok", ""},
		{204, ``, "ok", ""},
		{400, `{"status":400,"message":"The envelope doesn't open for this screenshot's metadata.","data":{}}`, "permanent", "doesn't open"},
		{400, `{"status":400,"message":"Invalid meta.","data":{"taken_at":{"code":"validation_required","message":"Cannot be blank."}}}`, "permanent", "Cannot be blank"},
		{403, `{"status":403,"message":"Not a member of this organization.","data":{}}`, "permanent", "Not a member"},
		{404, `not json`, "permanent", "not json"},
		{409, `{"status":409,"message":"conflict","data":{}}`, "permanent", "conflict"},
		{413, `{"status":413,"message":"A screenshot may be at most 10485760 bytes.","data":{}}`, "permanent", "at most"},
		{422, `{"status":422,"message":"bad","data":{}}`, "permanent", "bad"},
		{401, `{"status":401,"message":"The request requires valid record authorization token.","data":{}}`, "transient", "authorization token"},
		{408, `{"status":408,"message":"timeout","data":{}}`, "transient", "timeout"},
		{429, `{"status":429,"message":"Too Many Requests.","data":{}}`, "transient", "Too Many"},
		{500, `{"status":500,"message":"Something went wrong.","data":{}}`, "transient", "went wrong"},
		{502, `<html>bad gateway</html>`, "transient", "bad gateway"},
		{503, ``, "transient", "503"},
	}
	f := newFixture(t)
	f.activity(t, "act-1", 0)
	it, _, _ := f.sp.Oldest()
	payload, _ := f.sp.Read(it)
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			err := (&Client{BaseURL: srv.URL, HTTP: srv.Client()}).Send(context.Background(), it, payload)
			switch tc.want {
			case "ok":
				if err != nil {
					t.Fatalf("err = %v, want nil", err)
				}
				return
			case "permanent":
				if !errors.Is(err, ErrPermanent) {
					t.Fatalf("err = %v, want ErrPermanent", err)
				}
			case "transient":
				if err == nil || errors.Is(err, ErrPermanent) {
					t.Fatalf("err = %v, want a transient error", err)
				}
			}
			var he *HTTPError
			if !errors.As(err, &he) || he.Status != tc.status {
				t.Fatalf("err = %#v, want *HTTPError %d", err, tc.status)
			}
			if !strings.Contains(err.Error(), tc.inMessage) {
				t.Fatalf("err %q lacks %q", err, tc.inMessage)
			}
		})
	}
}

func TestSendFailuresBeforeTheServer(t *testing.T) {
	f := newFixture(t)
	f.activity(t, "act-1", 0)
	f.screenshot(t, "shot-1", "act-1", 1)
	items := f.sp.Items()
	actPayload, _ := f.sp.Read(items[0])

	// A port nobody listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()

	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // so the server notices the client leaving
		<-r.Context().Done()
	}))
	defer func() {
		hung.CloseClientConnections()
		hung.Close()
	}()
	var calls atomic.Int32
	counting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1) }))
	defer counting.Close()

	tests := []struct {
		name      string
		client    *Client
		it        spool.Item
		payload   []byte
		permanent bool
	}{
		{"connection refused", &Client{BaseURL: dead}, items[0], actPayload, false},
		{"timeout", &Client{BaseURL: hung.URL, HTTP: &http.Client{Timeout: 100 * time.Millisecond}}, items[0], actPayload, false},
		{"token error", &Client{BaseURL: counting.URL, Token: func(context.Context) (string, error) { return "", errors.New("signed out") }}, items[0], actPayload, false},
		{"undecodable activity", &Client{BaseURL: counting.URL}, items[0], []byte("{not json"), true},
		{"truncated screenshot", &Client{BaseURL: counting.URL}, items[1], []byte{0, 0, 9, 9, '{'}, true},
		{"payload of another item", &Client{BaseURL: counting.URL}, spool.Item{Name: items[0].Name, Kind: spool.KindActivity, ID: "other"}, actPayload, true},
		{"unknown kind", &Client{BaseURL: counting.URL}, spool.Item{Name: "x", Kind: "video", ID: "v"}, []byte("x"), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.client.Send(context.Background(), tc.it, tc.payload)
			if err == nil || errors.Is(err, ErrPermanent) != tc.permanent {
				t.Fatalf("err = %v, want permanent=%v", err, tc.permanent)
			}
		})
	}
	if n := calls.Load(); n != 0 {
		t.Fatalf("%d requests reached the server for items that should never be sent", n)
	}
}

func TestUploaderOutcomes(t *testing.T) {
	tests := []struct {
		name     string
		respond  func(call int, key string) int
		stored   []string          // in order
		rejected map[string]string // key -> text in the reason
		sleeps   int
		calls    int
	}{
		{
			name:   "200 removes each item",
			stored: []string{"activity/act-000", "screenshot/shot-001", "activity/act-001", "screenshot/shot-003"},
			calls:  4,
		},
		{
			name: "400 rejects and the queue goes on",
			respond: func(_ int, key string) int {
				if key == "screenshot/shot-001" {
					return 400
				}
				return 200
			},
			stored:   []string{"activity/act-000", "activity/act-001", "screenshot/shot-003"},
			rejected: map[string]string{"screenshot/shot-001": "scripted 400"},
			calls:    4,
		},
		{
			name:     "403 and 413 are permanent too",
			respond:  statusFor(map[string]int{"activity/act-000": 403, "screenshot/shot-003": 413}),
			stored:   []string{"screenshot/shot-001", "activity/act-001"},
			rejected: map[string]string{"activity/act-000": "scripted 403", "screenshot/shot-003": "scripted 413"},
			calls:    4,
		},
		{name: "500 retried", respond: failFirst(3, 500), stored: []string{"activity/act-000", "screenshot/shot-001", "activity/act-001", "screenshot/shot-003"}, sleeps: 3, calls: 7},
		{name: "503 retried", respond: failFirst(2, 503), stored: []string{"activity/act-000", "screenshot/shot-001", "activity/act-001", "screenshot/shot-003"}, sleeps: 2, calls: 6},
		{name: "408 retried", respond: failFirst(1, 408), stored: []string{"activity/act-000", "screenshot/shot-001", "activity/act-001", "screenshot/shot-003"}, sleeps: 1, calls: 5},
		{name: "429 retried", respond: failFirst(2, 429), stored: []string{"activity/act-000", "screenshot/shot-001", "activity/act-001", "screenshot/shot-003"}, sleeps: 2, calls: 6},
		{name: "401 is transient, not a rejection", respond: failFirst(4, 401), stored: []string{"activity/act-000", "screenshot/shot-001", "activity/act-001", "screenshot/shot-003"}, sleeps: 4, calls: 8},
		{name: "dropped connections retried", respond: failFirst(2, -1), stored: []string{"activity/act-000", "screenshot/shot-001", "activity/act-001", "screenshot/shot-003"}, sleeps: 2, calls: 6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.mixed(t, 4)
			srv := newServer(t, f)
			srv.respond = tc.respond
			sl := &sleeps{}
			var results []error
			u := f.uploader(srv.client(), sl)
			u.OnResult = func(_ spool.Item, err error) { results = append(results, err) }
			if err := u.Drain(context.Background()); err != nil {
				t.Fatalf("Drain: %v", err)
			}
			calls, stored := srv.check(t)
			if !slices.Equal(stored, tc.stored) {
				t.Fatalf("stored = %v, want %v", stored, tc.stored)
			}
			if len(calls) != tc.calls || len(results) != tc.calls {
				t.Fatalf("calls = %d (%v), results = %d; want %d", len(calls), calls, len(results), tc.calls)
			}
			var oks int
			for _, r := range results {
				if r == nil {
					oks++
				}
			}
			if oks != len(tc.stored) {
				t.Fatalf("OnResult saw %d successes, want %d", oks, len(tc.stored))
			}
			if got := len(sl.delays()); got != tc.sleeps {
				t.Fatalf("backoffs = %d, want %d", got, tc.sleeps)
			}
			if c, _, _ := f.sp.Stats(); c != 0 {
				t.Fatalf("%d items left in the spool", c)
			}
			rej := f.rejected(t)
			if len(rej) != len(tc.rejected) {
				t.Fatalf("rejected = %v, want %v", rej, tc.rejected)
			}
			for k, want := range tc.rejected {
				if !strings.Contains(rej[k], want) {
					t.Fatalf("reason for %s = %q, want it to contain %q", k, rej[k], want)
				}
			}
		})
	}
}

// statusFor answers per item, 200 for the rest.
func statusFor(m map[string]int) func(int, string) int {
	return func(_ int, key string) int {
		if st, ok := m[key]; ok {
			return st
		}
		return 200
	}
}

// failFirst answers status to the first n calls, then 200.
func failFirst(n, status int) func(int, string) int {
	return func(call int, _ string) int {
		if call < n {
			return status
		}
		return 200
	}
}

// A client timeout and a refused connection are retried like any transient
// error.
func TestUploaderRetriesTimeoutsAndRefusals(t *testing.T) {
	f := newFixture(t)
	f.mixed(t, 2)
	srv := newServer(t, f)
	srv.hang = func(call int) bool { return call == 0 }
	c := srv.client()
	c.HTTP = &http.Client{Timeout: 200 * time.Millisecond}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	live := c.BaseURL
	c.BaseURL = "http://" + ln.Addr().String() // refused first
	ln.Close()
	sl := &sleeps{}
	sl.on = func(time.Duration) {
		if len(sl.delays()) == 2 {
			c.BaseURL = live // the server comes back (and hangs once)
		}
	}
	if err := f.uploader(c, sl).Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	calls, stored := srv.check(t)
	if want := []string{"activity/act-000", "screenshot/shot-001"}; !slices.Equal(stored, want) {
		t.Fatalf("stored = %v, want %v", stored, want)
	}
	if calls[0] != "hung" {
		t.Fatalf("calls = %v, want the first to hang", calls)
	}
	if n := len(sl.delays()); n != 3 { // refused, refused, timeout
		t.Fatalf("backoffs = %d, want 3", n)
	}
}

// flaky fails scripted sends and checks, at every failure and backoff, that
// the item is still first in the spool.
type flaky struct {
	t     *testing.T
	sp    *spool.Spool
	fails map[string]int // ID -> failures before success
	sent  []string
}

func (f *flaky) Send(_ context.Context, it spool.Item, _ []byte) error {
	f.sent = append(f.sent, it.ID)
	if first, ok, _ := f.sp.Oldest(); !ok || first.Name != it.Name {
		f.t.Errorf("sending %s but the spool's first is %+v", it.Name, first)
	}
	if f.fails[it.ID] > 0 {
		f.fails[it.ID]--
		return errors.New("503")
	}
	return nil
}

func TestBackoff(t *testing.T) {
	s := time.Second
	tests := []struct {
		name      string
		base, max time.Duration
		rand      float64
		fails     map[string]int // per item, items a, b, c in order
		want      []time.Duration
	}{
		{"doubles from Base", s, time.Hour, 0.5, map[string]int{"a": 5}, []time.Duration{s / 2, s, 2 * s, 4 * s, 8 * s}},
		{"capped at Max", s, 10 * s, 0.5, map[string]int{"a": 7}, []time.Duration{s / 2, s, 2 * s, 4 * s, 5 * s, 5 * s, 5 * s}},
		{"attempt resets after a success", s, time.Hour, 0.5, map[string]int{"a": 3, "b": 2, "c": 1}, []time.Duration{s / 2, s, 2 * s, s / 2, s, s / 2}},
		{"rand 0 retries at once", s, time.Hour, 0, map[string]int{"a": 3}, []time.Duration{0, 0, 0}},
		{"defaults 1s and 5m", 0, 0, 0.999, map[string]int{"a": 11}, nil}, // checked against caps below
		{"no overflow at huge attempts", s, time.Duration(1<<62) + 1, 0.5, map[string]int{"a": 70}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			for i, id := range []string{"a", "b", "c"} {
				f.activity(t, id, i)
			}
			sender := &flaky{t: t, sp: f.sp, fails: tc.fails}
			var total int
			for _, n := range tc.fails {
				total += n
			}
			sl := &sleeps{}
			sl.on = func(time.Duration) {
				// Never removed before a 2xx: the failing item is still first.
				failing := sender.sent[len(sender.sent)-1]
				if got := f.sp.Items(); len(got) == 0 || got[0].ID != failing {
					t.Errorf("during the backoff of %s the queue is %v", failing, got)
				}
			}
			u := &Uploader{Spool: f.sp, Sender: sender, Base: tc.base, Max: tc.max, Rand: func() float64 { return tc.rand }, Sleep: sl.sleep}
			if err := u.Drain(context.Background()); err != nil {
				t.Fatal(err)
			}
			got := sl.delays()
			if len(got) != total {
				t.Fatalf("%d backoffs, want %d", len(got), total)
			}
			if tc.want != nil && !slices.Equal(got, tc.want) {
				t.Fatalf("delays = %v, want %v", got, tc.want)
			}
			if tc.name == "defaults 1s and 5m" {
				for i, d := range got {
					ceil := min(time.Second<<i, 5*time.Minute)
					if d < ceil*99/100 || d >= ceil {
						t.Fatalf("delay %d = %v, want just under %v", i, d, ceil)
					}
				}
			}
			if tc.name == "no overflow at huge attempts" {
				for i, d := range got {
					if d < 0 || (i > 0 && d < got[i-1]) {
						t.Fatalf("delay %d = %v after %v", i, d, got[max(i-1, 0)])
					}
				}
			}
			if want := []string{"a", "b", "c"}; !slices.Equal(slices.Compact(sender.sent), want) {
				t.Fatalf("sent %v", sender.sent)
			}
		})
	}
}

// Full jitter: each delay is uniform in [0, cap).
func TestBackoffJitter(t *testing.T) {
	f := newFixture(t)
	f.activity(t, "a", 0)
	r := rand.New(rand.NewPCG(7, 9))
	sl := &sleeps{}
	const n = 400
	u := &Uploader{Spool: f.sp, Sender: &flaky{t: t, sp: f.sp, fails: map[string]int{"a": n}},
		Base: 10 * time.Millisecond, Max: 2 * time.Second, Rand: r.Float64, Sleep: sl.sleep}
	if err := u.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := sl.delays()
	if len(got) != n {
		t.Fatalf("%d delays", len(got))
	}
	var lowHalf, distinct int
	seen := map[time.Duration]bool{}
	for i, d := range got {
		ceil := min(10*time.Millisecond<<min(i, 20), 2*time.Second)
		if d < 0 || d >= ceil {
			t.Fatalf("delay %d = %v outside [0, %v)", i, d, ceil)
		}
		if i >= 10 { // at the cap
			if d < ceil/2 {
				lowHalf++
			}
			if !seen[d] {
				seen[d] = true
				distinct++
			}
		}
	}
	// 390 draws at the cap: about half below the middle, all different.
	if lowHalf < 140 || lowHalf > 250 || distinct < 380 {
		t.Fatalf("not jittered: %d of 390 in the lower half, %d distinct", lowHalf, distinct)
	}
}

// The server fails the first N calls (mixing kinds of failure), then works:
// every item arrives exactly once, in spool order.
func TestFailThenRecover(t *testing.T) {
	for _, n := range []int{0, 1, 5, 17} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			f := newFixture(t)
			f.mixed(t, 20)
			f.activity(t, "act-003", 99) // a re-report: same place, latest payload
			srv := newServer(t, f)
			failures := []int{500, 503, -1, 429, 401, 502, 408}
			srv.respond = func(call int, _ string) int {
				if call < n {
					return failures[call%len(failures)]
				}
				return 200
			}
			sl := &sleeps{}
			if err := f.uploader(srv.client(), sl).Drain(context.Background()); err != nil {
				t.Fatal(err)
			}
			calls, stored := srv.check(t)
			if !slices.Equal(stored, f.order) {
				t.Fatalf("stored = %v\nwant     %v", stored, f.order)
			}
			if len(calls) != len(f.order)+n || len(sl.delays()) != n {
				t.Fatalf("%d calls and %d backoffs, want %d and %d", len(calls), len(sl.delays()), len(f.order)+n, n)
			}
			if c, _, _ := f.sp.Stats(); c != 0 {
				t.Fatalf("%d left", c)
			}
		})
	}
}

func TestDrainEmptySpool(t *testing.T) {
	f := newFixture(t)
	sender := &flaky{t: t, sp: f.sp}
	if err := f.uploader(sender, &sleeps{}).Drain(context.Background()); err != nil {
		t.Fatalf("Drain = %v", err)
	}
	if len(sender.sent) != 0 {
		t.Fatalf("sent %v from an empty spool", sender.sent)
	}
}

// blocking is a Sender that reports each send and waits for permission.
type blocking struct {
	sent chan string
}

func (b *blocking) Send(ctx context.Context, it spool.Item, _ []byte) error {
	b.sent <- it.ID
	return nil
}

func TestRunStopsOnCancel(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, f *fixture, u *Uploader, cancel context.CancelFunc)
	}{
		{"waiting on an empty spool", func(t *testing.T, f *fixture, u *Uploader, cancel context.CancelFunc) {
			cancel()
		}},
		{"during a backoff (real timer)", func(t *testing.T, f *fixture, u *Uploader, cancel context.CancelFunc) {
			f.activity(t, "a", 0)
			u.Base, u.Max, u.Sleep, u.Rand = time.Hour, time.Hour, nil, func() float64 { return 0.9 }
			u.Sender = &flaky{t: t, sp: f.sp, fails: map[string]int{"a": 1 << 30}}
			u.OnResult = func(spool.Item, error) { cancel() }
		}},
		{"during a send", func(t *testing.T, f *fixture, u *Uploader, cancel context.CancelFunc) {
			f.activity(t, "a", 0)
			u.Sender = senderFunc(func(ctx context.Context, _ spool.Item, _ []byte) error {
				cancel()
				<-ctx.Done()
				return fmt.Errorf("upload: %w", ctx.Err())
			})
			u.OnResult = func(_ spool.Item, err error) { t.Errorf("OnResult(%v) for a cancelled send", err) }
		}},
	}
	for _, tc := range tests {
		for _, drain := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/drain=%v", tc.name, drain), func(t *testing.T) {
				f := newFixture(t)
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				u := f.uploader(&flaky{t: t, sp: f.sp}, &sleeps{})
				tc.setup(t, f, u, cancel)
				run := u.Run
				if drain {
					run = u.Drain
				}
				if err := run(ctx); !errors.Is(err, context.Canceled) {
					t.Fatalf("returned %v, want context.Canceled", err)
				}
				if c, _, _ := f.sp.Stats(); c != len(f.order) {
					t.Fatalf("%d items left, want %d: nothing confirmed may be removed", c, len(f.order))
				}
			})
		}
	}
}

type senderFunc func(ctx context.Context, it spool.Item, payload []byte) error

func (f senderFunc) Send(ctx context.Context, it spool.Item, payload []byte) error {
	return f(ctx, it, payload)
}

// Run waits on an empty spool and wakes for each Put.
func TestRunWakesOnPut(t *testing.T) {
	f := newFixture(t)
	sender := &blocking{sent: make(chan string)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	u := f.uploader(sender, &sleeps{})
	u.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	go func() { done <- u.Run(ctx) }()
	for i, id := range []string{"a", "b", "c"} {
		f.activity(t, id, i)
		if got := <-sender.sent; got != id {
			t.Fatalf("sent %s, want %s", got, id)
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v", err)
	}
}
