package tocktest

import (
	"testing"

	"github.com/tock-app/tock/migrations/schema"
)

// Each App is a private copy: writes in one never show in another.
func TestFixtureAppsAreIsolated(t *testing.T) {
	f, err := NewFixture(Basic)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	first := f.App(t)
	defer first.Cleanup()
	org, err := first.FindRecordById(schema.Organizations, Acme)
	if err != nil {
		t.Fatalf("seeded organization missing: %v", err)
	}
	if err := first.Delete(org); err != nil {
		t.Fatal(err)
	}

	second := f.App(t)
	defer second.Cleanup()
	if _, err := second.FindRecordById(schema.Organizations, Acme); err != nil {
		t.Fatalf("delete leaked into another copy: %v", err)
	}
	if f.Token(t, Alice) == "" {
		t.Fatal("no token for a seeded user")
	}
}
