package integrations

import (
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/config"
	"github.com/tock-app/tock/hooks/gate"
)

// Server holds the webhook outbox's worker and what the deliveries and the
// summaries are told (HTTP client, private addresses, slot length).
type Server struct {
	cfg    config.Config
	outbox *webhookWorker // webhook deliveries
}

// New returns the integrations domain for cfg (with its defaults applied).
func New(cfg config.Config) *Server { return &Server{cfg: cfg} }

// Register binds webhooks and work summary e-mails.
func (s *Server) Register(app core.App, z *gate.Authorizer) {
	s.registerWebhooks(app, z)
	s.registerSummaries(app, z)
}
