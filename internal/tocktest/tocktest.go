// Package tocktest builds real Tock apps for tests: the real migrations and
// hooks on a fresh SQLite data directory, seeded with known organizations.
package tocktest

import (
	"fmt"
	"os"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"github.com/tock-app/tock/hooks"
	"github.com/tock-app/tock/migrations/schema"
)

// Password is every seeded user's password.
const Password = "correct-horse-battery"

// MasterKey is the test servers' master key (base64 of 32 bytes).
const MasterKey = "dG9jay10ZXN0LW1hc3Rlci1rZXktMzItYnl0ZXMhISE="

// Config is the hooks configuration of test apps: the test master key and
// local storage inside each app's own data directory.
func Config() hooks.Config { return hooks.Config{MasterKey: MasterKey, Storage: "local"} }

// Fixture is a migrated, seeded data directory that each test clones, so a
// test never pays for migrations and never sees another test's writes.
type Fixture struct {
	dir    string
	tokens map[string]string // user id -> auth token
	kept   bool              // opened, not made: Close leaves it
}

// NewFixture migrates a fresh data directory and lets seed fill it.
func NewFixture(seed func(app core.App) error) (*Fixture, error) {
	dir, err := os.MkdirTemp("", "tock-fixture-")
	if err != nil {
		return nil, fmt.Errorf("fixture dir: %w", err)
	}
	app, err := tests.NewTestApp(dir)
	if err != nil {
		return nil, fmt.Errorf("fixture app: %w", err)
	}
	// NewTestApp works on a clone; seed and keep that clone.
	defer app.Cleanup()
	hooks.Register(app, Config())
	if seed != nil {
		if err := seed(app); err != nil {
			return nil, fmt.Errorf("seed: %w", err)
		}
	}
	f := &Fixture{}
	if f.tokens, err = authTokens(app); err != nil {
		return nil, err
	}
	// The clone lives in app.DataDir(); copy it out before Cleanup removes it.
	f.dir, err = tests.TempDirClone(app.DataDir())
	if err != nil {
		return nil, fmt.Errorf("keep fixture: %w", err)
	}
	return f, nil
}

// OpenFixture uses a data directory a fixture was kept in before (by another
// test process, say); it is cloned like any fixture, never written, and not
// removed by Close.
func OpenFixture(dir string) (*Fixture, error) {
	app, err := tests.NewTestApp(dir)
	if err != nil {
		return nil, fmt.Errorf("fixture app: %w", err)
	}
	defer app.Cleanup()
	tokens, err := authTokens(app)
	if err != nil {
		return nil, err
	}
	return &Fixture{dir: dir, tokens: tokens, kept: true}, nil
}

// authTokens signs a token for every user of app.
func authTokens(app core.App) (map[string]string, error) {
	users, err := app.FindAllRecords(schema.Users)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	tokens := make(map[string]string, len(users))
	for _, u := range users {
		token, err := u.NewAuthToken()
		if err != nil {
			return nil, fmt.Errorf("token for %s: %w", u.Id, err)
		}
		tokens[u.Id] = token
	}
	return tokens, nil
}

// Dir is the fixture's data directory (clone it, never write to it).
func (f *Fixture) Dir() string { return f.dir }

// Close removes the fixture's directory (not one OpenFixture opened).
func (f *Fixture) Close() error {
	if f.kept {
		return nil
	}
	return os.RemoveAll(f.dir)
}

// App returns a fresh app on a private copy of the fixture, with Tock's hooks
// registered; the copy is removed when the test ends.
func (f *Fixture) App(t testing.TB) *tests.TestApp {
	t.Helper()
	app, _ := f.AppWith(t, Config())
	return app
}

// AppWith is App with another hooks configuration; it also returns the
// registered server, for its jobs.
func (f *Fixture) AppWith(t testing.TB, cfg hooks.Config) (*tests.TestApp, *hooks.Server) {
	t.Helper()
	app, err := tests.NewTestApp(f.dir)
	if err != nil {
		t.Fatalf("test app: %v", err)
	}
	return app, hooks.Register(app, cfg)
}

// Token returns the Authorization header value of a seeded user.
func (f *Fixture) Token(t testing.TB, userID string) string {
	t.Helper()
	token, ok := f.tokens[userID]
	if !ok {
		t.Fatalf("no seeded user %q", userID)
	}
	return token
}

// Auth returns the request headers that authenticate as a seeded user.
func (f *Fixture) Auth(t testing.TB, userID string) map[string]string {
	return map[string]string{"Authorization": f.Token(t, userID)}
}
