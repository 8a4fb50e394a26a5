package gate

import (
	"maps"
	"reflect"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/migrations"
	"github.com/tock-app/tock/perms"
)

// targetOf builds the perms.Target of a record from the fields a names.
func targetOf(a migrations.Access, r *core.Record) perms.Target {
	get := func(field string) string {
		if field == "" {
			return ""
		}
		return r.GetString(field)
	}
	return perms.Target{OwnerID: get(a.Owner), ProjectID: get(a.Project), TeamID: get(a.Team)}
}

// Policy maps every request on one collection onto matrix features: the
// collection's Access (shared with its API rules) plus the exact choice of
// features per request.
type Policy struct {
	migrations.Access

	Create func(r *core.Record) []perms.Feature
	Update func(before, after *core.Record) []perms.Feature
	Delete func(actor perms.Actor, r *core.Record) []perms.Feature
	// Guard refuses what the matrix can't express: raising one's own role,
	// making owners without being one.
	Guard GuardFunc
	// Alternative is another way the matrix allows a create or delete that
	// the features of create or delete refuse.
	Alternative func(d Decider, a Actor, r *core.Record) bool

	// HiddenFields are shown only to those the feature allows on the record.
	HiddenFields map[string]perms.Feature
}

func Always(fs ...perms.Feature) func(*core.Record) []perms.Feature {
	return func(*core.Record) []perms.Feature { return fs }
}

func AlwaysDelete(fs ...perms.Feature) func(perms.Actor, *core.Record) []perms.Feature {
	return func(perms.Actor, *core.Record) []perms.Feature { return fs }
}

// ByChangedField picks the feature of every field a change touches; fields
// not listed need other. An empty change still needs other.
func ByChangedField(fields map[string]perms.Feature, other perms.Feature) func(before, after *core.Record) []perms.Feature {
	return func(before, after *core.Record) []perms.Feature {
		var out []perms.Feature
		for _, name := range ChangedFields(before, after) {
			f, ok := fields[name]
			if !ok {
				f = other
			}
			out = AppendUnique(out, f)
		}
		if len(out) == 0 {
			out = append(out, other)
		}
		return out
	}
}

func ChangedFields(before, after *core.Record) []string {
	var names []string
	for _, f := range after.Collection().Fields {
		if _, auto := f.(*core.AutodateField); auto {
			continue
		}
		if !reflect.DeepEqual(before.Get(f.GetName()), after.Get(f.GetName())) {
			names = append(names, f.GetName())
		}
	}
	return names
}

func AppendUnique(fs []perms.Feature, f perms.Feature) []perms.Feature {
	for _, have := range fs {
		if have == f {
			return fs
		}
	}
	return append(fs, f)
}

// Policies maps some of Tock's collections onto the matrix: each domain
// gives those of the collections it owns.
type Policies map[string]Policy

// Policies joins the domains' policies and gives each its collection's
// Access (shared with the collection's API rules).
func policies(domains []Policies) map[string]Policy {
	ps := map[string]Policy{}
	for _, d := range domains {
		maps.Copy(ps, d)
	}
	for name, a := range migrations.AccessOf() {
		p := ps[name]
		p.Access = a
		ps[name] = p
	}
	return ps
}

// restrictedTerms are field names whose values only some may read. A list
// whose filter or sort mentions one, on its own collection or through a
// relation, is narrowed to the records whose value the requester may read, so
// filtering can't reveal what viewing hides.
func restrictedTerms() map[string]perms.Feature {
	return map[string]perms.Feature{
		"budget":      perms.ViewProjectBudget,
		"budget_type": perms.ViewProjectBudget,
		"url":         perms.ViewURLs,
	}
}
