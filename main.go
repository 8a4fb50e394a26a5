// Command tock is a self-hosted time tracker with encrypted screenshots.
// `tock serve` runs the server; `tock superuser` manages its operators.
package main

import (
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/cmd"
	"github.com/spf13/cobra"

	_ "time/tzdata" // organization time zones must resolve on any host, Windows included

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
	}
}

func main() {
	if err := run(); err != nil {
		slog.Error("tock stopped", "error", err)
		os.Exit(1)
	}
}

func run() error {
	app := pocketbase.NewWithConfig(pocketbase.Config{
		DefaultDataDir: os.Getenv("TOCK_DIR"),
	})
	app.RootCmd.Use = "tock"
	app.RootCmd.Short = "Tock: self-hosted time tracking with encrypted screenshots"
	app.RootCmd.Long = app.RootCmd.Short + "\n\n" + environmentHelp()

	hooks.Register(app)

	serve := cmd.NewServeCommand(app, true)
	serve.Long = "Starts the Tock server: web app at /, REST API at /api/, admin UI at /_/.\n" +
		"Migrations run on start; data lives in --dir (default pb_data next to the binary).\n\n" +
		environmentHelp()
	if err := flagDefaultsFromEnv(serve); err != nil {
		return err
	}
	app.RootCmd.AddCommand(serve, cmd.NewSuperuserCommand(app))

	return app.Execute()
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
		fmt.Fprintf(&b, "  %-10s %-14s %s\n", v.name, v.flag, v.help)
	}
	return b.String()
}
