package gate_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

// TestHostileRequests tries to get around the matrix with forged ids,
// filters, expansions and counts; each must be refused or answer nothing.
func TestHostileRequests(t *testing.T) {
	fx, err := hookstest.MatrixFixture()
	if err != nil {
		t.Fatal(err)
	}
	waltInA := tt.DataID("shot", tt.Walt, tt.ProjA)
	carolsShot := tt.DataID("shot", tt.Carol, tt.ProjA)
	list := func(collection, filter string, extra ...string) string {
		u := hookstest.RecordsURL(collection) + "?filter=" + url.QueryEscape(filter)
		for _, e := range extra {
			u += "&" + e
		}
		return u
	}
	cases := []struct {
		name       string
		user       string
		method     string
		url        string
		body       string
		wantStatus int
		mustHave   []string
		mustNot    []string
		unchanged  string // a collection whose record count must not move
		check      func(t *testing.T, app core.App)
	}{
		{
			name: "filter that tries to close the scope's parentheses", user: tt.Carol, method: "GET",
			url:        list(schema.Screenshots, `id != "") || (id != ""`),
			wantStatus: 400, mustNot: []string{waltInA},
		},
		{
			name: "filter ending in a comment can't swallow the scope", user: tt.Carol, method: "GET",
			url:        list(schema.Screenshots, `id != "" // `),
			wantStatus: 200, mustHave: []string{carolsShot, `"totalItems":1`}, mustNot: []string{waltInA},
		},
		{
			name: "filter through a back-relation can't read another's time", user: tt.Carol, method: "GET",
			url:        list(schema.Projects, fmt.Sprintf(`activities_via_project.user = %q && activities_via_project.tracked_seconds > 500`, tt.Walt)),
			wantStatus: 400, mustNot: []string{tt.ProjA},
		},
		{
			name: "filter through @collection can't read another's time", user: tt.Carol, method: "GET",
			url:        list(schema.Projects, fmt.Sprintf(`@collection.activities.user ?= %q`, tt.Walt)),
			wantStatus: 400, mustNot: []string{tt.ProjA},
		},
		{
			name: "one's own user record filtered through a back-relation can't read a pay rate", user: tt.Carol, method: "GET",
			url:        list(schema.Users, fmt.Sprintf(`memberships_via_user.org.rates_via_org.pay_rate_cents ?= %d`, tt.MoneyDefaultPay)),
			wantStatus: 400, mustNot: []string{tt.Carol},
		},
		{
			name: "signing up with someone else's organizations is refused", user: "", method: "POST",
			url:        hookstest.RecordsURL(schema.Users),
			body:       fmt.Sprintf(`{"email":"mallory@example.test","password":"secret-password-1","passwordConfirm":"secret-password-1","tock_orgs":",%s,"}`, tt.Acme),
			wantStatus: 200, check: noOrgsFor("mallory@example.test"),
		},
		{
			name: "no one grants themselves organizations", user: tt.Erin, method: "PATCH",
			url:        hookstest.RecordsURL(schema.Users) + "/" + tt.Erin,
			body:       fmt.Sprintf(`{"tock_orgs":",%s,"}`, tt.Acme),
			wantStatus: 200, check: noOrgsFor(tt.Erin + "@example.test"),
		},
		{
			name: "filter on a budget the reader may not see narrows to nothing", user: tt.Carol, method: "GET",
			url:        list(schema.Projects, `budget > 50`),
			wantStatus: 200, mustHave: []string{`"totalItems":0`},
		},
		{
			name: "filter through a relation on a hidden budget narrows too", user: tt.Carol, method: "GET",
			url:        list(schema.Tasks, `project.budget > 50`),
			wantStatus: 200, mustHave: []string{`"totalItems":0`},
		},
		{
			name: "sorting by a hidden budget narrows to nothing", user: tt.Carol, method: "GET",
			url:        hookstest.RecordsURL(schema.Projects) + "?sort=budget",
			wantStatus: 200, mustHave: []string{`"totalItems":0`},
		},
		{
			name: "projects list hides the budget from a user", user: tt.Carol, method: "GET",
			url:        hookstest.RecordsURL(schema.Projects),
			wantStatus: 200, mustHave: []string{tt.ProjA}, mustNot: []string{`"budget"`, tt.ProjB},
		},
		{
			name: "expanding a back-relation shows no one else's membership", user: tt.Carol, method: "GET",
			url:        hookstest.RecordsURL(schema.Memberships) + "?expand=" + url.QueryEscape("org.memberships_via_org"),
			wantStatus: 200, mustHave: []string{tt.MembershipID(tt.Carol)}, mustNot: []string{tt.MembershipID(tt.Walt), tt.MembershipID(tt.Alice)},
		},
		{
			name: "expanding a screenshot's activity stays within what may be seen", user: tt.Pam, method: "GET",
			url:        hookstest.RecordsURL(schema.Screenshots) + "?expand=activity,project,user",
			wantStatus: 200, mustHave: []string{waltInA}, mustNot: []string{tt.ProjB, tt.ProjG, tt.DataID("shot", tt.Walt, tt.ProjB)},
		},
		{
			name: "a filter naming another organization counts nothing", user: tt.Dave, method: "GET",
			url:        list(schema.Screenshots, fmt.Sprintf("org = %q", tt.Acme)),
			wantStatus: 200, mustHave: []string{`"totalItems":0`},
		},
		{
			name: "another organization's record answers as if missing", user: tt.Dave, method: "GET",
			url:        hookstest.RecordsURL(schema.Projects) + "/" + tt.ProjA,
			wantStatus: 404, mustHave: []string{`"data":{}`}, mustNot: []string{"Acme"},
		},
		{
			name: "a task forged into another organization's project", user: tt.Carol, method: "POST",
			url:        hookstest.RecordsURL(schema.Tasks),
			body:       fmt.Sprintf(`{"org":%q,"project":%q,"title":"forged"}`, tt.Globex, tt.ProjG),
			wantStatus: 400, unchanged: schema.Tasks,
		},
		{
			name: "a task whose org and project disagree", user: tt.Alice, method: "POST",
			url:        hookstest.RecordsURL(schema.Tasks),
			body:       fmt.Sprintf(`{"org":%q,"project":%q,"title":"forged"}`, tt.Acme, tt.ProjG),
			wantStatus: 400, unchanged: schema.Tasks,
		},
		{
			name: "time forged in someone else's name", user: tt.Carol, method: "POST",
			url: hookstest.RecordsURL(schema.Activities),
			body: fmt.Sprintf(`{"org":%q,"project":%q,"user":%q,"slot_start":"2026-11-02 10:00:00.000Z","tracked_seconds":600,"source":"manual"}`,
				tt.Acme, tt.ProjA, tt.Walt),
			wantStatus: 400, unchanged: schema.Activities,
		},
		{
			name: "a screenshot record can't be created through the API", user: tt.Carol, method: "POST",
			url: hookstest.RecordsURL(schema.Screenshots),
			body: fmt.Sprintf(`{"org":%q,"project":%q,"user":%q,"activity":%q,"taken_at":"2026-11-02 09:05:00.000Z","width":1,"height":1,"size":1,"sha256":"%s","key_id":"k","storage_key":"x"}`,
				tt.Acme, tt.ProjA, tt.Carol, tt.DataID("act", tt.Carol, tt.ProjA), strings.Repeat("0", 64)),
			wantStatus: 403, unchanged: schema.Screenshots,
		},
		{
			name: "a user can't raise their own role", user: tt.Bob, method: "PATCH",
			url:        hookstest.RecordsURL(schema.Memberships) + "/" + tt.MembershipID(tt.Bob),
			body:       `{"role":"owner"}`,
			wantStatus: 403,
		},
		{
			name: "a manager can't make someone an owner", user: tt.Bob, method: "PATCH",
			url:        hookstest.RecordsURL(schema.Memberships) + "/" + tt.MembershipID(tt.Carol),
			body:       `{"role":"owner"}`,
			wantStatus: 403,
		},
		{
			name: "a manager can't grant managers the screenshots", user: tt.Bob, method: "PATCH",
			url:        hookstest.RecordsURL(schema.Organizations) + "/" + tt.Acme,
			body:       `{"managers_view_screenshots":true}`,
			wantStatus: 403,
		},
		{
			name: "a project manager can't make themselves manager elsewhere", user: tt.Pam, method: "POST",
			url:  hookstest.RecordsURL(schema.ProjectMembers),
			body: fmt.Sprintf(`{"org":%q,"project":%q,"user":%q,"role":"manager"}`, tt.Acme, tt.ProjB, tt.Pam),
			// PocketBase checks the (matrix-compiled) create rule before any hook.
			wantStatus: 400, unchanged: schema.ProjectMembers,
		},
		{
			name: "a team lead can't pull a project into their team", user: tt.Tess, method: "POST",
			url:        hookstest.RecordsURL(schema.TeamProjects),
			body:       fmt.Sprintf(`{"org":%q,"team":%q,"project":%q}`, tt.Acme, tt.TeamT, tt.ProjB),
			wantStatus: 403, unchanged: schema.TeamProjects,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			app := fx.App(t)
			defer app.Cleanup()
			before := 0
			if tc.unchanged != "" {
				before = hookstest.Count(t, app, tc.unchanged, "1=1", nil)
			}
			token := ""
			if tc.user != "" {
				token = fx.Token(t, tc.user)
			}
			status, body := tt.Do(t, app, tc.method, tc.url, tc.body, token)
			if status != tc.wantStatus {
				t.Errorf("status %d, want %d: %.400s", status, tc.wantStatus, body)
			}
			for _, s := range tc.mustHave {
				if !strings.Contains(body, s) {
					t.Errorf("response lacks %q: %.400s", s, body)
				}
			}
			for _, s := range tc.mustNot {
				if strings.Contains(body, s) {
					t.Errorf("response leaks %q: %.400s", s, body)
				}
			}
			if tc.check != nil {
				tc.check(t, app)
			}
			if tc.unchanged != "" {
				if after := hookstest.Count(t, app, tc.unchanged, "1=1", nil); after != before {
					t.Errorf("%s went from %d to %d records", tc.unchanged, before, after)
				}
			}
		})
	}
}

// noOrgsFor checks that the person's organizations field, which list rules
// read, stayed empty whatever their request said.
func noOrgsFor(email string) func(*testing.T, core.App) {
	return func(t *testing.T, app core.App) {
		u, err := app.FindAuthRecordByEmail(schema.Users, email)
		if err != nil {
			t.Fatal(err)
		}
		if v := u.GetString(schema.UserOrgsField); v != "" {
			t.Fatalf("%s now lists %q", email, v)
		}
	}
}
