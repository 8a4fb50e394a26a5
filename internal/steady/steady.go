// Package steady fills a Tock database with the history an organization has
// after months of use, straight in SQL (not through the API), so benchmarks
// measure Tock at steady state rather than on an empty or freshly seeded
// database: members × days × 8 hours of 10-minute slots, each with its
// activity, three screenshots and two apps, and a timesheet per member and
// week. Dates are relative to now (yesterday back), and the organization keeps
// them longer than they span, so the hourly retention job leaves them alone.
package steady

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/blobstore"
	"github.com/tock-app/tock/hooks"
	"github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

// Ids of the steady-state organization. Member 0 is its owner, member 1 a
// manager (who sees everyone's screenshots), the rest are users; all are on
// the one project.
const (
	Org     = "orgsteady000001"
	Project = "prjsteady000001"
	// RetentionDays is the organization's retention: longer than any
	// history Fill writes, so nothing expires unless a benchmark asks.
	RetentionDays = 120
	// Hours a day are worked, from 09:00 UTC; Shots per 10-minute slot.
	Hours = 8
	Shots = 3
)

// Member is the id of member i (0: owner, 1: manager, others: users).
func Member(i int) string { return fmt.Sprintf("usrst%010d", i) }

// Shape is how much history Fill writes: Members people, each working Days
// days back from yesterday.
type Shape struct {
	Members, Days int
}

// Slots is how many 10-minute slots a shape holds.
func (s Shape) Slots() int { return s.Members * s.Days * Hours * 6 }

// Day returns the UTC midnight that starts day d of the history (0: yesterday,
// Days-1: the oldest).
func Day(now time.Time, d int) time.Time {
	return now.UTC().Truncate(24*time.Hour).AddDate(0, 0, -1-d)
}

// SlotStart is the start of slot k (0..Hours*6-1) of day.
func SlotStart(day time.Time, k int) time.Time {
	return day.Add(9*time.Hour + time.Duration(k)*10*time.Minute)
}

// Fill creates the organization, its members and project through the app
// (so their hooks run: keys, memberships' organizations on users), then
// writes the history in SQL.
func Fill(app core.App, shape Shape, now time.Time) error {
	if err := people(app, shape.Members); err != nil {
		return err
	}
	err := app.RunInTransaction(func(tx core.App) error {
		for d := 0; d < shape.Days; d++ {
			if err := history(tx, shape.Members, now, d); err != nil {
				return err
			}
		}
		return timesheets(tx, shape, now)
	})
	if err != nil {
		return err
	}
	// What Tock's hourly statistics job would have gathered by now.
	if err := hooks.RefreshStatistics(app); err != nil {
		return err
	}
	// Into the database file, so each copy of the fixture copies it once.
	_, err = app.NonconcurrentDB().NewQuery("PRAGMA wal_checkpoint(TRUNCATE)").Execute()
	return err
}

// people makes the users (in SQL, sharing one password hash: hashing each
// costs a bcrypt), the organization, the project and the memberships.
func people(app core.App, members int) error {
	s := &tocktest.Seeder{App: app}
	first := s.User(Member(0))
	if s.Err() != nil {
		return s.Err()
	}
	var hash string // the record hides it: read it from its row
	if err := app.DB().Select("password").From(schema.Users).Where(dbx.HashExp{"id": first.Id}).Row(&hash); err != nil {
		return fmt.Errorf("password of %s: %w", first.Id, err)
	}
	now := dbDate(time.Now())
	ins := app.DB().NewQuery(`INSERT INTO users (id, email, password, tokenKey, verified, name, created, updated)
		VALUES ({:id}, {:email}, {:password}, {:token}, 1, {:id}, {:now}, {:now})`).Prepare()
	defer ins.Close()
	for i := 1; i < members; i++ {
		id := Member(i)
		if _, err := ins.Bind(dbx.Params{"id": id, "email": id + "@example.test", "password": hash,
			"token": "tk" + id + strconv.Itoa(i), "now": now}).Execute(); err != nil {
			return fmt.Errorf("user %s: %w", id, err)
		}
	}
	s.Org(Org, "Steady", map[string]any{"retention_days": RetentionDays})
	s.Member("mbr"+Member(0)[3:], Org, Member(0), "owner")
	s.Create(schema.Projects, Project, map[string]any{"org": Org, "name": "Product"})
	for i := 1; i < members; i++ {
		role := "user"
		if i == 1 {
			role = "manager"
		}
		s.Member("mbr"+Member(i)[3:], Org, Member(i), role)
		s.Create(schema.ProjectMembers, "pmm"+Member(i)[3:], map[string]any{"org": Org, "project": Project, "user": Member(i), "role": "user"})
	}
	if s.Err() != nil {
		return s.Err()
	}
	// Every manager may see screenshots, as the list benchmarks ask.
	_, err := app.DB().NewQuery("UPDATE organizations SET managers_view_screenshots = 1 WHERE id = {:org}").
		Bind(dbx.Params{"org": Org}).Execute()
	return err
}

// history writes one day of every member: slots with their screenshots and apps.
func history(tx core.App, members int, now time.Time, d int) error {
	day := Day(now, d)
	stamp := dbDate(time.Now())
	act := tx.DB().NewQuery(`INSERT INTO activities (id, org, project, user, slot_start, tracked_seconds,
		keyboard_seconds, mouse_seconds, active_seconds, source, client_id, created, updated)
		VALUES ({:id}, {:org}, {:project}, {:user}, {:slot}, 600, 200, 250, {:active}, 'tracked', {:id}, {:now}, {:now})`).Prepare()
	defer act.Close()
	shot := tx.DB().NewQuery(`INSERT INTO screenshots (id, org, project, user, activity, taken_at, screen, width, height,
		size, sha256, key_id, storage_key, client_id, created, updated)
		VALUES ({:id}, {:org}, {:project}, {:user}, {:act}, {:taken}, 0, 1920, 1080, 200000, {:sha}, 'steady', {:key}, {:client}, {:now}, {:now})`).Prepare()
	defer shot.Close()
	// Apps are created when their slot is uploaded, as an agent's are: the
	// retention job looks for apps created since its last run.
	usage := tx.DB().NewQuery(`INSERT INTO app_usage (id, org, project, user, activity, app, title, url, seconds, created, updated)
		VALUES ({:id}, {:org}, {:project}, {:user}, {:act}, {:app}, {:title}, {:url}, 300, {:uploaded}, {:uploaded})`).Prepare()
	defer usage.Close()
	sha := hex.EncodeToString(make([]byte, sha256.Size))
	for u := 0; u < members; u++ {
		user := Member(u)
		for k := 0; k < Hours*6; k++ {
			slot := SlotStart(day, k)
			// Ids are 15 characters of [a-z0-9], as PocketBase's are.
			id := fmt.Sprintf("a%03d%02d%05d0000", d, k, u)
			p := dbx.Params{"id": id, "org": Org, "project": Project, "user": user, "slot": dbDate(slot), "active": 300 + k*5, "now": stamp}
			if _, err := act.Bind(p).Execute(); err != nil {
				return fmt.Errorf("activity %s: %w", id, err)
			}
			for n := 0; n < Shots; n++ {
				taken := slot.Add(time.Duration(100+200*n) * time.Second)
				sid, client := shotIDs(d, k, n, u)
				key := "screenshots/" + Org + "/" + slot.Format("2006-01-02") + "/" + client + ".tock"
				sp := dbx.Params{"id": sid, "client": client, "org": Org, "project": Project, "user": user, "act": id, "taken": dbDate(taken), "sha": sha, "key": key, "now": stamp}
				if _, err := shot.Bind(sp).Execute(); err != nil {
					return fmt.Errorf("screenshot %s: %w", sid, err)
				}
			}
			for n, name := range []string{"editor", "browser"} {
				uid := fmt.Sprintf("u%03d%02d%d%05d000", d, k, n, u)
				up := dbx.Params{"id": uid, "org": Org, "project": Project, "user": user, "act": id, "app": name,
					"title": "Work " + strconv.Itoa(k), "url": "https://example.test/" + strconv.Itoa(k), "uploaded": dbDate(slot.Add(10 * time.Minute))}
				if _, err := usage.Bind(up).Execute(); err != nil {
					return fmt.Errorf("app usage %s: %w", uid, err)
				}
			}
		}
	}
	return nil
}

// shotIDs are screenshot n's record id and client id in slot k of day d of
// member u: scattered over their ranges, as PocketBase's random record ids
// and the agents' hashed client ids are, so each index over them holds the
// fixture's rows spread out as an installation's are, not in one run of
// neighbouring pages that new rows would always land next to.
func shotIDs(d, k, n, u int) (id, client string) {
	sum := sha256.Sum256(fmt.Appendf(nil, "steady\x00%d\x00%d\x00%d\x00%d", d, k, n, u))
	b := make([]byte, 15)
	for i := range b {
		b[i] = idAlphabet[int(sum[16+i])%len(idAlphabet)]
	}
	return string(b), "s-" + hex.EncodeToString(sum[:16])
}

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// timesheets gives every member an approved timesheet per week of history.
func timesheets(tx core.App, shape Shape, now time.Time) error {
	q := tx.DB().NewQuery(`INSERT INTO timesheets (id, org, user, period_start, period_end, status, tracked_seconds, created, updated)
		VALUES ({:id}, {:org}, {:user}, {:start}, {:end}, 'approved', {:tracked}, {:now}, {:now})`).Prepare()
	defer q.Close()
	stamp := dbDate(time.Now())
	for w := 0; w*7 < shape.Days; w++ {
		end := Day(now, w*7)
		start := end.AddDate(0, 0, -6)
		for u := 0; u < shape.Members; u++ {
			id := fmt.Sprintf("t%03d%011d", w, u)
			p := dbx.Params{"id": id, "org": Org, "user": Member(u), "start": dbDate(start), "end": dbDate(end),
				"tracked": 7 * Hours * 3600, "now": stamp}
			if _, err := q.Bind(p).Execute(); err != nil {
				return fmt.Errorf("timesheet %s: %w", id, err)
			}
		}
	}
	return nil
}

// version names what Fill writes and the schema it writes into, beyond the
// count of migrations: raise it when either changes, so no process opens a
// fixture kept by an older one.
const version = 5

// Fixture returns a fixture of shape, made at most once a day for the
// schema it was made with: kept under dir (the system's temporary directory
// when empty) and opened again by later test processes, since making a
// million rows takes minutes.
func Fixture(shape Shape, dir string) (*tocktest.Fixture, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	now := time.Now().UTC()
	name := fmt.Sprintf("tock-steady-%dx%d-%s-m%d-v%d", shape.Members, shape.Days, now.Format("20060102"), len(core.AppMigrations.Items()), version)
	path := filepath.Join(dir, name)
	// Yesterday's fixtures, and those of an older schema, go once unused for a day.
	tocktest.PruneKept(dir, func(n string) bool { return strings.HasPrefix(n, "tock-steady-") }, name, now)
	if _, err := os.Stat(filepath.Join(path, "data.db")); err == nil {
		return tocktest.OpenFixture(path)
	}
	fx, err := tocktest.NewFixture(func(app core.App) error { return Fill(app, shape, now) })
	if err != nil {
		return nil, fmt.Errorf("steady fixture %s: %w", name, err)
	}
	// Kept for the next process: renamed whole, so a half-made one is never opened.
	if err := os.Rename(fx.Dir(), path); err != nil {
		return fx, nil // another process kept one first; use ours
	}
	return tocktest.OpenFixture(path)
}

func dbDate(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000Z") }

// Benchmarked is the shape the steady-state benchmarks run on: 90 days of
// TOCK_STEADY_MEMBERS members (100 unless set: about 1.3 million
// screenshots; 1000 on demand), kept in TOCK_STEADY_DIR (the temporary
// directory unless set).
func Benchmarked() (Shape, string) {
	members := 100
	if n, err := strconv.Atoi(os.Getenv("TOCK_STEADY_MEMBERS")); err == nil && n > 1 {
		members = n
	}
	return Shape{Members: members, Days: 90}, os.Getenv("TOCK_STEADY_DIR")
}

// Blobs writes a blob for every screenshot of day into the local store
// (plain writes, without the store's syncs: this is a benchmark's setup) and
// returns their keys, so that retention has files to delete.
func Blobs(app core.App, store *blobstore.Local, day time.Time) ([]string, error) {
	var keys []string
	err := app.DB().Select("storage_key").From(schema.Screenshots).
		Where(dbx.NewExp("org = {:org} AND taken_at >= {:from} AND taken_at < {:to}",
			dbx.Params{"org": Org, "from": dbDate(day), "to": dbDate(day.Add(24 * time.Hour))})).
		Column(&keys)
	if err != nil {
		return nil, fmt.Errorf("screenshots of %s: %w", day.Format(time.DateOnly), err)
	}
	for _, k := range keys {
		path := filepath.Join(store.Dir(), filepath.FromSlash(k))
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("blob %s: %w", k, err)
		}
		if err := os.WriteFile(path, []byte("sealed"), 0o600); err != nil {
			return nil, fmt.Errorf("blob %s: %w", k, err)
		}
	}
	return keys, nil
}

// EveryBlob writes an empty file for every screenshot of the organization
// into the local store (a benchmark's setup: the orphan sweep reads names and
// dates, not bytes, and 1.3 million empty files take inodes, not blocks) and
// says how many it wrote.
func EveryBlob(app core.App, store *blobstore.Local) (int, error) {
	rows, err := app.DB().Select("storage_key").From(schema.Screenshots).
		Where(dbx.HashExp{"org": Org}).OrderBy("storage_key").Rows()
	if err != nil {
		return 0, fmt.Errorf("screenshots of %s: %w", Org, err)
	}
	defer rows.Close()
	n, made := 0, map[string]bool{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return n, fmt.Errorf("screenshot key: %w", err)
		}
		path := filepath.Join(store.Dir(), filepath.FromSlash(k))
		if dir := filepath.Dir(path); !made[dir] {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return n, fmt.Errorf("blob %s: %w", k, err)
			}
			made[dir] = true
		}
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			return n, fmt.Errorf("blob %s: %w", k, err)
		}
		n++
	}
	return n, rows.Err()
}
