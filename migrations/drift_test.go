package migrations

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/migrations/schema"
)

// Upgrades can't drift: a landed migration never changes (new changes go
// into new migrations), the whole schema is a reviewed golden file, and a
// database migrated long ago and upgraded equals a fresh one.

var update = flag.Bool("update", false, "rewrite testdata/schema.golden.json from the current migrations")

const (
	checksumFile = "testdata/migrations.sha256"
	goldenFile   = "testdata/schema.golden.json"
)

// migrationFiles lists the migration files, in the order PocketBase applies them.
func migrationFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("[0-9]*_*.go")
	if err != nil {
		t.Fatal(err)
	}
	files = slices.DeleteFunc(files, func(f string) bool { return strings.HasSuffix(f, "_test.go") })
	slices.Sort(files)
	return files
}

func fileSum(t *testing.T, file string) string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// TestLandedMigrationsAreFrozen holds the sha256 of every migration file (in
// sha256sum's format, one line each): a landed migration edited in place
// fails, and a new one fails until its line is added.
func TestLandedMigrationsAreFrozen(t *testing.T) {
	f, err := os.Open(checksumFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	held := map[string]string{}
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		sum, file, ok := strings.Cut(lines.Text(), "  ")
		if !ok {
			t.Fatalf("%s: line %q is not `<sha256>  <file>`", checksumFile, lines.Text())
		}
		held[file] = sum
	}
	for _, file := range migrationFiles(t) {
		sum := fileSum(t, file)
		switch want, ok := held[file]; {
		case !ok:
			t.Errorf("new migration %s has no checksum: once it is final, add this line to migrations/%s:\n%s  %s",
				file, checksumFile, sum, file)
		case want != sum:
			t.Errorf("landed migration %s was edited (sha256 %s, held %s): databases that already ran it "+
				"will never see the edit. Undo it and put the change in a new migration.", file, sum, want)
		}
		delete(held, file)
	}
	for file := range held {
		t.Errorf("migration %s was removed: databases that ran it can't be rolled back; restore it", file)
	}
}

// schemaSnapshot is the whole schema of app's collections as stable,
// indented JSON: collections by name, each with its fields, rules, indexes
// and options; auth secrets, which are random per database, are left out.
func schemaSnapshot(t *testing.T, app core.App) []byte {
	t.Helper()
	collections, err := app.FindAllCollections()
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(collections, func(a, b *core.Collection) int { return strings.Compare(a.Name, b.Name) })
	out := make([]any, 0, len(collections))
	for _, c := range collections {
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("marshal %s: %v", c.Name, err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		delete(m, "created")
		delete(m, "updated")
		out = append(out, dropSecrets(m))
	}
	b, err := json.MarshalIndent(out, "", "  ") // maps marshal with sorted keys
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// dropSecrets removes every "secret" key (auth token signing keys).
func dropSecrets(v any) any {
	switch v := v.(type) {
	case map[string]any:
		delete(v, "secret")
		for k, x := range v {
			v[k] = dropSecrets(x)
		}
	case []any:
		for i, x := range v {
			v[i] = dropSecrets(x)
		}
	}
	return v
}

// TestSchemaGolden: the schema the migrations build is the reviewed one.
// After a deliberate schema change, regenerate it with
//
//	go test ./migrations -run TestSchemaGolden -update
func TestSchemaGolden(t *testing.T) {
	got := schemaSnapshot(t, newApp(t))
	if *update {
		if err := os.WriteFile(goldenFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the schema differs from migrations/%s:\n%s\nIf the change is meant, run: "+
			"go test ./migrations -run TestSchemaGolden -update, and commit the file.", goldenFile, firstDiff(want, got))
	}
}

// firstDiff shows the first differing line of two texts, with its number.
func firstDiff(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\n  golden: %s\n  now:    %s", i+1, wl, gl)
		}
	}
	return "(same lines, different bytes)"
}

// migratedDirs returns, for each n from 1 to all-1, a data directory that
// ran the system migrations and the first n app migrations, as one last
// upgraded when only those had landed. Each is a copy of the previous one
// upgraded by one more migration, as a real database is over its releases,
// so making them all costs one run of each migration rather than n runs per
// directory.
func migratedDirs(t *testing.T, all int) []string {
	t.Helper()
	work := t.TempDir()
	var dirs []string
	for n := 1; n < all; n++ {
		app := core.NewBaseApp(core.BaseAppConfig{DataDir: work})
		if err := app.Bootstrap(); err != nil {
			t.Fatal(err)
		}
		first := core.MigrationsList{}
		for _, m := range core.AppMigrations.Items()[:n] {
			first.Add(m)
		}
		_, err := core.NewMigrationsRunner(app, first).Up()
		// Closing the databases folds their write-ahead logs in, so the
		// files copied below are the whole database.
		app.ResetBootstrapState()
		if err != nil {
			t.Fatalf("first %d migrations: %v", n, err)
		}
		dir := t.TempDir()
		if err := os.CopyFS(dir, os.DirFS(work)); err != nil {
			t.Fatalf("copy the database of %d migrations: %v", n, err)
		}
		dirs = append(dirs, dir)
	}
	return dirs
}

// openApp opens a data directory made by migratedDirs.
func openApp(t *testing.T, dir string) core.App {
	t.Helper()
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	if err := app.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.ResetBootstrapState() })
	return app
}

// seedOldData writes records of the first migration's collections, as an
// early user of Tock would have, and returns them; fields a later migration
// adds are set only where they exist already.
func seedOldData(t *testing.T, app core.App) []*core.Record {
	t.Helper()
	slot := time.Date(2025, 11, 3, 9, 0, 0, 0, time.UTC)
	rows := []struct {
		collection, id string
		fields         map[string]any
	}{
		{schema.Users, "usrupgrade00001", map[string]any{"email": "early@example.test", "name": "Early"}},
		{schema.Organizations, "orgupgrade00001", map[string]any{"name": "Early Co", "timezone": "Europe/Paris",
			"screenshots_per_slot": 1, "idle_timeout_minutes": 5, "retention_days": 90}},
		{schema.Memberships, "mbrupgrade00001", map[string]any{"org": "orgupgrade00001", "user": "usrupgrade00001", "role": "owner", "status": "active"}},
		{schema.Projects, "prjupgrade00001", map[string]any{"org": "orgupgrade00001", "name": "Website"}},
		{schema.Activities, "actupgrade00001", map[string]any{"org": "orgupgrade00001", "project": "prjupgrade00001", "user": "usrupgrade00001",
			"slot_start": slot, "tracked_seconds": 600, "keyboard_seconds": 120, "mouse_seconds": 300, "active_seconds": 420,
			"source": "tracked", "client_id": "early-slot-0001"}},
		{schema.AppUsage, "appupgrade00001", map[string]any{"org": "orgupgrade00001", "user": "usrupgrade00001", "activity": "actupgrade00001",
			"project": "prjupgrade00001", "app": "editor", "title": "main.go", "seconds": 400, "client_id": "early-app-00001"}},
	}
	var out []*core.Record
	for _, row := range rows {
		c, err := app.FindCollectionByNameOrId(row.collection)
		if err != nil {
			t.Fatal(err)
		}
		r := core.NewRecord(c)
		r.Id = row.id
		for k, v := range row.fields {
			if c.Fields.GetByName(k) != nil {
				r.Set(k, v)
			}
		}
		if c.IsAuth() {
			r.SetPassword("early-password-123")
		}
		if err := app.Save(r); err != nil {
			t.Fatalf("seed %s %s: %v", row.collection, row.id, err)
		}
		out = append(out, r)
	}
	return out
}

// TestUpgradeEqualsFresh: a database last migrated at any landed migration,
// with data in it, upgraded by the current code has exactly the schema of a
// fresh database, and keeps its data.
func TestUpgradeEqualsFresh(t *testing.T) {
	fresh := schemaSnapshot(t, newApp(t))
	all := len(core.AppMigrations.Items())
	for n, dir := range migratedDirs(t, all) {
		t.Run(filepath.Base(core.AppMigrations.Item(n).File), func(t *testing.T) {
			t.Parallel() // each upgrades its own copy; the time is mostly the disk's
			app := openApp(t, dir)
			seeded := seedOldData(t, app)
			if _, err := core.NewMigrationsRunner(app, core.AppMigrations).Up(); err != nil {
				t.Fatalf("upgrade: %v", err)
			}
			if got := schemaSnapshot(t, app); !bytes.Equal(got, fresh) {
				t.Errorf("upgraded schema differs from a fresh one:\n%s", firstDiff(fresh, got))
			}
			for _, old := range seeded {
				now, err := app.FindRecordById(old.Collection().Name, old.Id)
				if err != nil {
					t.Errorf("%s %s lost in the upgrade: %v", old.Collection().Name, old.Id, err)
					continue
				}
				if old.Collection().Name == schema.AppUsage && now.GetString("project") != "prjupgrade00001" {
					t.Errorf("app usage's project is %q, want its activity's", now.GetString("project"))
				}
				for field, v := range old.FieldsData() {
					if field == "updated" || field == "password" || field == "tokenKey" {
						continue
					}
					if fmt.Sprint(now.Get(field)) != fmt.Sprint(v) {
						t.Errorf("%s %s: %s was %v, is %v", old.Collection().Name, old.Id, field, v, now.Get(field))
					}
				}
			}
		})
	}
}

// TestSyncRulesRestoresDrift: rules that differ from the compiled matrix (a
// database migrated before an edit to it) are rewritten, and only those; a
// second run changes nothing.
func TestSyncRulesRestoresDrift(t *testing.T) {
	app := newApp(t)
	if changes, err := SyncRules(app); err != nil || len(changes) != 0 {
		t.Fatalf("fresh database: changes %v, err %v; want none", changes, err)
	}
	shots, err := app.FindCollectionByNameOrId(schema.Screenshots)
	if err != nil {
		t.Fatal(err)
	}
	want := *shots.ViewRule
	stale := `@request.auth.id != ""` // any signed-in person: what an old matrix might have said
	shots.ViewRule, shots.DeleteRule = &stale, nil
	if err := app.Save(shots); err != nil {
		t.Fatal(err)
	}
	changes, err := SyncRules(app)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || changes[0].Collection != schema.Screenshots || !slices.Equal(changes[0].Rules, []string{"view", "delete"}) {
		t.Fatalf("changes %+v, want screenshots view and delete", changes)
	}
	shots, _ = app.FindCollectionByNameOrId(schema.Screenshots)
	if shots.ViewRule == nil || *shots.ViewRule != want || shots.DeleteRule == nil {
		t.Errorf("rules not restored: view %v delete %v", shots.ViewRule, shots.DeleteRule)
	}
	if changes, err := SyncRules(app); err != nil || len(changes) != 0 {
		t.Errorf("second run: changes %v, err %v; want none", changes, err)
	}
}
