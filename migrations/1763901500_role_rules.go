package migrations

import (
	m "github.com/pocketbase/pocketbase/migrations"
)

// Project roles became Change User Roles' as well as Promote/Demote's, so
// that a team lead sets roles in their teams' projects as a project manager
// does in theirs: the project_members update rule is compiled again. Both
// directions apply the rules of the running binary, the only ones it knows.
func init() {
	m.Register(applyMatrixRules, applyMatrixRules)
}
