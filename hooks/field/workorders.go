package field

import (
	"net/http"
	"slices"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/audit"
	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

// Policies maps the field collections onto the matrix (see
// migrations.AccessOf for who sees what).
func Policies() gate.Policies {
	return gate.Policies{
		schema.JobSites: {
			Create: gate.Always(perms.AddRemoveJobSites),
			Update: gate.ByChangedField(nil, perms.EditJobSites),
			Delete: gate.AlwaysDelete(perms.AddRemoveJobSites),
		},
		schema.WorkOrders: {
			Create: gate.Always(perms.CreateWorkOrders),
			Update: gate.ByChangedField(nil, perms.CreateWorkOrders),
			Delete: gate.AlwaysDelete(perms.CreateWorkOrders),
		},
		schema.Jobs: {
			Create: gate.Always(perms.AddJobs),
			Update: gate.ByChangedField(nil, perms.AddJobs),
			Delete: gate.AlwaysDelete(perms.AddJobs),
		},
	}
}

// registerFieldIntegrity keeps field records inside their organization:
// relations to another organization's records read as missing, assignees
// must be members, and a job ends after it starts.
func registerFieldIntegrity(app core.App) {
	links := map[string][]gate.Link{
		schema.Locations:  {{Field: "project"}},
		schema.JobSites:   {{Field: "project"}},
		schema.WorkOrders: {{Field: "client"}},
		schema.Jobs:       {{Field: "work_order"}, {Field: "job_site"}},
	}
	members := map[string][]string{schema.Locations: {"user"}, schema.Jobs: {"assignee"}}
	for name, ls := range links {
		app.OnRecordValidate(name).BindFunc(func(e *core.RecordEvent) error {
			return reply.ValidateAlso(e, func() validation.Errors {
				errs := gate.CheckIntegrity(e.App, e.Record, gate.Checked{}, ls, members[name])
				if name == schema.Jobs && !e.Record.GetDateTime("end").After(e.Record.GetDateTime("start")) {
					if errs == nil {
						errs = validation.Errors{}
					}
					errs["end"] = validation.NewError("validation_end_before_start", "A job must end after it starts.")
				}
				return errs
			})
		})
	}
}

func jobStatus(e *core.RequestEvent, z *gate.Authorizer) error {
	job, err := e.App.FindRecordById(schema.Jobs, e.Request.PathValue("id"))
	if err != nil {
		return reply.NotFound()
	}
	a, err := z.Actor(e.App, e.Auth, job.GetString(schema.FieldOrg))
	if err != nil {
		return err
	}
	target := perms.Target{OwnerID: job.GetString("assignee")}
	manager := z.Decide(a, perms.AddJobs, target).Allowed
	own := a.Member && job.GetString("assignee") == a.Actor.UserID
	if !manager && !own {
		return reply.NotFound() // they may not even see it
	}
	var in api.JobStatus
	if err := e.BindBody(&in); err != nil {
		return reply.BadRequest("Send {\"status\": \"in_progress\"} or {\"status\": \"done\"}.")
	}
	all := []string{schema.JobScheduled, schema.JobInProgress, schema.JobDone}
	switch {
	case !slices.Contains(all, in.Status):
		return reply.BadRequest("status must be one of scheduled, in_progress, done.")
	case !manager && in.Status == schema.JobScheduled:
		return router.NewForbiddenError("Assignees start and finish their jobs; rescheduling one needs \"Add jobs\".", nil)
	}
	before := job.GetString(schema.FieldStatus)
	if before == in.Status {
		return e.JSON(http.StatusOK, job)
	}
	job.Set(schema.FieldStatus, in.Status)
	err = e.App.RunInTransaction(func(tx core.App) error {
		if err := tx.Save(job); err != nil {
			return err
		}
		audit.Log(tx, e.Auth, "job_status", job, map[string]any{"from": before, "to": in.Status, "assignee": job.GetString("assignee")})
		return nil
	})
	if err != nil {
		return reply.RequestError(err, "Couldn't change the job's status.")
	}
	return e.JSON(http.StatusOK, job)
}
