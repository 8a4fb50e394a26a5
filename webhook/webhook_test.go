package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestSignMatchesAReceiversHMAC(t *testing.T) {
	body := []byte(`{"event":"project.created"}`)
	mac := hmac.New(sha256.New, []byte("s3cret"))
	mac.Write([]byte("1700000000." + string(body)))
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if got := Sign("s3cret", 1700000000, body); got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
	for _, tc := range []struct {
		name   string
		secret string
		ts     int64
		body   string
		ok     bool
	}{
		{"same", "s3cret", 1700000000, string(body), true},
		{"other secret", "other", 1700000000, string(body), false},
		{"other time", "s3cret", 1700000001, string(body), false},
		{"other body", "s3cret", 1700000000, string(body) + " ", false},
	} {
		if got := Verify(tc.secret, tc.ts, []byte(tc.body), want); got != tc.ok {
			t.Errorf("%s: Verify = %v, want %v", tc.name, got, tc.ok)
		}
	}
}

func TestNewSecretIsFreshAndLong(t *testing.T) {
	a, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewSecret()
	if a == b || !strings.HasPrefix(a, "whsec_") || len(a) != len("whsec_")+64 {
		t.Fatalf("secrets %q and %q", a, b)
	}
}

func TestRetryDelay(t *testing.T) {
	zero := func() float64 { return 0 }
	almostOne := func() float64 { return 0.999999 }
	for _, tc := range []struct {
		attempt  int
		jitter   func() float64
		min, max time.Duration
	}{
		{1, zero, 30 * time.Second, 30 * time.Second},
		{1, almostOne, 59 * time.Second, time.Minute},
		{2, zero, time.Minute, time.Minute},
		{3, zero, 2 * time.Minute, 2 * time.Minute},
		{7, almostOne, 59 * time.Minute, time.Hour}, // 64 min capped at an hour
		{40, zero, 30 * time.Minute, 30 * time.Minute},
		{0, zero, 30 * time.Second, 30 * time.Second},
		{2, func() float64 { return 7 }, time.Minute, time.Minute}, // a bad jitter source is ignored
	} {
		got := RetryDelay(tc.attempt, tc.jitter)
		if got < tc.min || got > tc.max {
			t.Errorf("RetryDelay(%d) = %v, want %v..%v", tc.attempt, got, tc.min, tc.max)
		}
	}
}

func TestValidateURL(t *testing.T) {
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"https://hooks.example.com/tock", true},
		{"http://127.0.0.1:8080/x?y=1", true},
		{"ftp://example.com/", false},
		{"javascript:alert(1)", false},
		{"file:///etc/passwd", false},
		{"https://user:pw@example.com/", false},
		{"https://token@example.com/", false},
		{"https:///nohost", false},
		{"example.com/path", false},
		{"", false},
		{"https://example.com/" + strings.Repeat("a", MaxURLLength), false},
	} {
		if err := ValidateURL(tc.url); (err == nil) != tc.ok {
			t.Errorf("ValidateURL(%q) = %v, want ok=%v", tc.url, err, tc.ok)
		}
	}
}

func TestSendSignsAndReportsStatus(t *testing.T) {
	var got http.Header
	var gotBody []byte
	status := http.StatusNoContent
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		gotBody, _ = io.ReadAll(r.Body)
		w.WriteHeader(status)
	}))
	defer srv.Close()

	now := time.Unix(1763900000, 0)
	in := Request{URL: srv.URL, Secret: "k", Event: "project.created", DeliveryID: "d1", Body: []byte(`{"a":1}`), Now: now}
	res := Send(context.Background(), NewClient(true), in)
	if !res.Delivered() || res.Status != 204 {
		t.Fatalf("result %+v", res)
	}
	ts, _ := strconv.ParseInt(got.Get(HeaderTimestamp), 10, 64)
	if ts != now.Unix() || got.Get(HeaderEvent) != "project.created" || got.Get(HeaderDelivery) != "d1" ||
		!Verify("k", ts, gotBody, got.Get(HeaderSignature)) || got.Get("Content-Type") != "application/json" {
		t.Fatalf("headers %v body %s", got, gotBody)
	}

	status = http.StatusInternalServerError
	if res := Send(context.Background(), NewClient(true), in); res.Delivered() || res.Status != 500 || res.Error == "" {
		t.Fatalf("500 counted as %+v", res)
	}
}

func TestSendRefusesPrivateAddressesUnlessAllowed(t *testing.T) {
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer srv.Close()
	in := Request{URL: srv.URL, Secret: "k", Event: "e", DeliveryID: "d", Body: []byte(`{}`), Now: time.Now()}
	res := Send(context.Background(), NewClient(false), in)
	if res.Delivered() || hits != 0 || !strings.Contains(res.Error, "TOCK_WEBHOOKS_ALLOW_PRIVATE") {
		t.Fatalf("loopback reached with private addresses refused: %+v, hits %d", res, hits)
	}
	// "localhost" resolves to loopback: the check is on the dialled address.
	in.URL = strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	if res := Send(context.Background(), NewClient(false), in); res.Delivered() || hits != 0 {
		t.Fatalf("localhost reached: %+v", res)
	}
}

func TestSendDoesNotFollowRedirects(t *testing.T) {
	target := 0
	dst := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { target++ }))
	defer dst.Close()
	src := httptest.NewServer(http.RedirectHandler(dst.URL, http.StatusTemporaryRedirect))
	defer src.Close()
	res := Send(context.Background(), NewClient(true), Request{URL: src.URL, Secret: "k", Body: []byte(`{}`), Now: time.Now()})
	if res.Delivered() || res.Status != http.StatusTemporaryRedirect || target != 0 {
		t.Fatalf("redirect followed or accepted: %+v, target hits %d", res, target)
	}
}

func TestSendTimesOut(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	res := Send(ctx, NewClient(true), Request{URL: srv.URL, Secret: "k", Body: []byte(`{}`), Now: time.Now()})
	if res.Delivered() || res.Error == "" {
		t.Fatalf("a hanging receiver counted as %+v", res)
	}
}

func TestCheckHost(t *testing.T) {
	for _, tc := range []struct {
		url          string
		allowPrivate bool
		ok           bool
	}{
		{"https://hooks.example.com/", false, true},
		{"https://93.184.216.34/", false, true},
		{"http://127.0.0.1:8080/", false, false},
		{"http://127.0.0.1:8080/", true, true},
		{"http://localhost/", false, false},
		{"http://api.localhost./", false, false},
		{"http://localhost/", true, true},
		{"http://10.1.2.3/", false, false},
		{"http://192.168.1.10/", false, false},
		{"http://169.254.169.254/latest/meta-data", false, false},
		{"http://[::1]/", false, false},
		{"http://[fd00::1]/", false, false},
		{"http://0.0.0.0/", true, false}, // never: it means "this machine, any interface"
	} {
		if err := CheckHost(tc.url, tc.allowPrivate); (err == nil) != tc.ok {
			t.Errorf("CheckHost(%q, %v) = %v, want ok=%v", tc.url, tc.allowPrivate, err, tc.ok)
		}
	}
}
