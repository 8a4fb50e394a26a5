package perms

import (
	"slices"
)

// Settings is the organization's toggles as the matrix sees them.
type Settings interface {
	Enabled(name string) bool
}

// SettingsMap is the simplest Settings; a missing name reads as off, which is the
// privacy-respecting default (docs/PERMISSIONS.md, "Cells and scopes").
type SettingsMap map[string]bool

func (s SettingsMap) Enabled(name string) bool {
	return s[name]
}

// Stored role values (docs/PERMISSIONS.md, "The matrix"). They differ from the matrix column names, which
// is why Actor keeps the stored form and Roles/Decide translate.
const (
	orgOwner   = "owner"
	orgManager = "manager"
	orgUser    = "user"

	projectManager = "manager"
	projectUser    = "user"
	projectViewer  = "viewer"
)

// Actor is one person's roles inside ONE organization; the caller builds it for the
// organization that owns the target, so a role elsewhere can never leak in.
// In the maps, a key mapped to false is treated as absent and an empty key never
// counts, so a half-built actor can only ever get less access, never more (this is
// why team_lead needs a non-empty led team set to true, not just len(LedTeams) > 0).
type Actor struct {
	UserID       string
	OrgRole      string            // "owner" | "manager" | "user"; anything else means not a member
	ProjectRoles map[string]string // projectID -> "manager" | "user" | "viewer"
	LedTeams     map[string]bool   // teams the person leads
	LedProjects  map[string]bool   // projects of the teams they lead
	LedMembers   map[string]bool   // userIDs of the members of the teams they lead
}

// orgColumn maps the membership role onto its matrix column; false means the actor
// is not a member, which must deny everything (docs/PERMISSIONS.md: nothing about an
// organization is visible to a non-member).
func (a *Actor) orgColumn() (int, bool) {
	switch a.OrgRole {
	case orgOwner:
		return colOwner, true
	case orgManager:
		return colOrgManager, true
	case orgUser:
		return colUser, true
	}
	return 0, false
}

func (a *Actor) hasProjectRole(role string) bool {
	for p, r := range a.ProjectRoles {
		if r == role && p != "" {
			return true
		}
	}
	return false
}

func (a *Actor) leadsTeam() bool {
	for t, ok := range a.LedTeams {
		if ok && t != "" {
			return true
		}
	}
	return false
}

// holds reports whether the actor holds column col, given they are a member whose
// membership column is org.
func (a *Actor) holds(col, org int) bool {
	switch col {
	case colOwner, colOrgManager, colUser:
		return col == org
	case colProjectManager:
		return a.hasProjectRole(projectManager)
	case colProjectViewer:
		return a.hasProjectRole(projectViewer)
	case colTeamLead:
		return a.leadsTeam()
	}
	return false
}

// Roles returns the matrix columns the actor holds, in column order; nil for a
// non-member, whatever else the actor carries.
func (a Actor) Roles() []Role {
	org, ok := a.orgColumn()
	if !ok {
		return nil
	}
	var out []Role
	for col := range numRoles {
		if a.holds(col, org) {
			out = append(out, roleAt(col))
		}
	}
	return out
}

// Target is the resource being acted on. An empty field means the resource is not
// tied to that kind of thing, and never matches a grant.
type Target struct {
	OwnerID   string
	ProjectID string
	TeamID    string
}

// Decision is the outcome of Decide. For a denial every field is zero.
type Decision struct {
	Allowed bool
	// Limited means the action is allowed only as part of deleting or modifying the
	// whole 10-minute time block (a `limited` cell, docs/PERMISSIONS.md).
	Limited bool
	Role    Role // the column that granted it (the most permissive one)
	Cell    Cell // that column's raw cell
}

// Grant strengths, ordered so that "most permissive" is a plain comparison: a full
// grant beats a limited one, and among full grants the broadest reach wins so that
// Decision.Role explains the decision the way a person would.
const (
	grantNone = iota
	grantLimited
	grantSelf
	grantScoped // assigned projects or led teams
	grantAll
)

// kind is a cell reduced to the rule it applies for one column once its setting is
// known; Decide and Scope both switch on it so the two can't drift apart.
type kind int

const (
	kindNone kind = iota
	kindAll
	kindSelf
	kindAssigned // the column's own notion of "assigned"
	kindTeam     // members or teams the actor leads
	kindLimitedSelf
	kindLimitedAssigned
)

func enabled(s Settings, name string) bool {
	return s != nil && name != "" && s.Enabled(name)
}

func resolve(col int, c Cell, setting string, s Settings) kind {
	switch c {
	case CellAll:
		return kindAll
	case CellAssigned:
		return kindAssigned
	case CellSelf:
		return kindSelf
	case CellWhenEnabled:
		if !enabled(s, setting) {
			return kindNone
		}
		if col == colTeamLead {
			// A team lead's toggle widens their reach over their teams, never to the
			// whole organization.
			return kindAssigned
		}
		return kindAll
	case CellSetting:
		if enabled(s, setting) {
			return kindAll
		}
	case CellLimited:
		if !enabled(s, setting) {
			return kindNone
		}
		if col == colProjectManager {
			return kindLimitedAssigned
		}
		return kindLimitedSelf
	case CellTeam:
		return kindTeam
	case CellTeamWhenEnabled:
		if enabled(s, setting) {
			return kindTeam
		}
	}
	return kindNone
}

// projectRoleFor is the stored project role that makes a project "assigned" for a
// column; "" for columns whose assignment is not a project role.
func projectRoleFor(col int) string {
	switch col {
	case colUser:
		return projectUser
	case colProjectManager:
		return projectManager
	case colProjectViewer:
		return projectViewer
	}
	return ""
}

func (a *Actor) isSelf(t *Target) bool {
	return t.OwnerID != "" && t.OwnerID == a.UserID
}

func (a *Actor) leadsTarget(t *Target) bool {
	return (t.OwnerID != "" && a.LedMembers[t.OwnerID]) ||
		(t.TeamID != "" && a.LedTeams[t.TeamID])
}

func (a *Actor) assigned(col int, t *Target) bool {
	if col == colTeamLead {
		return (t.ProjectID != "" && a.LedProjects[t.ProjectID]) || a.leadsTarget(t)
	}
	role := projectRoleFor(col)
	// Owners and org managers have no "assigned" of their own: their reach over
	// projects comes from project roles, which are separate columns.
	return role != "" && t.ProjectID != "" && a.ProjectRoles[t.ProjectID] == role
}

// grant is how strongly kind k lets column col reach target t.
func (a *Actor) grant(col int, k kind, t *Target) int {
	switch k {
	case kindAll:
		return grantAll
	case kindSelf:
		if a.isSelf(t) {
			return grantSelf
		}
	case kindAssigned:
		if a.assigned(col, t) {
			return grantScoped
		}
	case kindTeam:
		if a.leadsTarget(t) {
			return grantScoped
		}
	case kindLimitedSelf:
		if a.isSelf(t) {
			return grantLimited
		}
	case kindLimitedAssigned:
		if a.assigned(col, t) {
			return grantLimited
		}
	}
	return grantNone
}

// columnGrant is column col's verdict on t as if the actor held that column.
func (a *Actor) columnGrant(rw *row, col int, t *Target, s Settings) int {
	k := resolve(col, rw.cells[col], rw.settings[col], s)
	if k == kindNone {
		return grantNone
	}
	return a.grant(col, k, t)
}

// Decide says whether a may perform f on t under the organization settings s (nil
// means every toggle is off). Every column the actor holds is considered and the
// most permissive one that applies wins; an unknown feature or a non-member is
// denied. It does not allocate.
func (m *Matrix) Decide(a Actor, f Feature, t Target, s Settings) Decision {
	if m == nil {
		return Decision{}
	}
	i, ok := m.index[f]
	if !ok {
		return Decision{}
	}
	org, ok := a.orgColumn()
	if !ok {
		return Decision{}
	}

	rw := &m.rows[i]
	best, bestCol := grantNone, 0
	for col := range numRoles {
		g := a.columnGrant(rw, col, &t, s)
		// holds is checked last because it may walk the actor's maps.
		if g > best && a.holds(col, org) {
			best, bestCol = g, col
			if g == grantAll {
				break
			}
		}
	}

	if best == grantNone {
		return Decision{}
	}
	return Decision{
		Allowed: true,
		Limited: best == grantLimited,
		Role:    roleAt(bestCol),
		Cell:    rw.cells[bestCol],
	}
}

// Scope is everything an actor may reach for one feature, in a form that translates
// directly into a list filter: a record is in scope if All, or (Self and it is the
// actor's own), or its project is in Projects, its owner in Users or its team in
// Teams. This is exactly the set of targets Decide allows.
type Scope struct {
	All      bool     // whole organization
	Self     bool     // the actor's own data (OwnerID == actor)
	Projects []string // sorted project ids
	Users    []string // sorted user ids other than the actor (led teams' members)
	Teams    []string // sorted team ids
	// Limited is true only if every grant is limited, so that a list built from the
	// scope can be marked "delete only with the time block" as a whole.
	Limited bool
}

// Empty reports whether the scope reaches nothing.
func (sc Scope) Empty() bool {
	return !sc.All && !sc.Self && len(sc.Projects) == 0 && len(sc.Users) == 0 && len(sc.Teams) == 0
}

// Scope returns what a may reach for f under s; see Decide for the rules.
func (m *Matrix) Scope(a Actor, f Feature, s Settings) Scope {
	if m == nil {
		return Scope{}
	}
	i, ok := m.index[f]
	if !ok {
		return Scope{}
	}
	org, ok := a.orgColumn()
	if !ok {
		return Scope{}
	}

	rw := &m.rows[i]
	var sc Scope
	full, limited := false, false
	for col := range numRoles {
		k := resolve(col, rw.cells[col], rw.settings[col], s)
		if k == kindNone || !a.holds(col, org) {
			continue
		}
		if k == kindAll {
			return Scope{All: true}
		}

		reached := false
		switch k {
		case kindSelf, kindLimitedSelf:
			reached = sc.addSelf(&a)
		case kindAssigned, kindLimitedAssigned:
			if col == colTeamLead {
				reached = sc.addProjects(a.LedProjects)
				reached = sc.addTeam(&a) || reached
			} else {
				reached = sc.addProjectRole(a.ProjectRoles, projectRoleFor(col))
			}
		case kindTeam:
			reached = sc.addTeam(&a)
		}

		if reached {
			if k == kindLimitedSelf || k == kindLimitedAssigned {
				limited = true
			} else {
				full = true
			}
		}
	}

	sc.Projects = sortedUnique(sc.Projects)
	sc.Users = sortedUnique(sc.Users)
	sc.Teams = sortedUnique(sc.Teams)
	sc.Limited = limited && !full
	return sc
}

func (sc *Scope) addSelf(a *Actor) bool {
	if a.UserID == "" {
		return false
	}
	sc.Self = true
	return true
}

func (sc *Scope) addProjects(ids map[string]bool) bool {
	added := false
	for id, ok := range ids {
		if ok && id != "" {
			sc.Projects = append(sc.Projects, id)
			added = true
		}
	}
	return added
}

func (sc *Scope) addProjectRole(roles map[string]string, role string) bool {
	added := false
	for id, r := range roles {
		if r == role && role != "" && id != "" {
			sc.Projects = append(sc.Projects, id)
			added = true
		}
	}
	return added
}

// addTeam adds the teams and members the actor leads. A lead listed among their own
// team's members reaches their own data through the team, which Users (others only)
// can't express, so it becomes Self.
func (sc *Scope) addTeam(a *Actor) bool {
	added := false
	for id, ok := range a.LedTeams {
		if ok && id != "" {
			sc.Teams = append(sc.Teams, id)
			added = true
		}
	}
	for id, ok := range a.LedMembers {
		if !ok || id == "" {
			continue
		}
		if id == a.UserID {
			sc.Self = true
		} else {
			sc.Users = append(sc.Users, id)
		}
		added = true
	}
	return added
}

func sortedUnique(ids []string) []string {
	if len(ids) == 0 {
		return nil
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}
