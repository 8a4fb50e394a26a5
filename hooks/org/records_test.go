package org_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

// records asks RecordsRoute as user and returns, per kind, who can see it
// ("user:reach").
func records(t *testing.T, h http.Handler, token string) (api.Records, map[string][]string) {
	t.Helper()
	st, _, body := tt.Send(h, tt.JSONRequest(http.MethodGet, hookstest.OrgURL(api.RecordsRoute, tt.Acme), "", token))
	if st != 200 {
		t.Fatalf("records: %d %s", st, body)
	}
	var r api.Records
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatal(err)
	}
	who := map[string][]string{}
	for _, k := range r.Kinds {
		for _, v := range k.Viewers {
			who[k.Kind] = append(who[k.Kind], v.User+":"+v.Reach)
		}
		sort.Strings(who[k.Kind])
	}
	return r, who
}

// TestRecordsRoute: Walt (in projects A and B, team T) learns who sees his
// screenshots — the owner, himself, project A's manager and viewer, team T's
// lead, and the managers only once the owner enables it — and his apps;
// what is kept how long follows the settings; outsiders get a 404.
func TestRecordsRoute(t *testing.T) {
	fx, factory := hookstest.Seeded(t)
	app := factory(t)
	h := tt.Handler(t, app)
	token := fx.Token(t, tt.Walt)

	r, who := records(t, h, token)
	shots := []string{tt.Alice + ":all", tt.Pam + ":projects", tt.Tess + ":team", tt.Vic + ":projects", tt.Walt + ":own"}
	sort.Strings(shots)
	if !reflect.DeepEqual(who["screenshots"], shots) {
		t.Errorf("screenshots seen by %v, want %v", who["screenshots"], shots)
	}
	apps := append([]string{tt.Bob + ":all"}, shots...)
	sort.Strings(apps)
	if !reflect.DeepEqual(who["apps"], apps) {
		t.Errorf("apps seen by %v, want %v", who["apps"], apps)
	}
	if r.RetentionDays != schema.DefaultRetentionDays || !strings.Contains(r.Kinds[0].Kept, "after 90 days") ||
		!strings.Contains(r.Kinds[0].Recorded, "not blurred") {
		t.Errorf("screenshots: %+v", r.Kinds[0])
	}
	for _, k := range r.Kinds {
		for _, v := range k.Viewers {
			if v.Reach == "projects" && !reflect.DeepEqual(v.Projects, []string{tt.ProjA}) {
				t.Errorf("%s sees %s in %v, want project A only", v.User, k.Kind, v.Projects)
			}
		}
	}
	hookstest.SetToggles(t, app, true)
	hookstest.SetFields(t, app, schema.Organizations, tt.Acme, map[string]any{"blur_screenshots": true, "retention_days": 30})
	r, who = records(t, h, token)
	if !strings.Contains(strings.Join(who["screenshots"], " "), tt.Bob+":all") {
		t.Errorf("with managers_view_screenshots on, the manager isn't listed: %v", who["screenshots"])
	}
	if !strings.Contains(r.Kinds[0].Recorded, "blurred on your computer") || !strings.Contains(r.Kinds[0].Kept, "after 30 days") {
		t.Errorf("screenshots after the settings changed: %+v", r.Kinds[0])
	}

	for _, user := range []string{tt.Dave, tt.Erin} {
		if st, _, _ := tt.Send(h, tt.JSONRequest(http.MethodGet, hookstest.OrgURL(api.RecordsRoute, tt.Acme), "", fx.Token(t, user))); st != 404 {
			t.Errorf("%s: %d, want 404", user, st)
		}
	}
}
