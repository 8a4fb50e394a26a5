package screenshots

import (
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/envelope"
	"github.com/tock-app/tock/migrations/schema"
)

// keyCacheTTL is how long an unwrapped key pair stays in memory after it was
// last read from org_keys: long enough that a busy organization's uploads
// don't each unwrap their key and derive its public half (an X25519), short
// enough that a key removed behind Tock's back stops verifying soon.
const keyCacheTTL = time.Minute

// keyCacheMax bounds the cache; past it, expired entries go, then all.
const keyCacheMax = 4096

// KeyCache keeps organizations' unwrapped key pairs in memory only, never on
// disk. Any change to an organization's keys (rotation, deletion) drops all
// of its entries at once.
type keyCache struct {
	mu      sync.Mutex
	now     func() time.Time
	entries map[keyRef]cachedKey
}

type keyRef struct{ org, keyID string }

type cachedKey struct {
	pair    envelope.KeyPair
	expires time.Time
}

func newKeyCache() *keyCache {
	return &keyCache{now: time.Now, entries: map[keyRef]cachedKey{}}
}

// get returns the cached pair of org's keyID, or loads it and keeps it.
func (c *keyCache) get(org, keyID string, load func() (envelope.KeyPair, error)) (envelope.KeyPair, error) {
	ref := keyRef{org, keyID}
	c.mu.Lock()
	e, ok := c.entries[ref]
	c.mu.Unlock()
	if ok && c.now().Before(e.expires) {
		return e.pair, nil
	}
	pair, err := load()
	if err != nil {
		return pair, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= keyCacheMax {
		c.evict()
	}
	c.entries[ref] = cachedKey{pair: pair, expires: c.now().Add(keyCacheTTL)}
	return pair, nil
}

// evict drops expired entries, or every entry when none has expired; the
// caller holds the lock.
func (c *keyCache) evict() {
	now := c.now()
	for ref, e := range c.entries {
		if !now.Before(e.expires) {
			c.drop(ref)
		}
	}
	if len(c.entries) >= keyCacheMax {
		for ref := range c.entries {
			c.drop(ref)
		}
	}
}

// drop clears a private key before letting it go; the caller holds the lock.
func (c *keyCache) drop(ref keyRef) {
	e := c.entries[ref]
	clear(e.pair.Private[:])
	delete(c.entries, ref)
}

// forget drops every cached key of org.
func (c *keyCache) forget(org string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for ref := range c.entries {
		if ref.org == org {
			c.drop(ref)
		}
	}
}

// watch drops an organization's cached keys whenever one of its org_keys
// records is created (a rotation), changed or deleted (with the
// organization), once the change is committed.
func (c *keyCache) watch(app core.App) {
	forget := func(e *core.RecordEvent) error {
		c.forget(e.Record.GetString(schema.FieldOrg))
		return e.Next()
	}
	app.OnRecordAfterCreateSuccess(schema.OrgKeys).BindFunc(forget)
	app.OnRecordAfterUpdateSuccess(schema.OrgKeys).BindFunc(forget)
	app.OnRecordAfterDeleteSuccess(schema.OrgKeys).BindFunc(forget)
}

// keyPair returns org's key pair keyID, from the cache when it is there.
// The caller may clear its copy of the private half after use.
func (s *Server) keyPair(app core.App, org, keyID string) (envelope.KeyPair, error) {
	return s.keys.get(org, keyID, func() (envelope.KeyPair, error) {
		priv, err := s.privateKey(app, org, keyID)
		if err != nil {
			return envelope.KeyPair{}, err
		}
		defer clear(priv[:])
		return envelope.KeyPairOf(priv)
	})
}
