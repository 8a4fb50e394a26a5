package timeoff

import (
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/config"
	"github.com/tock-app/tock/hooks/gate"
)

// Server is what the timeoff routes are told: the slot length, to count hours.
type Server struct {
	cfg config.Config
}

// New returns the timeoff domain for cfg (with its defaults applied).
func New(cfg config.Config) *Server { return &Server{cfg: cfg} }

// Register binds the routes and record hooks of time off, holidays, balances, schedules and attendance.
func (s *Server) Register(app core.App, z *gate.Authorizer) { s.registerTimeOff(app, z) }
