package reply

import (
	"fmt"
	"regexp"
	"sort"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/tock-app/tock/ingest"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

func SetOf(ids []string) map[string]bool {
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

func AnySlice(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

func IsSuperuser(auth *core.Record) bool { return auth != nil && auth.IsSuperuser() }

func IsPerson(auth *core.Record) bool {
	return auth != nil && auth.Collection().Name == schema.Users
}

func NotFound() error { return router.NewNotFoundError("", nil) }

func Forbidden(f perms.Feature) error {
	return router.NewForbiddenError(fmt.Sprintf("Your role doesn't allow %q here.", f), nil)
}

// IsRecordID accepts only what PocketBase generates, so nothing but an id is
// ever spliced into a filter.
func IsRecordID(s string) bool { return ingest.IsRecordID(s) }

func SortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k, ok := range m {
		if ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

var ClientIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{8,64}$`)

// FindByClientID finds a record by the agent's id. SQLite uses a partial
// index only when the query repeats the index's WHERE clause word for word,
// so the condition is written in SQL as the index has it (`client_id` != ”):
// PocketBase's filter would turn != into IS NOT and scan the whole table.
func FindByClientID(app core.App, collection, clientID string) (*core.Record, error) {
	r := &core.Record{}
	err := app.RecordQuery(collection).
		AndWhere(dbx.NewExp("[[client_id]] = {:c} AND `client_id` != ''", dbx.Params{"c": clientID})).
		Limit(1).One(r)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// NonNil keeps a JSON list a list: the web app never has to test for null.
func NonNil(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}

// AnonymousName stands in for a person without a name when their e-mail,
// the usual fallback, is not the requester's to see.
const AnonymousName = "Member"

func NameOf(app core.App, collection, id string) string {
	r, err := app.FindRecordById(collection, id)
	if err != nil {
		return ""
	}
	return r.GetString(schema.FieldName)
}
