package hookstest

import (
	"fmt"
	"os"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"github.com/tock-app/tock/internal/tocktest"
)

// DbxExpr is a filter expression with its parameters.
func DbxExpr(filter string, params map[string]any) dbx.Expression {
	return dbx.NewExp(filter, dbx.Params(params))
}

// Fixture is the seeded (tocktest.Basic) data directory the tests of a
// package clone; Main opens it.
var Fixture *tocktest.Fixture

// Main opens Fixture, kept across the test processes of hooks' packages (see
// tocktest.Cached), and runs the package's tests: every test package of
// hooks calls it from its TestMain.
func Main(m *testing.M) {
	var err error
	Fixture, err = tocktest.Cached("basic", tocktest.Basic)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fixture:", err)
		os.Exit(1)
	}
	code := m.Run()
	Fixture.Close()
	os.Exit(code)
}

// Factory returns a fresh app on a private copy of Fixture.
func Factory(t testing.TB) *tests.TestApp { return Fixture.App(t) }

// Count returns how many records of collection match the filter.
func Count(t testing.TB, app core.App, collection, filter string, params map[string]any) int {
	t.Helper()
	n, err := app.CountRecords(collection, DbxExpr(filter, params))
	if err != nil {
		t.Fatalf("count %s: %v", collection, err)
	}
	return int(n)
}
