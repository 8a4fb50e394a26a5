package perms

// Setting a role is more than one matrix cell. "Change User Roles" is
// `assigned` for project managers and team leads, and what they are assigned
// are projects (a lead's: the projects of the teams they lead), so for them it
// reaches project roles there and never the organization role. On top of the
// cells, whoever sets a role stays inside their own rank: nobody grants a role
// above their own, changes the role of someone ranked above them, or (owners
// aside) raises their own role. CanSetRole is that rule; the matrix still decides whether
// the person may touch the record at all.

// RoleScope is where a role is set.
type RoleScope int

const (
	// ScopeOrganization is a membership's role (owner, manager, user), also
	// the role an invitation carries.
	ScopeOrganization RoleScope = iota
	// ScopeProject is a project membership's role (manager, user, viewer).
	ScopeProject
	// ScopeTeam is a team membership: TeamLead or TeamMember.
	ScopeTeam
)

// Team roles as CanSetRole names them; the record stores a boolean is_lead.
const (
	TeamLead   = "lead"
	TeamMember = "member"
)

// Ranks, one ladder for every scope: a project manager and a team lead stand
// alike (both manage what they are assigned), below the organization's
// managers and owners.
const (
	rankNone = iota
	rankViewer
	rankUser
	rankLead // a project manager in their project, a team lead in their team or its projects
	rankOrgManager
	rankOwner
)

// RoleRank places a stored role of a scope on the ladder; 0 for an unknown
// role or none.
func RoleRank(scope RoleScope, role string) int {
	switch scope {
	case ScopeOrganization:
		switch role {
		case orgOwner:
			return rankOwner
		case orgManager:
			return rankOrgManager
		case orgUser:
			return rankUser
		}
	case ScopeProject:
		switch role {
		case projectManager:
			return rankLead
		case projectUser:
			return rankUser
		case projectViewer:
			return rankViewer
		}
	case ScopeTeam:
		switch role {
		case TeamLead:
			return rankLead
		case TeamMember:
			return rankUser
		}
	}
	return rankNone
}

// RoleChange is one role being set on one person.
type RoleChange struct {
	Scope RoleScope
	// Where is the project or team the role is in; empty for the organization.
	Where string
	// Target is the person whose role is set; empty for an invitee who has
	// no account in the organization yet.
	Target string
	// TargetOrgRole is the target's organization role; empty for a non-member.
	TargetOrgRole string
	// From is the target's current role in the scope, empty when they have
	// none yet (a new membership); To is the role being given.
	From, To string
}

// RoleDecision is CanSetRole's answer; Reason says why a refusal, in words
// fit for the person refused.
type RoleDecision struct {
	Allowed bool
	Reason  string
}

// Reasons of a refusal.
const (
	ReasonNotMember   = "Only members of the organization set roles in it."
	ReasonOrgRole     = "Only owners and managers change organization roles."
	ReasonAboveOwn    = "No one can grant a role above their own."
	ReasonRankedAbove = "No one can change the role of someone ranked above them."
	ReasonRaiseOwn    = "No one can raise their own role."
	ReasonUnknownRole = "Unknown role."
)

// standing is the actor's rank in the scope: their organization rank, raised
// by the role they hold there, and for a project by leading a team that has
// it. A project or team role counts only inside the organization.
func (a *Actor) standing(scope RoleScope, where string) int {
	r := RoleRank(ScopeOrganization, a.OrgRole)
	if r == rankNone || where == "" {
		return r
	}
	switch scope {
	case ScopeProject:
		r = max(r, RoleRank(scope, a.ProjectRoles[where]))
		if a.LedProjects[where] {
			r = max(r, rankLead)
		}
	case ScopeTeam:
		if a.LedTeams[where] {
			r = max(r, rankLead)
		}
	}
	return r
}

// CanSetRole decides whether a may set the role c describes. It is checked
// in addition to the matrix: the matrix says whether a may act on the record
// (Invite Users, Change User Roles, Promote/Demote, Add/Remove Team Leads),
// CanSetRole whether the role itself is within a's reach:
//
//   - adding someone as a plain member (organization or project user, team
//     member) sets no role: whoever the matrix lets add members adds them so;
//   - organization roles are set only by owners and organization managers;
//   - nobody grants a role above their own standing in the scope;
//   - nobody changes the role of someone whose standing is above theirs;
//   - nobody but an owner raises their own role, in any scope.
func CanSetRole(a Actor, c RoleChange) RoleDecision {
	to := RoleRank(c.Scope, c.To)
	if to == rankNone || (c.From != "" && RoleRank(c.Scope, c.From) == rankNone) {
		return RoleDecision{Reason: ReasonUnknownRole}
	}
	mine := a.standing(c.Scope, c.Where)
	if mine == rankNone {
		return RoleDecision{Reason: ReasonNotMember}
	}
	if c.From == "" && to == rankUser {
		// Adding someone as a plain member sets no role: the matrix says who
		// may add members, and they are added as such.
		return RoleDecision{Allowed: true}
	}
	if c.Scope == ScopeOrganization && mine < rankOrgManager {
		return RoleDecision{Reason: ReasonOrgRole}
	}
	if to > mine {
		return RoleDecision{Reason: ReasonAboveOwn}
	}
	theirs := max(RoleRank(ScopeOrganization, c.TargetOrgRole), RoleRank(c.Scope, c.From))
	if theirs > mine {
		return RoleDecision{Reason: ReasonRankedAbove}
	}
	if c.Target != "" && c.Target == a.UserID && a.OrgRole != orgOwner && raises(c) {
		return RoleDecision{Reason: ReasonRaiseOwn}
	}
	return RoleDecision{Allowed: true}
}

// raises reports whether c, done to oneself, widens one's own reach. In the
// organization that is a higher role. In a project or team it is any role but
// the plain member's, even a viewer's or one the ladder puts below one's
// organization role: such a role brings its own matrix column, and the
// columns are not nested (a project viewer sees the project's screenshots,
// which an organization manager sees only when the owner allows it).
// Joining as, or stepping down to, a plain member is never a raise: a
// manager puts themselves on a project to track time there.
func raises(c RoleChange) bool {
	to := RoleRank(c.Scope, c.To)
	if c.Scope == ScopeOrganization {
		return to > RoleRank(c.Scope, c.From)
	}
	return c.To != c.From && to != rankUser
}
