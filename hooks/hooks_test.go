package hooks_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/tock-app/tock/internal/tocktest"
)

// fixture is the seeded data directory every test in this package clones.
var fixture *tocktest.Fixture

func TestMain(m *testing.M) {
	var err error
	fixture, err = tocktest.NewFixture(tocktest.Basic)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fixture:", err)
		os.Exit(1)
	}
	code := m.Run()
	fixture.Close()
	os.Exit(code)
}

func factory(t testing.TB) *tests.TestApp { return fixture.App(t) }

// count returns how many records of collection match the filter.
func count(t testing.TB, app core.App, collection, filter string, params map[string]any) int {
	t.Helper()
	n, err := app.CountRecords(collection, dbxExpr(filter, params))
	if err != nil {
		t.Fatalf("count %s: %v", collection, err)
	}
	return int(n)
}
