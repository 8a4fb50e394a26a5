package hooks_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

// probe is one request that exercises a feature on one target.
type probe struct {
	feature perms.Feature
	label   string // own, assigned, other project, other org
	org     string
	target  perms.Target
	method  string
	url     string
	body    string
	before  func(t testing.TB, app core.App) // state the probe needs
	// took reports whether the request had its effect, from the response
	// body and the database after the request.
	took func(t testing.TB, app core.App, status int, body string) bool
	read bool // a read: a denial is an empty answer, not an error status
	// expect, when set, is the matrix's answer where more than one feature
	// can allow the request; otherwise it is Decide(feature, target).
	expect func(a perms.Actor, s perms.Settings, t perms.Target) perms.Decision
}

func listed(collection, id string) probe {
	return probe{
		method: "GET", read: true,
		url: hookstest.RecordsURL(collection) + "?filter=" + url.QueryEscape(fmt.Sprintf("id=%q", id)),
		took: func(_ testing.TB, _ core.App, status int, body string) bool {
			return status == 200 && strings.Contains(body, `"id":"`+id+`"`)
		},
	}
}

func viewed(collection, id string) probe {
	return probe{
		method: "GET", read: true, url: hookstest.RecordsURL(collection) + "/" + id,
		took: func(_ testing.TB, _ core.App, status int, body string) bool {
			return status == 200 && strings.Contains(body, `"id":"`+id+`"`)
		},
	}
}

func fieldShown(collection, id, field string) probe {
	return probe{
		method: "GET", read: true, url: hookstest.RecordsURL(collection) + "/" + id,
		took: func(_ testing.TB, _ core.App, status int, body string) bool {
			return status == 200 && strings.Contains(body, `"`+field+`":`)
		},
	}
}

func updated(collection, id, field string, value any) probe {
	b, _ := json.Marshal(map[string]any{field: value})
	return probe{
		method: "PATCH", url: hookstest.RecordsURL(collection) + "/" + id, body: string(b),
		took: func(t testing.TB, app core.App, _ int, _ string) bool {
			r, err := app.FindRecordById(collection, id)
			if err != nil {
				return false
			}
			return fmt.Sprint(r.Get(field)) == fmt.Sprint(value)
		},
	}
}

func deleted(collection, id string) probe {
	return probe{
		method: "DELETE", url: hookstest.RecordsURL(collection) + "/" + id,
		took: func(_ testing.TB, app core.App, _ int, _ string) bool { return !hookstest.Exists(app, collection, id) },
	}
}

func created(collection string, fields map[string]any, match string) probe {
	b, _ := json.Marshal(fields)
	return probe{
		method: "POST", url: hookstest.RecordsURL(collection), body: string(b),
		took: func(t testing.TB, app core.App, _ int, _ string) bool {
			n, err := app.CountRecords(collection, hookstest.DbxExpr(match, fields))
			return err == nil && n > 0
		},
	}
}

// on sets the feature, label and target of a probe.
func (p probe) on(f perms.Feature, label, org string, target perms.Target) probe {
	p.feature, p.label, p.org, p.target = f, label, org, target
	return p
}

// dataTargets are the four targets of per-person data: own, a teammate's in
// the assigned project, the same person's in another project, another org's.
func dataTargets(self string) []struct {
	label, user, project, org string
} {
	return []struct{ label, user, project, org string }{
		{"own", self, tt.ProjA, tt.Acme},
		{"assigned", tt.Walt, tt.ProjA, tt.Acme},
		{"other project", tt.Walt, tt.ProjB, tt.Acme},
		{"other org", tt.Dave, tt.ProjG, tt.Globex},
	}
}

// assigning expects what "Manage Assigned Projects" allows besides the
// project-side feature: a team lead may (un)assign their own teams' members.
func assigning(pr probe, projectSide perms.Feature, user string) probe {
	pr.expect = func(a perms.Actor, s perms.Settings, t perms.Target) perms.Decision {
		m := perms.Default()
		if d := m.Decide(a, projectSide, t, s); d.Allowed {
			return d
		}
		d := m.Decide(a, perms.ManageAssignedProjects, t, s)
		if d.Allowed && d.Role == perms.RoleTeamLead && !a.LedMembers[user] {
			return perms.Decision{}
		}
		return d
	}
	return pr
}

// memberOf names the user of a seeded project membership.
func memberOf(projectMember string) string {
	for _, u := range []string{tt.Walt, tt.Dave} {
		for _, p := range []string{tt.ProjA, tt.ProjB, tt.ProjG} {
			if tt.ProjectMemberID(u, p) == projectMember {
				return u
			}
		}
	}
	return ""
}

// tasks names each seeded project's task, the destination of a reassignment.
var tasks = map[string]string{tt.ProjA: tt.TaskA, tt.ProjB: tt.TaskB, tt.ProjG: tt.TaskG}

// reassigned moves a time block to its project's task.
func reassigned(activity, task string) probe {
	var project string
	for p, t := range tasks {
		if t == task {
			project = p
		}
	}
	return probe{
		method: "POST", url: strings.Replace(api.ReassignRoute, "{id}", activity, 1),
		body: fmt.Sprintf(`{"project":%q,"task":%q}`, project, task),
		took: func(_ testing.TB, app core.App, _ int, _ string) bool {
			r, err := app.FindRecordById(schema.Activities, activity)
			if err != nil || r.GetString("task") != task {
				return false
			}
			shots, _ := app.FindAllRecords(schema.Screenshots, dbx.HashExp{"activity": activity, "task": task})
			return len(shots) == 1
		},
	}
}

// reportRow asks for a report of one member in one project on the seed's
// day; took means the row is there and, with breaks, carries break seconds.
func reportRow(org, user, project string, breaks bool) probe {
	day := tt.Slot.Format(time.DateOnly)
	u := hookstest.OrgURL(api.ReportsRoute, org) + "?" + url.Values{
		"from": {day}, "to": {day}, "group": {"member,project"}, "user": {user}, "project": {project},
	}.Encode()
	return probe{
		method: "GET", read: true, url: u,
		took: func(t testing.TB, _ core.App, status int, body string) bool {
			if status != 200 {
				return false
			}
			var rep api.Report
			if err := json.Unmarshal([]byte(body), &rep); err != nil {
				t.Fatalf("report: %v", err)
			}
			for _, r := range rep.Rows {
				if hookstest.Deref(r.MemberID) == user && hookstest.Deref(r.ProjectID) == project {
					return !breaks || r.BreakSeconds > 0
				}
			}
			return false
		},
	}
}

// teamDashboardRow asks the Team dashboard of the seed's day whether it
// shows user's time in project.
func teamDashboardRow(org, user, project string) probe {
	return probe{
		method: "GET", read: true, url: hookstest.OrgURL(api.TeamDashboardRoute, org) + "?day=" + tt.Slot.Format(time.DateOnly),
		took: func(t testing.TB, _ core.App, status int, body string) bool {
			if status != 200 {
				return false
			}
			var d api.TeamDashboard
			if err := json.Unmarshal([]byte(body), &d); err != nil {
				t.Fatalf("team dashboard: %v", err)
			}
			for _, m := range d.Members {
				for _, p := range m.Projects {
					if m.User == user && p.Project == project {
						return true
					}
				}
			}
			return false
		},
	}
}

// meDashboard asks for one's own dashboard in org.
func meDashboard(org string) probe {
	return probe{
		method: "GET", read: true, url: hookstest.OrgURL(api.MeDashboardRoute, org),
		took: func(_ testing.TB, _ core.App, status int, body string) bool {
			return status == 200 && strings.Contains(body, `"this_week"`)
		},
	}
}

// breaksListed asks the breaks route for one member's breaks of the seed's day.
func breaksListed(org, user string) probe {
	day := tt.Slot.Format(time.DateOnly)
	return probe{
		method: "GET", read: true,
		url: hookstest.OrgURL(api.BreaksRoute, org) + "?" + url.Values{"from": {day}, "to": {day}, "user": {user}}.Encode(),
		took: func(_ testing.TB, _ core.App, status int, body string) bool {
			return status == 200 && strings.Contains(body, `"user":"`+user+`"`)
		},
	}
}

// earnsBreak plants an hour of work and a 20-minute gap before the seeded
// slot of user in project, which the seeded policy makes a break.
func earnsBreak(pr probe, org, user, project string) probe {
	pr.before = func(t testing.TB, app core.App) {
		var acts []hookstest.Act
		for _, a := range hookstest.Run(user, project, tt.Slot.Add(-80*time.Minute), 6) {
			a.Org = org
			acts = append(acts, a)
		}
		hookstest.Plant(t, app, acts...)
	}
	return pr
}

// breaksInReports: a break shows in a report row only where the row itself
// may be generated.
func breaksInReports(pr probe) probe {
	pr.expect = func(a perms.Actor, s perms.Settings, t perms.Target) perms.Decision {
		m := perms.Default()
		if !m.Decide(a, perms.GenerateReports, t, s).Allowed {
			return perms.Decision{}
		}
		return m.Decide(a, perms.ViewWorkBreaksInReports, t, s)
	}
	return pr
}

// submittedFor submits user's week of tt.Slot, with approvals on in both organizations.
func submittedFor(user, org string) probe {
	return probe{
		method: "POST", url: strings.Replace(api.TimesheetSubmitRoute, "{org}", org, 1),
		body: fmt.Sprintf(`{"user":%q,"period_start":"2026-11-02"}`, user),
		before: func(t testing.TB, app core.App) {
			for _, id := range []string{tt.Acme, tt.Globex} {
				r, err := app.FindRecordById(schema.Organizations, id)
				if err != nil {
					t.Fatal(err)
				}
				r.Set("timesheet_approvals", true)
				if err := app.Save(r); err != nil {
					t.Fatal(err)
				}
			}
		},
		took: func(_ testing.TB, app core.App, _ int, _ string) bool {
			n, err := app.CountRecords(schema.Timesheets, dbx.HashExp{"user": user, "status": "submitted"})
			return err == nil && n == 1
		},
	}
}

// sheetApproved approves user's submitted week of tt.Slot.
func sheetApproved(user, org string) probe {
	id := pad15("tsh" + user[3:])
	return probe{
		method: "POST", url: strings.Replace(api.TimesheetApproveRoute, "{id}", id, 1), body: `{}`,
		before: func(t testing.TB, app core.App) {
			hookstest.PlantRecord(t, app, schema.Timesheets, id, map[string]any{
				"org": org, "user": user, "status": "submitted", "submitted_by": user,
				"period_start": "2026-11-02 00:00:00.000Z", "period_end": "2026-11-08 00:00:00.000Z",
			})
		},
		took: func(_ testing.TB, app core.App, _ int, _ string) bool {
			r, err := app.FindRecordById(schema.Timesheets, id)
			return err == nil && r.GetString("status") == "approved"
		},
	}
}

// requestApproved approves user's request for half an hour in project.
func requestApproved(user, project, org string) probe {
	id := tt.DataID("req", user, project)
	return probe{
		method: "POST", url: strings.Replace(api.ApproveTimeRequestRoute, "{id}", id, 1), body: `{}`,
		before: func(t testing.TB, app core.App) {
			hookstest.PlantRecord(t, app, schema.TimeRequests, id, map[string]any{
				"org": org, "user": user, "project": project, "status": "pending",
				"start": tt.Slot.Add(time.Hour), "end": tt.Slot.Add(90 * time.Minute),
			})
		},
		took: func(_ testing.TB, app core.App, _ int, _ string) bool {
			r, err := app.FindRecordById(schema.TimeRequests, id)
			if err != nil || r.GetString("status") != "approved" {
				return false
			}
			n, err := app.CountRecords(schema.Activities, dbx.HashExp{"user": user, "project": project, "source": "manual"})
			return err == nil && n == 3
		},
	}
}

func pad15(id string) string {
	for len(id) < 15 {
		id += "0"
	}
	return id[:15]
}

var tracksTime = map[string]bool{tt.Alice: true, tt.Bob: true, tt.Carol: true, tt.Pam: true, tt.Tess: true}

// probes lists every request of the matrix test for one person.
func probes(self string) []probe {
	var ps []probe
	for _, d := range dataTargets(self) {
		if d.label == "own" && !tracksTime[self] {
			continue // a project viewer never tracks time
		}
		tg := perms.Target{OwnerID: d.user, ProjectID: d.project}
		shot, act, app := tt.DataID("shot", d.user, d.project), tt.DataID("act", d.user, d.project), tt.DataID("app", d.user, d.project)
		ps = append(ps,
			listed(schema.Screenshots, shot).on(perms.ViewScreenshots, d.label+" (list)", d.org, tg),
			viewed(schema.Screenshots, shot).on(perms.ViewScreenshots, d.label+" (view)", d.org, tg),
			deleted(schema.Screenshots, shot).on(perms.DeleteScreenshots, d.label, d.org, tg),
			listed(schema.AppUsage, app).on(perms.ViewApps, d.label, d.org, tg),
			fieldShown(schema.AppUsage, app, "url").on(perms.ViewURLs, d.label, d.org, tg),
			listed(schema.Activities, act).on(perms.ViewTimesheets, d.label, d.org, tg),
			updated(schema.Activities, act, "tracked_seconds", 300).on(perms.AddEditDeleteTime, d.label, d.org, tg),
			reassigned(act, tasks[d.project]).on(perms.ModifyScreenshots, d.label, d.org, tg),
			reportRow(d.org, d.user, d.project, false).on(perms.GenerateReports, d.label, d.org, tg),
			teamDashboardRow(d.org, d.user, d.project).on(perms.ViewTeamDashboard, d.label, d.org, tg),
			breaksInReports(earnsBreak(reportRow(d.org, d.user, d.project, true), d.org, d.user, d.project)).
				on(perms.ViewWorkBreaksInReports, d.label, d.org, tg),
			earnsBreak(breaksListed(d.org, d.user), d.org, d.user, d.project).on(perms.ViewWorkBreaksInTimesheets, d.label, d.org, tg),
		)
	}

	projects := []struct{ label, id, org, member, task, team, teamOther string }{
		{"assigned", tt.ProjA, tt.Acme, tt.ProjectMemberID(tt.Walt, tt.ProjA), tt.TaskA, tt.TeamT, ""},
		{"other project", tt.ProjB, tt.Acme, tt.ProjectMemberID(tt.Walt, tt.ProjB), tt.TaskB, tt.TeamU, ""},
		{"other org", tt.ProjG, tt.Globex, tt.ProjectMemberID(tt.Dave, tt.ProjG), tt.TaskG, tt.TeamG, ""},
	}
	for _, p := range projects {
		tg := perms.Target{ProjectID: p.id}
		// A project role that changes: Walt is a user of A and B, Dave manages G.
		from, to := "user", "manager"
		if p.org == tt.Globex {
			from, to = "manager", "user"
		}
		ps = append(ps,
			listed(schema.Projects, p.id).on(perms.ViewProjects, p.label, p.org, tg),
			updated(schema.Projects, p.id, "name", "Renamed").on(perms.EditProjects, p.label, p.org, tg),
			updated(schema.Projects, p.id, "archived", true).on(perms.ArchiveProjects, p.label, p.org, tg),
			deleted(schema.Projects, p.id).on(perms.DeleteProjects, p.label, p.org, tg),
			fieldShown(schema.Projects, p.id, "budget").on(perms.ViewProjectBudget, p.label, p.org, tg),
			updated(schema.Projects, p.id, "budget", 999).on(perms.ManageProjectBudget, p.label, p.org, tg),
			listed(schema.ProjectMembers, p.member).on(perms.ViewProjectMembers, p.label, p.org, tg),
			settingProjectRole(updated(schema.ProjectMembers, p.member, "role", "viewer"),
				perms.RoleChange{Where: p.id, Target: memberOf(p.member), TargetOrgRole: "user", From: "user", To: "viewer"}).
				on(perms.PromoteDemoteUsersInProjects, p.label, p.org, tg),
			settingProjectRole(updated(schema.ProjectMembers, p.member, "role", to),
				perms.RoleChange{Where: p.id, Target: memberOf(p.member), TargetOrgRole: "user", From: from, To: to}).
				on(perms.ChangeUserRoles, p.label+" (project role)", p.org, tg),
			assigning(deleted(schema.ProjectMembers, p.member), perms.RemoveMembersInProject, memberOf(p.member)).
				on(perms.RemoveMembersInProject, p.label, p.org, tg),
			created(schema.ProjectMembers, map[string]any{"org": p.org, "project": p.id, "user": tt.Nia, "role": "user"},
				"project = {:project} AND user = {:user}").on(perms.AddProjectMembers, p.label, p.org, tg),
			assigning(created(schema.ProjectMembers, map[string]any{"org": p.org, "project": p.id, "user": tt.Zoe, "role": "user"},
				"project = {:project} AND user = {:user}"), perms.AddProjectMembers, tt.Zoe).on(perms.ManageAssignedProjects, p.label+" (assign)", p.org, tg),
			assigning(deleted(schema.ProjectMembers, p.member), perms.RemoveMembersInProject, memberOf(p.member)).
				on(perms.ManageAssignedProjects, p.label+" (unassign)", p.org, tg),
			updated(schema.Tasks, p.task, "title", "Renamed").on(perms.AddEditRemoveTasks, p.label, p.org, tg),
			updated(schema.Tasks, p.task, "completed", true).on(perms.MarkTasksAsComplete, p.label, p.org, tg),
		)
	}

	teams := []struct{ label, id, org, link, member, newcomer string }{
		{"assigned", tt.TeamT, tt.Acme, tt.TeamProjectID(tt.TeamT, tt.ProjA), tt.TeamMemberID(tt.Walt, tt.TeamT), tt.Carol},
		{"other team", tt.TeamU, tt.Acme, tt.TeamProjectID(tt.TeamU, tt.ProjB), tt.TeamMemberID(tt.Nia, tt.TeamU), tt.Carol},
		{"other org", tt.TeamG, tt.Globex, tt.TeamProjectID(tt.TeamG, tt.ProjG), tt.TeamMemberID(tt.Dave, tt.TeamG), tt.Carol},
	}
	for _, tm := range teams {
		tg := perms.Target{TeamID: tm.id}
		ps = append(ps,
			updated(schema.Teams, tm.id, "name", "Renamed").on(perms.ManageTeams, tm.label, tm.org, tg),
			created(schema.TeamMembers, map[string]any{"org": tm.org, "team": tm.id, "user": tm.newcomer},
				"team = {:team} AND user = {:user}").on(perms.ModifyTeamMembers, tm.label, tm.org, tg),
			updated(schema.TeamMembers, tm.member, "is_lead", true).on(perms.AddRemoveTeamLeads, tm.label, tm.org, tg),
			deleted(schema.TeamProjects, tm.link).on(perms.ModifyTeamProjects, tm.label, tm.org, tg),
		)
	}

	members := []struct{ label, user, org string }{
		{"team member", tt.Walt, tt.Acme},
		{"other member", tt.Nia, tt.Acme},
		{"other org", tt.Dave, tt.Globex},
	}
	for _, m := range members {
		tg := perms.Target{OwnerID: m.user}
		id := tt.MembershipID(m.user)
		ps = append(ps,
			listed(schema.Memberships, id).on(perms.ViewOrganizationMembers, m.label, m.org, tg),
			settingOrgRole(updated(schema.Memberships, id, "status", "invited"), m.user, "user", "user").
				on(perms.ChangeUserRoles, m.label+" (status)", m.org, tg),
			settingOrgRole(updated(schema.Memberships, id, "role", "manager"), m.user, "user", "manager").
				on(perms.ChangeUserRoles, m.label+" (organization role)", m.org, tg),
			deleted(schema.Memberships, id).on(perms.RemoveUsers, m.label, m.org, tg),
			updated(schema.Memberships, id, "daily_limit_hours", 8).on(perms.SetDailyWeeklyLimits, m.label, m.org, tg),
			updated(schema.Memberships, id, "tracking_enabled", false).on(perms.EnableDisableTimeTracking, m.label, m.org, tg),
			submittedFor(m.user, m.org).on(perms.SubmitTimesheetsForUsers, m.label, m.org, tg),
			sheetApproved(m.user, m.org).on(perms.ApproveTimesheets, m.label, m.org, tg),
		)
	}
	for _, r := range []struct{ label, user, project, org string }{
		{"assigned", tt.Walt, tt.ProjA, tt.Acme},
		{"other project", tt.Walt, tt.ProjB, tt.Acme},
		{"other member", tt.Nia, tt.ProjB, tt.Acme},
		{"other org", tt.Dave, tt.ProjG, tt.Globex},
	} {
		ps = append(ps, requestApproved(r.user, r.project, r.org).
			on(perms.ApproveManualTimeRequests, r.label, r.org, perms.Target{OwnerID: r.user, ProjectID: r.project}))
	}
	ps = append(ps,
		deleted(schema.Memberships, tt.MembershipID(self)).on(perms.LeaveOrganization, "own", tt.Acme, perms.Target{OwnerID: self}),
		meDashboard(tt.Acme).on(perms.ViewMeDashboard, "own org", tt.Acme, perms.Target{OwnerID: self}),
		meDashboard(tt.Globex).on(perms.ViewMeDashboard, "other org", tt.Globex, perms.Target{OwnerID: self}),
		created(schema.Memberships, map[string]any{"org": tt.Acme, "user": tt.Erin, "role": "user"},
			"org = {:org} AND user = {:user}").on(perms.InviteUsers, "new member", tt.Acme, perms.Target{OwnerID: tt.Erin}),
		created(schema.Memberships, map[string]any{"org": tt.Globex, "user": tt.Erin, "role": "user"},
			"org = {:org} AND user = {:user}").on(perms.InviteUsers, "other org", tt.Globex, perms.Target{OwnerID: tt.Erin}),
		created(schema.Organizations, map[string]any{"name": "Fresh " + self}, "name = {:name}").
			on(perms.CreateAnOrganization, "new", tt.Acme, perms.Target{}),
	)

	for _, o := range []struct{ label, id, client, invite, policy string }{
		{"own org", tt.Acme, tt.Cli, tt.InvA, tt.BrkA}, {"other org", tt.Globex, tt.CliG, tt.InvG, tt.BrkG},
	} {
		tg := perms.Target{}
		restore := updated(schema.Organizations, o.id, "archived", false).on(perms.RestoreOrganization, o.label, o.id, tg)
		orgID := o.id
		restore.before = func(t testing.TB, app core.App) {
			org, err := app.FindRecordById(schema.Organizations, orgID)
			if err != nil {
				t.Fatal(err)
			}
			org.Set("archived", true)
			if err := app.Save(org); err != nil {
				t.Fatal(err)
			}
		}
		ps = append(ps,
			updated(schema.Organizations, o.id, "name", "Renamed").on(perms.EditOrganization, o.label, o.id, tg),
			listed(schema.Invites, o.invite).on(perms.ViewAndManageInvites, o.label, o.id, tg),
			deleted(schema.Invites, o.invite).on(perms.ViewAndManageInvites, o.label, o.id, tg),
			updated(schema.Organizations, o.id, "archived", true).on(perms.ArchiveOrganization, o.label, o.id, tg),
			restore,
			deleted(schema.Organizations, o.id).on(perms.DeleteOrganization, o.label, o.id, tg),
			updated(schema.Organizations, o.id, "idle_timeout_minutes", 10).on(perms.ChangeOrganizationSettings, o.label, o.id, tg),
			updated(schema.Organizations, o.id, "manual_time", "approval").on(perms.ChangeOrganizationSettings, o.label+" (manual time)", o.id, tg),
			updated(schema.Organizations, o.id, schema.IdleDefaultField, schema.IdleKeep).on(perms.ChangeOrganizationSettings, o.label+" (idle default)", o.id, tg),
			updated(schema.Organizations, o.id, "timesheet_approvals", true).on(perms.EnableTimesheetApprovals, o.label, o.id, tg),
			updated(schema.Organizations, o.id, "pay_period", "monthly").on(perms.ManagePayPeriods, o.label, o.id, tg),
			created(schema.Teams, map[string]any{"org": o.id, "name": "New team"}, "org = {:org} AND name = {:name}").
				on(perms.CreateTeams, o.label, o.id, tg),
			created(schema.Projects, map[string]any{"org": o.id, "name": "New project"}, "org = {:org} AND name = {:name}").
				on(perms.CreateProjects, o.label, o.id, tg),
			created(schema.Clients, map[string]any{"org": o.id, "name": "New client"}, "org = {:org} AND name = {:name}").
				on(perms.AddClients, o.label, o.id, tg),
			updated(schema.Clients, o.client, "name", "Renamed").on(perms.EditClients, o.label, o.id, tg),
			deleted(schema.Clients, o.client).on(perms.RemoveClients, o.label, o.id, tg),
			created(schema.BreakPolicies, map[string]any{"org": o.id, "name": "Lunch", "after_minutes": 240, "break_minutes": 30},
				"org = {:org} AND name = {:name}").on(perms.CreateWorkBreakPolicies, o.label, o.id, tg),
			updated(schema.BreakPolicies, o.policy, "break_minutes", 20).on(perms.EditWorkBreakPolicies, o.label, o.id, tg),
			deleted(schema.BreakPolicies, o.policy).on(perms.EditWorkBreakPolicies, o.label+" (delete)", o.id, tg),
		)
	}
	ps = append(ps, timeOffProbes(self)...)
	ps = append(ps, integrationsProbes(self)...)
	ps = append(ps, fieldProbes(self)...)
	ps = append(ps, planProbes(self)...)
	ps = append(ps, moneyProbes(self)...)
	ps = append(ps, roleProbes(self)...)
	return ps
}

// unreachable lists the cells whose allowed (or denied) side no request on
// today's collections can show, each with the reason; the test fails on any
// other cell that was never seen on both sides.
func unreachable() map[string]string {
	everyone := "every signed-in person may create an organization; the refused side is the anonymous request of TestCreateOrganization"
	orgUsers := "project managers, viewers and team leads are organization users too, and the user column decides"
	leaving := "leaving concerns one's own membership; deleting anyone else's is Remove Users, probed on both sides"
	oneself := "removing oneself is Leave Organization, probed there"
	selfAsUser := "the cell is self, which the user column (every project manager and team lead is an organization user) grants too; perms reports the user column for equal grants"
	return map[string]string{
		"Invite Users/team_lead":                         "team leads invite through POST /api/tock/orgs/{org}/invites, not a collection: TestInviteCreate probes both sides, toggle on and off",
		"Create an Organization/owner":                   everyone,
		"Create an Organization/org_manager":             everyone,
		"Create an Organization/user":                    everyone,
		"View Me Dashboard/project_manager":              orgUsers,
		"View Me Dashboard/project_viewer":               orgUsers,
		"Create an Organization/project_manager":         orgUsers,
		"Create an Organization/project_viewer":          orgUsers,
		"Create an Organization/team_lead":               orgUsers,
		"Leave Organization/org_manager":                 leaving,
		"Leave Organization/user":                        leaving,
		"Leave Organization/project_manager":             orgUsers,
		"Leave Organization/project_viewer":              orgUsers,
		"Leave Organization/team_lead":                   orgUsers,
		"Remove Users/user":                              oneself,
		"Remove Users/project_manager":                   oneself,
		"Remove Users/project_viewer":                    oneself,
		"Remove Users/team_lead":                         oneself,
		"View Work Breaks in Timesheets/project_manager": "a project manager's own breaks are the user column's too (self), and perms reports the user column for equal grants",
		"Create Team Invoices/project_manager":           selfAsUser,
		"Create Team Invoices/team_lead":                 selfAsUser,
		"View Team Invoices/project_manager":             selfAsUser,
		"View Team Invoices/team_lead":                   selfAsUser,
		"Mark Payment on Team invoice/project_manager":   selfAsUser,

		// Time off: requesting one's own is self in both columns.
		"Approve/Request Time Off Requests/project_manager": "a project manager's own requests are the user column's too (self), and perms reports the user column for equal grants; the denied side (approving) is probed",
	}
}

// readsSetting reports whether any cell of f depends on an organization setting.
func readsSetting(f perms.Feature) bool {
	for _, r := range perms.Roles() {
		if _, ok := perms.Default().SettingFor(f, r); ok {
			return true
		}
	}
	return false
}

// TestMatrixOverHTTP sends, for every person and every probe, a real request
// through the PocketBase API and checks that it takes effect exactly when the
// matrix allows it — with every organization toggle off, and again on where
// the feature reads one.
func TestMatrixOverHTTP(t *testing.T) {
	fx, err := hookstest.MatrixFixture()
	if err != nil {
		t.Fatal(err)
	}
	matrix := perms.Default()

	type sides struct{ allowed, denied bool }
	var mu sync.Mutex
	seen := map[string]*sides{}
	enforced := map[perms.Feature]bool{}

	for _, p := range hookstest.People() {
		for _, on := range []bool{false, true} {
			settings := hookstest.SettingsFor(on)
			for _, pr := range probes(p.User) {
				if on && !readsSetting(pr.feature) {
					continue
				}
				want := false
				decision := perms.Decision{}
				if pr.org == tt.Acme {
					decision = matrix.Decide(p.Actor, pr.feature, pr.target, settings)
					if pr.expect != nil {
						decision = pr.expect(p.Actor, settings, pr.target)
					}
					want = decision.Allowed
				}
				name := fmt.Sprintf("%s/%s/%s/toggles=%v", p.Column, pr.feature, pr.label, on)
				t.Run(name, func(t *testing.T) {
					app := fx.App(t)
					defer app.Cleanup()
					hookstest.SetToggles(t, app, on)
					if pr.before != nil {
						pr.before(t, app)
					}
					status, body := tt.Do(t, app, pr.method, pr.url, pr.body, fx.Token(t, p.User))
					took := pr.took(t, app, status, body)
					switch {
					case want && !took:
						t.Fatalf("allowed by the matrix but not done: %d %.300s", status, body)
					case !want && took:
						t.Fatalf("denied by the matrix but done: %d %.300s", status, body)
					case !want && !pr.read && (status < 400 || status >= 500):
						t.Fatalf("denied write answered %d, want a 4xx: %.300s", status, body)
					case want && !pr.read && status >= 300:
						t.Fatalf("allowed write answered %d: %.300s", status, body)
					}
					if want && decision.Limited && pr.feature == perms.DeleteScreenshots {
						act := tt.DataID("act", pr.target.OwnerID, pr.target.ProjectID)
						if hookstest.Exists(app, schema.Activities, act) {
							t.Fatalf("limited deletion left the activity %s behind", act)
						}
					}
					mu.Lock()
					defer mu.Unlock()
					enforced[pr.feature] = true
					// Attribute the observation to the column that decided it.
					cols := []perms.Role{p.Column}
					if want && decision.Role != p.Column {
						cols = []perms.Role{decision.Role}
					}
					for _, col := range cols {
						key := string(pr.feature) + "/" + string(col)
						if seen[key] == nil {
							seen[key] = &sides{}
						}
						if want {
							seen[key].allowed = true
						} else {
							seen[key].denied = true
						}
					}
				})
			}
		}
	}

	// Every cell of every enforced row: both sides observed, or a stated reason.
	skip := unreachable()
	var missing []string
	for _, row := range matrix.Rows() {
		if !enforced[row.Feature] {
			continue
		}
		for _, col := range perms.Roles() {
			key := string(row.Feature) + "/" + string(col)
			s := seen[key]
			if s == nil {
				s = &sides{}
			}
			needAllowed := row.Cells[col] != perms.CellNone
			if (needAllowed && !s.allowed || !s.denied) && skip[key] == "" {
				missing = append(missing, fmt.Sprintf("%s (%s: allowed seen %v, denied seen %v)", key, row.Cells[col], s.allowed, s.denied))
			}
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("cell not exercised on both sides: %s", m)
	}

	var pending []string
	for _, row := range matrix.Rows() {
		if !enforced[row.Feature] {
			pending = append(pending, string(row.Feature))
		}
	}
	report := fmt.Sprintf("matrix: %d/%d feature rows enforced over HTTP", len(matrix.Rows())-len(pending), len(matrix.Rows()))
	if len(pending) > 0 {
		report += "\nmatrix: pending: " + strings.Join(pending, "; ")
	}
	tt.Report(t, "matrix.txt", report)
}
