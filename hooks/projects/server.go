package projects

import (
	"context"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/blobstore"
	"github.com/tock-app/tock/hooks/config"
	"github.com/tock-app/tock/hooks/gate"
)

// Sealed is what moving a project to another organization needs of the
// screenshots domain: its store, the source organization's private keys, and
// the removal of blobs left behind, and where new blobs go.
type Sealed interface {
	Store() (blobstore.Store, error)
	PrivateKey(app core.App, org, keyID string) ([32]byte, error)
	DeleteBlob(ctx context.Context, app core.App, key string)
	// BlobKey names where a screenshot's blob is stored.
	BlobKey(org string, takenAt time.Time, clientID string) string
}

// Server is what the project routes are told: the slot length and the
// screenshots a transfer moves.
type Server struct {
	cfg   config.Config
	shots Sealed
}

// New returns the projects domain for cfg (with its defaults applied).
func New(cfg config.Config, shots Sealed) *Server { return &Server{cfg: cfg, shots: shots} }

// Register binds the transfer between organizations and project creation.
func (s *Server) Register(app core.App, z *gate.Authorizer) {
	s.registerTransfer(app, z)
	s.registerProjectCreation(app, z)
}
