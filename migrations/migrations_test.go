package migrations

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"github.com/tock-app/tock/migrations/schema"
)

// newApp is an app on the test's own copy of a migrated data directory.
func newApp(t *testing.T) *tests.TestApp {
	t.Helper()
	dir, err := migratedDir()
	if err != nil {
		t.Fatalf("migrate: %v", err)
	}
	app, err := tests.NewTestApp(dir)
	if err != nil {
		t.Fatalf("test app: %v", err)
	}
	t.Cleanup(app.Cleanup)
	return app
}

// migratedDir is a data directory that ran every migration, made once for
// the package: migrating takes seconds (mostly the disk's), and most tests start
// from it. (internal/tocktest's fixtures do the same for the other
// packages; it imports this one, so it can't serve here.)
var migratedDir = sync.OnceValues(func() (string, error) {
	empty, err := os.MkdirTemp("", "tock-migrate-")
	if err != nil {
		return "", fmt.Errorf("empty data dir: %w", err)
	}
	defer os.RemoveAll(empty)
	app, err := tests.NewTestApp(empty) // runs every migration on a copy
	if err != nil {
		return "", fmt.Errorf("migrate: %w", err)
	}
	defer app.Cleanup()
	dir, err := tests.TempDirClone(app.DataDir())
	if err != nil {
		return "", fmt.Errorf("keep the migrated data dir: %w", err)
	}
	return dir, nil
})

func TestCoreCollectionsExist(t *testing.T) {
	app := newApp(t)
	want := map[string][]string{
		schema.Organizations:  {"name", "timezone", "archived", "screenshots_per_slot", "blur_screenshots", "idle_timeout_minutes", "retention_days", "allow_screenshot_delete", "managers_view_screenshots"},
		schema.Memberships:    {"org", "user", "role", "status", "screenshots_per_slot"},
		schema.Clients:        {"org", "name", "archived"},
		schema.Projects:       {"org", "name", "client", "archived", "budget", "budget_type"},
		schema.ProjectMembers: {"org", "project", "user", "role"},
		schema.Teams:          {"org", "name"},
		schema.TeamMembers:    {"org", "team", "user", "is_lead"},
		schema.TeamProjects:   {"org", "team", "project"},
		schema.Tasks:          {"org", "project", "title", "assignees", "completed"},
		schema.Activities:     {"org", "project", "task", "user", "slot_start", "tracked_seconds", "keyboard_seconds", "mouse_seconds", "active_seconds", "source", "client_id"},
		schema.Screenshots:    {"org", "project", "task", "user", "activity", "taken_at", "screen", "width", "height", "blurred", "size", "sha256", "key_id", "storage_key", "client_id"},
		schema.AppUsage:       {"org", "user", "project", "activity", "app", "title", "url", "seconds", "client_id"},
	}
	if len(want) != len(schema.CoreCollections()) {
		t.Fatalf("test lists %d collections, migration creates %d", len(want), len(schema.CoreCollections()))
	}
	for _, name := range schema.CoreCollections() {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			t.Fatalf("collection %s missing: %v", name, err)
		}
		for _, f := range want[name] {
			if c.Fields.GetByName(f) == nil {
				t.Errorf("%s.%s missing", name, f)
			}
		}
		if c.ListRule == nil || c.ViewRule == nil {
			t.Errorf("%s: members can't read it at all", name)
		}
		for i, rule := range []*string{c.ListRule, c.ViewRule, c.CreateRule, c.UpdateRule, c.DeleteRule} {
			if rule != nil && *rule == "" {
				t.Errorf("%s rule %d is public: every collection needs a second-line rule", name, i)
			}
		}
	}
}

// Every relation is indexed (joins, cascades and list filters never scan).
func TestForeignKeysIndexed(t *testing.T) {
	app := newApp(t)
	for _, name := range schema.CoreCollections() {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range c.Fields {
			rel, ok := f.(*core.RelationField)
			if !ok || rel.IsMultiple() {
				continue
			}
			if !hasLeadingIndex(c, rel.Name) {
				t.Errorf("%s.%s has no index that leads with it", name, rel.Name)
			}
		}
	}
}

func TestUniqueAndCompositeIndexes(t *testing.T) {
	app := newApp(t)
	cases := []struct {
		collection, columns string
		unique              bool
	}{
		{schema.Memberships, "`org`, `user`", true},
		{schema.ProjectMembers, "`project`, `user`", true},
		{schema.TeamMembers, "`team`, `user`", true},
		{schema.TeamProjects, "`team`, `project`", true},
		{schema.Activities, "`user`, `slot_start`, `project`", true},
		{schema.Activities, "`client_id`", true},
		{schema.Screenshots, "`client_id`", true},
		{schema.AppUsage, "`client_id`", true},
		{schema.Activities, "`org`, `user`, `slot_start`", false},
		{schema.Screenshots, "`org`, `taken_at`", false},
	}
	for _, tc := range cases {
		c, err := app.FindCollectionByNameOrId(tc.collection)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, idx := range c.Indexes {
			if strings.Contains(idx, "("+tc.columns+")") && strings.HasPrefix(idx, "CREATE UNIQUE") == tc.unique {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no %v index on (%s) in %v", tc.collection, tc.unique, tc.columns, c.Indexes)
		}
	}
}

func TestContainsLeadingColumn(t *testing.T) {
	cases := []struct {
		index, column string
		want          bool
	}{
		{"CREATE INDEX `i` ON `t` (`org`, `user`)", "org", true},
		{"CREATE INDEX `i` ON `t` (`org`, `user`)", "user", false},
		{"CREATE UNIQUE INDEX `i` ON `t` (`user`)", "user", true},
		{"CREATE INDEX `i` ON `t` (`username`)", "user", false},
		{"no parenthesis", "user", false},
	}
	for _, tc := range cases {
		if got := containsLeadingColumn(tc.index, tc.column); got != tc.want {
			t.Errorf("containsLeadingColumn(%q, %q) = %v, want %v", tc.index, tc.column, got, tc.want)
		}
	}
}

// Rolling every migration back removes every collection, so a rollback
// leaves no half schema, and migrating up again rebuilds it.
func TestDownAndUpAgain(t *testing.T) {
	app := newApp(t)
	runner := core.NewMigrationsRunner(app, core.AppMigrations)
	if _, err := runner.Down(len(core.AppMigrations.Items())); err != nil {
		t.Fatalf("down: %v", err)
	}
	for _, name := range append(schema.CoreCollections(), schema.OrgKeys, schema.AuditLog) {
		if _, err := app.FindCollectionByNameOrId(name); err == nil {
			t.Errorf("%s still exists", name)
		}
	}
	if _, err := runner.Up(); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if _, err := app.FindCollectionByNameOrId(schema.AuditLog); err != nil {
		t.Fatalf("audit_log not rebuilt: %v", err)
	}
}
