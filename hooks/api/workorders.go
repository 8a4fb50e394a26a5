package api

// JobStatusRoute lets a job's assignee say how it goes: POST
// {"status":"in_progress"|"done"}. Assignees may only start and finish their
// own jobs (as in Hubstaff's mobile app); any other status change, and every
// other change of a job, is "Add jobs" (through this route or the API).
const JobStatusRoute = "/api/tock/jobs/{id}/status"

// JobStatus is the body of POST JobStatusRoute.
type JobStatus struct {
	Status string `json:"status"`
}
