// Package upload empties the agent's spool into the server: oldest item
// first, each removed only after the server confirmed it (2xx), refused items
// set aside, and everything else retried with exponential backoff and full
// jitter.
package upload

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"github.com/tock-app/tock/agent/spool"
	"github.com/tock-app/tock/ingest"
)

// ErrPermanent marks a refusal that retrying won't change: the server said
// the item is invalid (a 4xx other than 401, 408 and 429), or the spooled
// payload can't be decoded.
var ErrPermanent = errors.New("upload: refused by the server")

// HTTPError is a non-2xx answer. It matches ErrPermanent (errors.Is) when
// the refusal is permanent.
type HTTPError struct {
	Status  int
	Message string // the server's message (and field errors), or the body
}

func (e *HTTPError) Error() string {
	what := "server error"
	switch {
	case Permanent(e.Status):
		what = "refused by the server"
	case e.Status == http.StatusUnauthorized:
		what = "session expired or invalid"
	}
	if e.Message == "" {
		return fmt.Sprintf("upload: %s: HTTP %d", what, e.Status)
	}
	return fmt.Sprintf("upload: %s: HTTP %d: %s", what, e.Status, e.Message)
}

func (e *HTTPError) Unwrap() error {
	if Permanent(e.Status) {
		return ErrPermanent
	}
	return nil
}

// Permanent reports whether an HTTP status refuses an item for good: 4xx
// except 401 (the session expired: retry after a refresh), 408 and 429.
func Permanent(status int) bool {
	return status >= 400 && status < 500 &&
		status != http.StatusUnauthorized && status != http.StatusRequestTimeout && status != http.StatusTooManyRequests
}

// defaultHTTP bounds a request that never answers; the agent passes its own.
var defaultHTTP = &http.Client{Timeout: 5 * time.Minute}

// Client sends one spooled item to the server.
type Client struct {
	BaseURL string       // the server, e.g. https://tock.example.com
	HTTP    *http.Client // nil: a client with a 5-minute timeout
	// Token returns the session token for the Authorization header (nil:
	// no header). An error is transient: the item is retried.
	Token func(ctx context.Context) (string, error)
	// OnNotice, if set, hears what the server says about the person's time
	// when it cuts an activity short (2xx with "limit_reached") or refuses
	// it (409: a daily or weekly limit, an approved timesheet; 403: tracking
	// turned off for them), so the person can be told why their time stops
	// counting.
	OnNotice func(it spool.Item, n Notice)
}

// Notice is what the server said about an activity's time.
type Notice struct {
	Message string
	// SlotStart is the activity's slot.
	SlotStart time.Time
	// StopsTracking: a limit is reached or tracking is turned off, so
	// tracking on is pointless; a refusal such as an approved timesheet
	// concerns that slot only.
	StopsTracking bool
}

// stopCode reports whether a refusal's error code stops tracking: the
// server's hooks.CodeLimitReached and hooks.CodeTrackingOff (the agent
// doesn't import the server).
func stopCode(code string) bool { return code == "limit_reached" || code == "tracking_off" }

// Send posts the item: an activity as JSON to ingest.ActivitiesRoute, a
// screenshot as multipart (field "meta", file "envelope") to
// ingest.ScreenshotsRoute. It returns nil on 2xx; a permanent refusal wraps
// ErrPermanent (an *HTTPError with the server's message, or a payload that
// can't be decoded); anything else is transient.
func (c *Client) Send(ctx context.Context, it spool.Item, payload []byte) error {
	var route, contentType string
	var body []byte
	var slotStart time.Time
	switch it.Kind {
	case spool.KindActivity:
		a, err := spool.DecodeActivity(payload)
		if err != nil {
			return fmt.Errorf("%w: %s: %v", ErrPermanent, it.Name, err)
		}
		if a.ClientID != it.ID {
			return fmt.Errorf("%w: %s: payload is for activity %q", ErrPermanent, it.Name, a.ClientID)
		}
		route, contentType, body = ingest.ActivitiesRoute, "application/json", payload
		slotStart = a.SlotStart
	case spool.KindScreenshot:
		meta, envelope, err := spool.DecodeScreenshot(payload)
		if err != nil {
			return fmt.Errorf("%w: %s: %v", ErrPermanent, it.Name, err)
		}
		if meta.ClientID != it.ID {
			return fmt.Errorf("%w: %s: payload is for screenshot %q", ErrPermanent, it.Name, meta.ClientID)
		}
		contentType, body, err = screenshotBody(meta, envelope)
		if err != nil {
			return fmt.Errorf("%w: %s: %v", ErrPermanent, it.Name, err)
		}
		route = ingest.ScreenshotsRoute
	default:
		return fmt.Errorf("%w: %s: unknown kind %q", ErrPermanent, it.Name, it.Kind)
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(c.BaseURL, "/")+route, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("upload: %w", err) // a bad BaseURL: fixed by the caller, not by rejecting items
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "application/json")
	if c.Token != nil {
		tok, err := c.Token(ctx)
		if err != nil {
			return fmt.Errorf("upload: token: %w", err)
		}
		req.Header.Set("Authorization", tok)
	}
	hc := c.HTTP
	if hc == nil {
		hc = defaultHTTP
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // let the connection be reused
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if notice := limitNotice(msg); notice != "" && it.Kind == spool.KindActivity && c.OnNotice != nil {
			c.OnNotice(it, Notice{Message: notice, SlotStart: slotStart, StopsTracking: true})
		}
		return nil
	}
	herr := &HTTPError{Status: resp.StatusCode, Message: serverMessage(msg)}
	refusesTime := resp.StatusCode == http.StatusConflict || resp.StatusCode == http.StatusForbidden
	if message, stops := refusal(msg); refusesTime && it.Kind == spool.KindActivity && c.OnNotice != nil && message != "" {
		c.OnNotice(it, Notice{Message: message, SlotStart: slotStart, StopsTracking: stops})
	}
	return herr
}

// refusal reads a PocketBase error answer: its message, and whether one of
// its error codes stops tracking.
func refusal(body []byte) (message string, stops bool) {
	var e struct {
		Message string                     `json:"message"`
		Data    map[string]json.RawMessage `json:"data"`
	}
	if json.Unmarshal(body, &e) != nil {
		return "", false
	}
	for _, raw := range e.Data {
		var item struct {
			Code string `json:"code"`
		}
		if json.Unmarshal(raw, &item) == nil && stopCode(item.Code) {
			stops = true
		}
	}
	return e.Message, stops
}

// limitNotice is the message of an accepted activity that a limit cut
// short, "" for any other answer.
func limitNotice(body []byte) string {
	var a struct {
		LimitReached bool   `json:"limit_reached"`
		Message      string `json:"message"`
	}
	if json.Unmarshal(body, &a) != nil || !a.LimitReached {
		return ""
	}
	if a.Message == "" {
		return "A time limit was reached."
	}
	return a.Message
}

func screenshotBody(meta ingest.Screenshot, envelope []byte) (string, []byte, error) {
	j, err := json.Marshal(meta)
	if err != nil {
		return "", nil, err
	}
	var buf bytes.Buffer
	buf.Grow(len(envelope) + len(j) + 1024)
	mw := multipart.NewWriter(&buf)
	if err := mw.WriteField("meta", string(j)); err != nil {
		return "", nil, err
	}
	fw, err := mw.CreateFormFile("envelope", meta.ClientID+".tockenv")
	if err != nil {
		return "", nil, err
	}
	if _, err := fw.Write(envelope); err != nil {
		return "", nil, err
	}
	if err := mw.Close(); err != nil {
		return "", nil, err
	}
	return mw.FormDataContentType(), buf.Bytes(), nil
}

// serverMessage pulls the message (and any field errors) out of an error
// body {"status":N,"message":"...","data":{...}}; other bodies are quoted,
// shortened.
func serverMessage(body []byte) string {
	var e struct {
		Message string                     `json:"message"`
		Data    map[string]json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &e); err == nil && e.Message != "" {
		if len(e.Data) > 0 {
			d, _ := json.Marshal(e.Data)
			return e.Message + " " + string(d)
		}
		return e.Message
	}
	s := strings.TrimSpace(string(body))
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// Sender sends one spooled item; *Client is the real one.
type Sender interface {
	Send(ctx context.Context, it spool.Item, payload []byte) error
}

// Uploader moves items from a spool to a Sender, oldest first.
type Uploader struct {
	Spool  *spool.Spool
	Sender Sender
	// Backoff after a transient error: a uniformly random delay in
	// [0, min(Max, Base*2^attempt)), attempt counting the failures since the
	// last success. Defaults 1s and 5m.
	Base, Max time.Duration
	Rand      func() float64                                   // in [0, 1); default math/rand/v2
	Sleep     func(ctx context.Context, d time.Duration) error // default: a timer, cut short by ctx
	Logger    *slog.Logger
	// OnResult, if set, hears every send's outcome (nil = confirmed), e.g.
	// to record the last upload and last error for `tock agent status`.
	OnResult func(it spool.Item, err error)
	// Org is the organization the agent reports to now: an activity refused
	// while naming no valid organization is put back with it ("" = no such
	// repair). One naming another organization is not: the server would
	// file its project's time under this one.
	Org string

	repairs map[string]int // repairs per item in this run
}

// maxRepairs bounds the repairs of one item: past it, it is rejected.
const maxRepairs = 3

// Run uploads oldest-first until ctx is done, then returns ctx.Err(). A
// confirmed item is removed and the next goes at once; a permanent refusal is
// rejected (set aside in the spool) and the queue goes on; a transient error
// waits a backoff and retries the same item. An empty spool waits for the
// next Put.
func (u *Uploader) Run(ctx context.Context) error { return u.run(ctx, false) }

// Drain is Run that returns nil once the spool is empty.
func (u *Uploader) Drain(ctx context.Context) error { return u.run(ctx, true) }

func (u *Uploader) run(ctx context.Context, drain bool) error {
	log := u.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	u.revive(log)
	attempt := 0
	// fail waits the backoff for the failure number attempt.
	fail := func() error {
		d := u.backoff(attempt)
		attempt++
		return u.sleep(ctx, d)
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		it, ok, err := u.Spool.Oldest()
		if err != nil {
			log.Error("upload: reading the spool", "error", err)
			if err := fail(); err != nil {
				return ctx.Err()
			}
			continue
		}
		if !ok {
			if drain {
				return nil
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-u.Spool.Notify():
			}
			continue
		}
		payload, err := u.Spool.Read(it)
		if errors.Is(err, fs.ErrNotExist) {
			continue // dropped or removed since Oldest
		}
		if err != nil {
			log.Error("upload: reading an item", "name", it.Name, "error", err)
			if err := fail(); err != nil {
				return ctx.Err()
			}
			continue
		}

		err = u.Sender.Send(ctx, it, payload)
		if err != nil && ctx.Err() != nil {
			return ctx.Err() // stopped mid-send: not the server's doing
		}
		if u.OnResult != nil {
			u.OnResult(it, err)
		}
		switch {
		case err == nil:
			attempt = 0
			if err := u.Spool.Remove(it); err != nil {
				// It stays queued and is sent again later (uploads are
				// idempotent); don't spin on a broken disk.
				log.Error("upload: removing a confirmed item", "name", it.Name, "error", err)
				if err := fail(); err != nil {
					return ctx.Err()
				}
			}
		case errors.Is(err, ErrPermanent):
			attempt = 0 // the server answered: it is reachable
			if how, rerr := u.repair(it, payload); rerr != nil {
				log.Error("upload: repairing a refused item", "name", it.Name, "error", rerr)
			} else if how != "" {
				log.Warn("upload: the server refused an item; repaired and queued again", "name", it.Name, "repair", how, "error", err)
				continue
			}
			log.Error("upload: LOST: the server refused "+describe(it, payload)+"; set aside in the spool's rejected folder",
				"name", it.Name, "error", err)
			if err := u.Spool.Reject(it, err.Error()); err != nil {
				log.Error("upload: rejecting an item", "name", it.Name, "error", err)
				if err := fail(); err != nil {
					return ctx.Err()
				}
			}
		default:
			log.Warn("upload: will retry", "name", it.Name, "attempt", attempt+1, "error", err)
			if err := fail(); err != nil {
				return ctx.Err()
			}
		}
	}
}

// backoff is rand * min(Max, Base*2^attempt).
func (u *Uploader) backoff(attempt int) time.Duration {
	base, maxD := u.Base, u.Max
	if base <= 0 {
		base = time.Second
	}
	if maxD <= 0 {
		maxD = 5 * time.Minute
	}
	ceil := min(base, maxD)
	for i := 0; i < attempt && ceil < maxD; i++ {
		if ceil > maxD/2 {
			ceil = maxD
			break
		}
		ceil *= 2
	}
	r := rand.Float64
	if u.Rand != nil {
		r = u.Rand
	}
	f := r()
	switch {
	case !(f >= 0): // negative or NaN
		f = 0
	case f >= 1:
		f = math.Nextafter(1, 0)
	}
	return time.Duration(f * float64(ceil))
}

func (u *Uploader) sleep(ctx context.Context, d time.Duration) error {
	if u.Sleep != nil {
		if err := u.Sleep(ctx, d); err != nil {
			return err
		}
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// repair puts back an item the server refused for a reason the agent can
// mend, and says how ("" when it can't): an activity without a valid
// organization gets the current one; a screenshot whose activity is still queued goes behind it
// (the server takes a screenshot only after its activity). Each item is
// repaired at most maxRepairs times.
func (u *Uploader) repair(it spool.Item, payload []byte) (string, error) {
	if u.repairs == nil {
		u.repairs = map[string]int{}
	}
	key := it.Kind + "/" + it.ID
	if u.repairs[key] >= maxRepairs {
		return "", nil
	}
	switch it.Kind {
	case spool.KindActivity:
		b := u.withOrg(payload)
		if b == nil {
			return "", nil
		}
		u.repairs[key]++
		// In place: it goes again at once. A newer report of the slot,
		// spooled meanwhile, stays as it is and goes instead.
		if err := u.Spool.Replace(it, b); err != nil && !errors.Is(err, spool.ErrReplaced) {
			return "", err
		}
		return "organization set to " + u.Org, nil
	case spool.KindScreenshot:
		meta, _, err := spool.DecodeScreenshot(payload)
		if err != nil || !u.queued(spool.KindActivity, meta.Activity) {
			return "", nil
		}
		u.repairs[key]++
		_, _, err = u.Spool.Requeue(it)
		return "queued behind its activity " + meta.Activity, err
	}
	return "", nil
}

// revive queues again the items an earlier run set aside that it can
// repair now: activities without a valid organization, then the
// screenshots refused because such an activity wasn't there.
func (u *Uploader) revive(log *slog.Logger) {
	rej, err := u.Spool.Rejected()
	if err != nil {
		log.Error("upload: listing rejected items", "error", err)
		return
	}
	for _, kind := range []string{spool.KindActivity, spool.KindScreenshot} {
		for _, r := range rej {
			if r.Kind != kind {
				continue
			}
			payload, err := u.Spool.ReadRejected(r)
			if err != nil {
				log.Error("upload: reading a rejected item", "name", r.Name, "error", err)
				continue
			}
			if payload = u.mended(r, payload); payload == nil {
				continue
			}
			if err := u.Spool.Restore(r, payload); err != nil {
				log.Error("upload: queueing a rejected item again", "name", r.Name, "error", err)
				continue
			}
			log.Warn("upload: a rejected item is repaired and queued again", "name", r.Name, "reason", r.Reason)
		}
	}
}

// mended is a rejected item's payload made acceptable, nil if it can't be.
func (u *Uploader) mended(r spool.Rejected, payload []byte) []byte {
	switch r.Kind {
	case spool.KindActivity:
		return u.withOrg(payload)
	case spool.KindScreenshot:
		meta, _, err := spool.DecodeScreenshot(payload)
		if err != nil || !strings.Contains(r.Reason, "activity first") || !u.queued(spool.KindActivity, meta.Activity) {
			return nil
		}
		return payload
	}
	return nil
}

// withOrg is the payload of an activity that names no valid organization
// with the current one; nil for any other (or when none is known).
func (u *Uploader) withOrg(payload []byte) []byte {
	a, err := spool.DecodeActivity(payload)
	if err != nil || ingest.IsRecordID(a.Org) || !ingest.IsRecordID(u.Org) {
		return nil
	}
	a.Org = u.Org
	b, err := spool.EncodeActivity(a)
	if err != nil {
		return nil
	}
	return b
}

// queued reports whether an item of kind and id waits in the spool.
func (u *Uploader) queued(kind, id string) bool {
	for _, q := range u.Spool.Items() {
		if q.Kind == kind && q.ID == id {
			return true
		}
	}
	return false
}

// describe says in words what an item holds, for the log of a lost one.
func describe(it spool.Item, payload []byte) string {
	switch it.Kind {
	case spool.KindActivity:
		if a, err := spool.DecodeActivity(payload); err == nil {
			return fmt.Sprintf("the activity of the slot at %s (%d s tracked)", a.SlotStart.Local().Format(time.DateTime), a.TrackedSeconds)
		}
	case spool.KindScreenshot:
		if m, _, err := spool.DecodeScreenshot(payload); err == nil {
			return fmt.Sprintf("the screenshot of screen %d taken at %s", m.Screen, m.TakenAt.Local().Format(time.DateTime))
		}
	}
	return "an unreadable " + it.Kind
}
