package screenshots

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/envelope"
	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

func (s *Server) registerKeys(app core.App, z *gate.Authorizer) {
	app.OnRecordCreate(schema.Organizations).BindFunc(s.keyNewOrganization)
	s.keys.watch(app)
	app.OnBackupCreate().BindFunc(func(e *core.BackupEvent) error {
		// The key normally lives outside the data directory; should an
		// operator move it inside, it still stays out of every backup.
		if rel, err := filepath.Rel(e.App.DataDir(), s.cfg.MasterKeyFile); err == nil && !strings.HasPrefix(rel, "..") {
			e.Exclude = append(e.Exclude, rel)
		}
		return e.Next()
	})
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		e.Router.POST("/api/tock/orgs/{org}/keys/rotate", func(re *core.RequestEvent) error {
			return s.rotateKey(re, z)
		})
		return e.Next()
	})
}

// keyNewOrganization gives every new organization its first key pair, in the
// transaction that creates it: an organization never exists without a key.
func (s *Server) keyNewOrganization(e *core.RecordEvent) error {
	return e.App.RunInTransaction(func(txApp core.App) error {
		original := e.App
		e.App = txApp
		defer func() { e.App = original }()

		if e.Record.Id == "" {
			e.Record.Id = core.GenerateDefaultRandomId()
		}
		wrapped, err := s.newKeyPair(txApp, e.Record)
		if err != nil {
			return err
		}
		if err := e.Next(); err != nil {
			return err
		}
		return txApp.Save(wrapped)
	})
}

// newKeyPair generates a key pair for org, makes it org's current key and
// returns the unsaved org_keys record that keeps its wrapped private half.
func (s *Server) newKeyPair(app core.App, org *core.Record) (*core.Record, error) {
	keys, err := app.FindCachedCollectionByNameOrId(schema.OrgKeys)
	if err != nil {
		return nil, fmt.Errorf("find %s: %w", schema.OrgKeys, err)
	}
	master, err := s.master()
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	kp, err := envelope.GenerateKeyPair(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("key pair for %s: %w", org.Id, err)
	}
	keyID := envelope.KeyID(kp.Public)
	wrapped, err := envelope.Wrap(rand.Reader, master, keyLabel(org.Id, keyID), kp.Private[:])
	clear(kp.Private[:])
	if err != nil {
		return nil, fmt.Errorf("wrap key of %s: %w", org.Id, err)
	}
	r := core.NewRecord(keys)
	r.Set(schema.FieldOrg, org.Id)
	r.Set(schema.FieldKeyID, keyID)
	r.Set(schema.FieldPublicKey, base64.StdEncoding.EncodeToString(kp.Public[:]))
	r.Set("wrapped_private_key", base64.StdEncoding.EncodeToString(wrapped))
	org.Set(schema.FieldKeyID, keyID)
	org.Set(schema.FieldPublicKey, base64.StdEncoding.EncodeToString(kp.Public[:]))
	return r, nil
}

// keyLabel binds a wrapped key to its organization and id, so a wrapped key
// copied onto another row doesn't unwrap.
func keyLabel(org, keyID string) string { return "org:" + org + ":key:" + keyID }

// privateKey unwraps org's private key keyID; the caller clears it after use.
func (s *Server) privateKey(app core.App, org, keyID string) ([32]byte, error) {
	var priv [32]byte
	r, err := app.FindFirstRecordByFilter(schema.OrgKeys, "org = {:org} && key_id = {:kid}",
		dbx.Params{"org": org, "kid": keyID})
	if err != nil {
		return priv, fmt.Errorf("key %s of %s: %w", keyID, org, err)
	}
	master, err := s.master()
	if err != nil {
		return priv, fmt.Errorf("master key: %w", err)
	}
	wrapped, err := base64.StdEncoding.DecodeString(r.GetString("wrapped_private_key"))
	if err != nil {
		return priv, fmt.Errorf("decode key %s of %s: %w", keyID, org, err)
	}
	plain, err := envelope.Unwrap(master, keyLabel(org, keyID), wrapped)
	if err != nil {
		return priv, fmt.Errorf("unwrap key %s of %s: %w", keyID, org, err)
	}
	copy(priv[:], plain)
	clear(plain)
	return priv, nil
}

// rotateKey gives an organization a new current key pair; envelopes sealed
// for older keys stay readable while those keys exist. Owners only (it is an
// edit of the organization itself).
func (s *Server) rotateKey(e *core.RequestEvent, z *gate.Authorizer) error {
	orgID := e.Request.PathValue("org")
	a, err := z.Actor(e.App, e.Auth, orgID)
	if err != nil {
		return err
	}
	if !a.Member {
		return reply.NotFound()
	}
	if !z.Decide(a, perms.EditOrganization, perms.Target{}).Allowed {
		return reply.Forbidden(perms.EditOrganization)
	}
	var org *core.Record
	err = e.App.RunInTransaction(func(txApp core.App) error {
		org, err = txApp.FindRecordById(schema.Organizations, orgID)
		if err != nil {
			return fmt.Errorf("find organization %s: %w", orgID, err)
		}
		wrapped, err := s.newKeyPair(txApp, org)
		if err != nil {
			return err
		}
		if err := txApp.Save(wrapped); err != nil {
			return fmt.Errorf("save key of %s: %w", orgID, err)
		}
		return txApp.Save(org)
	})
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, map[string]string{"key_id": org.GetString(schema.FieldKeyID), "public_key": org.GetString(schema.FieldPublicKey)})
}
