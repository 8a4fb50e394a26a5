package money

import (
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/config"
	"github.com/tock-app/tock/hooks/gate"
)

// Server is what the money routes are told: the slot length, to count hours.
type Server struct {
	cfg config.Config
}

// New returns the money domain for cfg (with its defaults applied).
func New(cfg config.Config) *Server { return &Server{cfg: cfg} }

// Register binds the routes and record hooks of rates, invoices and payroll.
func (s *Server) Register(app core.App, z *gate.Authorizer) { s.registerMoney(app, z) }
