package schema_test

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/migrations/schema"
)

// golden reads the migrated schema's snapshot (kept by the migrations'
// TestSchemaGolden): each collection's fields and their types.
func golden(t *testing.T) map[string]map[string]string {
	t.Helper()
	b, err := os.ReadFile("../testdata/schema.golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var cols []struct {
		Name   string `json:"name"`
		Fields []struct {
			Name string `json:"name"`
			Type string `json:"type"`
		} `json:"fields"`
	}
	if err := json.Unmarshal(b, &cols); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]string{}
	for _, c := range cols {
		out[c.Name] = map[string]string{}
		for _, f := range c.Fields {
			out[c.Name][f.Name] = f.Type
		}
	}
	return out
}

// TestAccessorsReadMigratedFields: every field a typed accessor reads
// exists in its collection as the migrations made it, with a type the
// accessor reads; a misspelt constant or a renamed field fails here rather
// than as an empty value at run time. The core collections all exist.
func TestAccessorsReadMigratedFields(t *testing.T) {
	cols := golden(t)
	for _, name := range schema.CoreCollections() {
		if cols[name] == nil {
			t.Errorf("core collection %q is not in the migrated schema", name)
		}
	}
	text := []string{"text", "relation", "select"}
	read := map[string]map[string][]string{
		schema.Screenshots: {
			schema.FieldOrg: text, schema.FieldUser: text, schema.FieldProject: text, schema.FieldTask: text,
			schema.FieldActivity: text, schema.FieldKeyID: text, schema.FieldStorageKey: text, schema.FieldClientID: text,
			schema.FieldTakenAt: {"date"}, schema.FieldSize: {"number"}, schema.FieldScreen: {"number"}, schema.FieldBlurred: {"bool"},
		},
		schema.Activities: {
			schema.FieldOrg: text, schema.FieldUser: text, schema.FieldProject: text, schema.FieldTask: text,
			schema.FieldSource: text, schema.FieldClientID: text, schema.FieldSlotStart: {"date"},
			schema.FieldTrackedSeconds: {"number"}, schema.FieldActiveSeconds: {"number"},
		},
		schema.Memberships: {
			schema.FieldOrg: text, schema.FieldUser: text, schema.FieldRole: text, schema.FieldStatus: text,
		},
	}
	for col, fields := range read {
		for f, types := range fields {
			got, ok := cols[col][f]
			if !ok {
				t.Errorf("%s.%s: no such field in the migrated schema", col, f)
				continue
			}
			if !contains(types, got) {
				t.Errorf("%s.%s is a %s field; its accessor reads one of %v", col, f, got, types)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestAccessorsReadTheRecord: the wrappers read what was set, and the
// derived answers (manual time, an active member) follow the values.
func TestAccessorsReadTheRecord(t *testing.T) {
	slot := time.Date(2026, 12, 1, 9, 10, 0, 0, time.UTC)
	act := schema.Activity{Record: core.NewRecord(core.NewBaseCollection(schema.Activities))}
	act.Load(map[string]any{schema.FieldUser: "usr1", schema.FieldSlotStart: slot,
		schema.FieldTrackedSeconds: 600, schema.FieldSource: schema.SourceManual})
	if act.User() != "usr1" || !act.SlotStart().Equal(slot) || act.TrackedSeconds() != 600 || !act.Manual() {
		t.Errorf("activity read as user %q, start %v, %d s, manual %v", act.User(), act.SlotStart(), act.TrackedSeconds(), act.Manual())
	}
	act.Set(schema.FieldSource, schema.SourceTracked)
	if act.Manual() {
		t.Error("tracked time reads as manual")
	}
	m := schema.Membership{Record: core.NewRecord(core.NewBaseCollection(schema.Memberships))}
	m.Load(map[string]any{schema.FieldStatus: schema.MemberActive})
	if !m.Active() {
		t.Error("an active membership reads as inactive")
	}
	m.Set(schema.FieldStatus, schema.MemberInvited)
	if m.Active() {
		t.Error("an invited membership reads as active")
	}
}
