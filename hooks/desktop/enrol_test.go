package desktop_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

// enrolCode asks the code route as token and returns the status and answer.
func enrolCode(t *testing.T, h http.Handler, token, org string) (int, api.EnrolCode, string) {
	t.Helper()
	status, _, body := tt.Send(h, tt.JSONRequest(http.MethodPost, hookstest.OrgURL(api.EnrolCodesRoute, org), "", token))
	var out api.EnrolCode
	if status == http.StatusOK {
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatalf("decode %s: %v", body, err)
		}
	}
	return status, out, body
}

// exchange sends a code to the enrol route.
func exchange(h http.Handler, code string) (int, string) {
	b, _ := json.Marshal(api.EnrolRequest{Code: code})
	status, _, body := tt.Send(h, tt.JSONRequest(http.MethodPost, api.EnrolRoute, string(b), ""))
	return status, body
}

// TestEnrolCodeIsForMembers: a member of the organization gets a code for
// themselves; another organization's owner, someone in no organization, a
// removed member and an anonymous request don't, and no code is made.
func TestEnrolCodeIsForMembers(t *testing.T) {
	fx, factory := hookstest.Seeded(t)
	app := factory(t)
	h := tt.Handler(t, app)
	if err := app.Delete(mustFind(t, app, schema.Memberships, tt.MembershipID(tt.Nia))); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, user string
		status     int
	}{
		{"a plain member", tt.Carol, 200},
		{"an owner", tt.Alice, 200},
		{"another organization's owner", tt.Dave, 404},
		{"a member of nothing", tt.Erin, 404},
		{"a removed member", tt.Nia, 404},
		{"nobody signed in", "", 401},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := hookstest.Count(t, app, schema.Enrolments, "1=1", nil)
			token := ""
			if tc.user != "" {
				token = fx.Token(t, tc.user)
			}
			status, code, body := enrolCode(t, h, token, tt.Acme)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			made := hookstest.Count(t, app, schema.Enrolments, "1=1", nil) - before
			if tc.status != 200 {
				if made != 0 {
					t.Errorf("a refused request made %d codes", made)
				}
				return
			}
			if len(code.Code) != 14 || !strings.HasPrefix(code.Link, "tock://enrol?server=") || time.Until(code.Expires) > api.EnrolTTL {
				t.Errorf("code %+v", code)
			}
			n := hookstest.Count(t, app, schema.AuditLog, "action = 'new_enrol_code' AND actor = {:u} AND subject = {:u}", map[string]any{"u": tc.user})
			if n != 1 {
				t.Errorf("%d audit entries of the new code", n)
			}
		})
	}
}

// TestEnrolExchange: a code signs its member in once; used, expired,
// unknown and malformed codes are refused with a sentence and change nothing;
// a code dies with its membership.
func TestEnrolExchange(t *testing.T) {
	fx, factory := hookstest.Seeded(t)
	app := factory(t)
	h := tt.Handler(t, app)

	_, code, _ := enrolCode(t, h, fx.Token(t, tt.Carol), tt.Acme)
	// Typed in lower case without dashes, as a person might.
	status, body := exchange(h, strings.ToLower(strings.ReplaceAll(code.Code, "-", "")))
	if status != 200 {
		t.Fatalf("exchange: %d %s", status, body)
	}
	var got api.Enrolled
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if got.User.ID != tt.Carol || got.Org.ID != tt.Acme || got.Token == "" {
		t.Fatalf("enrolled %+v", got)
	}
	if st, _, me := tt.Send(h, tt.JSONRequest(http.MethodGet, hookstest.OrgURL(api.MeRoute, tt.Acme), "", got.Token)); st != 200 || !strings.Contains(me, tt.Carol) {
		t.Fatalf("the enrolled session can't read Me: %d %s", st, me)
	}
	if n := hookstest.Count(t, app, schema.AuditLog, "action = 'enrol_agent' AND actor = {:u}", map[string]any{"u": tt.Carol}); n != 1 {
		t.Errorf("%d audit entries of the enrolment", n)
	}

	refused := func(name, code string, status int, words string) {
		t.Helper()
		audits := hookstest.Count(t, app, schema.AuditLog, "1=1", nil)
		st, body := exchange(h, code)
		if st != status || !strings.Contains(body, words) || strings.Contains(body, `"token"`) {
			t.Errorf("%s: %d %s, want %d with %q", name, st, body, status, words)
		}
		if n := hookstest.Count(t, app, schema.AuditLog, "1=1", nil); n != audits {
			t.Errorf("%s: the refusal wrote %d audit entries", name, n-audits)
		}
	}
	refused("a used code", code.Code, 410, "already been used")
	refused("an unknown code", "ZZZZ-ZZZZ-ZZZZ", 404, "No such enrolment code")
	refused("not a code", "hello", 400, "not an enrolment code")

	_, late, _ := enrolCode(t, h, fx.Token(t, tt.Alice), tt.Acme)
	r, err := app.FindFirstRecordByFilter(schema.Enrolments, "user = {:u} && used = ''", map[string]any{"u": tt.Alice})
	if err != nil {
		t.Fatal(err)
	}
	hookstest.SetFields(t, app, schema.Enrolments, r.Id, map[string]any{"expires": time.Now().Add(-time.Second)})
	refused("an expired code", late.Code, 410, "has expired")
	if r, _ := app.FindRecordById(schema.Enrolments, r.Id); r == nil || !r.GetDateTime("used").IsZero() {
		t.Errorf("the expired code was used up")
	}

	_, bobs, _ := enrolCode(t, h, fx.Token(t, tt.Bob), tt.Acme)
	if err := app.Delete(mustFind(t, app, schema.Memberships, tt.MembershipID(tt.Bob))); err != nil {
		t.Fatal(err)
	}
	refused("the code of a removed member", bobs.Code, 404, "No such enrolment code")
	if n := hookstest.Count(t, app, schema.Enrolments, "user = {:u}", map[string]any{"u": tt.Bob}); n != 0 {
		t.Errorf("%d codes of the removed member left", n)
	}
}

func mustFind(t *testing.T, app core.App, collection, id string) *core.Record {
	t.Helper()
	r, err := app.FindRecordById(collection, id)
	if err != nil {
		t.Fatalf("find %s %s: %v", collection, id, err)
	}
	return r
}

// TestEnrolWrongCodesWait: after ten refused codes from one address, even a
// good code from it is refused with 429 and a time to wait, and is not used
// up; another address enrols with it.
func TestEnrolWrongCodesWait(t *testing.T) {
	fx, factory := hookstest.Seeded(t)
	app := factory(t)
	h := tt.Handler(t, app)
	_, code, _ := enrolCode(t, h, fx.Token(t, tt.Carol), tt.Acme)
	from := func(addr, code string) (int, string) {
		b, _ := json.Marshal(api.EnrolRequest{Code: code})
		req := tt.JSONRequest(http.MethodPost, api.EnrolRoute, string(b), "")
		req.RemoteAddr = addr + ":40000"
		status, _, body := tt.Send(h, req)
		return status, body
	}
	for i := range 10 {
		if st, body := from("198.51.100.7", "ZZZZ-ZZZZ-ZZZ"+string(rune('0'+i))); st != 404 {
			t.Fatalf("wrong code %d: %d %s", i, st, body)
		}
	}
	if st, body := from("198.51.100.7", code.Code); st != 429 || !strings.Contains(body, "try again in") {
		t.Fatalf("the eleventh try: %d %s, want 429 saying when to try again", st, body)
	}
	if n := hookstest.Count(t, app, schema.Enrolments, "user = {:u} AND used = ''", map[string]any{"u": tt.Carol}); n != 1 {
		t.Fatalf("the refused try used the code up (%d unused left)", n)
	}
	if st, body := from("203.0.113.9", code.Code); st != 200 {
		t.Fatalf("another address: %d %s", st, body)
	}
}
