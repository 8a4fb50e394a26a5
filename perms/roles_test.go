package perms

import (
	"slices"
	"testing"
)

func TestCanSetRole(t *testing.T) {
	owner := Actor{UserID: "own", OrgRole: "owner"}
	manager := Actor{UserID: "mgr", OrgRole: "manager"}
	user := Actor{UserID: "usr", OrgRole: "user", ProjectRoles: map[string]string{"p1": "user"}}
	pm := Actor{UserID: "pm", OrgRole: "user", ProjectRoles: map[string]string{"p1": "manager"}}
	lead := Actor{UserID: "tl", OrgRole: "user",
		LedTeams: map[string]bool{"t1": true}, LedProjects: map[string]bool{"p1": true}, LedMembers: map[string]bool{"mate": true}}
	outsider := Actor{UserID: "out"}

	org := func(target, from, to string) RoleChange {
		return RoleChange{Scope: ScopeOrganization, Target: target, TargetOrgRole: from, From: from, To: to}
	}
	invite := func(to string) RoleChange { return RoleChange{Scope: ScopeOrganization, To: to} }
	project := func(p, target, orgRole, from, to string) RoleChange {
		return RoleChange{Scope: ScopeProject, Where: p, Target: target, TargetOrgRole: orgRole, From: from, To: to}
	}
	team := func(tm, target, orgRole, from, to string) RoleChange {
		return RoleChange{Scope: ScopeTeam, Where: tm, Target: target, TargetOrgRole: orgRole, From: from, To: to}
	}

	cases := []struct {
		name   string
		actor  Actor
		change RoleChange
		reason string // "" means allowed
	}{
		// Organization roles: owners and managers only.
		{"owner makes a user a manager", owner, org("mate", "user", "manager"), ""},
		{"owner makes an owner", owner, org("mate", "manager", "owner"), ""},
		{"owner invites an owner", owner, invite("owner"), ""},
		{"manager makes a user a manager", manager, org("mate", "user", "manager"), ""},
		{"manager demotes a manager", manager, org("mate", "manager", "user"), ""},
		{"manager invites a manager", manager, invite("manager"), ""},
		{"manager can't make an owner", manager, org("mate", "user", "owner"), ReasonAboveOwn},
		{"manager can't invite an owner", manager, invite("owner"), ReasonAboveOwn},
		{"manager can't demote an owner", manager, org("boss", "owner", "manager"), ReasonRankedAbove},
		{"manager can't make themselves owner", manager, org("mgr", "manager", "owner"), ReasonAboveOwn},
		{"team lead can't make their member a manager", lead, org("mate", "user", "manager"), ReasonOrgRole},
		{"project manager can't make a member a manager", pm, org("mate", "user", "manager"), ReasonOrgRole},
		{"team lead can't touch a member's organization role even unchanged", lead, org("mate", "user", "user"), ReasonOrgRole},
		{"project manager can't touch a member's organization role even unchanged", pm, org("mate", "user", "user"), ReasonOrgRole},
		{"team lead can't demote a manager", lead, org("mgr", "manager", "user"), ReasonOrgRole},
		{"team lead invites a user", lead, invite("user"), ""},
		{"team lead can't invite a manager", lead, invite("manager"), ReasonOrgRole},
		{"user can't make themselves manager", user, org("usr", "user", "manager"), ReasonOrgRole},
		{"a non-member sets nothing", outsider, invite("user"), ReasonNotMember},
		{"an unknown role", owner, org("mate", "user", "emperor"), ReasonUnknownRole},
		{"an unknown current role", owner, org("mate", "emperor", "user"), ReasonUnknownRole},

		// Project roles: a project manager and a team lead alike, in what they manage.
		{"project manager demotes a user to viewer", pm, project("p1", "mate", "user", "user", "viewer"), ""},
		{"team lead demotes a user to viewer", lead, project("p1", "mate", "user", "user", "viewer"), ""},
		{"project manager makes a project manager", pm, project("p1", "mate", "user", "user", "manager"), ""},
		{"team lead makes a project manager", lead, project("p1", "mate", "user", "user", "manager"), ""},
		{"project manager demotes another project manager", pm, project("p1", "pm2", "user", "manager", "user"), ""},
		{"team lead demotes a project manager", lead, project("p1", "pm2", "user", "manager", "user"), ""},
		{"project manager can't make a manager in a project they don't manage", pm, project("p2", "mate", "user", "user", "manager"), ReasonAboveOwn},
		{"team lead can't make a manager in a project of no team of theirs", lead, project("p2", "mate", "user", "user", "manager"), ReasonAboveOwn},
		{"project manager can't change an organization manager's project role", pm, project("p1", "mgr", "manager", "user", "viewer"), ReasonRankedAbove},
		{"team lead can't change an organization manager's project role", lead, project("p1", "mgr", "manager", "user", "viewer"), ReasonRankedAbove},
		{"project manager can't change an owner's project role", pm, project("p1", "own", "owner", "user", "viewer"), ReasonRankedAbove},
		{"manager can't change an owner's project role", manager, project("p1", "own", "owner", "manager", "user"), ReasonRankedAbove},
		{"manager changes a project manager's role", manager, project("p1", "pm", "user", "manager", "user"), ""},
		{"a project user can't make themselves manager", user, project("p1", "usr", "user", "user", "manager"), ReasonAboveOwn},
		{"a project user can't make a manager", user, project("p1", "mate", "user", "user", "manager"), ReasonAboveOwn},

		// Raising one's own role: owners only.
		{"owner makes themselves project manager", owner, project("p1", "own", "owner", "", "manager"), ""},
		{"manager joins a project as a user", manager, project("p1", "mgr", "manager", "", "user"), ""},
		{"manager can't join a project as its manager", manager, project("p1", "mgr", "manager", "", "manager"), ReasonRaiseOwn},
		{"manager can't join a project as a viewer", manager, project("p1", "mgr", "manager", "", "viewer"), ReasonRaiseOwn},
		{"manager can't promote themselves in a project", manager, project("p1", "mgr", "manager", "user", "manager"), ReasonRaiseOwn},
		{"team lead can't make themselves project manager of a led project", lead, project("p1", "tl", "user", "user", "manager"), ReasonRaiseOwn},
		{"manager can't make themselves a team lead", manager, team("t1", "mgr", "manager", "", TeamLead), ReasonRaiseOwn},
		{"manager joins a team", manager, team("t1", "mgr", "manager", "", TeamMember), ""},
		{"team lead adds a manager to their team as a member", lead, team("t1", "mgr", "manager", "", TeamMember), ""},
		{"project manager adds an owner to the project as a user", pm, project("p1", "own", "owner", "", "user"), ""},
		{"project manager can't add an owner as a viewer", pm, project("p1", "own", "owner", "", "viewer"), ReasonRankedAbove},
		{"a project manager steps down", pm, project("p1", "pm", "user", "manager", "user"), ""},
		{"a team lead steps down", lead, team("t1", "tl", "user", TeamLead, TeamMember), ""},
		{"manager can't make themselves a project's viewer", manager, project("p1", "mgr", "manager", "user", "viewer"), ReasonRaiseOwn},
		{"manager steps down to a project's user", manager, project("p1", "mgr", "manager", "viewer", "user"), ""},

		// Team roles: a lead in their own team, as the matrix allows.
		{"team lead makes a member co-lead", lead, team("t1", "mate", "user", TeamMember, TeamLead), ""},
		{"team lead unmakes a co-lead", lead, team("t1", "tl2", "user", TeamLead, TeamMember), ""},
		{"team lead can't unmake a lead who is a manager", lead, team("t1", "mgr", "manager", TeamLead, TeamMember), ReasonRankedAbove},
		{"team lead can't make a lead in another team", lead, team("t2", "mate", "user", TeamMember, TeamLead), ReasonAboveOwn},
		{"a member can't make themselves lead", user, team("t1", "usr", "user", TeamMember, TeamLead), ReasonAboveOwn},
		{"manager unmakes a lead", manager, team("t1", "tl", "user", TeamLead, TeamMember), ""},
		{"manager can't unmake an owner's lead", manager, team("t1", "own", "owner", TeamLead, TeamMember), ReasonRankedAbove},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := CanSetRole(tc.actor, tc.change)
			if d.Allowed != (tc.reason == "") || d.Reason != tc.reason {
				t.Fatalf("CanSetRole = %+v, want reason %q", d, tc.reason)
			}
		})
	}
}

// TestCanSetRoleLikeAlike: for every project role change, a project manager
// of a project and the lead of a team that has it get the same answer.
func TestCanSetRoleLikeAlike(t *testing.T) {
	pm := Actor{UserID: "x", OrgRole: "user", ProjectRoles: map[string]string{"p1": "manager"}}
	lead := Actor{UserID: "x", OrgRole: "user", LedTeams: map[string]bool{"t1": true}, LedProjects: map[string]bool{"p1": true}}
	roles := []string{"", "viewer", "user", "manager"}
	for _, orgRole := range []string{"owner", "manager", "user"} {
		for _, from := range roles {
			for _, to := range roles[1:] {
				c := RoleChange{Scope: ScopeProject, Where: "p1", Target: "y", TargetOrgRole: orgRole, From: from, To: to}
				if a, b := CanSetRole(pm, c), CanSetRole(lead, c); a != b {
					t.Errorf("%+v: project manager %+v, team lead %+v", c, a, b)
				}
			}
		}
	}
}

func TestRoleRank(t *testing.T) {
	order := []struct {
		scope RoleScope
		role  string
	}{
		{ScopeProject, "viewer"}, {ScopeOrganization, "user"}, {ScopeProject, "manager"},
		{ScopeOrganization, "manager"}, {ScopeOrganization, "owner"},
	}
	for i := 1; i < len(order); i++ {
		if RoleRank(order[i-1].scope, order[i-1].role) >= RoleRank(order[i].scope, order[i].role) {
			t.Errorf("%v must rank below %v", order[i-1], order[i])
		}
	}
	if RoleRank(ScopeProject, "user") != RoleRank(ScopeOrganization, "user") ||
		RoleRank(ScopeTeam, TeamLead) != RoleRank(ScopeProject, "manager") ||
		RoleRank(ScopeTeam, TeamMember) != RoleRank(ScopeOrganization, "user") {
		t.Error("plain members, project managers and team leads must stand alike across scopes")
	}
	if RoleRank(ScopeOrganization, "viewer") != 0 || RoleRank(ScopeTeam, "owner") != 0 {
		t.Error("a role of another scope must not rank")
	}
}

// TestChangeUserRolesCoversPromoteDemote: project roles are Change User
// Roles' (hooks need it alone for a role change), which is sound only while
// it reaches at least what Promote/Demote Users In Projects does, in every
// column and with the toggles on or off.
func TestChangeUserRolesCoversPromoteDemote(t *testing.T) {
	m := Default()
	for _, on := range []bool{false, true} {
		s := SettingsMap{}
		for _, name := range m.Toggles() {
			s[name] = on
		}
		for _, r := range Roles() {
			a := actorFor(r)
			roles, promote := m.Scope(a, ChangeUserRoles, s), m.Scope(a, PromoteDemoteUsersInProjects, s)
			if promote.All && !roles.All || !promote.All && !roles.All && !subset(promote.Projects, roles.Projects) {
				t.Errorf("%s, toggles %v: Promote/Demote %+v reaches beyond Change User Roles %+v", r, on, promote, roles)
			}
		}
	}
}

func subset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}
