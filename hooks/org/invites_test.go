package org_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

// plantedInvite is the id of the invitation plantInvite saves.
const plantedInvite = "invplanted00001"

// notSeeded counts the invitations besides the matrix seed's two.
const notSeeded = "id NOT IN ({:a}, {:g})"

var seededInvites = map[string]any{"a": tt.InvA, "g": tt.InvG}

// inviteToken is a well-formed token, distinct per letter.
func inviteToken(letter string) string { return strings.Repeat(letter, 43) }

// plantInvite saves an Acme invitation for token, as the invite route would
// have, with fields overriding the defaults.
func plantInvite(token string, fields map[string]any) func(testing.TB, *tests.TestApp, *core.ServeEvent) {
	return func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
		all := map[string]any{
			"org": tt.Acme, "email": "new@example.test", "role": "user", "token_hash": hookstest.Sha256Hex(token),
			"invited_by": tt.Alice, "status": schema.InvitePending, "expires": time.Now().Add(time.Hour),
		}
		for k, v := range fields {
			all[k] = v
		}
		s := &tt.Seeder{App: app}
		s.Create(schema.Invites, plantedInvite, all)
		if err := s.Err(); err != nil {
			t.Fatal(err)
		}
	}
}

func befores(fs ...func(testing.TB, *tests.TestApp, *core.ServeEvent)) func(testing.TB, *tests.TestApp, *core.ServeEvent) {
	return func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
		for _, f := range fs {
			if f != nil {
				f(t, app, e)
			}
		}
	}
}

func TestInviteCreate(t *testing.T) {
	fx, factory := hookstest.Seeded(t)
	smtpOn := func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) { app.Settings().SMTP.Enabled = true }
	mailFails := func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
		app.OnMailerSend().BindFunc(func(e *core.MailerEvent) error { return errors.New("smtp: connection refused") })
	}
	body := func(email, role, team string) string {
		if team == "" {
			return fmt.Sprintf(`{"email":%q,"role":%q}`, email, role)
		}
		return fmt.Sprintf(`{"email":%q,"role":%q,"team":%q}`, email, role, team)
	}
	cases := []struct {
		name    string
		user    string
		toggles bool
		before  func(testing.TB, *tests.TestApp, *core.ServeEvent)
		body    string
		status  int
		content []string
		emailed bool
		team    string
	}{
		{name: "owner invites a user", user: tt.Alice, body: body("New@Example.test ", "user", ""), status: 200},
		{name: "owner invites an owner", user: tt.Alice, body: body("new@example.test", "owner", ""), status: 200},
		{name: "manager invites a manager into a team", user: tt.Bob, body: body("new@example.test", "manager", tt.TeamU), status: 200, team: tt.TeamU},
		{name: "manager can't invite an owner", user: tt.Bob, body: body("new@example.test", "owner", ""), status: 403, content: []string{perms.ReasonAboveOwn}},
		{name: "plain user can't invite", user: tt.Carol, body: body("new@example.test", "user", ""), status: 403},
		{name: "project manager can't invite", user: tt.Pam, body: body("new@example.test", "user", ""), status: 403},
		{name: "project viewer can't invite", user: tt.Vic, body: body("new@example.test", "user", ""), status: 403},
		{name: "team lead can't invite while the toggle is off", user: tt.Tess, body: body("new@example.test", "user", tt.TeamT), status: 403},
		{name: "team lead can't invite even bad input while the toggle is off", user: tt.Tess, body: body("nope", "emperor", tt.TeamG), status: 403},
		{name: "team lead invites a user into their team once enabled", user: tt.Tess, toggles: true, body: body("new@example.test", "user", tt.TeamT), status: 200, team: tt.TeamT},
		{name: "team lead can't invite into a team they don't lead", user: tt.Tess, toggles: true, body: body("new@example.test", "user", tt.TeamU), status: 403},
		{name: "team lead can't invite without a team", user: tt.Tess, toggles: true, body: body("new@example.test", "user", ""), status: 403, content: []string{"team you lead"}},
		{name: "team lead can't invite a manager", user: tt.Tess, toggles: true, body: body("new@example.test", "manager", tt.TeamT), status: 403, content: []string{perms.ReasonOrgRole}},
		{name: "another organization's owner gets 404", user: tt.Dave, body: body("new@example.test", "user", ""), status: 404},
		{name: "a member of nothing gets 404", user: tt.Erin, body: body("new@example.test", "user", ""), status: 404},
		{name: "signing in is required", body: body("new@example.test", "user", ""), status: 401},
		{name: "a bad e-mail is a 400", user: tt.Alice, body: body("not-an-email", "user", ""), status: 400, content: []string{`"email":{"code":`}},
		{name: "an unknown role is a 400", user: tt.Alice, body: body("new@example.test", "emperor", ""), status: 400, content: []string{`"role":{"code":`}},
		{name: "another organization's team is a 400", user: tt.Alice, body: body("new@example.test", "user", tt.TeamG), status: 400, content: []string{`"team":{"code":"validation_missing_rel_records"`}},
		{name: "an active member's e-mail is a 400", user: tt.Bob, body: body(strings.ToUpper(tt.Carol)+"@example.test", "user", ""), status: 400, content: []string{"already a member"}},
		{name: "a body that isn't JSON is a 400", user: tt.Alice, body: `{"email":`, status: 400},
		{
			name: "a member who isn't active may be invited back", user: tt.Alice, body: body(tt.Nia+"@example.test", "user", ""), status: 200,
			before: setField(schema.Memberships, tt.MembershipID(tt.Nia), "status", "invited"),
		},
		{name: "with SMTP the link is e-mailed", user: tt.Alice, before: smtpOn, body: body("new@example.test", "user", ""), status: 200, emailed: true},
		{name: "a mail failure doesn't lose the invitation", user: tt.Alice, before: befores(smtpOn, mailFails), body: body("new@example.test", "user", ""), status: 200},
	}
	for _, tc := range cases {
		sc := tests.ApiScenario{
			Name: tc.name, Method: http.MethodPost, URL: hookstest.OrgURL(api.InvitesRoute, tt.Acme), Body: strings.NewReader(tc.body),
			ExpectedStatus: tc.status, TestAppFactory: factory, BeforeTestFunc: befores(withToggles(tc.toggles), tc.before),
			ExpectedContent: tc.content,
		}
		if tc.user != "" {
			sc.Headers = fx.Auth(t, tc.user)
		}
		if tc.status != 200 {
			sc.NotExpectedContent = []string{`"token"`}
			if tc.content == nil {
				sc.ExpectedContent = []string{`"data":`}
			}
			sc.AfterTestFunc = func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				if n := hookstest.Count(t, app, schema.Invites, notSeeded, seededInvites); n != 0 {
					t.Errorf("%d invitations saved by a refused request", n)
				}
				if n := hookstest.AuditCount(t, app, "invite_user"); n != 0 {
					t.Errorf("%d audit entries for a refused request", n)
				}
			}
			sc.Test(t)
			continue
		}
		sc.ExpectedContent = []string{`"token":"`}
		sc.NotExpectedContent = []string{"token_hash"}
		sc.AfterTestFunc = func(t testing.TB, app *tests.TestApp, res *http.Response) {
			out := hookstest.Decoded[api.Invitation](t, res)
			if len(out.Token) != 43 || out.Link != "/#/join/"+out.Token || out.Emailed != tc.emailed || out.Team != tc.team {
				t.Errorf("answer %+v", out)
			}
			r, err := app.FindRecordById(schema.Invites, out.ID)
			if err != nil {
				t.Fatalf("invitation not saved: %v", err)
			}
			if r.GetString("token_hash") != hookstest.Sha256Hex(out.Token) || strings.Contains(fmt.Sprint(r.PublicExport()), out.Token) {
				t.Errorf("the record must keep the token's hash only")
			}
			if r.GetString("status") != "pending" || r.GetString("invited_by") != tc.user || r.GetString("email") != out.Email ||
				r.GetString("email") != strings.ToLower(strings.TrimSpace(r.GetString("email"))) || r.GetString("team") != tc.team {
				t.Errorf("record %v", r.FieldsData())
			}
			if left := time.Until(r.GetDateTime("expires").Time()); left < 7*24*time.Hour-time.Minute || left > 7*24*time.Hour {
				t.Errorf("expires in %v, want 7 days", left)
			}
			if n := hookstest.AuditCount(t, app, "invite_user"); n != 1 {
				t.Errorf("%d audit entries, want 1", n)
			}
			sent := app.TestMailer.Messages()
			if !tc.emailed {
				if len(sent) != 0 && tc.before == nil {
					t.Errorf("%d e-mails sent without SMTP", len(sent))
				}
				return
			}
			if len(sent) != 1 || sent[0].To[0].Address != out.Email ||
				!strings.Contains(sent[0].Text, app.Settings().Meta.AppURL+"/#/join/"+out.Token) {
				t.Errorf("e-mails %+v", sent)
			}
		}
		sc.Test(t)
	}
}

func TestInviteLink(t *testing.T) {
	_, factory := hookstest.Seeded(t)
	token := inviteToken("k")
	cases := []struct {
		name   string
		url    string
		fields map[string]any
		status int
	}{
		{name: "a pending invitation shows its organization, e-mail and role", url: token, status: 200},
		{name: "an expired one is 404", url: token, fields: map[string]any{"expires": time.Now().Add(-time.Minute)}, status: 404},
		{name: "an accepted one is 404", url: token, fields: map[string]any{"status": "accepted", "accepted_by": tt.Erin}, status: 404},
		{name: "a revoked one is 404", url: token, fields: map[string]any{"status": "revoked"}, status: 404},
		{name: "an unknown token is 404", url: inviteToken("z"), status: 404},
		{name: "a malformed token is 404", url: "short", status: 404},
	}
	for _, tc := range cases {
		sc := tests.ApiScenario{
			Name: tc.name, Method: http.MethodGet, URL: strings.Replace(api.InviteRoute, "{token}", tc.url, 1),
			ExpectedStatus: tc.status, TestAppFactory: factory, BeforeTestFunc: plantInvite(token, tc.fields),
			NotExpectedContent: []string{"token_hash", hookstest.Sha256Hex(token), "invited_by"},
		}
		if tc.status == 200 {
			sc.ExpectedContent = []string{`"org":{"id":"` + tt.Acme + `","name":"Acme"}`, `"email":"new@example.test"`, `"role":"user"`, `"expires":"`}
		} else {
			sc.ExpectedContent = []string{`"data":{}`}
			sc.NotExpectedContent = append(sc.NotExpectedContent, "Acme", "new@example.test")
		}
		sc.Test(t)
	}
}

// membershipOf returns user's membership in Acme, or nil.
func membershipOf(t testing.TB, app core.App, user string) *core.Record {
	t.Helper()
	m, err := app.FindFirstRecordByFilter(schema.Memberships, "org = {:org} && user = {:user}",
		dbx.Params{"org": tt.Acme, "user": user})
	if err != nil {
		return nil
	}
	return m
}

func TestInviteAccept(t *testing.T) {
	fx, factory := hookstest.Seeded(t)
	token := inviteToken("a")
	acmeMembers := hookstest.Count(t, fx.App(t), schema.Memberships, "org = {:org}", map[string]any{"org": tt.Acme})
	cases := []struct {
		name    string
		user    string
		url     string
		fields  map[string]any
		before  func(testing.TB, *tests.TestApp, *core.ServeEvent)
		status  int
		content []string
		// joined, when set, is the role user must hold afterwards, actively,
		// with the invitation used up; otherwise nothing may have changed.
		joined  string
		team    string
		members int // Acme's memberships afterwards
	}{
		{name: "a new person joins as a user", user: tt.Erin, url: token, status: 200, joined: "user", members: acmeMembers + 1},
		{
			name: "a new person joins as a manager, and the invitation's team", user: tt.Erin, url: token, status: 200,
			fields: map[string]any{"role": "manager", "team": tt.TeamT}, joined: "manager", team: tt.TeamT, members: acmeMembers + 1,
		},
		{name: "the link is the credential: another e-mail's account joins", user: tt.Dave, url: token, status: 200, joined: "user", members: acmeMembers + 1},
		{
			name: "a member who isn't active is reactivated with the invited role", user: tt.Nia, url: token, status: 200,
			fields: map[string]any{"role": "manager"}, joined: "manager", members: acmeMembers,
			before: setField(schema.Memberships, tt.MembershipID(tt.Nia), "status", "invited"),
		},
		{
			name: "a manager's invitation makes a manager", user: tt.Erin, url: token, status: 200,
			fields: map[string]any{"role": "manager", "invited_by": tt.Bob}, joined: "manager", members: acmeMembers + 1,
		},
		{
			name: "an invitation to a manager from a manager since made a user is a 403", user: tt.Erin, url: token, status: 403,
			fields: map[string]any{"role": "manager", "invited_by": tt.Bob}, members: acmeMembers, content: []string{"no longer grant"},
			before: setField(schema.Memberships, tt.MembershipID(tt.Bob), "role", "user"),
		},
		{
			name: "an invitation from someone no longer active is a 403", user: tt.Erin, url: token, status: 403,
			fields: map[string]any{"invited_by": tt.Bob}, members: acmeMembers, content: []string{"no longer grant"},
			before: setField(schema.Memberships, tt.MembershipID(tt.Bob), "status", "invited"),
		},
		{
			name: "a team lead's invitation is a 403 once leads may not invite", user: tt.Erin, url: token, status: 403,
			fields: map[string]any{"invited_by": tt.Tess, "team": tt.TeamT}, members: acmeMembers, content: []string{"no longer grant"},
		},
		{
			name: "a team lead's invitation into their team works while leads may invite", user: tt.Erin, url: token, status: 200,
			fields: map[string]any{"invited_by": tt.Tess, "team": tt.TeamT}, joined: "user", team: tt.TeamT, members: acmeMembers + 1,
			before: withToggles(true),
		},
		{name: "an active member is a 400 and keeps their role", user: tt.Carol, url: token, fields: map[string]any{"role": "manager"}, status: 400, content: []string{"already a member"}, members: acmeMembers},
		{name: "an accepted invitation is 404", user: tt.Erin, url: token, fields: map[string]any{"status": "accepted", "accepted_by": tt.Zoe}, status: 404, members: acmeMembers},
		{name: "an expired invitation is 404", user: tt.Erin, url: token, fields: map[string]any{"expires": time.Now().Add(-time.Second)}, status: 404, members: acmeMembers},
		{name: "a revoked invitation is 404", user: tt.Erin, url: token, fields: map[string]any{"status": "revoked"}, status: 404, members: acmeMembers},
		{name: "an unknown token is 404", user: tt.Erin, url: inviteToken("b"), status: 404, members: acmeMembers},
		{name: "signing in is required", url: token, status: 401, members: acmeMembers},
		{
			// Joining the team fails after the membership is saved: the
			// transaction takes the membership back with it.
			name: "a failure part way changes nothing", user: tt.Erin, url: token, status: 400, members: acmeMembers,
			content: []string{"Couldn't accept"}, before: forgeInviteTeam(tt.TeamG),
		},
	}
	for _, tc := range cases {
		sc := tests.ApiScenario{
			Name: tc.name, Method: http.MethodPost, URL: strings.Replace(api.AcceptInviteRoute, "{token}", tc.url, 1),
			ExpectedStatus: tc.status, TestAppFactory: factory, BeforeTestFunc: befores(plantInvite(token, tc.fields), tc.before),
			ExpectedContent: tc.content,
		}
		if tc.user != "" {
			sc.Headers = fx.Auth(t, tc.user)
		}
		if tc.status == 200 {
			sc.ExpectedContent = []string{`"org":"` + tt.Acme + `"`}
		} else if tc.content == nil {
			sc.ExpectedContent = []string{`"data":{}`}
		}
		sc.AfterTestFunc = func(t testing.TB, app *tests.TestApp, _ *http.Response) {
			if n := hookstest.Count(t, app, schema.Memberships, "org = {:org}", map[string]any{"org": tt.Acme}); n != tc.members {
				t.Errorf("Acme has %d memberships, want %d", n, tc.members)
			}
			inv, err := app.FindRecordById(schema.Invites, plantedInvite)
			if err != nil {
				t.Fatal(err)
			}
			if tc.joined == "" {
				if tc.fields["status"] == nil && inv.GetString("status") != "pending" {
					t.Errorf("a refused acceptance changed the invitation to %s", inv.GetString("status"))
				}
				if tc.user == tt.Carol && membershipOf(t, app, tt.Carol).GetString("role") != "user" {
					t.Errorf("Carol's role changed")
				}
				if tc.user == tt.Erin && membershipOf(t, app, tt.Erin) != nil {
					t.Errorf("Erin joined through an unusable invitation")
				}
				if n := hookstest.AuditCount(t, app, "accept_invite"); n != 0 {
					t.Errorf("%d audit entries for a refused acceptance", n)
				}
				return
			}
			m := membershipOf(t, app, tc.user)
			if m == nil || m.GetString("role") != tc.joined || m.GetString("status") != "active" {
				t.Fatalf("membership %v, want active %s", m, tc.joined)
			}
			u, err := app.FindRecordById(schema.Users, tc.user)
			if err != nil || !strings.Contains(u.GetString(schema.UserOrgsField), ","+tt.Acme+",") {
				t.Errorf("tock_orgs of %s = %q, want it to hold Acme", tc.user, u.GetString(schema.UserOrgsField))
			}
			if inv.GetString("status") != "accepted" || inv.GetString("accepted_by") != tc.user {
				t.Errorf("invitation %s by %s, want accepted by %s", inv.GetString("status"), inv.GetString("accepted_by"), tc.user)
			}
			inTeam := hookstest.Count(t, app, schema.TeamMembers, "team = {:team} AND user = {:user} AND is_lead = 0",
				map[string]any{"team": tc.team, "user": tc.user})
			if tc.team != "" && inTeam != 1 {
				t.Errorf("not added to team %s", tc.team)
			}
			if n := hookstest.Count(t, app, schema.AuditLog, "action = 'accept_invite' AND actor = {:u} AND subject = {:u}", map[string]any{"u": tc.user}); n != 1 {
				t.Errorf("%d audit entries, want 1", n)
			}
		}
		sc.Test(t)
	}
}

// forgeInviteTeam points the planted invitation at team, past validation.
func forgeInviteTeam(team string) func(testing.TB, *tests.TestApp, *core.ServeEvent) {
	return func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
		r, err := app.FindRecordById(schema.Invites, plantedInvite)
		if err != nil {
			t.Fatal(err)
		}
		r.Set("team", team)
		if err := app.SaveNoValidate(r); err != nil {
			t.Fatal(err)
		}
	}
}

// Whoever writes an invitation, superusers included, can't point it at
// another organization's team.
func TestInviteTeamStaysInItsOrganization(t *testing.T) {
	fx, _ := hookstest.Seeded(t)
	app := fx.App(t)
	defer app.Cleanup()
	plantInvite(inviteToken("t"), map[string]any{"team": tt.TeamT})(t, app, nil)
	r, err := app.FindRecordById(schema.Invites, plantedInvite)
	if err != nil {
		t.Fatal(err)
	}
	r.Set("team", tt.TeamG)
	if err := app.Save(r); err == nil || !strings.Contains(err.Error(), "team") {
		t.Fatalf("saved with another organization's team: %v", err)
	}
	r.Set("team", tt.TeamT)
	r.Set("org", tt.Globex)
	if err := app.Save(r); err == nil {
		t.Fatalf("moved to another organization")
	}
}

// TestInviteFlow follows one invitation through the API as the web app
// does: invite, open the link, accept, and find the link spent.
func TestInviteFlow(t *testing.T) {
	fx, _ := hookstest.Seeded(t)
	app := fx.App(t)
	defer app.Cleanup()
	h := tt.Handler(t, app)
	send := func(method, url, body, user string) (int, string) {
		token := ""
		if user != "" {
			token = fx.Token(t, user)
		}
		status, _, out := tt.Send(h, tt.JSONRequest(method, url, body, token))
		return status, out
	}

	status, body := send(http.MethodPost, hookstest.OrgURL(api.InvitesRoute, tt.Acme), `{"email":"erin@example.test","role":"user","team":"`+tt.TeamU+`"}`, tt.Bob)
	if status != 200 {
		t.Fatalf("invite: %d %s", status, body)
	}
	var inv api.Invitation
	decodeInto(t, body, &inv)
	link := strings.Replace(api.InviteRoute, "{token}", inv.Token, 1)
	accept := strings.Replace(api.AcceptInviteRoute, "{token}", inv.Token, 1)

	steps := []struct {
		name, method, url, user string
		status                  int
		has                     string
	}{
		{"anyone with the link sees what it offers", http.MethodGet, link, "", 200, `"name":"Acme"`},
		{"a manager sees the pending invitation", http.MethodGet, hookstest.RecordsURL(schema.Invites), tt.Bob, 200, `"email":"erin@example.test"`},
		{"a plain user doesn't", http.MethodGet, hookstest.RecordsURL(schema.Invites), tt.Carol, 200, `"totalItems":0`},
		{"the invitee isn't a member yet", http.MethodGet, hookstest.OrgURL(api.MeRoute, tt.Acme), tt.Erin, 404, `"data":{}`},
		{"the invitee accepts", http.MethodPost, accept, tt.Erin, 200, `"org":"` + tt.Acme + `"`},
		{"and is a member of the invitation's team", http.MethodGet, hookstest.OrgURL(api.MeRoute, tt.Acme), tt.Erin, 200, `"teams":["` + tt.TeamU + `"]`},
		{"and lists the organization", http.MethodGet, hookstest.RecordsURL(schema.Organizations), tt.Erin, 200, `"id":"` + tt.Acme + `"`},
		{"a second acceptance is 404", http.MethodPost, accept, tt.Erin, 404, `"data":{}`},
		{"even by someone else", http.MethodPost, accept, tt.Dave, 404, `"data":{}`},
		{"the spent link shows nothing", http.MethodGet, link, "", 404, `"data":{}`},
	}
	for _, s := range steps {
		status, body := send(s.method, s.url, "", s.user)
		if status != s.status || !strings.Contains(body, s.has) || strings.Contains(body, "token_hash") {
			t.Errorf("%s: %d %.300s, want %d with %s", s.name, status, body, s.status, s.has)
		}
	}
}

func TestInviteRevoke(t *testing.T) {
	fx, factory := hookstest.Seeded(t)
	token := inviteToken("r")
	record := hookstest.RecordsURL(schema.Invites) + "/" + plantedInvite
	cases := []struct {
		name    string
		user    string
		toggles bool
		method  string
		body    string
		status  int
		revoked bool
	}{
		{name: "owner revokes by deleting", user: tt.Alice, method: http.MethodDelete, status: 204, revoked: true},
		{name: "manager revokes by deleting", user: tt.Bob, method: http.MethodDelete, status: 204, revoked: true},
		{name: "plain user can't, and can't tell it exists", user: tt.Carol, method: http.MethodDelete, status: 404},
		{name: "team lead can't even when inviting is enabled", user: tt.Tess, toggles: true, method: http.MethodDelete, status: 404},
		{name: "another organization's owner can't", user: tt.Dave, method: http.MethodDelete, status: 404},
		{name: "no one edits an invitation through the API", user: tt.Alice, method: http.MethodPatch, body: `{"role":"owner"}`, status: 403},
		{name: "no one creates one through the API", user: tt.Alice, method: http.MethodPost, status: 403,
			body: `{"org":"` + tt.Acme + `","email":"x@example.test","role":"owner","token_hash":"` + hookstest.Sha256Hex("x") + `","expires":"2099-01-01 00:00:00.000Z"}`},
		{name: "a plain user can't view it", user: tt.Carol, method: http.MethodGet, status: 404},
	}
	for _, tc := range cases {
		url := record
		if tc.method == http.MethodPost {
			url = hookstest.RecordsURL(schema.Invites)
		}
		sc := tests.ApiScenario{
			Name: tc.name, Method: tc.method, URL: url, Body: strings.NewReader(tc.body), Headers: fx.Auth(t, tc.user),
			ExpectedStatus: tc.status, TestAppFactory: factory, BeforeTestFunc: befores(withToggles(tc.toggles), plantInvite(token, nil)),
		}
		if !tc.revoked {
			sc.ExpectedContent = []string{`"data":{}`}
		}
		sc.AfterTestFunc = func(t testing.TB, app *tests.TestApp, _ *http.Response) {
			_, err := app.FindRecordById(schema.Invites, plantedInvite)
			if gone := err != nil; gone != tc.revoked {
				t.Errorf("invitation gone = %v, want %v", gone, tc.revoked)
			}
			if n := hookstest.Count(t, app, schema.Invites, notSeeded, seededInvites); n != 1 && !tc.revoked {
				t.Errorf("%d invitations, want 1", n)
			}
			want := 0
			if tc.revoked {
				want = 1
			}
			if n := hookstest.AuditCount(t, app, "revoke_invite"); n != want {
				t.Errorf("%d revocations audited, want %d", n, want)
			}
			if r, _ := app.FindRecordById(schema.Invites, plantedInvite); r != nil && r.GetString("role") != "user" {
				t.Errorf("invitation changed to %s", r.GetString("role"))
			}
		}
		sc.Test(t)
	}
}

func decodeInto(t testing.TB, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
}
