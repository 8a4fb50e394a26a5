// Command tock is a self-hosted time tracker with encrypted screenshots.
// `tock serve` runs the server; `tock superuser` manages its operators.
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/cmd"
	"github.com/spf13/cobra"

	_ "time/tzdata" // organization time zones must resolve on any host, Windows included

	"github.com/tock-app/tock/agent"
	"github.com/tock-app/tock/blobstore"
	"github.com/tock-app/tock/hooks"
	_ "github.com/tock-app/tock/migrations"
)

// envVar documents one TOCK_* environment variable and the flag it sets.
type envVar struct {
	name, flag, help string
}

func environment() []envVar {
	return []envVar{
		{"TOCK_DIR", "--dir", "data directory (SQLite database and local files)"},
		{"TOCK_HTTP", "serve --http", "address the HTTP server listens on"},
		{"TOCK_MASTER_KEY", "", "base64 32-byte key wrapping organizations' screenshot keys (else the key file)"},
		{"TOCK_MASTER_KEY_FILE", "--master-key-file", "master key file, created 0600 on first start (default: beside the data dir)"},
		{"TOCK_STORAGE", "--storage", "where encrypted screenshots go: local or s3"},
		{"TOCK_LOCAL_DIR", "--local-dir", "local screenshot directory (default <data dir>/screenshots)"},
		{"TOCK_S3_ENDPOINT", "--s3-endpoint", "S3 endpoint host:port"},
		{"TOCK_S3_BUCKET", "--s3-bucket", "S3 bucket (created if missing)"},
		{"TOCK_S3_REGION", "--s3-region", "S3 region (default us-east-1)"},
		{"TOCK_S3_ACCESS_KEY", "--s3-access-key", "S3 access key"},
		{"TOCK_S3_SECRET_KEY", "", "S3 secret key (environment only: never on a command line)"},
		{"TOCK_S3_TLS", "--s3-tls", "use TLS to reach S3 (default true)"},
		{"TOCK_SLOT_SECONDS", "", "tests only: activity slot length (default 600)"},
		{"TOCK_DOWNLOADS", "--downloads", "release directory (make release) whose agent archives the web app offers"},
		{"TOCK_WEBHOOKS_ALLOW_PRIVATE", "--webhooks-allow-private", "let webhooks reach loopback, LAN and link-local addresses (default false)"},
	}
}

func main() {
	// The agent runs on employees' machines: it must never bootstrap a
	// server (PocketBase would create a data directory), so it is dispatched
	// before PocketBase exists, and it tells its errors in plain sentences.
	if len(os.Args) > 1 && os.Args[1] == "agent" {
		os.Exit(agent.Main(os.Args[1:]))
	}
	// Opened from the desktop (the file the web app offered, double-clicked):
	// the employee's app, not the server. Cobra's "this is a command line
	// tool" message for Explorer is off for it.
	if len(os.Args) == 1 && agent.OpenedFromDesktop() {
		cobra.MousetrapHelpText = ""
		os.Exit(agent.Main([]string{"agent", "run", "--install"}))
	}
	// One plain line on stderr: what failed and, for a bad master key, how
	// to fix it (cobra's own "Error:" printing is silenced below).
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "tock:", err)
		os.Exit(1)
	}
}

func run() error {
	app := pocketbase.NewWithConfig(pocketbase.Config{
		DefaultDataDir: os.Getenv("TOCK_DIR"),
		DBConnect:      durableDBConnect,
	})
	app.RootCmd.Use = "tock"
	app.RootCmd.Short = "Tock: self-hosted time tracking with encrypted screenshots"
	app.RootCmd.Long = app.RootCmd.Short + "\n\n" + environmentHelp()
	app.RootCmd.SilenceErrors = true
	app.RootCmd.Version = version

	cfg, err := storageFlags(app.RootCmd)
	if err != nil {
		return err
	}
	// Parsed now, as PocketBase parses --dir, so the hooks get their
	// configuration before any command runs.
	_ = app.RootCmd.ParseFlags(os.Args[1:])
	srv := hooks.Register(app, *cfg)

	serve := cmd.NewServeCommand(app, true)
	// The master key is created or checked before migrations and before the
	// server listens: a server that can't wrap or unwrap keys must not start.
	serve.PreRunE = func(*cobra.Command, []string) error { return srv.CheckMasterKey(app) }
	serve.Long = "Starts the Tock server: web app at /, REST API at /api/, admin UI at /_/.\n" +
		"Migrations run on start; data lives in --dir (default pb_data next to the binary).\n\n" +
		environmentHelp()
	if err := flagDefaultsFromEnv(serve); err != nil {
		return err
	}
	// Listed for `tock --help`; never run from here (see above).
	app.RootCmd.AddCommand(serve, cmd.NewSuperuserCommand(app), agent.Command())

	return app.Execute()
}

// storageFlags declares the key and storage flags, each defaulting to its
// TOCK_* variable; the returned Config is filled in when the flags are parsed.
func storageFlags(root *cobra.Command) (*hooks.Config, error) {
	cfg := &hooks.Config{MasterKey: os.Getenv("TOCK_MASTER_KEY"), S3: blobstore.S3Config{SecretKey: os.Getenv("TOCK_S3_SECRET_KEY")}}
	// Tests only: a short slot, which agents must be given too.
	if v := os.Getenv("TOCK_SLOT_SECONDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 10 || 600%n != 0 {
			return nil, fmt.Errorf("TOCK_SLOT_SECONDS=%q: want a divisor of 600 of at least 10", v)
		}
		cfg.SlotSeconds = n
	}
	f := root.PersistentFlags()
	f.StringVar(&cfg.MasterKeyFile, "master-key-file", os.Getenv("TOCK_MASTER_KEY_FILE"), "master key file, created 0600 on first start (default: beside the data dir)")
	f.StringVar(&cfg.Storage, "storage", envOr("TOCK_STORAGE", "local"), "where encrypted screenshots are stored: local or s3")
	f.StringVar(&cfg.LocalDir, "local-dir", os.Getenv("TOCK_LOCAL_DIR"), "local screenshot directory (default <data dir>/screenshots)")
	f.StringVar(&cfg.S3.Endpoint, "s3-endpoint", os.Getenv("TOCK_S3_ENDPOINT"), "S3 endpoint host:port")
	f.StringVar(&cfg.S3.Bucket, "s3-bucket", os.Getenv("TOCK_S3_BUCKET"), "S3 bucket (created if missing)")
	f.StringVar(&cfg.S3.Region, "s3-region", envOr("TOCK_S3_REGION", "us-east-1"), "S3 region")
	f.StringVar(&cfg.S3.AccessKey, "s3-access-key", os.Getenv("TOCK_S3_ACCESS_KEY"), "S3 access key (the secret key comes from TOCK_S3_SECRET_KEY)")
	useTLS, err := strconv.ParseBool(envOr("TOCK_S3_TLS", "true"))
	if err != nil {
		return nil, fmt.Errorf("TOCK_S3_TLS: %w", err)
	}
	f.BoolVar(&cfg.S3.UseTLS, "s3-tls", useTLS, "use TLS to reach S3")
	allowPrivate, err := strconv.ParseBool(envOr("TOCK_WEBHOOKS_ALLOW_PRIVATE", "false"))
	if err != nil {
		return nil, fmt.Errorf("TOCK_WEBHOOKS_ALLOW_PRIVATE: %w", err)
	}
	f.StringVar(&cfg.Downloads, "downloads", os.Getenv("TOCK_DOWNLOADS"), "release directory (make release) whose agent archives the web app offers")
	cfg.Version = version
	f.BoolVar(&cfg.WebhooksAllowPrivate, "webhooks-allow-private", allowPrivate, "let webhooks reach loopback, LAN and link-local addresses")
	return cfg, nil
}

func envOr(name, fallback string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return fallback
}

// flagDefaultsFromEnv makes serve's flags take their default from TOCK_*
// variables, so a service manager can configure Tock without arguments.
func flagDefaultsFromEnv(serve *cobra.Command) error {
	if v, ok := os.LookupEnv("TOCK_HTTP"); ok {
		f := serve.PersistentFlags().Lookup("http")
		if err := f.Value.Set(v); err != nil {
			return fmt.Errorf("TOCK_HTTP=%q: %w", v, err)
		}
		f.DefValue = v
	}
	return nil
}

func environmentHelp() string {
	var b strings.Builder
	b.WriteString("Environment (a flag given on the command line wins):\n")
	for _, v := range environment() {
		fmt.Fprintf(&b, "  %-21s %-18s %s\n", v.name, v.flag, v.help)
	}
	return b.String()
}
