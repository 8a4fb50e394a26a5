package gate

import (
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/search"

	"github.com/tock-app/tock/perms"
)

// Custom routes that read records of a collection in bulk (the screenshot
// gallery) show exactly what the collection's records list would show the
// same requester: the list's scope for the organization, compiled to SQL by
// PocketBase's own filter compiler, and the hidden fields the list's enrich
// hook removes. They don't decide with a second model.

// VisibleWhere is the condition a records list of collection puts on its rows
// for a in org (listScope's term for that organization), as SQL over the
// table named collection (no alias). a must be an active member of org.
func (z *Authorizer) VisibleWhere(app core.App, a Actor, org, collection string) (dbx.Expression, error) {
	p, ok := z.Policies[collection]
	if !ok {
		return nil, fmt.Errorf("visible %s: no policy", collection)
	}
	scope := falseExpr
	if a.Member {
		scope = z.orgScope(a, p, org, nil)
	}
	c, err := app.FindCachedCollectionByNameOrId(collection)
	if err != nil {
		return nil, fmt.Errorf("visible %s: %w", collection, err)
	}
	expr, err := search.FilterData(scope).BuildExpr(core.NewRecordFieldResolver(app, c, nil, true))
	if err != nil {
		return nil, fmt.Errorf("visible %s of %s: %w", collection, a.Actor.UserID, err)
	}
	return expr, nil
}

// FieldShown tells whether a may read field of a record of collection whose
// owner, project and team are t: false for a field the collection's policy
// hides from those its feature doesn't allow on the record.
func (z *Authorizer) FieldShown(a Actor, collection, field string, t perms.Target) bool {
	f, hidden := z.Policies[collection].HiddenFields[field]
	return !hidden || z.Decide(a, f, t).Allowed
}
