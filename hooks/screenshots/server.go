package screenshots

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/blobstore"
	"github.com/tock-app/tock/hooks/config"
	"github.com/tock-app/tock/hooks/gate"
)

// Server holds the screenshots' runtime state: the master key and the blob
// store, each opened on first use so that commands other than serve touch
// neither, and the organizations' unwrapped keys.
type Server struct {
	cfg    config.Config
	master func() ([32]byte, error)
	store  func() (blobstore.Store, error)
	keys   *keyCache // organizations' unwrapped keys, in memory only
	// buffers hold uploads' envelopes while they are checked and stored.
	buffers sync.Pool
	// readers buffer uploads' bodies as they come off the connection.
	readers sync.Pool
}

// New returns the screenshots domain for cfg (with its defaults applied).
func New(cfg config.Config) *Server {
	s := &Server{cfg: cfg, keys: newKeyCache()}
	s.master = sync.OnceValues(func() ([32]byte, error) {
		return loadMasterKey(cfg.MasterKey, cfg.MasterKeyFile)
	})
	s.store = sync.OnceValues(func() (blobstore.Store, error) {
		if cfg.Store != nil {
			return cfg.Store, nil
		}
		switch cfg.Storage {
		case "local":
			return blobstore.NewLocal(cfg.LocalDir)
		case "s3":
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			return blobstore.NewS3(ctx, cfg.S3)
		}
		return nil, fmt.Errorf("unknown storage %q: use local or s3", cfg.Storage)
	})
	return s
}

// Register binds the key routes, the agent's screenshot upload, viewing
// (the gallery too), deletion and retention.
func (s *Server) Register(app core.App, z *gate.Authorizer) {
	s.registerKeys(app, z)
	s.registerScreenshotIngest(app, z)
	s.registerView(app, z)
	s.registerGallery(app, z)
	s.registerDeletions(app)
	s.registerRetention(app)
}

// Store is the blob store, opened on first use.
func (s *Server) Store() (blobstore.Store, error) { return s.store() }

// PrivateKey is the private key keyID of org, unwrapped with the master key.
func (s *Server) PrivateKey(app core.App, org, keyID string) ([32]byte, error) {
	return s.privateKey(app, org, keyID)
}

// DeleteBlob removes a blob whose record is gone; a failure leaves it to the
// orphan sweep.
func (s *Server) DeleteBlob(ctx context.Context, app core.App, key string) {
	s.deleteBlob(ctx, app, key)
}

// BlobKey names where a screenshot's blob is stored.
func (s *Server) BlobKey(org string, takenAt time.Time, clientID string) string {
	return blobKey(org, takenAt, clientID)
}
