package hooks

import (
	"fmt"
	"net/http"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/migrations"
	"github.com/tock-app/tock/perms"
)

// ReassignRoute moves a 10-minute time block, with its screenshots and app
// usage, to another project or task: the matrix's "Modify (Move/Reassign/
// Delete) Screenshots". A screenshot can't change project apart from its
// block, so the block moves whole, which is also what `limited` allows.
const ReassignRoute = "/api/tock/activities/{id}/reassign"

// Reassignment is the body of a reassignment: the block's new project and task.
type Reassignment struct {
	Project string `json:"project"`
	Task    string `json:"task"`
}

func (s *Server) registerReassign(app core.App, z *authorizer) {
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		e.Router.POST(ReassignRoute, func(re *core.RequestEvent) error { return s.reassign(re, z) })
		return e.Next()
	})
}

func (s *Server) reassign(e *core.RequestEvent, z *authorizer) error {
	act, err := e.App.FindRecordById(migrations.Activities, e.Request.PathValue("id"))
	if err != nil {
		return notFound()
	}
	var in Reassignment
	if err := e.BindBody(&in); err != nil || !isRecordID(in.Project) || (in.Task != "" && !isRecordID(in.Task)) {
		return badRequest("Send the block's new project, and optionally its task, as record ids.")
	}
	p := z.policies[migrations.Activities]
	if !isSuperuser(e.Auth) {
		a, err := z.actor(e.App, e.Auth, act.GetString("org"))
		if err != nil {
			return err
		}
		if !z.canView(a, p, act) {
			return notFound()
		}
		// Allowed where the block is and where it would go.
		for _, project := range []string{act.GetString("project"), in.Project} {
			t := perms.Target{OwnerID: act.GetString("user"), ProjectID: project}
			if !z.decide(a, perms.ModifyScreenshots, t).Allowed {
				return forbidden(perms.ModifyScreenshots)
			}
		}
	}
	tracker, err := loadActor(e.App, act.GetString("user"), act.GetString("org"))
	if err != nil {
		return err
	}
	if !mayTrackTo(tracker, in.Project) {
		return badRequest("The block's owner doesn't track time to that project.")
	}

	from := map[string]any{"project": act.GetString("project"), "task": act.GetString("task")}
	err = e.App.RunInTransaction(func(tx core.App) error {
		act.Set("project", in.Project)
		act.Set("task", in.Task)
		if err := tx.Save(act); err != nil {
			return err
		}
		for _, c := range []string{migrations.Screenshots, migrations.AppUsage} {
			rs, err := tx.FindAllRecords(c, dbx.HashExp{"activity": act.Id})
			if err != nil {
				return fmt.Errorf("%s of %s: %w", c, act.Id, err)
			}
			for _, r := range rs {
				r.Set("project", in.Project)
				if c == migrations.Screenshots {
					r.Set("task", in.Task)
				}
				if err := tx.Save(r); err != nil {
					return err
				}
			}
		}
		audit(tx, e.Auth, "reassign_time_block", act, map[string]any{"from": from, "to": in})
		return nil
	})
	if err != nil {
		return requestError(err, "Couldn't reassign the block")
	}
	return e.JSON(http.StatusOK, act)
}
