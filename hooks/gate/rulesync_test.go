package gate_test

import (
	"testing"

	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

// TestServeReappliesMatrixRules: a database whose API rules drifted from the
// compiled matrix (migrated before an edit to it) gets them back when the
// server starts, without a new migration.
func TestServeReappliesMatrixRules(t *testing.T) {
	app := hookstest.Factory(t)
	shots, err := app.FindCollectionByNameOrId(schema.Screenshots)
	if err != nil {
		t.Fatal(err)
	}
	stale := `@request.auth.id != ""`
	shots.ViewRule = &stale
	if err := app.Save(shots); err != nil {
		t.Fatal(err)
	}

	tt.Handler(t, app) // what `tock serve` runs at start, after migrations

	shots, _ = app.FindCollectionByNameOrId(schema.Screenshots)
	want := migrations.MatrixRules(perms.Default(), migrations.AccessOf()[schema.Screenshots])
	if shots.ViewRule == nil || *shots.ViewRule != *want[1] {
		t.Errorf("view rule of screenshots not re-applied at start: %v", shots.ViewRule)
	}
}
