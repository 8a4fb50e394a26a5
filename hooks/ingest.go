package hooks

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/tock-app/tock/envelope"
	"github.com/tock-app/tock/ingest"
	"github.com/tock-app/tock/migrations"
)

var clientIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{8,64}$`)

func (s *Server) registerIngest(app core.App, z *authorizer) {
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		e.Router.POST(ingest.ActivitiesRoute, func(re *core.RequestEvent) error { return s.ingestActivity(re, z) })
		return e.Next()
	})
}

// registerScreenshotIngest binds the agent's screenshot upload, whose
// multipart body is read raw (see keepRawBody).
func (s *Server) registerScreenshotIngest(app core.App, z *authorizer) {
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

func badRequest(format string, args ...any) error {
	return router.NewBadRequestError(fmt.Sprintf(format, args...), nil)
}

// tracker returns the requester as a member of org who may track time there.
func tracker(e *core.RequestEvent, z *authorizer, org string) (orgActor, error) {
	if !isPerson(e.Auth) {
		return orgActor{}, router.NewUnauthorizedError("Sign in with the agent first.", nil)
	}
	a, err := z.actor(e.App, e.Auth, org)
	if err != nil {
		return a, err
	}
	if !a.member {
		return a, notFound()
	}
	return a, nil
}

// mayTrackTo: project members who aren't viewers, members of a team the
// project belongs to, and the organization's owners and managers record time
// on a project; a viewer of it never does.
func mayTrackTo(a orgActor, project string) bool {
	switch a.actor.ProjectRoles[project] {
	case "user", "manager":
		return true
	case "viewer":
		return false
	}
	return a.teamProjects[project] || a.actor.OrgRole == "owner" || a.actor.OrgRole == "manager"
}

func (s *Server) checkSlot(in ingest.Activity, now time.Time) error {
	slot := time.Duration(s.cfg.SlotSeconds) * time.Second
	switch {
	case in.SlotStart.IsZero():
		return badRequest("slot_start is required.")
	case !in.SlotStart.Equal(in.SlotStart.Truncate(slot)):
		return badRequest("slot_start must be aligned to %s slots.", slot)
	case in.SlotStart.After(now.Add(s.cfg.ClockSkew)):
		return badRequest("slot_start is in the future.")
	case in.TrackedSeconds < 0 || in.TrackedSeconds > s.cfg.SlotSeconds:
		return badRequest("tracked_seconds must be between 0 and %d.", s.cfg.SlotSeconds)
	case in.CaptureErrors < 0 || in.CaptureErrors > 1000:
		return badRequest("capture_errors must be between 0 and 1000.")
	}
	for name, v := range map[string]int{"keyboard_seconds": in.KeyboardSeconds, "mouse_seconds": in.MouseSeconds, "active_seconds": in.ActiveSeconds} {
		if v < 0 || v > in.TrackedSeconds {
			return badRequest("%s must be between 0 and tracked_seconds.", name)
		}
	}
	total := 0
	for _, app := range in.Apps { // their lengths and number: boundedApps
		if app.App == "" || app.Seconds < 0 {
			return badRequest("every app needs a name, and seconds >= 0.")
		}
		total += app.Seconds
	}
	if total > s.cfg.SlotSeconds {
		return badRequest("apps add up to more than a slot.")
	}
	return nil
}

func (s *Server) ingestActivity(e *core.RequestEvent, z *authorizer) error {
	var in ingest.Activity
	if err := e.BindBody(&in); err != nil {
		return badRequest("Invalid activity: %v", err)
	}
	apps, err := boundedApps(in.Apps)
	if err != nil {
		return err
	}
	in.Apps = apps
	if !clientIDPattern.MatchString(in.ClientID) {
		return badRequest("client_id must be 8-64 characters of [A-Za-z0-9_-].")
	}
	if !isRecordID(in.Org) || !isRecordID(in.Project) || (in.Task != "" && !isRecordID(in.Task)) {
		return badRequest("org, project and task must be record ids.")
	}
	a, err := tracker(e, z, in.Org)
	if err != nil {
		return err
	}
	if err := s.checkSlot(in, time.Now()); err != nil {
		return err
	}
	if !mayTrackTo(a, in.Project) {
		return router.NewForbiddenError("You can't track time to this project.", nil)
	}
	rules, err := loadTimeRules(e.App, a.org, e.Auth.Id)
	if err != nil {
		return err
	}
	if !rules.trackingEnabled {
		return errTrackingOff(rules.org)
	}

	var saved *core.Record
	limitReached := ""
	err = e.App.RunInTransaction(func(txApp core.App) error {
		act, err := findByClientID(txApp, migrations.Activities, in.ClientID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			c, err := txApp.FindCachedCollectionByNameOrId(migrations.Activities)
			if err != nil {
				return err
			}
			act = core.NewRecord(c)
			act.Set("client_id", in.ClientID)
			act.Set("source", "tracked")
		case err != nil:
			return fmt.Errorf("find activity %s: %w", in.ClientID, err)
		case act.GetString("user") != e.Auth.Id || act.GetString("org") != in.Org ||
			act.GetString("project") != in.Project || !act.GetDateTime("slot_start").Time().Equal(in.SlotStart):
			return router.NewBadRequestError("client_id already names another activity.", nil)
		}
		// A re-upload replaces the stored slot, so it doesn't count against itself.
		left, msg, err := rules.room(txApp, in.SlotStart, act.Id, s.cfg.slotLen())
		if err != nil {
			return err
		}
		if left == 0 && in.TrackedSeconds > 0 {
			return errLimitReached(msg)
		}
		if left >= 0 && in.TrackedSeconds > left {
			clampTo(&in, left)
			limitReached = msg
		}
		act.Set("org", in.Org)
		act.Set("project", in.Project)
		act.Set("task", in.Task)
		act.Set("user", e.Auth.Id)
		act.Set("slot_start", in.SlotStart.UTC())
		act.Set("tracked_seconds", in.TrackedSeconds)
		act.Set("keyboard_seconds", in.KeyboardSeconds)
		act.Set("mouse_seconds", in.MouseSeconds)
		act.Set("active_seconds", in.ActiveSeconds)
		act.Set("capture_errors", in.CaptureErrors)
		// tracker found the uploader an active member of in.Org.
		member := map[string]bool{e.Auth.Id: true}
		if err := txApp.SaveWithContext(withChecked(context.Background(), checked{record: act, org: in.Org, members: member}), act); err != nil {
			return err
		}
		if err := replaceAppUsage(txApp, act, in.Apps, member); err != nil {
			return err
		}
		saved = act
		return nil
	})
	if err != nil {
		return requestError(err, "Invalid activity")
	}
	if limitReached != "" {
		out := saved.PublicExport()
		out["limit_reached"] = true
		out["message"] = limitReached
		return e.JSON(http.StatusOK, out)
	}
	return e.JSON(http.StatusOK, saved)
}

// replaceAppUsage makes the activity's app usage exactly apps: the agent's
// latest report of a slot replaces its earlier ones. act was just saved in
// app's transaction and members are the users the caller found to be active
// members of its organization: the rows' integrity checks use both.
func replaceAppUsage(app core.App, act *core.Record, apps []ingest.AppSeconds, members map[string]bool) error {
	old, err := app.FindAllRecords(migrations.AppUsage, dbx.HashExp{"activity": act.Id})
	if err != nil {
		return fmt.Errorf("app usage of %s: %w", act.Id, err)
	}
	for _, r := range old {
		if err := app.Delete(r); err != nil {
			return fmt.Errorf("replace app usage of %s: %w", act.Id, err)
		}
	}
	c, err := app.FindCachedCollectionByNameOrId(migrations.AppUsage)
	if err != nil {
		return err
	}
	for _, u := range apps {
		r := core.NewRecord(c)
		r.Set("org", act.GetString("org"))
		r.Set("user", act.GetString("user"))
		r.Set("project", act.GetString("project"))
		r.Set("activity", act.Id)
		r.Set("app", u.App)
		r.Set("title", u.Title)
		r.Set("url", u.URL)
		r.Set("seconds", u.Seconds)
		ctx := withChecked(context.Background(), checked{record: r, org: act.GetString("org"),
			targets: map[string]*core.Record{"activity": act}, members: members})
		if err := app.SaveWithContext(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) ingestScreenshot(e *core.RequestEvent, z *authorizer) error {
	up, err := s.readScreenshotUpload(e)
	if err != nil {
		return err
	}
	defer s.release(up)
	var in ingest.Screenshot
	if err := json.Unmarshal(up.meta, &in); err != nil {
		return badRequest("Invalid meta: %v", err)
	}
	if !clientIDPattern.MatchString(in.ClientID) || !clientIDPattern.MatchString(in.Activity) {
		return badRequest("client_id and activity must be 8-64 characters of [A-Za-z0-9_-].")
	}
	if !isRecordID(in.Org) {
		return badRequest("org must be a record id.")
	}
	a, err := tracker(e, z, in.Org)
	if err != nil {
		return err
	}

	// A repeat of an upload already stored answers with the stored record.
	if existing, err := findByClientID(e.App, migrations.Screenshots, in.ClientID); err == nil {
		if existing.GetString("user") != e.Auth.Id {
			return badRequest("client_id already names another screenshot.")
		}
		return e.JSON(http.StatusOK, existing)
	}

	act, err := findByClientID(e.App, migrations.Activities, in.Activity)
	if err := lookupFault(err, "activity "+in.Activity); err != nil {
		return err
	}
	if err != nil || act.GetString("user") != e.Auth.Id || act.GetString("org") != in.Org {
		return badRequest("Upload the screenshot's activity first.")
	}
	slotStart := act.GetDateTime("slot_start").Time()
	slotEnd := slotStart.Add(time.Duration(s.cfg.SlotSeconds) * time.Second)
	switch {
	case in.TakenAt.Before(slotStart) || !in.TakenAt.Before(slotEnd):
		return badRequest("taken_at must fall inside its activity's slot.")
	case in.TakenAt.After(time.Now().Add(s.cfg.ClockSkew)):
		return badRequest("taken_at is in the future.")
	case !in.TakenAt.Equal(in.TakenAt.Truncate(time.Millisecond)):
		// The envelope binds taken_at exactly and records keep milliseconds.
		return badRequest("taken_at must have millisecond precision.")
	case in.Screen < 0 || in.Screen > 15 || in.Width < 1 || in.Height < 1 || in.Width > 65535 || in.Height > 65535:
		return badRequest("screen must be 0-15 and width and height 1-65535.")
	case !mayTrackTo(a, act.GetString("project")):
		return router.NewForbiddenError("You can't track time to this project.", nil)
	}

	sealed := up.sealed
	header, _, err := envelope.ParseHeader(sealed)
	if err != nil {
		return badRequest("The envelope is malformed: %v", err)
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

	c, err := e.App.FindCachedCollectionByNameOrId(migrations.Screenshots)
	if err != nil {
		return err
	}
	shot := core.NewRecord(c)
	for k, v := range map[string]any{
		"org": in.Org, "project": act.GetString("project"), "task": act.GetString("task"), "user": e.Auth.Id,
		"activity": act.Id, "taken_at": in.TakenAt.UTC(), "screen": in.Screen, "width": in.Width,
		"height": in.Height, "blurred": in.Blurred, "size": len(sealed), "sha256": hex.EncodeToString(up.sum[:]),
		"key_id": header.KeyID, "storage_key": key, "client_id": in.ClientID,
	} {
		shot.Set(k, v)
	}
	// The route has read the activity and found the uploader an active
	// member of in.Org: the integrity checks compare against those.
	ctx := withChecked(context.Background(), checked{record: shot, org: in.Org,
		targets: map[string]*core.Record{"activity": act}, members: map[string]bool{e.Auth.Id: true}})
	if err := e.App.SaveWithContext(ctx, shot); err != nil {
		// A concurrent repeat of this upload won: its record points at the
		// same blob, which must stay. Anything else leaves nothing behind.
		if existing, findErr := findByClientID(e.App, migrations.Screenshots, in.ClientID); findErr == nil &&
			existing.GetString("storage_key") == key {
			return e.JSON(http.StatusOK, existing)
		}
		if delErr := store.Delete(e.Request.Context(), key); delErr != nil {
			e.App.Logger().Warn("blob left for the orphan sweep", "key", key, "error", delErr)
		}
		return requestError(err, "Invalid screenshot")
	}
	return e.JSON(http.StatusOK, shot)
}

// verify checks that sealed opens for md under the organization's key, which
// proves the envelope belongs to this record (its metadata is bound in) and
// isn't junk, without decrypting it: the server never needs the pixels here.
func (s *Server) verify(app core.App, org, keyID string, md envelope.Metadata, sealed []byte) error {
	kp, err := s.keyPair(app, org, keyID)
	if errors.Is(err, sql.ErrNoRows) {
		return badRequest("The envelope is sealed for a key this organization doesn't have.")
	}
	if err != nil {
		return err
	}
	defer clear(kp.Private[:])
	if err := envelope.Verify(kp, md, sealed); err != nil {
		return badRequest("The envelope doesn't open for this screenshot's metadata.")
	}
	return nil
}

// findByClientID finds a record by the agent's id. SQLite uses a partial
// index only when the query repeats the index's WHERE clause word for word,
// so the condition is written in SQL as the index has it (`client_id` != ”):
// PocketBase's filter would turn != into IS NOT and scan the whole table.
func findByClientID(app core.App, collection, clientID string) (*core.Record, error) {
	r := &core.Record{}
	err := app.RecordQuery(collection).
		AndWhere(dbx.NewExp("[[client_id]] = {:c} AND `client_id` != ''", dbx.Params{"c": clientID})).
		Limit(1).One(r)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// blobKey spreads blobs by organization and day, so retention and the orphan
// sweep walk one day's prefix at a time.
func blobKey(org string, takenAt time.Time, clientID string) string {
	return "screenshots/" + org + "/" + takenAt.UTC().Format("2006-01-02") + "/" + clientID + ".tock"
}
