package tracking

import (
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/config"
	"github.com/tock-app/tock/hooks/gate"
)

// Server is what the tracking routes are told: the slot length and clock skew.
type Server struct {
	cfg config.Config
}

// New returns the tracking domain for cfg (with its defaults applied).
func New(cfg config.Config) *Server { return &Server{cfg: cfg} }

// Register binds the agent's activity upload and the time routes.
func (s *Server) Register(app core.App, z *gate.Authorizer) {
	s.registerIngest(app, z)
	s.registerReassign(app, z)
	s.registerReports(app, z)
	s.registerAppsReport(app, z)
	s.registerBreaks(app, z)
	s.registerDashboards(app, z)
	s.registerTime(app, z)
}
