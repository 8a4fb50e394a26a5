package tracking

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/ingest"
	"github.com/tock-app/tock/migrations/schema"
)

func (s *Server) registerIngest(app core.App, z *gate.Authorizer) {
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		e.Router.POST(ingest.ActivitiesRoute, func(re *core.RequestEvent) error { return s.ingestActivity(re, z) })
		return e.Next()
	})
}

func (s *Server) checkSlot(in ingest.Activity, now time.Time) error {
	slot := time.Duration(s.cfg.SlotSeconds) * time.Second
	switch {
	case in.SlotStart.IsZero():
		return reply.BadRequest("slot_start is required.")
	case !in.SlotStart.Equal(in.SlotStart.Truncate(slot)):
		return reply.BadRequest("slot_start must be aligned to %s slots.", slot)
	case in.SlotStart.After(now.Add(s.cfg.ClockSkew)):
		return reply.BadRequest("slot_start is in the future.")
	case in.TrackedSeconds < 0 || in.TrackedSeconds > s.cfg.SlotSeconds:
		return reply.BadRequest("tracked_seconds must be between 0 and %d.", s.cfg.SlotSeconds)
	case in.CaptureErrors < 0 || in.CaptureErrors > 1000:
		return reply.BadRequest("capture_errors must be between 0 and 1000.")
	}
	for name, v := range map[string]int{"keyboard_seconds": in.KeyboardSeconds, "mouse_seconds": in.MouseSeconds, "active_seconds": in.ActiveSeconds} {
		if v < 0 || v > in.TrackedSeconds {
			return reply.BadRequest("%s must be between 0 and tracked_seconds.", name)
		}
	}
	total := 0
	for _, app := range in.Apps { // their lengths and number: boundedApps
		if app.App == "" || app.Seconds < 0 {
			return reply.BadRequest("every app needs a name, and seconds >= 0.")
		}
		total += app.Seconds
	}
	if total > s.cfg.SlotSeconds {
		return reply.BadRequest("apps add up to more than a slot.")
	}
	return nil
}

func (s *Server) ingestActivity(e *core.RequestEvent, z *gate.Authorizer) error {
	var in ingest.Activity
	if err := e.BindBody(&in); err != nil {
		return reply.BadRequest("Invalid activity: %v", err)
	}
	apps, err := boundedApps(in.Apps)
	if err != nil {
		return err
	}
	in.Apps = apps
	if !reply.ClientIDPattern.MatchString(in.ClientID) {
		return reply.BadRequest("client_id must be 8-64 characters of [A-Za-z0-9_-].")
	}
	if !reply.IsRecordID(in.Org) || !reply.IsRecordID(in.Project) || (in.Task != "" && !reply.IsRecordID(in.Task)) {
		return reply.BadRequest("org, project and task must be record ids.")
	}
	a, err := gate.Tracker(e, z, in.Org)
	if err != nil {
		return err
	}
	if err := s.checkSlot(in, time.Now()); err != nil {
		return err
	}
	if !gate.MayTrackTo(a, in.Project) {
		return router.NewForbiddenError("You can't track time to this project.", nil)
	}
	rules, err := loadTimeRules(e.App, a.Org, e.Auth.Id)
	if err != nil {
		return err
	}
	if !rules.trackingEnabled {
		return errTrackingOff(rules.org)
	}

	var saved *core.Record
	limitReached := ""
	err = e.App.RunInTransaction(func(txApp core.App) error {
		act, err := reply.FindByClientID(txApp, schema.Activities, in.ClientID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			c, err := txApp.FindCachedCollectionByNameOrId(schema.Activities)
			if err != nil {
				return err
			}
			act = core.NewRecord(c)
			act.Set(schema.FieldClientID, in.ClientID)
			act.Set(schema.FieldSource, schema.SourceTracked)
		case err != nil:
			return fmt.Errorf("find activity %s: %w", in.ClientID, err)
		case !sameSlot(schema.Activity{Record: act}, e.Auth.Id, in):
			return router.NewBadRequestError("client_id already names another activity.", nil)
		}
		// A re-upload replaces the stored slot, so it doesn't count against itself.
		left, msg, err := rules.room(txApp, in.SlotStart, act.Id, s.cfg.SlotLen())
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
		act.Set(schema.FieldOrg, in.Org)
		act.Set(schema.FieldProject, in.Project)
		act.Set(schema.FieldTask, in.Task)
		act.Set(schema.FieldUser, e.Auth.Id)
		act.Set(schema.FieldSlotStart, in.SlotStart.UTC())
		act.Set(schema.FieldTrackedSeconds, in.TrackedSeconds)
		act.Set(schema.FieldKeyboardSeconds, in.KeyboardSeconds)
		act.Set(schema.FieldMouseSeconds, in.MouseSeconds)
		act.Set(schema.FieldActiveSeconds, in.ActiveSeconds)
		act.Set(schema.FieldCaptureErrors, in.CaptureErrors)
		// Tracker found the uploader an active member of in.Org.
		member := map[string]bool{e.Auth.Id: true}
		if err := txApp.SaveWithContext(gate.WithChecked(context.Background(), gate.Checked{Record: act, Org: in.Org, Members: member}), act); err != nil {
			return err
		}
		if err := replaceAppUsage(txApp, act, in.Apps, member); err != nil {
			return err
		}
		saved = act
		return nil
	})
	if err != nil {
		return reply.RequestError(err, "Invalid activity")
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
	old, err := app.FindAllRecords(schema.AppUsage, dbx.HashExp{schema.FieldActivity: act.Id})
	if err != nil {
		return fmt.Errorf("app usage of %s: %w", act.Id, err)
	}
	for _, r := range old {
		if err := app.Delete(r); err != nil {
			return fmt.Errorf("replace app usage of %s: %w", act.Id, err)
		}
	}
	c, err := app.FindCachedCollectionByNameOrId(schema.AppUsage)
	if err != nil {
		return err
	}
	slot := schema.Activity{Record: act}
	for _, u := range apps {
		r := core.NewRecord(c)
		r.Set(schema.FieldOrg, slot.Org())
		r.Set(schema.FieldUser, slot.User())
		r.Set(schema.FieldProject, slot.Project())
		r.Set(schema.FieldActivity, act.Id)
		r.Set(schema.FieldApp, u.App)
		r.Set(schema.FieldTitle, u.Title)
		r.Set(schema.FieldURL, u.URL)
		r.Set(schema.FieldSeconds, u.Seconds)
		ctx := gate.WithChecked(context.Background(), gate.Checked{Record: r, Org: slot.Org(), Targets: map[string]*core.Record{"activity": act}, Members: members})
		if err := app.SaveWithContext(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// sameSlot tells whether a stored activity is the slot a repeated upload
// describes: same member, organization, project and start.
func sameSlot(act schema.Activity, user string, in ingest.Activity) bool {
	return act.User() == user && act.Org() == in.Org && act.Project() == in.Project && act.SlotStart().Equal(in.SlotStart)
}
