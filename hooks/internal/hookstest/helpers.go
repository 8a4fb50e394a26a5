package hookstest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

func AuditCount(t testing.TB, app core.App, action string) int {
	return Count(t, app, schema.AuditLog, "action = {:a}", map[string]any{"a": action})
}

// PlantTime stores seconds of a member's time in the slot at start.
func PlantTime(t testing.TB, app core.App, user, project string, start time.Time, seconds int, source string) {
	t.Helper()
	c, err := app.FindCollectionByNameOrId(schema.Activities)
	if err != nil {
		t.Fatal(err)
	}
	r := core.NewRecord(c)
	for k, v := range map[string]any{"org": tt.Acme, "user": user, "project": project, "slot_start": start.UTC(),
		"tracked_seconds": seconds, "active_seconds": seconds / 2, "source": source} {
		r.Set(k, v)
	}
	if err := app.Save(r); err != nil {
		t.Fatalf("plant time: %v", err)
	}
}

// SetFields changes a record directly, as its owner would in the admin UI.
func SetFields(t testing.TB, app core.App, collection, id string, fields map[string]any) {
	t.Helper()
	r, err := app.FindRecordById(collection, id)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range fields {
		r.Set(k, v)
	}
	if err := app.Save(r); err != nil {
		t.Fatalf("set %v on %s: %v", fields, id, err)
	}
}

// Point is one upload point as JSON; zero fields are left out where asked.
func Point(id string, at time.Time, lat, lng float64, extra string) string {
	return fmt.Sprintf(`{"client_id":%q,"recorded_at":%q,"lat":%v,"lng":%v,"accuracy_m":8%s}`, id, at.Format(time.RFC3339Nano), lat, lng, extra)
}

func Batch(points ...string) string { return `{"points":[` + strings.Join(points, ",") + `]}` }

func ManualBody(user, project string, start, end time.Time, note string) string {
	return fmt.Sprintf(`{"user":%q,"project":%q,"start":%q,"end":%q,"note":%q}`,
		user, project, start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339), note)
}

func ManualCount(t testing.TB, app core.App, user string) int {
	return Count(t, app, schema.Activities, "user = {:u} AND source = 'manual'", map[string]any{"u": user})
}

// Seeded returns the matrix fixture and a factory of apps on it, for
// scenarios whose request headers are built before they run.
func Seeded(t testing.TB) (*tt.Fixture, func(testing.TB) *tests.TestApp) {
	t.Helper()
	fx, err := MatrixFixture()
	if err != nil {
		t.Fatal(err)
	}
	return fx, func(t testing.TB) *tests.TestApp { return fx.App(t) }
}

// OrgURL fills an /api/tock/orgs/{org}/... route.
func OrgURL(route, org string) string { return strings.Replace(route, "{org}", org, 1) }

// Decoded reads a JSON answer into a value of T, failing on null lists: the
// web app is promised lists it never has to test for null.
func Decoded[T any](t testing.TB, res *http.Response) T {
	t.Helper()
	var v T
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read answer: %v", err)
	}
	if strings.Contains(string(body), "null") {
		t.Errorf("answer holds a null: %s", body)
	}
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return v
}

func MustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Act is one activity a report test plants.
type Act struct {
	Org   string
	User, // Acme when empty
	Project, Task string
	Start           time.Time
	Tracked, Active int
	Manual          bool
}

// Plant inserts activities straight in SQL, in one transaction: the report
// reads what is stored, however it got there.
func Plant(t testing.TB, app core.App, acts ...Act) {
	t.Helper()
	err := app.RunInTransaction(func(tx core.App) error {
		for i, a := range acts {
			source := "tracked"
			if a.Manual {
				source = "manual"
			}
			id := fmt.Sprintf("rp%013d", i)
			_, err := tx.DB().Insert(schema.Activities, dbx.Params{
				"id": id, "org": CmpOr(a.Org, tt.Acme), "project": a.Project, "task": a.Task, "user": a.User,
				"slot_start": a.Start.UTC().Format("2006-01-02 15:04:05.000Z"), "tracked_seconds": a.Tracked,
				"keyboard_seconds": 0, "mouse_seconds": 0, "active_seconds": a.Active, "source": source,
				"client_id": id, "created": "2026-01-01 00:00:00.000Z", "updated": "2026-01-01 00:00:00.000Z",
			}).Execute()
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("plant activities: %v", err)
	}
}

// Run is a whole day of slots for user in project from start.
func Run(user, project string, start time.Time, slots int) []Act {
	var out []Act
	for i := range slots {
		out = append(out, Act{User: user, Project: project, Start: start.Add(time.Duration(i) * 10 * time.Minute), Tracked: 600, Active: 300})
	}
	return out
}

func Deref(p *string) string {
	if p == nil {
		return "<absent>"
	}
	return *p
}

func CmpOr(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// Sha256Hex is the hex SHA-256 of s, as tokens and downloads are checked by.
func Sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
