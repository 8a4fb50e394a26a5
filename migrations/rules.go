package migrations

import (
	"fmt"
	"strings"
)

// API rules are Tock's second line of defence: the hooks decide every request
// through perms first. The rules only make sure that, should a hook ever miss a
// path, nothing leaves the organization or reaches a role that can't hold it.

const isUser = `@request.auth.collectionName = "users"`

// memberOf matches a request whose user holds an active membership in the
// organization orgExpr names, with one of roles (any role when none are given).
// One alias keeps every condition on the same membership row.
func memberOf(orgExpr string, roles ...string) string {
	parts := []string{
		isUser,
		"@collection.memberships:me.org ?= " + orgExpr,
		"@collection.memberships:me.user ?= @request.auth.id",
		`@collection.memberships:me.status ?= "active"`,
	}
	if len(roles) > 0 {
		alts := make([]string, len(roles))
		for i, r := range roles {
			alts[i] = fmt.Sprintf(`@collection.memberships:me.role ?= %q`, r)
		}
		parts = append(parts, "("+strings.Join(alts, " || ")+")")
	}
	return strings.Join(parts, " && ")
}

func or(exprs ...string) string {
	wrapped := make([]string, len(exprs))
	for i, e := range exprs {
		wrapped[i] = "(" + e + ")"
	}
	return strings.Join(wrapped, " || ")
}

func and(exprs ...string) string {
	wrapped := make([]string, len(exprs))
	for i, e := range exprs {
		wrapped[i] = "(" + e + ")"
	}
	return strings.Join(wrapped, " && ")
}

// ownData matches records that belong to the requesting user inside an org they belong to.
func ownData(orgExpr string) string {
	return and("user = @request.auth.id", memberOf(orgExpr))
}
