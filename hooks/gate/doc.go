// Package gate is the first line of defence. Every record request on a Tock
// collection is decided through perms before PocketBase acts on it: the
// requester's roles in the organization (Actor, cached per request), the
// Authorizer that binds the decisions to PocketBase's record requests, list
// scopes (also as SQL for custom routes that read lists, VisibleWhere) and
// realtime subscriptions, and the policies that map each
// collection onto matrix features (each domain gives its own). It also holds
// the guards the matrix can't express, the cross-organization integrity of
// every save, the module switches of the plan, and who may track time to a
// project: checks that several domains share.
package gate
