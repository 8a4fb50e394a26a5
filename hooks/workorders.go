package hooks

import (
	"net/http"
	"slices"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/tock-app/tock/migrations"
	"github.com/tock-app/tock/perms"
)

// JobStatusRoute lets a job's assignee say how it goes: POST
// {"status":"in_progress"|"done"}. Assignees may only start and finish their
// own jobs (as in Hubstaff's mobile app); any other status change, and every
// other change of a job, is "Add jobs" (through this route or the API).
const JobStatusRoute = "/api/tock/jobs/{id}/status"

// JobStatus is the body of POST JobStatusRoute.
type JobStatus struct {
	Status string `json:"status"`
}

// fieldPolicies maps the field collections onto the matrix (see
// migrations.AccessOf for who sees what).
func fieldPolicies() map[string]policy {
	return map[string]policy{
		migrations.JobSites: {
			create: always(perms.AddRemoveJobSites),
			update: byChangedField(nil, perms.EditJobSites),
			delete: alwaysDelete(perms.AddRemoveJobSites),
		},
		migrations.WorkOrders: {
			create: always(perms.CreateWorkOrders),
			update: byChangedField(nil, perms.CreateWorkOrders),
			delete: alwaysDelete(perms.CreateWorkOrders),
		},
		migrations.Jobs: {
			create: always(perms.AddJobs),
			update: byChangedField(nil, perms.AddJobs),
			delete: alwaysDelete(perms.AddJobs),
		},
	}
}

// registerFieldIntegrity keeps field records inside their organization:
// relations to another organization's records read as missing, assignees
// must be members, and a job ends after it starts.
func registerFieldIntegrity(app core.App) {
	links := map[string][]link{
		migrations.Locations:  {{field: "project"}},
		migrations.JobSites:   {{field: "project"}},
		migrations.WorkOrders: {{field: "client"}},
		migrations.Jobs:       {{field: "work_order"}, {field: "job_site"}},
	}
	members := map[string][]string{migrations.Locations: {"user"}, migrations.Jobs: {"assignee"}}
	for name, ls := range links {
		app.OnRecordValidate(name).BindFunc(func(e *core.RecordEvent) error {
			return validateAlso(e, func() validation.Errors {
				errs := checkIntegrity(e.App, e.Record, checked{}, ls, members[name])
				if name == migrations.Jobs && !e.Record.GetDateTime("end").After(e.Record.GetDateTime("start")) {
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

func jobStatus(e *core.RequestEvent, z *authorizer) error {
	job, err := e.App.FindRecordById(migrations.Jobs, e.Request.PathValue("id"))
	if err != nil {
		return notFound()
	}
	a, err := z.actor(e.App, e.Auth, job.GetString("org"))
	if err != nil {
		return err
	}
	target := perms.Target{OwnerID: job.GetString("assignee")}
	manager := z.decide(a, perms.AddJobs, target).Allowed
	own := a.member && job.GetString("assignee") == a.actor.UserID
	if !manager && !own {
		return notFound() // they may not even see it
	}
	var in JobStatus
	if err := e.BindBody(&in); err != nil {
		return badRequest("Send {\"status\": \"in_progress\"} or {\"status\": \"done\"}.")
	}
	all := []string{migrations.JobScheduled, migrations.JobInProgress, migrations.JobDone}
	switch {
	case !slices.Contains(all, in.Status):
		return badRequest("status must be one of scheduled, in_progress, done.")
	case !manager && in.Status == migrations.JobScheduled:
		return router.NewForbiddenError("Assignees start and finish their jobs; rescheduling one needs \"Add jobs\".", nil)
	}
	before := job.GetString("status")
	if before == in.Status {
		return e.JSON(http.StatusOK, job)
	}
	job.Set("status", in.Status)
	err = e.App.RunInTransaction(func(tx core.App) error {
		if err := tx.Save(job); err != nil {
			return err
		}
		audit(tx, e.Auth, "job_status", job, map[string]any{"from": before, "to": in.Status, "assignee": job.GetString("assignee")})
		return nil
	})
	if err != nil {
		return requestError(err, "Couldn't change the job's status.")
	}
	return e.JSON(http.StatusOK, job)
}
