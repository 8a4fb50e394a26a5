package pbpublic_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pocketbase/pocketbase/tests"

	"github.com/tock-app/tock/envelope"
	"github.com/tock-app/tock/ingest"
	bt "github.com/tock-app/tock/internal/browsertest"
	tt "github.com/tock-app/tock/internal/tocktest"
)

// world is a real `tock serve` on a copy of a seeded data directory.
type world struct {
	bin string
	srv *tt.Server
	fix *tt.Fixture
}

// newWorld starts a world for the test and runs the test in parallel with
// the other world tests (as many at once as go test's -parallel, by default
// the number of CPUs): a world shares nothing with another, it has its own
// server on its own copy of the fixture, and its own browsers.
func newWorld(t *testing.T, seed func(*testing.T) *tt.Fixture, env ...string) *world {
	t.Helper()
	return newWorldAt(t, tt.FreeAddr(t), seed, env...)
}

// newWorldAt is newWorld on a chosen address, for a fixture that needs to
// know the server's URL (the Application URL its mails link to).
func newWorldAt(t *testing.T, addr string, seed func(*testing.T) *tt.Fixture, env ...string) *world {
	t.Helper()
	t.Parallel()
	return anotherWorld(t, addr, seed, env...)
}

// anotherWorld starts a further world for a test that already has one (the
// test runs in parallel since its first).
func anotherWorld(t *testing.T, addr string, seed func(*testing.T) *tt.Fixture, env ...string) *world {
	t.Helper()
	bin := tt.Binary(t)
	w := &world{fix: seed(t)}
	dir, err := tests.TempDirClone(w.fix.Dir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	w.bin = bin
	w.srv = tt.Serve(t, bin, addr, append([]string{"TOCK_DIR=" + dir, "TOCK_MASTER_KEY=" + tt.MasterKey}, env...)...)
	return w
}

// The fixtures worlds clone are made once for the package: a world never
// writes its fixture, only its own copy.
var (
	emptySeed  = sync.OnceValues(func() (*tt.Fixture, error) { return tt.NewFixture(nil) })
	matrixSeed = sync.OnceValues(func() (*tt.Fixture, error) { return tt.NewFixture(tt.Matrix) })
)

func emptyFixture(t *testing.T) *tt.Fixture { return shared(t, emptySeed) }

func matrixFixture(t *testing.T) *tt.Fixture { return shared(t, matrixSeed) }

func shared(t *testing.T, seed func() (*tt.Fixture, error)) *tt.Fixture {
	t.Helper()
	f, err := seed()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// login signs in over the API and returns the token, as the agent does.
func (w *world) login(t *testing.T, email, password string) (token, userID string) {
	t.Helper()
	var auth struct {
		Token  string
		Record struct{ ID string }
	}
	if st := tt.API(t, "POST", w.srv.URL+"/api/collections/users/auth-with-password", "",
		map[string]string{"identity": email, "password": password}, &auth); st != 200 {
		t.Fatalf("login %s: %d", email, st)
	}
	return auth.Token, auth.Record.ID
}

// slot is the last closed 10-minute slot, minus back slots.
func slot(back int) time.Time {
	return time.Now().UTC().Truncate(10 * time.Minute).Add(-time.Duration(back+1) * 10 * time.Minute)
}

// slotsOfOneDay are slot(back) for each back, moved earlier together when
// they would straddle midnight (UTC, the fixtures' zone), so that a page of
// one day shows them all whatever the hour the test runs.
func slotsOfOneDay(backs ...int) []time.Time {
	out := make([]time.Time, len(backs))
	for i, b := range backs {
		out[i] = slot(b)
	}
	return oneDay(out)
}

// oneDay moves slots earlier together, if they straddle midnight, until the
// latest is the last slot of the day before.
func oneDay(slots []time.Time) []time.Time {
	first, last := slices.MinFunc(slots, time.Time.Compare), slices.MaxFunc(slots, time.Time.Compare)
	midnight := last.Truncate(24 * time.Hour)
	if !first.Before(midnight) {
		return slots
	}
	out := make([]time.Time, len(slots))
	for i, s := range slots {
		out[i] = s.Add(-last.Sub(midnight) - 10*time.Minute)
	}
	return out
}

// track uploads one slot of work the way `tock agent` does: the activity with
// its apps, then each screenshot sealed for the organization's key.
func (w *world) track(t *testing.T, token, user, org, project string, start time.Time, shots int) {
	t.Helper()
	id := fmt.Sprintf("act-%s-%d", user, start.Unix())
	act := ingest.Activity{
		ClientID: id, Org: org, Project: project, SlotStart: start,
		TrackedSeconds: 540, KeyboardSeconds: 200, MouseSeconds: 300, ActiveSeconds: 405,
		Apps: []ingest.AppSeconds{
			{App: "firefox", Title: "Pull request", URL: "https://git.example.test/pr/7", Seconds: 300},
			{App: "code", Title: "main.go", Seconds: 240},
		},
	}
	if st := tt.API(t, "POST", w.srv.URL+ingest.ActivitiesRoute, token, act, nil); st != 200 {
		t.Fatalf("upload activity: %d", st)
	}
	var o struct {
		PublicKey string `json:"public_key"`
	}
	tt.API(t, "GET", w.srv.URL+"/api/collections/organizations/records/"+org, token, nil, &o)
	var pub [32]byte
	if b, err := base64.StdEncoding.DecodeString(o.PublicKey); err != nil || copy(pub[:], b) != 32 {
		t.Fatalf("public key of %s: %q %v", org, o.PublicKey, err)
	}
	for i := range shots {
		meta := ingest.Screenshot{
			ClientID: fmt.Sprintf("shot-%s-%d-%d", user, start.Unix(), i), Org: org, Activity: id,
			TakenAt: start.Add(time.Duration(2+3*i) * time.Minute).Truncate(time.Millisecond), Screen: i, Width: 640, Height: 400,
		}
		env, err := envelope.Seal(rand.Reader, pub, envelope.Metadata{ID: meta.ClientID, Org: org, User: user, TakenAt: meta.TakenAt, Screen: i}, tt.JPEG(t, 640, 400, byte(17*i)))
		if err != nil {
			t.Fatal(err)
		}
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		m, _ := json.Marshal(meta)
		mw.WriteField("meta", string(m))
		f, _ := mw.CreateFormFile("envelope", meta.ClientID+".tock")
		f.Write(env)
		mw.Close()
		req, _ := http.NewRequest("POST", w.srv.URL+ingest.ScreenshotsRoute, &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("upload screenshot: %d %s", res.StatusCode, b)
		}
	}
}

// count returns how many records of collection the token's owner may list with filter.
func (w *world) count(t *testing.T, token, collection, filter string) int {
	t.Helper()
	var page struct{ TotalItems int }
	u := w.srv.URL + "/api/collections/" + collection + "/records?perPage=1&filter=" + url.QueryEscape(filter)
	if st := tt.API(t, "GET", u, token, nil, &page); st != 200 {
		t.Fatalf("list %s: %d", collection, st)
	}
	return page.TotalItems
}

// browser opens a browser on the world; it checks, when the test ends, that
// the pages neither failed nor fetched anything from outside the appliance.
func (w *world) browser(t *testing.T, width, height int) *bt.Browser {
	t.Helper()
	b := bt.New(t, w.srv.URL, width, height)
	t.Cleanup(func() {
		if f := b.Foreign(); len(f) > 0 {
			t.Errorf("requests outside the appliance: %v", f)
		}
		if e := b.Errors(); len(e) > 0 {
			t.Errorf("page errors: %v", e)
		}
	})
	return b
}

// open loads a page of the app afresh, as typing its address would, and
// waits for its heading. (Going to about:blank first makes it a real load:
// a change of the fragment alone would keep the previous page's heading.)
func open(t *testing.T, b *bt.Browser, w *world, hash string) {
	t.Helper()
	b.Do(t, "open "+hash, chromedp.Navigate("about:blank"), chromedp.Navigate(w.srv.URL+"/#/"+hash))
	b.Wait(t, "the page of "+hash, `document.querySelector("main h1") && !document.querySelector("main noscript")`)
}

// signIn signs in through the form, typing like a person.
func signIn(t *testing.T, b *bt.Browser, w *world, email, password string) {
	t.Helper()
	open(t, b, w, "signin")
	b.Do(t, "sign in as "+email,
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), email),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), password),
		chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	b.Wait(t, "signed in", `document.querySelector("#org-switcher")`)
}

// navLinks is the text of the main navigation.
func navLinks(t *testing.T, b *bt.Browser) []string {
	return bt.Eval[[]string](t, b, `[...document.querySelectorAll("nav a")].map(a => a.textContent)`)
}

// exists reports whether a CSS selector matches in the page.
func exists(t *testing.T, b *bt.Browser, sel string) bool {
	return bt.Eval[bool](t, b, fmt.Sprintf(`!!document.querySelector(%q)`, sel))
}

// unnamedControls lists the controls a screen reader can't name.
func unnamedControls(t *testing.T, b *bt.Browser) []string {
	return bt.Eval[[]string](t, b, `[...document.querySelectorAll("main input, main select, main button, main a, header select, header button, header a")]
		.filter(el => el.type !== "hidden" && !(el.labels && el.labels.length) && !el.getAttribute("aria-label") && !el.textContent.trim() && !el.querySelector("img[alt]"))
		.map(el => el.outerHTML.slice(0, 80))`)
}

func TestOneDay(t *testing.T) {
	at := func(hm string) time.Time {
		v, err := time.Parse("2006-01-02 15:04", hm)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct{ in, want []string }{
		{in: []string{"2026-12-07 10:20", "2026-12-07 10:00"}, want: []string{"2026-12-07 10:20", "2026-12-07 10:00"}},
		{in: []string{"2026-12-07 00:00", "2026-12-06 23:30"}, want: []string{"2026-12-06 23:50", "2026-12-06 23:20"}},
		{in: []string{"2026-12-06 23:40", "2026-12-07 00:10", "2026-12-06 23:50"}, want: []string{"2026-12-06 23:20", "2026-12-06 23:50", "2026-12-06 23:30"}},
	}
	for _, tc := range cases {
		var in []time.Time
		for _, s := range tc.in {
			in = append(in, at(s))
		}
		var got []string
		for _, s := range oneDay(in) {
			got = append(got, s.Format("2006-01-02 15:04"))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("oneDay(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
