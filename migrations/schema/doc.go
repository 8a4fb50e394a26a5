// Package schema is Tock's domain vocabulary: the names of its collections
// and of their fields, the values its status, role and mode fields take, and
// the bounds and defaults of its settings. It also reads the records of the
// busiest collections through small typed accessors (records.go), so code
// says shot.TakenAt() rather than rec.GetDateTime("taken_at").
//
// It lives under migrations/ because the migrations define the schema: they
// create each collection from these names, and the hooks, the test fixtures
// and the web app's Go tests import the same names from here. The dependency
// runs one way — migrations and hooks import schema, schema imports neither
// (only PocketBase's core, for the accessors) — so no numbered migration file
// has to be imported for a name and no cycle can form.
//
// Only names live here, never behaviour: what a status means is decided by
// the domain package under hooks/ that owns it. Renaming a constant's value
// renames a stored field or value, which takes a migration of its own.
package schema
