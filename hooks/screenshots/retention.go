package screenshots

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/blobstore"
	"github.com/tock-app/tock/hooks/audit"
	"github.com/tock-app/tock/hooks/config"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
)

// RetentionReport says what one run of the retention job removed.
type RetentionReport struct {
	Screenshots int
	AppUsage    int
	OrphanBlobs int
	// BlobsChecked is how many blobs the orphan sweep checked: its share of
	// a pass over the store.
	BlobsChecked  int
	TempLeftovers int
	Organizations int
}

func (s *Server) registerRetention(app core.App) {
	// A crash (kill -9, power loss) during uploads leaves temporary files in
	// the local store; clear those old enough to be leftovers before serving.
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		if s.cfg.Store == nil && s.cfg.Storage != "local" {
			return e.Next() // only the local store keeps temporary files
		}
		n, err := s.sweepTemp(context.Background(), time.Now())
		if err != nil {
			e.App.Logger().Error("sweeping the blob store's temporary files failed", slog.Any("error", err))
		} else if n > 0 {
			e.App.Logger().Info("removed temporary files left by an interrupted run", slog.Int("files", n))
		}
		return e.Next()
	})
	app.Cron().MustAdd("tock_retention", "17 * * * *", func() {
		report, err := s.RunRetention(context.Background(), app, time.Now())
		if err != nil {
			app.Logger().Error("retention failed", slog.Any("error", err))
			return
		}
		app.Logger().Info("retention done", slog.Int("screenshots", report.Screenshots),
			slog.Int("app_usage", report.AppUsage), slog.Int("orphan_blobs", report.OrphanBlobs), slog.Int("blobs_checked", report.BlobsChecked),
			slog.Int("temp_leftovers", report.TempLeftovers))
	})
}

// RunRetention removes, per organization, screenshots and app usage older
// than its retention_days, then sweeps blobs no record points to. Records go
// before their blobs, so a crash at any point leaves no screenshot without
// its blob; the blobs it strands are what the sweep removes. Running it again
// after a crash simply finishes the work.
func (s *Server) RunRetention(ctx context.Context, app core.App, now time.Time) (RetentionReport, error) {
	var report RetentionReport
	orgs, err := app.FindAllRecords(schema.Organizations)
	if err != nil {
		return report, fmt.Errorf("list organizations: %w", err)
	}
	for _, org := range orgs {
		days := org.GetInt(schema.FieldRetentionDays)
		if days <= 0 {
			continue
		}
		cutoff := now.Add(-time.Duration(days) * 24 * time.Hour).UTC()
		shots, usage, err := s.expire(ctx, app, org.Id, cutoff)
		report.Screenshots += shots
		report.AppUsage += usage
		if err != nil {
			return report, err
		}
		if shots+usage > 0 {
			report.Organizations++
			audit.Log(app, nil, "retention", org, map[string]any{
				"screenshots": shots, "app_usage": usage, "older_than": cutoff.Format(time.RFC3339),
			})
		}
	}
	report.OrphanBlobs, report.BlobsChecked, err = s.sweepOrphans(ctx, app, now)
	if err != nil {
		return report, err
	}
	report.TempLeftovers, err = s.sweepTemp(ctx, now)
	return report, err
}

// sweepTemp removes the temporary files, older than the grace period, that
// interrupted writes left in the blob store. None was ever acknowledged: a
// blob is renamed out of the temporary area before its upload is answered.
func (s *Server) sweepTemp(ctx context.Context, now time.Time) (int, error) {
	store, err := s.store()
	if err != nil {
		return 0, fmt.Errorf("blob store: %w", err)
	}
	sweeper, ok := store.(blobstore.TempSweeper)
	if !ok {
		return 0, nil
	}
	n, err := sweeper.SweepTemp(ctx, now.Add(-s.cfg.TempGrace))
	if err != nil {
		return n, fmt.Errorf("sweep temporary files: %w", err)
	}
	return n, nil
}

// expire deletes one organization's expired screenshots and app usage, a
// batch at a time. A batch's blobs are deleted while the next batch's rows
// are (the store waits on the disk or the network, the database on its own
// writes), and always after their rows are gone.
func (s *Server) expire(ctx context.Context, app core.App, org string, cutoff time.Time) (shots, usage int, err error) {
	checkpoint := deferCheckpoints(app)
	defer checkpoint(true)
	pending := make(chan []string, 1) // one batch queued while another is deleted
	done := make(chan struct{})
	go func() {
		defer close(done)
		for keys := range pending {
			s.deleteBlobs(ctx, app, keys)
			checkpoint(false)
		}
	}()
	for {
		var keys []string
		keys, err = expireScreenshotRecords(app, org, cutoff)
		shots += len(keys)
		if len(keys) > 0 {
			pending <- keys
		}
		if err != nil || len(keys) < config.RetentionBatch {
			break
		}
	}
	if err == nil {
		usage, err = expireAppUsage(app, org, cutoff)
	}
	close(pending)
	<-done
	return shots, usage, err
}

// deferCheckpoints stops the writer connection from checkpointing the
// write-ahead log itself while retention deletes: a batch dirties more pages
// than the automatic threshold, so every commit would copy them into the
// database file and sync it there, holding the one writer connection that
// uploads wait for. The returned function checkpoints instead from a reader
// connection (a passive checkpoint, beside the writer, never blocking it);
// called with restore, it also gives the writer back its threshold.
func deferCheckpoints(app core.App) func(restore bool) {
	writer := app.NonconcurrentDB()
	var threshold int
	if err := writer.NewQuery("PRAGMA wal_autocheckpoint").Row(&threshold); err != nil || threshold <= 0 {
		return func(bool) {} // already off, or not a SQLite writer: leave it
	}
	var off int
	if err := writer.NewQuery("PRAGMA wal_autocheckpoint = 0").Row(&off); err != nil {
		app.Logger().Warn("retention: checkpoints stay on the writer", slog.Any("error", err))
		return func(bool) {}
	}
	return func(restore bool) {
		var busy, frames, copied int
		if err := app.ConcurrentDB().NewQuery("PRAGMA wal_checkpoint(PASSIVE)").Row(&busy, &frames, &copied); err != nil {
			app.Logger().Warn("retention: checkpoint failed", slog.Any("error", err))
		}
		if restore {
			if err := writer.NewQuery("PRAGMA wal_autocheckpoint = " + strconv.Itoa(threshold)).Row(&off); err != nil {
				app.Logger().Error("retention: the writer's checkpoints weren't turned back on", slog.Any("error", err))
			}
		}
	}
}

// usageMark is how far an organization's app usage has expired. Its
// activities are kept for ever, so a run that walked every slot before the
// cutoff would read the organization's whole history, every hour, for years.
type usageMark struct {
	// Before: the app usage of every slot that starts before it is gone
	// (a database date; "" before the first run).
	Before string `json:"before"`
	// Since: apps created from then on may be late uploads (an agent that was
	// offline) of slots before Before; the next run looks for them.
	Since string `json:"since"`
}

// lateUploadMargin is how long before a run starts an app must have been
// created for the run to have seen it: a transaction that began before the
// run may commit after the run read the slots.
const lateUploadMargin = time.Hour

// expireAppUsage deletes the app usage of org's slots that start before
// cutoff. It walks only the slots between the organization's mark and the
// cutoff (what expired since the last run, or everything older when the
// retention was shortened), then the apps uploaded since the last run for
// slots before the mark, and moves the mark only when both are done: a run
// that fails leaves the mark, so the next one redoes its work.
func expireAppUsage(app core.App, org string, cutoff time.Time) (int, error) {
	name := "app_usage:" + org
	var mark usageMark
	if err := readMark(app, name, &mark); err != nil {
		return 0, err
	}
	started, cut := time.Now(), reply.DbDate(cutoff)
	deleted := 0
	if mark.Before < cut {
		n, err := expireSlotsApps(app, org, mark.Before, cut)
		deleted += n
		if err != nil {
			return deleted, err
		}
	}
	if mark.Since != "" {
		n, err := expireLateApps(app, org, mark.Since, min(mark.Before, cut))
		deleted += n
		if err != nil {
			return deleted, err
		}
	}
	next := usageMark{Before: max(mark.Before, cut), Since: reply.DbDate(started.Add(-lateUploadMargin))}
	return deleted, writeMark(app, name, next)
}

// expireSlotsApps deletes the app usage of org's slots that start in [from,
// to). It walks those slots once, in index order, a batch at a time, and
// deletes their apps by slot: a search of app usage by organization would
// read every app the organization still keeps, on every batch.
func expireSlotsApps(app core.App, org, from, to string) (int, error) {
	deleted := 0
	after, afterRow := "", int64(0)
	for {
		var slots []struct {
			ID    string `db:"id"`
			Start string `db:"slot_start"`
			Row   int64  `db:"rowid"`
		}
		err := app.DB().NewQuery(`SELECT [[id]], [[slot_start]], rowid AS [[rowid]] FROM {{activities}}
			WHERE [[org]] = {:org} AND [[slot_start]] >= {:from} AND [[slot_start]] < {:cutoff} AND ([[slot_start]], rowid) > ({:after}, {:row})
			ORDER BY [[slot_start]], rowid LIMIT {:batch}`).
			Bind(dbx.Params{"org": org, "from": from, "cutoff": to, "after": after, "row": afterRow, "batch": config.RetentionBatch}).All(&slots)
		if err != nil {
			return deleted, fmt.Errorf("expired slots of %s: %w", org, err)
		}
		if len(slots) == 0 {
			return deleted, nil
		}
		ids := make([]string, len(slots))
		for i, sl := range slots {
			ids[i] = sl.ID
		}
		n, err := deleteAppsOf(app, ids)
		deleted += n
		if err != nil {
			return deleted, fmt.Errorf("expire app usage of %s: %w", org, err)
		}
		last := slots[len(slots)-1]
		after, afterRow = last.Start, last.Row
		if len(slots) < config.RetentionBatch {
			return deleted, nil
		}
	}
}

// expireLateApps deletes org's apps created since since whose slot starts
// before before, a batch per statement: it reads only the apps uploaded
// since the last run (the index of app usage by organization and creation).
func expireLateApps(app core.App, org, since, before string) (int, error) {
	query := app.DB().NewQuery(lateAppsDelete).Bind(dbx.Params{"org": org, "since": since, "before": before, "batch": config.RetentionBatch})
	deleted := 0
	for {
		res, err := query.Execute()
		if err != nil {
			return deleted, fmt.Errorf("expire late app usage of %s: %w", org, err)
		}
		n, _ := res.RowsAffected()
		deleted += int(n)
		if n < int64(config.RetentionBatch) {
			return deleted, nil
		}
	}
}

const lateAppsDelete = "DELETE FROM {{" + schema.AppUsage + "}} WHERE rowid IN (SELECT u.rowid FROM {{" + schema.AppUsage + "}} u " +
	"JOIN {{" + schema.Activities + "}} a ON a.[[id]] = u.[[" + schema.FieldActivity + "]] " +
	"WHERE u.[[" + schema.FieldOrg + "]] = {:org} AND u.[[" + schema.FieldCreated + "]] >= {:since} " +
	"AND a.[[" + schema.FieldSlotStart + "]] < {:before} LIMIT {:batch})"

// deleteAppsOf deletes the app usage of slots, at most a batch of rows per
// statement however many apps a slot holds, so that no statement keeps the
// database's one writer from uploads for long.
func deleteAppsOf(app core.App, slots []string) (int, error) {
	params := dbx.Params{"batch": config.RetentionBatch}
	marks := make([]string, len(slots))
	for i, id := range slots {
		name := "s" + strconv.Itoa(i)
		params[name], marks[i] = id, "{:"+name+"}"
	}
	query := app.DB().NewQuery(`DELETE FROM {{app_usage}} WHERE rowid IN (SELECT rowid FROM {{app_usage}}
		WHERE [[activity]] IN (` + strings.Join(marks, ", ") + `) LIMIT {:batch})`).Bind(params)
	deleted := 0
	for {
		res, err := query.Execute()
		if err != nil {
			return deleted, err
		}
		n, _ := res.RowsAffected()
		deleted += int(n)
		if n < int64(config.RetentionBatch) {
			return deleted, nil
		}
	}
}

// expireScreenshotRecords deletes up to one batch of expired screenshot
// records, in one statement (its own short transaction), and returns their
// blob keys, still to be deleted. Nothing references a screenshot, so no
// cascade is skipped by deleting in SQL.
func expireScreenshotRecords(app core.App, org string, cutoff time.Time) ([]string, error) {
	var keys []string
	err := app.DB().NewQuery(`DELETE FROM {{screenshots}} WHERE rowid IN (SELECT rowid FROM {{screenshots}}
		WHERE [[org]] = {:org} AND [[taken_at]] < {:cutoff} LIMIT {:batch}) RETURNING [[storage_key]]`).
		Bind(dbx.Params{"org": org, "cutoff": reply.DbDate(cutoff), "batch": config.RetentionBatch}).Column(&keys)
	if err != nil {
		return nil, fmt.Errorf("expire screenshots of %s: %w", org, err)
	}
	return keys, nil
}

// blobPrefix starts every screenshot blob's key (see blobKey).
const blobPrefix = "screenshots/"

// orphanSweepMark is the job mark of the orphan sweep's pass over the store.
const orphanSweepMark = "orphan_sweep"

// sweepPass is where the orphan sweep is in its pass over the blob store.
type sweepPass struct {
	After    string `json:"after"`     // the last key checked; "" starts a pass
	Seen     int    `json:"seen"`      // blobs listed so far in this pass
	LastPass int    `json:"last_pass"` // blobs the last complete pass listed
}

// errSweepBudget ends a run's slice of the sweep's pass.
var errSweepBudget = errors.New("the run's share of the sweep is done")

// sweepOrphans removes screenshot blobs that no record points to and that are
// older than the grace period (younger ones may be uploads in flight). Each
// run checks the next slice of the store in key order (see
// config.DefaultOrphanSweepRuns) and keeps its place in a job mark, so every blob is
// checked once a pass, however often the server restarts. A blob skipped
// as too young is checked by the next pass.
func (s *Server) sweepOrphans(ctx context.Context, app core.App, now time.Time) (removed, listed int, err error) {
	store, err := s.store()
	if err != nil {
		return 0, 0, fmt.Errorf("blob store: %w", err)
	}
	var pass sweepPass
	if err := readMark(app, orphanSweepMark, &pass); err != nil {
		return 0, 0, err
	}
	if pass.LastPass == 0 {
		// No pass has ended yet (a new or upgraded server): size the first
		// one by the screenshots stored, about one blob each, so it too
		// takes a day rather than OrphanSweepMin at a time (130 hours at a
		// million blobs). The largest rowid stands for their count: read
		// from the end of the table, where COUNT(*) would read all of it;
		// it also counts rows deleted since, which only makes the first
		// pass quicker. It is kept in the mark until the pass ends.
		if err := app.DB().Select("COALESCE(MAX(rowid), 0)").From(schema.Screenshots).Row(&pass.LastPass); err != nil {
			return 0, 0, fmt.Errorf("count screenshots for the sweep: %w", err)
		}
	}
	runs := s.cfg.OrphanSweepRuns
	budget := max(s.cfg.OrphanSweepMin, (pass.LastPass+runs-1)/runs)
	var batch []string
	last := pass.After
	flush := func() error {
		n, err := deleteUnreferenced(ctx, app, store, batch)
		removed += n
		batch = batch[:0]
		return err
	}
	err = store.ListAfter(ctx, blobPrefix, pass.After, func(info blobstore.Info) error {
		if listed >= budget {
			return errSweepBudget
		}
		listed++
		last = info.Key
		if now.Sub(info.ModTime) < s.cfg.OrphanGrace || !strings.HasSuffix(info.Key, ".tock") {
			return nil
		}
		batch = append(batch, info.Key)
		if len(batch) >= config.RetentionBatch {
			return flush()
		}
		return nil
	})
	finished := err == nil
	if err != nil && !errors.Is(err, errSweepBudget) {
		return removed, listed, fmt.Errorf("sweep orphans: %w", err)
	}
	if err := flush(); err != nil {
		return removed, listed, err
	}
	if finished {
		pass = sweepPass{LastPass: pass.Seen + listed}
	} else {
		pass.After, pass.Seen = last, pass.Seen+listed
	}
	return removed, listed, writeMark(app, orphanSweepMark, pass)
}

// deleteUnreferenced deletes the blobs of keys that no screenshot record
// points to.
func deleteUnreferenced(ctx context.Context, app core.App, store blobstore.Store, keys []string) (int, error) {
	if len(keys) == 0 {
		return 0, nil
	}
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	var known []string
	err := app.DB().Select(schema.FieldStorageKey).From(schema.Screenshots).
		Where(dbx.In(schema.FieldStorageKey, args...)).Column(&known)
	if err != nil {
		return 0, fmt.Errorf("match blobs to records: %w", err)
	}
	referenced := reply.SetOf(known)
	removed := 0
	for _, k := range keys {
		if referenced[k] {
			continue
		}
		if err := store.Delete(ctx, k); err != nil {
			return removed, fmt.Errorf("delete orphan %s: %w", k, err)
		}
		removed++
	}
	return removed, nil
}

// blobDeleters is how many blobs retention deletes at once: each delete
// waits on the store (a directory sync on disk, a request to S3), not on
// the processor.
const blobDeleters = 8

// deleteBlobs deletes keys, blobDeleters at a time; a blob it can't delete
// is left for the orphan sweep, as deleteBlob does.
func (s *Server) deleteBlobs(ctx context.Context, app core.App, keys []string) {
	if store, err := s.store(); err == nil {
		if batch, ok := store.(blobstore.BatchDeleter); ok && len(keys) > 0 {
			// One directory sync for the batch, not one per blob.
			if err := batch.DeleteAll(ctx, keys); err != nil {
				app.Logger().Warn("blobs left for the orphan sweep", slog.Int("blobs", len(keys)), slog.Any("error", err))
			}
			return
		}
	}
	next := make(chan string)
	var wg sync.WaitGroup
	for range min(blobDeleters, len(keys)) {
		wg.Go(func() {
			for k := range next {
				s.deleteBlob(ctx, app, k)
			}
		})
	}
	for _, k := range keys {
		next <- k
	}
	close(next)
	wg.Wait()
}
