package screenshots

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/security"

	"github.com/tock-app/tock/envelope"
	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/ingest"
	"github.com/tock-app/tock/migrations/schema"
)

// registerScreenshotIngest binds the agent's screenshot upload, whose
// multipart body is read raw (see keepRawBody).
func (s *Server) registerScreenshotIngest(app core.App, z *gate.Authorizer) {
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		e.Router.POST(ingest.ScreenshotsRoute, func(re *core.RequestEvent) error { return s.ingestScreenshot(re, z) })
		if err := e.Next(); err != nil {
			return err
		}
		if e.Server != nil && e.Server.Handler != nil { // nil when tests build the router alone
			e.Server.Handler = keepRawBody(e.Server.Handler)
		}
		return nil
	})
}

func (s *Server) ingestScreenshot(e *core.RequestEvent, z *gate.Authorizer) error {
	up, err := s.readScreenshotUpload(e)
	if err != nil {
		return err
	}
	defer s.release(up)
	var in ingest.Screenshot
	if err := json.Unmarshal(up.meta, &in); err != nil {
		return reply.BadRequest("Invalid meta: %v", err)
	}
	if !reply.ClientIDPattern.MatchString(in.ClientID) || !reply.ClientIDPattern.MatchString(in.Activity) {
		return reply.BadRequest("client_id and activity must be 8-64 characters of [A-Za-z0-9_-].")
	}
	if !reply.IsRecordID(in.Org) {
		return reply.BadRequest("org must be a record id.")
	}
	a, err := gate.Tracker(e, z, in.Org)
	if err != nil {
		return err
	}

	found, err := lookupUpload(e.App, in.ClientID, in.Activity)
	if err != nil {
		return err
	}
	// A repeat of an upload already stored answers with the stored record.
	if found.repeat {
		existing, err := reply.FindByClientID(e.App, schema.Screenshots, in.ClientID)
		if err != nil {
			return fmt.Errorf("find screenshot %s: %w", in.ClientID, err)
		}
		if (schema.Screenshot{Record: existing}).User() != e.Auth.Id {
			return reply.BadRequest("client_id already names another screenshot.")
		}
		return e.JSON(http.StatusOK, existing)
	}
	slot := schema.Activity{Record: found.act}
	if found.act == nil || slot.User() != e.Auth.Id || slot.Org() != in.Org {
		return reply.BadRequest("Upload the screenshot's activity first.")
	}
	slotStart := slot.SlotStart()
	slotEnd := slotStart.Add(time.Duration(s.cfg.SlotSeconds) * time.Second)
	switch {
	case in.TakenAt.Before(slotStart) || !in.TakenAt.Before(slotEnd):
		return reply.BadRequest("taken_at must fall inside its activity's slot.")
	case in.TakenAt.After(time.Now().Add(s.cfg.ClockSkew)):
		return reply.BadRequest("taken_at is in the future.")
	case !in.TakenAt.Equal(in.TakenAt.Truncate(time.Millisecond)):
		// The envelope binds taken_at exactly and records keep milliseconds.
		return reply.BadRequest("taken_at must have millisecond precision.")
	case in.Screen < 0 || in.Screen > 15 || in.Width < 1 || in.Height < 1 || in.Width > 65535 || in.Height > 65535:
		return reply.BadRequest("screen must be 0-15 and width and height 1-65535.")
	case !gate.MayTrackTo(a, slot.Project()):
		return router.NewForbiddenError("You can't track time to this project.", nil)
	}

	sealed := up.sealed
	header, _, err := envelope.ParseHeader(sealed)
	if err != nil {
		return reply.BadRequest("The envelope is malformed: %v", err)
	}
	md := envelope.Metadata{ID: in.ClientID, Org: in.Org, User: e.Auth.Id, TakenAt: in.TakenAt, Screen: in.Screen}
	if err := s.verify(e.App, in.Org, header.KeyID, md, sealed); err != nil {
		return err
	}

	key := blobKey(in.Org, in.TakenAt, in.ClientID)
	store, err := s.store()
	if err != nil {
		return fmt.Errorf("blob store: %w", err)
	}
	if err := store.Put(e.Request.Context(), key, bytes.NewReader(sealed), int64(len(sealed))); err != nil {
		return fmt.Errorf("store screenshot %s: %w", in.ClientID, err)
	}

	c, err := e.App.FindCachedCollectionByNameOrId(schema.Screenshots)
	if err != nil {
		return err
	}
	shot := core.NewRecord(c)
	shot.Id = timeOrderedID(time.Now())
	for k, v := range map[string]any{
		schema.FieldOrg: in.Org, schema.FieldProject: slot.Project(), schema.FieldTask: slot.Task(), schema.FieldUser: e.Auth.Id,
		schema.FieldActivity: found.act.Id, schema.FieldTakenAt: in.TakenAt.UTC(), schema.FieldScreen: in.Screen, schema.FieldWidth: in.Width,
		schema.FieldHeight: in.Height, schema.FieldBlurred: in.Blurred, schema.FieldSize: len(sealed), schema.FieldSHA256: hex.EncodeToString(up.sum[:]),
		schema.FieldKeyID: header.KeyID, schema.FieldStorageKey: key, schema.FieldClientID: in.ClientID,
	} {
		shot.Set(k, v)
	}
	// The route has read the activity and found the uploader an active
	// member of in.Org: the integrity checks compare against those.
	ctx := gate.WithChecked(context.Background(), gate.Checked{Record: shot, Org: in.Org, Targets: map[string]*core.Record{"activity": found.act}, Members: map[string]bool{e.Auth.Id: true}})
	if err := e.App.SaveWithContext(ctx, shot); err != nil {
		// A concurrent repeat of this upload won: its record points at the
		// same blob, which must stay. Anything else leaves nothing behind.
		if existing, findErr := reply.FindByClientID(e.App, schema.Screenshots, in.ClientID); findErr == nil &&
			(schema.Screenshot{Record: existing}).StorageKey() == key {
			return e.JSON(http.StatusOK, existing)
		}
		if delErr := store.Delete(e.Request.Context(), key); delErr != nil {
			e.App.Logger().Warn("blob left for the orphan sweep", "key", key, "error", delErr)
		}
		return reply.RequestError(err, "Invalid screenshot")
	}
	return e.JSON(http.StatusOK, shot)
}

// verify checks that sealed opens for md under the organization's key, which
// proves the envelope belongs to this record (its metadata is bound in) and
// isn't junk, without decrypting it: the server never needs the pixels here.
func (s *Server) verify(app core.App, org, keyID string, md envelope.Metadata, sealed []byte) error {
	kp, err := s.keyPair(app, org, keyID)
	if errors.Is(err, sql.ErrNoRows) {
		return reply.BadRequest("The envelope is sealed for a key this organization doesn't have.")
	}
	if err != nil {
		return err
	}
	defer clear(kp.Private[:])
	if err := envelope.Verify(kp, md, sealed); err != nil {
		return reply.BadRequest("The envelope doesn't open for this screenshot's metadata.")
	}
	return nil
}

// BlobKey spreads blobs by organization and day, so retention and the orphan
// sweep walk one day's prefix at a time.
func blobKey(org string, takenAt time.Time, clientID string) string {
	return "screenshots/" + org + "/" + takenAt.UTC().Format("2006-01-02") + "/" + clientID + ".tock"
}

// timeOrderedID is a record id in PocketBase's format (15 characters of
// [a-z0-9]) that sorts by time: the milliseconds since 1970 in base 36,
// padded to 9 characters (enough until the year 5000), then 6 random ones,
// 2 billion to one against two uploads of the same millisecond colliding
// (and a collision fails that save, which the agent retries). PocketBase's
// own ids are random, so at a million screenshots each insert landed on a
// random page of the id index, read back cold and written to the log; in
// upload order every insert lands on the same few pages.
func timeOrderedID(now time.Time) string {
	ms := strconv.FormatInt(now.UnixMilli(), 36)
	return strings.Repeat("0", 9-len(ms)) + ms + security.RandomStringWithAlphabet(6, idAlphabet)
}

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
