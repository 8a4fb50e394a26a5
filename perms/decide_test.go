package perms

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// Fixture ids shared by the tests below: "me" is the actor, "mate" a member of a team
// the actor leads, "other" anyone else; p1/t1 are the actor's project/team, p2/t2 not.
const (
	me    = "me"
	mate  = "mate"
	other = "other"
)

var (
	tOutside  = Target{OwnerID: other, ProjectID: "p2", TeamID: "t2"}
	tOwn      = Target{OwnerID: me, ProjectID: "p2", TeamID: "t2"}
	tAssigned = Target{OwnerID: other, ProjectID: "p1", TeamID: "t2"}
	tLedTeam  = Target{OwnerID: other, ProjectID: "p2", TeamID: "t1"}
	tOfMate   = Target{OwnerID: mate, ProjectID: "p2", TeamID: "t2"}
)

// actorFor builds an actor whose only non-membership role is r. Project and team
// roles need a membership to count at all, so those actors are plain org users.
func actorFor(r Role) Actor {
	switch r {
	case RoleOwner:
		return Actor{UserID: me, OrgRole: "owner"}
	case RoleOrgManager:
		return Actor{UserID: me, OrgRole: "manager"}
	case RoleUser:
		return Actor{UserID: me, OrgRole: "user", ProjectRoles: map[string]string{"p1": "user"}}
	case RoleProjectManager:
		return Actor{UserID: me, OrgRole: "user", ProjectRoles: map[string]string{"p1": "manager"}}
	case RoleProjectViewer:
		return Actor{UserID: me, OrgRole: "user", ProjectRoles: map[string]string{"p1": "viewer"}}
	case RoleTeamLead:
		return Actor{
			UserID:      me,
			OrgRole:     "user",
			LedTeams:    map[string]bool{"t1": true},
			LedProjects: map[string]bool{"p1": true},
			LedMembers:  map[string]bool{mate: true},
		}
	}
	return Actor{}
}

func allOn(m *Matrix) SettingsMap {
	s := SettingsMap{}
	for _, name := range m.Toggles() {
		s[name] = true
	}
	return s
}

func allBut(m *Matrix, name string) SettingsMap {
	s := allOn(m)
	delete(s, name)
	return s
}

type cellCheck struct {
	name     string
	target   Target
	settings Settings
	allowed  bool
	limited  bool
}

// checksFor spells out, per cell value, what the cell must allow and what it must
// still deny, so that an over-broad grant fails as surely as a missing one.
func checksFor(m *Matrix, f Feature, r Role, c Cell) []cellCheck {
	on := allOn(m)
	setting, _ := m.SettingFor(f, r)

	// Only a team lead has teams; a team cell in any other column reaches nothing.
	noTeams := []cellCheck{
		{"no led teams: led member", tOfMate, on, false, false},
		{"no led teams: own", tOwn, on, false, false},
		{"no led teams: outside", tOutside, on, false, false},
	}

	switch c {
	case CellAll:
		return []cellCheck{
			{"other user, other project", tOutside, nil, true, false},
		}

	case CellAssigned:
		switch r {
		case RoleOwner, RoleOrgManager:
			return []cellCheck{
				{"never: outside", tOutside, on, false, false},
				{"never: own", tOwn, on, false, false},
				{"never: p1", tAssigned, on, false, false},
			}
		case RoleTeamLead:
			return []cellCheck{
				{"led project", tAssigned, nil, true, false},
				{"led team", tLedTeam, nil, true, false},
				{"led member", tOfMate, nil, true, false},
				{"outside", tOutside, on, false, false},
			}
		}
		return []cellCheck{
			{"assigned project", tAssigned, nil, true, false},
			{"other project", tOutside, on, false, false},
			{"own data in other project", tOwn, on, false, false},
		}

	case CellSelf:
		return []cellCheck{
			{"own", tOwn, nil, true, false},
			{"other user in own project", tAssigned, on, false, false},
			{"led member", tOfMate, on, false, false},
		}

	case CellWhenEnabled:
		target := tOutside
		if r == RoleTeamLead {
			target = tAssigned
		}
		checks := []cellCheck{
			{"setting off", target, nil, false, false},
			{"only other settings on", target, allBut(m, setting), false, false},
			{"setting on", target, SettingsMap{setting: true}, true, false},
		}
		if r == RoleTeamLead {
			checks = append(checks,
				cellCheck{"setting on, led member", tOfMate, SettingsMap{setting: true}, true, false},
				cellCheck{"setting on, outside team", tOutside, on, false, false},
			)
		}
		return checks

	case CellSetting:
		return []cellCheck{
			{"setting off", tOutside, nil, false, false},
			{"only other settings on", tOutside, allBut(m, SettingAllowScreenshotDelete), false, false},
			{"setting on", tOutside, SettingsMap{SettingAllowScreenshotDelete: true}, true, false},
		}

	case CellLimited:
		mine, notMine := tOwn, tAssigned
		if r == RoleProjectManager {
			mine, notMine = tAssigned, tOwn
		}
		return []cellCheck{
			{"setting off", mine, nil, false, false},
			{"only other settings on", mine, allBut(m, SettingAllowScreenshotDelete), false, false},
			{"setting on", mine, SettingsMap{SettingAllowScreenshotDelete: true}, true, true},
			{"setting on, not mine", notMine, on, false, false},
			{"setting on, outside", tOutside, on, false, false},
		}

	case CellTeam:
		if r != RoleTeamLead {
			return noTeams
		}
		return []cellCheck{
			{"led member", tOfMate, nil, true, false},
			{"led team", tLedTeam, nil, true, false},
			{"led project only", tAssigned, on, false, false},
			{"outside", tOutside, on, false, false},
		}

	case CellTeamWhenEnabled:
		if r != RoleTeamLead {
			return noTeams
		}
		return []cellCheck{
			{"setting off", tOfMate, nil, false, false},
			{"only other settings on", tOfMate, allBut(m, setting), false, false},
			{"setting on", tOfMate, SettingsMap{setting: true}, true, false},
			{"setting on, led team", tLedTeam, SettingsMap{setting: true}, true, false},
			{"setting on, outside", tOutside, on, false, false},
		}

	case CellNone:
		return []cellCheck{
			{"outside", tOutside, on, false, false},
			{"own", tOwn, on, false, false},
			{"assigned", tAssigned, on, false, false},
			{"led member", tOfMate, on, false, false},
			{"led team", tLedTeam, on, false, false},
		}
	}
	return nil
}

// TestDecideEveryCell walks the whole TSV and reports how many cells it covered.
func TestDecideEveryCell(t *testing.T) {
	t.Parallel()

	m := Default()
	checked := checkEveryCell(t, m)

	total := len(m.Rows()) * len(Roles())
	t.Logf("cells: %d/%d checked", checked, total)
	if checked != total || total != 516 {
		t.Fatalf("Expected all %d cells (86×6=516) checked, got %d", total, checked)
	}
}

// syntheticTSV puts every cell value in every column, including combinations the
// real matrix doesn't use today (an owner's `assigned`, a user's `when_enabled`), so
// that editing the spec can't walk into untested behaviour.
func syntheticTSV() string {
	var b strings.Builder
	b.WriteString(header + "\n")
	for _, c := range []Cell{CellAll, CellAssigned, CellSelf, CellWhenEnabled, CellSetting, CellLimited, CellTeam, CellTeamWhenEnabled, CellNone} {
		b.WriteString("Synthetic\tCell " + string(c))
		for range Roles() {
			b.WriteString("\t" + string(c))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func syntheticMatrix(t testing.TB) *Matrix {
	m, err := Parse(strings.NewReader(syntheticTSV()))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestDecideEveryCellSynthetic(t *testing.T) {
	t.Parallel()

	m := syntheticMatrix(t)
	if checked := checkEveryCell(t, m); checked != 9*6 {
		t.Fatalf("Expected 54 cells checked, got %d", checked)
	}
}

// checkEveryCell runs checksFor on every row × column of m. A project or team role
// can't exist without a membership, so each column is judged on its own
// (columnGrant), and the public Decide is then checked to add exactly the membership
// column's verdict on top.
func checkEveryCell(t *testing.T, m *Matrix) int {
	t.Helper()

	checked := 0
	for i, r := range m.Rows() {
		for col, role := range Roles() {
			a := actorFor(role)
			if !slices.Contains(a.Roles(), role) {
				t.Fatalf("Expected the %s fixture to hold %s, got %v", role, role, a.Roles())
			}
			org, _ := a.orgColumn()

			c := r.Cells[role]
			checks := checksFor(m, r.Feature, role, c)
			if len(checks) == 0 {
				t.Errorf("%s/%s: no checks for cell %q", r.Feature, role, c)
				continue
			}

			for _, ch := range checks {
				name := fmt.Sprintf("%s/%s=%s: %s", r.Feature, role, c, ch.name)

				g := a.columnGrant(&m.rows[i], col, &ch.target, ch.settings)
				if allowed := g != grantNone; allowed != ch.allowed {
					t.Errorf("%s: expected allowed=%v, got %v", name, ch.allowed, allowed)
				}
				if limited := g == grantLimited; limited != ch.limited {
					t.Errorf("%s: expected limited=%v, got %v", name, ch.limited, limited)
				}

				orgGrant := a.columnGrant(&m.rows[i], org, &ch.target, ch.settings)
				want := ch.allowed || orgGrant != grantNone
				d := m.Decide(a, r.Feature, ch.target, ch.settings)
				if d.Allowed != want {
					t.Errorf("%s: expected Decide allowed=%v, got %+v", name, want, d)
				}
				if org == col && d.Limited != ch.limited {
					t.Errorf("%s: expected Decide limited=%v, got %+v", name, ch.limited, d)
				}
			}
			checked++
		}
	}
	return checked
}

func TestActorRoles(t *testing.T) {
	t.Parallel()

	scenarios := []struct {
		name     string
		actor    Actor
		expected []Role
	}{
		{"non-member", Actor{UserID: me}, nil},
		{"non-member with other roles", Actor{UserID: me, ProjectRoles: map[string]string{"p1": "manager"}, LedTeams: map[string]bool{"t1": true}}, nil},
		{"unknown org role", Actor{UserID: me, OrgRole: "admin"}, nil},
		{"matrix column name is not a membership role", Actor{UserID: me, OrgRole: "org_manager"}, nil},
		{"owner", Actor{OrgRole: "owner"}, []Role{RoleOwner}},
		{"manager", Actor{OrgRole: "manager"}, []Role{RoleOrgManager}},
		{"user", Actor{OrgRole: "user"}, []Role{RoleUser}},
		{"project user is no column", Actor{OrgRole: "user", ProjectRoles: map[string]string{"p1": "user"}}, []Role{RoleUser}},
		{"project manager", Actor{OrgRole: "user", ProjectRoles: map[string]string{"p1": "user", "p2": "manager"}}, []Role{RoleUser, RoleProjectManager}},
		{"project viewer", Actor{OrgRole: "user", ProjectRoles: map[string]string{"p1": "viewer"}}, []Role{RoleUser, RoleProjectViewer}},
		{"empty project id", Actor{OrgRole: "user", ProjectRoles: map[string]string{"": "manager"}}, []Role{RoleUser}},
		{"team lead", Actor{OrgRole: "manager", LedTeams: map[string]bool{"t1": true}}, []Role{RoleOrgManager, RoleTeamLead}},
		{"team lead entry set false", Actor{OrgRole: "user", LedTeams: map[string]bool{"t1": false}}, []Role{RoleUser}},
		{"members without teams", Actor{OrgRole: "user", LedMembers: map[string]bool{mate: true}}, []Role{RoleUser}},
		{
			"everything",
			Actor{OrgRole: "owner", ProjectRoles: map[string]string{"p1": "manager", "p2": "viewer"}, LedTeams: map[string]bool{"t1": true}},
			[]Role{RoleOwner, RoleProjectManager, RoleProjectViewer, RoleTeamLead},
		},
	}

	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			if got := s.actor.Roles(); !slices.Equal(got, s.expected) {
				t.Fatalf("Expected %v, got %v", s.expected, got)
			}
		})
	}
}

func TestDecideCombinedRoles(t *testing.T) {
	t.Parallel()

	m := Default()
	del := SettingsMap{SettingAllowScreenshotDelete: true}
	viewOn := SettingsMap{"managers_view_screenshots": true}

	pmUser := Actor{UserID: me, OrgRole: "user", ProjectRoles: map[string]string{"p1": "manager", "p3": "user"}}
	managerLead := Actor{
		UserID:      me,
		OrgRole:     "manager",
		LedTeams:    map[string]bool{"t1": true},
		LedProjects: map[string]bool{"p1": true},
		LedMembers:  map[string]bool{mate: true},
	}
	userLead := managerLead
	userLead.OrgRole = "user"

	scenarios := []struct {
		name     string
		actor    Actor
		feature  Feature
		target   Target
		settings Settings
		expected Decision
	}{
		// user `limited` (own) and project_manager `limited` (assigned) both hold
		{"pm+user delete own screenshot", pmUser, DeleteScreenshots, tOwn, del, Decision{true, true, RoleUser, CellLimited}},
		{"pm+user delete own screenshot, off", pmUser, DeleteScreenshots, tOwn, nil, Decision{}},
		{"pm+user delete in managed project", pmUser, DeleteScreenshots, tAssigned, del, Decision{true, true, RoleProjectManager, CellLimited}},
		{"pm+user delete in project where only user", pmUser, DeleteScreenshots, Target{OwnerID: other, ProjectID: "p3"}, del, Decision{}},
		{"pm+user delete outside", pmUser, DeleteScreenshots, tOutside, del, Decision{}},
		{"pm+user modify own screenshot", pmUser, ModifyScreenshots, tOwn, del, Decision{true, true, RoleUser, CellLimited}},
		// self (user) and assigned (pm) both apply to own data in a managed project:
		// the broader grant is reported.
		{"pm+user view own screenshot in managed project", pmUser, ViewScreenshots, Target{OwnerID: me, ProjectID: "p1"}, nil, Decision{true, false, RoleProjectManager, CellAssigned}},
		{"pm+user view own screenshot elsewhere", pmUser, ViewScreenshots, tOwn, nil, Decision{true, false, RoleUser, CellSelf}},
		{"pm+user tasks in user project", pmUser, AddEditRemoveTasks, Target{ProjectID: "p3"}, nil, Decision{true, false, RoleUser, CellAssigned}},
		{"pm+user tasks in managed project", pmUser, AddEditRemoveTasks, Target{ProjectID: "p1"}, nil, Decision{true, false, RoleProjectManager, CellAssigned}},
		{"pm+user edit unmanaged project", pmUser, EditProjects, Target{ProjectID: "p3"}, nil, Decision{}},

		// org manager `when_enabled` vs team lead `assigned`
		{"manager+lead view mate, setting off", managerLead, ViewScreenshots, tOfMate, nil, Decision{true, false, RoleTeamLead, CellAssigned}},
		{"manager+lead view outside, setting off", managerLead, ViewScreenshots, tOutside, nil, Decision{}},
		{"manager+lead view outside, setting on", managerLead, ViewScreenshots, tOutside, viewOn, Decision{true, false, RoleOrgManager, CellWhenEnabled}},
		{"manager+lead view mate, setting on", managerLead, ViewScreenshots, tOfMate, viewOn, Decision{true, false, RoleOrgManager, CellWhenEnabled}},
		{"manager+lead delete mate's screenshot, off", managerLead, DeleteScreenshots, tOfMate, nil, Decision{true, false, RoleTeamLead, CellAssigned}},
		{"manager+lead delete outside, off", managerLead, DeleteScreenshots, tOutside, nil, Decision{}},
		{"manager+lead delete outside, on", managerLead, DeleteScreenshots, tOutside, del, Decision{true, false, RoleOrgManager, CellSetting}},
		{"manager+lead invite without toggle", managerLead, InviteUsers, Target{}, nil, Decision{true, false, RoleOrgManager, CellAll}},

		// a team lead who is a plain user gets nothing from an org manager's toggle
		{"user+lead view outside, manager setting on", userLead, ViewScreenshots, tOutside, viewOn, Decision{}},
		{"user+lead client invoices off", userLead, CreateClientInvoices, tOfMate, allBut(m, "team_leads_create_client_invoices"), Decision{}},
		{"user+lead client invoices on", userLead, CreateClientInvoices, tOfMate, SettingsMap{"team_leads_create_client_invoices": true}, Decision{true, false, RoleTeamLead, CellTeamWhenEnabled}},
		{"user+lead work breaks of led team", userLead, ViewWorkBreaksInTimesheets, tLedTeam, nil, Decision{true, false, RoleTeamLead, CellTeam}},
		{"user+lead work breaks own", userLead, ViewWorkBreaksInTimesheets, tOwn, nil, Decision{true, false, RoleUser, CellSelf}},
		{"user+lead invite, toggle on", userLead, InviteUsers, tOfMate, SettingsMap{"team_leads_invite_users": true}, Decision{true, false, RoleTeamLead, CellWhenEnabled}},
		{"user+lead invite, no target", userLead, InviteUsers, Target{}, SettingsMap{"team_leads_invite_users": true}, Decision{}},

		// equally broad grants: the first column in matrix order is reported
		{"pm+user remove self", pmUser, RemoveUsers, tOwn, nil, Decision{true, false, RoleUser, CellSelf}},

		{"owner delete screenshot, off", Actor{UserID: me, OrgRole: "owner"}, DeleteScreenshots, tOutside, nil, Decision{}},
		{"owner delete screenshot, on", Actor{UserID: me, OrgRole: "owner"}, DeleteScreenshots, tOutside, del, Decision{true, false, RoleOwner, CellSetting}},
		{"owner who is a project viewer gets the viewer's cell", Actor{UserID: me, OrgRole: "owner", ProjectRoles: map[string]string{"p1": "viewer"}}, LeaveOrganization, Target{}, nil, Decision{true, false, RoleProjectViewer, CellAll}},
		{"viewer is read-only", Actor{UserID: me, OrgRole: "user", ProjectRoles: map[string]string{"p1": "viewer"}}, AddEditDeleteTime, Target{OwnerID: other, ProjectID: "p1"}, nil, Decision{}},
		{"empty target fields never match", Actor{UserID: "", OrgRole: "user", ProjectRoles: map[string]string{"": "user"}}, ViewTimesheets, Target{}, nil, Decision{}},
	}

	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			if got := m.Decide(s.actor, s.feature, s.target, s.settings); got != s.expected {
				t.Fatalf("Expected %+v, got %+v", s.expected, got)
			}
		})
	}
}

func TestDecideNonMember(t *testing.T) {
	t.Parallel()

	m := Default()
	on := allOn(m)

	base := Actor{
		UserID:       me,
		ProjectRoles: map[string]string{"p1": "manager", "p2": "user", "p3": "viewer"},
		LedTeams:     map[string]bool{"t1": true},
		LedProjects:  map[string]bool{"p1": true},
		LedMembers:   map[string]bool{mate: true},
	}

	for _, orgRole := range []string{"", "admin", "Owner", "org_manager", " owner"} {
		a := base
		a.OrgRole = orgRole
		t.Run(fmt.Sprintf("%q", orgRole), func(t *testing.T) {
			for _, f := range AllFeatures() {
				for _, target := range []Target{{}, tOwn, tAssigned, tOfMate, tLedTeam, tOutside} {
					if d := m.Decide(a, f, target, on); d != (Decision{}) {
						t.Fatalf("Expected %s on %+v to be denied, got %+v", f, target, d)
					}
				}
				if sc := m.Scope(a, f, on); !sc.Empty() || sc.Limited {
					t.Fatalf("Expected an empty scope for %s, got %+v", f, sc)
				}
			}
		})
	}
}

func TestDecideUnknownFeature(t *testing.T) {
	t.Parallel()

	m := Default()
	a := Actor{UserID: me, OrgRole: "owner"}

	for _, f := range []Feature{"", "view screenshots", "View Screenshots ", "Delete Organization*"} {
		if d := m.Decide(a, f, tOwn, allOn(m)); d.Allowed {
			t.Fatalf("Expected unknown feature %q to be denied, got %+v", f, d)
		}
		if sc := m.Scope(a, f, allOn(m)); !sc.Empty() {
			t.Fatalf("Expected an empty scope for %q, got %+v", f, sc)
		}
	}
}

func TestScope(t *testing.T) {
	t.Parallel()

	m := Default()
	del := SettingsMap{SettingAllowScreenshotDelete: true}

	pm := Actor{UserID: me, OrgRole: "user", ProjectRoles: map[string]string{"p2": "manager", "p1": "manager", "p3": "user", "p4": "viewer"}}
	lead := Actor{
		UserID:      me,
		OrgRole:     "user",
		LedTeams:    map[string]bool{"t2": true, "t1": true, "t3": false},
		LedProjects: map[string]bool{"p9": true, "p8": true},
		LedMembers:  map[string]bool{me: true, "b": true, "a": true, "": true},
	}

	scenarios := []struct {
		name     string
		actor    Actor
		feature  Feature
		settings Settings
		expected Scope
	}{
		{"owner", Actor{UserID: me, OrgRole: "owner"}, ViewScreenshots, nil, Scope{All: true}},
		{"manager, toggle off", Actor{UserID: me, OrgRole: "manager"}, ViewScreenshots, nil, Scope{}},
		{"manager, toggle on", Actor{UserID: me, OrgRole: "manager"}, ViewScreenshots, SettingsMap{"managers_view_screenshots": true}, Scope{All: true}},
		{"user", Actor{UserID: me, OrgRole: "user"}, ViewScreenshots, nil, Scope{Self: true}},
		{"user without id", Actor{OrgRole: "user"}, ViewScreenshots, nil, Scope{}},
		{"pm+user view", pm, ViewScreenshots, nil, Scope{Self: true, Projects: []string{"p1", "p2", "p4"}}},
		{"pm+user tasks", pm, AddEditRemoveTasks, nil, Scope{Projects: []string{"p1", "p2", "p3"}}},
		{"pm+user delete off", pm, DeleteScreenshots, nil, Scope{}},
		{"pm+user delete on", pm, DeleteScreenshots, del, Scope{Self: true, Projects: []string{"p1", "p2"}, Limited: true}},
		{"lead view", lead, ViewScreenshots, nil, Scope{Self: true, Projects: []string{"p8", "p9"}, Users: []string{"a", "b"}, Teams: []string{"t1", "t2"}}},
		{"lead delete on: assigned is not limited", lead, DeleteScreenshots, del, Scope{Self: true, Projects: []string{"p8", "p9"}, Users: []string{"a", "b"}, Teams: []string{"t1", "t2"}}},
		{"lead work breaks", lead, ViewWorkBreaksInTimesheets, nil, Scope{Self: true, Users: []string{"a", "b"}, Teams: []string{"t1", "t2"}}},
		{"lead client invoices off", lead, CreateClientInvoices, nil, Scope{}},
		{"lead client invoices on", lead, CreateClientInvoices, SettingsMap{"team_leads_create_client_invoices": true}, Scope{Self: true, Users: []string{"a", "b"}, Teams: []string{"t1", "t2"}}},
		{"lead create org via the user column", lead, CreateAnOrganization, nil, Scope{All: true}},
		{"none everywhere", lead, Billing, allOn(m), Scope{}},
	}

	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			got := m.Scope(s.actor, s.feature, s.settings)
			if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", s.expected) {
				t.Fatalf("Expected %+v, got %+v", s.expected, got)
			}
		})
	}
}

func TestScopeEmpty(t *testing.T) {
	t.Parallel()

	scenarios := []struct {
		scope    Scope
		expected bool
	}{
		{Scope{}, true},
		{Scope{Limited: true}, true},
		{Scope{Projects: []string{}}, true},
		{Scope{All: true}, false},
		{Scope{Self: true}, false},
		{Scope{Projects: []string{"p"}}, false},
		{Scope{Users: []string{"u"}}, false},
		{Scope{Teams: []string{"t"}}, false},
	}

	for i, s := range scenarios {
		t.Run(fmt.Sprintf("%d_%+v", i, s.scope), func(t *testing.T) {
			if got := s.scope.Empty(); got != s.expected {
				t.Fatalf("Expected %v, got %v", s.expected, got)
			}
		})
	}
}

// scopeContains is the list filter a caller would build from a Scope.
func scopeContains(sc Scope, a Actor, t Target) bool {
	return sc.All ||
		(sc.Self && t.OwnerID == a.UserID) ||
		slices.Contains(sc.Projects, t.ProjectID) ||
		slices.Contains(sc.Users, t.OwnerID) ||
		slices.Contains(sc.Teams, t.TeamID)
}

var (
	genUsers    = []string{"", "u1", "u2", "u3"}
	genProjects = []string{"", "p1", "p2", "p3", "p4"}
	genTeams    = []string{"", "t1", "t2", "t3"}
)

func pick[T any](rng *rand.Rand, xs []T) T {
	return xs[rng.IntN(len(xs))]
}

func genBoolSet(rng *rand.Rand, ids []string) map[string]bool {
	if rng.IntN(4) == 0 {
		return nil
	}
	out := map[string]bool{}
	for _, id := range ids {
		if rng.IntN(3) == 0 {
			out[id] = rng.IntN(5) != 0
		}
	}
	return out
}

func genActor(rng *rand.Rand) Actor {
	a := Actor{
		UserID:  pick(rng, genUsers),
		OrgRole: pick(rng, []string{"", "owner", "manager", "user", "user", "user", "admin"}),
	}
	if rng.IntN(4) != 0 {
		a.ProjectRoles = map[string]string{}
		for _, p := range genProjects {
			if rng.IntN(3) == 0 {
				a.ProjectRoles[p] = pick(rng, []string{"manager", "user", "viewer", "", "boss"})
			}
		}
	}
	a.LedTeams = genBoolSet(rng, genTeams)
	a.LedProjects = genBoolSet(rng, genProjects)
	a.LedMembers = genBoolSet(rng, genUsers)
	return a
}

func genSettings(rng *rand.Rand, toggles []string) Settings {
	if rng.IntN(5) == 0 {
		return nil
	}
	s := SettingsMap{}
	for _, name := range toggles {
		s[name] = rng.IntN(2) == 0
	}
	return s
}

func checkScope(t *testing.T, m *Matrix, a Actor, f Feature, s Settings, targets []Target) {
	t.Helper()

	sc := m.Scope(a, f, s)
	for _, ids := range [][]string{sc.Projects, sc.Users, sc.Teams} {
		if !slices.IsSorted(ids) || len(slices.Compact(slices.Clone(ids))) != len(ids) || slices.Contains(ids, "") {
			t.Fatalf("Expected sorted, unique, non-empty ids, got %+v", sc)
		}
	}
	if a.UserID != "" && slices.Contains(sc.Users, a.UserID) {
		t.Fatalf("Expected the actor in Self, not Users: %+v", sc)
	}

	anyFull := false
	for _, target := range targets {
		d := m.Decide(a, f, target, s)
		if in := scopeContains(sc, a, target); in != d.Allowed {
			t.Fatalf("Decide and Scope disagree for %+v, %q, %+v, settings %v: decision %+v, scope %+v", a, f, target, s, d, sc)
		}
		if d.Allowed && !d.Limited {
			anyFull = true
		}
		if sc.Limited && d.Allowed && !d.Limited {
			t.Fatalf("Expected only limited decisions in a limited scope %+v, got %+v for %+v", sc, d, target)
		}
	}
	if !sc.Empty() && !sc.Limited && !anyFull {
		t.Fatalf("Expected an unlimited scope %+v to allow some target without limitation (%+v, %q)", sc, a, f)
	}
}

// TestDecideScopeAgree is the contract that lets list endpoints filter with Scope
// and single-record endpoints check with Decide without ever disagreeing.
func TestDecideScopeAgree(t *testing.T) {
	t.Parallel()

	for _, m := range []*Matrix{Default(), syntheticMatrix(t)} {
		checkDecideScopeAgree(t, m)
	}
}

func checkDecideScopeAgree(t *testing.T, m *Matrix) {
	t.Helper()

	toggles := m.Toggles()
	features := []Feature{"Unknown"}
	for _, r := range m.Rows() {
		features = append(features, r.Feature)
	}

	var targets []Target
	for _, u := range append(genUsers, "me") {
		for _, p := range genProjects {
			for _, tm := range genTeams {
				targets = append(targets, Target{OwnerID: u, ProjectID: p, TeamID: tm})
			}
		}
	}

	rng := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		a := genActor(rng)
		s := genSettings(rng, toggles)
		for _, f := range features {
			checkScope(t, m, a, f, s, targets)
		}
	}
}

func TestDecideDoesNotAllocate(t *testing.T) {
	m := Default()
	a := benchActor()
	s := SettingsMap{"team_leads_invite_users": true, SettingAllowScreenshotDelete: true}
	target := Target{OwnerID: "member3", ProjectID: "led2", TeamID: "team2"}

	allocs := testing.AllocsPerRun(100, func() {
		for _, f := range []Feature{ViewScreenshots, DeleteScreenshots, InviteUsers, Billing, CreateAnOrganization} {
			m.Decide(a, f, target, s)
		}
	})
	if allocs != 0 {
		t.Fatalf("Expected Decide not to allocate, got %v allocs per run", allocs)
	}
}

func splitIDs(s string) map[string]bool {
	if s == "" {
		return nil
	}
	out := map[string]bool{}
	for _, id := range strings.Split(s, ",") {
		// A leading "!" stores the id as false, which must read as absent.
		if rest, ok := strings.CutPrefix(id, "!"); ok {
			out[rest] = false
		} else {
			out[id] = true
		}
	}
	return out
}

func FuzzDecide(f *testing.F) {
	f.Add("u1", "user", "p1=manager,p2=user", "t1", "p3", "u2,u1", "", uint8(39), "u2", "p1", "t1", uint64(0))
	f.Add("u1", "manager", "", "t1", "", "u2", "", uint8(39), "u9", "p9", "t9", uint64(1<<63|1))
	f.Add("", "", "=manager", "", "", "", "", uint8(0), "", "", "", uint64(0))
	f.Add("u1", "owner", "p1=viewer", "!t1", "!p1", "!u2", "Unknown", uint8(200), "u1", "p1", "t1", ^uint64(0))
	f.Add("u1", "user", "p1=user", "", "", "", "", uint8(40), "u1", "p1", "", ^uint64(0))

	m := Default()
	rows := m.Rows()
	toggles := m.Toggles()

	f.Fuzz(func(t *testing.T, userID, orgRole, projectRoles, ledTeams, ledProjects, ledMembers, feature string, featureIdx uint8, ownerID, projectID, teamID string, bits uint64) {
		a := Actor{
			UserID:      userID,
			OrgRole:     orgRole,
			LedTeams:    splitIDs(ledTeams),
			LedProjects: splitIDs(ledProjects),
			LedMembers:  splitIDs(ledMembers),
		}
		if projectRoles != "" {
			a.ProjectRoles = map[string]string{}
			for _, pair := range strings.Split(projectRoles, ",") {
				p, r, _ := strings.Cut(pair, "=")
				a.ProjectRoles[p] = r
			}
		}

		feat := Feature(feature)
		if int(featureIdx) < len(rows) {
			feat = rows[featureIdx].Feature
		}

		s := SettingsMap{}
		for i, name := range toggles {
			s[name] = bits>>(i%64)&1 == 1
		}

		target := Target{OwnerID: ownerID, ProjectID: projectID, TeamID: teamID}
		d := m.Decide(a, feat, target, s)

		held := a.Roles()
		if d.Allowed {
			if !slices.Contains(held, d.Role) {
				t.Fatalf("Expected the granting role %q to be one of %v", d.Role, held)
			}
			c, ok := m.Cell(feat, d.Role)
			if !ok || c != d.Cell {
				t.Fatalf("Expected decision cell %q to be the matrix cell %q", d.Cell, c)
			}
			if d.Cell == CellNone {
				t.Fatalf("Expected a none cell never to allow, got %+v", d)
			}
			if d.Limited != (d.Cell == CellLimited) {
				t.Fatalf("Expected Limited exactly for limited cells, got %+v", d)
			}
		} else if d != (Decision{}) {
			t.Fatalf("Expected a zero denial, got %+v", d)
		}

		allNone := true
		for _, r := range held {
			if c, _ := m.Cell(feat, r); c != CellNone {
				allNone = false
			}
		}
		if allNone && d.Allowed {
			t.Fatalf("Expected denial when every held cell is none, got %+v", d)
		}

		sc := m.Scope(a, feat, s)
		if in := scopeContains(sc, a, target); in != d.Allowed {
			t.Fatalf("Decide and Scope disagree: decision %+v, scope %+v", d, sc)
		}
	})
}

// benchActor is a typical busy member: a user on ten projects, managing two of them,
// and leading two teams.
func benchActor() Actor {
	a := Actor{
		UserID:       "me",
		OrgRole:      "user",
		ProjectRoles: map[string]string{},
		LedTeams:     map[string]bool{"team1": true, "team2": true},
		LedProjects:  map[string]bool{},
		LedMembers:   map[string]bool{},
	}
	for i := range 10 {
		role := "user"
		if i < 2 {
			role = "manager"
		}
		a.ProjectRoles[fmt.Sprintf("proj%d", i)] = role
	}
	for i := range 4 {
		a.LedProjects[fmt.Sprintf("led%d", i)] = true
	}
	for i := range 8 {
		a.LedMembers[fmt.Sprintf("member%d", i)] = true
	}
	return a
}

func BenchmarkDecide(b *testing.B) {
	m := Default()
	a := benchActor()
	s := SettingsMap{"managers_view_screenshots": true, SettingAllowScreenshotDelete: true}
	cases := []struct {
		f Feature
		t Target
	}{
		{ViewScreenshots, Target{OwnerID: "member3", ProjectID: "led2", TeamID: "team2"}},
		{ViewScreenshots, Target{OwnerID: "stranger", ProjectID: "elsewhere"}},
		{DeleteScreenshots, Target{OwnerID: "me", ProjectID: "proj5"}},
		{AddEditDeleteTime, Target{OwnerID: "stranger", ProjectID: "proj1"}},
		{Billing, Target{}},
		{CreateAnOrganization, Target{}},
	}

	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c := cases[i%len(cases)]
		m.Decide(a, c.f, c.t, s)
		i++
	}
}

func BenchmarkScope(b *testing.B) {
	m := Default()
	a := benchActor()
	s := SettingsMap{SettingAllowScreenshotDelete: true}
	features := []Feature{ViewScreenshots, DeleteScreenshots, ViewTimesheets, Billing}

	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m.Scope(a, features[i%len(features)], s)
		i++
	}
}
