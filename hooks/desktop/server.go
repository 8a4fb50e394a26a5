package desktop

import (
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/config"
	"github.com/tock-app/tock/hooks/gate"
)

// Server is what the desktop routes are told: where the release's archives
// are and the build's version, with the archives' checksums kept once read.
type Server struct {
	cfg  config.Config
	sums sumCache // SHA-256 of the downloads, by file
	// wrong counts refused enrolment codes per address (enrol_limit.go).
	wrong wrongCodes
}

// New returns the desktop domain for cfg (with its defaults applied).
func New(cfg config.Config) *Server { return &Server{cfg: cfg} }

// Register binds enrolment codes, enrolment and the downloads.
func (s *Server) Register(app core.App, z *gate.Authorizer) {
	s.registerEnrol(app, z)
	s.registerDownloads(app)
}
