package gate

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"

	"github.com/ganigeorgiev/fexpr"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/tock-app/tock/hooks/audit"
	"github.com/tock-app/tock/hooks/ledger"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

// Decider asks the matrix, denying everything to non-members.
type Decider struct{ Matrix *perms.Matrix }

func (d Decider) Decide(a Actor, f perms.Feature, t perms.Target) perms.Decision {
	if !a.Member {
		return perms.Decision{}
	}
	return d.Matrix.Decide(a.Actor, f, t, a.Settings)
}

// Authorizer is the first line of defence: every record request on a Tock
// collection is decided through perms before PocketBase acts on it.
type Authorizer struct {
	Decider
	Policies map[string]Policy
	// inflight holds each authenticated request's actor cache, keyed by the
	// request's auth record, which PocketBase passes along to every hook,
	// expansion and batch sub-request of that request.
	inflight sync.Map
	// recent keeps uploading agents' actors across requests (see Tracker).
	recent recentActors
}

// hookFirst runs before Tock's other hooks on the same event, so nothing is
// prepared or written for a request that is going to be refused.
const hookFirst = -100

func RegisterAuthorization(app core.App, matrix *perms.Matrix, domains ...Policies) *Authorizer {
	z := &Authorizer{Decider: Decider{matrix}, Policies: policies(domains)}
	z.recent.watch(app)

	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		e.Router.BindFunc(z.scopeRequest)
		return e.Next()
	})
	names := make([]string, 0, len(z.Policies))
	for name := range z.Policies {
		names = append(names, name)
	}
	app.OnRecordViewRequest(names...).Bind(&hook.Handler[*core.RecordRequestEvent]{Func: z.view, Priority: hookFirst})
	app.OnRecordCreateRequest(names...).Bind(&hook.Handler[*core.RecordRequestEvent]{Func: z.create, Priority: hookFirst})
	app.OnRecordUpdateRequest(names...).Bind(&hook.Handler[*core.RecordRequestEvent]{Func: z.update, Priority: hookFirst})
	app.OnRecordDeleteRequest(names...).Bind(&hook.Handler[*core.RecordRequestEvent]{Func: z.delete, Priority: hookFirst})
	app.OnRecordEnrich(names...).Bind(&hook.Handler[*core.RecordEnrichEvent]{Func: z.enrich, Priority: hookFirst})
	app.OnRealtimeSubscribeRequest().Bind(&hook.Handler[*core.RealtimeSubscribeRequestEvent]{Func: checkSubscriptions, Priority: hookFirst})
	return z
}

// Actor returns auth's roles in org, from the request's cache when there is one.
func (z *Authorizer) Actor(app core.App, auth *core.Record, org string) (Actor, error) {
	if !reply.IsPerson(auth) {
		return Actor{}, nil
	}
	if c, ok := z.inflight.Load(auth); ok {
		return c.(*actorCache).get(app, auth.Id, org)
	}
	return LoadActor(app, auth.Id, org)
}

// CanView decides list and view access to one record.
func (z *Authorizer) CanView(a Actor, p Policy, r *core.Record) bool {
	if !a.Member {
		return false
	}
	if p.View == "" {
		return true
	}
	if p.OwnField != "" && r.GetString(p.OwnField) == a.Actor.UserID {
		return true
	}
	if p.OwnTeamsField != "" && a.Teams[r.GetString(p.OwnTeamsField)] {
		return true
	}
	return z.Decide(a, p.View, targetOf(p.Access, r)).Allowed
}

// errTockOnly answers writes that only Tock makes: the agent's uploads go
// through its ingest routes, the audit log is Tock's own.
func errTockOnly() error {
	return router.NewForbiddenError("Only Tock itself writes these records; the agent uploads through /api/tock/ingest.", nil)
}

// requester returns the collection's policy and the requester's roles in the
// organization record r belongs to.
func (z *Authorizer) requester(e *core.RecordRequestEvent, r *core.Record) (Policy, Actor, error) {
	p := z.Policies[e.Collection.Name]
	a, err := z.Actor(e.App, e.Auth, r.GetString(p.OrgField))
	return p, a, err
}

func (z *Authorizer) view(e *core.RecordRequestEvent) error {
	if reply.IsSuperuser(e.Auth) {
		return e.Next()
	}
	p, a, err := z.requester(e, e.Record)
	if err != nil {
		return err
	}
	if !z.CanView(a, p, e.Record) {
		return reply.NotFound()
	}
	return e.Next()
}

func (z *Authorizer) create(e *core.RecordRequestEvent) error {
	if reply.IsSuperuser(e.Auth) {
		return e.Next()
	}
	p := z.Policies[e.Collection.Name]
	if p.Create == nil {
		return errTockOnly()
	}
	if e.Collection.Name == schema.Organizations {
		if !reply.IsPerson(e.Auth) {
			return router.NewForbiddenError("Sign in to create an organization.", nil)
		}
		return e.Next()
	}
	_, a, err := z.requester(e, e.Record)
	if err != nil {
		return err
	}
	if !a.Member {
		return reply.NotFound()
	}
	if err := z.require(a, p.Create(e.Record), targetOf(p.Access, e.Record)); err != nil {
		if p.Alternative == nil || !p.Alternative(z.Decider, a, e.Record) {
			return err
		}
	}
	if p.Guard != nil {
		if err := p.Guard(e.App, a, z.Decider, nil, e.Record); err != nil {
			return err
		}
	}
	return e.Next()
}

func (z *Authorizer) update(e *core.RecordRequestEvent) error {
	if reply.IsSuperuser(e.Auth) {
		return e.Next()
	}
	before := e.Record.Original()
	p, a, err := z.requester(e, before)
	if err != nil {
		return err
	}
	if p.Update == nil {
		return z.hide(a, p, before, errTockOnly())
	}
	features := p.Update(before, e.Record)
	// Both where the record is and where the change would put it must be allowed.
	for _, t := range []perms.Target{targetOf(p.Access, before), targetOf(p.Access, e.Record)} {
		if err := z.require(a, features, t); err != nil {
			return z.hide(a, p, before, err)
		}
	}
	if p.Guard != nil {
		if err := p.Guard(e.App, a, z.Decider, before, e.Record); err != nil {
			return err
		}
	}
	return e.Next()
}

// hide turns a refusal into a 404 for someone who may not even view the
// record, so a refusal never confirms that a record exists.
func (z *Authorizer) hide(a Actor, p Policy, r *core.Record, refusal error) error {
	if !z.CanView(a, p, r) {
		return reply.NotFound()
	}
	return refusal
}

func (z *Authorizer) delete(e *core.RecordRequestEvent) error {
	if reply.IsSuperuser(e.Auth) {
		return e.Next()
	}
	p, a, err := z.requester(e, e.Record)
	if err != nil {
		return err
	}
	if p.Delete == nil {
		return z.hide(a, p, e.Record, errTockOnly())
	}
	// The guard speaks first: "the last owner can't leave" says more than
	// "owners can't leave".
	if p.Guard != nil {
		if err := p.Guard(e.App, a, z.Decider, e.Record, nil); err != nil {
			return z.hide(a, p, e.Record, err)
		}
	}
	limited := false
	for _, f := range p.Delete(a.Actor, e.Record) {
		d := z.Decide(a, f, targetOf(p.Access, e.Record))
		if !d.Allowed && (p.Alternative == nil || !p.Alternative(z.Decider, a, e.Record)) {
			return z.hide(a, p, e.Record, reply.Forbidden(f))
		}
		limited = limited || d.Limited
	}
	if limited {
		return deleteWithTimeBlock(e)
	}
	return e.Next()
}

// deleteWithTimeBlock honours a `limited` grant: the screenshot goes only
// together with its whole 10-minute activity, whose deletion cascades to every
// screenshot and app usage record of the slot (docs/PERMISSIONS.md, "Cells and scopes": `limited`).
func deleteWithTimeBlock(e *core.RecordRequestEvent) error {
	activity, err := e.App.FindRecordById(schema.Activities, e.Record.GetString(schema.FieldActivity))
	if err != nil {
		return fmt.Errorf("find activity of screenshot %s: %w", e.Record.Id, err)
	}
	if err := ledger.TimeUnlocked(e.App, activity); err != nil {
		return err
	}
	if err := e.App.Delete(activity); err != nil {
		return fmt.Errorf("delete activity %s with screenshot %s: %w", activity.Id, e.Record.Id, err)
	}
	audit.Log(e.App, e.Auth, "delete_time_block", activity, map[string]any{"requested_screenshot": e.Record.Id})
	return e.NoContent(http.StatusNoContent)
}

// require checks that every feature allows the target, without limitation
// (limited grants exist only for deletions, handled by delete).
func (z *Authorizer) require(a Actor, features []perms.Feature, t perms.Target) error {
	for _, f := range features {
		if d := z.Decide(a, f, t); !d.Allowed || d.Limited {
			return reply.Forbidden(f)
		}
	}
	return nil
}

// enrich is the last check on every record a response carries, expanded ones
// included: a record its reader may not view fails the request (an expansion
// is dropped instead), and fields the reader may not see are hidden.
func (z *Authorizer) enrich(e *core.RecordEnrichEvent) error {
	if e.RequestInfo == nil || reply.IsSuperuser(e.RequestInfo.Auth) {
		return e.Next()
	}
	p := z.Policies[e.Record.Collection().Name]
	a, err := z.Actor(e.App, e.RequestInfo.Auth, e.Record.GetString(p.OrgField))
	if err != nil {
		return err
	}
	// The record a create or update request wrote was authorised by that
	// request's hook; everything else a response carries must be viewable.
	written := e.RequestInfo.Context != core.RequestInfoContextExpand &&
		(e.RequestInfo.Method == http.MethodPost || e.RequestInfo.Method == http.MethodPatch)
	if !written && !z.CanView(a, p, e.Record) {
		return reply.NotFound()
	}
	if !z.realtimeFilterAllowed(a, p, e) {
		return reply.NotFound()
	}
	for field := range p.HiddenFields {
		if !z.FieldShown(a, e.Record.Collection().Name, field, targetOf(p.Access, e.Record)) {
			e.Record.Hide(field)
		}
	}
	return e.Next()
}

// scopeRequest keeps an actor cache for the request and narrows list
// requests on Tock collections to what the requester may see, in SQL.
func (z *Authorizer) scopeRequest(e *core.RequestEvent) error {
	if e.Auth == nil || reply.IsSuperuser(e.Auth) {
		return e.Next()
	}
	cache := &actorCache{}
	z.inflight.Store(e.Auth, cache)
	defer z.inflight.Delete(e.Auth)

	if e.Request.Method == http.MethodGet && strings.HasSuffix(e.Request.Pattern, "/api/collections/{collection}/records") {
		q := e.Request.URL.Query()
		if err := checkQuery(q.Get("filter"), q.Get("sort")); err != nil {
			return err
		}
		if err := z.scopeList(e); err != nil {
			return err
		}
	}
	return e.Next()
}

// checkQuery refuses a client's filter or sort that reaches across
// collections, on lists and realtime subscriptions alike, for every
// collection (users included). List rules check only the organization (see
// migrations/rules.go), and PocketBase applies a related collection's list
// rule to filters that reach it: a filter reaching back into another
// collection could infer what the matrix hides there (a colleague's pay
// rate, someone's visited URLs), so none may.
func checkQuery(filter, sort string) error {
	for _, clause := range []string{filter, sort} {
		if lower := strings.ToLower(clause); strings.Contains(lower, "_via_") || strings.Contains(lower, "@collection") {
			return router.NewBadRequestError("Filters and sorts can't reach across collections.", nil)
		}
	}
	if strings.TrimSpace(filter) != "" {
		// A filter that parses alone can't close the parentheses it is put in.
		if _, err := fexpr.Parse(filter); err != nil {
			return router.NewBadRequestError("Invalid filter.", nil)
		}
	}
	return nil
}

func (z *Authorizer) scopeList(e *core.RequestEvent) error {
	c, err := e.App.FindCachedCollectionByNameOrId(e.Request.PathValue("collection"))
	if err != nil {
		return nil // PocketBase answers 404 itself
	}
	p, ok := z.Policies[c.Name]
	if !ok {
		return nil
	}
	q := e.Request.URL.Query()
	userFilter := q.Get("filter") // checked by checkQuery already
	scope, err := z.listScope(e, p, userFilter+" "+q.Get("sort"))
	if err != nil {
		return err
	}
	filter := scope
	if strings.TrimSpace(userFilter) != "" {
		filter = "(" + scope + ") && (\n" + userFilter + "\n)"
	}
	q.Set("filter", filter)
	e.Request.URL.RawQuery = q.Encode()
	return nil
}

var termPattern = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)

// listScope is the filter of the records a requester may list: per
// organization they belong to, what the policy's view feature reaches,
// narrowed by every restricted term the request mentions.
func (z *Authorizer) listScope(e *core.RequestEvent, p Policy, mentions string) (string, error) {
	orgs, err := ActiveOrgs(e.App, e.Auth.Id)
	if err != nil {
		return "", err
	}
	narrowing := narrowingFeatures(mentions)
	var perOrg []string
	for _, org := range orgs {
		if !reply.IsRecordID(org) {
			continue
		}
		a, err := z.Actor(e.App, e.Auth, org)
		if err != nil {
			return "", err
		}
		if !a.Member {
			continue
		}
		if scope := z.orgScope(a, p, org, narrowing); scope != falseExpr {
			perOrg = append(perOrg, scope)
		}
	}
	if len(perOrg) == 0 {
		return falseExpr, nil
	}
	return strings.Join(perOrg, " || "), nil
}

// orgScope is the part of a list's scope for one organization a is an
// active member of: its records that p's view feature and every narrowing
// feature reach; falseExpr when the view feature reaches none.
func (z *Authorizer) orgScope(a Actor, p Policy, org string, narrowing []perms.Feature) string {
	visible := z.visibleExpr(a, p)
	if visible == falseExpr {
		return falseExpr
	}
	parts := []string{fmt.Sprintf("%s = %q", p.OrgField, org), visible}
	for _, f := range narrowing {
		parts = append(parts, scopeExpr(z.Matrix.Scope(a.Actor, f, a.Settings), p.Access, a.Actor.UserID))
	}
	return "(" + strings.Join(parts, " && ") + ")"
}

// narrowingFeatures are the features guarding the restricted terms (see
// restrictedTerms) that a client's filter or sort mentions: only records on
// which every one of them is allowed may match.
func narrowingFeatures(mentions string) []perms.Feature {
	terms := restrictedTerms()
	var narrowing []perms.Feature
	for _, word := range termPattern.FindAllString(mentions, -1) {
		if f, ok := terms[word]; ok {
			narrowing = AppendUnique(narrowing, f)
		}
	}
	return narrowing
}

// Every record has an id, so these match no record and every record.
const (
	falseExpr = `id = ""`
	trueExpr  = `id != ""`
)

func (z *Authorizer) visibleExpr(a Actor, p Policy) string {
	if p.View == "" {
		return trueExpr
	}
	alts := []string{scopeExpr(z.Matrix.Scope(a.Actor, p.View, a.Settings), p.Access, a.Actor.UserID)}
	if p.OwnField != "" {
		alts = append(alts, fmt.Sprintf("%s = %q", p.OwnField, a.Actor.UserID))
	}
	if p.OwnTeamsField != "" {
		for _, t := range reply.SortedKeys(a.Teams) {
			if reply.IsRecordID(t) {
				alts = append(alts, fmt.Sprintf("%s = %q", p.OwnTeamsField, t))
			}
		}
	}
	return "(" + strings.Join(alts, " || ") + ")"
}

// scopeExpr turns what perms.Scope reaches into a filter over a's target fields.
func scopeExpr(sc perms.Scope, a migrations.Access, self string) string {
	if sc.All {
		return trueExpr
	}
	var alts []string
	add := func(field string, ids []string) {
		if field == "" {
			return
		}
		for _, id := range ids {
			if reply.IsRecordID(id) {
				alts = append(alts, fmt.Sprintf("%s = %q", field, id))
			}
		}
	}
	if sc.Self {
		add(a.Owner, []string{self})
	}
	add(a.Owner, sc.Users)
	add(a.Project, sc.Projects)
	add(a.Team, sc.Teams)
	if len(alts) == 0 {
		return falseExpr
	}
	return "(" + strings.Join(alts, " || ") + ")"
}

// realtimeFilterAllowed tells whether a realtime event on r may be sent to a
// subscriber whose filter or sort mentions restricted fields: only when the
// subscriber may read every one of them on r.
func (z *Authorizer) realtimeFilterAllowed(a Actor, p Policy, e *core.RecordEnrichEvent) bool {
	if e.RequestInfo.Context != core.RequestInfoContextRealtime {
		return true
	}
	mentions := e.RequestInfo.Query["filter"] + " " + e.RequestInfo.Query["sort"]
	for _, f := range narrowingFeatures(mentions) {
		if !z.Decide(a, f, targetOf(p.Access, e.Record)).Allowed {
			return false
		}
	}
	return true
}
