package tocktest

import (
	"fmt"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/migrations/schema"
)

// Ids of the matrix seed. Acme holds one person per matrix column plus Walt,
// whose data is "someone else's"; Globex is the organization nobody above
// belongs to.
const (
	Pam   = "usrpam000000001" // Acme user, manager of project A
	Vic   = "usrvic000000001" // Acme user, viewer of project A
	Tess  = "usrtess00000001" // Acme user, lead of team T (which has project A and Walt)
	Walt  = "usrwalt00000001" // Acme user in projects A and B, member of team T
	Nia   = "usrnia000000001" // Acme user on no project, member of team U
	Zoe   = "usrzoe000000001" // Acme user on no project, member of team T
	ProjA = "prjacmea0000001"
	ProjB = "prjacmeb0000001"
	TeamT = "teamacmet000001"
	TeamU = "teamacmeu000001" // a team nobody above leads
	TaskA = "taskacmea000001"
	TaskB = "taskacmeb000001"
	Cli   = "cliacme00000001"
	ProjG = GlobexApp
	TaskG = "taskglobexg0001"
	TeamG = "teamglobexg0001"
	CliG  = "cliglobex000001"
	InvA  = "invacme00000001" // a pending invitation to Acme
	InvG  = "invglobex000001" // a pending invitation to Globex
	BrkA  = "brkacme00000001" // Acme's work break policy
	BrkG  = "brkglobex000001" // Globex's work break policy
)

// Slot is the 10-minute slot all seeded activity sits in.
var Slot = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// DataID names the seeded activity, screenshot or app usage of a user in a
// project: kind is "act", "shot" or "app".
func DataID(kind, user, project string) string {
	return pad(kind + user[3:7] + project[3:8])
}

func pad(id string) string {
	for len(id) < 15 {
		id += "0"
	}
	return id
}

// MembershipID names a seeded membership.
func MembershipID(user string) string { return "mbr" + user[3:] }

// ProjectMemberID names a seeded project membership.
func ProjectMemberID(user, project string) string {
	return DataID("pm", user, project)
}

// TeamMemberID names a seeded team membership.
func TeamMemberID(user, team string) string { return pad("tm" + user[3:7] + team[4:9]) }

// TeamProjectID names a seeded team-project link.
func TeamProjectID(team, project string) string { return pad("tp" + team[4:9] + project[3:8]) }

// Matrix seeds the world the permission tests probe: see the constants above.
// Everyone who tracks time has an activity, a screenshot and app usage in
// project A; Walt also in B; Dave in Globex's project.
func Matrix(app core.App) error {
	s := &Seeder{App: app}
	for _, id := range []string{Alice, Bob, Carol, Dave, Erin, Pam, Vic, Tess, Walt, Nia, Zoe} {
		s.User(id)
	}
	s.Org(Acme, "Acme", nil)
	s.Org(Globex, "Globex", nil)
	roles := map[string]string{Alice: "owner", Bob: "manager", Carol: "user", Pam: "user", Vic: "user", Tess: "user", Walt: "user", Nia: "user", Zoe: "user"}
	for _, u := range []string{Alice, Bob, Carol, Pam, Vic, Tess, Walt, Nia, Zoe} {
		s.Member(MembershipID(u), Acme, u, roles[u])
	}
	s.Member(MembershipID(Dave), Globex, Dave, "owner")

	s.Create(schema.Clients, Cli, map[string]any{"org": Acme, "name": "Client"})
	s.Create(schema.Clients, CliG, map[string]any{"org": Globex, "name": "Client"})
	s.Create(schema.Projects, ProjA, map[string]any{"org": Acme, "name": "A", "client": Cli, "budget": 100, "budget_type": "hours"})
	s.Create(schema.Projects, ProjB, map[string]any{"org": Acme, "name": "B", "budget": 200, "budget_type": "cost"})
	s.Create(schema.Projects, ProjG, map[string]any{"org": Globex, "name": "G", "budget": 300, "budget_type": "hours"})

	projectRoles := []struct{ user, project, role string }{
		{Carol, ProjA, "user"}, {Pam, ProjA, "manager"}, {Vic, ProjA, "viewer"},
		{Walt, ProjA, "user"}, {Walt, ProjB, "user"}, {Dave, ProjG, "manager"},
	}
	for _, pr := range projectRoles {
		org := Acme
		if pr.project == ProjG {
			org = Globex
		}
		s.Create(schema.ProjectMembers, ProjectMemberID(pr.user, pr.project),
			map[string]any{"org": org, "project": pr.project, "user": pr.user, "role": pr.role})
	}

	s.Create(schema.Teams, TeamT, map[string]any{"org": Acme, "name": "T"})
	s.Create(schema.Teams, TeamU, map[string]any{"org": Acme, "name": "U"})
	s.Create(schema.TeamMembers, TeamMemberID(Tess, TeamT), map[string]any{"org": Acme, "team": TeamT, "user": Tess, "is_lead": true})
	s.Create(schema.TeamMembers, TeamMemberID(Walt, TeamT), map[string]any{"org": Acme, "team": TeamT, "user": Walt})
	s.Create(schema.TeamMembers, TeamMemberID(Nia, TeamU), map[string]any{"org": Acme, "team": TeamU, "user": Nia})
	s.Create(schema.TeamMembers, TeamMemberID(Zoe, TeamT), map[string]any{"org": Acme, "team": TeamT, "user": Zoe})
	s.Create(schema.TeamProjects, TeamProjectID(TeamT, ProjA), map[string]any{"org": Acme, "team": TeamT, "project": ProjA})
	s.Create(schema.TeamProjects, TeamProjectID(TeamU, ProjB), map[string]any{"org": Acme, "team": TeamU, "project": ProjB})
	s.Create(schema.Teams, TeamG, map[string]any{"org": Globex, "name": "G"})
	s.Create(schema.TeamMembers, TeamMemberID(Dave, TeamG), map[string]any{"org": Globex, "team": TeamG, "user": Dave})
	s.Create(schema.TeamProjects, TeamProjectID(TeamG, ProjG), map[string]any{"org": Globex, "team": TeamG, "project": ProjG})

	s.Create(schema.Tasks, TaskA, map[string]any{"org": Acme, "project": ProjA, "title": "task in A"})
	s.Create(schema.Tasks, TaskB, map[string]any{"org": Acme, "project": ProjB, "title": "task in B"})
	s.Create(schema.Tasks, TaskG, map[string]any{"org": Globex, "project": ProjG, "title": "task in G"})

	for i, inv := range []struct{ id, org, by string }{{InvA, Acme, Alice}, {InvG, Globex, Dave}} {
		s.Create(schema.Invites, inv.id, map[string]any{
			"org": inv.org, "email": "newcomer@example.test", "role": "user", "invited_by": inv.by,
			"token_hash": fmt.Sprintf("%064x", i+1), "status": "pending", "expires": Slot.AddDate(1, 0, 0),
		})
	}

	// A 15-minute paid break after an hour of work; no one has worked long
	// enough for it in the seed, tests plant the slots that earn one.
	for _, b := range []struct{ id, org string }{{BrkA, Acme}, {BrkG, Globex}} {
		s.Create(schema.BreakPolicies, b.id, map[string]any{
			"org": b.org, "name": "Short break", "after_minutes": 60, "break_minutes": 15, "paid": true,
		})
	}

	seedWebhooks(s)
	seedField(s)
	seedPlan(s)

	tracked := []struct{ user, project string }{
		{Alice, ProjA}, {Bob, ProjA}, {Carol, ProjA}, {Pam, ProjA}, {Tess, ProjA},
		{Walt, ProjA}, {Walt, ProjB}, {Dave, ProjG},
	}
	for _, d := range tracked {
		SeedSlot(s, d.user, d.project)
	}
	seedTimeOff(s)
	seedMoney(s)
	return s.Err()
}

// SeedSlot records one tracked slot for user in project: its activity, one
// screenshot and one app usage record, named by DataID.
func SeedSlot(s *Seeder, user, project string) {
	org := Acme
	if project == ProjG {
		org = Globex
	}
	act := DataID("act", user, project)
	s.Create(schema.Activities, act, map[string]any{
		"org": org, "project": project, "user": user, "slot_start": Slot,
		"tracked_seconds": 600, "keyboard_seconds": 300, "mouse_seconds": 400, "active_seconds": 500,
		"source": "tracked", "client_id": act,
	})
	s.Create(schema.Screenshots, DataID("shot", user, project), map[string]any{
		"org": org, "project": project, "user": user, "activity": act, "taken_at": Slot.Add(5 * time.Minute),
		"screen": 0, "width": 1280, "height": 800, "size": 1024,
		"sha256": "0000000000000000000000000000000000000000000000000000000000000000",
		"key_id": "k1", "storage_key": "blobs/" + act,
	})
	s.Create(schema.AppUsage, DataID("app", user, project), map[string]any{
		"org": org, "project": project, "user": user, "activity": act, "app": "editor",
		"title": "notes.txt", "url": "https://intranet.example/" + user, "seconds": 300,
	})
}
