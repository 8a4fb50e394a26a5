package field

import (
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/config"
	"github.com/tock-app/tock/hooks/gate"
)

// Server is what the field routes are told: the slot length and clock skew,
// and whether a member's time tracking is on.
type Server struct {
	cfg           config.Config
	checkTracking TrackingCheck
}

// TrackingCheck refuses a member of org whose time tracking is off: the
// tracking domain decides, and locations follow it.
type TrackingCheck func(app core.App, org *core.Record, user string) error

// New returns the field domain for cfg (with its defaults applied).
func New(cfg config.Config, checkTracking TrackingCheck) *Server {
	return &Server{cfg: cfg, checkTracking: checkTracking}
}

// Register binds the routes and record hooks of locations, job sites, visits and work orders.
func (s *Server) Register(app core.App, z *gate.Authorizer) { s.registerField(app, z) }
