package steady

import (
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"github.com/tock-app/tock/blobstore"
	"github.com/tock-app/tock/hooks"
	"github.com/tock-app/tock/internal/tocktest"
)

// Opened is a copy of the benchmarked fixture (Benchmarked) served by a test
// app whose blob store is an empty directory on local disk.
type Opened struct {
	Shape  Shape
	App    *tests.TestApp
	Server *hooks.Server
	Store  *blobstore.Local
}

// OpenOnLocalDisk opens the benchmarked fixture, made first if need be;
// edit, when given, changes the server's configuration before it starts.
func OpenOnLocalDisk(b *testing.B, edit func(*hooks.Config)) Opened {
	b.Helper()
	shape, dir := Benchmarked()
	fx, err := Fixture(shape, dir)
	if err != nil {
		b.Fatal(err)
	}
	store, err := blobstore.NewLocal(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	cfg := tocktest.Config()
	cfg.Store = store
	if edit != nil {
		edit(&cfg)
	}
	app, srv := fx.AppWith(b, cfg)
	b.Cleanup(app.Cleanup)
	return Opened{Shape: shape, App: app, Server: srv, Store: store}
}
