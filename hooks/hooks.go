package hooks

import (
	"context"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/config"
	"github.com/tock-app/tock/hooks/desktop"
	"github.com/tock-app/tock/hooks/field"
	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/hooks/integrations"
	"github.com/tock-app/tock/hooks/money"
	"github.com/tock-app/tock/hooks/org"
	"github.com/tock-app/tock/hooks/projects"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/hooks/screenshots"
	"github.com/tock-app/tock/hooks/timeoff"
	"github.com/tock-app/tock/hooks/tracking"
	"github.com/tock-app/tock/ingest"
	"github.com/tock-app/tock/migrations"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

// Config is what `tock serve` is told about keys and storage.
type Config = config.Config

// Server holds the domains whose jobs run outside requests: `tock serve`
// checks the master key before it listens, and tests run retention, summaries
// and webhook deliveries at chosen times.
type Server struct {
	shots        *screenshots.Server
	integrations *integrations.Server
}

// Register binds every Tock hook and route to app. It is called once, before
// the app serves, by main and by the test harness alike, so tests exercise
// the real wiring.
func Register(app core.App, cfg Config) *Server {
	cfg = cfg.WithDefaults(app.DataDir())
	s := &Server{shots: screenshots.New(cfg), integrations: integrations.New(cfg)}
	reply.RegisterErrors(app)
	gate.RegisterRuleSync(app)
	matrix := perms.Default()
	z := gate.RegisterAuthorization(app, matrix,
		org.Policies(matrix), projects.Policies(), tracking.Policies(), screenshots.Policies(),
		timeoff.Policies(), field.Policies(), money.Policies(), integrations.Policies())
	org.Register(app)
	gate.RegisterIntegrity(app)
	registerBounds(app, cfg)
	s.shots.Register(app, z)
	tracking.New(cfg).Register(app, z)
	org.RegisterRoutes(app, z)
	desktop.New(cfg).Register(app, z)
	timeoff.New(cfg).Register(app, z)
	field.New(cfg, tracking.CheckTracking).Register(app, z)
	money.New(cfg).Register(app, z)
	registerStatistics(app)
	s.integrations.Register(app, z)
	projects.New(cfg, s.shots).Register(app, z)
	registerWebApp(app)
	return s
}

// CheckMasterKey creates the master key file on first start and checks that
// the key opens the organizations' keys.
func (s *Server) CheckMasterKey(app core.App) error { return s.shots.CheckMasterKey(app) }

// RunRetention deletes what the organizations' retention settings expire and
// sweeps orphan blobs.
func (s *Server) RunRetention(ctx context.Context, app core.App, now time.Time) (screenshots.RetentionReport, error) {
	return s.shots.RunRetention(ctx, app, now)
}

// SendSummaries sends the work summary e-mails that are due at now.
func (s *Server) SendSummaries(ctx context.Context, app core.App, now time.Time) (int, error) {
	return s.integrations.SendSummaries(ctx, app, now)
}

// DeliverWebhooks attempts the webhook deliveries that are due at now.
func (s *Server) DeliverWebhooks(ctx context.Context, app core.App, now time.Time) (int, error) {
	return s.integrations.DeliverWebhooks(ctx, app, now)
}

// bodyLimits are the routes whose bodies may exceed api.DefaultBodyBytes.
func bodyLimits(cfg Config) map[string]int64 {
	return map[string]int64{
		ingest.ScreenshotsRoute: screenshots.UploadLimit(cfg),
		ingest.ActivitiesRoute:  ingest.MaxActivityBytes,
		api.LocationsRoute:      api.MaxLocationBodyBytes,
	}
}

// registerBounds binds the body limits of Tock's routes and the e-mail
// length check of every Tock collection.
func registerBounds(app core.App, cfg Config) {
	limits := bodyLimits(cfg)
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		e.Router.BindFunc(func(re *core.RequestEvent) error { return reply.LimitBody(re, limits) })
		return e.Next()
	})
	names := []string{schema.Users}
	for name := range migrations.AccessOf() {
		names = append(names, name)
	}
	app.OnRecordValidate(names...).BindFunc(reply.CheckEmailLengths)
}
