// Package webhook is Tock's outgoing webhook engine without PocketBase:
// signing, URL checks, the backoff schedule and one HTTP delivery attempt.
// The hooks package keeps the deliveries as records and drives it.
//
// A receiver verifies a delivery by recomputing
//
//	X-Tock-Signature: sha256=<hex HMAC-SHA256(secret, X-Tock-Timestamp + "." + body)>
//
// over the raw body, comparing in constant time, and refusing timestamps
// older than a few minutes (replays). X-Tock-Delivery is the same on every
// retry of one delivery, so receivers can drop duplicates.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Delivery policy.
const (
	// MaxAttempts is how many times a delivery is tried before it is failed.
	MaxAttempts = 8
	// FirstRetry is the wait after the first failed attempt; each further
	// failure doubles it, up to MaxRetryDelay.
	FirstRetry    = time.Minute
	MaxRetryDelay = time.Hour
	// Timeout bounds one attempt, connection and response included.
	Timeout = 10 * time.Second
	// MaxURLLength bounds a webhook's URL.
	MaxURLLength = 2000
)

// Header names of a delivery.
const (
	HeaderEvent     = "X-Tock-Event"
	HeaderDelivery  = "X-Tock-Delivery"
	HeaderSignature = "X-Tock-Signature"
	HeaderTimestamp = "X-Tock-Timestamp"
)

// NewSecret returns a fresh signing secret: 32 random bytes, hex, prefixed
// so that a leaked one is recognisable in logs and secret scanners.
func NewSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("webhook secret: %w", err)
	}
	return "whsec_" + hex.EncodeToString(b), nil
}

// Sign is the X-Tock-Signature value of body sent at timestamp (Unix seconds).
func Sign(secret string, timestamp int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(timestamp, 10)))
	mac.Write([]byte("."))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify checks a signature the way a receiver should, in constant time.
func Verify(secret string, timestamp int64, body []byte, signature string) bool {
	return hmac.Equal([]byte(Sign(secret, timestamp, body)), []byte(signature))
}

// RetryDelay is the wait after failed attempt number attempt (1-based):
// FirstRetry doubled per earlier failure, capped, with "equal jitter" (half
// fixed, half random) so receivers that came back aren't hit by every
// sender at once. jitter returns a number in [0, 1).
func RetryDelay(attempt int, jitter func() float64) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	d := MaxRetryDelay
	if attempt <= 32 {
		d = time.Duration(math.Min(float64(FirstRetry)*math.Pow(2, float64(attempt-1)), float64(MaxRetryDelay)))
	}
	j := jitter()
	if j < 0 || j >= 1 {
		j = 0
	}
	return d/2 + time.Duration(j*float64(d/2))
}

// ValidateURL accepts only absolute http and https URLs with a host and no
// credentials: a secret in a URL ends up in logs, and the payload is
// already authenticated by the signature.
func ValidateURL(raw string) error {
	if len(raw) > MaxURLLength {
		return fmt.Errorf("the URL is longer than %d characters", MaxURLLength)
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return errors.New("the URL doesn't parse")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return errors.New("the URL must start with http:// or https://")
	}
	if u.User != nil {
		return errors.New("the URL must not carry a user name or password")
	}
	if u.Hostname() == "" {
		return errors.New("the URL needs a host")
	}
	return nil
}

// CheckHost refuses, when private addresses aren't allowed, a URL whose
// host is written as such an address or is localhost: a mistake better told
// when the webhook is saved than in its delivery log. Names are checked
// again, after resolution, when a delivery dials (see NewClient).
func CheckHost(raw string, allowPrivate bool) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return errors.New("the URL doesn't parse")
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if ip := net.ParseIP(host); ip != nil {
		if blocked(ip, allowPrivate) {
			return errPrivate
		}
		return nil
	}
	if !allowPrivate && (host == "localhost" || strings.HasSuffix(host, ".localhost")) {
		return errPrivate
	}
	return nil
}

// errPrivate is the refusal of an address the appliance may not call.
var errPrivate = errors.New("address is loopback, private or link-local; set TOCK_WEBHOOKS_ALLOW_PRIVATE=true to allow it")

// blocked reports whether ip is an address a webhook must not reach unless
// private addresses are allowed: the appliance's own loopback, the LAN,
// link-local (cloud metadata at 169.254.169.254), and the unroutable.
func blocked(ip net.IP, allowPrivate bool) bool {
	if ip.IsUnspecified() || ip.IsMulticast() {
		return true
	}
	if allowPrivate {
		return false
	}
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast()
}

// NewClient is the HTTP client of deliveries. The address check runs on the
// socket actually dialled, after name resolution, so a name that resolves
// (or re-resolves) to a private address is refused too. Redirects are not
// followed: a 3xx answer is a failed attempt, or a public receiver could
// bounce the request inside the network.
func NewClient(allowPrivate bool) *http.Client {
	dialer := &net.Dialer{
		Timeout: Timeout,
		Control: func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return fmt.Errorf("webhook dial %q: %w", address, err)
			}
			ip := net.ParseIP(host)
			if ip == nil || blocked(ip, allowPrivate) {
				return fmt.Errorf("webhook dial %s: %w", host, errPrivate)
			}
			return nil
		},
	}
	transport := &http.Transport{
		Proxy:                 nil, // never through a proxy that could reach what the check forbids
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   Timeout,
		ResponseHeaderTimeout: Timeout,
		MaxIdleConns:          10,
		IdleConnTimeout:       30 * time.Second,
	}
	return &http.Client{
		Timeout:   Timeout,
		Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// Request is one attempt of one delivery.
type Request struct {
	URL        string
	Secret     string
	Event      string
	DeliveryID string
	Body       []byte
	Now        time.Time
}

// Result is what an attempt got: a 2xx status means delivered.
type Result struct {
	Status int    // 0 when no response came
	Error  string // why it failed, for the delivery log; empty when delivered
}

// Delivered reports whether the receiver accepted the delivery.
func (r Result) Delivered() bool { return r.Status >= 200 && r.Status < 300 && r.Error == "" }

// Send makes one attempt. It never returns an error: every failure is a
// Result for the delivery log and the retry schedule.
func Send(ctx context.Context, client *http.Client, in Request) Result {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, in.URL, bytes.NewReader(in.Body))
	if err != nil {
		return Result{Error: "invalid URL: " + err.Error()}
	}
	ts := in.Now.Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Tock-Webhooks/1")
	req.Header.Set(HeaderEvent, in.Event)
	req.Header.Set(HeaderDelivery, in.DeliveryID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, Sign(in.Secret, ts, in.Body))
	resp, err := client.Do(req)
	if err != nil {
		return Result{Error: trim(err.Error())}
	}
	defer resp.Body.Close()
	// Drain a little so the connection can be reused; the body isn't kept.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return Result{Status: resp.StatusCode, Error: fmt.Sprintf("receiver answered %d", resp.StatusCode)}
	}
	return Result{Status: resp.StatusCode}
}

func trim(s string) string {
	if len(s) > 500 {
		return s[:500]
	}
	return s
}
