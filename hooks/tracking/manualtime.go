package tracking

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/audit"
	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/hooks/ledger"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

// piece is the part of a manual interval that falls in one slot.
type piece struct {
	start   time.Time
	seconds int
}

func (s *Server) pieces(start, end time.Time) []piece {
	slot := time.Duration(s.cfg.SlotSeconds) * time.Second
	var out []piece
	for t := start.Truncate(slot); t.Before(end); t = t.Add(slot) {
		from, to := t, t.Add(slot)
		if start.After(from) {
			from = start
		}
		if end.Before(to) {
			to = end
		}
		if sec := int(to.Sub(from) / time.Second); sec > 0 {
			out = append(out, piece{start: t.UTC(), seconds: sec})
		}
	}
	return out
}

func manualMode(org *core.Record) string {
	if m := org.GetString(schema.FieldManualTime); m != "" {
		return m
	}
	return schema.DefaultManualTime
}

func (s *Server) addTime(e *core.RequestEvent, z *gate.Authorizer) error {
	a, org, err := z.OrgMember(e)
	if err != nil {
		return err
	}
	var in api.ManualTime
	if err := e.BindBody(&in); err != nil {
		return reply.BadRequest("Send project, start and end (RFC 3339) and optionally user, task and note as JSON.")
	}
	if in.User == "" {
		in.User = e.Auth.Id
	}
	if !reply.IsRecordID(in.User) || !reply.IsRecordID(in.Project) || (in.Task != "" && !reply.IsRecordID(in.Task)) {
		return reply.BadRequest("user, project and task must be record ids.")
	}
	target := perms.Target{OwnerID: in.User, ProjectID: in.Project}
	if !z.Decide(a, perms.AddEditDeleteTime, target).Allowed {
		return reply.Forbidden(perms.AddEditDeleteTime)
	}
	approver := z.Decide(a, perms.ApproveManualTimeRequests, target).Allowed
	mode := manualMode(org)
	if mode == schema.ManualTimeOff && !approver {
		return router.NewForbiddenError(fmt.Sprintf("Manual time is turned off in %s: only approvers add time.", org.GetString(schema.FieldName)), nil)
	}
	in.Start, in.End = in.Start.Truncate(time.Second), in.End.Truncate(time.Second)
	in.Note = strings.TrimSpace(in.Note)
	switch {
	case in.Start.IsZero() || in.End.IsZero():
		return reply.BadRequest("start and end are required, as RFC 3339 times.")
	case !in.End.After(in.Start):
		return reply.BadRequest("end must be after start.")
	case in.End.Sub(in.Start) > api.MaxManualTime:
		return reply.BadRequest("Manual time may cover at most 24 hours at once.")
	case in.End.After(time.Now().Add(s.cfg.ClockSkew)):
		return reply.BadRequest("Manual time can't be in the future.")
	case len(in.Note) > schema.MaxManualTimeNoteLength:
		return reply.BadRequest("The note may be at most %d characters.", schema.MaxManualTimeNoteLength)
	}
	if err := checkReplace(in, mode, approver, org); err != nil {
		return err
	}
	// Time that replaces a block overlaps it until the block goes, which
	// the transaction below checks in order.
	if len(in.Replace) == 0 {
		if err := s.checkManual(e.App, org, in); err != nil {
			return err
		}
	}

	if mode == schema.ManualTimeApproval && !approver {
		c, err := e.App.FindCachedCollectionByNameOrId(schema.TimeRequests)
		if err != nil {
			return err
		}
		r := core.NewRecord(c)
		for k, v := range map[string]any{
			schema.FieldOrg: org.Id, schema.FieldUser: in.User, schema.FieldProject: in.Project, schema.FieldTask: in.Task, "start": in.Start.UTC(),
			"end": in.End.UTC(), "note": in.Note, schema.FieldStatus: schema.RequestPending, "requested_by": e.Auth.Id,
		} {
			r.Set(k, v)
		}
		if err := e.App.Save(r); err != nil {
			return reply.RequestError(err, "Couldn't save the time request.")
		}
		return e.JSON(http.StatusAccepted, r)
	}

	var added []*core.Record
	err = e.App.RunInTransaction(func(tx core.App) error {
		if err := removeManual(tx, z, a, org, in); err != nil {
			return err
		}
		var err error
		if added, err = s.saveManual(tx, org, in); err != nil {
			return err
		}
		action := "add_manual_time"
		if len(in.Replace) > 0 {
			action = "change_manual_time"
		}
		audit.Log(tx, e.Auth, action, added[0], map[string]any{
			"start": in.Start.UTC(), "end": in.End.UTC(), "note": in.Note, "activities": len(added), "replaced": len(in.Replace),
		})
		return nil
	})
	if err != nil {
		return reply.RequestError(err, "Couldn't add the time.")
	}
	return e.JSON(http.StatusOK, api.ManualTimeAdded{Activities: added})
}

// checkReplace refuses a change of manual time that can't be made: too many
// or malformed ids, or a change where manual time waits for an approver
// (the change would take time away at once and give it back only later).
func checkReplace(in api.ManualTime, mode string, approver bool, org *core.Record) error {
	if len(in.Replace) == 0 {
		return nil
	}
	if len(in.Replace) > api.MaxReplaced {
		return reply.BadRequest("replace may list at most %d activities.", api.MaxReplaced)
	}
	for _, id := range in.Replace {
		if !reply.IsRecordID(id) {
			return reply.BadRequest("replace must list activity ids.")
		}
	}
	if mode == schema.ManualTimeApproval && !approver {
		return router.NewForbiddenError(fmt.Sprintf("Manual time waits for an approver in %s: delete the block and request the new time instead.", org.GetString("name")), nil)
	}
	return nil
}

// removeManual deletes the activities in.Replace names, each of which must
// be manual time of the same member in org that the requester may edit and
// that no approved timesheet locks; any refusal undoes the transaction.
func removeManual(tx core.App, z *gate.Authorizer, a gate.Actor, org *core.Record, in api.ManualTime) error {
	for _, id := range in.Replace {
		r, err := tx.FindRecordById(schema.Activities, id)
		if err != nil || r.GetString("org") != org.Id || r.GetString("user") != in.User || r.GetString("source") != "manual" {
			return reply.BadRequest("replace must list manual time of the same member in the organization.")
		}
		if !z.Decide(a, perms.AddEditDeleteTime, perms.Target{OwnerID: in.User, ProjectID: r.GetString("project")}).Allowed {
			return reply.Forbidden(perms.AddEditDeleteTime)
		}
		if err := ledger.TimeUnlocked(tx, r); err != nil {
			return err
		}
		if err := tx.Delete(r); err != nil {
			return fmt.Errorf("replace activity %s: %w", id, err)
		}
	}
	return nil
}

// checkManual refuses, changing nothing, time that can't be added: a project
// or task outside the organization, a member who doesn't track time to the
// project, a slot already holding the member's time on the project, or
// time inside an approved timesheet.
func (s *Server) checkManual(app core.App, org *core.Record, in api.ManualTime) error {
	project, err := app.FindRecordById(schema.Projects, in.Project)
	if err != nil || project.GetString(schema.FieldOrg) != org.Id {
		return reply.BadRequest("project must be one of the organization's projects.")
	}
	if project.GetBool(schema.FieldArchived) {
		return reply.BadRequest("The project is archived: restore it to add time to it.")
	}
	if in.Task != "" {
		task, err := app.FindRecordById(schema.Tasks, in.Task)
		if err != nil || task.GetString(schema.FieldProject) != in.Project {
			return reply.BadRequest("task must be one of the project's tasks.")
		}
	}
	member, err := gate.LoadActor(app, in.User, org.Id)
	if err != nil {
		return err
	}
	if !member.Member {
		return reply.BadRequest("user must be an active member of the organization.")
	}
	if !gate.MayTrackTo(member, in.Project) {
		return reply.BadRequest("That member doesn't track time to this project.")
	}
	ps := s.pieces(in.Start, in.End)
	for _, p := range ps {
		n, err := app.CountRecords(schema.Activities, dbx.HashExp{
			schema.FieldUser: in.User, schema.FieldProject: in.Project, schema.FieldSlotStart: p.start.Format(types.DefaultDateLayout),
		})
		if err != nil {
			return fmt.Errorf("time of %s at %s: %w", in.User, p.start, err)
		}
		if n > 0 {
			return reply.BadRequest("The time overlaps time already recorded on this project at %s.", p.start.In(reply.OrgLocation(org)).Format("2006-01-02 15:04"))
		}
	}
	return ledger.PeriodUnlocked(app, org, in.User, in.Start, in.End.Add(-time.Second))
}

// saveManual creates the manual activities of in, one per slot piece.
func (s *Server) saveManual(tx core.App, org *core.Record, in api.ManualTime) ([]*core.Record, error) {
	if err := s.checkManual(tx, org, in); err != nil {
		return nil, err
	}
	c, err := tx.FindCachedCollectionByNameOrId(schema.Activities)
	if err != nil {
		return nil, err
	}
	var out []*core.Record
	for _, p := range s.pieces(in.Start, in.End) {
		r := core.NewRecord(c)
		for k, v := range map[string]any{
			schema.FieldOrg: org.Id, schema.FieldUser: in.User, schema.FieldProject: in.Project, schema.FieldTask: in.Task, schema.FieldSlotStart: p.start,
			schema.FieldTrackedSeconds: p.seconds, schema.FieldSource: schema.SourceManual,
		} {
			r.Set(k, v)
		}
		if err := tx.Save(r); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func (s *Server) decideTimeRequest(e *core.RequestEvent, z *gate.Authorizer, approve bool) error {
	req, err := e.App.FindRecordById(schema.TimeRequests, e.Request.PathValue("id"))
	if err != nil {
		return reply.NotFound()
	}
	a, err := z.Actor(e.App, e.Auth, req.GetString(schema.FieldOrg))
	if err != nil {
		return err
	}
	if !z.CanView(a, z.Policies[schema.TimeRequests], req) {
		return reply.NotFound()
	}
	if !z.Decide(a, perms.ApproveManualTimeRequests, perms.Target{OwnerID: req.GetString(schema.FieldUser), ProjectID: req.GetString(schema.FieldProject)}).Allowed {
		return reply.Forbidden(perms.ApproveManualTimeRequests)
	}
	var in api.RequestDecision
	if err := e.BindBody(&in); err != nil {
		return reply.BadRequest("Send the note, if any, as JSON.")
	}
	in.Note = strings.TrimSpace(in.Note)
	if len(in.Note) > schema.MaxManualTimeNoteLength {
		return reply.BadRequest("The note may be at most %d characters.", schema.MaxManualTimeNoteLength)
	}
	if st := req.GetString(schema.FieldStatus); st != schema.RequestPending {
		return reply.BadRequest("This request is already %s.", st)
	}
	org, err := e.App.FindRecordById(schema.Organizations, req.GetString(schema.FieldOrg))
	if err != nil {
		return fmt.Errorf("find organization of time request %s: %w", req.Id, err)
	}
	req.Set("decided_by", e.Auth.Id)
	req.Set("decision_note", in.Note)
	if !approve {
		req.Set(schema.FieldStatus, schema.RequestDenied)
		err := e.App.RunInTransaction(func(tx core.App) error {
			if err := tx.Save(req); err != nil {
				return err
			}
			audit.Log(tx, e.Auth, "deny_time_request", req, map[string]any{"note": in.Note})
			return nil
		})
		if err != nil {
			return reply.RequestError(err, "Couldn't deny the request.")
		}
		return e.JSON(http.StatusOK, req)
	}

	req.Set(schema.FieldStatus, schema.RequestApproved)
	mt := api.ManualTime{
		User: req.GetString(schema.FieldUser), Project: req.GetString(schema.FieldProject), Task: req.GetString(schema.FieldTask),
		Start: req.GetDateTime("start").Time(), End: req.GetDateTime("end").Time(), Note: req.GetString("note"),
	}
	var added []*core.Record
	err = e.App.RunInTransaction(func(tx core.App) error {
		var err error
		if added, err = s.saveManual(tx, org, mt); err != nil {
			return err
		}
		if err := tx.Save(req); err != nil {
			return err
		}
		audit.Log(tx, e.Auth, "approve_time_request", req, map[string]any{"note": in.Note, "activities": len(added)})
		return nil
	})
	if err != nil {
		return reply.RequestError(err, "Couldn't approve the request.")
	}
	return e.JSON(http.StatusOK, api.RequestApproved{Request: req, Activities: added})
}
