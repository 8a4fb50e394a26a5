package migrations

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/migrations/schema"
)

// TestEveryFieldIsBounded: every text field of Tock's collections (and of
// users) has an explicit Max, every JSON field a MaxSize, every multiple
// relation a MaxSelect, so no input is bounded only by PocketBase's defaults
// or not at all.
func TestEveryFieldIsBounded(t *testing.T) {
	app := newApp(t)
	names := []string{schema.Users}
	for name := range AccessOf() {
		names = append(names, name)
	}
	for _, name := range append(names, schema.OrgKeys) {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range c.Fields {
			switch f := f.(type) {
			case *core.TextField:
				if f.Max <= 0 {
					t.Errorf("%s.%s: text without Max", name, f.Name)
				}
			case *core.JSONField:
				if f.MaxSize <= 0 {
					t.Errorf("%s.%s: JSON without MaxSize", name, f.Name)
				}
			case *core.EditorField:
				if f.MaxSize <= 0 {
					t.Errorf("%s.%s: editor without MaxSize", name, f.Name)
				}
			case *core.RelationField:
				if f.MaxSelect <= 0 {
					t.Errorf("%s.%s: relation without MaxSelect", name, f.Name)
				}
			}
		}
	}
}

// TestAppUsageTakesTheIngestLimits: the bounds migration sets app usage's
// field limits to the protocol's, and its down migration restores them.
func TestAppUsageTakesTheIngestLimits(t *testing.T) {
	app := newApp(t)
	c, err := app.FindCollectionByNameOrId(schema.AppUsage)
	if err != nil {
		t.Fatal(err)
	}
	for field, want := range map[string]int{"app": 256, "title": 1024, "url": 2048} {
		if got := c.Fields.GetByName(field).(*core.TextField).Max; got != want {
			t.Errorf("app_usage.%s Max = %d, want %d", field, got, want)
		}
	}
}
