package projects

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/tock-app/tock/blobstore"
	"github.com/tock-app/tock/envelope"
	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/audit"
	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/hooks/ledger"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations"
	"github.com/tock-app/tock/perms"
)

func (s *Server) registerTransfer(app core.App, z *gate.Authorizer) {
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		e.Router.POST(api.TransferProjectRoute, func(re *core.RequestEvent) error { return s.transferProject(re, z) }).
			Bind(apis.RequireAuth(migrations.Users))
		return e.Next()
	})
}

func conflict(code, field, msg string) error {
	return router.NewApiError(http.StatusConflict, msg, map[string]validation.Error{field: validation.NewError(code, msg)})
}

// transferProject is allowed only to someone the matrix allows "Transfer
// Projects" in both organizations: an owner of both.
func (s *Server) transferProject(e *core.RequestEvent, z *gate.Authorizer) error {
	project, err := e.App.FindRecordById(migrations.Projects, e.Request.PathValue("id"))
	if err != nil {
		return reply.NotFound()
	}
	from := project.GetString("org")
	src, err := z.Actor(e.App, e.Auth, from)
	if err != nil {
		return err
	}
	p := z.Policies[migrations.Projects]
	if !z.CanView(src, p, project) {
		return reply.NotFound()
	}
	if !z.Decide(src, perms.TransferProjects, perms.Target{ProjectID: project.Id}).Allowed {
		return reply.Forbidden(perms.TransferProjects)
	}
	var in api.TransferRequest
	if err := e.BindBody(&in); err != nil {
		return reply.BadRequest("Send {\"org\": \"<organization id>\"}.")
	}
	if !reply.IsRecordID(in.Org) {
		return reply.BadRequest("org must be the id of the organization to move the project to.")
	}
	if in.Org == from {
		return reply.BadRequest("The project is already in this organization.")
	}
	dst, err := z.Actor(e.App, e.Auth, in.Org)
	if err != nil {
		return err
	}
	if !dst.Member {
		return router.NewNotFoundError("The target organization wasn't found.", nil)
	}
	if !z.Decide(dst, perms.TransferProjects, perms.Target{}).Allowed {
		return router.NewForbiddenError(fmt.Sprintf("Your role doesn't allow %q in the target organization.", perms.TransferProjects), nil)
	}

	store, err := s.shots.Store()
	if err != nil {
		return fmt.Errorf("blob store: %w", err)
	}
	var (
		out               api.Transferred
		newBlobs, oldKeys []string
	)
	err = e.App.RunInTransaction(func(tx core.App) error {
		var err error
		out, newBlobs, oldKeys, err = s.moveProject(e.Request.Context(), tx, store, e.Auth, project.Id, in.Org)
		return err
	})
	if err != nil {
		// Nothing points at the new blobs: remove them now rather than
		// leaving them to the orphan sweep.
		forEach(len(newBlobs), resealWorkers, func(i int) error {
			s.shots.DeleteBlob(context.Background(), e.App, newBlobs[i])
			return nil
		})
		var apiErr *router.ApiError
		if errors.As(err, &apiErr) {
			return apiErr
		}
		// Not the client's doing (an unreadable blob, a database error): a 500, logged.
		return fmt.Errorf("transfer project %s to %s: %w", project.Id, in.Org, err)
	}
	// Only now that the records point at the re-sealed blobs may the old
	// ones go; a crash before this leaves orphans for the sweep.
	forEach(len(oldKeys), resealWorkers, func(i int) error {
		s.shots.DeleteBlob(context.Background(), e.App, oldKeys[i])
		return nil
	})
	return e.JSON(http.StatusOK, out)
}

// moveProject does the whole transfer inside tx and returns the blobs it
// wrote (to remove if tx fails) and the ones it replaced (to remove once tx
// has committed).
func (s *Server) moveProject(ctx context.Context, tx core.App, store blobstore.Store, actor *core.Record, projectID, to string) (api.Transferred, []string, []string, error) {
	var newBlobs, oldKeys []string
	project, err := tx.FindRecordById(migrations.Projects, projectID)
	if err != nil {
		return api.Transferred{}, nil, nil, reply.NotFound()
	}
	from := project.GetString("org")
	srcOrg, err := tx.FindRecordById(migrations.Organizations, from)
	if err != nil {
		return api.Transferred{}, nil, nil, fmt.Errorf("find organization %s: %w", from, err)
	}
	dstOrg, err := tx.FindRecordById(migrations.Organizations, to)
	if err != nil {
		return api.Transferred{}, nil, nil, fmt.Errorf("find organization %s: %w", to, err)
	}
	out := api.Transferred{Project: projectID, From: from, To: to, MembersMoved: []string{}, MembersDropped: []string{}}

	// Project names are unique per organization.
	if n, err := tx.CountRecords(migrations.Projects, dbx.HashExp{"org": to, "name": project.GetString("name")}); err != nil {
		return out, nil, nil, fmt.Errorf("project names of %s: %w", to, err)
	} else if n > 0 {
		return out, nil, nil, conflict(api.CodeNameTaken, "project", fmt.Sprintf(
			"%s already has a project named %q; rename one of them first.", dstOrg.GetString("name"), project.GetString("name")))
	}
	if err := detachFromProject(tx, projectID); err != nil {
		return out, nil, nil, err
	}
	if err := refuseOtherReferences(tx, projectID); err != nil {
		return out, nil, nil, err
	}
	members, err := memberSet(tx, to)
	if err != nil {
		return out, nil, nil, err
	}
	byProject := dbx.HashExp{"project": projectID}
	load := func(collection string) ([]*core.Record, error) {
		rs, err := tx.FindAllRecords(collection, byProject)
		if err != nil {
			return nil, fmt.Errorf("%s of project %s: %w", collection, projectID, err)
		}
		return rs, nil
	}
	acts, err := load(migrations.Activities)
	if err != nil {
		return out, nil, nil, err
	}
	shots, err := load(migrations.Screenshots)
	if err != nil {
		return out, nil, nil, err
	}
	usage, err := load(migrations.AppUsage)
	if err != nil {
		return out, nil, nil, err
	}
	requests, err := load(migrations.TimeRequests)
	if err != nil {
		return out, nil, nil, err
	}

	// Time can't belong to someone outside its organization: everyone with
	// time in the project must already be a member of the target.
	outsiders := map[string]bool{}
	for _, set := range [][]*core.Record{acts, shots, usage, requests} {
		for _, r := range set {
			if !members[r.GetString("user")] {
				outsiders[r.GetString("user")] = true
			}
		}
	}
	if len(outsiders) > 0 {
		names, err := peopleNames(tx, reply.SortedKeys(outsiders))
		if err != nil {
			return out, nil, nil, err
		}
		return out, nil, nil, conflict(api.CodeNotMember, "org", fmt.Sprintf(
			"These people have time in the project but aren't members of %s: %s. Invite them there first.",
			dstOrg.GetString("name"), names))
	}
	// Approved time stays where it was approved, and approved periods of
	// the target don't gain time behind their approver's back.
	for _, a := range acts {
		at := a.GetDateTime("slot_start").Time()
		for _, org := range []*core.Record{srcOrg, dstOrg} {
			sheet, err := ledger.ApprovedSheet(tx, org, a.GetString("user"), at)
			if err != nil {
				return out, nil, nil, err
			}
			if sheet != nil {
				return out, nil, nil, conflict(api.CodeApprovedTime, "project", fmt.Sprintf(
					"The project has time in an approved timesheet of %s (%s – %s); reject that timesheet first.",
					org.GetString("name"), reply.DateOf(sheet, "period_start"), reply.DateOf(sheet, "period_end")))
			}
		}
	}

	// Re-seal every screenshot for the target organization's key.
	pub, err := publicKey(dstOrg)
	if err != nil {
		return out, nil, nil, err
	}
	type resealed struct {
		id string
		resealedBlob
	}
	var done []resealed
	var gone []string
	// The organization's private keys are unwrapped once, not per screenshot.
	keys := map[string][32]byte{}
	defer func() {
		for _, k := range keys {
			clear(k[:])
		}
	}()
	for _, shot := range shots {
		kid := shot.GetString("key_id")
		if _, ok := keys[kid]; ok {
			continue
		}
		priv, err := s.shots.PrivateKey(tx, from, kid)
		if errors.Is(err, sql.ErrNoRows) {
			continue // reseal says so, unless the blob is gone anyway
		}
		if err != nil {
			return out, nil, nil, err
		}
		keys[kid] = priv
	}
	results := make([]resealedBlob, len(shots))
	errs := forEach(len(shots), resealWorkers, func(i int) error {
		var err error
		priv, ok := keys[shots[i].GetString("key_id")]
		results[i], err = s.reseal(ctx, store, shots[i], priv, ok, to, pub)
		return err
	})
	var failed error
	for i, shot := range shots {
		switch {
		case errors.Is(errs[i], blobstore.ErrNotFound):
			gone = append(gone, shot.Id)
		case errs[i] != nil:
			failed = cmp.Or(failed, errs[i])
		default:
			newBlobs = append(newBlobs, results[i].key)
			oldKeys = append(oldKeys, shot.GetString("storage_key"))
			done = append(done, resealed{id: shot.Id, resealedBlob: results[i]})
		}
	}
	if failed != nil {
		return out, newBlobs, nil, failed
	}

	now := reply.DbDate(time.Now())
	exec := func(q *dbx.Query, what string) (int, error) {
		res, err := q.Execute()
		if err != nil {
			return 0, fmt.Errorf("transfer %s of project %s: %w", what, projectID, err)
		}
		n, _ := res.RowsAffected()
		return int(n), nil
	}
	db := tx.DB()
	moveOrg := dbx.Params{"org": to, "updated": now}
	for _, id := range gone {
		if _, err := exec(db.Delete(migrations.Screenshots, dbx.HashExp{"id": id}), "swept screenshots"); err != nil {
			return out, newBlobs, nil, err
		}
	}
	out.ScreenshotsGone = len(gone)
	for _, r := range done {
		if _, err := exec(db.Update(migrations.Screenshots, dbx.Params{
			"org": to, "key_id": dstOrg.GetString("key_id"), "storage_key": r.key, "sha256": r.sha, "size": r.size, "updated": now,
		}, dbx.HashExp{"id": r.id}), "screenshots"); err != nil {
			return out, newBlobs, nil, err
		}
	}
	out.Screenshots = len(done)
	if out.Activities, err = exec(db.Update(migrations.Activities, moveOrg, byProject), "activities"); err != nil {
		return out, newBlobs, nil, err
	}
	if out.AppUsage, err = exec(db.Update(migrations.AppUsage, moveOrg, byProject), "app usage"); err != nil {
		return out, newBlobs, nil, err
	}
	if out.TimeRequests, err = exec(db.Update(migrations.TimeRequests, moveOrg, byProject), "time requests"); err != nil {
		return out, newBlobs, nil, err
	}
	if out.TeamLinksRemoved, err = exec(db.Delete(migrations.TeamProjects, byProject), "team links"); err != nil {
		return out, newBlobs, nil, err
	}

	pms, err := load(migrations.ProjectMembers)
	if err != nil {
		return out, newBlobs, nil, err
	}
	for _, pm := range pms {
		u := pm.GetString("user")
		if members[u] {
			out.MembersMoved = append(out.MembersMoved, u)
			_, err = exec(db.Update(migrations.ProjectMembers, moveOrg, dbx.HashExp{"id": pm.Id}), "project members")
		} else {
			out.MembersDropped = append(out.MembersDropped, u)
			_, err = exec(db.Delete(migrations.ProjectMembers, dbx.HashExp{"id": pm.Id}), "project members")
		}
		if err != nil {
			return out, newBlobs, nil, err
		}
	}
	sort.Strings(out.MembersMoved)
	sort.Strings(out.MembersDropped)

	tasks, err := load(migrations.Tasks)
	if err != nil {
		return out, newBlobs, nil, err
	}
	for _, task := range tasks {
		// Assignees who aren't in the target can't stay assigned there.
		kept := slices.DeleteFunc(task.GetStringSlice("assignees"), func(u string) bool { return !members[u] })
		assignees, _ := json.Marshal(kept)
		if _, err := exec(db.Update(migrations.Tasks, dbx.Params{"org": to, "assignees": string(assignees), "updated": now},
			dbx.HashExp{"id": task.Id}), "tasks"); err != nil {
			return out, newBlobs, nil, err
		}
	}
	out.Tasks = len(tasks)

	// A client is the source organization's: the project leaves it behind.
	out.ClientCleared = project.GetString("client") != ""
	if _, err := exec(db.Update(migrations.Projects, dbx.Params{"org": to, "client": "", "updated": now},
		dbx.HashExp{"id": projectID}), "project"); err != nil {
		return out, newBlobs, nil, err
	}

	if err := refreshSheets(tx, []*core.Record{srcOrg, dstOrg}, acts, s.cfg.SlotLen()); err != nil {
		return out, newBlobs, nil, err
	}

	details := map[string]any{
		"from": from, "to": to, "name": project.GetString("name"), "tasks": out.Tasks, "activities": out.Activities,
		"screenshots": out.Screenshots, "app_usage": out.AppUsage, "members_dropped": out.MembersDropped,
		"team_links_removed": out.TeamLinksRemoved,
	}
	audit.Log(tx, actor, "transfer_project_out", project, details) // project still carries the source org
	moved, err := tx.FindRecordById(migrations.Projects, projectID)
	if err != nil {
		return out, newBlobs, nil, fmt.Errorf("find moved project %s: %w", projectID, err)
	}
	audit.Log(tx, actor, "transfer_project_in", moved, details)
	return out, newBlobs, oldKeys, nil
}

// resealWorkers bounds the screenshots re-sealed at once: the work waits
// mostly on the blob store (fsyncs, or S3 round trips), not the CPU.
const resealWorkers = 8

// forEach runs fn for 0..n-1 on at most workers goroutines and returns each
// call's error at its index.
func forEach(n, workers int, fn func(i int) error) []error {
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(n, workers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = fn(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return errs
}

type resealedBlob struct {
	key, sha string
	size     int
}

// reseal opens a screenshot with its organization's key and seals it for
// the target's, bound to the target's id; the new blob is written under the
// target's prefix. The plaintext lives only in memory and is cleared.
func (s *Server) reseal(ctx context.Context, store blobstore.Store, shot *core.Record, priv [32]byte, haveKey bool, to string, pub [32]byte) (resealedBlob, error) {
	rc, err := store.Get(ctx, shot.GetString("storage_key"))
	if err != nil {
		return resealedBlob{}, fmt.Errorf("read screenshot %s: %w", shot.Id, err)
	}
	sealed, err := io.ReadAll(io.LimitReader(rc, s.cfg.MaxEnvelopeBytes+1))
	rc.Close()
	if err != nil {
		return resealedBlob{}, fmt.Errorf("read screenshot %s: %w", shot.Id, err)
	}
	defer clear(priv[:]) // this copy; the caller clears its own
	if !haveKey {
		return resealedBlob{}, fmt.Errorf("screenshot %s: organization %s has no key %s", shot.Id, shot.GetString("org"), shot.GetString("key_id"))
	}
	from := shot.GetString("org")
	md := envelope.Metadata{
		ID: shot.GetString("client_id"), Org: from, User: shot.GetString("user"),
		TakenAt: shot.GetDateTime("taken_at").Time(), Screen: shot.GetInt("screen"),
	}
	plain, err := envelope.Open(priv, md, sealed)
	if err != nil {
		return resealedBlob{}, fmt.Errorf("open screenshot %s: %w", shot.Id, err)
	}
	defer clear(plain)
	md.Org = to
	again, err := envelope.Seal(rand.Reader, pub, md, plain)
	if err != nil {
		return resealedBlob{}, fmt.Errorf("seal screenshot %s for %s: %w", shot.Id, to, err)
	}
	name := shot.GetString("client_id")
	if name == "" {
		name = shot.Id
	}
	key := s.shots.BlobKey(to, md.TakenAt, name)
	if err := store.Put(ctx, key, bytes.NewReader(again), int64(len(again))); err != nil {
		return resealedBlob{}, fmt.Errorf("store re-sealed screenshot %s: %w", shot.Id, err)
	}
	sum := sha256.Sum256(again)
	return resealedBlob{key: key, sha: hex.EncodeToString(sum[:]), size: len(again)}, nil
}

func publicKey(org *core.Record) ([32]byte, error) {
	var pub [32]byte
	b, err := base64.StdEncoding.DecodeString(org.GetString("public_key"))
	if err != nil || len(b) != len(pub) {
		return pub, fmt.Errorf("public key of %s is malformed", org.Id)
	}
	copy(pub[:], b)
	return pub, nil
}

// memberSet lists everyone with a membership in org.
func memberSet(app core.App, org string) (map[string]bool, error) {
	var users []string
	err := app.DB().Select("user").From(migrations.Memberships).Where(dbx.HashExp{"org": org}).Column(&users)
	if err != nil {
		return nil, fmt.Errorf("members of %s: %w", org, err)
	}
	return reply.SetOf(users), nil
}

func peopleNames(app core.App, ids []string) (string, error) {
	var names []string
	err := app.DB().Select("coalesce(nullif(name, ''), email)").From(migrations.Users).
		Where(dbx.In("id", reply.AnySlice(ids)...)).OrderBy("name").Column(&names)
	if err != nil {
		return "", fmt.Errorf("names of %v: %w", ids, err)
	}
	b, _ := json.Marshal(names)
	return string(bytes.Trim(b, "[]")), nil
}

// transferHandled reports whether a transfer moves (or unlinks) the
// collection's records.
func transferHandled(collection string) bool {
	switch collection {
	case migrations.Projects, migrations.Tasks, migrations.ProjectMembers, migrations.TeamProjects,
		migrations.Activities, migrations.Screenshots, migrations.AppUsage, migrations.TimeRequests:
		return true
	}
	return false
}

// detachedLinks are the optional project links of records that stay with
// the source organization when the project leaves it: a shift, a job site
// or a location goes on existing without the project.
func detachedLinks() map[string]string {
	return map[string]string{migrations.Schedules: "project", migrations.JobSites: "project", migrations.Locations: "project"}
}

// detachFromProject unsets the detached links to the project and deletes
// its project rates, which are the source organization's prices for it.
func detachFromProject(tx core.App, projectID string) error {
	for collection, field := range detachedLinks() {
		rs, err := tx.FindAllRecords(collection, dbx.HashExp{field: projectID})
		if err != nil {
			return fmt.Errorf("%s of project %s: %w", collection, projectID, err)
		}
		for _, r := range rs {
			r.Set(field, "")
			if err := tx.Save(r); err != nil {
				return fmt.Errorf("detach %s %s from project %s: %w", collection, r.Id, projectID, err)
			}
		}
	}
	rates, err := tx.FindAllRecords(migrations.Rates, dbx.HashExp{"project": projectID})
	if err != nil {
		return fmt.Errorf("rates of project %s: %w", projectID, err)
	}
	for _, r := range rates {
		if err := tx.Delete(r); err != nil {
			return fmt.Errorf("delete rate %s of project %s: %w", r.Id, projectID, err)
		}
	}
	return nil
}

// refuseOtherReferences refuses to move a project that records of other
// collections (invoices, work orders, ...) point at, through the project or
// anything it carries along: moving it would leave them pointing across
// organizations. Collections added later are covered without a change here.
func refuseOtherReferences(app core.App, projectID string) error {
	cols, err := app.FindAllCollections(core.CollectionTypeBase)
	if err != nil {
		return fmt.Errorf("list collections: %w", err)
	}
	carried := map[string]string{} // collection id -> name, of what moves
	for _, c := range cols {
		if transferHandled(c.Name) && c.Name != migrations.ProjectMembers && c.Name != migrations.TeamProjects {
			carried[c.Id] = c.Name
		}
	}
	for _, c := range cols {
		if transferHandled(c.Name) {
			continue
		}
		for _, f := range c.Fields {
			rel, ok := f.(*core.RelationField)
			if !ok || carried[rel.CollectionId] == "" {
				continue
			}
			target := carried[rel.CollectionId]
			var sub string
			switch target {
			case migrations.Projects:
				sub = "SELECT {:project}"
			default:
				sub = "SELECT id FROM " + target + " WHERE project = {:project}"
			}
			cond := "[[" + rel.Name + "]] IN (" + sub + ")"
			if rel.IsMultiple() {
				cond = "EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid([[" + rel.Name + "]]) THEN [[" + rel.Name + "]] ELSE '[]' END) j WHERE j.value IN (" + sub + "))"
			}
			var n int
			err := app.DB().Select("count(*)").From(c.Name).Where(dbx.NewExp(cond, dbx.Params{"project": projectID})).Row(&n)
			if err != nil {
				return fmt.Errorf("references from %s.%s: %w", c.Name, rel.Name, err)
			}
			if n > 0 {
				return conflict(api.CodeProjectInUse, "project", fmt.Sprintf(
					"%d %s records refer to this project or its time; they can't move with it.", n, c.Name))
			}
		}
	}
	return nil
}

// refreshSheets recomputes the totals of the not yet approved timesheets,
// in both organizations, that cover the moved time: a submitted sheet of
// the source must stop counting it, one of the target start to.
func refreshSheets(tx core.App, orgs []*core.Record, acts []*core.Record, slotLen time.Duration) error {
	if len(acts) == 0 {
		return nil
	}
	users := map[string]bool{}
	first, last := acts[0].GetDateTime("slot_start").Time(), acts[0].GetDateTime("slot_start").Time()
	for _, a := range acts {
		users[a.GetString("user")] = true
		t := a.GetDateTime("slot_start").Time()
		if t.Before(first) {
			first = t
		}
		if t.After(last) {
			last = t
		}
	}
	// A day either side: sheets are in each organization's own days.
	from, to := reply.DbDate(first.AddDate(0, 0, -1)), reply.DbDate(last.AddDate(0, 0, 1))
	for _, org := range orgs {
		sheets, err := tx.FindAllRecords(migrations.Timesheets,
			dbx.HashExp{"org": org.Id},
			dbx.In("user", reply.AnySlice(reply.SortedKeys(users))...),
			dbx.Not(dbx.HashExp{"status": migrations.TimesheetApproved}),
			dbx.NewExp("period_end >= {:from} AND period_start <= {:to}", dbx.Params{"from": from, "to": to}))
		if err != nil {
			return fmt.Errorf("timesheets of %s: %w", org.Id, err)
		}
		for _, sheet := range sheets {
			if err := ledger.SetTotals(tx, org, sheet, slotLen); err != nil {
				return err
			}
			if err := tx.Save(sheet); err != nil {
				return fmt.Errorf("totals of timesheet %s: %w", sheet.Id, err)
			}
		}
	}
	return nil
}
