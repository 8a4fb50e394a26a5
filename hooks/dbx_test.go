package hooks_test

import (
	"github.com/pocketbase/dbx"
)

func dbxExpr(filter string, params map[string]any) dbx.Expression {
	return dbx.NewExp(filter, dbx.Params(params))
}
