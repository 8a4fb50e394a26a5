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
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/tock-app/tock/blobstore"
	"github.com/tock-app/tock/envelope"
	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/audit"
	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/hooks/ledger"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

func (s *Server) registerTransfer(app core.App, z *gate.Authorizer) {
	reply.ServeSignedIn(app,
		reply.POST(api.TransferProjectRoute, func(re *core.RequestEvent) error { return s.transferProject(re, z) }),
	)
}

func conflict(code, field, msg string) error {
	return router.NewApiError(http.StatusConflict, msg, map[string]validation.Error{field: validation.NewError(code, msg)})
}

// transferProject is allowed only to someone the matrix allows "Transfer
// Projects" in both organizations: an owner of both.
func (s *Server) transferProject(e *core.RequestEvent, z *gate.Authorizer) error {
	project, err := e.App.FindRecordById(schema.Projects, e.Request.PathValue("id"))
	if err != nil {
		return reply.NotFound()
	}
	from := project.GetString(schema.FieldOrg)
	src, err := z.Actor(e.App, e.Auth, from)
	if err != nil {
		return err
	}
	p := z.Policies[schema.Projects]
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
// has committed). Its phases run in order, each on what the earlier ones
// found: open, check, re-seal, move the records, move the people, and
// finish (timesheet totals, audit).
func (s *Server) moveProject(ctx context.Context, tx core.App, store blobstore.Store, actor *core.Record, projectID, to string) (api.Transferred, []string, []string, error) {
	t, err := openTransfer(tx, projectID, to)
	if err != nil {
		return api.Transferred{}, nil, nil, err
	}
	if err := t.check(); err != nil {
		return t.out, nil, nil, err
	}
	if err := s.resealShots(ctx, t, store); err != nil {
		return t.out, t.newBlobs, nil, err
	}
	for _, phase := range []func() error{t.moveRecords, t.movePeople, t.moveProjectRecord} {
		if err := phase(); err != nil {
			return t.out, t.newBlobs, nil, err
		}
	}
	if err := refreshSheets(tx, []*core.Record{t.src, t.dst}, t.acts, s.cfg.SlotLen()); err != nil {
		return t.out, t.newBlobs, nil, err
	}
	if err := t.audit(actor); err != nil {
		return t.out, t.newBlobs, nil, err
	}
	return t.out, t.newBlobs, t.oldKeys, nil
}

// transfer is one project's move between organizations, inside tx: what the
// phases of moveProject found and did so far.
type transfer struct {
	tx       core.App
	project  *core.Record
	src, dst *core.Record
	out      api.Transferred
	now      string

	members                      map[string]bool // the target's active members
	acts, shots, usage, requests []*core.Record

	resealed          []resealed // screenshots whose blobs were re-sealed
	gone              []string   // screenshots whose blobs were already gone
	newBlobs, oldKeys []string
}

// resealed is a screenshot with its blob re-sealed for the target.
type resealed struct {
	id string
	resealedBlob
}

// openTransfer reads the project and both organizations.
func openTransfer(tx core.App, projectID, to string) (*transfer, error) {
	project, err := tx.FindRecordById(schema.Projects, projectID)
	if err != nil {
		return nil, reply.NotFound()
	}
	from := project.GetString(schema.FieldOrg)
	srcOrg, err := tx.FindRecordById(schema.Organizations, from)
	if err != nil {
		return nil, fmt.Errorf("find organization %s: %w", from, err)
	}
	dstOrg, err := tx.FindRecordById(schema.Organizations, to)
	if err != nil {
		return nil, fmt.Errorf("find organization %s: %w", to, err)
	}
	return &transfer{
		tx: tx, project: project, src: srcOrg, dst: dstOrg, now: reply.DbDate(time.Now()),
		out: api.Transferred{Project: projectID, From: from, To: to, MembersMoved: []string{}, MembersDropped: []string{}},
	}, nil
}

func (t *transfer) byProject() dbx.HashExp { return dbx.HashExp{schema.FieldProject: t.project.Id} }

// load reads the project's records of collection.
func (t *transfer) load(collection string) ([]*core.Record, error) {
	rs, err := t.tx.FindAllRecords(collection, t.byProject())
	if err != nil {
		return nil, fmt.Errorf("%s of project %s: %w", collection, t.project.Id, err)
	}
	return rs, nil
}

// exec runs one statement of the move and returns the rows it touched.
func (t *transfer) exec(q *dbx.Query, what string) (int, error) {
	res, err := q.Execute()
	if err != nil {
		return 0, fmt.Errorf("transfer %s of project %s: %w", what, t.project.Id, err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// check refuses a move that would break a rule of the target (a project
// name taken, time of people who aren't its members, approved time) or leave
// records of the source pointing at the project, and loads the project's
// time.
func (t *transfer) check() error {
	to := t.dst.Id
	// Project names are unique per organization.
	if n, err := t.tx.CountRecords(schema.Projects, dbx.HashExp{schema.FieldOrg: to, schema.FieldName: t.project.GetString(schema.FieldName)}); err != nil {
		return fmt.Errorf("project names of %s: %w", to, err)
	} else if n > 0 {
		return conflict(api.CodeNameTaken, "project", fmt.Sprintf(
			"%s already has a project named %q; rename one of them first.", t.dst.GetString(schema.FieldName), t.project.GetString(schema.FieldName)))
	}
	if err := detachFromProject(t.tx, t.project.Id); err != nil {
		return err
	}
	if err := refuseOtherReferences(t.tx, t.project.Id); err != nil {
		return err
	}
	var err error
	if t.members, err = memberSet(t.tx, to); err != nil {
		return err
	}
	for _, l := range []struct {
		into       *[]*core.Record
		collection string
	}{{&t.acts, schema.Activities}, {&t.shots, schema.Screenshots}, {&t.usage, schema.AppUsage}, {&t.requests, schema.TimeRequests}} {
		if *l.into, err = t.load(l.collection); err != nil {
			return err
		}
	}
	if err := t.checkPeople(); err != nil {
		return err
	}
	return t.checkApprovals()
}

// checkPeople: time can't belong to someone outside its organization, so
// everyone with time in the project must already be a member of the target.
func (t *transfer) checkPeople() error {
	outsiders := map[string]bool{}
	for _, set := range [][]*core.Record{t.acts, t.shots, t.usage, t.requests} {
		for _, r := range set {
			if !t.members[r.GetString(schema.FieldUser)] {
				outsiders[r.GetString(schema.FieldUser)] = true
			}
		}
	}
	if len(outsiders) == 0 {
		return nil
	}
	names, err := peopleNames(t.tx, reply.SortedKeys(outsiders))
	if err != nil {
		return err
	}
	return conflict(api.CodeNotMember, "org", fmt.Sprintf(
		"These people have time in the project but aren't members of %s: %s. Invite them there first.",
		t.dst.GetString(schema.FieldName), names))
}

// checkApprovals: approved time stays where it was approved, and approved
// periods of the target don't gain time behind their approver's back.
func (t *transfer) checkApprovals() error {
	for _, a := range t.acts {
		at := a.GetDateTime(schema.FieldSlotStart).Time()
		for _, org := range []*core.Record{t.src, t.dst} {
			sheet, err := ledger.ApprovedSheet(t.tx, org, a.GetString(schema.FieldUser), at)
			if err != nil {
				return err
			}
			if sheet != nil {
				return conflict(api.CodeApprovedTime, "project", fmt.Sprintf(
					"The project has time in an approved timesheet of %s (%s – %s); reject that timesheet first.",
					org.GetString(schema.FieldName), reply.DateOf(sheet, "period_start"), reply.DateOf(sheet, "period_end")))
			}
		}
	}
	return nil
}

// resealShots re-seals every screenshot for the target organization's key.
func (s *Server) resealShots(ctx context.Context, t *transfer, store blobstore.Store) error {
	pub, err := publicKey(t.dst)
	if err != nil {
		return err
	}
	// The organization's private keys are unwrapped once, not per screenshot.
	keys := map[string][32]byte{}
	defer func() {
		for _, k := range keys {
			clear(k[:])
		}
	}()
	for _, shot := range t.shots {
		kid := shot.GetString(schema.FieldKeyID)
		if _, ok := keys[kid]; ok {
			continue
		}
		priv, err := s.shots.PrivateKey(t.tx, t.src.Id, kid)
		if errors.Is(err, sql.ErrNoRows) {
			continue // reseal says so, unless the blob is gone anyway
		}
		if err != nil {
			return err
		}
		keys[kid] = priv
	}
	results := make([]resealedBlob, len(t.shots))
	errs := forEach(len(t.shots), resealWorkers, func(i int) error {
		var err error
		priv, ok := keys[t.shots[i].GetString(schema.FieldKeyID)]
		results[i], err = s.reseal(ctx, store, t.shots[i], priv, ok, t.dst.Id, pub)
		return err
	})
	var failed error
	var oldKeys []string
	for i, shot := range t.shots {
		switch {
		case errors.Is(errs[i], blobstore.ErrNotFound):
			t.gone = append(t.gone, shot.Id)
		case errs[i] != nil:
			failed = cmp.Or(failed, errs[i])
		default:
			t.newBlobs = append(t.newBlobs, results[i].key)
			oldKeys = append(oldKeys, shot.GetString(schema.FieldStorageKey))
			t.resealed = append(t.resealed, resealed{id: shot.Id, resealedBlob: results[i]})
		}
	}
	if failed != nil {
		return failed
	}
	t.oldKeys = oldKeys
	return nil
}

// moveRecords points the screenshots at their re-sealed blobs (dropping
// those whose blob was gone) and moves the project's time to the target.
func (t *transfer) moveRecords() error {
	db := t.tx.DB()
	moveOrg := dbx.Params{"org": t.dst.Id, "updated": t.now}
	for _, id := range t.gone {
		if _, err := t.exec(db.Delete(schema.Screenshots, dbx.HashExp{"id": id}), "swept screenshots"); err != nil {
			return err
		}
	}
	t.out.ScreenshotsGone = len(t.gone)
	for _, r := range t.resealed {
		if _, err := t.exec(db.Update(schema.Screenshots, dbx.Params{
			"org": t.dst.Id, "key_id": t.dst.GetString(schema.FieldKeyID), "storage_key": r.key, "sha256": r.sha, "size": r.size, "updated": t.now,
		}, dbx.HashExp{"id": r.id}), "screenshots"); err != nil {
			return err
		}
	}
	t.out.Screenshots = len(t.resealed)
	var err error
	if t.out.Activities, err = t.exec(db.Update(schema.Activities, moveOrg, t.byProject()), "activities"); err != nil {
		return err
	}
	if t.out.AppUsage, err = t.exec(db.Update(schema.AppUsage, moveOrg, t.byProject()), "app usage"); err != nil {
		return err
	}
	if t.out.TimeRequests, err = t.exec(db.Update(schema.TimeRequests, moveOrg, t.byProject()), "time requests"); err != nil {
		return err
	}
	if t.out.TeamLinksRemoved, err = t.exec(db.Delete(schema.TeamProjects, t.byProject()), "team links"); err != nil {
		return err
	}
	return nil
}

// movePeople moves the project's members who are members of the target and
// drops the others, and keeps on its tasks only assignees who are.
func (t *transfer) movePeople() error {
	db := t.tx.DB()
	moveOrg := dbx.Params{"org": t.dst.Id, "updated": t.now}
	pms, err := t.load(schema.ProjectMembers)
	if err != nil {
		return err
	}
	for _, pm := range pms {
		u := pm.GetString(schema.FieldUser)
		if t.members[u] {
			t.out.MembersMoved = append(t.out.MembersMoved, u)
			_, err = t.exec(db.Update(schema.ProjectMembers, moveOrg, dbx.HashExp{"id": pm.Id}), "project members")
		} else {
			t.out.MembersDropped = append(t.out.MembersDropped, u)
			_, err = t.exec(db.Delete(schema.ProjectMembers, dbx.HashExp{"id": pm.Id}), "project members")
		}
		if err != nil {
			return err
		}
	}
	sort.Strings(t.out.MembersMoved)
	sort.Strings(t.out.MembersDropped)

	tasks, err := t.load(schema.Tasks)
	if err != nil {
		return err
	}
	for _, task := range tasks {
		// Assignees who aren't in the target can't stay assigned there.
		kept := slices.DeleteFunc(task.GetStringSlice("assignees"), func(u string) bool { return !t.members[u] })
		assignees, _ := json.Marshal(kept)
		if _, err := t.exec(db.Update(schema.Tasks, dbx.Params{"org": t.dst.Id, "assignees": string(assignees), "updated": t.now},
			dbx.HashExp{"id": task.Id}), "tasks"); err != nil {
			return err
		}
	}
	t.out.Tasks = len(tasks)
	return nil
}

// moveProjectRecord moves the project itself. A client is the source
// organization's: the project leaves it behind.
func (t *transfer) moveProjectRecord() error {
	t.out.ClientCleared = t.project.GetString(schema.FieldClient) != ""
	_, err := t.exec(t.tx.DB().Update(schema.Projects, dbx.Params{"org": t.dst.Id, "client": "", "updated": t.now},
		dbx.HashExp{"id": t.project.Id}), "project")
	return err
}

// audit records the move in both organizations' audit logs.
func (t *transfer) audit(actor *core.Record) error {
	out := t.out
	details := map[string]any{
		"from": out.From, "to": out.To, "name": t.project.GetString(schema.FieldName), "tasks": out.Tasks, "activities": out.Activities,
		"screenshots": out.Screenshots, "app_usage": out.AppUsage, "members_dropped": out.MembersDropped,
		"team_links_removed": out.TeamLinksRemoved,
	}
	audit.Log(t.tx, actor, "transfer_project_out", t.project, details) // project still carries the source org
	moved, err := t.tx.FindRecordById(schema.Projects, t.project.Id)
	if err != nil {
		return fmt.Errorf("find moved project %s: %w", t.project.Id, err)
	}
	audit.Log(t.tx, actor, "transfer_project_in", moved, details)
	return nil
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
	rc, err := store.Get(ctx, shot.GetString(schema.FieldStorageKey))
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
		return resealedBlob{}, fmt.Errorf("screenshot %s: organization %s has no key %s", shot.Id, shot.GetString(schema.FieldOrg), shot.GetString(schema.FieldKeyID))
	}
	from := shot.GetString(schema.FieldOrg)
	md := envelope.Metadata{
		ID: shot.GetString(schema.FieldClientID), Org: from, User: shot.GetString(schema.FieldUser),
		TakenAt: shot.GetDateTime(schema.FieldTakenAt).Time(), Screen: shot.GetInt(schema.FieldScreen),
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
	name := shot.GetString(schema.FieldClientID)
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
	b, err := base64.StdEncoding.DecodeString(org.GetString(schema.FieldPublicKey))
	if err != nil || len(b) != len(pub) {
		return pub, fmt.Errorf("public key of %s is malformed", org.Id)
	}
	copy(pub[:], b)
	return pub, nil
}

// memberSet lists everyone with a membership in org.
func memberSet(app core.App, org string) (map[string]bool, error) {
	var users []string
	err := app.DB().Select(schema.FieldUser).From(schema.Memberships).Where(dbx.HashExp{schema.FieldOrg: org}).Column(&users)
	if err != nil {
		return nil, fmt.Errorf("members of %s: %w", org, err)
	}
	return reply.SetOf(users), nil
}

func peopleNames(app core.App, ids []string) (string, error) {
	var names []string
	err := app.DB().Select("coalesce(nullif(name, ''), email)").From(schema.Users).
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
	case schema.Projects, schema.Tasks, schema.ProjectMembers, schema.TeamProjects,
		schema.Activities, schema.Screenshots, schema.AppUsage, schema.TimeRequests:
		return true
	}
	return false
}

// detachedLinks are the optional project links of records that stay with
// the source organization when the project leaves it: a shift, a job site
// or a location goes on existing without the project.
func detachedLinks() map[string]string {
	return map[string]string{schema.Schedules: "project", schema.JobSites: "project", schema.Locations: "project"}
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
	rates, err := tx.FindAllRecords(schema.Rates, dbx.HashExp{schema.FieldProject: projectID})
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
		if transferHandled(c.Name) && c.Name != schema.ProjectMembers && c.Name != schema.TeamProjects {
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
			case schema.Projects:
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
	first, last := acts[0].GetDateTime(schema.FieldSlotStart).Time(), acts[0].GetDateTime(schema.FieldSlotStart).Time()
	for _, a := range acts {
		users[a.GetString(schema.FieldUser)] = true
		t := a.GetDateTime(schema.FieldSlotStart).Time()
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
		sheets, err := tx.FindAllRecords(schema.Timesheets,
			dbx.HashExp{schema.FieldOrg: org.Id},
			dbx.In(schema.FieldUser, reply.AnySlice(reply.SortedKeys(users))...),
			dbx.Not(dbx.HashExp{schema.FieldStatus: schema.TimesheetApproved}),
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
