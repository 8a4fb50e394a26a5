package tracking

import (
	"fmt"
	"net/http"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/audit"
	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

func (s *Server) registerReassign(app core.App, z *gate.Authorizer) {
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		e.Router.POST(api.ReassignRoute, func(re *core.RequestEvent) error { return s.reassign(re, z) })
		return e.Next()
	})
}

func (s *Server) reassign(e *core.RequestEvent, z *gate.Authorizer) error {
	act, err := e.App.FindRecordById(schema.Activities, e.Request.PathValue("id"))
	if err != nil {
		return reply.NotFound()
	}
	slot := schema.Activity{Record: act}
	var in api.Reassignment
	if err := e.BindBody(&in); err != nil || !reply.IsRecordID(in.Project) || (in.Task != "" && !reply.IsRecordID(in.Task)) {
		return reply.BadRequest("Send the block's new project, and optionally its task, as record ids.")
	}
	p := z.Policies[schema.Activities]
	if !reply.IsSuperuser(e.Auth) {
		a, err := z.Actor(e.App, e.Auth, slot.Org())
		if err != nil {
			return err
		}
		if !z.CanView(a, p, act) {
			return reply.NotFound()
		}
		// Allowed where the block is and where it would go.
		for _, project := range []string{slot.Project(), in.Project} {
			t := perms.Target{OwnerID: slot.User(), ProjectID: project}
			if !z.Decide(a, perms.ModifyScreenshots, t).Allowed {
				return reply.Forbidden(perms.ModifyScreenshots)
			}
		}
	}
	tracker, err := gate.LoadActor(e.App, slot.User(), slot.Org())
	if err != nil {
		return err
	}
	if !gate.MayTrackTo(tracker, in.Project) {
		return reply.BadRequest("The block's owner doesn't track time to that project.")
	}

	from := map[string]any{"project": slot.Project(), "task": slot.Task()}
	err = e.App.RunInTransaction(func(tx core.App) error {
		act.Set(schema.FieldProject, in.Project)
		act.Set(schema.FieldTask, in.Task)
		if err := tx.Save(act); err != nil {
			return err
		}
		for _, c := range []string{schema.Screenshots, schema.AppUsage} {
			rs, err := tx.FindAllRecords(c, dbx.HashExp{schema.FieldActivity: act.Id})
			if err != nil {
				return fmt.Errorf("%s of %s: %w", c, act.Id, err)
			}
			for _, r := range rs {
				r.Set(schema.FieldProject, in.Project)
				if c == schema.Screenshots {
					r.Set(schema.FieldTask, in.Task)
				}
				if err := tx.Save(r); err != nil {
					return err
				}
			}
		}
		audit.Log(tx, e.Auth, "reassign_time_block", act, map[string]any{"from": from, "to": in})
		return nil
	})
	if err != nil {
		return reply.RequestError(err, "Couldn't reassign the block")
	}
	return e.JSON(http.StatusOK, act)
}
