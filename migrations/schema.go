// Package migrations creates and evolves Tock's collections.
//
// Migrations are plain Go registered with PocketBase's migrations runner, so a
// fresh `tock serve` builds the whole schema before it accepts a request.
package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/migrations/schema"
)

func floatPtr(v float64) *float64 { return &v }

func text(name string, required bool, max int) *core.TextField {
	return &core.TextField{Name: name, Required: required, Max: max}
}

func number(name string, required bool, min, max float64) *core.NumberField {
	return &core.NumberField{Name: name, Required: required, Min: floatPtr(min), Max: floatPtr(max), OnlyInt: true}
}

func relation(name string, target *core.Collection, required, cascade bool) *core.RelationField {
	return &core.RelationField{
		Name:          name,
		CollectionId:  target.Id,
		Required:      required,
		CascadeDelete: cascade,
		MaxSelect:     1,
	}
}

func choice(name string, required bool, values ...string) *core.SelectField {
	return &core.SelectField{Name: name, Required: required, Values: values, MaxSelect: 1}
}

func timestamps(c *core.Collection) {
	c.Fields.Add(&core.AutodateField{Name: schema.FieldCreated, OnCreate: true})
	c.Fields.Add(&core.AutodateField{Name: schema.FieldUpdated, OnCreate: true, OnUpdate: true})
}

// findCollections returns the named collections, in order: an up migration
// builds on every one of them.
func findCollections(app core.App, names ...string) ([]*core.Collection, error) {
	out := make([]*core.Collection, len(names))
	for i, name := range names {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			return nil, fmt.Errorf("find %s: %w", name, err)
		}
		out[i] = c
	}
	return out, nil
}

// dropCollections deletes the named collections in order (dependents first),
// passing over those already gone: down migrations must be re-runnable.
func dropCollections(app core.App, names ...string) error {
	for _, name := range names {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			continue
		}
		if err := app.Delete(c); err != nil {
			return fmt.Errorf("drop %s: %w", name, err)
		}
	}
	return nil
}

// orgScoped starts a collection whose records all belong to one organization:
// the first field is `org`, indexed, and deleting the organization deletes them.
func orgScoped(name string, orgs *core.Collection) *core.Collection {
	c := core.NewBaseCollection(name)
	c.Fields.Add(relation(schema.FieldOrg, orgs, true, true))
	c.AddIndex("idx_"+name+"_org", false, "`org`", "")
	return c
}

// indexForeignKeys adds a plain index on every relation field that no other
// index already leads with, so joins and cascades never scan a table.
func indexForeignKeys(c *core.Collection) {
	for _, f := range c.Fields {
		rel, ok := f.(*core.RelationField)
		if !ok || rel.Name == schema.FieldOrg || rel.IsMultiple() {
			continue
		}
		if hasLeadingIndex(c, rel.Name) {
			continue
		}
		c.AddIndex(fmt.Sprintf("idx_%s_%s", c.Name, rel.Name), false, "`"+rel.Name+"`", "")
	}
}

func hasLeadingIndex(c *core.Collection, column string) bool {
	for _, idx := range c.Indexes {
		if containsLeadingColumn(idx, column) {
			return true
		}
	}
	return false
}

// containsLeadingColumn reports whether an index definition's column list starts with column.
func containsLeadingColumn(index, column string) bool {
	for i := 0; i+1 < len(index); i++ {
		if index[i] == '(' {
			rest := index[i+1:]
			quoted := "`" + column + "`"
			return len(rest) >= len(quoted) && rest[:len(quoted)] == quoted
		}
	}
	return false
}
