package screenshots_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	"github.com/tock-app/tock/hooks/reply"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

// The matrix seed gives everyone who tracks one slot of project A at 09:00
// UTC on 2026-11-02 (Acme's zone is UTC), Walt one of B too, each with one
// screenshot and one app with a URL; managers_view_screenshots is off.
const seedDay = "2026-11-02"

// galleryCase is one request and the slots it must answer, as
// "user/project", with whether their screenshot comes along.
type galleryCase struct {
	name, who, query string
	status           int
	slots            []string
	shots            bool
	before           func(t testing.TB, app *tests.TestApp)
}

func galleryURL(query string) string { return hookstest.OrgURL(api.GalleryRoute, tt.Acme) + query }

// TestGalleryOfOneMember: each role gets exactly the slots, screenshots and
// apps of the member that its lists would show; bad requests are refused.
func TestGalleryOfOneMember(t *testing.T) {
	a, b := tt.Walt+"/"+tt.ProjA, tt.Walt+"/"+tt.ProjB
	q := func(user string) string { return "?day=" + seedDay + "&user=" + user }
	cases := []galleryCase{
		{name: "owner sees both of Walt's slots", who: tt.Alice, query: q(tt.Walt), status: 200, slots: []string{a, b}, shots: true},
		{name: "manager sees the slots, not the screenshots (toggle off)", who: tt.Bob, query: q(tt.Walt), status: 200, slots: []string{a, b}},
		{name: "manager sees the screenshots with the toggle on", who: tt.Bob, query: q(tt.Walt), status: 200, slots: []string{a, b}, shots: true,
			before: func(t testing.TB, app *tests.TestApp) { hookstest.SetToggles(t, app, true) }},
		{name: "project manager sees Walt's slot of their project only", who: tt.Pam, query: q(tt.Walt), status: 200, slots: []string{a}, shots: true},
		{name: "project viewer sees Walt's slot of their project only", who: tt.Vic, query: q(tt.Walt), status: 200, slots: []string{a}, shots: true},
		{name: "team lead sees their member's every slot", who: tt.Tess, query: q(tt.Walt), status: 200, slots: []string{a, b}, shots: true},
		{name: "team lead sees the team's project's slots of others", who: tt.Tess, query: q(tt.Carol), status: 200, slots: []string{tt.Carol + "/" + tt.ProjA}, shots: true},
		{name: "a user sees their own", who: tt.Walt, query: q(tt.Walt), status: 200, slots: []string{a, b}, shots: true},
		{name: "a user gets nothing of someone else", who: tt.Walt, query: q(tt.Alice), status: 200},
		{name: "a project manager gets nothing of a member outside their projects", who: tt.Pam, query: q(tt.Nia), status: 200},
		{name: "a day with nothing", who: tt.Alice, query: "?day=2026-11-03&user=" + tt.Walt, status: 200},
		{name: "an unknown member is a day with nothing", who: tt.Alice, query: q("usrnobody000001"), status: 200},
		{name: "a bad day", who: tt.Alice, query: "?day=2026-13-01&user=" + tt.Walt, status: 400},
		{name: "a missing day", who: tt.Alice, query: "?user=" + tt.Walt, status: 400},
		{name: "a bad user id", who: tt.Alice, query: "?day=" + seedDay + "&user=x'--", status: 400},
		{name: "a missing user", who: tt.Alice, query: "?day=" + seedDay, status: 400},
		{name: "another organization's owner gets 404", who: tt.Dave, query: q(tt.Walt), status: 404},
		{name: "a member of nothing gets 404", who: tt.Erin, query: q(tt.Walt), status: 404},
		{name: "signing in is required", query: q(tt.Walt), status: 401},
	}
	runGallery(t, cases, func(t testing.TB, g api.Gallery, tc galleryCase) {
		if len(g.Members) != 0 {
			t.Errorf("members %+v in one member's day", g.Members)
		}
		checkSlots(t, g.Slots, tc)
		for _, sl := range g.Slots {
			if len(sl.Apps) != 1 || sl.Apps[0].App != "editor" || sl.Apps[0].URL != "https://intranet.example/"+sl.User || sl.Apps[0].Seconds != 300 {
				t.Errorf("apps of %s: %+v", sl.ID, sl.Apps)
			}
		}
	})
}

// TestGalleryOfEveryone: the all-members day has a row per member with
// slots the requester may see, each slot with its first screenshot when the
// requester may see screenshots, and the row's sums.
func TestGalleryOfEveryone(t *testing.T) {
	q := "?day=" + seedDay + "&user=" + api.GalleryAll
	inA := func(users ...string) []string {
		var out []string
		for _, u := range users {
			out = append(out, u+"/"+tt.ProjA)
		}
		return out
	}
	everyone := append(inA(tt.Alice, tt.Bob, tt.Carol, tt.Pam, tt.Tess, tt.Walt), tt.Walt+"/"+tt.ProjB)
	cases := []galleryCase{
		{name: "owner sees everyone", who: tt.Alice, query: q, status: 200, slots: everyone, shots: true},
		{name: "manager sees everyone's slots without screenshots", who: tt.Bob, query: q, status: 200, slots: everyone},
		{name: "project manager sees their project's", who: tt.Pam, query: q, status: 200, slots: inA(tt.Alice, tt.Bob, tt.Carol, tt.Pam, tt.Tess, tt.Walt), shots: true},
		{name: "team lead sees the team's project and members", who: tt.Tess, query: q, status: 200, slots: everyone, shots: true},
		{name: "a user sees their own row", who: tt.Walt, query: q, status: 200, slots: []string{tt.Walt + "/" + tt.ProjA, tt.Walt + "/" + tt.ProjB}, shots: true},
		{name: "a user who tracked nothing sees no rows", who: tt.Nia, query: q, status: 200},
		{name: "a day with nothing has no rows", who: tt.Alice, query: "?day=2026-11-01&user=all", status: 200},
		{name: "another organization's owner gets 404", who: tt.Dave, query: q, status: 404},
		{name: "signing in is required", query: q, status: 401},
	}
	runGallery(t, cases, func(t testing.TB, g api.Gallery, tc galleryCase) {
		if len(g.Slots) != 0 {
			t.Errorf("slots %+v outside the members' rows", g.Slots)
		}
		var slots []api.GallerySlot
		for i, m := range g.Members {
			if i > 0 && g.Members[i-1].User >= m.User {
				t.Errorf("rows not one per member by id: %s after %s", m.User, g.Members[i-1].User)
			}
			want := api.Totals{}
			for _, sl := range m.Slots {
				if sl.User != m.User {
					t.Errorf("row %s holds %s's slot", m.User, sl.User)
				}
				want.Tracked += sl.Tracked
				want.Active += sl.Active
			}
			if m.Totals != want || want.Tracked != 600*len(m.Slots) {
				t.Errorf("row %s sums %+v, want %+v", m.User, m.Totals, want)
			}
			slots = append(slots, m.Slots...)
		}
		checkSlots(t, slots, tc)
	})
}

func runGallery(t *testing.T, cases []galleryCase, check func(testing.TB, api.Gallery, galleryCase)) {
	fx, factory := hookstest.Seeded(t)
	for _, tc := range cases {
		sc := tests.ApiScenario{Name: tc.name, Method: http.MethodGet, URL: galleryURL(tc.query),
			ExpectedStatus: tc.status, TestAppFactory: factory}
		if tc.who != "" {
			sc.Headers = fx.Auth(t, tc.who)
		}
		if tc.before != nil {
			sc.BeforeTestFunc = func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) { tc.before(t, app) }
		}
		if tc.status != 200 {
			sc.ExpectedContent = []string{`"data":{}`}
			sc.NotExpectedContent = []string{`"slots"`, `"members"`}
			sc.Test(t)
			continue
		}
		sc.ExpectedContent = []string{`"day":"` + strings.SplitN(strings.TrimPrefix(tc.query, "?day="), "&", 2)[0] + `"`, `"timezone":"UTC"`}
		sc.AfterTestFunc = func(t testing.TB, _ *tests.TestApp, res *http.Response) {
			check(t, hookstest.Decoded[api.Gallery](t, res), tc)
		}
		sc.Test(t)
	}
}

// checkSlots compares slots with the case's, and their screenshots with its
// shots: one seeded screenshot each, or none.
func checkSlots(t testing.TB, slots []api.GallerySlot, tc galleryCase) {
	var got []string
	for _, sl := range slots {
		got = append(got, sl.User+"/"+sl.Project)
		if sl.SlotStart != "2026-11-02 09:00:00.000Z" || sl.Tracked != 600 || sl.Active != 500 || sl.Source != "tracked" {
			t.Errorf("slot %+v", sl)
		}
		want := 0
		if tc.shots {
			want = 1
		}
		if len(sl.Screenshots) != want {
			t.Errorf("slot %s has %d screenshots, want %d", sl.ID, len(sl.Screenshots), want)
			continue
		}
		for _, sh := range sl.Screenshots {
			if sh.ID != tt.DataID("shot", sl.User, sl.Project) || sh.Activity != sl.ID || sh.Width != 1280 || sh.Height != 800 || sh.TakenAt != "2026-11-02 09:05:00.000Z" {
				t.Errorf("screenshot %+v of slot %s", sh, sl.ID)
			}
		}
	}
	slices.Sort(got)
	want := slices.Sorted(slices.Values(tc.slots))
	if !slices.Equal(got, want) {
		t.Errorf("slots %v, want %v", got, want)
	}
}

// TestGalleryShowsWhatTheListsShow: for every role, every member and every
// member at once, the gallery's slots, screenshots and apps (URLs included)
// are those the records lists of activities, screenshots and app_usage give
// the same requester for that day.
func TestGalleryShowsWhatTheListsShow(t *testing.T) {
	fx, _ := hookstest.Seeded(t)
	app := fx.App(t)
	defer app.Cleanup()
	h := tt.Handler(t, app)
	day := `>= "2026-11-02 00:00:00.000Z" && %s < "2026-11-03 00:00:00.000Z"`
	who := []string{tt.Walt, tt.Nia}
	for _, p := range hookstest.People() {
		who = append(who, p.User)
	}
	for _, requester := range who {
		token := fx.Token(t, requester)
		for _, user := range []string{api.GalleryAll, tt.Alice, tt.Walt, tt.Carol} {
			var g api.Gallery
			get(t, h, galleryURL("?day="+seedDay+"&user="+user), token, &g)
			slots := g.Slots
			for _, m := range g.Members {
				slots = append(slots, m.Slots...)
			}
			narrow := ""
			if user != api.GalleryAll {
				narrow = fmt.Sprintf(` && user = %q`, user)
			}
			var gotSlots, gotShots, gotApps []string
			for _, sl := range slots {
				gotSlots = append(gotSlots, sl.ID)
				for _, sh := range sl.Screenshots {
					gotShots = append(gotShots, sh.ID)
				}
				for _, ap := range sl.Apps {
					gotApps = append(gotApps, sl.ID+" "+ap.App+" "+ap.URL)
				}
			}
			acts := listed(t, h, token, schema.Activities, `slot_start `+fmt.Sprintf(day, "slot_start")+narrow)
			wantSlots := ids(acts)
			shots := listed(t, h, token, schema.Screenshots, `taken_at `+fmt.Sprintf(day, "taken_at")+narrow)
			var wantShots, wantApps []string
			for _, sh := range shots {
				if slices.Contains(wantSlots, sh["activity"].(string)) {
					wantShots = append(wantShots, sh["id"].(string))
				}
			}
			if user != api.GalleryAll {
				for _, ap := range listed(t, h, token, schema.AppUsage, `user != ""`+narrow) {
					if slices.Contains(wantSlots, ap["activity"].(string)) {
						u, _ := ap["url"].(string)
						wantApps = append(wantApps, fmt.Sprintf("%s %s %s", ap["activity"], ap["app"], u))
					}
				}
			}
			for _, c := range []struct {
				what      string
				got, want []string
			}{{"slots", gotSlots, wantSlots}, {"screenshots", gotShots, wantShots}, {"apps", gotApps, wantApps}} {
				slices.Sort(c.got)
				slices.Sort(c.want)
				if !slices.Equal(c.got, c.want) {
					t.Errorf("%s asking for %s: gallery's %s %v, the lists' %v", requester, user, c.what, c.got, c.want)
				}
			}
		}
	}
}

func get(t *testing.T, h http.Handler, u, token string, into any) {
	t.Helper()
	status, _, body := tt.Send(h, tt.JSONRequest(http.MethodGet, u, "", token))
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", u, status, body)
	}
	if err := json.Unmarshal([]byte(body), into); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
}

// listed is every record of collection's records list matching filter.
func listed(t *testing.T, h http.Handler, token, collection, filter string) []map[string]any {
	t.Helper()
	var page struct {
		Items []map[string]any `json:"items"`
	}
	get(t, h, "/api/collections/"+collection+"/records?perPage=500&filter="+url.QueryEscape(filter), token, &page)
	return page.Items
}

func ids(items []map[string]any) []string {
	var out []string
	for _, it := range items {
		out = append(out, it["id"].(string))
	}
	return out
}

// TestGalleryIsGzipped: a big day goes gzipped to a client that accepts it
// and reads the same once unzipped; a client that doesn't, and a small
// answer, get plain JSON. The Team dashboard (a route of reply.ServeSignedIn)
// is compressed the same way.
func TestGalleryIsGzipped(t *testing.T) {
	fx, err := hookstest.MatrixFixture()
	if err != nil {
		t.Fatal(err)
	}
	app := fx.App(t)
	day := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	var acts []hookstest.Act
	for _, u := range []string{tt.Alice, tt.Bob, tt.Carol, tt.Pam, tt.Tess, tt.Walt} {
		acts = append(acts, hookstest.Run(u, tt.ProjA, day, 144)...)
	}
	hookstest.Plant(t, app, acts...)
	h, token := tt.Handler(t, app), fx.Token(t, tt.Alice)
	for _, tc := range []struct {
		name, url string
		big       bool
	}{
		{"everyone's day", galleryURL("?day=2026-11-03&user=" + api.GalleryAll), true},
		{"the team dashboard", hookstest.OrgURL(api.TeamDashboardRoute, tt.Acme) + "?day=2026-11-03", true},
		{"one member's empty day", galleryURL("?day=2026-11-04&user=" + tt.Walt), false},
	} {
		_, plain, _ := tt.GetOK(t, h, tc.url, token, false)
		header, unzipped, sent := tt.GetOK(t, h, tc.url, token, true)
		if got := header.Get("Content-Encoding") == "gzip"; got != tc.big {
			t.Errorf("%s (%d bytes): gzipped %v, want %v", tc.name, len(plain), got, tc.big)
		}
		if !strings.Contains(header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("%s: Vary %q lacks Accept-Encoding (a cache would hand gzip to whoever asks)", tc.name, header.Get("Vary"))
		}
		if unzipped != plain {
			t.Errorf("%s: unzipped answer differs from the plain one", tc.name)
		}
		if tc.big && (len(plain) < reply.CompressFrom || sent*5 > len(plain)) {
			t.Errorf("%s: %d bytes of JSON sent as %d", tc.name, len(plain), sent)
		}
		t.Logf("%s: %d bytes of JSON, %d sent", tc.name, len(plain), sent)
	}
}
