package migrations

import (
	m "github.com/pocketbase/pocketbase/migrations"
)

// The second-line API rules, compiled from the permission matrix. Re-running
// it after the matrix changes is what a later migration does.
func init() {
	m.Register(applyMatrixRules, nil)
}
