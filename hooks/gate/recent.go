package gate

import (
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/migrations/schema"
)

// recentActorTTL is how long a tracker's actor stays in memory between
// uploads. Every change Tock makes through records to what an actor is read
// from drops the whole memo at once (see watch); the TTL only bounds how long
// a change written around the records (raw SQL) goes unseen.
const recentActorTTL = 5 * time.Second

// recentActorMax bounds the memo; past it, it starts over.
const recentActorMax = 10000

// actorSources are the collections LoadActor reads.
func actorSources() []string {
	return []string{schema.Organizations, schema.Memberships, schema.ProjectMembers,
		schema.TeamMembers, schema.TeamProjects}
}

// recentActors keeps the actors of agents uploading, across requests: an
// agent sends a screenshot every few minutes per screen and an activity per
// slot, each needing the same four reads of its roles. Entries are shared
// read-only. A load that overlapped a change is used once but not kept (gen).
type recentActors struct {
	mu      sync.Mutex
	gen     uint64 // bumped by every change to an actor source
	now     func() time.Time
	entries map[actorRef]recentActor
}

type actorRef struct{ user, org string }

type recentActor struct {
	actor   Actor
	expires time.Time
}

// get returns userID's actor in orgID from the memo, or loads and keeps it.
func (c *recentActors) get(app core.App, userID, orgID string) (Actor, error) {
	ref := actorRef{userID, orgID}
	c.mu.Lock()
	if c.now == nil {
		c.now = time.Now
	}
	e, ok := c.entries[ref]
	gen := c.gen
	c.mu.Unlock()
	if ok && c.now().Before(e.expires) {
		return e.actor, nil
	}
	a, err := LoadActor(app, userID, orgID)
	if err != nil {
		return a, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return a, nil // read while a change landed: good for this request only
	}
	if c.entries == nil || len(c.entries) >= recentActorMax {
		c.entries = map[actorRef]recentActor{}
	}
	c.entries[ref] = recentActor{actor: a, expires: c.now().Add(recentActorTTL)}
	return a, nil
}

// forget drops every kept actor.
func (c *recentActors) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.entries = nil
}

// watch forgets every kept actor once a change to an organization, a
// membership, a project role or a team's people or projects is committed:
// a member removed or demoted is refused from their next upload on.
func (c *recentActors) watch(app core.App) {
	forget := func(e *core.RecordEvent) error {
		c.forget()
		return e.Next()
	}
	sources := actorSources()
	app.OnRecordAfterCreateSuccess(sources...).BindFunc(forget)
	app.OnRecordAfterUpdateSuccess(sources...).BindFunc(forget)
	app.OnRecordAfterDeleteSuccess(sources...).BindFunc(forget)
}
