package migrations

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

// API rules are Tock's second line of defence: the hooks decide every request
// through perms first. The rules are compiled from the same matrix, so that a
// path the hooks never see (a filter through a relation, a realtime event)
// still can't reach what the matrix denies.
//
// Rules on one record (view, create, update, delete) are compiled cell by
// cell; every join starts from the requester (@request.auth.*), so its size is
// that of one person's memberships. List rules check only that the record is
// in one of the requester's organizations, through a field of their own
// record: no join, because any join makes PocketBase count a list with
// COUNT(DISTINCT), which costs 100 times more over a large table. The hooks
// narrow every list to exactly what the matrix allows.

const (
	isUser    = `@request.auth.collectionName = "users"`
	myMember  = "@request.auth.memberships_via_user"
	myProject = "@request.auth.project_members_via_user"
	myTeam    = "@request.auth.team_members_via_user"
)

// ruleBuilder compiles matrix cells into filter expressions over one collection.
type ruleBuilder struct {
	matrix *perms.Matrix
	access Access
}

func (b ruleBuilder) org() string { return b.access.OrgField }

// toggle is the expression of an organization setting being on.
func (b ruleBuilder) toggle(name string) string {
	if b.org() == "id" {
		return name + " = true"
	}
	return b.org() + "." + name + " = true"
}

// member matches an active membership in the record's organization, with
// role when one is given; every condition sits on the same joined row.
func (b ruleBuilder) member(role string) string {
	parts := []string{isUser, myMember + ".org ?= " + b.org(), myMember + `.status ?= "active"`}
	if role != "" {
		parts = append(parts, fmt.Sprintf(`%s.role ?= %q`, myMember, role))
	}
	return strings.Join(parts, " && ")
}

func (b ruleBuilder) self() string {
	if b.access.Owner == "" {
		return ""
	}
	return b.access.Owner + " = @request.auth.id"
}

func (b ruleBuilder) projectRole(role string) string {
	if b.access.Project == "" {
		return ""
	}
	return fmt.Sprintf(`%s.project ?= %s && %s.role ?= %q`, myProject, b.access.Project, myProject, role)
}

// led matches records of the teams the requester leads: by team, by a team
// member's ownership and, with viaProjects, by the teams' projects.
func (b ruleBuilder) led(viaProjects bool) string {
	lead := myTeam + ".is_lead ?= true"
	var alts []string
	if viaProjects && b.access.Project != "" {
		alts = append(alts, lead+" && "+myTeam+".team.team_projects_via_team.project ?= "+b.access.Project)
	}
	if b.access.Team != "" {
		alts = append(alts, lead+" && "+myTeam+".team ?= "+b.access.Team)
	}
	if b.access.Owner != "" {
		alts = append(alts, lead+" && "+myTeam+".team.team_members_via_team.user ?= "+b.access.Owner)
	}
	return or(alts...)
}

// cell compiles one matrix cell; "" means it grants nothing here.
func (b ruleBuilder) cell(f perms.Feature, col perms.Role) string {
	c, _ := b.matrix.Cell(f, col)
	setting, _ := b.matrix.SettingFor(f, col)
	base := map[perms.Role]string{
		perms.RoleOwner: b.member("owner"), perms.RoleOrgManager: b.member("manager"), perms.RoleUser: b.member("user"),
	}[col]
	if base == "" {
		base = b.member("")
	}
	var assigned string
	switch col {
	case perms.RoleUser:
		assigned = b.projectRole("user")
	case perms.RoleProjectManager:
		assigned = b.projectRole("manager")
	case perms.RoleProjectViewer:
		assigned = b.projectRole("viewer")
	case perms.RoleTeamLead:
		assigned = b.led(true)
	}

	switch c {
	case perms.CellAll:
		return base
	case perms.CellAssigned:
		return and(base, assigned)
	case perms.CellSelf:
		return and(base, b.self())
	case perms.CellSetting:
		return and(base, b.toggle(setting))
	case perms.CellWhenEnabled:
		if col == perms.RoleTeamLead {
			return and(base, assigned, b.toggle(setting))
		}
		return and(base, b.toggle(setting))
	case perms.CellLimited:
		if col == perms.RoleProjectManager {
			return and(base, assigned, b.toggle(setting))
		}
		return and(base, b.self(), b.toggle(setting))
	case perms.CellTeam:
		return and(base, b.led(false))
	case perms.CellTeamWhenEnabled:
		return and(base, b.led(false), b.toggle(setting))
	}
	return ""
}

// Rule compiles "any of features allows it" into an API rule.
func (b ruleBuilder) rule(features []perms.Feature) string {
	var alts []string
	seen := map[string]bool{}
	for _, f := range features {
		for _, col := range perms.Roles() {
			// Two features often grant the same cell (an owner's "all"):
			// each alternative is written once.
			if c := b.cell(f, col); !seen[c] {
				seen[c] = true
				alts = append(alts, c)
			}
		}
	}
	return or(alts...)
}

// viewRule adds what members see regardless of the matrix: their own rows.
func (b ruleBuilder) viewRule() string {
	if b.access.View == "" {
		return b.member("")
	}
	alts := []string{b.rule([]perms.Feature{b.access.View})}
	if b.access.OwnField != "" {
		alts = append(alts, and(b.member(""), b.access.OwnField+" = @request.auth.id"))
	}
	if b.access.OwnTeamsField != "" {
		alts = append(alts, and(b.member(""), myTeam+".team ?= "+b.access.OwnTeamsField))
	}
	return or(alts...)
}

// listRule: the record is in one of the requester's organizations.
func (b ruleBuilder) listRule() string {
	return isUser + " && " + b.org() + ` != "" && @request.auth.` + schema.UserOrgsField + " ~ " + b.org()
}

// MatrixRules returns the list, view, create, update and delete rules of a
// collection; nil means superusers only.
func MatrixRules(m *perms.Matrix, a Access) [5]*string {
	b := ruleBuilder{matrix: m, access: a}
	action := func(features []perms.Feature) *string {
		if len(features) == 0 {
			return nil
		}
		r := b.rule(features)
		if r == "" {
			r = `@request.auth.id = "" && @request.auth.id != ""` // the matrix grants it to no one
		}
		return types.Pointer(r)
	}
	create := action(a.Create)
	if a.OrgField == "id" && len(a.Create) > 0 {
		create = types.Pointer(isUser) // a new organization has no members yet
	}
	return [5]*string{types.Pointer(b.listRule()), types.Pointer(b.viewRule()), create, action(a.Update), action(a.Delete)}
}

// applyMatrixRules sets the rules of every Tock collection that exists from
// the matrix; each migration that adds collections runs it again.
func applyMatrixRules(app core.App) error {
	_, err := SyncRules(app)
	return err
}

// RuleChange is one collection whose API rules SyncRules rewrote.
type RuleChange struct {
	Collection string
	Rules      []string // which of list, view, create, update, delete changed
}

// SyncRules makes the API rules of every existing Tock collection those the
// current matrix and compiler give, saving only the collections that differ,
// and reports what it changed. It runs in migrations and at every start, so
// an edit to the matrix, the access map or the compiler reaches databases
// that were migrated before it.
func SyncRules(app core.App) ([]RuleChange, error) {
	m := perms.Default()
	access := AccessOf()
	var changes []RuleChange
	for _, name := range slices.Sorted(maps.Keys(access)) {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			continue // created by a later migration, which applies its rules
		}
		want := MatrixRules(m, access[name])
		have := []**string{&c.ListRule, &c.ViewRule, &c.CreateRule, &c.UpdateRule, &c.DeleteRule}
		change := RuleChange{Collection: name}
		for i, rule := range have {
			if !sameRule(*rule, want[i]) {
				*rule = want[i]
				change.Rules = append(change.Rules, ruleNames()[i])
			}
		}
		if len(change.Rules) == 0 {
			continue
		}
		if err := app.Save(c); err != nil {
			return changes, fmt.Errorf("set rules on %s: %w", name, err)
		}
		changes = append(changes, change)
	}
	return changes, nil
}

// ruleNames names MatrixRules' five rules, in order.
func ruleNames() [5]string { return [5]string{"list", "view", "create", "update", "delete"} }

func sameRule(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func or(exprs ...string) string { return join(" || ", exprs) }

func and(exprs ...string) string {
	for _, e := range exprs {
		if e == "" {
			return "" // a missing part can't be satisfied
		}
	}
	return join(" && ", exprs)
}

func join(sep string, exprs []string) string {
	var kept []string
	for _, e := range exprs {
		if e != "" {
			kept = append(kept, "("+e+")")
		}
	}
	if len(kept) == 1 {
		return strings.TrimSuffix(strings.TrimPrefix(kept[0], "("), ")")
	}
	return strings.Join(kept, sep)
}
